/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the split and packed rx bursts share once a layout has produced a used buffer
 * (id, len): the checks on the packet's first buffer and its header, chaining the later
 * buffers of a mergeable packet, the completion of a packet, and the per-burst commit.
 * All always-inline with the caller's constant flags (split: the layout), so each burst
 * keeps its own branch-free body; the fuzzer reaches every check through both layouts.
 *
 * A function returning enum vpmd_bad_reason returns VPMD_BAD_NONE when the device kept
 * the rules; anything else marks the queue broken (vpmd_rx_end()).
 */
#ifndef VPMD_RX_COMMON_H
#define VPMD_RX_COMMON_H

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vpmd_queue.h"

/*
 * Loop invariants of an rx burst, read from the queue once: the burst's stores (mbuf
 * fields, the free-id FIFO) could alias the queue's fields, so reading them through rxq
 * inside the loop would load them again for every packet.
 */
struct vpmd_rx_consts {
	uint32_t buf_len;   /* rxq->buf_len */
	uint16_t hdr_off;   /* rxq->hdr_off */
	uint16_t fifo_wrap; /* split: size - 1, a mask (a power of two); packed: size */
};

static __rte_always_inline struct vpmd_rx_consts
vpmd_rx_consts(const struct vpmd_rxq *rxq, const bool split)
{
	return (struct vpmd_rx_consts){
		.buf_len = rxq->buf_len,
		.hdr_off = rxq->hdr_off,
		.fifo_wrap = split ? rxq->vq.mask : rxq->vq.size,
	};
}

/*
 * A consumed buffer id goes back to the free-id FIFO, which holds `size` ids. With IN_ORDER
 * buffers are posted and consumed in ring order, so the FIFO stays the identity
 * (free_ids[i] == i, as reset leaves it) and the in-order bodies neither read nor write it.
 */
static __rte_always_inline void
vpmd_rx_push_free(struct vpmd_rxq *rxq, const struct vpmd_rx_consts *k, uint16_t id,
		  const bool split, const bool inorder)
{
	uint16_t t = rxq->free_tail;

	rxq->sw_ring[id] = NULL;
	if (!inorder)
		rxq->free_ids[t] = id;
	if (split)
		rxq->free_tail = (t + 1) & k->fifo_wrap;
	else
		rxq->free_tail = (uint16_t)(t + 1 == k->fifo_wrap ? 0 : t + 1);
}

/* The first buffer of a packet: in flight, and long enough for the header and an Ethernet
 * header but not longer than what was posted. */
static __rte_always_inline enum vpmd_bad_reason
vpmd_rx_check_head(const struct vpmd_rxq *rxq, const struct vpmd_rx_consts *k, uint32_t id,
		   uint32_t len, struct rte_mbuf **head)
{
	struct rte_mbuf *m = rxq->sw_ring[id];

	if (unlikely(m == NULL))
		return VPMD_BAD_USED_ID_NOT_INFLIGHT;
	if (unlikely(len < VPMD_NET_HDR_SIZE + RTE_ETHER_HDR_LEN))
		return VPMD_BAD_LEN_SHORT;
	if (unlikely(len > k->buf_len))
		return VPMD_BAD_LEN_LONG;
	*head = m;
	return VPMD_BAD_NONE;
}

/* The packet's buffer count from its header (h, copied once): exactly 1 without
 * MRG_RXBUF, else 1..`inflight` (buffers in flight from the head on). */
static __rte_always_inline enum vpmd_bad_reason
vpmd_rx_check_nbuf(const struct vpmd_net_hdr *h, uint16_t inflight, uint16_t *nbuf, const bool mrg)
{
	if (mrg) {
		if (unlikely(h->num_buffers == 0 || h->num_buffers > inflight))
			return VPMD_BAD_NUM_BUFFERS;
		*nbuf = h->num_buffers;
	} else {
		if (unlikely(h->num_buffers != 1))
			return VPMD_BAD_NUM_BUFFERS;
		*nbuf = 1;
	}
	return VPMD_BAD_NONE;
}

