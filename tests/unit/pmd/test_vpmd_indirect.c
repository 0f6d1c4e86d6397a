/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tx indirect descriptors (INDIRECT_DESC) against the software device, split and packed,
 * with and without IN_ORDER: a chain of 2..VPMD_TX_INDIRECT_MAX descriptors takes one ring
 * slot whose descriptor points at a table; the fake device reads the table and checks it
 * as the spec asks [virtio 1.2, 2.7.5.3 split, 2.8.7 packed]. Longer chains and devices
 * without INDIRECT_DESC get the direct chain. Every test ends with the mempool full again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mbuf.h>

#include "fake_vnet.h"
#include "test_common.h"
#include "test_env.h"
#include "vpmd.h"
#include "vpmd_internal.h"

/* Headers of the TSO-like frames: Ethernet + IPv4 + TCP, in the first segment. */
#define HDRS_LEN 54

/* Whether the info dump names the indirect tx path (the configure log line has the same). */
static bool
dump_says_indirect(const struct vt_env *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool yes;

	assert_non_null(f);
	vpmd_info_dump(e->dev, f);
	fclose(f);
	assert_non_null(strstr(buf, "tx path: "));
	yes = strstr(buf, " + indirect chains (up to 16 descriptors)") != NULL;
	free(buf);
	return yes;
}

static void
env_up_tso(struct vt_env *e, const struct vt_mode *m, uint16_t ring, bool indirect)
{
	struct fake_vnet_cfg cfg;
	struct vpmd_conf conf = { .nb_qpairs = 1,
				  .ring_size = ring,
				  .rx_pool = vt_pool,
				  .features = VPMD_FEATURES_DEFAULT | VPMD_F_HOST_TSO4,
				  .socket_id = SOCKET_ID_ANY };
	char err[256] = "";

	vt_cfg_for(&cfg, m);
	cfg.features |= VPMD_F_HOST_TSO4;
	if (!indirect)
		cfg.features &= ~VPMD_F_INDIRECT_DESC;
	e->dev = fake_vnet_open(&cfg, &e->f, err, sizeof(err));
	assert_non_null(e->dev);
	if (vpmd_configure(e->dev, &conf, err, sizeof(err)) != 0)
		fail_msg("configure: %s", err);
	assert_int_equal(vpmd_start(e->dev, err, sizeof(err)), 0);
	e->f->inorder_batch = m->batch;
	e->rxq = vpmd_rxq(e->dev, 0);
	e->txq = vpmd_txq(e->dev, 0);
	assert_int_equal((e->dev->features & VPMD_F_INDIRECT_DESC) != 0, indirect);
}

/* The payload area the frames' second segments point into (zero copy, like vnetsink's
 * pattern area): external buffers, freed by nobody. */
static uint8_t pattern[65536 + HDRS_LEN];
static struct rte_mbuf_ext_shared_info pattern_shinfo[64];

static void
pattern_free(void *addr, void *opaque)
{
	(void)addr;
	(void)opaque;
}

/*
 * A TSO-like frame `seed` of `len` bytes: a header mbuf with the 54 bytes of headers (the
 * virtio-net header will be pushed in its headroom) and `npay` payload mbufs attached to
 * the pattern area, as vnetsink's bulk sender builds them.
 */
