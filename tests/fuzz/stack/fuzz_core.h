/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the libFuzzer target and the replay driver: see fuzz_core.c for the format. */
#ifndef FUZZ_CORE_H
#define FUZZ_CORE_H

#include <stddef.h>
#include <stdint.h>

int vns_fuzz_init(const char *prog);
int vns_fuzz_one(const uint8_t *data, size_t size);

#endif
