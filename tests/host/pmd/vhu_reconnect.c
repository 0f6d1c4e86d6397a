/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reconnect of the vhost-user transport through vpmd_poll(), against scripted backends
 * that run as child processes (a backend in our own process could never be shown to have
 * released our memory: it always maps it). No root, no hugepages (EAL --no-huge, memfd
 * memory), so it runs in the unit suite.
 *
 * Cases (each ends with the pool full and as many fds open as before):
 *   client-hangup    the backend is killed while an lcore thread polls the queues; the
 *                    link goes down, every posted and in-flight mbuf is back in the pool
 *                    while the backend is away, a new backend comes up, traffic resumes
 *                    with the counters continued
 *   server-hangup    the same with server=1: we listen, the backend connects to us
 *   hangup-tx-only   the same with an lcore that never calls rx (a sender) ...
 *   hangup-rx-only   ... and one that stops calling tx at the hang-up (a forwarder with
 *                    nothing to forward): one answer parks the pair
 *   negotiation      the next backend hangs up in the middle of the queue set-up
 *                    (SET_VRING_KICK of the second ring), the one after that is good
 *   fewer-features   the backend comes back without MRG_RXBUF, then with fewer queues:
 *                    refused (counted, link stays down), then a good one is taken
 *   backoff          no backend: attempts at +100, +200, +400 ... capped at 5000 ms
 *                    (driven through vpmd_poll_at with a fake clock), none in between
 *   unsolicited      the backend sends a message nobody asked for while the device runs:
 *                    the connection is dropped like a hang-up (the backend then exits on
 *                    the EOF), and the next backend is taken
 *   ctrl-hangup      the backend hangs up during VQ_PAIRS_SET (SET_VRING_ENABLE of pair 1):
 *                    vpmd_start fails with one line, the device is not dead (the backend
 *                    exited), every mbuf is back, and the next vpmd_start connects anew
 *   alive-hangup     the backend closes the connection but its process lives on and maps
 *                    our memory: after VPMD_RELEASE_WAIT_MS the device is dead and its
 *                    buffers counted as leaked, never returned
 *
 * usage: vhu_reconnect [EAL args]    exit 0 pass, 1 fail
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "vpmd.h"
#include "vpmd_internal.h"

#define F_MRG_RXBUF         (1ULL << 15)
#define F_VERSION_1         (1ULL << 32)
#define F_PROTOCOL_FEATURES (1ULL << 30)
#define F_MQ                (1ULL << 22)
#define F_GOOD              (F_VERSION_1 | F_PROTOCOL_FEATURES | F_MRG_RXBUF | F_MQ)
#define PROTO_MQ            1ULL
#define PROTO_REPLY_ACK     (1ULL << 3)

#define REQ_GET_FEATURES          1
#define REQ_GET_VRING_BASE        11
#define REQ_SET_VRING_KICK        12
#define REQ_GET_PROTOCOL_FEATURES 15
#define REQ_GET_QUEUE_NUM         17
#define REQ_SET_VRING_ENABLE      18

#define POOL_SIZE 2047
#define RING      256
#define PAIRS     2

struct hdr {
	uint32_t request, flags, size;
} __attribute__((packed));

/* What a backend child does. */
struct script {
	bool connect;            /* server-mode tests: the backend connects to our socket */
	uint64_t features;       /* GET_FEATURES */
	uint64_t queue_num;      /* GET_QUEUE_NUM */
	uint32_t hangup_req;     /* hang up on this request ... (0: never) */
	unsigned int hangup_nth; /* ... on its nth occurrence (1 = first) */
	bool linger;             /* after the hang-up, live on (still mapping our memory) */
	uint32_t babble_req;     /* after answering this request ... (0: never) */
	unsigned int babble_nth; /* ... the nth time, send an unsolicited message */
};

static const struct script good = { .features = F_GOOD, .queue_num = PAIRS };

static bool
read_full(int fd, void *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = read(fd, (uint8_t *)buf + off, len - off);

		if (n <= 0)
			return false;
		off += (size_t)n;
	}
	return true;
}

static void
reply_u64(int fd, uint32_t request, uint64_t v)
{
	uint8_t buf[sizeof(struct hdr) + 8];
	struct hdr h = { .request = request, .flags = 0x1 | 0x4, .size = 8 };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &v, 8);
	if (write(fd, buf, sizeof(buf)) < 0)
		_exit(3);
}

