/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Active open (vns_conn_connect, vns_tcp_connect.c, vns_arp.c) on the real stack: a fake
 * client service defined here connects from its poll(); the test plays the peer (ARP
 * answers, SYN-ACKs, RSTs) with the packet builder. RFC 9293 §3.10.7.3 transitions, the
 * SYN's options, back-off, refusal, the ARP deadline, unsolicited ARP replies, bad ACKs and
 * simultaneous open. Every test ends with the mbuf pool back to zero in use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <rte_arp.h>

#include "harness.h"
#include "vns_service.h"

#define PEER_IP   RTE_IPV4(198u, 18, 0, 2) /* pktbuild's client: the server we connect to */
#define PEER_PORT 5201

static const struct rte_ether_addr peer_mac = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 } };
static const struct rte_ether_addr stack_mac = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };

/* ---- the connecting service ---------------------------------------------------------- */

static struct {
	int want; /* connections to open at the next poll */
	int rc;
	struct vns_conn_handle h;
	int opened;
	int closed;
	enum vns_close_reason why;
} cs;

static void
cs_poll(struct vns_svc *svc)
{
	while (cs.want > 0) {
		cs.want--;
		cs.rc = vns_conn_connect(svc, rte_cpu_to_be_32(PEER_IP),
					 rte_cpu_to_be_16(PEER_PORT), &cs.h);
	}
}

static void
cs_open(struct vns_svc *svc, struct vns_conn *c)
{
	RTE_SET_USED(svc);
	RTE_SET_USED(c);
	cs.opened++;
}

static void
cs_data(struct vns_svc *svc, struct vns_conn *c, const struct rte_mbuf *m, uint32_t off,
	uint32_t len)
{
	RTE_SET_USED(svc);
	RTE_SET_USED(c);
	RTE_SET_USED(m);
	RTE_SET_USED(off);
	RTE_SET_USED(len);
}

static void
cs_closed(struct vns_svc *svc, struct vns_conn *c, enum vns_close_reason why)
{
	RTE_SET_USED(svc);
	RTE_SET_USED(c);
	cs.closed++;
	cs.why = why;
}

static const struct vns_service_ops cs_ops = {
	.name = "connector",
	.open = cs_open,
	.data = cs_data,
	.closed = cs_closed,
	.poll = cs_poll,
};

static const struct vns_service_bind cs_binds[] = { { 0, &cs_ops, NULL } };

/* ---- helpers ------------------------------------------------------------------------- */

static struct h H;

static int
setup(void **state)
{
	RTE_SET_USED(state);
	memset(&cs, 0, sizeof(cs));
	return h_open(&H, 1, cs_binds, 1, 64, 0);
}

static int
teardown(void **state)
{
	RTE_SET_USED(state);
	return h_close_checked(&H);
}

/* The outbox frames of one kind since the last h_clear(). */
static int
count_out(uint16_t ether_type, uint8_t tcp_flags)
{
	int n = 0;

	for (uint32_t i = 0; i < H.n_out; i++)
		if (H.out[i].ether_type == ether_type &&
		    (ether_type != RTE_ETHER_TYPE_IPV4 || H.out[i].flags == tcp_flags))
			n++;
	return n;
}

static const struct pb_parsed *
last_out(uint16_t ether_type)
{
	for (uint32_t i = H.n_out; i > 0; i--)
		if (H.out[i - 1].ether_type == ether_type)
			return &H.out[i - 1];
	return NULL;
}

static void
arp_answer(uint16_t op, uint32_t sip)
{
	h_input(&H, 0, pb_arp(H.mp, op, &peer_mac, &stack_mac, sip, H_STACK_IP));
}

/* A segment from the peer to our connecting flow (syn: our SYN as parsed). */
static void
peer_send(const struct pb_parsed *syn, uint32_t seq, uint32_t ack, uint8_t flags, int opts)
{
	struct pb_tcp p;

	pb_tcp_defaults(&p);
	p.sport = PEER_PORT;
	p.dport = syn->sport;
	p.seq = seq;
	p.ack = ack;
	p.flags = flags;
	p.win = 29200;
	if (opts) {
		p.mss = 1460;
		p.ws = 7;
		p.sack_perm = 1;
		p.ts = 1;
		p.tsval = 777;
		p.tsecr = syn->tsval;
	}
	h_input(&H, 0, pb_tcp_mbuf(H.mp, &p));
}

