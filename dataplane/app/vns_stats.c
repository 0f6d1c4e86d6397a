/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_stats: periodic lines, telemetry, JSON file, closed-connection records, summary.
 * Control path only (main lcore and the telemetry thread).
 */
#include "vns_stats.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_telemetry.h>

/* ---- one table of every counter a queue has, from the three X-macro lists ---- */

enum vns_field_src { VNS_SRC_LOOP, VNS_SRC_STACK, VNS_SRC_PORT };

struct vns_field {
	const char *name;   /* as in JSON and telemetry */
	const char *desc;
	uint8_t src;
	uint16_t off;
};

#define VNS_F_LOOP(n, d) { #n, d, VNS_SRC_LOOP, offsetof(struct vns_queue_stats, n) },
#define VNS_F_STACK(n, d) { "stack_" #n, d, VNS_SRC_STACK, offsetof(struct vns_stack_stats, n) },
#define VNS_F_PORT(n, d) { #n, d, VNS_SRC_PORT, offsetof(struct vns_port_qstats, n) },
static const struct vns_field vns_fields[] = {
	VNS_QUEUE_STATS(VNS_F_LOOP)
	VNS_STACK_STATS(VNS_F_STACK)
	VNS_PORT_QSTATS(VNS_F_PORT)
};
#undef VNS_F_LOOP
#undef VNS_F_STACK
#undef VNS_F_PORT
#define VNS_NB_FIELDS RTE_DIM(vns_fields)

/* A point-in-time copy of one queue's counters. */
struct vns_qsnap {
	uint64_t tsc;
	uint32_t flows;
	struct vns_queue_stats loop;
	struct vns_stack_stats stack;
	struct vns_port_qstats port;
};

static uint64_t field_get(const struct vns_qsnap *s, const struct vns_field *f)
{
	const char *base = f->src == VNS_SRC_LOOP ? (const char *)&s->loop :
			   f->src == VNS_SRC_STACK ? (const char *)&s->stack : (const char *)&s->port;
	uint64_t v;

	memcpy(&v, base + f->off, sizeof(v));
	return v;
}

static bool field_is_drop(const struct vns_field *f)
{
	return strstr(f->name, "drop_") != NULL;
}

/* "stack_drop_bad_csum" -> "bad_csum", "drop_tx_full" -> "tx_full", "dev_drop_x" -> "dev_x". */
static void field_short_name(const struct vns_field *f, char *buf, size_t len)
{
	const char *n = f->name;

	if (strncmp(n, "stack_", 6) == 0)
		n += 6;
	if (strncmp(n, "dev_drop_", 9) == 0)
		snprintf(buf, len, "dev_%s", n + 9);
	else if (strncmp(n, "drop_", 5) == 0)
		snprintf(buf, len, "%s", n + 5);
	else
		snprintf(buf, len, "%s", n);
}

/* ---- state ---- */

#define VNS_CLOSED_KEEP 256

struct vns_stats_ctx {
	pthread_mutex_t lock;             /* telemetry thread vs detach */
	bool attached;
	struct vns_stats_src src;
	uint64_t start_tsc;
	uint64_t next_print_tsc;
	uint64_t interval_tsc;
	struct vns_qsnap prev[VNS_MAX_QUEUES];
	/* closed-connection records, newest last, oldest overwritten */
	struct vns_closed_rec closed[VNS_CLOSED_KEEP];
	uint64_t closed_total;
	uint64_t closed_queue[VNS_CLOSED_KEEP];
};

static struct vns_stats_ctx vns_stats = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void snapshot(const struct vns_stats_src *src, uint16_t q, struct vns_qsnap *s)
{
	const struct vns_queue *vq = src->queues[q];

	memset(s, 0, sizeof(*s));
	s->tsc = rte_rdtsc();
	vns_queue_stats_get(vq, &s->loop);
	vns_stack_stats_get(vq->stack, &s->stack);
	vns_port_qstats_get(src->port, q, &s->port);
	s->flows = vns_stack_nb_flows(vq->stack);
}

