/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "pktbuild.h"

static const struct rte_ether_addr pb_client_mac = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 } };
static const struct rte_ether_addr pb_stack_mac = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };

void
pb_tcp_defaults(struct pb_tcp *p)
{
	memset(p, 0, sizeof(*p));
	p->src_mac = pb_client_mac;
	p->dst_mac = pb_stack_mac;
	p->src_ip = RTE_IPV4(198u, 18, 0, 2);
	p->dst_ip = RTE_IPV4(198u, 18, 0, 1);
	p->sport = 40000;
	p->dport = 5201;
	p->win = 65535;
	p->ws = -1;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint32_t
pb_tcp_frame(const struct pb_tcp *p, uint8_t *buf, uint32_t cap)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint8_t opt[40];
	uint32_t ol = 0, len;
	int i;

	if (p->mss) {
		opt[ol++] = 2;
		opt[ol++] = 4;
		opt[ol++] = (uint8_t)(p->mss >> 8);
		opt[ol++] = (uint8_t)p->mss;
	}
	if (p->sack_perm) {
		opt[ol++] = 1;
		opt[ol++] = 1;
		opt[ol++] = 4;
		opt[ol++] = 2;
	}
	if (p->ts) {
		opt[ol++] = 1;
		opt[ol++] = 1;
		opt[ol++] = 8;
		opt[ol++] = 10;
		put32(opt + ol, p->tsval);
		put32(opt + ol + 4, p->tsecr);
		ol += 8;
	}
	if (p->ws >= 0) {
		opt[ol++] = 1;
		opt[ol++] = 3;
		opt[ol++] = 3;
		opt[ol++] = (uint8_t)p->ws;
	}
	if (p->nsack > 0 && ol + 4 + 8 * (uint32_t)p->nsack <= 40) {
		opt[ol++] = 1;
		opt[ol++] = 1;
		opt[ol++] = 5;
		opt[ol++] = (uint8_t)(2 + 8 * p->nsack);
		for (i = 0; i < p->nsack; i++) {
			put32(opt + ol, p->sack[i][0]);
			put32(opt + ol + 4, p->sack[i][1]);
			ol += 8;
		}
	}
	while (ol % 4)
		opt[ol++] = 0;
	len = sizeof(*eh) + sizeof(*ip) + sizeof(*th) + ol + p->plen;
	if (len + p->eth_pad > cap)
		return 0;
	eh->dst_addr = p->dst_mac;
	eh->src_addr = p->src_mac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*th) + ol + p->plen));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(p->src_ip);
	ip->dst_addr = rte_cpu_to_be_32(p->dst_ip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (p->bad_ip_csum)
		ip->hdr_checksum ^= 0x1234;
	th->src_port = rte_cpu_to_be_16(p->sport);
	th->dst_port = rte_cpu_to_be_16(p->dport);
	th->sent_seq = rte_cpu_to_be_32(p->seq);
	th->recv_ack = rte_cpu_to_be_32(p->ack);
	th->data_off = (uint8_t)(((sizeof(*th) + ol) / 4) << 4);
	th->tcp_flags = p->flags;
	th->rx_win = rte_cpu_to_be_16(p->win);
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(th + 1, opt, ol);
	if (p->plen)
		memcpy((uint8_t *)(th + 1) + ol, p->payload, p->plen);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	if (p->bad_tcp_csum)
		th->cksum ^= 0x0101;
	memset(buf + len, 0, p->eth_pad);
	return len + p->eth_pad;
}

struct rte_mbuf *
pb_raw_mbuf(struct rte_mempool *mp, const uint8_t *frame, uint32_t len, uint32_t seg_size,
	    uint64_t ol_flags)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	uint32_t off = 0;

	if (seg_size == 0)
		seg_size = 2048;
	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t n = len - off < seg_size ? len - off : seg_size;
		char *p;

		if (m == NULL)
			goto fail;
		if (n > rte_pktmbuf_tailroom(m))
			n = rte_pktmbuf_tailroom(m);
		p = rte_pktmbuf_append(m, (uint16_t)n);
		memcpy(p, frame + off, n);
		off += n;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		last = m;
	} while (off < len);
	head->ol_flags = ol_flags;
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

struct rte_mbuf *
pb_tcp_mbuf(struct rte_mempool *mp, const struct pb_tcp *p)
{
	static uint8_t frame[70000];
	uint32_t len = pb_tcp_frame(p, frame, sizeof(frame));

	if (len == 0)
		return NULL;
	return pb_raw_mbuf(mp, frame, len, p->seg_size, p->ol_flags);
}