static int
backend_socket(const char *path, bool do_connect)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0), c;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (do_connect) {
		for (int i = 0; i < 1000; i++) {
			if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
				return s;
			usleep(10 * 1000);
		}
		_exit(4);
	}
	unlink(path);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0)
		_exit(5);
	c = accept(s, NULL, NULL);
	close(s);
	return c;
}

/* The child: a well-formed backend that serves until EOF, or hangs up as scripted. */
static void
backend_main(const char *path, const struct script *sc)
{
	unsigned int seen = 0, said = 0;
	uint8_t payload[512];
	struct hdr h;
	int fd;

	/* Hold none of the parent's descriptors (its sockets, eventfds, memory files). */
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	fd = backend_socket(path, sc->connect);
	while (read_full(fd, &h, sizeof(h))) {
		if (h.size > sizeof(payload) || !read_full(fd, payload, h.size))
			break;
		if (h.request == sc->hangup_req && ++seen == sc->hangup_nth) {
			close(fd);
			if (sc->linger)
				pause();
			_exit(0);
		}
		switch (h.request) {
		case REQ_GET_FEATURES:
			reply_u64(fd, h.request, sc->features);
			break;
		case REQ_GET_PROTOCOL_FEATURES:
			reply_u64(fd, h.request, PROTO_MQ | PROTO_REPLY_ACK);
			break;
		case REQ_GET_QUEUE_NUM:
			reply_u64(fd, h.request, sc->queue_num);
			break;
		case REQ_GET_VRING_BASE: {
			uint64_t v = 0;

			memcpy(&v, payload, 4);
			reply_u64(fd, h.request, v);
			break;
		}
		default:
			if (h.flags & 0x8)
				reply_u64(fd, h.request, 0);
			break;
		}
		if (h.request == sc->babble_req && ++said == sc->babble_nth) {
			usleep(500 * 1000); /* while traffic runs */
			reply_u64(fd, REQ_GET_FEATURES, sc->features);
		}
	}
	_exit(0);
}

static pid_t
backend_start(const char *path, const struct script *sc)
{
	pid_t pid = fork();

	if (pid == 0)
		backend_main(path, sc);
	return pid;
}

static void
backend_kill(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static unsigned int
open_fds(void)
{
	unsigned int n = 0;
	char p[64];

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n += access(p, F_OK) == 0;
	}
	return n;
}

static uint64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the lcore: polls every queue, sends what the ring takes ---------------------------- */

struct lcore {
	struct vpmd_dev *dev;
	struct rte_mempool *mp;
	bool stop;    /* main -> lcore */
	bool hold;    /* main -> lcore: poll rx only, hold no mbuf (the pool can be counted) */
	bool holding; /* lcore -> main */
	int mode;     /* main -> lcore: enum lc_mode */
	pthread_t th;
};

/* What the lcore thread calls: both bursts; tx only (a sender); rx only (tx only when rx
 * gave packets, as in a forwarder, and the backend is gone). */
enum lc_mode { LC_BOTH, LC_TX_ONLY, LC_RX_ONLY };

static void
poll_queues(struct vpmd_dev *dev, struct rte_mempool *mp, bool rx, bool tx, bool send)
{
	struct rte_mbuf *m[8];

	for (uint16_t q = 0; q < vpmd_nb_qpairs(dev); q++) {
		uint16_t n, sent;

		if (rx) {
			n = vpmd_rx_burst(vpmd_rxq(dev, q), m, 8);
			rte_pktmbuf_free_bulk(m, n);
		}
		if (!tx)
			continue;
		if (!send) {
			vpmd_tx_burst(vpmd_txq(dev, q), m, 0);
			continue;
		}
		if (rte_pktmbuf_alloc_bulk(mp, m, 4) != 0)
			continue;
		for (int i = 0; i < 4; i++) {
			rte_pktmbuf_append(m[i], 60);
			memset(rte_pktmbuf_mtod(m[i], void *), 0x5a, 60);
		}
		sent = vpmd_tx_burst(vpmd_txq(dev, q), m, 4);
		rte_pktmbuf_free_bulk(m + sent, 4 - sent);
	}
}

