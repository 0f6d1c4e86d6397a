/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iperf3 client service (vns_iperf3_client.c) on the real stack against a fake iperf3
 * 3.12 server played by the test: ARP, the control connection and its cookie, the state
 * sequence, the parameters JSON, N stream connections in order with the cookie, -R data,
 * TEST_END after the duration, our results JSON (ids 1, 3, ...; exact bytes), the server's
 * results, DISPLAY_RESULTS and IPERF_DONE; sending with the stack's bulk sender; then the
 * error states (busy, SERVER_ERROR, SERVER_TERMINATE, an unknown state byte), malformed
 * results (no JSON, missing keys, an unknown stream id, an oversize length), a refused
 * connection and a silent server; -u (connected UDP flows: the connect datagram and answer,
 * paced datagrams with iperf3's header, the receiver's counts) both ways. Every test ends
 * with the mbuf pool back to zero in use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <rte_arp.h>

#include "harness.h"
#include "vns_iperf3_client.h"

#define SRV_IP   RTE_IPV4(198u, 18, 0, 2) /* pktbuild's client address plays the server */
#define SRV_PORT 5201
#define MAX_CONN 8

static const struct rte_ether_addr srv_mac = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 } };
static const struct rte_ether_addr stack_mac = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };

static struct h H;
static struct vns_ip3c_result res;
static struct vns_ip3c_conf conf;
static struct vns_service_bind binds[1];
static struct vns_ip3c_conf udp_next; /* -u, -b, -l of the next open_test() */

/* The server's side of one connection. */
struct sc {
	struct tc t; /* t.sport: the server's port, t.dport: the client's */
	int fin;
	int rst;
	uint32_t taken; /* bytes of t.rx the test has consumed */
};
static struct sc conns[MAX_CONN];
static int nb_conns;

/* UDP datagrams the stack sent to the server's port, in order. */
struct ud {
	uint16_t sport;
	uint32_t plen;
	uint8_t head[16];
};
#define MAX_UD 8192
static struct ud uds[MAX_UD];
static int nb_uds;

static int
open_test(uint16_t streams, bool reverse)
{
	memset(&res, 0, sizeof(res));
	memset(conns, 0, sizeof(conns));
	nb_conns = 0;
	nb_uds = 0;
	memset(&conf, 0, sizeof(conf));
	conf.server_ip = rte_cpu_to_be_32(SRV_IP);
	conf.server_port = rte_cpu_to_be_16(SRV_PORT);
	conf.streams = streams;
	conf.duration_s = 2;
	conf.reverse = reverse;
	conf.udp = udp_next.udp;
	conf.bitrate = udp_next.bitrate;
	conf.len = udp_next.len;
	udp_next = (struct vns_ip3c_conf){ 0 };
	conf.result = &res;
	binds[0] = (struct vns_service_bind){ 0, &vns_iperf3_client_ops, &conf };
	return h_open(&H, 1, binds, 1, 64, 0);
}

static int
teardown(void **state)
{
	RTE_SET_USED(state);
	return h_close_checked(&H);
}

static void
arp_reply(void)
{
	h_input(&H, 0, pb_arp(H.mp, RTE_ARP_OP_REPLY, &srv_mac, &stack_mac, SRV_IP, H_STACK_IP));
}

static struct sc *
conn_for(uint16_t client_port)
{
	for (int i = 0; i < nb_conns; i++)
		if (conns[i].t.dport == client_port)
			return &conns[i];
	return NULL;
}

/* Every frame the stack sent: SYNs are answered (refuse: with RST), data is taken in order
 * and ACKed, FIN and RST noted. Returns the SYNs answered. */
