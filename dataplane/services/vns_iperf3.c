/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iperf3 3.12 server side of a TCP test, share-nothing across lcores: the client sends (the
 * default), we send (-R: reverse) or both (--bidir: of the client's 2N streams, the first N
 * in SYN order send to us and the other N receive, as iperf3's server assigns them).
 *
 * Every connection to the iperf3 port starts by sending a 37-byte cookie. When it is
 * complete the lcore looks at the test owner word this service shares across the stacks:
 *  - no test: it claims the test with one compare-and-swap and becomes the test's owner;
 *    this connection is the control connection and the owner runs the protocol on it;
 *  - a test runs: the cookie goes to the owner's inbox (STREAM_HELLO); the owner accepts it
 *    as data stream k (STREAM_ACCEPT) or refuses it (STREAM_DENY -> ACCESS_DENIED byte).
 * The owner starts the test when all streams are in (RUNNING to each stream's lcore, then
 * TEST_START + TEST_RUNNING to the client), and on TEST_END asks each lcore for its stream's
 * final count (TEST_END -> STREAM_BYTES). Stream lcores count a stream's in-order bytes from
 * TEST_RUNNING + omit until TEST_END, which is what iperf3's own server reports. A stream we
 * send on starts the stack's bulk sender at TEST_RUNNING (vns_conn_bulk_start) and stops it
 * at TEST_END: its count is what vns_conn_bulk_stop() returns, the bytes sent at least once
 * (iperf3's server counts what it wrote; the client counts what it read before its own
 * TEST_END, so its figure is at most ours). Sending streams report their retransmitted
 * segments, as a Linux server does (sender_has_retransmits 1).
 * Stream ids follow the order of the streams' SYNs (1, 3, 4, ...: iperf3 skips 2), as the
 * client opens stream i+1 only after stream i has connected.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <jansson.h>
#include <rte_common.h>
#include <rte_malloc.h>

#include "vns_err.h"
#include "vns_iperf3_udp.h"
#include "vns_services.h"

#define IP3_COOKIE_LEN   37
#define IP3_MAX_STREAMS  128
#define IP3_CTRL_BUF_MAX (64 * 1024) /* control send buffer, and the largest JSON we store */

/* iperf3 states on the wire (iperf_api.h, 3.12) */
#define IP3_TEST_START       1
#define IP3_TEST_RUNNING     2
#define IP3_TEST_END         4
#define IP3_PARAM_EXCHANGE   9
#define IP3_CREATE_STREAMS   10
#define IP3_CLIENT_TERMINATE 12
#define IP3_EXCHANGE_RESULTS 13
#define IP3_DISPLAY_RESULTS  14
#define IP3_IPERF_DONE       16
#define IP3_ACCESS_DENIED    0xff
#define IP3_SERVER_ERROR     0xfe

/* iperf3 error codes (i_errno) the client turns into a message */
#define IP3_IEDURATION   5   /* "test duration too long" */
#define IP3_IENUMSTREAMS 6   /* "number of parallel streams too large" */
#define IP3_IEUNIMP      13  /* "an option you are trying to set is not implemented yet" */
#define IP3_IERECVPARAMS 114 /* "unable to receive parameters from client" + errno */

#define IP3_SETUP_TIMEOUT_S    30
#define IP3_END_SLACK_S        60
#define IP3_COUNTS_TIMEOUT_S   2
#define IP3_CLIENT_RESULTS_MAX (16u << 20)
#define IP3_TIME_MAX           86400 /* iperf3's own bound on "time" (MAX_TIME) */

/* What a connection on the iperf3 port is for; the names are what telemetry shows. */
#define IP3_ROLES(X)                                                                            \
	X(NEW, "iperf3-new")        /* cookie not complete yet */                               \
	X(WAIT, "iperf3-wait")      /* cookie sent to the test owner, waiting for its answer */ \
	X(CTRL, "iperf3-ctrl")      /* control connection of the test this lcore owns */        \
	X(STREAM, "iperf3-stream")  /* accepted data stream */                                  \
	X(SENDER, "iperf3-send")    /* accepted data stream we send on (-R, --bidir) */         \
	X(DENIED, "iperf3-refused") /* refused or aborted, closing */

#define IP3_ROLE_ENUM(name, str) IP3_ROLE_##name,
enum ip3_role { IP3_ROLES(IP3_ROLE_ENUM) };
#undef IP3_ROLE_ENUM

/* A data stream's count. */
enum ip3_count {
	IP3_COUNT_BEFORE = 0, /* before TEST_RUNNING */
	IP3_COUNT_RUNNING,    /* from TEST_RUNNING + omit */
	IP3_COUNT_DONE,       /* after TEST_END or the stream's close: the count is final */
};

/* Per connection, in the connection's private area. */
struct ip3_conn {
	uint8_t role;     /* enum ip3_role */
	uint8_t counting; /* enum ip3_count */
	uint8_t cookie_len;
	uint8_t cookie[IP3_COOKIE_LEN];
	uint16_t slot; /* the stream's index in the owner's test */
	uint16_t owner_queue;
	uint32_t test_gen;
	uint64_t count_from_tsc;
	uint64_t counted; /* a receiving stream's bytes; a sending one's bytes sent in omit */
};
_Static_assert(sizeof(struct ip3_conn) <= VNS_CONN_PRIV_MAX, "iperf3 connection state too big");

/* Messages between the owner and the streams' lcores. */
enum ip3_msg_type {
	IP3_MSG_STREAM_HELLO = 1, /* queue -> owner: a stream's cookie */
	IP3_MSG_STREAM_ACCEPT,    /* owner -> queue */
	IP3_MSG_STREAM_DENY,      /* owner -> queue */
	IP3_MSG_TEST_RUNNING,     /* owner -> queue: count from tsc */
	IP3_MSG_TEST_END,         /* owner -> queue: freeze counts and report */
	IP3_MSG_STREAM_BYTES,     /* queue -> owner: final count of a stream */
	IP3_MSG_TEST_ABORT,       /* owner -> queue: forget the test's streams */
	IP3_MSG_STREAM_PROBE,     /* owner -> queue: when did the stream last receive? */
	IP3_MSG_STREAM_ALIVE,     /* queue -> owner: the stream's last segment (tsc) */
	IP3_MSG_UDP_HELLO,        /* queue -> owner: a UDP stream's connect datagram */
	IP3_MSG_UDP_ACCEPT,       /* owner -> queue: slot, IP3_UDP_ACC_* in bytes, rate in tsc */
	IP3_MSG_UDP_DENY,         /* owner -> queue */
	IP3_MSG_UDP_RESULT,       /* queue -> owner: final counts of a UDP stream */
};

/* ip3_msg.flags: the message is about a UDP stream (conn.idx is its table index). */
#define IP3_MSG_F_UDP 1u
/* TEST_RUNNING: we send on this stream. */
#define IP3_MSG_F_SEND 2u

/* IP3_MSG_UDP_ACCEPT's bytes: the stream's settings; its tsc: the rate in bit/s (-R). */
#define IP3_UDP_ACC_C64     1ull                    /* udp_counters_64bit */
#define IP3_UDP_ACC_REVERSE 2ull                    /* -R: the server sends */
#define IP3_UDP_ACC_LEN(b)  ((uint32_t)((b) >> 32)) /* datagram length */

/* The payload bytes after a sent datagram's header come from one pattern per stack, long
 * enough for the largest MTU. */
#define IP3_UDP_PATTERN_LEN 9216
#define IP3_UDP_LEN_DEFAULT 1460 /* iperf3's DEFAULT_UDP_BLKSIZE, when "len" is absent */

struct ip3_msg {
	struct vns_conn_handle conn; /* the stream's connection, on the stream's lcore */
	uint32_t test_gen;
	uint16_t slot;
	uint16_t flags; /* IP3_MSG_F_* */
	uint64_t tsc;   /* STREAM_BYTES of a sending stream: its retransmitted segments */
	uint64_t bytes;
	uint8_t cookie[IP3_COOKIE_LEN];
};
_Static_assert(sizeof(struct ip3_msg) <= VNS_MSG_BODY_MAX, "iperf3 message too big");

/* A UDP stream's final counts (IP3_MSG_UDP_RESULT). */
struct ip3_udp_result {
	uint32_t test_gen;
	uint16_t slot;
	uint64_t bytes;
	uint64_t packets;
	uint64_t errors;
	uint64_t omitted_packets;
	uint64_t omitted_errors;
	double jitter;
};
_Static_assert(sizeof(struct ip3_udp_result) <= VNS_MSG_BODY_MAX, "iperf3 message too big");

/* Shared by the iperf3 instances of every stack (the vns_shared area, zero at start). */
struct ip3_shared {
	atomic_int owner; /* queue + 1 of the lcore owning the running test; 0 = none */
	atomic_uint test_gen;
};
_Static_assert(sizeof(struct ip3_shared) <= VNS_SVC_SHARED_MAX, "iperf3 shared state too big");

/* The iperf3 test this lcore owns (at most one in the whole process). */
enum ip3_phase {
	IP3_IDLE = 0,
	IP3_PARAMS,  /* PARAM_EXCHANGE sent, reading the parameters JSON */
	IP3_CREATE,  /* CREATE_STREAMS sent, collecting streams */
	IP3_RUNNING, /* TEST_START + TEST_RUNNING sent */
	IP3_RESULTS, /* EXCHANGE_RESULTS sent, reading the client's results */
	IP3_COUNTS,  /* client results read, waiting for final stream counts */
	IP3_DISPLAY, /* results + DISPLAY_RESULTS sent, waiting for IPERF_DONE */
};

struct ip3_stream {
	uint16_t queue;
	struct vns_conn_handle conn;
	uint64_t syn_tsc;
	uint64_t bytes;
	bool final;
	bool udp;
	bool sender; /* we send on it */
	int id;
	uint64_t retrans;
	struct ip3_udp_result ures; /* a UDP stream's counts, when final */
};

struct ip3_test {
	enum ip3_phase phase;
	uint32_t gen;
	uint8_t cookie[IP3_COOKIE_LEN];
	struct vns_conn_handle ctrl;
	rte_be32_t peer_ip; /* the client, for the test record */
	rte_be16_t peer_port;
	rte_be16_t local_port;
	uint8_t *rxbuf; /* IP3_CTRL_BUF_MAX + 4 */
	uint32_t rx_have;
	uint32_t rx_need; /* 0: reading the 4-byte length */
	uint32_t num_streams;
	uint32_t accepted;
	bool udp; /* -u: the streams are UDP */
	bool udp_c64;
	bool reverse;     /* -R: we send on every stream */
	bool bidir;       /* --bidir: 2 * parallel streams, the second half ours to send on */
	bool udp_reverse; /* -u -R: the server sends */
	uint32_t udp_len;
	uint64_t udp_rate; /* bit/s; 0 unlimited */
	struct ip3_stream streams[IP3_MAX_STREAMS];
	double omit;
	double duration;
	uint64_t running_tsc;
	uint64_t count_from_tsc;
	uint64_t end_tsc;
	uint64_t deadline_tsc;
	uint64_t
		last_rx_tsc; /* RUNNING: the latest segment on the control connection or a stream */
	uint64_t probe_tsc;  /* RUNNING: when the streams' lcores were last asked for theirs */
	struct rusage ru_start;
	uint8_t *txbuf; /* control send buffer (IP3_CTRL_BUF_MAX) */
};

/* The service's counters: reports print them under these names. */
#define IP3_STATS(X)                                                              \
	X(iperf_tests, "iperf3 tests completed")                                  \
	X(iperf_denied, "iperf3 clients refused: busy")                           \
	X(iperf_refused, "iperf3 tests refused: unsupported mode")                \
	X(iperf_no_sender, "iperf3 streams not sent on: no free bulk sender")     \
	X(iperf_aborted, "iperf3 tests aborted")                                  \
	X(iperf_udp_stray, "iperf3 UDP datagrams of no stream")                   \
	X(iperf_udp_short, "iperf3 UDP datagrams shorter than the iperf3 header") \
	X(iperf_udp_sent, "iperf3 UDP datagrams sent (-u -R)")                    \
	X(iperf_udp_held, "iperf3 UDP datagrams held for the next poll: tx buffer full")

#define IP3_STAT_FIELD(name, desc) uint64_t name;
struct ip3_stats {
	IP3_STATS(IP3_STAT_FIELD)
};
#undef IP3_STAT_FIELD

/* The service on one stack. */
struct ip3 {
	struct ip3_test test;
	uint64_t rcv_timeout_tsc;
	struct ip3_stats stats;          /* single writer: this lcore */
	struct ip3u_table udp;           /* UDP streams received on this stack */
	struct vns_udp_pattern *udp_pat; /* what sent datagrams carry after their header */
	struct ip3u_clock clock;         /* datagram send and arrival times */
	uint32_t udp_first;              /* where the next poll's round of senders begins */
	/* TCP streams this lcore sends on whose omit period has not ended: at its end their
	 * bulk's count so far is the base their result subtracts (iperf_reset_stats) */
	struct vns_conn_handle omit_wait[IP3_MAX_STREAMS];
	uint32_t n_omit_wait;
};

#define IP3_INC(svc, name) (ip3_of(svc)->stats.name++)

static struct ip3 *
ip3_of(struct vns_svc *svc)
{
	return svc->priv;
}

static struct ip3_test *
test_of(struct vns_svc *svc)
{
	return &ip3_of(svc)->test;
}

static struct ip3_shared *
shared_of(struct vns_svc *svc)
{
	return svc->shared;
}

static struct ip3_conn *
conn_of(struct vns_conn *c)
{
	return vns_conn_priv(c);
}

static void ip3_msg(struct vns_svc *svc, const struct vns_msg *msg);

static bool
is_stream(const struct ip3_conn *ic)
{
	return ic->role == IP3_ROLE_STREAM || ic->role == IP3_ROLE_SENDER;
}

static struct vns_conn *
ctrl_conn(struct vns_svc *svc)
{
	return vns_conn_from_handle(svc, test_of(svc)->ctrl);
}

/* The control connection is quiet for the whole test: the test's own deadlines bound it
 * instead of the stack's idle timeout. */
static void
set_role(struct vns_conn *c, enum ip3_role role)
{
	conn_of(c)->role = (uint8_t)role;
	vns_conn_set_idle_exempt(c, role == IP3_ROLE_CTRL);
}

static void
send_msg(struct vns_svc *svc, uint16_t q, enum ip3_msg_type type, struct vns_conn_handle conn,
	 uint16_t slot, uint32_t test_gen, uint64_t tsc, uint64_t bytes)
{
	struct ip3_msg b;

	memset(&b, 0, sizeof(b));
	b.conn = conn;
	b.slot = slot;
	b.test_gen = test_gen;
	b.tsc = tsc;
	b.bytes = bytes;
	vns_svc_send_msg(svc, q, (uint8_t)type, &b, sizeof(b));
}

/* A message about stream i of the owned test, to its lcore. */
static void
stream_msg(struct vns_svc *svc, uint32_t i, enum ip3_msg_type type, uint64_t tsc)
{
	struct ip3_test *t = test_of(svc);
	struct ip3_msg b;

	memset(&b, 0, sizeof(b));
	b.conn = t->streams[i].conn;
	b.slot = (uint16_t)i;
	b.test_gen = t->gen;
	b.tsc = tsc;
	b.flags = (t->streams[i].udp ? IP3_MSG_F_UDP : 0) |
		  (t->streams[i].sender ? IP3_MSG_F_SEND : 0);
	vns_svc_send_msg(svc, t->streams[i].queue, (uint8_t)type, &b, sizeof(b));
}

/* Frees the test slot for the next client. */
static void
release_test(struct vns_svc *svc)
{
	struct ip3_test *t = test_of(svc);
	struct vns_conn *c = ctrl_conn(svc);

	if (c != NULL && conn_of(c)->role == IP3_ROLE_CTRL) {
		struct vns_conn_info ci;

		vns_conn_info(c, &ci);
		set_role(c, IP3_ROLE_DENIED);
		/* Unsent or unacknowledged control data would point into the buffer the next test
		 * reuses: then this connection has to go. */
		if (ci.snd_queued > 0)
			vns_conn_abort(svc, c);
		else
			vns_conn_set_sndbuf(c, NULL, 0);
	}
	t->phase = IP3_IDLE;
	/* Release: the test's state is final before another lcore may claim the slot. */
	atomic_store_explicit(&shared_of(svc)->owner, 0, memory_order_release);
}

static void
record_test(struct vns_svc *svc, enum vns_close_reason reason)
{
	struct ip3_test *t = test_of(svc);
	struct vns_closed_rec rec;
	uint32_t i;

	memset(&rec, 0, sizeof(rec));
	rec.kind = VNS_CLOSED_IPERF3_TEST;
	rec.reason = (uint8_t)reason;
	rec.nb_streams = (uint8_t)RTE_MIN(t->accepted, 255u);
	rec.peer_ip = t->peer_ip;
	rec.peer_port = t->peer_port;
	rec.local_port = t->local_port;
	for (i = 0; i < t->accepted; i++)
		rec.bytes += t->streams[i].bytes;
	if (t->end_tsc > t->count_from_tsc && t->count_from_tsc != 0)
		rec.duration_us = (t->end_tsc - t->count_from_tsc) * 1000000 / svc->hz;
	vns_svc_record(svc, &rec, sizeof(rec));
}

static void
abort_test(struct vns_svc *svc)
{
	struct ip3_test *t = test_of(svc);
	struct vns_conn *c = ctrl_conn(svc);
	uint32_t i;

	for (i = 0; i < t->accepted; i++)
		if (!t->streams[i].final)
			stream_msg(svc, i, IP3_MSG_TEST_ABORT, 0);
	IP3_INC(svc, iperf_aborted);
	if (t->end_tsc == 0)
		t->end_tsc = vns_svc_now(svc);
	record_test(svc, VNS_CLOSE_ABORTED);
	if (c != NULL) {
		set_role(c, IP3_ROLE_DENIED);
		vns_conn_abort(svc, c);
	}
	release_test(svc);
}

static void
ctrl_send_state(struct vns_svc *svc, struct vns_conn *c, uint8_t state)
{
	vns_conn_send(svc, c, &state, 1);
}

/* SERVER_ERROR, then i_errno and errno as big-endian int32 (iperf3 client reads both). */
static void
refuse(struct vns_svc *svc, struct vns_conn *c, int32_t code, int32_t err)
{
	uint8_t b[9];
	uint32_t cb = rte_cpu_to_be_32((uint32_t)code), eb = rte_cpu_to_be_32((uint32_t)err);

	b[0] = IP3_SERVER_ERROR;
	memcpy(b + 1, &cb, 4);
	memcpy(b + 5, &eb, 4);
	IP3_INC(svc, iperf_refused);
	/* The 9 bytes must outlive the test buffer: the connection moves to its inline buffer,
	 * keeping the bytes still in flight (a pipelining client may not have ACKed
	 * PARAM_EXCHANGE yet) so the stream stays what was sent. If they do not fit, a RST. */
	set_role(c, IP3_ROLE_DENIED);
	if (vns_conn_sndbuf_inline(c) != 0 || vns_conn_send(svc, c, b, sizeof(b)) != 0) {
		vns_conn_abort(svc, c);
	} else {
		vns_conn_close(svc, c);
	}
	record_test(svc, VNS_CLOSE_ABORTED);
	release_test(svc);
}

static bool
param_true(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v != NULL && (json_is_true(v) || (json_is_integer(v) && json_integer_value(v) != 0));
}

static double
param_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v != NULL && json_is_number(v) ? json_number_value(v) : 0.0;
}

