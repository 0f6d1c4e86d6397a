/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the stack's Ethernet, ARP, ICMP and IPv4 layer (vns_eth.c) and its checksum
 * handling on receive and transmit: crafted frames through the real vns_stack_input() /
 * vns_stack_poll(), replies parsed back. Connections go to the harness's fake service. Every
 * test ends with the mempool fully returned (no mbuf leak on any path, including drops).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_arp.h>
#include <rte_icmp.h>

#include "harness.h"
#include "vns_csum.h"

static struct h H;
static struct tc C;

static int
setup1(void **state)
{
	(void)state;
	return h_open_sink(&H, 1, H_SINK_PAYLOAD, 64, 0);
}

static int
teardown(void **state)
{
	(void)state;
	return h_close_checked(&H);
}

#define STAT(name) h_stat(&H, 0, #name)

static void
test_arp_reply(void **state)
{
	struct rte_ether_addr cmac = { { 0x02, 0, 0, 0, 0, 0x02 } };

	(void)state;
	h_input(&H, 0, pb_arp_request(H.mp, &cmac, H_CLIENT_IP, H_STACK_IP));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(H.out[0].ether_type, RTE_ETHER_TYPE_ARP);
	assert_int_equal(H.out[0].arp_op, RTE_ARP_OP_REPLY);
	assert_int_equal(H.out[0].arp_sip, H_STACK_IP);
	assert_int_equal(H.out[0].arp_tip, H_CLIENT_IP);
	assert_memory_equal(&H.out[0].dst_mac, &cmac, 6);
	assert_int_equal(H.out[0].arp_sha.addr_bytes[5], 0x01);
	assert_int_equal(STAT(arp_replies), 1);
	h_clear(&H);
	/* Someone else's address: no answer. */
	h_input(&H, 0, pb_arp_request(H.mp, &cmac, H_CLIENT_IP, RTE_IPV4(198u, 18, 0, 9)));
	assert_int_equal(H.n_out, 0);
	assert_int_equal(STAT(drop_not_ours), 1);
}

static void
test_icmp_echo(void **state)
{
	struct rte_ether_addr cmac = { { 0x02, 0, 0, 0, 0, 0x02 } };
	struct rte_ether_addr smac = { { 0x02, 0, 0, 0, 0, 0x01 } };

	(void)state;
	h_input(&H, 0, pb_icmp_echo(H.mp, &cmac, &smac, H_CLIENT_IP, H_STACK_IP, 77, 5, 101));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(H.out[0].proto, IPPROTO_ICMP);
	assert_int_equal(H.out[0].icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	assert_true(H.out[0].icmp_csum_ok);
	assert_true(H.out[0].ip_csum_ok);
	assert_int_equal(H.out[0].icmp_id, 77);
	assert_int_equal(H.out[0].icmp_seq, 5);
	assert_int_equal(H.out[0].plen, 101);
	assert_int_equal(H.out[0].dst_ip, H_CLIENT_IP);
	assert_int_equal(H.out[0].src_ip, H_STACK_IP);
	assert_int_equal(STAT(icmp_echo_replies), 1);
}

static void
test_bad_checksums(void **state)
{
	struct pb_tcp p;
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40019, H_PORT, 1, 0);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_clear(&H);
	tc_fill(&C, &p, b, PB_ACK, h_pat, 100);
	p.bad_tcp_csum = 1;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(H.n_out, 0);
	assert_int_equal(STAT(drop_bad_csum), 1);
	p.bad_tcp_csum = 0;
	p.bad_ip_csum = 1;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(STAT(drop_bad_csum), 2);
	/* The device says BAD: dropped without looking. */
	p.bad_ip_csum = 0;
	p.ol_flags = RTE_MBUF_F_RX_L4_CKSUM_BAD;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(STAT(drop_bad_csum), 3);
	/* GOOD or NONE (partial checksum, data intact): trusted. */
	p.bad_tcp_csum = 1;
	p.ol_flags = RTE_MBUF_F_RX_L4_CKSUM_NONE | RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(STAT(drop_bad_csum), 3);
	assert_int_equal(STAT(tcp_payload_bytes), 100);
	assert_int_equal(tc_last(&C)->ack, b + 100);
}