static int
pump(bool refuse)
{
	int syns = 0;

	for (int round = 0; round < 8; round++) {
		uint32_t n = H.n_out;
		bool acks[MAX_CONN] = { false };
		int any = 0;

		for (uint32_t i = 0; i < n; i++) {
			struct pb_parsed *r = &H.out[i];
			struct sc *c;

			if (!H.used[i] && r->proto == IPPROTO_UDP && r->dport == SRV_PORT) {
				H.used[i] = 1;
				assert_true(nb_uds < MAX_UD);
				uds[nb_uds].sport = r->sport;
				uds[nb_uds].plen = r->plen;
				memcpy(uds[nb_uds].head, r->payload, RTE_MIN(r->plen, 16u));
				nb_uds++;
				continue;
			}
			if (H.used[i] || r->proto != IPPROTO_TCP || r->dport != SRV_PORT)
				continue;
			H.used[i] = 1;
			any = 1;
			c = conn_for(r->sport);
			if ((r->flags & PB_SYN) && c == NULL) {
				struct pb_tcp p;

				assert_true(nb_conns < MAX_CONN);
				c = &conns[nb_conns++];
				tc_init(&c->t, &H, 0, SRV_PORT, r->sport, 70000u * nb_conns, 0);
				c->t.rcv_nxt = r->seq + 1;
				tc_fill(&c->t, &p, c->t.snd_nxt,
					refuse ? PB_RST | PB_ACK : PB_SYN | PB_ACK, NULL, 0);
				p.mss = 1460;
				c->t.snd_nxt++;
				h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
				syns++;
				continue;
			}
			if (c == NULL)
				continue;
			if (r->flags & PB_RST)
				c->rst = 1;
			/* The control connection's bytes are kept; a stream's past its cookie
			 * are only counted (what a bulk sender sends is more than rx holds). */
			if (r->plen > 0 && r->seq == c->t.rcv_nxt &&
			    (c != conns || c->t.rx_len + r->plen <= sizeof(c->t.rx))) {
				uint32_t keep = c->t.rx_len < 64
							? RTE_MIN(r->plen, 64 - c->t.rx_len)
							: 0;

				if (c == conns)
					keep = r->plen;
				memcpy(c->t.rx + c->t.rx_len, r->payload, RTE_MIN(keep, 9000u));
				c->t.rx_len += r->plen;
				c->t.rcv_nxt += r->plen;
				acks[c - conns] = true;
			}
			if ((r->flags & PB_FIN) && r->seq + r->plen == c->t.rcv_nxt && !c->fin) {
				c->fin = 1;
				c->t.rcv_nxt++;
				acks[c - conns] = true;
			}
		}
		for (int k = 0; k < nb_conns; k++)
			if (acks[k])
				tc_send_at(&conns[k].t, conns[k].t.snd_nxt, PB_ACK, NULL, 0);
		if (!any)
			break;
	}
	h_clear(&H);
	return syns;
}

static void
srv_send(struct sc *c, const void *p, uint32_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		uint32_t k = RTE_MIN(n, 1400u);

		tc_send(&c->t, b, k);
		b += k;
		n -= k;
	}
	pump(false);
}

static void
srv_state(uint8_t s)
{
	srv_send(&conns[0], &s, 1);
}

static void
srv_json(const char *text)
{
	uint32_t len = (uint32_t)strlen(text), be = rte_cpu_to_be_32(len);
	uint8_t buf[4096];

	assert_true(len + 4 <= sizeof(buf));
	memcpy(buf, &be, 4);
	memcpy(buf + 4, text, len);
	srv_send(&conns[0], buf, len + 4);
}

/* What the control connection brought since the last call. */
static uint32_t
ctrl_take(uint8_t *out, uint32_t max)
{
	struct sc *c = &conns[0];
	uint32_t n = RTE_MIN(c->t.rx_len - c->taken, max);

	memcpy(out, c->t.rx + c->taken, n);
	c->taken += n;
	return n;
}

static json_t *
ctrl_take_json(void)
{
	uint8_t buf[8192];
	uint32_t n = ctrl_take(buf, sizeof(buf)), len, be;
	json_t *o;

	assert_true(n >= 4);
	memcpy(&be, buf, 4);
	len = rte_be_to_cpu_32(be);
	assert_int_equal(n, len + 4);
	o = json_loadb((const char *)buf + 4, len, 0, NULL);
	assert_non_null(o);
	return o;
}

