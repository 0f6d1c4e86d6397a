/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers for the PMD unit tests and the fuzz driver: EAL set-up, packets, pools. */
#ifndef VPMD_TEST_COMMON_H
#define VPMD_TEST_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "fake_vnet.h"
#include "vpmd.h"

/* EAL for tests: no hugepages, no PCI, no shared config, IOVA = VA (what the fake needs). */
int vt_eal_init(const char *prog);

/* Deterministic frame: Ethernet header then a pattern seeded by `seed`. */
void vt_make_frame(uint8_t *buf, uint32_t len, uint32_t seed);

/* Copy an mbuf chain into buf (at most cap bytes); returns bytes copied. */
uint32_t vt_linearize(const struct rte_mbuf *m, uint8_t *buf, uint32_t cap);

/* Build an mbuf holding `len` bytes of frame `seed`, split in `nseg` segments. */
struct rte_mbuf *vt_mbuf(struct rte_mempool *mp, uint32_t len, uint32_t seed, unsigned int nseg);

/* Tiny xorshift PRNG. */
static inline uint32_t
vt_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return (uint32_t)(x >> 11);
}

#endif
