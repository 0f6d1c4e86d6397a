/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the vpmd core against the in-process software virtio-net device.
 * Every test ends with the mempool full again: that is the leak check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "fake_vnet.h"
#include "test_common.h"
#include "vpmd.h"
#include "vpmd_internal.h"

#define POOL_N 8191
#define T(fn, m) { #fn "/" #m, fn, NULL, teardown_env, (void *)&m }
static struct rte_mempool *pool;

/* ---- modes ---------------------------------------------------------------------------- */

struct mode {
	const char *name;
	uint64_t add, del;          /* offered features on top of / removed from the default */
	bool batch;                 /* device uses IN_ORDER batching */
};

static const struct mode m_split = { "split", 0, 0, false };
static const struct mode m_split_io = { "split in-order", VPMD_F_IN_ORDER, 0, true };
static const struct mode m_packed = { "packed", VPMD_F_RING_PACKED, 0, false };
static const struct mode m_packed_io = { "packed in-order",
					 VPMD_F_RING_PACKED | VPMD_F_IN_ORDER, 0, true };
static const struct mode m_split_nomrg = { "split no-mrg", 0,
					   VPMD_F_MRG_RXBUF | VPMD_F_EVENT_IDX, false };
static const struct mode m_packed_nomrg = { "packed no-mrg", VPMD_F_RING_PACKED,
					    VPMD_F_MRG_RXBUF | VPMD_F_EVENT_IDX, false };
static const struct mode m_split_noev = { "split no-event-idx", 0, VPMD_F_EVENT_IDX, false };
static const struct mode m_packed_noev = { "packed no-event-idx", VPMD_F_RING_PACKED,
					   VPMD_F_EVENT_IDX, false };

struct env {
	struct fake_vnet *f;
	struct vpmd_dev *dev;
	struct vpmd_rxq *rxq;
	struct vpmd_txq *txq;
};

static void cfg_for(struct fake_vnet_cfg *cfg, const struct mode *m)
{
	fake_vnet_cfg_default(cfg);
	cfg->features = (cfg->features | m->add) & ~m->del;
}

static struct env *live_env;

/* After a failed test: close what it left open so the next test starts clean. */
static int teardown_env(void **state)
{
	(void)state;
	if (live_env && live_env->dev) {
		vpmd_close(live_env->dev);
		fake_vnet_free(live_env->f);
		memset(live_env, 0, sizeof(*live_env));
	}
	live_env = NULL;
	return 0;
}

static void env_up(struct env *e, const struct fake_vnet_cfg *cfg, const struct mode *m,
		   uint16_t pairs, uint16_t ring)
{
	struct vpmd_conf conf = { .nb_qpairs = pairs, .ring_size = ring, .rx_pool = pool,
				  .socket_id = SOCKET_ID_ANY };
	char err[256] = "";

	e->dev = fake_vnet_open(cfg, &e->f, err, sizeof(err));
	assert_non_null(e->dev);
	live_env = e;
	if (vpmd_configure(e->dev, &conf, err, sizeof(err)) != 0)
		fail_msg("configure: %s", err);
	assert_int_equal(vpmd_start(e->dev, err, sizeof(err)), 0);
	e->f->inorder_batch = m ? m->batch : false;
	e->rxq = vpmd_rxq(e->dev, 0);
	e->txq = vpmd_txq(e->dev, 0);
	assert_non_null(e->rxq);
	assert_non_null(e->txq);
	if (e->f->violations)
		fail_msg("fake device saw a driver violation: %s", e->f->violation);
}

static void assert_pool_full(void)
{
	unsigned int n = rte_mempool_avail_count(pool);

	if (n != POOL_N)
		fail_msg("mempool has %u of %u mbufs: leak of %d", n, POOL_N, (int)(POOL_N - n));
}

static void env_down(struct env *e)
{
	if (e->f->violations)
		fail_msg("fake device saw a driver violation: %s", e->f->violation);
	vpmd_stop(e->dev);
	vpmd_close(e->dev);
	assert_true(e->f->closed);
	fake_vnet_free(e->f);
	memset(e, 0, sizeof(*e));
	live_env = NULL;
	assert_pool_full();
}

static const struct vpmd_net_hdr hdr0;

/* Receive exactly `want` packets (several bursts); returns how many arrived. */
static unsigned int rx_all(struct vpmd_rxq *rxq, struct rte_mbuf **out, unsigned int want)
{
	unsigned int got = 0, idle = 0;

	while (got < want && idle < 4) {
		uint16_t n = vpmd_rx_burst(rxq, out + got,
					   (uint16_t)RTE_MIN(want - got, (unsigned int)VPMD_BURST_MAX));

		got += n;
		idle = n ? 0 : idle + 1;
	}
	return got;
}

static void check_frame(const struct rte_mbuf *m, uint32_t len, uint32_t seed)
{
	static uint8_t want[70000], got[70000];

	assert_int_equal(m->pkt_len, len);
	assert_int_equal(vt_linearize(m, got, sizeof(got)), len);
	vt_make_frame(want, len, seed);
	assert_memory_equal(got, want, len);
}

/* ---- traffic through every path -------------------------------------------------------- */

static void traffic(const struct mode *m, uint16_t ring, unsigned int rounds, uint16_t max_len)
{
	static uint8_t frame[16384], got[16384];
	struct fake_vnet_cfg cfg;
	struct env e;
	uint64_t rs = 12345;
	unsigned int r, rx_total = 0, tx_total = 0, bufs_per, kmax, segs_seen = 0;
	struct vpmd_rxq_stats rst;
	struct vpmd_txq_stats tst;

	cfg_for(&cfg, m);
	if (max_len > 1514) {
		cfg.mtu = (uint16_t)(max_len - 14);
	}
	env_up(&e, &cfg, m, 1, ring);
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
			if (fake_rx_inject(e.f, 0, &hdr0, frame, lens[i], false) <= 0)
				fail_msg("round %u: device found no rx buffer for frame %u", r, i);
		}
		n = rx_all(e.rxq, pk, k);
		assert_int_equal(n, k);
		for (i = 0; i < n; i++) {
			check_frame(pk[i], lens[i], r * 100 + i);
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
			pk[i] = vt_mbuf(pool, lens[i], 7 * r + i, 1 + (vt_rand(&rs) % 4 == 0) * 2);
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
		assert_int_equal(fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, got, 1, NULL), -1);
		fake_tx_complete(e.f, 0, m->batch ? (r % 2 ? FAKE_COMPLETE_BATCH : FAKE_COMPLETE_IN_ORDER)
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
	env_down(&e);
}

