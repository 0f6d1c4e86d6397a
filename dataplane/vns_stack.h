/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_stack: the per-lcore protocol stack of vnetsink (Ethernet/ARP/ICMP/IPv4/TCP sink,
 * iperf3 server, discard port). The app's per-queue loop owns one stack instance and is
 * the only caller of its functions; stacks share nothing but a vns_shared object whose
 * cross-lcore traffic goes through rte_ring messages (never shared writes in the loop).
 *
 * Loop contract (see dataplane/vns_worker.c):
 *     n = port rx burst(q, pkts, 32)
 *     vns_stack_input(st, pkts, n, now, &tx)     every mbuf is consumed (kept or freed)
 *     vns_stack_poll(st, now, &tx)                  timers, delayed ACKs, ring messages
 *     port tx burst(q, tx.pkts, tx.n); the loop frees what the port did not take
 */
#ifndef VNS_STACK_H
#define VNS_STACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define VNS_TXBUF_MAX 256

/* Packets the stack wants sent; filled by the stack, drained by the loop. */
struct vns_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[VNS_TXBUF_MAX];
};

/* What the port can offload on transmit (the stack then leaves checksums to it). */
#define VNS_TXOFF_IPV4_CKSUM (1u << 0)
#define VNS_TXOFF_TCP_CKSUM  (1u << 1)

struct vns_stack_conf {
	rte_be32_t ip;               /* our IPv4 address, network order */
	uint8_t prefix_len;
	struct rte_ether_addr mac;
	uint16_t iperf_port;         /* 5201; 0 disables the iperf3 server */
	uint16_t discard_port;       /* 0 disables the discard/integrity port */
	bool discard_sha256;         /* integrity mode: SHA-256 of each discard stream */
	uint32_t max_flows;          /* per lcore; memory is bounded by this */
	struct rte_mempool *pool;    /* for ACKs and control replies */
	uint16_t queue_id;
	uint16_t nb_queues;
	uint32_t tx_offloads;        /* VNS_TXOFF_* */
	uint16_t mtu;
};

struct vns_shared;  /* created once on the main lcore, shared by all stacks */
struct vns_stack;   /* one per queue lcore */

struct vns_shared *vns_shared_create(uint16_t nb_queues, int socket_id);
void vns_shared_free(struct vns_shared *sh);

struct vns_stack *vns_stack_create(const struct vns_stack_conf *conf, struct vns_shared *sh,
				   int socket_id);
void vns_stack_free(struct vns_stack *st);

void vns_stack_input(struct vns_stack *st, struct rte_mbuf **pkts, uint16_t n, uint64_t now_tsc,
		     struct vns_txbuf *tx);
void vns_stack_poll(struct vns_stack *st, uint64_t now_tsc, struct vns_txbuf *tx);

/* Counters per stack (single writer: the owning lcore; readers take snapshots). */
#define VNS_STACK_STATS(X)                                   \
	X(rx_pkts, "frames in")                                   \
	X(rx_bytes, "bytes in (L2)")                              \
	X(tcp_payload_bytes, "TCP payload bytes accepted in order") \
	X(tx_pkts, "frames queued for transmit")                  \
	X(arp_replies, "ARP replies sent")                        \
	X(icmp_echo_replies, "ICMP echo replies sent")            \
	X(flows_opened, "TCP connections established")            \
	X(flows_closed, "TCP connections closed")                  \
	X(drop_malformed, "malformed frames dropped")             \
	X(drop_bad_csum, "bad IPv4/TCP checksum dropped")          \
	X(drop_not_ours, "frames for other hosts or ports")        \
	X(drop_nombuf, "reply not sent: mempool empty")           \
	X(drop_flow_table_full, "SYN refused: flow table full")   \
	X(ooo_segments, "out-of-order segments stored")           \
	X(dup_segments, "duplicate segments")                      \
	X(challenge_acks, "RFC 5961 challenge ACKs sent")         \
	X(acks_sent, "ACKs sent")

#define VNS_STAT_FIELD(name, desc) uint64_t name;
struct vns_stack_stats { VNS_STACK_STATS(VNS_STAT_FIELD) };
#undef VNS_STAT_FIELD

void vns_stack_stats_get(const struct vns_stack *st, struct vns_stack_stats *out);
uint32_t vns_stack_nb_flows(const struct vns_stack *st);

#endif /* VNS_STACK_H */
