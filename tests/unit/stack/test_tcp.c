/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the stack's TCP (vns_tcp_in.c, vns_tcp_out.c, the flow table and the timer
 * wheel): handshakes, ACK policy, the out-of-order store and SACK, sequence wrap, PAWS, RST
 * and SYN rules of RFC 5961, the window, FIN, SYN flood eviction. Connections go to the
 * harness's fake service, so nothing here depends on a real service. Every test ends with
 * the mempool fully returned (no mbuf leak, stored out-of-order payload included).
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "vns_stack_core.h"

static struct h H;
static struct tc C;

static int
setup1(void **state)
{
	(void)state;
	return h_open_sink(&H, 1, H_SINK_PAYLOAD, 64, 0);
}

static int
setup1_count(void **state)
{
	(void)state;
	return h_open_sink(&H, 1, H_SINK_COUNT, 64, 0);
}

static int
teardown(void **state)
{
	(void)state;
	return h_close_checked(&H);
}

#define STAT(name) h_stat(&H, 0, #name)

static void
test_handshake_options(void **state)
{
	struct pb_tcp p;
	const struct pb_parsed *r;

	(void)state;
	tc_init(&C, &H, 0, 40001, H_PORT, 1000, 1);
	tc_fill(&C, &p, 1000, PB_SYN, NULL, 0);
	p.mss = 1400;
	p.ws = 9;
	p.sack_perm = 1;
	p.tsval = 4242;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	r = tc_last(&C);
	assert_non_null(r);
	assert_int_equal(r->flags, PB_SYN | PB_ACK);
	assert_int_equal(r->ack, 1001);
	assert_true(r->tcp_csum_ok);
	assert_int_equal(r->mss, 1460);
	assert_int_equal(r->ws, 7);
	assert_true(r->sack_perm);
	assert_true(r->ts);
	assert_int_equal(r->tsecr, 4242);
	assert_int_equal(r->win, 65535);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
	assert_int_equal(STAT(flows_opened), 0);
	/* The final ACK establishes. */
	C.rcv_nxt = r->seq + 1;
	C.snd_nxt = 1001;
	C.ts_recent = r->tsval;
	C.tsval = 4243; /* not older than the SYN's: PAWS applies to the handshake's ACK too */
	tc_send_at(&C, 1001, PB_ACK, NULL, 0);
	assert_int_equal(STAT(flows_opened), 1);
}

static void
test_handshake_no_options(void **state)
{
	struct pb_tcp p;
	const struct pb_parsed *r;

	(void)state;
	tc_init(&C, &H, 0, 40002, H_PORT, 5, 0);
	tc_fill(&C, &p, 5, PB_SYN, NULL, 0);
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	r = tc_last(&C);
	assert_non_null(r);
	assert_int_equal(r->flags, PB_SYN | PB_ACK);
	assert_int_equal(r->mss, 1460); /* MSS is always sent */
	assert_int_equal(r->ws, -1);    /* nothing else unless offered */
	assert_false(r->sack_perm);
	assert_false(r->ts);
	/* No pure ACK: the first data segment's ACK completes the handshake; the window is
	 * unscaled and there are no timestamps. */
	C.rcv_nxt = r->seq + 1;
	C.snd_nxt = 6;
	tc_send(&C, "hello", 5);
	assert_int_equal(STAT(flows_opened), 1);
	assert_int_equal(STAT(tcp_payload_bytes), 5);
	r = tc_last(&C);
	assert_non_null(r);
	assert_int_equal(r->ack, 11);
	assert_int_equal(r->win, 65535);
	assert_false(r->ts);
	assert_int_equal(r->nsack, 0);
}

static void
test_syn_retransmission(void **state)
{
	struct pb_tcp p;
	struct pb_parsed first;

	(void)state;
	tc_init(&C, &H, 0, 40003, H_PORT2, 77, 1);
	tc_fill(&C, &p, 77, PB_SYN, NULL, 0);
	p.mss = 1460;
	p.ws = 7;
	p.sack_perm = 1;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_non_null(tc_last(&C));
	first = *tc_last(&C);
	h_clear(&H);
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->seq, first.seq);
	assert_int_equal(tc_last(&C)->ack, first.ack);
	assert_int_equal(tc_last(&C)->ws, first.ws);
	assert_int_equal(tc_last(&C)->mss, first.mss);
	assert_int_equal(STAT(syn_retrans), 1);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
	/* Unanswered: the SYN-ACK is retransmitted at 1, 3 and 7 s (the timer doubles from
	 * 1 s), and the flow expires at 15 s. */
	{
		static const uint32_t at_ms[] = { 1000, 3000, 7000 };
		uint64_t t0 = H.now;
		int i;

		for (i = 0; i < 3; i++) {
			H.now = t0 + (at_ms[i] - 1) * H.hz / 1000;
			h_clear(&H);
			h_poll(&H);
			assert_null(tc_last(&C));
			H.now = t0 + at_ms[i] * H.hz / 1000;
			h_poll(&H);
			assert_non_null(tc_last(&C));
			assert_int_equal(tc_last(&C)->flags, PB_SYN | PB_ACK);
			assert_int_equal(tc_last(&C)->seq, first.seq);
		}
		H.now = t0 + 14999 * H.hz / 1000;
		h_poll(&H);
		assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
		H.now = t0 + 15000 * H.hz / 1000;
		h_poll(&H);
	}
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
	assert_int_equal(STAT(flows_aborted), 1);
}

/* A retransmitted SYN that offers fewer options (a stack's fallback retry) is answered with
 * only those (RFC 7323 §1.3: WS and TS only when the SYN had them), not the first SYN's. */
static void
test_syn_retransmission_fewer_options(void **state)
{
	struct pb_tcp p;

	(void)state;
	tc_init(&C, &H, 0, 40039, H_PORT, 99, 1);
	tc_fill(&C, &p, 99, PB_SYN, NULL, 0);
	p.mss = 1460;
	p.ws = 7;
	p.sack_perm = 1;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(tc_last(&C)->ws, 7);
	assert_true(tc_last(&C)->ts);
	h_clear(&H);
	p.ws = -1;
	p.sack_perm = 0;
	p.ts = 0;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_non_null(tc_last(&C));
	assert_int_equal(STAT(syn_retrans), 1);
	assert_int_equal(tc_last(&C)->ws, -1);
	assert_false(tc_last(&C)->ts);
	assert_false(tc_last(&C)->sack_perm);
	assert_int_equal(tc_last(&C)->mss, 1460);
}

/* SYN-RECEIVED (RFC 9293 §3.10.7.4, RFC 5961 §3): an ACK whose SEQ lies outside the window
 * does not complete the handshake (it gets an ACK); a RST in the window but not exact gets a
 * challenge ACK; then the real ACK completes it. */
static void
test_syn_rcvd_checks(void **state)
{
	(void)state;
	tc_init(&C, &H, 0, 40040, H_PORT, 500, 1);
	h_clear(&H);
	tc_send_at(&C, 500, PB_SYN, NULL, 0);
	assert_non_null(tc_last(&C));
	C.srv_iss = tc_last(&C)->seq;
	C.rcv_nxt = C.srv_iss + 1;
	C.snd_nxt = 501;
	h_clear(&H);
	tc_send_at(&C, 501 + (1u << 30), PB_ACK, NULL, 0);
	assert_int_equal(STAT(flows_opened), 0);
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->flags, PB_ACK);
	h_clear(&H);
	tc_send_at(&C, 510, PB_RST, NULL, 0);
	assert_int_equal(STAT(challenge_acks), 1);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
	tc_send_at(&C, 501, PB_ACK, NULL, 0);
	assert_int_equal(STAT(flows_opened), 1);
}

