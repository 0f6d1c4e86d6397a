/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net header <-> mbuf offload flags, shared by the split and packed fast paths.
 * Only reached for packets that carry offload state (the common case is a zero header,
 * handled inline by the callers).
 */
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vpmd_queue.h"

/* The checksum field the device (rx) or we (tx) must find inside the packet. */
#define CSUM_FIELD_LEN sizeof(rte_be16_t)

enum vpmd_bad_reason
vpmd_rx_hdr_offloads(const struct vpmd_rxq *rxq, const struct vpmd_net_hdr *h, uint32_t pkt_len,
		     struct rte_mbuf *m)
{
	uint64_t ol = 0;
	uint8_t gso = h->gso_type & (uint8_t)~VPMD_GSO_ECN;

	if (h->flags & VPMD_HDR_F_NEEDS_CSUM) {
		/* The device may only hand us partial checksums if we asked for them. */
		if (!(rxq->hdr_features & VPMD_RXQ_F_GUEST_CSUM))
			return VPMD_BAD_CSUM;
		if ((uint32_t)h->csum_start + h->csum_offset + CSUM_FIELD_LEN > pkt_len)
			return VPMD_BAD_CSUM;
		ol |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
	} else if ((h->flags & VPMD_HDR_F_DATA_VALID) &&
		   (rxq->hdr_features & VPMD_RXQ_F_GUEST_CSUM)) {
		/* Without GUEST_CSUM the spec wants flags 0, but tap backends set DATA_VALID
		 * anyway; it is harmless, so we simply do not report it then. */
		ol |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}

	if (h->gso_type != VPMD_GSO_NONE) {
		if ((h->gso_type & VPMD_GSO_ECN) && !(rxq->hdr_features & VPMD_RXQ_F_ECN))
			return VPMD_BAD_GSO;
		if (gso == VPMD_GSO_TCPV4) {
			if (!(rxq->hdr_features & VPMD_RXQ_F_TSO4))
				return VPMD_BAD_GSO;
		} else if (gso == VPMD_GSO_TCPV6) {
			if (!(rxq->hdr_features & VPMD_RXQ_F_TSO6))
				return VPMD_BAD_GSO;
		} else {
			return VPMD_BAD_GSO; /* UFO/USO are never negotiated */
		}
		if (h->gso_size == 0 || h->gso_size > pkt_len)
			return VPMD_BAD_GSO;
		ol |= RTE_MBUF_F_RX_LRO;
		m->tso_segsz = h->gso_size;
	}
	m->ol_flags = ol;
	return VPMD_BAD_NONE;
}

int
vpmd_tx_hdr_offloads(const struct vpmd_txq *txq, struct vpmd_net_hdr *h, struct rte_mbuf *m)
{
	uint64_t ol = m->ol_flags;
	uint32_t start = (uint32_t)m->l2_len + m->l3_len;
	uint16_t off;

	memset(h, 0, sizeof(*h));
	if (ol & RTE_MBUF_F_TX_TCP_SEG) {
		bool v6 = (ol & RTE_MBUF_F_TX_IPV6) != 0;

		if (!(v6 ? txq->tso6 : txq->tso4) || m->tso_segsz == 0 ||
		    m->l4_len < sizeof(struct rte_tcp_hdr))
			return -1;
		h->gso_type = v6 ? VPMD_GSO_TCPV6 : VPMD_GSO_TCPV4;
		h->gso_size = m->tso_segsz;
		h->hdr_len = (uint16_t)(start + m->l4_len);
		off = offsetof(struct rte_tcp_hdr, cksum);
	} else {
		switch (ol & RTE_MBUF_F_TX_L4_MASK) {
		case RTE_MBUF_F_TX_TCP_CKSUM:
			off = offsetof(struct rte_tcp_hdr, cksum);
			break;
		case RTE_MBUF_F_TX_UDP_CKSUM:
			off = offsetof(struct rte_udp_hdr, dgram_cksum);
			break;
		default:
			return -1; /* SCTP: the device cannot do CRC32c */
		}
	}
	if (!txq->csum || start + off + CSUM_FIELD_LEN > m->pkt_len || start > UINT16_MAX)
		return -1;
	if (ol & RTE_MBUF_F_TX_TCP_SEG) {
		/* ethdev's TSO convention is the pseudo-header sum without the length; a virtio
		 * device segments as Linux does (tcp_gso_segment takes the sum over the whole
		 * TCP length and adjusts it per segment), so add the TCP length in. The field
		 * must be in the first segment. */
		uint32_t l4_len = m->pkt_len - start, sum;
		uint16_t cs, l4_be;
		uint8_t *field;

		if (start + off + CSUM_FIELD_LEN > m->data_len || l4_len > UINT16_MAX)
			return -1;
		field = rte_pktmbuf_mtod_offset(m, uint8_t *, start + off);
		l4_be = rte_cpu_to_be_16((uint16_t)l4_len);
		memcpy(&cs, field, sizeof(cs));
		sum = (uint32_t)cs + l4_be;
		sum = (sum & 0xffff) + (sum >> 16);
		cs = (uint16_t)sum;
		memcpy(field, &cs, sizeof(cs));
	}
	h->flags = VPMD_HDR_F_NEEDS_CSUM;
	h->csum_start = (uint16_t)start;
	h->csum_offset = off;
	return 0;
}
