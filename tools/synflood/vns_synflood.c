/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns-synflood: spoofed TCP SYNs out of one interface as fast as the kernel takes them, for
 * the SYN-flood host test. Each frame has a source address drawn from --src-net (default
 * 198.19.0.0/16), a random source port, a random sequence number, and a destination port
 * taken in turn from --ports; checksums are correct, so the receiver treats them as real
 * connection attempts. Frames go out in sendmmsg batches through a packet socket for
 * --seconds or --count frames; it prints one line (or JSON) with what it sent.
 *
 *   vns-synflood --dev IF --dst-mac MAC --dst-ip A [--src-net 198.19.0.0/16]
 *                [--ports 5201,9] [--seconds 5] [--count N] [--seed N] [--json]
 *
 * Only addresses in 198.18.0.0/15 (the benchmarking range): a destination or a source
 * network outside it is refused, so the spoofed sources can never be anyone's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SYN_BATCH     64
#define SYN_MAX_PORTS 8
#define SYN_HDRS      (14 + 20 + 24) /* Ethernet, IPv4, TCP with the MSS option */
#define SYN_FRAME_LEN 60             /* padded to the Ethernet minimum */

struct syn_opts {
	const char *dev;
	uint8_t dst_mac[6];
	bool have_mac;
	struct in_addr dst_ip, src_net;
	unsigned int src_bits;
	uint16_t ports[SYN_MAX_PORTS];
	unsigned int nb_ports;
	unsigned int seconds;
	unsigned long long count;
	uint64_t seed;
	bool json;
};

static int
syn_usage(const char *what)
{
	fprintf(stderr,
		"vns-synflood: %s\nusage: vns-synflood --dev IF --dst-mac MAC --dst-ip A "
		"[--src-net 198.19.0.0/16] [--ports 5201,9] [--seconds 5] [--count N] [--seed N] "
		"[--json]\n",
		what);
	return 2;
}

static bool
syn_in_bench_range(uint32_t host_order, unsigned int bits)
{
	/* The whole network must lie in 198.18.0.0/15. */
	return bits >= 15 && (host_order & 0xfffe0000u) == 0xc6120000u;
}

static bool
syn_parse_ulong(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

static bool
syn_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return true;
}

static bool
syn_parse_net(const char *s, struct in_addr *net, unsigned int *bits)
{
	char buf[32], *slash;
	unsigned long long b;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return false;
	*slash = '\0';
	if (inet_pton(AF_INET, buf, net) != 1 || !syn_parse_ulong(slash + 1, 32, &b))
		return false;
	*bits = (unsigned int)b;
	return syn_in_bench_range(ntohl(net->s_addr), *bits);
}

static bool
syn_parse_ports(const char *s, struct syn_opts *o)
{
	char buf[128], *save = NULL, *tok;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	o->nb_ports = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		unsigned long long p;

		if (o->nb_ports == SYN_MAX_PORTS || !syn_parse_ulong(tok, 65535, &p) || p == 0)
			return false;
		o->ports[o->nb_ports++] = (uint16_t)p;
	}
	return o->nb_ports > 0;
}

