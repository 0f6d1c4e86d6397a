/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VPMD_FUZZ_H
#define VPMD_FUZZ_H
#include <stddef.h>
#include <stdint.h>

struct vpmd_fuzz_totals {
	unsigned long inputs, broken, rx_pkts, rx_chains, rx_lro, tx_pkts;
};
extern struct vpmd_fuzz_totals vpmd_fuzz_totals; /* what the run exercised */

int vpmd_fuzz_init(void);                            /* EAL + mempool, once */
int vpmd_fuzz_one(const uint8_t *data, size_t size); /* one input; aborts on a finding */

#endif
