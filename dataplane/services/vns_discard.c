/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Discard port (RFC 863 over TCP) with an integrity mode: the SHA-256 of the byte stream as
 * delivered in order, so `sha256sum file` on the sender can be compared with what arrived.
 * Digest contexts come from a pool made at start-up (no allocation per connection); a
 * connection that finds the pool empty is counted without a digest (has_sha256 = 0).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <rte_common.h>
#include <rte_malloc.h>

#include "vns_err.h"
#include "vns_services.h"

#define DISCARD_MD_POOL_MAX 1024

/* Per connection, in the connection's private area. */
struct discard_conn {
	EVP_MD_CTX *md; /* from the pool, NULL: counted only */
	bool sha_ok;    /* every delivered byte went into md */
};
_Static_assert(sizeof(struct discard_conn) <= VNS_CONN_PRIV_MAX, "discard state too big");

/* The service on one stack. */
struct discard {
	EVP_MD_CTX **ctx;  /* every context made at start-up, [nb_ctx] */
	EVP_MD_CTX **pool; /* the free ones, [nb_free] */
	uint32_t nb_ctx;
	uint32_t nb_free;
};

static struct discard_conn *
conn_of(struct vns_conn *c)
{
	return vns_conn_priv(c);
}

static void discard_fini(struct vns_svc *svc);

static int
discard_init(struct vns_svc *svc, char *err, size_t errlen)
{
	const struct vns_discard_conf *conf = svc->conf;
	struct discard *d;
	uint32_t n, i;

	d = rte_zmalloc_socket("vns_discard", sizeof(*d), 0, svc->socket_id);
	if (d == NULL) {
		vns_set_err(err, errlen, "discard: out of DPDK memory; raise -m or the hugepages");
		return -ENOMEM;
	}
	svc->priv = d;
	if (conf == NULL || !conf->sha256 || svc->port == 0)
		return 0;
	n = RTE_MIN(svc->max_flows, (uint32_t)DISCARD_MD_POOL_MAX);
	d->ctx = rte_zmalloc_socket("vns_md_pool", 2 * n * sizeof(*d->ctx), 0, svc->socket_id);
	if (d->ctx == NULL)
		goto fail;
	d->pool = d->ctx + n;
	for (i = 0; i < n; i++) {
		d->ctx[i] = EVP_MD_CTX_new();
		if (d->ctx[i] == NULL)
			goto fail;
		d->nb_ctx++;
		d->pool[d->nb_free++] = d->ctx[i];
	}
	return 0;
fail:
	discard_fini(svc);
	vns_set_err(err, errlen,
		    "SHA-256 contexts for the discard port: OpenSSL failed; check "
		    "libcrypto or disable the integrity mode");
	return -ENOMEM;
}

/* Frees every context, those open connections still hold too. */
static void
discard_fini(struct vns_svc *svc)
{
	struct discard *d = svc->priv;
	uint32_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nb_ctx; i++)
		EVP_MD_CTX_free(d->ctx[i]);
	rte_free(d->ctx);
	rte_free(d);
	svc->priv = NULL;
}

static void
discard_open(struct vns_svc *svc, struct vns_conn *c)
{
	struct discard *d = svc->priv;
	struct discard_conn *dc = conn_of(c);
	EVP_MD_CTX *md;

	if (d->nb_free == 0)
		return;
	md = d->pool[--d->nb_free];
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		d->pool[d->nb_free++] = md;
		return;
	}
	dc->md = md;
	dc->sha_ok = true;
	vns_conn_set_payload(svc, c, true);
}

static void
discard_data(struct vns_svc *svc, struct vns_conn *c, const struct rte_mbuf *m, uint32_t off,
	     uint32_t len)
{
	struct discard_conn *dc = conn_of(c);
	const struct rte_mbuf *seg = m;

	RTE_SET_USED(svc);
	if (!dc->sha_ok || m == NULL)
		return;
	/* Walk the chain: LRO segments are digested in place, never linearized. */
	while (seg != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	while (seg != NULL && len > 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)seg->data_len - off);

		const uint8_t *p = rte_pktmbuf_mtod_offset(seg, const uint8_t *, off);

		if (EVP_DigestUpdate(dc->md, p, n) != 1) {
			dc->sha_ok = false;
			return;
		}
		len -= n;
		off = 0;
		seg = seg->next;
	}
	if (len > 0)
		dc->sha_ok = false; /* chain shorter than the header said */
}

static void
discard_closed(struct vns_svc *svc, struct vns_conn *c, enum vns_close_reason why)
{
	struct discard *d = svc->priv;
	struct discard_conn *dc = conn_of(c);
	struct vns_closed_rec rec;
	struct vns_conn_info ci;
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0, i;

	vns_conn_info(c, &ci);
	memset(&rec, 0, sizeof(rec));
	rec.kind = VNS_CLOSED_DISCARD;
	rec.reason = (uint8_t)why;
	rec.peer_ip = ci.peer_ip;
	rec.peer_port = ci.peer_port;
	rec.local_port = ci.local_port;
	rec.bytes = ci.bytes;
	rec.duration_us = (vns_svc_now(svc) - ci.open_tsc) * 1000000 / svc->hz;
	if (dc->md != NULL) {
		if (dc->sha_ok && EVP_DigestFinal_ex(dc->md, digest, &dlen) == 1 && dlen == 32) {
			for (i = 0; i < 32; i++)
				snprintf(rec.sha256_hex + 2 * i, 3, "%02x", digest[i]);
			rec.has_sha256 = 1;
		}
		d->pool[d->nb_free++] = dc->md;
		dc->md = NULL;
	}
	vns_svc_record(svc, &rec, sizeof(rec));
}

const struct vns_service_ops vns_discard_ops = {
	.name = "discard",
	.conn_priv_size = sizeof(struct discard_conn),
	.init = discard_init,
	.fini = discard_fini,
	.open = discard_open,
	.data = discard_data,
	.closed = discard_closed,
};
