/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum helpers (RFC 1071) for the stack's hot paths; DPDK's rte_raw_cksum*()
 * does the summing.
 */
#ifndef VNS_CSUM_H
#define VNS_CSUM_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

/* A 32-bit one's complement sum folded to 16 bits (RFC 1071 §4.1). Twice: the first fold
 * can carry into bit 16. */
static inline uint16_t
vns_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * The IPv4 pseudo-header sum of a TCP segment (RFC 9293 §3.1) from values in registers:
 * one's complement addition of the 16-bit words as they lie in memory, so byte order takes
 * care of itself (the generic helper builds a struct on the stack and reads it back, which
 * stalls on store forwarding in this hot path). Not complemented, as the tx offload expects.
 */
static inline uint16_t
vns_csum_phdr(rte_be32_t a, rte_be32_t b, uint32_t l4_len)
{
	return vns_csum_fold((a & 0xffff) + (a >> 16) + (b & 0xffff) + (b >> 16) +
			     rte_cpu_to_be_16(IPPROTO_TCP) + rte_cpu_to_be_16((uint16_t)l4_len));
}

#endif /* VNS_CSUM_H */
