/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iperf3 3.12 UDP streams, receive side: the connect handshake's magic numbers, the per-stack
 * table of UDP streams (a stream is its client's address and port: iperf3 connects the
 * server's socket to it), and the per-stream accounting iperf3's receiver does on each
 * datagram (iperf_udp_recv): the sequence number and send time from the datagram's header,
 * lost and out-of-order counts, and the RFC 1889 (6.3.1, A.8) interarrival jitter.
 * vns_iperf3.c runs the protocol around it.
 */
#ifndef VNS_IPERF3_UDP_H
#define VNS_IPERF3_UDP_H

#include <stdbool.h>
#include <stdint.h>

#include "vns_udp.h"

/* The client's first datagram on a stream and the server's answer, 4 bytes each, written in
 * the sender's host byte order (iperf.h, 3.12); legacy values from older versions. */
#define IP3U_CONNECT_MSG          0x36373839u
#define IP3U_CONNECT_REPLY        0x39383736u
#define IP3U_LEGACY_CONNECT_MSG   123456789u
#define IP3U_LEGACY_CONNECT_REPLY 987654321u

/* The datagram header: sec, usec (32 bits each, big-endian), then the packet count, 32 bits
 * or, with udp_counters_64bit, 64 bits. */
#define IP3U_HDR_LEN(c64) ((c64) ? 16u : 12u)

/* One stream's counts, as iperf3's receiver keeps them. */
struct ip3u_acct {
	uint64_t bytes;           /* payload bytes since the omit period ended */
	uint64_t packet_count;    /* the highest sequence number seen */
	uint64_t cnt_error;       /* lost: sequence gaps, less the late arrivals that fill them */
	uint64_t outoforder;      /* datagrams at or below the highest number seen */
	uint64_t omitted_packets; /* packet_count, cnt_error, outoforder when the omit ended */
	uint64_t omitted_errors;
	uint64_t omitted_outoforder;
	double jitter; /* seconds */
	int64_t prev_transit_ns;
};

/*
 * Accounts one datagram of len payload bytes whose first bytes are hdr (at least
 * IP3U_HDR_LEN(c64), else -1 and nothing counted), arrived at arrival_ns on the receiver's
 * clock (any epoch: jitter only uses differences of transit times). 0.
 */
int ip3u_account(struct ip3u_acct *a, const uint8_t *hdr, uint32_t len, uint64_t arrival_ns,
		 bool c64);

/* The end of the omit period (iperf_reset_stats): bytes and jitter start again, the
 * sequence counts go on and remember where they were. */
void ip3u_omit_end(struct ip3u_acct *a);

/* When msg is a connect datagram, writes the answer in the same byte order and returns 0;
 * -1 otherwise. */
int ip3u_connect_reply(const uint8_t msg[4], uint8_t reply[4]);

/* A UDP stream on this stack. */
enum ip3u_state {
	IP3U_FREE = 0,
	IP3U_WAIT,    /* connect datagram sent to the test owner */
	IP3U_STREAM,  /* accepted: counting from the owner's TEST_RUNNING + omit */
	IP3U_RUNNING, /* the owner said TEST_RUNNING */
};

struct ip3u_stream {
	struct vns_udp_peer peer;
	uint8_t state; /* enum ip3u_state */
	bool c64;
	bool omit_done;
	uint8_t reply[4];
	uint16_t slot;
	uint16_t owner_queue;
	uint32_t gen; /* bumped at each allocation: a message names an entry by index and gen */
	uint32_t test_gen;
	uint64_t count_from_tsc;
	uint64_t last_rx_tsc;
	struct ip3u_acct acct;
};

#define IP3U_TABLE_MAX 128 /* iperf3's stream limit */

struct ip3u_table {
	uint32_t n_used;
	struct ip3u_stream s[IP3U_TABLE_MAX];
};

/* The stream of peer (address and port), or NULL. */
struct ip3u_stream *ip3u_lookup(struct ip3u_table *tb, const struct vns_udp_peer *peer);
/* A free entry, or NULL when the table is full. */
struct ip3u_stream *ip3u_alloc(struct ip3u_table *tb);
void ip3u_free(struct ip3u_table *tb, struct ip3u_stream *s);
/* Frees the entries a lost message left behind: streams of a test other than test_gen (its
 * TEST_END or abort never arrived) and connects unanswered since before wait_from_tsc.
 * Returns how many. */
uint32_t ip3u_reclaim(struct ip3u_table *tb, uint32_t test_gen, uint64_t wait_from_tsc);

#endif /* VNS_IPERF3_UDP_H */
