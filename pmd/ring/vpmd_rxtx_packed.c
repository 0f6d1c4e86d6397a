/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packed-ring fast path [virtio 1.2, 2.8].
 *
 * Same shape as the split path: one always-inline body per direction, instantiated with
 * constant flags (mergeable, in-order).
 *
 * Publishing: a batch of descriptors is written completely except the first one's flags,
 * which are stored last with release semantics; the device, polling that slot, then sees
 * the whole batch (one publish per burst). Consuming: a descriptor is used when its AVAIL
 * and USED bits both equal our used wrap counter; the flags are read with acquire before
 * id and len, which are read once and validated.
 *
 * rx: one descriptor per buffer, buffer ids from a FIFO (with IN_ORDER the FIFO keeps ring
 *     order, so id == position and batched used descriptors can be expanded [2.8.20]).
 * tx: a packet is one descriptor (header pushed into its headroom) or header + segments;
 *     every descriptor of a chain carries the buffer id; ids come from a FIFO. With
 *     INDIRECT_DESC a chain of up to VPMD_TX_INDIRECT_MAX goes into the id's indirect
 *     table and takes one ring descriptor [2.8.7].
 */
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "vpmd_rx_common.h"

/* Tx: how many packets ahead the header line is prefetched. */
#define TX_HDR_PREFETCH 8

static __rte_always_inline uint16_t
wrap_inc(uint16_t i, uint16_t size)
{
	return (uint16_t)(i + 1 == size ? 0 : i + 1);
}

/* One read of len and id (bytes 8..15 of the descriptor) after the flags were consumed. */
static __rte_always_inline void
packed_read_id_len(const struct vpmd_vring_packed_desc *d, uint32_t *id, uint32_t *len)
{
	uint64_t v = vpmd_read_once((const uint64_t *)(const void *)&d->len);

	*len = (uint32_t)v;
	*id = (uint16_t)(v >> 32);
}

/* ---- rx -------------------------------------------------------------------------------- */

/* Write k buffers from the current avail position. The first descriptor's flags are only
 * returned (*head_flags) when *have_head is false on entry: the caller publishes them. */
static __rte_always_inline void
rx_packed_post(struct vpmd_rxq *rxq, struct rte_mbuf **mbufs, uint16_t k, const bool mrg,
	       const bool inorder, uint16_t *head_pos, uint16_t *head_flags, bool *have_head)
{
	struct vpmd_vq *vq = &rxq->vq;
	struct vpmd_vring_packed_desc *desc = vq->packed.desc;
	const uint16_t size = vq->size, hdr_off = rxq->hdr_off;
	const uint32_t buf_len = rxq->buf_len;
	uint16_t head = rxq->free_head, pos = vq->avail_idx;
	uint16_t flags = vq->avail_flags | VPMD_DESC_F_WRITE;
	uint16_t i;

	for (i = 0; i < k; i++) {
		struct rte_mbuf *m = mbufs[i];
		uint16_t id = inorder ? head : rxq->free_ids[head];

		head = wrap_inc(head, size);
		rxq->sw_ring[id] = m;
		desc[pos].addr = m->buf_iova + hdr_off;
		desc[pos].len = buf_len;
		desc[pos].id = id;
		if (!mrg) {
			uint16_t one = 1;

			memcpy((uint8_t *)m->buf_addr + hdr_off +
				       offsetof(struct vpmd_net_hdr, num_buffers),
			       &one, 2);
		}
		if (!*have_head) {
			*have_head = true;
			*head_pos = pos;
			*head_flags = flags;
		} else {
			desc[pos].flags = flags;
		}
		pos++;
		if (pos == size) {
			pos = 0;
			vq->avail_wrap ^= 1;
			vq->avail_flags = vpmd_packed_avail_flags(vq->avail_wrap);
			flags = vq->avail_flags | VPMD_DESC_F_WRITE;
		}
	}
	rxq->free_head = head;
	vq->avail_idx = pos;
	vq->nb_free -= k;
}

