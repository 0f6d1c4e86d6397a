/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stack_perf: the vnetsink stack's own cost per received TCP segment, without a port.
 *
 * A scripted client (tests/unit/stack/harness) opens a connection, then bursts of 32
 * prebuilt in-order data segments go through vns_stack_input() + vns_stack_poll() exactly as
 * the per-queue loop calls them; the ACKs the stack queues are freed outside the timed part.
 * Frames carry the checksum-good flags a virtio device with GUEST_CSUM sets, so the figure is
 * the stack's logic, not a software checksum.
 *
 * Cases:
 *   iperf3   a counted iperf3 test stream (control connection, cookie, parameters, stream)
 *   discard  the discard port without the integrity mode
 *   lro      64000-byte LRO chains of 1500-byte mbufs on an iperf3 stream (cost per chain)
 *
 *   stack_perf [-c iperf3|discard|lro|all] [-n SEGMENTS] [-r REPS]
 * prints one line per case and repetition:
 *   RESULT case=iperf3 segs=N payload=B cycles_per_seg=X ns_per_seg=Y
 * Figures, not a test: tools/bench-sink and the architecture notes quote them.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "harness.h"
#include "vns_services.h"

#define PERF_BURST 32
#define PERF_MSS   1448

static const char perf_cookie[37] = "stackperfcookiestackperfcookiestack1";
static uint8_t perf_pattern[64000];

struct perf_case {
	const char *name;
	uint16_t port;
	uint32_t payload;  /* bytes per segment */
	uint32_t seg_size; /* > 0: LRO chain of mbufs of this size */
};

static const struct vns_service_bind perf_binds[] = {
	{ H_IPERF_PORT, &vns_iperf3_ops, NULL },
	{ H_DISCARD_PORT, &vns_discard_ops, NULL },
};

static const struct perf_case perf_cases[] = {
	{ "iperf3", H_IPERF_PORT, PERF_MSS, 0 },
	{ "discard", H_DISCARD_PORT, PERF_MSS, 0 },
	{ "lro", H_IPERF_PORT, 64000, 1500 },
};

static void
perf_die(const char *what)
{
	fprintf(stderr, "stack_perf: %s\n", what);
	exit(1);
}

static void
perf_pump(struct tc *c)
{
	h_poll(c->h);
	tc_recv(c, 1);
	h_poll(c->h);
	tc_recv(c, 1);
}

static void
perf_send_json(struct tc *c, const char *js)
{
	uint8_t buf[512];
	uint32_t n = (uint32_t)strlen(js);
	uint32_t be = rte_cpu_to_be_32(n);

	memcpy(buf, &be, 4);
	memcpy(buf + 4, js, n);
	tc_send(c, buf, n + 4);
}

/* Brings an iperf3 test to TEST_RUNNING with one stream; returns 0 when the stream counts. */
static int
perf_iperf3_start(struct h *h, struct tc *ctrl, struct tc *stream)
{
	tc_init(ctrl, h, 0, 50000, H_IPERF_PORT, 1000u, 1);
	if (tc_connect(ctrl) != 0)
		return -1;
	tc_send(ctrl, perf_cookie, 37);
	perf_pump(ctrl);
	if (ctrl->rx_len != 1 || ctrl->rx[0] != 9)
		return -1;
	perf_send_json(ctrl, "{\"tcp\":true,\"omit\":0,\"time\":10,\"num\":0,\"blockcount\":0,"
			     "\"parallel\":1,\"len\":131072,\"client_version\":\"3.12\"}");
	perf_pump(ctrl);
	if (ctrl->rx_len != 2 || ctrl->rx[1] != 10)
		return -1;
	tc_init(stream, h, 0, 50001, H_IPERF_PORT, 7u, 1);
	if (tc_connect(stream) != 0)
		return -1;
	tc_send(stream, perf_cookie, 37);
	perf_pump(ctrl);
	if (ctrl->rx_len != 4 || ctrl->rx[3] != 2)
		return -1;
	h_clear(h);
	return 0;
}

/* The timed part, kept out of line so that callgrind can count it alone
 * (--toggle-collect=perf_burst; tools/bench-stack --instructions). */
