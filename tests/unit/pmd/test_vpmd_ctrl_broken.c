/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control queue after a command that got no valid answer (a timeout, a used index moved
 * by two, a wrong id). The device may still answer later, into the command buffer we would
 * reuse, so the queue is broken: later commands fail at once with -EIO and are never put
 * on the ring, a late answer changes nothing, and a device reset (stop + start) makes the
 * queue usable again. A device whose reset then fails is dead: the control ring is leaked
 * with the others, never freed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_memzone.h>

#include "fake_vnet.h"
#include "test_common.h"
#include "test_env.h"
#include "vpmd.h"
#include "vpmd_internal.h"

/* VQ_PAIRS_SET through the control queue; its return value, err filled on failure. */
static int
pairs_set(struct vpmd_dev *dev, uint16_t pairs, char *err, size_t errlen)
{
	err[0] = '\0';
	return vpmd_ctrl_set_pairs(dev, pairs, err, errlen);
}

/* The queue is broken: a command fails with -EIO well inside the timeout, unsent. */
static void
assert_fails_fast(struct vt_env *e)
{
	unsigned int cmds = e->f->ctrl_cmds;
	uint64_t t0 = rte_get_timer_cycles();
	char err[256];

	assert_int_equal(pairs_set(e->dev, 2, err, sizeof(err)), -EIO);
	assert_true(rte_get_timer_cycles() - t0 < rte_get_timer_hz() / 10);
	assert_non_null(strstr(err, "control queue is broken"));
	assert_int_equal(e->f->ctrl_cmds, cmds);
}

/* Stop + start resets the device: the queue works again. */
static void
assert_recovers(struct vt_env *e)
{
	char err[256];

	vpmd_stop(e->dev);
	assert_false(vpmd_dead(e->dev));
	assert_int_equal(vpmd_start(e->dev, err, sizeof(err)), 0);
	assert_int_equal(e->f->pairs_set, 2);
	assert_int_equal(pairs_set(e->dev, 1, err, sizeof(err)), 0);
	assert_int_equal(e->f->pairs_set, 1);
	vt_mq_traffic(e, 1);
}

static void
test_timeout_breaks(void **state)
{
	const struct vt_mode *m = *state;
	struct fake_vnet_cfg cfg;
	static struct vt_env e; /* vt_teardown_env() cleans up after a failed test */
	uint16_t cvqi;
	char err[256];

	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 2, 64);
	cvqi = e.dev->cvq->vq.vq_index;
	e.f->cfg.ctrl_mis = FAKE_CTRL_SILENT;
	assert_int_equal(pairs_set(e.dev, 1, err, sizeof(err)), -ETIMEDOUT);
	assert_non_null(strstr(err, "no answer"));
	/* The device behaves again, but the queue's state is unknown: nothing is sent. */
	e.f->cfg.ctrl_mis = FAKE_CTRL_OK;
	assert_fails_fast(&e);
	/* The late answer to the timed-out command arrives: still nothing is sent. */
	if (m->add & VPMD_F_RING_PACKED)
		fake_raw_used(e.f, cvqi, 0, 1, VPMD_CTRL_CMD_DESCS, 0, false);
	else
		fake_raw_used(e.f, cvqi, 0, 1, 1, 0, false);
	assert_fails_fast(&e);
	assert_recovers(&e);
	vt_env_down(&e);
}

static void
test_bad_answer_breaks(void **state)
{
	const struct vt_mode *m = *state;
	const enum fake_ctrl_mis mis[] = { FAKE_CTRL_WRONG_ID, FAKE_CTRL_USED_PLUS2 };
	struct fake_vnet_cfg cfg;
	static struct vt_env e; /* vt_teardown_env() cleans up after a failed test */
	unsigned int i;
	char err[256];

	for (i = 0; i < RTE_DIM(mis); i++) {
		if (mis[i] == FAKE_CTRL_USED_PLUS2 && (m->add & VPMD_F_RING_PACKED))
			continue; /* split only */
		vt_cfg_for(&cfg, m);
		vt_env_up(&e, &cfg, m, 2, 64);
		e.f->cfg.ctrl_mis = mis[i];
		assert_int_equal(pairs_set(e.dev, 1, err, sizeof(err)), -EPROTO);
		assert_non_null(strstr(err, "bad used entry"));
		e.f->cfg.ctrl_mis = FAKE_CTRL_OK;
		assert_fails_fast(&e);
		assert_recovers(&e);
		vt_env_down(&e);
	}
}

static void
count_mz(const struct rte_memzone *mz, void *arg)
{
	(void)mz;
	(*(unsigned int *)arg)++;
}

/* A broken queue on a device whose reset then fails: every ring, the control ring too,
 * stays allocated and is counted as leaked. Leaks on purpose: the last test. */
static void
test_broken_then_dead(void **state)
{
	const struct vt_mode *m = *state;
	struct vpmd_leak_stats before, after;
	struct fake_vnet_cfg cfg;
	unsigned int mz0 = 0, mz1 = 0;
	static struct vt_env e; /* vt_teardown_env() cleans up after a failed test */
	char err[256];

	vt_cfg_for(&cfg, m);
	vt_env_up(&e, &cfg, m, 2, 64);
	e.f->cfg.ctrl_mis = FAKE_CTRL_SILENT;
	assert_int_equal(pairs_set(e.dev, 1, err, sizeof(err)), -ETIMEDOUT);
	rte_memzone_walk(count_mz, &mz0);
	vpmd_leak_stats_get(&before);
	e.f->cfg.reset_fails = true;
	vpmd_close(e.dev);
	rte_memzone_walk(count_mz, &mz1);
	vpmd_leak_stats_get(&after);
	assert_int_equal(mz1, mz0);
	assert_int_equal(after.devices, before.devices + 1);
	assert_int_equal(after.rings, before.rings + 2 * 2 + 1);
	fake_vnet_free(e.f);
	memset(&e, 0, sizeof(e));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_timeout_breaks, m_split),    T(test_timeout_breaks, m_packed),
		T(test_bad_answer_breaks, m_split), T(test_bad_answer_breaks, m_packed),
		T(test_broken_then_dead, m_split),
	};

	return vt_run_tests("vpmd_ctrl_broken", tests, RTE_DIM(tests));
}
