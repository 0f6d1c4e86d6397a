/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of iperf3 -u: the receiver's per-stream accounting (vns_iperf3_udp.c: loss,
 * reordering, duplicates, RFC 1889 jitter against hand-computed values with iperf3's
 * microsecond times and unsigned transit, 32- and 64-bit counters, omit), the connect
 * handshake's magic, the sender (vns_iperf3_udp_tx.c: the header, the pacing against a fake
 * clock), and whole UDP tests over two stacks (control connection on one queue, the UDP
 * stream on the other), receive and -R, with the results JSON the iperf3 3.12 client reads.
 * The mempool must be fully returned after each test.
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
#include <time.h>

#include <rte_cycles.h>

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
setup2_chain(void **state)
{
	(void)state;
	return h_open(&H, 2, binds, RTE_DIM(binds), 64, VNS_TXOFF_MULTI_SEGS);
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

/* iperf_time_diff gives the distance between the two times whichever is ahead: a transit
 * that changes sign (clocks a little apart) is no jitter when its size stays the same. */
static void
test_udp_acct_transit_unsigned(void **state)
{
	struct ip3u_acct a;

	(void)state;
	memset(&a, 0, sizeof(a));
	/* Sent at 10.000000 s and 10.001000 s, arrived 500 us before and 500 us after. */
	assert_int_equal(acct(&a, 1, 10000000, 9999500, false), 0);
	assert_int_equal(acct(&a, 2, 10001000, 10001500, false), 0);
	assert_true(a.jitter == 0.0);
	/* 500 us then 700 us (the sign flips again): |D| = 200 us, J = 12.5 us. */
	assert_int_equal(acct(&a, 3, 10002000, 10001300, false), 0);
	assert_true(fabs(a.jitter - 200e-6 / 16) < 1e-12);
}

/* Both times are whole microseconds (struct iperf_time): a sub-microsecond arrival
 * difference is none. */
static void
test_udp_acct_usec_arrival(void **state)
{
	struct ip3u_acct a;
	uint8_t b[100];

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	/* Sent at 0 and 1000 us; arrived at 100.999 us and 1100.000 us: transit 100 us both
	 * times in microseconds, 999 ns apart in nanoseconds. */
	hdr(b, 0, 0, 1, false);
	assert_int_equal(ip3u_account(&a, b, sizeof(b), 100999, false), 0);
	hdr(b, 0, 1000, 2, false);
	assert_int_equal(ip3u_account(&a, b, sizeof(b), 1100000, false), 0);
	assert_true(a.jitter == 0.0);
	/* 100 us then 102 us: J = 2/16 us. */
	hdr(b, 0, 2000, 3, false);
	assert_int_equal(ip3u_account(&a, b, sizeof(b), 2102500, false), 0);
	assert_true(fabs(a.jitter - 2e-6 / 16) < 1e-12);
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

/* The header iperf_udp_send writes, both widths, read back by the receiver's accounting. */
static void
test_udp_hdr_write(void **state)
{
	uint8_t b[16], want[16];
	struct ip3u_acct a;

	(void)state;
	/* 4000000.999999 s, sequence 0x01020304. */
	assert_int_equal(ip3u_hdr_write(b, 4000000999999ull, 0x01020304, false), 12);
	hdr(want, 4000000, 999999, 0x01020304, false);
	assert_memory_equal(b, want, 12);
	assert_memory_equal(b,
			    ((const uint8_t[]){ 0x00, 0x3d, 0x09, 0x00, 0x00, 0x0f, 0x42, 0x3f,
						0x01, 0x02, 0x03, 0x04 }),
			    12);
	/* 64 bits: a sequence above 2^32, big-endian. */
	assert_int_equal(ip3u_hdr_write(b, 1500000, (5ull << 32) | 7, true), 16);
	assert_memory_equal(
		b, ((const uint8_t[]){ 0, 0, 0, 1, 0, 0x07, 0xa1, 0x20, 0, 0, 0, 5, 0, 0, 0, 7 }),
		16);
	memset(&a, 0, sizeof(a));
	assert_int_equal(ip3u_account(&a, b, 16, 2000000000, true), 0);
	assert_int_equal(a.packet_count, (5ull << 32) | 7);
	/* A 32-bit header keeps the low 32 bits of the count, as iperf3's htonl does. */
	ip3u_hdr_write(b, 0, (5ull << 32) | 7, false);
	memset(&a, 0, sizeof(a));
	assert_int_equal(ip3u_account(&a, b, 12, 0, false), 0);
	assert_int_equal(a.packet_count, 7);
}

/* The datagram clock: CLOCK_MONOTONIC at the reading, carried on by the TSC both ways. */
static void
test_udp_clock(void **state)
{
	struct ip3u_clock c = { .ns = 5000000000123ull, .tsc = 3000000000ull, .hz = 3000000000ull };
	struct ip3u_clock now;
	struct timespec ts;
	uint64_t mono;
	int64_t d;

	(void)state;
	assert_int_equal(ip3u_clock_ns(&c, c.tsc), c.ns);
	assert_int_equal(ip3u_clock_ns(&c, c.tsc + 4500000000ull), c.ns + 1500000000ull);
	assert_int_equal(ip3u_clock_ns(&c, c.tsc - 3), c.ns - 1);
	assert_int_equal(ip3u_clock_ns(&c, 0), c.ns - 1000000000ull);
	/* A fresh reading is CLOCK_MONOTONIC's. */
	ip3u_clock_init(&now, rte_get_tsc_hz());
	clock_gettime(CLOCK_MONOTONIC, &ts);
	mono = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	/* Both ways, as signed differences: the reading is the middle of a TSC interval, and the
	 * TSC rate is a calibration, so the carried clock may be a little behind the system's. */
	d = (int64_t)(mono - now.ns);
	assert_true(d > -1000000 && d < 1000000000);
	d = (int64_t)(ip3u_clock_ns(&now, rte_rdtsc()) - mono);
	assert_true(d > -1000000 && d < 1000000000);
}

#define PACE_HZ 2000000000ull /* a 2 GHz fake TSC */

/* Polls p every step_ns (alternating with step2_ns when not 0) from *now for dur_ns, taking
 * up to max per poll; returns the datagrams taken and the largest take in *big. */
static uint64_t
pace_run(struct ip3u_pace *p, uint64_t *now, uint64_t dur_ns, uint64_t step_ns, uint64_t step2_ns,
	 uint32_t max, uint32_t *big)
{
	uint64_t end = *now + dur_ns * (PACE_HZ / 1000000000ull), n = 0, k = 0;

	*big = 0;
	while (*now < end) {
		uint32_t t;

		*now += ((k++ & 1) && step2_ns != 0 ? step2_ns : step_ns) *
			(PACE_HZ / 1000000000ull);
		t = ip3u_pace_take(p, *now, max);
		n += t;
		*big = RTE_MAX(*big, t);
	}
	return n;
}

/* The rate over a test: what was sent in T is rate * T within one datagram, whatever the
 * poll period; after a stall a burst of at most IP3U_PACE_BURST, then twice the rate until
 * the bucket (IP3U_PACE_DEPTH_US of the rate) is spent; a longer stall is not made up for,
 * and the rate after it is exact again (no drift). */
static void
test_udp_pace(void **state)
{
	struct ip3u_pace p;
	const uint64_t rate = 50000000, len = 1400;
	const double per_s = (double)rate / 8 / len; /* 4464.28... datagrams/s */
	const double bucket = per_s * IP3U_PACE_DEPTH_US / 1e6;
	uint64_t now = 123456789, n;
	uint32_t big;

	(void)state;
	/* 10 s of polls every 7 us and 333 us in turn: 1 + 10 s of the rate. */
	ip3u_pace_init(&p, rate, (uint32_t)len, PACE_HZ, now);
	n = pace_run(&p, &now, 10000000000ull, 7000, 333000, 64, &big);
	assert_true(fabs((double)n - (1 + 10 * per_s)) <= 1.0);
	assert_true(big <= 3);
	/* A 2 s stall: one bucket at most, of which a burst of 32 at once, the rest at twice the
	 * rate (8.9 datagrams a ms) on top of the rate: 100 ms make up for 100 ms. */
	now += 2 * PACE_HZ;
	assert_int_equal(ip3u_pace_take(&p, now, 1000), IP3U_PACE_BURST);
	assert_int_equal(ip3u_pace_take(&p, now, 1000), 0);
	n = pace_run(&p, &now, 100000000ull, 1000000, 0, 1000, &big);
	assert_true(fabs((double)n - 0.2 * per_s) <= 1.0);
	assert_true(big <= 9);
	/* Within the next second the rest of the bucket is made up for, and no more. */
	n = pace_run(&p, &now, 1000000000ull, 1000000, 0, 1000, &big);
	assert_true(fabs((double)n - (bucket - IP3U_PACE_BURST - 0.1 * per_s + per_s)) <= 1.0);
	/* Then the rate again, exactly, for 60 s of 1 ms polls. */
	n = pace_run(&p, &now, 60000000000ull, 1000000, 0, 64, &big);
	assert_true(fabs((double)n - 60 * per_s) <= 1.0);
	/* A refund goes back into the bucket: the same datagrams can go on the next poll. */
	n = ip3u_pace_take(&p, now + PACE_HZ / 100, 1000); /* 10 ms: 44 datagrams, burst 32 */
	assert_int_equal(n, IP3U_PACE_BURST);
	ip3u_pace_refund(&p, 10);
	assert_int_equal(ip3u_pace_take(&p, now + PACE_HZ / 100, 1000), 10);
	/* The per-poll cap holds, and the bucket keeps what it did not hand out. */
	now += PACE_HZ;
	assert_int_equal(ip3u_pace_take(&p, now, 5), 5);
	assert_int_equal(ip3u_pace_take(&p, now, 1000), IP3U_PACE_BURST - 5);
	/* A slow rate: the bucket is IP3U_PACE_BURST datagrams (more than 20 ms of it). */
	ip3u_pace_init(&p, 1000000, 1000, PACE_HZ, now);
	now += 10 * PACE_HZ;
	assert_int_equal(ip3u_pace_take(&p, now, 1000), IP3U_PACE_BURST);

	/* 1 Gbit/s, 1000-byte datagrams: the bucket is IP3U_PACE_DEPTH_US of the rate, caught
	 * up within the next second at 2 Gbit/s at most (12.5 datagrams per 50 us). */
	ip3u_pace_init(&p, 1000000000, 1000, PACE_HZ, now);
	now += PACE_HZ;
	assert_int_equal(ip3u_pace_take(&p, now, 100000), IP3U_PACE_BURST);
	n = pace_run(&p, &now, 1000000000ull, 50000, 0, 1000, &big);
	assert_true(fabs((double)n -
			 (125000 + 125000.0 * IP3U_PACE_DEPTH_US / 1e6 - IP3U_PACE_BURST)) <= 1.0);
	assert_true(big <= 13);
	n = pace_run(&p, &now, 1000000000ull, 50000, 0, 1000, &big);
	assert_true(fabs((double)n - 125000) <= 1.0);

	/* The fastest paced rate on a 10 GHz clock: the depth saturates and nothing wraps;
	 * 1 us then lets twice the rate through (17.9 datagrams of 1400 bytes). */
	ip3u_pace_init(&p, IP3U_RATE_MAX, 1400, 10000000000ull, now);
	assert_int_equal(ip3u_pace_take(&p, now + 10000000000ull, 100000), IP3U_PACE_BURST);
	assert_int_equal(ip3u_pace_take(&p, now + 10000010000ull, 100000), 17);

	/* 0 is iperf3's unlimited: whatever the caller can take, every poll. */
	ip3u_pace_init(&p, 0, 1400, PACE_HZ, now);
	assert_int_equal(ip3u_pace_take(&p, now, 64), 64);
	assert_int_equal(ip3u_pace_take(&p, now, 64), 64);
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

/* Opens the control connection on queue 0 and sends params; the stream's connect datagram
 * from port 50101 lands on queue 1 and is answered. */
static void
udp_test_start(const char *params, uint32_t *seen)
{
	static const uint8_t connect_le[4] = { 0x39, 0x38, 0x37, 0x36 };

	tc_init(&C, &H, 0, 50000, H_IPERF_PORT, 1000, 1);
	assert_int_equal(tc_connect(&C), 0);
	tc_send(&C, COOKIE, 37);
	pump(&C, seen);
	assert_int_equal(C.rx[0], 9); /* PARAM_EXCHANGE */
	send_json(&C, params);
	pump(&C, seen);
	assert_int_equal(*seen, 2);
	assert_int_equal(C.rx[1], 10); /* CREATE_STREAMS */
	h_clear(&H);
	dgram(1, 50101, connect_le, 4);
	pump(&C, seen);
	assert_non_null(udp_out(50101)); /* the connect reply */
	assert_int_equal(*seen, 4);
	assert_int_equal(C.rx[3], 2); /* TEST_RUNNING */
}

/* The datagrams to the client in H.out but the connect reply: each len bytes, checksum
 * right, its header's count the next of *seq, its send time not before *us. Returns how
 * many. */
static uint32_t
check_sent(uint32_t len, bool c64, uint64_t *seq, uint64_t *us)
{
	uint32_t i, n = 0;

	for (i = 0; i < H.n_out; i++) {
		const struct pb_parsed *r = &H.out[i];
		struct ip3u_acct a;
		uint64_t t;
		uint32_t sec, usec;

		if (r->proto != IPPROTO_UDP || r->dport != 50101 || r->plen == 4)
			continue;
		assert_int_equal(r->sport, H_IPERF_PORT);
		assert_int_equal(r->plen, len);
		assert_true(r->tcp_csum_ok);
		memset(&a, 0, sizeof(a));
		assert_int_equal(ip3u_account(&a, r->payload, len, 0, c64), 0);
		assert_int_equal(a.packet_count, ++*seq);
		memcpy(&sec, r->payload, 4);
		memcpy(&usec, r->payload + 4, 4);
		t = (uint64_t)rte_be_to_cpu_32(sec) * 1000000 + rte_be_to_cpu_32(usec);
		assert_true(rte_be_to_cpu_32(usec) < 1000000);
		assert_true(t >= *us);
		*us = t;
		/* After the header, the pattern. */
		assert_int_equal(r->payload[IP3U_HDR_LEN(c64)], '0');
		n++;
	}
	return n;
}

/* Ends the test; returns the results JSON's only stream. */
static json_t *
udp_test_end(uint32_t *seen, json_t **res)
{
	json_error_t jerr;
	uint32_t len;

	tc_send(&C, "\x04", 1); /* TEST_END */
	pump(&C, seen);
	assert_int_equal(C.rx[4], 13); /* EXCHANGE_RESULTS */
	send_json(&C, "{\"cpu_util_total\":1,\"streams\":[]}");
	pump(&C, seen);
	memcpy(&len, C.rx + 5, 4);
	len = rte_be_to_cpu_32(len);
	assert_int_equal(*seen, 5 + 4 + len + 1);
	*res = json_loadb((const char *)C.rx + 9, len, 0, &jerr);
	assert_non_null(*res);
	assert_int_equal(json_array_size(json_object_get(*res, "streams")), 1);
	return json_array_get(json_object_get(*res, "streams"), 0);
}

/* -u -R: the server sends at the client's rate, from TEST_RUNNING to TEST_END, datagrams of
 * the client's length numbered 1, 2, ...; its results carry what it sent. */
static void
reverse_test(bool c64, uint32_t len)
{
	char params[256];
	uint64_t seq = 0, us = 0;
	uint32_t seen = 0, n = 0, ms;
	json_t *res, *s;

	/* 8 Mbit/s: 1000 datagrams of 1000 bytes a second. */
	snprintf(params, sizeof(params),
		 "{\"udp\":true,\"reverse\":true,\"omit\":0,\"time\":1,\"parallel\":1,\"len\":%u,"
		 "\"bandwidth\":%u,%s\"client_version\":\"3.12\"}",
		 len, len * 8 * 1000, c64 ? "\"udp_counters_64bit\":1," : "");
	udp_test_start(params, &seen);
	/* The first datagram may go with the start; then one a millisecond. */
	n += check_sent(len, c64, &seq, &us);
	h_clear(&H);
	for (ms = 0; ms < 200; ms++) {
		h_advance_ms(&H, 1);
		h_poll(&H);
		n += check_sent(len, c64, &seq, &us);
		h_clear(&H);
	}
	assert_true(n >= 200 && n <= 201);
	assert_int_equal(h_stat(&H, 1, "iperf_udp_sent"), n);
	assert_int_equal(h_stat(&H, 1, "iperf_udp_held"), 0);
	/* The client says nothing on its stream; the datagrams never count as received. */
	assert_int_equal(h_stat(&H, 1, "iperf_udp_stray"), 0);
	s = udp_test_end(&seen, &res);
	assert_int_equal(json_integer_value(json_object_get(s, "bytes")), (json_int_t)n * len);
	assert_int_equal(json_integer_value(json_object_get(s, "packets")), n);
	assert_int_equal(json_integer_value(json_object_get(s, "errors")), 0);
	json_decref(res);
	/* Stopped at TEST_END. */
	h_clear(&H);
	h_advance_ms(&H, 10);
	h_poll(&H);
	assert_int_equal(check_sent(len, c64, &seq, &us), 0);
	tc_send(&C, "\x10", 1); /* IPERF_DONE */
	h_poll(&H);
	assert_int_equal(h_stat(&H, 0, "iperf_tests"), 1);
	assert_int_equal(tc_close(&C), 0);
}

static void
test_udp_reverse(void **state)
{
	(void)state;
	reverse_test(false, 1000);
}

/* Chained mbufs: the pattern goes by reference; 64-bit counters; the largest datagram. */
static void
test_udp_reverse_chain_c64(void **state)
{
	(void)state;
	reverse_test(true, 1472);
}

/* -b 0: as fast as the tx room allows, which a poll's burst bounds. */
static void
test_udp_reverse_unlimited(void **state)
{
	uint64_t seq = 0, us = 0;
	uint32_t seen = 0, n;
	json_t *res, *s;

	(void)state;
	udp_test_start("{\"udp\":true,\"reverse\":true,\"time\":1,\"parallel\":1,\"len\":200}",
		       &seen);
	/* What went during the start overflowed the harness's outbox: count from what follows. */
	h_clear(&H);
	h_advance_ms(&H, 1);
	h_poll(&H);
	for (n = 0; n < H.n_out; n++)
		if (H.out[n].proto == IPPROTO_UDP && H.out[n].dport == 50101) {
			uint32_t first;

			memcpy(&first, H.out[n].payload + 8, 4);
			seq = rte_be_to_cpu_32(first) - 1;
			break;
		}
	/* h_poll polls each stack twice: two bursts. */
	n = check_sent(200, false, &seq, &us);
	assert_int_equal(n, 2 * IP3U_TX_BURST);
	/* A tx buffer the device has not drained: what does not fit waits, counted. */
	{
		uint16_t k;

		for (k = 0; k < VNS_TXBUF_MAX - VNS_TXBUF_MAX / 4 - 10; k++)
			H.tx.pkts[H.tx.n++] = rte_pktmbuf_alloc(H.mp);
		vns_stack_poll(H.st[1], H.now, &H.tx);
		assert_int_equal(H.tx.n, VNS_TXBUF_MAX - VNS_TXBUF_MAX / 4);
		assert_int_equal(h_stat(&H, 1, "iperf_udp_held"), IP3U_TX_BURST - 10);
		seq += 10; /* sent, not looked at */
		rte_pktmbuf_free_bulk(H.tx.pkts, H.tx.n);
		H.tx.n = 0;
	}
	h_clear(&H);
	s = udp_test_end(&seen, &res);
	assert_int_equal(json_integer_value(json_object_get(s, "packets")), seq);
	assert_int_equal(json_integer_value(json_object_get(s, "bytes")), (json_int_t)seq * 200);
	json_decref(res);
	h_clear(&H);
}

/* Two sending streams on one lcore whose tx room is short take turns at it. */
static void
test_udp_reverse_turns(void **state)
{
	static const uint8_t connect_le[4] = { 0x39, 0x38, 0x37, 0x36 };
	const uint16_t busy = VNS_TXBUF_MAX - VNS_TXBUF_MAX / 4 - 10;
	uint32_t seen = 0, got[2] = { 0, 0 }, p, i;
	uint16_t k;

	(void)state;
	tc_init(&C, &H, 0, 50000, H_IPERF_PORT, 1000, 1);
	assert_int_equal(tc_connect(&C), 0);
	tc_send(&C, COOKIE, 37);
	pump(&C, &seen);
	send_json(&C, "{\"udp\":true,\"reverse\":true,\"time\":1,\"parallel\":2,\"len\":200}");
	pump(&C, &seen);
	dgram(1, 50101, connect_le, 4);
	pump(&C, &seen);
	dgram(1, 50102, connect_le, 4);
	pump(&C, &seen);
	assert_int_equal(C.rx[3], 2); /* TEST_RUNNING */
	h_clear(&H);
	/* Room for 10 datagrams a poll, 8 polls. */
	for (p = 0; p < 8; p++) {
		for (k = 0; k < busy; k++)
			H.tx.pkts[H.tx.n++] = rte_pktmbuf_alloc(H.mp);
		H.now += H.hz / 1000;
		vns_stack_poll(H.st[1], H.now, &H.tx);
		assert_int_equal(H.tx.n, busy + 10);
		for (i = busy; i < H.tx.n; i++) {
			struct pb_parsed *r = &H.out[0];

			assert_int_equal(pb_parse(H.tx.pkts[i], r), 0);
			got[r->dport - 50101]++;
		}
		rte_pktmbuf_free_bulk(H.tx.pkts, H.tx.n);
		H.tx.n = 0;
	}
	assert_int_equal(got[0], 40);
	assert_int_equal(got[1], 40);
	tc_send(&C, "\x04", 1); /* TEST_END: the senders stop */
	h_poll(&H);
	h_clear(&H);
}

/* Datagram lengths iperf3 3.12 cannot run here: shorter than the header (no sequence
 * number), above the MTU (the stack sends and reassembles no fragments). SERVER_ERROR with
 * IEUDPBLOCKSIZE, which the client prints as "block size invalid". */
static void
test_udp_bad_len(void **state)
{
	static const char *const params[] = {
		"{\"udp\":true,\"reverse\":true,\"parallel\":1,\"time\":1,\"len\":1473}",
		"{\"udp\":true,\"parallel\":1,\"time\":1,\"len\":9000}",
		"{\"udp\":true,\"parallel\":1,\"time\":1,\"len\":11}",
		"{\"udp\":true,\"parallel\":1,\"time\":1,\"len\":15,\"udp_counters_64bit\":1}",
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(params); i++) {
		uint32_t seen = 0;

		tc_init(&C, &H, 0, (uint16_t)(50300 + i), H_IPERF_PORT, 1000, 1);
		assert_int_equal(tc_connect(&C), 0);
		tc_send(&C, COOKIE, 37);
		pump(&C, &seen);
		send_json(&C, params[i]);
		pump(&C, &seen);
		assert_true(C.rx_len >= 10);
		assert_int_equal(C.rx[1], 0xfe);
		assert_int_equal(C.rx[5], IP3U_IEUDPBLOCKSIZE); /* big-endian int32 */
		assert_int_equal(h_stat(&H, 0, "iperf_refused"), i + 1);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_acct_loss_reorder_dup),
		cmocka_unit_test(test_udp_acct_jitter),
		cmocka_unit_test(test_udp_acct_transit_unsigned),
		cmocka_unit_test(test_udp_acct_usec_arrival),
		cmocka_unit_test(test_udp_acct_c64_short_omit),
		cmocka_unit_test(test_udp_hdr_write),
		cmocka_unit_test(test_udp_clock),
		cmocka_unit_test(test_udp_pace),
		cmocka_unit_test(test_udp_connect_magic),
		cmocka_unit_test(test_udp_table_reclaim),
		cmocka_unit_test_setup_teardown(test_udp_full_test, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_udp_reverse, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_udp_reverse_chain_c64, setup2_chain, teardown),
		cmocka_unit_test_setup_teardown(test_udp_reverse_unlimited, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_udp_reverse_turns, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_udp_bad_len, setup2, teardown),
	};

	(void)argc;
	h_eal_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