static void test_traffic(void **state)
{
	const struct mode *m = *state;

	traffic(m, 256, 60, 1514);
}

/* Small rings, many laps: indexes wrap 16 bits, packed wrap counters flip many times. */
static void test_ring_wrap(void **state)
{
	const struct mode *m = *state;

	traffic(m, 64, 1500, 300);
}

/* Odd ring sizes for packed (any size is legal), power-of-two rounding for split. */
static void test_odd_ring_size(void **state)
{
	const struct mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct env e;

	cfg_for(&cfg, m);
	env_up(&e, &cfg, m, 1, 100);
	if (m->add & VPMD_F_RING_PACKED)
		assert_int_equal(e.rxq->vq.size, 100);
	else
		assert_int_equal(e.rxq->vq.size, 64);
	env_down(&e);
	traffic(m, 100, 300, 200);
}

/* Frames up to 9000 bytes span several 2 KB mergeable buffers. */
static void test_mergeable(void **state)
{
	const struct mode *m = *state;

	traffic(m, 256, 80, 9014);
}


/* ---- negotiation ------------------------------------------------------------------------ */

#define F_DEF                                                                             \
	(VPMD_F_VERSION_1 | VPMD_F_MAC | VPMD_F_STATUS | VPMD_F_MTU | VPMD_F_MRG_RXBUF |       \
	 VPMD_F_CTRL_VQ | VPMD_F_MQ | VPMD_F_CSUM | VPMD_F_GUEST_CSUM | VPMD_F_GUEST_TSO4 |   \
	 VPMD_F_GUEST_TSO6 | VPMD_F_EVENT_IDX | VPMD_F_INDIRECT_DESC)
#define F_TSO (VPMD_F_GUEST_TSO4 | VPMD_F_GUEST_TSO6)

struct neg_case {
	const char *what;
	uint64_t offered, wanted, expect;
	bool fails;
	bool reject;
};

static void test_negotiation_matrix(void **state)
{
	static const struct neg_case cases[] = {
		{ "default offer, default wish", F_DEF, 0, F_DEF, false, false },
		{ "everything offered", F_DEF | VPMD_F_RING_PACKED | VPMD_F_IN_ORDER |
			VPMD_F_ORDER_PLATFORM | VPMD_F_ACCESS_PLATFORM, 0,
		  F_DEF | VPMD_F_RING_PACKED | VPMD_F_IN_ORDER | VPMD_F_ORDER_PLATFORM |
			VPMD_F_ACCESS_PLATFORM, false, false },
		{ "TSO without GUEST_CSUM", F_DEF & ~VPMD_F_GUEST_CSUM, 0,
		  F_DEF & ~(VPMD_F_GUEST_CSUM | F_TSO), false, false },
		{ "TSO without MRG_RXBUF", F_DEF & ~VPMD_F_MRG_RXBUF, 0,
		  F_DEF & ~(VPMD_F_MRG_RXBUF | F_TSO), false, false },
		{ "MQ without CTRL_VQ", F_DEF & ~VPMD_F_CTRL_VQ, 0,
		  F_DEF & ~(VPMD_F_CTRL_VQ | VPMD_F_MQ), false, false },
		{ "HOST_TSO without CSUM", (F_DEF | VPMD_F_HOST_TSO4 | VPMD_F_HOST_TSO6) & ~VPMD_F_CSUM,
		  F_DEF | VPMD_F_HOST_TSO4 | VPMD_F_HOST_TSO6, F_DEF & ~VPMD_F_CSUM, false, false },
		{ "HOST_TSO with CSUM", F_DEF | VPMD_F_HOST_TSO4 | VPMD_F_HOST_TSO6,
		  F_DEF | VPMD_F_HOST_TSO4 | VPMD_F_HOST_TSO6,
		  F_DEF | VPMD_F_HOST_TSO4 | VPMD_F_HOST_TSO6, false, false },
		{ "GUEST_ECN with TSO", F_DEF | VPMD_F_GUEST_ECN, F_DEF | VPMD_F_GUEST_ECN,
		  F_DEF | VPMD_F_GUEST_ECN, false, false },
		{ "GUEST_ECN without TSO", (F_DEF | VPMD_F_GUEST_ECN) & ~F_TSO,
		  F_DEF | VPMD_F_GUEST_ECN, F_DEF & ~F_TSO, false, false },
		{ "CTRL_GUEST_OFFLOADS needs CTRL_VQ",
		  (F_DEF | VPMD_F_CTRL_GUEST_OFFLOADS) & ~VPMD_F_CTRL_VQ,
		  F_DEF | VPMD_F_CTRL_GUEST_OFFLOADS, F_DEF & ~(VPMD_F_CTRL_VQ | VPMD_F_MQ),
		  false, false },
		{ "unknown bits never taken", F_DEF | (1ULL << 18) | (1ULL << 60) | (1ULL << 38), 0,
		  F_DEF, false, false },
		{ "packed offered, not wanted", F_DEF | VPMD_F_RING_PACKED,
		  VPMD_FEATURES_DEFAULT & ~VPMD_F_RING_PACKED, F_DEF, false, false },
		{ "VERSION_1 forced in", F_DEF, VPMD_F_MAC | VPMD_F_MRG_RXBUF,
		  VPMD_F_VERSION_1 | VPMD_F_MAC | VPMD_F_MRG_RXBUF, false, false },
		{ "legacy-only device", F_DEF & ~VPMD_F_VERSION_1, 0, 0, true, false },
		{ "device refuses FEATURES_OK", F_DEF, 0, 0, true, true },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		const struct neg_case *c = &cases[i];
		struct vpmd_conf conf = { .nb_qpairs = 1, .ring_size = 64, .rx_pool = pool,
					  .features = c->wanted, .socket_id = SOCKET_ID_ANY };
		struct fake_vnet_cfg cfg;
		struct fake_vnet *f;
		struct vpmd_dev *dev;
		char err[256] = "";
		int rc;

		fake_vnet_cfg_default(&cfg);
		cfg.features = c->offered;
		cfg.reject_features = c->reject;
		dev = fake_vnet_open(&cfg, &f, err, sizeof(err));
		assert_non_null(dev);
		rc = vpmd_configure(dev, &conf, err, sizeof(err));
		if (c->fails) {
			if (rc == 0)
				fail_msg("%s: configure succeeded", c->what);
			assert_true(strlen(err) > 10);
			assert_true(f->status & VPMD_STATUS_FAILED);
		} else {
			if (rc != 0)
				fail_msg("%s: configure failed: %s", c->what, err);
			if (vpmd_features(dev) != c->expect)
				fail_msg("%s: negotiated 0x%llx, expected 0x%llx", c->what,
					 (unsigned long long)vpmd_features(dev),
					 (unsigned long long)c->expect);
			assert_int_equal(f->driver_features, c->expect);
			assert_int_equal(vpmd_start(dev, err, sizeof(err)), 0);
		}
		if (f->violations)
			fail_msg("%s: %s", c->what, f->violation);
		vpmd_close(dev);
		fake_vnet_free(f);
	}
	assert_pool_full();
}

