/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_snd: the bulk TCP sender (vns_tcp_snd.c) behind vns_conn_bulk_start(). A flow that
 * sends in bulk takes one sender from its stack's bounded pool (vns_stack_conf.max_senders,
 * memory fixed at vns_stack_create); the payload comes from a read-only pattern area in
 * hugepage memory, attached to the segments as an external buffer, so no byte is copied and
 * a retransmission reads the same pattern again. A port that takes no chained mbufs
 * (VNS_TXOFF_MULTI_SEGS absent) gets each segment in one mbuf, the pattern's bytes copied
 * behind the headers, and no TSO.
 *
 * What it does, by RFC: congestion control in vns_cc.h; RTO per RFC 6298 (RTT from a timed
 * segment per window in TSC cycles, Karn's rule); SACK loss recovery per RFC 6675 with a
 * bounded scoreboard; window scale and timestamps per RFC 7323 (options as negotiated by the
 * flow); the peer's window always respected, with zero-window probes (RFC 9293 §3.8.6.1);
 * RFC 5961-style distrust: an ACK beyond SND.MAX, a window that retracts the right edge and
 * a SACK block outside [SND.UNA, SND.MAX] are counted and ignored.
 *
 * Owned by the stack's lcore, like everything in struct vns_stack.
 */
#ifndef VNS_SND_H
#define VNS_SND_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vns_cc.h"

struct rte_tcp_hdr;
struct vns_flow;
struct vns_stack;
struct vns_stack_conf;
struct vns_txbuf;

#define VNS_SND_SACK_MAX    16 /* scoreboard ranges per sender; more are forgotten, highest first */
#define VNS_SND_DUPTHRESH   3  /* RFC 6675 DupThresh */
#define VNS_SND_RTO_MIN_US  200000   /* Linux's TCP_RTO_MIN: RFC 6298's 1 s stalls a short path */
#define VNS_SND_RTO_MAX_US  60000000 /* RFC 6298 §2.5 */
#define VNS_SND_RTO_INIT_US 1000000  /* RFC 6298 §2.1 */
#define VNS_SND_RTX_MAX     15       /* back-offs without progress before the connection is reset */
#define VNS_SND_PAT_LEN     65536    /* the pattern's period: a power of two (sequence wrap) */
#define VNS_SND_TXBUF_KEEP  16       /* tx buffer slots a sender leaves for ACKs and replies */
/* Frames the bulk senders queue per stack call at most (the rest goes on the next poll): as
 * many as the loop reads per poll (its rx burst), so a device queue that carries both
 * directions (--bidir) serves them alike. Filling the tx buffer instead (240 frames against
 * 32 read) left the receiving direction 2-5 % of the sum on net_tap (the peer's frames
 * overflowed the tap's queue: losses, out-of-order segments); with 32 it got 45-55 %, and
 * -R alone was not slower in the same runs (1.9 Gbit/s, 1.4-1.8 before). */
#define VNS_SND_TXBUF_BULK 32
/* Payload bytes one sender queues per output call at most; the rest goes on the next poll.
 * Without it one ACK could put a whole 4 MB window into one burst, which a net_tap (no
 * back-pressure: the kernel drops at its backlog) or a short device ring turns into loss. */
#define VNS_SND_BURST_BYTES (256u << 10)
#define VNS_SND_POOL_MBUFS  8192 /* header and attach mbufs per stack at most */
#define VNS_SND_POOL_CACHE  256  /* of them in the lcore's mempool cache */
#define VNS_SND_RING_GUESS  4096 /* tx descriptors of a device that did not say */

#define VNS_SNDF_READY     (1u << 0) /* on the stack's ready list */
#define VNS_SNDF_RECOVERY  (1u << 1) /* RFC 6675 loss recovery */
#define VNS_SNDF_TIMING    (1u << 2) /* timed_seq is being timed */
#define VNS_SNDF_STOPPED   (1u << 3) /* no new bytes (vns_conn_bulk_stop or a finite bulk) */
#define VNS_SNDF_DONE      (1u << 4) /* the service heard sent() */
#define VNS_SNDF_PERSIST   (1u << 5) /* the timer is the zero-window probe's */
#define VNS_SNDF_RTO_ARMED (1u << 6) /* the timer is the retransmission timer */

struct vns_sack_range {
	uint32_t start;
	uint32_t end;
};

struct vns_snd {
	uint32_t flow;      /* flow index */
	uint16_t flags;     /* VNS_SNDF_* */
	uint8_t nb_sack;    /* scoreboard ranges, sorted, disjoint, within (SND.UNA, SND.MAX] */
	uint8_t dupacks;    /* duplicate ACKs in a row (RFC 5681 §2) */
	uint8_t backoff;    /* RTO doublings since the last progress */
	uint16_t seg_max;   /* payload bytes per wire segment (MSS minus our options) */
	uint32_t start_seq; /* the first bulk byte's sequence number */
	uint64_t limit;     /* bytes to send from start_seq */
	uint64_t sent;      /* bytes sent at least once */
	uint64_t acked;     /* bytes cumulatively acknowledged */
	uint32_t retrans_segs;
	uint32_t recover;   /* RFC 6675 RecoveryPoint */
	uint32_t high_rxt;  /* RFC 6675 HighRxt */
	uint32_t timed_seq; /* the timed segment's end */
	uint64_t timed_tsc;
	uint32_t srtt_us; /* 0: no sample yet */
	uint32_t rttvar_us;
	uint32_t rto_us;
	struct vns_cc cc;
	struct vns_sack_range sack[VNS_SND_SACK_MAX];
};

struct vns_snd_pool {
	struct vns_snd *snd; /* [max] */
	uint32_t max;
	uint32_t nb_free;
	uint32_t *free_list; /* [max] */
	uint32_t *ready;     /* [max]: senders with room, sent from by vns_snd_poll */
	uint32_t nb_ready;
	uint32_t wnd_cap;       /* bytes in flight per sender at most (send-window) */
	uint32_t tso_max;       /* payload bytes per TSO segment; 0: the stack segments */
	uint32_t tso_frame_max; /* headers + tso_segsz at most */
	uint8_t *pat;           /* [2 * VNS_SND_PAT_LEN]: the pattern twice, read only */
	rte_iova_t pat_iova;
	uint64_t *pat_sum; /* [VNS_SND_PAT_LEN + 1]: prefix sums of its 16-bit words */
	struct rte_mbuf_ext_shared_info *shinfo;
	struct rte_mempool *mp; /* header mbufs and the payload's attach mbufs */
	bool copy; /* the port takes no chained mbufs: the payload is copied behind the headers */
};

/* vns_stack_create/free: the pool of conf->max_senders senders (none: no memory at all). */
int vns_snd_pool_init(struct vns_stack *st, const struct vns_stack_conf *conf, int socket_id,
		      char *err, size_t errlen);
void vns_snd_pool_free(struct vns_stack *st);

/* The connection API (vns_conn.c). */
int vns_snd_start(struct vns_stack *st, struct vns_flow *f, uint64_t bytes);
uint64_t vns_snd_stop(struct vns_stack *st, struct vns_flow *f);

/* TCP hooks: an acceptable ACK (after the RFC 5961 ACK-range check) of a sending flow; its
 * timer; output; the flow is gone. */
void vns_snd_ack(struct vns_stack *st, struct vns_flow *f, const struct rte_tcp_hdr *th,
		 uint32_t plen, struct vns_txbuf *tx);
/* Returns true when the timeout was the sender's (RTO or probe), false for the flow's own
 * (idle) timer; *dead: the peer stopped answering, reset the connection. */
bool vns_snd_timeout(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx, bool *dead);
void vns_snd_output(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
void vns_snd_release(struct vns_stack *st, struct vns_flow *f);
/* vns_stack_poll: senders that had room but no tx buffer space go on. */
void vns_snd_poll(struct vns_stack *st, struct vns_txbuf *tx);

/* The one's complement sum (folded) of the pattern bytes [off, off + len), as they lie in a
 * segment whose payload starts at an even offset: O(1) from the prefix sums. */
uint16_t vns_snd_pat_sum(const struct vns_snd_pool *p, uint32_t off, uint32_t len);

#endif /* VNS_SND_H */
