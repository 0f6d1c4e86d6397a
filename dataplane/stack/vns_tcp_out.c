/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP output: ACKs (with timestamps and SACK blocks), SYN-ACKs, RSTs, and the small send
 * path services use for replies (a few KB per connection, retransmitted on timeout,
 * go-back-N from SND.UNA: simplicity wins at that size).
 * Every segment is built in a fresh mbuf from conf->pool; checksums go to the port when it
 * offers the offload, else they are computed here.
 */
#include <stdbool.h>
#include <string.h>

#include "vns_csum.h"
#include "vns_stack_core.h"

#define VNS_RTO_MIN_MS 200
#define VNS_RTO_MAX_MS 4000
#define VNS_RTX_MAX    10

uint32_t
vns_tcp_ts_now(const struct vns_stack *st)
{
	return (uint32_t)(st->now / st->tw.tick_tsc);
}

/* Constant, so the right edge RCV.NXT + RCV.WND only moves forward (RFC 9293 §3.8.6: never
 * shrink the window). A sink drops payload at once and needs no flow control. */
#define OUR_WINDOW VNS_TCP_WND_MAX

static struct rte_mbuf *
build(struct vns_stack *st, const struct rte_ether_addr *dmac, rte_be32_t dip, rte_be16_t dport,
      rte_be16_t sport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opt,
      uint32_t optlen, const uint8_t *data, uint32_t dlen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(st->conf.pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint32_t hlen = sizeof(*eh) + sizeof(*ip) + sizeof(*th) + optlen;
	uint32_t tcp_len = sizeof(*th) + optlen + dlen;
	char *p;

	if (unlikely(m == NULL)) {
		VNS_STAT_INC(st, drop_nombuf);
		return NULL;
	}
	p = rte_pktmbuf_append(m, (uint16_t)(hlen + dlen));
	if (unlikely(p == NULL)) {
		rte_pktmbuf_free(m);
		VNS_STAT_INC(st, drop_nombuf);
		return NULL;
	}
	th = vns_tcp_hdrs_write(p, &st->conf.mac, dmac, st->conf.ip, dip, sport, dport, seq, ack,
				flags, win, (uint32_t)sizeof(*th) + optlen, tcp_len);
	ip = (struct rte_ipv4_hdr *)th - 1;
	if (optlen)
		memcpy(th + 1, opt, optlen);
	if (dlen)
		memcpy((uint8_t *)(th + 1) + optlen, data, dlen);

	m->l2_len = sizeof(*eh);
	m->l3_len = sizeof(*ip);
	m->l4_len = (uint16_t)(sizeof(*th) + optlen);
	m->ol_flags = RTE_MBUF_F_TX_IPV4;
	if (st->conf.tx_offloads & VNS_TXOFF_IPV4_CKSUM)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (st->conf.tx_offloads & VNS_TXOFF_TCP_CKSUM) {
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
		th->cksum = vns_csum_phdr(dip, st->conf.ip, tcp_len);
	} else {
		uint32_t sum = (uint32_t)vns_csum_phdr(dip, st->conf.ip, tcp_len) +
			       rte_raw_cksum(th, tcp_len);

		th->cksum = (uint16_t)~vns_csum_fold(sum);
	}
	return m;
}

uint32_t
vns_tcp_put_ts(const struct vns_stack *st, const struct vns_flow *f, uint8_t *o)
{
	uint32_t v = rte_cpu_to_be_32(vns_tcp_ts_now(st) + f->ts_off);
	uint32_t e = rte_cpu_to_be_32(f->ts_recent);

	o[0] = VNS_TCP_OPT_NOP;
	o[1] = VNS_TCP_OPT_NOP;
	o[2] = VNS_TCP_OPT_TS;
	o[3] = VNS_TCP_OPT_LEN_TS;
	memcpy(o + 4, &v, 4);
	memcpy(o + 8, &e, 4);
	return VNS_TCP_OPT_LEN_TS_OUT;
}

/* SACK blocks (RFC 2018 §4): a pending D-SACK first (RFC 2883 §4: then the block holding
 * it, if any), then the block holding the most recent out-of-order segment, the other most
 * recently reported ones, and the rest in order; overlapping or adjacent stored entries merge
 * into one block. */
static uint32_t
put_sack(const struct vns_flow *f, uint8_t *o, uint32_t max_blocks)
{
	uint32_t bs[VNS_OOO_MAX + 1], be[VNS_OOO_MAX + 1], order[VNS_OOO_MAX + 1];
	uint32_t want[VNS_TCP_SACK_BLOCKS + 1], nw = 0, nb = 0, i, k, n = 0, first = 0;
	uint8_t used[VNS_OOO_MAX + 1] = { 0 };
	uint8_t *p;

	if (f->flags & VNS_FF_DSACK) {
		bs[0] = f->dsack_seq;
		be[0] = f->dsack_end;
		order[n++] = 0;
		used[0] = 1;
		want[nw++] = f->dsack_seq;
		nb = first = 1;
	}
	for (i = 0; i < f->n_ooo; i++) {
		if (nb > first && VNS_SEQ_LEQ(f->ooo[i].seq, be[nb - 1])) {
			if (VNS_SEQ_GT(f->ooo[i].end, be[nb - 1]))
				be[nb - 1] = f->ooo[i].end;
			continue;
		}
		bs[nb] = f->ooo[i].seq;
		be[nb] = f->ooo[i].end;
		nb++;
	}
	if (nb == 0)
		return 0;
	for (i = 0; i < VNS_TCP_SACK_BLOCKS; i++)
		want[nw++] = f->sack_recent[i];
	for (i = 0; i < nw; i++) {
		for (k = first; k < nb; k++) {
			if (!used[k] && VNS_SEQ_LEQ(bs[k], want[i]) && VNS_SEQ_LT(want[i], be[k])) {
				used[k] = 1;
				order[n++] = k;
				break;
			}
		}
	}
	for (k = first; k < nb; k++)
		if (!used[k])
			order[n++] = k;
	o[0] = VNS_TCP_OPT_NOP;
	o[1] = VNS_TCP_OPT_NOP;
	o[2] = VNS_TCP_OPT_SACK;
	p = o + 4;
	n = RTE_MIN(nb, max_blocks);
	for (i = 0; i < n; i++) {
		uint32_t s = rte_cpu_to_be_32(bs[order[i]]), e = rte_cpu_to_be_32(be[order[i]]);

		memcpy(p, &s, 4);
		memcpy(p + 4, &e, 4);
		p += 8;
	}
	o[3] = (uint8_t)(2 + 8 * n);
	return VNS_TCP_OPT_LEN_SACK_OUT(n);
}

static void
flow_sent_ack(struct vns_flow *f)
{
	if (f->last_ack_sent != f->rcv_nxt)
		f->dupacks = 0;
	else if (f->dupacks < UINT8_MAX)
		f->dupacks++;
	f->last_ack_sent = f->rcv_nxt;
	f->unacked_bytes = 0;
	f->flags &= (uint16_t) ~(VNS_FF_ACK_OWED | VNS_FF_DSACK);
}

static void
send_flow_seg(struct vns_stack *st, struct vns_flow *f, uint32_t seq, uint8_t flags,
	      const uint8_t *data, uint32_t dlen, struct vns_txbuf *tx)
{
	uint8_t opt[VNS_TCP_OPT_SPACE];
	uint32_t optlen = 0;
	struct rte_mbuf *m;

	if (f->flags & VNS_FF_TS)
		optlen += vns_tcp_put_ts(st, f, opt);
	if ((f->flags & VNS_FF_SACK) && (f->n_ooo > 0 || (f->flags & VNS_FF_DSACK)))
		optlen += put_sack(f, opt + optlen,
				   (f->flags & VNS_FF_TS) ? VNS_TCP_SACK_BLOCKS_TS
							  : VNS_TCP_SACK_BLOCKS);
	m = build(st, &f->peer_mac, f->peer_ip, f->peer_port, f->local_port, seq, f->rcv_nxt,
		  flags | RTE_TCP_ACK_FLAG, OUR_WINDOW, opt, optlen, data, dlen);
	/* Only a queued segment carried our ACK (and sets Last.ACK.sent, RFC 7323 §4.3); one
	 * lost to an empty pool or a full tx buffer is retried from the pending-ACK list. */
	if (likely(m != NULL && vns_tx_push(st, tx, m) == 0)) {
		flow_sent_ack(f);
		VNS_STAT_INC(st, acks_sent);
	} else {
		vns_tcp_ack_later(st, f);
	}
}

void
vns_tcp_send_ack(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	send_flow_seg(st, f, f->snd_nxt, 0, NULL, 0, tx);
}

/* Options echo only what the SYN offered (RFC 7323 §1.3, RFC 2018 §2); the same ISS and
 * options answer every retransmitted SYN. */
void
vns_tcp_send_synack(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	uint8_t opt[VNS_TCP_OPT_SPACE];
	uint32_t n = 0;
	uint16_t mss = rte_cpu_to_be_16((uint16_t)(st->conf.mtu - VNS_TCP_IPV4_HDRS));
	struct rte_mbuf *m;

	opt[n++] = VNS_TCP_OPT_MSS;
	opt[n++] = VNS_TCP_OPT_LEN_MSS;
	memcpy(opt + n, &mss, 2);
	n += 2;
	if (f->flags & VNS_FF_SACK) {
		opt[n++] = VNS_TCP_OPT_NOP;
		opt[n++] = VNS_TCP_OPT_NOP;
		opt[n++] = VNS_TCP_OPT_SACK_PERM;
		opt[n++] = VNS_TCP_OPT_LEN_SACK_PERM;
	}
	if (f->flags & VNS_FF_TS)
		n += vns_tcp_put_ts(st, f, opt + n);
	if (f->flags & VNS_FF_WS) {
		opt[n++] = VNS_TCP_OPT_NOP;
		opt[n++] = VNS_TCP_OPT_WS;
		opt[n++] = VNS_TCP_OPT_LEN_WS;
		opt[n++] = VNS_RCV_WSCALE;
	}
	/* The window in a SYN-ACK is never scaled (RFC 7323 §2.2). In SYN-SENT this is our own
	 * SYN (vns_tcp_connect.c): every option offered, no ACK. */
	m = build(st, &f->peer_mac, f->peer_ip, f->peer_port, f->local_port, f->iss,
		  f->state == VNS_TCP_SYN_SENT ? 0 : f->rcv_nxt,
		  f->state == VNS_TCP_SYN_SENT ? RTE_TCP_SYN_FLAG
					       : RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
		  VNS_TCP_WND_MAX, opt, n, NULL, 0);
	if (m != NULL && vns_tx_push(st, tx, m) == 0)
		flow_sent_ack(f);
}

/* RFC 9293 §3.10.7.1: a segment for no connection gets a RST shaped so the sender accepts
 * it: SEQ = SEG.ACK if it had ACK, else SEQ 0 with ACK = SEG.SEQ + SEG.LEN. */
void
vns_tcp_send_rst_reply(struct vns_stack *st, const struct vns_tcp_seg *seg, struct vns_txbuf *tx)
{
	const struct rte_tcp_hdr *th = seg->th;
	uint32_t seq = 0, ack = 0;
	uint8_t flags = RTE_TCP_RST_FLAG;
	struct rte_mbuf *m;

	if (th->tcp_flags & RTE_TCP_RST_FLAG)
		return;
	if (th->tcp_flags & RTE_TCP_ACK_FLAG) {
		seq = rte_be_to_cpu_32(th->recv_ack);
	} else {
		ack = rte_be_to_cpu_32(th->sent_seq) + seg->payload_len +
		      !!(th->tcp_flags & RTE_TCP_SYN_FLAG) + !!(th->tcp_flags & RTE_TCP_FIN_FLAG);
		flags |= RTE_TCP_ACK_FLAG;
	}
	m = build(st, seg->src_mac, seg->ip->src_addr, th->src_port, th->dst_port, seq, ack, flags,
		  0, NULL, 0, NULL, 0);
	if (m != NULL && vns_tx_push(st, tx, m) == 0)
		VNS_STAT_INC(st, rst_sent);
}

void
vns_tcp_send_rst_flow(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	struct rte_mbuf *m = build(st, &f->peer_mac, f->peer_ip, f->peer_port, f->local_port,
				   f->snd_nxt, f->rcv_nxt, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 0,
				   NULL, 0, NULL, 0);

	if (m != NULL && vns_tx_push(st, tx, m) == 0)
		VNS_STAT_INC(st, rst_sent);
}

int
vns_tcp_queue_data(struct vns_flow *f, const void *data, uint32_t len)
{
	if (f->flags & VNS_FF_FIN_QUEUED)
		return -1;
	if (f->sbuf == NULL) {
		f->sbuf = f->sbuf_inline;
		f->sbuf_cap = VNS_SNDBUF_INLINE;
	}
	if (f->sbuf_len + len > f->sbuf_cap)
		return -1;
	memcpy(f->sbuf + f->sbuf_len, data, len);
	f->sbuf_len += len;
	return 0;
}

void
vns_tcp_set_sndbuf(struct vns_flow *f, uint8_t *buf, uint32_t cap)
{
	f->sbuf = buf != NULL ? buf : f->sbuf_inline;
	f->sbuf_cap = buf != NULL ? cap : VNS_SNDBUF_INLINE;
	f->sbuf_len = 0;
}

/* Our side closes after the queued data. */
void
vns_tcp_queue_fin(struct vns_flow *f)
{
	f->flags |= VNS_FF_FIN_QUEUED;
	if (f->state == VNS_TCP_ESTABLISHED)
		f->state = VNS_TCP_FIN_WAIT_1;
}

/* SND.NXT moves on by n; SND.MAX keeps the highest (RFC 9293 §3.10.7.4 uses it to accept
 * ACKs of data sent before a go-back-N). */
static void
snd_advance(struct vns_flow *f, uint32_t n)
{
	f->snd_nxt += n;
	if (VNS_SEQ_GT(f->snd_nxt, f->snd_max))
		f->snd_max = f->snd_nxt;
}

static void
arm_rto(struct vns_stack *st, struct vns_flow *f)
{
	if (f->rto_ms == 0)
		f->rto_ms = VNS_RTO_MIN_MS;
	vns_timer_arm(st, f, st->now + (uint64_t)f->rto_ms * st->tw.tick_tsc);
}

/* Payload per segment: the MSS counts data and options together (RFC 6691), so the
 * timestamps and any SACK blocks this flow may carry come off it. */
static uint32_t
seg_payload_max(const struct vns_stack *st, const struct vns_flow *f)
{
	uint32_t opts = (f->flags & VNS_FF_TS) ? VNS_TCP_OPT_LEN_TS_OUT : 0;

	if ((f->flags & VNS_FF_SACK) && (f->n_ooo > 0 || (f->flags & VNS_FF_DSACK)))
		opts += VNS_TCP_OPT_LEN_SACK_OUT((f->flags & VNS_FF_TS) ? VNS_TCP_SACK_BLOCKS_TS
									: VNS_TCP_SACK_BLOCKS);
	return RTE_MIN((uint32_t)f->snd_mss - RTE_MIN(opts, f->snd_mss - 1u), st->tx_seg_max);
}

/* Sends what the peer's window allows of the queued data, then the FIN once all data is
 * out. SND.NXT may have been pulled back to SND.UNA by a retransmission timeout. */
void
vns_tcp_output(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	uint32_t sent_any = 0;

	if (f->bulk != NULL) {
		vns_snd_output(st, f, tx);
		return;
	}
	for (;;) {
		uint32_t off = f->snd_nxt - f->snd_una;
		uint32_t left = off < f->sbuf_len ? f->sbuf_len - off : 0;
		uint32_t wnd_room = f->snd_wnd > off ? f->snd_wnd - off : 0;
		uint32_t n = RTE_MIN(left, RTE_MIN(wnd_room, seg_payload_max(st, f)));
		uint8_t flags = RTE_TCP_PSH_FLAG;

		if (left == 0)
			break;
		if (n == 0)
			break; /* window closed: the retransmission timer probes it */
		if (n == left && (f->flags & VNS_FF_FIN_QUEUED))
			flags |= RTE_TCP_FIN_FLAG;
		send_flow_seg(st, f, f->snd_nxt, flags, f->sbuf + off, n, tx);
		snd_advance(f, n);
		if (flags & RTE_TCP_FIN_FLAG) {
			snd_advance(f, 1);
			f->flags |= VNS_FF_FIN_SENT;
		}
		sent_any = 1;
	}
	if ((f->flags & VNS_FF_FIN_QUEUED) && f->snd_nxt - f->snd_una == f->sbuf_len &&
	    !(f->flags & VNS_FF_FIN_SENT)) {
		send_flow_seg(st, f, f->snd_nxt, RTE_TCP_FIN_FLAG, NULL, 0, tx);
		snd_advance(f, 1);
		f->flags |= VNS_FF_FIN_SENT;
		sent_any = 1;
	}
	if (sent_any || (f->sbuf_len > 0 && f->snd_una == f->snd_nxt))
		arm_rto(st, f);
}

/* Retransmission timeout: go back to SND.UNA with a doubled RTO (RFC 6298 §5.5). With a
 * zero window, one byte goes out regardless as the window probe (RFC 9293 §3.8.6.1). */
int
vns_tcp_retransmit(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	bool probe = f->snd_wnd == 0 && f->sbuf_len > 0;

	if (f->snd_una == f->snd_nxt && f->sbuf_len == 0 && !(f->flags & VNS_FF_FIN_QUEUED))
		return 0;
	/* RFC 1122 4.2.2.17: a zero-window probe the peer answered (it was heard since the
	 * previous one, an RTO ago, with the timer's lateness as slack) is no retransmission:
	 * probing goes on while it answers. */
	if (probe && st->now - f->last_rx_tsc <= 2 * (uint64_t)f->rto_ms * st->tw.tick_tsc)
		f->rtx_count = 0;
	if (++f->rtx_count > VNS_RTX_MAX)
		return -1;
	f->rto_ms = (uint16_t)RTE_MIN((uint32_t)f->rto_ms * 2, (uint32_t)VNS_RTO_MAX_MS);
	VNS_STAT_INC(st, data_retrans);
	f->snd_nxt = f->snd_una;
	f->flags &= (uint16_t)~VNS_FF_FIN_SENT;
	if (probe) {
		send_flow_seg(st, f, f->snd_nxt, RTE_TCP_PSH_FLAG, f->sbuf, 1, tx);
		snd_advance(f, 1);
		f->flags |= VNS_FF_PROBE;
		arm_rto(st, f);
		return 0;
	}
	vns_tcp_output(st, f, tx);
	arm_rto(st, f);
	return 0;
}