static void
fix_ip_csum(uint8_t *f)
{
	uint16_t c;

	f[14 + 10] = 0;
	f[14 + 11] = 0;
	c = (uint16_t)~rte_raw_cksum(f + 14, 20);
	memcpy(f + 14 + 10, &c, 2);
}

static void
test_malformed_frames(void **state)
{
	static uint8_t f[2048];
	struct pb_tcp p;
	uint32_t len, drops = 0;
	struct rte_mbuf *m;

	(void)state;
	pb_tcp_defaults(&p);
	p.flags = PB_SYN;
	len = pb_tcp_frame(&p, f, sizeof(f));

	/* truncated Ethernet */
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, 10, 0, 0));
	assert_int_equal(STAT(drop_malformed), ++drops);
	/* truncated IPv4 header */
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, 14 + 12, 0, 0));
	assert_int_equal(STAT(drop_malformed), ++drops);
	/* IHL 4 */
	f[14] = 0x44;
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len, 0, 0));
	assert_int_equal(STAT(drop_malformed), ++drops);
	/* IHL 15 beyond the datagram */
	f[14] = 0x4f;
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len, 0, 0));
	assert_true(STAT(drop_malformed) + STAT(drop_bad_csum) >= drops + 1);
	drops = (uint32_t)STAT(drop_malformed);
	f[14] = 0x45;
	/* total length beyond the frame */
	f[16] = 0x05;
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len, 0, 0));
	assert_int_equal(STAT(drop_malformed), ++drops);
	len = pb_tcp_frame(&p, f, sizeof(f));
	/* TCP data offset 4 (< 5 words) */
	f[14 + 20 + 12] = 0x40;
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len, 0, RTE_MBUF_F_RX_L4_CKSUM_GOOD));
	assert_int_equal(STAT(drop_malformed), ++drops);
	/* TCP data offset beyond the segment */
	f[14 + 20 + 12] = 0xf0;
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len, 0, RTE_MBUF_F_RX_L4_CKSUM_GOOD));
	assert_int_equal(STAT(drop_malformed), ++drops);
	/* truncated TCP header */
	len = pb_tcp_frame(&p, f, sizeof(f));
	f[16] = 0;
	f[17] = 30;
	fix_ip_csum(f);
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, 14 + 30, 0, 0));
	assert_int_equal(STAT(drop_malformed), ++drops);
	/* a header split across chained mbufs is fine (read, not rejected) */
	len = pb_tcp_frame(&p, f, sizeof(f));
	m = pb_raw_mbuf(H.mp, f, len, 20, 0);
	assert_non_null(m);
	assert_true(m->nb_segs > 2);
	h_input(&H, 0, m);
	assert_int_equal(STAT(syn_rcvd), 1);
	assert_int_equal(STAT(drop_malformed), drops);
	/* fragments and other protocols */
	len = pb_tcp_frame(&p, f, sizeof(f));
	f[14 + 6] = 0x20; /* MF */
	fix_ip_csum(f);
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len, 0, 0));
	assert_int_equal(STAT(drop_frag), 1);
	/* Ethernet padding after the datagram is ignored. */
	p.sport = 555;
	p.eth_pad = 6;
	h_clear(&H);
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(STAT(syn_rcvd), 2);
}