static void *
lcore_main(void *arg)
{
	struct lcore *lc = arg;

	while (!__atomic_load_n(&lc->stop, __ATOMIC_ACQUIRE)) {
		bool hold = __atomic_load_n(&lc->hold, __ATOMIC_ACQUIRE);
		int mode = __atomic_load_n(&lc->mode, __ATOMIC_ACQUIRE);

		poll_queues(lc->dev, lc->mp, mode != LC_TX_ONLY, mode != LC_RX_ONLY, !hold);
		__atomic_store_n(&lc->holding, hold, __ATOMIC_RELEASE);
		usleep(100); /* a shared machine: leave the backend and the control thread room */
	}
	return NULL;
}

static void
lcore_hold(struct lcore *lc, bool hold)
{
	__atomic_store_n(&lc->hold, hold, __ATOMIC_RELEASE);
	while (hold && !__atomic_load_n(&lc->holding, __ATOMIC_ACQUIRE))
		usleep(100);
}

/* vpmd_poll() until it returns want (or the time is up); polls the queues itself unless an
 * lcore thread does. */
static bool
poll_until(struct vpmd_dev *dev, struct rte_mempool *mp, bool own_queues, int want, int ms)
{
	uint64_t end = ms_now() + (uint64_t)ms;

	while (ms_now() < end) {
		if (own_queues)
			poll_queues(dev, mp, true, true, true);
		if (vpmd_poll(dev) == want)
			return true;
		usleep(2000);
	}
	return false;
}

static uint64_t
tx_packets(struct vpmd_dev *dev)
{
	struct vpmd_txq_stats st;
	uint64_t n = 0;

	for (uint16_t q = 0; q < vpmd_nb_qpairs(dev); q++) {
		vpmd_txq_stats(vpmd_txq(dev, q), &st);
		n += st.packets;
	}
	return n;
}

struct env {
	char dir[64];
	unsigned int ncase;
	enum lc_mode mode; /* the lcore thread of the next case_hangup */
};

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			printf("FAIL: %s: ", name);                          \
			printf(__VA_ARGS__);                                 \
			printf(" (%s:%d: %s)\n", __FILE__, __LINE__, #cond); \
			ok = false;                                          \
			goto out;                                            \
		}                                                            \
	} while (0)

/* Open, configure and start against the first backend. */
static struct vpmd_dev *
open_started(const char *path, bool server, struct rte_mempool *mp, char *err, size_t errlen)
{
	struct vpmd_conf conf = {
		.nb_qpairs = PAIRS, .ring_size = RING, .rx_pool = mp, .socket_id = SOCKET_ID_ANY
	};
	char spec[160];
	struct vpmd_dev *dev;

	snprintf(spec, sizeof(spec), "vhost-user:%s,queues=%d,timeout_ms=2000%s", path, PAIRS,
		 server ? ",server=1" : "");
	dev = vpmd_open(spec, err, errlen);
	if (dev == NULL)
		return NULL;
	if (vpmd_configure(dev, &conf, err, errlen) != 0 || vpmd_start(dev, err, errlen) != 0) {
		vpmd_close(dev);
		return NULL;
	}
	return dev;
}

