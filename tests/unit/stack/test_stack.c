/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the vnetsink stack: crafted frames through the real vns_stack_input() /
 * vns_stack_poll(), replies parsed back. Every test ends with the mempool fully returned
 * (no mbuf leak on any path, including drops and stored out-of-order payload).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <rte_arp.h>
#include <rte_icmp.h>

#include "harness.h"

static struct h H;
static struct tc C, C2, C3;

static int setup1(void **state)
{
	(void)state;
	return h_open(&H, 1, 1, 64, 0);
}

static int setup1_nosha(void **state)
{
	(void)state;
	return h_open(&H, 1, 0, 64, 0);
}

static int setup2(void **state)
{
	(void)state;
	return h_open(&H, 2, 1, 64, 0);
}

static int teardown(void **state)
{
	(void)state;
	if (h_close(&H) != 0) {
		fprintf(stderr, "mbuf leak (%u in use) or frame above the MTU\n",
			rte_mempool_in_use_count(H.mp));
		return -1;
	}
	return 0;
}

#define STAT(name) h_stat(&H, 0, #name)

/* ---- L2/L3 ---------------------------------------------------------------------------- */

static void test_arp_reply(void **state)
{
	struct rte_ether_addr cmac = {{0x02, 0, 0, 0, 0, 0x02}};

	(void)state;
	h_input(&H, 0, pb_arp_request(H.mp, &cmac, H_CLIENT_IP, H_STACK_IP));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(H.out[0].ether_type, RTE_ETHER_TYPE_ARP);
	assert_int_equal(H.out[0].arp_op, RTE_ARP_OP_REPLY);
	assert_int_equal(H.out[0].arp_sip, H_STACK_IP);
	assert_int_equal(H.out[0].arp_tip, H_CLIENT_IP);
	assert_memory_equal(&H.out[0].dst_mac, &cmac, 6);
	assert_int_equal(H.out[0].arp_sha.addr_bytes[5], 0x01);
	assert_int_equal(STAT(arp_replies), 1);
	h_clear(&H);
	/* Someone else's address: no answer. */
	h_input(&H, 0, pb_arp_request(H.mp, &cmac, H_CLIENT_IP, RTE_IPV4(198u, 18, 0, 9)));
	assert_int_equal(H.n_out, 0);
	assert_int_equal(STAT(drop_not_ours), 1);
}

static void test_icmp_echo(void **state)
{
	struct rte_ether_addr cmac = {{0x02, 0, 0, 0, 0, 0x02}};
	struct rte_ether_addr smac = {{0x02, 0, 0, 0, 0, 0x01}};

	(void)state;
	h_input(&H, 0, pb_icmp_echo(H.mp, &cmac, &smac, H_CLIENT_IP, H_STACK_IP, 77, 5, 101));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(H.out[0].proto, IPPROTO_ICMP);
	assert_int_equal(H.out[0].icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	assert_true(H.out[0].icmp_csum_ok);
	assert_true(H.out[0].ip_csum_ok);
	assert_int_equal(H.out[0].icmp_id, 77);
	assert_int_equal(H.out[0].icmp_seq, 5);
	assert_int_equal(H.out[0].plen, 101);
	assert_int_equal(H.out[0].dst_ip, H_CLIENT_IP);
	assert_int_equal(H.out[0].src_ip, H_STACK_IP);
	assert_int_equal(STAT(icmp_echo_replies), 1);
}

/* ---- handshake -------------------------------------------------------------------------- */

static void test_handshake_options(void **state)
{
	struct pb_tcp p;
	const struct pb_parsed *r;

	(void)state;
	tc_init(&C, &H, 0, 40001, H_DISCARD_PORT, 1000, 1);
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
	tc_send_at(&C, 1001, PB_ACK, NULL, 0);
	assert_int_equal(STAT(flows_opened), 1);
}

static void test_handshake_no_options(void **state)
{
	struct pb_tcp p;
	const struct pb_parsed *r;

	(void)state;
	tc_init(&C, &H, 0, 40002, H_DISCARD_PORT, 5, 0);
	tc_fill(&C, &p, 5, PB_SYN, NULL, 0);
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	r = tc_last(&C);
	assert_non_null(r);
	assert_int_equal(r->flags, PB_SYN | PB_ACK);
	assert_int_equal(r->mss, 1460);   /* MSS is always sent */
	assert_int_equal(r->ws, -1);      /* nothing else unless offered */
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

static void test_syn_retransmission(void **state)
{
	struct pb_tcp p;
	struct pb_parsed first;

	(void)state;
	tc_init(&C, &H, 0, 40003, H_IPERF_PORT, 77, 1);
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
	/* Unanswered: the SYN-ACK is retransmitted by the timer, then the flow expires. */
	h_clear(&H);
	h_advance_ms(&H, 1100);
	h_poll(&H);
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->seq, first.seq);
	{
		int i;

		for (i = 0; i < 4; i++) {
			h_advance_ms(&H, 20000);
			h_poll(&H);
		}
	}
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
	assert_int_equal(STAT(flows_aborted), 1);
}

static void test_unknown_port_rst(void **state)
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
	tc_init(&C, &H, 0, 40005, H_DISCARD_PORT, 9, 0);
	C.rcv_nxt = 123456;
	tc_send_at(&C, 9, PB_ACK, NULL, 0);
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->flags, PB_RST);
	assert_int_equal(tc_last(&C)->seq, 123456);
}

