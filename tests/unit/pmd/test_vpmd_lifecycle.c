/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpmd life cycle: a start the device refuses, recovery by stop + start, link and
 * info queries, and device specs that vpmd_open() must refuse.
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

static void
test_mq_refused(void **state)
{
	const struct vt_mode *m = *state;
	struct vpmd_conf conf = {
		.nb_qpairs = 4, .ring_size = 64, .rx_pool = vt_pool, .socket_id = SOCKET_ID_ANY
	};
	struct fake_vnet_cfg cfg;
	struct fake_vnet *f;
	struct vpmd_dev *dev;
	char err[256];

	vt_cfg_for(&cfg, m);
	cfg.ctrl_ack = VPMD_CTRL_ERR;
	dev = fake_vnet_open(&cfg, &f, err, sizeof(err));
	assert_int_equal(vpmd_configure(dev, &conf, err, sizeof(err)), 0);
	assert_int_not_equal(vpmd_start(dev, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "VQ_PAIRS_SET"));
	assert_int_equal(f->ctrl_cmds, 1);
	vt_assert_pool_full(); /* a failed start gives every rx buffer back */
	/* and the device can be started once it behaves */
	f->cfg.ctrl_ack = VPMD_CTRL_OK;
	assert_int_equal(vpmd_start(dev, err, sizeof(err)), 0);
	assert_int_equal(f->pairs_set, 4);
	if (f->violations)
		fail_msg("%s", f->violation);
	vpmd_close(dev);
	fake_vnet_free(f);
	vt_assert_pool_full();
}

/*
 * Control-queue misbehaviour: VQ_PAIRS_SET answered with the used index moved by 2, with a
 * wrong id (packed: id != 0), with no ack byte written, an error ack, or not at all (the
 * 2 s timeout). Each fails vpmd_start with one line and every rx buffer back in the pool;
 * the device then starts once it behaves.
 */
static void
test_ctrl_misbehaves(void **state)
{
	static const struct {
		enum fake_ctrl_mis mis;
		uint8_t ack;
		const char *err_has;
		bool split_only;
	} cases[] = {
		{ FAKE_CTRL_USED_PLUS2, VPMD_CTRL_OK, "bad used entry", true },
		{ FAKE_CTRL_WRONG_ID, VPMD_CTRL_OK, "bad used entry", false },
		{ FAKE_CTRL_NO_ACK, VPMD_CTRL_OK, "refused VQ_PAIRS_SET (ack 255)", false },
		{ FAKE_CTRL_OK, VPMD_CTRL_ERR, "refused VQ_PAIRS_SET (ack 1)", false },
		{ FAKE_CTRL_SILENT, VPMD_CTRL_OK, "no answer to class 4 cmd 0 within", false },
	};
	const struct vt_mode *m = *state;
	struct vpmd_conf conf = {
		.nb_qpairs = 2, .ring_size = 64, .rx_pool = vt_pool, .socket_id = SOCKET_ID_ANY
	};
	struct fake_vnet_cfg cfg;
	struct fake_vnet *f;
	struct vpmd_dev *dev;
	unsigned int i;
	char err[256];

	for (i = 0; i < RTE_DIM(cases); i++) {
		if (cases[i].split_only && (m->add & VPMD_F_RING_PACKED))
			continue;
		vt_cfg_for(&cfg, m);
		cfg.ctrl_mis = cases[i].mis;
		cfg.ctrl_ack = cases[i].ack;
		dev = fake_vnet_open(&cfg, &f, err, sizeof(err));
		assert_non_null(dev);
		assert_int_equal(vpmd_configure(dev, &conf, err, sizeof(err)), 0);
		err[0] = '\0';
		assert_int_not_equal(vpmd_start(dev, err, sizeof(err)), 0);
		if (strstr(err, cases[i].err_has) == NULL)
			fail_msg("case %u: error \"%s\" lacks \"%s\"", i, err, cases[i].err_has);
		assert_false(vpmd_dead(dev));
		vt_assert_pool_full();
		f->cfg.ctrl_mis = FAKE_CTRL_OK;
		f->cfg.ctrl_ack = VPMD_CTRL_OK;
		assert_int_equal(vpmd_start(dev, err, sizeof(err)), 0);
		assert_int_equal(f->pairs_set, 2);
		if (f->violations)
			fail_msg("case %u: %s", i, f->violation);
		vpmd_close(dev);
		fake_vnet_free(f);
		vt_assert_pool_full();
	}
}

/* A broken queue recovers with stop + start; the device is set up from scratch. */
static void
test_restart(void **state)
{
	const struct vt_mode *m = *state;
	static uint8_t frame[256];
	struct fake_vnet_cfg cfg;
	struct rte_mbuf *pk[4];
	char err[256] = "";
	struct vt_env e;

	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 2, 128);
	vt_make_frame(frame, 100, 1);
	fake_misbehave(e.f, FAKE_MIS_ID_RANGE);
	assert_true(fake_rx_inject(e.f, 0, &vt_hdr0, frame, 100, false) > 0);
	assert_int_equal(vpmd_rx_burst(e.rxq, pk, 4), 0);
	assert_true(vpmd_rxq_broken(e.rxq));
	vpmd_stop(e.dev);
	vt_assert_pool_full();
	assert_int_equal(vpmd_rx_burst(e.rxq, pk, 4), 0); /* stopped: no ring access */
	assert_int_equal(vpmd_start(e.dev, err, sizeof(err)), 0);
	assert_false(vpmd_rxq_broken(e.rxq));
	assert_int_equal(e.f->pairs_set, 2);
	vt_mq_traffic(&e, 2);
	vt_env_down(&e);
}