/* client-hangup, server-hangup, negotiation, fewer-features: kill, come back, resume. */
static bool
case_hangup(struct env *e, const char *name, bool server, const struct script *first,
	    const struct script *between, unsigned int nbetween)
{
	struct rte_mempool *mp;
	struct vpmd_dev *dev = NULL;
	struct vpmd_conn_stats cs;
	struct vpmd_link link;
	struct lcore lc = { 0 };
	char path[128], pool[32], err[256] = "";
	unsigned int fds0 = 0;
	uint64_t tx_before, tx_after;
	pid_t pid = 0, mid[4] = { 0 };
	bool ok = true, thread = false;

	snprintf(path, sizeof(path), "%s/c%u.sock", e->dir, e->ncase);
	snprintf(pool, sizeof(pool), "rc_pool%u", e->ncase++);
	mp = rte_pktmbuf_pool_create(pool, POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	CHECK(mp != NULL, "pool");
	fds0 = open_fds();
	{
		struct script sc = first ? *first : good;

		sc.connect = server;
		pid = backend_start(path, &sc);
	}
	if (!server)
		usleep(100 * 1000); /* let the child listen */
	dev = open_started(path, server, mp, err, sizeof(err));
	CHECK(dev != NULL, "open: %s", err);
	lc.dev = dev;
	lc.mp = mp;
	lc.mode = e->mode == LC_TX_ONLY ? LC_TX_ONLY : LC_BOTH;
	thread = pthread_create(&lc.th, NULL, lcore_main, &lc) == 0;
	CHECK(thread, "lcore thread");
	usleep(50 * 1000);
	CHECK(vpmd_poll(dev) == 0, "poll before the hang-up");
	tx_before = tx_packets(dev);
	CHECK(tx_before > 0, "nothing sent before the hang-up");

	/* From here on a forwarder calls only rx: there is nothing to send back. */
	if (e->mode == LC_RX_ONLY)
		__atomic_store_n(&lc.mode, LC_RX_ONLY, __ATOMIC_RELEASE);
	if (first == NULL || first->babble_req == 0)
		backend_kill(pid);
	CHECK(poll_until(dev, mp, false, -ENOTCONN, 2000), "the loss was not noticed");
	/* An unsolicited message: we hang up (once the queues are parked), the backend exits
	 * on the EOF. */
	if (first != NULL && first->babble_req != 0) {
		uint64_t end = ms_now() + 3000;

		while (waitpid(pid, NULL, WNOHANG) != pid && ms_now() < end) {
			vpmd_poll(dev);
			usleep(2000);
		}
		CHECK(ms_now() < end, "backend did not exit after our hang-up");
		pid = 0;
	}
	vpmd_link_get(dev, &link);
	CHECK(!link.up, "link still up after the hang-up");
	/* The buffers come back once the dead backend's process is gone; wait for the
	 * release step (reconnect attempts begin). */
	{
		uint64_t end = ms_now() + 3000;

		do {
			vpmd_poll(dev);
			vpmd_conn_stats_get(dev, &cs);
			usleep(2000);
		} while (cs.attempts == 0 && ms_now() < end);
	}
	CHECK(cs.attempts > 0, "no reconnect attempt");
	lcore_hold(&lc, true);
	CHECK(rte_mempool_avail_count(mp) == POOL_SIZE, "pool %u of %u while the backend is away",
	      rte_mempool_avail_count(mp), POOL_SIZE);

	for (unsigned int i = 0; i < nbetween; i++) {
		struct script sc = between[i];
		struct vpmd_conn_stats before;

		vpmd_conn_stats_get(dev, &before);
		sc.connect = server;
		mid[i] = backend_start(path, &sc);
		/* Refused, or hung up mid-way: the device stays down and tries again. */
		{
			uint64_t end = ms_now() + 6000;

			do {
				CHECK(vpmd_poll(dev) == -ENOTCONN, "came up on a bad backend %u",
				      i);
				vpmd_conn_stats_get(dev, &cs);
				usleep(2000);
			} while (cs.refused == before.refused && ms_now() < end);
		}
		CHECK(cs.refused == before.refused + 1, "bad backend %u not refused", i);
		backend_kill(mid[i]);
		mid[i] = 0;
		/* Nothing may stay out of the pool across a refused attempt either. */
		{
			uint64_t end = ms_now() + 3000;

			while (rte_mempool_avail_count(mp) != POOL_SIZE && ms_now() < end) {
				vpmd_poll(dev);
				usleep(2000);
			}
		}
		CHECK(rte_mempool_avail_count(mp) == POOL_SIZE,
		      "pool %u of %u after bad backend %u", rte_mempool_avail_count(mp), POOL_SIZE,
		      i);
	}
	lcore_hold(&lc, false);

	{
		struct script sc = good;

		sc.connect = server;
		pid = backend_start(path, &sc);
	}
	CHECK(poll_until(dev, mp, false, 0, 8000), "did not come back");
	__atomic_store_n(&lc.mode, e->mode == LC_TX_ONLY ? LC_TX_ONLY : LC_BOTH, __ATOMIC_RELEASE);
	vpmd_link_get(dev, &link);
	vpmd_conn_stats_get(dev, &cs);
	CHECK(link.up && !cs.down && cs.losses == 1 && cs.reconnects == 1,
	      "after the reconnect: link %d down %d losses %" PRIu64 " reconnects %" PRIu64,
	      link.up, cs.down, cs.losses, cs.reconnects);
	usleep(50 * 1000);
	tx_after = tx_packets(dev);
	CHECK(tx_after > tx_before, "counters did not continue (%" PRIu64 " then %" PRIu64 ")",
	      tx_before, tx_after);
	CHECK(!vpmd_rxq_broken(vpmd_rxq(dev, 1)) && !vpmd_txq_broken(vpmd_txq(dev, 1)),
	      "queues of pair 1 broken");
	printf("ok:   %s: %" PRIu64 " attempt(s), %" PRIu64 " refused, tx %" PRIu64 " then %" PRIu64
	       "\n",
	       name, cs.attempts, cs.refused, tx_before, tx_after);
out:
	if (thread) {
		__atomic_store_n(&lc.stop, true, __ATOMIC_RELEASE);
		pthread_join(lc.th, NULL);
	}
	if (dev != NULL)
		vpmd_close(dev);
	backend_kill(pid);
	for (unsigned int i = 0; i < nbetween; i++)
		backend_kill(mid[i]);
	if (ok && mp != NULL && rte_mempool_avail_count(mp) != POOL_SIZE) {
		printf("FAIL: %s: pool %u of %u at the end\n", name, rte_mempool_avail_count(mp),
		       POOL_SIZE);
		ok = false;
	}
	if (ok && open_fds() != fds0) {
		printf("FAIL: %s: %u fds open, %u before\n", name, open_fds(), fds0);
		ok = false;
	}
	rte_mempool_free(mp);
	unlink(path);
	return ok;
}

/* ctrl-hangup: a hang-up during VQ_PAIRS_SET fails vpmd_start cleanly; the next start
 * reconnects. */
static bool
case_ctrl_hangup(struct env *e)
{
	const char *name = "ctrl-hangup";
	struct vpmd_conf conf = { .nb_qpairs = PAIRS,
				  .ring_size = RING,
				  .socket_id = SOCKET_ID_ANY };
	struct script sc = good;
	struct rte_mempool *mp;
	struct vpmd_dev *dev = NULL;
	struct vpmd_link link;
	char path[128], pool[32], spec[200], err[256] = "";
	unsigned int fds0;
	pid_t pid;
	bool ok = true;
	int rc;

	snprintf(path, sizeof(path), "%s/c%u.sock", e->dir, e->ncase);
	snprintf(pool, sizeof(pool), "rc_pool%u", e->ncase++);
	mp = rte_pktmbuf_pool_create(pool, POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	conf.rx_pool = mp;
	fds0 = open_fds();
	/* DRIVER_OK enables pair 0 (two rings); VQ_PAIRS_SET then enables pair 1. */
	sc.hangup_req = REQ_SET_VRING_ENABLE;
	sc.hangup_nth = 3;
	pid = backend_start(path, &sc);
	usleep(100 * 1000);
	snprintf(spec, sizeof(spec), "vhost-user:%s,queues=%d,timeout_ms=2000", path, PAIRS);
	dev = vpmd_open(spec, err, sizeof(err));
	CHECK(dev != NULL, "open: %s", err);
	CHECK(vpmd_configure(dev, &conf, err, sizeof(err)) == 0, "configure: %s", err);
	rc = vpmd_start(dev, err, sizeof(err));
	CHECK(rc < 0 && strstr(err, "SET_VRING_ENABLE") != NULL && strchr(err, '\n') == NULL,
	      "start: rc %d, '%s'", rc, err);
	printf("      %s: start failed: %s\n", name, err);
	CHECK(!vpmd_dead(dev), "dead although the backend exited");
	CHECK(rte_mempool_avail_count(mp) == POOL_SIZE, "pool %u of %u after the failed start",
	      rte_mempool_avail_count(mp), POOL_SIZE);
	waitpid(pid, NULL, 0);
	pid = backend_start(path, &good);
	usleep(100 * 1000);
	rc = vpmd_start(dev, err, sizeof(err));
	CHECK(rc == 0, "start on the next backend: %s", err);
	vpmd_link_get(dev, &link);
	CHECK(link.up, "link down after the second start");
	poll_queues(dev, mp, true, true, true);
	vpmd_stop(dev);
	CHECK(rte_mempool_avail_count(mp) == POOL_SIZE, "pool %u of %u after stop",
	      rte_mempool_avail_count(mp), POOL_SIZE);
	printf("ok:   %s: start failed cleanly, the next start reconnected\n", name);
out:
	if (dev != NULL)
		vpmd_close(dev);
	backend_kill(pid);
	if (ok && open_fds() != fds0) {
		printf("FAIL: %s: %u fds open, %u before\n", name, open_fds(), fds0);
		ok = false;
	}
	rte_mempool_free(mp);
	unlink(path);
	return ok;
}

/* backoff: the attempt times with a fake clock, and nothing in between. */
static bool
case_backoff(struct env *e)
{
	const char *name = "backoff";
	struct rte_mempool *mp;
	struct vpmd_dev *dev = NULL;
	struct vpmd_conn_stats cs;
	char path[128], pool[32], err[256] = "";
	uint64_t t = 1000000, want = VPMD_RECONNECT_MIN_MS;
	pid_t pid;
	bool ok = true;

	snprintf(path, sizeof(path), "%s/c%u.sock", e->dir, e->ncase);
	snprintf(pool, sizeof(pool), "rc_pool%u", e->ncase++);
	mp = rte_pktmbuf_pool_create(pool, POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	pid = backend_start(path, &good);
	usleep(100 * 1000);
	dev = open_started(path, false, mp, err, sizeof(err));
	CHECK(dev != NULL, "open: %s", err);
	backend_kill(pid);
	pid = 0;
	/* Park (this thread is the lcore), release (the child exited), first attempt. */
	for (int i = 0; i < 100; i++) {
		poll_queues(dev, mp, true, true, true);
		vpmd_poll_at(dev, t);
		vpmd_conn_stats_get(dev, &cs);
		if (cs.attempts > 0)
			break;
		usleep(10 * 1000);
	}
	CHECK(cs.attempts == 1 && cs.backoff_ms == VPMD_RECONNECT_MIN_MS,
	      "first attempt: %" PRIu64 " attempts, back-off %u", cs.attempts, cs.backoff_ms);
	for (unsigned int k = 2; k <= 10; k++) {
		uint64_t before = cs.attempts;

		vpmd_poll_at(dev, t + want - 1);
		vpmd_conn_stats_get(dev, &cs);
		CHECK(cs.attempts == before, "attempt %u came %" PRIu64 " ms early", k, want);
		t += want;
		vpmd_poll_at(dev, t);
		vpmd_conn_stats_get(dev, &cs);
		want = want * 2 > VPMD_RECONNECT_MAX_MS ? VPMD_RECONNECT_MAX_MS : want * 2;
		CHECK(cs.attempts == before + 1 && cs.backoff_ms == want,
		      "attempt %u: %" PRIu64 " attempts, back-off %u, want %" PRIu64, k,
		      cs.attempts, cs.backoff_ms, want);
	}
	CHECK(cs.backoff_ms == VPMD_RECONNECT_MAX_MS, "back-off %u not capped", cs.backoff_ms);
	CHECK(rte_mempool_avail_count(mp) == POOL_SIZE, "pool %u while away",
	      rte_mempool_avail_count(mp));
	printf("ok:   %s: %" PRIu64 " attempts, back-off %u..%u ms\n", name, cs.attempts,
	       VPMD_RECONNECT_MIN_MS, cs.backoff_ms);
out:
	if (dev != NULL)
		vpmd_close(dev);
	backend_kill(pid);
	if (ok && rte_mempool_avail_count(mp) != POOL_SIZE) {
		printf("FAIL: %s: pool not full at the end\n", name);
		ok = false;
	}
	rte_mempool_free(mp);
	unlink(path);
	return ok;
}

/* alive-hangup: the backend closes but keeps our memory mapped: dead, counted, kept. */
static bool
case_alive_hangup(struct env *e)
{
	const char *name = "alive-hangup";
	struct script sc = good;
	struct rte_mempool *mp;
	struct vpmd_dev *dev = NULL;
	struct vpmd_leak_stats l0, l1;
	char path[128], pool[32], err[256] = "";
	unsigned int avail;
	uint64_t t = 5000000;
	pid_t pid;
	bool ok = true;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/c%u.sock", e->dir, e->ncase);
	snprintf(pool, sizeof(pool), "rc_pool%u", e->ncase++);
	mp = rte_pktmbuf_pool_create(pool, POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	sc.hangup_req = REQ_GET_VRING_BASE;
	sc.hangup_nth = 1;
	sc.linger = true;
	pid = backend_start(path, &sc);
	usleep(100 * 1000);
	dev = open_started(path, false, mp, err, sizeof(err));
	CHECK(dev != NULL, "open: %s", err);
	vpmd_leak_stats_get(&l0);
	/* A stop asks for GET_VRING_BASE: the backend hangs up and lives on. */
	poll_queues(dev, mp, true, true, true);
	avail = rte_mempool_avail_count(mp);
	vpmd_stop(dev);
	vpmd_leak_stats_get(&l1);
	CHECK(vpmd_dead(dev), "not dead after a hang-up by a live backend");
	CHECK(rte_mempool_avail_count(mp) == avail && l1.mbufs - l0.mbufs == POOL_SIZE - avail,
	      "pool %u (was %u), leaked %" PRIu64, rte_mempool_avail_count(mp), avail,
	      l1.mbufs - l0.mbufs);
	rc = vpmd_poll_at(dev, t);
	CHECK(rc == -EIO, "poll on a dead device: %d", rc);
	printf("ok:   %s: dead, %" PRIu64 " mbufs leaked and counted\n", name, l1.mbufs - l0.mbufs);
out:
	if (dev != NULL)
		vpmd_close(dev);
	backend_kill(pid);
	unlink(path);
	/* The pool keeps the leaked mbufs: it is never freed. */
	return ok;
}

int
main(int argc, char **argv)
{
	struct env e = { .dir = "/tmp/vhu-reconn.XXXXXX" };
	struct script nego = good, nomrg = good, fewq = good, babble = good;
	struct script fewer[2];
	int failures = 0;
	uint64_t t0;

	if (rte_eal_init(argc, argv) < 0) {
		printf("cannot init EAL (%s)\n", rte_strerror(rte_errno));
		return 1;
	}
	if (mkdtemp(e.dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	nego.hangup_req = REQ_SET_VRING_KICK;
	nego.hangup_nth = 2;
	nomrg.features &= ~F_MRG_RXBUF;
	fewq.queue_num = 1;
	babble.babble_req = REQ_SET_VRING_ENABLE;
	babble.babble_nth = 2 * PAIRS; /* the last one of vpmd_start */
	fewer[0] = nomrg;
	fewer[1] = fewq;

	t0 = ms_now();
	failures += !case_hangup(&e, "client-hangup", false, NULL, NULL, 0);
	printf("      %" PRIu64 " ms\n", ms_now() - t0);
	failures += !case_hangup(&e, "server-hangup", true, NULL, NULL, 0);
	printf("      %" PRIu64 " ms\n", ms_now() - t0);
	e.mode = LC_TX_ONLY;
	failures += !case_hangup(&e, "hangup-tx-only", false, NULL, NULL, 0);
	printf("      %" PRIu64 " ms\n", ms_now() - t0);
	e.mode = LC_RX_ONLY;
	failures += !case_hangup(&e, "hangup-rx-only", false, NULL, NULL, 0);
	printf("      %" PRIu64 " ms\n", ms_now() - t0);
	e.mode = LC_BOTH;
	failures += !case_hangup(&e, "negotiation", false, NULL, &nego, 1);
	printf("      %" PRIu64 " ms\n", ms_now() - t0);
	failures += !case_hangup(&e, "fewer-features", false, NULL, fewer, 2);
	printf("      %" PRIu64 " ms\n", ms_now() - t0);
	failures += !case_hangup(&e, "unsolicited", false, &babble, NULL, 0);
	printf("      %" PRIu64 " ms\n", ms_now() - t0);
	failures += !case_ctrl_hangup(&e);
	printf("      %" PRIu64 " ms\n", ms_now() - t0);
	failures += !case_backoff(&e);
	printf("      %" PRIu64 " ms\n", ms_now() - t0);
	failures += !case_alive_hangup(&e);
	printf("      %" PRIu64 " ms\n", ms_now() - t0);
	rmdir(e.dir);
	printf("%s\n", failures ? "FAILED" : "PASS");
	return failures ? 1 : 0;
}
