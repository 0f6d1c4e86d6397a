/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the iperf3 control protocol through the service interface (see
 * fuzz_iperf3_core.c). */
#include <stdlib.h>

#include "fuzz_iperf3_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (vns_fuzz_iperf3_init("fuzz_iperf3") != 0)
		abort();
	return vns_fuzz_iperf3_one(data, size);
}