/* Take the checked first buffer: its id is free again, the mbuf is the packet's head.
 * Returns the frame bytes in it (without the header). */
static __rte_always_inline uint32_t
vpmd_rx_take_head(struct vpmd_rxq *rxq, const struct vpmd_rx_consts *k, struct rte_mbuf *m,
		  uint32_t id, uint32_t len, const bool split, const bool inorder)
{
	uint32_t pkt_len = len - VPMD_NET_HDR_SIZE;

	vpmd_rx_push_free(rxq, k, (uint16_t)id, split, inorder);
	vpmd_rx_head_init(m);
	m->data_len = (uint16_t)pkt_len;
	return pkt_len;
}

/* A later buffer of a mergeable packet: checked, then linked after *last. Later buffers
 * carry no header: their data starts where the buffer does. */
static __rte_always_inline enum vpmd_bad_reason
vpmd_rx_chain_seg(struct vpmd_rxq *rxq, const struct vpmd_rx_consts *k, uint32_t id, uint32_t len,
		  struct rte_mbuf **last, uint32_t *pkt_len, const bool split, const bool inorder)
{
	struct rte_mbuf *seg = rxq->sw_ring[id];

	if (unlikely(seg == NULL))
		return VPMD_BAD_USED_ID_NOT_INFLIGHT;
	if (unlikely(len > k->buf_len))
		return VPMD_BAD_LEN_LONG;
	vpmd_rx_push_free(rxq, k, (uint16_t)id, split, inorder);
	seg->data_off = k->hdr_off;
	seg->data_len = (uint16_t)len;
	(*last)->next = seg;
	*last = seg;
	*pkt_len += len;
	return VPMD_BAD_NONE;
}

/* All buffers taken: the head's totals, and the offload fields of a header that has any.
 * On a bad header the caller frees the packet (vpmd_rx_drop()). */
static __rte_always_inline enum vpmd_bad_reason
vpmd_rx_finish(const struct vpmd_rxq *rxq, struct rte_mbuf *m, const struct vpmd_net_hdr *h,
	       uint16_t nbuf, uint32_t pkt_len)
{
	m->nb_segs = nbuf;
	m->pkt_len = pkt_len;
	if (unlikely(h->flags | h->gso_type))
		return vpmd_rx_hdr_offloads(rxq, h, pkt_len, m);
	return VPMD_BAD_NONE;
}

/* Free a packet that cannot be delivered, whole or partly assembled (last = its last
 * linked buffer): never leak a mergeable head or its segments. */
static __rte_always_inline void
vpmd_rx_drop(struct rte_mbuf *head, struct rte_mbuf *last)
{
	last->next = NULL;
	rte_pktmbuf_free(head);
}

/*
 * End of a burst, both layouts: `cons` buffers were consumed (their ids are free again),
 * `npkt` packets of `bytes` bytes delivered. When the device broke a rule (why), the
 * queue is marked broken (sticky) and the specific counter goes up as well. Returns
 * whether the queue may go on (refill, event index).
 */
static __rte_always_inline bool
vpmd_rx_end(struct vpmd_rxq *rxq, uint16_t cons, uint16_t npkt, uint64_t bytes,
	    enum vpmd_bad_reason why)
{
	rxq->vq.nb_free += cons;
	rxq->stats.packets += npkt;
	rxq->stats.bytes += bytes;
	rxq->stats.bufs += cons;
	rxq->stats.empty_polls += npkt == 0;
	if (likely(why == VPMD_BAD_NONE))
		return true;
	if (why == VPMD_BAD_LEN_SHORT || why == VPMD_BAD_LEN_LONG)
		rxq->stats.drop_bad_len++;
	else if (why == VPMD_BAD_NUM_BUFFERS || why == VPMD_BAD_CSUM || why == VPMD_BAD_GSO)
		rxq->stats.drop_bad_hdr++;
	vpmd_rxq_set_broken(rxq, why);
	return false;
}

#endif /* VPMD_RX_COMMON_H */
