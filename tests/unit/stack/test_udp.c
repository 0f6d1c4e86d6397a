/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the stack's UDP path (vns_udp.c): length and checksum checks (software and
 * the device's verdict), delivery to the datagram callback of the service bound on the port,
 * datagrams to no such service counted and dropped, the reply send, and the burst send of
 * bulk datagrams (heads copied, a pattern attached or copied, checksums, the tx reserve), and
 * connected flows (vns_udp_connect: the ARP wait, an ephemeral port, delivery by 4-tuple,
 * the bound, disconnect).
 * Crafted frames through the real vns_stack_input(); every test ends with the mempool fully
 * returned.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_arp.h>
#include <rte_udp.h>

#include "harness.h"

#define U_PORT 7000 /* the fake datagram service */

static struct h H;

/* A fake datagram service: remembers the last datagram; one starting with 'E' is echoed. */
static struct {
	uint32_t calls;
	struct vns_udp_peer peer;
	uint32_t len;
	uint8_t data[1500];
	int send_rc;
	/* 'B': a burst of burst_n datagrams of hlen + plen bytes from pat */
	struct vns_udp_pattern *pat;
	uint16_t burst_n, burst_rc, room;
	uint32_t hlen, plen, payload_max;
	/* 'C': connect to the sender's address, port 41000 (n_conn times); 'D': disconnect */
	struct vns_udp_peer cpeer;
	int conn_rc, n_conn;
} U;

static void
u_data(struct vns_svc *svc, struct vns_conn *c, const struct rte_mbuf *m, uint32_t off,
       uint32_t len)
{
	(void)svc;
	(void)c;
	(void)m;
	(void)off;
	(void)len;
}

static void
u_datagram(struct vns_svc *svc, const struct vns_udp_peer *peer, const struct rte_mbuf *m,
	   uint32_t off, uint32_t len)
{
	U.calls++;
	U.peer = *peer;
	U.len = len;
	if (len > 0 && len <= sizeof(U.data)) {
		const void *p = rte_pktmbuf_read(m, off, len, U.data);

		if (p != U.data)
			memcpy(U.data, p, len);
	}
	if (len > 0 && U.data[0] == 'E')
		U.send_rc = vns_udp_send(svc, peer, U.data, len);
	if (len > 0 && U.data[0] == 'C')
		for (int i = 0; i < RTE_MAX(U.n_conn, 1); i++)
			U.conn_rc = vns_udp_connect(svc, peer->ip, rte_cpu_to_be_16(41000),
						    &U.cpeer);
	if (len > 0 && U.data[0] == 'D')
		vns_udp_disconnect(svc, &U.cpeer);
	if (len > 0 && U.data[0] == 'B') {
		static uint8_t heads[VNS_TXBUF_MAX * VNS_UDP_HEAD_MAX];
		uint32_t i;

		/* Head i: its number in the first byte, then 'h's. */
		for (i = 0; i < U.burst_n; i++) {
			memset(heads + i * U.hlen, 'h', U.hlen);
			heads[i * U.hlen] = (uint8_t)i;
		}
		U.room = vns_udp_tx_room(svc);
		U.payload_max = vns_udp_payload_max(svc);
		U.burst_rc = vns_udp_send_burst(svc, peer, heads, U.hlen, U.pat, U.plen, U.burst_n);
	}
}

static const struct vns_service_ops u_ops = {
	.name = "u_echo",
	.data = u_data,
	.datagram = u_datagram,
};

/* The fake on U_PORT, and the harness's TCP-only sink on H_PORT (no datagram callback). */
static const struct h_sink_conf sink_conf = { .payload = false };
static const struct vns_service_bind binds[] = {
	{ U_PORT, &u_ops, NULL },
	{ H_PORT, &h_sink_ops, &sink_conf },
};

static const struct rte_ether_addr cmac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct rte_ether_addr smac = { { 0x02, 0, 0, 0, 0, 0x01 } };

static int
setup(void **state)
{
	(void)state;
	memset(&U, 0, sizeof(U));
	return h_open(&H, 1, binds, RTE_DIM(binds), 64, 0);
}

