/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iperf3 3.12 UDP sender (vns_iperf3_udp.h): the datagram header iperf_udp_send writes,
 * the token-bucket pacing from the TSC, and the per-poll burst of one stream.
 */
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>

#include "vns_iperf3_udp.h"

/* The TSC is read on both sides of clock_gettime and the middle is taken; a reading that a
 * preemption split (more than IP3U_CLOCK_SPLIT_NS between the two) is retried, so the carried
 * clock starts within a few microseconds of CLOCK_MONOTONIC rather than a time slice off. */
#define IP3U_CLOCK_SPLIT_NS 20000u
#define IP3U_CLOCK_TRIES    8

void
ip3u_clock_init(struct ip3u_clock *c, uint64_t hz)
{
	uint64_t best = UINT64_MAX;

	c->hz = hz;
	for (int i = 0; i < IP3U_CLOCK_TRIES && best > hz / (1000000000u / IP3U_CLOCK_SPLIT_NS);
	     i++) {
		struct timespec ts;
		uint64_t t0 = rte_rdtsc(), t1;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		t1 = rte_rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			c->tsc = t0 + (t1 - t0) / 2;
			c->ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		}
	}
}

uint64_t
ip3u_clock_ns(const struct ip3u_clock *c, uint64_t tsc)
{
	uint64_t d = tsc >= c->tsc ? tsc - c->tsc : c->tsc - tsc;
	uint64_t ns = d / c->hz * 1000000000u + d % c->hz * 1000000000u / c->hz;

	return tsc >= c->tsc ? c->ns + ns : c->ns - ns;
}

uint32_t
ip3u_hdr_write(uint8_t *hdr, uint64_t usec, uint64_t seq, bool c64)
{
	uint32_t sec = rte_cpu_to_be_32((uint32_t)(usec / 1000000));
	uint32_t us = rte_cpu_to_be_32((uint32_t)(usec % 1000000));

	memcpy(hdr, &sec, 4);
	memcpy(hdr + 4, &us, 4);
	if (c64) {
		uint64_t s = rte_cpu_to_be_64(seq);

		memcpy(hdr + 8, &s, 8);
	} else {
		uint32_t s = rte_cpu_to_be_32((uint32_t)seq);

		memcpy(hdr + 8, &s, 4);
	}
	return IP3U_HDR_LEN(c64);
}

#define IP3U_PACE_DEPTH_CAP (UINT64_C(1) << 62)

void
ip3u_pace_init(struct ip3u_pace *p, uint64_t rate_bps, uint32_t len, uint64_t hz, uint64_t now_tsc)
{
	uint64_t by_rate, mhz;

	memset(p, 0, sizeof(*p));
	p->last_tsc = now_tsc;
	if (rate_bps == 0 || rate_bps > IP3U_RATE_MAX || len == 0 || hz == 0)
		return; /* unlimited */
	p->rate_bps = rate_bps;
	/* Units: a tick adds rate_bps, a datagram costs len * 8 * hz (below 2^53 for
	 * len <= 65535 and hz below 10 GHz). The depth saturates at 2^62, so the sums in
	 * refill() stay below 2^63 at any rate up to IP3U_RATE_MAX. */
	p->cost = (uint64_t)len * 8 * hz;
	mhz = RTE_MAX(hz / 1000000, (uint64_t)1);
	if (rate_bps > IP3U_PACE_DEPTH_CAP / mhz / IP3U_PACE_DEPTH_US)
		by_rate = IP3U_PACE_DEPTH_CAP;
	else
		by_rate = rate_bps * mhz * IP3U_PACE_DEPTH_US;
	p->depth = RTE_MAX((uint64_t)IP3U_PACE_BURST * p->cost, by_rate);
	p->fill_ticks = p->depth / rate_bps + 1;
	p->tokens = p->cost;
	p->peak_depth = (uint64_t)IP3U_PACE_BURST * p->cost;
	p->peak_fill_ticks = p->peak_depth / (2 * rate_bps) + 1;
	p->peak_tokens = p->peak_depth;
}

/* bucket += dt * rate, at most depth; a long dt fills it without the product overflowing. */
static inline uint64_t
refill(uint64_t tokens, uint64_t dt, uint64_t rate, uint64_t fill_ticks, uint64_t depth)
{
	return dt >= fill_ticks ? depth : RTE_MIN(depth, tokens + dt * rate);
}

uint32_t
ip3u_pace_take(struct ip3u_pace *p, uint64_t now_tsc, uint32_t max)
{
	uint64_t dt, n;

	if (p->rate_bps == 0)
		return max;
	dt = now_tsc > p->last_tsc ? now_tsc - p->last_tsc : 0;
	p->last_tsc = RTE_MAX(now_tsc, p->last_tsc);
	p->tokens = refill(p->tokens, dt, p->rate_bps, p->fill_ticks, p->depth);
	p->peak_tokens = refill(p->peak_tokens, dt, 2 * p->rate_bps, p->peak_fill_ticks,
				p->peak_depth);
	n = RTE_MIN(RTE_MIN(p->tokens, p->peak_tokens) / p->cost, (uint64_t)max);
	p->tokens -= n * p->cost;
	p->peak_tokens -= n * p->cost;
	return (uint32_t)n;
}

void
ip3u_pace_refund(struct ip3u_pace *p, uint32_t n)
{
	if (p->rate_bps != 0) {
		p->tokens = RTE_MIN(p->depth, p->tokens + (uint64_t)n * p->cost);
		p->peak_tokens = RTE_MIN(p->peak_depth, p->peak_tokens + (uint64_t)n * p->cost);
	}
}

void
ip3u_tx_start(struct ip3u_tx *tx, const struct vns_udp_peer *peer, uint32_t len, bool c64,
	      uint64_t rate_bps, uint64_t hz, uint64_t now_tsc)
{
	memset(tx, 0, sizeof(*tx));
	tx->peer = *peer;
	tx->len = len;
	tx->c64 = c64;
	ip3u_pace_init(&tx->pace, rate_bps, len, hz, now_tsc);
}

uint32_t
ip3u_tx_poll(struct ip3u_tx *tx, struct vns_svc *svc, struct vns_udp_pattern *pat, uint64_t now_tsc,
	     uint64_t clock_us)
{
	uint8_t heads[IP3U_TX_BURST * 16]; /* packed: head i at i * hlen */
	uint32_t hlen = IP3U_HDR_LEN(tx->c64), want, room, i;
	uint16_t sent;

	want = ip3u_pace_take(&tx->pace, now_tsc, IP3U_TX_BURST);
	if (want == 0)
		return 0;
	room = vns_udp_tx_room(svc);
	if (room < want) {
		/* The device is behind: the datagrams wait for the next poll. */
		ip3u_pace_refund(&tx->pace, want - room);
		tx->held += want - room;
		want = room;
	}
	for (i = 0; i < want; i++)
		ip3u_hdr_write(heads + i * hlen, clock_us, tx->packets + 1 + i, tx->c64);
	sent = vns_udp_send_burst(svc, &tx->peer, heads, hlen, pat, tx->len - hlen, (uint16_t)want);
	if (sent < want)
		ip3u_pace_refund(&tx->pace, want - sent);
	tx->packets += sent;
	tx->bytes += (uint64_t)sent * tx->len;
	return sent;
}

void
ip3u_tx_omit_end(struct ip3u_tx *tx)
{
	tx->omit_packets = tx->packets;
	tx->omit_bytes = tx->bytes;
}
