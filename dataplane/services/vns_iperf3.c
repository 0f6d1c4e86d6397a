/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iperf3 3.12 server side of a TCP test (receive only), share-nothing across lcores.
 *
 * Every connection to the iperf3 port starts by sending a 37-byte cookie. When it is
 * complete the lcore looks at vns_shared.test_owner:
 *  - no test: it claims the test with one compare-and-swap and becomes the test's owner;
 *    this connection is the control connection and the owner runs the protocol on it;
 *  - a test runs: the cookie goes to the owner's inbox (STREAM_HELLO); the owner accepts it
 *    as data stream k (STREAM_ACCEPT) or refuses it (STREAM_DENY -> ACCESS_DENIED byte).
 * The owner starts the test when all streams are in (RUNNING to each stream's lcore, then
 * TEST_START + TEST_RUNNING to the client), and on TEST_END asks each lcore for its stream's
 * final count (TEST_END -> STREAM_BYTES). Stream lcores count a stream's in-order bytes from
 * TEST_RUNNING + omit until TEST_END, which is what iperf3's own server reports.
 * Stream ids follow the order of the streams' SYNs (1, 3, 4, ...: iperf3 skips 2), as the
 * client opens stream i+1 only after stream i has connected.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include <jansson.h>
#include <rte_malloc.h>

#include "vns_stack_priv.h"

/* iperf3 states on the wire (iperf_api.h, 3.12) */
#define IP3_TEST_START 1
#define IP3_TEST_RUNNING 2
#define IP3_TEST_END 4
#define IP3_PARAM_EXCHANGE 9
#define IP3_CREATE_STREAMS 10
#define IP3_CLIENT_TERMINATE 12
#define IP3_EXCHANGE_RESULTS 13
#define IP3_DISPLAY_RESULTS 14
#define IP3_IPERF_DONE 16
#define IP3_ACCESS_DENIED 0xff
#define IP3_SERVER_ERROR 0xfe

/* iperf3 error codes (i_errno) the client turns into a message */
#define IP3_IENUMSTREAMS 6     /* "number of parallel streams too large" */
#define IP3_IEUNIMP 13         /* "an option you are trying to set is not implemented yet" */
#define IP3_IERECVPARAMS 114   /* "unable to receive parameters from client" + errno */

#define IP3_SETUP_TIMEOUT_S 30
#define IP3_END_SLACK_S 60
#define IP3_COUNTS_TIMEOUT_S 2
#define IP3_CLIENT_RESULTS_MAX (16u << 20)

static struct vns_ip3_test *test_of(struct vns_stack *st)
{
	return &st->test;
}

static struct vns_flow *ctrl_flow(struct vns_stack *st)
{
	return vns_flow_by_handle(st, st->test.ctrl_idx, st->test.ctrl_gen);
}

static void send_msg(struct vns_stack *st, uint16_t q, uint8_t type, uint32_t idx, uint32_t gen,
		     uint16_t slot, uint32_t test_gen, uint64_t tsc, uint64_t bytes)
{
	struct vns_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.type = type;
	msg.from_queue = st->conf.queue_id;
	msg.flow_idx = idx;
	msg.flow_gen = gen;
	msg.slot = slot;
	msg.test_gen = test_gen;
	msg.tsc = tsc;
	msg.bytes = bytes;
	msg.final = 1;
	vns_stack_send_msg(st, q, &msg);
}

/* Frees the test slot for the next client. */
static void release_test(struct vns_stack *st, struct vns_txbuf *tx)
{
	struct vns_ip3_test *t = test_of(st);
	struct vns_flow *f = ctrl_flow(st);

	if (f != NULL && f->sbuf == t->txbuf) {
		if (f->sbuf_len > 0) {
			/* Unsent or unacknowledged control data would point into the buffer the
			 * next test reuses: this connection has to go. */
			vns_tcp_abort_flow(st, f, tx);
			f->sbuf = f->sbuf_inline;
			f->sbuf_cap = VNS_SNDBUF_INLINE;
		} else {
			f->sbuf = f->sbuf_inline;
			f->sbuf_cap = VNS_SNDBUF_INLINE;
			f->app = VNS_APP_IPERF_DENIED;
		}
	}
	t->phase = VNS_IP3_IDLE;
	/* Release: the test's state is final before another lcore may claim the slot. */
	atomic_store_explicit(&st->sh->test_owner, -1, memory_order_release);
}