static void
params_received(struct vns_svc *svc, struct vns_conn *c, const uint8_t *js, uint32_t len)
{
	struct ip3_test *t = test_of(svc);
	json_error_t jerr;
	json_t *o = json_loadb((const char *)js, len, 0, &jerr);
	json_t *par;
	json_int_t n;
	double udp_len;

	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		refuse(svc, c, IP3_IERECVPARAMS, EINVAL);
		return;
	}
	t->udp = param_true(o, "udp");
	t->bidir = param_true(o, "bidirectional");
	/* -R: TCP streams take the stack's bulk sender, UDP ones the paced datagram sender. */
	t->reverse = !t->udp && param_true(o, "reverse");
	t->udp_reverse = t->udp && param_true(o, "reverse");
	/* SCTP is not ours, nor both -R and --bidir (the client refuses that itself), nor a UDP
	 * --bidir. */
	if (param_true(o, "sctp") || (param_true(o, "reverse") && t->bidir) ||
	    (t->udp && t->bidir)) {
		json_decref(o);
		refuse(svc, c, IP3_IEUNIMP, 0);
		return;
	}
	par = json_object_get(o, "parallel");
	n = par != NULL && json_is_integer(par) ? json_integer_value(par) : 1;
	if (n < 1 || n > IP3_MAX_STREAMS) {
		json_decref(o);
		refuse(svc, c, IP3_IENUMSTREAMS, 0);
		return;
	}
	/* --bidir: the client opens its sending streams, then as many receiving ones. */
	t->num_streams = (uint32_t)n * (t->bidir ? 2 : 1);
	if (t->num_streams > IP3_MAX_STREAMS) {
		json_decref(o);
		refuse(svc, c, IP3_IENUMSTREAMS, 0);
		return;
	}
	t->udp_c64 = param_true(o, "udp_counters_64bit");
	udp_len = json_object_get(o, "len") != NULL ? param_num(o, "len") : IP3_UDP_LEN_DEFAULT;
	t->udp_rate = param_num(o, "bandwidth") >= 1 ? (uint64_t)param_num(o, "bandwidth") : 0;
	t->omit = param_num(o, "omit");
	t->duration = param_num(o, "time");
	if (t->omit < 0 || t->omit > 3600)
		t->omit = 0;
	json_decref(o);
	/* 0 is a test without a deadline (-n, -k): the receive timeout bounds it. The negated
	 * test also refuses NaN. */
	if (!(t->duration >= 0 && t->duration <= IP3_TIME_MAX)) {
		refuse(svc, c, IP3_IEDURATION, 0);
		return;
	}
	/* A datagram shorter than the header carries no sequence number; one above the MTU
	 * would be fragmented, and the stack neither sends nor reassembles fragments. */
	if (t->udp &&
	    !(udp_len >= IP3U_HDR_LEN(t->udp_c64) && udp_len <= (double)vns_udp_payload_max(svc))) {
		refuse(svc, c, IP3U_IEUDPBLOCKSIZE, 0);
		return;
	}
	t->udp_len = t->udp ? (uint32_t)udp_len : 0;
	ctrl_send_state(svc, c, IP3_CREATE_STREAMS);
	t->phase = IP3_CREATE;
	t->deadline_tsc = vns_svc_now(svc) + IP3_SETUP_TIMEOUT_S * svc->hz;
	vns_conn_output(svc, c);
}

