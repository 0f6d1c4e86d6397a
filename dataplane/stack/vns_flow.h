/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A flow is one TCP connection's state (its TCB, its timer links, its service's private
 * area); the flow table (vns_flow.c) finds, allocates and frees flows and tracks the
 * half-open ones. Owned by the lcore of the stack the table belongs to.
 */
#ifndef VNS_FLOW_H
#define VNS_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vns_conn.h"
#include "vns_tcp.h"

/* Out-of-order entries per flow. A count-only flow's are ranges that hold no memory
 * beyond the entry: at 2 % loss plus reordering and a window of a few hundred segments a
 * Linux sender leaves a dozen or more holes at once, and every segment that finds no
 * entry is dropped and must be sent again (Linux's receive queue has no such bound).
 * Payload flows are bounded in mbufs as well (VNS_STACK_OOO_FLOW_MBUFS). */
#define VNS_OOO_MAX 32

#define VNS_SNDBUF_INLINE 16 /* inline send buffer: a refusal's bytes */

#define VNS_FF_TS          (1u << 0) /* timestamps negotiated */
#define VNS_FF_SACK        (1u << 1) /* SACK-permitted negotiated */
#define VNS_FF_WS          (1u << 2) /* window scale negotiated */
#define VNS_FF_ACK_LIST    (1u << 3) /* on the pending-ACK list */
#define VNS_FF_FIN_RCVD    (1u << 4) /* FIN seen (fin_seq valid) */
#define VNS_FF_FIN_QUEUED  (1u << 5) /* we close after the queued data */
#define VNS_FF_FIN_SENT    (1u << 6)
#define VNS_FF_PAYLOAD     (1u << 7) /* the service needs the bytes, not only counts */
#define VNS_FF_IDLE_EXEMPT (1u << 8) /* no idle timeout: the service bounds the connection */
#define VNS_FF_DEAD        (1u << 9) /* reset by us; freed on the next poll, never under a caller */
#define VNS_FF_CHAL_SENT   (1u << 10) /* chal_ms is valid */
#define VNS_FF_ACK_OWED    (1u << 11) /* an ACK failed to go out: the flush retries it */
#define VNS_FF_DSACK       (1u << 12) /* the next ACK reports [dsack_seq, dsack_end) */
#define VNS_FF_PROBE       (1u << 13) /* a zero-window probe byte is outstanding */

struct vns_snd;

struct vns_ooo {
	uint32_t seq;
	uint32_t end;
	struct rte_mbuf *m; /* payload kept only for VNS_FF_PAYLOAD flows */
	uint32_t off;       /* offset of seq's byte in m */
};

struct vns_flow {
	uint64_t key;
	uint32_t gen; /* bumped on every reuse: stale ring messages are ignored */
	uint16_t flags;
	uint8_t state; /* enum vns_tcp_state */
	uint8_t svc;   /* index of the connection's service on the stack, 0: plain sink */
	rte_be32_t peer_ip;
	rte_be16_t peer_port;
	rte_be16_t local_port;
	struct rte_ether_addr peer_mac;
	uint8_t snd_wscale; /* peer's shift, applied to the windows it advertises */
	uint8_t n_ooo;
	uint16_t ooo_mbufs; /* mbufs held by ooo[] (VNS_STACK_OOO_FLOW_MBUFS at most) */
	uint16_t rcv_mss;   /* a "full segment" for the every-2-segments rule */
	uint16_t snd_mss;   /* what the peer accepts from us */

	/* receive side */
	uint32_t irs;
	uint32_t rcv_nxt;
	uint32_t last_ack_sent;
	uint32_t ts_recent;
	uint32_t fin_seq;
	uint32_t unacked_bytes;
	uint32_t chal_ms; /* our last challenge ACK (TSval clock), if VNS_FF_CHAL_SENT */
	uint32_t ts_off;  /* added to our TSvals: per 4-tuple, so they do not reveal uptime */
	/* A sequence number in each of the most recently reported SACK blocks, newest first
	 * (RFC 2018 §4 order); stale ones simply match no block. */
	uint32_t sack_recent[VNS_TCP_SACK_BLOCKS];
	/* PAWS floor (RFC 7323 §5): a TSval that set TS.Recent at paws_floor_seq, and the
	 * candidate that replaces it every VNS_PAWS_FLOOR_STEP bytes (vns_tcp_in.c). */
	uint32_t paws_floor;
	uint32_t paws_floor_seq;
	uint32_t paws_cand;
	uint32_t paws_cand_seq;
	uint32_t dsack_seq; /* RFC 2883: a duplicate to report once, if VNS_FF_DSACK */
	uint32_t dsack_end;
	uint32_t ooo_last_end; /* end of the last segment stored out of order */
	uint8_t dupacks;       /* ACKs sent since RCV.NXT last moved, after the first (max 255) */
	struct vns_ooo ooo[VNS_OOO_MAX];