/* ---- configuration the driver must refuse ------------------------------------------------ */

struct cfg_case {
	const char *what;
	void (*tweak)(struct fake_vnet_cfg *cfg, struct vpmd_conf *conf);
	bool ok;
	const char *err_has;
};

static void tw_pairs0(struct fake_vnet_cfg *c, struct vpmd_conf *k) { (void)k; c->max_pairs = 0; }
static void tw_pairs_big(struct fake_vnet_cfg *c, struct vpmd_conf *k) { (void)k; c->max_pairs = 0x8001; }
static void tw_pairs_max(struct fake_vnet_cfg *c, struct vpmd_conf *k) { k->nb_qpairs = 1; c->max_pairs = 0x8000; }
static void tw_mtu(struct fake_vnet_cfg *c, struct vpmd_conf *k) { (void)k; c->mtu = 10; }
static void tw_qsize0(struct fake_vnet_cfg *c, struct vpmd_conf *k) { (void)k; c->zero_size_queue = 1; }
static void tw_qsize0_all(struct fake_vnet_cfg *c, struct vpmd_conf *k) { (void)k; c->queue_max = 0; }
static void tw_ctrl_small(struct fake_vnet_cfg *c, struct vpmd_conf *k) { (void)k; c->ctrl_queue_max = 2; }
static void tw_gen_flip(struct fake_vnet_cfg *c, struct vpmd_conf *k) { (void)k; c->gen_flips = 3; }
static void tw_gen_unstable(struct fake_vnet_cfg *c, struct vpmd_conf *k) { (void)k; c->gen_flips = 1000; }
static void tw_too_many(struct fake_vnet_cfg *c, struct vpmd_conf *k) { (void)c; k->nb_qpairs = 5; }
static void tw_nomrg_jumbo(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)k;
	c->features &= ~VPMD_F_MRG_RXBUF;
	c->mtu = 9000;
}
static void tw_nopool(struct fake_vnet_cfg *c, struct vpmd_conf *k) { (void)c; k->rx_pool = NULL; }
static void tw_small_dev_ring(struct fake_vnet_cfg *c, struct vpmd_conf *k) { (void)k; c->queue_max = 100; }

static void test_config_validation(void **state)
{
	static const struct cfg_case cases[] = {
		{ "max_virtqueue_pairs 0", tw_pairs0, false, "max_virtqueue_pairs" },
		{ "max_virtqueue_pairs 0x8001", tw_pairs_big, false, "max_virtqueue_pairs" },
		{ "max_virtqueue_pairs 0x8000: control queue 65536", tw_pairs_max, false, "16-bit" },
		{ "MTU 10", tw_mtu, false, "MTU" },
		{ "tx queue size 0", tw_qsize0, false, "does not exist" },
		{ "every queue size 0", tw_qsize0_all, false, "does not exist" },
		{ "control queue too small", tw_ctrl_small, false, "control virtqueue" },
		{ "config generation settles", tw_gen_flip, true, NULL },
		{ "config generation never settles", tw_gen_unstable, false, "config_generation" },
		{ "more pairs than the device", tw_too_many, false, "queue pairs" },
		{ "no MRG_RXBUF, MTU 9000, 2 KB mbufs", tw_nomrg_jumbo, false, "MRG_RXBUF" },
		{ "no rx pool", tw_nopool, false, "rx_pool" },
		{ "device ring max 100 (split: 64)", tw_small_dev_ring, true, NULL },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		const struct cfg_case *c = &cases[i];
		struct vpmd_conf conf = { .nb_qpairs = 0, .rx_pool = pool, .socket_id = SOCKET_ID_ANY };
		struct fake_vnet_cfg cfg;
		struct fake_vnet *f;
		struct vpmd_dev *dev;
		char err[256] = "";
		int rc;

		fake_vnet_cfg_default(&cfg);
		c->tweak(&cfg, &conf);
		dev = fake_vnet_open(&cfg, &f, err, sizeof(err));
		assert_non_null(dev);
		rc = vpmd_configure(dev, &conf, err, sizeof(err));
		if (c->ok) {
			if (rc != 0)
				fail_msg("%s: configure failed: %s", c->what, err);
			assert_int_equal(vpmd_start(dev, err, sizeof(err)), 0);
			if (c->tweak == tw_small_dev_ring)
				assert_int_equal(vpmd_rxq(dev, 0)->vq.size, 64);
		} else {
			if (rc == 0)
				fail_msg("%s: configure succeeded", c->what);
			if (strstr(err, c->err_has) == NULL)
				fail_msg("%s: error \"%s\" does not mention \"%s\"", c->what, err,
					 c->err_has);
			assert_int_equal(vpmd_nb_qpairs(dev), 0);
			assert_null(vpmd_rxq(dev, 0));
		}
		if (f->violations)
			fail_msg("%s: %s", c->what, f->violation);
		vpmd_close(dev);
		fake_vnet_free(f);
	}
	assert_pool_full();
}

