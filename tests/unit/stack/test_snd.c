/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stack-snd: the bulk sender (vns_conn_bulk_start) against a scripted receiver: initial
 * window and slow start, SACK loss recovery and the window reduction, RTO back-off and
 * go-back-N, the peer's window (a small one, zero and the persist probes), TSO segment sizes
 * and the stack's own segmentation at the MSS, software checksums over the pattern, hostile
 * ACKs (beyond SND.MAX, a retracted window, SACK blocks outside the window) counted and
 * ignored, FIN after the last byte, the sent() callback, pool exhaustion, and a transfer
 * longer than 2^31 bytes counted to the last byte.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "vns_snd.h"

#define SEG_TS 1448 /* 1460 - 12 bytes of timestamps */

static struct h H;

/* The fake bulk service: every connection sends t_bytes at open. */
static uint64_t t_bytes;
static int t_start_rc;
static unsigned int t_sent_calls;
static bool t_close_when_sent;
static struct vns_conn *t_conn;
static struct vns_svc *t_svc;

static void
bulk_open(struct vns_svc *svc, struct vns_conn *c)
{
	t_conn = c;
	t_svc = svc;
	t_start_rc = vns_conn_bulk_start(svc, c, t_bytes);
}

static void
bulk_data(struct vns_svc *svc, struct vns_conn *c, const struct rte_mbuf *m, uint32_t off,
	  uint32_t len)
{
	(void)svc;
	(void)c;
	(void)m;
	(void)off;
	(void)len;
}

static void
bulk_sent(struct vns_svc *svc, struct vns_conn *c)
{
	t_sent_calls++;
	if (t_close_when_sent)
		vns_conn_close(svc, c);
}

static void
bulk_closed(struct vns_svc *svc, struct vns_conn *c, enum vns_close_reason why)
{
	(void)svc;
	(void)why;
	if (c == t_conn)
		t_conn = NULL;
}

static const struct vns_service_ops bulk_ops = {
	.name = "bulk",
	.open = bulk_open,
	.data = bulk_data,
	.sent = bulk_sent,
	.closed = bulk_closed,
};

static const struct vns_service_bind bulk_binds[] = { { H_PORT, &bulk_ops, NULL } };

static void
open_bulk(uint32_t max_senders, uint32_t tx_offloads, uint64_t bytes)
{
	t_bytes = bytes;
	t_start_rc = 1;
	t_sent_calls = 0;
	t_close_when_sent = false;
	t_conn = NULL;
	h_max_senders = max_senders;
	h_send_window = 0;
	assert_int_equal(h_open(&H, 1, bulk_binds, 1, 64, tx_offloads), 0);
	h_max_senders = 0;
}

/* What the receiver saw of the data segments since the last call. */
struct rx {
	unsigned int segs;
	uint32_t bytes;
	uint32_t min_len;
	uint32_t max_len;
	uint32_t first_seq;
	uint32_t end; /* highest seq + len */
	unsigned int bad_csum;
	unsigned int tso; /* frames asking for TSO */
	uint16_t tso_segsz;
	unsigned int probes; /* zero-length segments at SND.UNA - 1 */
	unsigned int fins;
	uint32_t fin_seq;
	uint32_t seq[H_OUT_MAX];
	uint32_t len[H_OUT_MAX];
};

/* Every byte the stack ever sent, by offset from ISS + 1: a retransmission must match it. */
static uint8_t seen[1 << 20];
static uint8_t seen_set[1 << 20];
static unsigned int mismatches;
static unsigned int not_pattern; /* payload bytes that are not the stack's pattern */