/* Up to the server's TEST_RUNNING: control, cookie, params, the streams with theirs. */
static void
run_setup(uint16_t streams, bool reverse)
{
	uint8_t cookie[64];
	json_t *p;

	h_poll(&H); /* connect: ARP */
	arp_reply();
	assert_int_equal(pump(false), 1);
	assert_int_equal(ctrl_take(cookie, sizeof(cookie)), 37);
	assert_int_equal(cookie[36], 0);
	for (int i = 0; i < 36; i++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz234567", cookie[i]));
	assert_memory_equal(cookie, res.cookie, 37);

	srv_state(9); /* PARAM_EXCHANGE */
	p = ctrl_take_json();
	assert_true(json_is_true(json_object_get(p, "tcp")));
	assert_int_equal(json_integer_value(json_object_get(p, "time")), 2);
	assert_int_equal(json_integer_value(json_object_get(p, "parallel")), streams);
	assert_int_equal(json_integer_value(json_object_get(p, "omit")), 0);
	assert_int_equal(json_integer_value(json_object_get(p, "len")), 128 * 1024);
	assert_string_equal(json_string_value(json_object_get(p, "client_version")), "3.12");
	assert_int_equal(json_is_true(json_object_get(p, "reverse")), reverse);
	json_decref(p);

	/* CREATE_STREAMS: the streams connect one after another (the pump answers each SYN
	 * as it comes, and the next one follows the previous one's open), each with the
	 * cookie. */
	srv_state(10);
	assert_int_equal(nb_conns, streams + 1);
	for (int i = 1; i <= streams; i++) {
		assert_int_equal(conns[i].t.rx_len, 37);
		assert_memory_equal(conns[i].t.rx, res.cookie, 37);
	}
	srv_state(1); /* TEST_START */
	srv_state(2); /* TEST_RUNNING */
}

static void
test_reverse_full(void **state)
{
	static uint8_t data[20000];
	uint16_t streams = 3;
	char text[1024];
	uint8_t b[16];
	json_t *o, *arr;

	RTE_SET_USED(state);
	assert_int_equal(open_test(streams, true), 0);
	run_setup(streams, true);
	for (int i = 1; i <= streams; i++)
		srv_send(&conns[i], data, 5000u * (uint32_t)i);
	/* Nothing before the duration is up. */
	h_advance_ms(&H, 1990);
	h_poll(&H);
	pump(false);
	assert_int_equal(ctrl_take(b, sizeof(b)), 0);
	h_advance_ms(&H, 20);
	h_poll(&H);
	pump(false);
	assert_int_equal(ctrl_take(b, sizeof(b)), 1);
	assert_int_equal(b[0], 4); /* TEST_END */
	/* Bytes still in flight after TEST_END are counted (the server sent them). */
	srv_send(&conns[1], data, 1000);

	srv_state(13); /* EXCHANGE_RESULTS */
	o = ctrl_take_json();
	arr = json_object_get(o, "streams");
	assert_int_equal(json_array_size(arr), streams);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "id")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 1), "id")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 2), "id")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "bytes")),
			 6000);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 2), "bytes")),
			 15000);
	assert_non_null(json_object_get(o, "cpu_util_total"));
	assert_int_equal(json_integer_value(json_object_get(o, "sender_has_retransmits")), -1);
	json_decref(o);

	snprintf(text, sizeof(text),
		 "{\"cpu_util_total\":1.5,\"cpu_util_user\":1,\"cpu_util_system\":0.5,"
		 "\"sender_has_retransmits\":1,\"streams\":["
		 "{\"id\":1,\"bytes\":6000,\"retransmits\":2,\"jitter\":0,\"errors\":0,"
		 "\"packets\":0,\"start_time\":0,\"end_time\":2},"
		 "{\"id\":3,\"bytes\":10000,\"retransmits\":0,\"jitter\":0,\"errors\":0,"
		 "\"packets\":0,\"start_time\":0,\"end_time\":2},"
		 "{\"id\":4,\"bytes\":15000,\"retransmits\":0,\"jitter\":0,\"errors\":0,"
		 "\"packets\":0,\"start_time\":0,\"end_time\":2}]}");
	srv_json(text);
	assert_false(vns_ip3c_done(&res));
	srv_state(14); /* DISPLAY_RESULTS */
	assert_int_equal(ctrl_take(b, sizeof(b)), 1);
	assert_int_equal(b[0], 16); /* IPERF_DONE */
	assert_true(vns_ip3c_done(&res));
	assert_int_equal(res.status, 0);
	assert_int_equal(res.nb_streams, streams);
	assert_int_equal(res.streams[0].sent, 6000);
	assert_int_equal(res.streams[0].received, 6000);
	assert_int_equal(res.streams[0].retransmits, 2);
	assert_int_equal(res.streams[2].received, 15000);
	assert_true(res.seconds > 1.99 && res.seconds < 2.02);
	assert_true(res.cpu_remote[0] == 1.5);
	assert_true(conns[0].fin); /* the control connection is closed */
}

