/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of iperf3 -u on the receive side: the per-stream accounting (vns_iperf3_udp.c:
 * loss, reordering, duplicates, RFC 1889 jitter against hand-computed values, 32- and 64-bit
 * counters, omit), the connect handshake's magic, and the whole UDP test over two stacks
 * (control connection on one queue, the UDP stream on the other) with the results JSON the
 * iperf3 3.12 client reads. The mempool must be fully returned after each test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>

#include "harness.h"
#include "vns_iperf3_udp.h"
#include "vns_services.h"

static struct h H;
static struct tc C;

static const struct vns_service_bind binds[] = {
	{ H_IPERF_PORT, &vns_iperf3_ops, NULL },
};

static int
setup2(void **state)
{
	(void)state;
	return h_open(&H, 2, binds, RTE_DIM(binds), 64, 0);
}

static int
teardown(void **state)
{
	(void)state;
	return h_close_checked(&H);
}

/* An iperf3 datagram header: send time sec.usec, packet count (32 or 64 bits). */
static uint32_t
hdr(uint8_t *b, uint32_t sec, uint32_t usec, uint64_t pcount, bool c64)
{
	uint32_t s = rte_cpu_to_be_32(sec), u = rte_cpu_to_be_32(usec);

	memcpy(b, &s, 4);
	memcpy(b + 4, &u, 4);
	if (c64) {
		uint64_t p = rte_cpu_to_be_64(pcount);

		memcpy(b + 8, &p, 8);
		return 16;
	}
	{
		uint32_t p = rte_cpu_to_be_32((uint32_t)pcount);

		memcpy(b + 8, &p, 4);
	}
	return 12;
}

/* Accounts datagram pcount of 1400 bytes sent at send_us, arrived at arr_us. */
static int
acct(struct ip3u_acct *a, uint64_t pcount, uint64_t send_us, uint64_t arr_us, bool c64)
{
	uint8_t b[1400];

	memset(b, 0, sizeof(b));
	hdr(b, (uint32_t)(send_us / 1000000), (uint32_t)(send_us % 1000000), pcount, c64);
	return ip3u_account(a, b, sizeof(b), arr_us * 1000, c64);
}

static void
test_udp_acct_loss_reorder_dup(void **state)
{
	struct ip3u_acct a;
	static const uint64_t seq[] = { 1, 2, 5, 3, 4, 4, 7 };
	static const uint64_t want_err[] = { 0, 0, 2, 1, 0, 0, 1 };
	static const uint64_t want_ooo[] = { 0, 0, 0, 1, 2, 3, 3 };
	static const uint64_t want_pc[] = { 1, 2, 5, 5, 5, 5, 7 };
	unsigned int i;

	(void)state;
	memset(&a, 0, sizeof(a));
	for (i = 0; i < RTE_DIM(seq); i++) {
		assert_int_equal(acct(&a, seq[i], 1000 * i, 1000 * i + 50, false), 0);
		assert_int_equal(a.cnt_error, want_err[i]);
		assert_int_equal(a.outoforder, want_ooo[i]);
		assert_int_equal(a.packet_count, want_pc[i]);
	}
	assert_int_equal(a.bytes, 1400 * RTE_DIM(seq));
	/* Equal transit times: no jitter. */
	assert_true(a.jitter == 0.0);
}

static void
test_udp_acct_jitter(void **state)
{
	struct ip3u_acct a;
	/* Sent every 10 ms (at 1e9 s + ...), transit 1, 3, 1, 1 ms:
	 * J1 = 0; J2 = 2/16 = 0.125 ms; J3 = 0.125 + (2 - 0.125)/16 = 0.2421875 ms;
	 * J4 = 0.2421875 * 15/16 = 0.22705078125 ms. */
	static const double want_ms[] = { 0, 0.125, 0.2421875, 0.22705078125 };
	static const uint64_t transit_us[] = { 1000, 3000, 1000, 1000 };
	const uint64_t t0 = 1000000000ull * 1000000 + 999990; /* crosses a second */
	unsigned int i;

	(void)state;
	memset(&a, 0, sizeof(a));
	for (i = 0; i < RTE_DIM(want_ms); i++) {
		/* The receiver's clock has another epoch: only transit differences count. */
		uint64_t arr = 5000000 + 10000 * i + transit_us[i];

		assert_int_equal(acct(&a, i + 1, t0 + 10000 * i, arr, false), 0);
		assert_true(a.jitter * 1e3 > want_ms[i] - 1e-9 &&
			    a.jitter * 1e3 < want_ms[i] + 1e-9);
	}
}

