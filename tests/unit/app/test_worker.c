/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-queue loop against DPDK's net_ring ethdev (no hugepages, no devices): frames put on
 * the port's rx ring go through the real stack, the replies come out on its tx ring. The tx
 * ring holds only 3 frames and nobody drains it while the loop runs, so the loop must retry
 * for a bounded number of polls, then free the rest and count them, and no mbuf may leak.
 * The port has a tx prepare (as DPDK's net_virtio with TSO): every frame goes through it once,
 * however often its burst is retried, and the one it refuses is dropped and counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "vns_config.h"
#include "vns_port.h"
#include "vns_stack.h"
#include "vns_worker.h"

#define NB_REQUESTS   20
#define NB_STALLED    10  /* answered while the device takes nothing for STALL_MS */
#define STALL_MS      100 /* below VNS_TX_RETRY_MS: a late device loses nothing */
#define TX_RING_SLOTS 4   /* rte_ring keeps one slot free: 3 frames fit */
#define POOL_SIZE     2047
#define ARP_FRAME_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr))
#define PREP_REFUSED  2 /* the port's prepare refuses the third frame it is handed */

static int fails;

#define CHECK(cond, ...)                             \
	do {                                         \
		if (!(cond)) {                       \
			printf("FAIL: %s: ", #cond); \
			printf(__VA_ARGS__);         \
			printf("\n");                \
			fails++;                     \
		}                                    \
	} while (0)

/* Frames handed to the port's prepare, each time: a frame prepared twice counts twice. */
static unsigned int prep_seen;

static uint16_t
fake_tx_prepare(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	(void)txq;
	(void)pkts;
	for (uint16_t i = 0; i < n; i++)
		if (prep_seen++ == PREP_REFUSED)
			return i;
	return n;
}

static const struct rte_ether_addr our_mac = { { 0x02, 0x00, 0xc6, 0x12, 0x00, 0x02 } };
static const struct rte_ether_addr peer_mac = { { 0x02, 0x00, 0xc6, 0x12, 0x00, 0x01 } };

static struct rte_mbuf *
arp_request(struct rte_mempool *mp, rte_be32_t sip, rte_be32_t tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = peer_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = peer_mac;
	arp->arp_data.arp_sip = sip;
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = tip;
	return m;
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0],
			"--no-huge",
			"-m",
			"256",
			"--no-pci",
			"--no-shconf",
			"--no-telemetry",
			"-l",
			"0,1",
			"--main-lcore",
			"0",
			"--log-level=lib.eal:error",
			NULL };
	struct rte_ring *rxr, *txr;
	struct rte_mempool *mp;
	struct vns_config cfg;
	struct vns_port *port;
	struct vns_port_conf pc;
	struct vns_port_queue pq;
	struct vns_shared *sh;
	struct vns_stack *st;
	struct vns_queue *q;
	struct vns_queue_stats qs;
	struct vns_stack_stats ss;
	struct vns_worker w = { 0 };
	struct rte_mbuf *out[TX_RING_SLOTS];
	char err[512], spec[16];
	unsigned int nb_out, sent_ok = 0;
	int port_id;
	rte_be32_t peer_ip = htonl(0xc6120001), our_ip = htonl(0xc6120002);

	(void)argc;
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		printf("FAIL: EAL init (--no-huge -l 0,1)\n");
		return 1;
	}
	if (rte_lcore_count() < 2) {
		printf("SKIP: needs 2 lcores\n");
		return 77;
	}
	mp = rte_pktmbuf_pool_create("t_pool", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	rxr = rte_ring_create("t_rx", 64, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	txr = rte_ring_create("t_tx", TX_RING_SLOTS, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (mp == NULL || rxr == NULL || txr == NULL) {
		printf("FAIL: pool or rings\n");
		return 1;
	}
	port_id = rte_eth_from_rings("net_ring_vns", &rxr, 1, &txr, 1, SOCKET_ID_ANY);
	CHECK(port_id >= 0, "rte_eth_from_rings: %d", port_id);

	/* The app's own path: config -> port open/setup/start -> stack -> queue -> worker. */
	vns_config_defaults(&cfg);
	snprintf(spec, sizeof(spec), "%d", port_id);
	{
		char *args[] = {
			"--port", spec, "--ring-size", "64", "--mac", "02:00:c6:12:00:02"
		};

		CHECK(vns_config_parse(&cfg, 6, args, err, sizeof(err)) == VNS_CONFIG_OK, "%s",
		      err);
	}
	port = vns_port_open(cfg.port_spec, NULL, err, sizeof(err));
	CHECK(port != NULL, "vns_port_open: %s", err);
	if (port == NULL)
		return 1;
	pc.ring_size = cfg.ring_size;
	pc.mac_set = cfg.mac_set;
	pc.mac = cfg.mac;
	CHECK(vns_port_setup(port, &pc, 1, mp, err, sizeof(err)) == 0, "setup: %s", err);
	CHECK(vns_port_start(port, err, sizeof(err)) == 0, "start: %s", err);

	sh = vns_shared_create(1, SOCKET_ID_ANY, err, sizeof(err));
	struct vns_stack_conf sc = {
		.ip = our_ip,
		.mac = our_mac,
		.max_flows = 64,
		.pool = mp,
		.queue_id = 0,
		.mtu = 1500,
	};
	st = sh != NULL ? vns_stack_create(&sc, sh, SOCKET_ID_ANY, err, sizeof(err)) : NULL;
	CHECK(sh != NULL && st != NULL, "stack create: %s", err);
	vns_port_queue_get(port, 0, &pq);
	CHECK(!vns_port_queue_broken(&pq), "an ethdev queue reports no broken state");
	CHECK(!pq.tx_prepare, "no TSO on net_ring: no prepare");
	/* net_ring has no prepare: give it one (ethdev's fast-path table, filled at start). */
	rte_eth_fp_ops[port_id].tx_pkt_prepare = fake_tx_prepare;
	pq.tx_prepare = true;
	q = vns_queue_create(0, 1, &pq, st, SOCKET_ID_ANY);
	CHECK(q != NULL, "queue create");
	if (sh == NULL || st == NULL || q == NULL)
		return 1;
	w.lcore_id = 1;
	w.nb_queues = 1;
	w.queues[0] = q;

	/*
	 * A device that takes nothing for STALL_MS (a backend thread descheduled), then drains
	 * its ring: every reply goes out, none is dropped. The loop runs meanwhile.
	 */
	{
		struct rte_mbuf *req[NB_STALLED];
		unsigned int drained = 0;
		uint64_t end;

		for (int i = 0; i < NB_STALLED; i++) {
			req[i] = arp_request(mp, peer_ip, our_ip);
			CHECK(req[i] != NULL, "stalled request %d allocated", i);
		}
		rte_eal_remote_launch(vns_worker_main, &w, 1);
		CHECK(rte_ring_enqueue_burst(rxr, (void **)req, NB_STALLED, NULL) == NB_STALLED,
		      "stalled requests enqueued");
		rte_delay_ms(STALL_MS);
		end = rte_get_timer_cycles() + rte_get_timer_hz() / 5;
		while (drained < NB_STALLED - 1 && rte_get_timer_cycles() < end) {
			nb_out = rte_ring_dequeue_burst(txr, (void **)out, TX_RING_SLOTS, NULL);
			rte_pktmbuf_free_bulk(out, nb_out);
			drained += nb_out;
		}
		vns_queue_stats_get(q, &qs);
		CHECK(drained == NB_STALLED - 1 && qs.drop_tx_full == 0 && qs.drop_tx_bad == 1,
		      "a %d ms stall: %u of %d replies sent (one refused by prepare), %lu dropped, "
		      "%lu refused",
		      STALL_MS, drained, NB_STALLED, (unsigned long)qs.drop_tx_full,
		      (unsigned long)qs.drop_tx_bad);
		CHECK(qs.tx_retries > 0, "the stall was seen: tx_retries %lu",
		      (unsigned long)qs.tx_retries);
	}

	{
		struct rte_mbuf *req[NB_REQUESTS + 1];

		for (int i = 0; i < NB_REQUESTS; i++)
			req[i] = arp_request(mp, peer_ip, our_ip);
		/* One request for another host: the stack drops and counts it, no reply. */
		req[NB_REQUESTS] = arp_request(mp, peer_ip, htonl(0xc6120063));
		for (int i = 0; i <= NB_REQUESTS; i++)
			CHECK(req[i] != NULL, "request %d allocated", i);
		CHECK(rte_ring_enqueue_burst(rxr, (void **)req, NB_REQUESTS + 1, NULL) ==
			      NB_REQUESTS + 1,
		      "requests enqueued");
	}
	/* Two retry periods (head, then the rest); on a loaded machine the loop may run late, so
	 * wait for the drops (up to 10 periods), then a little more for anything unexpected. */
	{
		uint64_t end = rte_get_timer_cycles() +
			       rte_get_timer_hz() * 10 * VNS_TX_RETRY_MS / 1000;

		do {
			rte_delay_ms(10);
			vns_queue_stats_get(q, &qs);
		} while (qs.drop_tx_full < NB_REQUESTS - (TX_RING_SLOTS - 1) &&
			 rte_get_timer_cycles() < end);
		rte_delay_ms(50);
	}
	vns_worker_stop();
	rte_eal_mp_wait_lcore();

	vns_queue_stats_get(q, &qs);
	vns_stack_stats_get(st, &ss);
	printf("loop: polls %lu busy %lu rx %lu tx %lu retries %lu drop_tx_full %lu; "
	       "stack arp replies %lu\n",
	       (unsigned long)qs.polls, (unsigned long)qs.busy_polls, (unsigned long)qs.rx_pkts,
	       (unsigned long)qs.tx_pkts, (unsigned long)qs.tx_retries,
	       (unsigned long)qs.drop_tx_full, (unsigned long)ss.arp_replies);
	CHECK(qs.rx_pkts == NB_STALLED + NB_REQUESTS + 1, "rx_pkts %lu", (unsigned long)qs.rx_pkts);
	CHECK(ss.arp_replies == NB_STALLED + NB_REQUESTS, "arp_replies %lu",
	      (unsigned long)ss.arp_replies);
	CHECK(qs.tx_pkts == NB_STALLED - 1 + TX_RING_SLOTS - 1, "tx_pkts %lu: the ring holds %d",
	      (unsigned long)qs.tx_pkts, TX_RING_SLOTS - 1);
	CHECK(prep_seen == NB_STALLED + NB_REQUESTS && qs.drop_tx_bad == 1,
	      "prepare saw %u frames for %d replies (once each), refused %lu", prep_seen,
	      NB_STALLED + NB_REQUESTS, (unsigned long)qs.drop_tx_bad);
	CHECK(qs.drop_tx_full == NB_REQUESTS - (TX_RING_SLOTS - 1), "drop_tx_full %lu",
	      (unsigned long)qs.drop_tx_full);
	/* Stalled: retried VNS_TX_RETRY_POLLS polls, head dropped, retried again, rest dropped. */
	CHECK(qs.tx_retries >= 2 * VNS_TX_RETRY_POLLS, "tx_retries %lu",
	      (unsigned long)qs.tx_retries);
	CHECK(qs.tx_bytes == qs.tx_pkts * ARP_FRAME_LEN, "tx_bytes %lu",
	      (unsigned long)qs.tx_bytes);
	CHECK(qs.busy_polls >= 1 && qs.busy_polls < qs.polls, "busy %lu of %lu polls",
	      (unsigned long)qs.busy_polls, (unsigned long)qs.polls);

	/* What did go out: ARP replies from our MAC and address to the asker. */
	nb_out = rte_ring_dequeue_burst(txr, (void **)out, TX_RING_SLOTS, NULL);
	CHECK(nb_out == TX_RING_SLOTS - 1, "%u frames on the tx ring", nb_out);
	for (unsigned int i = 0; i < nb_out; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(out[i], struct rte_ether_hdr *);
		struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

		if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) &&
		    arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY) &&
		    rte_is_same_ether_addr(&arp->arp_data.arp_sha, &our_mac) &&
		    rte_is_same_ether_addr(&eth->dst_addr, &peer_mac) &&
		    arp->arp_data.arp_sip == our_ip && arp->arp_data.arp_tip == peer_ip)
			sent_ok++;
		rte_pktmbuf_free(out[i]);
	}
	CHECK(sent_ok == nb_out, "%u of %u frames sent are correct ARP replies", sent_ok, nb_out);

	/* Every mbuf back in the pool: none leaked on the drop paths. */
	vns_queue_free(q);
	vns_stack_free(st);
	vns_shared_free(sh);
	vns_port_close(port);
	CHECK(rte_mempool_avail_count(mp) == POOL_SIZE, "%u of %d mbufs back in the pool",
	      rte_mempool_avail_count(mp), POOL_SIZE);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	if (fails != 0) {
		printf("%d check(s) failed\n", fails);
		return 1;
	}
	printf("worker loop checks passed\n");
	return 0;
}