/* -R: the end waits for what the server's results say it sent, then reports. */
static void
test_reverse_waits_for_inflight(void **state)
{
	static uint8_t data[4000];
	uint8_t b[16];
	json_t *o;

	RTE_SET_USED(state);
	assert_int_equal(open_test(1, true), 0);
	run_setup(1, true);
	srv_send(&conns[1], data, 1000);
	h_advance_ms(&H, 2001);
	h_poll(&H);
	pump(false);
	assert_int_equal(ctrl_take(b, sizeof(b)), 1);
	srv_state(13);
	o = ctrl_take_json();
	json_decref(o);
	srv_json("{\"cpu_util_total\":0,\"cpu_util_user\":0,\"cpu_util_system\":0,"
		 "\"sender_has_retransmits\":1,\"streams\":[{\"id\":1,\"bytes\":3000,"
		 "\"retransmits\":0}]}");
	srv_state(14);
	assert_false(vns_ip3c_done(&res));
	srv_send(&conns[1], data, 2000);
	assert_true(vns_ip3c_done(&res));
	assert_int_equal(res.status, 0);
	assert_int_equal(res.streams[0].received, 3000);
}

/* We send (the stack's bulk sender): TEST_END only once every byte is acknowledged, and our
 * results carry exactly what the server received. */
static void
test_send_full(void **state)
{
	uint16_t streams = 2;
	uint8_t b[16];
	json_t *o, *arr;
	int i;

	RTE_SET_USED(state);
	h_max_senders = 4;
	assert_int_equal(open_test(streams, false), 0);
	h_max_senders = 0;
	run_setup(streams, false);
	for (i = 0; i < 200; i++) {
		h_advance_ms(&H, 10);
		h_poll(&H);
		pump(false);
		assert_int_equal(ctrl_take(b, sizeof(b)), 0);
	}
	assert_true(conns[1].t.rx_len > 37 + 100000);
	assert_true(conns[2].t.rx_len > 37 + 100000);
	/* Past the duration: the sender drains (the pump ACKs at once), waits its grace, then
	 * TEST_END. */
	for (i = 0; i < VNS_IP3C_GRACE_MS / 10 + 30 && conns[0].t.rx_len == conns[0].taken; i++) {
		h_advance_ms(&H, 10);
		h_poll(&H);
		pump(false);
	}
	assert_int_equal(ctrl_take(b, sizeof(b)), 1);
	assert_int_equal(b[0], 4);
	/* iperf3 closes its streams on TEST_END: that is no error. */
	for (i = 1; i <= streams; i++) {
		tc_send_at(&conns[i].t, conns[i].t.snd_nxt, PB_ACK | PB_FIN, NULL, 0);
		conns[i].t.snd_nxt++;
	}
	pump(false);
	assert_false(vns_ip3c_done(&res));
	srv_state(13);
	o = ctrl_take_json();
	arr = json_object_get(o, "streams");
	assert_int_equal(json_integer_value(json_object_get(o, "sender_has_retransmits")), 1);
	for (i = 0; i < streams; i++)
		assert_int_equal(json_integer_value(
					 json_object_get(json_array_get(arr, (size_t)i), "bytes")),
				 conns[i + 1].t.rx_len - 37);
	json_decref(o);
	srv_json("{\"cpu_util_total\":0,\"cpu_util_user\":0,\"cpu_util_system\":0,"
		 "\"sender_has_retransmits\":-1,\"streams\":[{\"id\":1,\"bytes\":5},"
		 "{\"id\":3,\"bytes\":7}]}");
	srv_state(14);
	assert_true(vns_ip3c_done(&res));
	assert_int_equal(res.status, 0);
	assert_int_equal(res.streams[0].sent, conns[1].t.rx_len - 37);
	assert_int_equal(res.streams[0].received, 5);
	assert_int_equal(res.streams[1].received, 7);
	/* Known (the harness's outbox drops what a burst sends beyond 256 frames: some). */
	assert_true(res.streams[0].retransmits >= 0);
	/* The streams close after the bulk: their FIN follows the last byte. */
	pump(false);
	assert_true(conns[1].fin);
	assert_true(conns[2].fin);
}

