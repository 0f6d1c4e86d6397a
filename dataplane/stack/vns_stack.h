/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_stack: the per-lcore protocol stack of vnetsink (Ethernet/ARP/ICMP/IPv4/TCP sink) and
 * the services the app binds to its ports (vns_service.h). The app's per-queue loop owns one
 * stack instance and is the only caller of its functions; stacks share nothing but a
 * vns_shared object whose cross-lcore traffic goes through rte_ring messages (never shared
 * writes in the loop).
 *
 * Loop contract (see dataplane/app/vns_worker.c):
 *     n = port rx burst(q, pkts, 32)
 *     vns_stack_input(st, pkts, n, now, &tx)     every mbuf is consumed (kept or freed)
 *     vns_stack_poll(st, now, &tx)                  timers, delayed ACKs, ring messages
 *     port tx burst(q, tx.pkts, tx.n); the loop frees what the port did not take
 * now is rte_rdtsc() (all lcores must share one TSC: services compare times across lcores).
 * The stack needs vns_stack_poll at least every millisecond or so for its timers; both
 * entry points flush the ACKs a burst left pending, so ACKs are never later than one loop.
 *
 * Any thread may call, concurrently with the loop: vns_stack_stats_get(),
 * vns_stack_svc_stats(), vns_stack_nb_flows(), vns_stack_flows_foreach(); ONE thread may call
 * vns_stack_drain_closed(). Create/free run on the main lcore while the loops are stopped.
 * Errors: create functions return NULL with one line (what failed, what to do) in err.
 * Details: dataplane/stack/README.md.
 */
#ifndef VNS_STACK_H
#define VNS_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define VNS_TXBUF_MAX 256

#define VNS_SEND_WINDOW_DEFAULT (4u << 20)
#define VNS_SEND_WINDOW_MIN     (64u << 10)
#define VNS_SEND_WINDOW_MAX     (1u << 30) /* 65535 << 14, RFC 7323's largest window */
#define VNS_MAX_SENDERS_MAX     65536

/*
 * Out-of-order payload a stack may hold, in mbufs (a chained LRO segment counts every mbuf of
 * its chain): at most VNS_STACK_OOO_MBUFS per stack and VNS_STACK_OOO_FLOW_MBUFS per flow. A
 * pool sized with VNS_STACK_OOO_MBUFS per stack on top of its rx rings and tx buffers keeps
 * the rx refill and the ACKs supplied whatever the peers send.
 */
#define VNS_STACK_OOO_MBUFS      512
#define VNS_STACK_OOO_FLOW_MBUFS 128

/* Packets the stack wants sent; filled by the stack, drained by the loop. */
struct vns_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[VNS_TXBUF_MAX];
};

/* What the port can offload on transmit (the stack then leaves checksums to it). */
#define VNS_TXOFF_IPV4_CKSUM (1u << 0)
#define VNS_TXOFF_TCP_CKSUM  (1u << 1)
#define VNS_TXOFF_TCP_TSO    (1u << 2) /* TCP segmentation (with TCP_CKSUM) */
#define VNS_TXOFF_MULTI_SEGS (1u << 3) /* chained mbufs */

struct vns_service_ops; /* vns_service.h */

/* A service on a port. Port 0: the service runs (its counters exist) but nothing listens. */
struct vns_service_bind {
	uint16_t port; /* host order */
	const struct vns_service_ops *ops;
	const void *conf; /* the service's configuration, read by vns_stack_create() */
};

struct vns_stack_conf {
	rte_be32_t ip; /* our IPv4 address, network order */
	struct rte_ether_addr mac;
	uint32_t max_flows;       /* per lcore; memory is bounded by this */
	struct rte_mempool *pool; /* for ACKs and the services' replies */
	uint16_t queue_id;
	uint32_t tx_offloads; /* VNS_TXOFF_* */
	uint16_t mtu;         /* 576..9000; 0: 1500 */
	/* Bulk senders (vns_conn_bulk_start) per lcore, 0: none (and no memory for them), and
	 * the bytes each may have in flight at most (0: VNS_SEND_WINDOW_DEFAULT). */
	uint32_t max_senders;
	uint32_t send_window;
	/* The device's tx descriptors per queue, which bound the frames it holds of ours (the
	 * bulk senders' pool is sized from it); 0: unknown (VNS_SND_RING_GUESS). */
	uint16_t tx_ring_size;
	/* With VNS_TXOFF_TCP_TSO: the largest frame (headers + one segment) the device cuts,
	 * 0: the MTU plus the Ethernet header. DPDK 22.11's net_tap counts the Ethernet header
	 * against its MTU. */
	uint16_t tso_frame_max;
	/* The services, at most 8 on distinct ports, copied by vns_stack_create(); every stack
	 * of one vns_shared binds the same services in the same order. A port no service is
	 * bound to answers SYNs with a RST. */
	const struct vns_service_bind *services;
	uint8_t nb_services;
};

