/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host test: our PMD over vhost-user against dpdk-testpmd's net_vhost in io or macswap
 * forward mode (loop topology: what testpmd receives on queue q it sends back on queue q).
 * Every queue pair sends N packets (70000 in the suite: past the 16-bit index wrap)
 * carrying (queue, sequence number, length) and a pattern derived from them, in sizes
 * from 60 to 1514 bytes, some as two-segment mbuf chains; each
 * must come back exactly once, in order, on the same queue, byte for byte (macswap: with
 * the MAC addresses swapped). A window bounds the packets in flight so that nothing is
 * dropped for lack of rx buffers: any loss is a failure.
 *
 * usage: vpmd_loopback EAL_ARGS -- -s SOCKET [-q PAIRS] [-f io|macswap] [-r split|packed]
 *                                  [-n PACKETS]
 *        vpmd_loopback EAL_ARGS -- -x SOCKET      (expects "no vhost-user backend" error)
 *        vpmd_loopback EAL_ARGS -- -s SOCKET -X   (EAL without --single-file-segments:
 *                                                  expects the error that says to add it)
 *        vpmd_loopback EAL_ARGS -- -s SOCKET -K MARKER [-L] ...   (reconnect: traffic
 *            until MARKER is created, then the backend is killed and restarted by the
 *            driver script; -L: we listen (server=1), the backend connects)
 *
 * Reconnect (-K): packets flow (window as above, losses allowed once the backend dies);
 * after 2000 echoed packets per queue MARKER is created and traffic goes on until
 * vpmd_poll() reports the backend gone. While it is away every mbuf must be back in the
 * pool (nothing posted or in flight is lost). Once the backend is back (vpmd_poll() 0, link
 * up), a strict round of LB_ROUND2 packets per queue must come back intact, the counters
 * must have continued (not reset), and after stop the pool is full and as many fds are
 * open as before vpmd_open().
 * Run by run-loopback.sh, which starts and stops testpmd.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vpmd.h"

#define LB_MAGIC     0x76687521u /* "vhu!" */
#define LB_WINDOW    256         /* packets in flight per queue: far below ring sizes */
#define LB_BURST     32
#define LB_STALL_MS  3000
#define LB_POOL_SIZE 16383
#define LB_ROUND2    3000 /* packets per queue after the stop/start cycle */

/* The payload right after the Ethernet header. */
struct lb_tag {
	uint32_t magic;
	uint16_t queue;
	uint16_t len; /* frame length */
	uint32_t seq;
} __attribute__((packed));

static const uint16_t lb_sizes[] = { 60,   64,   65,   128,  255,  256,  511, 512,
				     1000, 1023, 1024, 1280, 1500, 1513, 1514 };
#define LB_NSIZES (sizeof(lb_sizes) / sizeof(lb_sizes[0]))

static const struct rte_ether_addr lb_dst = { { 0x02, 0x00, 0x00, 0x00, 0x0d, 0x57 } };

struct lb_queue {
	uint32_t sent, received;
	uint64_t bad;
};

static uint8_t
lb_pattern(uint16_t q, uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 31 + i * 7 + q * 13 + (i >> 8));
}

static uint16_t
lb_len(uint32_t seq)
{
	return lb_sizes[seq % LB_NSIZES];
}

/* Builds frame seq for queue q; every 7th one as a chain of two segments. */
static struct rte_mbuf *
lb_build(struct rte_mempool *mp, const struct rte_ether_addr *src, uint16_t q, uint32_t seq)
{
	uint16_t len = lb_len(seq);
	uint16_t first = (seq % 7 == 3) ? (uint16_t)(len / 2) : len;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp), *m2 = NULL;
	uint8_t frame[RTE_ETHER_MAX_LEN];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frame;
	struct lb_tag *tag = (struct lb_tag *)(eh + 1);
	uint8_t *p;

	if (m == NULL)
		return NULL;
	if (first < len) {
		m2 = rte_pktmbuf_alloc(mp);
		if (m2 == NULL) {
			rte_pktmbuf_free(m);
			return NULL;
		}
	}
	eh->dst_addr = lb_dst;
	eh->src_addr = *src;
	eh->ether_type = rte_cpu_to_be_16(0x88b5); /* IEEE local experimental */
	tag->magic = LB_MAGIC;
	tag->queue = q;
	tag->len = len;
	tag->seq = seq;
	for (uint32_t i = sizeof(*eh) + sizeof(*tag); i < len; i++)
		frame[i] = lb_pattern(q, seq, i);

	p = (uint8_t *)rte_pktmbuf_append(m, first);
	memcpy(p, frame, first);
	if (m2 != NULL) {
		p = (uint8_t *)rte_pktmbuf_append(m2, (uint16_t)(len - first));
		memcpy(p, frame + first, len - first);
		rte_pktmbuf_chain(m, m2);
	}
	return m;
}