static double secs(uint64_t tsc)
{
	return (double)tsc / (double)rte_get_tsc_hz();
}

struct vns_rates {
	double rx_pps, rx_gbps, tx_pps, tx_gbps, busy;
};

static void rates(const struct vns_qsnap *now, const struct vns_qsnap *before, struct vns_rates *r)
{
	double dt = secs(now->tsc - before->tsc);
	uint64_t polls = now->loop.polls - before->loop.polls;

	if (dt <= 0)
		dt = 1e-9;
	r->rx_pps = (double)(now->loop.rx_pkts - before->loop.rx_pkts) / dt;
	r->tx_pps = (double)(now->loop.tx_pkts - before->loop.tx_pkts) / dt;
	r->rx_gbps = (double)(now->loop.rx_bytes - before->loop.rx_bytes) * 8 / dt / 1e9;
	r->tx_gbps = (double)(now->loop.tx_bytes - before->loop.tx_bytes) * 8 / dt / 1e9;
	r->busy = polls ? (double)(now->loop.busy_polls - before->loop.busy_polls) / (double)polls : 0;
}

static const char *closed_reason_name(uint8_t r)
{
	static const char *const names[] = { "fin", "rst", "timeout", "evicted", "aborted" };

	return r < RTE_DIM(names) ? names[r] : "unknown";
}

static void closed_print(const struct vns_closed_rec *c, uint16_t q, FILE *f)
{
	char ip[INET_ADDRSTRLEN];
	double dur = (double)c->duration_us / 1e6;

	inet_ntop(AF_INET, &c->peer_ip, ip, sizeof(ip));
	if (c->kind == VNS_CLOSED_IPERF3_TEST)
		fprintf(f, "closed: q%u iperf3 test from %s: %u streams, %" PRIu64 " bytes in %.2f s "
			"(%.3f Gbit/s), %s\n",
			q, ip, c->nb_streams, c->bytes, dur, dur > 0 ? (double)c->bytes * 8 / dur / 1e9 : 0.0,
			closed_reason_name(c->reason));
	else
		fprintf(f, "closed: q%u discard %s:%u -> port %u: %" PRIu64 " bytes in %.2f s%s%s, %s\n", q,
			ip, rte_be_to_cpu_16(c->peer_port), rte_be_to_cpu_16(c->local_port), c->bytes, dur,
			c->has_sha256 ? ", sha256 " : "", c->has_sha256 ? c->sha256_hex : "",
			closed_reason_name(c->reason));
}

/* Single consumer of every stack's closed-record ring. Returns how many arrived. */
static unsigned int drain_closed(FILE *f)
{
	struct vns_stats_ctx *c = &vns_stats;
	struct vns_closed_rec recs[32];
	unsigned int total = 0;

	for (uint16_t q = 0; q < c->src.nb_queues; q++) {
		unsigned int n;

		while ((n = vns_stack_drain_closed(c->src.queues[q]->stack, recs, RTE_DIM(recs))) != 0) {
			for (unsigned int i = 0; i < n; i++) {
				unsigned int slot = (unsigned int)(c->closed_total % VNS_CLOSED_KEEP);

				c->closed[slot] = recs[i];
				c->closed_queue[slot] = q;
				c->closed_total++;
				closed_print(&recs[i], q, f);
			}
			total += n;
		}
	}
	if (total != 0)
		fflush(f);
	return total;
}

/* ---- JSON file ---- */

static json_t *json_counters(const struct vns_qsnap *s)
{
	json_t *o = json_object();

	for (size_t i = 0; i < VNS_NB_FIELDS; i++)
		json_object_set_new(o, vns_fields[i].name, json_integer((json_int_t)field_get(s, &vns_fields[i])));
	json_object_set_new(o, "flows", json_integer(s->flows));
	return o;
}