static void
test_udp_acct_c64_short_omit(void **state)
{
	struct ip3u_acct a;
	uint8_t b[16];

	(void)state;
	memset(&a, 0, sizeof(a));
	/* 64-bit counters beyond 2^32. */
	assert_int_equal(acct(&a, (1ull << 32) + 1, 0, 10, true), 0);
	assert_int_equal(a.packet_count, (1ull << 32) + 1);
	assert_int_equal(a.cnt_error, 1ull << 32);
	/* Shorter than the header: nothing counted. */
	hdr(b, 0, 0, 9, true);
	assert_int_equal(ip3u_account(&a, b, 15, 0, true), -1);
	assert_int_equal(ip3u_account(&a, b, 11, 0, false), -1);
	assert_int_equal(a.bytes, 1400);
	/* The end of the omit period: bytes and jitter restart, the sequence counts go on. */
	memset(&a, 0, sizeof(a));
	acct(&a, 1, 0, 100, false);
	acct(&a, 3, 1000, 3100, false);
	ip3u_omit_end(&a);
	assert_int_equal(a.bytes, 0);
	assert_true(a.jitter == 0.0);
	assert_int_equal(a.omitted_packets, 3);
	assert_int_equal(a.omitted_errors, 1);
	acct(&a, 4, 2000, 2100, false);
	assert_int_equal(a.bytes, 1400);
	assert_int_equal(a.packet_count, 4);
	/* First datagram after the reset: transit taken as the reference, no jitter. */
	assert_true(a.jitter == 0.0);
}

static void
test_udp_connect_magic(void **state)
{
	static const uint8_t le_msg[4] = { 0x39, 0x38, 0x37, 0x36 }; /* 0x36373839, x86 */
	static const uint8_t be_msg[4] = { 0x36, 0x37, 0x38, 0x39 }; /* big-endian client */
	uint8_t r[4], legacy[4];
	uint32_t v = rte_cpu_to_le_32(123456789u), w;

	(void)state;
	assert_int_equal(ip3u_connect_reply(le_msg, r), 0);
	assert_memory_equal(r, ((const uint8_t[]){ 0x36, 0x37, 0x38, 0x39 }), 4);
	assert_int_equal(ip3u_connect_reply(be_msg, r), 0);
	assert_memory_equal(r, ((const uint8_t[]){ 0x39, 0x38, 0x37, 0x36 }), 4);
	memcpy(legacy, &v, 4);
	assert_int_equal(ip3u_connect_reply(legacy, r), 0);
	memcpy(&w, r, 4);
	assert_int_equal(rte_le_to_cpu_32(w), 987654321u);
	assert_int_equal(ip3u_connect_reply((const uint8_t *)"abcd", r), -1);
}

/* A full table: what lost messages left behind is reclaimed, live entries stay. */
static void
test_udp_table_reclaim(void **state)
{
	static struct ip3u_table tb;
	struct vns_udp_peer peer;
	uint32_t i;

	(void)state;
	memset(&tb, 0, sizeof(tb));
	memset(&peer, 0, sizeof(peer));
	for (i = 0; i < IP3U_TABLE_MAX; i++) {
		struct ip3u_stream *s = ip3u_alloc(&tb);

		assert_non_null(s);
		s->peer.port = rte_cpu_to_be_16((uint16_t)(1000 + i));
		switch (i % 4) {
		case 0: /* an unanswered connect, old */
			s->state = IP3U_WAIT;
			s->last_rx_tsc = 10;
			break;
		case 1: /* a connect waiting for the owner now */
			s->state = IP3U_WAIT;
			s->last_rx_tsc = 2000;
			break;
		case 2: /* a stream of an earlier test */
			s->state = IP3U_RUNNING;
			s->test_gen = 5;
			break;
		default: /* a stream of the current test */
			s->state = IP3U_STREAM;
			s->test_gen = 6;
			break;
		}
	}
	assert_null(ip3u_alloc(&tb));
	assert_int_equal(ip3u_reclaim(&tb, 6, 1000), IP3U_TABLE_MAX / 2);
	assert_int_equal(tb.n_used, IP3U_TABLE_MAX / 2);
	peer.port = rte_cpu_to_be_16(1000 + 3);
	assert_non_null(ip3u_lookup(&tb, &peer));
	peer.port = rte_cpu_to_be_16(1000 + 2);
	assert_null(ip3u_lookup(&tb, &peer));
	assert_non_null(ip3u_alloc(&tb));
}

