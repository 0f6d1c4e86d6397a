/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpmd: vnetsink's polled-mode virtio-net driver.
 *
 * A library, not a registered ethdev (Debian ships no DPDK driver SDK). It runs on
 * DPDK's EAL, mempools and mbufs and exposes its own burst API.
 *
 * Transports:
 *   - modern virtio-pci, device bound to uio_pci_generic (IOVA = PA) or vfio-pci;
 *   - vhost-user frontend (client mode, or server=1), for the host: the same datapath
 *     against a vhost-user backend such as `dpdk-testpmd --vdev net_vhost0,...`; reconnects
 *     through vpmd_poll(). Needs EAL `--single-file-segments` and `--iova-mode=va`.
 *
 * Life cycle (control path, main lcore only, never concurrently with bursts):
 *   vpmd_open() -> vpmd_configure() -> vpmd_start() -> bursts ... -> vpmd_stop() -> vpmd_close()
 *
 * Fast path contract: queue q's rx and tx bursts are called from one lcore at a time
 * (the lcore that owns the queue); different queues may be polled concurrently from
 * different lcores. Bursts never block, never allocate outside the mempool, never log:
 * they return a count and account for everything else in the queue's stats.
 */
#ifndef VPMD_H
#define VPMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vpmd_features.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vpmd_dev;
struct vpmd_rxq;
struct vpmd_txq;

/* Default ring size: large rings absorb the backend's bursts (QEMU, vhost-net). */
#define VPMD_RING_SIZE_DEFAULT 1024
#define VPMD_MAX_QPAIRS        64
#define VPMD_BURST_MAX         64

/* Everything that helps throughput; the device offers a subset, we take the overlap. */
#define VPMD_FEATURES_DEFAULT                                                               \
	(VPMD_F_VERSION_1 | VPMD_F_MAC | VPMD_F_STATUS | VPMD_F_MTU | VPMD_F_MRG_RXBUF |    \
	 VPMD_F_CTRL_VQ | VPMD_F_MQ | VPMD_F_CSUM | VPMD_F_GUEST_CSUM | VPMD_F_GUEST_TSO4 | \
	 VPMD_F_GUEST_TSO6 | VPMD_F_RING_PACKED | VPMD_F_EVENT_IDX | VPMD_F_INDIRECT_DESC | \
	 VPMD_F_IN_ORDER | VPMD_F_ACCESS_PLATFORM | VPMD_F_ORDER_PLATFORM)

struct vpmd_conf {
	uint16_t nb_qpairs; /* queue pairs to use; 0 = as many as the device offers */
	/* Descriptors per ring, rx and tx each capped by its own queues' device maximum;
	 * 0 = VPMD_RING_SIZE_DEFAULT (so each queue's device maximum, up to that). */
	uint16_t ring_size;
	uint64_t features;           /* features the caller allows; 0 = VPMD_FEATURES_DEFAULT */
	struct rte_mempool *rx_pool; /* rx buffers; data room >= RTE_PKTMBUF_HEADROOM + 1518 */
	int socket_id;               /* NUMA node for rings; SOCKET_ID_ANY is fine */
};

/*
 * Open a device. `spec` is one of:
 *   "0000:00:01.0" or "pci:0000:00:01.0"   modern virtio-pci device (uio_pci_generic/vfio-pci)
 *   "vhost-user:/path/to.sock[,opts]"       vhost-user backend listening on that socket
 *                                           (server=1: we listen, the backend connects)
 * On failure returns NULL and writes one human-readable line (what failed, what to do) to err.
 */
struct vpmd_dev *vpmd_open(const char *spec, char *err, size_t errlen);

/* Negotiate features and set up queues. 0 or -errno; err gets a line on failure. */
int vpmd_configure(struct vpmd_dev *dev, const struct vpmd_conf *conf, char *err, size_t errlen);
/* Fill the rx rings, DRIVER_OK, enable the queue pairs. 0 or -errno; err gets a line on
 * failure (the device is then reset, every buffer back in the pool; start may be retried). */
int vpmd_start(struct vpmd_dev *dev, char *err, size_t errlen);
void vpmd_stop(struct vpmd_dev *dev);  /* reset the device, reclaim every mbuf */
void vpmd_close(struct vpmd_dev *dev); /* free everything; dev is invalid afterwards */