static void
test_unknown_port_rst(void **state)
{
	(void)state;
	tc_init(&C, &H, 0, 40004, 8080, 9, 0);
	tc_send_at(&C, 9, PB_SYN, NULL, 0);
	assert_non_null(tc_last(&C));
	assert_true(tc_last(&C)->flags & PB_RST);
	assert_int_equal(tc_last(&C)->ack, 10);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
	/* A stray ACK on a listening port: RST with SEQ = SEG.ACK. */
	h_clear(&H);
	tc_init(&C, &H, 0, 40005, H_PORT, 9, 0);
	C.rcv_nxt = 123456;
	tc_send_at(&C, 9, PB_ACK, NULL, 0);
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->flags, PB_RST);
	assert_int_equal(tc_last(&C)->seq, 123456);
}

static void
test_inorder_ack_every_two(void **state)
{
	struct rte_mbuf *m[5];
	uint32_t base, i, acks = 0;
	uint32_t mss = 1460 - 12; /* with timestamps */

	(void)state;
	tc_init(&C, &H, 0, 40010, H_PORT, 100000, 1);
	assert_int_equal(tc_connect(&C), 0);
	h_clear(&H);
	base = C.snd_nxt;
	for (i = 0; i < 5; i++)
		m[i] = tc_data_seg(&C, base + i * mss, mss);
	h_input_burst(&H, 0, m, 5);
	/* After segments 2 and 4, plus the end-of-burst ACK for segment 5. */
	for (i = 0; i < H.n_out; i++)
		if (H.out[i].dport == C.sport)
			acks++;
	assert_int_equal(acks, 3);
	assert_int_equal(H.out[0].ack, base + 2 * mss);
	assert_int_equal(H.out[1].ack, base + 4 * mss);
	assert_int_equal(H.out[2].ack, base + 5 * mss);
	assert_int_equal(STAT(tcp_payload_bytes), 5 * mss);
	/* Timestamps echo the last in-order segment's TSval. */
	assert_true(H.out[2].ts);
	assert_int_equal(H.out[2].tsecr, C.tsval);
	/* One small segment: ACKed at the end of its burst, never later. */
	h_clear(&H);
	C.snd_nxt = base + 5 * mss;
	tc_send(&C, "x", 1);
	assert_int_equal(H.n_out, 1);
	assert_int_equal(H.out[0].ack, C.snd_nxt);
}

static void
test_ooo_sack_and_gap_fill(void **state)
{
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40011, H_PORT, 7000, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b, 1000));
	assert_int_equal(tc_last(&C)->ack, b + 1000);
	/* A hole at [1000, 2000): immediate ACK with a SACK block for the new data. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 2000, 1000));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b + 1000);
	assert_int_equal(tc_last(&C)->nsack, 1);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 2000);
	assert_int_equal(tc_last(&C)->sack[0][1], b + 3000);
	/* A second island, then the first one grows: first block = most recent. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 5000, 500));
	assert_int_equal(tc_last(&C)->nsack, 2);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 5000);
	assert_int_equal(tc_last(&C)->sack[1][0], b + 2000);
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 3000, 1000));
	assert_int_equal(tc_last(&C)->nsack, 2);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 2000);
	assert_int_equal(tc_last(&C)->sack[0][1], b + 4000);
	/* Duplicate of old data: immediate ACK, counted. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b, 1000));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b + 1000);
	assert_int_equal(STAT(dup_segments), 1);
	/* Duplicate of stored out-of-order data. */
	h_input(&H, 0, tc_data_seg(&C, b + 2000, 1000));
	assert_int_equal(STAT(dup_segments), 2);
	/* Gap fill: cumulative ACK up to the second hole, at once (not at the end of the
	 * burst: the small in-order segment behind it gets its own end-of-burst ACK). */
	h_clear(&H);
	{
		struct rte_mbuf *m[2] = { tc_data_seg(&C, b + 1000, 1000),
					  tc_data_seg(&C, b + 4000, 100) };

		h_input_burst(&H, 0, m, 2);
	}
	assert_int_equal(H.n_out, 2);
	assert_int_equal(H.out[0].ack, b + 4000);
	assert_int_equal(H.out[0].nsack, 1);
	assert_int_equal(H.out[1].ack, b + 4100);
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 4100, 900));
	assert_int_equal(tc_last(&C)->ack, b + 5500);
	assert_int_equal(tc_last(&C)->nsack, 0);
	assert_int_equal(STAT(tcp_payload_bytes), 5500);
	assert_int_equal(STAT(ooo_segments), 4);
}

/* A gap-filling segment is ACKed at once, not at the end of its burst. */
static void
test_gap_fill_acked_at_once(void **state)
{
	struct rte_mbuf *m[2];
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40023, H_PORT, 3000, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_input(&H, 0, tc_data_seg(&C, b, 100));
	h_input(&H, 0, tc_data_seg(&C, b + 200, 100));
	h_clear(&H);
	m[0] = tc_data_seg(&C, b + 100, 100);
	m[1] = tc_data_seg(&C, b + 300, 50);
	h_input_burst(&H, 0, m, 2);
	assert_int_equal(H.n_out, 2);
	assert_int_equal(H.out[0].ack, b + 300);
	assert_int_equal(H.out[0].nsack, 0);
	assert_int_equal(H.out[1].ack, b + 350);
}

/* Count-only flows keep ranges: adjacent islands merge, the store is bounded, nothing of the
 * payload is held. */
static void
test_ooo_ranges_bounded(void **state)
{
	uint32_t b, i;

	(void)state;
	tc_init(&C, &H, 0, 40024, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	/* 34 islands of 100 bytes, 100 apart: a count-only flow keeps 32 holes (a Linux sender
	 * at 2 % loss with reordering leaves more than 8), two are dropped. */
	for (i = 0; i < 34; i++)
		h_input(&H, 0, tc_data_seg(&C, b + 200 + i * 200, 100));
	assert_int_equal(STAT(drop_ooo_full), 2);
	assert_int_equal(rte_mempool_in_use_count(H.mp), 0);
	/* Filling the space between islands 0 and 1 merges them (adjacent on both sides)... */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 300, 100));
	assert_int_equal(tc_last(&C)->nsack, 3);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 200);
	assert_int_equal(tc_last(&C)->sack[0][1], b + 500);
	/* ...and frees a slot: a new island far right is stored now. */
	h_input(&H, 0, tc_data_seg(&C, b + 9000, 100));
	assert_int_equal(STAT(drop_ooo_full), 2);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 9000);
	/* The hole at the start: everything up to the first gap is acknowledged. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b, 200));
	assert_int_equal(tc_last(&C)->ack, b + 500);
	assert_int_equal(STAT(tcp_payload_bytes), 500);
}

/* An out-of-order chain holds all its mbufs: the store's bounds count mbufs, not segments, per
 * flow and per stack, so that chained (LRO) segments cannot drain the shared pool. */
static void
out_of_order_chains(struct tc *c, uint32_t nb)
{
	struct pb_tcp p;
	uint32_t i, b = c->snd_nxt;

	for (i = 0; i < nb; i++) {
		/* 8000 bytes in 256-byte mbufs: a 32-mbuf chain, as LRO builds. */
		tc_fill(c, &p, b + 1 + i * 9000, PB_ACK, h_pat, 8000);
		p.seg_size = 256;
		p.ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		h_input(c->h, c->q, pb_tcp_mbuf(c->h->mp, &p));
	}
}