/* ---- multiple queue pairs ------------------------------------------------------------------ */

static void mq_traffic(struct env *e, uint16_t pairs)
{
	static uint8_t frame[2048], got[2048];
	uint16_t q;

	for (q = 0; q < pairs; q++) {
		struct vpmd_rxq *rxq = vpmd_rxq(e->dev, q);
		struct vpmd_txq *txq = vpmd_txq(e->dev, q);
		struct rte_mbuf *pk[8];
		struct vpmd_net_hdr h;
		unsigned int i, n;

		assert_non_null(rxq);
		assert_non_null(txq);
		for (i = 0; i < 8; i++) {
			vt_make_frame(frame, 100 + q * 10 + i, q * 1000 + i);
			assert_true(fake_rx_inject(e->f, q, &hdr0, frame, 100 + q * 10 + i, false) > 0);
		}
		/* nothing leaks to the other queues */
		if (pairs > 1)
			assert_int_equal(vpmd_rx_burst(vpmd_rxq(e->dev, (uint16_t)((q + 1) % pairs)),
						       pk, 8), 0);
		n = rx_all(rxq, pk, 8);
		assert_int_equal(n, 8);
		for (i = 0; i < n; i++) {
			check_frame(pk[i], 100 + q * 10 + i, q * 1000 + i);
			rte_pktmbuf_free(pk[i]);
		}
		for (i = 0; i < 8; i++)
			pk[i] = vt_mbuf(pool, 200 + q, q * 77 + i, 1);
		assert_int_equal(vpmd_tx_burst(txq, pk, 8), 8);
		for (i = 0; i < 8; i++) {
			assert_int_equal(fake_tx_pop(e->f, q, &h, got, sizeof(got), NULL), 200 + q);
			vt_make_frame(frame, 200 + q, q * 77 + i);
			assert_memory_equal(got, frame, 200 + q);
		}
		fake_tx_complete(e->f, q, FAKE_COMPLETE_IN_ORDER);
	}
}

static void test_multiqueue(void **state)
{
	const struct mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct env e;

	/* all the device offers (0 = as many as offered) through a real control queue */
	cfg_for(&cfg, m);
	env_up(&e, &cfg, m, 0, 256);
	assert_int_equal(vpmd_nb_qpairs(e.dev), 4);
	assert_int_equal(e.f->pairs_set, 4);
	assert_int_equal(e.f->ctrl_cmds, 1);
	assert_non_null(e.dev->cvq);
	mq_traffic(&e, 4);
	env_down(&e);

	/* a subset */
	cfg_for(&cfg, m);
	env_up(&e, &cfg, m, 2, 256);
	assert_int_equal(e.f->pairs_set, 2);
	assert_null(vpmd_rxq(e.dev, 2));
	mq_traffic(&e, 2);
	env_down(&e);

	/* the transport carries control commands itself (vhost-user style) */
	cfg_for(&cfg, m);
	cfg.ctrl_via_transport = true;
	env_up(&e, &cfg, m, 3, 256);
	assert_int_equal(e.f->pairs_set, 3);
	assert_null(e.dev->cvq);
	mq_traffic(&e, 3);
	env_down(&e);

	/* no MQ offered: one pair, no VQ_PAIRS_SET */
	cfg_for(&cfg, m);
	cfg.features &= ~VPMD_F_MQ;
	env_up(&e, &cfg, m, 0, 256);
	assert_int_equal(vpmd_nb_qpairs(e.dev), 1);
	assert_int_equal(e.f->ctrl_cmds, 0);
	mq_traffic(&e, 1);
	env_down(&e);
}

static void test_mq_refused(void **state)
{
	const struct mode *m = *state;
	struct vpmd_conf conf = { .nb_qpairs = 4, .ring_size = 64, .rx_pool = pool,
				  .socket_id = SOCKET_ID_ANY };
	struct fake_vnet_cfg cfg;
	struct fake_vnet *f;
	struct vpmd_dev *dev;
	char err[256];

	cfg_for(&cfg, m);
	cfg.ctrl_ack = VPMD_CTRL_ERR;
	dev = fake_vnet_open(&cfg, &f, err, sizeof(err));
	assert_int_equal(vpmd_configure(dev, &conf, err, sizeof(err)), 0);
	assert_int_not_equal(vpmd_start(dev, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "VQ_PAIRS_SET"));
	assert_int_equal(f->ctrl_cmds, 1);
	assert_pool_full();        /* a failed start gives every rx buffer back */
	/* and the device can be started once it behaves */
	f->cfg.ctrl_ack = VPMD_CTRL_OK;
	assert_int_equal(vpmd_start(dev, err, sizeof(err)), 0);
	assert_int_equal(f->pairs_set, 4);
	if (f->violations)
		fail_msg("%s", f->violation);
	vpmd_close(dev);
	fake_vnet_free(f);
	assert_pool_full();
}

/* ---- 64 KB GSO segments --------------------------------------------------------------------- */

