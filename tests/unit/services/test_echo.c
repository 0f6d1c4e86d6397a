/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A third service is one file and one bind entry: an echo service (RFC 862 over TCP), all of
 * it in this file, bound next to iperf3 and the discard port. It answers with what it gets,
 * its counters reach the stack's report list, telemetry names its connections, and the two
 * other services keep working beside it. The mempool must be fully returned after the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "vns_services.h"

#define ECHO_PORT  7
#define ECHO_CHUNK 16 /* what one connection's inline send buffer holds */

/* ---- the echo service ---------------------------------------------------------------- */

#define ECHO_STATS(X)                                         \
	X(echo_conns, "echo connections opened")              \
	X(echo_bytes, "bytes echoed")                         \
	X(echo_dropped, "bytes not echoed: send buffer full") \
	X(echo_closed, "echo connections closed")

#define ECHO_FIELD(name, desc) uint64_t name;
struct echo {
	ECHO_STATS(ECHO_FIELD)
};
#undef ECHO_FIELD

static int
echo_init(struct vns_svc *svc, char *err, size_t errlen)
{
	svc->priv = calloc(1, sizeof(struct echo));
	if (svc->priv == NULL) {
		snprintf(err, errlen, "echo: out of memory");
		return -1;
	}
	return 0;
}

static void
echo_fini(struct vns_svc *svc)
{
	free(svc->priv);
	svc->priv = NULL;
}

static void
echo_open(struct vns_svc *svc, struct vns_conn *c)
{
	struct echo *e = svc->priv;

	e->echo_conns++;
	vns_conn_set_payload(svc, c, true);
}

static void
echo_data(struct vns_svc *svc, struct vns_conn *c, const struct rte_mbuf *m, uint32_t off,
	  uint32_t len)
{
	struct echo *e = svc->priv;
	uint8_t buf[ECHO_CHUNK];

	while (m != NULL && len > 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)sizeof(buf));
		const uint8_t *p = rte_pktmbuf_read(m, off, n, buf);

		if (p == NULL || vns_conn_send(svc, c, p, n) != 0) {
			e->echo_dropped += len;
			break;
		}
		e->echo_bytes += n;
		off += n;
		len -= n;
	}
	vns_conn_output(svc, c);
}

static void
echo_closed(struct vns_svc *svc, struct vns_conn *c, enum vns_close_reason why)
{
	struct echo *e = svc->priv;

	(void)c;
	(void)why;
	e->echo_closed++;
}

static void
echo_counters_get(const struct vns_svc *svc, uint64_t *values)
{
	const struct echo *e = svc->priv;
	unsigned int i = 0;

#define ECHO_COPY(name, desc) values[i++] = __atomic_load_n(&e->name, __ATOMIC_RELAXED);
	ECHO_STATS(ECHO_COPY)
#undef ECHO_COPY
}

#define ECHO_DESC(name, desc) { #name, desc },
static const struct vns_service_counter echo_counters[] = { ECHO_STATS(ECHO_DESC) };
#undef ECHO_DESC

static const struct vns_service_ops echo_ops = {
	.name = "echo",
	.init = echo_init,
	.fini = echo_fini,
	.open = echo_open,
	.data = echo_data,
	.closed = echo_closed,
	.counters = echo_counters,
	.nb_counters = RTE_DIM(echo_counters),
	.counters_get = echo_counters_get,
};

/* ---- the test ------------------------------------------------------------------------ */

static const struct vns_discard_conf sha256 = { .sha256 = true };

/* vnetsink's two services and the third one: one more entry. */
static const struct vns_service_bind binds[] = {
	{ H_IPERF_PORT, &vns_iperf3_ops, NULL },
	{ H_DISCARD_PORT, &vns_discard_ops, &sha256 },
	{ ECHO_PORT, &echo_ops, NULL },
};

static struct h H;
static struct tc C;

static int
setup(void **state)
{
	(void)state;
	return h_open(&H, 1, binds, RTE_DIM(binds), 64, 0);
}

static int
teardown(void **state)
{
	(void)state;
	return h_close_checked(&H);
}

struct find_app {
	uint16_t port;
	const char *app;
	uint32_t rcv_nxt;
	uint32_t last_ack_sent;
};

static int
find_app_cb(const struct vns_flow_info *info, void *arg)
{
	struct find_app *a = arg;

	if (rte_be_to_cpu_16(info->peer_port) != a->port)
		return 0;
	a->app = info->app;
	a->rcv_nxt = info->rcv_nxt;
	a->last_ack_sent = info->last_ack_sent;
	return 1;
}

