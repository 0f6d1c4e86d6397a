/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queues: the rx, tx and control queue structures, the burst functions the driver core
 * chooses from, queue lifetime, and the inline helpers both ring layouts share. Internal to
 * pmd/ (the core includes it through vpmd_internal.h); nothing here knows the transport:
 * the core hands each ring its notify hook at queue set-up.
 *
 * Threading: each rxq/txq is its own cache-aligned allocation. While the device is
 * started, only the lcore polling a queue writes its state and counters; the control path
 * only reads counters (single-writer 64-bit words) and the halt flags. While the device is
 * stopped, only the control path touches the queue.
 */
#ifndef VPMD_QUEUE_H
#define VPMD_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vpmd.h"
#include "vpmd_spec.h"
#include "vpmd_vq.h"

typedef uint16_t (*vpmd_rx_fn)(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n);
typedef uint16_t (*vpmd_tx_fn)(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n);
typedef unsigned int (*vpmd_reclaim_fn)(struct vpmd_txq *txq);

/* Per-packet header checks need only these negotiated bits; kept in the queue so the fast
 * path never dereferences the device. */
#define VPMD_RXQ_F_GUEST_CSUM 1
#define VPMD_RXQ_F_TSO4       2
#define VPMD_RXQ_F_TSO6       4
#define VPMD_RXQ_F_ECN        8

/* Rx refills once this many buffers are free (fewer on rings under 4x this size). */
#define VPMD_RX_REFILL_MAX 32

/*
 * Why a queue's bursts return 0 without touching the ring (the queue's `halt` byte):
 *   STOPPED  the device is not started; the control path sets and clears it
 *   BROKEN   the device broke the ring protocol; set once by the polling lcore, sticky
 *            until the control path resets the queue (vpmd_stop() + vpmd_start())
 *   DOWN     the backend went away while the queue runs: the control path parks the
 *            queue (vpmd_poll()), and hands it back once the backend is there again
 * All live in one byte so that a burst tests them with one load. Both sides change it
 * with atomic read-modify-writes (the lcore sets BROKEN while the control path may set
 * DOWN).
 *
 *   FRESH    handed to the lcore, no burst since: the first burst clears it
 * All live in one byte so that a burst tests them with one load. Both sides change it
 * with atomic read-modify-writes (the lcore sets BROKEN and clears FRESH while the control
 * path may set DOWN).
 *
 * Parking handshake (the control path takes a queue the lcore is polling): the control
 * path sets DOWN, then release-stores a new generation in park_req. A burst that finds
 * halt non-zero copies park_req into park_ack (release) and returns without touching the
 * queue. Once the control path reads park_ack == park_req (acquire), everything the lcore
 * did in earlier bursts happened before, and every later burst sees DOWN (it read park_req
 * after DOWN was set) until the control path release-stores halt again, which the bursts
 * read with acquire: the queue state rewritten while parked is visible to them. A queue
 * whose lcore never ran a burst since it was handed over (FRESH still set when DOWN went
 * in: the two read-modify-writes are ordered) is parked at once: its first burst will see
 * DOWN. The running path pays the one load it always paid (an acquire load is a plain
 * load on x86_64; ldarb on arm64); the first burst after a hand-over one atomic AND.
 */
#define VPMD_Q_STOPPED 1
#define VPMD_Q_BROKEN  2
#define VPMD_Q_DOWN    4
#define VPMD_Q_FRESH   8