static json_t *json_closed(const struct vns_closed_rec *r, uint16_t q)
{
	char ip[INET_ADDRSTRLEN];
	json_t *o = json_object();

	inet_ntop(AF_INET, &r->peer_ip, ip, sizeof(ip));
	json_object_set_new(o, "queue", json_integer(q));
	json_object_set_new(o, "peer", json_string(ip));
	json_object_set_new(o, "peer_port", json_integer(rte_be_to_cpu_16(r->peer_port)));
	json_object_set_new(o, "local_port", json_integer(rte_be_to_cpu_16(r->local_port)));
	json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new(o, "duration_us", json_integer((json_int_t)r->duration_us));
	json_object_set_new(o, "reason", json_string(closed_reason_name(r->reason)));
	if (r->kind == VNS_CLOSED_IPERF3_TEST)
		json_object_set_new(o, "streams", json_integer(r->nb_streams));
	if (r->has_sha256)
		json_object_set_new(o, "sha256", json_string(r->sha256_hex));
	return o;
}

static void sum_snap(struct vns_qsnap *tot, const struct vns_qsnap *s)
{
	uint64_t *t;
	const uint64_t *v;

	tot->flows += s->flows;
	t = (uint64_t *)&tot->loop;
	v = (const uint64_t *)&s->loop;
	for (size_t i = 0; i < sizeof(s->loop) / 8; i++)
		t[i] += v[i];
	t = (uint64_t *)&tot->stack;
	v = (const uint64_t *)&s->stack;
	for (size_t i = 0; i < sizeof(s->stack) / 8; i++)
		t[i] += v[i];
	t = (uint64_t *)&tot->port;
	v = (const uint64_t *)&s->port;
	for (size_t i = 0; i < sizeof(s->port) / 8; i++)
		t[i] += v[i];
}

static void write_json(const struct vns_qsnap *snaps, const struct vns_rates *r, bool final)
{
	struct vns_stats_ctx *c = &vns_stats;
	const char *path = c->src.cfg->stats_json;
	char tmp[VNS_PATH_MAX + 8], mac[RTE_ETHER_ADDR_FMT_SIZE];
	json_t *root, *queues, *discard, *iperf, *port;
	struct vns_qsnap tot;
	struct vns_port_link link;
	uint64_t first;

	if (path[0] == '\0')
		return;
	memset(&tot, 0, sizeof(tot));
	root = json_object();
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "final", json_boolean(final));
	json_object_set_new(root, "uptime_s", json_real(secs(rte_rdtsc() - c->start_tsc)));

	port = json_object();
	vns_port_link_get(c->src.port, &link);
	rte_ether_format_addr(mac, sizeof(mac), c->src.cfg->mac_set ? &c->src.cfg->mac : &c->src.port->info.mac);
	json_object_set_new(port, "name", json_string(c->src.port->info.name));
	json_object_set_new(port, "mac", json_string(mac));
	json_object_set_new(port, "mtu", json_integer(c->src.port->info.mtu));
	json_object_set_new(port, "link_up", json_boolean(link.up));
	json_object_set_new(port, "queues", json_integer(c->src.nb_queues));
	json_object_set_new(root, "port", port);

	queues = json_array();
	for (uint16_t q = 0; q < c->src.nb_queues; q++) {
		json_t *o = json_object();

		json_object_set_new(o, "queue", json_integer(q));
		json_object_set_new(o, "lcore", json_integer(c->src.queues[q]->lcore_id));
		json_object_set_new(o, "rx_pps", json_real(r[q].rx_pps));
		json_object_set_new(o, "rx_gbps", json_real(r[q].rx_gbps));
		json_object_set_new(o, "tx_pps", json_real(r[q].tx_pps));
		json_object_set_new(o, "tx_gbps", json_real(r[q].tx_gbps));
		json_object_set_new(o, "busy_poll_ratio", json_real(r[q].busy));
		json_object_set_new(o, "counters", json_counters(&snaps[q]));
		json_array_append_new(queues, o);
		sum_snap(&tot, &snaps[q]);
	}
	json_object_set_new(root, "queues", queues);
	json_object_set_new(root, "totals", json_counters(&tot));

	discard = json_array();
	iperf = json_array();
	first = c->closed_total > VNS_CLOSED_KEEP ? c->closed_total - VNS_CLOSED_KEEP : 0;
	for (uint64_t i = first; i < c->closed_total; i++) {
		unsigned int slot = (unsigned int)(i % VNS_CLOSED_KEEP);
		const struct vns_closed_rec *rec = &c->closed[slot];

		json_array_append_new(rec->kind == VNS_CLOSED_IPERF3_TEST ? iperf : discard,
				      json_closed(rec, (uint16_t)c->closed_queue[slot]));
	}
	json_object_set_new(root, "discard", discard);
	json_object_set_new(root, "iperf3_tests", iperf);
	json_object_set_new(root, "closed_total", json_integer((json_int_t)c->closed_total));

	/* Readers polling the file never see a half-written one: write aside, then rename. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(root, tmp, JSON_INDENT(1) | JSON_SORT_KEYS) != 0 || rename(tmp, path) != 0) {
		static bool warned;

		if (!warned)
			fprintf(stderr, "vnetsink: --stats-json %s: cannot write it (%s); stats stay on "
				"stdout\n", path, strerror(errno));
		warned = true;
	}
	json_decref(root);
}

/* ---- periodic lines ---- */

