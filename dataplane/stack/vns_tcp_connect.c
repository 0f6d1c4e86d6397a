/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Active open: vns_conn_connect() (vns_conn.h), the ephemeral port allocator and SYN-SENT
 * (RFC 9293 §3.10.7.3). A connecting flow waits in SYN-SENT, first (with no peer MAC) for
 * the ARP answer (vns_arp.c), then for the SYN-ACK; its one timer drives both retries.
 * Simultaneous open (a SYN without ACK in SYN-SENT) is refused: a client talking to a
 * listening server never needs it. Once established the flow is like any other.
 *
 * Queues: the connection lives on the stack that opened it. The return traffic must land
 * on that queue; the app runs the client on a single queue (see dataplane/app), so no RSS
 * hash is involved.
 */
#include <errno.h>

#include <rte_random.h>

#include "vns_stack_core.h"

#define VNS_SYN_RTX_MAX  3     /* retransmissions: given up after 1 + 2 + 4 + 8 s */
#define VNS_EPH_PORT_MIN 49152 /* RFC 6335 §6: the dynamic ports */
#define VNS_EPH_PORT_MAX 65535

static void
send_syn(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	VNS_STAT_INC(st, syn_sent);
	vns_tcp_send_synack(st, f, tx);
}

/* RFC 6056 §3.3.1-like: a random start per stack, then sequential; a port is free when no
 * service listens on it and no flow uses the 4-tuple (TCP) or the port (UDP). 0 when none
 * is. */
rte_be16_t
vns_eph_port_pick(struct vns_stack *st, rte_be32_t ip, rte_be16_t port, bool udp)
{
	uint32_t n = VNS_EPH_PORT_MAX - VNS_EPH_PORT_MIN + 1, i;

	if (st->eph_next == 0)
		st->eph_next = (uint16_t)(VNS_EPH_PORT_MIN + rte_rand_max(n));
	for (i = 0; i < n; i++) {
		uint16_t p = st->eph_next;
		rte_be16_t be = rte_cpu_to_be_16(p);

		st->eph_next = p == VNS_EPH_PORT_MAX ? VNS_EPH_PORT_MIN : (uint16_t)(p + 1);
		if (vns_svc_for_port(st, be) != 0 ||
		    (udp ? vns_udp_port_used(st, be)
			 : vns_flow_lookup(&st->ft, vns_flow_key(ip, port, be)) != NULL))
			continue;
		return be;
	}
	return 0;
}

int
vns_conn_connect(struct vns_svc *svc, rte_be32_t ip, rte_be16_t port, struct vns_conn_handle *h)
{
	struct vns_stack *st = svc->st;
	uint16_t mss = (uint16_t)(st->conf.mtu - VNS_TCP_IPV4_HDRS);
	struct vns_flow *f;
	rte_be16_t lport;

	if (ip == 0 || ip == st->conf.ip || port == 0)
		return -EINVAL;
	lport = vns_eph_port_pick(st, ip, port, false);
	if (lport == 0)
		return -EADDRINUSE;
	if (st->ft.nb_free == 0) {
		struct vns_flow *old = vns_flow_twait_oldest(&st->ft);

		if (old != NULL) {
			VNS_STAT_INC(st, time_wait_evicted);
			vns_tcp_close_flow(st, old, VNS_CLOSE_EVICTED);
		}
	}
	f = vns_flow_alloc(&st->ft, vns_flow_key(ip, port, lport));
	if (f == NULL) {
		VNS_STAT_INC(st, drop_flow_table_full);
		return -ENOBUFS;
	}
	f->state = VNS_TCP_SYN_SENT;
	f->svc = svc->index;
	f->peer_ip = ip;
	f->peer_port = port;
	f->local_port = lport;
	vns_tcp_iss_init(st, f);
	f->snd_una = f->iss;
	f->snd_nxt = f->iss + 1;
	f->snd_max = f->snd_nxt;
	/* Our SYN offers all we do; the SYN-ACK's options settle it (vns_tcp_syn_options). */
	f->flags = VNS_FF_TS | VNS_FF_SACK | VNS_FF_WS;
	f->snd_mss = mss;
	f->rcv_mss = mss;
	f->open_tsc = st->now;
	f->last_rx_tsc = st->now;
	if (vns_arp_resolve(st, ip, &f->peer_mac, st->tx))
		send_syn(st, f, st->tx);
	vns_timer_arm(st, f, st->now + VNS_ARP_RETRY_MS * st->tw.tick_tsc);
	if (h != NULL)
		*h = vns_conn_handle_of(svc, &f->conn);
	return 0;
}

static void
connect_failed(struct vns_stack *st, struct vns_flow *f, enum vns_close_reason why)
{
	VNS_STAT_INC(st, connect_failed);
	vns_tcp_close_flow(st, f, why);
}

