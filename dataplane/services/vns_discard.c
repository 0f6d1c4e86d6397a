/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Discard port (RFC 863 over TCP) with an integrity mode: the SHA-256 of the byte stream as
 * delivered in order, so `sha256sum file` on the sender can be compared with what arrived.
 * Digest contexts come from a pool made at start-up (no allocation per connection); a
 * connection that finds the pool empty is counted without a digest (has_sha256 = 0).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "vns_stack_priv.h"

#define VNS_MD_POOL_MAX 1024

int vns_discard_init(struct vns_stack *st)
{
	uint32_t n, i;

	if (!st->conf.discard_sha256 || st->conf.discard_port == 0)
		return 0;
	n = RTE_MIN(st->max_flows, (uint32_t)VNS_MD_POOL_MAX);
	st->md_pool = rte_zmalloc("vns_md_pool", n * sizeof(void *), 0);
	if (st->md_pool == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		st->md_pool[i] = EVP_MD_CTX_new();
		if (st->md_pool[i] == NULL)
			return -1;
		st->md_free++;
	}
	return 0;
}

void vns_discard_fini(struct vns_stack *st)
{
	uint32_t i;

	if (st->md_pool == NULL)
		return;
	for (i = 0; i < st->md_free; i++)
		EVP_MD_CTX_free(st->md_pool[i]);
	rte_free(st->md_pool);
	st->md_pool = NULL;
	st->md_free = 0;
}

void vns_discard_open(struct vns_stack *st, struct vns_flow *f)
{
	EVP_MD_CTX *md;

	if (st->md_pool == NULL || st->md_free == 0)
		return;
	md = st->md_pool[--st->md_free];
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		st->md_pool[st->md_free++] = md;
		return;
	}
	f->md = md;
	f->flags |= VNS_FF_PAYLOAD | VNS_FF_SHA_OK;
}

void vns_discard_data(struct vns_stack *st, struct vns_flow *f, const struct rte_mbuf *m,
		      uint32_t off, uint32_t len)
{
	const struct rte_mbuf *seg = m;

	(void)st;
	if (!(f->flags & VNS_FF_SHA_OK) || m == NULL)
		return;
	/* Walk the chain: LRO segments are digested in place, never linearized. */
	while (seg != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	while (seg != NULL && len > 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)seg->data_len - off);

		if (EVP_DigestUpdate(f->md, rte_pktmbuf_mtod_offset(seg, const uint8_t *, off), n) != 1) {
			f->flags &= (uint16_t)~VNS_FF_SHA_OK;
			return;
		}
		len -= n;
		off = 0;
		seg = seg->next;
	}
	if (len > 0)
		f->flags &= (uint16_t)~VNS_FF_SHA_OK; /* chain shorter than the header said */
}

void vns_discard_close(struct vns_stack *st, struct vns_flow *f, int reason)
{
	struct vns_closed_rec rec;
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0, i;

	memset(&rec, 0, sizeof(rec));
	rec.kind = VNS_CLOSED_DISCARD;
	rec.reason = (uint8_t)reason;
	rec.peer_ip = f->peer_ip;
	rec.peer_port = f->peer_port;
	rec.local_port = f->local_port;
	rec.bytes = f->bytes;
	rec.duration_us = (st->now - f->open_tsc) * 1000000 / st->hz;
	if (f->md != NULL) {
		if ((f->flags & VNS_FF_SHA_OK) && EVP_DigestFinal_ex(f->md, digest, &dlen) == 1 &&
		    dlen == 32) {
			for (i = 0; i < 32; i++)
				snprintf(rec.sha256_hex + 2 * i, 3, "%02x", digest[i]);
			rec.has_sha256 = 1;
		}
		st->md_pool[st->md_free++] = f->md;
		f->md = NULL;
	}
	f->flags &= (uint16_t)~(VNS_FF_SHA_OK | VNS_FF_PAYLOAD);
	vns_stack_record_closed(st, &rec);
}