/* The server's datagram to the client's port (its header: seq, then zeros for the time). */
static void
srv_udp(uint16_t cport, const void *data, uint32_t len)
{
	h_input(&H, 0,
		pb_udp_mbuf(H.mp, &srv_mac, &stack_mac, SRV_IP, SRV_PORT, H_STACK_IP, cport, data,
			    len, 1, 0));
	pump(false);
}

static void
srv_udp_seq(uint16_t cport, uint32_t seq, uint32_t len)
{
	uint8_t d[1500] = { 0 };
	uint32_t be = rte_cpu_to_be_32(seq);

	memcpy(d + 8, &be, 4);
	srv_udp(cport, d, len);
}

static int
open_udp(uint16_t streams, bool reverse, uint64_t rate, uint32_t len)
{
	udp_next = (struct vns_ip3c_conf){ .udp = true, .bitrate = rate, .len = len };
	return open_test(streams, reverse);
}

/* -u up to TEST_RUNNING: the parameters say udp, len and bandwidth; each stream is one
 * connect datagram from a port of its own, and the next follows the server's answer. */
static void
run_setup_udp(uint16_t streams, uint32_t len, uint64_t rate, uint16_t *ports)
{
	const uint32_t reply = 0x39383736u;
	uint8_t cookie[64];
	json_t *p;

	h_poll(&H);
	arp_reply();
	assert_int_equal(pump(false), 1);
	assert_int_equal(ctrl_take(cookie, sizeof(cookie)), 37);
	srv_state(9);
	p = ctrl_take_json();
	assert_true(json_is_true(json_object_get(p, "udp")));
	assert_null(json_object_get(p, "tcp"));
	assert_int_equal(json_integer_value(json_object_get(p, "len")), len);
	assert_int_equal(json_integer_value(json_object_get(p, "bandwidth")), rate);
	json_decref(p);
	srv_state(10);
	for (int i = 0; i < streams; i++) {
		uint32_t msg;

		assert_int_equal(nb_uds, i + 1); /* one at a time */
		assert_int_equal(uds[i].plen, 4);
		memcpy(&msg, uds[i].head, 4);
		assert_int_equal(msg, 0x36373839u);
		ports[i] = uds[i].sport;
		for (int k = 0; k < i; k++)
			assert_int_not_equal(ports[k], ports[i]);
		srv_udp(ports[i], &reply, 4);
	}
	assert_int_equal(nb_uds, streams);
	assert_int_equal(nb_conns, 1); /* no TCP streams */
	srv_state(1);
	srv_state(2);
	nb_uds = 0;
}

/* We send: paced at -b per stream, sequence 1, 2, ... per stream, TEST_END after the grace,
 * our results carry the datagrams, the server's its receiver's counts. */
