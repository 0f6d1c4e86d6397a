/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpmd rx/tx against the software device: every path (split, packed, in-order,
 * mergeable or not, with or without EVENT_IDX), ring wrap, odd ring sizes, several
 * queue pairs, 64 KB GSO segments, kicks, tx offloads and a full ring.
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

/* ---- traffic through every path -------------------------------------------------------- */

static void
traffic(const struct vt_mode *m, uint16_t ring, unsigned int rounds, uint16_t max_len)
{
	static uint8_t frame[16384], got[16384];
	struct fake_vnet_cfg cfg;
	struct vt_env e;
	uint64_t rs = 12345;
	unsigned int r, rx_total = 0, tx_total = 0, bufs_per, kmax, segs_seen = 0;
	struct vpmd_rxq_stats rst;
	struct vpmd_txq_stats tst;

	vt_cfg_for(&cfg, m);
	if (max_len > 1514) {
		cfg.mtu = (uint16_t)(max_len - 14);
	}
	vt_env_up(&e, &cfg, m, 1, ring);
	/* Buffers per frame, and how many frames always fit in what the driver keeps posted
	 * (it refills once refill_thresh buffers are free). */
	bufs_per = (max_len + 12 + e.rxq->buf_len - 1) / e.rxq->buf_len;
	if (!(e.dev->features & VPMD_F_MRG_RXBUF))
		bufs_per = 1;
	kmax = RTE_MIN((unsigned int)VPMD_BURST_MAX,
		       (e.rxq->vq.size - e.rxq->refill_thresh + 1) / bufs_per);
	assert_true(kmax >= 1);
	for (r = 0; r < rounds; r++) {
		struct rte_mbuf *pk[VPMD_BURST_MAX];
		unsigned int k = 1 + vt_rand(&rs) % kmax, i, n;
		uint32_t lens[VPMD_BURST_MAX];

		/* rx: the device receives k frames, the driver must deliver them intact */
		for (i = 0; i < k; i++) {
			lens[i] = 60 + vt_rand(&rs) % (max_len - 59);
			vt_make_frame(frame, lens[i], r * 100 + i);
			if (fake_rx_inject(e.f, 0, &vt_hdr0, frame, lens[i], false) <= 0)
				fail_msg("round %u: device found no rx buffer for frame %u", r, i);
		}
		n = vt_rx_all(e.rxq, pk, k);
		assert_int_equal(n, k);
		for (i = 0; i < n; i++) {
			vt_check_frame(pk[i], lens[i], r * 100 + i);
			assert_int_equal(pk[i]->ol_flags, 0);
			assert_int_equal(pk[i]->nb_segs,
					 (lens[i] + 12 + e.rxq->buf_len - 1) / e.rxq->buf_len);
			segs_seen += pk[i]->nb_segs > 1;
			rte_pktmbuf_free(pk[i]);
		}
		rx_total += n;

		/* tx: the driver sends k frames, the device must see them intact */
		k = 1 + vt_rand(&rs) % VPMD_BURST_MAX;
		for (i = 0; i < k; i++) {
			lens[i] = 60 + vt_rand(&rs) % (max_len - 59);
			pk[i] = vt_mbuf(vt_pool, lens[i], 7 * r + i,
					1 + (vt_rand(&rs) % 4 == 0) * 2);
			assert_non_null(pk[i]);
		}
		n = vpmd_tx_burst(e.txq, pk, (uint16_t)k);
		for (i = n; i < k; i++)
			rte_pktmbuf_free(pk[i]);
		for (i = 0; i < n; i++) {
			struct vpmd_net_hdr h;
			int len = fake_tx_pop(e.f, 0, &h, got, sizeof(got), NULL);

			assert_int_equal(len, lens[i]);
			vt_make_frame(frame, lens[i], 7 * r + i);
			assert_memory_equal(got, frame, lens[i]);
			assert_int_equal(h.flags, 0);
			assert_int_equal(h.gso_type, 0);
			assert_int_equal(h.num_buffers, 0);
		}
		assert_int_equal(fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, got, 1, NULL),
				 -1);
		fake_tx_complete(
			e.f, 0,
			m->batch ? (r % 2 ? FAKE_COMPLETE_BATCH : FAKE_COMPLETE_IN_ORDER)
				 : (r % 2 ? FAKE_COMPLETE_REVERSE : FAKE_COMPLETE_IN_ORDER));
		tx_total += n;
	}
	/* the bursts reclaim lazily; take the last completions now */
	vpmd_tx_reclaim(e.txq);
	vpmd_rxq_stats(e.rxq, &rst);
	vpmd_txq_stats(e.txq, &tst);
	assert_int_equal(rst.packets, rx_total);
	assert_true(rx_total >= rounds);
	if ((uint32_t)max_len + 12 > e.rxq->buf_len)
		assert_true(segs_seen > 0);
	assert_int_equal(tst.packets, tx_total);
	assert_int_equal(rst.err_bad_ring, 0);
	assert_int_equal(tst.err_bad_ring, 0);
	assert_false(vpmd_rxq_broken(e.rxq));
	assert_false(vpmd_txq_broken(e.txq));
	assert_int_equal(e.txq->nb_inflight, 0);
	assert_int_equal(e.txq->vq.nb_free, e.txq->vq.size);
	vt_env_down(&e);
}

