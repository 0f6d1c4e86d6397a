/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Secrets for the stack's keyed hashes (the flow table, the ISS): bytes from the kernel's
 * CSPRNG (getrandom), drawn once at create time, never in the loop.
 */
#ifndef VNS_RANDOM_H
#define VNS_RANDOM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/random.h>

#include <rte_cycles.h>
#include <rte_random.h>

/* Fills buf. Should getrandom fail (a kernel without it), falls back to rte_rand() mixed
 * with the TSC: unpredictable enough to defeat precomputed keys, weaker than the kernel's. */
static inline void
vns_random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom(p + done, len - done, 0);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	for (; done < len; done++)
		p[done] = (uint8_t)(rte_rand() ^ (rte_rdtsc() >> (done % 8)));
}

#endif /* VNS_RANDOM_H */
