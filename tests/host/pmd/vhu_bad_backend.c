/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user transport against a scripted, misbehaving backend (a thread on a unix
 * socket in a temporary directory). The backend is untrusted: every bad reply must end
 * the probe with a clear one-line error, within the reply timeout, without hanging or
 * crashing; a well-behaved one must be accepted. No root, no hugepages (EAL --no-huge),
 * so it runs in the unit suite.
 *
 * usage: vhu_bad_backend [EAL args]    exit 0 pass, 1 fail
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <rte_mbuf.h>

#include "vpmd.h"
#include "vpmd_transport.h"

/* What the backend does wrong (or nothing, for the last case). */
enum bad_kind {
	BAD_WRONG_REQUEST,  /* GET_FEATURES answered with another request id */
	BAD_WRONG_SIZE,     /* GET_FEATURES answered with a 4-byte payload */
	BAD_NO_REPLY_FLAG,  /* reply without the REPLY bit */
	BAD_WRONG_VERSION,  /* reply with version 2 */
	BAD_HUGE_SIZE,      /* size field 0x10000000 */
	BAD_SILENT,         /* never answers GET_FEATURES */
	BAD_HANGUP,         /* closes the socket instead of answering */
	BAD_NO_VERSION_1,   /* features without VIRTIO_F_VERSION_1 */
	BAD_ZERO_QUEUES,    /* GET_QUEUE_NUM = 0 */
	BAD_TOO_FEW_QUEUES, /* GET_QUEUE_NUM = 2 but the spec asks queues=4 */
	BAD_EXTRA_REPLY,    /* a second, unasked-for reply follows GET_FEATURES' */
	BAD_FRAGMENTED,     /* every reply split over three writes 20 ms apart: fine */
	GOOD,               /* a correct backend: the probe must succeed */
	/* Driver cases (driver_case): the backend goes wrong after the probe. */
	BAD_NO_VRING_BASE, /* never answers GET_VRING_BASE */
	BAD_NACK_MEM,      /* REPLY_ACK status 1 for SET_MEM_TABLE */
	BAD_HANGUP_ADDR,   /* hangs up instead of acking SET_VRING_ADDR (queue setup) */
	BAD_STRAY_FDS,     /* the GET_QUEUE_NUM reply carries two fds nobody asked for */
};

struct bad_case {
	enum bad_kind kind;
	const char *opts; /* appended to the socket path */
	const char *want; /* substring the error line must contain; NULL = must succeed */
};

static const struct bad_case cases[] = {
	{ BAD_WRONG_REQUEST, "", "bad reply to GET_FEATURES" },
	{ BAD_WRONG_SIZE, "", "bad reply to GET_FEATURES" },
	{ BAD_NO_REPLY_FLAG, "", "bad reply to GET_FEATURES" },
	{ BAD_WRONG_VERSION, "", "bad reply to GET_FEATURES" },
	{ BAD_HUGE_SIZE, "", "bad reply to GET_FEATURES" },
	{ BAD_SILENT, ",timeout_ms=300", "no reply to GET_FEATURES within 300 ms" },
	{ BAD_HANGUP, "", "reading the reply to GET_FEATURES failed" },
	{ BAD_NO_VERSION_1, "", "does not offer VIRTIO_F_VERSION_1" },
	{ BAD_ZERO_QUEUES, "", "reports 0 queue pairs" },
	{ BAD_TOO_FEW_QUEUES, ",queues=4", "queues=4 but the backend supports 2 pair(s)" },
	{ BAD_EXTRA_REPLY, "", "bad reply to GET_PROTOCOL_FEATURES (request 17" },
	{ BAD_FRAGMENTED, ",queues=2", NULL },
	{ GOOD, ",queues=2", NULL },
};

#define F_VERSION_1         (1ULL << 32)
#define F_PROTOCOL_FEATURES (1ULL << 30)
#define PROTO_MQ            1ULL
#define PROTO_REPLY_ACK     (1ULL << 3)

struct hdr {
	uint32_t request, flags, size;
} __attribute__((packed));

struct backend {
	int listen_fd;
	enum bad_kind kind;
};