static void
take(struct tc *c, struct rx *r)
{
	uint32_t i;

	memset(r, 0, offsetof(struct rx, seq));
	r->min_len = UINT32_MAX;
	for (i = 0; i < H.n_out; i++) {
		const struct pb_parsed *p = &H.out[i];

		if (H.used[i] || p->proto != IPPROTO_TCP || p->dport != c->sport)
			continue;
		H.used[i] = 1;
		if (p->ts)
			c->ts_recent = p->tsval;
		if (!p->tcp_csum_ok || !p->ip_csum_ok)
			r->bad_csum++;
		if (p->flags & PB_FIN) {
			r->fins++;
			r->fin_seq = p->seq + p->plen;
		}
		if (p->plen == 0) {
			if (p->seq == c->rcv_nxt - 1)
				r->probes++;
			continue;
		}
		if (r->segs == 0)
			r->first_seq = p->seq;
		if (r->segs < H_OUT_MAX) {
			r->seq[r->segs] = p->seq;
			r->len[r->segs] = p->plen;
		}
		r->segs++;
		r->bytes += p->plen;
		r->min_len = RTE_MIN(r->min_len, p->plen);
		r->max_len = RTE_MAX(r->max_len, p->plen);
		if (r->segs == 1 || (int32_t)(p->seq + p->plen - r->end) > 0)
			r->end = p->seq + p->plen;
		if (p->tso_segsz) {
			r->tso++;
			r->tso_segsz = p->tso_segsz;
		}
		for (uint32_t k = 0; k < RTE_MIN(p->plen, (uint32_t)sizeof(p->payload)); k++) {
			uint32_t o = p->seq + k - (c->srv_iss + 1);

			if (o >= sizeof(seen))
				continue;
			if (seen_set[o] && seen[o] != p->payload[k])
				mismatches++;
			/* The stack's pattern: byte i of its period is i * 131 + i / 512. */
			{
				uint32_t i = (o + 1) & 0xffff;

				if (p->payload[k] != (uint8_t)(i * 131u + (i >> 9)))
					not_pattern++;
			}
			seen[o] = p->payload[k];
			seen_set[o] = 1;
		}
	}
}

/* A pure ACK of ack with the window win (unscaled field) and SACK blocks. */
static void
ack_sack(struct tc *c, uint32_t ack, uint16_t win, int nsack, const uint32_t (*sack)[2])
{
	struct pb_tcp p;
	int k;

	c->rcv_nxt = ack;
	c->tsval++;
	tc_fill(c, &p, c->snd_nxt, PB_ACK, NULL, 0);
	p.win = win;
	p.nsack = nsack;
	for (k = 0; k < nsack; k++) {
		p.sack[k][0] = sack[k][0];
		p.sack[k][1] = sack[k][1];
	}
	h_input(c->h, c->q, pb_tcp_mbuf(c->h->mp, &p));
}

static void
ack(struct tc *c, uint32_t a)
{
	ack_sack(c, a, c->win, 0, NULL);
}

static struct vns_conn_info
info(void)
{
	struct vns_conn_info ci;

	assert_non_null(t_conn);
	vns_conn_info(t_conn, &ci);
	return ci;
}

static int
teardown(void **state)
{
	(void)state;
	return h_close_checked(&H);
}

static void
connect_client(struct tc *c, uint16_t sport, int opts)
{
	memset(seen_set, 0, sizeof(seen_set));
	mismatches = 0;
	not_pattern = 0;
	tc_init(c, &H, 0, sport, H_PORT, 1000, opts);
	assert_int_equal(tc_connect(c), 0);
	assert_int_equal(t_start_rc, 0);
}

/* RFC 6928 initial window (10 segments), then slow start: each ACK of n bytes lets 2n out;
 * the sent() callback comes once every byte is acknowledged, and the FIN follows. */
static void
test_slow_start_and_done(void **state)
{
	struct tc c;
	struct rx r;
	uint32_t una;
	int rounds = 0;

	(void)state;
	open_bulk(4, 0, 200000);
	connect_client(&c, 40001, 1);
	take(&c, &r);
	assert_int_equal(r.segs, 10);
	assert_int_equal(r.max_len, SEG_TS);
	assert_int_equal(r.first_seq, c.srv_iss + 1);
	assert_int_equal(r.bad_csum, 0);
	assert_int_equal(info().cwnd, 10 * SEG_TS);
	una = c.srv_iss + 1;
	/* ACK the first window in one go: cwnd grows by at most L = 8 segments per ACK. */
	ack(&c, r.end);
	take(&c, &r);
	assert_int_equal(info().cwnd, 18 * SEG_TS);
	assert_int_equal(r.segs, 18);
	/* Per-segment ACKs: +1 segment each, two out per ACK. */
	una = r.seq[0];
	for (unsigned int i = 0; i < 4; i++) {
		struct rx r2;

		una += r.len[i];
		ack(&c, una);
		take(&c, &r2);
		assert_int_equal(r2.segs, 2);
	}
	assert_int_equal(info().cwnd, 22 * SEG_TS);
	t_close_when_sent = true;
	/* Drain: ACK everything that comes until the FIN. */
	ack(&c, c.srv_iss + 1 + (uint32_t)info().bulk_sent);
	for (;;) {
		take(&c, &r);
		if (r.fins > 0) {
			assert_int_equal(r.fin_seq, c.srv_iss + 1 + 200000);
			break;
		}
		assert_true(r.segs > 0 || t_sent_calls == 0);
		if (r.segs > 0)
			ack(&c, r.end);
		else
			h_poll(&H);
		assert_true(++rounds < 1000);
	}
	assert_int_equal(t_sent_calls, 1);
	assert_int_equal(info().bulk_sent, 200000);
	assert_int_equal(info().bulk_acked, 200000);
	assert_int_equal(info().retrans_segs, 0);
	assert_int_equal(h_stat(&H, 0, "bulk_bytes"), 200000);
	assert_int_equal(h_stat(&H, 0, "bulk_bytes_acked"), 200000);
	assert_int_equal(mismatches, 0);
	/* The client's FIN and the final ACK: the flow goes. */
	c.rcv_nxt++;
	tc_send_at(&c, c.snd_nxt, PB_ACK | PB_FIN, NULL, 0);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1); /* TIME-WAIT */
	assert_null(t_conn);
}

