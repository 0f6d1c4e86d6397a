/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split-ring fast path [virtio 1.2, 2.7].
 *
 * One always-inline body per direction, instantiated with constant flags (mergeable,
 * in-order) so each exported function has no per-packet feature branches.
 *
 * rx: every buffer is one device-writable descriptor covering the mbuf from
 *     buf_addr + headroom - 12: the 12-byte header lands in the headroom and the frame at
 *     data_off. Ids not in flight sit in a FIFO; with IN_ORDER that FIFO hands ids out in
 *     ring order, so id == avail slot == used slot and in-order batches can be expanded.
 * tx: descriptors are taken in ring order (a chain never needs a free list); a packet is
 *     one descriptor when the header fits in its headroom, else a header descriptor plus
 *     one per segment. Completed packets are freed in bulk.
 */
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "vpmd_internal.h"

/* Rx: how many used entries ahead the next mbufs are prefetched. */
#define RX_PREFETCH_AHEAD 4

/* ---- rx -------------------------------------------------------------------------------- */

static __rte_always_inline void
rx_split_post(struct vpmd_rxq *rxq, struct rte_mbuf **mbufs, uint16_t k, const bool mrg)
{
	struct vpmd_vq *vq = &rxq->vq;
	struct vpmd_vring_desc *desc = vq->split.desc;
	uint16_t *ring = vq->split.avail->ring;
	const uint16_t mask = vq->mask, hdr_off = rxq->hdr_off;
	const uint32_t buf_len = rxq->buf_len;
	uint16_t head = rxq->free_head, avail = vq->avail_idx;
	uint16_t i;

	for (i = 0; i < k; i++) {
		struct rte_mbuf *m = mbufs[i];
		uint16_t id = rxq->free_ids[head];

		head = (head + 1) & mask;
		rxq->sw_ring[id] = m;
		desc[id].addr = m->buf_iova + hdr_off;
		desc[id].len = buf_len;
		desc[id].flags = VPMD_DESC_F_WRITE;
		if (!mrg) {
			/* Devices that predate the spec rule leave num_buffers alone without
			 * MRG_RXBUF (QEMU, vhost-net); preset the one value we accept. */
			uint16_t one = 1;

			memcpy((uint8_t *)m->buf_addr + hdr_off +
				       offsetof(struct vpmd_net_hdr, num_buffers), &one, 2);
		}
		ring[avail & mask] = id;
		avail++;
	}
	rxq->free_head = head;
	vq->avail_idx = avail;
	vq->nb_free -= k;
}

/* Refill every free id (in bulk), publish the avail index once, kick if asked.
 * initial: the fill at start (no threshold; no kick before DRIVER_OK). */
static __rte_always_inline void
rx_split_refill(struct vpmd_rxq *rxq, const bool mrg, const bool initial)
{
	struct vpmd_vq *vq = &rxq->vq;
	struct rte_mbuf *mbufs[VPMD_BURST_MAX];
	uint16_t old = vq->avail_idx;

	if (vq->nb_free < rxq->refill_thresh && !initial)
		return;
	while (vq->nb_free > 0) {
		uint16_t k = RTE_MIN(vq->nb_free, (uint16_t)VPMD_BURST_MAX);

		if (unlikely(vpmd_rx_alloc(rxq->mp, mbufs, k) != 0)) {
			rxq->stats.drop_nombuf++;
			break;
		}
		rx_split_post(rxq, mbufs, k, mrg);
	}
	if (vq->avail_idx == old)
		return;
	vpmd_vq_publish16(vq, &vq->split.avail->idx, vq->avail_idx);
	if (initial)
		return;
	vpmd_vq_mb_before_notify_check(vq);
	if (vpmd_split_need_kick(vq, old, vq->avail_idx)) {
		vpmd_vq_kick(vq);
		rxq->stats.kicks++;
	}
}

int vpmd_rxq_fill_split(struct vpmd_rxq *rxq)
{
	bool mrg = rxq->rx_fn == vpmd_rx_split_mrg || rxq->rx_fn == vpmd_rx_split_mrg_inorder;

	if (mrg)
		rx_split_refill(rxq, true, true);
	else
		rx_split_refill(rxq, false, true);
	return rxq->vq.nb_free == 0 ? 0 : -ENOMEM;
}