/* Send a reply with two fds attached (SCM_RIGHTS): /dev/null, twice. */
static void
reply_with_fds(int fd, uint32_t request, const void *payload, uint32_t size)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct hdr h = { .request = request, .flags = 0x1 | 0x4, .size = size };
	uint8_t buf[64];
	struct iovec iov = { buf, sizeof(h) + size };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int fds[2] = { open("/dev/null", O_RDONLY), open("/dev/null", O_RDONLY) };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, size);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
		perror("backend sendmsg");
	close(fds[0]);
	close(fds[1]);
}

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

static bool fragment_replies;

static void
reply(int fd, uint32_t request, uint32_t flags, const void *payload, uint32_t size,
      uint32_t size_field)
{
	uint8_t buf[64];
	struct hdr h = { .request = request, .flags = flags, .size = size_field };
	size_t len = sizeof(h) + size, cut[] = { 5, sizeof(h) + 3, len }, off = 0;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, size);
	/* MSG_NOSIGNAL: the PMD under test may already have closed the socket on an earlier
	 * bad reply (that is what is tested); a late fragment must not kill the test with
	 * SIGPIPE (seen once in CI, 2026-12-03). */
	if (!fragment_replies) {
		if (send(fd, buf, len, MSG_NOSIGNAL) < 0)
			perror("backend write");
		return;
	}
	/* Inside the header, inside the payload, the rest: three recvmsg at least. */
	for (size_t i = 0; i < 3 && off < len; i++) {
		size_t end = cut[i] < len ? cut[i] : len;

		if (send(fd, buf + off, end - off, MSG_NOSIGNAL) < 0)
			perror("backend write");
		off = end;
		usleep(20 * 1000);
	}
}

static void *
backend_main(void *arg)
{
	struct backend *b = arg;
	int fd = accept(b->listen_fd, NULL, NULL);
	uint8_t payload[512];
	struct hdr h;

	if (fd < 0)
		return NULL;
	fragment_replies = b->kind == BAD_FRAGMENTED;
	while (read_full(fd, &h, sizeof(h))) {
		uint64_t v = 0;
		uint32_t rflags = 0x1 | 0x4;

		if (h.size > sizeof(payload) || !read_full(fd, payload, h.size))
			break;
		switch (h.request) {
		case 1: /* GET_FEATURES */
			/* VERSION_1, PROTOCOL_FEATURES, MRG_RXBUF, CTRL_GUEST_OFFLOADS */
			v = F_VERSION_1 | F_PROTOCOL_FEATURES | (1ULL << 15) | (1ULL << 2);
			switch (b->kind) {
			case BAD_WRONG_REQUEST:
				reply(fd, 2, rflags, &v, 8, 8);
				continue;
			case BAD_WRONG_SIZE:
				reply(fd, 1, rflags, &v, 4, 4);
				continue;
			case BAD_NO_REPLY_FLAG:
				reply(fd, 1, 0x1, &v, 8, 8);
				continue;
			case BAD_WRONG_VERSION:
				reply(fd, 1, 0x2 | 0x4, &v, 8, 8);
				continue;
			case BAD_HUGE_SIZE:
				reply(fd, 1, rflags, &v, 8, 0x10000000);
				continue;
			case BAD_SILENT:
				continue;
			case BAD_HANGUP:
				goto out;
			case BAD_NO_VERSION_1:
				v &= ~F_VERSION_1;
				break;
			case BAD_EXTRA_REPLY:
				reply(fd, 1, rflags, &v, 8, 8);
				reply(fd, 17, rflags, &v, 8, 8);
				continue;
			default:
				break;
			}
			reply(fd, 1, rflags, &v, 8, 8);
			break;
		case 15: /* GET_PROTOCOL_FEATURES */
			v = PROTO_MQ | PROTO_REPLY_ACK;
			reply(fd, 15, rflags, &v, 8, 8);
			break;
		case 11: /* GET_VRING_BASE: the ring's index back, num 0 */
			if (b->kind == BAD_NO_VRING_BASE)
				continue;
			memcpy(&v, payload, 4);
			reply(fd, 11, rflags, &v, 8, 8);
			break;
		case 17: /* GET_QUEUE_NUM */
			v = b->kind == BAD_ZERO_QUEUES ? 0 : 2;
			if (b->kind == BAD_STRAY_FDS)
				reply_with_fds(fd, 17, &v, 8);
			else
				reply(fd, 17, rflags, &v, 8, 8);
			break;
		case 5: /* SET_MEM_TABLE */
			if (b->kind == BAD_NACK_MEM && (h.flags & 0x8)) {
				v = 1;
				reply(fd, 5, rflags, &v, 8, 8);
				continue;
			}
			goto ack;
		case 9: /* SET_VRING_ADDR */
			if (b->kind == BAD_HANGUP_ADDR)
				goto out;
			goto ack;
		default:
ack:
			/* Anything else: ack when asked (need_reply bit 3). */
			if (h.flags & 0x8) {
				v = 0;
				reply(fd, h.request, rflags, &v, 8, 8);
			}
			break;
		}
	}
out:
	close(fd);
	return NULL;
}