/* Three segments SACKed above a hole: RFC 6675 recovery retransmits the hole once, with
 * cwnd = ssthresh = flight / 2; the ACK that covers the recovery point ends it. */
static void
test_sack_recovery(void **state)
{
	struct tc c;
	struct rx r, r2;
	uint32_t blk[1][2], base, flight, hole, i;
	unsigned int rtx = 0;

	(void)state;
	open_bulk(4, 0, VNS_CONN_BULK_UNLIMITED);
	connect_client(&c, 40002, 1);
	take(&c, &r);
	assert_int_equal(r.segs, 10);
	base = c.srv_iss + 1;
	hole = base + SEG_TS; /* the second segment is lost */
	/* ACK the first, SACK segments 3, 4, 5 one by one. */
	ack(&c, hole);
	take(&c, &r2);
	flight = 0;
	for (i = 2; i < 5; i++) {
		flight = (uint32_t)info().bulk_sent - SEG_TS;
		blk[0][0] = hole + SEG_TS;
		blk[0][1] = base + (i + 1) * SEG_TS;
		ack_sack(&c, hole, c.win, 1, blk);
		take(&c, &r2);
		for (uint32_t k = 0; k < r2.segs; k++)
			if (r2.seq[k] == hole)
				rtx++;
	}
	assert_int_equal(h_stat(&H, 0, "bulk_recoveries"), 1);
	assert_int_equal(rtx, 1);
	assert_int_equal(info().retrans_segs, 1);
	assert_int_equal(info().cwnd, flight / 2);
	/* More SACKs: no second retransmission of the hole. */
	blk[0][1] = base + 8 * SEG_TS;
	ack_sack(&c, hole, c.win, 1, blk);
	take(&c, &r2);
	for (uint32_t k = 0; k < r2.segs; k++)
		assert_int_not_equal(r2.seq[k], hole);
	/* The hole arrives: everything up to SND.MAX is acknowledged, recovery ends. */
	ack(&c, base + (uint32_t)info().bulk_sent);
	assert_int_equal(info().cwnd, flight / 2);
	assert_int_equal(info().retrans_segs, 1);
	assert_int_equal(mismatches, 0);
}

/* No SACK: three duplicate ACKs start NewReno recovery; the lost segment goes again. */
static void
test_dupack_recovery_no_sack(void **state)
{
	struct tc c;
	struct rx r, r2;
	uint32_t base;
	unsigned int rtx = 0;

	(void)state;
	open_bulk(4, 0, VNS_CONN_BULK_UNLIMITED);
	connect_client(&c, 40003, 0);
	take(&c, &r);
	assert_int_equal(r.segs, 10);
	assert_int_equal(r.max_len, 1460);
	base = c.srv_iss + 1;
	ack(&c, base + 1460);
	take(&c, &r2);
	for (int i = 0; i < 3; i++) {
		ack(&c, base + 1460);
		take(&c, &r2);
		for (uint32_t k = 0; k < r2.segs; k++)
			if (r2.seq[k] == base + 1460)
				rtx++;
	}
	assert_int_equal(h_stat(&H, 0, "bulk_recoveries"), 1);
	assert_int_equal(rtx, 1);
}