static uint64_t
syn_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t
syn_sum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
syn_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One SYN into f (SYN_FRAME_LEN bytes, zeroed by the caller once). */
static void
syn_build(uint8_t *f, const struct syn_opts *o, const uint8_t src_mac[6], uint32_t src_ip,
	  uint16_t sport, uint16_t dport, uint32_t seq)
{
	struct iphdr *ip = (struct iphdr *)(f + 14);
	struct tcphdr *th = (struct tcphdr *)(f + 34);
	uint8_t *opt = f + 34 + 20;
	uint32_t sum;
	uint8_t pseudo[12];

	memcpy(f, o->dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(ip, 0, 20);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(20 + 24);
	ip->id = htons((uint16_t)seq);
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = src_ip;
	ip->daddr = o->dst_ip.s_addr;
	ip->check = htons(syn_fold(syn_sum(ip, 20, 0)));
	memset(th, 0, 24);
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(seq);
	th->doff = 6;
	th->syn = 1;
	th->window = htons(64240);
	opt[0] = 2; /* MSS 1460 */
	opt[1] = 4;
	opt[2] = 0x05;
	opt[3] = 0xb4;
	memcpy(pseudo, &ip->saddr, 4);
	memcpy(pseudo + 4, &ip->daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = 0;
	pseudo[11] = 24;
	sum = syn_sum(pseudo, sizeof(pseudo), 0);
	th->check = htons(syn_fold(syn_sum(th, 24, sum)));
}

static double
syn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "dst-ip", required_argument, NULL, 'i' },
		{ "src-net", required_argument, NULL, 'n' },
		{ "ports", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct syn_opts o = { .seconds = 5, .nb_ports = 2, .ports = { 5201, 9 }, .seed = 1 };
	static uint8_t frames[SYN_BATCH][SYN_FRAME_LEN];
	struct mmsghdr msgs[SYN_BATCH];
	struct iovec iov[SYN_BATCH];
	struct sockaddr_ll sll;
	struct ifreq ifr;
	uint8_t src_mac[6];
	unsigned long long v, sent = 0, failed = 0;
	uint32_t net, span;
	double t0, t;
	int fd, c, ifindex;

	inet_pton(AF_INET, "198.19.0.0", &o.src_net);
	o.src_bits = 16;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.dev = optarg;
			break;
		case 'm':
			if (!syn_parse_mac(optarg, o.dst_mac))
				return syn_usage("bad --dst-mac: expected aa:bb:cc:dd:ee:ff");
			o.have_mac = true;
			break;
		case 'i':
			if (inet_pton(AF_INET, optarg, &o.dst_ip) != 1 ||
			    !syn_in_bench_range(ntohl(o.dst_ip.s_addr), 32))
				return syn_usage("bad --dst-ip: an IPv4 address in 198.18.0.0/15");
			break;
		case 'n':
			if (!syn_parse_net(optarg, &o.src_net, &o.src_bits))
				return syn_usage(
					"bad --src-net: a network inside 198.18.0.0/15, e.g. "
					"198.19.0.0/16");
			break;
		case 'p':
			if (!syn_parse_ports(optarg, &o))
				return syn_usage("bad --ports: 1-8 ports 1-65535, comma-separated");
			break;
		case 's':
			if (!syn_parse_ulong(optarg, 3600, &v))
				return syn_usage("bad --seconds: 0-3600");
			o.seconds = (unsigned int)v;
			break;
		case 'c':
			if (!syn_parse_ulong(optarg, ~0ull, &o.count))
				return syn_usage("bad --count: a non-negative integer");
			break;
		case 'S':
			if (!syn_parse_ulong(optarg, ~0ull, &v))
				return syn_usage("bad --seed: a non-negative integer");
			o.seed = v;
			break;
		case 'j':
			o.json = true;
			break;
		case 'h':
			syn_usage("spoofed SYNs from --src-net, for the SYN-flood test");
			return 0;
		default:
			return syn_usage("unknown option");
		}
	}
	if (optind != argc)
		return syn_usage("stray argument");
	if (o.dev == NULL || !o.have_mac || o.dst_ip.s_addr == 0)
		return syn_usage("--dev, --dst-mac and --dst-ip are required");
	if (o.seconds == 0 && o.count == 0)
		return syn_usage("--seconds 0 needs --count");

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "vns-synflood: packet socket: %s (needs root)\n", strerror(errno));
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o.dev);
	ifindex = (int)if_nametoindex(o.dev);
	if (ifindex == 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "vns-synflood: no interface '%s'\n", o.dev);
		return 1;
	}
	memcpy(src_mac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, "vns-synflood: bind to %s: %s\n", o.dev, strerror(errno));
		return 1;
	}

	net = ntohl(o.src_net.s_addr) & (o.src_bits ? ~0u << (32 - o.src_bits) : 0);
	span = o.src_bits >= 32 ? 1 : 1u << (32 - o.src_bits);
	memset(frames, 0, sizeof(frames));
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < SYN_BATCH; i++) {
		iov[i].iov_base = frames[i];
		iov[i].iov_len = SYN_FRAME_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = syn_now();
	t = t0;
	for (uint64_t n = 0;;) {
		unsigned int batch = SYN_BATCH;
		int r;

		if (o.count != 0 && sent + failed >= o.count)
			break;
		if (o.seconds != 0 && t - t0 >= o.seconds)
			break;
		if (o.count != 0 && o.count - sent - failed < batch)
			batch = (unsigned int)(o.count - sent - failed);
		for (unsigned int i = 0; i < batch; i++, n++) {
			uint64_t r64 = syn_rand(&o.seed);
			uint32_t host = span > 2 ? (uint32_t)(r64 % (span - 2)) + 1 : 0;

			syn_build(frames[i], &o, src_mac, htonl(net + host),
				  (uint16_t)(1024 + (r64 >> 32) % 64000), o.ports[n % o.nb_ports],
				  (uint32_t)(r64 >> 16));
		}
		r = sendmmsg(fd, msgs, batch, 0);
		if (r > 0)
			sent += (unsigned long long)r;
		if (r < (int)batch)
			failed += batch - (unsigned int)(r > 0 ? r : 0);
		if ((n & 1023) < SYN_BATCH)
			t = syn_now();
	}
	t = syn_now() - t0;
	if (o.json)
		printf("{\"sent\": %llu, \"failed\": %llu, \"seconds\": %.3f, \"pps\": %.0f}\n",
		       sent, failed, t, t > 0 ? (double)sent / t : 0.0);
	else
		printf("vns-synflood: %llu SYNs in %.2f s (%.0f pps), %llu not taken by the "
		       "kernel\n",
		       sent, t, t > 0 ? (double)sent / t : 0.0, failed);
	close(fd);
	return 0;
}
