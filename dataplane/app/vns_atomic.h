/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The app's one idiom for data shared between threads without a lock: a naturally aligned
 * word that one thread writes and others read (the loops' counters, the stop flag). Relaxed
 * GCC __atomic builtins, as DPDK 22.11 uses them: a reader sees some recent value, never a
 * torn one, and neither side pays a fence or a locked instruction. Nothing here orders other
 * memory accesses; data that must be seen in order needs an acquire/release pair instead.
 */
#ifndef VNS_ATOMIC_H
#define VNS_ATOMIC_H

#include <stdint.h>

/* Read *p, which another thread may be writing. */
#define vns_read_once(p) __atomic_load_n((p), __ATOMIC_RELAXED)

/* Write v to *p, which other threads may be reading. */
#define vns_write_once(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

/*
 * Add v to a counter only the calling thread writes: a plain load (nobody else changes it)
 * and a relaxed store, so readers on other lcores never see a torn value.
 */
static inline void
vns_counter_add(uint64_t *c, uint64_t v)
{
	vns_write_once(c, *c + v);
}

#endif /* VNS_ATOMIC_H */