static int
cmp_syn(const void *a, const void *b)
{
	const struct ip3_stream *x = *(const struct ip3_stream *const *)a;
	const struct ip3_stream *y = *(const struct ip3_stream *const *)b;

	return x->syn_tsc < y->syn_tsc ? -1 : x->syn_tsc > y->syn_tsc;
}

static void
start_test(struct vns_svc *svc)
{
	struct ip3_test *t = test_of(svc);
	struct ip3_stream *order[IP3_MAX_STREAMS];
	struct vns_conn *c = ctrl_conn(svc);
	uint64_t now = vns_svc_now(svc);
	uint32_t i;

	/* iperf_add_stream numbering on the client: 1, then 3, 4, 5, ... */
	for (i = 0; i < t->accepted; i++)
		order[i] = &t->streams[i];
	qsort(order, t->accepted, sizeof(order[0]), cmp_syn);
	for (i = 0; i < t->accepted; i++) {
		order[i]->id = i == 0 ? 1 : (int)i + 2;
		order[i]->sender = t->reverse || (t->bidir && i >= t->accepted / 2);
	}

	t->running_tsc = now;
	t->count_from_tsc = now + (uint64_t)(t->omit * (double)svc->hz);
	/* The streams' lcores learn the start before the client does (ring first, then the
	 * TEST_RUNNING byte), so no byte of the test reaches an lcore not yet counting. */
	for (i = 0; i < t->accepted; i++)
		stream_msg(svc, i, IP3_MSG_TEST_RUNNING, t->count_from_tsc);
	getrusage(RUSAGE_SELF, &t->ru_start);
	t->phase = IP3_RUNNING;
	t->last_rx_tsc = now;
	t->probe_tsc = now;
	t->deadline_tsc = t->duration > 0
				  ? now + (uint64_t)((t->omit + t->duration + IP3_END_SLACK_S) *
						     (double)svc->hz)
				  : 0;
	if (c != NULL) {
		ctrl_send_state(svc, c, IP3_TEST_START);
		ctrl_send_state(svc, c, IP3_TEST_RUNNING);
		vns_conn_output(svc, c);
	}
}