/*
 * Next used entry at free-running position pos. With IN_ORDER the device may write one
 * entry for a batch (id = last buffer of the batch, used idx advanced by the batch size);
 * the skipped buffers were used completely [2.7.9]. `left` = published entries from pos.
 * Returns false on a protocol violation (reason in *why).
 */
static __rte_always_inline bool
rx_split_next(struct vpmd_rxq *rxq, uint16_t pos, uint16_t left, uint32_t *id, uint32_t *len,
	      uint16_t *ib_rem, uint32_t *ib_len, const bool inorder, enum vpmd_bad_reason *why)
{
	const struct vpmd_vq *vq = &rxq->vq;
	const uint16_t mask = vq->mask;

	if (inorder && *ib_rem > 0) {
		*id = pos & mask;
		(*ib_rem)--;
		*len = *ib_rem == 0 ? *ib_len : rxq->buf_len;
		return true;
	}
	vpmd_read_used_elem(&vq->split.used->ring[pos & mask], id, len);
	if (unlikely(*id >= vq->size)) {
		*why = VPMD_BAD_USED_ID_RANGE;
		return false;
	}
	if (inorder && *id != (uint32_t)(pos & mask)) {
		uint16_t d = (uint16_t)((*id - pos) & mask);  /* buffers after this one */

		if (unlikely(d >= left)) {
			*why = VPMD_BAD_INORDER_BATCH;
			return false;
		}
		*ib_rem = d;
		*ib_len = *len;
		*id = pos & mask;
		*len = rxq->buf_len;
	}
	return true;
}

static __rte_always_inline void
rx_push_free(struct vpmd_rxq *rxq, uint16_t id, uint16_t mask)
{
	rxq->sw_ring[id] = NULL;
	rxq->free_ids[rxq->free_tail] = id;
	rxq->free_tail = (rxq->free_tail + 1) & mask;
}

