/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpmd against a misbehaving device: every rule the rx and tx paths check on a
 * used entry, one violation at a time; the queue breaks for good and leaks nothing.
 * Every test ends with the mempool full again: that is the leak check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "fake_vnet.h"
#include "test_common.h"
#include "test_env.h"
#include "vpmd.h"
#include "vpmd_internal.h"

/* ---- misbehaving device ---------------------------------------------------------------------- */

enum bad_counter { C_NONE, C_LEN, C_HDR };

struct mal_case {
	const char *what;
	enum fake_mis mis;
	struct vpmd_net_hdr hdr; /* for the bad packet */
	uint32_t len;            /* of the bad packet */
	enum bad_counter counter;
	bool good_first; /* one good packet before the bad one */
	bool split_only, mrg_only, nomrg_only, not_inorder;
};

static void
malicious_rx(const struct vt_mode *m, const struct mal_case *c, unsigned int lead)
{
	static uint8_t frame[8192];
	struct fake_vnet_cfg cfg;
	struct vpmd_rxq_stats st;
	struct rte_mbuf *pk[8];
	struct vt_env e;
	unsigned int got, want_good = c->good_first ? lead : 0;

	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 1, 128);
	/* some normal traffic first so that indexes are not at zero */
	for (unsigned int i = 0; i < 5; i++) {
		vt_make_frame(frame, 100, i);
		assert_true(fake_rx_inject(e.f, 0, &vt_hdr0, frame, 100, false) > 0);
	}
	assert_int_equal(vt_rx_all(e.rxq, pk, 5), 5);
	for (unsigned int i = 0; i < 5; i++)
		rte_pktmbuf_free(pk[i]);
	for (unsigned int i = 0; c->good_first && i < lead; i++) {
		vt_make_frame(frame, 100, 9);
		assert_true(fake_rx_inject(e.f, 0, &vt_hdr0, frame, 100, false) > 0);
	}
	vt_make_frame(frame, c->len, 10);
	fake_misbehave(e.f, c->mis);
	assert_true(fake_rx_inject(e.f, 0, &c->hdr, frame, c->len,
				   c->mis == FAKE_MIS_NONE && c->hdr.num_buffers != 0) > 0);
	got = vpmd_rx_burst(e.rxq, pk, 8);
	if (got != want_good)
		fail_msg("%s (%s): %u packets delivered, expected %u", c->what, m->name, got,
			 want_good);
	for (unsigned int i = 0; i < got; i++) {
		vt_check_frame(pk[i], 100, 9);
		rte_pktmbuf_free(pk[i]);
	}
	if (!vpmd_rxq_broken(e.rxq))
		fail_msg("%s (%s): queue not marked broken", c->what, m->name);
	vpmd_rxq_stats(e.rxq, &st);
	assert_int_equal(st.err_bad_ring, 1);
	if (c->counter == C_LEN)
		assert_int_equal(st.drop_bad_len, 1);
	if (c->counter == C_HDR)
		assert_int_equal(st.drop_bad_hdr, 1);
	/* sticky: nothing more, whatever the device does */
	vt_make_frame(frame, 100, 11);
	fake_rx_inject(e.f, 0, &vt_hdr0, frame, 100, false);
	assert_int_equal(vpmd_rx_burst(e.rxq, pk, 8), 0);
	vpmd_rxq_stats(e.rxq, &st);
	assert_int_equal(st.err_bad_ring, 1);
	assert_int_equal(vpmd_health_check(e.dev), 1);
	assert_true(e.rxq->bad_logged);
	vt_env_down(&e); /* stop reclaims everything: vt_pool full */
}

