/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP (RFC 768) over IPv4: length and checksum checks, delivery to the service bound on the
 * destination port, the send of small replies, and the burst send of bulk datagrams (a small
 * head per datagram, then a shared pattern). Every drop frees its mbuf and bumps exactly one
 * counter.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_udp.h>

#include "vns_csum.h"
#include "vns_err.h"
#include "vns_stack_core.h"
#include "vns_udp.h"

/* The pseudo-header sum with protocol 17 (vns_csum_phdr is TCP's). */
static inline uint16_t
udp_phdr(rte_be32_t a, rte_be32_t b, uint32_t l4_len)
{
	return vns_csum_fold((a & 0xffff) + (a >> 16) + (b & 0xffff) + (b >> 16) +
			     rte_cpu_to_be_16(IPPROTO_UDP) + rte_cpu_to_be_16((uint16_t)l4_len));
}

#define UDP_HDRS \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))
#define UDP_L3HDR (sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))

/* The service of the connected flow of this 4-tuple, 0: none. */
static inline uint8_t
udp_conn_svc(const struct vns_stack *st, rte_be32_t ip, rte_be16_t port, rte_be16_t lport)
{
	uint32_t i;

	for (i = 0; i < st->n_udpc; i++) {
		const struct vns_udp_conn *u = &st->udpc[i];

		if (u->local_port == lport && u->port == port && u->ip == ip)
			return u->svc;
	}
	return 0;
}

bool
vns_udp_port_used(const struct vns_stack *st, rte_be16_t lport)
{
	uint32_t i;

	for (i = 0; i < st->n_udpc; i++)
		if (st->udpc[i].local_port == lport)
			return true;
	return false;
}

int
vns_udp_connect(struct vns_svc *svc, rte_be32_t ip, rte_be16_t port, struct vns_udp_peer *peer)
{
	struct vns_stack *st = svc->st;
	struct vns_udp_conn *u;
	rte_be16_t lport;

	if (ip == 0 || ip == st->conf.ip || port == 0 || peer == NULL)
		return -EINVAL;
	if (st->n_udpc >= VNS_UDP_CONN_MAX)
		return -ENOBUFS;
	memset(peer, 0, sizeof(*peer));
	if (!vns_arp_resolve(st, ip, &peer->mac, st->tx))
		return -EAGAIN;
	lport = vns_eph_port_pick(st, ip, port, true);
	if (lport == 0)
		return -EADDRINUSE;
	u = &st->udpc[st->n_udpc++];
	u->ip = ip;
	u->port = port;
	u->local_port = lport;
	u->svc = svc->index;
	peer->ip = ip;
	peer->port = port;
	peer->local_port = lport;
	return 0;
}