static void
test_traffic(void **state)
{
	const struct vt_mode *m = *state;

	traffic(m, 256, 60, 1514);
}

/* Small rings, many laps: indexes wrap 16 bits, packed wrap counters flip many times. */
static void
test_ring_wrap(void **state)
{
	const struct vt_mode *m = *state;

	traffic(m, 64, 1500, 300);
}

/* Odd ring sizes for packed (any size is legal), power-of-two rounding for split. */
static void
test_odd_ring_size(void **state)
{
	const struct vt_mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct vt_env e;

	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 1, 100);
	if (m->add & VPMD_F_RING_PACKED)
		assert_int_equal(e.rxq->vq.size, 100);
	else
		assert_int_equal(e.rxq->vq.size, 64);
	vt_env_down(&e);
	traffic(m, 100, 300, 200);
}

/* Rx and tx rings are sized apart: a device offering 1024 rx but 256 tx descriptors (QEMU's
 * userspace backend) gets 1024-entry rx rings by default, not the tx cap; an explicit size
 * is capped per queue the same way. Traffic still flows on both. */
static void
test_ring_sizes_per_queue(void **state)
{
	const struct vt_mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct vt_env e;
	uint16_t q;

	vt_cfg_for(&cfg, m);
	cfg.queue_max = 1024;
	cfg.tx_queue_max = 256;
	vt_env_up(&e, &cfg, m, 2, 0);
	for (q = 0; q < 2; q++) {
		assert_int_equal(vpmd_rxq(e.dev, q)->vq.size, 1024);
		assert_int_equal(vpmd_txq(e.dev, q)->vq.size, 256);
		assert_int_equal(e.f->vq[vpmd_rxvq(q)].l.size, 1024);
		assert_int_equal(e.f->vq[vpmd_txvq(q)].l.size, 256);
	}
	vt_mq_traffic(&e, 2);
	vt_env_down(&e);

	vt_env_up(&e, &cfg, m, 1, 512);
	assert_int_equal(e.rxq->vq.size, 512);
	assert_int_equal(e.txq->vq.size, 256);
	vt_env_down(&e);
}

/* Bursts that deliver nothing are counted (the guest's loop is mostly those: the counter
 * says whether the device or the driver is waiting); a burst that delivers is not. */