static void
test_ooo_mbufs_bounded(void **state)
{
	static struct tc many[12];
	uint32_t i, b;

	(void)state;
	tc_init(&C, &H, 0, 40030, H_PORT, 100, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	out_of_order_chains(&C, 8);
	assert_true(rte_mempool_in_use_count(H.mp) <= VNS_STACK_OOO_FLOW_MBUFS);
	assert_true(STAT(drop_ooo_full) > 0);
	for (i = 0; i < RTE_DIM(many); i++) {
		tc_init(&many[i], &H, 0, (uint16_t)(41000 + i), H_PORT, 1000 * i, 1);
		assert_int_equal(tc_connect(&many[i]), 0);
		out_of_order_chains(&many[i], 8);
	}
	assert_true(rte_mempool_in_use_count(H.mp) <= VNS_STACK_OOO_MBUFS);
	/* The pool still has room for ACKs: the last segment was answered. */
	h_clear(&H);
	out_of_order_chains(&many[0], 1);
	assert_non_null(tc_last(&many[0]));
	/* Filling the first flow's hole delivers what it holds and releases its mbufs. */
	h_input(&H, 0, tc_data_seg(&C, b, 1));
	assert_int_equal(tc_last(&C)->ack, b + 8001);
}

static void
test_sequence_wrap(void **state)
{
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40012, H_PORT, 0xfffff000u, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_input(&H, 0, tc_data_seg(&C, b, 3000));        /* up to 0xfffffbb9 */
	h_input(&H, 0, tc_data_seg(&C, b + 5000, 1000)); /* past the wrap, out of order */
	assert_int_equal(tc_last(&C)->ack, b + 3000);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 5000);
	h_input(&H, 0, tc_data_seg(&C, b + 3000, 2000)); /* crosses 2^32 */
	assert_int_equal(tc_last(&C)->ack, (uint32_t)(b + 6000));
	assert_true(tc_last(&C)->ack < 0x1000);
	assert_int_equal(STAT(tcp_payload_bytes), 6000);
}

/* RFC 5961 §5.2: data whose ACK lies more than MAX.SND.WND below SND.UNA is dropped and
 * answered with an ACK (a blind injector must then guess the ACK too); an old ACK within the
 * peer's largest window is still acceptable. */
static void
test_ack_lower_bound(void **state)
{
	uint32_t b, una;

	(void)state;
	tc_init(&C, &H, 0, 40031, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	una = C.rcv_nxt;
	h_clear(&H);
	C.rcv_nxt = una - (1u << 30);
	tc_send_at(&C, b, PB_ACK, h_pat, 100);
	assert_int_equal(STAT(tcp_payload_bytes), 0);
	assert_int_equal(STAT(drop_unacceptable), 1);
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b);
	/* Within the window the peer advertised: accepted. */
	C.rcv_nxt = una - 1000;
	tc_send_at(&C, b, PB_ACK, h_pat, 100);
	assert_int_equal(STAT(tcp_payload_bytes), 100);
	C.rcv_nxt = una;
}

static void
test_paws(void **state)
{
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40013, H_PORT, 1, 1);
	C.tsval = 100000;
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	tc_send(&C, h_pat, 100);
	assert_int_equal(tc_last(&C)->ack, b + 100);
	/* An old timestamp: dropped, duplicate ACK. */
	h_clear(&H);
	C.tsval = 50000;
	tc_send_at(&C, b + 100, PB_ACK, h_pat, 100);
	assert_int_equal(STAT(drop_paws), 1);
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b + 100);
	assert_int_equal(STAT(tcp_payload_bytes), 100);
	/* Fresh timestamp: accepted; TSecr follows. */
	C.tsval = 100010;
	tc_send_at(&C, b + 100, PB_ACK, h_pat, 100);
	assert_int_equal(tc_last(&C)->ack, b + 200);
	assert_int_equal(tc_last(&C)->tsecr, 100010);
}

static void
test_rst_rules(void **state)
{
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40014, H_PORT, 500, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	/* In the window but not exact: challenge ACK, connection stays. */
	h_clear(&H);
	tc_send_at(&C, b + 10, PB_RST, NULL, 0);
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->flags, PB_ACK);
	assert_int_equal(tc_last(&C)->ack, b);
	assert_int_equal(STAT(challenge_acks), 1);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
	/* Out of the window: silently dropped. */
	h_clear(&H);
	tc_send_at(&C, b - 100000, PB_RST, NULL, 0);
	assert_int_equal(H.n_out, 0);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
	/* A SYN on the established connection: challenge ACK (RFC 5961 §4), once the flow's
	 * challenge ACK interval has passed. */
	h_advance_ms(&H, 501);
	tc_send_at(&C, b + 7, PB_SYN, NULL, 0);
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->flags, PB_ACK);
	assert_int_equal(STAT(challenge_acks), 2);
	/* Exact: reset. */
	h_clear(&H);
	tc_send_at(&C, b, PB_RST, NULL, 0);
	assert_int_equal(H.n_out, 0);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
	assert_int_equal(STAT(rst_rcvd), 1);
}

/* RFC 5961 §7 and CVE-2016-5696: one flow gets at most one challenge ACK per 500 ms, so no
 * connection can drain (and so measure) a shared budget. */
