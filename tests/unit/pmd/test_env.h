/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Set-up shared by the cmocka tests of the vpmd core (test_vpmd_*.c): the modes each test
 * runs in, a device on the software virtio-net device configured and started, the leak
 * check, and the EAL + mempool + cmocka main. (test_common.h holds what the fuzzer shares
 * too: it links no cmocka.)
 */
#ifndef VPMD_TEST_ENV_H
#define VPMD_TEST_ENV_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "fake_vnet.h"
#include "vpmd.h"

/* Every test leaves the pool with all of these back in it. */
#define POOL_N 8191
extern struct rte_mempool *vt_pool;

/* A test run in mode m, named "fn/m"; vt_teardown_env() cleans up after a failed one. */
/* clang-format off */
#define T(fn, m) { #fn "/" #m, fn, NULL, vt_teardown_env, (void *)&m }
/* clang-format on */

/* What the fake device offers on top of the default (add) or not (del). */
struct vt_mode {
	const char *name;
	uint64_t add, del; /* offered features on top of / removed from the default */
	bool batch;        /* device uses IN_ORDER batching */
};

extern const struct vt_mode m_split, m_split_io, m_packed, m_packed_io;
extern const struct vt_mode m_split_nomrg, m_packed_nomrg, m_split_noev, m_packed_noev;

/* A started device on a fake, and its queue pair 0. */
struct vt_env {
	struct fake_vnet *f;
	struct vpmd_dev *dev;
	struct vpmd_rxq *rxq;
	struct vpmd_txq *txq;
};

/* The header of a plain packet: no offloads (num_buffers is filled in by the fake). */
extern const struct vpmd_net_hdr vt_hdr0;

/* The fake's default configuration, adjusted for mode m. */
void vt_cfg_for(struct fake_vnet_cfg *cfg, const struct vt_mode *m);
/* Open, configure (pairs, ring) and start; fails the test on any error. */
void vt_env_up(struct vt_env *e, const struct fake_vnet_cfg *cfg, const struct vt_mode *m,
	       uint16_t pairs, uint16_t ring);
/* Stop and close; fails the test on a driver violation the fake saw or a leak. */
void vt_env_down(struct vt_env *e);
int vt_teardown_env(void **state);
void vt_assert_pool_full(void);

/* Receive exactly `want` packets (several bursts); returns how many arrived. */
unsigned int vt_rx_all(struct vpmd_rxq *rxq, struct rte_mbuf **out, unsigned int want);
/* m is frame `seed` of `len` bytes (vt_make_frame). */
void vt_check_frame(const struct rte_mbuf *m, uint32_t len, uint32_t seed);
/* Packets in and out of every one of `pairs` queue pairs, none leaking to another. */
void vt_mq_traffic(struct vt_env *e, uint16_t pairs);

/* EAL (test_common.h), the pool, then the cmocka group; main() of each test file. */
int vt_run_tests(const char *name, const struct CMUnitTest *tests, size_t n);

#endif /* VPMD_TEST_ENV_H */
