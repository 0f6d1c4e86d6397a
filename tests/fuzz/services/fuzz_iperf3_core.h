/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the iperf3 control fuzz target and its replay driver: see fuzz_iperf3_core.c. */
#ifndef FUZZ_IPERF3_CORE_H
#define FUZZ_IPERF3_CORE_H

#include <stddef.h>
#include <stdint.h>

/* Record ops (the low 3 bits of a record's first byte). */
#define FZI_CTRL 0 /* data: bytes on the control connection */
#define FZI_OPEN \
	1                   /* a new connection to the iperf3 port; data: its first bytes, or
			     * none: the first 37 bytes the control connection sent (a cookie) */
#define FZI_STREAM     2    /* data: bytes on the newest connection */
#define FZI_TIME       3    /* the clock runs (data[0] + 1) * 100 ms, the stacks poll */
#define FZI_CLOSE_CTRL 4    /* FIN (data[0] even or none) or RST on the control connection */
#define FZI_JSON       5    /* a JSON message: a 4-byte big-endian length, then data */
#define FZI_CLOSE_LAST 6    /* FIN or RST on the newest connection */
#define FZI_RAW_LEN    7    /* data[0..3] sent as a length prefix, then the rest */
#define FZI_ACK        0x40 /* flag: the clients acknowledge what the server sent */
#define FZI_QUEUE1     0x80 /* flag, FZI_OPEN: the connection goes to the second stack */

int vns_fuzz_iperf3_init(const char *prog);
int vns_fuzz_iperf3_one(const uint8_t *data, size_t size);

#endif
