/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iperf3 3.12 UDP streams: the connect handshake's magic numbers, the per-stack table of UDP
 * streams (a stream is its client's address and port: iperf3 connects the server's socket
 * to it), the per-stream accounting iperf3's receiver does on each datagram (iperf_udp_recv):
 * the sequence number and send time from the datagram's header, lost and out-of-order
 * counts, and the RFC 1889 (6.3.1, A.8) interarrival jitter; and the paced sender of such
 * datagrams (iperf_udp_send, at the test's rate). vns_iperf3.c runs the server protocol
 * around them; a client uses the same sender.
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

/*
 * iperf3's clock (iperf_time_now: CLOCK_MONOTONIC), read once on the control path and carried
 * on by the TSC, for datagram send and arrival times: a stock iperf3 on the same host then
 * measures the transit its own peer would, and so do we against its datagrams.
 */
struct ip3u_clock {
	uint64_t ns; /* CLOCK_MONOTONIC at tsc */
	uint64_t tsc;
	uint64_t hz;
};

void ip3u_clock_init(struct ip3u_clock *c, uint64_t hz);
/* The clock at tsc (before or after the reading), in ns. */
uint64_t ip3u_clock_ns(const struct ip3u_clock *c, uint64_t tsc);

/* The largest datagram iperf3 3.12 accepts (-l; MAX_UDP_BLOCKSIZE) and its error for a
 * length out of range (IEUDPBLOCKSIZE: "block size invalid (minimum = 16 bytes, maximum =
 * 65507 bytes)"). */
#define IP3U_LEN_MAX        65507u
#define IP3U_IEUDPBLOCKSIZE 20

/*
 * Writes the header of datagram seq (1, 2, ...: iperf3 counts from 1) sent at usec on the
 * sender's clock (microseconds: sec = usec / 10^6 and the remainder, 32 bits each, as
 * iperf3's struct iperf_time), seq in 32 or 64 bits, all big-endian. Returns its length.
 */
uint32_t ip3u_hdr_write(uint8_t *hdr, uint64_t usec, uint64_t seq, bool c64);

/*
 * The sender's pacing: a token bucket in exact integer units (each TSC tick adds rate_bps
 * units, a datagram costs len * 8 * hz), so the average rate is exact over any interval and
 * never drifts. The bucket holds IP3U_PACE_DEPTH_US of the rate (at least IP3U_PACE_BURST
 * datagrams): what an lcore the host's scheduler took away for a while missed goes out after
 * it, as iperf3's own sender catches up to its average rate. On a loaded 2-core host the
 * stalls add up to a tenth of a 3 s test, several of them over 20 ms; a stall longer than
 * the bucket is not made up for. A second
 * bucket at twice the rate, IP3U_PACE_BURST datagrams deep, bounds how fast that happens (a
 * burst of at most IP3U_PACE_BURST, then twice the rate until caught up), so the receiver's
 * socket buffer is not flooded. The rate counts iperf3's block (the UDP payload), as
 * iperf3's -b does.
 */
#define IP3U_PACE_BURST    32
#define IP3U_PACE_DEPTH_US 250000
#define IP3U_RATE_MAX      100000000000ull /* 100 Gbit/s: above is unlimited */

struct ip3u_pace {
	uint64_t rate_bps;   /* 0: unlimited */
	uint64_t cost;       /* units per datagram */
	uint64_t depth;      /* units the bucket holds */
	uint64_t fill_ticks; /* ticks that fill an empty bucket */
	uint64_t tokens;
	uint64_t peak_depth; /* the catch-up bucket: twice the rate */
	uint64_t peak_fill_ticks;
	uint64_t peak_tokens;
	uint64_t last_tsc;
};

/* A bucket holding one datagram's worth at now_tsc (the first goes at once, as iperf3's). */
void ip3u_pace_init(struct ip3u_pace *p, uint64_t rate_bps, uint32_t len, uint64_t hz,
		    uint64_t now_tsc);
/* How many datagrams may go at now_tsc, at most max; they are spent. */
uint32_t ip3u_pace_take(struct ip3u_pace *p, uint64_t now_tsc, uint32_t max);
/* Gives back n datagrams taken but not sent (no tx room). */
void ip3u_pace_refund(struct ip3u_pace *p, uint32_t n);

/* A sending stream: iperf3 datagrams of len bytes to peer, paced, counted. */
struct ip3u_tx {
	struct ip3u_pace pace;
	struct vns_udp_peer peer;
	uint32_t len;
	bool c64;
	uint64_t packets;      /* datagrams sent, = the last sequence number used */
	uint64_t bytes;        /* payload bytes sent */
	uint64_t held;         /* datagrams the pacing allowed that the tx room held back */
	uint64_t omit_packets; /* packets and bytes when the omit period ended */
	uint64_t omit_bytes;
};

/* Per poll: at most this many datagrams, one burst of the stack's tx buffer. */
#define IP3U_TX_BURST 64

/*
 * Starts tx at now_tsc (rate_bps 0: as fast as the tx room allows, iperf3's -b 0); len is the
 * whole datagram payload, IP3U_HDR_LEN(c64)..vns_udp_payload_max() (the caller checks it).
 */
void ip3u_tx_start(struct ip3u_tx *tx, const struct vns_udp_peer *peer, uint32_t len, bool c64,
		   uint64_t rate_bps, uint64_t hz, uint64_t now_tsc);

/*
 * From a service callback (poll): sends what the pacing allows at now_tsc, stamped with
 * clock_us (the sender's clock in microseconds: ip3u_clock_ns() / 1000), the payload after
 * the header from pat (at least len bytes). A full tx buffer keeps the datagrams for the next
 * poll (the tokens stay, counted in held). Returns the datagrams sent.
 */
uint32_t ip3u_tx_poll(struct ip3u_tx *tx, struct vns_svc *svc, struct vns_udp_pattern *pat,
		      uint64_t now_tsc, uint64_t clock_us);

/* The end of the omit period: the sender's byte count restarts (iperf_reset_stats). */
void ip3u_tx_omit_end(struct ip3u_tx *tx);

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
	int64_t prev_transit_us;
};

/*
 * Accounts one datagram of len payload bytes whose first bytes are hdr (at least
 * IP3U_HDR_LEN(c64), else -1 and nothing counted), arrived at arrival_ns on the receiver's
 * clock (jitter uses differences of transit times; a clock on the sender's epoch, as
 * CLOCK_MONOTONIC for a sender on the same host, gives iperf3's own transit). 0.
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
	IP3U_SENDING, /* the same, in a reverse test: this side sends (tx) */
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
	bool reverse;  /* -R: the server sends */
	uint32_t len;  /* -R: datagram payload bytes */
	uint64_t rate; /* -R: bit/s, 0 unlimited */
	struct ip3u_acct acct;
	struct ip3u_tx tx;
};

#define IP3U_TABLE_MAX 128 /* iperf3's stream limit */

struct ip3u_table {
	uint32_t n_used;
	uint32_t n_sending; /* entries in IP3U_SENDING */
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