/* connect, ARP request, answer, our SYN: returns it. */
static struct pb_parsed
connect_to_syn(void)
{
	const struct pb_parsed *a, *s;

	cs.want = 1;
	h_poll(&H);
	assert_int_equal(cs.rc, 0);
	a = last_out(RTE_ETHER_TYPE_ARP);
	assert_non_null(a);
	assert_int_equal(a->arp_op, RTE_ARP_OP_REQUEST);
	assert_int_equal(a->arp_tip, PEER_IP);
	assert_int_equal(a->arp_sip, H_STACK_IP);
	assert_true(rte_is_broadcast_ether_addr(&a->dst_mac));
	assert_int_equal(count_out(RTE_ETHER_TYPE_IPV4, PB_SYN), 0);
	h_clear(&H);
	arp_answer(RTE_ARP_OP_REPLY, PEER_IP);
	assert_int_equal(h_stat(&H, 0, "arp_learned"), 1);
	s = last_out(RTE_ETHER_TYPE_IPV4);
	assert_non_null(s);
	return *s;
}

/* ---- tests --------------------------------------------------------------------------- */

static void
test_open_established(void **state)
{
	struct pb_parsed syn = connect_to_syn();
	const struct pb_parsed *ack;

	RTE_SET_USED(state);
	assert_int_equal(syn.flags, PB_SYN);
	assert_true(rte_is_same_ether_addr(&syn.dst_mac, &peer_mac));
	assert_int_equal(syn.dst_ip, PEER_IP);
	assert_int_equal(syn.dport, PEER_PORT);
	assert_in_range(syn.sport, 49152, 65535);
	assert_int_equal(syn.mss, 1460);
	assert_int_equal(syn.ws, 7);
	assert_true(syn.sack_perm);
	assert_true(syn.ts);
	assert_int_equal(syn.tsecr, 0);
	assert_int_equal(cs.opened, 0);
	h_clear(&H);
	peer_send(&syn, 1000, syn.seq + 1, PB_SYN | PB_ACK, 1);
	assert_int_equal(cs.opened, 1);
	ack = last_out(RTE_ETHER_TYPE_IPV4);
	assert_non_null(ack);
	assert_int_equal(ack->flags, PB_ACK);
	assert_int_equal(ack->seq, syn.seq + 1);
	assert_int_equal(ack->ack, 1001);
	assert_true(ack->ts);
	assert_int_equal(ack->tsecr, 777);
	assert_int_equal(h_stat(&H, 0, "flows_opened"), 1);
	/* No retransmitted SYN once established. */
	h_clear(&H);
	h_advance_ms(&H, 3000);
	h_poll(&H);
	assert_int_equal(count_out(RTE_ETHER_TYPE_IPV4, PB_SYN), 0);
	assert_int_equal(h_stat(&H, 0, "syn_sent"), 1);
}

/* RFC 7323 §1.3: options the SYN-ACK does not carry are off (no TSopt afterwards). */
static void
test_open_without_options(void **state)
{
	struct pb_parsed syn = connect_to_syn();
	const struct pb_parsed *ack;

	RTE_SET_USED(state);
	h_clear(&H);
	peer_send(&syn, 5000, syn.seq + 1, PB_SYN | PB_ACK, 0);
	assert_int_equal(cs.opened, 1);
	ack = last_out(RTE_ETHER_TYPE_IPV4);
	assert_non_null(ack);
	assert_false(ack->ts);
}

static void
test_refused(void **state)
{
	struct pb_parsed syn = connect_to_syn();

	RTE_SET_USED(state);
	peer_send(&syn, 0, syn.seq + 1, PB_RST | PB_ACK, 0);
	assert_int_equal(cs.closed, 1);
	assert_int_equal(cs.why, VNS_CLOSE_REFUSED);
	assert_int_equal(cs.opened, 0);
	assert_int_equal(h_stat(&H, 0, "connect_failed"), 1);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
}

/* A RST without ACK, or whose ACK is not for our SYN, is ignored (§3.10.7.3 second step). */
static void
test_rst_unacceptable(void **state)
{
	struct pb_parsed syn = connect_to_syn();

	RTE_SET_USED(state);
	peer_send(&syn, 0, 0, PB_RST, 0);
	peer_send(&syn, 0, syn.seq + 5, PB_RST | PB_ACK, 0);
	assert_int_equal(cs.closed, 0);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
	/* Still connecting: the SYN-ACK completes it. */
	peer_send(&syn, 9, syn.seq + 1, PB_SYN | PB_ACK, 1);
	assert_int_equal(cs.opened, 1);
}

/* An ACK of something we never sent gets a RST with SEQ = SEG.ACK; the flow stays. */
static void
test_bad_ack(void **state)
{
	struct pb_parsed syn = connect_to_syn();
	const struct pb_parsed *r;

	RTE_SET_USED(state);
	h_clear(&H);
	peer_send(&syn, 1000, syn.seq + 100, PB_SYN | PB_ACK, 1);
	r = last_out(RTE_ETHER_TYPE_IPV4);
	assert_non_null(r);
	assert_int_equal(r->flags, PB_RST);
	assert_int_equal(r->seq, syn.seq + 100);
	h_clear(&H);
	peer_send(&syn, 1000, syn.seq, PB_ACK, 0); /* SEG.ACK =< ISS */
	r = last_out(RTE_ETHER_TYPE_IPV4);
	assert_non_null(r);
	assert_int_equal(r->flags, PB_RST);
	assert_int_equal(cs.opened, 0);
	assert_int_equal(cs.closed, 0);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 1);
}