static __rte_always_inline void
rx_packed_refill(struct vpmd_rxq *rxq, const bool mrg, const bool inorder, const bool initial)
{
	struct vpmd_vq *vq = &rxq->vq;
	struct rte_mbuf *mbufs[VPMD_BURST_MAX];
	uint16_t head_pos = 0, head_flags = 0, added = 0;
	bool have_head = false;

	if (vq->nb_free < rxq->refill_thresh && !initial)
		return;
	while (vq->nb_free > 0) {
		uint16_t k = RTE_MIN(vq->nb_free, (uint16_t)VPMD_BURST_MAX);

		if (unlikely(vpmd_rx_alloc(rxq->mp, mbufs, k) != 0)) {
			rxq->stats.drop_nombuf++;
			break;
		}
		rx_packed_post(rxq, mbufs, k, mrg, inorder, &head_pos, &head_flags, &have_head);
		added += k;
	}
	if (!have_head)
		return;
	vpmd_vq_publish16(vq, &vq->packed.desc[head_pos].flags, head_flags);
	if (initial)
		return;
	vpmd_vq_mb_before_notify_check(vq);
	if (vpmd_packed_need_kick(vq, added)) {
		vpmd_vq_kick(vq);
		rxq->stats.kicks++;
	}
}

int
vpmd_rxq_fill_packed(struct vpmd_rxq *rxq, bool mrg)
{
	if (mrg)
		rx_packed_refill(rxq, true, false, true);
	else
		rx_packed_refill(rxq, false, false, true);
	return rxq->vq.nb_free == 0 ? 0 : -ENOMEM;
}

/* Cursor over used buffers (no side effects on the queue: callers commit it). */
struct rx_cur {
	uint16_t pos, wrap;
	uint16_t ib_rem; /* IN_ORDER batch: buffers still to expand */
	uint32_t ib_len;
};

/*
 * Next used buffer at the cursor; `left` = buffers in flight from here.
 * 1: got one (cursor advanced), 0: not used yet, -1: violation (*why).
 */
static __rte_always_inline int
rx_packed_next(const struct vpmd_rxq *rxq, const struct vpmd_rx_consts *k, struct rx_cur *c,
	       uint16_t left, uint32_t *id, uint32_t *len, const bool inorder,
	       enum vpmd_bad_reason *why)
{
	const struct vpmd_vq *vq = &rxq->vq;
	const struct vpmd_vring_packed_desc *d = &vq->packed.desc[c->pos];
	const uint16_t size = vq->size;
	uint16_t flags;

	if (inorder && c->ib_rem > 0) {
		*id = c->pos;
		c->ib_rem--;
		*len = c->ib_rem == 0 ? c->ib_len : k->buf_len;
	} else {
		flags = vpmd_vq_consume16(vq, &d->flags);
		if (!vpmd_packed_is_used(flags, c->wrap))
			return 0;
		packed_read_id_len(d, id, len);
		if (unlikely(*id >= size)) {
			*why = VPMD_BAD_USED_ID_RANGE;
			return -1;
		}
		if (inorder && *id != c->pos) {
			uint32_t dist = *id > c->pos ? *id - c->pos : *id + size - c->pos;

			if (unlikely(dist >= left)) {
				*why = VPMD_BAD_INORDER_BATCH;
				return -1;
			}
			c->ib_rem = (uint16_t)dist;
			c->ib_len = *len;
			*id = c->pos;
			*len = k->buf_len;
		}
	}
	c->pos++;
	if (c->pos == size) {
		c->pos = 0;
		c->wrap ^= 1;
	}
	return 1;
}

/* Rx takes this many single-buffer packets at once. After a batch that does not fit the fast
 * branch (mergeable chains, offload headers), as many packets go through the per-packet loop
 * before the next try, so such traffic does not pay the failed test on every packet. */
#define RX_BATCH 4

/*
 * Fast branch for the common case with MRG_RXBUF: the RX_BATCH descriptors at
 * the cursor (not across the ring's end) are used, each a whole packet in one buffer
 * (num_buffers 1) with no checksum or GSO fields. Flags, ids, lengths and headers are read
 * once into locals and checked together; if any is something else (not used yet, an
 * in-order batch, a chain, an offload header, a broken rule), nothing has been taken and
 * the per-packet loop checks them again and names the broken rule. The last descriptor's
 * flags are read first: an idle ring costs one load more than the per-packet loop.
 * IN_ORDER only (ids = positions): without it, or without MRG_RXBUF, the branch measured
 * no cheaper.
 */
