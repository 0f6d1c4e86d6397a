/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_client: client mode's report (--iperf-client): the iperf3-style summary lines and the
 * JSON iperf3 -J would write, from the iperf3 client service's result. Main lcore only,
 * after the test is over.
 */
#ifndef VNS_CLIENT_H
#define VNS_CLIENT_H

#include <stdio.h>

#include "vns_config.h"
#include "vns_iperf3_client.h"

/* The service's configuration for cfg, writing into res. */
void vns_client_conf(const struct vns_config *cfg, struct vns_ip3c_result *res,
		     struct vns_ip3c_conf *conf);
/* The summary: one line per stream and direction, then [SUM] lines with -P > 1. */
void vns_client_print(const struct vns_config *cfg, const struct vns_ip3c_result *res, FILE *f);
/* iperf3 -J's shape (start, end.streams, end.sum_sent, end.sum_received,
 * end.cpu_utilization_percent; "error" when the test failed) to FILE or "-" (stdout).
 * 0, or -1 with err set. */
int vns_client_json(const struct vns_config *cfg, const struct vns_ip3c_result *res, char *err,
		    size_t errlen);

#endif /* VNS_CLIENT_H */
