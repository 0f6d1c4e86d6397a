/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the iperf3 service (vns_iperf3.c) on the real stack, over one or two stacks:
 * the full exchange (cookies split and out of order, stream ids, the results JSON and its
 * byte counts), omit, 12 streams, busy -> ACCESS_DENIED, refusals, and the control
 * connection's retransmission and zero window. The mempool must be fully returned after
 * each test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "harness.h"
#include "vns_services.h"

static struct h H;
static struct tc C, C2, C3;

static const struct vns_discard_conf sha256 = { .sha256 = true };

/* What vnetsink binds: iperf3 and the discard port in integrity mode. */
static const struct vns_service_bind binds[] = {
	{ H_IPERF_PORT, &vns_iperf3_ops, NULL },
	{ H_DISCARD_PORT, &vns_discard_ops, &sha256 },
};

static int
setup1(void **state)
{
	(void)state;
	return h_open(&H, 1, binds, RTE_DIM(binds), 64, 0);
}

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

static const char COOKIE[37] = "abcdefghijklmnopqrstuvwxyz2345672345";
static const char COOKIE2[37] = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";

static void
send_json(struct tc *c, const char *js)
{
	uint8_t buf[4096];
	uint32_t n = (uint32_t)strlen(js), be = rte_cpu_to_be_32(n);

	memcpy(buf, &be, 4);
	memcpy(buf + 4, js, n);
	tc_send(c, buf, n + 4);
}

/* Polls both stacks and lets the client read; returns what arrived since last time. */
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
ctrl_open(struct tc *c, unsigned int q, uint16_t sport, const char *cookie)
{
	tc_init(c, &H, q, sport, H_IPERF_PORT, sport * 1000u, 1);
	assert_int_equal(tc_connect(c), 0);
	tc_send(c, cookie, 37);
}

static void
test_iperf3_full_test(void **state)
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
		h_input(&H, 1, tc_data_seg(&C2, b1 + i * 1000, 1000));
	}
	h_input(&H, 0, tc_data_seg(&C3, b2 + 500, 700));
	h_input(&H, 0, tc_data_seg(&C3, b2, 500));
	bytes1 = 3000;
	bytes3 = 1200;
	h_clear(&H);

	/* TEST_END -> EXCHANGE_RESULTS */
	tc_send(&C, "\x04", 1);
	assert_int_equal(pump(&C, &seen), 1);
	assert_int_equal(C.rx[4], 13);
	/* Data after TEST_END is ACKed but not counted. */
	h_input(&H, 1, tc_data_seg(&C2, b1 + 3000, 1000));
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
	assert_int_equal(tc_close(&C), 0);
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
static void
test_iperf3_omit(void **state)
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
	h_input(&H, 1, tc_data_seg(&C2, b, 500)); /* omitted */
	h_advance_ms(&H, 1100);
	h_input(&H, 1, tc_data_seg(&C2, b + 500, 700)); /* counted */
	h_advance_ms(&H, 2000);
	h_input(&H, 1, tc_data_seg(&C2, b + 1200, 300)); /* counted */
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
static void
test_iperf3_many_streams(void **state)
{
	static struct tc s[12];
	uint32_t seen = 0, len, i, got = 0;
	json_error_t jerr;
	json_t *res, *arr;
	int ids[16] = { 0 };

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
		h_input(&H, i % 2, tc_data_seg(&s[i], s[i].snd_nxt, 100 + i));
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

static void
test_iperf3_busy_denied(void **state)
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

static void
expect_server_error(struct tc *c, uint32_t *seen, int32_t code, int32_t err)
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

static void
test_iperf3_refusals(void **state)
{
	uint32_t seen = 0;
	uint8_t big[4] = { 0x00, 0x10, 0x00, 0x01 }; /* 1 MiB + 1 */

	(void)state;
	ctrl_open(&C, 0, 50200, COOKIE);
	pump(&C, &seen);
	send_json(&C, "{\"tcp\":true,\"omit\":0,\"time\":10,\"parallel\":1,\"sctp\":true}");
	expect_server_error(&C, &seen, 13, 0);
	assert_int_equal(h_stat(&H, 0, "iperf_refused"), 1);

	ctrl_open(&C2, 0, 50201, COOKIE2);
	seen = 0;
	pump(&C2, &seen);
	send_json(&C2, "{\"udp\":true,\"len\":2000,\"parallel\":1}");
	expect_server_error(&C2, &seen, 20, 0); /* IEUDPBLOCKSIZE: above the MTU */

	ctrl_open(&C3, 1, 50202, COOKIE);
	seen = 0;
	pump(&C3, &seen);
	assert_int_equal(C3.rx[0], 9);
	tc_send(&C3, big, 4);
	expect_server_error(&C3, &seen, 114, 90 /* EMSGSIZE */);
	assert_int_equal(h_stat(&H, 1, "iperf_refused"), 1);
}

/* Starts a test with one stream (C2, on queue 1) from params; returns the stream's next seq. */
static uint32_t
start_one_stream(const char *params, uint16_t sport)
{
	uint32_t seen = 0;

	ctrl_open(&C, 0, sport, COOKIE);
	pump(&C, &seen);
	send_json(&C, params);
	pump(&C, &seen);
	assert_int_equal(C.rx[1], 10); /* CREATE_STREAMS */
	tc_init(&C2, &H, 1, (uint16_t)(sport + 1), H_IPERF_PORT, 77, 1);
	assert_int_equal(tc_connect(&C2), 0);
	tc_send(&C2, COOKIE, 37);
	pump(&C, &seen);
	assert_int_equal(C.rx[3], 2); /* TEST_RUNNING */
	return C2.snd_nxt;
}

/* Lets secs seconds pass in 1 s steps, the stream sending 100 bytes every every_s seconds
 * (0: silent). */
static void
wait_s(uint32_t secs, uint32_t every_s, uint32_t *seq)
{
	uint32_t i;

	for (i = 1; i <= secs; i++) {
		h_advance_ms(&H, 1000);
		if (every_s != 0 && i % every_s == 0) {
			h_input(&H, 1, tc_data_seg(&C2, *seq, 100));
			*seq += 100;
		}
		h_poll(&H);
		h_poll(&H);
		h_clear(&H);
	}
}

/* A test without a deadline ("time": 0, iperf3 -n/-k) whose client goes silent ends after the
 * receive timeout (120 s by default, as stock iperf3's --rcv-timeout); one whose stream still
 * sends does not, though its control connection is silent; the slot is free again after. */
static void
test_iperf3_silent_client_times_out(void **state)
{
	uint32_t seen = 0, seq;

	(void)state;
	seq = start_one_stream("{\"tcp\":true,\"omit\":0,\"time\":0,\"num\":1e12,\"parallel\":1}",
			       50500);
	h_input(&H, 1, tc_data_seg(&C2, seq, 100));
	seq += 100;
	wait_s(200, 10, &seq);
	assert_int_equal(h_stat(&H, 0, "iperf_aborted"), 0);
	wait_s(110, 0, &seq);
	assert_int_equal(h_stat(&H, 0, "iperf_aborted"), 0);
	wait_s(15, 0, &seq);
	assert_int_equal(h_stat(&H, 0, "iperf_aborted"), 1);
	ctrl_open(&C3, 1, 50502, COOKIE2);
	pump(&C3, &seen);
	assert_int_equal(C3.rx[0], 9); /* PARAM_EXCHANGE: not busy */
}

/* "time" is bounded (iperf3's own limit, 86400 s): huge, negative or non-numeric durations
 * are refused with IEDURATION. */
static void
test_iperf3_time_bounded(void **state)
{
	static const char *const bad[] = {
		"{\"tcp\":true,\"time\":1e300,\"parallel\":1}",
		"{\"tcp\":true,\"time\":-1,\"parallel\":1}",
		"{\"tcp\":true,\"time\":86401,\"parallel\":1}",
	};
	uint32_t i, seen;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++) {
		ctrl_open(&C, 0, (uint16_t)(50600 + i), COOKIE);
		seen = 0;
		pump(&C, &seen);
		send_json(&C, bad[i]);
		expect_server_error(&C, &seen, 5 /* IEDURATION */, 0);
	}
	assert_int_equal(h_stat(&H, 0, "iperf_refused"), RTE_DIM(bad));
}

