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
 *     one per segment: with INDIRECT_DESC those go into the slot's indirect table and the
 *     packet takes one ring descriptor. Completed packets are freed in bulk.
 */
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "vpmd_rx_common.h"

/* Rx: how many used entries ahead the next mbufs are prefetched. */
#define RX_PREFETCH_AHEAD 4

/* ---- rx -------------------------------------------------------------------------------- */

static __rte_always_inline void
rx_split_post(struct vpmd_rxq *rxq, struct rte_mbuf **mbufs, uint16_t k, const bool mrg,
	      const bool inorder)
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
		uint16_t id = inorder ? head : rxq->free_ids[head];

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
				       offsetof(struct vpmd_net_hdr, num_buffers),
			       &one, 2);
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
rx_split_refill(struct vpmd_rxq *rxq, const bool mrg, const bool inorder, const bool initial)
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
		rx_split_post(rxq, mbufs, k, mrg, inorder);
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

int
vpmd_rxq_fill_split(struct vpmd_rxq *rxq, bool mrg)
{
	if (mrg)
		rx_split_refill(rxq, true, false, true);
	else
		rx_split_refill(rxq, false, false, true);
	return rxq->vq.nb_free == 0 ? 0 : -ENOMEM;
}

/*
 * Next used entry at free-running position pos. With IN_ORDER the device may write one
 * entry for a batch (id = last buffer of the batch, used idx advanced by the batch size);
 * the skipped buffers were used completely [2.7.9]. `left` = published entries from pos.
 */
static __rte_always_inline enum vpmd_bad_reason
rx_split_next(const struct vpmd_rxq *rxq, const struct vpmd_rx_consts *k, uint16_t pos,
	      uint16_t left, uint32_t *id, uint32_t *len, uint16_t *ib_rem, uint32_t *ib_len,
	      const bool inorder)
{
	const struct vpmd_vq *vq = &rxq->vq;
	const uint16_t mask = vq->mask;

	if (inorder && *ib_rem > 0) {
		*id = pos & mask;
		(*ib_rem)--;
		*len = *ib_rem == 0 ? *ib_len : k->buf_len;
		return VPMD_BAD_NONE;
	}
	vpmd_read_used_elem(&vq->split.used->ring[pos & mask], id, len);
	if (unlikely(*id >= vq->size))
		return VPMD_BAD_USED_ID_RANGE;
	if (inorder && *id != (uint32_t)(pos & mask)) {
		uint16_t d = (uint16_t)((*id - pos) & mask); /* buffers after this one */

		if (unlikely(d >= left))
			return VPMD_BAD_INORDER_BATCH;
		*ib_rem = d;
		*ib_len = *len;
		*id = pos & mask;
		*len = k->buf_len;
	}
	return VPMD_BAD_NONE;
}

/* Rx takes this many single-buffer packets at once. After a batch that does not fit the fast
 * branch (mergeable chains, offload headers), as many packets go through the per-packet loop
 * before the next try, so such traffic does not pay the failed test on every packet. */
#define RX_BATCH 4

/*
 * Fast branch for the common case with MRG_RXBUF: RX_BATCH used entries, each
 * a whole packet in one buffer (num_buffers 1) with no checksum or GSO fields. Entries and
 * headers are read once into locals and checked together; if any of them is something
 * else (an in-order batch entry, a chain, an offload header, a broken rule), nothing has
 * been taken and the per-packet loop checks them again and names the broken rule.
 * Without IN_ORDER the ids must also differ: each names its own posted buffer. Without
 * MRG_RXBUF the per-packet loop has no chain to walk and measured as cheap.
 */