static void
test_empty_polls(void **state)
{
	const struct vt_mode *m = *state;
	static uint8_t frame[128];
	struct fake_vnet_cfg cfg;
	struct rte_mbuf *pk[VPMD_BURST_MAX];
	struct vpmd_rxq_stats rs;
	struct vt_env e;
	unsigned int i;

	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 1, 256);
	for (i = 0; i < 5; i++)
		assert_int_equal(vpmd_rx_burst(e.rxq, pk, VPMD_BURST_MAX), 0);
	vt_make_frame(frame, 100, 1);
	assert_true(fake_rx_inject(e.f, 0, &vt_hdr0, frame, 100, false) > 0);
	assert_int_equal(vpmd_rx_burst(e.rxq, pk, VPMD_BURST_MAX), 1);
	rte_pktmbuf_free(pk[0]);
	vpmd_rxq_stats(e.rxq, &rs);
	assert_int_equal(rs.empty_polls, 5);
	assert_int_equal(rs.packets, 1);
	vt_env_down(&e);
}

/* Frames up to 9000 bytes span several 2 KB mergeable buffers. */
static void
test_mergeable(void **state)
{
	const struct vt_mode *m = *state;

	traffic(m, 256, 80, 9014);
}

static void
test_multiqueue(void **state)
{
	const struct vt_mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct vt_env e;

	/* all the device offers (0 = as many as offered) through a real control queue */
	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 0, 256);
	assert_int_equal(vpmd_nb_qpairs(e.dev), 4);
	assert_int_equal(e.f->pairs_set, 4);
	assert_int_equal(e.f->ctrl_cmds, 1);
	assert_non_null(e.dev->cvq);
	vt_mq_traffic(&e, 4);
	vt_env_down(&e);

	/* a subset */
	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 2, 256);
	assert_int_equal(e.f->pairs_set, 2);
	assert_null(vpmd_rxq(e.dev, 2));
	vt_mq_traffic(&e, 2);
	vt_env_down(&e);

	/* the transport carries control commands itself (vhost-user style) */
	vt_cfg_for(&cfg, m);
	cfg.ctrl_via_transport = true;
	vt_env_up(&e, &cfg, m, 3, 256);
	assert_int_equal(e.f->pairs_set, 3);
	assert_null(e.dev->cvq);
	vt_mq_traffic(&e, 3);
	vt_env_down(&e);

	/* no MQ offered: one pair, no VQ_PAIRS_SET */
	vt_cfg_for(&cfg, m);
	cfg.features &= ~VPMD_F_MQ;
	vt_env_up(&e, &cfg, m, 0, 256);
	assert_int_equal(vpmd_nb_qpairs(e.dev), 1);
	assert_int_equal(e.f->ctrl_cmds, 0);
	vt_mq_traffic(&e, 1);
	vt_env_down(&e);
}

/* ---- 64 KB GSO segments --------------------------------------------------------------------- */

static void
test_gso64k(void **state)
{
	static uint8_t frame[65536];
	const struct vt_mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct rte_mbuf *pk[4];
	struct vpmd_rxq_stats st;
	struct vt_env e;
	uint32_t len = 65000;
	unsigned int round;

	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 1, 256);
	for (round = 0; round < 12; round++) {
		struct vpmd_net_hdr h = { 0 };
		bool v6 = round % 2;

		h.gso_type = v6 ? VPMD_GSO_TCPV6 : VPMD_GSO_TCPV4;
		h.gso_size = v6 ? 1428 : 1448;
		h.hdr_len = v6 ? 74 : 54;
		if (round % 3 == 2) {
			h.flags = VPMD_HDR_F_DATA_VALID;
		} else {
			h.flags = VPMD_HDR_F_NEEDS_CSUM;
			h.csum_start = v6 ? 54 : 34;
			h.csum_offset = 16;
		}
		len = 65000 - round * 97;
		vt_make_frame(frame, len, 4242 + round);
		assert_int_equal(fake_rx_inject(e.f, 0, &h, frame, len, false),
				 (len + 12 + e.rxq->buf_len - 1) / e.rxq->buf_len);
		assert_int_equal(vt_rx_all(e.rxq, pk, 1), 1);
		vt_check_frame(pk[0], len, 4242 + round);
		assert_int_equal(pk[0]->nb_segs, (len + 12 + e.rxq->buf_len - 1) / e.rxq->buf_len);
		assert_true(pk[0]->ol_flags & RTE_MBUF_F_RX_LRO);
		assert_int_equal(pk[0]->tso_segsz, h.gso_size);
		assert_int_equal(pk[0]->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK,
				 round % 3 == 2 ? RTE_MBUF_F_RX_L4_CKSUM_GOOD
						: RTE_MBUF_F_RX_L4_CKSUM_NONE);
		rte_pktmbuf_free(pk[0]);
	}
	/* plain checksum offload without GSO */
	{
		struct vpmd_net_hdr h = { .flags = VPMD_HDR_F_NEEDS_CSUM,
					  .csum_start = 34,
					  .csum_offset = 6 };

		vt_make_frame(frame, 300, 1);
		assert_true(fake_rx_inject(e.f, 0, &h, frame, 300, false) > 0);
		assert_int_equal(vt_rx_all(e.rxq, pk, 1), 1);
		assert_int_equal(pk[0]->ol_flags, RTE_MBUF_F_RX_L4_CKSUM_NONE);
		rte_pktmbuf_free(pk[0]);
	}
	vpmd_rxq_stats(e.rxq, &st);
	assert_int_equal(st.err_bad_ring, 0);
	assert_int_equal(st.packets, 13);
	vt_env_down(&e);
}