/* RFC 6298: no ACK for the initial RTO (1 s): one segment from SND.UNA (cwnd = 1 MSS), then
 * the timer doubles: 2 s, 4 s. An ACK resets the back-off. */
static void
test_rto_backoff(void **state)
{
	struct tc c;
	struct rx r;

	(void)state;
	open_bulk(4, 0, VNS_CONN_BULK_UNLIMITED);
	connect_client(&c, 40004, 1);
	take(&c, &r);
	assert_int_equal(r.segs, 10);
	h_advance_ms(&H, 990);
	h_poll(&H);
	take(&c, &r);
	assert_int_equal(r.segs, 0);
	h_advance_ms(&H, 20);
	h_poll(&H);
	take(&c, &r);
	assert_int_equal(r.segs, 1);
	assert_int_equal(r.seq[0], c.srv_iss + 1);
	assert_int_equal(info().cwnd, SEG_TS);
	assert_int_equal(h_stat(&H, 0, "bulk_rto"), 1);
	h_advance_ms(&H, 1990);
	h_poll(&H);
	take(&c, &r);
	assert_int_equal(r.segs, 0);
	h_advance_ms(&H, 20);
	h_poll(&H);
	take(&c, &r);
	assert_int_equal(r.segs, 1);
	assert_int_equal(h_stat(&H, 0, "bulk_rto"), 2);
	h_advance_ms(&H, 3990);
	h_poll(&H);
	take(&c, &r);
	assert_int_equal(r.segs, 0);
	h_advance_ms(&H, 20);
	h_poll(&H);
	take(&c, &r);
	assert_int_equal(r.segs, 1);
	assert_int_equal(h_stat(&H, 0, "bulk_rto"), 3);
	/* The ACK of it: slow start again from 1 MSS, go-back-N continues at SND.NXT. */
	ack(&c, c.srv_iss + 1 + SEG_TS);
	take(&c, &r);
	assert_int_equal(r.segs, 2);
	assert_int_equal(r.seq[0], c.srv_iss + 1 + SEG_TS);
	assert_int_equal(info().retrans_segs, 5);
	assert_int_equal(mismatches, 0);
}

/* The peer's window: never more in flight than it allows; an odd window also puts payload
 * at even and odd pattern offsets, whose software checksums must be right. */
static void
test_small_window_sw_csum(void **state)
{
	struct tc c;
	struct rx r;
	uint32_t a;

	(void)state;
	open_bulk(4, 0, VNS_CONN_BULK_UNLIMITED);
	memset(seen_set, 0, sizeof(seen_set));
	mismatches = 0;
	tc_init(&c, &H, 0, 40005, H_PORT, 1000, 0);
	c.win = 1001;
	assert_int_equal(tc_connect(&c), 0);
	take(&c, &r);
	assert_int_equal(r.bytes, 1001);
	assert_int_equal(r.bad_csum, 0);
	a = c.srv_iss + 1;
	for (int i = 0; i < 5; i++) {
		a += 1001;
		ack(&c, a);
		take(&c, &r);
		assert_int_equal(r.bytes, 1001);
		assert_int_equal(r.segs, 1);
		assert_int_equal(r.bad_csum, 0);
	}
	/* A partial ACK opens room for what was acknowledged only. */
	ack(&c, a + 500);
	take(&c, &r);
	assert_int_equal(r.bytes, 500);
	assert_int_equal(r.bad_csum, 0);
	assert_int_equal(mismatches, 0);
}

/* Zero window: nothing goes; probes (SEQ = SND.UNA - 1, no data) back off; an answered probe
 * does not end the connection; the window opening restarts the data. */
static void
test_zero_window_persist(void **state)
{
	struct tc c;
	struct rx r;

	(void)state;
	open_bulk(4, 0, VNS_CONN_BULK_UNLIMITED);
	connect_client(&c, 40006, 1);
	take(&c, &r);
	ack_sack(&c, r.end, 0, 0, NULL);
	take(&c, &r);
	assert_int_equal(r.segs, 0);
	/* First probe after the RTO floor (200 ms; no RTT sample below it). */
	h_advance_ms(&H, 150);
	h_poll(&H);
	take(&c, &r);
	assert_int_equal(r.probes, 0);
	h_advance_ms(&H, 60);
	h_poll(&H);
	take(&c, &r);
	assert_int_equal(r.probes, 1);
	assert_int_equal(r.segs, 0);
	for (int i = 0; i < 20; i++) {
		/* answered, window still shut */
		ack_sack(&c, c.rcv_nxt, 0, 0, NULL);
		h_advance_ms(&H, 60000);
		h_poll(&H);
		take(&c, &r);
		assert_int_equal(r.segs, 0);
		assert_int_equal(r.probes, 1);
	}
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
	assert_true(h_stat(&H, 0, "bulk_probes") >= 21);
	/* The window opens. */
	ack(&c, c.rcv_nxt);
	take(&c, &r);
	assert_true(r.segs > 0);
	assert_int_equal(r.first_seq, c.rcv_nxt);
}