static void
test_end(struct vns_svc *svc, struct vns_conn *c)
{
	struct ip3_test *t = test_of(svc);
	uint32_t i;

	t->end_tsc = vns_svc_now(svc);
	for (i = 0; i < t->accepted; i++)
		if (!t->streams[i].final)
			stream_msg(svc, i, IP3_MSG_TEST_END, 0);
	ctrl_send_state(svc, c, IP3_EXCHANGE_RESULTS);
	t->phase = IP3_RESULTS;
	t->rx_have = 0;
	t->rx_need = 0;
	t->deadline_tsc = t->end_tsc + IP3_SETUP_TIMEOUT_S * svc->hz;
	vns_conn_output(svc, c);
}

static double
tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The keys iperf3 3.12's client requires (get_results): cpu_util_*, sender_has_retransmits
 * and per stream id, bytes, retransmits, jitter, errors, packets; start/end times too. */
static int
send_results(struct vns_svc *svc)
{
	struct ip3_test *t = test_of(svc);
	struct vns_conn *c = ctrl_conn(svc);
	struct vns_conn_info ci;
	struct rusage ru;
	double wall, user, sys, secs;
	json_t *o, *arr;
	char *text;
	uint32_t i, len, be;
	int rc = -1;

	if (c == NULL)
		return -1;
	getrusage(RUSAGE_SELF, &ru);
	wall = (double)(t->end_tsc - t->running_tsc) / (double)svc->hz;
	user = tv_s(ru.ru_utime) - tv_s(t->ru_start.ru_utime);
	sys = tv_s(ru.ru_stime) - tv_s(t->ru_start.ru_stime);
	if (wall <= 0)
		wall = 1e-9;
	secs = t->end_tsc > t->count_from_tsc
		       ? (double)(t->end_tsc - t->count_from_tsc) / (double)svc->hz
		       : 0.0;

	o = json_object();
	arr = json_array();
	if (o == NULL || arr == NULL)
		goto out;
	json_object_set_new(o, "cpu_util_total", json_real(100.0 * (user + sys) / wall));
	json_object_set_new(o, "cpu_util_user", json_real(100.0 * user / wall));
	json_object_set_new(o, "cpu_util_system", json_real(100.0 * sys / wall));
	/* iperf3: -1 for a receiver only; a sender reports its retransmissions. */
	json_object_set_new(o, "sender_has_retransmits",
			    json_integer(t->reverse || t->bidir ? 1 : -1));
	for (i = 0; i < t->accepted; i++) {
		/* A TCP stream's are zero; a UDP stream's are its receiver's counts. */
		const struct ip3_udp_result *u = &t->streams[i].ures;
		json_t *s = json_object();

		if (s == NULL)
			goto out;
		json_object_set_new(s, "id", json_integer(t->streams[i].id));
		json_object_set_new(s, "bytes", json_integer((json_int_t)t->streams[i].bytes));
		json_object_set_new(s, "retransmits",
				    json_integer(t->streams[i].sender
							 ? (json_int_t)t->streams[i].retrans
							 : -1));
		json_object_set_new(s, "jitter", json_real(u->jitter));
		json_object_set_new(s, "errors", json_integer((json_int_t)u->errors));
		json_object_set_new(s, "omitted_errors",
				    json_integer((json_int_t)u->omitted_errors));
		json_object_set_new(s, "packets", json_integer((json_int_t)u->packets));
		json_object_set_new(s, "omitted_packets",
				    json_integer((json_int_t)u->omitted_packets));
		json_object_set_new(s, "start_time", json_real(0));
		json_object_set_new(s, "end_time", json_real(secs));
		json_array_append_new(arr, s);
	}
	json_object_set(o, "streams", arr);
	text = json_dumps(o, JSON_COMPACT);
	if (text == NULL)
		goto out;
	len = (uint32_t)strlen(text);
	vns_conn_info(c, &ci);
	if (len + 5 <= ci.snd_room) {
		be = rte_cpu_to_be_32(len);
		vns_conn_send(svc, c, &be, 4);
		vns_conn_send(svc, c, text, len);
		ctrl_send_state(svc, c, IP3_DISPLAY_RESULTS);
		vns_conn_output(svc, c);
		rc = 0;
	}
	free(text);
out:
	json_decref(arr);
	json_decref(o);
	return rc;
}

/* force: a stream's lcore did not answer in time; report what is known. */
static void
try_finish(struct vns_svc *svc, bool force)
{
	struct ip3_test *t = test_of(svc);
	uint32_t i;

	if (t->phase != IP3_COUNTS)
		return;
	for (i = 0; i < t->accepted && !force; i++)
		if (!t->streams[i].final)
			return;
	if (send_results(svc) != 0) {
		abort_test(svc);
		return;
	}
	t->phase = IP3_DISPLAY;
	t->deadline_tsc = vns_svc_now(svc) + IP3_SETUP_TIMEOUT_S * svc->hz;
}

/* Reads a 4-byte length then a JSON text (into rxbuf when store); returns 1 when complete,
 * -1 when the length is 0 or above max (iperf3 3.12 itself trusts it; we do not). */
static int
read_json(struct ip3_test *t, const uint8_t **p, uint32_t *n, uint32_t max, bool store)
{
	while (*n > 0) {
		uint32_t k;

		if (t->rx_need == 0) {
			t->rxbuf[t->rx_have++] = *(*p)++;
			(*n)--;
			if (t->rx_have == 4) {
				uint32_t be;

				memcpy(&be, t->rxbuf, 4);
				t->rx_need = rte_be_to_cpu_32(be);
				t->rx_have = 0;
				if (t->rx_need == 0 || t->rx_need > max)
					return -1;
			}
			continue;
		}
		k = RTE_MIN(*n, t->rx_need - t->rx_have);
		if (store)
			memcpy(t->rxbuf + t->rx_have, *p, k);
		t->rx_have += k;
		*p += k;
		*n -= k;
		if (t->rx_have == t->rx_need)
			return 1;
	}
	return 0;
}

