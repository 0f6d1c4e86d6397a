/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_stats: snapshots and rates, the closed-connection records (drained, printed, kept for
 * the JSON file), the periodic per-queue lines and the final summary. Main lcore only; the
 * JSON file is vns_stats_json.c, the telemetry commands vns_telemetry.c.
 */
#include "vns_stats.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <rte_cycles.h>

#include "vns_err.h"
#include "vns_stats_priv.h"

#define VNS_F_COUNT(n, d) +1
/* One counter table per line. */
/* clang-format off */
enum {
	VNS_NB_FIXED_FIELDS = 0
		VNS_QUEUE_STATS(VNS_F_COUNT)
		VNS_STACK_STATS(VNS_F_COUNT)
		VNS_PORT_QSTATS(VNS_F_COUNT)
};
/* clang-format on */
#define VNS_F_LOOP(n, d)  { #n, d, VNS_SRC_LOOP, offsetof(struct vns_queue_stats, n) },
#define VNS_F_STACK(n, d) { "stack_" #n, d, VNS_SRC_STACK, offsetof(struct vns_stack_stats, n) },
#define VNS_F_PORT(n, d)  { #n, d, VNS_SRC_PORT, offsetof(struct vns_port_qstats, n) },
/* clang-format off */
struct vns_field vns_stats_fields[VNS_NB_FIXED_FIELDS + VNS_SVC_STATS_MAX] = {
	VNS_QUEUE_STATS(VNS_F_LOOP)
	VNS_STACK_STATS(VNS_F_STACK)
	VNS_PORT_QSTATS(VNS_F_PORT)
};
/* clang-format on */
#undef VNS_F_COUNT
#undef VNS_F_LOOP
#undef VNS_F_STACK
#undef VNS_F_PORT
size_t vns_stats_nb_fields = VNS_NB_FIXED_FIELDS;

/* The services' counters, named as the stack's ("stack_iperf_tests"). */
static char vns_svc_field_names[VNS_SVC_STATS_MAX][48];

static void
add_svc_fields(const struct vns_stack *st)
{
	const char *names[VNS_SVC_STATS_MAX], *descs[VNS_SVC_STATS_MAX];
	unsigned int n = vns_stack_svc_stats(st, names, descs, NULL, VNS_SVC_STATS_MAX);

	vns_stats_nb_fields = VNS_NB_FIXED_FIELDS;
	for (unsigned int i = 0; i < n && i < VNS_SVC_STATS_MAX; i++) {
		snprintf(vns_svc_field_names[i], sizeof(vns_svc_field_names[i]), "stack_%s",
			 names[i]);
		vns_stats_fields[vns_stats_nb_fields++] =
			(struct vns_field){ vns_svc_field_names[i], descs[i], VNS_SRC_SVC,
					    (uint16_t)(i * sizeof(uint64_t)) };
	}
}

/* A counter by its report name, 0 when no such counter exists (a service not bound). */
static uint64_t
field_by_name(const struct vns_qsnap *s, const char *name)
{
	for (size_t i = 0; i < vns_stats_nb_fields; i++)
		if (strcmp(vns_stats_fields[i].name, name) == 0)
			return vns_field_get(s, &vns_stats_fields[i]);
	return 0;
}

/* Main-lcore state of the periodic lines and the summary. */
struct vns_stats_ctx {
	struct vns_stats_src src;
	uint64_t next_print_tsc;
	uint64_t interval_tsc;
	struct vns_qsnap prev[VNS_MAX_QUEUES]; /* at the last printed line */
	struct vns_closed_store closed;
};

static struct vns_stats_ctx vns_stats;

