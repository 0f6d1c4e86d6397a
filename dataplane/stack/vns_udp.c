/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP (RFC 768) over IPv4: length and checksum checks, delivery to the service bound on the
 * destination port, and the send of small replies. Every drop frees its mbuf and bumps
 * exactly one counter.
 */
#include <errno.h>
#include <string.h>

#include <rte_udp.h>

#include "vns_csum.h"
#include "vns_stack_core.h"
#include "vns_udp.h"

/* The pseudo-header sum with protocol 17 (vns_csum_phdr is TCP's). */
static inline uint16_t
udp_phdr(rte_be32_t a, rte_be32_t b, uint32_t l4_len)
{
	return vns_csum_fold((a & 0xffff) + (a >> 16) + (b & 0xffff) + (b >> 16) +
			     rte_cpu_to_be_16(IPPROTO_UDP) + rte_cpu_to_be_16((uint16_t)l4_len));
}

void
vns_udp_input(struct vns_stack *st, struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
	      uint32_t l4_off, uint32_t l4_len, const struct rte_ether_addr *src_mac)
{
	struct rte_udp_hdr uhbuf;
	const struct rte_udp_hdr *uh;
	struct vns_udp_peer peer;
	struct vns_svc *svc;
	uint64_t l4flags;
	uint32_t ulen;
	uint8_t k;

	uh = l4_len >= sizeof(*uh) ? rte_pktmbuf_read(m, l4_off, sizeof(*uh), &uhbuf) : NULL;
	ulen = uh != NULL ? rte_be_to_cpu_16(uh->dgram_len) : 0;
	/* RFC 768: the length covers header and data; bytes of the IP payload beyond it are
	 * not the datagram's (Linux trims them too). */
	if (unlikely(uh == NULL || ulen < sizeof(*uh) || ulen > l4_len)) {
		VNS_STAT_INC(st, drop_malformed);
		goto drop;
	}
	/* Checksum 0: the sender computed none (allowed over IPv4). BAD: the device checked. */
	l4flags = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	if (l4flags == RTE_MBUF_F_RX_L4_CKSUM_BAD) {
		VNS_STAT_INC(st, drop_bad_csum);
		goto drop;
	}
	if (l4flags == RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN && uh->dgram_cksum != 0) {
		uint16_t raw;

		if (vns_csum_mbuf(m, l4_off, ulen, &raw) != 0) {
			VNS_STAT_INC(st, drop_malformed);
			goto drop;
		}
		if (vns_csum_fold((uint32_t)raw + udp_phdr(ip->src_addr, ip->dst_addr, ulen)) !=
		    0xffff) {
			VNS_STAT_INC(st, drop_bad_csum);
			goto drop;
		}
	}
	k = vns_svc_for_port(st, uh->dst_port);
	svc = k != 0 ? &st->svc[k - 1] : NULL;
	if (svc == NULL || svc->ops->datagram == NULL) {
		VNS_STAT_INC(st, udp_no_port);
		goto drop;
	}
	peer.ip = ip->src_addr;
	peer.port = uh->src_port;
	peer.local_port = uh->dst_port;
	peer.mac = *src_mac;
	VNS_STAT_INC(st, udp_datagrams);
	VNS_STAT_ADD(st, udp_payload_bytes, ulen - sizeof(*uh));
	svc->ops->datagram(svc, &peer, m, l4_off + (uint32_t)sizeof(*uh),
			   ulen - (uint32_t)sizeof(*uh));
drop:
	rte_pktmbuf_free(m);
}

int
vns_udp_send(struct vns_svc *svc, const struct vns_udp_peer *peer, const void *data, uint32_t len)
{
	struct vns_stack *st = svc->st;
	const uint32_t hdrs = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
			      sizeof(struct rte_udp_hdr);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *uh;
	struct rte_mbuf *m;
	uint16_t mtu = st->conf.mtu != 0 ? st->conf.mtu : VNS_MTU_DEFAULT;
	uint16_t sum;

	if (len + hdrs - sizeof(*eh) > mtu)
		return -EMSGSIZE;
	m = rte_pktmbuf_alloc(st->conf.pool);
	if (m == NULL) {
		VNS_STAT_INC(st, drop_nombuf);
		return -ENOBUFS;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(hdrs + len));
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	uh = (struct rte_udp_hdr *)(ip + 1);
	eh->dst_addr = peer->mac;
	eh->src_addr = st->conf.mac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*uh) + len));
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = VNS_IPV4_TTL;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = st->conf.ip;
	ip->dst_addr = peer->ip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	uh->src_port = peer->local_port;
	uh->dst_port = peer->port;
	uh->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*uh) + len));
	uh->dgram_cksum = 0;
	memcpy(uh + 1, data, len);
	/* Replies are a few bytes: the checksum in software costs less than an offload set-up. */
	sum = vns_csum_fold((uint32_t)rte_raw_cksum(uh, sizeof(*uh) + len) +
			    udp_phdr(ip->src_addr, ip->dst_addr, sizeof(*uh) + len));
	uh->dgram_cksum = (uint16_t)~sum;
	if (uh->dgram_cksum == 0)
		uh->dgram_cksum = 0xffff; /* RFC 768: 0 means "no checksum" */
	return vns_tx_push(st, st->tx, m) == 0 ? 0 : -ENOBUFS;
}
