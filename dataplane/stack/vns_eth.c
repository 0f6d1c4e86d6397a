/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet, ARP, IPv4 and ICMP. Replies (ARP, echo) reuse the received mbuf in place and
 * go back to the sender's MAC: answering needs no ARP cache. Only an active open asks for a
 * MAC (vns_arp.c); ARP packets answering its requests go there too. Every drop path frees its
 * mbuf and bumps exactly one counter.
 */
#include <stdbool.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>

#include "vns_csum.h"
#include "vns_stack_core.h"

/* A reply reusing an rx mbuf must not carry rx offload flags into the tx path. */
static void
reset_for_tx(struct rte_mbuf *m)
{
	m->ol_flags &= RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT;
	m->packet_type = 0;
	m->vlan_tci = 0;
}

static void
arp_input(struct vns_stack *st, struct rte_mbuf *m, struct vns_txbuf *tx)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *ah;

	if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*ah)) {
		VNS_STAT_INC(st, drop_malformed);
		goto drop;
	}
	ah = (struct rte_arp_hdr *)(eh + 1);
	if (ah->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    ah->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || ah->arp_hlen != 6 ||
	    ah->arp_plen != 4) {
		VNS_STAT_INC(st, drop_malformed);
		goto drop;
	}
	/* An answer (or a request) from a peer we asked for completes its active opens. */
	if (ah->arp_data.arp_tip == st->conf.ip &&
	    vns_arp_learn(st, ah->arp_data.arp_sip, &ah->arp_data.arp_sha))
		vns_tcp_connect_resolved(st, ah->arp_data.arp_sip, tx);
	if (ah->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) ||
	    ah->arp_data.arp_tip != st->conf.ip) {
		VNS_STAT_INC(st, drop_not_ours);
		goto drop;
	}
	/* RFC 826: answer with our address, to the requester's hardware address. */
	ah->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	ah->arp_data.arp_tha = ah->arp_data.arp_sha;
	ah->arp_data.arp_tip = ah->arp_data.arp_sip;
	ah->arp_data.arp_sha = st->conf.mac;
	ah->arp_data.arp_sip = st->conf.ip;
	eh->dst_addr = ah->arp_data.arp_tha;
	eh->src_addr = st->conf.mac;
	if (m->nb_segs == 1)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (uint32_t)(sizeof(*eh) + sizeof(*ah)));
	reset_for_tx(m);
	if (vns_tx_push(st, tx, m) == 0)
		VNS_STAT_INC(st, arp_replies);
	return;
drop:
	rte_pktmbuf_free(m);
}

/* RFC 792 echo reply in place. The ICMP checksum is patched incrementally (RFC 1624):
 * only the type byte changes, so the payload need not be read twice. */
static void
icmp_reply(struct vns_stack *st, struct rte_mbuf *m, uint32_t l3_off, uint32_t ihl, uint32_t ip_len,
	   struct vns_txbuf *tx)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3_off);
	struct rte_icmp_hdr *ic = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, l3_off + ihl);
	uint32_t sum;
	uint32_t frame_len = l3_off + ip_len;

	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	sum = (uint16_t)~rte_be_to_cpu_16(ic->icmp_cksum);
	sum += (uint16_t) ~(RTE_IP_ICMP_ECHO_REQUEST << 8) & 0xffff;
	sum += RTE_IP_ICMP_ECHO_REPLY << 8;
	ic->icmp_cksum = rte_cpu_to_be_16((uint16_t)~vns_csum_fold(sum));

	ip->dst_addr = ip->src_addr;
	ip->src_addr = st->conf.ip;
	ip->time_to_live = VNS_IPV4_TTL;
	eh->dst_addr = eh->src_addr;
	eh->src_addr = st->conf.mac;
	/* Drop Ethernet padding beyond the IP datagram. */
	if (rte_pktmbuf_pkt_len(m) > frame_len && m->nb_segs == 1)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - frame_len);
	/* IP options are not echoed (a source route or record route returned unchanged would
	 * be wrong, RFC 1122 3.2.1.8, 3.2.2.6): the headers move up over them. */
	if (ihl > sizeof(*ip)) {
		uint32_t optlen = ihl - (uint32_t)sizeof(*ip);

		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(ip_len - optlen));
		memmove((uint8_t *)eh + optlen, eh, l3_off + sizeof(*ip));
		rte_pktmbuf_adj(m, (uint16_t)optlen);
		eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3_off);
	}
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	reset_for_tx(m);
	if (vns_tx_push(st, tx, m) == 0)
		VNS_STAT_INC(st, icmp_echo_replies);
}