static __rte_always_inline uint16_t
rx_split(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n, const bool mrg,
	 const bool inorder)
{
	struct vpmd_vq *vq = &rxq->vq;
	const struct vpmd_vring_used_elem *ue = vq->split.used->ring;
	const uint16_t mask = vq->mask;
	const uint32_t buf_len = rxq->buf_len;
	const uint16_t hdr_off = rxq->hdr_off;
	enum vpmd_bad_reason why = VPMD_BAD_NONE;
	uint16_t used_idx, nb_used, inflight, cons = 0, npkt = 0;
	uint16_t ib_rem = rxq->ib_rem, ib_rem_pkt;
	uint32_t ib_len = rxq->ib_len, ib_len_pkt;
	uint64_t bytes = 0;
	struct rte_mbuf *m = NULL, *prev = NULL;

	if (unlikely(rxq->broken))
		return 0;

	used_idx = vpmd_vq_consume16(vq, &vq->split.used->idx);
	nb_used = (uint16_t)(used_idx - vq->last_used);
	inflight = vq->size - vq->nb_free;
	if (unlikely(nb_used > inflight)) {
		vpmd_rxq_set_broken(rxq, VPMD_BAD_USED_IDX);
		return 0;
	}

	while (npkt < n && cons < nb_used) {
		uint16_t pos = vq->last_used + cons;
		struct vpmd_net_hdr h;
		uint32_t id, len, pkt_len;
		uint16_t nbuf, k;

		/* Look ahead: the mbufs of the next entries (ids masked: always in bounds). */
		rte_prefetch0(rxq->sw_ring[ue[(pos + RX_PREFETCH_AHEAD) & mask].id & mask]);

		ib_rem_pkt = ib_rem;
		ib_len_pkt = ib_len;
		if (unlikely(!rx_split_next(rxq, pos, nb_used - cons, &id, &len, &ib_rem, &ib_len,
					    inorder, &why)))
			goto bad;
		m = rxq->sw_ring[id];
		if (unlikely(m == NULL)) {
			why = VPMD_BAD_USED_ID_NOT_INFLIGHT;
			goto bad;
		}
		if (unlikely(len < VPMD_NET_HDR_SIZE + RTE_ETHER_HDR_LEN)) {
			why = VPMD_BAD_LEN_SHORT;
			goto bad;
		}
		if (unlikely(len > buf_len)) {
			why = VPMD_BAD_LEN_LONG;
			goto bad;
		}
		vpmd_rx_hdr_read(&h, (uint8_t *)m->buf_addr + hdr_off);
		if (mrg) {
			nbuf = h.num_buffers;
			if (unlikely(nbuf == 0 || nbuf > inflight - cons)) {
				why = VPMD_BAD_NUM_BUFFERS;
				goto bad;
			}
			if (nbuf > nb_used - cons) {
				/* Rest of the packet not published yet: retry next burst. */
				ib_rem = ib_rem_pkt;
				ib_len = ib_len_pkt;
				break;
			}
		} else {
			nbuf = 1;
			if (unlikely(h.num_buffers != 1)) {
				why = VPMD_BAD_NUM_BUFFERS;
				goto bad;
			}
		}
		rx_push_free(rxq, (uint16_t)id, mask);
		cons++;
		pkt_len = len - VPMD_NET_HDR_SIZE;
		vpmd_rx_head_init(m);
		m->data_len = (uint16_t)pkt_len;
		prev = m;
		for (k = 1; mrg && k < nbuf; k++) {
			struct rte_mbuf *seg;

			if (unlikely(!rx_split_next(rxq, vq->last_used + cons, nb_used - cons, &id,
						    &len, &ib_rem, &ib_len, inorder, &why)))
				goto bad_chain;
			seg = rxq->sw_ring[id];
			if (unlikely(seg == NULL)) {
				why = VPMD_BAD_USED_ID_NOT_INFLIGHT;
				goto bad_chain;
			}
			if (unlikely(len > buf_len)) {
				why = VPMD_BAD_LEN_LONG;
				goto bad_chain;
			}
			rx_push_free(rxq, (uint16_t)id, mask);
			cons++;
			/* Later buffers carry no header: data starts where the buffer does. */
			seg->data_off = hdr_off;
			seg->data_len = (uint16_t)len;
			prev->next = seg;
			prev = seg;
			pkt_len += len;
		}
		m->nb_segs = nbuf;
		m->pkt_len = pkt_len;
		if (unlikely(h.flags | h.gso_type)) {
			why = vpmd_rx_hdr_offloads(rxq, &h, pkt_len, m);
			if (unlikely(why != VPMD_BAD_NONE)) {
				if (why == VPMD_BAD_CSUM || why == VPMD_BAD_GSO)
					rxq->stats.drop_bad_hdr++;
				rte_pktmbuf_free(m);
				goto bad_counted;
			}
		}
		pkts[npkt++] = m;
		bytes += pkt_len;
	}

	vq->last_used += cons;
	vq->nb_free += cons;
	if (inorder) {
		rxq->ib_rem = ib_rem;
		rxq->ib_len = ib_len;
	}
	rxq->stats.packets += npkt;
	rxq->stats.bytes += bytes;
	rxq->stats.bufs += cons;
	vpmd_split_push_used_event(vq);
	rx_split_refill(rxq, mrg, false);
	return npkt;

bad_chain:
	prev->next = NULL;
	rte_pktmbuf_free(m);   /* the partial chain: never leak a mergeable head */
bad:
	if (why == VPMD_BAD_LEN_SHORT || why == VPMD_BAD_LEN_LONG)
		rxq->stats.drop_bad_len++;
	else if (why == VPMD_BAD_NUM_BUFFERS)
		rxq->stats.drop_bad_hdr++;
bad_counted:
	vq->last_used += cons;
	vq->nb_free += cons;
	rxq->stats.packets += npkt;
	rxq->stats.bytes += bytes;
	rxq->stats.bufs += cons;
	vpmd_rxq_set_broken(rxq, why);
	return npkt;
}

uint16_t vpmd_rx_split_mrg(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rx_split(rxq, pkts, n, true, false);
}

uint16_t vpmd_rx_split_mrg_inorder(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rx_split(rxq, pkts, n, true, true);
}

uint16_t vpmd_rx_split(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rx_split(rxq, pkts, n, false, false);
}

uint16_t vpmd_rx_split_inorder(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rx_split(rxq, pkts, n, false, true);
}

/* ---- tx -------------------------------------------------------------------------------- */

/* Completions: mark returned heads, then free from the oldest while they are done.
 * Out-of-order completions only delay descriptor reuse until the older packets return.
 *
 * The queue's counters (nb_free, nb_inflight, oldest) live in locals for the loop and are
 * written back once: the loop stores to slots, mbufs (prefree) and the free batch, and the
 * compiler cannot prove those stores miss the 16-bit queue fields, so it would otherwise
 * load and store every counter once per packet. */