static void
ctrl_bytes(struct vns_svc *svc, struct vns_conn *c, const uint8_t *p, uint32_t n)
{
	struct ip3_test *t = test_of(svc);

	t->last_rx_tsc = vns_svc_now(svc);
	while (n > 0 && conn_of(c)->role == IP3_ROLE_CTRL) {
		uint8_t b;
		int r;

		switch (t->phase) {
		case IP3_PARAMS:
			r = read_json(t, &p, &n, IP3_CTRL_BUF_MAX, true);
			if (r < 0) {
				refuse(svc, c, IP3_IERECVPARAMS, EMSGSIZE);
				return;
			}
			if (r > 0)
				params_received(svc, c, t->rxbuf, t->rx_need);
			break;
		case IP3_RESULTS:
			/* Only skipped, so a client with many streams may send more. */
			r = read_json(t, &p, &n, IP3_CLIENT_RESULTS_MAX, false);
			if (r < 0) {
				abort_test(svc);
				return;
			}
			if (r > 0) {
				/* The client's own results are not needed by a sink. */
				t->phase = IP3_COUNTS;
				t->deadline_tsc = vns_svc_now(svc) + IP3_COUNTS_TIMEOUT_S * svc->hz;
				try_finish(svc, false);
			}
			break;
		case IP3_CREATE:
		case IP3_RUNNING:
		case IP3_DISPLAY:
			b = *p++;
			n--;
			if (b == IP3_CLIENT_TERMINATE) {
				abort_test(svc);
				return;
			}
			if (b == IP3_TEST_END && t->phase == IP3_RUNNING) {
				test_end(svc, c);
			} else if (b == IP3_IPERF_DONE && t->phase == IP3_DISPLAY) {
				IP3_INC(svc, iperf_tests);
				record_test(svc, VNS_CLOSE_FIN);
				release_test(svc);
				return;
			}
			break;
		default:
			n = 0; /* COUNTS: the client says nothing until it has our results */
			break;
		}
	}
}

static void
become_owner(struct vns_svc *svc, struct vns_conn *c)
{
	struct ip3_test *t = test_of(svc);
	struct vns_conn_info ci;
	uint64_t now = vns_svc_now(svc);

	vns_conn_info(c, &ci);
	t->phase = IP3_PARAMS;
	t->gen = atomic_fetch_add_explicit(&shared_of(svc)->test_gen, 1, memory_order_relaxed) + 1;
	memcpy(t->cookie, conn_of(c)->cookie, IP3_COOKIE_LEN);
	t->ctrl = vns_conn_handle_of(svc, c);
	t->peer_ip = ci.peer_ip;
	t->peer_port = ci.peer_port;
	t->local_port = ci.local_port;
	t->rx_have = 0;
	t->rx_need = 0;
	t->num_streams = 0;
	t->accepted = 0;
	t->udp = false;
	t->udp_c64 = false;
	t->reverse = false;
	t->bidir = false;
	t->udp_reverse = false;
	t->udp_len = 0;
	t->udp_rate = 0;
	t->omit = 0;
	t->duration = 0;
	t->running_tsc = 0;
	t->count_from_tsc = 0;
	t->end_tsc = 0;
	t->deadline_tsc = now + IP3_SETUP_TIMEOUT_S * svc->hz;
	memset(t->streams, 0, sizeof(t->streams));
	set_role(c, IP3_ROLE_CTRL);
	vns_conn_set_sndbuf(c, t->txbuf, IP3_CTRL_BUF_MAX);
	ctrl_send_state(svc, c, IP3_PARAM_EXCHANGE);
	vns_conn_output(svc, c);
}

static void
cookie_complete(struct vns_svc *svc, struct vns_conn *c)
{
	struct ip3_shared *sh = shared_of(svc);
	struct ip3_conn *ic = conn_of(c);
	struct vns_conn_info ci;
	struct ip3_msg b;
	int expected = 0;
	int owner;

	/* Acquire: pairs with the release in release_test. */
	owner = atomic_load_explicit(&sh->owner, memory_order_acquire);
	if (owner == 0 &&
	    atomic_compare_exchange_strong_explicit(&sh->owner, &expected, (int)svc->queue_id + 1,
						    memory_order_acq_rel, memory_order_acquire)) {
		become_owner(svc, c);
		return;
	}
	if (owner == 0)
		owner = expected;
	/* Not the control connection of a new test: a stream of the running one, or a second
	 * client. Only the owner can tell. */
	vns_conn_set_payload(svc, c, false);
	set_role(c, IP3_ROLE_WAIT);
	vns_conn_info(c, &ci);
	memset(&b, 0, sizeof(b));
	b.conn = vns_conn_handle_of(svc, c);
	b.tsc = ci.open_tsc;
	memcpy(b.cookie, ic->cookie, IP3_COOKIE_LEN);
	if (owner == 0 || vns_svc_send_msg(svc, (uint16_t)(owner - 1), IP3_MSG_STREAM_HELLO, &b,
					   sizeof(b)) != 0) {
		struct vns_msg deny;

		memset(&deny, 0, sizeof(deny));
		deny.type = IP3_MSG_STREAM_DENY;
		deny.from_queue = svc->queue_id;
		memcpy(deny.body, &b, sizeof(b));
		ip3_msg(svc, &deny);
	}
}

static void
ip3_open(struct vns_svc *svc, struct vns_conn *c)
{
	/* The cookie and the control messages are read from the bytes. */
	vns_conn_set_payload(svc, c, true);
}

static void
ip3_data(struct vns_svc *svc, struct vns_conn *c, const struct rte_mbuf *m, uint32_t off,
	 uint32_t len)
{
	struct ip3_conn *ic = conn_of(c);
	uint8_t buf[512];

	switch (ic->role) {
	case IP3_ROLE_STREAM:
		if (ic->counting == IP3_COUNT_RUNNING && vns_svc_now(svc) >= ic->count_from_tsc)
			ic->counted += len;
		return;
	case IP3_ROLE_NEW:
	case IP3_ROLE_CTRL:
		break;
	default:
		return;
	}
	if (m == NULL)
		return;
	while (len > 0 && (ic->role == IP3_ROLE_NEW || ic->role == IP3_ROLE_CTRL)) {
		uint32_t k = RTE_MIN(len, (uint32_t)sizeof(buf));
		const uint8_t *p = rte_pktmbuf_read(m, off, k, buf);

		if (p == NULL)
			return;
		if (ic->role == IP3_ROLE_NEW) {
			uint32_t n = RTE_MIN(k, (uint32_t)(IP3_COOKIE_LEN - ic->cookie_len));

			memcpy(ic->cookie + ic->cookie_len, p, n);
			ic->cookie_len = (uint8_t)(ic->cookie_len + n);
			off += n;
			len -= n;
			if (ic->cookie_len == IP3_COOKIE_LEN)
				cookie_complete(svc, c);
			continue;
		}
		ctrl_bytes(svc, c, p, k);
		off += k;
		len -= k;
	}
}

/* A sending stream's omit period is over when the stack's clock passes count_from_tsc: the
 * bytes its bulk sent so far are the base (once; counted is its sent bytes' omitted part). */
static void
sender_omit_end(struct vns_svc *svc, struct vns_conn *c)
{
	struct ip3 *ip = ip3_of(svc);
	struct ip3_conn *ic = conn_of(c);
	struct vns_conn_handle h = vns_conn_handle_of(svc, c);
	struct vns_conn_info ci;
	uint32_t i;

	for (i = 0; i < ip->n_omit_wait; i++)
		if (ip->omit_wait[i].idx == h.idx && ip->omit_wait[i].gen == h.gen)
			break;
	if (i == ip->n_omit_wait || vns_svc_now(svc) < ic->count_from_tsc)
		return;
	vns_conn_info(c, &ci);
	ic->counted = ci.bulk_sent;
	ip->omit_wait[i] = ip->omit_wait[--ip->n_omit_wait];
}

/* Each poll: the sending streams whose omit period ended (or that went away). */
static void
senders_omit_poll(struct vns_svc *svc)
{
	struct ip3 *ip = ip3_of(svc);
	uint32_t i = 0;

	while (i < ip->n_omit_wait) {
		struct vns_conn *c = vns_conn_from_handle(svc, ip->omit_wait[i]);
		uint32_t n = ip->n_omit_wait;

		if (c == NULL || conn_of(c)->role != IP3_ROLE_SENDER) {
			ip->omit_wait[i] = ip->omit_wait[--ip->n_omit_wait];
			continue;
		}
		sender_omit_end(svc, c);
		if (ip->n_omit_wait == n)
			i++;
	}
}

/* A stream's final count to the owner: the bytes received since TEST_RUNNING + omit, or for
 * a stream we send on, the bytes sent at least once and its retransmitted segments. */