/* A connection reset by its service gets no pure ACK afterwards, even when an earlier segment
 * of the same burst left one pending (the peer would answer it with a RST). */
static void
test_iperf3_no_ack_after_rst(void **state)
{
	uint32_t seen = 0, i, rst_at = UINT32_MAX;
	struct rte_mbuf *m[2];

	(void)state;
	ctrl_open(&C, 0, 50700, COOKIE);
	pump(&C, &seen);
	send_json(&C, "{\"tcp\":true,\"omit\":0,\"time\":10,\"parallel\":1}");
	pump(&C, &seen);
	assert_int_equal(C.rx[1], 10); /* CREATE_STREAMS */
	h_clear(&H);
	m[0] = tc_data_seg(&C, C.snd_nxt, 1);
	C.snd_nxt++;
	{
		struct pb_tcp p;
		uint8_t term = 12; /* CLIENT_TERMINATE */

		tc_fill(&C, &p, C.snd_nxt, PB_ACK | PB_PSH, &term, 1);
		m[1] = pb_tcp_mbuf(H.mp, &p);
		C.snd_nxt++;
	}
	h_input_burst(&H, 0, m, 2);
	h_poll(&H);
	for (i = 0; i < H.n_out; i++) {
		if (H.out[i].dport != C.sport)
			continue;
		if (H.out[i].flags & PB_RST)
			rst_at = i;
		else
			assert_true(rst_at == UINT32_MAX);
	}
	assert_true(rst_at != UINT32_MAX);
	assert_int_equal(h_stat(&H, 0, "iperf_aborted"), 1);
}

/* A refusal while earlier control bytes are still unacknowledged (a client that pipelines its
 * JSON length right after the cookie) keeps the stream consistent: the client reads
 * PARAM_EXCHANGE, then the whole SERVER_ERROR. */
static void
test_iperf3_refuse_pipelined(void **state)
{
	uint32_t seen = 0;
	uint8_t big[4] = { 0x00, 0x10, 0x00, 0x01 }; /* 1 MiB + 1 */

	(void)state;
	ctrl_open(&C, 0, 50800, COOKIE);
	tc_send(&C, big, 4); /* before reading (and ACKing) PARAM_EXCHANGE */
	expect_server_error(&C, &seen, 114, 90 /* EMSGSIZE */);
	assert_int_equal(C.rx[0], 9);
	assert_int_equal(C.rx_len, 10);
}

/* The control connection's replies are retransmitted until acknowledged, and wait for a
 * closed window to open. */
static void
test_iperf3_ctrl_retransmit_and_zero_window(void **state)
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

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_iperf3_full_test, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_omit, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_many_streams, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_busy_denied, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_refusals, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_silent_client_times_out, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_time_bounded, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_no_ack_after_rst, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_refuse_pipelined, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_iperf3_ctrl_retransmit_and_zero_window, setup1,
						teardown),
	};

	(void)argc;
	h_eal_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