static void test_gso64k(void **state)
{
	static uint8_t frame[65536];
	const struct mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct rte_mbuf *pk[4];
	struct vpmd_rxq_stats st;
	struct env e;
	uint32_t len = 65000;
	unsigned int round;

	cfg_for(&cfg, m);
	env_up(&e, &cfg, m, 1, 256);
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
		assert_int_equal(rx_all(e.rxq, pk, 1), 1);
		check_frame(pk[0], len, 4242 + round);
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
		struct vpmd_net_hdr h = { .flags = VPMD_HDR_F_NEEDS_CSUM, .csum_start = 34,
					  .csum_offset = 6 };

		vt_make_frame(frame, 300, 1);
		assert_true(fake_rx_inject(e.f, 0, &h, frame, 300, false) > 0);
		assert_int_equal(rx_all(e.rxq, pk, 1), 1);
		assert_int_equal(pk[0]->ol_flags, RTE_MBUF_F_RX_L4_CKSUM_NONE);
		rte_pktmbuf_free(pk[0]);
	}
	vpmd_rxq_stats(e.rxq, &st);
	assert_int_equal(st.err_bad_ring, 0);
	assert_int_equal(st.packets, 13);
	env_down(&e);
}

/* ---- notifications ----------------------------------------------------------------------------- */

static void test_kicks(void **state)
{
	const struct mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct vpmd_txq_stats ts;
	struct vpmd_rxq_stats rs;
	struct rte_mbuf *pk[16];
	struct env e;
	uint64_t k0;
	unsigned int i, b;
	bool packed = (m->add & VPMD_F_RING_PACKED) != 0;

	/* device says "don't kick": no kick from any burst */
	cfg_for(&cfg, m);
	cfg.no_notify = true;
	env_up(&e, &cfg, m, 1, 128);
	k0 = e.f->vq[1].kicks;
	for (b = 0; b < 20; b++) {
		for (i = 0; i < 16; i++)
			pk[i] = vt_mbuf(pool, 64, i, 1);
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
			pk[i] = vt_mbuf(pool, 64, i, 1);
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
		fake_set_avail_event(e.f, 1, (uint16_t)(packed ? (at + 64) % e.txq->vq.size : at + 64),
				     packed ? (uint16_t)(e.txq->vq.avail_wrap ^ 1) : 0);
		for (i = 0; i < 16; i++)
			pk[i] = vt_mbuf(pool, 64, i, 1);
		assert_int_equal(vpmd_tx_burst(e.txq, pk, 16), 16);
		vpmd_txq_stats(e.txq, &ts);
		assert_int_equal(ts.kicks, 20);
		while (fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, NULL, 0, NULL) >= 0)
			;
		fake_tx_complete(e.f, 0, FAKE_COMPLETE_IN_ORDER);
		/* inside the next burst: exactly one kick */
		at = e.txq->vq.avail_idx;
		fake_set_avail_event(e.f, 1, (uint16_t)(packed ? (at + 5) % e.txq->vq.size : at + 5),
				     packed ? (uint16_t)(e.txq->vq.avail_wrap ^ ((at + 5) >= e.txq->vq.size))
					    : 0);
		for (i = 0; i < 16; i++)
			pk[i] = vt_mbuf(pool, 64, i, 1);
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
			assert_true(fake_rx_inject(e.f, 0, &hdr0, frame, 64, false) > 0);
		}
		assert_int_equal(rx_all(e.rxq, pk, 16), 16);
		for (i = 0; i < 16; i++)
			rte_pktmbuf_free(pk[i]);
	}
	vpmd_rxq_stats(e.rxq, &rs);
	if (!packed && (e.dev->features & VPMD_F_EVENT_IDX))
		assert_int_equal(rs.kicks, 1);
	else
		assert_int_equal(rs.kicks, 2);       /* 64 buffers, refilled 32 at a time */
	assert_int_equal(e.f->vq[0].kicks, 1 + rs.kicks);   /* + the one at start */
	env_down(&e);
}

/* ---- tx offloads and descriptor layouts ---------------------------------------------------- */

static struct rte_mbuf *tx_offload_mbuf(uint64_t ol, uint32_t len)
{
	struct rte_mbuf *m = vt_mbuf(pool, len, 99, 1);

	m->ol_flags = ol;
	m->l2_len = 14;
	m->l3_len = 20;
	m->l4_len = 20;
	m->tso_segsz = 1000;
	return m;
}

static void tx_one(struct env *e, struct rte_mbuf *m, uint16_t expect_ret, int expect_len,
		   struct vpmd_net_hdr *h, unsigned int *ndesc)
{
	static uint8_t buf[70000];

	assert_int_equal(vpmd_tx_burst(e->txq, &m, 1), expect_ret);
	assert_int_equal(fake_tx_pop(e->f, 0, h, buf, sizeof(buf), ndesc), expect_len);
	fake_tx_complete(e->f, 0, FAKE_COMPLETE_IN_ORDER);
	assert_int_equal(vpmd_tx_reclaim(e->txq), expect_len >= 0 ? 1 : 0);
}