/* ---- notifications ------------------------------------------------------------------------ */

static void
test_kicks(void **state)
{
	const struct vt_mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct vpmd_txq_stats ts;
	struct vpmd_rxq_stats rs;
	struct rte_mbuf *pk[16];
	struct vt_env e;
	uint64_t k0;
	unsigned int i, b;
	bool packed = (m->add & VPMD_F_RING_PACKED) != 0;

	/* device says "don't kick": no kick from any burst */
	vt_cfg_for(&cfg, m);
	cfg.no_notify = true;
	vt_env_up(&e, &cfg, m, 1, 128);
	k0 = e.f->vq[1].kicks;
	for (b = 0; b < 20; b++) {
		for (i = 0; i < 16; i++)
			pk[i] = vt_mbuf(vt_pool, 64, i, 1);
		assert_int_equal(vpmd_tx_burst(e.txq, pk, 16), 16);
		while (fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, NULL, 0, NULL) >= 0)
			;
		fake_tx_complete(e.f, 0, FAKE_COMPLETE_IN_ORDER);
	}
	vpmd_txq_stats(e.txq, &ts);
	assert_int_equal(ts.kicks, 0);
	assert_int_equal(e.f->vq[1].kicks, k0);

	/* device wants every notification: one kick per burst, never per packet */
	fake_set_no_notify(e.f, 1, false);
	for (b = 0; b < 20; b++) {
		for (i = 0; i < 16; i++)
			pk[i] = vt_mbuf(vt_pool, 64, i, 1);
		assert_int_equal(vpmd_tx_burst(e.txq, pk, 16), 16);
		while (fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, NULL, 0, NULL) >= 0)
			;
		fake_tx_complete(e.f, 0, FAKE_COMPLETE_IN_ORDER);
	}
	vpmd_txq_stats(e.txq, &ts);
	assert_int_equal(ts.kicks, 20);
	assert_int_equal(e.f->vq[1].kicks, k0 + 20);

	/* EVENT_IDX: the device asks for a kick only when a given descriptor is published */
	if (e.dev->features & VPMD_F_EVENT_IDX) {
		uint16_t at = packed ? e.txq->vq.avail_idx : e.txq->vq.avail_idx;

		/* far away: no kick */
		fake_set_avail_event(e.f, 1,
				     (uint16_t)(packed ? (at + 64) % e.txq->vq.size : at + 64),
				     packed ? (uint16_t)(e.txq->vq.avail_wrap ^ 1) : 0);
		for (i = 0; i < 16; i++)
			pk[i] = vt_mbuf(vt_pool, 64, i, 1);
		assert_int_equal(vpmd_tx_burst(e.txq, pk, 16), 16);
		vpmd_txq_stats(e.txq, &ts);
		assert_int_equal(ts.kicks, 20);
		while (fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, NULL, 0, NULL) >= 0)
			;
		fake_tx_complete(e.f, 0, FAKE_COMPLETE_IN_ORDER);
		/* inside the next burst: exactly one kick */
		at = e.txq->vq.avail_idx;
		fake_set_avail_event(
			e.f, 1, (uint16_t)(packed ? (at + 5) % e.txq->vq.size : at + 5),
			packed ? (uint16_t)(e.txq->vq.avail_wrap ^ ((at + 5) >= e.txq->vq.size))
			       : 0);
		for (i = 0; i < 16; i++)
			pk[i] = vt_mbuf(vt_pool, 64, i, 1);
		assert_int_equal(vpmd_tx_burst(e.txq, pk, 16), 16);
		vpmd_txq_stats(e.txq, &ts);
		assert_int_equal(ts.kicks, 21);
		while (fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, NULL, 0, NULL) >= 0)
			;
		fake_tx_complete(e.f, 0, FAKE_COMPLETE_IN_ORDER);
	}

	/* rx refill kicks only when asked, too */
	vpmd_rxq_stats(e.rxq, &rs);
	assert_int_equal(rs.kicks, 0);
	fake_set_no_notify(e.f, 0, false);
	if (!packed && (e.dev->features & VPMD_F_EVENT_IDX))
		/* the device waits for the next buffer we post: one kick, then none */
		fake_set_avail_event(e.f, 0, e.rxq->vq.avail_idx, 0);
	for (b = 0; b < 4; b++) {
		static uint8_t frame[128];

		for (i = 0; i < 16; i++) {
			vt_make_frame(frame, 64, i);
			assert_true(fake_rx_inject(e.f, 0, &vt_hdr0, frame, 64, false) > 0);
		}
		assert_int_equal(vt_rx_all(e.rxq, pk, 16), 16);
		for (i = 0; i < 16; i++)
			rte_pktmbuf_free(pk[i]);
	}
	vpmd_rxq_stats(e.rxq, &rs);
	if (!packed && (e.dev->features & VPMD_F_EVENT_IDX))
		assert_int_equal(rs.kicks, 1);
	else
		assert_int_equal(rs.kicks, 2);            /* 64 buffers, refilled 32 at a time */
	assert_int_equal(e.f->vq[0].kicks, 1 + rs.kicks); /* + the one at start */
	vt_env_down(&e);
}