/* Checks one returned frame; returns its sequence number or -1 (reason printed once). */
static int64_t
lb_check(struct rte_mbuf *m, uint16_t q, const struct rte_ether_addr *mine, bool macswap,
	 uint64_t *nbad)
{
	uint8_t copy[RTE_ETHER_MAX_LEN];
	const uint8_t *frame;
	const struct rte_ether_hdr *eh;
	const struct lb_tag *tag;
	const char *why = NULL;
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (len < sizeof(*eh) + sizeof(*tag) || len > sizeof(copy)) {
		why = "length out of range";
		goto bad;
	}
	/* Points into the mbuf when the frame is contiguous, into copy otherwise. */
	frame = rte_pktmbuf_read(m, 0, len, copy);
	eh = (const struct rte_ether_hdr *)frame;
	tag = (const struct lb_tag *)(eh + 1);
	if (tag->magic != LB_MAGIC) {
		why = "not our packet (magic)";
		goto bad;
	}
	if (tag->queue != q) {
		why = "came back on another queue";
		goto bad;
	}
	if (tag->len != len || lb_len(tag->seq) != len) {
		why = "length differs from what was sent";
		goto bad;
	}
	if (macswap ? !(rte_is_same_ether_addr(&eh->dst_addr, mine) &&
			rte_is_same_ether_addr(&eh->src_addr, &lb_dst))
		    : !(rte_is_same_ether_addr(&eh->dst_addr, &lb_dst) &&
			rte_is_same_ether_addr(&eh->src_addr, mine))) {
		why = macswap ? "MAC addresses not swapped" : "MAC addresses changed";
		goto bad;
	}
	for (uint32_t i = sizeof(*eh) + sizeof(*tag); i < len; i++) {
		if (frame[i] != lb_pattern(q, tag->seq, i)) {
			why = "payload corrupted";
			goto bad;
		}
	}
	return tag->seq;
bad:
	if ((*nbad)++ < 5) {
		fprintf(stderr, "queue %u: bad packet (len %u, %u segment(s)): %s; first bytes:", q,
			len, m->nb_segs, why);
		for (uint32_t i = 0; i < 32 && i < rte_pktmbuf_data_len(m); i++)
			fprintf(stderr, " %02x", rte_pktmbuf_mtod(m, const uint8_t *)[i]);
		fputc('\n', stderr);
	}
	return -1;
}