static const char COOKIE[37] = "abcdefghijklmnopqrstuvwxyz2345672345";
static const struct rte_ether_addr cmac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct rte_ether_addr smac = { { 0x02, 0, 0, 0, 0, 0x01 } };

static void
send_json(struct tc *c, const char *js)
{
	uint8_t buf[4096];
	uint32_t n = (uint32_t)strlen(js), be = rte_cpu_to_be_32(n);

	memcpy(buf, &be, 4);
	memcpy(buf + 4, js, n);
	tc_send(c, buf, n + 4);
}

static uint32_t
pump(struct tc *c, uint32_t *seen)
{
	uint32_t before = *seen;

	h_poll(c->h);
	tc_recv(c, 1);
	h_poll(c->h);
	tc_recv(c, 1);
	*seen = c->rx_len;
	return c->rx_len - before;
}

static void
dgram(unsigned int q, uint16_t sport, const void *data, uint32_t len)
{
	h_input(&H, q,
		pb_udp_mbuf(H.mp, &cmac, &smac, H_CLIENT_IP, sport, H_STACK_IP, H_IPERF_PORT, data,
			    len, 1, 0));
}

/* Datagram pcount of the stream from port 50101, 100 bytes, sent pcount ms after t=1000 s;
 * the receiver's clock advances 1 ms per datagram too. */
static void
stream_dgram(uint64_t pcount)
{
	uint8_t b[100];

	memset(b, 0, sizeof(b));
	hdr(b, 1000 + (uint32_t)(pcount / 1000), (uint32_t)(pcount % 1000) * 1000, pcount, false);
	H.now += H.hz / 1000;
	dgram(1, 50101, b, sizeof(b));
}

static const struct pb_parsed *
udp_out(uint16_t dport)
{
	uint32_t i;

	for (i = 0; i < H.n_out; i++)
		if (H.out[i].proto == IPPROTO_UDP && H.out[i].dport == dport)
			return &H.out[i];
	return NULL;
}

