/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of the per-lcore stack. Everything here is owned by ONE lcore (the queue's
 * loop) except what is marked "shared": the vns_shared inboxes (multi-producer rings, one
 * consumer each) and the services' shared areas (whatever the service puts there).
 */
#ifndef VNS_STACK_PRIV_H
#define VNS_STACK_PRIV_H

#include <rte_common.h>
#include <rte_ip.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "vns_service.h"
#include "vns_stack.h"

/* RFC 9293 §3.4 sequence arithmetic: modulo 2^32, compared through a signed difference. */
#define VNS_SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define VNS_SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define VNS_SEQ_GT(a, b)  VNS_SEQ_LT(b, a)
#define VNS_SEQ_GEQ(a, b) VNS_SEQ_LEQ(b, a)

#define VNS_OOO_MAX         8     /* out-of-order entries per flow */
#define VNS_RCV_WSCALE      7     /* our window shift: 65535 << 7 ~ 8 MB, enough for line rate */
#define VNS_RCV_WND_SCALED  (65535u << VNS_RCV_WSCALE)
#define VNS_ACKQ_MAX        1024  /* flows with a pending ACK per burst */
#define VNS_TIMER_SLOTS     1024  /* wheel of 1 ms ticks */
#define VNS_SNDBUF_INLINE   16
#define VNS_CLOSED_RING     256   /* closed-connection records per stack */
#define VNS_INBOX_SIZE      1024

enum vns_tcp_state {
	VNS_TCP_FREE = 0,
	VNS_TCP_SYN_RCVD,
	VNS_TCP_ESTABLISHED,
	VNS_TCP_LAST_ACK,     /* peer's FIN received, ours sent */
	VNS_TCP_FIN_WAIT_1,   /* we closed first (a service refusing a client) */
	VNS_TCP_FIN_WAIT_2,
};

#define VNS_FF_TS        (1u << 0)  /* timestamps negotiated */
#define VNS_FF_SACK      (1u << 1)  /* SACK-permitted negotiated */
#define VNS_FF_WS        (1u << 2)  /* window scale negotiated */
#define VNS_FF_ACK_LIST  (1u << 3)  /* on the pending-ACK list */
#define VNS_FF_FIN_RCVD  (1u << 4)  /* FIN seen (fin_seq valid) */
#define VNS_FF_FIN_QUEUED (1u << 5) /* we close after the queued data */
#define VNS_FF_FIN_SENT  (1u << 6)
#define VNS_FF_PAYLOAD   (1u << 7)  /* the service needs the bytes, not only counts */
#define VNS_FF_IDLE_EXEMPT (1u << 8) /* no idle timeout: the service bounds the connection */
#define VNS_FF_DEAD      (1u << 9)  /* reset by us; freed on the next poll (never under a caller) */

struct vns_ooo {
	uint32_t seq;
	uint32_t end;
	struct rte_mbuf *m;  /* payload kept only for VNS_FF_PAYLOAD flows */
	uint32_t off;        /* offset of seq's byte in m */
};

struct vns_flow {
	uint64_t key;
	uint32_t gen;         /* bumped on every reuse: stale ring messages are ignored */
	uint16_t flags;
	uint8_t state;
	uint8_t svc;          /* index of the connection's service on the stack, 0: plain sink */
	rte_be32_t peer_ip;
	rte_be16_t peer_port;
	rte_be16_t local_port;
	struct rte_ether_addr peer_mac;
	uint8_t snd_wscale;   /* peer's shift, applied to the windows it advertises */
	uint8_t n_ooo;
	uint16_t rcv_mss;     /* a "full segment" for the every-2-segments rule */
	uint16_t snd_mss;     /* what the peer accepts from us */

	/* receive side */
	uint32_t irs;
	uint32_t rcv_nxt;
	uint32_t last_ack_sent;
	uint32_t ts_recent;
	uint32_t fin_seq;
	uint32_t unacked_bytes;
	uint32_t sack_hint_seq;  /* first SACK block: the one holding the last OOO segment */
	struct vns_ooo ooo[VNS_OOO_MAX];

	/* send side (control replies and FIN only) */
	uint32_t iss;
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_wnd;
	uint32_t sbuf_len;     /* bytes queued from snd_una (FIN not included) */
	uint32_t sbuf_cap;
	uint8_t *sbuf;
	uint8_t sbuf_inline[VNS_SNDBUF_INLINE];
	uint16_t rto_ms;
	uint8_t rtx_count;

	/* timer wheel links (flow indices, UINT32_MAX = none) */
	uint32_t tw_next;
	uint32_t tw_prev;
	uint32_t tw_slot;
	uint64_t timer_tsc;    /* 0 = not armed */

	uint64_t open_tsc;
	uint64_t last_rx_tsc;
	uint64_t bytes;        /* in-order payload bytes */

	struct vns_conn conn;  /* the service's private area */
};

/* Created once, shared by every stack (the services' areas follow vns_service.h). */
struct vns_shared {
	uint16_t nb_queues;
	struct rte_ring **inbox;   /* [nb_queues]: multi-producer, one consumer each */
	const struct vns_service_ops *svc_ops[VNS_SVC_MAX]; /* the first stack's binding */
	struct {
		_Alignas(RTE_CACHE_LINE_SIZE) uint8_t area[VNS_SVC_SHARED_MAX];
	} svc[VNS_SVC_MAX];        /* by service index - 1 */
};

struct vns_stack {
	struct vns_stack_conf conf;
	struct vns_shared *sh;
	struct vns_stack_stats stats;
	uint64_t hz;
	uint64_t tick_tsc;        /* wheel tick = 1 ms */
	uint64_t now;             /* tsc of the current call */