void
vns_udp_disconnect(struct vns_svc *svc, const struct vns_udp_peer *peer)
{
	struct vns_stack *st = svc->st;
	uint32_t i;

	for (i = 0; i < st->n_udpc; i++) {
		struct vns_udp_conn *u = &st->udpc[i];

		if (u->local_port == peer->local_port && u->port == peer->port &&
		    u->ip == peer->ip && u->svc == svc->index) {
			*u = st->udpc[--st->n_udpc]; /* keeps the table dense */
			return;
		}
	}
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
	k = udp_conn_svc(st, ip->src_addr, uh->src_port, uh->dst_port);
	if (k == 0)
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

uint32_t
vns_udp_payload_max(const struct vns_svc *svc)
{
	const struct vns_stack *st = svc->st;
	uint32_t mtu = st->conf.mtu != 0 ? st->conf.mtu : VNS_MTU_DEFAULT;
	uint32_t max = mtu - (uint32_t)UDP_L3HDR;

	/* Without chained mbufs a datagram has to fit in one of the pool's. */
	if ((st->conf.tx_offloads & VNS_TXOFF_MULTI_SEGS) == 0)
		max = RTE_MIN(max, (uint32_t)rte_pktmbuf_data_room_size(st->conf.pool) -
					   RTE_PKTMBUF_HEADROOM - (uint32_t)UDP_HDRS);
	return max;
}

struct vns_udp_pattern {
	struct rte_mbuf_ext_shared_info shinfo; /* refcnt: the creator's + one per datagram */
	uint8_t *data;
	rte_iova_t iova;
	uint32_t len;
	uint32_t sum_len; /* the prefix whose sum is cached (0: none) */
	uint16_t sum;
};

/* The last reference is gone: nothing points into the area any more. */
static void
pattern_release(void *addr, void *opaque)
{
	RTE_SET_USED(addr);
	rte_free(opaque);
}

struct vns_udp_pattern *
vns_udp_pattern_create(uint32_t len, int socket_id, char *err, size_t errlen)
{
	struct vns_udp_pattern *pat;
	size_t off = RTE_ALIGN_CEIL(sizeof(*pat), RTE_CACHE_LINE_SIZE);
	uint32_t i;

	if (len == 0 || len > UINT16_MAX) {
		vns_set_err(err, errlen, "udp: a pattern of %u bytes (1..%u)", len, UINT16_MAX);
		return NULL;
	}
	/* Aligned to its own size rounded up, the area never crosses a page: one IOVA range. */
	pat = rte_zmalloc_socket("vns_udp_pattern", off + len, rte_align32pow2(off + len),
				 socket_id);
	if (pat == NULL) {
		vns_set_err(err, errlen, "udp: out of DPDK memory for a %u-byte pattern", len);
		return NULL;
	}
	pat->data = (uint8_t *)pat + off;
	/* rte_malloc_virt2iova() knows only the start of the allocation. */
	pat->iova = rte_malloc_virt2iova(pat);
	if (pat->iova != RTE_BAD_IOVA)
		pat->iova += off;
	pat->len = len;
	/* Printable and not all one byte, so a capture shows where a datagram's pattern is. */
	for (i = 0; i < len; i++)
		pat->data[i] = (uint8_t)('0' + i % 10);
	pat->shinfo.free_cb = pattern_release;
	pat->shinfo.fcb_opaque = pat;
	rte_mbuf_ext_refcnt_set(&pat->shinfo, 1);
	return pat;
}

void
vns_udp_pattern_free(struct vns_udp_pattern *pat)
{
	if (pat != NULL && rte_mbuf_ext_refcnt_update(&pat->shinfo, -1) == 0)
		rte_free(pat);
}

uint16_t
vns_udp_tx_room(const struct vns_svc *svc)
{
	const struct vns_txbuf *tx = svc->st->tx;
	uint16_t limit = VNS_TXBUF_MAX - VNS_TXBUF_MAX / 4;

	return tx->n < limit ? (uint16_t)(limit - tx->n) : 0;
}

/* The pattern's first plen bytes, summed once per length. */
static inline uint16_t
pattern_sum(struct vns_udp_pattern *pat, uint32_t plen)
{
	if (unlikely(pat->sum_len != plen)) {
		pat->sum = rte_raw_cksum(pat->data, plen);
		pat->sum_len = plen;
	}
	return pat->sum;
}

uint16_t
vns_udp_send_burst(struct vns_svc *svc, const struct vns_udp_peer *peer, const uint8_t *heads,
		   uint32_t hlen, struct vns_udp_pattern *pat, uint32_t plen, uint16_t n)
{
	struct vns_stack *st = svc->st;
	struct rte_mbuf *hm[VNS_TXBUF_MAX], *pm[VNS_TXBUF_MAX];
	const bool chain = (st->conf.tx_offloads & VNS_TXOFF_MULTI_SEGS) != 0 && plen > 0;
	const uint32_t ulen = (uint32_t)sizeof(struct rte_udp_hdr) + hlen + plen;
	struct rte_ether_hdr tmpl_eh;
	struct rte_ipv4_hdr tmpl_ip;
	uint32_t base, psum;
	uint16_t i;

	n = RTE_MIN(n, vns_udp_tx_room(svc));
	if (unlikely(hlen > VNS_UDP_HEAD_MAX || plen > pat->len ||
		     hlen + plen > vns_udp_payload_max(svc)))
		return 0;
	if (n == 0)
		return 0;
	if (rte_pktmbuf_alloc_bulk(st->conf.pool, hm, n) != 0) {
		VNS_STAT_INC(st, drop_nombuf);
		return 0;
	}
	if (chain && rte_pktmbuf_alloc_bulk(st->conf.pool, pm, n) != 0) {
		rte_pktmbuf_free_bulk(hm, n);
		VNS_STAT_INC(st, drop_nombuf);
		return 0;
	}
	tmpl_eh.dst_addr = peer->mac;
	tmpl_eh.src_addr = st->conf.mac;
	tmpl_eh.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(&tmpl_ip, 0, sizeof(tmpl_ip));
	tmpl_ip.version_ihl = RTE_IPV4_VHL_DEF;
	tmpl_ip.total_length = rte_cpu_to_be_16((uint16_t)(sizeof(tmpl_ip) + ulen));
	tmpl_ip.fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	tmpl_ip.time_to_live = VNS_IPV4_TTL;
	tmpl_ip.next_proto_id = IPPROTO_UDP;
	tmpl_ip.src_addr = st->conf.ip;
	tmpl_ip.dst_addr = peer->ip;
	tmpl_ip.hdr_checksum = rte_ipv4_cksum(&tmpl_ip);
	/* The checksum of everything but the head, once per burst; the pattern starts at an
	 * even offset of the UDP header when hlen is even, else its sum counts byte-swapped
	 * (RFC 1071 §2(B)). */
	psum = pattern_sum(pat, plen);
	if (hlen & 1)
		psum = rte_bswap16((uint16_t)psum);
	base = psum + udp_phdr(st->conf.ip, peer->ip, ulen) + peer->local_port + peer->port +
	       rte_cpu_to_be_16((uint16_t)ulen);
	if (chain)
		rte_mbuf_ext_refcnt_update(&pat->shinfo, n);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = hm[i];
		const uint8_t *head = heads + (size_t)i * hlen;
		uint32_t cp = chain ? hlen : hlen + plen;
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(UDP_HDRS + cp));
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + sizeof(tmpl_eh));
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);
		uint16_t sum;

		memcpy(p, &tmpl_eh, sizeof(tmpl_eh));
		memcpy(ip, &tmpl_ip, sizeof(tmpl_ip));
		uh->src_port = peer->local_port;
		uh->dst_port = peer->port;
		uh->dgram_len = rte_cpu_to_be_16((uint16_t)ulen);
		memcpy(uh + 1, head, hlen);
		sum = vns_csum_fold(base + rte_raw_cksum(head, hlen));
		uh->dgram_cksum = (uint16_t)~sum;
		if (uh->dgram_cksum == 0)
			uh->dgram_cksum = 0xffff; /* RFC 768: 0 means "no checksum" */
		if (chain) {
			struct rte_mbuf *t = pm[i];

			rte_pktmbuf_attach_extbuf(t, pat->data, pat->iova, (uint16_t)pat->len,
						  &pat->shinfo);
			t->data_off = 0;
			t->data_len = (uint16_t)plen;
			t->pkt_len = plen;
			m->next = t;
			m->nb_segs = 2;
			m->pkt_len += plen;
		} else {
			memcpy((uint8_t *)(uh + 1) + hlen, pat->data, plen);
		}
		st->tx->pkts[st->tx->n++] = m;
	}
	VNS_STAT_ADD(st, tx_pkts, n);
	return n;
}