void
vns_tcp_connect_timeout(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	if (rte_is_zero_ether_addr(&f->peer_mac)) {
		if (++f->rtx_count >= VNS_ARP_TRIES) {
			connect_failed(st, f, VNS_CLOSE_UNREACH);
			return;
		}
		if (vns_arp_resolve(st, f->peer_ip, &f->peer_mac, tx)) {
			f->rtx_count = 0;
			send_syn(st, f, tx);
		}
		vns_timer_arm(st, f, st->now + VNS_ARP_RETRY_MS * st->tw.tick_tsc);
		return;
	}
	/* RFC 6298 §5.5 back-off from the 1 s initial RTO (§2.1). */
	if (f->rtx_count >= VNS_SYN_RTX_MAX) {
		connect_failed(st, f, VNS_CLOSE_TIMEOUT);
		return;
	}
	f->rtx_count++;
	send_syn(st, f, tx);
	vns_timer_arm(st, f, st->now + (st->hz << f->rtx_count));
}

void
vns_tcp_connect_resolved(struct vns_stack *st, rte_be32_t ip, struct vns_txbuf *tx)
{
	struct rte_ether_addr mac;
	uint32_t i;

	for (i = 0; i < st->ft.max_flows; i++) {
		struct vns_flow *f = &st->ft.flows[i];

		if (f->state != VNS_TCP_SYN_SENT || f->peer_ip != ip ||
		    !rte_is_zero_ether_addr(&f->peer_mac) || (f->flags & VNS_FF_DEAD))
			continue;
		if (!vns_arp_resolve(st, ip, &mac, tx))
			return;
		f->peer_mac = mac;
		f->rtx_count = 0;
		send_syn(st, f, tx);
		vns_timer_arm(st, f, st->now + st->hz);
	}
}

/* RFC 9293 §3.10.7.3. */
void
vns_tcp_syn_sent_input(struct vns_stack *st, struct vns_flow *f, const struct vns_tcp_seg *seg,
		       struct vns_txbuf *tx)
{
	const struct rte_tcp_hdr *th = seg->th;
	uint8_t fl = th->tcp_flags;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);
	uint32_t ack = rte_be_to_cpu_32(th->recv_ack);
	struct vns_svc *svc;

	/* First: an ACK of anything but our SYN gets a RST (unless it is one) and is dropped. */
	if ((fl & RTE_TCP_ACK_FLAG) && (VNS_SEQ_LEQ(ack, f->iss) || VNS_SEQ_GT(ack, f->snd_nxt))) {
		VNS_STAT_INC(st, drop_unacceptable);
		if (!(fl & RTE_TCP_RST_FLAG))
			vns_tcp_send_rst_reply(st, seg, tx);
		return;
	}
	/* Second: a RST counts only with an acceptable ACK; the connection is refused. */
	if (fl & RTE_TCP_RST_FLAG) {
		if (fl & RTE_TCP_ACK_FLAG) {
			VNS_STAT_INC(st, rst_rcvd);
			connect_failed(st, f, VNS_CLOSE_REFUSED);
		} else {
			VNS_STAT_INC(st, drop_unacceptable);
		}
		return;
	}
	/* Fourth: a SYN. Without our SYN acknowledged it is a simultaneous open: refused
	 * (dropped; our SYN is retransmitted). Anything else is dropped. */
	if (!(fl & RTE_TCP_SYN_FLAG) || !(fl & RTE_TCP_ACK_FLAG)) {
		VNS_STAT_INC(st, drop_unacceptable);
		return;
	}
	f->irs = seq;
	f->rcv_nxt = seq + 1;
	f->snd_una = ack;
	vns_tcp_syn_options(st, f, th);
	/* RFC 7323 §2.2: the window of a SYN is never scaled. */
	f->snd_wnd = rte_be_to_cpu_16(th->rx_win);
	f->max_snd_wnd = f->snd_wnd;
	f->snd_wl1 = seq;
	f->snd_wl2 = ack;
	f->state = VNS_TCP_ESTABLISHED;
	f->rtx_count = 0;
	f->last_rx_tsc = st->now;
	VNS_STAT_INC(st, flows_opened);
	/* Data or a FIN on the SYN-ACK is not taken: it is not acknowledged, the peer sends it
	 * again once the connection is established. */
	vns_tcp_send_ack(st, f, tx);
	/* The generic timer: idle expiry, and the retransmission of what the service sends. */
	vns_timer_arm(st, f, st->now + st->hz);
	svc = vns_svc_of(st, f);
	if (svc->ops->open != NULL)
		svc->ops->open(svc, &f->conn);
}