static struct rte_mbuf *
tso_frame(uint32_t len, uint32_t seed, unsigned int npay, bool tso)
{
	static uint8_t frame[65536 + HDRS_LEN];
	struct rte_mbuf *h = rte_pktmbuf_alloc(vt_pool), *prev;
	uint32_t off = HDRS_LEN, per = (len - HDRS_LEN + npay - 1) / npay;
	unsigned int i;

	assert_non_null(h);
	assert_true(npay <= RTE_DIM(pattern_shinfo));
	vt_make_frame(frame, len, seed);
	memcpy(pattern, frame, len);
	memcpy(rte_pktmbuf_append(h, HDRS_LEN), frame, HDRS_LEN);
	prev = h;
	for (i = 0; i < npay; i++) {
		struct rte_mbuf *p = rte_pktmbuf_alloc(vt_pool);
		uint32_t n = RTE_MIN(per, len - off);

		assert_non_null(p);
		pattern_shinfo[i].free_cb = pattern_free;
		pattern_shinfo[i].fcb_opaque = NULL;
		rte_mbuf_ext_refcnt_set(&pattern_shinfo[i], 1);
		rte_pktmbuf_attach_extbuf(p, pattern + off, (rte_iova_t)(uintptr_t)(pattern + off),
					  (uint16_t)n, &pattern_shinfo[i]);
		p->data_off = 0;
		p->data_len = (uint16_t)n;
		p->pkt_len = n;
		prev->next = p;
		prev = p;
		h->nb_segs++;
		h->pkt_len += n;
		off += n;
	}
	if (tso) {
		h->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4;
		h->l2_len = 14;
		h->l3_len = 20;
		h->l4_len = 20;
		h->tso_segsz = 1448;
	}
	return h;
}

/* The ring descriptors the fake saw for the last packet, and its indirect table against
 * the chain m (header pushed into the first segment unless `pushed` is false). */
static void
check_table(const struct vt_env *e, const struct rte_mbuf *m, bool pushed, bool packed)
{
	const struct vpmd_vring_desc *t = e->f->last_tx.ent;
	const struct rte_mbuf *seg = m;
	unsigned int j = 0, n = m->nb_segs + !pushed;

	assert_true(e->f->last_tx.indirect);
	assert_int_equal(e->f->last_tx.nent, n);
	if (!pushed) {
		assert_int_equal(t[0].len, VPMD_NET_HDR_SIZE);
		j = 1;
	} else {
		assert_int_equal(t[0].addr, rte_mbuf_data_iova(m) - VPMD_NET_HDR_SIZE);
		assert_int_equal(t[0].len, m->data_len + VPMD_NET_HDR_SIZE);
		seg = m->next;
		j = 1;
	}
	for (; seg != NULL; seg = seg->next, j++) {
		assert_int_equal(t[j].addr, rte_mbuf_data_iova(seg));
		assert_int_equal(t[j].len, seg->data_len);
	}
	assert_int_equal(j, n);
	for (j = 0; j < n; j++) {
		assert_false(t[j].flags & VPMD_DESC_F_WRITE);
		assert_false(t[j].flags & VPMD_DESC_F_INDIRECT);
		if (packed) {
			/* WRITE is the only valid flag in a packed table, the id is reserved */
			assert_int_equal(t[j].flags, 0);
			assert_int_equal(t[j].next, 0);
		} else if (j + 1 < n) {
			assert_int_equal(t[j].flags, VPMD_DESC_F_NEXT);
			assert_int_equal(t[j].next, j + 1);
		} else {
			assert_int_equal(t[j].flags, 0);
		}
	}
}

/* Send m, take it on the device side, check the frame; returns the ring descriptors. */
static unsigned int
send_one(struct vt_env *e, struct rte_mbuf *m, uint32_t len, uint32_t seed, struct vpmd_net_hdr *h)
{
	static uint8_t got[70000], want[70000];
	unsigned int nd = 0;

	assert_int_equal(vpmd_tx_burst(e->txq, &m, 1), 1);
	assert_int_equal(fake_tx_pop(e->f, 0, h, got, sizeof(got), &nd), (int)len);
	vt_make_frame(want, len, seed);
	if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) {
		/* the TCP checksum field (bytes 50-51) leaves in the device's form */
		assert_memory_equal(got, want, 50);
		assert_memory_equal(got + 52, want + 52, len - 52);
	} else {
		assert_memory_equal(got, want, len);
	}
	return nd;
}

static void
complete_all(struct vt_env *e, unsigned int expect)
{
	fake_tx_complete(e->f, 0, FAKE_COMPLETE_IN_ORDER);
	assert_int_equal(vpmd_tx_reclaim(e->txq), expect);
	assert_int_equal(vpmd_txq_held(e->txq), 0);
}

/* A 2-segment TSO frame (header mbuf + one external payload mbuf) and one of 15 payload
 * segments (16 descriptors, the table's maximum): one ring slot each, with F_INDIRECT. */
