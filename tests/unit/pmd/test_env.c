/* SPDX-License-Identifier: BSD-3-Clause */
/* Set-up shared by the cmocka tests of the vpmd core (test_env.h). */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ether.h>

#include "test_common.h"
#include "test_env.h"

const struct vt_mode m_split = { "split", 0, 0, false };
const struct vt_mode m_split_io = { "split in-order", VPMD_F_IN_ORDER, 0, true };
const struct vt_mode m_packed = { "packed", VPMD_F_RING_PACKED, 0, false };
const struct vt_mode m_packed_io = { "packed in-order", VPMD_F_RING_PACKED | VPMD_F_IN_ORDER, 0,
				     true };
const struct vt_mode m_split_nomrg = { "split no-mrg", 0, VPMD_F_MRG_RXBUF | VPMD_F_EVENT_IDX,
				       false };
const struct vt_mode m_packed_nomrg = { "packed no-mrg", VPMD_F_RING_PACKED,
					VPMD_F_MRG_RXBUF | VPMD_F_EVENT_IDX, false };
const struct vt_mode m_split_noev = { "split no-event-idx", 0, VPMD_F_EVENT_IDX, false };
const struct vt_mode m_packed_noev = { "packed no-event-idx", VPMD_F_RING_PACKED, VPMD_F_EVENT_IDX,
				       false };

struct rte_mempool *vt_pool;

void
vt_cfg_for(struct fake_vnet_cfg *cfg, const struct vt_mode *m)
{
	fake_vnet_cfg_default(cfg);
	cfg->features = (cfg->features | m->add) & ~m->del;
}

static struct vt_env *live_env; /* the env a failed test may leave open */

/* After a failed test: close what it left open so the next test starts clean. */
int
vt_teardown_env(void **state)
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

void
vt_env_up(struct vt_env *e, const struct fake_vnet_cfg *cfg, const struct vt_mode *m,
	  uint16_t pairs, uint16_t ring)
{
	struct vpmd_conf conf = { .nb_qpairs = pairs,
				  .ring_size = ring,
				  .rx_pool = vt_pool,
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

void
vt_assert_pool_full(void)
{
	unsigned int n = rte_mempool_avail_count(vt_pool);

	if (n != POOL_N)
		fail_msg("mempool has %u of %u mbufs: leak of %d", n, POOL_N, (int)(POOL_N - n));
}

void
vt_env_down(struct vt_env *e)
{
	if (e->f->violations)
		fail_msg("fake device saw a driver violation: %s", e->f->violation);
	vpmd_stop(e->dev);
	vpmd_close(e->dev);
	assert_true(e->f->closed);
	fake_vnet_free(e->f);
	memset(e, 0, sizeof(*e));
	live_env = NULL;
	vt_assert_pool_full();
}

const struct vpmd_net_hdr vt_hdr0;

unsigned int
vt_rx_all(struct vpmd_rxq *rxq, struct rte_mbuf **out, unsigned int want)
{
	unsigned int got = 0, idle = 0;

	while (got < want && idle < 4) {
		uint16_t n =
			vpmd_rx_burst(rxq, out + got,
				      (uint16_t)RTE_MIN(want - got, (unsigned int)VPMD_BURST_MAX));

		got += n;
		idle = n ? 0 : idle + 1;
	}
	return got;
}

void
vt_check_frame(const struct rte_mbuf *m, uint32_t len, uint32_t seed)
{
	static uint8_t want[70000], got[70000];

	assert_int_equal(m->pkt_len, len);
	assert_int_equal(vt_linearize(m, got, sizeof(got)), len);
	vt_make_frame(want, len, seed);
	assert_memory_equal(got, want, len);
}

void
vt_mq_traffic(struct vt_env *e, uint16_t pairs)
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
			assert_true(fake_rx_inject(e->f, q, &vt_hdr0, frame, 100 + q * 10 + i,
						   false) > 0);
		}
		/* nothing leaks to the other queues */
		if (pairs > 1)
			assert_int_equal(
				vpmd_rx_burst(vpmd_rxq(e->dev, (uint16_t)((q + 1) % pairs)), pk, 8),
				0);
		n = vt_rx_all(rxq, pk, 8);
		assert_int_equal(n, 8);
		for (i = 0; i < n; i++) {
			vt_check_frame(pk[i], 100 + q * 10 + i, q * 1000 + i);
			rte_pktmbuf_free(pk[i]);
		}
		for (i = 0; i < 8; i++)
			pk[i] = vt_mbuf(vt_pool, 200 + q, q * 77 + i, 1);
		assert_int_equal(vpmd_tx_burst(txq, pk, 8), 8);
		for (i = 0; i < 8; i++) {
			assert_int_equal(fake_tx_pop(e->f, q, &h, got, sizeof(got), NULL), 200 + q);
			vt_make_frame(frame, 200 + q, q * 77 + i);
			assert_memory_equal(got, frame, 200 + q);
		}
		fake_tx_complete(e->f, q, FAKE_COMPLETE_IN_ORDER);
	}
}

int
vt_run_tests(const char *name, const struct CMUnitTest *tests, size_t n)
{
	if (vt_eal_init(name) != 0) {
		fprintf(stderr, "EAL init failed (or not IOVA-as-VA)\n");
		return 1;
	}
	vt_pool = rte_pktmbuf_pool_create("vt_pool", POOL_N, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	if (vt_pool == NULL) {
		fprintf(stderr, "mempool create failed\n");
		return 1;
	}
	return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}
