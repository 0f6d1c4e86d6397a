/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_port: the one port interface of vnetsink, over either backend:
 *   - any DPDK ethdev (vns_port_ethdev.c): net_tap, net_af_packet, net_virtio, ...
 *   - our virtio-net PMD library (vns_port_vpmd.c): vpmd_open("0000:00:01.0"),
 *     vpmd_open("vhost-user:/path").
 *
 * Control path (main lcore only, never concurrently with bursts):
 *   vns_port_open() -> vns_port_setup() -> vns_port_start() -> bursts -> vns_port_stop()
 *   -> vns_port_close().
 * Fast path: a worker takes a vns_port_queue once (vns_port_queue_get) and calls
 * vns_port_rx()/vns_port_tx() on it; the backend is chosen by one predictable branch per
 * burst, and queue q is only ever used by the lcore that owns it.
 */
#ifndef VNS_PORT_H
#define VNS_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vpmd.h"

#define VNS_PORT_SPEC_MAX 256 /* a port spec after its "ethdev:"/"vpmd:" prefix, with the NUL */

enum vns_port_kind {
	VNS_PORT_ETHDEV, /* any DPDK ethdev, by port id or device name (e.g. --vdev net_tap0) */
	VNS_PORT_VPMD,   /* our virtio-net PMD library: PCI address or vhost-user:PATH */
};

/* Our PMD only: whether VIRTIO_F_RING_PACKED may (auto), must (on) or must not (off) be used. */
enum vns_packed_mode { VNS_PACKED_AUTO, VNS_PACKED_ON, VNS_PACKED_OFF };

/* What vns_port_setup() needs from the application's options. */
struct vns_port_conf {
	uint16_t ring_size; /* descriptors per rx and per tx ring */
	enum vns_packed_mode packed;
	bool mac_set; /* the stack answers for mac, not the device's own address */
	struct rte_ether_addr mac;
};

/* What a worker needs to poll one queue: no pointers back into the control structures. */
struct vns_port_queue {
	enum vns_port_kind kind;
	uint16_t port_id;     /* ethdev */
	uint16_t queue_id;    /* ethdev */
	struct vpmd_rxq *rxq; /* vpmd */
	struct vpmd_txq *txq; /* vpmd */
};

static inline uint16_t
vns_port_rx(const struct vns_port_queue *q, struct rte_mbuf **pkts, uint16_t n)
{
	if (q->kind == VNS_PORT_VPMD)
		return vpmd_rx_burst(q->rxq, pkts, n);
	return rte_eth_rx_burst(q->port_id, q->queue_id, pkts, n);
}

/*
 * Returns how many frames the port took (the caller keeps the rest). Frames must fit the
 * port's MTU (info.mtu + 14 bytes of Ethernet header, unless TSO was asked for): net_tap, for
 * one, refuses a larger frame and stops the burst there.
 */
static inline uint16_t
vns_port_tx(const struct vns_port_queue *q, struct rte_mbuf **pkts, uint16_t n)
{
	if (q->kind == VNS_PORT_VPMD)
		return vpmd_tx_burst(q->txq, pkts, n);
	return rte_eth_tx_burst(q->port_id, q->queue_id, pkts, n);
}

/*
 * True once the device broke the ring protocol on this queue: its bursts return 0 from then
 * on, so the worker stops polling it. Off the per-packet path (housekeeping timer); from the
 * lcore that polls the queue. An ethdev reports no such state.
 */
static inline bool
vns_port_queue_broken(const struct vns_port_queue *q)
{
	if (q->kind == VNS_PORT_VPMD)
		return vpmd_rxq_broken(q->rxq) || vpmd_txq_broken(q->txq);
	return false;
}

/* Fixed facts about an opened port. */
struct vns_port_info {
	char name[64]; /* "ethdev 0 (net_tap)" / "vpmd vhost-user:/tmp/x.sock" */
	struct rte_ether_addr mac;
	uint16_t mtu;
	uint16_t max_queues;  /* queue pairs the device offers */
	uint32_t tx_offloads; /* VNS_TXOFF_* (vns_stack.h) enabled by vns_port_setup() */
};

struct vns_port_link {
	bool up;
};

/*
 * Counters the device keeps per queue, folded into one table for both backends (a backend
 * fills what it knows and leaves the rest 0).
 */