/* RFC 1122 3.2.1.3: 0.0.0.0/8 ("this network"), 127/8 (loopback), 224/4 (multicast),
 * 240/4 (reserved, and the limited broadcast) and our own address are no valid source. */
static bool
src_addr_ok(const struct vns_stack *st, rte_be32_t src)
{
	/* The first octet is the first byte in memory: 1-126 or 128-223. */
	uint8_t top = ((const uint8_t *)&src)[0];

	return ((uint8_t)(top - 1) < 126u || (uint8_t)(top - 128) < 96u) && src != st->conf.ip;
}

void
vns_eth_input(struct vns_stack *st, struct rte_mbuf *m, struct vns_txbuf *tx)
{
	uint8_t ipbuf[RTE_IPV4_HDR_IHL_MASK * RTE_IPV4_IHL_MULTIPLIER];
	uint8_t thbuf[sizeof(struct rte_tcp_hdr) + VNS_TCP_OPT_SPACE];
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	struct vns_tcp_seg seg;
	uint32_t pkt_len = rte_pktmbuf_pkt_len(m);
	uint32_t ihl, ip_len, l3_off = sizeof(struct rte_ether_hdr), l4_off, doff;
	uint64_t ipflags, l4flags;
	bool bcast;

	VNS_STAT_INC(st, rx_pkts);
	VNS_STAT_ADD(st, rx_bytes, pkt_len);
	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eh) || pkt_len < rte_pktmbuf_data_len(m))) {
		VNS_STAT_INC(st, drop_malformed);
		goto drop;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	bcast = false;
	if (!rte_is_same_ether_addr(&eh->dst_addr, &st->conf.mac)) {
		if (!rte_is_broadcast_ether_addr(&eh->dst_addr)) {
			VNS_STAT_INC(st, drop_not_ours);
			goto drop;
		}
		bcast = true;
	}
	/* A group address is never a sender's (IEEE 802.3): we would answer everyone. */
	if (unlikely(rte_is_multicast_ether_addr(&eh->src_addr))) {
		VNS_STAT_INC(st, drop_bad_addr);
		goto drop;
	}
	/* 802.1Q/802.1ad, in the frame or stripped by the device: we answer untagged, i.e. on
	 * another VLAN than the sender's, so such frames are dropped, counted apart. */
	if (unlikely(m->ol_flags & (RTE_MBUF_F_RX_VLAN_STRIPPED | RTE_MBUF_F_RX_QINQ_STRIPPED))) {
		VNS_STAT_INC(st, drop_vlan);
		goto drop;
	}
	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
		arp_input(st, m, tx);
		return;
	}
	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
		    eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ))
			VNS_STAT_INC(st, drop_vlan);
		else
			VNS_STAT_INC(st, drop_proto);
		goto drop;
	}

	/* IPv4 (RFC 791). The header is copied when it is split across segments. */
	ip = rte_pktmbuf_read(m, l3_off, sizeof(struct rte_ipv4_hdr), ipbuf);
	if (unlikely(ip == NULL)) {
		VNS_STAT_INC(st, drop_malformed);
		goto drop;
	}
	ihl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	ip_len = rte_be_to_cpu_16(ip->total_length);
	if (unlikely((ip->version_ihl >> 4) != IPVERSION || ihl < sizeof(struct rte_ipv4_hdr) ||
		     ip_len < ihl || l3_off + ip_len > pkt_len)) {
		VNS_STAT_INC(st, drop_malformed);
		goto drop;
	}
	ip = rte_pktmbuf_read(m, l3_off, ihl, ipbuf);
	if (unlikely(ip == NULL)) {
		VNS_STAT_INC(st, drop_malformed);
		goto drop;
	}
	if (ip->dst_addr != st->conf.ip) {
		VNS_STAT_INC(st, drop_not_ours);
		goto drop;
	}
	/* RFC 1122 3.3.6: a unicast datagram that came as a link-layer broadcast is discarded;
	 * 3.2.1.3: so is one from an address that names no single host. */
	if (unlikely(bcast || !src_addr_ok(st, ip->src_addr))) {
		VNS_STAT_INC(st, drop_bad_addr);
		goto drop;
	}
	ipflags = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (ipflags == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
	    (ipflags == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN && rte_raw_cksum(ip, ihl) != 0xffff)) {
		VNS_STAT_INC(st, drop_bad_csum);
		goto drop;
	}
	if (rte_be_to_cpu_16(ip->fragment_offset) &
	    (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) {
		VNS_STAT_INC(st, drop_frag);
		goto drop;
	}

	if (ip->next_proto_id == IPPROTO_ICMP) {
		uint16_t sum;
		uint32_t icmp_off = l3_off + ihl;

		if (ip_len - ihl < sizeof(struct rte_icmp_hdr) ||
		    rte_pktmbuf_data_len(m) < icmp_off + sizeof(struct rte_icmp_hdr) ||
		    rte_pktmbuf_data_len(m) < l3_off + ihl) {
			VNS_STAT_INC(st, drop_malformed);
			goto drop;
		}
		if (rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, icmp_off)->icmp_type !=
		    RTE_IP_ICMP_ECHO_REQUEST) {
			VNS_STAT_INC(st, drop_proto);
			goto drop;
		}
		if (vns_csum_mbuf(m, icmp_off, ip_len - ihl, &sum) != 0 || sum != 0xffff) {
			VNS_STAT_INC(st, drop_bad_csum);
			goto drop;
		}
		icmp_reply(st, m, l3_off, ihl, ip_len, tx);
		return;
	}
	if (ip->next_proto_id == IPPROTO_UDP) {
		vns_udp_input(st, m, ip, l3_off + ihl, ip_len - ihl, &eh->src_addr);
		return;
	}
	if (ip->next_proto_id != IPPROTO_TCP) {
		VNS_STAT_INC(st, drop_proto);
		goto drop;
	}

	/* TCP (RFC 9293 §3.1). */
	l4_off = l3_off + ihl;
	if (unlikely(ip_len - ihl < sizeof(struct rte_tcp_hdr))) {
		VNS_STAT_INC(st, drop_malformed);
		goto drop;
	}
	th = rte_pktmbuf_read(m, l4_off, sizeof(struct rte_tcp_hdr), thbuf);
	if (unlikely(th == NULL)) {
		VNS_STAT_INC(st, drop_malformed);
		goto drop;
	}
	doff = (uint32_t)(th->data_off >> 4) * 4;
	if (unlikely(doff < sizeof(struct rte_tcp_hdr) || doff > ip_len - ihl)) {
		VNS_STAT_INC(st, drop_malformed);
		goto drop;
	}
	th = rte_pktmbuf_read(m, l4_off, doff, thbuf);
	if (unlikely(th == NULL)) {
		VNS_STAT_INC(st, drop_malformed);
		goto drop;
	}
	/* NONE: the device left a partial checksum on data it knows is intact (virtio
	 * NEEDS_CSUM), so there is nothing to verify. */
	l4flags = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	if (l4flags == RTE_MBUF_F_RX_L4_CKSUM_BAD) {
		VNS_STAT_INC(st, drop_bad_csum);
		goto drop;
	}
	if (l4flags == RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN) {
		uint16_t raw;

		if (vns_csum_mbuf(m, l4_off, ip_len - ihl, &raw) != 0) {
			VNS_STAT_INC(st, drop_malformed);
			goto drop;
		}
		if (vns_csum_fold((uint32_t)raw + rte_ipv4_phdr_cksum(ip, 0)) != 0xffff) {
			VNS_STAT_INC(st, drop_bad_csum);
			goto drop;
		}
	}
	seg.ip = ip;
	seg.th = th;
	seg.src_mac = &eh->src_addr;
	seg.payload_off = l4_off + doff;
	seg.payload_len = ip_len - ihl - doff;
	vns_tcp_input(st, m, &seg, tx);
	return;
drop:
	rte_pktmbuf_free(m);
}