/* A SYN without ACK (simultaneous open) is refused: nothing opens, the SYN is resent. */
static void
test_simultaneous_open_refused(void **state)
{
	struct pb_parsed syn = connect_to_syn();

	RTE_SET_USED(state);
	h_clear(&H);
	peer_send(&syn, 1000, 0, PB_SYN, 1);
	assert_int_equal(cs.opened, 0);
	assert_int_equal(H.n_out, 0);
	h_advance_ms(&H, 1000);
	h_poll(&H);
	assert_int_equal(count_out(RTE_ETHER_TYPE_IPV4, PB_SYN), 1);
}

/* RFC 6298 back-off: SYN at 0, retransmissions at +1, +3, +7 s, given up at +15 s. */
static void
test_syn_backoff_timeout(void **state)
{
	struct pb_parsed syn = connect_to_syn();
	static const uint64_t gaps_ms[] = { 1000, 2000, 4000 };

	RTE_SET_USED(state);
	for (unsigned int i = 0; i < RTE_DIM(gaps_ms); i++) {
		h_clear(&H);
		h_advance_ms(&H, gaps_ms[i] - 10);
		h_poll(&H);
		assert_int_equal(count_out(RTE_ETHER_TYPE_IPV4, PB_SYN), 0);
		h_advance_ms(&H, 20);
		h_poll(&H);
		assert_int_equal(count_out(RTE_ETHER_TYPE_IPV4, PB_SYN), 1);
		assert_int_equal(last_out(RTE_ETHER_TYPE_IPV4)->seq, syn.seq);
		H.now -= 10 * H.hz / 1000; /* back on the exact schedule */
	}
	assert_int_equal(cs.closed, 0);
	h_advance_ms(&H, 8000 + 10);
	h_poll(&H);
	assert_int_equal(cs.closed, 1);
	assert_int_equal(cs.why, VNS_CLOSE_TIMEOUT);
	assert_int_equal(h_stat(&H, 0, "syn_sent"), 4);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 0);
}

/* No ARP answer: three requests a second apart, then closed() with UNREACH. */
static void
test_arp_timeout(void **state)
{
	RTE_SET_USED(state);
	cs.want = 1;
	h_poll(&H);
	assert_int_equal(count_out(RTE_ETHER_TYPE_ARP, 0), 1);
	for (int i = 0; i < 2; i++) {
		h_clear(&H);
		h_advance_ms(&H, 1001);
		h_poll(&H);
		assert_int_equal(count_out(RTE_ETHER_TYPE_ARP, 0), 1);
		assert_int_equal(cs.closed, 0);
	}
	h_clear(&H);
	h_advance_ms(&H, 1001);
	h_poll(&H);
	assert_int_equal(count_out(RTE_ETHER_TYPE_ARP, 0), 0);
	assert_int_equal(cs.closed, 1);
	assert_int_equal(cs.why, VNS_CLOSE_UNREACH);
	assert_int_equal(h_stat(&H, 0, "arp_requests"), 3);
	assert_int_equal(count_out(RTE_ETHER_TYPE_IPV4, PB_SYN), 0);
}

/* A reply nobody asked for plants nothing: the next connect still asks. A reply after the
 * request lets the second connect go straight to its SYN (the cache). */
static void
test_arp_unsolicited_and_cache(void **state)
{
	struct pb_parsed syn;

	RTE_SET_USED(state);
	arp_answer(RTE_ARP_OP_REPLY, PEER_IP);
	assert_int_equal(h_stat(&H, 0, "arp_learned"), 0);
	syn = connect_to_syn();
	assert_int_equal(syn.flags, PB_SYN);
	h_clear(&H);
	cs.want = 1;
	h_poll(&H);
	assert_int_equal(count_out(RTE_ETHER_TYPE_ARP, 0), 0);
	assert_int_equal(count_out(RTE_ETHER_TYPE_IPV4, PB_SYN), 1);
	/* Another local port for the same peer. */
	assert_int_not_equal(last_out(RTE_ETHER_TYPE_IPV4)->sport, syn.sport);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 2);
}

/* Bad arguments and a full flow table are errors, not connections. */
static void
test_connect_errors(void **state)
{
	RTE_SET_USED(state);
	cs.want = 64;
	h_poll(&H);
	assert_int_equal(cs.rc, 0);
	cs.want = 1;
	h_poll(&H);
	assert_int_equal(cs.rc, -ENOBUFS);
	assert_int_equal(vns_stack_nb_flows(H.st[0]), 64);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_established, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_without_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst_unacceptable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_simultaneous_open_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_backoff_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arp_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arp_unsolicited_and_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connect_errors, setup, teardown),
	};

	RTE_SET_USED(argc);
	if (h_eal_init(argv[0]) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
