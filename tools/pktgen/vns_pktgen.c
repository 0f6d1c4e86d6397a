/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns-pktgen: a small raw-socket packet generator for the small-packet benchmark.
 *
 * Sends Ethernet/IPv4/UDP frames of a fixed size out of one interface (the host side of
 * the guest's tap, inside the benchmark's network namespace) as fast as the kernel takes
 * them, in sendmmsg batches, for a fixed time or count, and prints what it sent.
 * Frames carry a sequence number so a receiver can count loss; the source port varies
 * over --flows values so that a multi-queue tap spreads them over queues.
 *
 *   vns-pktgen --dev IF --dst-mac MAC --src-ip A --dst-ip B [--size 64] [--seconds 5]
 *              [--count N] [--flows 1] [--port 9] [--batch 64] [--json]
 *
 * Only for addresses in 198.18.0.0/15 (the benchmarking range): anything else is refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PKTGEN_MAX_BATCH 256
#define PKTGEN_MIN_SIZE  60 /* without FCS: the NIC/tap pads nothing for us */
#define PKTGEN_MAX_SIZE  1514

struct pktgen_opts {
	const char *dev;
	uint8_t dst_mac[6];
	bool have_dst_mac;
	struct in_addr src_ip, dst_ip;
	unsigned int size, seconds, flows, batch;
	unsigned long long count;
	uint16_t port;
	bool json;
};

static int
pktgen_usage_error(const char *opt, const char *allowed)
{
	fprintf(stderr, "vns-pktgen: bad %s: %s\n", opt, allowed);
	return 2;
}

static bool
pktgen_in_bench_range(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return (h & 0xfffe0000u) == 0xc6120000u; /* 198.18.0.0/15 */
}

static uint16_t
pktgen_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static int
pktgen_parse_uint(const char *s, unsigned long long lo, unsigned long long hi,
		  unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
pktgen_parse(int argc, char **argv, struct pktgen_opts *o)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "src-ip", required_argument, NULL, 's' },
		{ "dst-ip", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 'z' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "count", required_argument, NULL, 'c' },
		{ "flows", required_argument, NULL, 'f' },
		{ "port", required_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int c;

	*o = (struct pktgen_opts){ .size = 64, .seconds = 5, .flows = 1, .batch = 64, .port = 9 };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dev = optarg;
			break;
		case 'm':
			if (sscanf(optarg, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &o->dst_mac[0],
				   &o->dst_mac[1], &o->dst_mac[2], &o->dst_mac[3], &o->dst_mac[4],
				   &o->dst_mac[5]) != 6)
				return pktgen_usage_error("--dst-mac",
							  "six hex bytes like 52:54:00:12:34:56");
			o->have_dst_mac = true;
			break;
		case 's':
		case 't':
			if (inet_pton(AF_INET, optarg, c == 's' ? &o->src_ip : &o->dst_ip) != 1 ||
			    !pktgen_in_bench_range(c == 's' ? o->src_ip : o->dst_ip))
				return pktgen_usage_error(c == 's' ? "--src-ip" : "--dst-ip",
							  "an IPv4 address in 198.18.0.0/15");
			break;
		case 'z':
			if (pktgen_parse_uint(optarg, 64, PKTGEN_MAX_SIZE + 4, &v))
				return pktgen_usage_error("--size",
							  "frame size with FCS, 64 to 1518");
			o->size = (unsigned int)v;
			break;
		case 'S':
			if (pktgen_parse_uint(optarg, 1, 3600, &v))
				return pktgen_usage_error("--seconds", "1 to 3600");
			o->seconds = (unsigned int)v;
			break;
		case 'c':
			if (pktgen_parse_uint(optarg, 1, 1ULL << 40, &v))
				return pktgen_usage_error("--count", "a positive number of frames");
			o->count = v;
			break;
		case 'f':
			if (pktgen_parse_uint(optarg, 1, 1024, &v))
				return pktgen_usage_error("--flows", "1 to 1024");
			o->flows = (unsigned int)v;
			break;
		case 'p':
			if (pktgen_parse_uint(optarg, 1, 65535, &v))
				return pktgen_usage_error("--port", "1 to 65535");
			o->port = (uint16_t)v;
			break;
		case 'b':
			if (pktgen_parse_uint(optarg, 1, PKTGEN_MAX_BATCH, &v))
				return pktgen_usage_error("--batch", "1 to 256");
			o->batch = (unsigned int)v;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			printf("usage: vns-pktgen --dev IF --dst-mac MAC --src-ip A --dst-ip B "
			       "[--size 64] [--seconds 5] [--count N] [--flows 1] [--port 9] "
			       "[--batch 64] [--json]\n");
			exit(0);
		default:
			return 2;
		}
	}
	if (optind != argc)
		return pktgen_usage_error("argument", "no positional arguments are taken");
	if (!o->dev || !o->have_dst_mac || !o->src_ip.s_addr || !o->dst_ip.s_addr) {
		fprintf(stderr,
			"vns-pktgen: --dev, --dst-mac, --src-ip and --dst-ip are required\n");
		return 2;
	}
	return 0;
}

