/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpmd_perf: our PMD's raw rx or tx rate over vhost-user, for tools/bench-pmd (a
 * benchmark, not a test). The loops mirror what dpdk-testpmd's rxonly and txonly engines
 * do with DPDK's net_virtio_user, so the two can be compared against the same backend:
 *   rx: receive bursts and free them (bulk);
 *   tx: allocate a burst, write a UDP/IPv4 frame header into each mbuf, send, free leftovers.
 * Runs on the main lcore (pin it with EAL -l). Prints one line (see perf_common.h):
 *   RESULT mode=rx|tx pkts=N secs=S mpps=X cpp=CYCLES_PER_PACKET full_bursts=N
 *
 * usage: vpmd_perf EAL_ARGS -- -s SOCKET -m rx|tx [-l FRAME_LEN] [-r split|packed]
 *                              [-t SECONDS] [-w WARMUP_SECONDS] [-b BURST] [-x FEATURES_TO_DROP]
 *                              [-o] [-z RING_SIZE]
 * The loops request no offload, so by default the checksum and TSO features are left out,
 * as net_vpmd and net_virtio do for an application that enables none (testpmd's engines);
 * -o keeps them (VPMD_FEATURES_DEFAULT). -z asks for rings of that many descriptors
 * (vpmd_conf.ring_size; default: the PMD's choice).
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_udp.h>

#include "vpmd.h"
#include "perf_common.h"

#define PERF_POOL_SIZE 16383

static volatile sig_atomic_t perf_quit;

static void
perf_on_signal(int sig)
{
	(void)sig;
	perf_quit = 1;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL;
	bool tx = false, packed = false;
	unsigned int secs = 5, warmup = 1, burst = 32;
	uint16_t frame_len = 64;
	uint64_t without = 0; /* feature bits to leave out (experiments) */
	bool offloads = false;
	unsigned int ring_size = 0;
	struct rte_mempool *mp = NULL;
	struct vpmd_dev *dev = NULL;
	char spec[300], err[256] = "";
	int opt, n, ret = 1;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "vpmd_perf: EAL init failed (%s): needs root and hugepages\n",
			rte_strerror(rte_errno));
		return 77;
	}
	argc -= n;
	argv += n;
	while ((opt = getopt(argc, argv, "s:m:l:r:t:w:b:x:oz:")) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'm':
			tx = strcmp(optarg, "tx") == 0;
			break;
		case 'l':
			frame_len = (uint16_t)atoi(optarg);
			break;
		case 'r':
			packed = strcmp(optarg, "packed") == 0;
			break;
		case 't':
			secs = (unsigned int)atoi(optarg);
			break;
		case 'w':
			warmup = (unsigned int)atoi(optarg);
			break;
		case 'b':
			burst = (unsigned int)atoi(optarg);
			break;
		case 'x':
			without = strtoull(optarg, NULL, 0);
			break;
		case 'o':
			offloads = true;
			break;
		case 'z':
			ring_size = (unsigned int)atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (sock == NULL || frame_len < 60 || frame_len > 1518 || secs == 0 || burst == 0 ||
	    burst > VPMD_BURST_MAX || ring_size > UINT16_MAX)
		goto usage;
	signal(SIGINT, perf_on_signal);
	signal(SIGTERM, perf_on_signal);

	mp = rte_pktmbuf_pool_create("perf_pool", PERF_POOL_SIZE, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "vpmd_perf: mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	snprintf(spec, sizeof(spec), "vhost-user:%s", sock);
	dev = vpmd_open(spec, err, sizeof(err));
	if (dev == NULL) {
		fprintf(stderr, "vpmd_perf: %s\n", err);
		goto out;
	}
	if (!offloads)
		without |= VPMD_F_CSUM | VPMD_F_GUEST_CSUM | VPMD_F_GUEST_TSO4 | VPMD_F_GUEST_TSO6;
	struct vpmd_conf conf = {
		.nb_qpairs = 1,
		.features = (packed ? VPMD_FEATURES_DEFAULT
				    : (VPMD_FEATURES_DEFAULT & ~VPMD_F_RING_PACKED)) &
			    ~without,
		.rx_pool = mp,
		.socket_id = (int)rte_socket_id(),
		.ring_size = (uint16_t)ring_size,
	};
	if (vpmd_configure(dev, &conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "vpmd_perf: configure: %s\n", err);
		goto out;
	}
	if (vpmd_start(dev, err, sizeof(err)) < 0) {
		fprintf(stderr, "vpmd_perf: start: %s\n", err);
		goto out;
	}
	vpmd_info_dump(dev, stderr);

	struct vpmd_rxq *rxq = vpmd_rxq(dev, 0);
	struct vpmd_txq *txq = vpmd_txq(dev, 0);
	struct vpmd_link link;
	uint8_t hdr[PERF_HDR_LEN];
	struct rte_mbuf *pkts[VPMD_BURST_MAX];
	static struct perf_hist hist;
	struct perf_clock clk;
	uint64_t count = 0;

	vpmd_link_get(dev, &link);
	perf_template(hdr, frame_len, &link.mac);
	perf_clock_init(&clk, warmup, secs);
	while (!perf_quit) {
		uint64_t t0, t1;
		uint16_t k;

		if (tx) {
			if (rte_pktmbuf_alloc_bulk(mp, pkts, burst) == 0) {
				for (unsigned int i = 0; i < burst; i++) {
					struct rte_mbuf *m = pkts[i];

					rte_memcpy(rte_pktmbuf_mtod(m, void *), hdr, PERF_HDR_LEN);
					m->data_len = frame_len;
					m->pkt_len = frame_len;
				}
				t0 = rte_rdtsc();
				k = vpmd_tx_burst(txq, pkts, (uint16_t)burst);
				t1 = rte_rdtsc();
				if (k < burst)
					rte_pktmbuf_free_bulk(pkts + k, burst - k);
			} else {
				k = 0;
				t0 = t1 = 0;
			}
		} else {
			t0 = rte_rdtsc();
			k = vpmd_rx_burst(rxq, pkts, (uint16_t)burst);
			t1 = rte_rdtsc();
			if (k)
				rte_pktmbuf_free_bulk(pkts, k);
		}
		if (k == burst && clk.measuring)
			perf_hist_add(&hist, t1 - t0, k);
		count += k;
		if (perf_clock_tick(&clk, count))
			break;
	}
	if (!clk.measuring) {
		fprintf(stderr, "vpmd_perf: interrupted before the measurement started\n");
		goto out;
	}
	struct vpmd_rxq_stats rs;
	struct vpmd_txq_stats ts;

	vpmd_rxq_stats(rxq, &rs);
	vpmd_txq_stats(txq, &ts);
	fprintf(stderr,
		"vpmd_perf: rx packets %" PRIu64 " nombuf %" PRIu64 " kicks %" PRIu64
		" empty_polls %" PRIu64 " | tx packets %" PRIu64 " ring_full %" PRIu64
		" kicks %" PRIu64 "\n",
		rs.packets, rs.drop_nombuf, rs.kicks, rs.empty_polls, ts.packets, ts.ring_full,
		ts.kicks);
	perf_report(tx ? "tx" : "rx", &clk, count, &hist);
	ret = 0;
out:
	if (dev != NULL) {
		vpmd_stop(dev);
		vpmd_close(dev);
	}
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret;
usage:
	fprintf(stderr,
		"usage: vpmd_perf EAL -- -s SOCKET -m rx|tx [-l 60..1518] [-r split|packed] [-t S] "
		"[-w S] [-b 1..%d] [-x HEXMASK] [-o] [-z RING_SIZE]\n",
		VPMD_BURST_MAX);
	ret = 2;
	goto out;
}