static void
test_lro_chain_segment(void **state)
{
	struct pb_tcp p;
	uint32_t b;

	(void)state;
	tc_init(&C, &H, 0, 40020, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	h_clear(&H);
	tc_fill(&C, &p, b, PB_ACK, h_pat, 64000);
	p.seg_size = 1500;
	p.ol_flags = RTE_MBUF_F_RX_LRO;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(tc_last(&C)->ack, b + 64000);
	assert_int_equal(STAT(large_segments), 1);
	assert_int_equal(STAT(drop_bad_csum), 0);
}

/* A chain whose segment boundaries fall at odd offsets, checksums left to us (flags UNKNOWN):
 * valid segments are accepted (DPDK 22.11's rte_raw_cksum_mbuf loses carries there). */
static void
test_csum_odd_chain_accepted(void **state)
{
	static const uint32_t sizes[] = { 61, 63, 77, 101, 1499 };
	struct pb_tcp p;
	uint32_t b, i;

	(void)state;
	tc_init(&C, &H, 0, 40021, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	b = C.snd_nxt;
	for (i = 0; i < RTE_DIM(sizes); i++) {
		tc_fill(&C, &p, b + i * 1000, PB_ACK, h_pat + i, 1000);
		p.seg_size = sizes[i];
		h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	}
	assert_int_equal(STAT(drop_bad_csum), 0);
	assert_int_equal(STAT(tcp_payload_bytes), 1000 * RTE_DIM(sizes));
	/* A corrupted one is still refused. */
	tc_fill(&C, &p, b + 5000, PB_ACK, h_pat, 1000);
	p.seg_size = 61;
	p.bad_tcp_csum = 1;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	assert_int_equal(STAT(drop_bad_csum), 1);
}

/* vns_csum_mbuf() against the flat sum, over chains split every 1..80 bytes (odd boundaries
 * included) and at several start offsets and lengths. */
static void
test_csum_chain_reference(void **state)
{
	static uint8_t buf[2000];
	uint32_t i, seg, off;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(rand() & 0xff);
	for (seg = 1; seg <= 80; seg++) {
		struct rte_mbuf *m = pb_raw_mbuf(H.mp, buf, sizeof(buf), seg, 0);

		assert_non_null(m);
		for (off = 0; off < 40; off += 3) {
			uint32_t len = (uint32_t)sizeof(buf) - off - seg % 7;
			uint16_t got;

			assert_int_equal(vns_csum_mbuf(m, off, len, &got), 0);
			assert_int_equal(got, rte_raw_cksum(buf + off, len));
		}
		assert_int_equal(vns_csum_mbuf(m, 10, sizeof(buf), &(uint16_t){ 0 }), -1);
		rte_pktmbuf_free(m);
	}
}

static void
test_tx_offload_flags(void **state)
{
	struct h *h = &H;

	(void)state;
	/* Re-open with offloads: the parser checks the pseudo-header sum instead. */
	assert_int_equal(h_close(h), 0);
	assert_int_equal(
		h_open_sink(h, 1, H_SINK_COUNT, 16, VNS_TXOFF_IPV4_CKSUM | VNS_TXOFF_TCP_CKSUM), 0);
	tc_init(&C, h, 0, 40030, H_PORT, 1, 1);
	assert_int_equal(tc_connect(&C), 0);
	tc_send(&C, "abc", 3);
	assert_non_null(tc_last(&C));
	assert_true(tc_last(&C)->tcp_csum_ok);
	assert_true(tc_last(&C)->ip_csum_ok);
}

/* RFC 1122 3.2.1.3: a datagram from 0/8, 127/8, 224/4, 240/4 (and the limited broadcast)
 * or from our own address names no host to answer; 3.3.6: a unicast datagram that came as
 * a link-layer broadcast is discarded; a group MAC is no sender's. Nothing is answered. */
static void
test_bad_source_addresses(void **state)
{
	static const uint32_t bad[] = {
		RTE_IPV4(0, 0, 0, 0),   RTE_IPV4(255, 255, 255, 255), RTE_IPV4(224, 0, 0, 1),
		RTE_IPV4(127, 0, 0, 1), RTE_IPV4(240, 0, 0, 9),       H_STACK_IP,
	};
	struct rte_ether_addr cmac = { { 0x02, 0, 0, 0, 0, 0x02 } };
	struct rte_ether_addr smac = { { 0x02, 0, 0, 0, 0, 0x01 } };
	struct rte_ether_addr mcast = { { 0x01, 0, 0x5e, 0, 0, 0x01 } };
	struct pb_tcp p;
	uint32_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++) {
		pb_tcp_defaults(&p);
		p.src_ip = bad[i];
		p.sport = 40200;
		p.dport = H_PORT;
		p.flags = PB_SYN;
		h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
		h_input(&H, 0, pb_icmp_echo(H.mp, &cmac, &smac, bad[i], H_STACK_IP, 1, 1, 8));
	}
	assert_int_equal(H.n_out, 0);
	assert_int_equal(STAT(drop_bad_addr), 2 * RTE_DIM(bad));
	/* A unicast SYN and ping sent to the broadcast MAC. */
	pb_tcp_defaults(&p);
	p.dst_mac = (struct rte_ether_addr){ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	p.sport = 40201;
	p.dport = H_PORT;
	p.flags = PB_SYN;
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
	h_input(&H, 0, pb_icmp_echo(H.mp, &cmac, &p.dst_mac, H_CLIENT_IP, H_STACK_IP, 1, 1, 8));
	/* A multicast source MAC. */
	h_input(&H, 0, pb_icmp_echo(H.mp, &mcast, &smac, H_CLIENT_IP, H_STACK_IP, 1, 1, 8));
	assert_int_equal(H.n_out, 0);
	assert_int_equal(STAT(drop_bad_addr), 2 * RTE_DIM(bad) + 3);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
	/* The same from a good source is answered. */
	h_input(&H, 0, pb_icmp_echo(H.mp, &cmac, &smac, H_CLIENT_IP, H_STACK_IP, 1, 1, 8));
	assert_int_equal(H.n_out, 1);
}

/* An echo request with IP options (Record Route here) is answered without them (RFC 1122
 * 3.2.2.6, 3.2.1.8: options such as a source route must not be echoed unchanged). */
static void
test_icmp_echo_ip_options(void **state)
{
	static const uint8_t rr[8] = { 7, 7, 4, 0, 0, 0, 0, 0 }; /* RR, one slot, then EOL */
	struct rte_ether_addr cmac = { { 0x02, 0, 0, 0, 0, 0x02 } };
	struct rte_ether_addr smac = { { 0x02, 0, 0, 0, 0, 0x01 } };
	struct rte_mbuf *m = pb_icmp_echo(H.mp, &cmac, &smac, H_CLIENT_IP, H_STACK_IP, 9, 3, 64);
	uint8_t f[256];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + RTE_ETHER_HDR_LEN);
	uint32_t len = rte_pktmbuf_pkt_len(m), l3 = RTE_ETHER_HDR_LEN + 20;
	const void *d;

	(void)state;
	assert_true(len + sizeof(rr) <= sizeof(f));
	d = rte_pktmbuf_read(m, 0, len, f);
	if (d != f)
		memcpy(f, d, len);
	rte_pktmbuf_free(m);
	memmove(f + l3 + sizeof(rr), f + l3, len - l3);
	memcpy(f + l3, rr, sizeof(rr));
	ip->version_ihl = 0x47;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len + sizeof(rr) - RTE_ETHER_HDR_LEN));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	h_input(&H, 0, pb_raw_mbuf(H.mp, f, len + sizeof(rr), 0, 0));
	assert_int_equal(H.n_out, 1);
	assert_int_equal(H.out[0].icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(H.out[0].ihl, 20);
	assert_true(H.out[0].ip_csum_ok);
	assert_true(H.out[0].icmp_csum_ok);
	assert_int_equal(H.out[0].icmp_id, 9);
	assert_int_equal(H.out[0].plen, 64);
	assert_int_equal(H.out[0].dst_ip, H_CLIENT_IP);
	assert_true(rte_is_same_ether_addr(&H.out[0].dst_mac, &cmac));
}