/* Sends count packets per queue pair and checks they all come back; 0 = pass. */
static int
lb_round(struct vpmd_dev *dev, struct rte_mempool *mp, uint16_t pairs, uint32_t count, bool macswap,
	 const struct vpmd_link *link, int round)
{
	struct lb_queue lq[VPMD_MAX_QPAIRS];
	struct vpmd_rxq_stats rs0[VPMD_MAX_QPAIRS];
	struct vpmd_txq_stats ts0[VPMD_MAX_QPAIRS];
	uint64_t hz = rte_get_timer_hz(), last_progress = rte_get_timer_cycles();
	uint64_t t0 = last_progress;
	bool done = false;
	double secs;
	int ret = 0;

	memset(lq, 0, sizeof(lq));
	for (uint16_t q = 0; q < pairs; q++) {
		vpmd_rxq_stats(vpmd_rxq(dev, q), &rs0[q]);
		vpmd_txq_stats(vpmd_txq(dev, q), &ts0[q]);
	}
	while (!done) {
		done = true;
		for (uint16_t q = 0; q < pairs; q++) {
			struct lb_queue *s = &lq[q];
			struct rte_mbuf *burst[LB_BURST];
			uint16_t nb = 0, k, i;

			while (nb < LB_BURST && s->sent + nb < count &&
			       s->sent + nb - s->received < LB_WINDOW) {
				burst[nb] = lb_build(mp, &link->mac, q, s->sent + nb);
				if (burst[nb] == NULL)
					break;
				nb++;
			}
			k = nb ? vpmd_tx_burst(vpmd_txq(dev, q), burst, nb) : 0;
			for (i = k; i < nb; i++)
				rte_pktmbuf_free(burst[i]);
			s->sent += k;

			k = vpmd_rx_burst(vpmd_rxq(dev, q), burst, LB_BURST);
			for (i = 0; i < k; i++) {
				int64_t seq = lb_check(burst[i], q, &link->mac, macswap, &s->bad);

				if (seq >= 0 && (uint32_t)seq != s->received) {
					if (s->bad++ < 5)
						fprintf(stderr,
							"queue %u: got seq %" PRId64 ", "
							"expected %u (lost or reordered)\n",
							q, seq, s->received);
				}
				if (seq >= 0)
					s->received = (uint32_t)seq + 1;
				rte_pktmbuf_free(burst[i]);
			}
			if (k)
				last_progress = rte_get_timer_cycles();
			if (s->received < count)
				done = false;
		}
		if (!done && rte_get_timer_cycles() - last_progress > hz * LB_STALL_MS / 1000) {
			fprintf(stderr, "FAIL: round %d: no packet came back for %d ms\n", round,
				LB_STALL_MS);
			break;
		}
	}
	secs = (double)(rte_get_timer_cycles() - t0) / (double)hz;

	for (uint16_t q = 0; q < pairs; q++) {
		struct vpmd_rxq_stats rs;
		struct vpmd_txq_stats ts;
		bool rb = vpmd_rxq_broken(vpmd_rxq(dev, q)), tb = vpmd_txq_broken(vpmd_txq(dev, q));

		vpmd_rxq_stats(vpmd_rxq(dev, q), &rs);
		vpmd_txq_stats(vpmd_txq(dev, q), &ts);
		printf("round %d queue %u: sent %u received %u bad %" PRIu64
		       " | rx packets %" PRIu64 " nombuf %" PRIu64 " bad_len %" PRIu64
		       " bad_hdr %" PRIu64 " broken "
		       "%d | tx packets %" PRIu64 " ring_full %" PRIu64 " bad_pkt %" PRIu64 " "
		       "broken %d\n",
		       round, q, lq[q].sent, lq[q].received, lq[q].bad, rs.packets - rs0[q].packets,
		       rs.drop_nombuf - rs0[q].drop_nombuf, rs.drop_bad_len - rs0[q].drop_bad_len,
		       rs.drop_bad_hdr - rs0[q].drop_bad_hdr, rb, ts.packets - ts0[q].packets,
		       ts.ring_full - ts0[q].ring_full, ts.drop_bad_pkt - ts0[q].drop_bad_pkt, tb);
		if (lq[q].received != count || lq[q].bad != 0 ||
		    rs.packets - rs0[q].packets != count || ts.packets - ts0[q].packets != count ||
		    rb || tb)
			ret = 1;
	}
	printf("round %d: %u pair(s), %s: %u packets per queue in %.2f s: %s\n", round, pairs,
	       macswap ? "macswap" : "io", count, secs, ret == 0 ? "ok" : "FAILED");
	return ret;
}

static unsigned int
lb_open_fds(void)
{
	unsigned int n = 0;
	char p[64];

	for (int fd = 0; fd < 4096; fd++) {
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n += access(p, F_OK) == 0;
	}
	return n;
}