static __rte_always_inline bool
rx_split_take4(struct vpmd_rxq *rxq, const struct vpmd_rx_consts *k, uint16_t pos,
	       struct rte_mbuf **pkts, uint64_t *bytes, const bool inorder)
{
	const struct vpmd_vq *vq = &rxq->vq;
	const struct vpmd_vring_used_elem *ue = vq->split.used->ring;
	const uint16_t mask = vq->mask;
	const uint32_t min_len = VPMD_NET_HDR_SIZE + RTE_ETHER_HDR_LEN;
	struct rte_mbuf *m[RX_BATCH];
	uint32_t id[RX_BATCH], len[RX_BATCH];
	unsigned int j, bad = 0;

#pragma GCC unroll 4
	for (j = 0; j < RX_BATCH; j++) {
		vpmd_read_used_elem(&ue[(pos + j) & mask], &id[j], &len[j]);
		if (inorder)
			bad |= id[j] != (uint32_t)((pos + j) & mask);
		else
			bad |= id[j] >= vq->size;
		/* len in [min_len, buf_len], as vpmd_rx_check_head() wants */
		bad |= len[j] - min_len > k->buf_len - min_len;
	}
	if (!inorder)
		bad |= (id[0] == id[1]) | (id[0] == id[2]) | (id[0] == id[3]) | (id[1] == id[2]) |
		       (id[1] == id[3]) | (id[2] == id[3]);
	if (bad)
		return false;
#pragma GCC unroll 4
	for (j = 0; j < RX_BATCH; j++) {
		struct vpmd_net_hdr h;

		m[j] = rxq->sw_ring[id[j]];
		if (m[j] == NULL)
			return false;
		vpmd_rx_hdr_read(&h, (uint8_t *)m[j]->buf_addr + k->hdr_off);
		bad |= (h.num_buffers != 1) | h.flags | h.gso_type;
	}
	if (bad)
		return false;
#pragma GCC unroll 4
	for (j = 0; j < RX_BATCH; j++) {
		uint32_t pkt_len = vpmd_rx_take_head(rxq, k, m[j], id[j], len[j], true, inorder);

		m[j]->nb_segs = 1;
		m[j]->pkt_len = pkt_len;
		pkts[j] = m[j];
		*bytes += pkt_len;
	}
	return true;
}

static __rte_always_inline uint16_t
rx_split(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n, const bool mrg,
	 const bool inorder)
{
	struct vpmd_vq *vq = &rxq->vq;
	const struct vpmd_vring_used_elem *ue = vq->split.used->ring;
	const uint16_t mask = vq->mask;
	const struct vpmd_rx_consts inv = vpmd_rx_consts(rxq, true);
	enum vpmd_bad_reason why = VPMD_BAD_NONE;
	uint16_t used_idx, nb_used, inflight, cons = 0, npkt = 0;
	uint16_t ib_rem = rxq->ib_rem, ib_rem_pkt;
	uint32_t ib_len = rxq->ib_len, ib_len_pkt;
	uint64_t bytes = 0;
	unsigned int slow = 0; /* packets left for the per-packet loop before the next batch */

	if (unlikely(vpmd_rxq_halted(rxq)))
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
		struct rte_mbuf *m = NULL, *last;
		struct vpmd_net_hdr h;
		uint32_t id, len, pkt_len;
		uint16_t nbuf, k;

		/* Look ahead: the mbufs of the next entries (ids masked: always in bounds). */
		rte_prefetch0(rxq->sw_ring[ue[(pos + RX_PREFETCH_AHEAD) & mask].id & mask]);
		if (mrg && slow == 0 && (!inorder || ib_rem == 0) && n - npkt >= RX_BATCH &&
		    nb_used - cons >= RX_BATCH) {
#pragma GCC unroll 4
			for (k = 1; k < RX_BATCH; k++)
				rte_prefetch0(
					rxq->sw_ring[ue[(pos + RX_PREFETCH_AHEAD + k) & mask].id &
						     mask]);
			if (rx_split_take4(rxq, &inv, pos, pkts + npkt, &bytes, inorder)) {
				npkt += RX_BATCH;
				cons += RX_BATCH;
				continue;
			}
			slow = RX_BATCH;
		}
		if (slow > 0)
			slow--;

		ib_rem_pkt = ib_rem;
		ib_len_pkt = ib_len;
		why = rx_split_next(rxq, &inv, pos, nb_used - cons, &id, &len, &ib_rem, &ib_len,
				    inorder);
		if (likely(why == VPMD_BAD_NONE))
			why = vpmd_rx_check_head(rxq, &inv, id, len, &m);
		if (unlikely(why != VPMD_BAD_NONE))
			break;
		vpmd_rx_hdr_read(&h, (uint8_t *)m->buf_addr + inv.hdr_off);
		why = vpmd_rx_check_nbuf(&h, inflight - cons, &nbuf, mrg);
		if (unlikely(why != VPMD_BAD_NONE))
			break;
		if (mrg && nbuf > nb_used - cons) {
			/* Rest of the packet not published yet: retry next burst. */
			ib_rem = ib_rem_pkt;
			ib_len = ib_len_pkt;
			break;
		}
		pkt_len = vpmd_rx_take_head(rxq, &inv, m, id, len, true, inorder);
		cons++;
		last = m;
		for (k = 1; mrg && k < nbuf; k++) {
			why = rx_split_next(rxq, &inv, vq->last_used + cons, nb_used - cons, &id,
					    &len, &ib_rem, &ib_len, inorder);
			if (likely(why == VPMD_BAD_NONE))
				why = vpmd_rx_chain_seg(rxq, &inv, id, len, &last, &pkt_len, true,
							inorder);
			if (unlikely(why != VPMD_BAD_NONE))
				break;
			cons++;
		}
		if (likely(why == VPMD_BAD_NONE))
			why = vpmd_rx_finish(rxq, m, &h, nbuf, pkt_len);
		if (unlikely(why != VPMD_BAD_NONE)) {
			vpmd_rx_drop(m, last);
			break;
		}
		pkts[npkt++] = m;
		bytes += pkt_len;
	}

	vq->last_used += cons;
	if (inorder) {
		rxq->ib_rem = ib_rem;
		rxq->ib_len = ib_len;
	}
	if (unlikely(!vpmd_rx_end(rxq, cons, npkt, bytes, why)))
		return npkt;
	vpmd_split_push_used_event(vq);
	rx_split_refill(rxq, mrg, inorder, false);
	return npkt;
}