#define VNS_PORT_QSTATS(X)                                                                    \
	X(dev_rx_pkts, "frames the device delivered")                                         \
	X(dev_tx_pkts, "frames the device sent")                                              \
	X(dev_drop_nombuf, "rx refill failed: mempool empty")                                 \
	X(dev_drop_missed, "frames the device dropped: rx ring full (port-wide, on queue 0)") \
	X(dev_drop_bad, "frames the device refused or found malformed (net_tap counts every " \
			"refused attempt)")                                                   \
	X(dev_tx_ring_full, "tx bursts cut short by a full ring")                             \
	X(dev_queue_broken, "1 when the device broke the ring protocol")

#define VNS_PORT_QSTAT_FIELD(name, desc) uint64_t name;
struct vns_port_qstats {
	VNS_PORT_QSTATS(VNS_PORT_QSTAT_FIELD)
};
#undef VNS_PORT_QSTAT_FIELD

struct vns_port;

/* Backend operations; one table per backend, chosen by vns_port_open(). */
struct vns_port_ops {
	int (*setup)(struct vns_port *p, const struct vns_port_conf *conf, uint16_t nb_queues,
		     struct rte_mempool *pool, char *err, size_t errlen);
	int (*start)(struct vns_port *p, char *err, size_t errlen);
	void (*stop)(struct vns_port *p);
	void (*close)(struct vns_port *p);
	void (*queue_get)(struct vns_port *p, uint16_t q, struct vns_port_queue *out);
	void (*link_get)(struct vns_port *p, struct vns_port_link *out);
	void (*qstats_get)(struct vns_port *p, uint16_t q, struct vns_port_qstats *out);
	void (*dump)(struct vns_port *p, FILE *f);
	/* Optional, main lcore on its stats timer: report device errors once (NULL: none). */
	void (*health_check)(struct vns_port *p);
};

struct vns_port {
	const struct vns_port_ops *ops;
	enum vns_port_kind kind;
	struct vns_port_info info;
	uint16_t nb_queues; /* set by setup */
	bool started;
	void *priv; /* backend state */
};

/* Backends: open a port from its spec; NULL with one line in err (what failed, what to do). */
struct vns_port *vns_port_ethdev_open(const char *spec, char *err, size_t errlen);
struct vns_port *vns_port_vpmd_open(const char *spec, char *err, size_t errlen);

static inline struct vns_port *
vns_port_open(enum vns_port_kind kind, const char *spec, char *err, size_t errlen)
{
	if (kind == VNS_PORT_VPMD)
		return vns_port_vpmd_open(spec, err, errlen);
	return vns_port_ethdev_open(spec, err, errlen);
}

/* Configure nb_queues rx/tx pairs of conf->ring_size descriptors, rx buffers from pool. */
static inline int
vns_port_setup(struct vns_port *p, const struct vns_port_conf *conf, uint16_t nb_queues,
	       struct rte_mempool *pool, char *err, size_t errlen)
{
	return p->ops->setup(p, conf, nb_queues, pool, err, errlen);
}

static inline int
vns_port_start(struct vns_port *p, char *err, size_t errlen)
{
	return p->ops->start(p, err, errlen);
}

static inline void
vns_port_stop(struct vns_port *p)
{
	p->ops->stop(p);
}

/* Stops the port if needed and frees it. */
static inline void
vns_port_close(struct vns_port *p)
{
	if (p != NULL)
		p->ops->close(p);
}

static inline void
vns_port_queue_get(struct vns_port *p, uint16_t q, struct vns_port_queue *out)
{
	p->ops->queue_get(p, q, out);
}

static inline void
vns_port_link_get(struct vns_port *p, struct vns_port_link *out)
{
	p->ops->link_get(p, out);
}

/* Safe from any lcore while the port runs (single-writer counters, snapshot reads). */
static inline void
vns_port_qstats_get(struct vns_port *p, uint16_t q, struct vns_port_qstats *out)
{
	p->ops->qstats_get(p, q, out);
}

static inline void
vns_port_dump(struct vns_port *p, FILE *f)
{
	p->ops->dump(p, f);
}

static inline void
vns_port_health_check(struct vns_port *p)
{
	if (p->ops->health_check != NULL)
		p->ops->health_check(p);
}

#endif /* VNS_PORT_H */
