/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtqueue memory and queue lifetime (control path): ring memory comes from one
 * IOVA-contiguous memzone per queue; queues are reset to their initial state on stop and
 * every mbuf the driver handed to the device is reclaimed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "vpmd_queue.h"

#define BAD_STR(n, s) s,
static const char *const bad_str[] = { VPMD_BAD_REASONS(BAD_STR) };
#undef BAD_STR

const char *
vpmd_bad_reason_str(unsigned int reason)
{
	return reason < VPMD_BAD_MAX ? bad_str[reason] : "?";
}

size_t
vpmd_vq_ring_bytes(uint16_t size, bool packed, size_t *driver_off, size_t *device_off)
{
	size_t drv, dev, end;

	if (packed) {
		drv = RTE_ALIGN_CEIL(sizeof(struct vpmd_vring_packed_desc) * (size_t)size,
				     RTE_CACHE_LINE_SIZE);
		dev = drv + RTE_CACHE_LINE_SIZE;
		end = dev + RTE_CACHE_LINE_SIZE;
	} else {
		drv = sizeof(struct vpmd_vring_desc) * (size_t)size; /* avail: 2-byte aligned */
		end = drv + vpmd_split_avail_bytes(size);
		dev = RTE_ALIGN_CEIL(end, RTE_CACHE_LINE_SIZE); /* used: own cache lines */
		end = dev + vpmd_split_used_bytes(size);
	}
	if (driver_off)
		*driver_off = drv;
	if (device_off)
		*device_off = dev;
	return RTE_ALIGN_CEIL(end, RTE_CACHE_LINE_SIZE);
}

int
vpmd_vq_create(struct vpmd_vq *vq, const char *name, uint16_t index, uint16_t size, bool packed,
	       int socket_id, size_t extra, void **extra_va, uint64_t *extra_iova)
{
	size_t drv, dev, ring = vpmd_vq_ring_bytes(size, packed, &drv, &dev);
	const struct rte_memzone *mz;
	uint8_t *va;

	mz = rte_memzone_reserve_aligned(name, ring + extra, socket_id, RTE_MEMZONE_IOVA_CONTIG,
					 VPMD_RING_ALIGN);
	if (mz == NULL)
		return -rte_errno ? -rte_errno : -ENOMEM;
	va = mz->addr;
	memset(va, 0, ring + extra);
	vq->mz = mz;
	vq->size = size;
	vq->mask = (uint16_t)(size - 1);
	vq->is_packed = packed;
	vq->vq_index = index;
	if (packed) {
		vq->packed.desc = (void *)va;
		vq->packed.driver = (void *)(va + drv);
		vq->packed.device = (void *)(va + dev);
	} else {
		vq->split.desc = (void *)va;
		vq->split.avail = (void *)(va + drv);
		vq->split.used = (void *)(va + dev);
		vq->split.used_event = &vq->split.avail->ring[size];
		vq->split.avail_event = (uint16_t *)(void *)&vq->split.used->ring[size];
	}
	vq->driver_off = (uint32_t)drv;
	vq->device_off = (uint32_t)dev;
	if (extra_va)
		*extra_va = extra ? va + ring : NULL;
	if (extra_iova)
		*extra_iova = extra ? mz->iova + ring : 0;
	vpmd_vq_reset(vq);
	return 0;
}

void
vpmd_vq_reset(struct vpmd_vq *vq)
{
	size_t ring = vpmd_vq_ring_bytes(vq->size, vq->is_packed, NULL, NULL);

	memset(vq->mz->addr, 0, ring);
	vq->avail_idx = 0;
	vq->last_used = 0;
	vq->nb_free = vq->size;
	vq->avail_wrap = 1;
	vq->used_wrap = 1;
	vq->avail_flags = vpmd_packed_avail_flags(1);
	vq->used_event_at = 0;
	if (vq->is_packed) {
		/* We poll: ask the device never to send used-buffer notifications. */
		vq->packed.driver->flags = VPMD_EVENT_F_DISABLE;
	} else {
		vq->split.avail->flags = VPMD_AVAIL_F_NO_INTERRUPT;
		/* EVENT_IDX: the device interrupts when its used idx crosses used_event; keep it
		 * just behind what we have consumed (see vpmd_split_push_used_event). */
		*vq->split.used_event = (uint16_t)(vq->last_used - 1);
	}
}

void
vpmd_vq_destroy(struct vpmd_vq *vq)
{
	if (vq->mz)
		rte_memzone_free(vq->mz);
	vq->mz = NULL;
}

