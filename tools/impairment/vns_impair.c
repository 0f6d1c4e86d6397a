/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns-impair: the user-space half of tools/impair (the tc-BPF half is impair.bpf.c).
 *
 * Creates four taps in the current network namespace, a corrupt tap, a delay tap, a drop tap
 * and a base tap, and prints their ifindexes ("ready corrupt_ifindex=N reorder_ifindex=M
 * drop_ifindex=K base_ifindex=B"); tools/impair then
 * builds the BPF program with them and attaches it to --dev. Frames the program redirects
 * to a tap come out of it with their checksums final (a tap has no checksum offload), and
 * go back out of --dev through a packet socket whose frames carry --mark, which the program
 * lets through untouched:
 *   - corrupt tap: one byte of the IPv4 payload (the TCP header or data) is XORed with a
 *     non-zero value, the checksums are left alone: the receiver sees a bad TCP checksum;
 *   - delay tap: the frame is held for --delay-us and sent behind the frames that left in
 *     the meantime (a FIFO: every delayed frame gets the same delay);
 *   - drop tap: the frame is read and discarded (a loss the sender's stack cannot see);
 *   - base tap (only used with --base-delay-us): the frame is held for the base delay, the
 *     path's one-way propagation delay, in order with the others. With a base delay the
 *     corrupted frames wait that long too, and the delayed ones the base delay plus theirs.
 * Only IPv4 TCP frames are forwarded (the taps' own traffic, e.g. IPv6 ND, is dropped).
 * SIGUSR1 prints one JSON line of counters (its own and the BPF map --map's, found by name);
 * SIGTERM/SIGINT sends what is still held, prints the counters and exits 0.
 *
 *   vns-impair --dev IF --map NAME [--seed N] [--delay-us US] [--base-delay-us US] [--mark M]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* ppoll */
#endif
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IMP_SLOTS     4096 /* frames each delay line holds */
#define IMP_SLOT_SIZE 2048 /* larger frames are not delayed */
#define IMP_MAX_DELAY 1000000u
#define IMP_MAP_SLOTS 7 /* enum imp_slot in impair.bpf.c */

static const char *const imp_map_slot_names[IMP_MAP_SLOTS] = {
	"draws", "tcp_frames", "dropped", "corrupted", "duplicated", "reordered", "redirect_failed",
};

struct imp_frame {
	uint64_t due_ns;
	uint16_t len;
	uint8_t data[IMP_SLOT_SIZE];
};

/* A FIFO of frames that all wait the same time, so due times only grow along it. */
struct imp_line {
	struct imp_frame *ring;
	unsigned int head, count;
	uint64_t delay_ns;
	uint64_t *sent;
};

struct imp_state {
	int pkt_fd, corrupt_fd, delay_fd, drop_fd, base_fd;
	uint64_t rng;
	const char *map_name;
	struct imp_line reorder, base; /* base.delay_ns == 0: no base delay */
	uint64_t lost, corrupt_in, corrupt_sent, delay_in, delay_sent, base_in, base_sent, not_tcp,
		too_big, ring_full, send_failed;
};

static volatile sig_atomic_t imp_stop, imp_report;

static void
imp_on_signal(int sig)
{
	if (sig == SIGUSR1)
		imp_report = 1;
	else
		imp_stop = 1;
}

static uint64_t
imp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t
imp_rand(struct imp_state *s)
{
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int
imp_usage(const char *what)
{
	fprintf(stderr,
		"vns-impair: %s\nusage: vns-impair --dev IF --map NAME [--seed N] "
		"[--delay-us US] [--base-delay-us US] [--mark M]\n",
		what);
	return 2;
}

static bool
imp_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* A tap owned by this process (gone when it exits), up, without IPv6. */
static int
imp_open_tap(const char *name, int *ifindex)
{
	struct ifreq ifr;
	char path[96];
	int fd, sfd, pfd, err = 0;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto fail;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifr.ifr_name);
	pfd = open(path, O_WRONLY | O_CLOEXEC);
	if (pfd >= 0) {
		if (write(pfd, "1", 1) != 1) {
			/* Best effort: what IPv6 sends on the tap is dropped below anyway. */
		}
		close(pfd);
	}
	sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sfd < 0)
		goto fail;
	if (ioctl(sfd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(sfd, SIOCSIFFLAGS, &ifr) < 0)
			err = -errno;
	} else {
		err = -errno;
	}
	close(sfd);
	*ifindex = (int)if_nametoindex(ifr.ifr_name);
	if (err == 0 && *ifindex > 0)
		return fd;
	close(fd);
	return err ? err : -ENODEV;
fail:
	err = -errno;
	close(fd);
	return err ? err : -EIO;
}

static bool
imp_is_ipv4_tcp(const uint8_t *f, size_t len)
{
	return len >= ETH_HLEN + 20 && f[12] == 0x08 && f[13] == 0x00 && (f[14] >> 4) == 4 &&
	       f[ETH_HLEN + 9] == IPPROTO_TCP;
}

static void
imp_send(struct imp_state *s, const uint8_t *f, size_t len, uint64_t *sent)
{
	if (send(s->pkt_fd, f, len, 0) == (ssize_t)len)
		(*sent)++;
	else
		s->send_failed++;
}

static void
imp_corrupt(struct imp_state *s, uint8_t *f, size_t len)
{
	size_t ihl = (size_t)(f[ETH_HLEN] & 0x0f) * 4;
	size_t off = ETH_HLEN + ihl;
	uint64_t r = imp_rand(s);

	/* Any byte of the TCP segment: a one-byte change never leaves the 16-bit ones'
	 * complement sum unchanged, so the receiver's checksum check always sees it. */
	if (len <= off)
		return;
	off += (size_t)(r % (len - off));
	f[off] ^= (uint8_t)(1 + (r >> 32) % 255);
}

/* Holds a frame on a line, or sends it at once when it cannot wait (too big, line full). */
static void
imp_hold(struct imp_state *s, struct imp_line *l, const uint8_t *f, size_t len)
{
	struct imp_frame *fr;

	if (len > IMP_SLOT_SIZE) {
		s->too_big++;
		imp_send(s, f, len, l->sent);
		return;
	}
	if (l->count == IMP_SLOTS) {
		s->ring_full++;
		imp_send(s, f, len, l->sent);
		return;
	}
	fr = &l->ring[(l->head + l->count) % IMP_SLOTS];
	fr->due_ns = imp_now_ns() + l->delay_ns;
	fr->len = (uint16_t)len;
	memcpy(fr->data, f, len);
	l->count++;
}

enum imp_tap { IMP_TAP_CORRUPT, IMP_TAP_DELAY, IMP_TAP_BASE };

static void
imp_drain_tap(struct imp_state *s, int fd, enum imp_tap kind)
{
	uint8_t buf[65536];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0)
			return;
		if (!imp_is_ipv4_tcp(buf, (size_t)n)) {
			s->not_tcp++;
			continue;
		}
		switch (kind) {
		case IMP_TAP_CORRUPT:
			s->corrupt_in++;
			imp_corrupt(s, buf, (size_t)n);
			if (s->base.delay_ns) {
				s->corrupt_sent++; /* into the base line; base_sent counts it out */
				imp_hold(s, &s->base, buf, (size_t)n);
			} else
				imp_send(s, buf, (size_t)n, &s->corrupt_sent);
			break;
		case IMP_TAP_DELAY:
			s->delay_in++;
			imp_hold(s, &s->reorder, buf, (size_t)n);
			break;
		case IMP_TAP_BASE:
			s->base_in++;
			/* Nothing should arrive here without a base delay: pass it on. */
			if (s->base.ring)
				imp_hold(s, &s->base, buf, (size_t)n);
			else
				imp_send(s, buf, (size_t)n, &s->base_sent);
			break;
		}
	}
}

static void
imp_discard(struct imp_state *s)
{
	uint8_t buf[65536];

	while (read(s->drop_fd, buf, sizeof(buf)) > 0)
		s->lost++;
}

/* Sends a line's frames that are due (all of them when flushing); returns ns until its
 * next, or -1 when it is empty. */
static int64_t
imp_release_line(struct imp_state *s, struct imp_line *l, uint64_t now, bool flush)
{
	while (l->count) {
		struct imp_frame *fr = &l->ring[l->head];

		if (!flush && fr->due_ns > now)
			return (int64_t)(fr->due_ns - now);
		imp_send(s, fr->data, fr->len, l->sent);
		l->head = (l->head + 1) % IMP_SLOTS;
		l->count--;
	}
	return -1;
}

/* Both lines; returns ns until the next frame is due, or -1 when nothing is held. */
static int64_t
imp_release(struct imp_state *s, bool flush)
{
	uint64_t now = imp_now_ns();
	int64_t a = imp_release_line(s, &s->reorder, now, flush);
	int64_t b = imp_release_line(s, &s->base, now, flush);

	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* The BPF program's counters, from its map found by name (0 when it is not loaded). */
static int
imp_read_map(const char *name, uint64_t vals[IMP_MAP_SLOTS])
{
	uint32_t id = 0;

	while (bpf_map_get_next_id(id, &id) == 0) {
		struct bpf_map_info info;
		uint32_t ilen = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &ilen) == 0 && strcmp(info.name, name) == 0 &&
		    info.max_entries >= IMP_MAP_SLOTS) {
			for (uint32_t k = 0; k < IMP_MAP_SLOTS; k++)
				if (bpf_map_lookup_elem(fd, &k, &vals[k]) != 0)
					vals[k] = 0;
			close(fd);
			return 0;
		}
		close(fd);
	}
	return -ENOENT;
}