/* ---- data and ACK policy ---------------------------------------------------------------- */

static uint8_t pat[70000];

static struct rte_mbuf *data_seg(struct tc *c, uint32_t seq, uint32_t len)
{
	struct pb_tcp p;

	tc_fill(c, &p, seq, PB_ACK, pat + ((seq - c->srv_iss) % 1000), len);
	return pb_tcp_mbuf(H.mp, &p);
}

static void test_inorder_ack_every_two(void **state)
{
	struct rte_mbuf *m[5];
	uint32_t base, i, acks = 0;
	uint32_t mss = 1460 - 12; /* with timestamps */

	(void)state;
	tc_init(&C, &H, 0, 40010, H_DISCARD_PORT, 100000, 1);
	assert_int_equal(tc_connect(&C), 0);
	h_clear(&H);
	base = C.snd_nxt;
	for (i = 0; i < 5; i++)
		m[i] = data_seg(&C, base + i * mss, mss);
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

static void test_ooo_sack_and_gap_fill(void **state)
{
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40011, H_DISCARD_PORT, 7000, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_clear(&H);
	h_input(&H, 0, data_seg(&C, b, 1000));
	assert_int_equal(tc_last(&C)->ack, b + 1000);
	/* A hole at [1000, 2000): immediate ACK with a SACK block for the new data. */
	h_clear(&H);
	h_input(&H, 0, data_seg(&C, b + 2000, 1000));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b + 1000);
	assert_int_equal(tc_last(&C)->nsack, 1);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 2000);
	assert_int_equal(tc_last(&C)->sack[0][1], b + 3000);
	/* A second island, then the first one grows: first block = most recent. */
	h_clear(&H);
	h_input(&H, 0, data_seg(&C, b + 5000, 500));
	assert_int_equal(tc_last(&C)->nsack, 2);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 5000);
	assert_int_equal(tc_last(&C)->sack[1][0], b + 2000);
	h_clear(&H);
	h_input(&H, 0, data_seg(&C, b + 3000, 1000));
	assert_int_equal(tc_last(&C)->nsack, 2);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 2000);
	assert_int_equal(tc_last(&C)->sack[0][1], b + 4000);
	/* Duplicate of old data: immediate ACK, counted. */
	h_clear(&H);
	h_input(&H, 0, data_seg(&C, b, 1000));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b + 1000);
	assert_int_equal(STAT(dup_segments), 1);
	/* Duplicate of stored out-of-order data. */
	h_input(&H, 0, data_seg(&C, b + 2000, 1000));
	assert_int_equal(STAT(dup_segments), 2);
	/* Gap fill: cumulative ACK up to the second hole, at once (not at the end of the
	 * burst: the small in-order segment behind it gets its own end-of-burst ACK). */
	h_clear(&H);
	{
		struct rte_mbuf *m[2] = {data_seg(&C, b + 1000, 1000), data_seg(&C, b + 4000, 100)};

		h_input_burst(&H, 0, m, 2);
	}
	assert_int_equal(H.n_out, 2);
	assert_int_equal(H.out[0].ack, b + 4000);
	assert_int_equal(H.out[0].nsack, 1);
	assert_int_equal(H.out[1].ack, b + 4100);
	h_clear(&H);
	h_input(&H, 0, data_seg(&C, b + 4100, 900));
	assert_int_equal(tc_last(&C)->ack, b + 5500);
	assert_int_equal(tc_last(&C)->nsack, 0);
	assert_int_equal(STAT(tcp_payload_bytes), 5500);
	assert_int_equal(STAT(ooo_segments), 4);
}

/* A gap-filling segment is ACKed at once, not at the end of its burst. */
static void test_gap_fill_acked_at_once(void **state)
{
	struct rte_mbuf *m[2];
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40023, H_DISCARD_PORT, 3000, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_input(&H, 0, data_seg(&C, b, 100));
	h_input(&H, 0, data_seg(&C, b + 200, 100));
	h_clear(&H);
	m[0] = data_seg(&C, b + 100, 100);
	m[1] = data_seg(&C, b + 300, 50);
	h_input_burst(&H, 0, m, 2);
	assert_int_equal(H.n_out, 2);
	assert_int_equal(H.out[0].ack, b + 300);
	assert_int_equal(H.out[0].nsack, 0);
	assert_int_equal(H.out[1].ack, b + 350);
}

/* Count-only flows keep ranges: adjacent islands merge, the store is bounded, nothing of the
 * payload is held. */
static void test_ooo_ranges_bounded(void **state)
{
	uint32_t b, i;

	(void)state;
	tc_init(&C, &H, 0, 40024, H_DISCARD_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	/* Ten islands of 100 bytes, 100 apart: eight fit, two are dropped. */
	for (i = 0; i < 10; i++)
		h_input(&H, 0, data_seg(&C, b + 200 + i * 200, 100));
	assert_int_equal(STAT(drop_ooo_full), 2);
	assert_int_equal(rte_mempool_in_use_count(H.mp), 0);
	/* Filling the space between islands 0 and 1 merges them (adjacent on both sides)... */
	h_clear(&H);
	h_input(&H, 0, data_seg(&C, b + 300, 100));
	assert_int_equal(tc_last(&C)->nsack, 3);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 200);
	assert_int_equal(tc_last(&C)->sack[0][1], b + 500);
	/* ...and frees a slot: a new island far right is stored now. */
	h_input(&H, 0, data_seg(&C, b + 5000, 100));
	assert_int_equal(STAT(drop_ooo_full), 2);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 5000);
	/* The hole at the start: everything up to the first gap is acknowledged. */
	h_clear(&H);
	h_input(&H, 0, data_seg(&C, b, 200));
	assert_int_equal(tc_last(&C)->ack, b + 500);
	assert_int_equal(STAT(tcp_payload_bytes), 500);
}

