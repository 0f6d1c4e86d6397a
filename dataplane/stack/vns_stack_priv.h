/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of the per-lcore stack. Everything here is owned by ONE lcore (the queue's
 * loop) except what is marked "shared": the vns_shared inboxes (multi-producer rings, one
 * consumer each) and the test-owner word (claimed by compare-and-swap once per iperf3 test).
 */
#ifndef VNS_STACK_PRIV_H
#define VNS_STACK_PRIV_H

#include <stdatomic.h>
#include <sys/resource.h>

#include <rte_common.h>
#include <rte_ip.h>
#include <rte_ring.h>
#include <rte_tcp.h>

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
#define VNS_CTRL_BUF_MAX    (64 * 1024)
#define VNS_IPERF_COOKIE_LEN 37
#define VNS_IPERF_MAX_STREAMS 128
#define VNS_CLOSED_RING     256   /* closed-connection records per stack */
#define VNS_INBOX_SIZE      1024

enum vns_tcp_state {
	VNS_TCP_FREE = 0,
	VNS_TCP_SYN_RCVD,
	VNS_TCP_ESTABLISHED,
	VNS_TCP_LAST_ACK,     /* peer's FIN received, ours sent */
	VNS_TCP_FIN_WAIT_1,   /* we closed first (denied/refused iperf3 clients) */
	VNS_TCP_FIN_WAIT_2,
};

/* What the bytes of a connection are for. */
enum vns_app {
	VNS_APP_NONE = 0,       /* plain sink: count only */
	VNS_APP_DISCARD,        /* discard port: count, optional SHA-256 */
	VNS_APP_IPERF_NEW,      /* iperf3 port, cookie not complete yet */
	VNS_APP_IPERF_WAIT,     /* cookie sent to the test owner, waiting for its answer */
	VNS_APP_IPERF_CTRL,     /* control connection of the test this lcore owns */
	VNS_APP_IPERF_STREAM,   /* accepted data stream */
	VNS_APP_IPERF_DENIED,   /* got ACCESS_DENIED / SERVER_ERROR, closing */
};

#define VNS_FF_TS        (1u << 0)  /* timestamps negotiated */
#define VNS_FF_SACK      (1u << 1)  /* SACK-permitted negotiated */
#define VNS_FF_WS        (1u << 2)  /* window scale negotiated */
#define VNS_FF_ACK_LIST  (1u << 3)  /* on the pending-ACK list */
#define VNS_FF_FIN_RCVD  (1u << 4)  /* FIN seen (fin_seq valid) */
#define VNS_FF_FIN_QUEUED (1u << 5) /* we close after the queued data */
#define VNS_FF_FIN_SENT  (1u << 6)
#define VNS_FF_PAYLOAD   (1u << 7)  /* application needs the bytes, not only counts */
#define VNS_FF_SHA_OK    (1u << 8)  /* SHA-256 context attached */
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
	uint8_t app;
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

	/* application state */
	struct {
		uint8_t cookie[VNS_IPERF_COOKIE_LEN];
		uint8_t cookie_len;
		uint16_t slot;
		uint16_t owner_queue;
		uint32_t test_gen;
		int counting;           /* 0 before TEST_RUNNING, 1 while running, 2 after end */
		uint64_t count_from_tsc;
		uint64_t counted;
		uint64_t syn_tsc;
	} ip3;
	void *md;               /* EVP_MD_CTX for the discard port's integrity mode */
};

/* Messages between lcores (inboxes are MP/SC rings of these). */
enum vns_msg_type {
	VNS_MSG_STREAM_HELLO = 1,  /* queue -> owner: a stream's cookie */
	VNS_MSG_STREAM_ACCEPT,     /* owner -> queue */
	VNS_MSG_STREAM_DENY,       /* owner -> queue */
	VNS_MSG_TEST_RUNNING,      /* owner -> queue: count from tsc */
	VNS_MSG_TEST_END,          /* owner -> queue: freeze counts and report */
	VNS_MSG_STREAM_BYTES,      /* queue -> owner: final count of a stream */
	VNS_MSG_TEST_ABORT,        /* owner -> queue: forget the test's streams */
};

struct vns_msg {
	uint8_t type;
	uint8_t final;
	uint16_t from_queue;
	uint16_t slot;
	uint16_t pad;
	uint32_t flow_idx;
	uint32_t flow_gen;
	uint32_t test_gen;
	uint32_t pad2;
	uint64_t tsc;
	uint64_t bytes;
	uint8_t cookie[40];
};