static void record_test(struct vns_stack *st, int reason)
{
	struct vns_ip3_test *t = test_of(st);
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
		rec.duration_us = (t->end_tsc - t->count_from_tsc) * 1000000 / st->hz;
	vns_stack_record_closed(st, &rec);
}

static void abort_test(struct vns_stack *st, struct vns_txbuf *tx)
{
	struct vns_ip3_test *t = test_of(st);
	struct vns_flow *f = ctrl_flow(st);
	uint32_t i;

	for (i = 0; i < t->accepted; i++)
		if (!t->streams[i].final)
			send_msg(st, t->streams[i].queue, VNS_MSG_TEST_ABORT, t->streams[i].flow_idx,
				 t->streams[i].flow_gen, (uint16_t)i, t->gen, 0, 0);
	VNS_STAT_INC(st, iperf_aborted);
	if (t->end_tsc == 0)
		t->end_tsc = st->now;
	record_test(st, VNS_CLOSE_ABORTED);
	if (f != NULL) {
		vns_tcp_abort_flow(st, f, tx);
		f->sbuf = f->sbuf_inline;
		f->sbuf_cap = VNS_SNDBUF_INLINE;
	}
	release_test(st, tx);
}

static void ctrl_send(struct vns_stack *st, struct vns_flow *f, const void *p, uint32_t n)
{
	(void)st;
	if (vns_tcp_queue_data(st, f, p, n) != 0)
		VNS_STAT_INC(st, drop_txbuf_full);
}

static void ctrl_send_state(struct vns_stack *st, struct vns_flow *f, uint8_t state)
{
	ctrl_send(st, f, &state, 1);
}

/* SERVER_ERROR, then i_errno and errno as big-endian int32 (iperf3 client reads both). */
static void refuse(struct vns_stack *st, struct vns_flow *f, int32_t code, int32_t err,
		   struct vns_txbuf *tx)
{
	uint8_t b[9];
	uint32_t c = rte_cpu_to_be_32((uint32_t)code), e = rte_cpu_to_be_32((uint32_t)err);

	b[0] = IP3_SERVER_ERROR;
	memcpy(b + 1, &c, 4);
	memcpy(b + 5, &e, 4);
	VNS_STAT_INC(st, iperf_refused);
	/* The 9 bytes must outlive the test buffer: move the flow to its inline buffer. */
	f->sbuf = f->sbuf_inline;
	f->sbuf_cap = VNS_SNDBUF_INLINE;
	f->sbuf_len = 0;
	f->app = VNS_APP_IPERF_DENIED;
	vns_tcp_queue_data(st, f, b, sizeof(b));
	vns_tcp_queue_fin(st, f);
	vns_tcp_output(st, f, tx);
	record_test(st, VNS_CLOSE_ABORTED);
	release_test(st, tx);
}

static int param_true(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v != NULL && (json_is_true(v) || (json_is_integer(v) && json_integer_value(v) != 0));
}

static double param_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v != NULL && json_is_number(v) ? json_number_value(v) : 0.0;
}

static void params_received(struct vns_stack *st, struct vns_flow *f, const uint8_t *js,
			    uint32_t len, struct vns_txbuf *tx)
{
	struct vns_ip3_test *t = test_of(st);
	json_error_t jerr;
	json_t *o = json_loadb((const char *)js, len, 0, &jerr);
	json_t *par;
	json_int_t n;

	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		refuse(st, f, IP3_IERECVPARAMS, EINVAL, tx);
		return;
	}
	/* A sink cannot send: reverse, bidirectional, UDP and SCTP tests are refused. */
	if (param_true(o, "reverse") || param_true(o, "bidirectional") || param_true(o, "udp") ||
	    param_true(o, "sctp")) {
		json_decref(o);
		refuse(st, f, IP3_IEUNIMP, 0, tx);
		return;
	}
	par = json_object_get(o, "parallel");
	n = par != NULL && json_is_integer(par) ? json_integer_value(par) : 1;
	if (n < 1 || n > VNS_IPERF_MAX_STREAMS) {
		json_decref(o);
		refuse(st, f, IP3_IENUMSTREAMS, 0, tx);
		return;
	}
	t->num_streams = (uint32_t)n;
	t->omit = param_num(o, "omit");
	t->duration = param_num(o, "time");
	if (t->omit < 0 || t->omit > 3600)
		t->omit = 0;
	json_decref(o);
	ctrl_send_state(st, f, IP3_CREATE_STREAMS);
	t->phase = VNS_IP3_CREATE;
	t->deadline_tsc = st->now + IP3_SETUP_TIMEOUT_S * st->hz;
	vns_tcp_output(st, f, tx);
}