struct vpmd_rxq {
	/* --- fast path, written by the polling lcore --- */
	struct vpmd_vq vq;
	struct rte_mbuf **sw_ring; /* mbuf posted under each buffer id; NULL = not in flight */
	uint16_t *free_ids;        /* FIFO of ids not in flight (nb_free of them) */
	uint16_t free_head;        /* next id to post */
	uint16_t free_tail;        /* where the next consumed id goes */
	uint32_t buf_len;          /* bytes posted per buffer: header + data room */
	uint16_t hdr_off;          /* buffer starts at buf_addr + hdr_off (headroom - 12) */
	uint16_t refill_thresh;    /* refill once this many ids are free */
	uint8_t hdr_features;      /* VPMD_RXQ_F_* */
	uint8_t halt;              /* VPMD_Q_*: bursts return 0 while non-zero */
	uint8_t bad_reason;        /* enum vpmd_bad_reason */
	uint8_t park_req;          /* parking handshake (above): control path writes */
	uint8_t park_ack;          /* ... polling lcore writes */
	/* IN_ORDER batch being expanded: buffers still to hand out, length of its last one */
	uint16_t ib_rem;
	uint32_t ib_len;
	struct rte_mempool *mp;
	vpmd_rx_fn rx_fn;

	struct vpmd_rxq_stats stats __rte_cache_aligned;

	/* --- control path --- */
	bool bad_logged __rte_cache_aligned;
	bool park_fresh; /* parked before its lcore's first burst (VPMD_Q_FRESH) */
} __rte_cache_aligned;

/* How a completed tx packet goes back (vpmd_tx_free_slot()). */
enum vpmd_tx_free_how {
	VPMD_TX_FREE_WHOLE,   /* one pushed segment, direct, refcnt 1: a free mbuf already */
	VPMD_TX_FREE_POOLED,  /* WHOLE, and of the queue's `pool`: no read of the mbuf */
	VPMD_TX_FREE_GENERIC, /* may be shared, indirect or chained: rte_pktmbuf_prefree_seg() */
};
/* WHOLE is 0 and POOLED 1: the one-descriptor path stores `m->pool == pool`. */
_Static_assert(VPMD_TX_FREE_WHOLE == 0 && VPMD_TX_FREE_POOLED == 1, "one compare");

/* Tx bookkeeping: split rings index it by head descriptor, packed rings by buffer id. */
struct vpmd_tx_slot {
	struct rte_mbuf *m; /* packet (chain head); NULL when the slot is not a live head */
	uint16_t ndesc;     /* ring descriptors the packet occupies (1 when indirect) */
	uint16_t done;      /* split, out of order: the device returned it */
	uint16_t how;       /* enum vpmd_tx_free_how */
};

/*
 * Indirect descriptors [virtio 1.2, 2.7.5.3 split, 2.8.7 packed]: with INDIRECT_DESC a
 * packet of 2..VPMD_TX_INDIRECT_MAX descriptors (header + segments) takes one ring slot
 * whose descriptor points at a table of them. One table per slot (split: head descriptor;
 * packed: buffer id), VPMD_TX_INDIRECT_MAX descriptors each (256 bytes, 16-byte aligned as
 * the spec asks), allocated with the ring. Longer chains take the direct chain path.
 */
#define VPMD_TX_INDIRECT_MAX 16

struct vpmd_txq {
	/* --- fast path --- */
	struct vpmd_vq vq;
	struct vpmd_tx_slot *slots;
	uint16_t *free_ids; /* packed: FIFO of free buffer ids */
	uint16_t free_head, free_tail, nb_free_ids;
	uint16_t oldest;      /* split: head slot of the oldest packet in flight;
	                              * packed + IN_ORDER: oldest buffer id in flight */
	uint16_t nb_inflight; /* packets (chains) in flight */
	uint16_t free_thresh; /* reclaim completions once fewer descriptors are free */
	uint8_t halt;         /* VPMD_Q_*: bursts return 0 while non-zero */
	uint8_t bad_reason;
	uint8_t park_req;          /* parking handshake (above): control path writes */
	uint8_t park_ack;          /* ... polling lcore writes */
	bool csum;                 /* VIRTIO_NET_F_CSUM negotiated */
	bool tso4, tso6;           /* HOST_TSO4/6 negotiated */
	struct vpmd_net_hdr *hdrs; /* one header per slot/id, for packets that cannot push */
	uint64_t hdrs_iova;
	/* Indirect tables (NULL without INDIRECT_DESC), VPMD_TX_INDIRECT_MAX per slot/id */
	union {
		struct vpmd_vring_desc *split;
		struct vpmd_vring_packed_desc *packed;
	} indir;
	uint64_t indir_iova;
	uint16_t indir_max; /* most descriptors in one table: 0 = never indirect */
	vpmd_tx_fn tx_fn;
	vpmd_reclaim_fn reclaim_fn;
	/* Pool of the first packet sent while nothing was in flight. Its one-descriptor packets
	 * are marked POOLED (enum vpmd_tx_free_how) and go back to it without a read of the
	 * mbuf, whose line is usually out of the cache by the time the device returns it. */
	struct rte_mempool *pool;

