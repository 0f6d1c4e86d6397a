/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_udp: the stack's UDP (RFC 768) receive path and a small send for replies. A datagram
 * to a port whose bound service has a datagram callback (vns_service_ops.datagram) is handed
 * to it; every other datagram is counted (udp_no_port) and dropped, without an ICMP port
 * unreachable. The UDP port space is the TCP one's: a service bound on port P gets both
 * its connections and its datagrams (iperf3 3.12 runs its UDP streams on the control port).
 *
 * Share-nothing: a datagram is handled on the queue it arrived on; with RSS one UDP flow
 * (one 4-tuple) stays on one queue, so a service may keep per-flow state per stack.
 */
#ifndef VNS_UDP_H
#define VNS_UDP_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

struct vns_svc;

/* Who sent a datagram, and where to answer it: a copy the service may keep. */
struct vns_udp_peer {
	rte_be32_t ip;
	rte_be16_t port;
	rte_be16_t local_port;
	struct rte_ether_addr mac; /* replies go to the sender's MAC (no ARP cache) */
};

/*
 * Sends len bytes (at most what one conf.pool mbuf holds after the headers, and the MTU) in
 * one datagram from peer->local_port to peer, on the calling stack's tx buffer. Only from a
 * service callback (inside vns_stack_input/vns_stack_poll). 0, -EMSGSIZE, or -ENOBUFS (pool
 * empty: drop_nombuf; tx buffer full: drop_txbuf_full).
 */
int vns_udp_send(struct vns_svc *svc, const struct vns_udp_peer *peer, const void *data,
		 uint32_t len);

#endif /* VNS_UDP_H */