static void
test_udp_send(void **state)
{
	const uint64_t rate = 8000000; /* 1000 datagrams of 1000 bytes a second */
	uint16_t ports[2];
	uint32_t next[2] = { 1, 1 }, n[2] = { 0, 0 };
	uint8_t b[16];
	char text[1024];
	json_t *o, *arr;
	int i;

	RTE_SET_USED(state);
	assert_int_equal(open_udp(2, false, rate, 1000), 0);
	run_setup_udp(2, 1000, rate, ports);
	for (i = 0; i < 200; i++) {
		h_advance_ms(&H, 10);
		h_poll(&H);
		pump(false);
		assert_int_equal(ctrl_take(b, sizeof(b)), 0);
	}
	for (i = 0; i < VNS_IP3C_GRACE_MS / 10 + 30 && conns[0].t.rx_len == conns[0].taken; i++) {
		h_advance_ms(&H, 10);
		h_poll(&H);
		pump(false);
	}
	assert_int_equal(ctrl_take(b, sizeof(b)), 1);
	assert_int_equal(b[0], 4); /* TEST_END, after the grace */
	assert_true(i >= VNS_IP3C_GRACE_MS / 10 - 1 && i <= VNS_IP3C_GRACE_MS / 10 + 1);
	for (i = 0; i < nb_uds; i++) {
		int k = uds[i].sport == ports[0] ? 0 : 1;
		uint32_t seq;

		assert_true(uds[i].sport == ports[k]);
		assert_int_equal(uds[i].plen, 1000);
		memcpy(&seq, uds[i].head + 8, 4);
		assert_int_equal(rte_be_to_cpu_32(seq), next[k]);
		next[k]++;
		n[k]++;
	}
	/* 2 s at 1000/s (the first at once, the bucket's burst at most 32 ahead). */
	for (i = 0; i < 2; i++)
		assert_true(n[i] >= 1990 && n[i] <= 2033);
	srv_state(13);
	o = ctrl_take_json();
	arr = json_object_get(o, "streams");
	for (i = 0; i < 2; i++) {
		json_t *s = json_array_get(arr, (size_t)i);

		assert_int_equal(json_integer_value(json_object_get(s, "packets")), n[i]);
		assert_int_equal(json_integer_value(json_object_get(s, "bytes")), n[i] * 1000);
	}
	json_decref(o);
	snprintf(text, sizeof(text),
		 "{\"cpu_util_total\":0,\"cpu_util_user\":0,\"cpu_util_system\":0,"
		 "\"sender_has_retransmits\":-1,\"streams\":[{\"id\":1,\"bytes\":%u,"
		 "\"jitter\":0.002,\"errors\":3,\"packets\":%u},"
		 "{\"id\":3,\"bytes\":%u,\"jitter\":0,\"errors\":0,\"packets\":%u}]}",
		 (n[0] - 3) * 1000, n[0], n[1] * 1000, n[1]);
	srv_json(text);
	srv_state(14);
	assert_true(vns_ip3c_done(&res));
	assert_int_equal(res.status, 0);
	assert_int_equal(res.streams[0].packets, n[0]);
	assert_int_equal(res.streams[0].sent, n[0] * 1000);
	assert_int_equal(res.streams[0].received, (n[0] - 3) * 1000);
	assert_int_equal(res.streams[0].lost, 3);
	assert_int_equal(res.streams[0].rx_packets, n[0]);
	assert_true(res.streams[0].jitter == 0.002);
	assert_int_equal(res.streams[1].lost, 0);
	/* The flows are gone: a late datagram to a stream's port is no stream's. */
	srv_udp_seq(ports[0], 9, 100);
	assert_int_equal(res.udp_stray, 0); /* published: the service no longer counts */
}

/* -u -R: the server sends; we count as iperf3's receiver (lost, out of order), report it in
 * our results and wait until the last datagram the server says it sent has arrived. */
