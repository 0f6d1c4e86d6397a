/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The services vnetsink binds to ports (vns_stack_conf.services): the iperf3 3.12 server
 * (vns_iperf3.c) and the discard port with its SHA-256 integrity mode (vns_discard.c). Each is
 * one file on top of the stack's vns_service.h and vns_conn.h.
 */
#ifndef VNS_SERVICES_H
#define VNS_SERVICES_H

#include <stdbool.h>

#include "vns_service.h"

/* iperf3 server: receive-only TCP tests, one at a time across all stacks. conf: none. */
extern const struct vns_service_ops vns_iperf3_ops;

/* Discard port (RFC 863): counts, and in integrity mode hashes, each connection's bytes. */
extern const struct vns_service_ops vns_discard_ops;

struct vns_discard_conf {
	bool sha256;              /* integrity mode: SHA-256 of each stream */
};

#endif /* VNS_SERVICES_H */