static __rte_always_inline bool
rx_packed_take4(struct vpmd_rxq *rxq, const struct vpmd_rx_consts *k, struct rx_cur *c,
		struct rte_mbuf **pkts, uint64_t *bytes)
{
	const struct vpmd_vq *vq = &rxq->vq;
	const struct vpmd_vring_packed_desc *d = &vq->packed.desc[c->pos];
	const uint16_t size = vq->size;
	const uint32_t min_len = VPMD_NET_HDR_SIZE + RTE_ETHER_HDR_LEN;
	struct rte_mbuf *m[RX_BATCH];
	uint32_t id[RX_BATCH], len[RX_BATCH];
	unsigned int j, bad = 0;

	if (c->pos > size - RX_BATCH ||
	    !vpmd_packed_is_used(vpmd_vq_consume16(vq, &d[RX_BATCH - 1].flags), c->wrap))
		return false;
#pragma GCC unroll 4
	for (j = 0; j < RX_BATCH - 1; j++)
		bad |= !vpmd_packed_is_used(vpmd_vq_consume16(vq, &d[j].flags), c->wrap);
	if (bad)
		return false;
#pragma GCC unroll 4
	for (j = 0; j < RX_BATCH; j++) {
		packed_read_id_len(&d[j], &id[j], &len[j]);
		bad |= id[j] != (uint32_t)c->pos + j;
		/* len in [min_len, buf_len], as vpmd_rx_check_head() wants */
		bad |= len[j] - min_len > k->buf_len - min_len;
	}
	if (bad)
		return false;
	/* The next batch's mbufs: their first line (buf_addr, read below) measured as this
	 * branch's costliest load, evicted while the device filled the buffers after it. */
	if (c->pos + 2 * RX_BATCH <= size) {
#pragma GCC unroll 4
		for (j = 0; j < RX_BATCH; j++)
			rte_prefetch0(rxq->sw_ring[c->pos + RX_BATCH + j]);
	}
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
		uint32_t pkt_len = vpmd_rx_take_head(rxq, k, m[j], id[j], len[j], false, true);

		m[j]->nb_segs = 1;
		m[j]->pkt_len = pkt_len;
		pkts[j] = m[j];
		*bytes += pkt_len;
	}
	c->pos = (uint16_t)(c->pos + RX_BATCH);
	if (c->pos == size) {
		c->pos = 0;
		c->wrap ^= 1;
	}
	return true;
}