static void
test_udp_reverse(void **state)
{
	uint16_t ports[1];
	uint8_t b[16];
	json_t *o, *s;

	RTE_SET_USED(state);
	assert_int_equal(open_udp(1, true, 0, 0), 0);
	run_setup_udp(1, 1460, 1024 * 1024, ports); /* iperf3's defaults */
	srv_udp_seq(ports[0], 1, 500);
	srv_udp_seq(ports[0], 2, 500);
	srv_udp_seq(ports[0], 4, 500);                 /* 3 lost so far */
	srv_udp_seq(ports[0], 3, 500);                 /* late: out of order, not lost */
	srv_udp_seq(ports[0], 6, 500);                 /* 5 lost */
	srv_udp_seq((uint16_t)(ports[0] + 1), 7, 500); /* no flow's: the stack drops it */
	assert_int_equal(h_stat(&H, 0, "udp_no_port"), 1);
	assert_int_equal(res.udp_stray, 0);
	assert_int_equal(res.streams[0].received, 2500);
	assert_int_equal(res.streams[0].lost, 1);
	assert_int_equal(res.streams[0].outoforder, 1);
	h_advance_ms(&H, 2001);
	h_poll(&H);
	pump(false);
	assert_int_equal(ctrl_take(b, sizeof(b)), 1);
	assert_int_equal(b[0], 4);
	srv_state(13);
	o = ctrl_take_json();
	s = json_array_get(json_object_get(o, "streams"), 0);
	assert_int_equal(json_integer_value(json_object_get(s, "bytes")), 2500);
	assert_int_equal(json_integer_value(json_object_get(s, "packets")), 6);
	assert_int_equal(json_integer_value(json_object_get(s, "errors")), 1);
	json_decref(o);
	srv_json("{\"cpu_util_total\":0,\"cpu_util_user\":0,\"cpu_util_system\":0,"
		 "\"sender_has_retransmits\":0,\"streams\":[{\"id\":1,\"bytes\":4000,"
		 "\"retransmits\":-1,\"packets\":8}]}");
	srv_state(14);
	assert_false(vns_ip3c_done(&res)); /* datagram 8 is still on its way */
	srv_udp_seq(ports[0], 8, 500);
	assert_true(vns_ip3c_done(&res));
	assert_int_equal(res.status, 0);
	assert_int_equal(res.streams[0].packets, 8);
	assert_int_equal(res.streams[0].rx_packets, 8);
	assert_int_equal(res.streams[0].lost, 2);
	assert_int_equal(res.streams[0].sent, 4000);
}

static void
expect_error(const char *needle)
{
	assert_true(vns_ip3c_done(&res));
	assert_int_not_equal(res.status, 0);
	if (strstr(res.err, needle) == NULL)
		fail_msg("error '%s' lacks '%s'", res.err, needle);
}

static void
to_params(void)
{
	uint8_t cookie[64];

	h_poll(&H);
	arp_reply();
	pump(false);
	ctrl_take(cookie, sizeof(cookie));
}

static void
test_busy(void **state)
{
	RTE_SET_USED(state);
	assert_int_equal(open_test(1, true), 0);
	to_params();
	srv_state(0xff);
	expect_error("busy");
	pump(false);
	assert_true(conns[0].rst);
}

static void
test_server_error(void **state)
{
	uint8_t m[9] = { 0xfe, 0, 0, 0, 13, 0, 0, 0, 0 };
	json_t *o;

	RTE_SET_USED(state);
	assert_int_equal(open_test(1, true), 0);
	to_params();
	srv_state(9);
	o = ctrl_take_json();
	json_decref(o);
	srv_send(&conns[0], m, 5); /* split: the error arrives in two pieces */
	assert_false(vns_ip3c_done(&res));
	srv_send(&conns[0], m + 5, 4);
	expect_error("not implemented yet");
}

static void
test_server_terminate_and_unknown(void **state)
{
	RTE_SET_USED(state);
	assert_int_equal(open_test(1, true), 0);
	to_params();
	srv_state(11);
	expect_error("terminated");
	assert_int_equal(h_close_checked(&H), 0);
	assert_int_equal(open_test(1, true), 0);
	to_params();
	srv_state(77);
	expect_error("unknown state byte 77");
}

/* The results phase with a given server reply. */
static void
results_with(const char *text, const char *needle)
{
	uint8_t b[16];
	json_t *o;

	assert_int_equal(open_test(1, true), 0);
	run_setup(1, true);
	h_advance_ms(&H, 2001);
	h_poll(&H);
	pump(false);
	assert_int_equal(ctrl_take(b, sizeof(b)), 1);
	srv_state(13);
	o = ctrl_take_json();
	json_decref(o);
	srv_json(text);
	expect_error(needle);
}