static void
test_challenge_ack_rate_limit(void **state)
{
	uint32_t b, i;

	(void)state;
	tc_init(&C, &H, 0, 40015, H_PORT, 500, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	for (i = 0; i < 150; i++) {
		tc_send_at(&C, b + 1 + i, PB_RST, NULL, 0);
		h_clear(&H);
	}
	assert_int_equal(STAT(challenge_acks), 1);
	assert_int_equal(STAT(challenge_ack_limited), 149);
	h_advance_ms(&H, 501);
	tc_send_at(&C, b + 1, PB_RST, NULL, 0);
	assert_int_equal(STAT(challenge_acks), 2);
}

static int
setup_many(void **state)
{
	(void)state;
	return h_open_sink(&H, 1, H_SINK_PAYLOAD, 1024, 0);
}

/* The lcore's budget per second is drawn at random in [50, 150) each second (as Linux does
 * since CVE-2016-5696), so its exhaustion tells an observer nothing exact. */
static void
test_challenge_ack_budget_random(void **state)
{
	static struct tc many[400];
	uint64_t got[4], prev = 0;
	uint32_t i, round;
	bool differ = false;

	(void)state;
	for (i = 0; i < RTE_DIM(many); i++) {
		tc_init(&many[i], &H, 0, (uint16_t)(30000 + i), H_PORT, 10 * i, 1);
		assert_int_equal(tc_connect(&many[i]), 0);
		h_clear(&H);
	}
	for (round = 0; round < RTE_DIM(got); round++) {
		h_advance_ms(&H, 1001);
		for (i = 0; i < 200; i++) {
			struct tc *c = &many[round % 2 * 200 + i];

			tc_send_at(c, c->snd_nxt + 1, PB_RST, NULL, 0);
			h_clear(&H);
		}
		got[round] = STAT(challenge_acks) - prev;
		prev = STAT(challenge_acks);
		assert_true(got[round] >= 50 && got[round] < 150);
		differ = differ || got[round] != got[0];
	}
	/* Four equal draws from 100 values: about one run in a million. */
	assert_true(differ);
}

static void
test_window_never_retracted(void **state)
{
	uint32_t b, i, edge = 0;

	(void)state;
	tc_init(&C, &H, 0, 40016, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	for (i = 0; i < 40; i++) {
		uint32_t seq = b + (i % 3 == 1 ? i * 1000 + 3000 : i * 1000);
		uint32_t e;

		h_clear(&H);
		h_input(&H, 0, tc_data_seg(&C, seq, 1000));
		assert_non_null(tc_last(&C));
		e = tc_last(&C)->ack + ((uint32_t)tc_last(&C)->win << 7);
		assert_true(edge == 0 || (int32_t)(e - edge) >= 0);
		edge = e;
		/* Large enough for line rate: about 8 MB. */
		assert_true(((uint32_t)tc_last(&C)->win << 7) >= 4u * 1024 * 1024);
	}
	/* Beyond the right edge: not accepted, ACK with the old state. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, edge + 10, 100));
	assert_int_equal(STAT(drop_unacceptable), 1);
	assert_non_null(tc_last(&C));
}

static void
test_fin_close(void **state)
{
	uint32_t b;
	struct pb_tcp p;

	(void)state;
	tc_init(&C, &H, 0, 40017, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_clear(&H);
	tc_fill(&C, &p, b, PB_ACK | PB_FIN, h_pat, 10);
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->flags, PB_ACK | PB_FIN);
	assert_int_equal(tc_last(&C)->ack, b + 11);
	C.rcv_nxt = tc_last(&C)->seq + 1;
	C.snd_nxt = b + 11;
	tc_send_at(&C, b + 11, PB_ACK, NULL, 0);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
	assert_int_equal(STAT(flows_closed), 1);
}

static void
test_fin_out_of_order(void **state)
{
	uint32_t b;
	struct pb_tcp p;

	(void)state;
	tc_init(&C, &H, 0, 40018, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	tc_fill(&C, &p, b + 100, PB_ACK | PB_FIN, h_pat, 100);
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b, 100));
	assert_int_equal(tc_last(&C)->flags, PB_ACK | PB_FIN);
	assert_int_equal(tc_last(&C)->ack, b + 201);
}

static void
test_syn_flood_eviction(void **state)
{
	uint32_t i;

	(void)state;
	/* max_flows 64: half may be half-open; older half-open ones are evicted. */
	for (i = 0; i < 200; i++) {
		tc_init(&C, &H, 0, (uint16_t)(20000 + i), H_PORT, i, 0);
		tc_send_at(&C, i, PB_SYN, NULL, 0);
		h_clear(&H);
	}
	assert_true(vns_stack_nb_flows(H.st[0]) <= 64);
	assert_true(STAT(syn_evicted) >= 200 - 32);
	/* A real client still gets through. */
	tc_init(&C, &H, 0, 30000, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	assert_int_equal(STAT(flows_opened), 1);
}

/* Re-SYNs with new ISNs leave stale FIFO entries behind; they must not push still half-open
 * flows out of reach of eviction, or the next SYN evicts a legitimate client's half-open
 * instead of the oldest one (RFC 4987 §3.4). max_flows 64: 32 may be half-open. */
static void
test_syn_fifo_keeps_live_entries(void **state)
{
	struct tc legit;
	uint32_t i;

	(void)state;
	for (i = 0; i < 31; i++) {
		tc_init(&C, &H, 0, (uint16_t)(20000 + i), H_PORT, i, 0);
		tc_send_at(&C, i, PB_SYN, NULL, 0);
	}
	/* One tuple, 32 incarnations: each SYN with a new ISN replaces the previous one. */
	for (i = 0; i < 32; i++) {
		tc_init(&C, &H, 0, 21000, H_PORT, 1000 * i, 0);
		tc_send_at(&C, 1000 * i, PB_SYN, NULL, 0);
	}
	h_clear(&H);
	tc_init(&legit, &H, 0, 30000, H_PORT, 5, 1);
	tc_send_at(&legit, 5, PB_SYN, NULL, 0);
	assert_non_null(tc_last(&legit));
	legit.srv_iss = tc_last(&legit)->seq;
	legit.rcv_nxt = legit.srv_iss + 1;
	legit.snd_nxt = 6;
	/* One more SYN from a new tuple: it evicts the oldest half-open, not the legit one. */
	tc_init(&C, &H, 0, 22000, H_PORT, 1, 0);
	tc_send_at(&C, 1, PB_SYN, NULL, 0);
	tc_send_at(&legit, legit.snd_nxt, PB_ACK, NULL, 0);
	assert_int_equal(STAT(flows_opened), 1);
}

/* RFC 6528: ISS = M + F(4-tuple, secret), M a 4 us clock. One tuple's ISS moves with the clock
 * (250 per ms), not at random, and another tuple's lies elsewhere. */
static void
test_iss_rfc6528(void **state)
{
	struct tc other;
	uint32_t iss1, iss2, iss3;

	(void)state;
	tc_init(&C, &H, 0, 40032, H_PORT, 1000, 1);
	h_clear(&H);
	tc_send_at(&C, 1000, PB_SYN, NULL, 0);
	assert_non_null(tc_last(&C));
	iss1 = tc_last(&C)->seq;
	/* 1 ms later, a new attempt from the same tuple (another ISN replaces the half-open). */
	h_advance_ms(&H, 1);
	h_clear(&H);
	tc_send_at(&C, 5000, PB_SYN, NULL, 0);
	assert_non_null(tc_last(&C));
	iss2 = tc_last(&C)->seq;
	assert_true(iss2 - iss1 >= 249 && iss2 - iss1 <= 251);
	tc_init(&other, &H, 0, 40033, H_PORT, 1000, 1);
	h_clear(&H);
	tc_send_at(&other, 1000, PB_SYN, NULL, 0);
	assert_non_null(tc_last(&other));
	iss3 = tc_last(&other)->seq;
	assert_true(iss3 - iss2 > 100000 && iss2 - iss3 > 100000);
}

/* Only acceptable segments keep a flow from its idle timeout: out-of-window data, old
 * timestamps or ACKs of data never sent from someone who knows the 4-tuple do not. */
static void
test_idle_not_refreshed_by_junk(void **state)
{
	uint32_t b, i;

	(void)state;
	tc_init(&C, &H, 0, 40034, H_PORT, 1, 1);
	C.tsval = 1000;
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	for (i = 0; i < 14; i++) {
		h_advance_ms(&H, 50000);
		h_poll(&H);
		tc_send_at(&C, b + (1u << 30), PB_ACK, h_pat, 10); /* beyond the window */
		C.tsval = 1;
		tc_send_at(&C, b, PB_ACK, h_pat, 10); /* PAWS: old timestamp */
		C.tsval = 1000;
		h_clear(&H);
	}
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
	assert_int_equal(STAT(flows_aborted), 1);
}

/* An ACK that could not be built (pool empty) is not taken as sent: it goes out on the next
 * poll, and Last.ACK.sent (RFC 7323 §4.3) only follows ACKs really queued. The segment is out
 * of order, so the store keeps its mbuf and the pool stays empty for the ACK. */
static void
test_ack_retried_after_nombuf(void **state)
{
	static struct rte_mbuf *held[4096];
	struct rte_mbuf *seg;
	uint32_t b, n = 0;

	(void)state;
	tc_init(&C, &H, 0, 40035, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_clear(&H);
	seg = tc_data_seg(&C, b + 100, 100);
	while (n < RTE_DIM(held) && (held[n] = rte_pktmbuf_alloc(H.mp)) != NULL)
		n++;
	h_input(&H, 0, seg);
	assert_true(STAT(drop_nombuf) >= 1);
	assert_null(tc_last(&C));
	rte_pktmbuf_free_bulk(held, n);
	h_poll(&H);
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->ack, b);
	assert_int_equal(tc_last(&C)->nsack, 1);
}

/* RFC 2018 §4: after the first block (the latest segment's), the blocks most recently
 * reported follow, not the lowest ones; a duplicate does not count as news. */
static void
test_sack_recency_order(void **state)
{
	uint32_t b, i;

	(void)state;
	tc_init(&C, &H, 0, 40036, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	for (i = 0; i < 4; i++)
		h_input(&H, 0, tc_data_seg(&C, b + 1000 + 2000 * i, 100));
	/* Islands A, B, C, D at 1000, 3000, 5000, 7000; with timestamps 3 blocks fit. */
	assert_int_equal(tc_last(&C)->nsack, 3);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 7000);
	assert_int_equal(tc_last(&C)->sack[1][0], b + 5000);
	assert_int_equal(tc_last(&C)->sack[2][0], b + 3000);
	/* A grows: A, then D and C. */
	h_input(&H, 0, tc_data_seg(&C, b + 1100, 100));
	assert_int_equal(tc_last(&C)->sack[0][0], b + 1000);
	assert_int_equal(tc_last(&C)->sack[0][1], b + 1200);
	assert_int_equal(tc_last(&C)->sack[1][0], b + 7000);
	assert_int_equal(tc_last(&C)->sack[2][0], b + 5000);
	/* A duplicate of B is no news: after its D-SACK (RFC 2883), the order is unchanged. */
	h_input(&H, 0, tc_data_seg(&C, b + 3000, 100));
	h_input(&H, 0, tc_data_seg(&C, b + 9000, 100));
	assert_int_equal(tc_last(&C)->sack[0][0], b + 9000);
	assert_int_equal(tc_last(&C)->sack[1][0], b + 1000);
	assert_int_equal(tc_last(&C)->sack[2][0], b + 7000);
}

/* RFC 2883 D-SACK: the ACK of a duplicate reports it in its first SACK block (then the stored
 * block holding it, when it is out of order), once; the sender undoes a spurious
 * retransmission with it. */
static void
test_dsack(void **state)
{
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40037, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_input(&H, 0, tc_data_seg(&C, b, 1000));
	h_clear(&H);
	/* Below RCV.NXT. */
	h_input(&H, 0, tc_data_seg(&C, b + 200, 500));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b + 1000);
	assert_int_equal(tc_last(&C)->nsack, 1);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 200);
	assert_int_equal(tc_last(&C)->sack[0][1], b + 700);
	/* Partly old: the old part is the duplicate. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 900, 200));
	assert_int_equal(tc_last(&C)->ack, b + 1100);
	assert_int_equal(tc_last(&C)->nsack, 1);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 900);
	assert_int_equal(tc_last(&C)->sack[0][1], b + 1000);
	/* Reported once: the next ACK has no SACK block. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 1100, 2000));
	assert_int_equal(tc_last(&C)->nsack, 0);
	/* A duplicate of stored data: D-SACK, then the block holding it. */
	h_input(&H, 0, tc_data_seg(&C, b + 5000, 100));
	h_input(&H, 0, tc_data_seg(&C, b + 7000, 100));
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 5000, 100));
	assert_int_equal(tc_last(&C)->ack, b + 3100);
	assert_int_equal(tc_last(&C)->nsack, 3);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 5000);
	assert_int_equal(tc_last(&C)->sack[0][1], b + 5100);
	assert_int_equal(tc_last(&C)->sack[1][0], b + 5000);
	assert_int_equal(tc_last(&C)->sack[2][0], b + 7000);
}