static void test_sequence_wrap(void **state)
{
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40012, H_DISCARD_PORT, 0xfffff000u, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_input(&H, 0, data_seg(&C, b, 3000));            /* up to 0xfffffbb9 */
	h_input(&H, 0, data_seg(&C, b + 5000, 1000));     /* past the wrap, out of order */
	assert_int_equal(tc_last(&C)->ack, b + 3000);
	assert_int_equal(tc_last(&C)->sack[0][0], b + 5000);
	h_input(&H, 0, data_seg(&C, b + 3000, 2000));     /* crosses 2^32 */
	assert_int_equal(tc_last(&C)->ack, (uint32_t)(b + 6000));
	assert_true(tc_last(&C)->ack < 0x1000);
	assert_int_equal(STAT(tcp_payload_bytes), 6000);
}

static void test_paws(void **state)
{
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40013, H_DISCARD_PORT, 1, 1);
	C.tsval = 100000;
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	tc_send(&C, pat, 100);
	assert_int_equal(tc_last(&C)->ack, b + 100);
	/* An old timestamp: dropped, duplicate ACK. */
	h_clear(&H);
	C.tsval = 50000;
	tc_send_at(&C, b + 100, PB_ACK, pat, 100);
	assert_int_equal(STAT(drop_paws), 1);
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b + 100);
	assert_int_equal(STAT(tcp_payload_bytes), 100);
	/* Fresh timestamp: accepted; TSecr follows. */
	C.tsval = 100010;
	tc_send_at(&C, b + 100, PB_ACK, pat, 100);
	assert_int_equal(tc_last(&C)->ack, b + 200);
	assert_int_equal(tc_last(&C)->tsecr, 100010);
}

static void test_rst_rules(void **state)
{
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40014, H_DISCARD_PORT, 500, 1);
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
	/* A SYN on the established connection: challenge ACK (RFC 5961 §4). */
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