static void print_queue_line(FILE *f, double t, uint16_t q, const struct vns_queue *vq,
			     const struct vns_qsnap *s, const struct vns_rates *r)
{
	char drops[512];
	size_t off = 0;

	drops[0] = '\0';
	for (size_t i = 0; i < VNS_NB_FIELDS && off < sizeof(drops); i++) {
		uint64_t v = field_get(s, &vns_fields[i]);
		char name[48];

		if (!field_is_drop(&vns_fields[i]) || v == 0)
			continue;
		field_short_name(&vns_fields[i], name, sizeof(name));
		off += (size_t)snprintf(drops + off, sizeof(drops) - off, " %s=%" PRIu64, name, v);
	}
	fprintf(f, "[%8.1fs] q%u@%u rx %9.1f kpps %7.3f Gb/s | tx %9.1f kpps %7.3f Gb/s | flows %u | "
		"busy %5.1f%% | drops%s\n",
		t, q, vq->lcore_id, r->rx_pps / 1e3, r->rx_gbps, r->tx_pps / 1e3, r->tx_gbps, s->flows,
		r->busy * 100, off ? drops : " 0");
}

void vns_stats_tick(uint64_t now)
{
	struct vns_stats_ctx *c = &vns_stats;
	struct vns_qsnap snaps[VNS_MAX_QUEUES];
	struct vns_rates r[VNS_MAX_QUEUES];
	bool due = c->interval_tsc != 0 && now >= c->next_print_tsc;
	unsigned int closed = drain_closed(stdout);

	if (!due && closed == 0)
		return;
	for (uint16_t q = 0; q < c->src.nb_queues; q++) {
		snapshot(&c->src, q, &snaps[q]);
		rates(&snaps[q], &c->prev[q], &r[q]);
	}
	if (due) {
		double t = secs(now - c->start_tsc);

		for (uint16_t q = 0; q < c->src.nb_queues; q++) {
			print_queue_line(stdout, t, q, c->src.queues[q], &snaps[q], &r[q]);
			c->prev[q] = snaps[q];
		}
		fflush(stdout);
		c->next_print_tsc = now + c->interval_tsc;
	}
	write_json(snaps, r, false);
}