static void test_tx_offloads(void **state)
{
	const struct mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct vpmd_txq_stats ts;
	struct vpmd_net_hdr h;
	struct rte_mbuf *mb, *clone;
	unsigned int nd;
	struct env e;

	cfg_for(&cfg, m);
	cfg.features |= VPMD_F_HOST_TSO4;
	env_up(&e, &cfg, m, 1, 64);
	/* negotiated only on request: not in the default wish */
	assert_false(e.dev->features & VPMD_F_HOST_TSO4);

	tx_one(&e, tx_offload_mbuf(RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4, 200), 1, 200, &h, &nd);
	assert_int_equal(h.flags, VPMD_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.csum_start, 34);
	assert_int_equal(h.csum_offset, 16);
	assert_int_equal(nd, 1);                        /* header pushed into the headroom */

	tx_one(&e, tx_offload_mbuf(RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_IPV4, 200), 1, 200, &h, &nd);
	assert_int_equal(h.csum_offset, 6);

	/* refused: TSO not negotiated, SCTP, offsets beyond the packet */
	assert_int_equal(vpmd_tx_burst(e.txq, &(struct rte_mbuf *){ tx_offload_mbuf(
					   RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4, 3000) }, 1), 1);
	assert_int_equal(vpmd_tx_burst(e.txq, &(struct rte_mbuf *){ tx_offload_mbuf(
					   RTE_MBUF_F_TX_SCTP_CKSUM | RTE_MBUF_F_TX_IPV4, 200) }, 1), 1);
	assert_int_equal(vpmd_tx_burst(e.txq, &(struct rte_mbuf *){ tx_offload_mbuf(
					   RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4, 40) }, 1), 1);
	assert_int_equal(fake_tx_pop(e.f, 0, &h, NULL, 0, NULL), -1);
	vpmd_txq_stats(e.txq, &ts);
	assert_int_equal(ts.drop_bad_pkt, 3);

	/* shared mbuf: header in its own descriptor, data untouched */
	mb = vt_mbuf(pool, 300, 5, 1);
	rte_mbuf_refcnt_update(mb, 1);
	tx_one(&e, mb, 1, 300, &h, &nd);
	assert_int_equal(nd, 2);
	assert_int_equal(rte_mbuf_refcnt_read(mb), 1);
	rte_pktmbuf_free(mb);
	/* indirect mbuf (a clone) */
	mb = vt_mbuf(pool, 300, 6, 1);
	clone = rte_pktmbuf_clone(mb, pool);
	assert_non_null(clone);
	tx_one(&e, clone, 1, 300, &h, &nd);
	assert_int_equal(nd, 2);
	rte_pktmbuf_free(mb);
	/* three segments: header pushed into the first */
	tx_one(&e, vt_mbuf(pool, 3000, 7, 3), 1, 3000, &h, &nd);
	assert_int_equal(nd, 3);
	/* too many segments for the ring: refused */
	mb = vt_mbuf(pool, 80 * 10, 8, 80);
	assert_non_null(mb);
	assert_int_equal(vpmd_tx_burst(e.txq, &mb, 1), 1);
	vpmd_txq_stats(e.txq, &ts);
	assert_int_equal(ts.drop_bad_pkt, 4);
	env_down(&e);

	/* with HOST_TSO4 asked for and offered */
	cfg_for(&cfg, m);
	cfg.features |= VPMD_F_HOST_TSO4;
	{
		struct vpmd_conf conf = { .nb_qpairs = 1, .ring_size = 64, .rx_pool = pool,
					  .features = VPMD_FEATURES_DEFAULT | VPMD_F_HOST_TSO4,
					  .socket_id = SOCKET_ID_ANY };
		char err[256];

		e.dev = fake_vnet_open(&cfg, &e.f, err, sizeof(err));
		assert_int_equal(vpmd_configure(e.dev, &conf, err, sizeof(err)), 0);
		assert_int_equal(vpmd_start(e.dev, err, sizeof(err)), 0);
		e.rxq = vpmd_rxq(e.dev, 0);
		e.txq = vpmd_txq(e.dev, 0);
	}
	tx_one(&e, tx_offload_mbuf(RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM |
				   RTE_MBUF_F_TX_IPV4, 5000), 1, 5000, &h, &nd);
	assert_int_equal(h.gso_type, VPMD_GSO_TCPV4);
	assert_int_equal(h.gso_size, 1000);
	assert_int_equal(h.hdr_len, 54);
	assert_int_equal(h.flags, VPMD_HDR_F_NEEDS_CSUM);
	env_down(&e);
}

/* ---- ring full, out-of-order completion, recycling -------------------------------------- */

static void test_tx_ring_full(void **state)
{
	const struct mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct vpmd_txq_stats ts;
	struct rte_mbuf *pk[VPMD_BURST_MAX];
	struct env e;
	unsigned int i, sent = 0, popped = 0, round;

	cfg_for(&cfg, m);
	env_up(&e, &cfg, m, 1, 64);
	for (round = 0; round < 50; round++) {
		uint16_t n;

		for (i = 0; i < VPMD_BURST_MAX; i++)
			pk[i] = vt_mbuf(pool, 64 + i, i, 1 + (i % 5 == 0));
		n = vpmd_tx_burst(e.txq, pk, VPMD_BURST_MAX);
		for (i = n; i < VPMD_BURST_MAX; i++)
			rte_pktmbuf_free(pk[i]);
		sent += n;
		/* the device takes some, returns them in varying orders */
		for (i = 0; i < 10 + round % 20; i++)
			if (fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, NULL, 0, NULL) >= 0)
				popped++;
		fake_tx_complete(e.f, 0, m->batch ? FAKE_COMPLETE_BATCH
				 : (round % 3 ? FAKE_COMPLETE_REVERSE : FAKE_COMPLETE_IN_ORDER));
	}
	vpmd_txq_stats(e.txq, &ts);
	assert_true(ts.ring_full > 0);
	assert_int_equal(ts.packets, sent);
	assert_true(popped <= sent);
	/* in flight at stop: reclaimed by stop */
	assert_true(e.txq->nb_inflight > 0);
	env_down(&e);
}

/* ---- misbehaving device ---------------------------------------------------------------------- */

enum bad_counter { C_NONE, C_LEN, C_HDR };

struct mal_case {
	const char *what;
	enum fake_mis mis;
	struct vpmd_net_hdr hdr;       /* for the bad packet */
	uint32_t len;                  /* of the bad packet */
	enum bad_counter counter;
	bool good_first;               /* one good packet before the bad one */
	bool split_only, mrg_only, nomrg_only, not_inorder;
};