static void test_challenge_ack_rate_limit(void **state)
{
	uint32_t b, i;

	(void)state;
	tc_init(&C, &H, 0, 40015, H_DISCARD_PORT, 500, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	for (i = 0; i < 150; i++) {
		tc_send_at(&C, b + 1 + i, PB_RST, NULL, 0);
		h_clear(&H);
	}
	assert_int_equal(STAT(challenge_acks), 100);
	assert_int_equal(STAT(challenge_ack_limited), 50);
	h_advance_ms(&H, 1001);
	tc_send_at(&C, b + 1, PB_RST, NULL, 0);
	assert_int_equal(STAT(challenge_acks), 101);
}

static void test_window_never_retracted(void **state)
{
	uint32_t b, i, edge = 0;

	(void)state;
	tc_init(&C, &H, 0, 40016, H_DISCARD_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	for (i = 0; i < 40; i++) {
		uint32_t seq = b + (i % 3 == 1 ? i * 1000 + 3000 : i * 1000);
		uint32_t e;

		h_clear(&H);
		h_input(&H, 0, data_seg(&C, seq, 1000));
		assert_non_null(tc_last(&C));
		e = tc_last(&C)->ack + ((uint32_t)tc_last(&C)->win << 7);
		assert_true(edge == 0 || (int32_t)(e - edge) >= 0);
		edge = e;
		/* Large enough for line rate: about 8 MB. */
		assert_true(((uint32_t)tc_last(&C)->win << 7) >= 4u * 1024 * 1024);
	}
	/* Beyond the right edge: not accepted, ACK with the old state. */
	h_clear(&H);
	h_input(&H, 0, data_seg(&C, edge + 10, 100));
	assert_int_equal(STAT(drop_unacceptable), 1);
	assert_non_null(tc_last(&C));
}

static void test_fin_close(void **state)
{
	uint32_t b;
	struct pb_tcp p;

	(void)state;
	tc_init(&C, &H, 0, 40017, H_DISCARD_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_clear(&H);
	tc_fill(&C, &p, b, PB_ACK | PB_FIN, pat, 10);
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

static void test_fin_out_of_order(void **state)
{
	uint32_t b;
	struct pb_tcp p;

	(void)state;
	tc_init(&C, &H, 0, 40018, H_DISCARD_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	tc_fill(&C, &p, b + 100, PB_ACK | PB_FIN, pat, 100);
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	h_clear(&H);
	h_input(&H, 0, data_seg(&C, b, 100));
	assert_int_equal(tc_last(&C)->flags, PB_ACK | PB_FIN);
	assert_int_equal(tc_last(&C)->ack, b + 201);
}

static void test_bad_checksums(void **state)
{
	struct pb_tcp p;
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40019, H_DISCARD_PORT, 1, 0);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_clear(&H);
	tc_fill(&C, &p, b, PB_ACK, pat, 100);
	p.bad_tcp_csum = 1;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(H.n_out, 0);
	assert_int_equal(STAT(drop_bad_csum), 1);
	p.bad_tcp_csum = 0;
	p.bad_ip_csum = 1;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(STAT(drop_bad_csum), 2);
	/* The device says BAD: dropped without looking. */
	p.bad_ip_csum = 0;
	p.ol_flags = RTE_MBUF_F_RX_L4_CKSUM_BAD;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(STAT(drop_bad_csum), 3);
	/* GOOD or NONE (partial checksum, data intact): trusted. */
	p.bad_tcp_csum = 1;
	p.ol_flags = RTE_MBUF_F_RX_L4_CKSUM_NONE | RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(STAT(drop_bad_csum), 3);
	assert_int_equal(STAT(tcp_payload_bytes), 100);
	assert_int_equal(tc_last(&C)->ack, b + 100);
}

static void fix_ip_csum(uint8_t *f)
{
	uint16_t c;

	f[14 + 10] = 0;
	f[14 + 11] = 0;
	c = (uint16_t)~rte_raw_cksum(f + 14, 20);
	memcpy(f + 14 + 10, &c, 2);
}

static void test_malformed_frames(void **state)
{
	static uint8_t f[2048];
	struct pb_tcp p;
	uint32_t len, drops = 0;
	struct rte_mbuf *m;

	(void)state;
	pb_tcp_defaults(&p);
	p.flags = PB_SYN;
	len = pb_tcp_frame(&p, f, sizeof(f));

	/* truncated Ethernet */
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, 10, 0, 0));
	assert_int_equal(STAT(drop_malformed), ++drops);
	/* truncated IPv4 header */
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, 14 + 12, 0, 0));
	assert_int_equal(STAT(drop_malformed), ++drops);
	/* IHL 4 */
	f[14] = 0x44;
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len, 0, 0));
	assert_int_equal(STAT(drop_malformed), ++drops);
	/* IHL 15 beyond the datagram */
	f[14] = 0x4f;
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len, 0, 0));
	assert_true(STAT(drop_malformed) + STAT(drop_bad_csum) >= drops + 1);
	drops = (uint32_t)STAT(drop_malformed);
	f[14] = 0x45;
	/* total length beyond the frame */
	f[16] = 0x05;
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len, 0, 0));
	assert_int_equal(STAT(drop_malformed), ++drops);
	len = pb_tcp_frame(&p, f, sizeof(f));
	/* TCP data offset 4 (< 5 words) */
	f[14 + 20 + 12] = 0x40;
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len, 0, RTE_MBUF_F_RX_L4_CKSUM_GOOD));
	assert_int_equal(STAT(drop_malformed), ++drops);
	/* TCP data offset beyond the segment */
	f[14 + 20 + 12] = 0xf0;
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len, 0, RTE_MBUF_F_RX_L4_CKSUM_GOOD));
	assert_int_equal(STAT(drop_malformed), ++drops);
	/* truncated TCP header */
	len = pb_tcp_frame(&p, f, sizeof(f));
	f[16] = 0;
	f[17] = 30;
	fix_ip_csum(f);
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, 14 + 30, 0, 0));
	assert_int_equal(STAT(drop_malformed), ++drops);
	/* a header split across chained mbufs is fine (read, not rejected) */
	len = pb_tcp_frame(&p, f, sizeof(f));
	m = pb_raw_mbuf(H.mp, f, len, 20, 0);
	assert_non_null(m);
	assert_true(m->nb_segs > 2);
	h_input(&H, 0, m);
	assert_int_equal(STAT(syn_rcvd), 1);
	assert_int_equal(STAT(drop_malformed), drops);
	/* fragments and other protocols */
	len = pb_tcp_frame(&p, f, sizeof(f));
	f[14 + 6] = 0x20; /* MF */
	fix_ip_csum(f);
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len, 0, 0));
	assert_int_equal(STAT(drop_frag), 1);
	/* Ethernet padding after the datagram is ignored. */
	p.sport = 555;
	p.eth_pad = 6;
	h_clear(&H);
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(STAT(syn_rcvd), 2);
}

static void test_lro_chain_segment(void **state)
{
	struct pb_tcp p;
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40020, H_DISCARD_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_clear(&H);
	tc_fill(&C, &p, b, PB_ACK, pat, 64000);
	p.seg_size = 1500;
	p.ol_flags = RTE_MBUF_F_RX_LRO;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b + 64000);
	assert_int_equal(STAT(large_segments), 1);
	assert_int_equal(STAT(drop_bad_csum), 0);
}

/* ---- discard port, integrity mode --------------------------------------------------------- */

static void sha256_hex(const uint8_t *d, size_t n, char out[65])
{
	uint8_t md[32];
	unsigned int l = 0, i;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, d, n);
	EVP_DigestFinal_ex(c, md, &l);
	EVP_MD_CTX_free(c);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void close_client(struct tc *c)
{
	h_clear(c->h);
	tc_send_at(c, c->snd_nxt, PB_ACK | PB_FIN, NULL, 0);
	c->snd_nxt++;
	assert_non_null(tc_last(c));
	assert_true(tc_last(c)->flags & PB_FIN);
	c->rcv_nxt = tc_last(c)->seq + 1;
	tc_send_at(c, c->snd_nxt, PB_ACK, NULL, 0);
}

