/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iperf3 service as a sender, over two stacks: -R (we send on every stream from
 * TEST_RUNNING until TEST_END, and report what vns_conn_bulk_stop() returns with the
 * retransmissions) and --bidir (of 2N streams, the first N in SYN order send to us, the
 * other N receive from us), and the refusals that stay (-R with --bidir, UDP sending).
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
static struct tc C, S[2];

static const struct vns_service_bind binds[] = {
	{ H_IPERF_PORT, &vns_iperf3_ops, NULL },
};

static int
setup2(void **state)
{
	(void)state;
	/* The smallest send window keeps a round's frames within the harness's outbox. */
	h_max_senders = 8;
	h_send_window = 65536;
	if (h_open(&H, 2, binds, RTE_DIM(binds), 64, 0) != 0)
		return -1;
	h_max_senders = 0;
	h_send_window = 0;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return h_close_checked(&H);
}

static const char COOKIE[37] = "abcdefghijklmnopqrstuvwxyz2345672345";

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
pump(struct tc *c)
{
	h_poll(c->h);
	tc_recv(c, 1);
	h_poll(c->h);
	tc_recv(c, 1);
	return c->rx_len;
}

/* A receiving stream: takes the stack's data segments for c and ACKs them cumulatively;
 * returns the payload bytes newly received in order. */
static uint32_t
drain(struct tc *c)
{
	uint32_t i, got = 0;

	for (i = 0; i < H.n_out; i++) {
		const struct pb_parsed *r = &H.out[i];

		if (H.used[i] || r->proto != IPPROTO_TCP || r->dport != c->sport)
			continue;
		H.used[i] = 1;
		if (r->ts)
			c->ts_recent = r->tsval;
		if (r->plen > 0 && r->seq == c->rcv_nxt) {
			c->rcv_nxt += r->plen;
			got += r->plen;
		}
	}
	if (got > 0) {
		c->tsval++;
		tc_send_at(c, c->snd_nxt, PB_ACK, NULL, 0);
	}
	return got;
}

/* Drops the outbox frames already read, keeping the others in order. */
static void
compact(void)
{
	uint32_t i, n = 0;

	for (i = 0; i < H.n_out; i++) {
		if (H.used[i])
			continue;
		if (n != i)
			H.out[n] = H.out[i];
		H.used[n++] = 0;
	}
	H.n_out = n;
}

/* Control connection and parameters; then the streams connect (stream i on queue i % 2)
 * and send their cookies. Returns at TEST_RUNNING. */
static void
start(const char *params, unsigned int nb)
{
	uint32_t i;

	tc_init(&C, &H, 0, 51000, H_IPERF_PORT, 7000, 1);
	assert_int_equal(tc_connect(&C), 0);
	tc_send(&C, COOKIE, 37);
	assert_int_equal(pump(&C), 1);
	send_json(&C, params);
	assert_int_equal(pump(&C), 2);
	assert_int_equal(C.rx[1], 10); /* CREATE_STREAMS */
	for (i = 0; i < nb; i++) {
		tc_init(&S[i], &H, i % 2, (uint16_t)(51001 + i), H_IPERF_PORT, 100000 * (i + 1), 1);
		assert_int_equal(tc_connect(&S[i]), 0);
		H.now += 10;
		tc_send(&S[i], COOKIE, 37);
		h_poll(&H);
	}
	assert_int_equal(pump(&C), 4);
	assert_int_equal(C.rx[3], 2); /* TEST_RUNNING */
}

/* TEST_END, the client's results, ours: the parsed JSON (the caller frees it). */
static json_t *
finish(void)
{
	json_error_t jerr;
	uint32_t len, seen;
	json_t *res;

	tc_send(&C, "\x04", 1);
	assert_int_equal(pump(&C), 5);
	assert_int_equal(C.rx[4], 13); /* EXCHANGE_RESULTS */
	send_json(&C, "{\"cpu_util_total\":1,\"streams\":[]}");
	seen = pump(&C);
	memcpy(&len, C.rx + 5, 4);
	len = rte_be_to_cpu_32(len);
	assert_int_equal(seen, 5 + 4 + len + 1);
	assert_int_equal(C.rx[seen - 1], 14); /* DISPLAY_RESULTS */
	res = json_loadb((const char *)C.rx + 9, len, 0, &jerr);
	assert_non_null(res);
	return res;
}

static json_t *
stream_by_id(json_t *res, json_int_t id)
{
	json_t *streams = json_object_get(res, "streams");
	size_t i;

	for (i = 0; i < json_array_size(streams); i++) {
		json_t *s = json_array_get(streams, i);

		if (json_integer_value(json_object_get(s, "id")) == id)
			return s;
	}
	fail_msg("no stream %d", (int)id);
	return NULL;
}

