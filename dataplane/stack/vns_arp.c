/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP requests and the per-stack cache (vns_arp.h, RFC 826). Control path: a lookup is a
 * scan of VNS_ARP_CACHE_SIZE entries once per connection opened.
 */
#include <string.h>

#include <rte_arp.h>

#include "vns_stack_core.h"

static struct vns_arp_entry *
find(struct vns_arp_cache *c, rte_be32_t ip)
{
	uint32_t i;

	for (i = 0; i < VNS_ARP_CACHE_SIZE; i++)
		if (c->e[i].state != VNS_ARP_FREE && c->e[i].ip == ip)
			return &c->e[i];
	return NULL;
}

/* A free entry, else the oldest one. */
static struct vns_arp_entry *
victim(struct vns_arp_cache *c)
{
	struct vns_arp_entry *v = &c->e[0];
	uint32_t i;

	for (i = 0; i < VNS_ARP_CACHE_SIZE; i++) {
		if (c->e[i].state == VNS_ARP_FREE)
			return &c->e[i];
		if (c->e[i].stamp_tsc < v->stamp_tsc)
			v = &c->e[i];
	}
	return v;
}

static void
send_request(struct vns_stack *st, rte_be32_t ip, struct vns_txbuf *tx)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(st->conf.pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;

	if (m == NULL) {
		VNS_STAT_INC(st, drop_nombuf);
		return;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ah));
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		VNS_STAT_INC(st, drop_nombuf);
		return;
	}
	memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	eh->src_addr = st->conf.mac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah = (struct rte_arp_hdr *)(eh + 1);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = sizeof(rte_be32_t);
	ah->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	ah->arp_data.arp_sha = st->conf.mac;
	ah->arp_data.arp_sip = st->conf.ip;
	memset(&ah->arp_data.arp_tha, 0, sizeof(ah->arp_data.arp_tha));
	ah->arp_data.arp_tip = ip;
	if (vns_tx_push(st, tx, m) == 0)
		VNS_STAT_INC(st, arp_requests);
}

bool
vns_arp_resolve(struct vns_stack *st, rte_be32_t ip, struct rte_ether_addr *mac,
		struct vns_txbuf *tx)
{
	struct vns_arp_entry *e = find(&st->arp, ip);

	if (e != NULL && e->state == VNS_ARP_RESOLVED &&
	    st->now - e->stamp_tsc < VNS_ARP_LIFETIME_S * st->hz) {
		*mac = e->mac;
		return true;
	}
	if (e == NULL) {
		e = victim(&st->arp);
		e->ip = ip;
	}
	e->state = VNS_ARP_PENDING;
	e->stamp_tsc = st->now;
	send_request(st, ip, tx);
	return false;
}

bool
vns_arp_learn(struct vns_stack *st, rte_be32_t ip, const struct rte_ether_addr *mac)
{
	struct vns_arp_entry *e = find(&st->arp, ip);
	bool was_pending;

	/* RFC 826's merge, restricted to what we asked for. */
	if (e == NULL || !rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return false;
	was_pending = e->state == VNS_ARP_PENDING;
	if (was_pending)
		VNS_STAT_INC(st, arp_learned);
	e->state = VNS_ARP_RESOLVED;
	e->mac = *mac;
	e->stamp_tsc = st->now;
	return was_pending;
}