static int
teardown(void **state)
{
	(void)state;
	return h_close_checked(&H);
}

static int
setup_chain(void **state)
{
	(void)state;
	memset(&U, 0, sizeof(U));
	return h_open(&H, 1, binds, RTE_DIM(binds), 64, VNS_TXOFF_MULTI_SEGS);
}

#define STAT(name) h_stat(&H, 0, #name)

static struct rte_mbuf *
udp(uint16_t dport, const char *s, int csum, int ulen_delta)
{
	return pb_udp_mbuf(H.mp, &cmac, &smac, H_CLIENT_IP, 40000, H_STACK_IP, dport, s,
			   (uint32_t)strlen(s), csum, ulen_delta);
}

static void
test_udp_delivery(void **state)
{
	(void)state;
	h_input(&H, 0, udp(U_PORT, "hello", 1, 0));
	assert_int_equal(U.calls, 1);
	assert_int_equal(U.len, 5);
	assert_memory_equal(U.data, "hello", 5);
	assert_int_equal(U.peer.ip, rte_cpu_to_be_32(H_CLIENT_IP));
	assert_int_equal(U.peer.port, rte_cpu_to_be_16(40000));
	assert_int_equal(U.peer.local_port, rte_cpu_to_be_16(U_PORT));
	assert_memory_equal(&U.peer.mac, &cmac, 6);
	assert_int_equal(STAT(udp_datagrams), 1);
	assert_int_equal(STAT(udp_payload_bytes), 5);
	/* No checksum (zero field): allowed over IPv4. */
	h_input(&H, 0, udp(U_PORT, "abc", 0, 0));
	assert_int_equal(U.calls, 2);
	assert_int_equal(U.len, 3);
	/* An empty datagram is a datagram. */
	h_input(&H, 0, udp(U_PORT, "", 1, 0));
	assert_int_equal(U.calls, 3);
	assert_int_equal(U.len, 0);
	assert_int_equal(H.n_out, 0);
}

static void
test_udp_bad_checksum(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	h_input(&H, 0, udp(U_PORT, "hello", -1, 0));
	assert_int_equal(U.calls, 0);
	assert_int_equal(STAT(drop_bad_csum), 1);
	/* The device's verdict is used: BAD drops a right checksum, GOOD passes a wrong one. */
	m = udp(U_PORT, "hello", 1, 0);
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_BAD;
	h_input(&H, 0, m);
	assert_int_equal(U.calls, 0);
	assert_int_equal(STAT(drop_bad_csum), 2);
	m = udp(U_PORT, "hello", -1, 0);
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	h_input(&H, 0, m);
	assert_int_equal(U.calls, 1);
	assert_int_equal(STAT(udp_datagrams), 1);
}

static void
test_udp_bad_length(void **state)
{
	uint8_t f[64];
	struct rte_mbuf *m = udp(U_PORT, "", 0, 0);
	struct rte_ipv4_hdr *ip;

	(void)state;
	/* An IP payload shorter than the UDP header. */
	memcpy(f, rte_pktmbuf_mtod(m, void *), rte_pktmbuf_pkt_len(m));
	rte_pktmbuf_free(m);
	ip = (struct rte_ipv4_hdr *)(f + sizeof(struct rte_ether_hdr));
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + 4);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, sizeof(struct rte_ether_hdr) + sizeof(*ip) + 4, 0, 0));
	assert_int_equal(STAT(drop_malformed), 1);
	/* A UDP length beyond the IP payload, and one below the header's 8 bytes. */
	h_input(&H, 0, udp(U_PORT, "hello", 0, 1));
	assert_int_equal(STAT(drop_malformed), 2);
	h_input(&H, 0, udp(U_PORT, "hello", 0, -6));
	assert_int_equal(STAT(drop_malformed), 3);
	assert_int_equal(U.calls, 0);
	/* A UDP length below the IP payload: the rest is not the datagram's. */
	h_input(&H, 0, udp(U_PORT, "hello", 0, -2));
	assert_int_equal(U.calls, 1);
	assert_int_equal(U.len, 3);
}