static void malicious_rx(const struct mode *m, const struct mal_case *c)
{
	static uint8_t frame[8192];
	struct fake_vnet_cfg cfg;
	struct vpmd_rxq_stats st;
	struct rte_mbuf *pk[8];
	struct env e;
	unsigned int got, want_good = c->good_first ? 1 : 0;

	cfg_for(&cfg, m);
	env_up(&e, &cfg, m, 1, 128);
	/* some normal traffic first so that indexes are not at zero */
	for (unsigned int i = 0; i < 5; i++) {
		vt_make_frame(frame, 100, i);
		assert_true(fake_rx_inject(e.f, 0, &hdr0, frame, 100, false) > 0);
	}
	assert_int_equal(rx_all(e.rxq, pk, 5), 5);
	for (unsigned int i = 0; i < 5; i++)
		rte_pktmbuf_free(pk[i]);
	if (c->good_first) {
		vt_make_frame(frame, 100, 9);
		assert_true(fake_rx_inject(e.f, 0, &hdr0, frame, 100, false) > 0);
	}
	vt_make_frame(frame, c->len, 10);
	fake_misbehave(e.f, c->mis);
	assert_true(fake_rx_inject(e.f, 0, &c->hdr, frame, c->len, c->mis == FAKE_MIS_NONE &&
				   c->hdr.num_buffers != 0) > 0);
	got = vpmd_rx_burst(e.rxq, pk, 8);
	if (got != want_good)
		fail_msg("%s (%s): %u packets delivered, expected %u", c->what, m->name, got,
			 want_good);
	for (unsigned int i = 0; i < got; i++) {
		check_frame(pk[i], 100, 9);
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
	fake_rx_inject(e.f, 0, &hdr0, frame, 100, false);
	assert_int_equal(vpmd_rx_burst(e.rxq, pk, 8), 0);
	vpmd_rxq_stats(e.rxq, &st);
	assert_int_equal(st.err_bad_ring, 1);
	assert_int_equal(vpmd_health_check(e.dev), 1);
	assert_true(e.rxq->bad_logged);
	env_down(&e);              /* stop reclaims everything: pool full */
}

static void test_malicious_rx(void **state)
{
	const struct mode *m = *state;
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
		{ "num_buffers 2 without MRG_RXBUF", FAKE_MIS_NUMBUF_TWO, { 0 }, 100, C_HDR, true,
		  false, false, true },
		{ "2nd buffer id out of range", FAKE_MIS_LATER_ID_RANGE, { 0 }, 3000, C_NONE, true,
		  false, true, false, true },
		{ "2nd buffer len above the buffer", FAKE_MIS_LATER_LEN_LONG, { 0 }, 3000, C_LEN,
		  true, false, true, false, true },
		{ "csum_start + offset beyond packet",  FAKE_MIS_NONE,
		  { .flags = VPMD_HDR_F_NEEDS_CSUM, .csum_start = 90, .csum_offset = 16 }, 100,
		  C_HDR, true },
		{ "csum_start huge", FAKE_MIS_NONE,
		  { .flags = VPMD_HDR_F_NEEDS_CSUM, .csum_start = 65535, .csum_offset = 65535 },
		  100, C_HDR, true },
		{ "gso UDP (not negotiated)", FAKE_MIS_NONE,
		  { .gso_type = VPMD_GSO_UDP, .gso_size = 500 }, 1000, C_HDR, true },
		{ "gso size 0", FAKE_MIS_NONE, { .gso_type = VPMD_GSO_TCPV4 }, 1000, C_HDR, true },
		{ "gso ECN not negotiated", FAKE_MIS_NONE,
		  { .gso_type = VPMD_GSO_TCPV4 | VPMD_GSO_ECN, .gso_size = 500 }, 1000, C_HDR, true },
		{ "gso size above packet", FAKE_MIS_NONE,
		  { .gso_type = VPMD_GSO_TCPV6, .gso_size = 5000 }, 1000, C_HDR, true },
		{ "NEEDS_CSUM with a bad offset on a 3-buffer packet", FAKE_MIS_NONE,
		  { .flags = VPMD_HDR_F_NEEDS_CSUM, .csum_start = 5000, .csum_offset = 16 }, 5000,
		  C_HDR, true, false, true },
	};
	unsigned int i, ran = 0;

	for (i = 0; i < RTE_DIM(cases); i++) {
		const struct mal_case *c = &cases[i];

		if ((c->split_only && packed) || (c->mrg_only && !mrg) ||
		    (c->nomrg_only && mrg) || (c->not_inorder && inorder))
			continue;
		/* without MRG_RXBUF there is no GSO: every gso_type is bad, frames must fit */
		if (!mrg && c->len > 1514)
			continue;
		malicious_rx(m, c);
		ran++;
	}
	assert_true(ran >= 8);
}

static void malicious_tx(const struct mode *m, enum fake_mis mis, enum fake_complete how)
{
	struct fake_vnet_cfg cfg;
	struct vpmd_txq_stats st;
	struct rte_mbuf *pk[8];
	struct env e;
	unsigned int i;

	cfg_for(&cfg, m);
	env_up(&e, &cfg, m, 1, 64);
	for (i = 0; i < 8; i++)
		pk[i] = vt_mbuf(pool, 100, i, 1 + (i == 3));
	assert_int_equal(vpmd_tx_burst(e.txq, pk, 8), 8);
	for (i = 0; i < 8; i++)
		assert_true(fake_tx_pop(e.f, 0, &(struct vpmd_net_hdr){ 0 }, NULL, 0, NULL) >= 0);
	fake_misbehave(e.f, mis);
	fake_tx_complete(e.f, 0, how);
	for (i = 0; i < 8; i++)
		pk[i] = vt_mbuf(pool, 100, i, 1);
	assert_int_equal(vpmd_tx_burst(e.txq, pk, 8), 0);
	for (i = 0; i < 8; i++)
		rte_pktmbuf_free(pk[i]);
	if (!vpmd_txq_broken(e.txq))
		fail_msg("tx %d (%s): queue not broken", mis, m->name);
	vpmd_txq_stats(e.txq, &st);
	assert_int_equal(st.err_bad_ring, 1);
	assert_int_equal(vpmd_health_check(e.dev), 1);
	env_down(&e);
}