static void
vq_name(char *buf, size_t len, uint32_t dev_id, const char *what, uint16_t q)
{
	snprintf(buf, len, "vpmd%u_%s%u", dev_id, what, q);
}

/* ---- rx ---------------------------------------------------------------------------- */

struct vpmd_rxq *
vpmd_rxq_create(uint32_t dev_id, uint16_t qid, uint16_t size, bool packed, int socket_id)
{
	char name[RTE_MEMZONE_NAMESIZE];
	struct vpmd_rxq *rxq;

	rxq = rte_zmalloc_socket("vpmd_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE, socket_id);
	if (rxq == NULL)
		return NULL;
	rxq->sw_ring = rte_zmalloc_socket("vpmd_rx_sw", sizeof(*rxq->sw_ring) * size,
					  RTE_CACHE_LINE_SIZE, socket_id);
	rxq->free_ids = rte_zmalloc_socket("vpmd_rx_ids", sizeof(*rxq->free_ids) * size,
					   RTE_CACHE_LINE_SIZE, socket_id);
	if (rxq->sw_ring == NULL || rxq->free_ids == NULL)
		goto fail;
	vq_name(name, sizeof(name), dev_id, "rx", qid);
	if (vpmd_vq_create(&rxq->vq, name, (uint16_t)vpmd_rxvq(qid), size, packed, socket_id, 0,
			   NULL, NULL) != 0)
		goto fail;
	vpmd_rxq_reset(rxq);
	return rxq;
fail:
	vpmd_rxq_free(rxq);
	return NULL;
}

void
vpmd_rxq_reset(struct vpmd_rxq *rxq)
{
	uint16_t i;

	vpmd_vq_reset(&rxq->vq);
	for (i = 0; i < rxq->vq.size; i++)
		rxq->free_ids[i] = i;
	rxq->free_head = 0;
	rxq->free_tail = 0;
	rxq->ib_rem = 0;
	rxq->ib_len = 0;
	vpmd_write_once(&rxq->halt, VPMD_Q_STOPPED);
	rxq->bad_reason = VPMD_BAD_NONE;
	rxq->bad_logged = false;
}

unsigned int
vpmd_rxq_reclaim(struct vpmd_rxq *rxq)
{
	unsigned int n = 0;
	uint16_t i;

	for (i = 0; i < rxq->vq.size; i++) {
		if (rxq->sw_ring[i] != NULL) {
			rte_pktmbuf_free(rxq->sw_ring[i]);
			rxq->sw_ring[i] = NULL;
			n++;
		}
	}
	return n;
}

unsigned int
vpmd_rxq_held(const struct vpmd_rxq *rxq)
{
	unsigned int n = 0;
	uint16_t i;

	for (i = 0; i < rxq->vq.size; i++)
		n += rxq->sw_ring[i] != NULL;
	return n;
}

void
vpmd_rxq_free(struct vpmd_rxq *rxq)
{
	if (rxq == NULL)
		return;
	if (rxq->sw_ring)
		vpmd_rxq_reclaim(rxq);
	vpmd_vq_destroy(&rxq->vq);
	rte_free(rxq->sw_ring);
	rte_free(rxq->free_ids);
	rte_free(rxq);
}

/* ---- tx ---------------------------------------------------------------------------- */

/* Bytes of one indirect table: VPMD_TX_INDIRECT_MAX descriptors (both layouts: 16 each). */
#define TX_INDIR_TABLE_BYTES (VPMD_TX_INDIRECT_MAX * sizeof(struct vpmd_vring_desc))
_Static_assert(sizeof(struct vpmd_vring_desc) == sizeof(struct vpmd_vring_packed_desc),
	       "split and packed indirect tables have the same size");

/*
 * The tx memzone: the ring, then one header per slot (packets whose header cannot be pushed),
 * then with INDIRECT_DESC one indirect table per slot on a cache-line boundary (the spec asks
 * for 16-byte alignment [2.7.5.3]). All of it IOVA-contiguous, set up once here: the bursts
 * only fill tables.
 */
struct vpmd_txq *
vpmd_txq_create(uint32_t dev_id, uint16_t qid, uint16_t size, bool packed, bool indirect,
		int socket_id)
{
	char name[RTE_MEMZONE_NAMESIZE];
	struct vpmd_txq *txq;
	size_t hdr_bytes = RTE_ALIGN_CEIL((size_t)size * sizeof(struct vpmd_net_hdr),
					  RTE_CACHE_LINE_SIZE);
	size_t indir_bytes = indirect ? (size_t)size * TX_INDIR_TABLE_BYTES : 0;
	uint8_t *extra;
	void *hdrs;

	txq = rte_zmalloc_socket("vpmd_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE, socket_id);
	if (txq == NULL)
		return NULL;
	txq->slots = rte_zmalloc_socket("vpmd_tx_slots", sizeof(*txq->slots) * size,
					RTE_CACHE_LINE_SIZE, socket_id);
	txq->free_ids = rte_zmalloc_socket("vpmd_tx_ids", sizeof(*txq->free_ids) * size,
					   RTE_CACHE_LINE_SIZE, socket_id);
	if (txq->slots == NULL || txq->free_ids == NULL)
		goto fail;
	vq_name(name, sizeof(name), dev_id, "tx", qid);
	if (vpmd_vq_create(&txq->vq, name, (uint16_t)vpmd_txvq(qid), size, packed, socket_id,
			   hdr_bytes + indir_bytes, &hdrs, &txq->hdrs_iova) != 0)
		goto fail;
	txq->hdrs = hdrs;
	if (indirect) {
		extra = (uint8_t *)hdrs + hdr_bytes;
		if (packed)
			txq->indir.packed = (void *)extra;
		else
			txq->indir.split = (void *)extra;
		txq->indir_iova = txq->hdrs_iova + hdr_bytes;
		/* A chain, indirect entries included, is at most the queue size [2.7.5.3.1]. */
		txq->indir_max = RTE_MIN((uint16_t)VPMD_TX_INDIRECT_MAX, size);
	}
	vpmd_txq_reset(txq);
	return txq;
fail:
	vpmd_txq_free(txq);
	return NULL;
}

void
vpmd_txq_reset(struct vpmd_txq *txq)
{
	uint16_t i;

	vpmd_vq_reset(&txq->vq);
	memset(txq->slots, 0, sizeof(*txq->slots) * txq->vq.size);
	for (i = 0; i < txq->vq.size; i++)
		txq->free_ids[i] = i;
	txq->free_head = 0;
	txq->free_tail = 0;
	txq->nb_free_ids = txq->vq.size;
	txq->oldest = 0;
	txq->nb_inflight = 0;
	vpmd_write_once(&txq->halt, VPMD_Q_STOPPED);
	txq->bad_reason = VPMD_BAD_NONE;
	txq->bad_logged = false;
}

unsigned int
vpmd_txq_reclaim(struct vpmd_txq *txq)
{
	unsigned int n = 0;
	uint16_t i;

	for (i = 0; i < txq->vq.size; i++) {
		if (txq->slots[i].m != NULL) {
			rte_pktmbuf_free(txq->slots[i].m);
			txq->slots[i].m = NULL;
			n++;
		}
	}
	return n;
}

unsigned int
vpmd_txq_held(const struct vpmd_txq *txq)
{
	unsigned int n = 0;
	uint16_t i;

	for (i = 0; i < txq->vq.size; i++)
		if (txq->slots[i].m != NULL)
			n += txq->slots[i].m->nb_segs;
	return n;
}

void
vpmd_txq_free(struct vpmd_txq *txq)
{
	if (txq == NULL)
		return;
	if (txq->slots)
		vpmd_txq_reclaim(txq);
	vpmd_vq_destroy(&txq->vq);
	rte_free(txq->slots);
	rte_free(txq->free_ids);
	rte_free(txq);
}

/* ---- control queue ------------------------------------------------------------------ */

struct vpmd_ctrlq *
vpmd_ctrlq_create(uint32_t dev_id, uint16_t vq_index, uint16_t size, bool packed, int socket_id)
{
	char name[RTE_MEMZONE_NAMESIZE];
	struct vpmd_ctrlq *cvq;
	void *buf;

	cvq = rte_zmalloc_socket("vpmd_cvq", sizeof(*cvq), RTE_CACHE_LINE_SIZE, socket_id);
	if (cvq == NULL)
		return NULL;
	vq_name(name, sizeof(name), dev_id, "ctl", 0);
	if (vpmd_vq_create(&cvq->vq, name, vq_index, size, packed, socket_id, VPMD_CTRL_BUF_SIZE,
			   &buf, &cvq->buf_iova) != 0) {
		rte_free(cvq);
		return NULL;
	}
	cvq->buf = buf;
	return cvq;
}

void
vpmd_ctrlq_free(struct vpmd_ctrlq *cvq)
{
	if (cvq == NULL)
		return;
	vpmd_vq_destroy(&cvq->vq);
	rte_free(cvq);
}