static void
test_malicious_rx(void **state)
{
	const struct vt_mode *m = *state;
	const bool mrg = !(m->del & VPMD_F_MRG_RXBUF);
	const bool inorder = (m->add & VPMD_F_IN_ORDER) != 0;
	const bool packed = (m->add & VPMD_F_RING_PACKED) != 0;
	const struct mal_case cases[] = {
		{ "used idx jump", FAKE_MIS_USED_IDX_JUMP, { 0 }, 100, C_NONE, false, true },
		{ "used id out of range", FAKE_MIS_ID_RANGE, { 0 }, 100, C_NONE, true },
		{ "used id not in flight", FAKE_MIS_ID_DUP, { 0 }, 100, C_NONE, true },
		{ "len below header + 14", FAKE_MIS_LEN_SHORT, { 0 }, 100, C_LEN, true },
		{ "len above the buffer", FAKE_MIS_LEN_LONG, { 0 }, 100, C_LEN, true },
		{ "num_buffers 0", FAKE_MIS_NUMBUF_ZERO, { 0 }, 100, C_HDR, true, false, true },
		{ "num_buffers 65535", FAKE_MIS_NUMBUF_BIG, { 0 }, 100, C_HDR, true, false, true },
		{ "num_buffers 2 without MRG_RXBUF",
		  FAKE_MIS_NUMBUF_TWO,
		  { 0 },
		  100,
		  C_HDR,
		  true,
		  false,
		  false,
		  true },
		{ "2nd buffer id out of range",
		  FAKE_MIS_LATER_ID_RANGE,
		  { 0 },
		  3000,
		  C_NONE,
		  true,
		  false,
		  true,
		  false,
		  true },
		{ "2nd buffer len above the buffer",
		  FAKE_MIS_LATER_LEN_LONG,
		  { 0 },
		  3000,
		  C_LEN,
		  true,
		  false,
		  true,
		  false,
		  true },
		{ "csum_start + offset beyond packet",
		  FAKE_MIS_NONE,
		  { .flags = VPMD_HDR_F_NEEDS_CSUM, .csum_start = 90, .csum_offset = 16 },
		  100,
		  C_HDR,
		  true },
		{ "csum_start huge",
		  FAKE_MIS_NONE,
		  { .flags = VPMD_HDR_F_NEEDS_CSUM, .csum_start = 65535, .csum_offset = 65535 },
		  100,
		  C_HDR,
		  true },
		{ "gso UDP (not negotiated)",
		  FAKE_MIS_NONE,
		  { .gso_type = VPMD_GSO_UDP, .gso_size = 500 },
		  1000,
		  C_HDR,
		  true },
		{ "gso size 0", FAKE_MIS_NONE, { .gso_type = VPMD_GSO_TCPV4 }, 1000, C_HDR, true },
		{ "gso ECN not negotiated",
		  FAKE_MIS_NONE,
		  { .gso_type = VPMD_GSO_TCPV4 | VPMD_GSO_ECN, .gso_size = 500 },
		  1000,
		  C_HDR,
		  true },
		{ "gso size above packet",
		  FAKE_MIS_NONE,
		  { .gso_type = VPMD_GSO_TCPV6, .gso_size = 5000 },
		  1000,
		  C_HDR,
		  true },
		{ "NEEDS_CSUM with a bad offset on a 3-buffer packet",
		  FAKE_MIS_NONE,
		  { .flags = VPMD_HDR_F_NEEDS_CSUM, .csum_start = 5000, .csum_offset = 16 },
		  5000,
		  C_HDR,
		  true,
		  false,
		  true },
	};
	unsigned int i, ran = 0;

	for (i = 0; i < RTE_DIM(cases); i++) {
		const struct mal_case *c = &cases[i];

		if ((c->split_only && packed) || (c->mrg_only && !mrg) || (c->nomrg_only && mrg) ||
		    (c->not_inorder && inorder))
			continue;
		/* without MRG_RXBUF there is no GSO: every gso_type is bad, frames must fit */
		if (!mrg && c->len > 1514)
			continue;
		/* the bad packet alone or after one good one (the per-packet loop), and as the
		 * fourth of a burst (the four-at-once branch must hand it back untouched) */
		malicious_rx(m, c, 1);
		malicious_rx(m, c, 3);
		ran++;
	}
	assert_true(ran >= 8);
}

