/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Plain driver for the vpmd fuzz entry (no libFuzzer needed): runs files given on the
 * command line (a corpus or crash reproducers), then N deterministic pseudo-random inputs.
 *   fuzz_vpmd_replay [-n ITERATIONS] [-s SEED] [FILE...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_vpmd.h"

static uint64_t
rng(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

int
main(int argc, char **argv)
{
	static uint8_t buf[1 << 16];
	unsigned long iters = 3000, seed = 0x766e6574u, i, only = ~0ul;
	struct timespec t0, t1;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-n") == 0 && a + 1 < argc)
			iters = strtoul(argv[++a], NULL, 0);
		else if (strcmp(argv[a], "-x") == 0 && a + 1 < argc)
			only = strtoul(argv[++a], NULL, 0); /* run just this iteration */
		else if (strcmp(argv[a], "-s") == 0 && a + 1 < argc)
			seed = strtoul(argv[++a], NULL, 0);
		else
			break;
	}
	if (vpmd_fuzz_init() != 0) {
		fprintf(stderr,
			"fuzz_vpmd_replay: EAL init failed (needs IOVA-as-VA, --no-huge)\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (; a < argc; a++) {
		FILE *f = fopen(argv[a], "rb");
		size_t n;

		if (f == NULL) {
			perror(argv[a]);
			return 1;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		vpmd_fuzz_one(buf, n);
	}
	for (i = 0; i < iters; i++) {
		uint64_t s = seed + i * 0x9e3779b97f4a7c15ull;
		size_t n = 16 + rng(&s) % 1500, k;

		for (k = 0; k < n; k++)
			buf[k] = (uint8_t)rng(&s);
		/* bias: mostly valid-looking actions, so the rings run deep before going bad */
		for (k = 3; k < n; k += 7)
			if (rng(&s) % 3)
				buf[k] = (uint8_t)(rng(&s) % 3 == 0 ? 0 : (rng(&s) % 2 ? 2 : 6));
		if (only != ~0ul && i != only)
			continue;
		vpmd_fuzz_one(buf, n);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("fuzz_vpmd_replay: %lu inputs clean in %.1f s (seed 0x%lx): %lu ended with a "
	       "broken queue; rx %lu packets (%lu chains, %lu LRO), tx %lu packets\n",
	       vpmd_fuzz_totals.inputs,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, seed,
	       vpmd_fuzz_totals.broken, vpmd_fuzz_totals.rx_pkts, vpmd_fuzz_totals.rx_chains,
	       vpmd_fuzz_totals.rx_lro, vpmd_fuzz_totals.tx_pkts);
	/* a run that never got traffic through tests nothing */
	if (iters >= 100 &&
	    (vpmd_fuzz_totals.rx_pkts < iters || vpmd_fuzz_totals.tx_pkts < iters)) {
		fprintf(stderr, "fuzz_vpmd_replay: too little traffic reached the driver\n");
		return 1;
	}
	return 0;
}