	struct vpmd_txq_stats stats __rte_cache_aligned;

	/* --- control path --- */
	bool bad_logged __rte_cache_aligned;
	bool park_fresh; /* parked before its lcore's first burst (VPMD_Q_FRESH) */
} __rte_cache_aligned;

/* Control virtqueue: one synchronous command at a time. */
struct vpmd_ctrlq {
	struct vpmd_vq vq;
	uint8_t *buf; /* header | data | ack */
	uint64_t buf_iova;
	uint16_t next_desc; /* split: next descriptor, taken in ring order */
	/* A command went unanswered or came back malformed: the device may still write into buf
	 * or the ring, so nothing is sent until a device reset (vpmd_ctrl.c). */
	bool broken;
};
#define VPMD_CTRL_BUF_SIZE 64
/* A command is at most three descriptors: {class, cmd}, data, ack [5.1.6.5]. */
#define VPMD_CTRL_CMD_DESCS 3
/* One command is in flight at a time: a larger control ring would only waste memory. */
#define VPMD_CTRL_RING_SIZE_MAX 64

/* Burst functions, one per layout and negotiated mode; the core picks one of each kind. */
uint16_t vpmd_rx_split_mrg(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t vpmd_rx_split_mrg_inorder(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t vpmd_rx_split(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t vpmd_rx_split_inorder(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t vpmd_tx_split(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n);
uint16_t vpmd_tx_split_inorder(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n);
uint16_t vpmd_rx_packed_mrg(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t vpmd_rx_packed_mrg_inorder(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t vpmd_rx_packed(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t vpmd_rx_packed_inorder(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t vpmd_tx_packed(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n);
uint16_t vpmd_tx_packed_inorder(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n);

/* Process tx completions now (the tx bursts do it lazily); 0 on a halted queue. */
unsigned int vpmd_tx_reclaim_split(struct vpmd_txq *txq);
unsigned int vpmd_tx_reclaim_split_inorder(struct vpmd_txq *txq);
unsigned int vpmd_tx_reclaim_packed(struct vpmd_txq *txq);
unsigned int vpmd_tx_reclaim_packed_inorder(struct vpmd_txq *txq);

/* Initial fill at start (the queue is still stopped): post every free id. 0 or -ENOMEM. */
int vpmd_rxq_fill_split(struct vpmd_rxq *rxq, bool mrg);
int vpmd_rxq_fill_packed(struct vpmd_rxq *rxq, bool mrg);

/* Queue lifetime (vpmd_vq.c), control path. A new or reset queue is stopped. `dev_id`
 * makes the memzone names unique per device. */
struct vpmd_rxq *vpmd_rxq_create(uint32_t dev_id, uint16_t qid, uint16_t size, bool packed,
				 int socket_id);
/* `indirect`: INDIRECT_DESC negotiated, allocate the per-slot indirect tables. */
struct vpmd_txq *vpmd_txq_create(uint32_t dev_id, uint16_t qid, uint16_t size, bool packed,
				 bool indirect, int socket_id);
struct vpmd_ctrlq *vpmd_ctrlq_create(uint32_t dev_id, uint16_t vq_index, uint16_t size, bool packed,
				     int socket_id);
void vpmd_rxq_reset(struct vpmd_rxq *rxq); /* rings back to initial state, ids free */
void vpmd_txq_reset(struct vpmd_txq *txq);
unsigned int vpmd_rxq_reclaim(struct vpmd_rxq *rxq); /* free every posted mbuf; returns count */
unsigned int vpmd_txq_reclaim(struct vpmd_txq *txq);
/* Mbufs posted in the ring now (rx buffers; tx segments of the chains in flight). */
unsigned int vpmd_rxq_held(const struct vpmd_rxq *rxq);
unsigned int vpmd_txq_held(const struct vpmd_txq *txq);
void vpmd_rxq_free(struct vpmd_rxq *rxq);
void vpmd_txq_free(struct vpmd_txq *txq);
void vpmd_ctrlq_free(struct vpmd_ctrlq *cvq);

/* ---- Shared fast-path helpers ---------------------------------------------------------- */

/* A burst's first test: true when it must return at once. Parks the queue when asked (see
 * VPMD_Q_DOWN); the halted branch is the only one that stores. */
static __rte_always_inline bool
vpmd_q_halted(uint8_t *halt, const uint8_t *park_req, uint8_t *park_ack)
{
	uint8_t h = __atomic_load_n(halt, __ATOMIC_ACQUIRE), req;

	if (likely(h == 0))
		return false;
	if (h == VPMD_Q_FRESH &&
	    (__atomic_fetch_and(halt, (uint8_t)~VPMD_Q_FRESH, __ATOMIC_ACQ_REL) & ~VPMD_Q_FRESH) ==
		    0)
		return false;
	req = __atomic_load_n(park_req, __ATOMIC_ACQUIRE);
	if (vpmd_read_once(park_ack) != req)
		__atomic_store_n(park_ack, req, __ATOMIC_RELEASE);
	return true;
}
#define vpmd_rxq_halted(q) vpmd_q_halted(&(q)->halt, &(q)->park_req, &(q)->park_ack)
#define vpmd_txq_halted(q) vpmd_q_halted(&(q)->halt, &(q)->park_req, &(q)->park_ack)

/* Mark a queue broken (sticky). The fast path never logs: the control path sees the flag. */
static __rte_always_inline void
vpmd_rxq_set_broken(struct vpmd_rxq *rxq, enum vpmd_bad_reason why)
{
	if (!(rxq->halt & VPMD_Q_BROKEN)) {
		rxq->bad_reason = (uint8_t)why;
		rxq->stats.err_bad_ring++;
		__atomic_fetch_or(&rxq->halt, VPMD_Q_BROKEN, __ATOMIC_RELAXED);
	}
}

static __rte_always_inline void
vpmd_txq_set_broken(struct vpmd_txq *txq, enum vpmd_bad_reason why)
{
	if (!(txq->halt & VPMD_Q_BROKEN)) {
		txq->bad_reason = (uint8_t)why;
		txq->stats.err_bad_ring++;
		__atomic_fetch_or(&txq->halt, VPMD_Q_BROKEN, __ATOMIC_RELAXED);
	}
}

/* Whether vpmd_tx_reclaim() has anything to do: a halted queue's ring is not touched. */
static __rte_always_inline bool
vpmd_tx_may_reclaim(struct vpmd_txq *txq)
{
	return !vpmd_txq_halted(txq) && txq->nb_inflight != 0;
}

/*
 * Rx buffers come straight from the mempool (rte_mempool_get_bulk), not through
 * rte_pktmbuf_alloc_bulk: a free pktmbuf already has next = NULL, nb_segs = 1, refcnt = 1
 * (the free path guarantees it), so only the 8 bytes data_off|refcnt|nb_segs|port are
 * rewritten — the reset would also write the mbuf's second cache line (next, tx_offload),
 * a cache miss per buffer. The rx burst sets the descriptor fields it delivers.
 */
struct vpmd_rearm {
	uint16_t data_off, refcnt, nb_segs, port;
};
_Static_assert(offsetof(struct rte_mbuf, refcnt) == offsetof(struct rte_mbuf, data_off) + 2 &&
		       offsetof(struct rte_mbuf, nb_segs) ==
			       offsetof(struct rte_mbuf, data_off) + 4 &&
		       offsetof(struct rte_mbuf, port) == offsetof(struct rte_mbuf, data_off) + 6,
	       "data_off, refcnt, nb_segs, port are contiguous");

static __rte_always_inline int
vpmd_rx_alloc(struct rte_mempool *mp, struct rte_mbuf **mbufs, unsigned int k)
{
	static const struct vpmd_rearm init = { RTE_PKTMBUF_HEADROOM, 1, 1, RTE_MBUF_PORT_INVALID };
	unsigned int i;

	if (unlikely(rte_mempool_get_bulk(mp, (void **)mbufs, k) != 0))
		return -1;
	for (i = 0; i < k; i++)
		memcpy(&mbufs[i]->data_off, &init, sizeof(init));
	return 0;
}

/* Descriptor fields of a delivered head mbuf (its first cache line only). */
static __rte_always_inline void
vpmd_rx_head_init(struct rte_mbuf *m)
{
	m->ol_flags = 0;
	m->packet_type = 0;
	m->vlan_tci = 0;
}

/* Read the 12-byte header once (no double fetch: later code uses only the copy). */
static __rte_always_inline void
vpmd_rx_hdr_read(struct vpmd_net_hdr *h, const void *src)
{
	memcpy(h, src, sizeof(*h));
	rte_compiler_barrier();
}

/* Checksum/GSO fields of a received header (flags or gso_type non-zero); pkt_len is the
 * whole packet without the header. Sets ol_flags/tso_segsz on the head mbuf. */
enum vpmd_bad_reason vpmd_rx_hdr_offloads(const struct vpmd_rxq *rxq, const struct vpmd_net_hdr *h,
					  uint32_t pkt_len, struct rte_mbuf *m);

/* Tx: fill the header for a packet asking for offloads. 0, or -1 when the request cannot
 * be honoured (not negotiated, bad lengths). TSO rewrites the packet's TCP checksum field
 * into the device's form (vpmd.h). */
int vpmd_tx_hdr_offloads(const struct vpmd_txq *txq, struct vpmd_net_hdr *h, struct rte_mbuf *m);

/*
 * Returning transmitted mbufs: single-segment packets go back to their pool in bulk;
 * chains take the generic path. Cheaper than rte_pktmbuf_free_bulk, which is not inlined.
 * The batch remembers its pool, so each packet costs one compare.
 */
#define VPMD_TX_FREE_BATCH 64
struct vpmd_tx_free {
	unsigned int n;
	struct rte_mempool *pool; /* of every mbuf in m[] */
	struct rte_mbuf *m[VPMD_TX_FREE_BATCH];
};

static __rte_always_inline void
vpmd_tx_free_init(struct vpmd_tx_free *f)
{
	f->n = 0;
	f->pool = NULL;
}

static __rte_always_inline void
vpmd_tx_free_flush(struct vpmd_tx_free *f)
{
	if (f->n) {
		rte_mempool_put_bulk(f->pool, (void **)f->m, f->n);
		f->n = 0;
	}
}

/* m is ready to go back to its pool as it is (refcnt 1, one segment, direct). */
static __rte_always_inline void
vpmd_tx_free_put(struct vpmd_tx_free *f, struct rte_mbuf *m)
{
	if (unlikely(m->pool != f->pool || f->n == VPMD_TX_FREE_BATCH)) {
		vpmd_tx_free_flush(f);
		f->pool = m->pool;
	}
	f->m[f->n++] = m;
}

/* A completed WHOLE or GENERIC packet (below). */
static __rte_always_inline void
vpmd_tx_free_other(struct vpmd_tx_free *f, struct rte_mbuf *m, uint16_t how)
{
	if (how == VPMD_TX_FREE_WHOLE) {
		vpmd_tx_free_put(f, m);
	} else if (m->nb_segs == 1) {
		m = rte_pktmbuf_prefree_seg(m);
		if (m != NULL)
			vpmd_tx_free_put(f, m);
	} else {
		rte_pktmbuf_free(m);
	}
}

/*
 * A completed slot. WHOLE means the header was pushed into its headroom (vpmd_tx_can_push():
 * direct, refcnt 1) and it had one segment, so the driver held its only reference and it is
 * a free mbuf already: straight to the batch, without rte_pktmbuf_prefree_seg(), whose `next`
 * check reads the mbuf's second cache line; POOLED ones also skip the pool compare (no mbuf
 * access at all). Anything else may be shared, indirect or chained: the generic checks.
 */
static __rte_always_inline void
vpmd_tx_free_slot(struct vpmd_tx_free *f, const struct vpmd_tx_slot *s, struct rte_mempool *pool)
{
	if (likely(s->how == VPMD_TX_FREE_POOLED)) {
		if (unlikely(pool != f->pool || f->n == VPMD_TX_FREE_BATCH)) {
			vpmd_tx_free_flush(f);
			f->pool = pool;
		}
		f->m[f->n++] = s->m;
	} else {
		vpmd_tx_free_other(f, s->m, s->how);
	}
}

/* Per burst: the queue's pool may change only while nothing is in flight (no slot is
 * marked for the old one). */
static __rte_always_inline struct rte_mempool *
vpmd_tx_burst_pool(struct vpmd_txq *txq, struct rte_mbuf *const *pkts, uint16_t n)
{
	if (unlikely(txq->nb_inflight == 0) && n > 0)
		txq->pool = pkts[0]->pool;
	return txq->pool;
}

#define VPMD_TX_OFFLOAD_MASK (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG)
#define VPMD_TX_MAX_SEGS     64

/* Can the header go into the first segment's headroom (one descriptor fewer)? */
static __rte_always_inline bool
vpmd_tx_can_push(const struct rte_mbuf *m)
{
	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
	       m->data_off >= VPMD_NET_HDR_SIZE;
}

/*
 * The common tx packet in one test: direct, one segment, refcnt 1, room for the header in
 * its headroom and no offload request. It is sent as one descriptor with a zeroed header
 * pushed into its headroom (what vpmd_tx_can_push() and vpmd_tx_hdr_fill() decide for it,
 * in three tests instead of five). refcnt and nb_segs are compared with one 4-byte load,
 * which is not an atomic read of refcnt: a packet whose refcnt another lcore may change has
 * refcnt > 1 and fails the test whatever the load returns.
 */
static __rte_always_inline bool
vpmd_tx_one_desc(const struct rte_mbuf *m)
{
	static const uint16_t one_one[2] = { 1, 1 }; /* refcnt, nb_segs */
	uint32_t rs, want;

	memcpy(&rs, &m->refcnt, sizeof(rs));
	memcpy(&want, one_one, sizeof(want));
	return !(m->ol_flags &
		 (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL | VPMD_TX_OFFLOAD_MASK)) &&
	       rs == want && m->data_off >= VPMD_NET_HDR_SIZE;
}

/* Zero the header pushed in front of a vpmd_tx_one_desc() packet. */
static __rte_always_inline void
vpmd_tx_hdr_zero(struct rte_mbuf *m)
{
	uint8_t *h = rte_pktmbuf_mtod_offset(m, uint8_t *, -VPMD_NET_HDR_SIZE);
	uint64_t z = 0;
	uint32_t z4 = 0;

	memcpy(h, &z, 8);
	memcpy(h + 8, &z4, 4);
}

/* Build the header at h for packet m. 0 or -1 (refuse the packet). */
static __rte_always_inline int
vpmd_tx_hdr_fill(const struct vpmd_txq *txq, struct vpmd_net_hdr *h, struct rte_mbuf *m)
{
	if (likely(!(m->ol_flags & VPMD_TX_OFFLOAD_MASK))) {
		uint64_t z = 0;
		uint32_t z4 = 0;

		memcpy(h, &z, 8);
		memcpy((uint8_t *)h + 8, &z4, 4);
		return 0;
	}
	return vpmd_tx_hdr_offloads(txq, h, m);
}

#endif /* VPMD_QUEUE_H */
