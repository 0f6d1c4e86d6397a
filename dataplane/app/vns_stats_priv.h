/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the three stats files (vns_stats.c, vns_stats_json.c, vns_telemetry.c); not for
 * other modules. The counter table, a queue snapshot and the rates between two snapshots, and
 * the store of closed-connection records the JSON file lists.
 *
 * Threads: vns_stats.c and vns_stats_json.c run on the main lcore only; vns_telemetry.c runs in
 * DPDK's telemetry thread. Both only read the loops' counters (vns_worker.h explains why that
 * is safe without locks), so the helpers here may be called from either.
 */
#ifndef VNS_STATS_PRIV_H
#define VNS_STATS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vns_services.h"
#include "vns_stats.h"

/* ---- one table of every counter a queue has: the three X-macro lists, then the services' ---- */

enum vns_field_src { VNS_SRC_LOOP, VNS_SRC_STACK, VNS_SRC_PORT, VNS_SRC_SVC };

struct vns_field {
	const char *name; /* as in JSON and telemetry */
	const char *desc;
	uint8_t src;
	uint16_t off;
};

/* The services' counters are appended by vns_stats_init(), before telemetry starts. */
extern struct vns_field vns_stats_fields[];
extern size_t vns_stats_nb_fields;

/* A point-in-time copy of one queue's counters. */
struct vns_qsnap {
	uint64_t tsc;
	uint32_t flows;
	uint32_t time_wait; /* of flows: closed, held in TIME-WAIT until 2 MSL (no mbufs) */
	struct vns_queue_stats loop;
	struct vns_stack_stats stack;
	struct vns_port_qstats port;
	uint64_t svc[VNS_SVC_STATS_MAX]; /* vns_stack_svc_stats() */
};

static inline uint64_t
vns_field_get(const struct vns_qsnap *s, const struct vns_field *f)
{
	const char *base = f->src == VNS_SRC_LOOP    ? (const char *)&s->loop
			   : f->src == VNS_SRC_STACK ? (const char *)&s->stack
			   : f->src == VNS_SRC_SVC   ? (const char *)s->svc
						     : (const char *)&s->port;
	uint64_t v;

	memcpy(&v, base + f->off, sizeof(v));
	return v;
}

/*
 * The mbuf pool's occupancy. in_use counts every mbuf not in the pool or a per-lcore cache:
 * posted to rx rings, queued for tx, held by the stacks (out-of-order data, reassembly). Idle,
 * it is the rx rings' refill; a count that stays above that after traffic stops is a leak.
 * The counts are read without locks (as rte_mempool's own telemetry does): exact when the
 * loops are idle, within a burst or a cache's worth while they run.
 */
struct vns_pool_snap {
	uint32_t size, in_use, available;
};

static inline void
vns_pool_snap_take(const struct vns_stats_src *src, struct vns_pool_snap *p)
{
	memset(p, 0, sizeof(*p));
	if (src->pool == NULL)
		return;
	p->size = src->pool->size;
	p->available = rte_mempool_avail_count(src->pool);
	p->in_use = p->size > p->available ? p->size - p->available : 0;
}

struct vns_rates {
	double rx_pps, rx_gbps, tx_pps, tx_gbps, busy;
};

/* Copy queue q's counters now. */
void vns_qsnap_take(const struct vns_stats_src *src, uint16_t q, struct vns_qsnap *s);
/* tot += s, counter by counter (tsc untouched). */
void vns_qsnap_add(struct vns_qsnap *tot, const struct vns_qsnap *s);
/* Per-second rates between two snapshots of the same queue. */
void vns_rates_get(const struct vns_qsnap *now, const struct vns_qsnap *before,
		   struct vns_rates *r);
double vns_stats_secs(uint64_t tsc);

/* ---- closed-connection records ---- */

#define VNS_CLOSED_KEEP 256

/*
 * The last VNS_CLOSED_KEEP records, newest last, the oldest overwritten. Main lcore only:
 * vns_stats.c appends as it drains the stacks' rings (it is their single consumer) and
 * vns_stats_json.c lists them; the telemetry thread never touches it.
 */
struct vns_closed_store {
	struct vns_closed_rec rec[VNS_CLOSED_KEEP];
	uint16_t queue[VNS_CLOSED_KEEP];
	uint64_t total; /* records ever appended */
};

/* ---- the JSON file ---- */

/*
 * Main lcore: rewrite --stats-json (nothing when it is unset) from one snapshot and rate per
 * queue. Returns -1 with err set the first time the file cannot be written, 0 otherwise: the
 * run goes on with the stats on stdout.
 */
int vns_stats_json_write(const struct vns_stats_src *src, const struct vns_qsnap *snaps,
			 const struct vns_rates *rates, const struct vns_closed_store *closed,
			 bool final, char *err, size_t errlen);

#endif /* VNS_STATS_PRIV_H */
