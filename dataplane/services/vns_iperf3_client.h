/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_ip3c: the iperf3 3.12 client (vns_iperf3_client.c), a service that opens its own
 * connections (vns_conn_connect) to a stock `iperf3 -s`: cookie, parameters, streams,
 * TEST_START/RUNNING/END, results exchange, DISPLAY_RESULTS, IPERF_DONE. One test per run,
 * started at the first poll of the stack it is bound on (bind it with port 0 on one stack).
 *
 * The result is written by that stack's lcore into the caller's struct vns_ip3c_result and
 * published with vns_ip3c_done() (release/acquire): the app's main lcore waits for it and
 * prints it. Nothing here prints.
 */
#ifndef VNS_IPERF3_CLIENT_H
#define VNS_IPERF3_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "vns_service.h"

#define VNS_IP3C_STREAMS_MAX  128 /* iperf3's own bound on -P */
#define VNS_IP3C_DEFAULT_PORT 5201
#define VNS_IP3C_TIME_MAX     86400
#define VNS_IP3C_TCP_LEN      (128 * 1024)  /* iperf3's default block size for TCP */
#define VNS_IP3C_UDP_LEN      1460          /* 3.12's DEFAULT_UDP_BLKSIZE (capped at the MTU) */
#define VNS_IP3C_UDP_RATE     (1024 * 1024) /* 3.12's UDP_RATE: -u without -b */
#define VNS_IP3C_JSON_MAX     (64 * 1024)   /* the server's results we keep */
/* A sending client waits this long after its last byte is acknowledged before TEST_END, for
 * the server to read its socket (iperf3 stops reading at TEST_END): at 10 Gbit/s the server's
 * buffers hold megabytes, and a loaded host schedules it late. */
#define VNS_IP3C_GRACE_MS 1000

extern const struct vns_service_ops vns_iperf3_client_ops;

struct vns_ip3c_result;

struct vns_ip3c_conf {
	rte_be32_t server_ip;
	rte_be16_t server_port; /* network order */
	uint16_t streams;       /* -P, 1..VNS_IP3C_STREAMS_MAX */
	uint32_t duration_s;    /* -t, 1..VNS_IP3C_TIME_MAX */
	bool reverse;           /* -R: the server sends, we count */
	bool udp;               /* -u */
	uint64_t bitrate;       /* -b, bit/s per stream (0: iperf3's default) */
	uint32_t len;           /* -l, bytes (0: iperf3's default; -u: 16..the MTU's payload) */
	struct vns_ip3c_result *result;
};

struct vns_ip3c_stream {
	uint32_t id;         /* iperf3's: 1, 3, 4, ... */
	uint64_t sent;       /* sender's payload bytes (ours, or the server's with -R) */
	uint64_t received;   /* receiver's (the server's, or ours with -R) */
	int64_t retransmits; /* the sender's; -1: unknown */
	double seconds;      /* the measured interval */
	/* -u: datagrams, and the receiver's view (ours with -R, else the server's) */
	uint64_t packets;    /* the sender's datagrams */
	uint64_t rx_packets; /* the receiver's total: the highest sequence number it saw */
	uint64_t lost;       /* the receiver's lost count */
	uint64_t outoforder; /* ours with -R (iperf3's results do not carry it) */
	double jitter;       /* the receiver's, seconds */
};

struct vns_ip3c_result {
	uint32_t done; /* vns_ip3c_done(): the rest is complete */
	int status;    /* 0: the test ran to IPERF_DONE; else -errno and err */
	char err[256]; /* one line: what went wrong, as iperf3 would say it */
	char cookie[40];
	uint32_t nb_streams;
	double seconds;      /* TEST_RUNNING to TEST_END */
	double cpu_local[3]; /* total, user, system (% of the interval) */
	double cpu_remote[3];
	int sender_has_retransmits;
	uint64_t udp_stray; /* -u: datagrams to our ports of no stream, or out of turn */
	struct vns_ip3c_stream streams[VNS_IP3C_STREAMS_MAX];
	char server_json[VNS_IP3C_JSON_MAX + 1]; /* the server's results, as received */
};

static inline bool
vns_ip3c_done(const struct vns_ip3c_result *r)
{
	return __atomic_load_n(&r->done, __ATOMIC_ACQUIRE) != 0;
}

/* iperf3's text for one of its error codes (SERVER_ERROR), or NULL. */
const char *vns_ip3c_error_text(int code);

#endif /* VNS_IPERF3_CLIENT_H */