static struct rte_mbuf *
udp_from(uint16_t sport, uint16_t dport, const char *s)
{
	return pb_udp_mbuf(H.mp, &cmac, &smac, H_CLIENT_IP, sport, H_STACK_IP, dport, s,
			   (uint32_t)strlen(s), 1, 0);
}

static void
arp_answer(void)
{
	h_input(&H, 0, pb_arp(H.mp, RTE_ARP_OP_REPLY, &cmac, &smac, H_CLIENT_IP, H_STACK_IP));
}

/* A connected flow gets the datagrams of its 4-tuple on the service's callback, on an
 * ephemeral port no service listens on; others to that port are no one's. */
static void
test_udp_connected(void **state)
{
	uint16_t lport;

	(void)state;
	h_input(&H, 0, udp(U_PORT, "C", 1, 0));
	assert_int_equal(U.conn_rc, -EAGAIN); /* the MAC is asked for first */
	assert_int_equal(H.n_out, 1);
	assert_int_equal(H.out[0].ether_type, RTE_ETHER_TYPE_ARP);
	h_clear(&H);
	arp_answer();
	h_input(&H, 0, udp(U_PORT, "C", 1, 0));
	assert_int_equal(U.conn_rc, 0);
	lport = rte_be_to_cpu_16(U.cpeer.local_port);
	assert_true(lport >= 49152);
	assert_int_equal(U.cpeer.port, rte_cpu_to_be_16(41000));
	assert_int_equal(U.cpeer.ip, rte_cpu_to_be_32(H_CLIENT_IP));
	assert_memory_equal(&U.cpeer.mac, &cmac, 6);
	U.calls = 0;
	h_input(&H, 0, udp_from(41000, lport, "to the flow"));
	assert_int_equal(U.calls, 1);
	assert_int_equal(U.peer.local_port, U.cpeer.local_port);
	assert_int_equal(U.len, 11);
	/* Another source port is not the flow's. */
	h_input(&H, 0, udp_from(41001, lport, "stranger"));
	assert_int_equal(U.calls, 1);
	assert_int_equal(STAT(udp_no_port), 1);
	/* Gone after disconnect. */
	h_input(&H, 0, udp(U_PORT, "D", 1, 0));
	U.calls = 0;
	h_input(&H, 0, udp_from(41000, lport, "late"));
	assert_int_equal(U.calls, 0);
	assert_int_equal(STAT(udp_no_port), 2);
	/* Bounded: VNS_UDP_CONN_MAX flows, each on its own port, then -ENOBUFS. */
	U.n_conn = VNS_UDP_CONN_MAX;
	h_input(&H, 0, udp(U_PORT, "C", 1, 0));
	assert_int_equal(U.conn_rc, 0);
	U.n_conn = 1;
	h_input(&H, 0, udp(U_PORT, "C", 1, 0));
	assert_int_equal(U.conn_rc, -ENOBUFS);
	h_clear(&H);
}

static void
test_udp_unbound_port(void **state)
{
	(void)state;
	h_input(&H, 0, udp(U_PORT + 1, "hello", 1, 0));
	/* A port whose service takes connections only. */
	h_input(&H, 0, udp(H_PORT, "hello", 1, 0));
	assert_int_equal(STAT(udp_no_port), 2);
	assert_int_equal(STAT(udp_datagrams), 0);
	assert_int_equal(U.calls, 0);
	assert_int_equal(H.n_out, 0); /* no ICMP port unreachable */
}

