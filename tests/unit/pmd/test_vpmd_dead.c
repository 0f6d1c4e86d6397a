/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A device that does not stop: its reset never completes (PCI: the status never reads 0) or
 * a queue stop fails (vhost-user: GET_VRING_BASE unanswered). It may still write into its
 * rings and the mbufs posted in them, so the driver marks it dead and hands nothing back:
 * the pool stays short by exactly what the device holds, the ring memzones stay allocated,
 * and the leak is counted. Cases: stop, a failed start, a reconfigure, close.
 * These tests leak on purpose, so they run in their own program and compare counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "fake_vnet.h"
#include "test_common.h"
#include "test_env.h"
#include "vpmd.h"
#include "vpmd_internal.h"

static void
count_mz(const struct rte_memzone *mz, void *arg)
{
	(void)mz;
	(*(unsigned int *)arg)++;
}

static unsigned int
memzones(void)
{
	unsigned int n = 0;

	rte_memzone_walk(count_mz, &n);
	return n;
}

/* Rings the device has: rx + tx per pair, plus the control queue. */
static unsigned int
rings_of(const struct vpmd_dev *dev, uint16_t pairs)
{
	return 2u * pairs + ((vpmd_features(dev) & VPMD_F_CTRL_VQ) ? 1u : 0u);
}

/* Three packets in flight on tx queue 0, taken by the device and not completed. */
static void
tx_inflight(struct vt_env *e)
{
	static uint8_t frame[128];
	struct rte_mbuf *m[3];
	unsigned int i;

	vt_make_frame(frame, sizeof(frame), 5);
	for (i = 0; i < 3; i++) {
		m[i] = rte_pktmbuf_alloc(vt_pool);
		assert_non_null(m[i]);
		memcpy(rte_pktmbuf_append(m[i], sizeof(frame)), frame, sizeof(frame));
	}
	assert_int_equal(vpmd_tx_burst(e->txq, m, 3), 3);
	for (i = 0; i < 3; i++)
		assert_true(fake_tx_pop(e->f, 0, &(struct vpmd_net_hdr){ 0 }, frame, 1, NULL) > 0);
}

/* The device is dead, kept everything it held and refuses start and configure. */
static void
assert_dead(struct vt_env *e, unsigned int avail, unsigned int mz,
	    const struct vpmd_leak_stats *before, unsigned int held, unsigned int rings)
{
	struct vpmd_conf conf = { .nb_qpairs = 1, .rx_pool = vt_pool, .socket_id = SOCKET_ID_ANY };
	struct vpmd_leak_stats after;
	char err[256] = "";

	assert_int_equal(rte_mempool_avail_count(vt_pool), avail); /* nothing handed back */
	assert_int_equal(memzones(), mz);                          /* no ring freed */
	assert_true(vpmd_dead(e->dev));
	vpmd_leak_stats_get(&after);
	assert_int_equal(after.devices, before->devices + 1);
	assert_int_equal(after.mbufs, before->mbufs + held);
	assert_int_equal(after.rings, before->rings + rings);
	assert_int_equal(vpmd_start(e->dev, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "dead"));
	assert_int_equal(vpmd_configure(e->dev, &conf, err, sizeof(err)), -EIO);
	vpmd_stop(e->dev);
	vpmd_close(e->dev);
	assert_int_equal(rte_mempool_avail_count(vt_pool), avail);
	assert_int_equal(memzones(), mz);
	vpmd_leak_stats_get(&after);
	assert_int_equal(after.mbufs, before->mbufs + held); /* counted once */
	fake_vnet_free(e->f);
	memset(e, 0, sizeof(*e));
}

/* vpmd_stop() with a reset that never completes, or a queue stop that fails. */
static void
stop_fails(const struct vt_mode *m, bool release)
{
	static struct vt_env e;
	struct vpmd_leak_stats before;
	struct fake_vnet_cfg cfg;
	unsigned int avail0, avail, mz;

	avail0 = rte_mempool_avail_count(vt_pool);
	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 1, 64);
	tx_inflight(&e);
	avail = rte_mempool_avail_count(vt_pool);
	mz = memzones();
	vpmd_leak_stats_get(&before);
	if (release)
		e.f->cfg.release_fails = true;
	else
		e.f->cfg.reset_fails = true;
	vpmd_stop(e.dev);
	assert_dead(&e, avail, mz, &before, avail0 - avail, rings_of(e.dev, 1));
}

