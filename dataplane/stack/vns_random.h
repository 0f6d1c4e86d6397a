/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Secrets for the stack's keyed hashes (the flow table, the ISS): bytes from the kernel's
 * CSPRNG (getrandom), drawn once at create time, never in the loop; and SipHash-2-4, the PRF
 * for the ISS.
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

/* SipHash-2-4 (Aumasson and Bernstein, 2012) of a 16-byte message given as two little-endian
 * words: a keyed PRF for values an attacker must not predict (the ISS). */
#define VNS_SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline void
vns_sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = VNS_SIP_ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = VNS_SIP_ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = VNS_SIP_ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = VNS_SIP_ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = VNS_SIP_ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = VNS_SIP_ROTL(v[2], 32);
}

static inline uint64_t
vns_siphash24_2w(const uint64_t key[2], uint64_t m0, uint64_t m1)
{
	uint64_t v[4] = {
		key[0] ^ 0x736f6d6570736575ull,
		key[1] ^ 0x646f72616e646f6dull,
		key[0] ^ 0x6c7967656e657261ull,
		key[1] ^ 0x7465646279746573ull,
	};
	/* The final block: no bytes left, the length (16) in the top byte. */
	const uint64_t msg[3] = { m0, m1, (uint64_t)16 << 56 };
	unsigned int i;

	for (i = 0; i < 3; i++) {
		v[3] ^= msg[i];
		vns_sip_round(v);
		vns_sip_round(v);
		v[0] ^= msg[i];
	}
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		vns_sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

#endif /* VNS_RANDOM_H */