static void
test_indirect_tso(void **state)
{
	const struct vt_mode *m = *state;
	bool packed = (m->add & VPMD_F_RING_PACKED) != 0;
	struct vpmd_txq_stats ts;
	struct vpmd_net_hdr h;
	struct rte_mbuf *mb;
	struct vt_env e;
	unsigned int npay[] = { 1, 3, VPMD_TX_INDIRECT_MAX - 1 }, i;

	env_up_tso(&e, m, 64, true);
	assert_true(dump_says_indirect(&e));
	for (i = 0; i < RTE_DIM(npay); i++) {
		uint32_t len = 16000 + i;

		mb = tso_frame(len, 40 + i, npay[i], true);
		assert_int_equal(send_one(&e, mb, len, 40 + i, &h), 1);
		check_table(&e, mb, true, packed);
		assert_int_equal(h.gso_type, VPMD_GSO_TCPV4);
		assert_int_equal(h.gso_size, 1448);
		assert_int_equal(h.hdr_len, HDRS_LEN);
		assert_int_equal(e.txq->vq.nb_free, e.txq->vq.size - 1);
		complete_all(&e, 1);
	}
	vpmd_txq_stats(e.txq, &ts);
	assert_int_equal(ts.indirect, RTE_DIM(npay));
	assert_int_equal(ts.packets, RTE_DIM(npay));
	assert_int_equal(e.f->tx_indirect, RTE_DIM(npay));
	assert_int_equal(ts.drop_bad_pkt, 0);
	vt_env_down(&e);
}

/* Plain chains from the pool: pushed (2 and 16 segments), header in its own entry (a
 * cloned chain: 15 segments + the header), and 17 segments (beyond the table:
 * the direct chain). Mixed with one-descriptor packets in one burst. */
static void
test_indirect_chains(void **state)
{
	const struct vt_mode *m = *state;
	bool packed = (m->add & VPMD_F_RING_PACKED) != 0;
	struct fake_vnet_cfg cfg;
	struct vpmd_txq_stats ts;
	struct vpmd_net_hdr h;
	struct rte_mbuf *mb, *clone, *pk[6];
	struct vt_env e;
	unsigned int nd, i;

	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 1, 64);

	mb = vt_mbuf(vt_pool, 300, 1, 2);
	assert_int_equal(send_one(&e, mb, 300, 1, &h), 1);
	check_table(&e, mb, true, packed);
	complete_all(&e, 1);

	mb = vt_mbuf(vt_pool, 1600, 2, VPMD_TX_INDIRECT_MAX);
	assert_int_equal(send_one(&e, mb, 1600, 2, &h), 1);
	check_table(&e, mb, true, packed);
	complete_all(&e, 1);

	/* a clone (indirect mbufs): the header cannot be pushed, it takes the first entry */
	mb = vt_mbuf(vt_pool, 1500, 3, VPMD_TX_INDIRECT_MAX - 1);
	clone = rte_pktmbuf_clone(mb, vt_pool);
	assert_non_null(clone);
	assert_int_equal(send_one(&e, clone, 1500, 3, &h), 1);
	check_table(&e, clone, false, packed);
	complete_all(&e, 1);
	assert_int_equal(rte_mbuf_refcnt_read(mb), 1);
	rte_pktmbuf_free(mb);

	mb = vt_mbuf(vt_pool, 1700, 4, VPMD_TX_INDIRECT_MAX + 1);
	assert_int_equal(send_one(&e, mb, 1700, 4, &h), VPMD_TX_INDIRECT_MAX + 1);
	assert_false(e.f->last_tx.indirect);
	complete_all(&e, 1);

	/* one burst: one-descriptor, indirect and direct-chain packets, completed together
	 * (reverse order: out of order for the non-IN_ORDER modes) */
	for (i = 0; i < RTE_DIM(pk); i++)
		pk[i] = vt_mbuf(vt_pool, 200 + i, 10 + i,
				i % 3 == 0 ? 1 : (i % 3 == 1 ? 3 : VPMD_TX_INDIRECT_MAX + 2));
	assert_int_equal(vpmd_tx_burst(e.txq, pk, RTE_DIM(pk)), RTE_DIM(pk));
	for (i = 0; i < RTE_DIM(pk); i++) {
		static uint8_t got[4096], want[4096];

		assert_int_equal(fake_tx_pop(e.f, 0, &h, got, sizeof(got), &nd), 200 + i);
		vt_make_frame(want, 200 + i, 10 + i);
		assert_memory_equal(got, want, 200 + i);
		assert_int_equal(nd, i % 3 == 2 ? VPMD_TX_INDIRECT_MAX + 2 : 1);
		assert_int_equal(e.f->last_tx.indirect, i % 3 == 1);
	}
	fake_tx_complete(e.f, 0,
			 (e.dev->features & VPMD_F_IN_ORDER) ? FAKE_COMPLETE_IN_ORDER
							     : FAKE_COMPLETE_REVERSE);
	assert_int_equal(vpmd_tx_reclaim(e.txq), RTE_DIM(pk));
	assert_int_equal(e.txq->vq.nb_free, e.txq->vq.size);
	assert_int_equal(e.txq->nb_inflight, 0);

	vpmd_txq_stats(e.txq, &ts);
	assert_int_equal(ts.indirect, 3 + 2);
	assert_int_equal(ts.drop_bad_pkt, 0);
	vt_env_down(&e);
}

