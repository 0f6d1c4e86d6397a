/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the benchmark programs (vpmd_perf: our PMD; dpdk_virtio_perf: DPDK's
 * net_virtio through ethdev), so that both run the same loops and measure the same way.
 *
 * Two figures per run:
 *   - packets per second over the measured interval (sensitive to CPU contention);
 *   - TSC cycles per packet spent inside the burst call, median over *full* bursts only.
 *     A full burst is comparable between drivers (same work), and the median discards
 *     the bursts during which the process was preempted, so this figure stays usable on
 *     a shared, busy machine where packets per second do not.
 */
#ifndef PERF_COMMON_H
#define PERF_COMMON_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#define PERF_HIST_MAX 8192 /* cycles per packet; larger values land in the last bin */

struct perf_hist {
	uint64_t bins[PERF_HIST_MAX];
	uint64_t n;
};

static inline void
perf_hist_add(struct perf_hist *h, uint64_t cycles, unsigned int pkts)
{
	uint64_t v = cycles / pkts;

	h->bins[v < PERF_HIST_MAX ? v : PERF_HIST_MAX - 1]++;
	h->n++;
}

static inline unsigned int
perf_hist_median(const struct perf_hist *h)
{
	uint64_t acc = 0;

	for (unsigned int i = 0; i < PERF_HIST_MAX; i++) {
		acc += h->bins[i];
		if (2 * acc >= h->n && h->n > 0)
			return i;
	}
	return 0;
}

/* The frame testpmd's txonly engine builds: Ethernet + IPv4 + UDP, zero payload. */
#define PERF_HDR_LEN \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))

static inline void
perf_template(uint8_t *hdr, uint16_t frame_len, const struct rte_ether_addr *src)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)hdr;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t l3 = (uint16_t)(frame_len - sizeof(*eh));

	memset(hdr, 0, PERF_HDR_LEN);
	eh->dst_addr = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0x0d, 0x57 } };
	eh->src_addr = *src;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(l3);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0xc6120001); /* 198.18.0.1 */
	ip->dst_addr = rte_cpu_to_be_32(0xc6120002); /* 198.18.0.2 */
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(9);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(l3 - sizeof(*ip)));
}

/* Warm-up, then a measured interval; the clock is read every 1024 loop iterations. */
struct perf_clock {
	uint64_t hz, t_start, t_end, t_measure, count_at_start;
	bool measuring;
	unsigned int iter;
};

static inline void
perf_clock_init(struct perf_clock *c, unsigned int warmup, unsigned int secs)
{
	c->hz = rte_get_timer_hz();
	c->t_measure = rte_get_timer_cycles();
	c->t_start = c->t_measure + warmup * c->hz;
	c->t_end = c->t_start + secs * c->hz;
	c->count_at_start = 0;
	c->measuring = warmup == 0;
	c->iter = 0;
}

/* Returns true when the run is over. */
static inline bool
perf_clock_tick(struct perf_clock *c, uint64_t count)
{
	uint64_t now;

	if ((++c->iter & 1023) != 0)
		return false;
	now = rte_get_timer_cycles();
	if (!c->measuring && now >= c->t_start) {
		c->measuring = true;
		c->count_at_start = count;
		c->t_measure = now;
	}
	return now >= c->t_end;
}

static inline void
perf_report(const char *mode, const struct perf_clock *c, uint64_t count, const struct perf_hist *h)
{
	double secs = (double)(rte_get_timer_cycles() - c->t_measure) / (double)c->hz;
	uint64_t pkts = count - c->count_at_start;

	printf("RESULT mode=%s pkts=%" PRIu64 " secs=%.3f mpps=%.3f cpp=%u full_bursts=%" PRIu64
	       "\n",
	       mode, pkts, secs, secs > 0 ? (double)pkts / secs / 1e6 : 0.0, perf_hist_median(h),
	       h->n);
}

#endif /* PERF_COMMON_H */
