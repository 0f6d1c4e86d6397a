/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iperf3 3.12 UDP receive accounting and the per-stack stream table (vns_iperf3_udp.h); the
 * sender is in vns_iperf3_udp_tx.c.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "vns_iperf3_udp.h"

int
ip3u_account(struct ip3u_acct *a, const uint8_t *hdr, uint32_t len, uint64_t arrival_ns, bool c64)
{
	uint32_t sec, usec, pc32;
	uint64_t pcount;
	int64_t transit, d;
	bool first = a->bytes == 0;

	if (len < IP3U_HDR_LEN(c64))
		return -1;
	memcpy(&sec, hdr, 4);
	memcpy(&usec, hdr + 4, 4);
	if (c64) {
		memcpy(&pcount, hdr + 8, 8);
		pcount = rte_be_to_cpu_64(pcount);
	} else {
		memcpy(&pc32, hdr + 8, 4);
		pcount = rte_be_to_cpu_32(pc32);
	}
	a->bytes += len;
	/* Forward (maybe past a gap, counted lost) or backward: out of order, and one fewer
	 * lost, as iperf_udp_recv does. A duplicate counts as out of order there too. */
	if (pcount >= a->packet_count + 1) {
		a->cnt_error += pcount - 1 - a->packet_count;
		a->packet_count = pcount;
	} else {
		a->outoforder++;
		if (a->cnt_error > 0)
			a->cnt_error--;
	}
	/* RFC 1889 A.8: J += (|D(i-1,i)| - J) / 16, D the change of the transit time. As
	 * iperf_udp_recv: both times in whole microseconds (struct iperf_time), the transit
	 * the distance between them (iperf_time_diff: unsigned, whichever clock is ahead). */
	transit = (int64_t)(arrival_ns / 1000) -
		  ((int64_t)rte_be_to_cpu_32(sec) * 1000000 + (int64_t)rte_be_to_cpu_32(usec));
	if (transit < 0)
		transit = -transit;
	if (first)
		a->prev_transit_us = transit;
	d = transit - a->prev_transit_us;
	if (d < 0)
		d = -d;
	a->prev_transit_us = transit;
	a->jitter += ((double)d / 1e6 - a->jitter) / 16.0;
	return 0;
}

void
ip3u_omit_end(struct ip3u_acct *a)
{
	a->omitted_packets = a->packet_count;
	a->omitted_errors = a->cnt_error;
	a->omitted_outoforder = a->outoforder;
	a->jitter = 0;
	a->bytes = 0;
}

static void
put32(uint8_t out[4], uint32_t v, bool be)
{
	uint32_t w = be ? rte_cpu_to_be_32(v) : rte_cpu_to_le_32(v);

	memcpy(out, &w, 4);
}

int
ip3u_connect_reply(const uint8_t msg[4], uint8_t reply[4])
{
	uint32_t be, le;

	memcpy(&be, msg, 4);
	le = rte_le_to_cpu_32(be);
	be = rte_be_to_cpu_32(be);
	if (le == IP3U_CONNECT_MSG || be == IP3U_CONNECT_MSG)
		put32(reply, IP3U_CONNECT_REPLY, be == IP3U_CONNECT_MSG);
	else if (le == IP3U_LEGACY_CONNECT_MSG || be == IP3U_LEGACY_CONNECT_MSG)
		put32(reply, IP3U_LEGACY_CONNECT_REPLY, be == IP3U_LEGACY_CONNECT_MSG);
	else
		return -1;
	return 0;
}

struct ip3u_stream *
ip3u_lookup(struct ip3u_table *tb, const struct vns_udp_peer *peer)
{
	uint32_t i, seen;

	for (i = 0, seen = 0; i < IP3U_TABLE_MAX && seen < tb->n_used; i++) {
		struct ip3u_stream *s = &tb->s[i];

		if (s->state == IP3U_FREE)
			continue;
		seen++;
		if (s->peer.ip == peer->ip && s->peer.port == peer->port &&
		    s->peer.local_port == peer->local_port)
			return s;
	}
	return NULL;
}

struct ip3u_stream *
ip3u_alloc(struct ip3u_table *tb)
{
	uint32_t i;

	for (i = 0; i < IP3U_TABLE_MAX; i++)
		if (tb->s[i].state == IP3U_FREE) {
			uint32_t gen = tb->s[i].gen + 1;

			memset(&tb->s[i], 0, sizeof(tb->s[i]));
			tb->s[i].gen = gen;
			tb->n_used++;
			return &tb->s[i];
		}
	return NULL;
}

uint32_t
ip3u_reclaim(struct ip3u_table *tb, uint32_t test_gen, uint64_t wait_from_tsc)
{
	uint32_t i, n = 0;

	for (i = 0; i < IP3U_TABLE_MAX; i++) {
		struct ip3u_stream *s = &tb->s[i];

		if ((s->state == IP3U_WAIT && s->last_rx_tsc < wait_from_tsc) ||
		    (s->state >= IP3U_STREAM && s->test_gen != test_gen)) {
			ip3u_free(tb, s);
			n++;
		}
	}
	return n;
}

void
ip3u_free(struct ip3u_table *tb, struct ip3u_stream *s)
{
	if (s->state != IP3U_FREE) {
		if (s->state == IP3U_SENDING)
			tb->n_sending--;
		s->state = IP3U_FREE;
		tb->n_used--;
	}
}
