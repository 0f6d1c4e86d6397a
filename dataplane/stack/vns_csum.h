/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum helpers (RFC 1071) for the stack's hot paths; DPDK's rte_raw_cksum()
 * sums contiguous bytes, vns_csum_mbuf() walks a chain.
 */
#ifndef VNS_CSUM_H
#define VNS_CSUM_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

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

/*
 * The one's complement sum (folded, not complemented) of len bytes of m from off, across the
 * chain: 0, or -1 when the chain is shorter. A piece that starts at an odd offset from off
 * contributes its sum byte-swapped (RFC 1071 §2(B)); the swap is done on the folded 16-bit
 * sum, as DPDK 22.11's rte_raw_cksum_mbuf() does not (it truncates an unfolded sum and loses
 * the carries).
 */
static inline int
vns_csum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint16_t *out)
{
	uint32_t sum = 0, done = 0;

	if (likely(m->next == NULL)) {
		if (unlikely(off + len > m->data_len))
			return -1;
		*out = rte_raw_cksum(rte_pktmbuf_mtod_offset(m, const void *, off), len);
		return 0;
	}
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (done < len) {
		uint32_t n;
		uint16_t s;

		if (m == NULL)
			return -1;
		n = RTE_MIN((uint32_t)m->data_len - off, len - done);
		s = rte_raw_cksum(rte_pktmbuf_mtod_offset(m, const void *, off), n);
		sum += (done & 1) ? rte_bswap16(s) : s;
		done += n;
		off = 0;
		m = m->next;
	}
	*out = vns_csum_fold(sum);
	return 0;
}

#endif /* VNS_CSUM_H */
