/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_telemetry: the rte_telemetry commands /vnetsink/stats and /vnetsink/flows
 * (dpdk-telemetry.py). They run in DPDK's telemetry thread, concurrently with the loops (whose
 * counters they only read) and with the main lcore; the lock only keeps them from reading the
 * queues and the port after vns_telemetry_detach(), when the main lcore starts freeing them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "vns_err.h"
#include "vns_stats_priv.h"
#include "vns_telemetry.h"

struct vns_telemetry {
	pthread_mutex_t lock;
	bool attached; /* under lock: src may be read */
	struct vns_stats_src src;
};

static struct vns_telemetry vns_tel = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
tel_counters(struct rte_tel_data *d, const struct vns_qsnap *s)
{
	for (size_t i = 0; i < vns_stats_nb_fields; i++) {
		const struct vns_field *fd = &vns_stats_fields[i];

		rte_tel_data_add_dict_u64(d, fd->name, vns_field_get(s, fd));
	}
	rte_tel_data_add_dict_u64(d, "flows", s->flows);
	rte_tel_data_add_dict_u64(d, "time_wait", s->time_wait);
}

/*
 * Telemetry commands take an optional queue number. Parse it and take the lock; on success
 * the caller holds the lock and *only is the queue (-1 = all).
 */
static int
tel_lock_for_queue(struct vns_telemetry *t, const char *params, long *only)
{
	*only = -1;
	if (params != NULL && params[0] != '\0') {
		char *end;

		*only = strtol(params, &end, 10);
		if (*end != '\0' || *only < 0)
			return -EINVAL;
	}
	pthread_mutex_lock(&t->lock);
	if (!t->attached || *only >= (long)t->src.nb_queues) {
		pthread_mutex_unlock(&t->lock);
		return -EINVAL;
	}
	return 0;
}

/*
 * /vnetsink/stats[,QUEUE]: totals, the mbuf pool's counts (pool_in_use, pool_available,
 * pool_size) and one dict per queue, or one queue's counters.
 */
static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vns_telemetry *t = &vns_tel;
	struct vns_qsnap s, tot;
	struct vns_pool_snap pool;
	uint64_t uptime_ms;
	long only = -1;

	(void)cmd;
	if (tel_lock_for_queue(t, params, &only) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	if (only >= 0) {
		vns_qsnap_take(&t->src, (uint16_t)only, &s);
		rte_tel_data_add_dict_u64(d, "queue", (uint64_t)only);
		rte_tel_data_add_dict_u64(d, "lcore", t->src.queues[only]->lcore_id);
		tel_counters(d, &s);
		pthread_mutex_unlock(&t->lock);
		return 0;
	}
	memset(&tot, 0, sizeof(tot));
	uptime_ms = (uint64_t)(vns_stats_secs(rte_rdtsc() - t->src.start_tsc) * 1000);
	rte_tel_data_add_dict_u64(d, "uptime_ms", uptime_ms);
	rte_tel_data_add_dict_u64(d, "queues", t->src.nb_queues);
	for (uint16_t q = 0; q < t->src.nb_queues; q++) {
		struct rte_tel_data *qd = rte_tel_data_alloc();
		char name[16];

		vns_qsnap_take(&t->src, q, &s);
		vns_qsnap_add(&tot, &s);
		if (qd == NULL)
			continue;
		rte_tel_data_start_dict(qd);
		rte_tel_data_add_dict_u64(qd, "lcore", t->src.queues[q]->lcore_id);
		tel_counters(qd, &s);
		snprintf(name, sizeof(name), "q%u", q);
		rte_tel_data_add_dict_container(d, name, qd, 0);
	}
	vns_pool_snap_take(&t->src, &pool);
	pthread_mutex_unlock(&t->lock);
	tel_counters(d, &tot);
	rte_tel_data_add_dict_u64(d, "pool_size", pool.size);
	rte_tel_data_add_dict_u64(d, "pool_in_use", pool.in_use);
	rte_tel_data_add_dict_u64(d, "pool_available", pool.available);
	return 0;
}