uint16_t
vpmd_rx_split_mrg(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rx_split(rxq, pkts, n, true, false);
}

uint16_t
vpmd_rx_split_mrg_inorder(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rx_split(rxq, pkts, n, true, true);
}

uint16_t
vpmd_rx_split(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rx_split(rxq, pkts, n, false, false);
}

uint16_t
vpmd_rx_split_inorder(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rx_split(rxq, pkts, n, false, true);
}

/* ---- tx -------------------------------------------------------------------------------- */

/*
 * In-order split tx: the batch ending at head `id` (a live head) counts the live heads from
 * `oldest` up to it; it must not exceed `left`, the used-index delta still unconsumed.
 * Out of line: only a device that completes part of what is in flight with one entry for
 * several packets gets here.
 */
static __rte_noinline enum vpmd_bad_reason
tx_inorder_batch_check(const struct vpmd_tx_slot *slots, uint16_t mask, uint16_t oldest,
		       uint16_t id, uint16_t left)
{
	uint16_t batch = 1, cur = oldest;

	while (cur != id) {
		if (slots[cur].m == NULL)
			return VPMD_BAD_USED_ID_NOT_INFLIGHT;
		if (batch == left)
			return VPMD_BAD_INORDER_BATCH;
		cur = (cur + slots[cur].ndesc) & mask;
		batch++;
	}
	return VPMD_BAD_NONE;
}

/* Completions: mark returned heads, then free from the oldest while they are done.
 * Out-of-order completions only delay descriptor reuse until the older packets return.
 *
 * The queue's counters (nb_free, nb_inflight, oldest) live in locals for the loop and are
 * written back once: the loop stores to slots, mbufs (prefree) and the free batch, and the
 * compiler cannot prove those stores miss the 16-bit queue fields, so it would otherwise
 * load and store every counter once per packet. */