/* VLAN-tagged frames, in band or stripped by the device, are dropped and counted apart: we
 * would answer them untagged, on another VLAN. */
static void
test_vlan_dropped(void **state)
{
	struct rte_ether_addr cmac = { { 0x02, 0, 0, 0, 0, 0x02 } };
	struct rte_ether_addr smac = { { 0x02, 0, 0, 0, 0, 0x01 } };
	struct rte_mbuf *m;

	(void)state;
	m = pb_icmp_echo(H.mp, &cmac, &smac, H_CLIENT_IP, H_STACK_IP, 1, 1, 8);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = 5;
	h_input(&H, 0, m);
	m = pb_icmp_echo(H.mp, &cmac, &smac, H_CLIENT_IP, H_STACK_IP, 1, 1, 8);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
	h_input(&H, 0, m);
	assert_int_equal(H.n_out, 0);
	assert_int_equal(STAT(drop_vlan), 2);
	assert_int_equal(STAT(drop_proto), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_arp_reply, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_bad_checksums, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_frames, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_lro_chain_segment, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_csum_odd_chain_accepted, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_csum_chain_reference, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_tx_offload_flags, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_bad_source_addresses, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo_ip_options, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_vlan_dropped, setup1, teardown),
	};

	(void)argc;
	h_eal_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