void vns_stats_final(FILE *f)
{
	struct vns_stats_ctx *c = &vns_stats;
	struct vns_qsnap snaps[VNS_MAX_QUEUES], zero, tot;
	struct vns_rates r[VNS_MAX_QUEUES], avg;
	double t = secs(rte_rdtsc() - c->start_tsc);

	drain_closed(f);
	memset(&zero, 0, sizeof(zero));
	memset(&tot, 0, sizeof(tot));
	zero.tsc = c->start_tsc;
	fprintf(f, "summary: %.1f s, %u queues on %s\n", t, c->src.nb_queues, c->src.port->info.name);
	for (uint16_t q = 0; q < c->src.nb_queues; q++) {
		snapshot(&c->src, q, &snaps[q]);
		rates(&snaps[q], &zero, &r[q]);
		sum_snap(&tot, &snaps[q]);
		fprintf(f, "summary: q%u@%u rx %" PRIu64 " frames %" PRIu64 " bytes, tx %" PRIu64
			" frames, tcp payload %" PRIu64 " bytes, flows opened %" PRIu64 " closed %" PRIu64
			", busy %.1f%%\n",
			q, c->src.queues[q]->lcore_id, snaps[q].loop.rx_pkts, snaps[q].loop.rx_bytes,
			snaps[q].loop.tx_pkts, snaps[q].stack.tcp_payload_bytes, snaps[q].stack.flows_opened,
			snaps[q].stack.flows_closed, r[q].busy * 100);
	}
	tot.tsc = snaps[0].tsc;
	rates(&tot, &zero, &avg);
	fprintf(f, "summary: total rx %" PRIu64 " frames (avg %.3f Gb/s), tx %" PRIu64
		" frames, iperf3 tests %" PRIu64 ", closed records %" PRIu64 "\n",
		tot.loop.rx_pkts, avg.rx_gbps, tot.loop.tx_pkts, tot.stack.iperf_tests, c->closed_total);
	fprintf(f, "summary: drops:");
	{
		bool any = false;

		for (size_t i = 0; i < VNS_NB_FIELDS; i++) {
			uint64_t v = field_get(&tot, &vns_fields[i]);

			if (field_is_drop(&vns_fields[i]) && v != 0) {
				fprintf(f, " %s=%" PRIu64, vns_fields[i].name, v);
				any = true;
			}
		}
		fprintf(f, "%s\n", any ? "" : " none");
	}
	fflush(f);
	write_json(snaps, r, true);
}

/* ---- telemetry (runs in the telemetry thread) ---- */

static void tel_counters(struct rte_tel_data *d, const struct vns_qsnap *s)
{
	for (size_t i = 0; i < VNS_NB_FIELDS; i++)
		rte_tel_data_add_dict_u64(d, vns_fields[i].name, field_get(s, &vns_fields[i]));
	rte_tel_data_add_dict_u64(d, "flows", s->flows);
}

/* Telemetry commands take an optional queue number. Parse it and take the stats lock;
 * on success the caller holds the lock and *only is the queue (-1 = all). */
static int tel_lock_for_queue(struct vns_stats_ctx *c, const char *params, long *only)
{
	*only = -1;
	if (params != NULL && params[0] != '\0') {
		char *end;

		*only = strtol(params, &end, 10);
		if (*end != '\0' || *only < 0)
			return -EINVAL;
	}
	pthread_mutex_lock(&c->lock);
	if (!c->attached || *only >= (long)c->src.nb_queues) {
		pthread_mutex_unlock(&c->lock);
		return -EINVAL;
	}
	return 0;
}