/* ---- tx offloads and descriptor layouts ---------------------------------------------------- */

static struct rte_mbuf *
tx_offload_mbuf(uint64_t ol, uint32_t len)
{
	struct rte_mbuf *m = vt_mbuf(vt_pool, len, 99, 1);

	m->ol_flags = ol;
	m->l2_len = 14;
	m->l3_len = 20;
	m->l4_len = 20;
	m->tso_segsz = 1000;
	return m;
}

static void
tx_one(struct vt_env *e, struct rte_mbuf *m, uint16_t expect_ret, int expect_len,
       struct vpmd_net_hdr *h, unsigned int *ndesc)
{
	static uint8_t buf[70000];

	assert_int_equal(vpmd_tx_burst(e->txq, &m, 1), expect_ret);
	assert_int_equal(fake_tx_pop(e->f, 0, h, buf, sizeof(buf), ndesc), expect_len);
	fake_tx_complete(e->f, 0, FAKE_COMPLETE_IN_ORDER);
	assert_int_equal(vpmd_tx_reclaim(e->txq), expect_len >= 0 ? 1 : 0);
}

static void
test_tx_offloads(void **state)
{
	const struct vt_mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct vpmd_txq_stats ts;
	struct vpmd_net_hdr h;
	struct rte_mbuf *mb, *clone;
	unsigned int nd;
	struct vt_env e;

	/* The direct descriptor layouts (test_vpmd_indirect.c has the indirect ones). */
	vt_cfg_for(&cfg, m);
	cfg.features |= VPMD_F_HOST_TSO4;
	cfg.features &= ~VPMD_F_INDIRECT_DESC;
	vt_env_up(&e, &cfg, m, 1, 64);
	/* negotiated only on request: not in the default wish */
	assert_false(e.dev->features & VPMD_F_HOST_TSO4);

	tx_one(&e, tx_offload_mbuf(RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4, 200), 1, 200, &h,
	       &nd);
	assert_int_equal(h.flags, VPMD_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.csum_start, 34);
	assert_int_equal(h.csum_offset, 16);
	assert_int_equal(nd, 1); /* header pushed into the headroom */

	tx_one(&e, tx_offload_mbuf(RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_IPV4, 200), 1, 200, &h,
	       &nd);
	assert_int_equal(h.csum_offset, 6);

	/* refused: TSO not negotiated, SCTP, offsets beyond the packet */
	assert_int_equal(vpmd_tx_burst(e.txq,
				       &(struct rte_mbuf *){ tx_offload_mbuf(
					       RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4, 3000) },
				       1),
			 1);
	assert_int_equal(
		vpmd_tx_burst(e.txq,
			      &(struct rte_mbuf *){ tx_offload_mbuf(
				      RTE_MBUF_F_TX_SCTP_CKSUM | RTE_MBUF_F_TX_IPV4, 200) },
			      1),
		1);
	assert_int_equal(vpmd_tx_burst(e.txq,
				       &(struct rte_mbuf *){ tx_offload_mbuf(
					       RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4, 40) },
				       1),
			 1);
	assert_int_equal(fake_tx_pop(e.f, 0, &h, NULL, 0, NULL), -1);
	vpmd_txq_stats(e.txq, &ts);
	assert_int_equal(ts.drop_bad_pkt, 3);

	/* shared mbuf: header in its own descriptor, data untouched */
	mb = vt_mbuf(vt_pool, 300, 5, 1);
	rte_mbuf_refcnt_update(mb, 1);
	tx_one(&e, mb, 1, 300, &h, &nd);
	assert_int_equal(nd, 2);
	assert_int_equal(rte_mbuf_refcnt_read(mb), 1);
	rte_pktmbuf_free(mb);
	/* indirect mbuf (a clone) */
	mb = vt_mbuf(vt_pool, 300, 6, 1);
	clone = rte_pktmbuf_clone(mb, vt_pool);
	assert_non_null(clone);
	tx_one(&e, clone, 1, 300, &h, &nd);
	assert_int_equal(nd, 2);
	rte_pktmbuf_free(mb);
	/* three segments: header pushed into the first */
	tx_one(&e, vt_mbuf(vt_pool, 3000, 7, 3), 1, 3000, &h, &nd);
	assert_int_equal(nd, 3);
	/* too many segments for the ring: refused */
	mb = vt_mbuf(vt_pool, 80 * 10, 8, 80);
	assert_non_null(mb);
	assert_int_equal(vpmd_tx_burst(e.txq, &mb, 1), 1);
	vpmd_txq_stats(e.txq, &ts);
	assert_int_equal(ts.drop_bad_pkt, 4);
	vt_env_down(&e);

	/* More than 64 segments is refused even when the ring has room (vpmd.h); 64 is sent. */
	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 1, 1024);
	mb = vt_mbuf(vt_pool, 65 * 10, 9, 65);
	assert_non_null(mb);
	assert_int_equal(vpmd_tx_burst(e.txq, &mb, 1), 1);
	assert_int_equal(fake_tx_pop(e.f, 0, &h, NULL, 0, NULL), -1);
	vpmd_txq_stats(e.txq, &ts);
	assert_int_equal(ts.drop_bad_pkt, 1);
	tx_one(&e, vt_mbuf(vt_pool, 64 * 10, 10, 64), 1, 64 * 10, &h, &nd);
	vt_env_down(&e);

	/* with HOST_TSO4 asked for and offered */
	vt_cfg_for(&cfg, m);
	cfg.features |= VPMD_F_HOST_TSO4;
	{
		struct vpmd_conf conf = { .nb_qpairs = 1,
					  .ring_size = 64,
					  .rx_pool = vt_pool,
					  .features = VPMD_FEATURES_DEFAULT | VPMD_F_HOST_TSO4,
					  .socket_id = SOCKET_ID_ANY };
		char err[256];

		e.dev = fake_vnet_open(&cfg, &e.f, err, sizeof(err));
		assert_int_equal(vpmd_configure(e.dev, &conf, err, sizeof(err)), 0);
		assert_int_equal(vpmd_start(e.dev, err, sizeof(err)), 0);
		e.rxq = vpmd_rxq(e.dev, 0);
		e.txq = vpmd_txq(e.dev, 0);
	}
	/* The TCP checksum field comes as ethdev has it (pseudo-header sum without the
	 * length) and leaves with the TCP length (5000 - 34) added in, ones' complement. */
	mb = tx_offload_mbuf(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4,
			     5000);
	memcpy(rte_pktmbuf_mtod_offset(mb, uint8_t *, 50), (const uint8_t[]){ 0xff, 0x00 }, 2);
	{
		static uint8_t frame[8192];

		assert_int_equal(vpmd_tx_burst(e.txq, &mb, 1), 1);
		assert_int_equal(fake_tx_pop(e.f, 0, &h, frame, sizeof(frame), &nd), 5000);
		assert_int_equal(frame[50], 0x12); /* 0xff00 + 0x1366 = 0x11266 -> 0x1267 */
		assert_int_equal(frame[51], 0x67);
		fake_tx_complete(e.f, 0, FAKE_COMPLETE_IN_ORDER);
		assert_int_equal(vpmd_tx_reclaim(e.txq), 1);
	}
	assert_int_equal(h.gso_type, VPMD_GSO_TCPV4);
	assert_int_equal(h.gso_size, 1000);
	assert_int_equal(h.hdr_len, 54);
	assert_int_equal(h.flags, VPMD_HDR_F_NEEDS_CSUM);
	/* refused: the checksum field beyond the first segment (60 segments of 50 bytes) */
	mb = vt_mbuf(vt_pool, 3000, 12, 60);
	assert_non_null(mb);
	mb->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4;
	mb->l2_len = 14;
	mb->l3_len = 20;
	mb->l4_len = 20;
	mb->tso_segsz = 1000;
	assert_int_equal(vpmd_tx_burst(e.txq, &mb, 1), 1);
	assert_int_equal(fake_tx_pop(e.f, 0, &h, NULL, 0, NULL), -1);
	vpmd_txq_stats(e.txq, &ts);
	assert_int_equal(ts.drop_bad_pkt, 1);
	vt_env_down(&e);
}

