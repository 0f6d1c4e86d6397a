/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client mode's report (vns_client.h). Units as iperf3 prints them: bytes in powers of 1024
 * (KBytes, MBytes, GBytes), rates in powers of 1000 (Kbits/sec, ...).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "vns_client.h"
#include "vns_err.h"

void
vns_client_conf(const struct vns_config *cfg, struct vns_ip3c_result *res,
		struct vns_ip3c_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->server_ip = cfg->client_ip;
	conf->server_port = rte_cpu_to_be_16(cfg->client_port);
	conf->streams = cfg->client_streams;
	conf->duration_s = cfg->client_time;
	conf->reverse = cfg->client_reverse;
	conf->udp = cfg->client_udp;
	conf->bitrate = cfg->client_bitrate;
	conf->len = cfg->client_len;
	conf->result = res;
}

static void
fmt_bytes(char *buf, size_t len, double v)
{
	static const char *const units[] = { "Bytes", "KBytes", "MBytes", "GBytes", "TBytes" };
	unsigned int u = 0;

	while (v >= 1024.0 && u + 1 < RTE_DIM(units)) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, len,
		 v < 9.995   ? "%4.2f %s"
		 : v < 99.95 ? "%4.1f %s"
			     : "%4.0f %s",
		 v, units[u]);
}

static void
fmt_rate(char *buf, size_t len, double v)
{
	static const char *const units[] = { "bits/sec", "Kbits/sec", "Mbits/sec", "Gbits/sec",
					     "Tbits/sec" };
	unsigned int u = 0;

	while (v >= 1000.0 && u + 1 < RTE_DIM(units)) {
		v /= 1000.0;
		u++;
	}
	snprintf(buf, len,
		 v < 9.995   ? "%4.2f %s"
		 : v < 99.95 ? "%4.1f %s"
			     : "%4.0f %s",
		 v, units[u]);
}

static void
line(FILE *f, const char *id, double secs, uint64_t bytes, int64_t rtx, bool sender)
{
	char b[32], r[32], rt[32] = "";

	fmt_bytes(b, sizeof(b), (double)bytes);
	fmt_rate(r, sizeof(r), secs > 0 ? (double)bytes * 8.0 / secs : 0.0);
	if (sender && rtx >= 0)
		snprintf(rt, sizeof(rt), "%" PRId64, rtx);
	fprintf(f, "[%s]   0.00-%-5.2f  sec  %s  %s  %4s  %s\n", id, secs, b, r, rt,
		sender ? "           sender" : "           receiver");
}

/* iperf3 3.12's UDP summary line: jitter and Lost/Total of the receiver (0 for a sender). */
static void
udp_line(FILE *f, const char *id, double secs, uint64_t bytes, double jitter_s, uint64_t lost,
	 uint64_t total, bool sender)
{
	char b[32], r[32];

	fmt_bytes(b, sizeof(b), (double)bytes);
	fmt_rate(r, sizeof(r), secs > 0 ? (double)bytes * 8.0 / secs : 0.0);
	fprintf(f,
		"[%s]   0.00-%-5.2f  sec  %s  %s  %.3f ms  %" PRIu64 "/%" PRIu64 " (%.2g%%)  %s\n",
		id, secs, b, r, jitter_s * 1000.0, lost, total,
		total > 0 ? 100.0 * (double)lost / (double)total : 0.0,
		sender ? "sender" : "receiver");
}

static void
print_udp(const struct vns_ip3c_result *res, FILE *f)
{
	uint64_t sent = 0, recvd = 0, pk = 0, rpk = 0, lost = 0;
	double jit = 0;
	char id[8];
	uint32_t i;

	fprintf(f, "[ ID] Interval           Transfer     Bitrate         Jitter    "
		   "Lost/Total Datagrams\n");
	for (i = 0; i < res->nb_streams; i++) {
		const struct vns_ip3c_stream *s = &res->streams[i];

		snprintf(id, sizeof(id), "%3u", s->id);
		udp_line(f, id, res->seconds, s->sent, 0, 0, s->packets, true);
		udp_line(f, id, res->seconds, s->received, s->jitter, s->lost, s->rx_packets,
			 false);
		sent += s->sent;
		recvd += s->received;
		pk += s->packets;
		rpk += s->rx_packets;
		lost += s->lost;
		jit += s->jitter;
	}
	if (res->nb_streams > 1) {
		udp_line(f, "SUM", res->seconds, sent, 0, 0, pk, true);
		udp_line(f, "SUM", res->seconds, recvd, jit / res->nb_streams, lost, rpk, false);
	}
}