static int cmp_syn(const void *a, const void *b)
{
	const struct vns_ip3_stream *x = *(const struct vns_ip3_stream *const *)a;
	const struct vns_ip3_stream *y = *(const struct vns_ip3_stream *const *)b;

	return x->syn_tsc < y->syn_tsc ? -1 : x->syn_tsc > y->syn_tsc;
}

static void start_test(struct vns_stack *st, struct vns_txbuf *tx)
{
	struct vns_ip3_test *t = test_of(st);
	struct vns_ip3_stream *order[VNS_IPERF_MAX_STREAMS];
	struct vns_flow *f = ctrl_flow(st);
	uint32_t i;

	/* iperf_add_stream numbering on the client: 1, then 3, 4, 5, ... */
	for (i = 0; i < t->accepted; i++)
		order[i] = &t->streams[i];
	qsort(order, t->accepted, sizeof(order[0]), cmp_syn);
	for (i = 0; i < t->accepted; i++)
		order[i]->id = i == 0 ? 1 : (int)i + 2;

	t->running_tsc = st->now;
	t->count_from_tsc = st->now + (uint64_t)(t->omit * (double)st->hz);
	/* The streams' lcores learn the start before the client does (ring first, then the
	 * TEST_RUNNING byte), so no byte of the test reaches an lcore not yet counting. */
	for (i = 0; i < t->accepted; i++)
		send_msg(st, t->streams[i].queue, VNS_MSG_TEST_RUNNING, t->streams[i].flow_idx,
			 t->streams[i].flow_gen, (uint16_t)i, t->gen, t->count_from_tsc, 0);
	getrusage(RUSAGE_SELF, &t->ru_start);
	t->phase = VNS_IP3_RUNNING;
	t->deadline_tsc = t->duration > 0 ?
		st->now + (uint64_t)((t->omit + t->duration + IP3_END_SLACK_S) * (double)st->hz) : 0;
	if (f != NULL) {
		ctrl_send_state(st, f, IP3_TEST_START);
		ctrl_send_state(st, f, IP3_TEST_RUNNING);
		vns_tcp_output(st, f, tx);
	}
}