void
vns_qsnap_take(const struct vns_stats_src *src, uint16_t q, struct vns_qsnap *s)
{
	const struct vns_queue *vq = src->queues[q];

	memset(s, 0, sizeof(*s));
	s->tsc = rte_rdtsc();
	vns_queue_stats_get(vq, &s->loop);
	vns_stack_stats_get(vq->stack, &s->stack);
	vns_port_qstats_get(src->port, q, &s->port);
	vns_stack_svc_stats(vq->stack, NULL, NULL, s->svc, VNS_SVC_STATS_MAX);
	s->flows = vns_stack_nb_flows(vq->stack);
	s->time_wait = vns_stack_nb_time_wait(vq->stack);
}

static void
add_words(uint64_t *t, const uint64_t *v, size_t size)
{
	for (size_t i = 0; i < size / sizeof(uint64_t); i++)
		t[i] += v[i];
}

void
vns_qsnap_add(struct vns_qsnap *tot, const struct vns_qsnap *s)
{
	tot->flows += s->flows;
	tot->time_wait += s->time_wait;
	add_words((uint64_t *)&tot->loop, (const uint64_t *)&s->loop, sizeof(s->loop));
	add_words((uint64_t *)&tot->stack, (const uint64_t *)&s->stack, sizeof(s->stack));
	add_words((uint64_t *)&tot->port, (const uint64_t *)&s->port, sizeof(s->port));
	add_words(tot->svc, s->svc, sizeof(s->svc));
}

double
vns_stats_secs(uint64_t tsc)
{
	return (double)tsc / (double)rte_get_tsc_hz();
}

void
vns_rates_get(const struct vns_qsnap *now, const struct vns_qsnap *before, struct vns_rates *r)
{
	double dt = vns_stats_secs(now->tsc - before->tsc);
	uint64_t polls = now->loop.polls - before->loop.polls;

	if (dt <= 0)
		dt = 1e-9;
	r->rx_pps = (double)(now->loop.rx_pkts - before->loop.rx_pkts) / dt;
	r->tx_pps = (double)(now->loop.tx_pkts - before->loop.tx_pkts) / dt;
	r->rx_gbps = (double)(now->loop.rx_bytes - before->loop.rx_bytes) * 8 / dt / 1e9;
	r->tx_gbps = (double)(now->loop.tx_bytes - before->loop.tx_bytes) * 8 / dt / 1e9;
	r->busy = polls ? (double)(now->loop.busy_polls - before->loop.busy_polls) / (double)polls
			: 0;
}

static bool
field_is_drop(const struct vns_field *f)
{
	return strstr(f->name, "drop_") != NULL;
}

/* "stack_drop_bad_csum" -> "bad_csum", "drop_tx_full" -> "tx_full", "dev_drop_x" -> "dev_x". */
static void
field_short_name(const struct vns_field *f, char *buf, size_t len)
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

/* ---- closed-connection records ---- */

static void
closed_print(const struct vns_closed_rec *c, uint16_t q, FILE *f)
{
	char ip[INET_ADDRSTRLEN];
	double dur = (double)c->duration_us / 1e6;

	inet_ntop(AF_INET, &c->peer_ip, ip, sizeof(ip));
	if (c->kind == VNS_CLOSED_IPERF3_TEST)
		fprintf(f,
			"closed: q%u iperf3 test from %s: %u streams, %" PRIu64 " bytes in "
			"%.2f s (%.3f Gbit/s), %s\n",
			q, ip, c->nb_streams, c->bytes, dur,
			dur > 0 ? (double)c->bytes * 8 / dur / 1e9 : 0.0,
			vns_close_reason_name(c->reason));
	else
		fprintf(f,
			"closed: q%u discard %s:%u -> port %u: %" PRIu64 " bytes in %.2f s%s%s, "
			"%s\n",
			q, ip, rte_be_to_cpu_16(c->peer_port), rte_be_to_cpu_16(c->local_port),
			c->bytes, dur, c->has_sha256 ? ", sha256 " : "",
			c->has_sha256 ? c->sha256_hex : "", vns_close_reason_name(c->reason));
}