void
vns_client_print(const struct vns_config *cfg, const struct vns_ip3c_result *res, FILE *f)
{
	char ip[INET_ADDRSTRLEN], id[8];
	uint64_t sent = 0, recvd = 0;
	int64_t rtx = 0;
	uint32_t i;

	inet_ntop(AF_INET, &cfg->client_ip, ip, sizeof(ip));
	fprintf(f, "vnetsink: iperf3 client, %s:%u, %u stream%s, %u s%s%s\n", ip, cfg->client_port,
		cfg->client_streams, cfg->client_streams > 1 ? "s" : "", cfg->client_time,
		cfg->client_udp ? ", UDP" : "",
		cfg->client_reverse ? ", reverse (the server sends)" : "");
	if (res->nb_streams == 0)
		return;
	if (cfg->client_udp) {
		print_udp(res, f);
		return;
	}
	fprintf(f, "[ ID] Interval           Transfer     Bitrate         Retr\n");
	for (i = 0; i < res->nb_streams; i++) {
		const struct vns_ip3c_stream *s = &res->streams[i];

		snprintf(id, sizeof(id), "%3u", s->id);
		line(f, id, res->seconds, s->sent, s->retransmits, true);
		line(f, id, res->seconds, s->received, -1, false);
		sent += s->sent;
		recvd += s->received;
		rtx = s->retransmits >= 0 && rtx >= 0 ? rtx + s->retransmits : -1;
	}
	if (res->nb_streams > 1) {
		line(f, "SUM", res->seconds, sent, rtx, true);
		line(f, "SUM", res->seconds, recvd, -1, false);
	}
}

static json_t *
json_side(double secs, uint64_t bytes, int64_t rtx, bool sender)
{
	json_t *o = json_object();

	json_object_set_new(o, "start", json_real(0));
	json_object_set_new(o, "end", json_real(secs));
	json_object_set_new(o, "seconds", json_real(secs));
	json_object_set_new(o, "bytes", json_integer((json_int_t)bytes));
	json_object_set_new(o, "bits_per_second",
			    json_real(secs > 0 ? (double)bytes * 8.0 / secs : 0.0));
	if (sender && rtx >= 0)
		json_object_set_new(o, "retransmits", json_integer(rtx));
	json_object_set_new(o, "sender", json_boolean(sender));
	return o;
}

/* A UDP stream as iperf3 -J's "udp": the receiver's counts, and the sender's datagrams. */
static json_t *
json_udp(double secs, const struct vns_ip3c_stream *s)
{
	json_t *o = json_side(secs, s->received, -1, false);

	json_object_set_new(o, "jitter_ms", json_real(s->jitter * 1000.0));
	json_object_set_new(o, "lost_packets", json_integer((json_int_t)s->lost));
	json_object_set_new(o, "packets", json_integer((json_int_t)s->rx_packets));
	json_object_set_new(o, "lost_percent",
			    json_real(s->rx_packets > 0
					      ? 100.0 * (double)s->lost / (double)s->rx_packets
					      : 0.0));
	json_object_set_new(o, "out_of_order", json_integer((json_int_t)s->outoforder));
	json_object_set_new(o, "sent_packets", json_integer((json_int_t)s->packets));
	return o;
}