static __rte_always_inline unsigned int
tx_split_reclaim(struct vpmd_txq *txq, const bool inorder)
{
	struct vpmd_vq *vq = &txq->vq;
	const struct vpmd_vring_used_elem *ue = vq->split.used->ring;
	struct vpmd_tx_slot *const slots = txq->slots;
	const uint16_t mask = vq->mask, size = vq->size;
	struct rte_mempool *const pool = txq->pool;
	struct vpmd_tx_free fr;
	uint16_t used_idx, nb_used, pos, oldest, inflight, nb_free, done;
	uint32_t id, len;

	used_idx = vpmd_vq_consume16(vq, &vq->split.used->idx);
	nb_used = (uint16_t)(used_idx - vq->last_used);
	if (nb_used == 0)
		return 0;
	inflight = txq->nb_inflight;
	if (unlikely(nb_used > inflight)) {
		vpmd_txq_set_broken(txq, VPMD_BAD_USED_IDX);
		return 0;
	}
	oldest = txq->oldest;
	nb_free = vq->nb_free;
	vpmd_tx_free_init(&fr);
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

			vpmd_tx_free_slot(&fr, s, pool);
			nb_free += s->ndesc;
			oldest = (oldest + s->ndesc) & mask;
			s->m = NULL;
			s->done = 0;
		}
	} else {
		/*
		 * One entry may stand for a batch ending at its id [2.7.9]; the used index moves
		 * by the batch size. The batch must fit in what the used index claims before any
		 * of it is freed, or a device could make us hand back buffers it still owns.
		 * Every live head is on the chain from `oldest`, so a batch ending at a live id
		 * is at most `inflight` long: only an entry that is not the oldest, with the used
		 * index short of everything in flight, needs the walk.
		 */
		pos = vq->last_used;
		while (pos != used_idx) {
			const uint16_t left = (uint16_t)(used_idx - pos);
			enum vpmd_bad_reason bad = VPMD_BAD_NONE;
			uint16_t batch = 0, cur;

			vpmd_read_used_elem(&ue[pos & mask], &id, &len);
			if (likely(id == oldest)) {
				/* One entry per packet, the oldest (what most devices write). The
				 * oldest head is in range and live while anything is in flight, and
				 * pos != used_idx says something is: no further checks. */
				struct vpmd_tx_slot *s = &slots[oldest];

				vpmd_tx_free_slot(&fr, s, pool);
				nb_free += s->ndesc;
				oldest = (oldest + s->ndesc) & mask;
				s->m = NULL;
				inflight--;
				pos++;
				continue;
			}
			if (unlikely(id >= size))
				bad = VPMD_BAD_USED_ID_RANGE;
			else if (unlikely(slots[id].m == NULL))
				bad = VPMD_BAD_USED_ID_NOT_INFLIGHT;
			else if (unlikely(left < inflight))
				bad = tx_inorder_batch_check(slots, mask, oldest, (uint16_t)id,
							     left);
			if (unlikely(bad != VPMD_BAD_NONE)) {
				vpmd_txq_set_broken(txq, bad);
				break;
			}
			do {
				struct vpmd_tx_slot *s = &slots[oldest];

				cur = oldest;
				if (unlikely(s->m == NULL)) /* cannot happen: id is a live head */
					break;
				vpmd_tx_free_slot(&fr, s, pool);
				nb_free += s->ndesc;
				oldest = (oldest + s->ndesc) & mask;
				s->m = NULL;
				inflight--;
				batch++;
			} while (cur != id);
			pos += batch;
			if (unlikely(cur != id)) {
				vpmd_txq_set_broken(txq, VPMD_BAD_USED_ID_NOT_INFLIGHT);
				break;
			}
		}
	}
	done = (uint16_t)(txq->nb_inflight - inflight);
	vq->last_used = pos;
	vq->nb_free = nb_free;
	txq->oldest = oldest;
	txq->nb_inflight = inflight;
	vpmd_tx_free_flush(&fr);
	vpmd_split_push_used_event(vq);
	return done;
}

/*
 * Fill the indirect table of `slot` [2.7.5.3] and point descriptor `slot` at it: the first
 * entry (addr, len) is the header (pushed in front of the first segment, or the slot's
 * own), then one entry per segment from `seg`, chained with NEXT and `next` = the following
 * entry's index in the table; none is device-writable. At most `max` entries, whatever
 * nb_segs claimed. (Inlined: out of line measured 1 instruction per one-descriptor packet
 * more, the packed one the other way round.)
 *
 * The device reads the table only after it saw the descriptor in the avail ring, so the
 * one release store of avail->idx at the end of the burst orders the table with the rest
 * [2.7.13]: no barrier of its own.
 */
