/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iperf3 3.12 client protocol (vns_iperf3_client.h), the server side's mirror (see
 * vns_iperf3.c and /work notes on iperf3): one control connection carrying state bytes and
 * JSON messages (4-byte big-endian length, then the text), N stream connections opened one
 * after another, each starting with the 37-byte cookie. With -R the server sends and the
 * streams only count what arrives; otherwise the streams send with the stack's bulk sender.
 *
 * Byte counts, and why the end waits: stock iperf3 stops reading its streams when TEST_END
 * arrives. To make both ends' counts equal, a sending client stops, waits until every byte
 * sent is acknowledged (plus a short grace for the server to read its socket), and only then
 * sends TEST_END; with -R, the streams keep counting after TEST_END until they hold what the
 * server's results say it sent (or a deadline passes).
 *
 * UDP (-u): each stream is a connected UDP flow of the stack (vns_udp_connect: an ephemeral
 * port of ours, the server's port) opened as iperf_udp_connect does: the connect datagram,
 * then the server's answer, and the next stream only after it. We send with the paced
 * sender of vns_iperf3_udp_tx.c, or with -R account each datagram as iperf3's receiver does
 * (ip3u_account: lost, out of order, jitter). A sender stops at the duration and sends
 * TEST_END after the same grace, so the server has read what is in flight.
 *
 * Everything runs on the one stack the app binds the service on (port 0: it listens on
 * nothing); the result goes to the app through conf->result.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <jansson.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "vns_conn.h"
#include "vns_err.h"
#include "vns_iperf3_client.h"
#include "vns_iperf3_udp.h"

#define IP3C_COOKIE_LEN 37
/* State bytes (iperf_api.h). */
#define IP3C_TEST_START       1
#define IP3C_TEST_RUNNING     2
#define IP3C_TEST_END         4
#define IP3C_PARAM_EXCHANGE   9
#define IP3C_CREATE_STREAMS   10
#define IP3C_SERVER_TERMINATE 11
#define IP3C_EXCHANGE_RESULTS 13
#define IP3C_DISPLAY_RESULTS  14
#define IP3C_IPERF_DONE       16
#define IP3C_ACCESS_DENIED    0xff
#define IP3C_SERVER_ERROR     0xfe

#define IP3C_STEP_TIMEOUT_S 30 /* without progress outside the test itself */
/* The last bytes acknowledged, or the server's count reached: long enough for a tail loss
 * repaired after RTO back-off (0.2 + 0.4 + 0.8 + 1.6 s) on a loaded host; it ends at once
 * when the counts are complete. */
#define IP3C_DRAIN_MS 10000
#define IP3C_TXBUF    (64 * 1024)

#define IP3C_PHASES(X)                                                      \
	X(INIT, "init")             /* first poll connects */               \
	X(CONNECTING, "connecting") /* control SYN out */                   \
	X(SETUP, "setup")           /* cookie sent: params, streams */      \
	X(RUNNING, "running")       /* TEST_RUNNING seen */                 \
	X(DRAIN, "drain")           /* stopped sending, waiting for ACKs */ \
	X(ENDING, "ending")         /* TEST_END sent */                     \
	X(RESULTS, "results")       /* ours sent, reading the server's */   \
	X(FINISH, "finish")         /* IPERF_DONE sent: -R counts settle */ \
	X(DONE, "done")

#define IP3C_PHASE_ENUM(name, str) IP3C_##name,
enum ip3c_phase { IP3C_PHASES(IP3C_PHASE_ENUM) };
#undef IP3C_PHASE_ENUM

enum ip3c_role { IP3C_ROLE_NONE, IP3C_ROLE_CTRL, IP3C_ROLE_STREAM };

/* What the control connection's bytes are read as. */
enum ip3c_rx { IP3C_RX_STATE, IP3C_RX_ERROR, IP3C_RX_JSON };

struct ip3c_conn {
	uint8_t role;
	uint16_t idx;
	uint64_t bytes; /* -R: payload received */
};
_Static_assert(sizeof(struct ip3c_conn) <= VNS_CONN_PRIV_MAX, "fits the private area");

struct ip3c {
	struct vns_ip3c_conf conf;
	struct vns_ip3c_result *res;
	enum ip3c_phase phase;
	enum ip3c_rx rx;
	struct vns_conn_handle ctrl;
	struct vns_conn_handle stream[VNS_IP3C_STREAMS_MAX];
	uint16_t nb_connected;
	bool ctrl_open;
	uint64_t deadline_tsc;
	uint64_t running_tsc;
	uint64_t end_tsc;
	uint64_t acked_tsc; /* DRAIN: when the last byte was acknowledged, 0: not yet */
	struct rusage ru_start;
	uint32_t rx_have;
	uint32_t rx_need;
	uint8_t *rxbuf; /* VNS_IP3C_JSON_MAX + 4 */
	uint8_t *txbuf; /* IP3C_TXBUF: the control connection's send buffer */
	/* each stream's send buffer: the inline one is smaller than the cookie */
	uint8_t stream_tx[VNS_IP3C_STREAMS_MAX][IP3C_COOKIE_LEN];
	/* -u */
	uint32_t len;         /* the block: TCP's, or each datagram's payload */
	bool udp_retry;       /* the next stream waits for the server's MAC */
	struct ip3c_udp *udp; /* [conf.streams] */
	struct vns_udp_pattern *pat;
	struct ip3u_clock clock;
};

/* One UDP stream: its connected flow, and its sender or (-R) its receiver's counts. */
struct ip3c_udp {
	struct vns_udp_peer peer;
	bool open;      /* vns_udp_connect() done */
	bool connected; /* the server answered the connect datagram */
	struct ip3u_tx tx;
	struct ip3u_acct acct;
};

static struct ip3c *
ip3c_of(struct vns_svc *svc)
{
	return svc->priv;
}

static struct ip3c_conn *
conn_of(struct vns_conn *c)
{
	return vns_conn_priv(c);
}

static uint32_t
stream_id(uint32_t i)
{
	return i == 0 ? 1 : i + 2; /* iperf3 skips id 2 */
}

static const char *
phase_name(enum ip3c_phase p)
{
#define IP3C_PHASE_NAME(name, str) [IP3C_##name] = str,
	static const char *const names[] = { IP3C_PHASES(IP3C_PHASE_NAME) };
#undef IP3C_PHASE_NAME

	return names[p];
}

static uint64_t
ms_tsc(const struct vns_svc *svc, uint64_t ms)
{
	return ms * svc->hz / 1000;
}

const char *
vns_ip3c_error_text(int code)
{
	/* iperf_error.c's texts for what a server sends in SERVER_ERROR. */
	switch (code) {
	case 5:
		return "test duration too long (maximum = 86400 seconds)";
	case 6:
		return "number of parallel streams too large (maximum = 128)";
	case 13:
		return "an option you are trying to set is not implemented yet";
	case 101:
		return "unable to initialize test";
	case 114:
		return "unable to receive parameters from client";
	case 116:
		return "unable to create a new stream";
	case 121:
		return "unable to receive results";
	case 122:
		return "unable to set up the control socket";
	default:
		return NULL;
	}
}

static void
close_all(struct vns_svc *svc, bool abort)
{
	struct ip3c *ip = ip3c_of(svc);
	struct vns_conn *c;
	uint32_t i;

	for (i = 0; i <= ip->nb_connected; i++) {
		struct vns_conn_handle h = i < ip->nb_connected ? ip->stream[i] : ip->ctrl;

		c = vns_conn_from_handle(svc, h);
		if (c == NULL)
			continue;
		conn_of(c)->role = IP3C_ROLE_NONE;
		if (abort)
			vns_conn_abort(svc, c);
		else
			vns_conn_close(svc, c);
		vns_conn_detach(c);
	}
	for (i = 0; ip->udp != NULL && i < ip->conf.streams; i++)
		if (ip->udp[i].open) {
			vns_udp_disconnect(svc, &ip->udp[i].peer);
			ip->udp[i].open = false;
		}
}

/* The test is over: publish the result to the app. The connections go first, and no
 * callback of theirs reports a second time. */
static void
publish(struct vns_svc *svc, int status)
{
	struct ip3c *ip = ip3c_of(svc);

	if (ip->phase == IP3C_DONE)
		return;
	ip->phase = IP3C_DONE;
	close_all(svc, status != 0);
	ip->res->status = status;
	__atomic_store_n(&ip->res->done, 1, __ATOMIC_RELEASE);
}

static void finish(struct vns_svc *svc, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The test failed: one line saying why. */
static void
finish(struct vns_svc *svc, int status, const char *fmt, ...)
{
	struct ip3c *ip = ip3c_of(svc);
	va_list ap;

	if (ip->phase == IP3C_DONE)
		return;
	va_start(ap, fmt);
	vsnprintf(ip->res->err, sizeof(ip->res->err), fmt, ap);
	va_end(ap);
	publish(svc, status);
}

static void
ctrl_send(struct vns_svc *svc, const void *p, uint32_t n)
{
	struct vns_conn *c = vns_conn_from_handle(svc, ip3c_of(svc)->ctrl);

	if (c == NULL || vns_conn_send(svc, c, p, n) != 0) {
		finish(svc, -ENOBUFS, "the control connection's send buffer is full");
		return;
	}
	vns_conn_output(svc, c);
}

static void
ctrl_state(struct vns_svc *svc, uint8_t state)
{
	ctrl_send(svc, &state, 1);
}

static void
send_json(struct vns_svc *svc, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT);
	uint8_t *buf;
	uint32_t len, be;

	if (text == NULL) {
		finish(svc, -ENOMEM, "out of memory for a JSON message");
		return;
	}
	len = (uint32_t)strlen(text);
	buf = malloc(len + 4);
	if (buf == NULL) {
		free(text);
		finish(svc, -ENOMEM, "out of memory for a JSON message");
		return;
	}
	be = rte_cpu_to_be_32(len);
	memcpy(buf, &be, 4);
	memcpy(buf + 4, text, len);
	ctrl_send(svc, buf, len + 4);
	free(buf);
	free(text);
}

/* send_parameters() of iperf3 3.12: the keys it always sends and those our options set. */
static void
send_params(struct vns_svc *svc)
{
	const struct vns_ip3c_conf *cf = &ip3c_of(svc)->conf;
	json_t *o = json_object();

	if (o == NULL) {
		finish(svc, -ENOMEM, "out of memory for the parameters");
		return;
	}
	json_object_set_new(o, cf->udp ? "udp" : "tcp", json_true());
	json_object_set_new(o, "omit", json_integer(0));
	json_object_set_new(o, "time", json_integer(cf->duration_s));
	json_object_set_new(o, "num", json_integer(0));
	json_object_set_new(o, "blockcount", json_integer(0));
	json_object_set_new(o, "parallel", json_integer(cf->streams));
	if (cf->reverse)
		json_object_set_new(o, "reverse", json_true());
	json_object_set_new(o, "len", json_integer(ip3c_of(svc)->len));
	if (cf->udp || cf->bitrate != 0)
		json_object_set_new(
			o, "bandwidth",
			json_integer(
				(json_int_t)(cf->bitrate != 0 ? cf->bitrate : VNS_IP3C_UDP_RATE)));
	json_object_set_new(o, "pacing_timer", json_integer(1000));
	json_object_set_new(o, "client_version", json_string("3.12"));
	send_json(svc, o);
	json_decref(o);
}

static void
connect_next_stream(struct vns_svc *svc)
{
	struct ip3c *ip = ip3c_of(svc);
	struct vns_conn_handle h;
	struct vns_conn *c;
	int rc;

	rc = vns_conn_connect(svc, ip->conf.server_ip, ip->conf.server_port, &h);
	if (rc != 0) {
		finish(svc, rc, "cannot open stream %u: %s", ip->nb_connected + 1u, strerror(-rc));
		return;
	}
	c = vns_conn_from_handle(svc, h);
	conn_of(c)->role = IP3C_ROLE_STREAM;
	conn_of(c)->idx = ip->nb_connected;
	ip->stream[ip->nb_connected] = h;
}

/* iperf_udp_connect: a connected flow, then the connect datagram (4 bytes in our byte order,
 * as iperf3 writes it); the server's answer opens the stream. A MAC not known yet is asked
 * for and the next poll tries again. */
static void
connect_next_udp(struct vns_svc *svc)
{
	struct ip3c *ip = ip3c_of(svc);
	struct ip3c_udp *u = &ip->udp[ip->nb_connected];
	uint32_t msg = IP3U_CONNECT_MSG;
	int rc;

	ip->udp_retry = false;
	rc = vns_udp_connect(svc, ip->conf.server_ip, ip->conf.server_port, &u->peer);
	if (rc == -EAGAIN) {
		ip->udp_retry = true;
		return;
	}
	if (rc != 0) {
		finish(svc, rc, "cannot open UDP stream %u: %s", ip->nb_connected + 1u,
		       strerror(-rc));
		return;
	}
	u->open = true;
	rc = vns_udp_send(svc, &u->peer, &msg, sizeof(msg));
	if (rc != 0)
		finish(svc, rc, "cannot send UDP stream %u's connect datagram: %s",
		       ip->nb_connected + 1u, strerror(-rc));
}

static double
tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void
cpu_util(struct vns_svc *svc, double out[3])
{
	struct ip3c *ip = ip3c_of(svc);
	struct rusage ru;
	double wall = (double)(ip->end_tsc - ip->running_tsc) / (double)svc->hz;
	double user, sys;

	getrusage(RUSAGE_SELF, &ru);
	user = tv_s(ru.ru_utime) - tv_s(ip->ru_start.ru_utime);
	sys = tv_s(ru.ru_stime) - tv_s(ip->ru_start.ru_stime);
	if (wall <= 0)
		wall = 1e-9;
	out[0] = 100.0 * (user + sys) / wall;
	out[1] = 100.0 * user / wall;
	out[2] = 100.0 * sys / wall;
}

/* Our results (send_results() of 3.12): the keys the server's get_results() requires. */
static void
send_results(struct vns_svc *svc)
{
	struct ip3c *ip = ip3c_of(svc);
	struct vns_ip3c_result *r = ip->res;
	json_t *o = json_object(), *arr = json_array();
	uint32_t i;

	if (o == NULL || arr == NULL) {
		json_decref(o);
		json_decref(arr);
		finish(svc, -ENOMEM, "out of memory for the results");
		return;
	}
	cpu_util(svc, r->cpu_local);
	json_object_set_new(o, "cpu_util_total", json_real(r->cpu_local[0]));
	json_object_set_new(o, "cpu_util_user", json_real(r->cpu_local[1]));
	json_object_set_new(o, "cpu_util_system", json_real(r->cpu_local[2]));
	json_object_set_new(o, "sender_has_retransmits",
			    json_integer(ip->conf.reverse ? -1
					 : ip->conf.udp   ? 0
							  : 1));
	for (i = 0; i < r->nb_streams; i++) {
		const struct vns_ip3c_stream *s = &r->streams[i];
		const bool rx = ip->conf.reverse;
		json_t *js = json_object();

		if (js == NULL)
			continue;
		json_object_set_new(js, "id", json_integer(s->id));
		json_object_set_new(js, "bytes",
				    json_integer((json_int_t)(rx ? s->received : s->sent)));
		json_object_set_new(js, "retransmits",
				    json_integer(rx || ip->conf.udp ? -1 : s->retransmits));
		/* UDP (send_results of 3.12): a receiver's jitter, lost and total; a sender's
		 * datagrams. TCP: zeros. */
		json_object_set_new(js, "jitter", json_real(rx ? s->jitter : 0));
		json_object_set_new(js, "errors", json_integer((json_int_t)(rx ? s->lost : 0)));
		json_object_set_new(js, "omitted_errors", json_integer(0));
		json_object_set_new(js, "packets",
				    json_integer((json_int_t)(rx ? s->rx_packets : s->packets)));
		json_object_set_new(js, "omitted_packets", json_integer(0));
		json_object_set_new(js, "start_time", json_real(0));
		json_object_set_new(js, "end_time", json_real(r->seconds));
		json_array_append_new(arr, js);
	}
	json_object_set_new(o, "streams", arr);
	send_json(svc, o);
	json_decref(o);
}

static bool
json_num(json_t *o, const char *key, double *v)
{
	json_t *x = json_object_get(o, key);

	if (!json_is_number(x))
		return false;
	*v = json_number_value(x);
	return true;
}

/* The server's results (get_results() of 3.12): every key it needs, ids we know. */
static int
server_results(struct vns_svc *svc, const uint8_t *text, uint32_t len)
{
	struct ip3c *ip = ip3c_of(svc);
	struct vns_ip3c_result *r = ip->res;
	json_error_t jerr;
	json_t *o = json_loadb((const char *)text, len, JSON_DECODE_INT_AS_REAL, &jerr), *arr, *s;
	double v;
	size_t k;
	int rc = -EPROTO;

	memcpy(r->server_json, text, RTE_MIN(len, (uint32_t)VNS_IP3C_JSON_MAX));
	r->server_json[RTE_MIN(len, (uint32_t)VNS_IP3C_JSON_MAX)] = '\0';
	if (o == NULL) {
		finish(svc, rc, "the server's results are no JSON: %s", jerr.text);
		return rc;
	}
	arr = json_object_get(o, "streams");
	if (!json_num(o, "cpu_util_total", &r->cpu_remote[0]) ||
	    !json_num(o, "cpu_util_user", &r->cpu_remote[1]) ||
	    !json_num(o, "cpu_util_system", &r->cpu_remote[2]) ||
	    !json_num(o, "sender_has_retransmits", &v) || !json_is_array(arr)) {
		finish(svc, rc, "the server's results lack a key iperf3 needs");
		goto out;
	}
	r->sender_has_retransmits = (int)v;
	json_array_foreach(arr, k, s)
	{
		double id, bytes, rtx = -1, jit = 0, err = 0, pk = 0;
		uint32_t i;

		if (!json_num(s, "id", &id) || !json_num(s, "bytes", &bytes) || bytes < 0) {
			finish(svc, rc, "the server's results have a stream without id or bytes");
			goto out;
		}
		json_num(s, "retransmits", &rtx);
		json_num(s, "jitter", &jit);
		json_num(s, "errors", &err);
		json_num(s, "packets", &pk);
		if (jit < 0 || err < 0 || pk < 0)
			jit = err = pk = 0; /* nonsense is not shown */
		for (i = 0; i < r->nb_streams && (double)r->streams[i].id != id; i++)
			;
		if (i == r->nb_streams) {
			finish(svc, rc,
			       "the server's results name stream %.0f, which we did not open", id);
			goto out;
		}
		if (ip->conf.reverse) {
			r->streams[i].sent = (uint64_t)bytes;
			r->streams[i].retransmits = (int64_t)rtx;
			r->streams[i].packets = (uint64_t)pk;
		} else {
			r->streams[i].received = (uint64_t)bytes;
			r->streams[i].jitter = jit;
			r->streams[i].lost = (uint64_t)err;
			r->streams[i].rx_packets = (uint64_t)pk;
		}
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

static void
start_running(struct vns_svc *svc)
{
	struct ip3c *ip = ip3c_of(svc);
	uint32_t i;

	if (ip->phase != IP3C_SETUP || ip->nb_connected != ip->conf.streams) {
		finish(svc, -EPROTO, "the server started the test before all streams were open");
		return;
	}
	ip->running_tsc = vns_svc_now(svc);
	getrusage(RUSAGE_SELF, &ip->ru_start);
	ip->phase = IP3C_RUNNING;
	ip->deadline_tsc = ip->running_tsc + (uint64_t)ip->conf.duration_s * svc->hz;
	if (ip->conf.reverse)
		return;
	if (ip->conf.udp) {
		uint64_t rate = ip->conf.bitrate != 0 ? ip->conf.bitrate : VNS_IP3C_UDP_RATE;

		for (i = 0; i < ip->nb_connected; i++)
			ip3u_tx_start(&ip->udp[i].tx, &ip->udp[i].peer, ip->len, false, rate,
				      svc->hz, ip->running_tsc);
		return;
	}
	for (i = 0; i < ip->nb_connected; i++) {
		struct vns_conn *c = vns_conn_from_handle(svc, ip->stream[i]);
		int rc;

		if (c == NULL) {
			finish(svc, -EPIPE, "stream %u closed before the test", i + 1);
			return;
		}
#ifdef VNS_CONN_BULK_UNLIMITED
		rc = vns_conn_bulk_start(svc, c, VNS_CONN_BULK_UNLIMITED);
#else
		rc = -ENOTSUP;
#endif
		if (rc != 0) {
			finish(svc, rc, "stream %u cannot send: %s", i + 1, strerror(-rc));
			return;
		}
	}
}

/* The measured interval ends: a sender stops and drains, a receiver says TEST_END. */
static void
stop_running(struct vns_svc *svc)
{
	struct ip3c *ip = ip3c_of(svc);
	struct vns_ip3c_result *r = ip->res;
	uint64_t now = vns_svc_now(svc);
	uint32_t i;

	ip->end_tsc = now;
	r->seconds = (double)(now - ip->running_tsc) / (double)svc->hz;
	for (i = 0; i < r->nb_streams; i++)
		r->streams[i].seconds = r->seconds;
	if (ip->conf.reverse) {
		ctrl_state(svc, IP3C_TEST_END);
		ip->phase = IP3C_ENDING;
		ip->deadline_tsc = now + IP3C_STEP_TIMEOUT_S * svc->hz;
		return;
	}
	ip->phase = IP3C_DRAIN;
	ip->acked_tsc = 0;
	if (ip->conf.udp) {
		/* Nothing is acknowledged: the grace alone lets the server read its socket. */
		for (i = 0; i < ip->nb_connected; i++) {
			r->streams[i].sent = ip->udp[i].tx.bytes;
			r->streams[i].packets = ip->udp[i].tx.packets;
		}
		ip->acked_tsc = now;
	}
	for (i = 0; i < ip->nb_connected && !ip->conf.udp; i++) {
		struct vns_conn *c = vns_conn_from_handle(svc, ip->stream[i]);

		if (c == NULL)
			continue;
#ifdef VNS_CONN_BULK_UNLIMITED
		r->streams[i].sent = vns_conn_bulk_stop(svc, c);
#endif
	}
	ip->deadline_tsc = now + ms_tsc(svc, IP3C_DRAIN_MS);
}

/* DRAIN: true once every stream's bytes are acknowledged. */
static bool
all_acked(struct vns_svc *svc)
{
	struct ip3c *ip = ip3c_of(svc);
	uint32_t i;

	for (i = 0; i < ip->nb_connected; i++) {
		struct vns_conn *c = vns_conn_from_handle(svc, ip->stream[i]);
		struct vns_conn_info ci;

		if (c == NULL)
			continue;
		vns_conn_info(c, &ci);
#ifdef VNS_CONN_BULK_UNLIMITED
		ip->res->streams[i].retransmits = ci.retrans_segs;
		if (ci.bulk_acked < ci.bulk_sent)
			return false;
#endif
	}
	return true;
}

/* FINISH (-R): every stream holds what the server says it sent. */
static bool
all_received(struct vns_svc *svc)
{
	struct ip3c *ip = ip3c_of(svc);
	uint32_t i;

	for (i = 0; i < ip->res->nb_streams; i++) {
		const struct vns_ip3c_stream *s = &ip->res->streams[i];

		/* UDP: the last datagram the server sent has arrived (lost ones never do). */
		if (ip->conf.udp ? s->rx_packets < s->packets : s->received < s->sent)
			return false;
	}
	return true;
}

static void
display_results(struct vns_svc *svc)
{
	struct ip3c *ip = ip3c_of(svc);

	ctrl_state(svc, IP3C_IPERF_DONE);
	if (ip->phase == IP3C_DONE)
		return;
	ip->phase = IP3C_FINISH;
	ip->deadline_tsc = vns_svc_now(svc) + ms_tsc(svc, IP3C_DRAIN_MS);
	if (!ip->conf.reverse || all_received(svc))
		publish(svc, 0);
}

static void
on_state(struct vns_svc *svc, uint8_t b)
{
	struct ip3c *ip = ip3c_of(svc);
	uint64_t now = vns_svc_now(svc);

	switch (b) {
	case IP3C_PARAM_EXCHANGE:
		send_params(svc);
		break;
	case IP3C_CREATE_STREAMS:
		if (ip->nb_connected == 0 && ip->phase == IP3C_SETUP) {
			if (ip->conf.udp)
				connect_next_udp(svc);
			else
				connect_next_stream(svc);
		}
		break;
	case IP3C_TEST_START:
		break;
	case IP3C_TEST_RUNNING:
		start_running(svc);
		break;
	case IP3C_EXCHANGE_RESULTS:
		if (ip->phase != IP3C_ENDING) {
			finish(svc, -EPROTO, "the server asked for results before TEST_END");
			return;
		}
		send_results(svc);
		ip->phase = IP3C_RESULTS;
		ip->rx = IP3C_RX_JSON;
		ip->rx_have = 0;
		ip->rx_need = 0;
		break;
	case IP3C_DISPLAY_RESULTS:
		if (ip->phase != IP3C_RESULTS || ip->rx != IP3C_RX_STATE) {
			finish(svc, -EPROTO, "the server sent DISPLAY_RESULTS without its results");
			return;
		}
		display_results(svc);
		return;
	case IP3C_SERVER_TERMINATE:
		finish(svc, -ECONNRESET, "the server has terminated");
		return;
	case IP3C_ACCESS_DENIED:
		finish(svc, -EBUSY, "the server is busy running a test. try again later");
		return;
	case IP3C_SERVER_ERROR:
		ip->rx = IP3C_RX_ERROR;
		ip->rx_have = 0;
		return;
	default:
		finish(svc, -EPROTO, "the server sent an unknown state byte %u", b);
		return;
	}
	if (ip->phase != IP3C_RUNNING && ip->phase != IP3C_DONE)
		ip->deadline_tsc = now + IP3C_STEP_TIMEOUT_S * svc->hz;
}

static void
server_error(struct vns_svc *svc, const uint8_t *p)
{
	int32_t code, e;
	const char *text;

	memcpy(&code, p, 4);
	memcpy(&e, p + 4, 4);
	code = (int32_t)rte_be_to_cpu_32((uint32_t)code);
	e = (int32_t)rte_be_to_cpu_32((uint32_t)e);
	text = vns_ip3c_error_text(code);
	if (e != 0)
		finish(svc, -EPROTO, "the server refused the test: error %d (%s): %s", code,
		       text != NULL ? text : "unknown", strerror(e));
	else
		finish(svc, -EPROTO, "the server refused the test: error %d (%s)", code,
		       text != NULL ? text : "unknown");
}

static void
ctrl_bytes(struct vns_svc *svc, const uint8_t *p, uint32_t n)
{
	struct ip3c *ip = ip3c_of(svc);

	while (n > 0 && ip->phase != IP3C_DONE) {
		uint32_t k;

		switch (ip->rx) {
		case IP3C_RX_STATE:
			n--;
			on_state(svc, *p++);
			break;
		case IP3C_RX_ERROR:
			k = RTE_MIN(n, 8 - ip->rx_have);
			memcpy(ip->rxbuf + ip->rx_have, p, k);
			ip->rx_have += k;
			p += k;
			n -= k;
			if (ip->rx_have == 8)
				server_error(svc, ip->rxbuf);
			break;
		case IP3C_RX_JSON:
			if (ip->rx_need == 0) {
				ip->rxbuf[ip->rx_have++] = *p++;
				n--;
				if (ip->rx_have == 4) {
					uint32_t be;

					memcpy(&be, ip->rxbuf, 4);
					ip->rx_need = rte_be_to_cpu_32(be);
					ip->rx_have = 0;
					if (ip->rx_need == 0 || ip->rx_need > VNS_IP3C_JSON_MAX) {
						finish(svc, -EMSGSIZE,
						       "the server's results claim %u bytes "
						       "(at most %u)",
						       ip->rx_need, VNS_IP3C_JSON_MAX);
						return;
					}
				}
				break;
			}
			k = RTE_MIN(n, ip->rx_need - ip->rx_have);
			memcpy(ip->rxbuf + ip->rx_have, p, k);
			ip->rx_have += k;
			p += k;
			n -= k;
			if (ip->rx_have == ip->rx_need) {
				ip->rx = IP3C_RX_STATE;
				if (server_results(svc, ip->rxbuf, ip->rx_need) != 0)
					return;
			}
			break;
		}
	}
}

static void
ip3c_open(struct vns_svc *svc, struct vns_conn *c)
{
	struct ip3c *ip = ip3c_of(svc);
	struct ip3c_conn *ic = conn_of(c);

	if (ic->role == IP3C_ROLE_CTRL) {
		vns_conn_set_payload(svc, c, true);
		vns_conn_set_idle_exempt(c, true);
		vns_conn_set_sndbuf(c, ip->txbuf, IP3C_TXBUF);
		ip->ctrl_open = true;
		ip->phase = IP3C_SETUP;
		ip->deadline_tsc = vns_svc_now(svc) + IP3C_STEP_TIMEOUT_S * svc->hz;
		ctrl_send(svc, ip->res->cookie, IP3C_COOKIE_LEN);
		return;
	}
	if (ic->role != IP3C_ROLE_STREAM)
		return;
	vns_conn_set_idle_exempt(c, true);
	vns_conn_set_sndbuf(c, ip->stream_tx[ic->idx], IP3C_COOKIE_LEN);
	vns_conn_send(svc, c, ip->res->cookie, IP3C_COOKIE_LEN);
	vns_conn_output(svc, c);
	ip->res->streams[ic->idx].id = stream_id(ic->idx);
	ip->res->nb_streams = ++ip->nb_connected;
	if (ip->nb_connected < ip->conf.streams)
		connect_next_stream(svc);
}

static void
ip3c_data(struct vns_svc *svc, struct vns_conn *c, const struct rte_mbuf *m, uint32_t off,
	  uint32_t len)
{
	struct ip3c *ip = ip3c_of(svc);
	struct ip3c_conn *ic = conn_of(c);
	uint8_t buf[512];

	if (ic->role == IP3C_ROLE_STREAM) {
		ip->res->streams[ic->idx].received += len;
		if (ip->phase == IP3C_FINISH && all_received(svc))
			publish(svc, 0);
		return;
	}
	if (ic->role != IP3C_ROLE_CTRL || m == NULL)
		return;
	while (len > 0 && ip->phase != IP3C_DONE) {
		uint32_t k = RTE_MIN(len, (uint32_t)sizeof(buf));
		const uint8_t *p = rte_pktmbuf_read(m, off, k, buf);

		if (p == NULL)
			return;
		ctrl_bytes(svc, p, k);
		off += k;
		len -= k;
	}
}

/* The connect answer (either byte order, or the legacy one). */
static bool
is_connect_reply(uint32_t v)
{
	return v == IP3U_CONNECT_REPLY || v == rte_bswap32(IP3U_CONNECT_REPLY) ||
	       v == IP3U_LEGACY_CONNECT_REPLY || v == rte_bswap32(IP3U_LEGACY_CONNECT_REPLY);
}

static void
ip3c_datagram(struct vns_svc *svc, const struct vns_udp_peer *peer, const struct rte_mbuf *m,
	      uint32_t off, uint32_t len)
{
	struct ip3c *ip = ip3c_of(svc);
	struct vns_ip3c_stream *s;
	struct ip3c_udp *u = NULL;
	uint8_t buf[16];
	const uint8_t *p;
	uint32_t i, v;

	for (i = 0; ip->udp != NULL && i < ip->conf.streams; i++)
		if (ip->udp[i].open && ip->udp[i].peer.local_port == peer->local_port) {
			u = &ip->udp[i];
			break;
		}
	if (u == NULL || ip->phase == IP3C_DONE) {
		ip->res->udp_stray++;
		return;
	}
	if (!u->connected) {
		p = len == 4 ? rte_pktmbuf_read(m, off, 4, buf) : NULL;
		if (p == NULL || i != ip->nb_connected || ip->phase != IP3C_SETUP) {
			ip->res->udp_stray++;
			return;
		}
		memcpy(&v, p, 4);
		if (!is_connect_reply(v)) {
			finish(svc, -EPROTO, "UDP stream %u: the server's answer is %#x", i + 1, v);
			return;
		}
		u->connected = true;
		ip->res->streams[i].id = stream_id(i);
		ip->res->nb_streams = ++ip->nb_connected;
		if (ip->nb_connected < ip->conf.streams)
			connect_next_udp(svc);
		return;
	}
	/* A sending stream gets nothing back; a receiving one counts from the first datagram
	 * on, as iperf3's reader does. */
	p = ip->conf.reverse ? rte_pktmbuf_read(m, off, RTE_MIN(len, 12u), buf) : NULL;
	if (p == NULL || ip3u_account(&u->acct, p, len, ip3u_clock_ns(&ip->clock, vns_svc_now(svc)),
				      false) != 0) {
		ip->res->udp_stray++;
		return;
	}
	s = &ip->res->streams[i];
	s->received = u->acct.bytes;
	s->rx_packets = u->acct.packet_count;
	s->lost = u->acct.cnt_error;
	s->outoforder = u->acct.outoforder;
	s->jitter = u->acct.jitter;
	if (ip->phase == IP3C_FINISH && all_received(svc))
		publish(svc, 0);
}

static const char *
close_text(enum vns_close_reason why)
{
	switch (why) {
	case VNS_CLOSE_REFUSED:
		return "connection refused";
	case VNS_CLOSE_UNREACH:
		return "no ARP answer: host unreachable";
	case VNS_CLOSE_TIMEOUT:
		return "connection timed out";
	case VNS_CLOSE_RST:
		return "connection reset by the server";
	default:
		return "connection closed by the server";
	}
}

static void
ip3c_closed(struct vns_svc *svc, struct vns_conn *c, enum vns_close_reason why)
{
	struct ip3c *ip = ip3c_of(svc);
	struct ip3c_conn *ic = conn_of(c);
	char addr[16];
	const uint8_t *a = (const uint8_t *)&ip->conf.server_ip;

	if (ip->phase == IP3C_DONE || ic->role == IP3C_ROLE_NONE)
		return;
	snprintf(addr, sizeof(addr), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	if (ic->role == IP3C_ROLE_CTRL) {
		ip->ctrl = VNS_CONN_HANDLE_NONE;
		if (ip->phase == IP3C_FINISH)
			return; /* after IPERF_DONE: the server closes first */
		if (!ip->ctrl_open)
			finish(svc, -ECONNREFUSED, "cannot connect to %s:%u: %s", addr,
			       rte_be_to_cpu_16(ip->conf.server_port), close_text(why));
		else
			finish(svc, -ECONNRESET, "control connection to %s:%u: %s", addr,
			       rte_be_to_cpu_16(ip->conf.server_port), close_text(why));
		return;
	}
	/* After TEST_END the server closes its streams (iperf3 does on TEST_END); with -R what
	 * they brought is counted. */
	ip->stream[ic->idx] = VNS_CONN_HANDLE_NONE;
	if (ip->phase >= IP3C_ENDING)
		return;
	finish(svc, -ECONNRESET, "stream %u to %s:%u: %s", ic->idx + 1u, addr,
	       rte_be_to_cpu_16(ip->conf.server_port), close_text(why));
}

static void
ip3c_poll(struct vns_svc *svc)
{
	struct ip3c *ip = ip3c_of(svc);
	uint64_t now = vns_svc_now(svc);
	struct vns_conn *c;
	int rc;

	switch (ip->phase) {
	case IP3C_INIT:
		rc = vns_conn_connect(svc, ip->conf.server_ip, ip->conf.server_port, &ip->ctrl);
		if (rc != 0) {
			finish(svc, rc, "cannot open the control connection: %s", strerror(-rc));
			return;
		}
		c = vns_conn_from_handle(svc, ip->ctrl);
		conn_of(c)->role = IP3C_ROLE_CTRL;
		ip->phase = IP3C_CONNECTING;
		return;
	case IP3C_RUNNING:
		if (now >= ip->deadline_tsc) {
			stop_running(svc);
			return;
		}
		if (ip->conf.udp && !ip->conf.reverse) {
			uint64_t us = ip3u_clock_ns(&ip->clock, now) / 1000;
			uint32_t i;

			for (i = 0; i < ip->nb_connected; i++)
				ip3u_tx_poll(&ip->udp[i].tx, svc, ip->pat, now, us);
		}
		return;
	case IP3C_DRAIN:
		if (ip->acked_tsc == 0 && (all_acked(svc) || now >= ip->deadline_tsc))
			ip->acked_tsc = now;
		if (ip->acked_tsc != 0 && now - ip->acked_tsc >= ms_tsc(svc, VNS_IP3C_GRACE_MS)) {
			ctrl_state(svc, IP3C_TEST_END);
			ip->phase = IP3C_ENDING;
			ip->deadline_tsc = now + IP3C_STEP_TIMEOUT_S * svc->hz;
		}
		return;
	case IP3C_FINISH:
		/* What is still missing is reported as it is: the receiver's count. */
		if (now >= ip->deadline_tsc)
			publish(svc, 0);
		return;
	case IP3C_SETUP:
		if (ip->udp_retry)
			connect_next_udp(svc);
		/* fall through */
	case IP3C_ENDING:
	case IP3C_RESULTS:
		if (now >= ip->deadline_tsc)
			finish(svc, -ETIMEDOUT, "the server said nothing for %d s (phase %s)",
			       IP3C_STEP_TIMEOUT_S, phase_name(ip->phase));
		return;
	default:
		return;
	}
}

static void
make_cookie(char *cookie)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	uint32_t i;

	for (i = 0; i < IP3C_COOKIE_LEN - 1; i++)
		cookie[i] = alphabet[rte_rand_max(32)];
	cookie[IP3C_COOKIE_LEN - 1] = '\0';
}

static void
ip3c_fini(struct vns_svc *svc)
{
	struct ip3c *ip = svc->priv;

	if (ip == NULL)
		return;
	rte_free(ip->rxbuf);
	rte_free(ip->txbuf);
	rte_free(ip->udp);
	vns_udp_pattern_free(ip->pat);
	rte_free(ip);
	svc->priv = NULL;
}

static int
ip3c_init(struct vns_svc *svc, char *err, size_t errlen)
{
	const struct vns_ip3c_conf *cf = svc->conf;
	struct ip3c *ip;

	if (cf == NULL || cf->result == NULL || cf->server_ip == 0 || cf->server_port == 0 ||
	    cf->streams == 0 || cf->streams > VNS_IP3C_STREAMS_MAX || cf->duration_s == 0 ||
	    cf->duration_s > VNS_IP3C_TIME_MAX) {
		vns_set_err(err, errlen,
			    "iperf3 client: needs a server address and port, 1-%d streams, "
			    "1-%d s and a result area",
			    VNS_IP3C_STREAMS_MAX, VNS_IP3C_TIME_MAX);
		return -EINVAL;
	}
	if (cf->udp && cf->len != 0 &&
	    (cf->len < IP3U_HDR_LEN(false) || cf->len > vns_udp_payload_max(svc))) {
		vns_set_err(err, errlen,
			    "iperf3 client: -u -l %u: a datagram holds %u to %u bytes here (the "
			    "MTU less 28; IPv4 fragments are not sent)",
			    cf->len, IP3U_HDR_LEN(false), vns_udp_payload_max(svc));
		return -EINVAL;
	}
#ifndef VNS_CONN_BULK_UNLIMITED
	if (!cf->reverse && !cf->udp) {
		vns_set_err(err, errlen,
			    "iperf3 client: sending needs the stack's bulk sender, which this "
			    "build lacks; -R (the server sends) works");
		return -ENOTSUP;
	}
#endif
	ip = rte_zmalloc_socket("vns_ip3c", sizeof(*ip), RTE_CACHE_LINE_SIZE, svc->socket_id);
	if (ip == NULL)
		goto nomem;
	svc->priv = ip;
	ip->conf = *cf;
	ip->res = cf->result;
	ip->ctrl = VNS_CONN_HANDLE_NONE;
	ip->rxbuf = rte_malloc_socket("vns_ip3c_rx", VNS_IP3C_JSON_MAX + 8, 0, svc->socket_id);
	ip->txbuf = rte_malloc_socket("vns_ip3c_tx", IP3C_TXBUF, 0, svc->socket_id);
	if (ip->rxbuf == NULL || ip->txbuf == NULL) {
		ip3c_fini(svc);
		goto nomem;
	}
	ip->len = cf->len != 0 ? cf->len : VNS_IP3C_TCP_LEN;
	if (cf->udp) {
		if (cf->len == 0)
			ip->len = RTE_MIN((uint32_t)VNS_IP3C_UDP_LEN, vns_udp_payload_max(svc));
		ip->udp = rte_zmalloc_socket("vns_ip3c_udp", sizeof(*ip->udp) * cf->streams,
					     RTE_CACHE_LINE_SIZE, svc->socket_id);
		if (ip->udp == NULL) {
			ip3c_fini(svc);
			goto nomem;
		}
		ip->pat = vns_udp_pattern_create(ip->len, svc->socket_id, err, errlen);
		if (ip->pat == NULL) {
			ip3c_fini(svc);
			return -ENOMEM;
		}
		ip3u_clock_init(&ip->clock, svc->hz);
	}
	memset(ip->res, 0, sizeof(*ip->res));
	make_cookie(ip->res->cookie);
	ip->res->sender_has_retransmits = -1;
	return 0;
nomem:
	vns_set_err(err, errlen,
		    "iperf3 client: out of DPDK memory for its state; raise -m or the hugepages");
	return -ENOMEM;
}

static const char *
ip3c_conn_state(const struct vns_svc *svc, const struct vns_conn *c)
{
	const struct ip3c_conn *ic = vns_conn_priv_const(c);

	RTE_SET_USED(svc);
	return ic->role == IP3C_ROLE_CTRL     ? "iperf3-client-ctrl"
	       : ic->role == IP3C_ROLE_STREAM ? "iperf3-client-stream"
					      : "iperf3-client";
}

const struct vns_service_ops vns_iperf3_client_ops = {
	.name = "iperf3-client",
	.conn_priv_size = sizeof(struct ip3c_conn),
	.init = ip3c_init,
	.fini = ip3c_fini,
	.open = ip3c_open,
	.data = ip3c_data,
	.datagram = ip3c_datagram,
	.closed = ip3c_closed,
	.poll = ip3c_poll,
	.conn_state = ip3c_conn_state,
};
