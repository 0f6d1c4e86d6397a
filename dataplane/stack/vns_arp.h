/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_arp: the small per-stack ARP cache an active open needs (vns_arp.c). A passive sink
 * answers whoever spoke to it (vns_eth.c), but a connection we open needs the peer's MAC
 * first: a request, answers accepted only for addresses we asked for (an unsolicited reply
 * cannot plant an entry), retries driven by the connecting flow's timer, and entries that
 * expire so a moved peer is asked again.
 */
#ifndef VNS_ARP_H
#define VNS_ARP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#define VNS_ARP_CACHE_SIZE 16 /* peers a stack opens connections to */
#define VNS_ARP_TRIES      3  /* requests before the peer is unreachable */
#define VNS_ARP_RETRY_MS   1000
#define VNS_ARP_LIFETIME_S 60

enum vns_arp_state { VNS_ARP_FREE, VNS_ARP_PENDING, VNS_ARP_RESOLVED };

struct vns_arp_entry {
	rte_be32_t ip;
	uint8_t state; /* enum vns_arp_state */
	struct rte_ether_addr mac;
	uint64_t stamp_tsc; /* when it was asked for (PENDING) or answered (RESOLVED) */
};

struct vns_arp_cache {
	struct vns_arp_entry e[VNS_ARP_CACHE_SIZE];
};

struct vns_stack;
struct vns_txbuf;

/* ip's MAC into *mac when a live entry has it (true); otherwise false, and a request goes
 * out (a pending entry is made or refreshed). */
bool vns_arp_resolve(struct vns_stack *st, rte_be32_t ip, struct rte_ether_addr *mac,
		     struct vns_txbuf *tx);
/* An ARP packet from ip at mac: learnt only when we asked for ip. True when it answers a
 * pending request (the flows waiting for it may go on). */
bool vns_arp_learn(struct vns_stack *st, rte_be32_t ip, const struct rte_ether_addr *mac);

#endif /* VNS_ARP_H */