static __rte_always_inline void
tx_split_indirect(struct vpmd_txq *txq, uint16_t slot, uint64_t addr, uint32_t len,
		  const struct rte_mbuf *seg, uint16_t max)
{
	struct vpmd_vring_desc *t = txq->indir.split + (size_t)slot * VPMD_TX_INDIRECT_MAX;
	uint16_t j = 0;

	t[0].addr = addr;
	t[0].len = len;
	while (seg != NULL && j + 1 < max) {
		t[j].flags = VPMD_DESC_F_NEXT;
		t[j].next = (uint16_t)(j + 1);
		j++;
		t[j].addr = rte_mbuf_data_iova(seg);
		t[j].len = seg->data_len;
		seg = seg->next;
	}
	t[j].flags = 0;
	t[j].next = 0;
	txq->vq.split.desc[slot] = (struct vpmd_vring_desc){
		.addr = txq->indir_iova + (uint64_t)slot * VPMD_TX_INDIRECT_MAX * sizeof(*t),
		.len = (uint32_t)(j + 1) * sizeof(*t),
		.flags = VPMD_DESC_F_INDIRECT,
	};
	txq->stats.indirect++;
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
	struct rte_mempool *pool;

	if (unlikely(vpmd_txq_halted(txq)))
		return 0;
	/* Completions are taken lazily, in large batches: most bursts do not touch the
	 * device-written used ring at all. */
	if (vq->nb_free < txq->free_thresh && txq->nb_inflight) {
		tx_split_reclaim(txq, inorder);
		if (unlikely(vpmd_read_once(&txq->halt)))
			return 0;
	}
	pool = vpmd_tx_burst_pool(txq, pkts, n);

	/* Ring state in locals, written back once per burst: descriptor stores could alias
	 * the queue's 16-bit fields, so in memory they would be reloaded per packet. */
	old = avail = vq->avail_idx;
	nb_free = vq->nb_free;
	slot = (txq->oldest + (vq->size - nb_free)) & mask;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i], *seg;
		uint16_t nseg, nent, need, head = slot, how = VPMD_TX_FREE_GENERIC;
		struct vpmd_net_hdr *h;
		uint64_t addr;
		uint32_t len;
		bool push;

		if (likely(nb_free > 0 && vpmd_tx_one_desc(m))) {
			/* the common case: header in the headroom, one descriptor, one store */
			vpmd_tx_hdr_zero(m);
			desc[slot] = (struct vpmd_vring_desc){
				.addr = rte_mbuf_data_iova(m) - VPMD_NET_HDR_SIZE,
				.len = m->data_len + VPMD_NET_HDR_SIZE,
			};
			need = 1;
			how = m->pool == pool; /* POOLED or WHOLE */
			goto queued;
		}
		nseg = m->nb_segs;
		push = vpmd_tx_can_push(m);
		/* descriptors of the packet (nent) and in the ring (need: 1 when indirect) */
		nent = nseg + !push;
		need = nent > 1 && nent <= txq->indir_max ? 1 : nent;
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
		if (push) {
			addr = rte_mbuf_data_iova(m) - VPMD_NET_HDR_SIZE;
			len = m->data_len + VPMD_NET_HDR_SIZE;
		} else {
			addr = hdrs_iova + (uint64_t)slot * sizeof(*h);
			len = VPMD_NET_HDR_SIZE;
		}
		if (nent == 1) {
			/* pushed, one segment, with offloads */
			desc[slot] = (struct vpmd_vring_desc){ .addr = addr, .len = len };
			how = VPMD_TX_FREE_WHOLE;
		} else if (need == 1) {
			/* 2..indir_max descriptors: one ring descriptor for the table */
			tx_split_indirect(txq, slot, addr, len, push ? m->next : m, nent);
		} else {
			/* Checked off the one-descriptor path; need may have wrapped, but nothing
			 * is written for such a chain. */
			if (unlikely(nseg > VPMD_TX_MAX_SEGS))
				goto refuse;
			desc[slot].addr = addr;
			desc[slot].len = len;
			seg = push ? m->next : m;
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
queued:
		slot = (slot + 1) & mask;
		slots[head].m = m;
		slots[head].ndesc = need;
		slots[head].how = how;
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

unsigned int
vpmd_tx_reclaim_split(struct vpmd_txq *txq)
{
	return vpmd_tx_may_reclaim(txq) ? tx_split_reclaim(txq, false) : 0;
}

unsigned int
vpmd_tx_reclaim_split_inorder(struct vpmd_txq *txq)
{
	return vpmd_tx_may_reclaim(txq) ? tx_split_reclaim(txq, true) : 0;
}

uint16_t
vpmd_tx_split(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return tx_split(txq, pkts, n, false);
}

uint16_t
vpmd_tx_split_inorder(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return tx_split(txq, pkts, n, true);
}