static __rte_always_inline void
tx_split_reclaim(struct vpmd_txq *txq, const bool inorder)
{
	struct vpmd_vq *vq = &txq->vq;
	const struct vpmd_vring_used_elem *ue = vq->split.used->ring;
	struct vpmd_tx_slot *const slots = txq->slots;
	const uint16_t mask = vq->mask, size = vq->size;
	struct vpmd_tx_free fr;
	uint16_t used_idx, nb_used, pos, oldest, inflight, nb_free;
	uint32_t id, len;

	used_idx = vpmd_vq_consume16(vq, &vq->split.used->idx);
	nb_used = (uint16_t)(used_idx - vq->last_used);
	if (nb_used == 0)
		return;
	inflight = txq->nb_inflight;
	if (unlikely(nb_used > inflight)) {
		vpmd_txq_set_broken(txq, VPMD_BAD_USED_IDX);
		return;
	}
	oldest = txq->oldest;
	nb_free = vq->nb_free;
	fr.n = 0;
	if (!inorder) {
		for (pos = vq->last_used; pos != used_idx; pos++) {
			struct vpmd_tx_slot *s;

			vpmd_read_used_elem(&ue[pos & mask], &id, &len);
			if (unlikely(id >= size)) {
				vpmd_txq_set_broken(txq, VPMD_BAD_USED_ID_RANGE);
				break;
			}
			s = &slots[id];
			if (unlikely(s->m == NULL || s->done)) {
				vpmd_txq_set_broken(txq, VPMD_BAD_USED_ID_NOT_INFLIGHT);
				break;
			}
			s->done = 1;
			inflight--;
		}
		while (slots[oldest].done) {
			struct vpmd_tx_slot *s = &slots[oldest];

			vpmd_tx_free_add(&fr, s->m);
			nb_free += s->ndesc;
			oldest = (oldest + s->ndesc) & mask;
			s->m = NULL;
			s->done = 0;
		}
	} else {
		/* One entry may stand for a batch ending at its id [2.7.9]. */
		pos = vq->last_used;
		while (pos != used_idx) {
			uint16_t batch = 0, cur;

			vpmd_read_used_elem(&ue[pos & mask], &id, &len);
			if (unlikely(id >= size)) {
				vpmd_txq_set_broken(txq, VPMD_BAD_USED_ID_RANGE);
				break;
			}
			if (unlikely(slots[id].m == NULL)) {
				vpmd_txq_set_broken(txq, VPMD_BAD_USED_ID_NOT_INFLIGHT);
				break;
			}
			do {
				struct vpmd_tx_slot *s = &slots[oldest];

				cur = oldest;
				if (unlikely(s->m == NULL)) /* cannot happen: id is a live head */
					break;
				vpmd_tx_free_add(&fr, s->m);
				nb_free += s->ndesc;
				oldest = (oldest + s->ndesc) & mask;
				s->m = NULL;
				inflight--;
				batch++;
			} while (cur != id);
			if (unlikely(cur != id)) {
				vpmd_txq_set_broken(txq, VPMD_BAD_USED_ID_NOT_INFLIGHT);
				break;
			}
			if (unlikely(batch > (uint16_t)(used_idx - pos))) {
				pos = used_idx;
				vpmd_txq_set_broken(txq, VPMD_BAD_INORDER_BATCH);
				break;
			}
			pos += batch;
		}
	}
	vq->last_used = pos;
	vq->nb_free = nb_free;
	txq->oldest = oldest;
	txq->nb_inflight = inflight;
	vpmd_tx_free_flush(&fr);
	vpmd_split_push_used_event(vq);
}