struct vns_shared {
	uint16_t nb_queues;
	atomic_int test_owner;     /* queue owning the running iperf3 test, -1 = none */
	atomic_uint test_gen;
	struct rte_ring **inbox;   /* [nb_queues] */
};

/* The iperf3 test this lcore owns (at most one in the whole process). */
enum vns_ip3_phase {
	VNS_IP3_IDLE = 0,
	VNS_IP3_PARAMS,          /* PARAM_EXCHANGE sent, reading the parameters JSON */
	VNS_IP3_CREATE,          /* CREATE_STREAMS sent, collecting streams */
	VNS_IP3_RUNNING,         /* TEST_START + TEST_RUNNING sent */
	VNS_IP3_RESULTS,         /* EXCHANGE_RESULTS sent, reading the client's results */
	VNS_IP3_COUNTS,          /* client results read, waiting for final stream counts */
	VNS_IP3_DISPLAY,         /* results + DISPLAY_RESULTS sent, waiting for IPERF_DONE */
	VNS_IP3_DONE,
};

struct vns_ip3_stream {
	uint16_t queue;
	uint32_t flow_idx;
	uint32_t flow_gen;
	uint64_t syn_tsc;
	uint64_t bytes;
	int final;
	int id;
};

struct vns_ip3_test {
	int phase;
	uint32_t gen;
	uint8_t cookie[VNS_IPERF_COOKIE_LEN];
	uint32_t ctrl_idx;
	uint32_t ctrl_gen;
	rte_be32_t peer_ip;      /* the client, for the test record */
	rte_be16_t peer_port;
	rte_be16_t local_port;
	uint8_t *rxbuf;          /* VNS_CTRL_BUF_MAX + 4 */
	uint32_t rx_have;
	uint32_t rx_need;        /* 0: reading the 4-byte length */
	uint32_t num_streams;
	uint32_t accepted;
	struct vns_ip3_stream streams[VNS_IPERF_MAX_STREAMS];
	double omit;
	double duration;
	uint64_t begin_tsc;      /* test claimed */
	uint64_t running_tsc;
	uint64_t count_from_tsc;
	uint64_t end_tsc;
	uint64_t deadline_tsc;
	struct rusage ru_start;
	uint8_t *txbuf;          /* control send buffer (VNS_CTRL_BUF_MAX) */
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

	/* discard integrity mode */
	void **md_pool;
	uint32_t md_free;

	/* closed-connection records (SP/SC: this lcore produces, one reader drains) */
	struct rte_ring *closed;

	struct vns_ip3_test test;
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
void vns_tcp_close_flow(struct vns_stack *st, struct vns_flow *f, int reason, struct vns_txbuf *tx);
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
int vns_tcp_queue_data(struct vns_stack *st, struct vns_flow *f, const void *data, uint32_t len);
void vns_tcp_queue_fin(struct vns_stack *st, struct vns_flow *f);
void vns_tcp_output(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
uint32_t vns_tcp_ts_now(const struct vns_stack *st);
int vns_tcp_retransmit(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);

/* vns_discard.c */
void vns_discard_open(struct vns_stack *st, struct vns_flow *f);
void vns_discard_data(struct vns_stack *st, struct vns_flow *f, const struct rte_mbuf *m,
		      uint32_t off, uint32_t len);
void vns_discard_close(struct vns_stack *st, struct vns_flow *f, int reason);
int vns_discard_init(struct vns_stack *st);
void vns_discard_fini(struct vns_stack *st);

/* vns_iperf3.c */
int vns_iperf3_init(struct vns_stack *st, int socket_id);
void vns_iperf3_fini(struct vns_stack *st);
void vns_iperf3_data(struct vns_stack *st, struct vns_flow *f, const struct rte_mbuf *m,
		     uint32_t off, uint32_t len, struct vns_txbuf *tx);
void vns_iperf3_flow_closed(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
void vns_iperf3_msg(struct vns_stack *st, const struct vns_msg *msg, struct vns_txbuf *tx);
void vns_iperf3_poll(struct vns_stack *st, struct vns_txbuf *tx);

/* vns_stack.c */
int vns_stack_send_msg(struct vns_stack *st, uint16_t queue, const struct vns_msg *msg);
void vns_stack_record_closed(struct vns_stack *st, const struct vns_closed_rec *rec);
void vns_stack_app_data(struct vns_stack *st, struct vns_flow *f, const struct rte_mbuf *m,
			uint32_t off, uint32_t len, struct vns_txbuf *tx);

#define VNS_STAT_INC(st, name) ((st)->stats.name++)
#define VNS_STAT_ADD(st, name, v) ((st)->stats.name += (v))

#endif /* VNS_STACK_PRIV_H */