static void test_discard_sha256(void **state)
{
	static uint8_t data[200000];
	struct vns_closed_rec rec[4];
	char want[65];
	struct pb_tcp p;
	uint32_t b, i, off;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	sha256_hex(data, sizeof(data), want);

	tc_init(&C, &H, 0, 40021, H_DISCARD_PORT, 0xffff0000u, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	/* 1000-byte segments; every fourth pair swapped; one LRO chain in the middle. */
	for (off = 0; off < sizeof(data);) {
		uint32_t n = RTE_MIN(1000u, (uint32_t)sizeof(data) - off);

		if (off == 100000) {
			tc_fill(&C, &p, b + off, PB_ACK, data + off, 30000);
			p.seg_size = 700;
			p.ol_flags = RTE_MBUF_F_RX_LRO;
			h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
			off += 30000;
		} else if ((off / 1000) % 4 == 1 && off + 2000 <= sizeof(data) && off != 99000) {
			tc_fill(&C, &p, b + off + 1000, PB_ACK, data + off + 1000, 1000);
			h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
			tc_fill(&C, &p, b + off, PB_ACK, data + off, 1000);
			h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
			off += 2000;
		} else {
			tc_fill(&C, &p, b + off, PB_ACK, data + off, n);
			h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
			off += n;
		}
		h_clear(&H);
	}
	assert_int_equal(vns_stack_drain_closed(H.st[0], rec, 4), 0);
	C.snd_nxt = b + sizeof(data);
	close_client(&C);
	assert_int_equal(vns_stack_drain_closed(H.st[0], rec, 4), 1);
	assert_int_equal(rec[0].kind, VNS_CLOSED_DISCARD);
	assert_int_equal(rec[0].bytes, sizeof(data));
	assert_true(rec[0].has_sha256);
	assert_string_equal(rec[0].sha256_hex, want);
	assert_int_equal(rec[0].peer_port, rte_cpu_to_be_16(40021));
	assert_true(STAT(ooo_segments) > 10);

	/* Known answer: SHA-256("abc"). */
	tc_init(&C, &H, 0, 40022, H_DISCARD_PORT, 1, 0);
	assert_int_equal(tc_connect(&C), 0);
	tc_send(&C, "a", 1);
	tc_send(&C, "bc", 2);
	close_client(&C);
	assert_int_equal(vns_stack_drain_closed(H.st[0], rec, 4), 1);
	assert_string_equal(rec[0].sha256_hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* ---- iperf3 ------------------------------------------------------------------------------ */

static const char COOKIE[37] = "abcdefghijklmnopqrstuvwxyz2345672345";
static const char COOKIE2[37] = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";

static void send_json(struct tc *c, const char *js)
{
	uint8_t buf[4096];
	uint32_t n = (uint32_t)strlen(js), be = rte_cpu_to_be_32(n);

	memcpy(buf, &be, 4);
	memcpy(buf + 4, js, n);
	tc_send(c, buf, n + 4);
}

/* Polls both stacks and lets the client read; returns what arrived since last time. */
static uint32_t pump(struct tc *c, uint32_t *seen)
{
	uint32_t before = *seen;

	h_poll(c->h);
	tc_recv(c, 1);
	h_poll(c->h);
	tc_recv(c, 1);
	*seen = c->rx_len;
	return c->rx_len - before;
}

static void ctrl_open(struct tc *c, unsigned int q, uint16_t sport, const char *cookie)
{
	tc_init(c, &H, q, sport, H_IPERF_PORT, sport * 1000u, 1);
	assert_int_equal(tc_connect(c), 0);
	tc_send(c, cookie, 37);
}

static void test_iperf3_full_test(void **state)
{
	uint32_t seen = 0, seen2 = 0, b1, b2, i;
	struct vns_closed_rec rec[4];
	json_error_t jerr;
	json_t *res, *streams;
	uint32_t len;
	uint64_t bytes1 = 0, bytes3 = 0;

	(void)state;
	/* Control connection on queue 0. */
	ctrl_open(&C, 0, 50000, COOKIE);
	assert_int_equal(pump(&C, &seen), 1);
	assert_int_equal(C.rx[0], 9); /* PARAM_EXCHANGE */
	/* Parameters split across two segments. */
	{
		const char *js = "{\"tcp\":true,\"omit\":0,\"time\":10,\"num\":0,\"blockcount\":0,"
				 "\"parallel\":2,\"len\":131072,\"pacing_timer\":1000,"
				 "\"client_version\":\"3.12\",\"unknown_key\":[1,2]}";
		uint8_t buf[512];
		uint32_t n = (uint32_t)strlen(js), be = rte_cpu_to_be_32(n);

		memcpy(buf, &be, 4);
		memcpy(buf + 4, js, n);
		tc_send(&C, buf, 10);
		assert_int_equal(pump(&C, &seen), 0);
		tc_send(&C, buf + 10, n + 4 - 10);
	}
	assert_int_equal(pump(&C, &seen), 1);
	assert_int_equal(C.rx[1], 10); /* CREATE_STREAMS */

	/* Stream A on queue 1 (first SYN -> id 1): cookie split in two. */
	tc_init(&C2, &H, 1, 50001, H_IPERF_PORT, 1, 1);
	assert_int_equal(tc_connect(&C2), 0);
	H.now += 10;
	/* Stream B on queue 0 (second SYN -> id 3): cookie bytes out of order. */
	tc_init(&C3, &H, 0, 50002, H_IPERF_PORT, 0xfffffff0u, 1);
	assert_int_equal(tc_connect(&C3), 0);
	tc_send_at(&C3, C3.snd_nxt + 20, PB_ACK, COOKIE + 20, 17);
	tc_send(&C2, COOKIE, 5);
	tc_send_at(&C3, C3.snd_nxt, PB_ACK, COOKIE, 20);
	C3.snd_nxt += 37;
	tc_send(&C2, COOKIE + 5, 32);
	pump(&C, &seen);
	assert_int_equal(seen, 4);
	assert_int_equal(C.rx[2], 1); /* TEST_START */
	assert_int_equal(C.rx[3], 2); /* TEST_RUNNING */

	/* Data: stream A 3 x 1000 in order, stream B with a hole filled later. */
	b1 = C2.snd_nxt;
	b2 = C3.snd_nxt;
	for (i = 0; i < 3; i++) {
		h_input(&H, 1, data_seg(&C2, b1 + i * 1000, 1000));
	}
	h_input(&H, 0, data_seg(&C3, b2 + 500, 700));
	h_input(&H, 0, data_seg(&C3, b2, 500));
	bytes1 = 3000;
	bytes3 = 1200;
	h_clear(&H);

	/* TEST_END -> EXCHANGE_RESULTS */
	tc_send(&C, "\x04", 1);
	assert_int_equal(pump(&C, &seen), 1);
	assert_int_equal(C.rx[4], 13);
	/* Data after TEST_END is ACKed but not counted. */
	h_input(&H, 1, data_seg(&C2, b1 + 3000, 1000));
	assert_int_equal(tc_last(&C2)->ack, b1 + 4000);
	/* Client results, then ours + DISPLAY_RESULTS. */
	send_json(&C, "{\"cpu_util_total\":1,\"streams\":[]}");
	pump(&C, &seen);
	assert_true(seen > 9);
	memcpy(&len, C.rx + 5, 4);
	len = rte_be_to_cpu_32(len);
	assert_int_equal(seen, 5 + 4 + len + 1);
	assert_int_equal(C.rx[seen - 1], 14); /* DISPLAY_RESULTS */
	res = json_loadb((const char *)C.rx + 9, len, 0, &jerr);
	assert_non_null(res);
	assert_non_null(json_object_get(res, "cpu_util_total"));
	assert_non_null(json_object_get(res, "cpu_util_user"));
	assert_non_null(json_object_get(res, "cpu_util_system"));
	assert_int_equal(json_integer_value(json_object_get(res, "sender_has_retransmits")), -1);
	streams = json_object_get(res, "streams");
	assert_int_equal(json_array_size(streams), 2);
	for (i = 0; i < 2; i++) {
		json_t *s = json_array_get(streams, i);
		json_int_t id = json_integer_value(json_object_get(s, "id"));
		json_int_t by = json_integer_value(json_object_get(s, "bytes"));

		assert_non_null(json_object_get(s, "retransmits"));
		assert_non_null(json_object_get(s, "jitter"));
		assert_non_null(json_object_get(s, "errors"));
		assert_non_null(json_object_get(s, "packets"));
		assert_non_null(json_object_get(s, "end_time"));
		assert_true(id == 1 || id == 3);
		assert_int_equal(by, id == 1 ? bytes1 : bytes3);
	}
	json_decref(res);
	/* IPERF_DONE, then the client closes; the test record has the counted bytes. */
	tc_send(&C, "\x10", 1);
	h_poll(&H);
	assert_int_equal(vns_stack_drain_closed(H.st[0], rec, 4), 1);
	assert_int_equal(rec[0].kind, VNS_CLOSED_IPERF3_TEST);
	assert_int_equal(rec[0].bytes, bytes1 + bytes3);
	assert_int_equal(rec[0].nb_streams, 2);
	assert_int_equal(rec[0].reason, VNS_CLOSE_FIN);
	assert_int_equal(h_stat(&H, 0, "iperf_tests"), 1);
	close_client(&C);
	(void)seen2;

	/* The next test can start (on the other queue this time). */
	h_clear(&H);
	ctrl_open(&C2, 1, 50010, COOKIE2);
	seen2 = 0;
	pump(&C2, &seen2);
	assert_true(seen2 >= 1);
	assert_int_equal(C2.rx[C2.rx_len - 1], 9);
}

/* Bytes count from TEST_RUNNING + omit to TEST_END, as iperf3's own server reports them. */
static void test_iperf3_omit(void **state)
{
	uint32_t seen = 0, len, b;
	json_error_t jerr;
	json_t *res, *s;
	struct vns_closed_rec rec[2];

	(void)state;
	ctrl_open(&C, 0, 50400, COOKIE);
	pump(&C, &seen);
	send_json(&C, "{\"tcp\":true,\"omit\":1,\"time\":2,\"parallel\":1}");
	pump(&C, &seen);
	assert_int_equal(C.rx[1], 10);
	tc_init(&C2, &H, 1, 50401, H_IPERF_PORT, 77, 1);
	assert_int_equal(tc_connect(&C2), 0);
	tc_send(&C2, COOKIE, 37);
	pump(&C, &seen);
	assert_int_equal(C.rx[3], 2); /* TEST_RUNNING */
	b = C2.snd_nxt;
	h_input(&H, 1, data_seg(&C2, b, 500));         /* omitted */
	h_advance_ms(&H, 1100);
	h_input(&H, 1, data_seg(&C2, b + 500, 700));   /* counted */
	h_advance_ms(&H, 2000);
	h_input(&H, 1, data_seg(&C2, b + 1200, 300));  /* counted */
	h_clear(&H);
	tc_send(&C, "\x04", 1);
	pump(&C, &seen);
	send_json(&C, "{}");
	pump(&C, &seen);
	memcpy(&len, C.rx + 5, 4);
	len = rte_be_to_cpu_32(len);
	res = json_loadb((const char *)C.rx + 9, len, 0, &jerr);
	assert_non_null(res);
	s = json_array_get(json_object_get(res, "streams"), 0);
	assert_non_null(s);
	assert_int_equal(json_integer_value(json_object_get(s, "id")), 1);
	assert_int_equal(json_integer_value(json_object_get(s, "bytes")), 1000);
	/* end_time is the counted interval: 3.1 s after TEST_RUNNING minus the 1 s omitted. */
	assert_true(json_real_value(json_object_get(s, "end_time")) > 2.0 &&
		    json_real_value(json_object_get(s, "end_time")) < 2.2);
	json_decref(res);
	tc_send(&C, "\x10", 1);
	h_poll(&H);
	assert_int_equal(vns_stack_drain_closed(H.st[0], rec, 2), 1);
	assert_int_equal(rec[0].bytes, 1000);
}

/* 12 streams: ids 1, 3..13; the results JSON spans several full-size segments, none of
 * them above the MTU once the timestamp option is counted (the harness checks every frame). */
static void test_iperf3_many_streams(void **state)
{
	static struct tc s[12];
	uint32_t seen = 0, len, i, got = 0;
	json_error_t jerr;
	json_t *res, *arr;
	int ids[16] = {0};

	(void)state;
	ctrl_open(&C, 0, 50500, COOKIE);
	pump(&C, &seen);
	send_json(&C, "{\"tcp\":true,\"omit\":0,\"time\":1,\"parallel\":12}");
	pump(&C, &seen);
	for (i = 0; i < 12; i++) {
		tc_init(&s[i], &H, i % 2, (uint16_t)(50501 + i), H_IPERF_PORT, i * 100000u, 1);
		assert_int_equal(tc_connect(&s[i]), 0);
		tc_send(&s[i], COOKIE, 37);
		H.now += 100;
		h_poll(&H);
	}
	pump(&C, &seen);
	assert_int_equal(C.rx[seen - 1], 2); /* TEST_RUNNING */
	for (i = 0; i < 12; i++)
		h_input(&H, i % 2, data_seg(&s[i], s[i].snd_nxt, 100 + i));
	h_clear(&H);
	tc_send(&C, "\x04", 1);
	pump(&C, &seen);
	send_json(&C, "{}");
	pump(&C, &seen);
	pump(&C, &seen);
	memcpy(&len, C.rx + 5, 4);
	len = rte_be_to_cpu_32(len);
	assert_true(len > 1448);
	assert_int_equal(seen, 5 + 4 + len + 1);
	res = json_loadb((const char *)C.rx + 9, len, 0, &jerr);
	assert_non_null(res);
	arr = json_object_get(res, "streams");
	assert_int_equal(json_array_size(arr), 12);
	for (i = 0; i < 12; i++) {
		json_t *o = json_array_get(arr, i);
		json_int_t id = json_integer_value(json_object_get(o, "id"));
		json_int_t by = json_integer_value(json_object_get(o, "bytes"));

		assert_true(id == 1 || (id >= 3 && id <= 13));
		assert_int_equal(ids[id], 0);
		ids[id] = 1;
		/* SYN order = client order: stream i got id 1 (i = 0) or i + 2. */
		assert_int_equal(by, 100 + (id == 1 ? 0 : id - 2));
		got += (uint32_t)by;
	}
	assert_int_equal(got, 12 * 100 + 66);
	json_decref(res);
}

static void test_iperf3_busy_denied(void **state)
{
	uint32_t seen = 0, seen2 = 0;

	(void)state;
	ctrl_open(&C, 0, 50100, COOKIE);
	pump(&C, &seen);
	assert_int_equal(C.rx[0], 9);
	/* A second client, on the other queue. */
	ctrl_open(&C2, 1, 50101, COOKIE2);
	pump(&C2, &seen2);
	assert_int_equal(seen2, 1);
	assert_int_equal(C2.rx[0], 0xff); /* ACCESS_DENIED */
	assert_true(C2.fin_rcvd);
	assert_int_equal(h_stat(&H, 1, "iperf_denied"), 1);
	/* The first client's control connection vanishes: the test is cleaned up. */
	tc_send_at(&C, C.snd_nxt, PB_RST, NULL, 0);
	h_poll(&H);
	assert_int_equal(h_stat(&H, 0, "iperf_aborted"), 1);
	ctrl_open(&C3, 1, 50102, COOKIE2);
	seen = 0;
	pump(&C3, &seen);
	assert_int_equal(C3.rx[0], 9);
}

static void expect_server_error(struct tc *c, uint32_t *seen, int32_t code, int32_t err)
{
	int32_t v;

	pump(c, seen);
	assert_true(c->rx_len >= 10);
	assert_int_equal(c->rx[1], 0xfe);
	memcpy(&v, c->rx + 2, 4);
	assert_int_equal((int32_t)rte_be_to_cpu_32((uint32_t)v), code);
	memcpy(&v, c->rx + 6, 4);
	assert_int_equal((int32_t)rte_be_to_cpu_32((uint32_t)v), err);
	assert_true(c->fin_rcvd);
}

static void test_iperf3_refusals(void **state)
{
	uint32_t seen = 0;
	uint8_t big[4] = {0x00, 0x10, 0x00, 0x01}; /* 1 MiB + 1 */

	(void)state;
	ctrl_open(&C, 0, 50200, COOKIE);
	pump(&C, &seen);
	send_json(&C, "{\"tcp\":true,\"omit\":0,\"time\":10,\"parallel\":1,\"reverse\":true}");
	expect_server_error(&C, &seen, 13, 0);
	assert_int_equal(h_stat(&H, 0, "iperf_refused"), 1);

	ctrl_open(&C2, 0, 50201, COOKIE2);
	seen = 0;
	pump(&C2, &seen);
	send_json(&C2, "{\"udp\":true,\"parallel\":1}");
	expect_server_error(&C2, &seen, 13, 0);

	ctrl_open(&C3, 1, 50202, COOKIE);
	seen = 0;
	pump(&C3, &seen);
	assert_int_equal(C3.rx[0], 9);
	tc_send(&C3, big, 4);
	expect_server_error(&C3, &seen, 114, 90 /* EMSGSIZE */);
	assert_int_equal(h_stat(&H, 1, "iperf_refused"), 1);
}

/* The control connection's replies are retransmitted until acknowledged, and wait for a
 * closed window to open. */
static void test_iperf3_ctrl_retransmit_and_zero_window(void **state)
{
	uint32_t seen = 0;
	uint32_t seq;

	(void)state;
	tc_init(&C, &H, 0, 50300, H_IPERF_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	h_clear(&H);
	C.win = 0;
	tc_send(&C, COOKIE, 37);
	h_poll(&H);
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->plen, 0); /* only the ACK: the window is closed */
	h_clear(&H);
	C.win = 65535;
	tc_send_at(&C, C.snd_nxt, PB_ACK, NULL, 0); /* window update */
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->plen, 1);
	seq = tc_last(&C)->seq;
	/* Not acknowledged: retransmitted after the RTO. */
	h_clear(&H);
	h_advance_ms(&H, 250);
	h_poll(&H);
	assert_non_null(tc_last(&C));
	assert_int_equal(tc_last(&C)->seq, seq);
	assert_int_equal(tc_last(&C)->plen, 1);
	assert_int_equal(tc_last(&C)->payload[0], 9);
	tc_recv(&C, 1);
	h_clear(&H);
	h_advance_ms(&H, 5000);
	h_poll(&H);
	assert_null(tc_last(&C));
	(void)seen;
}

static void test_tx_offload_flags(void **state)
{
	struct h *h = &H;

	(void)state;
	/* Re-open with offloads: the parser checks the pseudo-header sum instead. */
	assert_int_equal(h_close(h), 0);
	assert_int_equal(h_open(h, 1, 0, 16, VNS_TXOFF_IPV4_CKSUM | VNS_TXOFF_TCP_CKSUM), 0);
	tc_init(&C, h, 0, 40030, H_DISCARD_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	tc_send(&C, "abc", 3);
	assert_non_null(tc_last(&C));
	assert_true(tc_last(&C)->tcp_csum_ok);
	assert_true(tc_last(&C)->ip_csum_ok);
}

static void test_syn_flood_eviction(void **state)
{
	uint32_t i;

	(void)state;
	/* max_flows 64: half may be half-open; older half-open ones are evicted. */
	for (i = 0; i < 200; i++) {
		tc_init(&C, &H, 0, (uint16_t)(20000 + i), H_DISCARD_PORT, i, 0);
		tc_send_at(&C, i, PB_SYN, NULL, 0);
		h_clear(&H);
	}
	assert_true(vns_stack_nb_flows(H.st[0]) <= 64);
	assert_true(STAT(syn_evicted) >= 200 - 32);
	/* A real client still gets through. */
	tc_init(&C, &H, 0, 30000, H_DISCARD_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	assert_int_equal(STAT(flows_opened), 1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_arp_reply, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_handshake_options, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_handshake_no_options, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_syn_retransmission, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_port_rst, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_inorder_ack_every_two, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_ooo_sack_and_gap_fill, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_gap_fill_acked_at_once, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_ooo_ranges_bounded, setup1_nosha, teardown),
		cmocka_unit_test_setup_teardown(test_sequence_wrap, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_paws, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_rst_rules, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_challenge_ack_rate_limit, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_window_never_retracted, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_fin_close, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_fin_out_of_order, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_bad_checksums, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_frames, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_lro_chain_segment, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_discard_sha256, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_full_test, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_omit, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_many_streams, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_busy_denied, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_refusals, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_ctrl_retransmit_and_zero_window, setup1,
						teardown),
		cmocka_unit_test_setup_teardown(test_tx_offload_flags, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_syn_flood_eviction, setup1, teardown),
	};
	uint32_t i;

	(void)argc;
	h_eal_init(argv[0]);
	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i % 251);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