static __rte_always_inline uint16_t
rx_packed(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n, const bool mrg,
	  const bool inorder)
{
	struct vpmd_vq *vq = &rxq->vq;
	const uint16_t inflight = vq->size - vq->nb_free;
	const struct vpmd_rx_consts inv = vpmd_rx_consts(rxq, false);
	enum vpmd_bad_reason why = VPMD_BAD_NONE;
	struct rx_cur c = { vq->last_used, vq->used_wrap, rxq->ib_rem, rxq->ib_len };
	uint16_t cons = 0, npkt = 0;
	uint64_t bytes = 0;
	unsigned int slow = 0; /* packets left for the per-packet loop before the next batch */

	if (unlikely(vpmd_rxq_halted(rxq)))
		return 0;

	while (npkt < n && cons < inflight) {
		struct rx_cur start = c;
		struct rte_mbuf *m = NULL, *last;
		struct vpmd_net_hdr h;
		uint32_t id, len, pkt_len;
		uint16_t nbuf, k;
		int r;

		if (mrg && inorder && slow == 0 && c.ib_rem == 0 && n - npkt >= RX_BATCH &&
		    inflight - cons >= RX_BATCH) {
			if (rx_packed_take4(rxq, &inv, &c, pkts + npkt, &bytes)) {
				npkt += RX_BATCH;
				cons += RX_BATCH;
				continue;
			}
			slow = RX_BATCH;
		}
		if (slow > 0)
			slow--;
		r = rx_packed_next(rxq, &inv, &c, inflight - cons, &id, &len, inorder, &why);
		if (r == 0)
			break;
		if (likely(r > 0))
			why = vpmd_rx_check_head(rxq, &inv, id, len, &m);
		if (unlikely(why != VPMD_BAD_NONE))
			break;
		vpmd_rx_hdr_read(&h, (uint8_t *)m->buf_addr + inv.hdr_off);
		why = vpmd_rx_check_nbuf(&h, inflight - cons, &nbuf, mrg);
		if (unlikely(why != VPMD_BAD_NONE))
			break;
		if (mrg && nbuf > 1) {
			/* Are the other buffers used yet? Look without consuming. */
			struct rx_cur p = c;
			uint32_t pid, plen;

			for (k = 1; k < nbuf; k++) {
				r = rx_packed_next(rxq, &inv, &p, inflight - cons - k, &pid, &plen,
						   inorder, &why);
				if (r <= 0)
					break;
			}
			if (r < 0)
				break;
			if (r == 0) {
				c = start; /* retry the whole packet next burst */
				break;
			}
		}
		pkt_len = vpmd_rx_take_head(rxq, &inv, m, id, len, false, inorder);
		cons++;
		last = m;
		for (k = 1; mrg && k < nbuf; k++) {
			/* Seen used above; a device that takes it back breaks the ring. */
			r = rx_packed_next(rxq, &inv, &c, inflight - cons, &id, &len, inorder,
					   &why);
			if (unlikely(r == 0))
				why = VPMD_BAD_USED_IDX;
			if (likely(r > 0))
				why = vpmd_rx_chain_seg(rxq, &inv, id, len, &last, &pkt_len, false,
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

	vq->last_used = c.pos;
	vq->used_wrap = c.wrap;
	if (inorder) {
		rxq->ib_rem = c.ib_rem;
		rxq->ib_len = c.ib_len;
	}
	if (unlikely(!vpmd_rx_end(rxq, cons, npkt, bytes, why)))
		return npkt;
	rx_packed_refill(rxq, mrg, inorder, false);
	return npkt;
}

uint16_t
vpmd_rx_packed_mrg(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rx_packed(rxq, pkts, n, true, false);
}

uint16_t
vpmd_rx_packed_mrg_inorder(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rx_packed(rxq, pkts, n, true, true);
}

uint16_t
vpmd_rx_packed(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rx_packed(rxq, pkts, n, false, false);
}

uint16_t
vpmd_rx_packed_inorder(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rx_packed(rxq, pkts, n, false, true);
}

/* ---- tx -------------------------------------------------------------------------------- */

/* Id bookkeeping of a reclaim pass, kept in locals (see tx_packed_reclaim). */
struct tx_ids {
	uint16_t free_tail, nb_free_ids, inflight;
};

/* With IN_ORDER, ids are taken and returned in cyclic order, so the FIFO always holds
 * free_ids[i] == i (as reset leaves it): the in-order bodies neither read nor write it,
 * and its tail and count follow from the rest (free_tail == oldest, nb_free_ids == size -
 * inflight): the in-order reclaim sets them once at its end. */
static __rte_always_inline void
tx_packed_complete_id(struct vpmd_tx_slot *slots, uint16_t *free_ids, uint16_t size, uint16_t id,
		      struct tx_ids *st, struct vpmd_tx_free *fr, struct rte_mempool *pool,
		      uint32_t *descs, const bool inorder)
{
	struct vpmd_tx_slot *s = &slots[id];

	vpmd_tx_free_slot(fr, s, pool);
	*descs += s->ndesc;
	s->m = NULL;
	if (!inorder) {
		free_ids[st->free_tail] = id;
		st->free_tail = wrap_inc(st->free_tail, size);
		st->nb_free_ids++;
	}
	st->inflight--;
}

/* The queue's counters and indexes (free-id FIFO tail and count, packets in flight,
 * oldest id, free descriptors, used position) live in locals for the loop and are written
 * back once: the loop stores to slots, the free-id FIFO and mbufs (prefree), which the
 * compiler cannot prove miss the 16-bit queue fields, so in memory each would be loaded
 * and stored once per packet. */
static __rte_always_inline unsigned int
tx_packed_reclaim(struct vpmd_txq *txq, const bool inorder)
{
	struct vpmd_vq *vq = &txq->vq;
	const struct vpmd_vring_packed_desc *const desc = vq->packed.desc;
	struct vpmd_tx_slot *const slots = txq->slots;
	uint16_t *const free_ids = txq->free_ids;
	const uint16_t size = vq->size;
	struct rte_mempool *const pool = txq->pool;
	struct vpmd_tx_free fr;
	uint16_t pos = vq->last_used, wrap = vq->used_wrap;
	uint16_t nb_free = vq->nb_free, oldest = txq->oldest, done;
	struct tx_ids st = { txq->free_tail, txq->nb_free_ids, txq->nb_inflight };

	vpmd_tx_free_init(&fr);

	while (st.inflight > 0) {
		const struct vpmd_vring_packed_desc *d = &desc[pos];
		uint16_t flags = vpmd_vq_consume16(vq, &d->flags);
		uint32_t id, len, descs = 0;

		if (!vpmd_packed_is_used(flags, wrap))
			break;
		packed_read_id_len(d, &id, &len);
		if (inorder && likely(id == oldest)) {
			/* One used descriptor per packet, the oldest (the common case). The
			 * oldest id is in range and live while anything is in flight. */
			tx_packed_complete_id(slots, free_ids, size, (uint16_t)id, &st, &fr, pool,
					      &descs, true);
			oldest = wrap_inc((uint16_t)id, size);
			nb_free += (uint16_t)descs;
			vpmd_packed_advance(&pos, &wrap, (uint16_t)descs, size);
			continue;
		}
		if (unlikely(id >= size)) {
			vpmd_txq_set_broken(txq, VPMD_BAD_USED_ID_RANGE);
			break;
		}
		if (unlikely(slots[id].m == NULL)) {
			vpmd_txq_set_broken(txq, VPMD_BAD_USED_ID_NOT_INFLIGHT);
			break;
		}
		if (!inorder) {
			tx_packed_complete_id(slots, free_ids, size, (uint16_t)id, &st, &fr, pool,
					      &descs, false);
		} else {
			/* One used descriptor may stand for every buffer up to id [2.8.20];
			 * ids were handed out in cyclic order, oldest first. */
			uint16_t cur;

			do {
				cur = oldest;
				if (unlikely(slots[cur].m == NULL))
					break;
				tx_packed_complete_id(slots, free_ids, size, cur, &st, &fr, pool,
						      &descs, true);
				oldest = wrap_inc(cur, size);
			} while (cur != id);
			if (unlikely(cur != id)) {
				vpmd_txq_set_broken(txq, VPMD_BAD_USED_ID_NOT_INFLIGHT);
				break;
			}
		}
		nb_free += (uint16_t)descs;
		vpmd_packed_advance(&pos, &wrap, (uint16_t)descs, size);
	}
	done = (uint16_t)(txq->nb_inflight - st.inflight);
	if (inorder) {
		st.free_tail = oldest;
		st.nb_free_ids = (uint16_t)(size - st.inflight);
	}
	vq->last_used = pos;
	vq->used_wrap = wrap;
	vq->nb_free = nb_free;
	txq->oldest = oldest;
	txq->free_tail = st.free_tail;
	txq->nb_free_ids = st.nb_free_ids;
	txq->nb_inflight = st.inflight;
	vpmd_tx_free_flush(&fr);
	return done;
}

/*
 * Fill an indirect table [2.8.7]: the first entry (addr, len) is the header (pushed in
 * front of the first segment, or the id's own), then one entry per segment from `seg`, one
 * after the other. Inside the table WRITE is the only valid flag and the buffer id is
 * reserved: both stay 0 (tx buffers are device-readable). At most `max` entries, whatever
 * nb_segs claimed. Returns the count.
 */
static __rte_always_inline uint16_t
tx_packed_indirect_fill(struct vpmd_vring_packed_desc *t, uint64_t addr, uint32_t len,
			const struct rte_mbuf *seg, uint16_t max)
{
	uint16_t j = 1;

	t[0] = (struct vpmd_vring_packed_desc){ .addr = addr, .len = len };
	for (; seg != NULL && j < max; j++, seg = seg->next)
		t[j] = (struct vpmd_vring_packed_desc){ .addr = rte_mbuf_data_iova(seg),
							.len = seg->data_len };
	return j;
}

static __rte_always_inline uint16_t
tx_packed(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n, const bool inorder)
{
	struct vpmd_vq *vq = &txq->vq;
	struct vpmd_vring_packed_desc *desc = vq->packed.desc;
	const uint16_t size = vq->size;
	uint16_t i, pos, head_pos = 0, head_flags = 0, added = 0, sent = 0, nb_free, aflags;
	uint16_t awrap, free_head, nb_free_ids;
	bool have_head = false;
	uint64_t bytes = 0;
	/* Loop-invariant queue pointers in locals: the header stores (memcpy, may alias
	 * anything) would otherwise force a reload of each one per packet. */
	struct vpmd_tx_slot *const slots = txq->slots;
	const uint16_t *const free_ids = txq->free_ids;
	struct vpmd_net_hdr *const hdrs = txq->hdrs;
	const uint64_t hdrs_iova = txq->hdrs_iova;
	struct vpmd_vring_packed_desc *const indir = txq->indir.packed;
	const uint64_t indir_iova = txq->indir_iova;
	const uint16_t indir_max = txq->indir_max;
	uint16_t nb_indir = 0;
	struct rte_mempool *pool;

	if (unlikely(vpmd_txq_halted(txq)))
		return 0;
	if (vq->nb_free < txq->free_thresh && txq->nb_inflight) {
		tx_packed_reclaim(txq, inorder);
		if (unlikely(vpmd_read_once(&txq->halt)))
			return 0;
	}
	pool = vpmd_tx_burst_pool(txq, pkts, n);

	/* Ring state and the free-id FIFO head in locals, written back once per burst:
	 * descriptor and header stores could alias the queue's 16-bit fields, so in memory
	 * each would be loaded and stored once per packet. */
	pos = vq->avail_idx;
	nb_free = vq->nb_free;
	aflags = vq->avail_flags;
	awrap = vq->avail_wrap;
	free_head = txq->free_head;
	nb_free_ids = txq->nb_free_ids;
	/* The pushed header goes to the cache line just below the frame, which the caller
	 * has usually not touched (a miss per packet): start those loads a few packets
	 * ahead. A prefetch never faults, so packets that end up not pushing are harmless. */
	for (i = 0; i < RTE_MIN(n, (uint16_t)TX_HDR_PREFETCH); i++)
		rte_prefetch0(rte_pktmbuf_mtod_offset(pkts[i], char *, -VPMD_NET_HDR_SIZE));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i], *seg;
		uint16_t nseg, nent, need, id, j, flags, how = VPMD_TX_FREE_GENERIC;
		struct vpmd_net_hdr *h;
		uint64_t addr;
		uint32_t len;
		bool push;

		if (i + TX_HDR_PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod_offset(pkts[i + TX_HDR_PREFETCH], char *,
							      -VPMD_NET_HDR_SIZE));
		if (likely(nb_free > 0 && nb_free_ids > 0 && vpmd_tx_one_desc(m))) {
			/* the common case: header in the headroom, one descriptor */
			id = inorder ? free_head : free_ids[free_head];
			free_head = wrap_inc(free_head, size);
			nb_free_ids--;
			vpmd_tx_hdr_zero(m);
			addr = rte_mbuf_data_iova(m) - VPMD_NET_HDR_SIZE;
			len = m->data_len + VPMD_NET_HDR_SIZE;
			need = 1;
			how = m->pool == pool; /* POOLED or WHOLE */
			goto one_desc;
		}
		nseg = m->nb_segs;
		push = vpmd_tx_can_push(m);
		/* descriptors of the packet (nent) and in the ring (need: 1 when indirect) */
		nent = nseg + !push;
		need = nent > 1 && nent <= indir_max ? 1 : nent;
		if (unlikely(need > nb_free || nb_free_ids == 0)) {
			if (nseg > VPMD_TX_MAX_SEGS || need > size)
				goto refuse;
			txq->stats.ring_full++;
			break;
		}
		id = inorder ? free_head : free_ids[free_head];
		h = push ? rte_pktmbuf_mtod_offset(m, struct vpmd_net_hdr *, -VPMD_NET_HDR_SIZE)
			 : &hdrs[id];
		if (unlikely(vpmd_tx_hdr_fill(txq, h, m) != 0))
			goto refuse;
		if (likely(nseg == 1)) {
			seg = NULL;
		} else {
			/* m->next sits in the mbuf's second cache line: only chains need it.
			 * Chains are refused here, off the one-segment path, before the id is
			 * taken (need may have wrapped for such a chain; nothing is written). */
			if (unlikely(nseg > VPMD_TX_MAX_SEGS))
				goto refuse;
			seg = m->next;
		}
		free_head = wrap_inc(free_head, size);
		nb_free_ids--;
		if (push) {
			addr = rte_mbuf_data_iova(m) - VPMD_NET_HDR_SIZE;
			len = m->data_len + VPMD_NET_HDR_SIZE;
		} else {
			addr = hdrs_iova + (uint64_t)id * sizeof(*h);
			len = VPMD_NET_HDR_SIZE;
			seg = m;
		}
		if (nent == 1)
			how = VPMD_TX_FREE_WHOLE;
		if (need == 1 && nent > 1) {
			/* The table is plain memory the device reads only after it saw the ring
			 * descriptor available: the release store of the burst's first flags
			 * (vpmd_vq_publish16) orders it with the rest [2.8.7]. Its descriptor
			 * store repeats one_desc's: sharing it (a flags variable set on the
			 * fast path too) cost the in-order one-descriptor path 6 instructions
			 * per packet (callgrind, 143.3 -> 149.2). */
			struct vpmd_vring_packed_desc *t = indir +
							   (size_t)id * VPMD_TX_INDIRECT_MAX;
			uint16_t k = tx_packed_indirect_fill(t, addr, len, seg, nent);

			addr = indir_iova + (uint64_t)id * VPMD_TX_INDIRECT_MAX * sizeof(*t);
			len = (uint32_t)k * sizeof(*t);
			flags = aflags | VPMD_DESC_F_INDIRECT;
			if (likely(have_head)) {
				desc[pos] = (struct vpmd_vring_packed_desc){
					.addr = addr, .len = len, .id = id, .flags = flags
				};
			} else {
				desc[pos].addr = addr;
				desc[pos].len = len;
				desc[pos].id = id;
				have_head = true;
				head_pos = pos;
				head_flags = flags;
			}
			if (unlikely(++pos == size)) {
				pos = 0;
				awrap ^= 1;
				aflags = vpmd_packed_avail_flags(awrap);
			}
			nb_indir++;
		} else if (need == 1) {
one_desc:
			/* header in the headroom, one segment: one descriptor */
			if (likely(have_head)) {
				desc[pos] = (struct vpmd_vring_packed_desc){
					.addr = addr, .len = len, .id = id, .flags = aflags
				};
			} else {
				/* the burst's first descriptor: flags go last, in the publish */
				desc[pos].addr = addr;
				desc[pos].len = len;
				desc[pos].id = id;
				have_head = true;
				head_pos = pos;
				head_flags = aflags;
			}
			if (unlikely(++pos == size)) {
				pos = 0;
				awrap ^= 1;
				aflags = vpmd_packed_avail_flags(awrap);
			}
		} else {
			for (j = 0; j < need; j++) {
				flags = aflags | (j + 1 < need ? VPMD_DESC_F_NEXT : 0);
				if (!have_head) {
					/* the burst's first: flags go last, in the publish */
					desc[pos].addr = addr;
					desc[pos].len = len;
					desc[pos].id = id;
					have_head = true;
					head_pos = pos;
					head_flags = flags;
				} else {
					desc[pos] = (struct vpmd_vring_packed_desc){
						.addr = addr, .len = len, .id = id, .flags = flags
					};
				}
				pos++;
				if (pos == size) {
					pos = 0;
					awrap ^= 1;
					aflags = vpmd_packed_avail_flags(awrap);
				}
				if (seg != NULL) {
					addr = rte_mbuf_data_iova(seg);
					len = seg->data_len;
					seg = seg->next;
				}
			}
		}
		slots[id].m = m;
		slots[id].ndesc = need;
		slots[id].how = how;
		nb_free -= need;
		added += need;
		bytes += m->pkt_len;
		sent++;
		continue;
refuse:
		txq->stats.drop_bad_pkt++;
		rte_pktmbuf_free(m);
	}
	vq->nb_free = nb_free;
	vq->avail_flags = aflags;
	vq->avail_wrap = awrap;
	txq->free_head = free_head;
	txq->nb_free_ids = nb_free_ids;
	txq->nb_inflight += sent;
	if (have_head) {
		vq->avail_idx = pos;
		vpmd_vq_publish16(vq, &desc[head_pos].flags, head_flags);
		vpmd_vq_mb_before_notify_check(vq);
		if (vpmd_packed_need_kick(vq, added)) {
			vpmd_vq_kick(vq);
			txq->stats.kicks++;
		}
	}
	txq->stats.packets += sent;
	txq->stats.bytes += bytes;
	txq->stats.indirect += nb_indir;
	return i;
}

unsigned int
vpmd_tx_reclaim_packed(struct vpmd_txq *txq)
{
	return vpmd_tx_may_reclaim(txq) ? tx_packed_reclaim(txq, false) : 0;
}

unsigned int
vpmd_tx_reclaim_packed_inorder(struct vpmd_txq *txq)
{
	return vpmd_tx_may_reclaim(txq) ? tx_packed_reclaim(txq, true) : 0;
}

uint16_t
vpmd_tx_packed(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return tx_packed(txq, pkts, n, false);
}

uint16_t
vpmd_tx_packed_inorder(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return tx_packed(txq, pkts, n, true);
}