/* Echo traffic, unchecked, on every queue: returns how many packets came back. */
static uint64_t
lb_churn(struct vpmd_dev *dev, struct rte_mempool *mp, uint16_t pairs, const struct vpmd_link *link,
	 uint32_t *seq)
{
	uint64_t back = 0;

	for (uint16_t q = 0; q < pairs; q++) {
		struct rte_mbuf *burst[LB_BURST];
		uint16_t nb = 0, k;

		while (nb < 8 && (burst[nb] = lb_build(mp, &link->mac, q, seq[q] + nb)) != NULL)
			nb++;
		k = nb ? vpmd_tx_burst(vpmd_txq(dev, q), burst, nb) : 0;
		rte_pktmbuf_free_bulk(burst + k, nb - k);
		seq[q] += k;
		k = vpmd_rx_burst(vpmd_rxq(dev, q), burst, LB_BURST);
		back += k;
		rte_pktmbuf_free_bulk(burst, k);
	}
	return back;
}

static uint64_t
lb_rx_total(struct vpmd_dev *dev, uint16_t pairs)
{
	struct vpmd_rxq_stats rs;
	uint64_t n = 0;

	for (uint16_t q = 0; q < pairs; q++) {
		vpmd_rxq_stats(vpmd_rxq(dev, q), &rs);
		n += rs.packets;
	}
	return n;
}

/*
 * The reconnect run (-K): traffic, MARKER, the backend killed under it, back again, a strict
 * round. 0 = pass.
 */
static int
lb_reconnect(struct vpmd_dev *dev, struct rte_mempool *mp, uint16_t pairs, bool macswap,
	     struct vpmd_link *link, const char *marker)
{
	uint64_t hz = rte_get_timer_hz(), t0 = rte_get_timer_cycles(), back = 0, rx_before;
	uint32_t seq[VPMD_MAX_QPAIRS] = { 0 };
	struct vpmd_conn_stats cs;
	bool marked = false, pool_full_seen = false;
	int rc, fd;