/*
 * A device whose status still reads FEATURES_OK after the reset of vpmd_stop(): start must
 * renegotiate and set the queues up again anyway (the decision is the driver's own).
 */
static void
test_restart_status_lies(void **state)
{
	const struct vt_mode *m = *state;
	struct fake_vnet_cfg cfg;
	char err[256] = "";
	struct vt_env e;
	unsigned int resets;

	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 2, 128);
	e.f->cfg.features_ok_sticky = true;
	vpmd_stop(e.dev);
	vt_assert_pool_full();
	resets = e.f->resets;
	assert_int_equal(vpmd_start(e.dev, err, sizeof(err)), 0);
	assert_true(e.f->resets > resets); /* renegotiated */
	if (e.f->violations)
		fail_msg("%s", e.f->violation);
	vt_mq_traffic(&e, 2);
	vt_env_down(&e);
}

/*
 * A device that serves an rx queue only once notified while its pair is enabled: the rx
 * queues of pairs >= 1 must be kicked again after VQ_PAIRS_SET, or they never receive.
 */
static void
test_rx_kick_after_pairs_set(void **state)
{
	const struct vt_mode *m = *state;
	static uint8_t frame[128];
	struct fake_vnet_cfg cfg;
	struct rte_mbuf *pk[4];
	struct vt_env e;
	uint16_t q;

	vt_cfg_for(&cfg, m);
	cfg.rx_kick_after_enable = true;
	vt_env_up(&e, &cfg, m, 3, 64);
	vt_make_frame(frame, 100, 3);
	for (q = 0; q < 3; q++) {
		if (fake_rx_inject(e.f, q, &vt_hdr0, frame, 100, false) <= 0)
			fail_msg("rx queue %u never got a kick after VQ_PAIRS_SET", q);
		assert_int_equal(vt_rx_all(vpmd_rxq(e.dev, q), pk, 1), 1);
		rte_pktmbuf_free(pk[0]);
	}
	vt_env_down(&e);
}

static void
test_info_link(void **state)
{
	const struct vt_mode *m = *state;
	struct fake_vnet_cfg cfg;
	struct vpmd_link link;
	struct vt_env e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	vt_cfg_for(&cfg, m);
	cfg.features |= VPMD_F_IN_ORDER;
	vt_env_up(&e, &cfg, m, 2, 256);
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
	assert_non_null(strstr(buf, (m->add & VPMD_F_RING_PACKED)
					    ? "rx path: packed mergeable in-order"
					    : "rx path: split mergeable in-order"));
	assert_non_null(strstr(buf, "2 of 4 queue pair"));
	free(buf);
	vt_env_down(&e);

	/* no MAC feature: a random locally administered unicast address */
	vt_cfg_for(&cfg, m);
	cfg.features &= ~(VPMD_F_MAC | VPMD_F_MTU | VPMD_F_STATUS);
	vt_env_up(&e, &cfg, m, 1, 64);
	assert_int_equal(vpmd_link_get(e.dev, &link), 0);
	assert_true(link.up);
	assert_int_equal(link.mtu, 1500);
	assert_true(rte_is_local_admin_ether_addr(&link.mac));
	assert_true(rte_is_unicast_ether_addr(&link.mac));
	vt_env_down(&e);

	/* a multicast or all-zero MAC from config space is not used */
	for (int i = 0; i < 2; i++) {
		static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

		vt_cfg_for(&cfg, m);
		if (i == 0)
			memcpy(cfg.mac, mcast, sizeof(cfg.mac));
		else
			memset(cfg.mac, 0, sizeof(cfg.mac));
		vt_env_up(&e, &cfg, m, 1, 64);
		assert_int_equal(vpmd_link_get(e.dev, &link), 0);
		assert_true(rte_is_valid_assigned_ether_addr(&link.mac));
		assert_true(rte_is_local_admin_ether_addr(&link.mac));
		vt_env_down(&e);
	}
}

static void
test_open_spec(void **state)
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		{ "open_spec", test_open_spec, NULL, NULL, NULL },
		T(test_mq_refused, m_split),
		T(test_mq_refused, m_packed),
		T(test_restart, m_split),
		T(test_restart, m_packed),
		T(test_ctrl_misbehaves, m_split),
		T(test_ctrl_misbehaves, m_packed),
		T(test_rx_kick_after_pairs_set, m_split),
		T(test_rx_kick_after_pairs_set, m_packed),
		T(test_restart_status_lies, m_split),
		T(test_restart_status_lies, m_packed),
		T(test_info_link, m_split),
		T(test_info_link, m_packed),
	};

	return vt_run_tests("vpmd_lifecycle", tests, RTE_DIM(tests));
}