struct vns_shared; /* created once on the main lcore, shared by all stacks */
struct vns_stack;  /* one per queue lcore */

struct vns_shared *vns_shared_create(uint16_t nb_queues, int socket_id, char *err, size_t errlen);
void vns_shared_free(struct vns_shared *sh);

struct vns_stack *vns_stack_create(const struct vns_stack_conf *conf, struct vns_shared *sh,
				   int socket_id, char *err, size_t errlen);
void vns_stack_free(struct vns_stack *st);
/* The bulk senders' mbuf pool of the stack: its mbufs and their bytes (0, 0: no pool). */
void vns_stack_snd_pool_size(const struct vns_stack *st, uint32_t *mbufs, uint64_t *bytes);

void vns_stack_input(struct vns_stack *st, struct rte_mbuf **pkts, uint16_t n, uint64_t now_tsc,
		     struct vns_txbuf *tx);
void vns_stack_poll(struct vns_stack *st, uint64_t now_tsc, struct vns_txbuf *tx);

/* Counters per stack (single writer: the owning lcore; readers take snapshots). */
#define VNS_STACK_STATS(X)                                                      \
	X(rx_pkts, "frames in")                                                 \
	X(rx_bytes, "bytes in (L2)")                                            \
	X(tcp_payload_bytes, "TCP payload bytes accepted in order")             \
	X(tx_pkts, "frames queued for transmit")                                \
	X(arp_replies, "ARP replies sent")                                      \
	X(arp_requests, "ARP requests sent (active open)")                      \
	X(arp_learned, "ARP answers to our requests")                           \
	X(syn_sent, "SYNs sent (active open, retransmissions included)")        \
	X(connect_failed, "active opens refused, unreachable or timed out")     \
	X(icmp_echo_replies, "ICMP echo replies sent")                          \
	X(flows_opened, "TCP connections established")                          \
	X(flows_closed, "TCP connections closed")                               \
	X(drop_malformed, "malformed frames dropped")                           \
	X(drop_bad_csum, "bad IPv4/TCP checksum dropped")                       \
	X(drop_not_ours, "frames for other hosts or ports")                     \
	X(drop_nombuf, "reply not sent: mempool empty")                         \
	X(drop_flow_table_full, "SYN refused: flow table full")                 \
	X(ooo_segments, "out-of-order segments stored")                         \
	X(dup_segments, "duplicate segments")                                   \
	X(challenge_acks, "RFC 5961 challenge ACKs sent")                       \
	X(acks_sent, "ACKs sent")                                               \
	X(drop_frag, "IPv4 fragments dropped")                                  \
	X(drop_proto, "unsupported L3/L4 protocol dropped")                     \
	X(drop_txbuf_full, "reply not sent: tx buffer full")                    \
	X(drop_paws, "segments rejected by PAWS (RFC 7323)")                    \
	X(drop_unacceptable, "segments outside the window")                     \
	X(drop_ooo_full, "out-of-order segments not stored: store full")        \
	X(drop_ring_full, "cross-lcore message not sent: ring full")            \
	X(challenge_ack_limited, "challenge ACKs suppressed by the rate limit") \
	X(syn_rcvd, "SYNs for new connections")                                 \
	X(syn_retrans, "retransmitted SYNs answered")                           \
	X(syn_evicted, "half-open connections evicted (SYN flood defence)")     \
	X(rst_rcvd, "connections reset by the peer")                            \
	X(rst_sent, "RSTs sent")                                                \
	X(data_retrans, "control data/FIN retransmissions")                     \
	X(bulk_segs, "bulk data segments sent (a TSO segment counts once)")     \
	X(bulk_bytes, "bulk payload bytes sent for the first time")             \
	X(bulk_bytes_acked, "bulk payload bytes acknowledged")                  \
	X(bulk_retrans, "bulk segments retransmitted")                          \
	X(bulk_rto, "bulk retransmission timeouts")                             \
	X(bulk_recoveries, "bulk SACK/dup-ACK loss recoveries entered")         \
	X(bulk_probes, "bulk zero-window probes sent")                          \
	X(bulk_no_sender, "bulk starts refused: sender pool exhausted")         \
	X(bad_ack_beyond, "ACKs beyond SND.MAX ignored (RFC 5961 §5.2)")        \
	X(bad_wnd, "window updates retracting the right edge ignored")          \
	X(bad_sack, "SACK blocks outside [SND.UNA, SND.MAX] ignored")           \
	X(flows_aborted, "connections aborted on timeout")                      \
	X(large_segments, "segments larger than the MSS (LRO/GSO)")             \
	X(closed_rec_lost, "closed-connection records lost: ring full")         \
	X(time_wait_evicted, "TIME-WAIT connections evicted: set full")         \
	X(time_wait_reused, "TIME-WAIT connections reopened by a newer SYN")    \
	X(drop_bad_addr, "frames from an invalid source or sent to broadcast")  \
	X(drop_vlan, "VLAN-tagged frames dropped (no VLAN support)")            \
	X(udp_datagrams, "UDP datagrams delivered to a service")                \
	X(udp_payload_bytes, "UDP payload bytes delivered to a service")        \
	X(udp_no_port, "UDP datagrams to a port with no datagram service")

