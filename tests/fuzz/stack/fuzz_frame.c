/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the frame input path of the vnetsink stack (see fuzz_core.c). */
#include <stdlib.h>

#include "fuzz_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (vns_fuzz_init("fuzz_frame") != 0)
		abort();
	return vns_fuzz_one(data, size);
}