static void
closed_keep(struct vns_closed_store *st, const struct vns_closed_rec *r, uint16_t q)
{
	unsigned int slot = (unsigned int)(st->total % VNS_CLOSED_KEEP);

	st->rec[slot] = *r;
	st->queue[slot] = q;
	st->total++;
}

/* Single consumer of every stack's closed-record ring. Returns how many arrived. */
static unsigned int
drain_closed(struct vns_stats_ctx *c, FILE *f)
{
	struct vns_closed_rec recs[32];
	unsigned int total = 0;

	for (uint16_t q = 0; q < c->src.nb_queues; q++) {
		struct vns_stack *st = c->src.queues[q]->stack;
		unsigned int n;

		while ((n = vns_stack_drain_closed(st, recs, RTE_DIM(recs))) != 0) {
			for (unsigned int i = 0; i < n; i++) {
				closed_keep(&c->closed, &recs[i], q);
				closed_print(&recs[i], q, f);
			}
			total += n;
		}
	}
	if (total != 0)
		fflush(f);
	return total;
}

/* ---- periodic lines ---- */

static void
print_queue_line(FILE *f, double t, uint16_t q, const struct vns_queue *vq,
		 const struct vns_qsnap *s, const struct vns_rates *r)
{
	char drops[512];
	size_t off = 0;

	drops[0] = '\0';
	for (size_t i = 0; i < vns_stats_nb_fields && off < sizeof(drops); i++) {
		const struct vns_field *fd = &vns_stats_fields[i];
		uint64_t v = vns_field_get(s, fd);
		char name[48];

		if (!field_is_drop(fd) || v == 0)
			continue;
		field_short_name(fd, name, sizeof(name));
		off += (size_t)snprintf(drops + off, sizeof(drops) - off, " %s=%" PRIu64, name, v);
	}
	fprintf(f,
		"[%8.1fs] q%u@%u rx %9.1f kpps %7.3f Gb/s | tx %9.1f kpps %7.3f Gb/s | "
		"flows %u | busy %5.1f%% | drops%s\n",
		t, q, vq->lcore_id, r->rx_pps / 1e3, r->rx_gbps, r->tx_pps / 1e3, r->tx_gbps,
		s->flows, r->busy * 100, off ? drops : " 0");
}

/* One line for the whole run after the queues' (the pool is shared by every queue). */
static void
print_pool_line(FILE *f, double t, const struct vns_stats_src *src)
{
	struct vns_pool_snap p;

	if (src->pool == NULL)
		return;
	vns_pool_snap_take(src, &p);
	fprintf(f, "[%8.1fs] pool %s: in use %u, available %u of %u mbufs\n", t, src->pool->name,
		p.in_use, p.available, p.size);
}

int
vns_stats_tick(uint64_t now, char *err, size_t errlen)
{
	struct vns_stats_ctx *c = &vns_stats;
	struct vns_qsnap snaps[VNS_MAX_QUEUES];
	struct vns_rates r[VNS_MAX_QUEUES];
	bool due = c->interval_tsc != 0 && now >= c->next_print_tsc;
	unsigned int closed = drain_closed(c, stdout);

	if (!due && closed == 0)
		return 0;
	for (uint16_t q = 0; q < c->src.nb_queues; q++) {
		vns_qsnap_take(&c->src, q, &snaps[q]);
		vns_rates_get(&snaps[q], &c->prev[q], &r[q]);
	}
	if (due) {
		double t = vns_stats_secs(now - c->src.start_tsc);

		for (uint16_t q = 0; q < c->src.nb_queues; q++) {
			print_queue_line(stdout, t, q, c->src.queues[q], &snaps[q], &r[q]);
			c->prev[q] = snaps[q];
		}
		print_pool_line(stdout, t, &c->src);
		fflush(stdout);
		c->next_print_tsc = now + c->interval_tsc;
	}
	return vns_stats_json_write(&c->src, snaps, r, &c->closed, false, err, errlen);
}

/* ---- final summary ---- */