/*
 * A full ring of 2-segment frames: with INDIRECT_DESC one per ring slot (size frames in
 * flight), without it two slots each (size / 2). Then rounds of partial completion (in
 * order, out of order, or one batched entry for IN_ORDER devices) and refill: the free
 * count and the packed ids stay right over many ring wraps, and nothing leaks.
 */
static void
ring_full(const struct vt_mode *m, bool indirect)
{
	const uint16_t ring = 64;
	struct rte_mbuf *pk[VPMD_BURST_MAX];
	struct vpmd_txq_stats ts;
	struct vpmd_net_hdr h;
	struct vt_env e;
	unsigned int i, inflight = 0, round, total = 0;
	const unsigned int per = indirect ? 1 : 2;

	env_up_tso(&e, m, ring, indirect);
	for (round = 0; round < 40; round++) {
		unsigned int sent = 0, k;
		uint16_t n;

		/* fill whatever is free */
		do {
			for (i = 0; i < VPMD_BURST_MAX; i++)
				pk[i] = tso_frame(3000, round * 100 + i, 1, false);
			n = vpmd_tx_burst(e.txq, pk, VPMD_BURST_MAX);
			for (i = n; i < VPMD_BURST_MAX; i++)
				rte_pktmbuf_free(pk[i]);
			sent += n;
		} while (n == VPMD_BURST_MAX);
		inflight += sent;
		total += sent;
		assert_int_equal(inflight, ring / per);
		assert_int_equal(e.txq->vq.nb_free, ring - inflight * per);
		/* the device takes a round-dependent share and returns it */
		k = 1 + (round * 7) % inflight;
		for (i = 0; i < k; i++) {
			unsigned int nd;

			assert_int_equal(fake_tx_pop(e.f, 0, &h, NULL, 0, &nd), 3000);
			assert_int_equal(nd, per);
			assert_int_equal(e.f->last_tx.indirect, indirect);
		}
		if (e.dev->features & VPMD_F_IN_ORDER)
			fake_tx_complete(e.f, 0,
					 round % 2 ? FAKE_COMPLETE_BATCH : FAKE_COMPLETE_IN_ORDER);
		else
			fake_tx_complete(
				e.f, 0, round % 2 ? FAKE_COMPLETE_REVERSE : FAKE_COMPLETE_IN_ORDER);
		/* reclaim here, or lazily in the next round's first burst */
		if (round % 3 == 0) {
			assert_int_equal(vpmd_tx_reclaim(e.txq), k);
			assert_int_equal(e.txq->vq.nb_free, ring - (inflight - k) * per);
		}
		inflight -= k;
	}
	vpmd_txq_stats(e.txq, &ts);
	assert_true(ts.ring_full >= 40);
	assert_int_equal(ts.indirect, indirect ? total : 0);
	assert_int_equal(ts.err_bad_ring, 0);
	vt_env_down(&e);
}

