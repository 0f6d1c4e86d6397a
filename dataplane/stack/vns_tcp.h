/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP module (vns_tcp_in.c: input, handshake, acceptability, the out-of-order store,
 * ACK policy, timeouts; vns_tcp_out.c: segment builders and the small send path): protocol
 * constants, connection states, sequence arithmetic and what the rest of the stack calls.
 * Header flags are DPDK's RTE_TCP_*_FLAG.
 */
#ifndef VNS_TCP_H
#define VNS_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "vns_stack.h"

struct vns_flow;

/* RFC 9293 §3.4 sequence arithmetic: modulo 2^32, compared through a signed difference. */
#define VNS_SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define VNS_SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define VNS_SEQ_GT(a, b)  VNS_SEQ_LT(b, a)
#define VNS_SEQ_GEQ(a, b) VNS_SEQ_LEQ(b, a)

/* Option kinds (RFC 9293 §3.1, RFC 7323, RFC 2018) and their lengths on the wire. */
#define VNS_TCP_OPT_EOL           0
#define VNS_TCP_OPT_NOP           1
#define VNS_TCP_OPT_MSS           2
#define VNS_TCP_OPT_WS            3
#define VNS_TCP_OPT_SACK_PERM     4
#define VNS_TCP_OPT_SACK          5
#define VNS_TCP_OPT_TS            8
#define VNS_TCP_OPT_LEN_MSS       4
#define VNS_TCP_OPT_LEN_WS        3
#define VNS_TCP_OPT_LEN_SACK_PERM 2
#define VNS_TCP_OPT_LEN_TS        10
/* Options as we send them, aligned for output (NOP padding included). */
#define VNS_TCP_OPT_LEN_TS_OUT      12            /* NOP NOP TS */
#define VNS_TCP_OPT_LEN_SACK_OUT(n) (4 + 8 * (n)) /* NOP NOP SACK len, n blocks */
#define VNS_TCP_OPT_SPACE           40            /* data offset 15 words - the header */
#define VNS_TCP_SACK_BLOCKS         4             /* SACK blocks that fit alone */
#define VNS_TCP_SACK_BLOCKS_TS      3             /* and beside the timestamps */

/* Sizes and defaults. */
#define VNS_TCP_IPV4_HDRS   (sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_tcp_hdr))
#define VNS_TCP_MSS_DEFAULT 536   /* RFC 9293 §3.7.1: a peer that sends no MSS option */
#define VNS_TCP_MSS_MIN     64    /* smallest payload per segment we send */
#define VNS_TCP_WSCALE_MAX  14    /* RFC 7323 §2.3 */
#define VNS_TCP_WND_MAX     65535 /* the window field, unscaled */
#define VNS_IPV4_TTL        64
#define VNS_RCV_WSCALE      7 /* our window shift: 65535 << 7 ~ 8 MB, enough for line rate */
#define VNS_RCV_WND_SCALED  ((uint32_t)VNS_TCP_WND_MAX << VNS_RCV_WSCALE)
#define VNS_ACKQ_MAX        1024 /* flows with a pending ACK per burst */

/* Connection states: the part of RFC 9293 §3.3.2 a sink passes through. The states from
 * LAST_ACK on follow the peer's FIN (VNS_TCP_PEER_FIN_SEEN): nothing more can arrive. */
#define VNS_TCP_STATES(X)                                                 \
	X(FREE)                                                           \
	X(SYN_RCVD)                                                       \
	X(SYN_SENT) /* active open (vns_tcp_connect.c); ARP first */      \
	X(ESTABLISHED)                                                    \
	X(FIN_WAIT_1) /* we closed first (a service refusing a client) */ \
	X(FIN_WAIT_2) /* our FIN acknowledged, the peer's not seen */     \
	X(LAST_ACK)   /* peer's FIN received, ours sent */                \
	X(CLOSING)    /* both FINs seen, ours not acknowledged */         \
	X(TIME_WAIT)  /* both acknowledged: re-ACK the peer's FIN, 2 MSL */

#define VNS_TCP_STATE_ENUM(name) VNS_TCP_##name,
enum vns_tcp_state { VNS_TCP_STATES(VNS_TCP_STATE_ENUM) VNS_TCP_NB_STATES };
#undef VNS_TCP_STATE_ENUM

#define VNS_TCP_PEER_FIN_SEEN(state) ((state) >= VNS_TCP_LAST_ACK)

/* "SYN_RCVD", ...; NULL for a value that is no state. */
const char *vns_tcp_state_name(uint8_t state);

/* A received segment, checked by vns_eth.c. */
struct vns_tcp_seg {
	const struct rte_ipv4_hdr *ip; /* copy, contiguous */
	const struct rte_tcp_hdr *th;  /* copy, contiguous, with options */
	const struct rte_ether_addr *src_mac;
	uint32_t payload_off; /* in the mbuf */
	uint32_t payload_len;
};