/* An unanswered zero-window probe series ends the connection with a RST. */
static void
test_zero_window_unanswered(void **state)
{
	struct tc c;
	struct rx r;

	(void)state;
	open_bulk(4, 0, VNS_CONN_BULK_UNLIMITED);
	connect_client(&c, 40007, 1);
	take(&c, &r);
	ack_sack(&c, r.end, 0, 0, NULL);
	for (int i = 0; i < 40 && vns_stack_nb_flows(H.st[0]) > 0; i++) {
		h_advance_ms(&H, 61000);
		h_poll(&H);
	}
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
	assert_int_equal(h_stat(&H, 0, "flows_aborted"), 1);
}

/* TSO: frames of up to 64 KB with tso_segsz = the MSS less the timestamps; without the
 * offload every frame holds one MSS at most. */
static void
test_tso_sizes(void **state)
{
	struct tc c;
	struct rx r;
	const uint32_t txo = VNS_TXOFF_TCP_TSO | VNS_TXOFF_TCP_CKSUM | VNS_TXOFF_IPV4_CKSUM |
			     VNS_TXOFF_MULTI_SEGS;

	(void)state;
	open_bulk(4, txo, VNS_CONN_BULK_UNLIMITED);
	connect_client(&c, 40008, 1);
	take(&c, &r);
	/* The initial window (14480 bytes) in one TSO frame. */
	assert_int_equal(r.segs, 1);
	assert_int_equal(r.bytes, 10 * SEG_TS);
	assert_int_equal(r.tso_segsz, SEG_TS);
	assert_int_equal(r.bad_csum, 0);
	for (int i = 0; i < 6; i++) {
		ack(&c, r.end);
		take(&c, &r);
	}
	assert_true(r.max_len > 40000);
	assert_true(r.max_len <= 65535 - 40 - 40);
	assert_int_equal(r.max_len % SEG_TS, 0);
	assert_int_equal(r.tso, r.segs);
	assert_int_equal(r.bad_csum, 0);
	assert_int_equal(mismatches, 0);
}

/* TSO on a port without IPv4 checksum offload (virtio has none): TSO frames all the same,
 * each with the IPv4 header's checksum written by the stack. */
static void
test_tso_without_ip_cksum(void **state)
{
	struct tc c;
	struct rx r;

	(void)state;
	open_bulk(4, VNS_TXOFF_TCP_TSO | VNS_TXOFF_TCP_CKSUM | VNS_TXOFF_MULTI_SEGS,
		  VNS_CONN_BULK_UNLIMITED);
	connect_client(&c, 40018, 1);
	take(&c, &r);
	assert_int_equal(r.segs, 1);
	assert_int_equal(r.bytes, 10 * SEG_TS);
	assert_int_equal(r.tso_segsz, SEG_TS);
	for (int i = 0; i < 6; i++) {
		ack(&c, r.end);
		take(&c, &r);
		assert_int_equal(r.tso, r.segs);
		assert_int_equal(r.bad_csum, 0);
	}
	assert_true(r.max_len > 40000);
	assert_int_equal(mismatches, 0);
}

/* A port without chained mbufs gets each segment in one mbuf, the pattern copied (the
 * harness fails a chained frame on such a port), no TSO even when offered; with them the
 * payload is attached, not copied. */