static void
test_udp_full_test(void **state)
{
	static const uint8_t connect_le[4] = { 0x39, 0x38, 0x37, 0x36 };
	static const uint64_t seq[] = { 1, 2, 4, 3, 3, 6 };
	const struct pb_parsed *r;
	struct vns_closed_rec rec[2];
	json_error_t jerr;
	json_t *res, *s;
	uint32_t seen = 0, len, i;

	(void)state;
	/* No test: a connect datagram is a stray. */
	dgram(1, 50100, connect_le, 4);
	assert_int_equal(h_stat(&H, 1, "iperf_udp_stray"), 1);
	assert_null(udp_out(50100));

	tc_init(&C, &H, 0, 50000, H_IPERF_PORT, 1000, 1);
	assert_int_equal(tc_connect(&C), 0);
	tc_send(&C, COOKIE, 37);
	pump(&C, &seen);
	assert_int_equal(C.rx[0], 9); /* PARAM_EXCHANGE */
	send_json(&C, "{\"udp\":true,\"omit\":0,\"time\":3,\"parallel\":1,\"len\":100,"
		      "\"bandwidth\":1048576,\"client_version\":\"3.12\"}");
	pump(&C, &seen);
	assert_int_equal(seen, 2);
	assert_int_equal(C.rx[1], 10); /* CREATE_STREAMS */

	/* The stream's connect datagram lands on queue 1; its answer leaves there once the
	 * owner (queue 0) accepted it, in the client's byte order. */
	h_clear(&H);
	dgram(1, 50101, connect_le, 4);
	assert_null(udp_out(50101));
	pump(&C, &seen);
	r = udp_out(50101);
	assert_non_null(r);
	assert_int_equal(r->sport, H_IPERF_PORT);
	assert_int_equal(r->dst_ip, H_CLIENT_IP);
	assert_true(r->tcp_csum_ok);
	assert_int_equal(r->plen, 4);
	assert_memory_equal(r->payload, ((const uint8_t[]){ 0x36, 0x37, 0x38, 0x39 }), 4);
	assert_int_equal(seen, 4);
	assert_int_equal(C.rx[2], 1); /* TEST_START */
	assert_int_equal(C.rx[3], 2); /* TEST_RUNNING */

	/* Loss, reordering, a duplicate; a datagram too short for the header; a stray. */
	for (i = 0; i < RTE_DIM(seq); i++)
		stream_dgram(seq[i]);
	dgram(1, 50101, "short", 5);
	dgram(1, 50199, "abcdefghijklmnop", 16);
	assert_int_equal(h_stat(&H, 1, "iperf_udp_short"), 1);
	assert_int_equal(h_stat(&H, 1, "iperf_udp_stray"), 2);

	tc_send(&C, "\x04", 1); /* TEST_END */
	pump(&C, &seen);
	assert_int_equal(C.rx[4], 13); /* EXCHANGE_RESULTS */
	/* After TEST_END the stream is gone: a late datagram is a stray. */
	stream_dgram(7);
	assert_int_equal(h_stat(&H, 1, "iperf_udp_stray"), 3);
	send_json(&C, "{\"cpu_util_total\":1,\"streams\":[]}");
	pump(&C, &seen);
	memcpy(&len, C.rx + 5, 4);
	len = rte_be_to_cpu_32(len);
	assert_int_equal(seen, 5 + 4 + len + 1);
	assert_int_equal(C.rx[seen - 1], 14); /* DISPLAY_RESULTS */
	res = json_loadb((const char *)C.rx + 9, len, 0, &jerr);
	assert_non_null(res);
	assert_int_equal(json_array_size(json_object_get(res, "streams")), 1);
	s = json_array_get(json_object_get(res, "streams"), 0);
	assert_int_equal(json_integer_value(json_object_get(s, "id")), 1);
	assert_int_equal(json_integer_value(json_object_get(s, "bytes")), 600);
	/* 1 2 4 (3 lost) 3 (found) 3 (duplicate: out of order) 6 (5 lost) */
	assert_int_equal(json_integer_value(json_object_get(s, "packets")), 6);
	assert_int_equal(json_integer_value(json_object_get(s, "errors")), 1);
	assert_int_equal(json_integer_value(json_object_get(s, "retransmits")), -1);
	assert_true(json_is_real(json_object_get(s, "jitter")));
	/* Sent at pcount ms, received 1 ms apart: transit 0 0 -1 1 2 0 ms, |D| 0 0 1 2 1 2 ms,
	 * J = 0, 0, 1/16, then J += (|D| - J)/16: 0.18359375, 0.234619140625,
	 * 0.3449554443359375 ms (to the ns the TSC conversion rounds to). */
	assert_true(fabs(json_real_value(json_object_get(s, "jitter")) - 0.3449554443359375e-3) <
		    1e-8);
	json_decref(res);
	tc_send(&C, "\x10", 1); /* IPERF_DONE */
	h_poll(&H);
	assert_int_equal(vns_stack_drain_closed(H.st[0], rec, 2), 1);
	assert_int_equal(rec[0].kind, VNS_CLOSED_IPERF3_TEST);
	assert_int_equal(rec[0].bytes, 600);
	assert_int_equal(rec[0].nb_streams, 1);
	assert_int_equal(rec[0].reason, VNS_CLOSE_FIN);
	assert_int_equal(tc_close(&C), 0);
}

/* UDP send (-u -R) is not there: refused as before. */
static void
test_udp_reverse_refused(void **state)
{
	uint32_t seen = 0;

	(void)state;
	tc_init(&C, &H, 0, 50300, H_IPERF_PORT, 1000, 1);
	assert_int_equal(tc_connect(&C), 0);
	tc_send(&C, COOKIE, 37);
	pump(&C, &seen);
	send_json(&C, "{\"udp\":true,\"reverse\":true,\"parallel\":1,\"time\":1}");
	pump(&C, &seen);
	assert_true(C.rx_len >= 10);
	assert_int_equal(C.rx[1], 0xfe);
	assert_int_equal(C.rx[5], 13); /* IEUNIMP, big-endian */
	assert_int_equal(h_stat(&H, 0, "iperf_refused"), 1);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_acct_loss_reorder_dup),
		cmocka_unit_test(test_udp_acct_jitter),
		cmocka_unit_test(test_udp_acct_c64_short_omit),
		cmocka_unit_test(test_udp_connect_magic),
		cmocka_unit_test(test_udp_table_reclaim),
		cmocka_unit_test_setup_teardown(test_udp_full_test, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_udp_reverse_refused, setup2, teardown),
	};

	(void)argc;
	h_eal_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