static void
stream_final(struct vns_svc *svc, struct vns_conn *c, uint16_t owner_queue)
{
	struct ip3_conn *ic = conn_of(c);
	uint64_t bytes = ic->counted, retrans = 0;

	if (ic->role == IP3_ROLE_SENDER) {
		struct vns_conn_info ci;

		/* What went out in the omit period is not the test's (bytes_sent_omit). */
		sender_omit_end(svc, c);
		bytes = vns_conn_bulk_stop(svc, c);
		bytes = vns_svc_now(svc) >= ic->count_from_tsc ? bytes - ic->counted : 0;
		vns_conn_info(c, &ci);
		retrans = ci.retrans_segs;
	}
	ic->counting = IP3_COUNT_DONE;
	send_msg(svc, owner_queue, IP3_MSG_STREAM_BYTES, VNS_CONN_HANDLE_NONE, ic->slot,
		 ic->test_gen, retrans, bytes);
}

static void
ip3_closed(struct vns_svc *svc, struct vns_conn *c, enum vns_close_reason why)
{
	struct ip3_test *t = test_of(svc);
	struct ip3_conn *ic = conn_of(c);
	struct vns_conn_handle h;

	RTE_SET_USED(why);
	if ((ic->role == IP3_ROLE_STREAM || ic->role == IP3_ROLE_SENDER) &&
	    ic->counting != IP3_COUNT_DONE) {
		/* Gone before TEST_END: its count is final now. */
		stream_final(svc, c, ic->owner_queue);
		return;
	}
	if (ic->role != IP3_ROLE_CTRL || t->phase == IP3_IDLE)
		return;
	h = vns_conn_handle_of(svc, c);
	if (h.idx == t->ctrl.idx && h.gen == t->ctrl.gen) {
		/* The client went away mid-test: clean up so the next test can run. The connection
		 * is being closed by the stack; keep abort_test from aborting it again. */
		ic->role = IP3_ROLE_DENIED;
		t->ctrl = VNS_CONN_HANDLE_NONE;
		abort_test(svc);
	}
}

static uint64_t
clock_ns(const struct vns_svc *svc, uint64_t tsc)
{
	const struct ip3 *ip = svc->priv;

	return ip3u_clock_ns(&ip->clock, tsc);
}

/* A datagram from no known stream: a connect datagram goes to the test's owner, which
 * accepts it as the next stream; the answer goes out when it does (iperf_udp_accept). */
static void
udp_connect(struct vns_svc *svc, const struct vns_udp_peer *peer, const struct rte_mbuf *m,
	    uint32_t off, uint32_t len)
{
	struct ip3 *ip = ip3_of(svc);
	struct ip3u_stream *s;
	uint8_t buf[4], reply[4];
	const uint8_t *p = len == 4 ? rte_pktmbuf_read(m, off, 4, buf) : NULL;
	struct ip3_msg b;
	int owner;

	owner = atomic_load_explicit(&shared_of(svc)->owner, memory_order_acquire);
	if (p == NULL || ip3u_connect_reply(p, reply) != 0 || owner == 0) {
		IP3_INC(svc, iperf_udp_stray);
		return;
	}
	s = ip3u_alloc(&ip->udp);
	if (s == NULL && vns_svc_now(svc) > IP3_SETUP_TIMEOUT_S * svc->hz &&
	    ip3u_reclaim(&ip->udp,
			 atomic_load_explicit(&shared_of(svc)->test_gen, memory_order_relaxed),
			 vns_svc_now(svc) - IP3_SETUP_TIMEOUT_S * svc->hz) > 0)
		s = ip3u_alloc(&ip->udp);
	if (s == NULL) {
		IP3_INC(svc, iperf_udp_stray);
		return;
	}
	s->peer = *peer;
	s->state = IP3U_WAIT;
	memcpy(s->reply, reply, 4);
	s->last_rx_tsc = vns_svc_now(svc);
	memset(&b, 0, sizeof(b));
	b.conn.idx = (uint32_t)(s - ip->udp.s);
	b.conn.gen = s->gen;
	b.tsc = vns_svc_now(svc);
	b.bytes = peer->ip;
	if (vns_svc_send_msg(svc, (uint16_t)(owner - 1), IP3_MSG_UDP_HELLO, &b, sizeof(b)) != 0) {
		ip3u_free(&ip->udp, s);
		IP3_INC(svc, iperf_udp_stray);
	}
}

static void
ip3_datagram(struct vns_svc *svc, const struct vns_udp_peer *peer, const struct rte_mbuf *m,
	     uint32_t off, uint32_t len)
{
	struct ip3u_stream *s = ip3u_lookup(&ip3_of(svc)->udp, peer);
	uint64_t now = vns_svc_now(svc);
	uint8_t buf[16];
	const uint8_t *p;

	if (s == NULL) {
		udp_connect(svc, peer, m, off, len);
		return;
	}
	s->last_rx_tsc = now;
	/* Before TEST_RUNNING iperf3 does not count either. */
	if (s->state != IP3U_RUNNING)
		return;
	p = len >= IP3U_HDR_LEN(s->c64) ? rte_pktmbuf_read(m, off, IP3U_HDR_LEN(s->c64), buf)
					: NULL;
	if (p == NULL) {
		IP3_INC(svc, iperf_udp_short);
		return;
	}
	if (!s->omit_done && now >= s->count_from_tsc) {
		ip3u_omit_end(&s->acct);
		s->omit_done = true;
	}
	ip3u_account(&s->acct, p, len, clock_ns(svc, now), s->c64);
}

static void
udp_send_result(struct vns_svc *svc, uint16_t queue, const struct ip3u_stream *s)
{
	struct ip3_udp_result r;

	memset(&r, 0, sizeof(r));
	r.test_gen = s->test_gen;
	r.slot = s->slot;
	if (s->reverse) {
		/* A sender's: bytes since the omit period (iperf3's bytes_sent - bytes_sent_omit),
		 * packets all it sent, no jitter or loss. */
		r.bytes = s->tx.bytes - s->tx.omit_bytes;
		r.packets = s->tx.packets;
		vns_svc_send_msg(svc, queue, IP3_MSG_UDP_RESULT, &r, sizeof(r));
		return;
	}
	/* Still in the omit period: nothing counts yet (iperf3 resets at its end). */
	if (s->omit_done) {
		r.bytes = s->acct.bytes;
		r.jitter = s->acct.jitter;
	}
	r.packets = s->acct.packet_count;
	r.errors = s->acct.cnt_error;
	r.omitted_packets = s->acct.omitted_packets;
	r.omitted_errors = s->acct.omitted_errors;
	vns_svc_send_msg(svc, queue, IP3_MSG_UDP_RESULT, &r, sizeof(r));
}

/* The owner's messages about a UDP stream of this lcore. */
static void
udp_msg(struct vns_svc *svc, const struct vns_msg *msg, const struct ip3_msg *b)
{
	struct ip3u_table *tb = &ip3_of(svc)->udp;
	struct ip3u_stream *s = b->conn.idx < IP3U_TABLE_MAX ? &tb->s[b->conn.idx] : NULL;

	if (s != NULL && (s->state == IP3U_FREE || s->gen != b->conn.gen))
		s = NULL;
	switch (msg->type) {
	case IP3_MSG_UDP_ACCEPT:
		if (s == NULL || s->state != IP3U_WAIT) {
			/* Gone meanwhile: a final empty count keeps the owner from waiting. */
			struct ip3u_stream gone = { .slot = b->slot, .test_gen = b->test_gen };

			udp_send_result(svc, msg->from_queue, &gone);
			return;
		}
		s->state = IP3U_STREAM;
		s->slot = b->slot;
		s->test_gen = b->test_gen;
		s->owner_queue = msg->from_queue;
		s->c64 = (b->bytes & IP3_UDP_ACC_C64) != 0;
		s->reverse = (b->bytes & IP3_UDP_ACC_REVERSE) != 0;
		s->len = IP3_UDP_ACC_LEN(b->bytes);
		s->rate = b->tsc;
		vns_udp_send(svc, &s->peer, s->reply, sizeof(s->reply));
		return;
	case IP3_MSG_UDP_DENY:
		if (s != NULL && s->state == IP3U_WAIT)
			ip3u_free(tb, s);
		return;
	default:
		break;
	}
	if (s == NULL || s->state == IP3U_WAIT || s->test_gen != b->test_gen)
		return;
	switch (msg->type) {
	case IP3_MSG_TEST_RUNNING:
		s->count_from_tsc = b->tsc;
		if (!s->reverse) {
			s->state = IP3U_RUNNING;
			return;
		}
		/* The client reads its socket from TEST_RUNNING on, so datagrams that beat that
		 * byte wait there and count. */
		if (s->state != IP3U_SENDING)
			tb->n_sending++;
		s->state = IP3U_SENDING;
		ip3u_tx_start(&s->tx, &s->peer, s->len, s->c64, s->rate, svc->hz, vns_svc_now(svc));
		return;
	case IP3_MSG_TEST_END:
		udp_send_result(svc, msg->from_queue, s);
		ip3u_free(tb, s); /* datagrams still in flight count as strays */
		return;
	case IP3_MSG_TEST_ABORT:
		ip3u_free(tb, s);
		return;
	case IP3_MSG_STREAM_PROBE:
		/* A sending stream is alive by itself; a receiving one when datagrams come. */
		send_msg(svc, msg->from_queue, IP3_MSG_STREAM_ALIVE, VNS_CONN_HANDLE_NONE, s->slot,
			 s->test_gen, s->state == IP3U_SENDING ? vns_svc_now(svc) : s->last_rx_tsc,
			 0);
		return;
	default:
		return;
	}
}

