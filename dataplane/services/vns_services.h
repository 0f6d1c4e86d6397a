/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The services vnetsink binds to ports: the iperf3 3.12 server (vns_iperf3.c) and the discard
 * port with its SHA-256 integrity mode (vns_discard.c). Each runs on top of the stack through
 * vns_service.h and vns_conn.h only.
 */
#ifndef VNS_SERVICES_H
#define VNS_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "vns_service.h"

/* ---- iperf3 ---- */

#define VNS_IPERF3_STATS(X)                                   \
	X(iperf_tests, "iperf3 tests completed")              \
	X(iperf_denied, "iperf3 clients refused: busy")       \
	X(iperf_refused, "iperf3 tests refused: unsupported mode") \
	X(iperf_aborted, "iperf3 tests aborted")

#define VNS_STAT_FIELD(name, desc) uint64_t name;
struct vns_iperf3_stats { VNS_IPERF3_STATS(VNS_STAT_FIELD) };
#undef VNS_STAT_FIELD

int vns_iperf3_init(struct vns_svc *svc, char *err, size_t errlen);
void vns_iperf3_fini(struct vns_svc *svc);
void vns_iperf3_open(struct vns_svc *svc, struct vns_conn *c);
void vns_iperf3_data(struct vns_svc *svc, struct vns_conn *c, const struct rte_mbuf *m,
		     uint32_t off, uint32_t len);
void vns_iperf3_closed(struct vns_svc *svc, struct vns_conn *c, enum vns_closed_reason why);
void vns_iperf3_msg(struct vns_svc *svc, const struct vns_msg *msg);
void vns_iperf3_poll(struct vns_svc *svc);
const char *vns_iperf3_conn_state(const struct vns_svc *svc, const struct vns_conn *c);
/* Any thread. */
void vns_iperf3_stats_get(const struct vns_svc *svc, struct vns_iperf3_stats *out);

/* ---- discard ---- */

struct vns_discard_conf {
	bool sha256;              /* integrity mode: SHA-256 of each stream */
};

int vns_discard_init(struct vns_svc *svc, char *err, size_t errlen);
void vns_discard_fini(struct vns_svc *svc);
void vns_discard_open(struct vns_svc *svc, struct vns_conn *c);
void vns_discard_data(struct vns_svc *svc, struct vns_conn *c, const struct rte_mbuf *m,
		      uint32_t off, uint32_t len);
void vns_discard_closed(struct vns_svc *svc, struct vns_conn *c, enum vns_closed_reason why);

#endif /* VNS_SERVICES_H */