static void test_malicious_tx(void **state)
{
	const struct mode *m = *state;
	const bool packed = (m->add & VPMD_F_RING_PACKED) != 0;

	malicious_tx(m, FAKE_MIS_ID_RANGE, FAKE_COMPLETE_IN_ORDER);
	malicious_tx(m, FAKE_MIS_ID_RANGE, FAKE_COMPLETE_BATCH);
	if (!packed || !(m->add & VPMD_F_IN_ORDER))
		malicious_tx(m, FAKE_MIS_ID_DUP, FAKE_COMPLETE_IN_ORDER);
	if (!packed)
		malicious_tx(m, FAKE_MIS_USED_IDX_JUMP, FAKE_COMPLETE_IN_ORDER);
}

/* A broken queue recovers with stop + start; the device is set up from scratch. */
static void test_restart(void **state)
{
	const struct mode *m = *state;
	static uint8_t frame[256];
	struct fake_vnet_cfg cfg;
	struct rte_mbuf *pk[4];
	char err[256] = "";
	struct env e;

	cfg_for(&cfg, m);
	env_up(&e, &cfg, m, 2, 128);
	vt_make_frame(frame, 100, 1);
	fake_misbehave(e.f, FAKE_MIS_ID_RANGE);
	assert_true(fake_rx_inject(e.f, 0, &hdr0, frame, 100, false) > 0);
	assert_int_equal(vpmd_rx_burst(e.rxq, pk, 4), 0);
	assert_true(vpmd_rxq_broken(e.rxq));
	vpmd_stop(e.dev);
	assert_pool_full();
	assert_int_equal(vpmd_rx_burst(e.rxq, pk, 4), 0);   /* stopped: no ring access */
	assert_int_equal(vpmd_start(e.dev, err, sizeof(err)), 0);
	assert_false(vpmd_rxq_broken(e.rxq));
	assert_int_equal(e.f->pairs_set, 2);
	mq_traffic(&e, 2);
	env_down(&e);
}

static void test_info_link(void **state)
{
	const struct mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct vpmd_link link;
	struct env e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	cfg_for(&cfg, m);
	cfg.features |= VPMD_F_IN_ORDER;
	env_up(&e, &cfg, m, 2, 256);
	assert_int_equal(vpmd_link_get(e.dev, &link), 0);
	assert_true(link.up);
	assert_int_equal(link.mtu, 1500);
	assert_memory_equal(link.mac.addr_bytes, cfg.mac, 6);
	e.f->cfg.link_status = 0;
	assert_int_equal(vpmd_link_get(e.dev, &link), 0);
	assert_false(link.up);
	f = open_memstream(&buf, &len);
	vpmd_info_dump(e.dev, f);
	fclose(f);
	assert_non_null(strstr(buf, "transport fake"));
	assert_non_null(strstr(buf, "MRG_RXBUF"));
	assert_non_null(strstr(buf, "IN_ORDER"));
	assert_non_null(strstr(buf, (m->add & VPMD_F_RING_PACKED) ? "rx path: packed mergeable in-order"
							    : "rx path: split mergeable in-order"));
	assert_non_null(strstr(buf, "2 of 4 queue pair"));
	free(buf);
	env_down(&e);

	/* no MAC feature: a random locally administered unicast address */
	cfg_for(&cfg, m);
	cfg.features &= ~(VPMD_F_MAC | VPMD_F_MTU | VPMD_F_STATUS);
	env_up(&e, &cfg, m, 1, 64);
	assert_int_equal(vpmd_link_get(e.dev, &link), 0);
	assert_true(link.up);
	assert_int_equal(link.mtu, 1500);
	assert_true(rte_is_local_admin_ether_addr(&link.mac));
	assert_true(rte_is_unicast_ether_addr(&link.mac));
	env_down(&e);
}

static void test_open_spec(void **state)
{
	char err[256];

	(void)state;
	err[0] = 0;
	assert_null(vpmd_open("bogus", err, sizeof(err)));
	assert_non_null(strstr(err, "vhost-user:"));
	err[0] = 0;
	assert_null(vpmd_open("vhost-user:", err, sizeof(err)));
	assert_true(strlen(err) > 0);
	err[0] = 0;
	assert_null(vpmd_open("", err, sizeof(err)));
	assert_true(strlen(err) > 0);
	assert_null(vpmd_open_transport(NULL, NULL, err, sizeof(err)));
}

int main(void)
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
		{ "negotiation_matrix", test_negotiation_matrix, NULL, NULL, NULL },
		{ "config_validation", test_config_validation, NULL, NULL, NULL },
		{ "open_spec", test_open_spec, NULL, NULL, NULL },
		T(test_multiqueue, m_split),
		T(test_multiqueue, m_packed),
		T(test_mq_refused, m_split),
		T(test_mq_refused, m_packed),
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
		T(test_tx_ring_full, m_split),
		T(test_tx_ring_full, m_split_io),
		T(test_tx_ring_full, m_packed),
		T(test_tx_ring_full, m_packed_io),
		T(test_malicious_rx, m_split),
		T(test_malicious_rx, m_split_io),
		T(test_malicious_rx, m_split_nomrg),
		T(test_malicious_rx, m_packed),
		T(test_malicious_rx, m_packed_io),
		T(test_malicious_rx, m_packed_nomrg),
		T(test_malicious_tx, m_split),
		T(test_malicious_tx, m_split_io),
		T(test_malicious_tx, m_packed),
		T(test_malicious_tx, m_packed_io),
		T(test_restart, m_split),
		T(test_restart, m_packed),
		T(test_info_link, m_split),
		T(test_info_link, m_packed),
	};

	if (vt_eal_init("test_vpmd") != 0) {
		fprintf(stderr, "EAL init failed (or not IOVA-as-VA)\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("vt_pool", POOL_N, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "mempool create failed\n");
		return 1;
	}
	return cmocka_run_group_tests_name("vpmd", tests, NULL, NULL);
}
