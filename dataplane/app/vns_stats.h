/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_stats: everything vnetsink reports, all from the same counter tables (vns_worker.h,
 * vns_stack.h, vns_port.h):
 *   - one compact line per queue every --stats-interval seconds (stdout);
 *   - rte_telemetry commands /vnetsink/stats and /vnetsink/flows (dpdk-telemetry.py);
 *   - a JSON file (--stats-json), rewritten atomically every interval, whenever a discard
 *     connection or an iperf3 test closes, and at exit;
 *   - the closed-connection records of the stacks (discard bytes and SHA-256, iperf3 test
 *     bytes), printed as they arrive and kept (bounded) for the JSON file;
 *   - a final summary.
 * Files: vns_stats.c (snapshots, lines, closed records, summary; main lcore), vns_stats_json.c
 * (the JSON file; main lcore), vns_telemetry.c (the two commands; the telemetry thread).
 * All of them only read the loops' counters; vns_stats.c is the single consumer of
 * vns_stack_drain_closed().
 */
#ifndef VNS_STATS_H
#define VNS_STATS_H

#include <stdint.h>
#include <stdio.h>

#include <rte_mempool.h>

#include "vns_config.h"
#include "vns_port.h"
#include "vns_worker.h"

/* What the stats read: it must outlive vns_stats_final() and vns_telemetry_detach(). */
struct vns_stats_src {
	const struct vns_config *cfg;
	struct vns_port *port;
	uint16_t nb_queues;
	struct vns_queue *const *queues; /* indexed by queue id */
	struct rte_mempool *pool;        /* the mbuf pool: in-use/available counts (may be NULL) */
	uint64_t start_tsc;              /* start of the run: uptime and average rates */
};

/*
 * Main lcore. Each returns 0, or -1 with err set (one line, no "vnetsink:" prefix) for the
 * caller to print; a failure to write --stats-json is reported once, and the run goes on.
 */

/* Start reporting on src. */
int vns_stats_init(const struct vns_stats_src *src, char *err, size_t errlen);

/* Every ~100 ms: drain closed records; print and write JSON when due. */
int vns_stats_tick(uint64_t now_tsc, char *err, size_t errlen);

/* After the loops stopped: drain the last records, print the summary, write the final JSON. */
int vns_stats_final(FILE *f, char *err, size_t errlen);

#endif /* VNS_STATS_H */