static __attribute__((noinline)) void
perf_burst(struct vns_stack *st, struct rte_mbuf **pkts, uint64_t now, struct vns_txbuf *tx)
{
	vns_stack_input(st, pkts, PERF_BURST, now, tx);
	vns_stack_poll(st, now, tx);
}

static int
perf_run(const struct perf_case *pc, uint64_t nsegs, double *cyc_per_seg)
{
	static struct h h;
	static struct tc ctrl, c;
	struct rte_mbuf *pkts[PERF_BURST];
	struct vns_txbuf tx;
	struct pb_tcp p;
	uint64_t done = 0, cycles = 0, t0, base_tsc, before;
	uint32_t seq;
	uint16_t i, j;

	if (h_open(&h, 1, perf_binds, RTE_DIM(perf_binds), 4096, 0) != 0)
		perf_die("cannot create the stack");
	if (pc->port == H_IPERF_PORT) {
		if (perf_iperf3_start(&h, &ctrl, &c) != 0)
			perf_die("the iperf3 test did not reach TEST_RUNNING");
	} else {
		tc_init(&c, &h, 0, 40000, pc->port, 1u, 1);
		if (tc_connect(&c) != 0)
			perf_die("handshake failed");
		h_clear(&h);
	}
	before = h_stat(&h, 0, "tcp_payload_bytes");
	seq = c.snd_nxt;
	tx.n = 0;
	base_tsc = rte_rdtsc();
	while (done < nsegs) {
		for (i = 0; i < PERF_BURST; i++) {
			tc_fill(&c, &p, seq, PB_ACK, perf_pattern, pc->payload);
			p.seg_size = pc->seg_size;
			p.ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD |
				     (pc->seg_size ? RTE_MBUF_F_RX_LRO : 0);
			pkts[i] = pb_tcp_mbuf(h.mp, &p);
			if (pkts[i] == NULL)
				perf_die("mbuf pool empty while building segments");
			seq += pc->payload;
			c.tsval++;
		}
		t0 = rte_rdtsc();
		perf_burst(h.st[0], pkts, h.now + (t0 - base_tsc), &tx);
		cycles += rte_rdtsc() - t0;
		for (j = 0; j < tx.n; j++)
			rte_pktmbuf_free(tx.pkts[j]);
		tx.n = 0;
		done += PERF_BURST;
	}
	if (h_stat(&h, 0, "tcp_payload_bytes") - before != done * pc->payload)
		perf_die("the stack did not accept every segment in order");
	h_clear(&h);
	if (h_close(&h) != 0)
		perf_die("mbufs leaked");
	*cyc_per_seg = (double)cycles / (double)done;
	return 0;
}

int
main(int argc, char **argv)
{
	const char *which = "all";
	uint64_t nsegs = 200000;
	unsigned int reps = 3, r, k;
	double cps, hz;
	int opt;

	h_eal_init(argv[0]);
	while ((opt = getopt(argc, argv, "c:n:r:")) != -1) {
		switch (opt) {
		case 'c':
			which = optarg;
			break;
		case 'n':
			nsegs = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			reps = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: stack_perf [-c iperf3|discard|lro|all] [-n SEGS] "
					"[-r REPS]\n");
			return 2;
		}
	}
	if (nsegs < PERF_BURST || reps == 0) {
		fprintf(stderr, "stack_perf: -n must be at least %d and -r at least 1\n",
			PERF_BURST);
		return 2;
	}
	for (k = 0; k < sizeof(perf_pattern); k++)
		perf_pattern[k] = (uint8_t)(k * 7u);
	hz = (double)rte_get_tsc_hz();
	for (k = 0; k < RTE_DIM(perf_cases); k++) {
		const struct perf_case *pc = &perf_cases[k];
		uint64_t n = pc->seg_size ? nsegs / 20 : nsegs;

		if (strcmp(which, "all") != 0 && strcmp(which, pc->name) != 0)
			continue;
		n += PERF_BURST - 1;
		n -= n % PERF_BURST;
		for (r = 0; r < reps; r++) {
			perf_run(pc, n, &cps);
			printf("RESULT case=%s segs=%" PRIu64 " payload=%u cycles_per_seg=%.1f "
			       "ns_per_seg=%.1f\n",
			       pc->name, n, pc->payload, cps, cps * 1e9 / hz);
		}
	}
	return 0;
}