/* ---- ring full, out-of-order completion, recycling -------------------------------------- */

static void
test_tx_ring_full(void **state)
{
	const struct vt_mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct vpmd_txq_stats ts;
	struct rte_mbuf *pk[VPMD_BURST_MAX];
	struct vt_env e;
	unsigned int i, sent = 0, popped = 0, round;

	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 1, 64);
	for (round = 0; round < 50; round++) {
		uint16_t n;

		for (i = 0; i < VPMD_BURST_MAX; i++)
			pk[i] = vt_mbuf(vt_pool, 64 + i, i, 1 + (i % 5 == 0));
		n = vpmd_tx_burst(e.txq, pk, VPMD_BURST_MAX);
		for (i = n; i < VPMD_BURST_MAX; i++)
			rte_pktmbuf_free(pk[i]);
		sent += n;
		/* the device takes some, returns them in varying orders */
		for (i = 0; i < 10 + round % 20; i++)
			if (fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, NULL, 0, NULL) >= 0)
				popped++;
		fake_tx_complete(
			e.f, 0,
			m->batch ? FAKE_COMPLETE_BATCH
				 : (round % 3 ? FAKE_COMPLETE_REVERSE : FAKE_COMPLETE_IN_ORDER));
	}
	vpmd_txq_stats(e.txq, &ts);
	assert_true(ts.ring_full > 0);
	assert_int_equal(ts.packets, sent);
	assert_true(popped <= sent);
	/* in flight at stop: reclaimed by stop */
	assert_true(e.txq->nb_inflight > 0);
	vt_env_down(&e);
}