/* RFC 7323 §3.2: once timestamps are on, a non-RST segment without a TSopt is dropped
 * silently; a RST needs none. */
static void
test_missing_tsopt_dropped(void **state)
{
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40038, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_clear(&H);
	C.ts = 0;
	h_input(&H, 0, tc_data_seg(&C, b, 100));
	assert_int_equal(STAT(tcp_payload_bytes), 0);
	assert_int_equal(H.n_out, 0);
	tc_send_at(&C, b, PB_RST, NULL, 0);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
}

/* The data segments of the last burst addressed to the client: count and bytes. */
static uint32_t
data_frames(struct tc *c, uint32_t *bytes)
{
	uint32_t i, n = 0, b = 0;

	for (i = 0; i < c->h->n_out; i++) {
		const struct pb_parsed *r = &c->h->out[i];

		if (r->proto == IPPROTO_TCP && r->dport == c->sport && r->plen > 0) {
			n++;
			b += r->plen;
		}
	}
	if (bytes != NULL)
		*bytes = b;
	return n;
}

/* SND.MAX: after a go-back-N limited by a smaller window, a late ACK of everything sent
 * before is accepted, and nothing more is retransmitted. */
static void
test_ack_above_rolled_back_snd_nxt(void **state)
{
	uint32_t una, bytes, i;

	(void)state;
	tc_init(&C, &H, 0, 40101, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	una = C.rcv_nxt;
	h_sink_reply.data = h_pat;
	h_sink_reply.len = 3000;
	h_clear(&H);
	tc_send(&C, "x", 1);
	assert_int_equal(data_frames(&C, &bytes), 3);
	assert_int_equal(bytes, 3000);
	/* The peer shrinks its window to 8 << 7 bytes and acknowledges nothing yet. */
	C.win = 8;
	tc_send_at(&C, C.snd_nxt, PB_ACK, NULL, 0);
	h_clear(&H);
	h_advance_ms(&H, 250);
	h_poll(&H);
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->seq, una);
	assert_true(tc_last(&C)->plen <= 1024);
	assert_int_equal(STAT(data_retrans), 1);
	/* The ACK of all 3000 bytes, sent before the peer saw the retransmission. */
	C.win = 65535;
	C.rcv_nxt = una + 3000;
	h_clear(&H);
	tc_send_at(&C, C.snd_nxt, PB_ACK, NULL, 0);
	for (i = 0; i < 20; i++) {
		h_advance_ms(&H, 500);
		h_poll(&H);
	}
	assert_int_equal(data_frames(&C, NULL), 0);
	assert_int_equal(STAT(data_retrans), 1);
	assert_int_equal(STAT(flows_aborted), 0);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
}

/* SND.WL1/WL2: a reordered older segment carrying a zero window does not close the window
 * a newer one opened. */
static void
test_window_update_order(void **state)
{
	struct pb_tcp p;
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40102, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	/* The newer segment (window open) overtakes the older one (sent with window 0). */
	C.win = 65535;
	tc_fill(&C, &p, b + 100, PB_ACK, h_pat + 100, 100);
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	h_sink_reply.data = h_pat;
	h_sink_reply.len = 10;
	h_clear(&H);
	C.win = 0;
	tc_fill(&C, &p, b, PB_ACK, h_pat, 100);
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	/* The reply triggered by the older segment's bytes goes out at once. */
	assert_int_equal(data_frames(&C, NULL), 1);
	assert_int_equal(tc_last(&C)->ack, b + 200);
}

/* A zero-window probe the peer refused: when the window opens, sending resumes from SND.UNA
 * at once (not from after the refused byte, which only the RTO would bring back). */