static void test_end(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	struct vns_ip3_test *t = test_of(st);
	uint32_t i;

	t->end_tsc = st->now;
	for (i = 0; i < t->accepted; i++)
		if (!t->streams[i].final)
			send_msg(st, t->streams[i].queue, VNS_MSG_TEST_END, t->streams[i].flow_idx,
				 t->streams[i].flow_gen, (uint16_t)i, t->gen, 0, 0);
	ctrl_send_state(st, f, IP3_EXCHANGE_RESULTS);
	t->phase = VNS_IP3_RESULTS;
	t->rx_have = 0;
	t->rx_need = 0;
	t->deadline_tsc = st->now + IP3_SETUP_TIMEOUT_S * st->hz;
	vns_tcp_output(st, f, tx);
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The keys iperf3 3.12's client requires (get_results): cpu_util_*, sender_has_retransmits
 * and per stream id, bytes, retransmits, jitter, errors, packets; start/end times too. */
static int send_results(struct vns_stack *st, struct vns_txbuf *tx)
{
	struct vns_ip3_test *t = test_of(st);
	struct vns_flow *f = ctrl_flow(st);
	struct rusage ru;
	double wall, user, sys, secs;
	json_t *o, *arr;
	char *text;
	uint32_t i, len, be;
	int rc = -1;

	if (f == NULL)
		return -1;
	getrusage(RUSAGE_SELF, &ru);
	wall = (double)(t->end_tsc - t->running_tsc) / (double)st->hz;
	user = tv_s(ru.ru_utime) - tv_s(t->ru_start.ru_utime);
	sys = tv_s(ru.ru_stime) - tv_s(t->ru_start.ru_stime);
	if (wall <= 0)
		wall = 1e-9;
	secs = t->end_tsc > t->count_from_tsc ?
		(double)(t->end_tsc - t->count_from_tsc) / (double)st->hz : 0.0;

	o = json_object();
	arr = json_array();
	if (o == NULL || arr == NULL)
		goto out;
	json_object_set_new(o, "cpu_util_total", json_real(100.0 * (user + sys) / wall));
	json_object_set_new(o, "cpu_util_user", json_real(100.0 * user / wall));
	json_object_set_new(o, "cpu_util_system", json_real(100.0 * sys / wall));
	json_object_set_new(o, "sender_has_retransmits", json_integer(-1));
	for (i = 0; i < t->accepted; i++) {
		json_t *s = json_object();

		if (s == NULL)
			goto out;
		json_object_set_new(s, "id", json_integer(t->streams[i].id));
		json_object_set_new(s, "bytes", json_integer((json_int_t)t->streams[i].bytes));
		json_object_set_new(s, "retransmits", json_integer(-1));
		json_object_set_new(s, "jitter", json_real(0));
		json_object_set_new(s, "errors", json_integer(0));
		json_object_set_new(s, "omitted_errors", json_integer(0));
		json_object_set_new(s, "packets", json_integer(0));
		json_object_set_new(s, "omitted_packets", json_integer(0));
		json_object_set_new(s, "start_time", json_real(0));
		json_object_set_new(s, "end_time", json_real(secs));
		json_array_append_new(arr, s);
	}
	json_object_set(o, "streams", arr);
	text = json_dumps(o, JSON_COMPACT);
	if (text == NULL)
		goto out;
	len = (uint32_t)strlen(text);
	if (len + 5 <= f->sbuf_cap - f->sbuf_len) {
		be = rte_cpu_to_be_32(len);
		ctrl_send(st, f, &be, 4);
		ctrl_send(st, f, text, len);
		ctrl_send_state(st, f, IP3_DISPLAY_RESULTS);
		vns_tcp_output(st, f, tx);
		rc = 0;
	}
	free(text);
out:
	json_decref(arr);
	json_decref(o);
	return rc;
}

static void try_finish(struct vns_stack *st, struct vns_txbuf *tx, int force)
{
	struct vns_ip3_test *t = test_of(st);
	uint32_t i;

	if (t->phase != VNS_IP3_COUNTS)
		return;
	for (i = 0; i < t->accepted && !force; i++)
		if (!t->streams[i].final)
			return;
	if (send_results(st, tx) != 0) {
		abort_test(st, tx);
		return;
	}
	t->phase = VNS_IP3_DISPLAY;
	t->deadline_tsc = st->now + IP3_SETUP_TIMEOUT_S * st->hz;
}

/* Reads a 4-byte length then a JSON text (into rxbuf when store); returns 1 when complete,
 * -1 when the length is 0 or above max (iperf3 3.12 itself trusts it; we do not). */
static int read_json(struct vns_ip3_test *t, const uint8_t **p, uint32_t *n, uint32_t max,
		     int store)
{
	while (*n > 0) {
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
		{
			uint32_t k = RTE_MIN(*n, t->rx_need - t->rx_have);

			if (store)
				memcpy(t->rxbuf + t->rx_have, *p, k);
			t->rx_have += k;
			*p += k;
			*n -= k;
			if (t->rx_have == t->rx_need)
				return 1;
		}
	}
	return 0;
}

static void ctrl_bytes(struct vns_stack *st, struct vns_flow *f, const uint8_t *p, uint32_t n,
		       struct vns_txbuf *tx)
{
	struct vns_ip3_test *t = test_of(st);

	while (n > 0 && f->app == VNS_APP_IPERF_CTRL) {
		int r;

		switch (t->phase) {
		case VNS_IP3_PARAMS:
			r = read_json(t, &p, &n, VNS_CTRL_BUF_MAX, 1);
			if (r < 0) {
				refuse(st, f, IP3_IERECVPARAMS, EMSGSIZE, tx);
				return;
			}
			if (r > 0)
				params_received(st, f, t->rxbuf, t->rx_need, tx);
			break;
		case VNS_IP3_RESULTS:
			/* Only skipped, so a client with many streams may send more. */
			r = read_json(t, &p, &n, IP3_CLIENT_RESULTS_MAX, 0);
			if (r < 0) {
				abort_test(st, tx);
				return;
			}
			if (r > 0) {
				/* The client's own results are not needed by a sink. */
				t->phase = VNS_IP3_COUNTS;
				t->deadline_tsc = st->now + IP3_COUNTS_TIMEOUT_S * st->hz;
				try_finish(st, tx, 0);
			}
			break;
		case VNS_IP3_CREATE:
		case VNS_IP3_RUNNING:
		case VNS_IP3_DISPLAY: {
			uint8_t b = *p++;

			n--;
			if (b == IP3_CLIENT_TERMINATE) {
				abort_test(st, tx);
				return;
			}
			if (b == IP3_TEST_END && t->phase == VNS_IP3_RUNNING) {
				test_end(st, f, tx);
			} else if (b == IP3_IPERF_DONE && t->phase == VNS_IP3_DISPLAY) {
				VNS_STAT_INC(st, iperf_tests);
				record_test(st, VNS_CLOSE_FIN);
				release_test(st, tx);
				return;
			}
			break;
		}
		default:
			n = 0; /* COUNTS: the client says nothing until it has our results */
			break;
		}
	}
}

static void become_owner(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	struct vns_ip3_test *t = test_of(st);

	t->phase = VNS_IP3_PARAMS;
	t->gen = atomic_fetch_add_explicit(&st->sh->test_gen, 1, memory_order_relaxed) + 1;
	memcpy(t->cookie, f->ip3.cookie, VNS_IPERF_COOKIE_LEN);
	t->ctrl_idx = vns_flow_index(st, f);
	t->ctrl_gen = f->gen;
	t->peer_ip = f->peer_ip;
	t->peer_port = f->peer_port;
	t->local_port = f->local_port;
	t->rx_have = 0;
	t->rx_need = 0;
	t->num_streams = 0;
	t->accepted = 0;
	t->omit = 0;
	t->duration = 0;
	t->running_tsc = 0;
	t->count_from_tsc = 0;
	t->end_tsc = 0;
	t->begin_tsc = st->now;
	t->deadline_tsc = st->now + IP3_SETUP_TIMEOUT_S * st->hz;
	memset(t->streams, 0, sizeof(t->streams));
	f->app = VNS_APP_IPERF_CTRL;
	f->sbuf = t->txbuf;
	f->sbuf_cap = VNS_CTRL_BUF_MAX;
	f->sbuf_len = 0;
	ctrl_send_state(st, f, IP3_PARAM_EXCHANGE);
	vns_tcp_output(st, f, tx);
}

static void cookie_complete(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	int expected = -1;
	struct vns_msg msg;
	int owner;

	/* Acquire: pairs with the release in release_test. */
	owner = atomic_load_explicit(&st->sh->test_owner, memory_order_acquire);
	if (owner < 0 && atomic_compare_exchange_strong_explicit(
				 &st->sh->test_owner, &expected, (int)st->conf.queue_id,
				 memory_order_acq_rel, memory_order_acquire)) {
		become_owner(st, f, tx);
		return;
	}
	if (owner < 0)
		owner = expected;
	/* Not the control connection of a new test: a stream of the running one, or a second
	 * client. Only the owner can tell. */
	vns_tcp_ooo_to_ranges(st, f);
	f->app = VNS_APP_IPERF_WAIT;
	memset(&msg, 0, sizeof(msg));
	msg.type = VNS_MSG_STREAM_HELLO;
	msg.from_queue = st->conf.queue_id;
	msg.flow_idx = vns_flow_index(st, f);
	msg.flow_gen = f->gen;
	msg.tsc = f->ip3.syn_tsc;
	memcpy(msg.cookie, f->ip3.cookie, VNS_IPERF_COOKIE_LEN);
	if (owner < 0 || vns_stack_send_msg(st, (uint16_t)owner, &msg) != 0) {
		struct vns_msg deny = msg;

		deny.type = VNS_MSG_STREAM_DENY;
		vns_iperf3_msg(st, &deny, tx);
	}
}

void vns_iperf3_data(struct vns_stack *st, struct vns_flow *f, const struct rte_mbuf *m,
		     uint32_t off, uint32_t len, struct vns_txbuf *tx)
{
	uint8_t buf[512];

	switch (f->app) {
	case VNS_APP_IPERF_STREAM:
		if (f->ip3.counting == 1 && st->now >= f->ip3.count_from_tsc)
			f->ip3.counted += len;
		return;
	case VNS_APP_IPERF_NEW:
	case VNS_APP_IPERF_CTRL:
		break;
	default:
		return;
	}
	if (m == NULL)
		return;
	while (len > 0 && (f->app == VNS_APP_IPERF_NEW || f->app == VNS_APP_IPERF_CTRL)) {
		uint32_t k = RTE_MIN(len, (uint32_t)sizeof(buf));
		const uint8_t *p = rte_pktmbuf_read(m, off, k, buf);

		if (p == NULL)
			return;
		if (f->app == VNS_APP_IPERF_NEW) {
			uint32_t c = RTE_MIN(k, (uint32_t)(VNS_IPERF_COOKIE_LEN - f->ip3.cookie_len));

			memcpy(f->ip3.cookie + f->ip3.cookie_len, p, c);
			f->ip3.cookie_len = (uint8_t)(f->ip3.cookie_len + c);
			off += c;
			len -= c;
			if (f->ip3.cookie_len == VNS_IPERF_COOKIE_LEN)
				cookie_complete(st, f, tx);
			continue;
		}
		ctrl_bytes(st, f, p, k, tx);
		off += k;
		len -= k;
	}
}

void vns_iperf3_flow_closed(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	struct vns_ip3_test *t = test_of(st);

	if (f->app == VNS_APP_IPERF_STREAM && f->ip3.counting != 2) {
		/* Gone before TEST_END: its count is final now. */
		send_msg(st, f->ip3.owner_queue, VNS_MSG_STREAM_BYTES, 0, 0, f->ip3.slot,
			 f->ip3.test_gen, 0, f->ip3.counted);
		f->ip3.counting = 2;
	} else if (f->app == VNS_APP_IPERF_CTRL && t->phase != VNS_IP3_IDLE &&
		   vns_flow_index(st, f) == t->ctrl_idx && f->gen == t->ctrl_gen) {
		/* The client went away mid-test: clean up so the next test can run. The flow
		 * is being closed by the caller; keep abort_test from closing it again. */
		f->app = VNS_APP_IPERF_DENIED;
		f->sbuf_len = 0;
		t->ctrl_gen = f->gen + 1;
		abort_test(st, tx);
	}
}

void vns_iperf3_msg(struct vns_stack *st, const struct vns_msg *msg, struct vns_txbuf *tx)
{
	struct vns_ip3_test *t = test_of(st);
	struct vns_flow *f;

	switch (msg->type) {
	case VNS_MSG_STREAM_HELLO: {
		uint32_t slot;

		if (t->phase != VNS_IP3_CREATE || t->accepted >= t->num_streams ||
		    memcmp(msg->cookie, t->cookie, VNS_IPERF_COOKIE_LEN) != 0) {
			send_msg(st, msg->from_queue, VNS_MSG_STREAM_DENY, msg->flow_idx,
				 msg->flow_gen, 0, 0, 0, 0);
			return;
		}
		slot = t->accepted++;
		t->streams[slot].queue = msg->from_queue;
		t->streams[slot].flow_idx = msg->flow_idx;
		t->streams[slot].flow_gen = msg->flow_gen;
		t->streams[slot].syn_tsc = msg->tsc;
		t->streams[slot].bytes = 0;
		t->streams[slot].final = 0;
		send_msg(st, msg->from_queue, VNS_MSG_STREAM_ACCEPT, msg->flow_idx, msg->flow_gen,
			 (uint16_t)slot, t->gen, 0, 0);
		if (t->accepted == t->num_streams)
			start_test(st, tx);
		return;
	}
	case VNS_MSG_STREAM_BYTES:
		if (t->phase == VNS_IP3_IDLE || msg->test_gen != t->gen || msg->slot >= t->accepted)
			return;
		t->streams[msg->slot].bytes = msg->bytes;
		t->streams[msg->slot].final = 1;
		try_finish(st, tx, 0);
		return;
	default:
		break;
	}

	/* Messages about a flow of this lcore. */
	f = vns_flow_by_handle(st, msg->flow_idx, msg->flow_gen);
	switch (msg->type) {
	case VNS_MSG_STREAM_ACCEPT:
		if (f == NULL || f->app != VNS_APP_IPERF_WAIT) {
			send_msg(st, msg->from_queue, VNS_MSG_STREAM_BYTES, 0, 0, msg->slot,
				 msg->test_gen, 0, 0);
			return;
		}
		f->app = VNS_APP_IPERF_STREAM;
		f->ip3.slot = msg->slot;
		f->ip3.test_gen = msg->test_gen;
		f->ip3.owner_queue = msg->from_queue;
		f->ip3.counting = 0;
		f->ip3.counted = 0;
		return;
	case VNS_MSG_STREAM_DENY:
		if (f == NULL || f->app != VNS_APP_IPERF_WAIT)
			return;
		/* iperf3's answer to a client while busy: one byte, then close. */
		f->app = VNS_APP_IPERF_DENIED;
		VNS_STAT_INC(st, iperf_denied);
		{
			uint8_t b = IP3_ACCESS_DENIED;

			vns_tcp_queue_data(st, f, &b, 1);
		}
		vns_tcp_queue_fin(st, f);
		vns_tcp_output(st, f, tx);
		return;
	case VNS_MSG_TEST_RUNNING:
		if (f == NULL || f->app != VNS_APP_IPERF_STREAM || f->ip3.test_gen != msg->test_gen)
			return;
		f->ip3.counting = 1;
		f->ip3.count_from_tsc = msg->tsc;
		return;
	case VNS_MSG_TEST_END:
		if (f == NULL || f->app != VNS_APP_IPERF_STREAM || f->ip3.test_gen != msg->test_gen ||
		    f->ip3.counting == 2)
			return;
		f->ip3.counting = 2;
		send_msg(st, msg->from_queue, VNS_MSG_STREAM_BYTES, 0, 0, f->ip3.slot,
			 f->ip3.test_gen, 0, f->ip3.counted);
		return;
	case VNS_MSG_TEST_ABORT:
		if (f == NULL || f->app != VNS_APP_IPERF_STREAM || f->ip3.test_gen != msg->test_gen)
			return;
		f->app = VNS_APP_NONE; /* keep ACKing until the client closes */
		return;
	default:
		return;
	}
}

void vns_iperf3_poll(struct vns_stack *st, struct vns_txbuf *tx)
{
	struct vns_ip3_test *t = test_of(st);

	if (t->phase == VNS_IP3_IDLE || t->deadline_tsc == 0 || st->now < t->deadline_tsc)
		return;
	if (t->phase == VNS_IP3_COUNTS)
		try_finish(st, tx, 1); /* a stream's lcore did not answer: report what we have */
	else
		abort_test(st, tx);
}

int vns_iperf3_init(struct vns_stack *st, int socket_id)
{
	if (st->conf.iperf_port == 0)
		return 0;
	st->test.rxbuf = rte_malloc_socket("vns_ip3_rx", VNS_CTRL_BUF_MAX + 4, 0, socket_id);
	st->test.txbuf = rte_malloc_socket("vns_ip3_tx", VNS_CTRL_BUF_MAX, 0, socket_id);
	if (st->test.rxbuf == NULL || st->test.txbuf == NULL) {
		vns_iperf3_fini(st);
		return -1;
	}
	return 0;
}

void vns_iperf3_fini(struct vns_stack *st)
{
	if (st->test.phase != VNS_IP3_IDLE && st->sh != NULL)
		atomic_store_explicit(&st->sh->test_owner, -1, memory_order_release);
	st->test.phase = VNS_IP3_IDLE;
	rte_free(st->test.rxbuf);
	rte_free(st->test.txbuf);
	st->test.rxbuf = NULL;
	st->test.txbuf = NULL;
}
