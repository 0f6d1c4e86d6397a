/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the flow table (vns_flow.c) on its own: keys a client chooses cannot build a
 * long probe cluster, because the table's hash is keyed with a secret per table; and the
 * ISS's PRF (vns_random.h) against SipHash-2-4's published test vector.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_hash_crc.h>

#include "harness.h"
#include "vns_flow.h"
#include "vns_random.h"

/* The longest run of occupied slots: what a lookup that starts in it may have to probe. */
static uint32_t
longest_cluster(const struct vns_flow_table *ft)
{
	uint32_t i, run = 0, best = 0;

	/* Twice round, so that a run across the end of the array is counted whole. */
	for (i = 0; i < 2 * (ft->tbl_mask + 1); i++) {
		run = ft->tbl_idx[i & ft->tbl_mask] != 0 ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/*
 * One client (one address, one server port) picks the source ports whose keys an unkeyed
 * CRC32C puts into the first 256 of 8192 slots: about 2000 of them. CRC32C is affine, so
 * such a list exists for any fixed seed; with a keyed hash it is just 2000 random keys.
 */
static void
test_chosen_ports_no_cluster(void **state)
{
	static struct vns_flow_table ft;
	rte_be32_t ip = rte_cpu_to_be_32(H_CLIENT_IP);
	rte_be16_t dport = rte_cpu_to_be_16(H_DISCARD_PORT);
	uint32_t port, n = 0;

	(void)state;
	assert_int_equal(vns_flow_table_init(&ft, 4096, SOCKET_ID_ANY), 0);
	assert_int_equal(ft.tbl_mask, 8191);
	for (port = 1024; port < 65536 && ft.nb_free > 0; port++) {
		uint64_t key = vns_flow_key(ip, rte_cpu_to_be_16((uint16_t)port), dport);

		if ((rte_hash_crc_8byte(key, 0x9e3779b9u) & ft.tbl_mask) >= 256)
			continue;
		assert_non_null(vns_flow_alloc(&ft, key));
		n++;
	}
	assert_true(n > 1500);
	/* At a load of 1/4, random keys make clusters of a few dozen slots at most. */
	assert_true(longest_cluster(&ft) < 100);
	vns_flow_table_free(&ft);
}

/* Key 00..0f, message 00..0f: the 16-byte vector of the SipHash reference. */
static void
test_siphash_vector(void **state)
{
	const uint64_t key[2] = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };

	(void)state;
	assert_true(vns_siphash24_2w(key, 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull) ==
		    0x3f2acc7f57c29bdbull);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chosen_ports_no_cluster),
		cmocka_unit_test(test_siphash_vector),
	};

	(void)argc;
	h_eal_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
