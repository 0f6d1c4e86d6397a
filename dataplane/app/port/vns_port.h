/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_port: vnetsink's port, one DPDK ethdev: net_vpmd (our PMD, linked in), net_tap,
 * net_virtio, ... The bursts are rte_eth_rx_burst()/rte_eth_tx_burst(), inlined here; what
 * the ethdev API has no call for (a queue the device broke) comes from net_vpmd's
 * rte_pmd_vpmd.h, and any other ethdev answers as a healthy one.
 *
 * Control path (main lcore only, never concurrently with bursts):
 *   [vns_port_vpmd_create()] -> vns_port_open() -> vns_port_setup() -> vns_port_start()
 *   -> bursts -> vns_port_stop() -> vns_port_close().
 * info.mac is the device's after setup (without conf->mac_set, setup runs the device once:
 * net_vpmd learns the address from it then); info.mtu is known after start.
 * Fast path: a worker takes a vns_port_queue once (vns_port_queue_get) and calls
 * vns_port_rx()/vns_port_tx() on it; queue q is only ever used by the lcore that owns it.
 */
#ifndef VNS_PORT_H
#define VNS_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

/* What vns_port_setup() needs from the application's options. */
struct vns_port_conf {
	uint16_t ring_size; /* descriptors per rx and per tx ring */
	bool mac_set;       /* the stack answers for mac, not the device's own address */
	struct rte_ether_addr mac;
	bool tso; /* the stacks send in bulk: take TCP segmentation offload when offered */
};

/* What a worker needs to poll one queue: no pointers back into the control structures. */
struct vns_port_queue {
	uint16_t port_id;
	uint16_t queue_id;
	/* TSO is on: frames go through vns_port_tx_prepare() once before vns_port_tx() (DPDK's
	 * net_virtio puts a TSO frame's checksums into the device's form there). */
	bool tx_prepare;
};

static inline uint16_t
vns_port_rx(const struct vns_port_queue *q, struct rte_mbuf **pkts, uint16_t n)
{
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
	return rte_eth_tx_burst(q->port_id, q->queue_id, pkts, n);
}

/*
 * The driver's last touches to frames asking for offloads (rte_eth_tx_prepare): once per
 * frame, it need not be idempotent. Returns how many of the n frames are ready; the next one,
 * if any, cannot be sent as asked.
 */
static inline uint16_t
vns_port_tx_prepare(const struct vns_port_queue *q, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_tx_prepare(q->port_id, q->queue_id, pkts, n);
}

/*
 * True once the device broke the ring protocol on this queue (net_vpmd): its bursts return 0
 * from then on, so the worker stops polling it. Off the per-packet path (housekeeping timer);
 * from the lcore that polls the queue. Other ethdevs report no such state.
 */
bool vns_port_queue_broken(const struct vns_port_queue *q);

/* Fixed facts about an opened port. */
struct vns_port_info {
	char name[64]; /* "ethdev 0 net_vpmd0 (net_vpmd)" */
	struct rte_ether_addr mac;
	uint16_t mtu;
	uint16_t max_queues;    /* queue pairs the device offers */
	uint32_t tx_offloads;   /* VNS_TXOFF_* (vns_stack.h) enabled by vns_port_setup() */
	uint16_t tso_frame_max; /* vns_stack_conf's: 0, or what the driver needs */
};

struct vns_port_link {
	bool up;
};

/*
 * Counters the device keeps per queue, from ethdev's stats (per queue where ethdev has them,
 * else per port on queue 0) and, where the driver has them per queue (net_vpmd), its xstats
 * rx_q<N>_drop_nombuf and tx_q<N>_ring_full.
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

/* An opened port: info is for everyone, the rest for vns_port.c. */
struct vns_port {
	struct vns_port_info info;
	uint16_t port_id;
	uint16_t nb_queues; /* set by setup */
	struct vns_port_conf conf;
	bool started;
	bool promisc;
	uint64_t rx_offloads;
	uint64_t tx_offloads;
	char driver[32];
	/* Per queue (set by setup): the driver's xstat ids for the counters ethdev keeps per
	 * port only, UINT64_MAX when the driver has none. */
	uint64_t *xid_nombuf;
	uint64_t *xid_ring_full;
};

/*
 * Create the net_vpmd vdev `name` with devargs (e.g. "vhost-user=/x.sock,queues=2"), after
 * rte_eal_init(), for vns_port_open(name). 0, or -errno with one line in err (the driver logs
 * its reason above it).
 */
int vns_port_vpmd_create(const char *name, const char *devargs, char *err, size_t errlen);

/*
 * Open the ethdev named by spec (a device name or a port id). NULL with one line in err:
 * rc_out (may be NULL) gets -ENODEV when there is no such port (a usage error), another
 * -errno otherwise.
 */
struct vns_port *vns_port_open(const char *spec, int *rc_out, char *err, size_t errlen);

/* Configure nb_queues rx/tx pairs of conf->ring_size descriptors, rx buffers from pool. */
int vns_port_setup(struct vns_port *p, const struct vns_port_conf *conf, uint16_t nb_queues,
		   struct rte_mempool *pool, char *err, size_t errlen);
int vns_port_start(struct vns_port *p, char *err, size_t errlen);
void vns_port_stop(struct vns_port *p);
/* Stops the port if needed, closes the ethdev and frees p (NULL is fine). */
void vns_port_close(struct vns_port *p);

void vns_port_queue_get(struct vns_port *p, uint16_t q, struct vns_port_queue *out);
void vns_port_link_get(struct vns_port *p, struct vns_port_link *out);
/* Safe from any lcore while the port runs (the drivers' stats are snapshot reads). */
void vns_port_qstats_get(struct vns_port *p, uint16_t q, struct vns_port_qstats *out);
void vns_port_dump(struct vns_port *p, FILE *f);
/* Main lcore, on its stats timer: the driver reports device errors once (net_vpmd: a broken
 * queue). */
void vns_port_health_check(struct vns_port *p);

#endif /* VNS_PORT_H */