/*
 * A device whose reset (PCI: the status never reads 0) or queue stop (vhost-user:
 * GET_VRING_BASE failed or timed out) failed may still read and write its rings and the
 * mbufs posted in them. It is dead: vpmd_configure() and vpmd_start() refuse it, and
 * neither vpmd_stop() nor vpmd_close() hands its rings or mbufs back; they are leaked on
 * purpose, logged once (ERR) and counted in vpmd_leak_stats_get().
 */
bool vpmd_dead(const struct vpmd_dev *dev);
/* Process-wide totals of what dead devices kept (monotonic). */
struct vpmd_leak_stats {
	uint64_t devices; /* devices that went dead */
	uint64_t rings;   /* virtqueues whose memory is never freed */
	uint64_t mbufs;   /* mbufs never returned to their pools */
};
void vpmd_leak_stats_get(struct vpmd_leak_stats *out);

/*
 * Reconnect (transports whose backend can go away: vhost-user). Call vpmd_poll() from the
 * control thread every few tens of milliseconds while the device is started; it never
 * blocks longer than one backend reply timeout. When the backend goes away (hang-up,
 * socket error, a reply that never came) it takes the link down and parks every queue:
 * the bursts return 0 without touching the ring. The lcore of each queue pair must keep
 * calling its rx or its tx burst (an empty one is enough): the first call after the hang-up
 * is the lcore's acknowledgement for the pair, and only then does the control path touch
 * its queues. Once the backend
 * provably cannot reach our memory any more (its process exited or unmapped it), every
 * posted and in-flight mbuf goes back to its pool; if that cannot be shown within
 * VPMD_RELEASE_WAIT_MS, the device is dead (vpmd_dead(), the buffers counted as leaked).
 * Then it reconnects with back-off (VPMD_RECONNECT_MIN_MS doubling up to
 * VPMD_RECONNECT_MAX_MS), renegotiates the same features and queue pairs (a backend that
 * comes back with fewer is refused with one logged line and retried), re-posts the rx
 * buffers and hands the queues back: link up, counters continue.
 * Returns 0 when the device runs (or is not started), -ENOTCONN while the backend is away,
 * -EIO when the device is dead.
 */
#define VPMD_RECONNECT_MIN_MS 100
#define VPMD_RECONNECT_MAX_MS 5000
#define VPMD_RELEASE_WAIT_MS  3000
int vpmd_poll(struct vpmd_dev *dev);
struct vpmd_conn_stats {
	uint64_t losses;     /* the backend went away while started */
	uint64_t reconnects; /* ... and came back: traffic resumed */
	uint64_t attempts;   /* reconnect attempts */
	uint64_t refused;    /* attempts that reached a backend we could not use */
	uint32_t backoff_ms; /* wait before the next attempt (0 while connected) */
	bool down;           /* the backend is away now */
};
void vpmd_conn_stats_get(const struct vpmd_dev *dev, struct vpmd_conn_stats *out);

uint16_t vpmd_nb_qpairs(const struct vpmd_dev *dev);
struct vpmd_rxq *vpmd_rxq(struct vpmd_dev *dev, uint16_t q);
struct vpmd_txq *vpmd_txq(struct vpmd_dev *dev, uint16_t q);

/*
 * Receive up to n packets. Large (GSO) segments come as mbuf chains with
 * RTE_MBUF_F_RX_LRO and tso_segsz set; checksum state in ol_flags:
 *   RTE_MBUF_F_RX_L4_CKSUM_GOOD  device validated it (DATA_VALID)
 *   RTE_MBUF_F_RX_L4_CKSUM_NONE  payload intact, checksum field partial (NEEDS_CSUM)
 *   RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN  not checked: verify in software
 */
uint16_t vpmd_rx_burst(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n);

/*
 * Send up to n packets; returns how many the ring took (the caller keeps the rest).
 * RTE_MBUF_F_TX_TCP_CKSUM / UDP_CKSUM with l2_len/l3_len set asks for checksum offload
 * (the pseudo-header sum must be in the checksum field, as rte_ipv4_phdr_cksum gives);
 * RTE_MBUF_F_TX_TCP_SEG with tso_segsz asks for TSO when negotiated (with TCP_CKSUM and the
 * pseudo-header sum without the length, ethdev's convention; the headers in the first segment):
 * the burst adds the TCP length into that field, the form a virtio device segments from.
 * A packet that cannot be sent as asked (offload not negotiated, more than 64 segments)
 * is freed and counted in drop_bad_pkt; it counts as taken in the return value.
 */
uint16_t vpmd_tx_burst(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n);

/*
 * Take the device's tx completions now and free the mbufs; returns how many packets were
 * completed. vpmd_tx_burst() does this lazily, once the ring runs low; call this (same
 * lcore as the queue's bursts) when idle to hand mbufs back to the pool sooner.
 */