static void
test_refused_probe_resumes(void **state)
{
	uint32_t una, bytes;

	(void)state;
	tc_init(&C, &H, 0, 40103, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	una = C.rcv_nxt;
	h_sink_reply.data = h_pat;
	h_sink_reply.len = 100;
	C.win = 0;
	h_clear(&H);
	tc_send(&C, "x", 1);
	assert_int_equal(data_frames(&C, NULL), 0); /* the window is closed */
	h_clear(&H);
	h_advance_ms(&H, 250);
	h_poll(&H);
	assert_int_equal(data_frames(&C, &bytes), 1); /* the probe */
	assert_int_equal(bytes, 1);
	assert_int_equal(tc_last(&C)->seq, una);
	/* Refused: the ACK does not cover it and the window stays closed. */
	tc_send_at(&C, C.snd_nxt, PB_ACK, NULL, 0);
	/* The window update. */
	C.win = 65535;
	h_clear(&H);
	tc_send_at(&C, C.snd_nxt, PB_ACK, NULL, 0);
	assert_int_equal(data_frames(&C, &bytes), 1);
	assert_int_equal(tc_last(&C)->seq, una);
	assert_int_equal(bytes, 100);
}

/* Drives one connection through our active close into TIME-WAIT: the service closes, the
 * peer ACKs our FIN (FIN-WAIT-2), then sends its own. */
static void
close_to_time_wait(struct tc *c, uint16_t sport)
{
	tc_init(c, &H, 0, sport, H_PORT, 1, 1);
	assert_int_equal(tc_connect(c), 0);
	h_sink_reply.close = true;
	h_clear(&H);
	tc_send(c, "x", 1);
	assert_non_null(tc_last(c));
	assert_true(tc_last(c)->flags & PB_FIN);
	tc_recv(c, 1);
	assert_true(c->fin_rcvd);
	h_clear(&H);
	c->tsval++;
	tc_send_at(c, c->snd_nxt, PB_ACK | PB_FIN, NULL, 0);
	c->snd_nxt++;
	assert_non_null(tc_last(c));
	assert_int_equal(tc_last(c)->ack, c->snd_nxt);
}

/* RFC 9293 §3.6 / RFC 1122 4.2.2.13: when we close first, the peer's FIN before the ACK of
 * ours leads to CLOSING (ours is still retransmitted), then TIME-WAIT, which re-ACKs a
 * retransmitted FIN and ends after 2 MSL. */
static void
test_closing_and_time_wait(void **state)
{
	uint32_t una, bytes;

	(void)state;
	tc_init(&C, &H, 0, 40104, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	una = C.rcv_nxt;
	h_sink_reply.data = h_pat;
	h_sink_reply.len = 10;
	h_sink_reply.close = true;
	h_clear(&H);
	tc_send(&C, "x", 1);
	assert_int_equal(data_frames(&C, &bytes), 1);
	assert_int_equal(bytes, 10);
	assert_true(tc_last(&C)->flags & PB_FIN);
	/* Our data and FIN are lost; the peer closes too, acknowledging nothing of ours. */
	h_clear(&H);
	C.tsval++;
	tc_send_at(&C, C.snd_nxt, PB_ACK | PB_FIN, NULL, 0);
	C.snd_nxt++;
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->ack, C.snd_nxt);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1); /* CLOSING */
	h_clear(&H);
	h_advance_ms(&H, 250);
	h_poll(&H);
	assert_int_equal(data_frames(&C, &bytes), 1);
	assert_int_equal(tc_last(&C)->seq, una);
	assert_int_equal(bytes, 10);
	assert_true(tc_last(&C)->flags & PB_FIN);
	/* Both acknowledged: TIME-WAIT. */
	tc_recv(&C, 1);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
	assert_int_equal(STAT(flows_closed), 1);
	/* Our last ACK was lost: the peer's FIN again gets it again. */
	h_clear(&H);
	C.tsval++;
	tc_send_at(&C, C.snd_nxt - 1, PB_ACK | PB_FIN, NULL, 0);
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->ack, C.snd_nxt);
	assert_int_equal(tc_last(&C)->flags, PB_ACK);
	h_advance_ms(&H, 59000);
	h_poll(&H);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
	h_advance_ms(&H, 2000);
	h_poll(&H);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
	assert_int_equal(STAT(flows_closed), 1);
	assert_int_equal(STAT(rst_sent), 0);
}

/* FIN-WAIT-2 -> TIME-WAIT; a SYN with a newer timestamp reopens the tuple at once
 * (RFC 6191), an older one does not. */
static void
test_time_wait_reuse(void **state)
{
	struct pb_tcp p;

	(void)state;
	close_to_time_wait(&C, 40105);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
	/* Not newer: no new connection. */
	tc_fill(&C, &p, C.snd_nxt + 1000, PB_SYN, NULL, 0);
	p.ack = 0;
	p.tsval = C.tsval - 5;
	h_clear(&H);
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(STAT(time_wait_reused), 0);
	assert_true(tc_last(&C) == NULL || tc_last(&C)->flags != (PB_SYN | PB_ACK));
	/* Newer: reopened. */
	p.tsval = C.tsval + 5;
	h_clear(&H);
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(STAT(time_wait_reused), 1);
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->flags, PB_SYN | PB_ACK);
	assert_int_equal(tc_last(&C)->ack, C.snd_nxt + 1001);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
}

/* TIME-WAIT is bounded (a quarter of the flow table, 16 of 64 here): the oldest is evicted
 * for a new one, and a SYN that finds the table full takes a TIME-WAIT slot first. */
static void
test_time_wait_bounded(void **state)
{
	static struct tc many[20];
	uint32_t i;

	(void)state;
	for (i = 0; i < 17; i++)
		close_to_time_wait(&many[i], (uint16_t)(41000 + i));
	assert_int_equal(STAT(time_wait_evicted), 1);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 16);
	assert_int_equal(vns_stack_nb_time_wait(H.st[0]), 16);
	/* The evicted one was the oldest: its FIN again finds no connection (RST). */
	h_clear(&H);
	tc_send_at(&many[0], many[0].snd_nxt - 1, PB_ACK | PB_FIN, NULL, 0);
	assert_non_null(tc_last(&many[0]));
	assert_true(tc_last(&many[0])->flags & PB_RST);
	h_clear(&H);
	tc_send_at(&many[16], many[16].snd_nxt - 1, PB_ACK | PB_FIN, NULL, 0);
	assert_non_null(tc_last(&many[16]));
	assert_int_equal(tc_last(&many[16])->flags, PB_ACK);
	/* Fill the table with established flows: the new SYNs take TIME-WAIT slots. */
	for (i = 0; i < 48; i++) {
		tc_init(&C, &H, 0, (uint16_t)(42000 + i), H_PORT, 1, 1);
		assert_int_equal(tc_connect(&C), 0);
	}
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 64);
	tc_init(&C, &H, 0, 43000, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	assert_int_equal(STAT(time_wait_evicted), 2);
	assert_int_equal(STAT(drop_flow_table_full), 0);
}

/* TSvals carry a per-connection offset: two connections at the same moment differ, and a
 * connection's own TSvals still advance with the clock. */
static void
test_tsval_offset_per_flow(void **state)
{
	struct tc c2;
	uint32_t t1, t2, t1b;

	(void)state;
	tc_init(&C, &H, 0, 40106, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	t1 = C.ts_recent;
	tc_init(&c2, &H, 0, 40107, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&c2), 0);
	t2 = c2.ts_recent;
	assert_true(t1 != t2);
	h_advance_ms(&H, 10);
	h_clear(&H);
	tc_send(&C, "abcdef", 6);
	tc_send(&C, "abcdef", 6);
	h_poll(&H);
	assert_non_null(tc_last(&C));
	t1b = tc_last(&C)->tsval;
	assert_true(t1b - t1 >= 10 && t1b - t1 < 20);
}