static unsigned int
open_fds(void)
{
	unsigned int n = 0;
	char path[64];
	int fd;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

/*
 * The real driver on a backend that goes wrong after the probe:
 *   BAD_NO_VRING_BASE  accepts the rings, never answers GET_VRING_BASE: it may still be
 *                      using them, so vpmd_stop() leaves the device dead with every posted
 *                      rx buffer out of the pool, and vpmd_close() does not return them;
 *   BAD_NACK_MEM       refuses SET_MEM_TABLE: configure fails with one line;
 *   BAD_HANGUP_ADDR    hangs up during queue setup: configure fails with one line;
 *   BAD_STRAY_FDS      attaches fds to a reply: they are closed (fd count unchanged after
 *                      close) and the device works.
 * Every case but the first ends with the pool full and no fd left open.
 */
static bool
driver_case(const char *dir, enum bad_kind kind, const char *want)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct backend b = { .kind = kind };
	const struct vpmd_transport_ops *ops = NULL;
	struct vpmd_leak_stats before, leak;
	struct rte_mempool *mp;
	struct vpmd_dev *dev = NULL;
	struct vpmd_conf conf = { .nb_qpairs = 1, .ring_size = 256, .socket_id = SOCKET_ID_ANY };
	void *priv = NULL;
	char spec[256], name[32], err[256] = "";
	unsigned int avail = 0, fds0;
	pthread_t th;
	bool ok = false;
	int rc = -1;

	snprintf(name, sizeof(name), "vhu_bad_pool%d", (int)kind);
	mp = rte_pktmbuf_pool_create(name, 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/drv%d.sock", dir, (int)kind);
	b.listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (mp == NULL || b.listen_fd < 0 ||
	    bind(b.listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(b.listen_fd, 1) < 0) {
		printf("FAIL: driver case %d: pool or socket\n", (int)kind);
		return false;
	}
	pthread_create(&th, NULL, backend_main, &b);
	fds0 = open_fds();
	vpmd_leak_stats_get(&before);
	snprintf(spec, sizeof(spec), "%s,timeout_ms=300", sa.sun_path);
	conf.rx_pool = mp;
	if (vpmd_vhost_user_probe(spec, &ops, &priv, err, sizeof(err)) == 0)
		dev = vpmd_open_transport(ops, priv, err, sizeof(err));
	if (dev != NULL)
		rc = vpmd_configure(dev, &conf, err, sizeof(err));
	if (kind == BAD_NO_VRING_BASE && rc == 0 && vpmd_start(dev, err, sizeof(err)) == 0) {
		avail = rte_mempool_avail_count(mp);
		vpmd_stop(dev);
		vpmd_leak_stats_get(&leak);
		ok = vpmd_dead(dev) && avail < 1023 && rte_mempool_avail_count(mp) == avail &&
		     leak.mbufs == before.mbufs + 1023 - avail;
		snprintf(err, sizeof(err), "stopped: dead %d, pool %u of 1023 (was %u), leaked %u",
			 vpmd_dead(dev), rte_mempool_avail_count(mp), avail,
			 (unsigned int)(leak.mbufs - before.mbufs));
	} else if (kind == BAD_STRAY_FDS && rc == 0) {
		ok = vpmd_start(dev, err, sizeof(err)) == 0;
		vpmd_stop(dev);
		if (ok)
			snprintf(err, sizeof(err), "started with stray fds in a reply");
	} else if (want != NULL) {
		ok = rc < 0 && strstr(err, want) != NULL && strchr(err, '\n') == NULL;
	}
	if (dev != NULL)
		vpmd_close(dev);
	if (kind == BAD_NO_VRING_BASE) {
		ok = ok && rte_mempool_avail_count(mp) == avail;
	} else {
		ok = ok && rte_mempool_avail_count(mp) == 1023;
		shutdown(b.listen_fd, SHUT_RDWR);
		pthread_join(th, NULL);
		ok = ok && open_fds() == fds0;
	}
	printf("%s driver case %d: %s\n", ok ? "ok:  " : "FAIL:", (int)kind, err);
	if (!ok && want != NULL)
		printf("      wanted a failure containing '%s'\n", want);
	if (kind == BAD_NO_VRING_BASE) {
		shutdown(b.listen_fd, SHUT_RDWR);
		pthread_join(th, NULL);
	}
	close(b.listen_fd);
	unlink(sa.sun_path);
	return ok;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/vhu-bad.XXXXXX";
	int failures = 0;

	if (rte_eal_init(argc, argv) < 0) {
		printf("cannot init EAL (%s)\n", rte_strerror(rte_errno));
		return 1;
	}
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		struct backend b = { .kind = c->kind };
		const struct vpmd_transport_ops *ops = NULL;
		void *priv = NULL;
		char spec[256], err[256] = "";
		pthread_t th;
		struct timespec t0, t1;
		double ms;
		bool ok;
		int rc;

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/b%zu.sock", dir, i);
		b.listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (b.listen_fd < 0 || bind(b.listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(b.listen_fd, 1) < 0) {
			perror("backend socket");
			return 1;
		}
		pthread_create(&th, NULL, backend_main, &b);
		snprintf(spec, sizeof(spec), "%s%s", sa.sun_path, c->opts);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = vpmd_vhost_user_probe(spec, &ops, &priv, err, sizeof(err));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;

		if (c->want == NULL) {
			uint8_t cfg[10] = { 0 };

			/* EAL --no-huge memory is memfd-backed here, so it is shareable too. */
			/* CTRL_GUEST_OFFLOADS needs a control queue the backend does not see */
			ok = rc == 0 && (ops->get_features(priv) & F_VERSION_1) &&
			     !(ops->get_features(priv) & (1ULL << 2)) &&
			     ops->read_config(priv, 0, cfg, sizeof(cfg), err, sizeof(err)) == 0 &&
			     cfg[8] == 2 && cfg[9] == 0;
			if (rc == 0)
				snprintf(err, sizeof(err), "probe succeeded, 2 pairs");
		} else {
			ok = rc < 0 && strstr(err, c->want) != NULL && strchr(err, '\n') == NULL &&
			     ms < 2000;
		}

		printf("%s case %zu: rc %d in %.0f ms: %s\n", ok ? "ok:  " : "FAIL:", i, rc, ms,
		       err);
		if (!ok) {
			printf("      wanted %s%s%s\n",
			       c->want ? "a failure within 2 s containing '" : "success",
			       c->want ? c->want : "", c->want ? "'" : "");
			failures++;
		}
		if (priv != NULL)
			ops->close(priv);
		shutdown(b.listen_fd, SHUT_RDWR);
		pthread_join(th, NULL);
		close(b.listen_fd);
		unlink(sa.sun_path);
	}
	failures += !driver_case(dir, BAD_NO_VRING_BASE, NULL);
	failures += !driver_case(dir, BAD_NACK_MEM, "SET_MEM_TABLE");
	failures += !driver_case(dir, BAD_HANGUP_ADDR, "SET_VRING_ADDR");
	failures += !driver_case(dir, BAD_STRAY_FDS, NULL);
	rmdir(dir);
	rte_eal_cleanup();
	printf("%s\n", failures ? "FAILED" : "PASS");
	return failures ? 1 : 0;
}