unsigned int vpmd_tx_reclaim(struct vpmd_txq *txq);

/* Per-queue counters, one table so that printing, telemetry and JSON share it. */
#define VPMD_RXQ_STATS(X)                                                         \
	X(packets, "packets delivered")                                           \
	X(bytes, "bytes delivered (without virtio-net header)")                   \
	X(bufs, "ring buffers consumed")                                          \
	X(drop_nombuf, "refill failed: mempool empty")                            \
	X(drop_bad_len, "used length below header+14 or above the posted buffer") \
	X(drop_bad_hdr, "bad num_buffers, gso or checksum fields")                \
	X(err_bad_ring, "device broke the ring protocol (queue now broken)")      \
	X(kicks, "notifications sent to the device")                              \
	X(empty_polls, "bursts that delivered no packet")
#define VPMD_TXQ_STATS(X)                                                           \
	X(packets, "packets sent")                                                  \
	X(bytes, "bytes sent")                                                      \
	X(ring_full, "bursts cut short by a full ring")                             \
	X(drop_bad_pkt, "packets refused (too many segments, bad offload request)") \
	X(err_bad_ring, "device broke the ring protocol (queue now broken)")        \
	X(kicks, "notifications sent to the device")                                \
	X(indirect, "packets sent as one indirect descriptor (INDIRECT_DESC)")

#define VPMD_STAT_FIELD(name, desc) uint64_t name;
struct vpmd_rxq_stats {
	VPMD_RXQ_STATS(VPMD_STAT_FIELD)
};
struct vpmd_txq_stats {
	VPMD_TXQ_STATS(VPMD_STAT_FIELD)
};
#undef VPMD_STAT_FIELD

/* Snapshot of a queue's counters (safe from any lcore; counters are single-writer). */
void vpmd_rxq_stats(const struct vpmd_rxq *rxq, struct vpmd_rxq_stats *out);
void vpmd_txq_stats(const struct vpmd_txq *txq, struct vpmd_txq_stats *out);
/* True when the device broke the queue's ring protocol (sticky until stop + start), or when
 * the queue is NULL (vpmd_rxq()/vpmd_txq() of a queue that does not exist). */
bool vpmd_rxq_broken(const struct vpmd_rxq *rxq);
bool vpmd_txq_broken(const struct vpmd_txq *txq);
/*
 * Control-path housekeeping (main lcore, e.g. on the stats timer): logs once each queue
 * the device broke (bursts never log) and returns how many queues are broken. A broken
 * queue stays broken (its bursts return 0) until vpmd_stop() + vpmd_start().
 */
unsigned int vpmd_health_check(struct vpmd_dev *dev);

struct vpmd_link {
	bool up;
	uint16_t mtu; /* device MTU, or 1500 when MTU was not negotiated */
	struct rte_ether_addr mac;
};
/* Link state (read from the device now), MTU and MAC. A query: no log, no state change. */
int vpmd_link_get(const struct vpmd_dev *dev, struct vpmd_link *link);

/*
 * The device's receive filter and MAC address through the control queue [virtio 1.2,
 * 5.1.6.5.1-2], on a started device (main lcore). promisc/allmulti need CTRL_RX negotiated,
 * mac_set CTRL_MAC_ADDR; without it they fail with -ENOTSUP (a device without CTRL_RX
 * delivers every frame). 0, or -errno with one line in err (-EIO: the device refused).
 * A reset (vpmd_stop) returns the device to its defaults: set them again after a start.
 */
int vpmd_ctrl_promisc(struct vpmd_dev *dev, bool on, char *err, size_t errlen);
int vpmd_ctrl_allmulti(struct vpmd_dev *dev, bool on, char *err, size_t errlen);
int vpmd_ctrl_mac_set(struct vpmd_dev *dev, const struct rte_ether_addr *mac, char *err,
		      size_t errlen);

uint64_t vpmd_features(const struct vpmd_dev *dev); /* negotiated */
/* What the device offers (read at vpmd_open(), before anything is negotiated): what a caller
 * may ask for, e.g. to advertise offload capabilities. */
uint64_t vpmd_device_features(const struct vpmd_dev *dev);
/* Transport, negotiated features by name, ring layout, rx/tx functions chosen. */
void vpmd_info_dump(const struct vpmd_dev *dev, FILE *f);

#ifdef __cplusplus
}
#endif
#endif /* VPMD_H */