/* /vnetsink/stats[,QUEUE]: totals and one dict per queue, or one queue's counters. */
static int tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vns_stats_ctx *c = &vns_stats;
	struct vns_qsnap s, tot;
	long only = -1;

	(void)cmd;
	if (tel_lock_for_queue(c, params, &only) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	if (only >= 0) {
		snapshot(&c->src, (uint16_t)only, &s);
		rte_tel_data_add_dict_u64(d, "queue", (uint64_t)only);
		rte_tel_data_add_dict_u64(d, "lcore", c->src.queues[only]->lcore_id);
		tel_counters(d, &s);
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	memset(&tot, 0, sizeof(tot));
	rte_tel_data_add_dict_u64(d, "uptime_ms", (uint64_t)(secs(rte_rdtsc() - c->start_tsc) * 1000));
	rte_tel_data_add_dict_u64(d, "queues", c->src.nb_queues);
	for (uint16_t q = 0; q < c->src.nb_queues; q++) {
		struct rte_tel_data *qd = rte_tel_data_alloc();
		char name[16];

		snapshot(&c->src, q, &s);
		sum_snap(&tot, &s);
		if (qd == NULL)
			continue;
		rte_tel_data_start_dict(qd);
		rte_tel_data_add_dict_u64(qd, "lcore", c->src.queues[q]->lcore_id);
		tel_counters(qd, &s);
		snprintf(name, sizeof(name), "q%u", q);
		rte_tel_data_add_dict_container(d, name, qd, 0);
	}
	pthread_mutex_unlock(&c->lock);
	tel_counters(d, &tot);
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

static int tel_flow_cb(const struct vns_flow_info *fi, void *arg)
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
	rte_tel_data_add_dict_u64(fd, "ooo_entries", fi->ooo_entries);
	snprintf(name, sizeof(name), "flow%u", a->listed);
	rte_tel_data_add_dict_container(a->d, name, fd, 0);
	a->listed++;
	return 0;
}

/* /vnetsink/flows[,QUEUE]: live TCP flows (at most VNS_TEL_MAX_FLOWS listed). */
static int tel_flows(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vns_stats_ctx *c = &vns_stats;
	struct tel_flows_arg a = { .d = d };
	long only = -1;

	(void)cmd;
	if (tel_lock_for_queue(c, params, &only) < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	for (uint16_t q = 0; q < c->src.nb_queues; q++) {
		if (only >= 0 && q != only)
			continue;
		a.queue = q;
		vns_stack_flows_foreach(c->src.queues[q]->stack, tel_flow_cb, &a);
	}
	pthread_mutex_unlock(&c->lock);
	rte_tel_data_add_dict_u64(d, "flows", a.seen);
	rte_tel_data_add_dict_u64(d, "listed", a.listed);
	return 0;
}

int vns_stats_init(const struct vns_stats_src *src, char *err, size_t errlen)
{
	struct vns_stats_ctx *c = &vns_stats;
	uint64_t now = rte_rdtsc();

	if (src->nb_queues == 0 || src->nb_queues > VNS_MAX_QUEUES) {
		snprintf(err, errlen, "stats: %u queues, expected 1-%d", src->nb_queues, VNS_MAX_QUEUES);
		return -1;
	}
	pthread_mutex_lock(&c->lock);
	c->src = *src;
	c->start_tsc = now;
	c->interval_tsc = (uint64_t)src->cfg->stats_interval * rte_get_tsc_hz();
	c->next_print_tsc = now + c->interval_tsc;
	for (uint16_t q = 0; q < src->nb_queues; q++)
		snapshot(src, q, &c->prev[q]);
	c->attached = true;
	pthread_mutex_unlock(&c->lock);

	/* Fails only when telemetry is off (--no-telemetry) or the names are taken: not fatal. */
	if (rte_telemetry_register_cmd("/vnetsink/stats", tel_stats,
				       "vnetsink counters: totals and per queue. Parameters: int queue "
				       "(optional)") != 0 ||
	    rte_telemetry_register_cmd("/vnetsink/flows", tel_flows,
				       "vnetsink live TCP flows. Parameters: int queue (optional)") != 0)
		fprintf(stderr, "vnetsink: telemetry commands not registered; stats stay on stdout "
			"and --stats-json\n");
	return 0;
}

void vns_stats_detach(void)
{
	pthread_mutex_lock(&vns_stats.lock);
	vns_stats.attached = false;
	pthread_mutex_unlock(&vns_stats.lock);
}