	/* send side (a service's replies and our FIN) */
	uint32_t iss;
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_max; /* the highest SND.NXT so far: go-back-N pulls SND.NXT back */
	uint32_t snd_wnd;
	uint32_t snd_wl1; /* SEG.SEQ and SEG.ACK of the last window update (RFC 9293 §3.10.7.4) */
	uint32_t snd_wl2;
	uint32_t max_snd_wnd; /* MAX.SND.WND (RFC 5961 §5.2) */
	uint32_t sbuf_len;    /* bytes queued from snd_una (FIN not included) */
	uint32_t sbuf_cap;
	uint8_t *sbuf;
	uint8_t sbuf_inline[VNS_SNDBUF_INLINE];
	uint16_t rto_ms;
	uint8_t rtx_count;
	struct vns_snd *bulk; /* the flow's bulk sender (vns_snd.h), from its stack's pool */

	/* timer wheel links (flow indices, UINT32_MAX = none) */
	uint32_t tw_next;
	uint32_t tw_prev;
	uint32_t tw_slot;
	uint64_t timer_tsc; /* 0 = not armed */

	uint64_t open_tsc;
	uint64_t last_rx_tsc;
	uint64_t bytes; /* in-order payload bytes */

	struct vns_conn conn; /* the service's private area */
};

/*
 * Open addressing with linear probing over a power-of-two array of (key, index) pairs at
 * most half full, hashed with a per-table secret; flow objects in a preallocated array with
 * a free list.
 */
struct vns_flow_table {
	struct vns_flow *flows; /* [max_flows] */
	uint32_t max_flows;
	uint32_t nb_flows; /* also read by other threads (vns_stack_nb_flows) */
	uint32_t *free_list;
	uint32_t nb_free;
	uint32_t tbl_mask;
	uint32_t hash_key[2]; /* the hash's secret, random per table */
	uint64_t *tbl_key;
	uint32_t *tbl_idx; /* flow index + 1, 0 = empty */
	uint32_t nb_syn_rcvd;
	uint32_t max_syn_rcvd;
	uint32_t syn_cap;   /* FIFO entries: 2 * max_syn_rcvd, live and stale */
	uint32_t *syn_fifo; /* flow indices in SYN_RCVD order, for eviction */
	uint32_t *syn_fifo_gen;
	uint32_t syn_head;
	uint32_t syn_tail;
	/* TIME-WAIT flows in entry order, which is expiry order (one fixed duration); entries
	 * of flows that left early are stale and skipped. At most max_time_wait live ones. */
	uint32_t nb_time_wait;
	uint32_t max_time_wait;
	uint32_t *twait_fifo; /* [max_time_wait] */
	uint32_t *twait_fifo_gen;
	uint32_t twait_head;
	uint32_t twait_tail;
};

int vns_flow_table_init(struct vns_flow_table *ft, uint32_t max_flows, int socket_id);
void vns_flow_table_free(struct vns_flow_table *ft);
uint64_t vns_flow_key(rte_be32_t peer_ip, rte_be16_t peer_port, rte_be16_t local_port);
struct vns_flow *vns_flow_lookup(struct vns_flow_table *ft, uint64_t key);
struct vns_flow *vns_flow_alloc(struct vns_flow_table *ft, uint64_t key);
void vns_flow_release(struct vns_flow_table *ft, struct vns_flow *f);
struct vns_flow *vns_flow_by_handle(struct vns_flow_table *ft, uint32_t idx, uint32_t gen);
void vns_flow_syn_track(struct vns_flow_table *ft, struct vns_flow *f);
struct vns_flow *vns_flow_syn_evict(struct vns_flow_table *ft);
/* f enters TIME-WAIT. The caller first makes room: while vns_flow_twait_full(), close what
 * vns_flow_twait_pop() returns (the oldest TIME-WAIT flow, or NULL for a stale entry). */
bool vns_flow_twait_full(const struct vns_flow_table *ft);
struct vns_flow *vns_flow_twait_pop(struct vns_flow_table *ft);
void vns_flow_twait_track(struct vns_flow_table *ft, struct vns_flow *f);
/* The oldest flow in TIME-WAIT (taken off the FIFO), or NULL. */
struct vns_flow *vns_flow_twait_oldest(struct vns_flow_table *ft);

static inline uint32_t
vns_flow_index(const struct vns_flow_table *ft, const struct vns_flow *f)
{
	return (uint32_t)(f - ft->flows);
}

#endif /* VNS_FLOW_H */
