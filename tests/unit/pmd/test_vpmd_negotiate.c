/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpmd feature negotiation and configuration: the negotiation matrix (the spec's
 * dependency rules) and the device configurations the driver must refuse.
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

/* ---- negotiation ------------------------------------------------------------------------ */

#define F_DEF                                                                               \
	(VPMD_F_VERSION_1 | VPMD_F_MAC | VPMD_F_STATUS | VPMD_F_MTU | VPMD_F_MRG_RXBUF |    \
	 VPMD_F_CTRL_VQ | VPMD_F_MQ | VPMD_F_CSUM | VPMD_F_GUEST_CSUM | VPMD_F_GUEST_TSO4 | \
	 VPMD_F_GUEST_TSO6 | VPMD_F_EVENT_IDX | VPMD_F_INDIRECT_DESC)
#define F_TSO (VPMD_F_GUEST_TSO4 | VPMD_F_GUEST_TSO6)

struct neg_case {
	const char *what;
	uint64_t offered, wanted, expect;
	bool fails;
	bool reject;
};

static void
test_negotiation_matrix(void **state)
{
	static const struct neg_case cases[] = {
		{ "default offer, default wish", F_DEF, 0, F_DEF, false, false },
		{ "everything offered",
		  F_DEF | VPMD_F_RING_PACKED | VPMD_F_IN_ORDER | VPMD_F_ORDER_PLATFORM |
			  VPMD_F_ACCESS_PLATFORM,
		  0,
		  F_DEF | VPMD_F_RING_PACKED | VPMD_F_IN_ORDER | VPMD_F_ORDER_PLATFORM |
			  VPMD_F_ACCESS_PLATFORM,
		  false, false },
		{ "TSO without GUEST_CSUM", F_DEF & ~VPMD_F_GUEST_CSUM, 0,
		  F_DEF & ~(VPMD_F_GUEST_CSUM | F_TSO), false, false },
		{ "TSO without MRG_RXBUF", F_DEF & ~VPMD_F_MRG_RXBUF, 0,
		  F_DEF & ~(VPMD_F_MRG_RXBUF | F_TSO), false, false },
		{ "MQ without CTRL_VQ", F_DEF & ~VPMD_F_CTRL_VQ, 0,
		  F_DEF & ~(VPMD_F_CTRL_VQ | VPMD_F_MQ), false, false },
		{ "HOST_TSO without CSUM",
		  (F_DEF | VPMD_F_HOST_TSO4 | VPMD_F_HOST_TSO6) & ~VPMD_F_CSUM,
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
		  F_DEF | VPMD_F_CTRL_GUEST_OFFLOADS, F_DEF & ~(VPMD_F_CTRL_VQ | VPMD_F_MQ), false,
		  false },
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
		struct vpmd_conf conf = { .nb_qpairs = 1,
					  .ring_size = 64,
					  .rx_pool = vt_pool,
					  .features = c->wanted,
					  .socket_id = SOCKET_ID_ANY };
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
		/* What the device offers is known from open on, before negotiation. */
		if (vpmd_device_features(dev) != c->offered)
			fail_msg("%s: offered 0x%llx, vpmd_device_features says 0x%llx", c->what,
				 (unsigned long long)c->offered,
				 (unsigned long long)vpmd_device_features(dev));
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
	vt_assert_pool_full();
}

/* ---- configuration the driver must refuse ------------------------------------------------ */

struct cfg_case {
	const char *what;
	void (*tweak)(struct fake_vnet_cfg *cfg, struct vpmd_conf *conf);
	bool ok;
	const char *err_has;
};

static void
tw_pairs0(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)k;
	c->max_pairs = 0;
}
static void
tw_pairs_big(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)k;
	c->max_pairs = 0x8001;
}
static void
tw_pairs_max(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	k->nb_qpairs = 1;
	c->max_pairs = 0x8000;
}
/* More pairs than VPMD_MAX_QPAIRS: we use 64, the control queue is vq 130. */
static void
tw_pairs65(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	k->nb_qpairs = 0;
	k->ring_size = 32; /* 64 rx rings of 32 fit the test pool */
	c->max_pairs = 65;
}
static void
tw_pairs128(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	k->nb_qpairs = 2;
	c->max_pairs = 128;
}
static void
tw_mtu(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)k;
	c->mtu = 10;
}
static void
tw_qsize0(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)k;
	c->zero_size_queue = 1;
}
static void
tw_qsize0_all(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)k;
	c->queue_max = 0;
}
static void
tw_ctrl_small(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)k;
	c->ctrl_queue_max = 2;
}
static void
tw_gen_flip(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)k;
	c->gen_flips = 3;
}
static void
tw_gen_unstable(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)k;
	c->gen_flips = 1000;
}
static void
tw_too_many(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)c;
	k->nb_qpairs = 5;
}
static void
tw_nomrg_jumbo(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)k;
	c->features &= ~VPMD_F_MRG_RXBUF;
	c->mtu = 9000;
}
static void
tw_nopool(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)c;
	k->rx_pool = NULL;
}
static void
tw_small_dev_ring(struct fake_vnet_cfg *c, struct vpmd_conf *k)
{
	(void)k;
	c->queue_max = 100;
}

static void
test_config_validation(void **state)
{
	static const struct cfg_case cases[] = {
		{ "max_virtqueue_pairs 0", tw_pairs0, false, "max_virtqueue_pairs" },
		{ "max_virtqueue_pairs 0x8001", tw_pairs_big, false, "max_virtqueue_pairs" },
		{ "max_virtqueue_pairs 0x8000: control queue 65536", tw_pairs_max, false,
		  "16-bit" },
		{ "max_virtqueue_pairs 65: control queue 130", tw_pairs65, true, NULL },
		{ "max_virtqueue_pairs 128, 2 used", tw_pairs128, true, NULL },
		{ "MTU 10", tw_mtu, false, "MTU" },
		{ "tx queue size 0", tw_qsize0, false, "does not exist" },
		{ "every queue size 0", tw_qsize0_all, false, "does not exist" },
		{ "control queue too small", tw_ctrl_small, false, "control virtqueue" },
		{ "config generation settles", tw_gen_flip, true, NULL },
		{ "config generation never settles", tw_gen_unstable, false, "config_generation" },
		{ "more pairs than the device", tw_too_many, false, "queue pairs" },
		{ "no MRG_RXBUF, MTU 9000, 2 KB mbufs", tw_nomrg_jumbo, false, "MRG_RXBUF" },
		{ "no rx vt_pool", tw_nopool, false, "rx_pool" },
		{ "device ring max 100 (split: 64)", tw_small_dev_ring, true, NULL },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(cases); i++) {
		const struct cfg_case *c = &cases[i];
		struct vpmd_conf conf = { .nb_qpairs = 0,
					  .rx_pool = vt_pool,
					  .socket_id = SOCKET_ID_ANY };
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
			if (c->tweak == tw_pairs65 || c->tweak == tw_pairs128) {
				/* VQ_PAIRS_SET went through the control queue at 2 * max */
				assert_int_equal(vpmd_nb_qpairs(dev),
						 c->tweak == tw_pairs65 ? 64 : 2);
				assert_int_equal(f->pairs_set, vpmd_nb_qpairs(dev));
			}
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
	vt_assert_pool_full();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		{ "negotiation_matrix", test_negotiation_matrix, NULL, NULL, NULL },
		{ "config_validation", test_config_validation, NULL, NULL, NULL },
	};

	return vt_run_tests("vpmd_negotiate", tests, RTE_DIM(tests));
}
