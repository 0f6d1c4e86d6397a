/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpmd: vnetsink's polled-mode virtio-net driver.
 *
 * A library, not a registered ethdev (Debian ships no DPDK driver SDK). It runs on
 * DPDK's EAL, mempools and mbufs and exposes its own burst API.
 *
 * Transports:
 *   - modern virtio-pci, device bound to uio_pci_generic (IOVA = PA) or vfio-pci;
 *   - vhost-user frontend (client mode), for the host: the same datapath against a
 *     vhost-user backend such as `dpdk-testpmd --vdev net_vhost0,...`. Needs EAL
 *     `--single-file-segments` and `--iova-mode=va`.
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
 *   "vhost-user:/path/to.sock"              vhost-user backend listening on that socket
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
 * RTE_MBUF_F_TX_TCP_SEG with tso_segsz asks for TSO when negotiated.
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
	X(kicks, "notifications sent to the device")

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