/*
 * The next option of th (RFC 9293 §3.1) from byte *i of the options: its kind, its bytes
 * (kind and length included) and its length. false at the end, at EOL or at a malformed
 * length: what was read before stands. The caller checked data_off >= 5 (vns_eth.c).
 */
static inline bool
vns_tcp_opt_next(const struct rte_tcp_hdr *th, uint32_t *i, uint8_t *kind, const uint8_t **opt,
		 uint8_t *olen)
{
	const uint8_t *p = (const uint8_t *)(th + 1);
	uint32_t len = (uint32_t)(th->data_off >> 4) * 4 - sizeof(*th);

	while (*i < len) {
		uint8_t k = p[*i], l;

		if (k == VNS_TCP_OPT_EOL)
			return false;
		if (k == VNS_TCP_OPT_NOP) {
			(*i)++;
			continue;
		}
		if (*i + 1 >= len)
			return false;
		l = p[*i + 1];
		if (l < 2 || *i + l > len)
			return false;
		*kind = k;
		*opt = p + *i;
		*olen = l;
		*i += l;
		return true;
	}
	return false;
}

/*
 * The Ethernet, IPv4 (DF, no options, checksum 0) and TCP headers of a segment we send into
 * frame; thl is the TCP header with its options, tcp_len that plus the payload. The TCP
 * checksum and the options are the caller's. Returns the TCP header.
 */
static inline struct rte_tcp_hdr *
vns_tcp_hdrs_write(void *frame, const struct rte_ether_addr *smac,
		   const struct rte_ether_addr *dmac, rte_be32_t sip, rte_be32_t dip,
		   rte_be16_t sport, rte_be16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		   uint16_t win, uint32_t thl, uint32_t tcp_len)
{
	struct rte_ether_hdr *eh = frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	eh->dst_addr = *dmac;
	eh->src_addr = *smac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + tcp_len));
	ip->packet_id = 0;
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = VNS_IPV4_TTL;
	ip->next_proto_id = IPPROTO_TCP;
	ip->hdr_checksum = 0;
	ip->src_addr = sip;
	ip->dst_addr = dip;
	th->src_port = sport;
	th->dst_port = dport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)((thl / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(win);
	th->cksum = 0;
	th->tcp_urp = 0;
	return th;
}

/* vns_tcp_in.c */
void vns_tcp_input(struct vns_stack *st, struct rte_mbuf *m, const struct vns_tcp_seg *seg,
		   struct vns_txbuf *tx);
void vns_tcp_timeout(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
void vns_tcp_flush_acks(struct vns_stack *st, struct vns_txbuf *tx);
/* How long in-order data past a connection's first VNS_QUICKACK_BYTES may wait for its
 * ACK on the pending list (vns_tcp_in.c, ACK policy): a few microseconds of aggregation,
 * as one GRO aggregate of a Linux receiver, not a delayed-ACK timer. */
#define VNS_ACK_HOLD_US 100
void vns_tcp_ack_later(struct vns_stack *st, struct vns_flow *f);
void vns_tcp_close_flow(struct vns_stack *st, struct vns_flow *f, enum vns_close_reason reason);
void vns_tcp_ooo_to_ranges(struct vns_stack *st, struct vns_flow *f);
void vns_tcp_abort_flow(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);

void vns_tcp_syn_options(const struct vns_stack *st, struct vns_flow *f,
			 const struct rte_tcp_hdr *th);

/* vns_tcp_connect.c: active open (vns_conn_connect) and SYN-SENT (RFC 9293 §3.10.7.3) */
void vns_tcp_iss_init(const struct vns_stack *st, struct vns_flow *f);
void vns_tcp_syn_sent_input(struct vns_stack *st, struct vns_flow *f, const struct vns_tcp_seg *seg,
			    struct vns_txbuf *tx);
void vns_tcp_connect_timeout(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
/* The peer ip's MAC is known now: its flows waiting in SYN-SENT send their SYN. */
void vns_tcp_connect_resolved(struct vns_stack *st, rte_be32_t ip, struct vns_txbuf *tx);

/* vns_tcp_out.c */
void vns_tcp_send_ack(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
void vns_tcp_send_synack(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
void vns_tcp_send_rst_reply(struct vns_stack *st, const struct vns_tcp_seg *seg,
			    struct vns_txbuf *tx);
void vns_tcp_send_rst_flow(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
int vns_tcp_queue_data(struct vns_flow *f, const void *data, uint32_t len);
void vns_tcp_queue_fin(struct vns_flow *f);
void vns_tcp_set_sndbuf(struct vns_flow *f, uint8_t *buf, uint32_t cap);
void vns_tcp_output(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);
uint32_t vns_tcp_ts_now(const struct vns_stack *st);
/* Our timestamps option (NOP NOP TS, VNS_TCP_OPT_LEN_TS_OUT bytes) at o; returns its length. */
uint32_t vns_tcp_put_ts(const struct vns_stack *st, const struct vns_flow *f, uint8_t *o);
int vns_tcp_retransmit(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx);

#endif /* VNS_TCP_H */
