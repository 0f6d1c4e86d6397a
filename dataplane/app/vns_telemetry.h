/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_telemetry: the rte_telemetry commands /vnetsink/stats[,QUEUE] (totals and per-queue
 * counters) and /vnetsink/flows[,QUEUE] (live TCP flows), for dpdk-telemetry.py. They run in
 * DPDK's telemetry thread and read the same counter table as vns_stats.
 */
#ifndef VNS_TELEMETRY_H
#define VNS_TELEMETRY_H

#include <stddef.h>

#include "vns_stats.h"

/*
 * Main lcore: register both commands over src. 0, or -1 with err set when telemetry is off
 * (EAL --no-telemetry) or the names are taken; the app then runs without them.
 */
int vns_telemetry_init(const struct vns_stats_src *src, char *err, size_t errlen);

/* Main lcore: stop the commands from reading src; call before freeing the queues or the port. */
void vns_telemetry_detach(void);

#endif /* VNS_TELEMETRY_H */