static void
imp_print_counters(const struct imp_state *s)
{
	uint64_t m[IMP_MAP_SLOTS] = { 0 };
	int found = imp_read_map(s->map_name, m) == 0;

	printf("{\"bpf_map_found\": %s", found ? "true" : "false");
	for (int k = 0; k < IMP_MAP_SLOTS; k++)
		printf(", \"%s\": %" PRIu64, imp_map_slot_names[k], m[k]);
	printf(", \"lost\": %" PRIu64, s->lost);
	printf(", \"corrupt_in\": %" PRIu64 ", \"corrupt_sent\": %" PRIu64
	       ", \"delay_in\": %" PRIu64 ", \"delay_sent\": %" PRIu64 ", \"base_in\": %" PRIu64
	       ", \"base_sent\": %" PRIu64 ", \"held\": %u"
	       ", \"not_tcp\": %" PRIu64 ", \"too_big\": %" PRIu64 ", \"ring_full\": %" PRIu64
	       ", \"send_failed\": %" PRIu64 "}\n",
	       s->corrupt_in, s->corrupt_sent, s->delay_in, s->delay_sent, s->base_in, s->base_sent,
	       s->reorder.count + s->base.count, s->not_tcp, s->too_big, s->ring_full,
	       s->send_failed);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "map", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "delay-us", required_argument, NULL, 'u' },
		{ "base-delay-us", required_argument, NULL, 'b' },
		{ "mark", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct imp_state s;
	const char *dev = NULL;
	uint64_t seed = 1, delay_us = 1000, base_us = 0, mark = 0x1e9a1e9a;
	struct sockaddr_ll sll;
	struct sigaction sa;
	char cname[IFNAMSIZ], dname[IFNAMSIZ], xname[IFNAMSIZ], bname[IFNAMSIZ];
	int dev_ifindex, corrupt_ifindex = 0, delay_ifindex = 0, drop_ifindex = 0, base_ifindex = 0;
	int c;
	int markv;

	memset(&s, 0, sizeof(s));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'm':
			s.map_name = optarg;
			break;
		case 's':
			if (!imp_parse_u64(optarg, UINT64_MAX, &seed))
				return imp_usage("bad --seed: a non-negative integer");
			break;
		case 'u':
			if (!imp_parse_u64(optarg, IMP_MAX_DELAY, &delay_us))
				return imp_usage("bad --delay-us: 0-1000000 microseconds");
			break;
		case 'b':
			if (!imp_parse_u64(optarg, IMP_MAX_DELAY, &base_us))
				return imp_usage("bad --base-delay-us: 0-1000000 microseconds");
			break;
		case 'k':
			if (!imp_parse_u64(optarg, UINT32_MAX, &mark) || mark == 0)
				return imp_usage("bad --mark: a non-zero 32-bit value");
			break;
		case 'h':
			imp_usage("the user-space half of tools/impair");
			return 0;
		default:
			return imp_usage("unknown option");
		}
	}
	if (optind != argc)
		return imp_usage("stray argument");
	if (!dev || !s.map_name)
		return imp_usage("--dev and --map are required");
	if (strlen(s.map_name) >= 16)
		return imp_usage("bad --map: at most 15 characters (a BPF object name)");
	dev_ifindex = (int)if_nametoindex(dev);
	if (dev_ifindex == 0) {
		fprintf(stderr, "vns-impair: no interface '%s' in this namespace\n", dev);
		return 1;
	}
	s.rng = seed ^ 0x5eed5eed5eed5eedull;
	s.base.delay_ns = base_us * 1000u;
	s.reorder.delay_ns = (base_us + delay_us) * 1000u;
	s.reorder.sent = &s.delay_sent;
	s.base.sent = &s.base_sent;
	s.reorder.ring = calloc(IMP_SLOTS, sizeof(*s.reorder.ring));
	s.base.ring = base_us ? calloc(IMP_SLOTS, sizeof(*s.base.ring)) : NULL;
	if (!s.reorder.ring || (base_us && !s.base.ring)) {
		fprintf(stderr, "vns-impair: out of memory for the delay line\n");
		return 1;
	}

	s.pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	markv = (int)(uint32_t)mark;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = dev_ifindex;
	if (s.pkt_fd < 0 || bind(s.pkt_fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(s.pkt_fd, SOL_SOCKET, SO_MARK, &markv, sizeof(markv)) < 0) {
		fprintf(stderr, "vns-impair: packet socket on %s: %s (needs root)\n", dev,
			strerror(errno));
		return 1;
	}
	snprintf(cname, sizeof(cname), "imc%d", dev_ifindex);
	snprintf(dname, sizeof(dname), "imd%d", dev_ifindex);
	s.corrupt_fd = imp_open_tap(cname, &corrupt_ifindex);
	snprintf(xname, sizeof(xname), "imx%d", dev_ifindex);
	s.delay_fd = s.corrupt_fd < 0 ? s.corrupt_fd : imp_open_tap(dname, &delay_ifindex);
	s.drop_fd = s.delay_fd < 0 ? s.delay_fd : imp_open_tap(xname, &drop_ifindex);
	snprintf(bname, sizeof(bname), "imb%d", dev_ifindex);
	s.base_fd = s.drop_fd < 0 ? s.drop_fd : imp_open_tap(bname, &base_ifindex);
	if (s.base_fd < 0) {
		fprintf(stderr, "vns-impair: cannot create taps %s/%s/%s/%s: %s\n", cname, dname,
			xname, bname, strerror(-s.base_fd));
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = imp_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	printf("ready corrupt_ifindex=%d reorder_ifindex=%d drop_ifindex=%d base_ifindex=%d\n",
	       corrupt_ifindex, delay_ifindex, drop_ifindex, base_ifindex);
	fflush(stdout);

	while (!imp_stop) {
		struct pollfd pfd[4] = {
			{ .fd = s.corrupt_fd, .events = POLLIN },
			{ .fd = s.delay_fd, .events = POLLIN },
			{ .fd = s.drop_fd, .events = POLLIN },
			{ .fd = s.base_fd, .events = POLLIN },
		};
		int64_t wait_ns = imp_release(&s, false);
		struct timespec ts = { .tv_sec = 1 };

		if (wait_ns >= 0) {
			ts.tv_sec = wait_ns / 1000000000;
			ts.tv_nsec = wait_ns % 1000000000;
		}
		if (imp_report) {
			imp_report = 0;
			imp_print_counters(&s);
		}
		if (ppoll(pfd, 4, &ts, NULL) < 0 && errno != EINTR)
			break;
		imp_discard(&s);
		imp_drain_tap(&s, s.corrupt_fd, IMP_TAP_CORRUPT);
		imp_drain_tap(&s, s.delay_fd, IMP_TAP_DELAY);
		imp_drain_tap(&s, s.base_fd, IMP_TAP_BASE);
	}
	imp_release(&s, true);
	imp_print_counters(&s);
	return 0;
}