static void
ip3_msg(struct vns_svc *svc, const struct vns_msg *msg)
{
	struct ip3_test *t = test_of(svc);
	struct ip3_conn *ic;
	struct vns_conn *c;
	struct ip3_msg b;
	uint32_t slot;

	memcpy(&b, msg->body, sizeof(b));
	switch (msg->type) {
	case IP3_MSG_STREAM_HELLO:
		if (t->phase != IP3_CREATE || t->accepted >= t->num_streams || t->udp ||
		    memcmp(b.cookie, t->cookie, IP3_COOKIE_LEN) != 0) {
			send_msg(svc, msg->from_queue, IP3_MSG_STREAM_DENY, b.conn, 0, 0, 0, 0);
			return;
		}
		slot = t->accepted++;
		t->streams[slot].queue = msg->from_queue;
		t->streams[slot].conn = b.conn;
		t->streams[slot].syn_tsc = b.tsc;
		t->streams[slot].bytes = 0;
		t->streams[slot].final = false;
		send_msg(svc, msg->from_queue, IP3_MSG_STREAM_ACCEPT, b.conn, (uint16_t)slot,
			 t->gen, 0, 0);
		if (t->accepted == t->num_streams)
			start_test(svc);
		return;
	case IP3_MSG_UDP_HELLO:
		/* iperf3 accepts any datagram on its port as a stream while it creates them; the
		 * client's address must at least be the control connection's. */
		if (t->phase != IP3_CREATE || t->accepted >= t->num_streams || !t->udp ||
		    (rte_be32_t)b.bytes != t->peer_ip) {
			send_msg(svc, msg->from_queue, IP3_MSG_UDP_DENY, b.conn, 0, 0, 0, 0);
			return;
		}
		slot = t->accepted++;
		memset(&t->streams[slot], 0, sizeof(t->streams[slot]));
		t->streams[slot].queue = msg->from_queue;
		t->streams[slot].conn = b.conn;
		t->streams[slot].syn_tsc = b.tsc;
		t->streams[slot].udp = true;
		send_msg(svc, msg->from_queue, IP3_MSG_UDP_ACCEPT, b.conn, (uint16_t)slot, t->gen,
			 t->udp_rate,
			 (t->udp_c64 ? IP3_UDP_ACC_C64 : 0) |
				 (t->udp_reverse ? IP3_UDP_ACC_REVERSE : 0) |
				 ((uint64_t)t->udp_len << 32));
		if (t->accepted == t->num_streams)
			start_test(svc);
		return;
	case IP3_MSG_UDP_RESULT: {
		struct ip3_udp_result r;

		memcpy(&r, msg->body, sizeof(r));
		if (t->phase == IP3_IDLE || r.test_gen != t->gen || r.slot >= t->accepted ||
		    !t->streams[r.slot].udp)
			return;
		t->streams[r.slot].ures = r;
		t->streams[r.slot].bytes = r.bytes;
		t->streams[r.slot].final = true;
		try_finish(svc, false);
		return;
	}
	case IP3_MSG_STREAM_BYTES:
		if (t->phase == IP3_IDLE || b.test_gen != t->gen || b.slot >= t->accepted)
			return;
		t->streams[b.slot].bytes = b.bytes;
		t->streams[b.slot].retrans = t->streams[b.slot].sender ? b.tsc : 0;
		t->streams[b.slot].final = true;
		try_finish(svc, false);
		return;
	case IP3_MSG_STREAM_ALIVE:
		if (t->phase == IP3_RUNNING && b.test_gen == t->gen && b.tsc > t->last_rx_tsc)
			t->last_rx_tsc = b.tsc;
		return;
	default:
		break;
	}

	if ((b.flags & IP3_MSG_F_UDP) || msg->type == IP3_MSG_UDP_ACCEPT ||
	    msg->type == IP3_MSG_UDP_DENY) {
		udp_msg(svc, msg, &b);
		return;
	}
	/* Messages about a connection of this lcore. */
	c = vns_conn_from_handle(svc, b.conn);
	ic = c != NULL ? conn_of(c) : NULL;
	switch (msg->type) {
	case IP3_MSG_STREAM_ACCEPT:
		if (ic == NULL || ic->role != IP3_ROLE_WAIT) {
			send_msg(svc, msg->from_queue, IP3_MSG_STREAM_BYTES, VNS_CONN_HANDLE_NONE,
				 b.slot, b.test_gen, 0, 0);
			return;
		}
		set_role(c, IP3_ROLE_STREAM);
		ic->slot = b.slot;
		ic->test_gen = b.test_gen;
		ic->owner_queue = msg->from_queue;
		ic->counting = IP3_COUNT_BEFORE;
		ic->counted = 0;
		return;
	case IP3_MSG_STREAM_DENY:
		if (ic == NULL || ic->role != IP3_ROLE_WAIT)
			return;
		/* iperf3's answer to a client while busy: one byte, then close. */
		set_role(c, IP3_ROLE_DENIED);
		IP3_INC(svc, iperf_denied);
		{
			uint8_t denied = IP3_ACCESS_DENIED;

			vns_conn_send(svc, c, &denied, 1);
		}
		vns_conn_close(svc, c);
		return;
	case IP3_MSG_TEST_RUNNING:
		if (ic == NULL || ic->role != IP3_ROLE_STREAM || ic->test_gen != b.test_gen)
			return;
		ic->counting = IP3_COUNT_RUNNING;
		ic->count_from_tsc = b.tsc;
		if (b.flags & IP3_MSG_F_SEND) {
			/* iperf3's server writes from TEST_RUNNING on; the client reads once it has
			 * seen TEST_RUNNING, which follows this message. */
			set_role(c, IP3_ROLE_SENDER);
			if (vns_conn_bulk_start(svc, c, VNS_CONN_BULK_UNLIMITED) != 0)
				IP3_INC(svc, iperf_no_sender);
			else if (b.tsc > vns_svc_now(svc) &&
				 ip3_of(svc)->n_omit_wait < IP3_MAX_STREAMS)
				ip3_of(svc)->omit_wait[ip3_of(svc)->n_omit_wait++] =
					vns_conn_handle_of(svc, c);
		}
		return;
	case IP3_MSG_TEST_END:
		if (ic == NULL || !is_stream(ic) || ic->test_gen != b.test_gen ||
		    ic->counting == IP3_COUNT_DONE)
			return;
		stream_final(svc, c, msg->from_queue);
		/* iperf3 3.12's server closes its streams at TEST_END, and its -R client waits
		 * for their end before it reads the control connection again: our FIN follows
		 * the bulk's last byte. */
		if (ic->role == IP3_ROLE_SENDER)
			vns_conn_close(svc, c);
		return;
	case IP3_MSG_TEST_ABORT:
		if (ic == NULL || !is_stream(ic) || ic->test_gen != b.test_gen)
			return;
		vns_conn_bulk_stop(svc, c);
		vns_conn_detach(c); /* keep ACKing until the client closes */
		return;
	case IP3_MSG_STREAM_PROBE:
		if (ic == NULL || !is_stream(ic) || ic->test_gen != b.test_gen)
			return;
		{
			struct vns_conn_info ci;

			vns_conn_info(c, &ci);
			send_msg(svc, msg->from_queue, IP3_MSG_STREAM_ALIVE, VNS_CONN_HANDLE_NONE,
				 ic->slot, ic->test_gen, ci.last_rx_tsc, 0);
		}
		return;
	default:
		return;
	}
}