static void
test_echo_beside_the_others(void **state)
{
	static const char cookie[37] = "abcdefghijklmnopqrstuvwxyz2345672345";
	struct vns_closed_rec rec[4];
	struct find_app fa = { .port = 40700 };

	(void)state;
	/* Echo: each message comes back, in order; the client acknowledges each. */
	tc_init(&C, &H, 0, 40700, ECHO_PORT, 1000, 1);
	assert_int_equal(tc_connect(&C), 0);
	vns_stack_flows_foreach(H.st[0], find_app_cb, &fa);
	assert_non_null(fa.app);
	assert_string_equal(fa.app, "echo");
	tc_send(&C, "hello", 5);
	tc_recv(&C, 1);
	assert_int_equal(C.rx_len, 5);
	assert_memory_equal(C.rx, "hello", 5);
	/* Relative to the client's ISN: its SYN and 5 bytes, all acknowledged. */
	vns_stack_flows_foreach(H.st[0], find_app_cb, &fa);
	assert_int_equal(fa.rcv_nxt, 6);
	assert_int_equal(fa.last_ack_sent, 6);
	tc_send(&C, "again, 16 bytes!", 16);
	tc_recv(&C, 1);
	assert_int_equal(C.rx_len, 21);
	assert_memory_equal(C.rx + 5, "again, 16 bytes!", 16);
	assert_int_equal(tc_close(&C), 0);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
	assert_int_equal(h_stat(&H, 0, "echo_conns"), 1);
	assert_int_equal(h_stat(&H, 0, "echo_bytes"), 21);
	assert_int_equal(h_stat(&H, 0, "echo_dropped"), 0);
	assert_int_equal(h_stat(&H, 0, "echo_closed"), 1);

	/* The discard port still digests and records... */
	h_clear(&H);
	tc_init(&C, &H, 0, 40701, H_DISCARD_PORT, 1, 0);
	assert_int_equal(tc_connect(&C), 0);
	tc_send(&C, "abc", 3);
	assert_int_equal(tc_close(&C), 0);
	assert_int_equal(vns_stack_drain_closed(H.st[0], rec, 4), 1);
	assert_int_equal(rec[0].kind, VNS_CLOSED_DISCARD);
	assert_string_equal(rec[0].sha256_hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

	/* ...and iperf3 still answers a cookie with PARAM_EXCHANGE. */
	h_clear(&H);
	tc_init(&C, &H, 0, 40702, H_IPERF_PORT, 5, 1);
	assert_int_equal(tc_connect(&C), 0);
	tc_send(&C, cookie, 37);
	h_poll(&H);
	tc_recv(&C, 1);
	assert_int_equal(C.rx_len, 1);
	assert_int_equal(C.rx[0], 9);
	assert_int_equal(h_stat(&H, 0, "iperf_tests"), 0);
}

/* RFC 1122 4.2.2.17: a peer that keeps acknowledging our zero-window probes is never given up
 * on, however many probes it takes (probes are not retransmissions). */
static void
test_echo_zero_window_probes(void **state)
{
	uint32_t i, rst = 0;

	(void)state;
	tc_init(&C, &H, 0, 40710, ECHO_PORT, 1000, 1);
	assert_int_equal(tc_connect(&C), 0);
	C.win = 0;
	tc_send(&C, "hello", 5);
	for (i = 0; i < 25; i++) {
		h_clear(&H);
		h_advance_ms(&H, 4100);
		h_poll(&H);
		if (tc_last(&C) != NULL && (tc_last(&C)->flags & PB_RST))
			rst++;
		/* The probe's byte is not taken: the window stays closed. */
		tc_send_at(&C, C.snd_nxt, PB_ACK, NULL, 0);
	}
	assert_int_equal(rst, 0);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
	h_clear(&H);
	C.win = 65535;
	tc_send_at(&C, C.snd_nxt, PB_ACK, NULL, 0);
	/* The probe's byte was refused: the next retransmission resends from it. */
	h_advance_ms(&H, 4100);
	h_poll(&H);
	tc_recv(&C, 1);
	assert_int_equal(C.rx_len, 5);
	assert_memory_equal(C.rx, "hello", 5);
}

/* A bind table the stack refuses: a clear error and no stack. */
static void
test_bind_errors(void **state)
{
	struct vns_service_bind twice[] = {
		{ ECHO_PORT, &echo_ops, NULL },
		{ ECHO_PORT, &vns_discard_ops, NULL },
	};
	struct h h2;

	(void)state;
	assert_int_not_equal(h_open(&h2, 1, twice, RTE_DIM(twice), 16, 0), 0);
	assert_non_null(strstr(h2.err, "both on port 7"));
	assert_int_equal(h_close(&h2), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_echo_beside_the_others, setup, teardown),
		cmocka_unit_test_setup_teardown(test_echo_zero_window_probes, setup, teardown),
		cmocka_unit_test(test_bind_errors),
	};

	(void)argc;
	h_eal_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