struct rte_mbuf *
pb_arp(struct rte_mempool *mp, uint16_t op, const struct rte_ether_addr *smac,
       const struct rte_ether_addr *dmac, uint32_t sip, uint32_t tip)
{
	uint8_t f[60];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);

	memset(f, 0, sizeof(f));
	if (dmac != NULL) {
		eh->dst_addr = *dmac;
		ah->arp_data.arp_tha = *dmac;
	} else {
		memset(&eh->dst_addr, 0xff, 6);
	}
	eh->src_addr = *smac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = 6;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	ah->arp_data.arp_sha = *smac;
	ah->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	ah->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return pb_raw_mbuf(mp, f, sizeof(f), 0, 0);
}

struct rte_mbuf *
pb_arp_request(struct rte_mempool *mp, const struct rte_ether_addr *smac, uint32_t sip,
	       uint32_t tip)
{
	return pb_arp(mp, RTE_ARP_OP_REQUEST, smac, NULL, sip, tip);
}

struct rte_mbuf *
pb_icmp_echo(struct rte_mempool *mp, const struct rte_ether_addr *smac,
	     const struct rte_ether_addr *dmac, uint32_t sip, uint32_t dip, uint16_t id,
	     uint16_t seq, uint32_t plen)
{
	uint8_t f[1600];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);
	uint32_t i, len = sizeof(*eh) + sizeof(*ip) + sizeof(*ic) + plen;

	if (len > sizeof(f))
		return NULL;
	memset(f, 0, sizeof(f));
	eh->dst_addr = *dmac;
	eh->src_addr = *smac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eh)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(sip);
	ip->dst_addr = rte_cpu_to_be_32(dip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_ident = rte_cpu_to_be_16(id);
	ic->icmp_seq_nb = rte_cpu_to_be_16(seq);
	for (i = 0; i < plen; i++)
		((uint8_t *)(ic + 1))[i] = (uint8_t)(i * 7 + 1);
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, sizeof(*ic) + plen);
	return pb_raw_mbuf(mp, f, len, 0, 0);
}