int
vns_client_json(const struct vns_config *cfg, const struct vns_ip3c_result *res, char *err,
		size_t errlen)
{
	char ip[INET_ADDRSTRLEN];
	json_t *root = json_object(), *start = json_object(), *end = json_object();
	json_t *streams = json_array(), *cto = json_object(), *ts = json_object();
	json_t *cpu = json_object();
	uint64_t sent = 0, recvd = 0, pk = 0, rpk = 0, lost = 0;
	double jit = 0;
	int64_t rtx = 0;
	uint32_t i;
	int rc = 0;

	inet_ntop(AF_INET, &cfg->client_ip, ip, sizeof(ip));
	json_object_set_new(cto, "host", json_string(ip));
	json_object_set_new(cto, "port", json_integer(cfg->client_port));
	json_object_set_new(start, "connecting_to", cto);
	json_object_set_new(start, "cookie", json_string(res->cookie));
	json_object_set_new(ts, "protocol", json_string(cfg->client_udp ? "UDP" : "TCP"));
	json_object_set_new(ts, "num_streams", json_integer(cfg->client_streams));
	json_object_set_new(ts, "blksize",
			    json_integer(cfg->client_len != 0 ? cfg->client_len
					 : cfg->client_udp    ? VNS_IP3C_UDP_LEN
							      : VNS_IP3C_TCP_LEN));
	json_object_set_new(ts, "omit", json_integer(0));
	json_object_set_new(ts, "duration", json_integer(cfg->client_time));
	json_object_set_new(ts, "reverse", json_integer(cfg->client_reverse));
	json_object_set_new(start, "test_start", ts);
	json_object_set_new(root, "start", start);
	for (i = 0; i < res->nb_streams; i++) {
		const struct vns_ip3c_stream *s = &res->streams[i];
		json_t *o = json_object();

		json_object_set_new(o, "id", json_integer(s->id));
		json_object_set_new(o, "sender",
				    json_side(res->seconds, s->sent, s->retransmits, true));
		json_object_set_new(o, "receiver", json_side(res->seconds, s->received, -1, false));
		if (cfg->client_udp) {
			json_object_set_new(o, "udp", json_udp(res->seconds, s));
			pk += s->packets;
			rpk += s->rx_packets;
			lost += s->lost;
			jit += s->jitter;
		}
		json_array_append_new(streams, o);
		sent += s->sent;
		recvd += s->received;
		rtx = s->retransmits >= 0 && rtx >= 0 ? rtx + s->retransmits : -1;
	}
	json_object_set_new(end, "streams", streams);
	json_object_set_new(end, "sum_sent", json_side(res->seconds, sent, rtx, true));
	json_object_set_new(end, "sum_received", json_side(res->seconds, recvd, -1, false));
	if (cfg->client_udp) {
		/* iperf3 3.12's UDP "sum": the receiver's bytes, jitter, lost and total. */
		struct vns_ip3c_stream sum = { .received = recvd,
					       .packets = pk,
					       .rx_packets = rpk,
					       .lost = lost,
					       .jitter = res->nb_streams ? jit / res->nb_streams
									 : 0 };

		json_object_set_new(end, "sum", json_udp(res->seconds, &sum));
		json_object_set_new(end, "udp_stray", json_integer((json_int_t)res->udp_stray));
	}
	json_object_set_new(cpu, "host_total", json_real(res->cpu_local[0]));
	json_object_set_new(cpu, "host_user", json_real(res->cpu_local[1]));
	json_object_set_new(cpu, "host_system", json_real(res->cpu_local[2]));
	json_object_set_new(cpu, "remote_total", json_real(res->cpu_remote[0]));
	json_object_set_new(cpu, "remote_user", json_real(res->cpu_remote[1]));
	json_object_set_new(cpu, "remote_system", json_real(res->cpu_remote[2]));
	json_object_set_new(end, "cpu_utilization_percent", cpu);
	json_object_set_new(root, "end", end);
	if (!vns_ip3c_done(res) || res->status != 0)
		json_object_set_new(root, "error",
				    json_string(vns_ip3c_done(res) ? res->err : "interrupted"));
	if (strcmp(cfg->client_json, "-") == 0) {
		if (json_dumpf(root, stdout, JSON_INDENT(2)) != 0)
			rc = vns_fail(err, errlen, "--iperf-json -: cannot write to stdout");
		else
			fputc('\n', stdout);
	} else if (json_dump_file(root, cfg->client_json, JSON_INDENT(2)) != 0) {
		rc = vns_fail(err, errlen, "--iperf-json %s: cannot write it (%s)",
			      cfg->client_json, strerror(errno));
	}
	json_decref(root);
	return rc;
}