static void
test_multi_segs(void **state)
{
	struct tc c;
	struct rx r;

	(void)state;
	open_bulk(4, VNS_TXOFF_TCP_TSO | VNS_TXOFF_TCP_CKSUM | VNS_TXOFF_IPV4_CKSUM, 100000);
	connect_client(&c, 40021, 1);
	take(&c, &r);
	for (int i = 0; i < 8 && r.segs > 0; i++) {
		assert_int_equal(r.max_len, SEG_TS);
		assert_int_equal(r.tso, 0);
		assert_int_equal(r.bad_csum, 0);
		ack(&c, r.end);
		take(&c, &r);
	}
	assert_int_equal(info().bulk_sent, 100000);
	assert_int_equal(mismatches, 0);
	assert_int_equal(not_pattern, 0);
	assert_int_equal(H.chained, 0);
	assert_int_equal(h_close_checked(&H), 0);

	open_bulk(4, VNS_TXOFF_MULTI_SEGS, 100000);
	connect_client(&c, 40022, 1);
	take(&c, &r);
	assert_int_equal(r.segs, 10);
	assert_int_equal(r.bad_csum, 0);
	assert_int_equal(not_pattern, 0);
	assert_true(H.chained >= 10);
}

/* The senders' pool: none with max_senders 0; else the frames the tx buffer and the device
 * ring hold (2 mbufs each, 1 when copied), fewer when the windows hold fewer, plus the
 * cache; never above VNS_SND_POOL_MBUFS. */
static void
test_pool_size(void **state)
{
	uint32_t mbufs;
	uint64_t bytes;

	(void)state;
	assert_int_equal(h_open(&H, 1, bulk_binds, 1, 64, 0), 0);
	vns_stack_snd_pool_size(H.st[0], &mbufs, &bytes);
	assert_int_equal(mbufs, 0);
	assert_int_equal(bytes, 0);
	assert_int_equal(h_close_checked(&H), 0);

	/* One sender, a 64 KB window: at most 65536 / 64 + 1 frames. */
	h_max_senders = 1;
	h_send_window = 65536;
	assert_int_equal(h_open(&H, 1, bulk_binds, 1, 64, VNS_TXOFF_MULTI_SEGS), 0);
	vns_stack_snd_pool_size(H.st[0], &mbufs, &bytes);
	assert_int_equal(mbufs, 2 * 1025 + 2 * VNS_SND_POOL_CACHE - 1);
	assert_true(bytes > (uint64_t)mbufs * 256 && bytes < (uint64_t)mbufs * 1024);
	assert_int_equal(h_close_checked(&H), 0);

	/* Copied payload: one mbuf a frame, each with room for the MTU. */
	assert_int_equal(h_open(&H, 1, bulk_binds, 1, 64, 0), 0);
	vns_stack_snd_pool_size(H.st[0], &mbufs, &bytes);
	assert_int_equal(mbufs, 1025 + 2 * VNS_SND_POOL_CACHE - 1);
	assert_true(bytes > (uint64_t)mbufs * 1500);
	assert_int_equal(h_close_checked(&H), 0);

	/* Many senders with the default window: the device ring bounds it (the harness's
	 * stacks do not say theirs: VNS_SND_RING_GUESS), then the cap. */
	h_max_senders = 64;
	h_send_window = 0;
	assert_int_equal(h_open(&H, 1, bulk_binds, 1, 64, VNS_TXOFF_MULTI_SEGS), 0);
	vns_stack_snd_pool_size(H.st[0], &mbufs, &bytes);
	assert_int_equal(mbufs, VNS_SND_POOL_MBUFS - 1);
	h_max_senders = 0;
}

/* One output call queues VNS_SND_BURST_BYTES at most; the rest follows on the next poll. */
static void
test_burst_cap(void **state)
{
	struct tc c;
	struct rx r;
	const uint32_t txo = VNS_TXOFF_TCP_TSO | VNS_TXOFF_TCP_CKSUM | VNS_TXOFF_IPV4_CKSUM |
			     VNS_TXOFF_MULTI_SEGS;

	(void)state;
	open_bulk(4, txo, VNS_CONN_BULK_UNLIMITED);
	connect_client(&c, 40017, 1);
	take(&c, &r);
	for (int i = 0; i < 200 && info().cwnd < 600000; i++) {
		ack(&c, c.srv_iss + 1 + (uint32_t)info().bulk_sent);
		take(&c, &r);
		h_poll(&H);
		take(&c, &r);
		h_clear(&H);
	}
	assert_true(info().cwnd >= 600000);
	ack(&c, c.srv_iss + 1 + (uint32_t)info().bulk_sent);
	take(&c, &r);
	assert_true(r.bytes >= 200000);
	assert_true(r.bytes <= (256u << 10) + 65535);
	h_poll(&H);
	take(&c, &r);
	assert_true(r.bytes > 0);
	assert_int_equal(mismatches, 0);
}

