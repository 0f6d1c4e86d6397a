/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk_virtio_perf: the reference side of tools/bench-pmd. The same loops and the same
 * measurement as vpmd_perf (perf_common.h), but through DPDK's ethdev API on DPDK's own
 * virtio PMD, so the cycles-per-packet figures of the two drivers compare like for like.
 * The port comes from the EAL command line, e.g.
 *   --vdev net_virtio_user0,path=SOCK,queues=1,queue_size=1024[,packed_vq=1]
 *
 * usage: dpdk_virtio_perf EAL_ARGS -- -m rx|tx [-l FRAME_LEN] [-t SECONDS] [-w WARMUP]
 *                                     [-b BURST]
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
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "perf_common.h"

#define PERF_POOL_SIZE 16383
#define PERF_RING      1024
#define PERF_BURST_MAX 64

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
	bool tx = false;
	unsigned int secs = 5, warmup = 1, burst = 32;
	uint16_t frame_len = 64, port = 0;
	struct rte_mempool *mp = NULL;
	struct rte_eth_conf conf;
	bool started = false;
	int opt, n, ret = 1;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dpdk_virtio_perf: EAL init failed (%s)\n",
			rte_strerror(rte_errno));
		return 77;
	}
	argc -= n;
	argv += n;
	while ((opt = getopt(argc, argv, "m:l:t:w:b:")) != -1) {
		switch (opt) {
		case 'm':
			tx = strcmp(optarg, "tx") == 0;
			break;
		case 'l':
			frame_len = (uint16_t)atoi(optarg);
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
		default:
			goto usage;
		}
	}
	if (frame_len < 60 || frame_len > 1518 || secs == 0 || burst == 0 || burst > PERF_BURST_MAX)
		goto usage;
	if (rte_eth_dev_count_avail() != 1) {
		fprintf(stderr,
			"dpdk_virtio_perf: need exactly one port (--vdev net_virtio_user0,...), "
			"have %u\n",
			rte_eth_dev_count_avail());
		goto out;
	}
	RTE_ETH_FOREACH_DEV(port)
		break;
	signal(SIGINT, perf_on_signal);
	signal(SIGTERM, perf_on_signal);

	mp = rte_pktmbuf_pool_create("perf_pool", PERF_POOL_SIZE, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "dpdk_virtio_perf: mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	memset(&conf, 0, sizeof(conf));
	if ((n = rte_eth_dev_configure(port, 1, 1, &conf)) < 0 ||
	    (n = rte_eth_rx_queue_setup(port, 0, PERF_RING, rte_eth_dev_socket_id(port), NULL,
					mp)) < 0 ||
	    (n = rte_eth_tx_queue_setup(port, 0, PERF_RING, rte_eth_dev_socket_id(port), NULL)) <
		    0 ||
	    (n = rte_eth_dev_start(port)) < 0) {
		fprintf(stderr, "dpdk_virtio_perf: port %u set-up failed: %s\n", port,
			rte_strerror(-n));
		goto out;
	}
	started = true;

	struct rte_ether_addr mac;
	uint8_t hdr[PERF_HDR_LEN];
	struct rte_mbuf *pkts[PERF_BURST_MAX];
	static struct perf_hist hist;
	struct perf_clock clk;
	uint64_t count = 0;

	rte_eth_macaddr_get(port, &mac);
	perf_template(hdr, frame_len, &mac);
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
				k = rte_eth_tx_burst(port, 0, pkts, (uint16_t)burst);
				t1 = rte_rdtsc();
				if (k < burst)
					rte_pktmbuf_free_bulk(pkts + k, burst - k);
			} else {
				k = 0;
				t0 = t1 = 0;
			}
		} else {
			t0 = rte_rdtsc();
			k = rte_eth_rx_burst(port, 0, pkts, (uint16_t)burst);
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
		fprintf(stderr, "dpdk_virtio_perf: interrupted before the measurement started\n");
		goto out;
	}
	perf_report(tx ? "tx" : "rx", &clk, count, &hist);
	ret = 0;
out:
	if (started) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret;
usage:
	fprintf(stderr,
		"usage: dpdk_virtio_perf EAL --vdev net_virtio_user0,path=SOCK,... -- -m rx|tx [-l "
		"60..1518] [-t S] [-w S] [-b 1..%d]\n",
		PERF_BURST_MAX);
	ret = 2;
	goto out;
}