struct tel_flows_arg {
	struct rte_tel_data *d;
	uint16_t queue;
	unsigned int listed;
	unsigned int seen;
};

/* Room in the top-level dict for a few summary keys besides the flows. */
#define VNS_TEL_MAX_FLOWS (RTE_TEL_MAX_DICT_ENTRIES - 8)

static int
tel_flow_cb(const struct vns_flow_info *fi, void *arg)
{
	struct tel_flows_arg *a = arg;
	struct rte_tel_data *fd;
	char ip[INET_ADDRSTRLEN], name[32];

	a->seen++;
	if (a->listed >= VNS_TEL_MAX_FLOWS)
		return 0; /* keep counting */
	fd = rte_tel_data_alloc();
	if (fd == NULL)
		return 1;
	inet_ntop(AF_INET, &fi->peer_ip, ip, sizeof(ip));
	rte_tel_data_start_dict(fd);
	rte_tel_data_add_dict_u64(fd, "queue", a->queue);
	rte_tel_data_add_dict_string(fd, "peer", ip);
	rte_tel_data_add_dict_u64(fd, "peer_port", rte_be_to_cpu_16(fi->peer_port));
	rte_tel_data_add_dict_u64(fd, "local_port", rte_be_to_cpu_16(fi->local_port));
	rte_tel_data_add_dict_string(fd, "state", fi->state != NULL ? fi->state : "?");
	rte_tel_data_add_dict_string(fd, "app", fi->app != NULL ? fi->app : "?");
	rte_tel_data_add_dict_u64(fd, "bytes", fi->bytes);
	rte_tel_data_add_dict_u64(fd, "age_us", fi->age_us);
	rte_tel_data_add_dict_u64(fd, "idle_us", fi->idle_us);
	rte_tel_data_add_dict_u64(fd, "rcv_nxt", fi->rcv_nxt);
	rte_tel_data_add_dict_u64(fd, "last_ack_sent", fi->last_ack_sent);
	rte_tel_data_add_dict_u64(fd, "ooo_entries", fi->ooo_entries);
	snprintf(name, sizeof(name), "flow%u", a->listed);
	rte_tel_data_add_dict_container(a->d, name, fd, 0);
	a->listed++;
	return 0;
}

/* /vnetsink/flows[,QUEUE]: live TCP flows (at most VNS_TEL_MAX_FLOWS listed). */
static int
tel_flows(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vns_telemetry *t = &vns_tel;
	struct tel_flows_arg a = { .d = d };
	long only = -1;

	(void)cmd;
	if (tel_lock_for_queue(t, params, &only) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	for (uint16_t q = 0; q < t->src.nb_queues; q++) {
		if (only >= 0 && q != only)
			continue;
		a.queue = q;
		vns_stack_flows_foreach(t->src.queues[q]->stack, tel_flow_cb, &a);
	}
	pthread_mutex_unlock(&t->lock);
	rte_tel_data_add_dict_u64(d, "flows", a.seen);
	rte_tel_data_add_dict_u64(d, "listed", a.listed);
	return 0;
}

int
vns_telemetry_init(const struct vns_stats_src *src, char *err, size_t errlen)
{
	struct vns_telemetry *t = &vns_tel;

	pthread_mutex_lock(&t->lock);
	t->src = *src;
	t->attached = true;
	pthread_mutex_unlock(&t->lock);

	if (rte_telemetry_register_cmd("/vnetsink/stats", tel_stats,
				       "vnetsink counters: totals and per queue. Parameters: int "
				       "queue (optional)") != 0 ||
	    rte_telemetry_register_cmd("/vnetsink/flows", tel_flows,
				       "vnetsink live TCP flows. Parameters: int queue "
				       "(optional)") != 0)
		return vns_fail(err, errlen,
				"telemetry commands not registered; stats "
				"stay on stdout and --stats-json");
	return 0;
}

void
vns_telemetry_detach(void)
{
	pthread_mutex_lock(&vns_tel.lock);
	vns_tel.attached = false;
	pthread_mutex_unlock(&vns_tel.lock);
}
