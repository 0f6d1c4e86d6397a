/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_udp: the stack's UDP (RFC 768) receive path, a small send for replies and a burst send
 * of equal-length datagrams whose payload is mostly a shared read-only pattern. A datagram
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

#include <stddef.h>
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
 * Connected UDP flows: a service that talks from a local port of its own (a client's
 * ephemeral port, as a connect()ed socket does) gets the datagrams of that 4-tuple on its
 * datagram callback, whatever port it is bound on. At most VNS_UDP_CONN_MAX per stack, in
 * the stack's own table (share-nothing: the client's traffic stays on the queue it runs on);
 * a datagram to a connected flow is found by one compare per flow, before the listening
 * ports. Made and removed from service callbacks.
 */
#define VNS_UDP_CONN_MAX 128

/*
 * Connects the calling service to ip:port from a free ephemeral port (one no service listens
 * on, no connected flow uses, RFC 6335's dynamic range) and fills *peer for vns_udp_send*()
 * (the peer's MAC from the stack's ARP cache). 0; -EINVAL (bad address), -EAGAIN (the MAC is
 * not known yet: a request went out, try again), -ENOBUFS (table full), -EADDRINUSE.
 */
int vns_udp_connect(struct vns_svc *svc, rte_be32_t ip, rte_be16_t port, struct vns_udp_peer *peer);
/* Removes the flow vns_udp_connect() gave peer; its datagrams go to the listening ports
 * again (none: udp_no_port). */
void vns_udp_disconnect(struct vns_svc *svc, const struct vns_udp_peer *peer);

/*
 * Sends len bytes (at most what one conf.pool mbuf holds after the headers, and the MTU) in
 * one datagram from peer->local_port to peer, on the calling stack's tx buffer. Only from a
 * service callback (inside vns_stack_input/vns_stack_poll). 0, -EMSGSIZE, or -ENOBUFS (pool
 * empty: drop_nombuf; tx buffer full: drop_txbuf_full).
 */
int vns_udp_send(struct vns_svc *svc, const struct vns_udp_peer *peer, const void *data,
		 uint32_t len);

/* The largest datagram payload the calling stack sends and receives whole: its MTU less the
 * IPv4 and UDP headers (IPv4 fragments are dropped on receive and never sent). */
uint32_t vns_udp_payload_max(const struct vns_svc *svc);

/*
 * Bulk datagrams. A pattern is a read-only payload area the stack attaches to datagrams
 * without copying them (a DPDK external buffer, reference counted per datagram), when the
 * port takes chained mbufs (VNS_TXOFF_MULTI_SEGS); otherwise its bytes are copied. Made and
 * freed on the control path; vns_udp_pattern_free() drops the creator's reference, and the
 * area goes when the last datagram that uses it has left the device. One stack sends with a
 * pattern (it caches the sum of the prefix last sent).
 */
struct vns_udp_pattern;

struct vns_udp_pattern *vns_udp_pattern_create(uint32_t len, int socket_id, char *err,
					       size_t errlen);
void vns_udp_pattern_free(struct vns_udp_pattern *pat);

/* Bytes of a datagram's head vns_udp_send_burst() copies (the rest is the pattern's). */
#define VNS_UDP_HEAD_MAX 64

/*
 * Datagrams the calling stack may still queue in this call's tx buffer: what is free, less
 * a reserve kept for the stack's own frames (ACKs, ARP, replies), which bulk datagrams must
 * never crowd out. Only from a service callback.
 */
uint16_t vns_udp_tx_room(const struct vns_svc *svc);

/*
 * Queues up to n datagrams to peer, each of hlen + plen payload bytes: head i (hlen <=
 * VNS_UDP_HEAD_MAX bytes at heads + i * hlen, copied) followed by the first plen bytes of
 * pat (plen <= its length; attached or copied, above). hlen + plen <= vns_udp_payload_max().
 * Returns how many were queued, in order: fewer than n when the tx room or the pool runs
 * out (drop_nombuf), 0 for a bad length. Only from a service callback.
 */
uint16_t vns_udp_send_burst(struct vns_svc *svc, const struct vns_udp_peer *peer,
			    const uint8_t *heads, uint32_t hlen, struct vns_udp_pattern *pat,
			    uint32_t plen, uint16_t n);

#endif /* VNS_UDP_H */