/*
 * The receive timeout of a running test (stock iperf3's --rcv-timeout): the test ends when
 * neither its control connection nor any stream has received a segment for rcv_timeout. The
 * streams live on other lcores: once a second of silence is seen here, their lcores are asked
 * (STREAM_PROBE) when each stream last received, so the data path pays nothing for it.
 * Returns true when the test was aborted.
 */
static bool
rcv_timeout(struct vns_svc *svc, uint64_t now)
{
	struct ip3_test *t = test_of(svc);
	uint32_t i;

	if (now - t->last_rx_tsc >= ip3_of(svc)->rcv_timeout_tsc) {
		abort_test(svc);
		return true;
	}
	if (now - t->last_rx_tsc < svc->hz || now - t->probe_tsc < svc->hz)
		return false;
	t->probe_tsc = now;
	for (i = 0; i < t->accepted; i++)
		if (!t->streams[i].final)
			stream_msg(svc, i, IP3_MSG_STREAM_PROBE, 0);
	return false;
}

/* The UDP streams this lcore sends (-u -R), from TEST_RUNNING to TEST_END. */
static void
udp_send_poll(struct vns_svc *svc)
{
	struct ip3 *ip = ip3_of(svc);
	struct ip3u_table *tb = &ip->udp;
	uint64_t now = vns_svc_now(svc), us = clock_ns(svc, now) / 1000, held;
	uint32_t i, seen, start;

	/* Each poll starts after the stream that went first in the last one: streams that
	 * share a short tx room take turns at it. */
	for (i = 0, seen = 0, start = ip->udp_first; i < IP3U_TABLE_MAX && seen < tb->n_sending;
	     i++) {
		uint32_t k = (start + i) % IP3U_TABLE_MAX;
		struct ip3u_stream *s = &tb->s[k];

		if (s->state != IP3U_SENDING)
			continue;
		if (seen++ == 0)
			ip->udp_first = (k + 1) % IP3U_TABLE_MAX;
		if (!s->omit_done && now >= s->count_from_tsc) {
			ip3u_tx_omit_end(&s->tx);
			s->omit_done = true;
		}
		held = s->tx.held;
		ip->stats.iperf_udp_sent += ip3u_tx_poll(&s->tx, svc, ip->udp_pat, now, us);
		ip->stats.iperf_udp_held += s->tx.held - held;
	}
}

static void
ip3_poll(struct vns_svc *svc)
{
	struct ip3_test *t = test_of(svc);

	if (ip3_of(svc)->udp.n_sending != 0)
		udp_send_poll(svc);
	if (ip3_of(svc)->n_omit_wait != 0)
		senders_omit_poll(svc);

	if (t->phase == IP3_RUNNING && rcv_timeout(svc, vns_svc_now(svc)))
		return;
	if (t->phase == IP3_IDLE || t->deadline_tsc == 0 || vns_svc_now(svc) < t->deadline_tsc)
		return;
	if (t->phase == IP3_COUNTS)
		try_finish(svc, true); /* a stream's lcore did not answer: report what we have */
	else
		abort_test(svc);
}

static const char *
ip3_conn_state(const struct vns_svc *svc, const struct vns_conn *c)
{
#define IP3_ROLE_NAME(name, str) [IP3_ROLE_##name] = str,
	static const char *const names[] = { IP3_ROLES(IP3_ROLE_NAME) };
#undef IP3_ROLE_NAME
	const struct ip3_conn *ic = vns_conn_priv_const(c);
	uint8_t role = __atomic_load_n(&ic->role, __ATOMIC_RELAXED);

	RTE_SET_USED(svc);
	return role < RTE_DIM(names) ? names[role] : "?";
}

static void
ip3_counters_get(const struct vns_svc *svc, uint64_t *values)
{
	const struct ip3 *ip = svc->priv;
	unsigned int i = 0;

	/* Single writer: per-field relaxed loads give each counter a value it really had. */
#define IP3_STAT_COPY(name, desc) values[i++] = __atomic_load_n(&ip->stats.name, __ATOMIC_RELAXED);
	IP3_STATS(IP3_STAT_COPY)
#undef IP3_STAT_COPY
}

#define IP3_STAT_DESC(name, desc) { #name, desc },
static const struct vns_service_counter ip3_counters[] = { IP3_STATS(IP3_STAT_DESC) };
#undef IP3_STAT_DESC

static void
ip3_fini(struct vns_svc *svc)
{
	struct ip3 *ip = svc->priv;

	if (ip == NULL)
		return;
	if (ip->test.phase != IP3_IDLE)
		atomic_store_explicit(&shared_of(svc)->owner, 0, memory_order_release);
	rte_free(ip->test.rxbuf);
	rte_free(ip->test.txbuf);
	vns_udp_pattern_free(ip->udp_pat);
	rte_free(ip);
	svc->priv = NULL;
}

/* Without a port the instance only holds the counters (they stay in the reports). */
static int
ip3_init(struct vns_svc *svc, char *err, size_t errlen)
{
	const struct vns_iperf3_conf *conf = svc->conf;
	uint32_t rcv_timeout_s = conf != NULL && conf->rcv_timeout_s != 0
					 ? conf->rcv_timeout_s
					 : VNS_IPERF3_RCV_TIMEOUT_S;
	struct ip3 *ip;

	ip = rte_zmalloc_socket("vns_ip3", sizeof(*ip), RTE_CACHE_LINE_SIZE, svc->socket_id);
	if (ip == NULL)
		goto nomem;
	ip->test.ctrl = VNS_CONN_HANDLE_NONE;
	ip->rcv_timeout_tsc = (uint64_t)rcv_timeout_s * svc->hz;
	ip3u_clock_init(&ip->clock, svc->hz);
	svc->priv = ip;
	if (svc->port == 0)
		return 0;
	ip->test.rxbuf = rte_malloc_socket("vns_ip3_rx", IP3_CTRL_BUF_MAX + 4, 0, svc->socket_id);
	ip->test.txbuf = rte_malloc_socket("vns_ip3_tx", IP3_CTRL_BUF_MAX, 0, svc->socket_id);
	ip->udp_pat = vns_udp_pattern_create(IP3_UDP_PATTERN_LEN, svc->socket_id, NULL, 0);
	if (ip->test.rxbuf == NULL || ip->test.txbuf == NULL || ip->udp_pat == NULL) {
		ip3_fini(svc);
		goto nomem;
	}
	return 0;
nomem:
	vns_set_err(err, errlen,
		    "iperf3: out of DPDK memory for the test state (%zu KiB); raise "
		    "-m or the hugepages",
		    (sizeof(*ip) + 2 * IP3_CTRL_BUF_MAX) >> 10);
	return -ENOMEM;
}

const struct vns_service_ops vns_iperf3_ops = {
	.name = "iperf3",
	.conn_priv_size = sizeof(struct ip3_conn),
	.shared_size = sizeof(struct ip3_shared),
	.init = ip3_init,
	.fini = ip3_fini,
	.open = ip3_open,
	.data = ip3_data,
	.datagram = ip3_datagram,
	.closed = ip3_closed,
	.msg = ip3_msg,
	.poll = ip3_poll,
	.conn_state = ip3_conn_state,
	.counters = ip3_counters,
	.nb_counters = RTE_DIM(ip3_counters),
	.counters_get = ip3_counters_get,
};