static __rte_always_inline uint16_t
tx_split(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n, const bool inorder)
{
	struct vpmd_vq *vq = &txq->vq;
	struct vpmd_vring_desc *desc = vq->split.desc;
	uint16_t *ring = vq->split.avail->ring;
	const uint16_t mask = vq->mask;
	uint16_t i, slot, avail, old, nb_free;
	uint64_t bytes = 0;
	uint16_t sent = 0;
	/* Loop-invariant queue pointers in locals: the header stores (memcpy, may alias
	 * anything) would otherwise force a reload of each one per packet. */
	struct vpmd_tx_slot *const slots = txq->slots;
	struct vpmd_net_hdr *const hdrs = txq->hdrs;
	const uint64_t hdrs_iova = txq->hdrs_iova;

	if (unlikely(txq->broken))
		return 0;
	/* Completions are taken lazily, in large batches: most bursts do not touch the
	 * device-written used ring at all. */
	if (vq->nb_free < txq->free_thresh && txq->nb_inflight) {
		tx_split_reclaim(txq, inorder);
		if (unlikely(txq->broken))
			return 0;
	}

	/* Ring state in locals, written back once per burst: descriptor stores could alias
	 * the queue's 16-bit fields, so in memory they would be reloaded per packet. */
	old = avail = vq->avail_idx;
	nb_free = vq->nb_free;
	slot = (txq->oldest + (vq->size - nb_free)) & mask;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i], *seg;
		uint16_t nseg = m->nb_segs, need, head = slot;
		bool push = vpmd_tx_can_push(m);
		struct vpmd_net_hdr *h;

		need = nseg + !push;
		if (unlikely(need > nb_free)) {
			if (nseg > VPMD_TX_MAX_SEGS || need > vq->size)
				goto refuse;
			txq->stats.ring_full++;
			break;
		}
		h = push ? rte_pktmbuf_mtod_offset(m, struct vpmd_net_hdr *, -VPMD_NET_HDR_SIZE)
			 : &hdrs[slot];
		if (unlikely(vpmd_tx_hdr_fill(txq, h, m) != 0))
			goto refuse;
		if (likely(need == 1)) {
			/* the common case: header in the headroom, one descriptor, one store */
			desc[slot] = (struct vpmd_vring_desc){
				.addr = rte_mbuf_data_iova(m) - VPMD_NET_HDR_SIZE,
				.len = m->data_len + VPMD_NET_HDR_SIZE,
			};
		} else {
			if (push) {
				desc[slot].addr = rte_mbuf_data_iova(m) - VPMD_NET_HDR_SIZE;
				desc[slot].len = m->data_len + VPMD_NET_HDR_SIZE;
				seg = m->next;
			} else {
				desc[slot].addr = hdrs_iova + (uint64_t)slot * sizeof(*h);
				desc[slot].len = VPMD_NET_HDR_SIZE;
				seg = m;
			}
			while (seg != NULL) {
				desc[slot].flags = VPMD_DESC_F_NEXT;
				desc[slot].next = (slot + 1) & mask;
				slot = (slot + 1) & mask;
				desc[slot].addr = rte_mbuf_data_iova(seg);
				desc[slot].len = seg->data_len;
				seg = seg->next;
			}
			desc[slot].flags = 0;
		}
		slot = (slot + 1) & mask;
		slots[head].m = m;
		slots[head].ndesc = need;
		ring[avail & mask] = head;
		avail++;
		nb_free -= need;
		bytes += m->pkt_len;
		sent++;
		continue;
refuse:
		/* Cannot be sent as asked: drop it (counted), it still counts as taken. */
		txq->stats.drop_bad_pkt++;
		rte_pktmbuf_free(m);
	}
	vq->nb_free = nb_free;
	txq->nb_inflight += sent;
	if (avail != old) {
		vq->avail_idx = avail;
		vpmd_vq_publish16(vq, &vq->split.avail->idx, avail);
		vpmd_vq_mb_before_notify_check(vq);
		if (vpmd_split_need_kick(vq, old, avail)) {
			vpmd_vq_kick(vq);
			txq->stats.kicks++;
		}
	}
	txq->stats.packets += sent;
	txq->stats.bytes += bytes;
	return i;
}

unsigned int vpmd_tx_reclaim_split(struct vpmd_txq *txq)
{
	uint16_t before = txq->nb_inflight;

	if (!txq->broken && before)
		tx_split_reclaim(txq, false);
	return (uint16_t)(before - txq->nb_inflight);
}

unsigned int vpmd_tx_reclaim_split_inorder(struct vpmd_txq *txq)
{
	uint16_t before = txq->nb_inflight;

	if (!txq->broken && before)
		tx_split_reclaim(txq, true);
	return (uint16_t)(before - txq->nb_inflight);
}

uint16_t vpmd_tx_split(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return tx_split(txq, pkts, n, false);
}

uint16_t vpmd_tx_split_inorder(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return tx_split(txq, pkts, n, true);
}
