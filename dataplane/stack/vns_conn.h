/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_conn: what a service may do with one of its TCP connections (lwIP's tcp_write(),
 * tcp_output(), tcp_close(), tcp_abort() and tcp_arg() split). The stack owns the
 * connection; a service sees only its private area (struct vns_conn) and acts through the
 * functions below, so it never reads or writes a TCP field.
 *
 * Context: these run on the lcore that owns the connection's stack, inside one of the
 * service's callbacks (vns_service.h); never from another thread. A struct vns_conn pointer
 * is valid until the service's closed() callback for it returns (or until vns_conn_detach());
 * to refer to a connection later, from a message another lcore sends, keep its handle.
 */
#ifndef VNS_CONN_H
#define VNS_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

struct vns_svc;

#define VNS_CONN_PRIV_MAX 64

/*
 * A connection as its service sees it: the service's private area, zeroed when the SYN
 * arrives. Each service casts it to its own struct, guarded by
 * _Static_assert(sizeof(struct my_conn) <= VNS_CONN_PRIV_MAX).
 */
struct vns_conn {
	_Alignas(8) uint8_t priv[VNS_CONN_PRIV_MAX];
};

static inline void *
vns_conn_priv(struct vns_conn *c)
{
	return c->priv;
}

static inline const void *
vns_conn_priv_const(const struct vns_conn *c)
{
	return c->priv;
}

/* A reference that survives the connection: a reused slot has another gen. */
struct vns_conn_handle {
	uint32_t idx;
	uint32_t gen;
};

/* A handle that never names a connection. */
#define VNS_CONN_HANDLE_NONE ((struct vns_conn_handle){ .idx = UINT32_MAX, .gen = 0 })

struct vns_conn_info {
	rte_be32_t peer_ip;
	rte_be16_t peer_port;
	rte_be16_t local_port;
	uint64_t open_tsc;     /* when the SYN arrived */
	uint64_t last_rx_tsc;  /* when its last segment arrived */
	uint64_t bytes;        /* in-order payload bytes received */
	uint32_t snd_queued;   /* bytes queued by vns_conn_send() and not yet acknowledged */
	uint32_t snd_room;     /* bytes vns_conn_send() can still queue */
	uint64_t bulk_sent;    /* bulk payload bytes sent at least once */
	uint64_t bulk_acked;   /* bulk payload bytes acknowledged */
	uint32_t retrans_segs; /* bulk segments retransmitted */
	uint32_t cwnd;         /* congestion window, bytes (0: no bulk sender) */
	uint32_t srtt_us;      /* smoothed RTT (0: no sample yet) */
};

/*
 * Opens a TCP connection from the stack's address to ip:port (network order) for svc, from
 * a local ephemeral port the stack picks (49152-65535). Established: svc->ops->open();
 * refused (RST: VNS_CLOSE_REFUSED), unreachable (no ARP answer in 3 s: VNS_CLOSE_UNREACH)
 * or timed out (SYN retransmitted 3 times: VNS_CLOSE_TIMEOUT): svc->ops->closed(). The
 * private area is zero and may be written at once (vns_conn_from_handle(svc, *h)).
 * 0 and *h, or -errno (-ENOBUFS: no free flow; -EINVAL: a bad address or port;
 * -EADDRINUSE: no ephemeral port free for that peer).
 */
int vns_conn_connect(struct vns_svc *svc, rte_be32_t ip, rte_be16_t port,
		     struct vns_conn_handle *h);

/*
 * Queues len bytes behind what is queued already; nothing is sent before vns_conn_output(),
 * so pieces queued together share segments. -ENOBUFS when the send buffer lacks room or the
 * connection has queued its FIN (counted in the stack's drop_txbuf_full).
 */
int vns_conn_send(struct vns_svc *svc, struct vns_conn *c, const void *data, uint32_t len);
/* Sends what the peer's window allows of the queued bytes; retransmission is the stack's. */
void vns_conn_output(struct vns_svc *svc, struct vns_conn *c);
/* FIN after the queued bytes, sent now if the window allows. */
void vns_conn_close(struct vns_svc *svc, struct vns_conn *c);
/*
 * RST now. The connection is freed on the next poll (never under the caller) with reason
 * VNS_CLOSE_ABORTED; until then its segments are ignored. Queued bytes are dropped and the
 * stack stops using a buffer given with vns_conn_set_sndbuf().
 */
void vns_conn_abort(struct vns_svc *svc, struct vns_conn *c);
/*
 * Send buffer: buf of cap bytes owned by the service, or NULL for the connection's own small
 * inline buffer (VNS_SNDBUF_INLINE bytes, the default). Queued bytes are forgotten.
 */
void vns_conn_set_sndbuf(struct vns_conn *c, uint8_t *buf, uint32_t cap);
/*
 * Moves what is queued and not yet acknowledged into the connection's inline buffer, so that
 * the service's buffer may be reused while those bytes (and a few more, up to
 * VNS_SNDBUF_INLINE in all) still go out in order. 0, or -ENOBUFS when they do not fit.
 */
int vns_conn_sndbuf_inline(struct vns_conn *c);
/*
 * want: data() gets the mbuf of every delivered byte and out-of-order segments are stored
 * with their payload (bounded per lcore). !want (the default): data() gets m == NULL and the
 * out-of-order store keeps sequence ranges only. Turn it on in open(); turning it off frees
 * what is stored.
 */
void vns_conn_set_payload(struct vns_svc *svc, struct vns_conn *c, bool want);
/* exempt: the connection is not closed after the idle timeout (the service bounds it). */
void vns_conn_set_idle_exempt(struct vns_conn *c, bool exempt);
/*
 * The service lets go: the connection stays open as a count-only sink, the service gets no
 * more callbacks for it and its handle no longer finds it.
 */
void vns_conn_detach(struct vns_conn *c);
void vns_conn_info(const struct vns_conn *c, struct vns_conn_info *info);

#define VNS_CONN_BULK_UNLIMITED UINT64_MAX
/*
 * The stack sends `bytes` bytes (VNS_CONN_BULK_UNLIMITED: until vns_conn_bulk_stop()) from
 * its read-only pattern area as fast as congestion control and the peer's window allow; the
 * service copies nothing. -EBUSY when vns_conn_send() bytes are queued on the connection (or
 * a bulk is already attached, or the connection is closing), -ENOBUFS when the stack's
 * sender pool is exhausted (or the stack has none: max_senders 0). Call it in open() or
 * later. A connection with a bulk attached refuses vns_conn_send(); vns_conn_close() sends
 * the FIN after the bulk's last byte (after vns_conn_bulk_stop() for an unlimited one).
 */
int vns_conn_bulk_start(struct vns_svc *svc, struct vns_conn *c, uint64_t bytes);
/*
 * No new bytes after those already sent (what is in flight is still delivered and
 * retransmitted). Returns the payload bytes sent at least once: iperf3's sender byte count.
 * 0 on a connection without a bulk.
 */
uint64_t vns_conn_bulk_stop(struct vns_svc *svc, struct vns_conn *c);
struct vns_conn_handle vns_conn_handle_of(const struct vns_svc *svc, const struct vns_conn *c);
/* The service's live connection the handle names, or NULL. */
struct vns_conn *vns_conn_from_handle(struct vns_svc *svc, struct vns_conn_handle h);

#endif /* VNS_CONN_H */
