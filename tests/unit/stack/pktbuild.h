/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet builder and parser for the stack's unit tests and fuzz drivers: Ethernet/IPv4/TCP
 * with options, good or deliberately wrong checksums, single mbufs or chains (LRO-style),
 * plus ARP and ICMP echo. Addresses are host order in the API.
 */
#ifndef PKTBUILD_H
#define PKTBUILD_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define PB_FIN 0x01
#define PB_SYN 0x02
#define PB_RST 0x04
#define PB_PSH 0x08
#define PB_ACK 0x10

struct pb_tcp {
	struct rte_ether_addr src_mac;
	struct rte_ether_addr dst_mac;
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t win;
	uint16_t mss; /* 0: no MSS option */
	int ws;       /* < 0: no window scale option */
	int sack_perm;
	int ts; /* timestamps option present */
	uint32_t tsval;
	uint32_t tsecr;
	uint32_t sack[4][2]; /* SACK blocks to send (nsack of them) */
	int nsack;
	const uint8_t *payload;
	uint32_t plen;
	int bad_ip_csum;
	int bad_tcp_csum;
	uint32_t seg_size; /* > 0: chain of mbufs holding at most this many bytes each */
	uint64_t ol_flags; /* rx flags to set (RTE_MBUF_F_RX_LRO, checksum status) */
	uint32_t eth_pad;  /* trailing Ethernet padding bytes */
};

/* Sets addresses to the test defaults (client 198.18.0.2 -> stack 198.18.0.1). */
void pb_tcp_defaults(struct pb_tcp *p);

/* Returns the frame length written to buf (at most cap), 0 if it does not fit. */
uint32_t pb_tcp_frame(const struct pb_tcp *p, uint8_t *buf, uint32_t cap);
struct rte_mbuf *pb_tcp_mbuf(struct rte_mempool *mp, const struct pb_tcp *p);
struct rte_mbuf *pb_raw_mbuf(struct rte_mempool *mp, const uint8_t *frame, uint32_t len,
			     uint32_t seg_size, uint64_t ol_flags);
/* An ARP frame (op: RTE_ARP_OP_*) from smac/sip to dmac/tip; dmac NULL: to the broadcast,
 * target hardware address unknown. */
struct rte_mbuf *pb_arp(struct rte_mempool *mp, uint16_t op, const struct rte_ether_addr *smac,
			const struct rte_ether_addr *dmac, uint32_t sip, uint32_t tip);
struct rte_mbuf *pb_arp_request(struct rte_mempool *mp, const struct rte_ether_addr *smac,
				uint32_t sip, uint32_t tip);
struct rte_mbuf *pb_icmp_echo(struct rte_mempool *mp, const struct rte_ether_addr *smac,
			      const struct rte_ether_addr *dmac, uint32_t sip, uint32_t dip,
			      uint16_t id, uint16_t seq, uint32_t plen);

/* A UDP datagram from sip:sport to dip:dport; csum: 1 right, 0 none (zero field), -1 wrong.
 * ulen_delta is added to the UDP length field (a lying header). */
struct rte_mbuf *pb_udp_mbuf(struct rte_mempool *mp, const struct rte_ether_addr *smac,
			     const struct rte_ether_addr *dmac, uint32_t sip, uint16_t sport,
			     uint32_t dip, uint16_t dport, const void *data, uint32_t len, int csum,
			     int ulen_delta);

struct pb_parsed {
	uint16_t ether_type;
	struct rte_ether_addr src_mac;
	struct rte_ether_addr dst_mac;
	/* ARP */
	uint16_t arp_op;
	uint32_t arp_sip;
	uint32_t arp_tip;
	struct rte_ether_addr arp_sha;
	/* IPv4 */
	uint8_t proto;
	uint8_t ihl; /* bytes */
	uint32_t src_ip;
	uint32_t dst_ip;
	int ip_csum_ok;
	/* ICMP */
	uint8_t icmp_type;
	int icmp_csum_ok;
	uint16_t icmp_id;
	uint16_t icmp_seq;
	/* TCP, and UDP (sport, dport, tcp_csum_ok: the UDP checksum, plen, payload) */
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t win;
	int tcp_csum_ok;
	uint16_t mss; /* 0: absent */
	int ws;       /* -1: absent */
	int sack_perm;
	int ts;
	uint32_t tsval;
	uint32_t tsecr;
	int nsack;
	uint32_t sack[4][2];
	uint16_t tso_segsz; /* the TSO piece size the frame asks for, 0: none */
	uint32_t plen;      /* payload bytes; the first 9000 at most are in payload */
	uint8_t payload[9000];
};

/* Parses a frame the stack produced. Checksums are verified in software unless the mbuf
 * asks for offload (then the pseudo-header sum the offload needs is checked). */
int pb_parse(const struct rte_mbuf *m, struct pb_parsed *out);

#endif /* PKTBUILD_H */
