/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore stack object and what every stack file shares: counters, the tx buffer
 * push, the bound services. Each module's own state and functions are in its header
 * (vns_flow.h, vns_tcp.h, vns_timer.h, vns_csum.h).
 *
 * Everything here is owned by ONE lcore (the queue's loop) except what is marked shared:
 * the vns_shared inboxes (multi-producer rings, one consumer each) and the services' shared
 * areas (whatever the service puts there).
 */
#ifndef VNS_STACK_CORE_H
#define VNS_STACK_CORE_H

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "vns_arp.h"
#include "vns_flow.h"
#include "vns_service.h"
#include "vns_snd.h"
#include "vns_stack.h"
#include "vns_tcp.h"
#include "vns_timer.h"

#define VNS_CLOSED_RING 256 /* closed-connection records per stack */
#define VNS_INBOX_SIZE  1024
#define VNS_MTU_DEFAULT 1500
#define VNS_MTU_MIN     576 /* RFC 791: the datagram every host must accept */
#define VNS_MTU_MAX     9000

/* Created once, shared by every stack (the services' areas follow vns_service.h). */
struct vns_shared {
	uint16_t nb_queues;
	uint64_t iss_key[2];     /* RFC 6528 secret, random per process */
	struct rte_ring **inbox; /* [nb_queues]: multi-producer, one consumer each */
	const struct vns_service_ops *svc_ops[VNS_SVC_MAX]; /* the first stack's binding */
	struct {
		_Alignas(RTE_CACHE_LINE_SIZE) uint8_t area[VNS_SVC_SHARED_MAX];
	} svc[VNS_SVC_MAX]; /* by service index - 1 */
};

struct vns_stack {
	struct vns_stack_conf conf;
	struct vns_shared *sh;
	struct vns_stack_stats stats;
	uint64_t hz;
	uint64_t now;         /* tsc of the current call */
	struct vns_txbuf *tx; /* the current call's, for the services' sends */

	struct vns_flow_table ft;
	struct vns_timer_wheel tw;

	/* TCP */
	uint32_t tx_seg_max;   /* payload bytes that fit in one conf.pool mbuf with headers */
	uint64_t iss_tick_tsc; /* RFC 6528's 4 us ISS clock, in TSC cycles */
	uint32_t ooo_mbufs;    /* payload mbufs held across all flows */
	uint32_t ooo_mbufs_max;
	uint32_t ackq[VNS_ACKQ_MAX];     /* pending ACKs, flushed once per burst */
	uint64_t ackq_tsc[VNS_ACKQ_MAX]; /* when each was listed (the in-order hold) */
	uint32_t ackq_n;
	uint64_t ack_hold_tsc;    /* VNS_ACK_HOLD_US in TSC cycles */
	uint64_t chal_window_tsc; /* RFC 5961 §7 challenge ACK budget: this second's start */
	uint32_t chal_budget;     /* and what is left of it */
	struct vns_snd_pool snd;  /* bulk senders (vns_snd.h) */

	/* active open (vns_tcp_connect.c, vns_arp.c) */
	struct vns_arp_cache arp;
	uint16_t eph_next; /* the next ephemeral port to try; 0 until the first connect */

	/* connected UDP flows (vns_udp_connect): dense, n_udpc in use */
	struct vns_udp_conn {
		rte_be32_t ip;
		rte_be16_t port;
		rte_be16_t local_port;
		uint8_t svc; /* index + 1 */
	} udpc[VNS_UDP_CONN_MAX];
	uint32_t n_udpc;

	/* closed-connection records (SP/SC: this lcore produces, one reader drains) */
	struct rte_ring *closed;

	/* the services bound on this stack; a flow's svc is an index into it + 1 */
	struct vns_svc svc[VNS_SVC_MAX];
	uint8_t nb_svc;
};

#define VNS_STAT_INC(st, name)    ((st)->stats.name++)
#define VNS_STAT_ADD(st, name, v) ((st)->stats.name += (v))

/* vns_eth.c */
void vns_eth_input(struct vns_stack *st, struct rte_mbuf *m, struct vns_txbuf *tx);

/* vns_tcp_connect.c: a free ephemeral port towards ip:port (network order) for TCP, or for
 * UDP (no connected UDP flow uses it); 0 when none is. */
rte_be16_t vns_eph_port_pick(struct vns_stack *st, rte_be32_t ip, rte_be16_t port, bool udp);
/* vns_udp.c: true when a connected UDP flow uses local port lport. */
bool vns_udp_port_used(const struct vns_stack *st, rte_be16_t lport);

/* vns_udp.c: the datagram at l4_off (l4_len bytes of IP payload, the IPv4 header checked);
 * consumes m. */
void vns_udp_input(struct vns_stack *st, struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		   uint32_t l4_off, uint32_t l4_len, const struct rte_ether_addr *src_mac);

/* Queues m for the loop to send; a full buffer frees it. 0, or -1 when dropped. */
static inline int
vns_tx_push(struct vns_stack *st, struct vns_txbuf *tx, struct rte_mbuf *m)
{
	if (unlikely(tx->n >= VNS_TXBUF_MAX)) {
		VNS_STAT_INC(st, drop_txbuf_full);
		rte_pktmbuf_free(m);
		return -1;
	}
	tx->pkts[tx->n++] = m;
	VNS_STAT_INC(st, tx_pkts);
	return 0;
}

/* The services: the stack calls them only through their ops table. */

/* The index of the service listening on port (network order), 0: none. */
static inline uint8_t
vns_svc_for_port(const struct vns_stack *st, rte_be16_t port)
{
	uint8_t i;

	for (i = 0; i < st->nb_svc; i++)
		if (st->svc[i].port == port && port != 0)
			return st->svc[i].index;
	return 0;
}

static inline struct vns_svc *
vns_svc_of(struct vns_stack *st, const struct vns_flow *f)
{
	return &st->svc[f->svc - 1];
}

#endif /* VNS_STACK_CORE_H */