static void
test_mss_segmentation(void **state)
{
	struct tc c;
	struct rx r;
	uint32_t segs = 0;

	(void)state;
	open_bulk(4, VNS_TXOFF_TCP_CKSUM | VNS_TXOFF_IPV4_CKSUM, VNS_CONN_BULK_UNLIMITED);
	connect_client(&c, 40009, 1);
	take(&c, &r);
	for (int i = 0; i < 6; i++) {
		uint32_t end;

		ack(&c, r.end);
		take(&c, &r);
		assert_int_equal(r.max_len, SEG_TS);
		assert_int_equal(r.tso, 0);
		assert_int_equal(r.bad_csum, 0);
		/* One stack call queues at most VNS_SND_TXBUF_BULK frames (a queue that also
		 * receives gets its turn); the polls after it go on with the window. */
		assert_true(r.segs <= VNS_SND_TXBUF_BULK);
		segs = r.segs;
		end = r.end;
		for (int k = 0; k < 8; k++) {
			h_poll(&H);
			take(&c, &r);
			if (r.segs == 0)
				break;
			assert_true(r.segs <= VNS_SND_TXBUF_BULK);
			segs += r.segs;
			end = r.end;
		}
		r.end = end;
	}
	assert_true(segs > 40);
}

/* RFC 5961-style distrust: counted, and nothing moves. */
static void
test_hostile_acks(void **state)
{
	struct tc c;
	struct rx r;
	struct vns_conn_info before;
	uint32_t blk[2][2], base;

	(void)state;
	open_bulk(4, 0, VNS_CONN_BULK_UNLIMITED);
	connect_client(&c, 40010, 1);
	take(&c, &r);
	base = c.srv_iss + 1;
	before = info();
	/* an ACK beyond SND.MAX */
	ack(&c, r.end + 100000);
	take(&c, &r);
	assert_int_equal(h_stat(&H, 0, "bad_ack_beyond"), 1);
	assert_int_equal(info().bulk_acked, 0);
	assert_int_equal(info().bulk_sent, before.bulk_sent);
	assert_int_equal(r.segs, 0);
	c.rcv_nxt = base;
	/* SACK blocks outside [SND.UNA, SND.MAX], and one inverted */
	blk[0][0] = base + 20 * SEG_TS;
	blk[0][1] = base + 30 * SEG_TS;
	blk[1][0] = base + 3 * SEG_TS;
	blk[1][1] = base + 2 * SEG_TS;
	for (int i = 0; i < 4; i++)
		ack_sack(&c, base, c.win, 2, blk);
	take(&c, &r);
	assert_int_equal(h_stat(&H, 0, "bad_sack"), 8);
	/* with SACK, an ACK is a duplicate only with new SACK information: no recovery */
	assert_int_equal(h_stat(&H, 0, "bulk_recoveries"), 0);
	/* a window that retracts the right edge */
	ack(&c, base + 10 * SEG_TS);
	take(&c, &r);
	ack_sack(&c, base + 10 * SEG_TS, 10, 0, NULL);
	assert_int_equal(h_stat(&H, 0, "bad_wnd"), 1);
	/* the old edge stands: data still goes */
	ack(&c, r.end);
	take(&c, &r);
	assert_true(r.segs > 0);
}

/* The pool is bounded: a third bulk on two senders gets -ENOBUFS (counted); a closed
 * connection gives its sender back. */
static void
test_pool_exhaustion(void **state)
{
	struct tc c[3];

	(void)state;
	open_bulk(2, 0, 1000);
	connect_client(&c[0], 40011, 1);
	connect_client(&c[1], 40012, 1);
	tc_init(&c[2], &H, 0, 40013, H_PORT, 1000, 1);
	assert_int_equal(tc_connect(&c[2]), 0);
	assert_int_equal(t_start_rc, -ENOBUFS);
	assert_int_equal(h_stat(&H, 0, "bulk_no_sender"), 1);
	assert_int_equal(vns_conn_send(t_svc, t_conn, "x", 1), 0);
	/* a connection with queued bytes cannot start a bulk */
	assert_int_equal(vns_conn_bulk_start(t_svc, t_conn, 10), -EBUSY);
	/* the first one resets: its sender is free again */
	tc_send_at(&c[0], c[0].snd_nxt, PB_RST, NULL, 0);
	tc_init(&c[2], &H, 0, 40014, H_PORT, 2000, 1);
	assert_int_equal(tc_connect(&c[2]), 0);
	assert_int_equal(t_start_rc, 0);
	/* bulk_stop reports what was sent at least once */
	assert_int_equal(vns_conn_bulk_stop(t_svc, t_conn), 1000);
}