#define VNS_STAT_FIELD(name, desc) uint64_t name;
struct vns_stack_stats {
	VNS_STACK_STATS(VNS_STAT_FIELD)
};
#undef VNS_STAT_FIELD

void vns_stack_stats_get(const struct vns_stack *st, struct vns_stack_stats *out);

/*
 * The counters of the services bound on st (each service's own table, vns_service.h), in
 * bind order: writes up to max names, descriptions and values (any of the three arrays may
 * be NULL) and returns how many there are. Names and order are fixed for the stack's life,
 * the same on every stack of one vns_shared; each value is one the counter really had.
 * Any thread.
 */
#define VNS_SVC_STATS_MAX 32 /* counters of all services on one stack */
unsigned int vns_stack_svc_stats(const struct vns_stack *st, const char **names, const char **descs,
				 uint64_t *values, unsigned int max);
uint32_t vns_stack_nb_flows(const struct vns_stack *st);
/* Of those, the flows in TIME-WAIT (closed by us first; they go within 60 s by themselves). */
uint32_t vns_stack_nb_time_wait(const struct vns_stack *st);

/* Why a connection (or a service's unit of work, as a test) ended, and its name in reports. */
#define VNS_CLOSE_REASONS(X)                                       \
	X(FIN, "fin")         /* orderly close */                  \
	X(RST, "rst")         /* peer reset */                     \
	X(TIMEOUT, "timeout") /* idle or retransmission timeout */ \
	X(EVICTED, "evicted") /* SYN flood defence */              \
	X(REFUSED, "refused") /* active open: our SYN got a RST */ \
	X(UNREACH, "unreach") /* active open: no ARP answer */     \
	X(ABORTED, "aborted") /* reset by its service, or the service gave up */

#define VNS_CLOSE_ENUM(name, str) VNS_CLOSE_##name,
enum vns_close_reason { VNS_CLOSE_REASONS(VNS_CLOSE_ENUM) VNS_CLOSE_NB_REASONS };
#undef VNS_CLOSE_ENUM

/* "fin", "rst", ...; "unknown" for a value that is no reason. */
const char *vns_close_reason_name(uint8_t reason);

/*
 * Closed records: what a service reports when one of its connections, or a unit of its work
 * (a test a client ran), ends. The stack only carries them: records of VNS_CLOSED_REC_SIZE bytes
 * whose layout and kinds are the services' (struct vns_closed_rec, vns_services.h). They sit
 * in a single-producer / single-consumer ring: ONE thread (the loop itself or the main lcore,
 * not both) may call vns_stack_drain_closed() concurrently with the loop; it copies up to max
 * records into recs. Up to 256 records wait; when nobody drains, newer records are dropped
 * and counted in closed_rec_lost.
 */
#define VNS_CLOSED_REC_SIZE 104
unsigned int vns_stack_drain_closed(struct vns_stack *st, void *recs, unsigned int max);

/*
 * Flow listing for telemetry. The callback gets a copy of each live flow's fields, read
 * without locks while the owning lcore may be writing them: each field is a valid recent
 * value, the set is not an atomic snapshot (a flow may show up closing or twice-counted
 * across calls). May be called from any thread; stop iterating by returning non-zero.
 */
struct vns_flow_info {
	rte_be32_t peer_ip;
	rte_be16_t peer_port;
	rte_be16_t local_port;
	const char *state; /* "SYN_RCVD", "ESTABLISHED", ... */
	const char *app;   /* "sink", or the service's name for what the connection does */
	uint64_t bytes;    /* in-order payload bytes */
	uint64_t age_us;
	uint64_t idle_us;       /* since the flow's last segment arrived */
	uint32_t rcv_nxt;       /* RCV.NXT - IRS: what a sender's bytes_acked + 1 should reach */
	uint32_t last_ack_sent; /* the last ACK number sent, relative to IRS as rcv_nxt */
	uint32_t ooo_entries;
};

typedef int (*vns_flow_cb)(const struct vns_flow_info *info, void *arg);
void vns_stack_flows_foreach(const struct vns_stack *st, vns_flow_cb cb, void *arg);

#endif /* VNS_STACK_H */