/* Fill one frame: Ethernet, IPv4 (checksummed), UDP (checksum 0: optional in IPv4),
 * payload starting with a 64-bit sequence number. */
static void
pktgen_build(uint8_t *f, size_t len, const struct pktgen_opts *o, const uint8_t *src_mac,
	     uint16_t sport)
{
	struct ether_header *eth = (struct ether_header *)f;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	memset(f, 0, len);
	memcpy(eth->ether_dhost, o->dst_mac, 6);
	memcpy(eth->ether_shost, src_mac, 6);
	eth->ether_type = htons(ETHERTYPE_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((uint16_t)(len - sizeof(*eth)));
	ip->saddr = o->src_ip.s_addr;
	ip->daddr = o->dst_ip.s_addr;
	ip->check = pktgen_csum(ip, sizeof(*ip));
	udp->source = htons(sport);
	udp->dest = htons(o->port);
	udp->len = htons((uint16_t)(len - sizeof(*eth) - sizeof(*ip)));
}

static double
pktgen_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static uint8_t frames[PKTGEN_MAX_BATCH][PKTGEN_MAX_SIZE];
	struct mmsghdr msgs[PKTGEN_MAX_BATCH];
	struct iovec iov[PKTGEN_MAX_BATCH];
	struct sockaddr_ll sll = { 0 };
	struct pktgen_opts o;
	struct ifreq ifr = { 0 };
	unsigned long long sent = 0, seq = 0, errors = 0;
	double t0, t1, deadline;
	size_t len;
	int fd, rc, one = 1;

	rc = pktgen_parse(argc, argv, &o);
	if (rc)
		return rc;
	len = o.size - 4; /* the FCS is not ours to write */
	if (len < PKTGEN_MIN_SIZE)
		len = PKTGEN_MIN_SIZE;

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "vns-pktgen: raw socket: %s (needs root or CAP_NET_RAW)\n",
			strerror(errno));
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o.dev);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		fprintf(stderr, "vns-pktgen: no interface '%s' here: %s\n", o.dev, strerror(errno));
		return 1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifr.ifr_ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, o.dst_mac, 6);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "vns-pktgen: reading the MAC of %s: %s\n", o.dev, strerror(errno));
		return 1;
	}
	/* Skip the qdisc: we measure the receiver, not the host's traffic control. */
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));

	for (unsigned int i = 0; i < o.batch; i++) {
		pktgen_build(frames[i], len, &o, (const uint8_t *)ifr.ifr_hwaddr.sa_data,
			     (uint16_t)(10000 + i % o.flows));
		iov[i] = (struct iovec){ .iov_base = frames[i], .iov_len = len };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &sll,
							 .msg_namelen = sizeof(sll),
							 .msg_iov = &iov[i],
							 .msg_iovlen = 1 } };
	}

	t0 = pktgen_now();
	deadline = t0 + o.seconds;
	while ((o.count == 0 || sent < o.count) && pktgen_now() < deadline) {
		unsigned int n = o.batch;

		if (o.count && o.count - sent < n)
			n = (unsigned int)(o.count - sent);
		for (unsigned int i = 0; i < n; i++) {
			uint64_t s = seq + i;
			uint16_t sport = htons((uint16_t)(10000 + s % o.flows));

			memcpy(frames[i] + 14 + 20 + 8, &s, sizeof(s));
			memcpy(frames[i] + 14 + 20, &sport, 2);
		}
		rc = sendmmsg(fd, msgs, n, 0);
		if (rc < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				errors++;
				continue;
			}
			fprintf(stderr, "vns-pktgen: sendmmsg on %s: %s\n", o.dev, strerror(errno));
			return 1;
		}
		sent += (unsigned int)rc;
		seq += (unsigned int)rc;
	}
	t1 = pktgen_now();
	close(fd);
	if (o.json)
		printf("{\"dev\":\"%s\",\"frame_size\":%u,\"sent\":%llu,\"seconds\":%.3f,"
		       "\"pps\":%.0f,\"send_errors\":%llu}\n",
		       o.dev, o.size, sent, t1 - t0, sent / (t1 - t0), errors);
	else
		printf("vns-pktgen: %s: sent %llu frames of %u B in %.3f s: %.3f Mpps "
		       "(%llu send errors)\n",
		       o.dev, sent, o.size, t1 - t0, sent / (t1 - t0) / 1e6, errors);
	return 0;
}