/*
 * Packets of two pools in one burst, and the queue's own pool changing between bursts
 * (first packet of pool2 while nothing is in flight): every mbuf goes back to the pool it
 * came from, whether reclaim takes it by the slot's pool mark or by reading the mbuf.
 */
static void
test_tx_two_pools(void **state)
{
	const struct vt_mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct rte_mempool *mp2;
	struct rte_mbuf *pk[8];
	struct vt_env e;
	unsigned int i, round, avail1, avail2;

	mp2 = rte_pktmbuf_pool_create("vt_pool2", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				      SOCKET_ID_ANY);
	assert_non_null(mp2);
	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 1, 64);
	avail1 = rte_mempool_avail_count(vt_pool);
	avail2 = rte_mempool_avail_count(mp2);
	for (round = 0; round < 4; round++) {
		for (i = 0; i < 8; i++)
			pk[i] = vt_mbuf((i + round) % 2 ? vt_pool : mp2, 64, i, 1 + (i == 5));
		assert_int_equal(vpmd_tx_burst(e.txq, pk, 8), 8);
		for (i = 0; i < 8; i++)
			assert_true(fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, NULL, 0,
						NULL) >= 0);
		fake_tx_complete(e.f, 0, m->batch ? FAKE_COMPLETE_BATCH : FAKE_COMPLETE_IN_ORDER);
		assert_int_equal(vpmd_tx_reclaim(e.txq), 8);
		assert_int_equal(rte_mempool_avail_count(vt_pool), avail1);
		assert_int_equal(rte_mempool_avail_count(mp2), avail2);
	}
	vt_env_down(&e);
	rte_mempool_free(mp2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_traffic, m_split),
		T(test_traffic, m_split_io),
		T(test_traffic, m_split_nomrg),
		T(test_traffic, m_split_noev),
		T(test_ring_wrap, m_split),
		T(test_ring_wrap, m_split_io),
		T(test_odd_ring_size, m_split),
		T(test_mergeable, m_split),
		T(test_mergeable, m_split_io),
		T(test_traffic, m_packed),
		T(test_traffic, m_packed_io),
		T(test_traffic, m_packed_nomrg),
		T(test_traffic, m_packed_noev),
		T(test_ring_wrap, m_packed),
		T(test_ring_wrap, m_packed_io),
		T(test_odd_ring_size, m_packed),
		T(test_odd_ring_size, m_packed_io),
		T(test_mergeable, m_packed),
		T(test_mergeable, m_packed_io),
		T(test_multiqueue, m_split),
		T(test_multiqueue, m_packed),
		T(test_gso64k, m_split),
		T(test_gso64k, m_split_io),
		T(test_gso64k, m_packed),
		T(test_gso64k, m_packed_io),
		T(test_kicks, m_split),
		T(test_kicks, m_split_noev),
		T(test_kicks, m_packed),
		T(test_kicks, m_packed_noev),
		T(test_tx_offloads, m_split),
		T(test_tx_offloads, m_packed),
		T(test_tx_two_pools, m_split),
		T(test_tx_two_pools, m_split_io),
		T(test_tx_two_pools, m_packed),
		T(test_tx_two_pools, m_packed_io),
		T(test_tx_ring_full, m_split),
		T(test_tx_ring_full, m_split_io),
		T(test_tx_ring_full, m_packed),
		T(test_tx_ring_full, m_packed_io),
		T(test_ring_sizes_per_queue, m_split),
		T(test_ring_sizes_per_queue, m_packed),
		T(test_empty_polls, m_split),
		T(test_empty_polls, m_packed),
	};

	return vt_run_tests("vpmd_rxtx", tests, RTE_DIM(tests));
}
