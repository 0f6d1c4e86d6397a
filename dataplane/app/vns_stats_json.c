/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_stats_json: the --stats-json file, rewritten atomically (write aside, rename) every
 * stats interval, whenever a closed-connection record arrives, and once more at exit with
 * "final": true. Main lcore only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>

#include "vns_err.h"
#include "vns_stats_priv.h"

static json_t *
json_counters(const struct vns_qsnap *s)
{
	json_t *o = json_object();

	for (size_t i = 0; i < vns_stats_nb_fields; i++) {
		const struct vns_field *fd = &vns_stats_fields[i];

		json_object_set_new(o, fd->name, json_integer((json_int_t)vns_field_get(s, fd)));
	}
	json_object_set_new(o, "flows", json_integer(s->flows));
	json_object_set_new(o, "time_wait", json_integer(s->time_wait));
	return o;
}

static json_t *
json_closed(const struct vns_closed_rec *r, uint16_t q)
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
	json_object_set_new(o, "reason", json_string(vns_close_reason_name(r->reason)));
	if (r->kind == VNS_CLOSED_IPERF3_TEST)
		json_object_set_new(o, "streams", json_integer(r->nb_streams));
	if (r->has_sha256)
		json_object_set_new(o, "sha256", json_string(r->sha256_hex));
	return o;
}

static json_t *
json_port(const struct vns_stats_src *src)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct vns_port_link link;
	json_t *port = json_object();

	vns_port_link_get(src->port, &link);
	rte_ether_format_addr(mac, sizeof(mac),
			      src->cfg->mac_set ? &src->cfg->mac : &src->port->info.mac);
	json_object_set_new(port, "name", json_string(src->port->info.name));
	json_object_set_new(port, "mac", json_string(mac));
	json_object_set_new(port, "mtu", json_integer(src->port->info.mtu));
	json_object_set_new(port, "link_up", json_boolean(link.up));
	json_object_set_new(port, "queues", json_integer(src->nb_queues));
	return port;
}

static json_t *
json_pool(const struct vns_stats_src *src)
{
	struct vns_pool_snap p;
	json_t *o = json_object();

	vns_pool_snap_take(src, &p);
	json_object_set_new(o, "name", json_string(src->pool != NULL ? src->pool->name : ""));
	json_object_set_new(o, "size", json_integer(p.size));
	json_object_set_new(o, "in_use", json_integer(p.in_use));
	json_object_set_new(o, "available", json_integer(p.available));
	return o;
}

/* The queues array; tot receives the sum of every queue's counters. */
static json_t *
json_queues(const struct vns_stats_src *src, const struct vns_qsnap *snaps,
	    const struct vns_rates *r, struct vns_qsnap *tot)
{
	json_t *queues = json_array();

	for (uint16_t q = 0; q < src->nb_queues; q++) {
		json_t *o = json_object();

		json_object_set_new(o, "queue", json_integer(q));
		json_object_set_new(o, "lcore", json_integer(src->queues[q]->lcore_id));
		json_object_set_new(o, "rx_pps", json_real(r[q].rx_pps));
		json_object_set_new(o, "rx_gbps", json_real(r[q].rx_gbps));
		json_object_set_new(o, "tx_pps", json_real(r[q].tx_pps));
		json_object_set_new(o, "tx_gbps", json_real(r[q].tx_gbps));
		json_object_set_new(o, "busy_poll_ratio", json_real(r[q].busy));
		json_object_set_new(o, "counters", json_counters(&snaps[q]));
		json_array_append_new(queues, o);
		vns_qsnap_add(tot, &snaps[q]);
	}
	return queues;
}

/* The kept records, oldest first, in one array per kind. */
static void
json_closed_lists(json_t *root, const struct vns_closed_store *st)
{
	json_t *discard = json_array(), *iperf = json_array();
	uint64_t first = st->total > VNS_CLOSED_KEEP ? st->total - VNS_CLOSED_KEEP : 0;

	for (uint64_t i = first; i < st->total; i++) {
		unsigned int slot = (unsigned int)(i % VNS_CLOSED_KEEP);
		const struct vns_closed_rec *rec = &st->rec[slot];

		json_array_append_new(rec->kind == VNS_CLOSED_IPERF3_TEST ? iperf : discard,
				      json_closed(rec, st->queue[slot]));
	}
	json_object_set_new(root, "discard", discard);
	json_object_set_new(root, "iperf3_tests", iperf);
	json_object_set_new(root, "closed_total", json_integer((json_int_t)st->total));
}

int
vns_stats_json_write(const struct vns_stats_src *src, const struct vns_qsnap *snaps,
		     const struct vns_rates *r, const struct vns_closed_store *closed, bool final,
		     char *err, size_t errlen)
{
	static bool reported;
	const char *path = src->cfg->stats_json;
	char tmp[VNS_PATH_MAX + 8];
	struct vns_qsnap tot;
	json_t *root;
	int rc = 0;

	if (path[0] == '\0')
		return 0;
	memset(&tot, 0, sizeof(tot));
	root = json_object();
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "final", json_boolean(final));
	json_object_set_new(root, "uptime_s",
			    json_real(vns_stats_secs(rte_rdtsc() - src->start_tsc)));
	json_object_set_new(root, "port", json_port(src));
	json_object_set_new(root, "queues", json_queues(src, snaps, r, &tot));
	json_object_set_new(root, "totals", json_counters(&tot));
	json_object_set_new(root, "pool", json_pool(src));
	json_closed_lists(root, closed);

	/* Readers polling the file never see a half-written one: write aside, then rename. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(root, tmp, JSON_INDENT(1) | JSON_SORT_KEYS) != 0 ||
	    rename(tmp, path) != 0) {
		if (!reported)
			rc = vns_fail(err, errlen,
				      "--stats-json %s: cannot write it (%s); "
				      "stats stay on stdout",
				      path, strerror(errno));
		reported = true;
	}
	json_decref(root);
	return rc;
}
