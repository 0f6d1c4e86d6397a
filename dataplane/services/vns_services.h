/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The services vnetsink binds to ports (vns_stack_conf.services): the iperf3 3.12 server
 * (vns_iperf3.c) and the discard port with its SHA-256 integrity mode (vns_discard.c). Each is
 * one file on top of the stack's vns_service.h and vns_conn.h.
 */
#ifndef VNS_SERVICES_H
#define VNS_SERVICES_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "vns_service.h"

/* iperf3 server: receive-only TCP tests, one at a time across all stacks. conf: a struct
 * vns_iperf3_conf, or NULL for the defaults. */
extern const struct vns_service_ops vns_iperf3_ops;

#define VNS_IPERF3_RCV_TIMEOUT_S 120 /* stock iperf3's --rcv-timeout default */

struct vns_iperf3_conf {
	/* A running test whose streams and control connection all stay silent this long is
	 * aborted (seconds, > 0; 0: VNS_IPERF3_RCV_TIMEOUT_S). */
	uint32_t rcv_timeout_s;
};

/* Discard port (RFC 863): counts, and in integrity mode hashes, each connection's bytes. */
extern const struct vns_service_ops vns_discard_ops;

struct vns_discard_conf {
	bool sha256; /* integrity mode: SHA-256 of each stream */
};

/*
 * The closed records the services write (vns_stack_drain_closed() returns them):
 *  - discard: when a connection closes, its in-order bytes, open-to-close time and, in
 *    integrity mode, the SHA-256 of the byte stream as received in order;
 *  - iperf3: when a test this lcore owns ends, the bytes counted for its streams (what the
 *    client prints on its receiver line), the streams and the counted interval.
 */
enum vns_closed_kind {
	VNS_CLOSED_DISCARD = 1,
	VNS_CLOSED_IPERF3_TEST,
};

struct vns_closed_rec {
	uint8_t kind;   /* enum vns_closed_kind */
	uint8_t reason; /* enum vns_close_reason */
	uint8_t has_sha256;
	uint8_t nb_streams; /* iperf3: streams of the test */
	rte_be32_t peer_ip;
	rte_be16_t peer_port;
	rte_be16_t local_port;
	uint64_t bytes;       /* discard: in-order bytes; iperf3: counted stream bytes */
	uint64_t duration_us; /* discard: open to close; iperf3: counted interval */
	char sha256_hex[65];  /* NUL-terminated when has_sha256 */
	char pad[7];
};
_Static_assert(sizeof(struct vns_closed_rec) == VNS_CLOSED_REC_SIZE,
	       "a closed record is what the stack's ring carries");

#endif /* VNS_SERVICES_H */