	/* Up to the hang-up: traffic, with the marker once enough came back. */
	for (;;) {
		back += lb_churn(dev, mp, pairs, link, seq);
		if (!marked && back >= 2000u * pairs) {
			fd = open(marker, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
			if (fd >= 0)
				close(fd);
			marked = true;
			printf("reconnect: %" PRIu64 " packets echoed; backend may be killed\n",
			       back);
		}
		rc = vpmd_poll(dev);
		if (rc != 0)
			break;
		if (rte_get_timer_cycles() - t0 > 20 * hz) {
			fprintf(stderr, "FAIL: backend never went away (marker %d)\n", marked);
			return 1;
		}
	}
	if (rc != -ENOTCONN || !marked) {
		fprintf(stderr, "FAIL: vpmd_poll() %d after %" PRIu64 " packets (marker %d)\n", rc,
			back, marked);
		return 1;
	}
	vpmd_link_get(dev, link);
	if (link->up) {
		fprintf(stderr, "FAIL: link up while the backend is away\n");
		return 1;
	}
	rx_before = lb_rx_total(dev, pairs);
	printf("reconnect: backend gone after %" PRIu64 " packets echoed; link down\n", back);

	/* Away: empty bursts (the park acknowledgement), then every mbuf back in the pool. */
	t0 = rte_get_timer_cycles();
	for (;;) {
		struct rte_mbuf *m[1];

		for (uint16_t q = 0; q < pairs; q++) {
			vpmd_rx_burst(vpmd_rxq(dev, q), m, 0);
			vpmd_tx_burst(vpmd_txq(dev, q), m, 0);
		}
		rc = vpmd_poll(dev);
		vpmd_conn_stats_get(dev, &cs);
		if (cs.attempts > 0 && rc != 0 && rte_mempool_avail_count(mp) == LB_POOL_SIZE)
			pool_full_seen = true;
		if (rc == 0)
			break;
		if (rc != -ENOTCONN || rte_get_timer_cycles() - t0 > 60 * hz) {
			fprintf(stderr,
				"FAIL: backend not back: vpmd_poll() %d, %" PRIu64 " attempt(s)\n",
				rc, cs.attempts);
			return 1;
		}
		rte_delay_ms(1);
	}
	vpmd_conn_stats_get(dev, &cs);
	vpmd_link_get(dev, link);
	printf("reconnect: back after %" PRIu64 " attempt(s) (%" PRIu64 " refused); link %s; "
	       "pool full while away: %s\n",
	       cs.attempts, cs.refused, link->up ? "up" : "down", pool_full_seen ? "yes" : "no");
	if (!link->up || !pool_full_seen || cs.losses != 1 || cs.reconnects != 1) {
		fprintf(stderr,
			"FAIL: after reconnect: link %d, pool full while away %d, losses %" PRIu64
			", reconnects %" PRIu64 "\n",
			link->up, pool_full_seen, cs.losses, cs.reconnects);
		return 1;
	}
	/* testpmd starts forwarding a moment after the connection is set up. */
	rte_delay_ms(500);
	rc = lb_round(dev, mp, pairs, LB_ROUND2, macswap, link, 2);
	if (rc == 0 && lb_rx_total(dev, pairs) != rx_before + (uint64_t)LB_ROUND2 * pairs) {
		fprintf(stderr,
			"FAIL: rx counters did not continue: %" PRIu64 " before, %" PRIu64
			" after %u more per queue\n",
			rx_before, lb_rx_total(dev, pairs), LB_ROUND2);
		rc = 1;
	}
	return rc;
}

static int
lb_expect_missing(const char *sock)
{
	char spec[300], err[256] = "", want[300];
	struct vpmd_dev *dev;

	snprintf(spec, sizeof(spec), "vhost-user:%s", sock);
	snprintf(want, sizeof(want), "no vhost-user backend at %s: start one", sock);
	dev = vpmd_open(spec, err, sizeof(err));
	if (dev != NULL) {
		fprintf(stderr, "FAIL: vpmd_open(%s) succeeded without a backend\n", spec);
		vpmd_close(dev);
		return 1;
	}
	if (strstr(err, want) == NULL || strchr(err, '\n') != NULL) {
		fprintf(stderr,
			"FAIL: error line for a missing socket is '%s', want it to contain "
			"'%s'\n",
			err, want);
		return 1;
	}
	printf("ok: %s\n", err);
	printf("PASS\n");
	return 0;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL, *missing = NULL, *marker = NULL;
	uint16_t pairs = 1;
	bool packed = false, macswap = false, expect_sfs_error = false, server = false;
	unsigned int fds0 = 0;
	uint32_t count = 20000;
	struct vpmd_dev *dev = NULL;
	struct rte_mempool *mp = NULL;
	char spec[300], err[256] = "";
	struct vpmd_conf conf;
	struct vpmd_link link;
	int opt, ret = 1, n, rc = 0;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		printf("SKIP: cannot init EAL with hugepages (%s): need root, hugetlbfs on "
		       "/dev/hugepages and free 2 MB pages\n",
		       rte_strerror(rte_errno));
		return 77;
	}
	argc -= n;
	argv += n;
	while ((opt = getopt(argc, argv, "s:q:f:r:n:x:XK:L")) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'q':
			pairs = (uint16_t)atoi(optarg);
			break;
		case 'f':
			macswap = strcmp(optarg, "macswap") == 0;
			break;
		case 'r':
			packed = strcmp(optarg, "packed") == 0;
			break;
		case 'n':
			count = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'x':
			missing = optarg;
			break;
		case 'X':
			expect_sfs_error = true;
			break;
		case 'K':
			marker = optarg;
			break;
		case 'L':
			server = true;
			break;
		default:
			fprintf(stderr,
				"usage: %s EAL -- -s SOCK [-q PAIRS] [-f io|macswap] [-r "
				"split|packed] [-n N] | -x SOCK\n",
				argv[0]);
			goto out;
		}
	}
	if (missing != NULL) {
		ret = lb_expect_missing(missing);
		goto out;
	}
	if (sock == NULL || pairs < 1 || pairs > VPMD_MAX_QPAIRS || count == 0) {
		fprintf(stderr, "FAIL: need -s SOCKET, -q 1..%d, -n > 0\n", VPMD_MAX_QPAIRS);
		goto out;
	}

	mp = rte_pktmbuf_pool_create("lb_pool", LB_POOL_SIZE, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	if (mp == NULL) {
		fprintf(stderr, "FAIL: mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	/* server=1: the backend (testpmd client=1) connects once it is up, within 30 s. */
	snprintf(spec, sizeof(spec), "vhost-user:%s,queues=%u%s", sock, pairs,
		 server ? ",server=1,timeout_ms=30000" : "");
	fds0 = lb_open_fds();
	dev = vpmd_open(spec, err, sizeof(err));
	if (dev == NULL && expect_sfs_error)
		goto check_sfs_error;
	if (dev == NULL) {
		fprintf(stderr, "FAIL: vpmd_open(%s): %s\n", spec, err);
		goto out;
	}
	conf = (struct vpmd_conf){
		.nb_qpairs = pairs,
		.features = packed ? VPMD_FEATURES_DEFAULT
				   : (VPMD_FEATURES_DEFAULT & ~VPMD_F_RING_PACKED),
		.rx_pool = mp,
		.socket_id = SOCKET_ID_ANY,
	};
	rc = vpmd_configure(dev, &conf, err, sizeof(err));
	if (expect_sfs_error) {
check_sfs_error:
		/* One fd per hugepage cannot fit the protocol's 8 regions: the error says why. */
		if ((dev != NULL && rc == 0) || strstr(err, "--single-file-segments") == NULL) {
			fprintf(stderr,
				"FAIL: without --single-file-segments configure returned "
				"%d, error '%s'\n",
				rc, err);
			goto out;
		}
		printf("ok: %s\nPASS\n", err);
		ret = 0;
		goto out;
	}
	if (rc < 0) {
		fprintf(stderr, "FAIL: vpmd_configure: %s\n", err);
		goto out;
	}
	if (vpmd_start(dev, err, sizeof(err)) < 0) {
		fprintf(stderr, "FAIL: vpmd_start: %s\n", err);
		goto out;
	}
	vpmd_info_dump(dev, stdout);
	if (!!(vpmd_features(dev) & VPMD_F_RING_PACKED) != packed) {
		fprintf(stderr, "FAIL: asked for a %s ring, negotiated features 0x%" PRIx64 "\n",
			packed ? "packed" : "split", vpmd_features(dev));
		goto out;
	}
	if (vpmd_nb_qpairs(dev) != pairs) {
		fprintf(stderr, "FAIL: %u queue pairs configured, want %u\n", vpmd_nb_qpairs(dev),
			pairs);
		goto out;
	}
	if (vpmd_link_get(dev, &link) < 0 || !link.up) {
		fprintf(stderr, "FAIL: link not up\n");
		goto out;
	}

	if (marker != NULL) {
		ret = lb_reconnect(dev, mp, pairs, macswap, &link, marker);
		vpmd_stop(dev);
		goto check_pool;
	}
	/* Round 1, then a stop/start cycle (rings torn down and set up again), round 2. */
	ret = lb_round(dev, mp, pairs, count, macswap, &link, 1);
	vpmd_stop(dev);
	if (ret == 0) {
		if (vpmd_start(dev, err, sizeof(err)) < 0) {
			fprintf(stderr, "FAIL: vpmd_start after vpmd_stop: %s\n", err);
			ret = 1;
		} else {
			ret = lb_round(dev, mp, pairs, LB_ROUND2, macswap, &link, 2);
			vpmd_stop(dev);
		}
	}
check_pool:
	/* Every mbuf must be back in the pool once the device is stopped. */
	if (ret == 0 && rte_mempool_avail_count(mp) != LB_POOL_SIZE) {
		fprintf(stderr, "FAIL: %u mbufs missing from the pool after stop\n",
			LB_POOL_SIZE - rte_mempool_avail_count(mp));
		ret = 1;
	}
	if (marker != NULL) {
		vpmd_close(dev);
		dev = NULL;
		if (ret == 0 && lb_open_fds() != fds0) {
			fprintf(stderr, "FAIL: %u fds open after close, %u before open\n",
				lb_open_fds(), fds0);
			ret = 1;
		}
	}
	printf("%s\n", ret == 0 ? "PASS" : "FAIL");
out:
	if (dev != NULL)
		vpmd_close(dev);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret;
}