static void
test_bad_results(void **state)
{
	RTE_SET_USED(state);
	results_with("{not json", "no JSON");
	assert_int_equal(h_close_checked(&H), 0);
	results_with("{\"cpu_util_total\":0,\"streams\":[]}", "lack a key");
	assert_int_equal(h_close_checked(&H), 0);
	results_with("{\"cpu_util_total\":0,\"cpu_util_user\":0,\"cpu_util_system\":0,"
		     "\"sender_has_retransmits\":1,\"streams\":[{\"id\":2,\"bytes\":1}]}",
		     "stream 2");
	assert_int_equal(h_close_checked(&H), 0);
	results_with("{\"cpu_util_total\":0,\"cpu_util_user\":0,\"cpu_util_system\":0,"
		     "\"sender_has_retransmits\":1,\"streams\":[{\"id\":1}]}",
		     "without id or bytes");
}

static void
test_oversize_results(void **state)
{
	uint8_t b[16], big[4] = { 0x7f, 0, 0, 0 };
	json_t *o;

	RTE_SET_USED(state);
	assert_int_equal(open_test(1, true), 0);
	run_setup(1, true);
	h_advance_ms(&H, 2001);
	h_poll(&H);
	pump(false);
	ctrl_take(b, sizeof(b));
	srv_state(13);
	o = ctrl_take_json();
	json_decref(o);
	srv_send(&conns[0], big, 4);
	expect_error("claim");
}

/* DISPLAY_RESULTS before the server's results, TEST_RUNNING before the streams. */
static void
test_out_of_order_states(void **state)
{
	RTE_SET_USED(state);
	assert_int_equal(open_test(2, true), 0);
	to_params();
	srv_state(2);
	expect_error("before all streams");
	assert_int_equal(h_close_checked(&H), 0);
	assert_int_equal(open_test(1, true), 0);
	to_params();
	srv_state(13);
	expect_error("before TEST_END");
}

static void
test_refused(void **state)
{
	RTE_SET_USED(state);
	assert_int_equal(open_test(1, true), 0);
	h_poll(&H);
	arp_reply();
	assert_int_equal(pump(true), 1);
	expect_error("connection refused");
	assert_non_null(strstr(res.err, "198.18.0.2:5201"));
}

static void
test_silent_server(void **state)
{
	RTE_SET_USED(state);
	assert_int_equal(open_test(1, true), 0);
	to_params();
	h_advance_ms(&H, 29000);
	h_poll(&H);
	pump(false);
	assert_false(vns_ip3c_done(&res));
	h_advance_ms(&H, 1001);
	h_poll(&H);
	expect_error("said nothing");
	pump(false);
}

/* A stream reset while the test runs ends it with that stream's name. */
static void
test_stream_reset(void **state)
{
	RTE_SET_USED(state);
	assert_int_equal(open_test(2, true), 0);
	run_setup(2, true);
	tc_send_at(&conns[2].t, conns[2].t.snd_nxt, PB_RST | PB_ACK, NULL, 0);
	expect_error("stream 2");
	pump(false);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_reverse_full, teardown),
		cmocka_unit_test_teardown(test_reverse_waits_for_inflight, teardown),
		cmocka_unit_test_teardown(test_send_full, teardown),
		cmocka_unit_test_teardown(test_udp_send, teardown),
		cmocka_unit_test_teardown(test_udp_reverse, teardown),
		cmocka_unit_test_teardown(test_busy, teardown),
		cmocka_unit_test_teardown(test_server_error, teardown),
		cmocka_unit_test_teardown(test_server_terminate_and_unknown, teardown),
		cmocka_unit_test_teardown(test_bad_results, teardown),
		cmocka_unit_test_teardown(test_oversize_results, teardown),
		cmocka_unit_test_teardown(test_out_of_order_states, teardown),
		cmocka_unit_test_teardown(test_refused, teardown),
		cmocka_unit_test_teardown(test_silent_server, teardown),
		cmocka_unit_test_teardown(test_stream_reset, teardown),
	};

	RTE_SET_USED(argc);
	if (h_eal_init(argv[0]) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