static void
test_reverse(void **state)
{
	uint64_t got[2] = { 0, 0 };
	json_t *res;
	int round;

	(void)state;
	start("{\"tcp\":true,\"omit\":0,\"time\":10,\"parallel\":2,\"reverse\":true,"
	      "\"len\":131072,\"client_version\":\"3.12\"}",
	      2);
	/* Both streams receive from the stack; nothing before TEST_RUNNING was sent. */
	for (round = 0; round < 20; round++) {
		h_poll(&H);
		got[0] += drain(&S[0]);
		got[1] += drain(&S[1]);
		compact();
	}
	assert_true(got[0] > 100000);
	assert_true(got[1] > 100000);
	res = finish();
	assert_int_equal(json_integer_value(json_object_get(res, "sender_has_retransmits")), 1);
	/* Each stream's bytes: everything it sent at least once up to TEST_END, which the
	 * receiver has all of or still gets. */
	{
		json_int_t b1 = json_integer_value(json_object_get(stream_by_id(res, 1), "bytes"));
		json_int_t b3 = json_integer_value(json_object_get(stream_by_id(res, 3), "bytes"));

		for (round = 0; round < 20; round++) {
			h_poll(&H);
			got[0] += drain(&S[0]);
			got[1] += drain(&S[1]);
			compact();
		}
		assert_int_equal(b1, (json_int_t)got[0]);
		assert_int_equal(b3, (json_int_t)got[1]);
		assert_int_equal(
			json_integer_value(json_object_get(stream_by_id(res, 1), "retransmits")),
			0);
	}
	json_decref(res);
	/* Nothing new after TEST_END. */
	h_poll(&H);
	assert_int_equal(drain(&S[0]) + drain(&S[1]), 0);
	assert_int_equal(h_stat(&H, 0, "bulk_bytes") + h_stat(&H, 1, "bulk_bytes"),
			 got[0] + got[1]);
	tc_send(&C, "\x10", 1);
	h_poll(&H);
	assert_int_equal(h_stat(&H, 0, "iperf_tests"), 1);
}

/* -R -O 1: what a stream sent in the omit period is not in its result (iperf3's
 * bytes_sent - bytes_sent_omit); the base is the bulk's count at the first poll after it. */
static void
test_reverse_omit(void **state)
{
	uint64_t before = 0, at = 0, total;
	json_int_t bytes;
	json_t *res;
	int round;

	(void)state;
	start("{\"tcp\":true,\"omit\":1,\"time\":10,\"parallel\":1,\"reverse\":true,"
	      "\"len\":131072,\"client_version\":\"3.12\"}",
	      1);
	for (round = 0; round < 10; round++) {
		h_poll(&H);
		before += drain(&S[0]);
		compact();
	}
	assert_true(before > 100000);
	h_advance_ms(&H, 1001);
	h_poll(&H); /* the omit period ends here */
	at = drain(&S[0]);
	compact();
	total = before + at;
	for (round = 0; round < 10; round++) {
		h_poll(&H);
		total += drain(&S[0]);
		compact();
	}
	res = finish();
	bytes = json_integer_value(json_object_get(stream_by_id(res, 1), "bytes"));
	for (round = 0; round < 20; round++) {
		h_poll(&H);
		total += drain(&S[0]);
		compact();
	}
	assert_true(bytes > 0);
	/* The base: everything sent before the omit's end, and at most that poll's. */
	assert_true(total - (uint64_t)bytes >= before);
	assert_true(total - (uint64_t)bytes <= before + at);
	json_decref(res);
	tc_send(&C, "\x10", 1);
	h_poll(&H);
}

static void
test_bidir(void **state)
{
	uint64_t got = 0, sent = 0;
	json_t *res;
	int round;

	(void)state;
	start("{\"tcp\":true,\"omit\":0,\"time\":10,\"parallel\":1,\"bidirectional\":true,"
	      "\"len\":131072,\"client_version\":\"3.12\"}",
	      2);
	/* S[0] (first SYN, id 1) sends to us; S[1] (id 3) receives from us. */
	for (round = 0; round < 10; round++) {
		tc_send(&S[0], h_pat, 1000);
		sent += 1000;
		h_poll(&H);
		got += drain(&S[1]);
		assert_int_equal(drain(&S[0]), 0);
		compact();
	}
	assert_true(got > 50000);
	res = finish();
	for (round = 0; round < 20; round++) {
		h_poll(&H);
		got += drain(&S[1]);
		compact();
	}
	assert_int_equal(json_integer_value(json_object_get(res, "sender_has_retransmits")), 1);
	assert_int_equal(json_integer_value(json_object_get(stream_by_id(res, 1), "bytes")), sent);
	assert_int_equal(json_integer_value(json_object_get(stream_by_id(res, 1), "retransmits")),
			 -1);
	assert_int_equal(json_integer_value(json_object_get(stream_by_id(res, 3), "bytes")), got);
	assert_int_equal(json_integer_value(json_object_get(stream_by_id(res, 3), "retransmits")),
			 0);
	json_decref(res);
}

static void
expect_refused(const char *params)
{
	tc_init(&C, &H, 0, 51100, H_IPERF_PORT, 9000, 1);
	assert_int_equal(tc_connect(&C), 0);
	tc_send(&C, COOKIE, 37);
	pump(&C);
	send_json(&C, params);
	pump(&C);
	assert_true(C.rx_len >= 10);
	assert_int_equal(C.rx[1], 0xfe);
	assert_int_equal(C.rx[5], 13);
	assert_true(C.fin_rcvd);
}

static void
test_refusals(void **state)
{
	(void)state;
	expect_refused("{\"tcp\":true,\"parallel\":1,\"reverse\":true,\"bidirectional\":true}");
	assert_int_equal(h_stat(&H, 0, "iperf_refused"), 1);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reverse, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_reverse_omit, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_bidir, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup2, teardown),
	};

	(void)argc;
	h_eal_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