static void
test_indirect_ring_full(void **state)
{
	ring_full(*state, true);
}

/* Without INDIRECT_DESC the same chains take one ring descriptor per segment. */
static void
test_no_indirect(void **state)
{
	const struct vt_mode *m = *state;
	struct vpmd_txq_stats ts;
	struct vpmd_net_hdr h;
	struct rte_mbuf *mb;
	struct vt_env e;

	env_up_tso(&e, m, 64, false);
	assert_false(dump_says_indirect(&e));
	mb = tso_frame(16000, 7, 1, true);
	assert_int_equal(send_one(&e, mb, 16000, 7, &h), 2);
	assert_false(e.f->last_tx.indirect);
	assert_int_equal(h.gso_type, VPMD_GSO_TCPV4);
	complete_all(&e, 1);
	mb = vt_mbuf(vt_pool, 1600, 8, 5);
	assert_int_equal(send_one(&e, mb, 1600, 8, &h), 5);
	complete_all(&e, 1);
	vpmd_txq_stats(e.txq, &ts);
	assert_int_equal(ts.indirect, 0);
	assert_int_equal(e.f->tx_indirect, 0);
	vt_env_down(&e);
	ring_full(m, false);
}

/* A hostile device answering an indirect packet with a bad id is counted and survives;
 * stopping the device gives every mbuf back (vt_env_down checks the pool). */
static void
test_indirect_bad_id(void **state)
{
	const struct vt_mode *m = *state;
	enum fake_mis mis[] = { FAKE_MIS_ID_RANGE, FAKE_MIS_ID_DUP };
	struct vpmd_txq_stats ts;
	struct vpmd_net_hdr h;
	struct rte_mbuf *pk[4];
	struct vt_env e;
	unsigned int i, k;

	for (k = 0; k < RTE_DIM(mis); k++) {
		env_up_tso(&e, m, 64, true);
		for (i = 0; i < RTE_DIM(pk); i++)
			pk[i] = tso_frame(5000, i, 2, true);
		assert_int_equal(vpmd_tx_burst(e.txq, pk, RTE_DIM(pk)), RTE_DIM(pk));
		for (i = 0; i < RTE_DIM(pk); i++) {
			assert_int_equal(fake_tx_pop(e.f, 0, &h, NULL, 0, NULL), 5000);
			assert_true(e.f->last_tx.indirect);
		}
		fake_misbehave(e.f, mis[k]);
		fake_tx_complete(e.f, 0, FAKE_COMPLETE_IN_ORDER);
		vpmd_tx_reclaim(e.txq);
		vpmd_txq_stats(e.txq, &ts);
		assert_true(vpmd_txq_broken(e.txq));
		assert_int_equal(ts.err_bad_ring, 1);
		assert_int_equal(vpmd_tx_burst(e.txq, pk, 0), 0);
		vt_env_down(&e);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_indirect_tso, m_split),        T(test_indirect_tso, m_split_io),
		T(test_indirect_tso, m_packed),       T(test_indirect_tso, m_packed_io),
		T(test_indirect_chains, m_split),     T(test_indirect_chains, m_split_io),
		T(test_indirect_chains, m_packed),    T(test_indirect_chains, m_packed_io),
		T(test_indirect_ring_full, m_split),  T(test_indirect_ring_full, m_split_io),
		T(test_indirect_ring_full, m_packed), T(test_indirect_ring_full, m_packed_io),
		T(test_no_indirect, m_split),         T(test_no_indirect, m_split_io),
		T(test_no_indirect, m_packed),        T(test_no_indirect, m_packed_io),
		T(test_indirect_bad_id, m_split),     T(test_indirect_bad_id, m_split_io),
		T(test_indirect_bad_id, m_packed),    T(test_indirect_bad_id, m_packed_io),
	};

	return vt_run_tests("vpmd_indirect", tests, RTE_DIM(tests));
}