static void
malicious_tx(const struct vt_mode *m, enum fake_mis mis, enum fake_complete how)
{
	struct fake_vnet_cfg cfg;
	struct vpmd_txq_stats st;
	struct rte_mbuf *pk[8];
	struct vt_env e;
	unsigned int i;

	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 1, 64);
	for (i = 0; i < 8; i++)
		pk[i] = vt_mbuf(vt_pool, 100, i, 1 + (i == 3));
	assert_int_equal(vpmd_tx_burst(e.txq, pk, 8), 8);
	for (i = 0; i < 8; i++)
		assert_true(fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, NULL, 0, NULL) >= 0);
	fake_misbehave(e.f, mis);
	fake_tx_complete(e.f, 0, how);
	for (i = 0; i < 8; i++)
		pk[i] = vt_mbuf(vt_pool, 100, i, 1);
	assert_int_equal(vpmd_tx_burst(e.txq, pk, 8), 0);
	for (i = 0; i < 8; i++)
		rte_pktmbuf_free(pk[i]);
	if (!vpmd_txq_broken(e.txq))
		fail_msg("tx %d (%s): queue not broken", mis, m->name);
	vpmd_txq_stats(e.txq, &st);
	assert_int_equal(st.err_bad_ring, 1);
	assert_int_equal(vpmd_health_check(e.dev), 1);
	vt_env_down(&e);
}

static void
test_malicious_tx(void **state)
{
	const struct vt_mode *m = *state;
	const bool packed = (m->add & VPMD_F_RING_PACKED) != 0;

	malicious_tx(m, FAKE_MIS_ID_RANGE, FAKE_COMPLETE_IN_ORDER);
	malicious_tx(m, FAKE_MIS_ID_RANGE, FAKE_COMPLETE_BATCH);
	malicious_tx(m, FAKE_MIS_ID_DUP, FAKE_COMPLETE_IN_ORDER);
	if (!packed)
		malicious_tx(m, FAKE_MIS_USED_IDX_JUMP, FAKE_COMPLETE_IN_ORDER);
}

/*
 * Split IN_ORDER: one used entry names the newest of 8 packets but the used index moves by
 * 1 [2.7.9: it moves by the batch size]. The entry is refused before anything is freed:
 * none of the 8 packets (9 mbufs) may be back in the pool while the device owns them.
 */
static void
test_tx_batch_short(void **state)
{
	const struct vt_mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct vpmd_txq_stats st;
	struct rte_mbuf *pk[8];
	unsigned int i, avail;
	struct vt_env e;

	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 1, 64);
	for (i = 0; i < 8; i++)
		pk[i] = vt_mbuf(vt_pool, 100, i, 1 + (i == 3));
	assert_int_equal(vpmd_tx_burst(e.txq, pk, 8), 8);
	for (i = 0; i < 8; i++)
		assert_true(fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, NULL, 0, NULL) >= 0);
	avail = rte_mempool_avail_count(vt_pool);
	fake_misbehave(e.f, FAKE_MIS_BATCH_SHORT);
	fake_tx_complete(e.f, 0, FAKE_COMPLETE_BATCH);
	assert_int_equal(vpmd_tx_reclaim(e.txq), 0);
	assert_true(vpmd_txq_broken(e.txq));
	assert_int_equal(rte_mempool_avail_count(vt_pool), avail);
	vpmd_txq_stats(e.txq, &st);
	assert_int_equal(st.err_bad_ring, 1);
	assert_int_equal(vpmd_health_check(e.dev), 1);
	vt_env_down(&e); /* stop takes the 8 back */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_malicious_rx, m_split),       T(test_malicious_rx, m_split_io),
		T(test_malicious_rx, m_split_nomrg), T(test_malicious_rx, m_packed),
		T(test_malicious_rx, m_packed_io),   T(test_malicious_rx, m_packed_nomrg),
		T(test_malicious_tx, m_split),       T(test_malicious_tx, m_split_io),
		T(test_malicious_tx, m_packed),      T(test_malicious_tx, m_packed_io),
		T(test_tx_batch_short, m_split_io),
	};

	return vt_run_tests("vpmd_malicious", tests, RTE_DIM(tests));
}