/* While data is held out of order, every in-order segment is ACKed at once (the sender is
 * in recovery), not every second one. */
static void
test_ooo_every_segment_acked(void **state)
{
	struct rte_mbuf *m[2];
	uint32_t b, i, acks = 0;

	(void)state;
	tc_init(&C, &H, 0, 40108, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_input(&H, 0, tc_data_seg(&C, b + 3 * 1448, 1448));
	h_clear(&H);
	m[0] = tc_data_seg(&C, b, 1448);
	m[1] = tc_data_seg(&C, b + 1448, 1448);
	h_input_burst(&H, 0, m, 2);
	for (i = 0; i < H.n_out; i++) {
		if (H.out[i].dport != C.sport)
			continue;
		assert_int_equal(H.out[i].ack, b + 1448 * (acks + 1));
		assert_int_equal(H.out[i].nsack, 1);
		acks++;
	}
	assert_int_equal(acks, 2);
}

/* A 600 s idle timer waits in the coarse wheel and moves once to the fine one: no re-filing
 * every 1.024 s (O(flows) work per second), and it fires on time. A deadline beyond the
 * coarse wheel's reach (about 17.9 min) is refiled once per reach and fires too. */
static void
test_idle_timer_not_refiled(void **state)
{
	struct vns_stack *st = H.st[0];
	struct vns_flow *f;
	uint32_t i;

	(void)state;
	tc_init(&C, &H, 0, 40109, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	for (i = 0; i < 599; i++) {
		h_advance_ms(&H, 1000);
		h_poll(&H);
	}
	assert_int_equal(st->tw.refiled, 0);
	assert_int_equal(vns_stack_nb_flows(st), 1);
	h_advance_ms(&H, 1500);
	h_poll(&H);
	assert_int_equal(vns_stack_nb_flows(st), 0);
	assert_int_equal(STAT(flows_aborted), 1);

	tc_init(&C, &H, 0, 40110, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	f = vns_flow_lookup(&st->ft,
			    vns_flow_key(rte_cpu_to_be_32(H_CLIENT_IP), rte_cpu_to_be_16(40110),
					 rte_cpu_to_be_16(H_PORT)));
	assert_non_null(f);
	vns_timer_arm(st, f, H.now + 1800 * H.hz);
	for (i = 0; i < 1799; i++) {
		h_advance_ms(&H, 1000);
		h_poll(&H);
	}
	assert_int_equal(vns_stack_nb_flows(st), 1);
	assert_true(st->tw.refiled >= 1 && st->tw.refiled <= 2);
	h_advance_ms(&H, 1500);
	h_poll(&H);
	assert_int_equal(vns_stack_nb_flows(st), 0);
}

/* Reordering, as a Linux sender meets it: segment A is delayed, the sender's fast
 * retransmission A' (newer TSval) fills the hole first, then the original A arrives. PAWS
 * rejects A (older TSval than TS.Recent), and its ACK still reports it as a D-SACK so that
 * the sender can undo the spurious retransmission's window reduction. */
static void
test_paws_reject_reports_dsack(void **state)
{
	uint32_t b, t0;

	(void)state;
	tc_init(&C, &H, 0, 40111, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	t0 = C.tsval;
	/* A (b, TSval t0+1) is delayed; B and C arrive out of order. */
	C.tsval = t0 + 1;
	h_input(&H, 0, tc_data_seg(&C, b + 1448, 1448));
	h_input(&H, 0, tc_data_seg(&C, b + 2896, 1448));
	/* A' with a newer TSval fills the hole. */
	C.tsval = t0 + 3;
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b, 1448));
	assert_int_equal(tc_last(&C)->ack, b + 4344);
	assert_int_equal(tc_last(&C)->tsecr, t0 + 3);
	/* The original A. */
	C.tsval = t0 + 1;
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b, 1448));
	assert_int_equal(STAT(drop_paws), 1);
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b + 4344);
	assert_int_equal(tc_last(&C)->nsack, 1);
	assert_int_equal(tc_last(&C)->sack[0][0], b);
	assert_int_equal(tc_last(&C)->sack[0][1], b + 1448);
}

/* PAWS tolerates one tick, as Linux does: the original of a later segment, reordered behind
 * another hole's retransmission sent a millisecond after it, is new data and is taken. */
static void
test_paws_one_tick_reordered(void **state)
{
	uint32_t b, t0;

	(void)state;
	tc_init(&C, &H, 0, 40112, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	t0 = C.tsval;
	/* A is lost, B arrives, C (sent at t0 + 2) is delayed. */
	C.tsval = t0 + 1;
	h_input(&H, 0, tc_data_seg(&C, b + 1448, 1448));
	/* A's retransmission, sent at t0 + 3, fills the hole. */
	C.tsval = t0 + 3;
	h_input(&H, 0, tc_data_seg(&C, b, 1448));
	/* C, one tick older than TS.Recent, in order now. */
	C.tsval = t0 + 2;
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 2896, 1448));
	assert_int_equal(STAT(drop_paws), 0);
	assert_int_equal(STAT(tcp_payload_bytes), 3 * 1448);
	h_poll(&H);
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->ack, b + 3 * 1448);
}

/* Loss plus reordering: A is lost, C is delayed, and A's retransmission, sent four ticks
 * after C, fills the hole and moves TS.Recent. C then arrives older than PAWS's one tick
 * allows, yet it carries the only copy of bytes in the window and was sent after the
 * handshake: it is new data, no duplicate of an earlier wrap, and is taken, in order or not,
 * instead of costing the sender a second retransmission. A segment older than the
 * connection's first TSval is still PAWS's old duplicate, and TS.Recent never goes back. */
static void
test_paws_reordered_new_data(void **state)
{
	uint32_t b, t0;

	(void)state;
	tc_init(&C, &H, 0, 40113, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	t0 = C.tsval;
	/* A (b) is lost, B arrives, C (b + 2896, sent at t0 + 2) is delayed. */
	C.tsval = t0 + 1;
	h_input(&H, 0, tc_data_seg(&C, b + 1448, 1448));
	C.tsval = t0 + 6;
	h_input(&H, 0, tc_data_seg(&C, b, 1448));
	assert_int_equal(tc_last(&C)->ack, b + 2896);
	/* C, four ticks older than TS.Recent, in order now. */
	C.tsval = t0 + 2;
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 2896, 1448));
	assert_int_equal(STAT(drop_paws), 0);
	assert_int_equal(STAT(tcp_payload_bytes), 3 * 1448);
	h_poll(&H);
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->ack, b + 3 * 1448);
	assert_int_equal(tc_last(&C)->tsecr, t0 + 6);
	/* E, as old, beyond a hole: stored and SACKed. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 5 * 1448, 1448));
	assert_int_equal(STAT(drop_paws), 0);
	assert_int_equal(tc_last(&C)->nsack, 1);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 5 * 1448);
	assert_int_equal(tc_last(&C)->sack[0][1], b + 6 * 1448);
	/* Older than anything this connection sent: dropped with an ACK. */
	C.tsval = t0 - 1000;
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 3 * 1448, 1448));
	assert_int_equal(STAT(drop_paws), 1);
	assert_int_equal(STAT(tcp_payload_bytes), 3 * 1448);
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b + 3 * 1448);
	assert_int_equal(tc_last(&C)->tsecr, t0 + 6);
}

