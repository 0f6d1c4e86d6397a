/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpmd's receive-filter and MAC-address commands (vpmd_ctrl_promisc, vpmd_ctrl_allmulti,
 * vpmd_ctrl_mac_set) on the fake device: the bytes on the control queue [5.1.6.5.1-2], a
 * refusal, a feature that was not negotiated, a device that is not started.
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

static struct vpmd_dev *
ctrl_dev(const struct vt_mode *m, uint64_t offer_del, struct fake_vnet **f)
{
	struct vpmd_conf conf = {
		.nb_qpairs = 1,
		.ring_size = 64,
		.features = VPMD_FEATURES_DEFAULT | VPMD_F_CTRL_RX | VPMD_F_CTRL_MAC_ADDR,
		.rx_pool = vt_pool,
		.socket_id = SOCKET_ID_ANY,
	};
	struct fake_vnet_cfg cfg;
	struct vpmd_dev *dev;
	char err[256];

	vt_cfg_for(&cfg, m);
	cfg.features |= VPMD_F_CTRL_RX | VPMD_F_CTRL_MAC_ADDR;
	cfg.features &= ~offer_del;
	dev = fake_vnet_open(&cfg, f, err, sizeof(err));
	assert_non_null(dev);
	assert_int_equal(vpmd_configure(dev, &conf, err, sizeof(err)), 0);
	return dev;
}

static void
ctrl_dev_close(struct vpmd_dev *dev, struct fake_vnet *f)
{
	if (f->violations)
		fail_msg("%s", f->violation);
	vpmd_close(dev);
	fake_vnet_free(f);
	vt_assert_pool_full();
}

static void
test_rx_mode_and_mac(void **state)
{
	const struct vt_mode *m = *state;
	const struct rte_ether_addr mac = { { 0x02, 0x00, 0xc6, 0x12, 0x00, 0x99 } };
	const uint8_t promisc_off[] = { VPMD_CTRL_CLS_RX, VPMD_CTRL_RX_PROMISC, 0 };
	const uint8_t allmulti_on[] = { VPMD_CTRL_CLS_RX, VPMD_CTRL_RX_ALLMULTI, 1 };
	const uint8_t mac_set[] = {
		VPMD_CTRL_CLS_MAC, VPMD_CTRL_MAC_ADDR_SET, 0x02, 0x00, 0xc6, 0x12, 0x00, 0x99
	};
	struct fake_vnet *f;
	struct vpmd_link link;
	struct vpmd_dev *dev = ctrl_dev(m, 0, &f);
	char err[256] = "";

	/* before the start: no command goes out */
	assert_int_equal(vpmd_ctrl_promisc(dev, false, err, sizeof(err)), -EAGAIN);
	assert_non_null(strstr(err, "not started"));
	assert_int_equal(vpmd_start(dev, err, sizeof(err)), 0);
	assert_true(vpmd_features(dev) & VPMD_F_CTRL_RX);

	assert_int_equal(vpmd_ctrl_promisc(dev, false, err, sizeof(err)), 0);
	assert_int_equal(f->last_ctrl_len, sizeof(promisc_off));
	assert_memory_equal(f->last_ctrl, promisc_off, sizeof(promisc_off));
	assert_int_equal(vpmd_ctrl_allmulti(dev, true, err, sizeof(err)), 0);
	assert_int_equal(f->last_ctrl_len, sizeof(allmulti_on));
	assert_memory_equal(f->last_ctrl, allmulti_on, sizeof(allmulti_on));
	assert_int_equal(vpmd_ctrl_mac_set(dev, &mac, err, sizeof(err)), 0);
	assert_int_equal(f->last_ctrl_len, sizeof(mac_set));
	assert_memory_equal(f->last_ctrl, mac_set, sizeof(mac_set));
	assert_int_equal(vpmd_link_get(dev, &link), 0);
	assert_true(rte_is_same_ether_addr(&link.mac, &mac));

	/* a refusal is -EIO with one line, and the MAC stays */
	f->cfg.ctrl_ack = VPMD_CTRL_ERR;
	assert_int_equal(vpmd_ctrl_promisc(dev, true, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "refused"));
	assert_int_equal(vpmd_ctrl_mac_set(dev, &(struct rte_ether_addr){ { 2, 0, 0, 0, 0, 1 } },
					   err, sizeof(err)),
			 -EIO);
	assert_int_equal(vpmd_link_get(dev, &link), 0);
	assert_true(rte_is_same_ether_addr(&link.mac, &mac));
	vpmd_stop(dev);
	ctrl_dev_close(dev, f);
}

static void
test_not_negotiated(void **state)
{
	const struct vt_mode *m = *state;
	const struct rte_ether_addr mac = { { 0x02, 0x00, 0xc6, 0x12, 0x00, 0x99 } };
	struct fake_vnet *f;
	struct vpmd_dev *dev = ctrl_dev(m, VPMD_F_CTRL_RX | VPMD_F_CTRL_MAC_ADDR, &f);
	char err[256] = "";
	unsigned int cmds;

	assert_int_equal(vpmd_start(dev, err, sizeof(err)), 0);
	cmds = f->ctrl_cmds;
	assert_int_equal(vpmd_ctrl_promisc(dev, true, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "CTRL_RX"));
	assert_int_equal(vpmd_ctrl_allmulti(dev, true, err, sizeof(err)), -ENOTSUP);
	assert_int_equal(vpmd_ctrl_mac_set(dev, &mac, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "CTRL_MAC_ADDR"));
	assert_int_equal(f->ctrl_cmds, cmds);
	vpmd_stop(dev);
	ctrl_dev_close(dev, f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rx_mode_and_mac, m_split),
		T(test_rx_mode_and_mac, m_packed),
		T(test_not_negotiated, m_split),
		T(test_not_negotiated, m_packed),
	};

	return vt_run_tests("vpmd_ctrl", tests, RTE_DIM(tests));
}