static void
print_summary_drops(FILE *f, const struct vns_qsnap *tot)
{
	bool any = false;

	fprintf(f, "summary: drops:");
	for (size_t i = 0; i < vns_stats_nb_fields; i++) {
		const struct vns_field *fd = &vns_stats_fields[i];
		uint64_t v = vns_field_get(tot, fd);

		if (field_is_drop(fd) && v != 0) {
			fprintf(f, " %s=%" PRIu64, fd->name, v);
			any = true;
		}
	}
	fprintf(f, "%s\n", any ? "" : " none");
}

int
vns_stats_final(FILE *f, char *err, size_t errlen)
{
	struct vns_stats_ctx *c = &vns_stats;
	struct vns_qsnap snaps[VNS_MAX_QUEUES], zero, tot;
	struct vns_rates r[VNS_MAX_QUEUES], avg;
	double t = vns_stats_secs(rte_rdtsc() - c->src.start_tsc);

	drain_closed(c, f);
	memset(&zero, 0, sizeof(zero));
	memset(&tot, 0, sizeof(tot));
	zero.tsc = c->src.start_tsc;
	fprintf(f, "summary: %.1f s, %u queues on %s\n", t, c->src.nb_queues,
		c->src.port->info.name);
	for (uint16_t q = 0; q < c->src.nb_queues; q++) {
		const struct vns_qsnap *s = &snaps[q];

		vns_qsnap_take(&c->src, q, &snaps[q]);
		vns_rates_get(s, &zero, &r[q]);
		vns_qsnap_add(&tot, s);
		fprintf(f,
			"summary: q%u@%u rx %" PRIu64 " frames %" PRIu64 " bytes, tx %" PRIu64
			" frames, tcp payload %" PRIu64 " bytes, flows opened %" PRIu64
			" closed %" PRIu64 ", busy %.1f%%\n",
			q, c->src.queues[q]->lcore_id, s->loop.rx_pkts, s->loop.rx_bytes,
			s->loop.tx_pkts, s->stack.tcp_payload_bytes, s->stack.flows_opened,
			s->stack.flows_closed, r[q].busy * 100);
	}
	tot.tsc = snaps[0].tsc;
	vns_rates_get(&tot, &zero, &avg);
	fprintf(f,
		"summary: total rx %" PRIu64 " frames (avg %.3f Gb/s), tx %" PRIu64
		" frames, iperf3 tests %" PRIu64 ", closed records %" PRIu64 "\n",
		tot.loop.rx_pkts, avg.rx_gbps, tot.loop.tx_pkts,
		field_by_name(&tot, "stack_iperf_tests"), c->closed.total);
	print_summary_drops(f, &tot);
	if (c->src.pool != NULL) {
		struct vns_pool_snap p;

		vns_pool_snap_take(&c->src, &p);
		fprintf(f,
			"summary: pool %s: in use %u, available %u of %u mbufs, flows %u "
			"(TIME-WAIT %u)\n",
			c->src.pool->name, p.in_use, p.available, p.size, tot.flows, tot.time_wait);
	}
	fflush(f);
	return vns_stats_json_write(&c->src, snaps, r, &c->closed, true, err, errlen);
}

/* ---- life cycle ---- */

int
vns_stats_init(const struct vns_stats_src *src, char *err, size_t errlen)
{
	struct vns_stats_ctx *c = &vns_stats;

	if (src->nb_queues == 0 || src->nb_queues > VNS_MAX_QUEUES)
		return vns_fail(err, errlen, "stats: %u queues, expected 1-%d", src->nb_queues,
				VNS_MAX_QUEUES);
	c->src = *src;
	add_svc_fields(src->queues[0]->stack);
	c->interval_tsc = (uint64_t)src->cfg->stats_interval * rte_get_tsc_hz();
	c->next_print_tsc = src->start_tsc + c->interval_tsc;
	for (uint16_t q = 0; q < src->nb_queues; q++)
		vns_qsnap_take(src, q, &c->prev[q]);
	return 0;
}