static void
test_stop_reset_fails(void **state)
{
	stop_fails(*state, false);
}

static void
test_stop_release_fails(void **state)
{
	stop_fails(*state, true);
}

/* vpmd_start() fails after DRIVER_OK (VQ_PAIRS_SET refused), and so does the reset. */
static void
test_start_fails(void **state)
{
	const struct vt_mode *m = *state;
	struct vpmd_conf conf = {
		.nb_qpairs = 2, .ring_size = 64, .rx_pool = vt_pool, .socket_id = SOCKET_ID_ANY
	};
	static struct vt_env e;
	struct vpmd_leak_stats before;
	struct fake_vnet_cfg cfg;
	unsigned int avail0, mz;
	char err[256];

	avail0 = rte_mempool_avail_count(vt_pool);
	vt_cfg_for(&cfg, m);
	cfg.ctrl_ack = VPMD_CTRL_ERR;
	e.dev = fake_vnet_open(&cfg, &e.f, err, sizeof(err));
	assert_non_null(e.dev);
	assert_int_equal(vpmd_configure(e.dev, &conf, err, sizeof(err)), 0);
	mz = memzones();
	vpmd_leak_stats_get(&before);
	e.f->cfg.reset_fails = true;
	assert_int_not_equal(vpmd_start(e.dev, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "VQ_PAIRS_SET"));
	assert_true(rte_mempool_avail_count(vt_pool) < avail0); /* rx buffers stay posted */
	assert_dead(&e, rte_mempool_avail_count(vt_pool), mz, &before,
		    avail0 - rte_mempool_avail_count(vt_pool), rings_of(e.dev, 2));
}

/* A second vpmd_configure() resets the device before it frees the old rings. */
static void
test_reconfigure_reset_fails(void **state)
{
	const struct vt_mode *m = *state;
	struct vpmd_conf conf = {
		.nb_qpairs = 1, .ring_size = 64, .rx_pool = vt_pool, .socket_id = SOCKET_ID_ANY
	};
	static struct vt_env e;
	struct vpmd_leak_stats before;
	struct fake_vnet_cfg cfg;
	unsigned int avail, mz, resets;
	char err[256];

	vt_cfg_for(&cfg, m);
	e.dev = fake_vnet_open(&cfg, &e.f, err, sizeof(err));
	assert_non_null(e.dev);
	assert_int_equal(vpmd_configure(e.dev, &conf, err, sizeof(err)), 0);
	avail = rte_mempool_avail_count(vt_pool);
	mz = memzones();
	vpmd_leak_stats_get(&before);
	resets = e.f->resets_failed;
	e.f->cfg.reset_fails = true;
	conf.ring_size = 128;
	assert_int_equal(vpmd_configure(e.dev, &conf, err, sizeof(err)), -EIO);
	assert_true(e.f->resets_failed > resets);
	assert_int_equal(memzones(), mz); /* the old rings are still allocated */
	assert_dead(&e, avail, mz, &before, 0, rings_of(e.dev, 1));
}

/* An honest device still gets everything back on close (the control case). */
static void
test_honest_close(void **state)
{
	const struct vt_mode *m = *state;
	static struct vt_env e;
	struct vpmd_leak_stats before, after;
	struct fake_vnet_cfg cfg;
	unsigned int avail0;

	avail0 = rte_mempool_avail_count(vt_pool);
	vpmd_leak_stats_get(&before);
	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 1, 64);
	tx_inflight(&e);
	assert_false(vpmd_dead(e.dev));
	vpmd_stop(e.dev);
	vpmd_close(e.dev);
	fake_vnet_free(e.f);
	memset(&e, 0, sizeof(e));
	assert_int_equal(rte_mempool_avail_count(vt_pool), avail0);
	vpmd_leak_stats_get(&after);
	assert_int_equal(after.mbufs, before.mbufs);
	assert_int_equal(after.devices, before.devices);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_honest_close, m_split),
		T(test_honest_close, m_packed),
		T(test_stop_reset_fails, m_split),
		T(test_stop_reset_fails, m_packed),
		T(test_stop_release_fails, m_split),
		T(test_stop_release_fails, m_packed),
		T(test_start_fails, m_split),
		T(test_start_fails, m_packed),
		T(test_reconfigure_reset_fails, m_split),
		T(test_reconfigure_reset_fails, m_packed),
	};

	return vt_run_tests("vpmd_dead", tests, RTE_DIM(tests));
}