/* No senders configured: bulk_start refuses, nothing is reserved. */
static void
test_no_senders(void **state)
{
	struct tc c;

	(void)state;
	open_bulk(0, 0, 1000);
	tc_init(&c, &H, 0, 40015, H_PORT, 1000, 1);
	assert_int_equal(tc_connect(&c), 0);
	assert_int_equal(t_start_rc, -ENOBUFS);
}

/* vns_conn_bulk_stop: nothing new after it; sent() once the flight is acknowledged. */
static void
test_stop(void **state)
{
	struct tc c;
	struct rx r;
	uint64_t n;

	(void)state;
	open_bulk(4, 0, VNS_CONN_BULK_UNLIMITED);
	connect_client(&c, 40016, 1);
	take(&c, &r);
	n = vns_conn_bulk_stop(t_svc, t_conn);
	assert_int_equal(n, 10 * SEG_TS);
	ack(&c, r.end - SEG_TS);
	take(&c, &r);
	assert_int_equal(r.segs, 0);
	assert_int_equal(t_sent_calls, 0);
	ack(&c, c.srv_iss + 1 + (uint32_t)n);
	h_poll(&H);
	assert_int_equal(t_sent_calls, 1);
	assert_int_equal(info().bulk_acked, n);
}

/* A transfer longer than 2^31 bytes with TSO: every byte is counted acknowledged (SND.UNA
 * lies more than 2^31 past the bulk's first sequence number, where serial comparison with it
 * turns), so the finite bulk ends with its sent() callback and the FIN. */
static void
test_long_transfer(void **state)
{
	struct tc c;
	struct rx r;
	const uint64_t n = (3ull << 30) + 12345;
	const uint32_t txo = VNS_TXOFF_TCP_TSO | VNS_TXOFF_TCP_CKSUM | VNS_TXOFF_IPV4_CKSUM |
			     VNS_TXOFF_MULTI_SEGS;
	unsigned int rounds = 0;

	(void)state;
	open_bulk(4, txo, n);
	connect_client(&c, 40017, 1);
	t_close_when_sent = true;
	for (;;) {
		take(&c, &r);
		h_clear(&H); /* the harness keeps H_OUT_MAX frames */
		if (r.fins > 0)
			break;
		/* A lossless link: everything sent so far arrives and is acknowledged. */
		if (info().bulk_acked < info().bulk_sent)
			ack(&c, c.srv_iss + 1 + (uint32_t)info().bulk_sent);
		else
			h_poll(&H);
		assert_true(++rounds < 100000);
	}
	assert_int_equal(r.fin_seq, (uint32_t)(c.srv_iss + 1 + n));
	assert_int_equal(t_sent_calls, 1);
	assert_int_equal(h_stat(&H, 0, "bulk_bytes"), n);
	assert_int_equal(h_stat(&H, 0, "bulk_bytes_acked"), n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_slow_start_and_done, teardown),
		cmocka_unit_test_teardown(test_sack_recovery, teardown),
		cmocka_unit_test_teardown(test_dupack_recovery_no_sack, teardown),
		cmocka_unit_test_teardown(test_rto_backoff, teardown),
		cmocka_unit_test_teardown(test_small_window_sw_csum, teardown),
		cmocka_unit_test_teardown(test_zero_window_persist, teardown),
		cmocka_unit_test_teardown(test_zero_window_unanswered, teardown),
		cmocka_unit_test_teardown(test_tso_sizes, teardown),
		cmocka_unit_test_teardown(test_tso_without_ip_cksum, teardown),
		cmocka_unit_test_teardown(test_mss_segmentation, teardown),
		cmocka_unit_test_teardown(test_multi_segs, teardown),
		cmocka_unit_test_teardown(test_pool_size, teardown),
		cmocka_unit_test_teardown(test_burst_cap, teardown),
		cmocka_unit_test_teardown(test_hostile_acks, teardown),
		cmocka_unit_test_teardown(test_pool_exhaustion, teardown),
		cmocka_unit_test_teardown(test_no_senders, teardown),
		cmocka_unit_test_teardown(test_stop, teardown),
		cmocka_unit_test_teardown(test_long_transfer, teardown),
	};

	h_eal_init("test_stack_snd");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