	/* flow table: open addressing, linear probing, backward-shift delete */
	uint32_t nb_flows;
	uint32_t max_flows;
	uint32_t tbl_mask;
	uint64_t *tbl_key;
	uint32_t *tbl_idx;        /* flow index + 1, 0 = empty */
	struct vns_flow *flows;
	uint32_t *free_list;
	uint32_t nb_free;
	uint32_t nb_syn_rcvd;
	uint32_t max_syn_rcvd;
	uint32_t *syn_fifo;       /* flow indices in SYN_RCVD order, for eviction */
	uint32_t *syn_fifo_gen;
	uint32_t syn_head;
	uint32_t syn_tail;
	uint32_t tx_seg_max;      /* payload bytes that fit in one conf.pool mbuf with headers */
	uint32_t ooo_mbufs;       /* payload segments held across all flows */
	uint32_t ooo_mbufs_max;

	/* timer wheel */
	uint32_t *wheel;          /* [VNS_TIMER_SLOTS] heads */
	uint64_t wheel_tick;      /* last processed tick */

	/* pending ACKs, flushed once per burst */
	uint32_t ackq[VNS_ACKQ_MAX];
	uint32_t ackq_n;

	/* RFC 5961 §7 challenge ACK budget */
	uint64_t chal_window_tsc;
	uint32_t chal_count;

	/* closed-connection records (SP/SC: this lcore produces, one reader drains) */
	struct rte_ring *closed;

	/* the services bound on this stack; a flow's svc is an index into it + 1 */
	struct vns_svc svc[VNS_SVC_MAX];
	uint8_t nb_svc;
	struct vns_txbuf *tx;     /* the current call's, for the services' sends */
};

/* vns_flow.c */
uint64_t vns_flow_key(rte_be32_t peer_ip, rte_be16_t peer_port, rte_be16_t local_port);
struct vns_flow *vns_flow_lookup(struct vns_stack *st, uint64_t key);
struct vns_flow *vns_flow_alloc(struct vns_stack *st, uint64_t key);
void vns_flow_release(struct vns_stack *st, struct vns_flow *f);
int vns_flow_table_init(struct vns_stack *st, int socket_id);
void vns_flow_table_free(struct vns_stack *st);
static inline uint32_t vns_flow_index(const struct vns_stack *st, const struct vns_flow *f)
{
	return (uint32_t)(f - st->flows);
}
struct vns_flow *vns_flow_by_handle(struct vns_stack *st, uint32_t idx, uint32_t gen);
void vns_flow_syn_track(struct vns_stack *st, struct vns_flow *f);
struct vns_flow *vns_flow_syn_evict(struct vns_stack *st);

/* vns_timer.c */
int vns_timer_init(struct vns_stack *st, int socket_id);
void vns_timer_free(struct vns_stack *st);
void vns_timer_arm(struct vns_stack *st, struct vns_flow *f, uint64_t tsc);
void vns_timer_cancel(struct vns_stack *st, struct vns_flow *f);
void vns_timer_run(struct vns_stack *st, uint64_t now, struct vns_txbuf *tx);

/* vns_eth.c */
void vns_eth_input(struct vns_stack *st, struct rte_mbuf *m, struct vns_txbuf *tx);
int vns_tx_push(struct vns_stack *st, struct vns_txbuf *tx, struct rte_mbuf *m);

/* vns_tcp_in.c */
struct vns_tcp_seg {
	const struct rte_ipv4_hdr *ip;     /* copy, contiguous */
	const struct rte_tcp_hdr *th;      /* copy, contiguous, with options */
	const struct rte_ether_addr *src_mac;
	uint32_t payload_off;              /* in the mbuf */
	uint32_t payload_len;
};
void vns_tcp_input(struct vns_stack *st, struct rte_mbuf *m, const struct vns_tcp_seg *seg,
		   struct vns_txbuf *tx);
void vns_tcp_timeout(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
void vns_tcp_flush_acks(struct vns_stack *st, struct vns_txbuf *tx);
void vns_tcp_close_flow(struct vns_stack *st, struct vns_flow *f, enum vns_closed_reason reason);
void vns_tcp_ooo_to_ranges(struct vns_stack *st, struct vns_flow *f);
void vns_tcp_abort_flow(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);

/* vns_tcp_out.c */
#define VNS_TH_FIN 0x01
#define VNS_TH_SYN 0x02
#define VNS_TH_RST 0x04
#define VNS_TH_PSH 0x08
#define VNS_TH_ACK 0x10
void vns_tcp_send_ack(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
void vns_tcp_send_synack(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
void vns_tcp_send_rst_reply(struct vns_stack *st, const struct vns_tcp_seg *seg,
			    struct vns_txbuf *tx);
void vns_tcp_send_rst_flow(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
int vns_tcp_queue_data(struct vns_flow *f, const void *data, uint32_t len);
void vns_tcp_queue_fin(struct vns_flow *f);
void vns_tcp_output(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
uint32_t vns_tcp_ts_now(const struct vns_stack *st);
int vns_tcp_retransmit(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);

/* The services: the stack calls them only through their ops table. */

/* The index of the service listening on port (network order), 0: none. */
static inline uint8_t
vns_svc_for_port(const struct vns_stack *st, rte_be16_t port)
{
	uint8_t i;

	for (i = 0; i < st->nb_svc; i++)
		if (st->svc[i].port == port && port != 0)
			return st->svc[i].index;
	return 0;
}

static inline struct vns_svc *
vns_svc_of(struct vns_stack *st, const struct vns_flow *f)
{
	return &st->svc[f->svc - 1];
}

#define VNS_STAT_INC(st, name) ((st)->stats.name++)
#define VNS_STAT_ADD(st, name, v) ((st)->stats.name += (v))

#endif /* VNS_STACK_PRIV_H */