static void
test_udp_reply_and_chain(void **state)
{
	uint8_t f[256];
	struct rte_mbuf *m = udp(U_PORT, "Echo this back", 1, 0);
	uint32_t len = rte_pktmbuf_pkt_len(m);

	(void)state;
	h_input(&H, 0, m);
	assert_int_equal(U.send_rc, 0);
	assert_int_equal(H.n_out, 1);
	assert_int_equal(H.out[0].proto, IPPROTO_UDP);
	assert_int_equal(H.out[0].src_ip, H_STACK_IP);
	assert_int_equal(H.out[0].dst_ip, H_CLIENT_IP);
	assert_true(H.out[0].ip_csum_ok);
	assert_int_equal(H.out[0].sport, U_PORT);
	assert_int_equal(H.out[0].dport, 40000);
	assert_true(H.out[0].tcp_csum_ok);
	assert_int_equal(H.out[0].plen, 14);
	assert_memory_equal(H.out[0].payload, "Echo this back", 14);
	assert_memory_equal(&H.out[0].dst_mac, &cmac, 6);
	h_clear(&H);
	/* The same frame in 20-byte segments: the UDP header straddles two of them. */
	m = udp(U_PORT, "Echo this back", 1, 0);
	memcpy(f, rte_pktmbuf_mtod(m, void *), len);
	rte_pktmbuf_free(m);
	m = pb_raw_mbuf(H.mp, f, len, 20, 0);
	assert_true(m->nb_segs > 2);
	h_input(&H, 0, m);
	assert_int_equal(U.calls, 2);
	assert_int_equal(U.len, 14);
	assert_memory_equal(U.data, "Echo this back", 14);
	assert_int_equal(STAT(drop_bad_csum), 0);
	assert_int_equal(H.n_out, 1);
}

/* One burst from the fake: hlen-byte heads, plen bytes of a 2000-byte pattern, n datagrams;
 * checks every datagram out and returns how many were sent. */
static uint16_t
burst(uint32_t hlen, uint32_t plen, uint16_t n)
{
	char err[128];
	uint32_t i;

	U.pat = vns_udp_pattern_create(2000, SOCKET_ID_ANY, err, sizeof(err));
	assert_non_null(U.pat);
	U.hlen = hlen;
	U.plen = plen;
	U.burst_n = n;
	h_clear(&H);
	h_input(&H, 0, udp(U_PORT, "B", 1, 0));
	/* The stack's mbufs hold the pattern until they are freed: it goes after them. */
	vns_udp_pattern_free(U.pat);
	assert_int_equal(H.n_out, U.burst_rc);
	for (i = 0; i < H.n_out; i++) {
		const struct pb_parsed *r = &H.out[i];
		uint32_t k;

		assert_int_equal(r->proto, IPPROTO_UDP);
		assert_true(r->ip_csum_ok);
		assert_true(r->tcp_csum_ok);
		assert_int_equal(r->sport, U_PORT);
		assert_int_equal(r->dport, 40000);
		assert_memory_equal(&r->dst_mac, &cmac, 6);
		assert_int_equal(r->plen, hlen + plen);
		assert_int_equal(r->payload[0], (uint8_t)i);
		for (k = 1; k < hlen; k++)
			assert_int_equal(r->payload[k], 'h');
		for (k = 0; k < plen; k++)
			assert_int_equal(r->payload[hlen + k], '0' + k % 10);
	}
	return U.burst_rc;
}

static void
test_udp_burst(void **state)
{
	(void)state;
	/* Odd and even heads (the pattern's sum counts byte-swapped after an odd one), odd and
	 * even pattern lengths, no pattern at all. */
	assert_int_equal(burst(12, 1388, 8), 8);
	assert_int_equal(burst(5, 1001, 8), 8);
	assert_int_equal(burst(16, 0, 3), 3);
	assert_int_equal(burst(64, 1408, 2), 2);
	/* The MTU bounds a datagram; the head, VNS_UDP_HEAD_MAX. */
	assert_int_equal(U.payload_max, 1472);
	assert_int_equal(burst(12, 1461, 1), 0);
	assert_int_equal(burst(65, 100, 1), 0);
	/* The tx buffer's last quarter stays for the stack's own frames. */
	assert_int_equal(burst(12, 100, 250), VNS_TXBUF_MAX - VNS_TXBUF_MAX / 4);
	assert_int_equal(U.room, VNS_TXBUF_MAX - VNS_TXBUF_MAX / 4);
	assert_int_equal(STAT(drop_txbuf_full), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_udp_delivery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_bad_checksum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_bad_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_unbound_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_reply_and_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_connected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_burst, setup_chain, teardown),
	};

	(void)argc;
	h_eal_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
