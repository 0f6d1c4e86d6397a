/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpmd_ring_perf: the cost of our PMD's burst functions alone, against the in-process
 * software device of the unit tests (tests/unit/pmd/fake_vnet.c). A benchmark, not a test:
 * no root, no hugepages, no second process, so it runs under callgrind, whose instruction
 * counts per packet stay the same on a loaded machine (tests/perf/ring-callgrind).
 *
 * Each iteration is one full burst through the driver and the device's answer:
 *   rx: the device receives `burst` frames, the driver takes them (vpmd_rx_burst), they are
 *       freed in bulk (what dpdk-testpmd's rxonly does);
 *   tx: `burst` mbufs are allocated and given a UDP/IPv4 header (txonly), the driver sends
 *       them (vpmd_tx_burst), the device takes them and completes them in order.
 * The device asks for no notifications (as DPDK's net_vhost does while it polls).
 * Prints: RESULT mode=rx|tx ring=split|packed len=N pkts=N cpp=TSC_CYCLES_PER_PACKET
 * (median over the bursts, inside the burst call; the device's side is not counted).
 *
 * usage: vpmd_ring_perf [-m rx|tx] [-r split|packed] [-l FRAME_LEN] [-n BURSTS] [-b BURST]
 *                       [-i] [-M]
 *   -i  offer IN_ORDER (DPDK's vhost library does)   -M  do not offer MRG_RXBUF
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "fake_vnet.h"
#include "perf_common.h"
#include "test_common.h"
#include "vpmd.h"

#define RING_PERF_POOL 8191

static const char *const usage =
	"usage: vpmd_ring_perf [-m rx|tx] [-r split|packed] [-l 60..1518] [-n BURSTS] [-b 1..64] "
	"[-i] [-M]\n";

int
main(int argc, char **argv)
{
	static uint8_t frame[2048];
	static struct perf_hist hist;
	bool tx = false, packed = false, inorder = false, nomrg = false;
	unsigned int iters = 20000, burst = 32, it;
	uint16_t len = 64;
	struct fake_vnet_cfg cfg;
	struct fake_vnet *f = NULL;
	struct vpmd_dev *dev;
	struct rte_mempool *mp;
	struct rte_mbuf *pkts[VPMD_BURST_MAX];
	struct vpmd_rxq *rxq;
	struct vpmd_txq *txq;
	struct vpmd_link link;
	uint8_t hdr[PERF_HDR_LEN];
	uint64_t total = 0;
	char err[256] = "";
	int opt, bad;

	while ((opt = getopt(argc, argv, "m:r:l:n:b:iM")) != -1) {
		switch (opt) {
		case 'm':
			tx = strcmp(optarg, "tx") == 0;
			break;
		case 'r':
			packed = strcmp(optarg, "packed") == 0;
			break;
		case 'l':
			len = (uint16_t)atoi(optarg);
			break;
		case 'n':
			iters = (unsigned int)atoi(optarg);
			break;
		case 'b':
			burst = (unsigned int)atoi(optarg);
			break;
		case 'i':
			inorder = true;
			break;
		case 'M':
			nomrg = true;
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (len < 60 || len > 1518 || burst == 0 || burst > VPMD_BURST_MAX || iters == 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (vt_eal_init(argv[0]) != 0) {
		fprintf(stderr, "vpmd_ring_perf: EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("ring_perf", RING_PERF_POOL, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	if (mp == NULL) {
		fprintf(stderr, "vpmd_ring_perf: no mbuf pool\n");
		return 1;
	}
	fake_vnet_cfg_default(&cfg);
	cfg.max_pairs = 1;
	cfg.no_notify = true;
	if (packed)
		cfg.features |= VPMD_F_RING_PACKED;
	if (inorder)
		cfg.features |= VPMD_F_IN_ORDER;
	if (nomrg)
		cfg.features &= ~VPMD_F_MRG_RXBUF;
	dev = fake_vnet_open(&cfg, &f, err, sizeof(err));
	if (dev == NULL) {
		fprintf(stderr, "vpmd_ring_perf: %s\n", err);
		return 1;
	}
	struct vpmd_conf conf = { .nb_qpairs = 1, .rx_pool = mp, .socket_id = SOCKET_ID_ANY };

	if (vpmd_configure(dev, &conf, err, sizeof(err)) != 0 ||
	    vpmd_start(dev, err, sizeof(err)) != 0) {
		fprintf(stderr, "vpmd_ring_perf: %s\n", err);
		return 1;
	}
	vpmd_info_dump(dev, stderr);
	rxq = vpmd_rxq(dev, 0);
	txq = vpmd_txq(dev, 0);
	vpmd_link_get(dev, &link);
	perf_template(hdr, len, &link.mac);
	memcpy(frame, hdr, PERF_HDR_LEN);

	for (it = 0; it < iters; it++) {
		uint64_t t0, t1;
		unsigned int i;
		uint16_t k;

		if (tx) {
			if (rte_pktmbuf_alloc_bulk(mp, pkts, burst) != 0)
				break;
			for (i = 0; i < burst; i++) {
				memcpy(rte_pktmbuf_mtod(pkts[i], void *), hdr, PERF_HDR_LEN);
				pkts[i]->data_len = len;
				pkts[i]->pkt_len = len;
			}
			t0 = rte_rdtsc();
			k = vpmd_tx_burst(txq, pkts, (uint16_t)burst);
			t1 = rte_rdtsc();
			if (k < burst)
				rte_pktmbuf_free_bulk(pkts + k, burst - k);
			while (fake_tx_pop(f, 0, &(struct vpmd_net_hdr){ 0 }, NULL, 0, NULL) >= 0)
				;
			fake_tx_complete(f, 0, FAKE_COMPLETE_IN_ORDER);
		} else {
			static const struct vpmd_net_hdr h0 = { 0 };

			for (i = 0; i < burst; i++)
				if (fake_rx_inject(f, 0, &h0, frame, len, false) <= 0)
					break;
			t0 = rte_rdtsc();
			k = vpmd_rx_burst(rxq, pkts, (uint16_t)burst);
			t1 = rte_rdtsc();
			if (k)
				rte_pktmbuf_free_bulk(pkts, k);
		}
		if (k == burst)
			perf_hist_add(&hist, t1 - t0, k);
		total += k;
	}
	bad = f->violations != 0 || total != (uint64_t)iters * burst;
	if (f->violations)
		fprintf(stderr, "vpmd_ring_perf: the device saw a driver violation: %s\n",
			f->violation);
	printf("RESULT mode=%s ring=%s len=%u pkts=%" PRIu64 " cpp=%u\n", tx ? "tx" : "rx",
	       packed ? "packed" : "split", len, total, perf_hist_median(&hist));
	vpmd_stop(dev);
	vpmd_close(dev);
	fake_vnet_free(f);
	return bad;
}