/* In-order data past the connection's first 64 KB gets one ACK per rx burst (a stretch ACK,
 * as a Linux receiver sends one per GRO aggregate), up to 64 KB per ACK; the first 64 KB are
 * ACKed every second full segment (quick ACKs while the sender is in slow start). */
static void
test_inorder_ack_per_burst(void **state)
{
	struct rte_mbuf *m[48];
	uint32_t base, i, k, acks;
	const uint32_t mss = 1448;

	(void)state;
	tc_init(&C, &H, 0, 40116, H_PORT, 7, 1);
	assert_int_equal(tc_connect(&C), 0);
	base = C.snd_nxt;
	/* Quick ACKs: 16 segments, 23 KB, one ACK per two. */
	h_clear(&H);
	for (i = 0; i < 16; i++)
		m[i] = tc_data_seg(&C, base + i * mss, mss);
	h_input_burst(&H, 0, m, 16);
	for (i = 0, acks = 0; i < H.n_out; i++)
		acks += H.out[i].dport == C.sport;
	assert_int_equal(acks, 8);
	/* Past 64 KB from the ISN: one ACK for a burst of 30 segments, once VNS_ACK_HOLD_US
	 * have passed (the next poll after that). */
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 30; i++)
			m[i] = tc_data_seg(&C, base + (16 + k * 30 + i) * mss, mss);
		h_input_burst(&H, 0, m, 30);
		h_advance_ms(&H, 1);
		h_poll(&H);
	}
	h_clear(&H);
	for (i = 0; i < 15; i++)
		m[i] = tc_data_seg(&C, base + (76 + i) * mss, mss);
	h_input_burst(&H, 0, m, 15);
	h_poll(&H);
	assert_int_equal(H.n_out, 0);
	/* A second burst within the hold shares the ACK. */
	for (i = 0; i < 15; i++)
		m[i] = tc_data_seg(&C, base + (91 + i) * mss, mss);
	h_input_burst(&H, 0, m, 15);
	assert_int_equal(H.n_out, 0);
	H.now += H.hz / 1000000 * VNS_ACK_HOLD_US;
	h_poll(&H);
	assert_int_equal(H.n_out, 1);
	assert_int_equal(H.out[0].dport, C.sport);
	assert_int_equal(H.out[0].ack, base + 106 * mss);
	assert_int_equal(H.out[0].tsecr, C.tsval);
	/* A burst larger than 64 KB: an ACK once 64 KB are unacknowledged, the rest after the
	 * hold. */
	h_clear(&H);
	for (i = 0; i < 48; i++)
		m[i] = tc_data_seg(&C, base + (106 + i) * mss, mss);
	h_input_burst(&H, 0, m, 48);
	assert_int_equal(H.n_out, 1);
	assert_int_equal(H.out[0].ack, base + (106 + 46) * mss);
	h_advance_ms(&H, 1);
	h_poll(&H);
	assert_int_equal(H.n_out, 2);
	assert_int_equal(H.out[1].ack, base + 154 * mss);
	assert_int_equal(STAT(tcp_payload_bytes), 154 * mss);
	/* A hole: the out-of-order segment is still answered at once. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, base + 155 * mss, mss));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(H.out[0].ack, base + 154 * mss);
	assert_int_equal(H.out[0].nsack, 1);
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, base + 154 * mss, mss));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(H.out[0].ack, base + 156 * mss);
}

/* SACK compression: after three duplicate ACKs for one RCV.NXT, out-of-order segments that
 * only extend the newest SACK block share one ACK at the end of the rx burst; a segment that
 * opens another block, and a duplicate, are answered at once, and the hole's fill is. */
static void
test_ooo_sack_coalesced_per_burst(void **state)
{
	struct rte_mbuf *m[8];
	uint32_t b, i, acks = 0;
	const struct pb_parsed *r = NULL;

	(void)state;
	tc_init(&C, &H, 0, 40114, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	tc_send(&C, h_pat, 100); /* an ACK for b + 100 went out: the ones below are duplicates */
	h_poll(&H);
	b += 100;
	h_clear(&H);
	/* The segment at b is lost; eight behind it arrive in one burst. */
	for (i = 0; i < 8; i++)
		m[i] = tc_data_seg(&C, b + 1448 * (i + 1), 1448);
	h_input_burst(&H, 0, m, 8);
	for (i = 0; i < H.n_out; i++) {
		if (H.out[i].dport != C.sport)
			continue;
		assert_int_equal(H.out[i].ack, b);
		r = &H.out[i];
		acks++;
	}
	/* Three duplicate ACKs at once, then one for the rest of the burst. */
	assert_int_equal(acks, 4);
	assert_non_null(r);
	assert_int_equal(r->nsack, 1);
	assert_int_equal(r->sack[0][0], b + 1448);
	assert_int_equal(r->sack[0][1], b + 9 * 1448);
	/* Another island: a new block, ACKed at once, first. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 11 * 1448, 1448));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 11 * 1448);
	assert_int_equal(tc_last(&C)->sack[1][0], b + 1448);
	/* Extending it: nothing new to tell before the burst ends, then one ACK. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 12 * 1448, 1448));
	assert_int_equal(tc_last(&C)->sack[0][1], b + 13 * 1448);
	/* A duplicate: its D-SACK at once. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b + 12 * 1448, 1448));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 12 * 1448);
	/* The fill: at once, up to the next hole. */
	h_clear(&H);
	h_input(&H, 0, tc_data_seg(&C, b, 1448));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b + 9 * 1448);
}

/* The same with payload kept: adjacent stored segments are one SACK block too. */
static void
test_ooo_sack_coalesced_payload(void **state)
{
	test_ooo_sack_coalesced_per_burst(state);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_handshake_options, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_handshake_no_options, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_syn_retransmission, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_syn_retransmission_fewer_options, setup1,
						teardown),
		cmocka_unit_test_setup_teardown(test_syn_rcvd_checks, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_port_rst, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_inorder_ack_every_two, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_ooo_sack_and_gap_fill, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_gap_fill_acked_at_once, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_ooo_ranges_bounded, setup1_count, teardown),
		cmocka_unit_test_setup_teardown(test_ooo_mbufs_bounded, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_sequence_wrap, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_ack_lower_bound, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_paws, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_rst_rules, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_challenge_ack_rate_limit, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_challenge_ack_budget_random, setup_many,
						teardown),
		cmocka_unit_test_setup_teardown(test_window_never_retracted, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_fin_close, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_fin_out_of_order, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_syn_flood_eviction, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_syn_fifo_keeps_live_entries, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_iss_rfc6528, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_idle_not_refreshed_by_junk, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_ack_retried_after_nombuf, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_sack_recency_order, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_dsack, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_missing_tsopt_dropped, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_ack_above_rolled_back_snd_nxt, setup1,
						teardown),
		cmocka_unit_test_setup_teardown(test_window_update_order, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_refused_probe_resumes, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_closing_and_time_wait, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_time_wait_reuse, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_time_wait_bounded, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_tsval_offset_per_flow, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_ooo_every_segment_acked, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_idle_timer_not_refiled, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_paws_reject_reports_dsack, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_paws_one_tick_reordered, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_paws_reordered_new_data, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_ooo_sack_coalesced_per_burst, setup1_count,
						teardown),
		cmocka_unit_test_setup_teardown(test_ooo_sack_coalesced_payload, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_inorder_ack_per_burst, setup1_count, teardown),
	};

	(void)argc;
	h_eal_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