struct rte_mbuf *
pb_udp_mbuf(struct rte_mempool *mp, const struct rte_ether_addr *smac,
	    const struct rte_ether_addr *dmac, uint32_t sip, uint16_t sport, uint32_t dip,
	    uint16_t dport, const void *data, uint32_t len, int csum, int ulen_delta)
{
	uint8_t f[1600];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);
	uint32_t flen = sizeof(*eh) + sizeof(*ip) + sizeof(*uh) + len;

	if (flen > sizeof(f))
		return NULL;
	memset(f, 0, sizeof(f));
	eh->dst_addr = *dmac;
	eh->src_addr = *smac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(flen - sizeof(*eh)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(sip);
	ip->dst_addr = rte_cpu_to_be_32(dip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	uh->src_port = rte_cpu_to_be_16(sport);
	uh->dst_port = rte_cpu_to_be_16(dport);
	uh->dgram_len = rte_cpu_to_be_16((uint16_t)((int)(sizeof(*uh) + len) + ulen_delta));
	memcpy(uh + 1, data, len);
	if (csum != 0) {
		uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
		if (csum < 0)
			uh->dgram_cksum ^= 0x0101;
	}
	return pb_raw_mbuf(mp, f, flen, 0, 0);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int
pb_parse(const struct rte_mbuf *m, struct pb_parsed *o)
{
	static uint8_t f[70000];
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)f;
	const struct rte_ipv4_hdr *ip;
	uint32_t ihl, iplen;

	memset(o, 0, offsetof(struct pb_parsed, payload));
	o->ws = -1;
	if (len > sizeof(f) || len < sizeof(*eh))
		return -1;
	{
		const void *d = rte_pktmbuf_read(m, 0, len, f);

		if (d == NULL)
			return -1;
		if (d != f)
			memcpy(f, d, len);
	}
	o->ether_type = rte_be_to_cpu_16(eh->ether_type);
	o->src_mac = eh->src_addr;
	o->dst_mac = eh->dst_addr;
	if (o->ether_type == RTE_ETHER_TYPE_ARP) {
		const struct rte_arp_hdr *ah = (const struct rte_arp_hdr *)(eh + 1);

		if (len < sizeof(*eh) + sizeof(*ah))
			return -1;
		o->arp_op = rte_be_to_cpu_16(ah->arp_opcode);
		o->arp_sip = rte_be_to_cpu_32(ah->arp_data.arp_sip);
		o->arp_tip = rte_be_to_cpu_32(ah->arp_data.arp_tip);
		o->arp_sha = ah->arp_data.arp_sha;
		return 0;
	}
	if (o->ether_type != RTE_ETHER_TYPE_IPV4 || len < sizeof(*eh) + 20)
		return -1;
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	ihl = (uint32_t)(ip->version_ihl & 15) * 4;
	iplen = rte_be_to_cpu_16(ip->total_length);
	if (sizeof(*eh) + iplen > len || ihl < 20)
		return -1;
	o->proto = ip->next_proto_id;
	o->ihl = (uint8_t)ihl;
	o->src_ip = rte_be_to_cpu_32(ip->src_addr);
	o->dst_ip = rte_be_to_cpu_32(ip->dst_addr);
	if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM)
		o->ip_csum_ok = ip->hdr_checksum == 0;
	else
		o->ip_csum_ok = rte_raw_cksum(ip, ihl) == 0xffff;
	if (o->proto == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *ic =
			(const struct rte_icmp_hdr *)((const uint8_t *)ip + ihl);

		o->icmp_type = ic->icmp_type;
		o->icmp_id = rte_be_to_cpu_16(ic->icmp_ident);
		o->icmp_seq = rte_be_to_cpu_16(ic->icmp_seq_nb);
		o->icmp_csum_ok = rte_raw_cksum(ic, iplen - ihl) == 0xffff;
		o->plen = iplen - ihl - sizeof(*ic);
		return 0;
	}
	if (o->proto == IPPROTO_UDP) {
		const struct rte_udp_hdr *uh =
			(const struct rte_udp_hdr *)((const uint8_t *)ip + ihl);

		o->sport = rte_be_to_cpu_16(uh->src_port);
		o->dport = rte_be_to_cpu_16(uh->dst_port);
		o->plen = rte_be_to_cpu_16(uh->dgram_len) - (uint32_t)sizeof(*uh);
		if (o->plen > iplen - ihl - sizeof(*uh))
			return -1;
		{
			uint32_t sum = rte_raw_cksum(uh, iplen - ihl) + rte_ipv4_phdr_cksum(ip, 0);

			sum = (sum & 0xffff) + (sum >> 16);
			sum = (sum & 0xffff) + (sum >> 16);
			o->tcp_csum_ok = uh->dgram_cksum != 0 && sum == 0xffff;
		}
		memcpy(o->payload, uh + 1, o->plen);
		return 0;
	}
	if (o->proto == IPPROTO_TCP) {
		const struct rte_tcp_hdr *th =
			(const struct rte_tcp_hdr *)((const uint8_t *)ip + ihl);
		const uint8_t *p = (const uint8_t *)(th + 1);
		uint32_t doff = (uint32_t)(th->data_off >> 4) * 4, i = 0;

		o->sport = rte_be_to_cpu_16(th->src_port);
		o->dport = rte_be_to_cpu_16(th->dst_port);
		o->seq = rte_be_to_cpu_32(th->sent_seq);
		o->ack = rte_be_to_cpu_32(th->recv_ack);
		o->flags = th->tcp_flags;
		o->win = rte_be_to_cpu_16(th->rx_win);
		if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG)
			o->tso_segsz = m->tso_segsz;
		if (m->ol_flags & (RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_TCP_SEG))
			o->tcp_csum_ok = th->cksum == rte_ipv4_phdr_cksum(ip, m->ol_flags);
		else {
			uint32_t sum = rte_raw_cksum(th, iplen - ihl) + rte_ipv4_phdr_cksum(ip, 0);

			sum = (sum & 0xffff) + (sum >> 16);
			sum = (sum & 0xffff) + (sum >> 16);
			o->tcp_csum_ok = sum == 0xffff;
		}
		while (i < doff - 20) {
			uint8_t kind = p[i], ol;

			if (kind == 0)
				break;
			if (kind == 1) {
				i++;
				continue;
			}
			ol = p[i + 1];
			if (ol < 2)
				break;
			if (kind == 2)
				o->mss = (uint16_t)(p[i + 2] << 8 | p[i + 3]);
			else if (kind == 3)
				o->ws = p[i + 2];
			else if (kind == 4)
				o->sack_perm = 1;
			else if (kind == 8) {
				o->ts = 1;
				o->tsval = get32(p + i + 2);
				o->tsecr = get32(p + i + 6);
			} else if (kind == 5) {
				int k;

				o->nsack = (ol - 2) / 8;
				for (k = 0; k < o->nsack && k < 4; k++) {
					o->sack[k][0] = get32(p + i + 2 + 8 * k);
					o->sack[k][1] = get32(p + i + 6 + 8 * k);
				}
			}
			i += ol;
		}
		o->plen = iplen - ihl - doff;
		memcpy(o->payload, (const uint8_t *)th + doff,
		       RTE_MIN(o->plen, (uint32_t)sizeof(o->payload)));
		return 0;
	}
	return -1;
}
