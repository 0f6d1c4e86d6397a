/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP input: the receive side of RFC 9293 §3.10.7 for a sink, with RFC 7323 (window scale,
 * timestamps, PAWS), RFC 2018 (SACK) and RFC 5961 (challenge ACKs).
 *
 * ACK policy, and why: a Linux sender grows cwnd only on ACKs and probes for tail loss after
 * about 2 x SRTT, so a late ACK on a short VM path shows up as retransmissions. Hence:
 *  - out-of-order, duplicate, gap-filling and larger-than-MSS (LRO/GSO) segments are ACKed
 *    at once (the sender needs SACK information and LRO means many segments), and so is
 *    every segment while data is held out of order (the sender is recovering);
 *  - in-order data is ACKed once per aggregate: a flow with unacknowledged data goes on the
 *    pending list and gets its ACK at the end of an rx burst (vns_tcp_flush_acks) once
 *    VNS_ACK_HOLD_US have passed since it was listed or VNS_ACK_STRETCH_MAX bytes wait,
 *    microseconds, never the 40-200 ms of a delayed-ACK timer. This is what a Linux
 *    receiver does in effect with GRO (one ACK per aggregate, up to 64 KB): RFC 5681 §4.2's
 *    ACK for every second full segment is a SHOULD, and a sender that counts bytes (RFC
 *    3465; Linux counts delivered segments) loses nothing by a stretch ACK, while each ACK it
 *    parses costs it a RACK/SACK pass. Without the hold, a loop that polls faster than the
 *    sender sends sees one frame per burst and ACKs every segment: the sender then keeps one
 *    or two segments in flight, and each loss among them is a tail loss that only its
 *    200 ms RTO repairs (tools/bench-sink -i, loss 1 %: 11-13 RTOs per 6 s run against 6
 *    with Linux's receiver). Two exceptions ACK every second full segment: the first
 *    VNS_QUICKACK_BYTES of a connection (slow start clocks out on ACKs; Linux's quick-ACK
 *    mode) and a burst that holds VNS_ACK_STRETCH_MAX unacknowledged bytes; and nothing is
 *    held while data waits out of order (the sender is recovering).
 *
 * Payload is only looked at for flows whose service needs the bytes (vns_conn_set_payload);
 * the others count. Out-of-order segments of those flows keep
 * their mbuf in a bounded per-flow store; for count-only flows the store holds sequence
 * ranges only.
 */
#include <stdbool.h>
#include <string.h>

#include <rte_random.h>

#include "vns_random.h"
#include "vns_stack_core.h"

#define VNS_CHALLENGE_ACKS_PER_SEC 100 /* per lcore, on average */
#define VNS_CHALLENGE_ACK_FLOW_MS  500 /* per flow: Linux's tcp_invalid_ratelimit */
#define VNS_IDLE_TIMEOUT_S         600
#define VNS_CLOSING_TIMEOUT_S      30
#define VNS_TIME_WAIT_S            60 /* 2 MSL, with Linux's MSL of 30 s */
#define VNS_SYNACK_RTX_MAX         3
/* PAWS tolerates a TSval this many ticks older than TS.Recent, as Linux does
 * (TCP_PAWS_WINDOW): a segment reordered behind a retransmission sent a tick later is new
 * data, not a wrapped old one (that would take 2^31 bytes within the tick). */
#define VNS_PAWS_WINDOW 1
/*
 * PAWS exists for one thing (RFC 7323 §5.1, §5.3): an old duplicate from an earlier wrap of
 * the sequence space, i.e. sent 2^31 or more bytes ago, must not pass for new data. After
 * reordering, a segment sent before the retransmission that moved TS.Recent arrives with an
 * older TSval, yet it is the only copy of bytes we lack; dropping it (R1 read literally, as
 * Linux does beyond its one tick) costs the sender a second retransmission, and under loss
 * plus reordering that is many. So a segment older than TS.Recent is still taken when it
 * brings bytes above RCV.NXT inside the window and its TSval is at or above the floor: a
 * TSval that set TS.Recent from a segment at paws_floor_seq, less than VNS_PAWS_FLOOR_SPAN
 * below RCV.NXT. The sender's clock is monotonic, so such a segment was sent after that one,
 * when the sender could not be more than a window behind paws_floor_seq: its sequence
 * number is within 2^30 + a window of RCV.NXT and cannot belong to an earlier wrap. Older
 * TSvals, and everything without new bytes, still get R1's ACK and drop. The floor moves up
 * by a candidate taken every VNS_PAWS_FLOOR_STEP bytes, so it covers at least that many.
 */
#define VNS_PAWS_FLOOR_STEP (1u << 28)
#define VNS_PAWS_FLOOR_SPAN (1u << 30)
/* Duplicate ACKs sent at once for one RCV.NXT before out-of-order segments that only grow
 * the newest SACK block wait for the end of the rx burst (see sync_input). */
#define VNS_DUPACK_THRESH 3
/* In-order data within this many bytes of the ISN is ACKed every second full segment. */
#define VNS_QUICKACK_BYTES (64u * 1024u)
/* The most in-order bytes one ACK covers, as one GRO aggregate of Linux's (64 KB). */
#define VNS_ACK_STRETCH_MAX (64u * 1024u)

struct tcp_opts {
	bool has_mss;
	bool has_ws;
	bool has_ts;
	bool sack_perm;
	uint16_t mss;
	uint8_t ws;
	uint32_t tsval;
	uint32_t tsecr;
};

/* Options per RFC 9293 §3.1; a malformed length ends parsing (what was read stands). */
static void
parse_opts(const struct rte_tcp_hdr *th, struct tcp_opts *o)
{
	const uint8_t *p;
	uint32_t i = 0;
	uint8_t kind, olen;

	memset(o, 0, sizeof(*o));
	while (vns_tcp_opt_next(th, &i, &kind, &p, &olen)) {
		switch (kind) {
		case VNS_TCP_OPT_MSS:
			if (olen == VNS_TCP_OPT_LEN_MSS) {
				o->has_mss = true;
				o->mss = (uint16_t)(p[2] << 8 | p[3]);
			}
			break;
		case VNS_TCP_OPT_WS:
			if (olen == VNS_TCP_OPT_LEN_WS) {
				o->has_ws = true;
				o->ws = p[2];
			}
			break;
		case VNS_TCP_OPT_SACK_PERM:
			if (olen == VNS_TCP_OPT_LEN_SACK_PERM)
				o->sack_perm = true;
			break;
		case VNS_TCP_OPT_TS:
			if (olen == VNS_TCP_OPT_LEN_TS) {
				o->has_ts = true;
				o->tsval = (uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 |
					   (uint32_t)p[4] << 8 | p[5];
				o->tsecr = (uint32_t)p[6] << 24 | (uint32_t)p[7] << 16 |
					   (uint32_t)p[8] << 8 | p[9];
			}
			break;
		default:
			break;
		}
	}
}

static uint32_t
rcv_wnd(const struct vns_flow *f)
{
	return (f->flags & VNS_FF_WS) ? VNS_RCV_WND_SCALED : VNS_TCP_WND_MAX;
}

static void
ack_schedule(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	if (f->flags & VNS_FF_ACK_LIST)
		return;
	if (st->ackq_n == VNS_ACKQ_MAX) {
		vns_tcp_send_ack(st, f, tx);
		return;
	}
	f->flags |= VNS_FF_ACK_LIST;
	st->ackq_tsc[st->ackq_n] = st->now;
	st->ackq[st->ackq_n++] = vns_flow_index(&st->ft, f);
}

/* An ACK that could not be sent: the flow waits on the pending-ACK list for the next flush
 * (if the list is full, the next segment's ACK carries it). */
void
vns_tcp_ack_later(struct vns_stack *st, struct vns_flow *f)
{
	if ((f->flags & (VNS_FF_ACK_LIST | VNS_FF_DEAD)) || st->ackq_n == VNS_ACKQ_MAX)
		return;
	f->flags |= VNS_FF_ACK_LIST | VNS_FF_ACK_OWED;
	st->ackq_tsc[st->ackq_n] = st->now;
	st->ackq[st->ackq_n++] = vns_flow_index(&st->ft, f);
}

/* In-order data past the quick-ACK phase, no ACK owed, nothing out of order, below the
 * stretch bound and listed less than VNS_ACK_HOLD_US ago: its ACK may wait for more. */
static bool
ack_hold(const struct vns_stack *st, const struct vns_flow *f, uint64_t listed)
{
	return !(f->flags & VNS_FF_ACK_OWED) && f->n_ooo == 0 &&
	       f->unacked_bytes < VNS_ACK_STRETCH_MAX && f->rcv_nxt - f->irs > VNS_QUICKACK_BYTES &&
	       st->now - listed < st->ack_hold_tsc;
}

/* Flows that may still wait (ack_hold) stay listed for the next call (the loop polls at
 * once, and vns_stack_poll flushes too); so do flows whose ACK fails again, which the failed
 * send re-lists behind the n entries walked here. */
void
vns_tcp_flush_acks(struct vns_stack *st, struct vns_txbuf *tx)
{
	uint32_t i, n = st->ackq_n, kept = 0;

	for (i = 0; i < n; i++) {
		uint32_t idx = st->ackq[i];
		uint64_t listed = st->ackq_tsc[i];
		struct vns_flow *f = &st->ft.flows[idx];

		if (!(f->flags & VNS_FF_ACK_LIST))
			continue;
		if (f->state != VNS_TCP_FREE && f->last_ack_sent != f->rcv_nxt &&
		    ack_hold(st, f, listed)) {
			st->ackq_tsc[kept] = listed;
			st->ackq[kept++] = idx;
			continue;
		}
		f->flags &= (uint16_t)~VNS_FF_ACK_LIST;
		if (f->state != VNS_TCP_FREE &&
		    (f->last_ack_sent != f->rcv_nxt || (f->flags & VNS_FF_ACK_OWED)))
			vns_tcp_send_ack(st, f, tx);
	}
	for (i = n; i < st->ackq_n; i++) {
		st->ackq_tsc[kept] = st->ackq_tsc[i];
		st->ackq[kept++] = st->ackq[i];
	}
	st->ackq_n = kept;
}

/*
 * RFC 5961 §7: challenge ACKs are rate limited so they cannot be used as an amplifier. A
 * fixed budget shared by all flows is the side channel of CVE-2016-5696 (an off-path host
 * drains it from its own connection and counts the rest to learn whether a guess hit another
 * flow's window), so, as Linux does since: each flow gets at most one per
 * VNS_CHALLENGE_ACK_FLOW_MS, and the lcore's budget is drawn at random in [limit/2,
 * limit*3/2) every second.
 */
static void
challenge_ack(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	uint32_t now_ms = vns_tcp_ts_now(st);

	if ((f->flags & VNS_FF_CHAL_SENT) && now_ms - f->chal_ms < VNS_CHALLENGE_ACK_FLOW_MS) {
		VNS_STAT_INC(st, challenge_ack_limited);
		return;
	}
	if (st->now - st->chal_window_tsc >= st->hz) {
		st->chal_window_tsc = st->now;
		st->chal_budget = VNS_CHALLENGE_ACKS_PER_SEC / 2 +
				  (uint32_t)rte_rand_max(VNS_CHALLENGE_ACKS_PER_SEC);
	}
	if (st->chal_budget == 0) {
		VNS_STAT_INC(st, challenge_ack_limited);
		return;
	}
	st->chal_budget--;
	f->chal_ms = now_ms;
	f->flags |= VNS_FF_CHAL_SENT;
	VNS_STAT_INC(st, challenge_acks);
	vns_tcp_send_ack(st, f, tx);
}

/* Frees a stored chain and returns its mbufs to the flow's and the stack's budgets. */
static void
ooo_release(struct vns_stack *st, struct vns_flow *f, struct rte_mbuf *m)
{
	st->ooo_mbufs -= m->nb_segs;
	f->ooo_mbufs = (uint16_t)(f->ooo_mbufs - m->nb_segs);
	rte_pktmbuf_free(m);
}

static void
ooo_clear(struct vns_stack *st, struct vns_flow *f)
{
	uint32_t i;

	for (i = 0; i < f->n_ooo; i++)
		if (f->ooo[i].m != NULL)
			ooo_release(st, f, f->ooo[i].m);
	f->n_ooo = 0;
}

/* Merges adjacent or overlapping range-only entries (sorted by seq). */
static void
ooo_merge_ranges(struct vns_flow *f)
{
	uint32_t i = 0;

	while (i + 1 < f->n_ooo) {
		struct vns_ooo *a = &f->ooo[i], *b = &f->ooo[i + 1];

		if (a->m == NULL && b->m == NULL && VNS_SEQ_GEQ(a->end, b->seq)) {
			if (VNS_SEQ_GT(b->end, a->end))
				a->end = b->end;
			memmove(b, b + 1, (f->n_ooo - i - 2) * sizeof(*b));
			f->n_ooo--;
			continue;
		}
		i++;
	}
}

/* The flow no longer needs payload: keep only the ranges of what it holds. */
void
vns_tcp_ooo_to_ranges(struct vns_stack *st, struct vns_flow *f)
{
	uint32_t i;

	f->flags &= (uint16_t)~VNS_FF_PAYLOAD;
	for (i = 0; i < f->n_ooo; i++) {
		if (f->ooo[i].m != NULL) {
			ooo_release(st, f, f->ooo[i].m);
			f->ooo[i].m = NULL;
		}
	}
	ooo_merge_ranges(f);
}

/* RFC 2883: the next ACK reports [seq, end) as a duplicate in its first SACK block. */
static void
dsack_note(struct vns_flow *f, uint32_t seq, uint32_t end)
{
	if (!(f->flags & VNS_FF_SACK) || seq == end)
		return;
	f->dsack_seq = seq;
	f->dsack_end = end;
	f->flags |= VNS_FF_DSACK;
}

/* [seq, ...) was just stored: its block becomes the newest SACK block; older entries that
 * now fall in the same store entry are dropped, so that the slots name distinct blocks. */
static void
sack_note(struct vns_flow *f, uint32_t seq)
{
	uint32_t prev[VNS_TCP_SACK_BLOCKS], i, n = 1, bs = seq, be = seq + 1;

	for (i = 0; i < f->n_ooo; i++) {
		if (VNS_SEQ_LEQ(f->ooo[i].seq, seq) && VNS_SEQ_LT(seq, f->ooo[i].end)) {
			bs = f->ooo[i].seq;
			be = f->ooo[i].end;
			break;
		}
	}
	memcpy(prev, f->sack_recent, sizeof(prev));
	f->sack_recent[0] = seq;
	for (i = 0; i < VNS_TCP_SACK_BLOCKS && n < VNS_TCP_SACK_BLOCKS; i++)
		if (!(VNS_SEQ_LEQ(bs, prev[i]) && VNS_SEQ_LT(prev[i], be)))
			f->sack_recent[n++] = prev[i];
	for (; n < VNS_TCP_SACK_BLOCKS; n++)
		f->sack_recent[n] = seq;
}

/* Stores [seq, seq+len) ahead of RCV.NXT. Returns true when the mbuf is now owned by the
 * store. A segment that fits nowhere is dropped: the sender retransmits it (SACK tells it
 * which), and the window is not retracted by that. */
static bool
ooo_insert(struct vns_stack *st, struct vns_flow *f, struct rte_mbuf *m, uint32_t seq, uint32_t off,
	   uint32_t len)
{
	uint32_t end = seq + len, i, pos;
	bool keep = (f->flags & VNS_FF_PAYLOAD) != 0;

	for (i = 0; i < f->n_ooo; i++) {
		if (VNS_SEQ_LEQ(f->ooo[i].seq, seq) && VNS_SEQ_GEQ(f->ooo[i].end, end)) {
			VNS_STAT_INC(st, dup_segments);
			dsack_note(f, seq, end);
			return false;
		}
	}
	for (pos = 0; pos < f->n_ooo && VNS_SEQ_LT(f->ooo[pos].seq, seq); pos++)
		;
	if (!keep) {
		/* Try to extend a neighbour first, so a full store still absorbs adjacent data. */
		if (pos > 0 && VNS_SEQ_GEQ(f->ooo[pos - 1].end, seq)) {
			if (VNS_SEQ_GT(end, f->ooo[pos - 1].end))
				f->ooo[pos - 1].end = end;
			ooo_merge_ranges(f);
			sack_note(f, seq);
			return false;
		}
		if (pos < f->n_ooo && VNS_SEQ_GEQ(end, f->ooo[pos].seq)) {
			f->ooo[pos].seq = seq;
			if (VNS_SEQ_GT(end, f->ooo[pos].end))
				f->ooo[pos].end = end;
			ooo_merge_ranges(f);
			sack_note(f, seq);
			return false;
		}
	}
	/* Payload is bounded in mbufs, per flow and per stack: an LRO chain holds ~32. */
	if (f->n_ooo == VNS_OOO_MAX ||
	    (keep && (st->ooo_mbufs + m->nb_segs > st->ooo_mbufs_max ||
		      f->ooo_mbufs + m->nb_segs > VNS_STACK_OOO_FLOW_MBUFS))) {
		VNS_STAT_INC(st, drop_ooo_full);
		return false;
	}
	memmove(&f->ooo[pos + 1], &f->ooo[pos], (f->n_ooo - pos) * sizeof(f->ooo[0]));
	f->ooo[pos].seq = seq;
	f->ooo[pos].end = end;
	f->ooo[pos].m = keep ? m : NULL;
	f->ooo[pos].off = off;
	f->n_ooo++;
	if (keep) {
		st->ooo_mbufs += m->nb_segs;
		f->ooo_mbufs = (uint16_t)(f->ooo_mbufs + m->nb_segs);
	} else {
		ooo_merge_ranges(f);
	}
	sack_note(f, seq);
	return keep;
}

static void
deliver(struct vns_stack *st, struct vns_flow *f, const struct rte_mbuf *m, uint32_t off,
	uint32_t len)
{
	f->rcv_nxt += len;
	f->bytes += len;
	f->unacked_bytes += len;
	VNS_STAT_ADD(st, tcp_payload_bytes, len);
	/* A plain sink only counts: no call. A service's connection: one indirect call. */
	if (f->svc != 0) {
		struct vns_svc *svc = vns_svc_of(st, f);

		svc->ops->data(svc, &f->conn, (f->flags & VNS_FF_PAYLOAD) ? m : NULL, off, len);
	}
}

/* Moves stored data that RCV.NXT has reached into the stream. Returns true if a gap closed. */
static bool
ooo_pull(struct vns_stack *st, struct vns_flow *f)
{
	bool pulled = false;

	while (f->n_ooo > 0 && VNS_SEQ_LEQ(f->ooo[0].seq, f->rcv_nxt)) {
		struct vns_ooo e = f->ooo[0];

		/* Detach before delivering: the service may switch the flow to range-only
		 * mode, which frees the stored mbufs still in the array. */
		memmove(&f->ooo[0], &f->ooo[1], (f->n_ooo - 1) * sizeof(f->ooo[0]));
		f->n_ooo--;
		if (e.m != NULL) {
			st->ooo_mbufs -= e.m->nb_segs;
			f->ooo_mbufs = (uint16_t)(f->ooo_mbufs - e.m->nb_segs);
		}
		if (VNS_SEQ_GT(e.end, f->rcv_nxt)) {
			uint32_t skip = f->rcv_nxt - e.seq;

			deliver(st, f, e.m, e.off + skip, e.end - f->rcv_nxt);
		}
		if (e.m != NULL)
			rte_pktmbuf_free(e.m);
		pulled = true;
	}
	return pulled;
}

/* The connection is over for its service (which hears why) and its stored data; a flow in
 * TIME-WAIT went through this when it entered it. */
static void
flow_finish(struct vns_stack *st, struct vns_flow *f, enum vns_close_reason reason)
{
	if (f->state != VNS_TCP_SYN_RCVD && f->state != VNS_TCP_SYN_SENT &&
	    f->state != VNS_TCP_TIME_WAIT)
		VNS_STAT_INC(st, flows_closed);
	if (f->svc != 0) {
		struct vns_svc *svc = vns_svc_of(st, f);

		if (svc->ops->closed != NULL)
			svc->ops->closed(svc, &f->conn, reason);
		f->svc = 0;
	}
	ooo_clear(st, f);
	vns_snd_release(st, f);
}

void
vns_tcp_close_flow(struct vns_stack *st, struct vns_flow *f, enum vns_close_reason reason)
{
	flow_finish(st, f, reason);
	vns_timer_cancel(st, f);
	f->flags &= (uint16_t)~VNS_FF_ACK_LIST;
	vns_flow_release(&st->ft, f);
}

/* Resets the connection from service code. The flow may be in use by the caller (the
 * service runs inside segment processing), so it is only marked here and freed by the timer
 * on the next poll; until then its segments are ignored. The send buffer goes back to the
 * inline one: the service's buffer may be reused at once. */
void
vns_tcp_abort_flow(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	if (f->flags & VNS_FF_DEAD)
		return;
	vns_tcp_send_rst_flow(st, f, tx);
	/* No pending ACK may follow the RST: the peer would answer it with another RST. */
	f->flags &= (uint16_t)~VNS_FF_ACK_LIST;
	f->flags |= VNS_FF_DEAD;
	vns_tcp_set_sndbuf(f, NULL, 0);
	f->snd_nxt = f->snd_una;
	vns_timer_arm(st, f, st->now);
}

static void
arm_idle(struct vns_stack *st, struct vns_flow *f)
{
	uint64_t secs = f->state == VNS_TCP_ESTABLISHED ? VNS_IDLE_TIMEOUT_S
							: VNS_CLOSING_TIMEOUT_S;

	vns_timer_arm(st, f, f->last_rx_tsc + secs * st->hz);
}

void
vns_tcp_timeout(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	if (f->flags & VNS_FF_DEAD) {
		vns_tcp_close_flow(st, f, VNS_CLOSE_ABORTED);
		return;
	}
	if (f->state == VNS_TCP_TIME_WAIT) {
		vns_tcp_close_flow(st, f, VNS_CLOSE_FIN);
		return;
	}
	if (f->state == VNS_TCP_SYN_SENT) {
		vns_tcp_connect_timeout(st, f, tx);
		return;
	}
	if (f->state == VNS_TCP_SYN_RCVD) {
		if (f->rtx_count >= VNS_SYNACK_RTX_MAX) {
			VNS_STAT_INC(st, flows_aborted);
			vns_tcp_close_flow(st, f, VNS_CLOSE_TIMEOUT);
			return;
		}
		f->rtx_count++;
		vns_tcp_send_synack(st, f, tx);
		vns_timer_arm(st, f, st->now + (st->hz << f->rtx_count));
		return;
	}
	if (f->bulk != NULL) {
		bool dead;

		if (vns_snd_timeout(st, f, tx, &dead)) {
			if (dead) {
				VNS_STAT_INC(st, flows_aborted);
				vns_tcp_send_rst_flow(st, f, tx);
				vns_tcp_close_flow(st, f, VNS_CLOSE_TIMEOUT);
			}
			return;
		}
	} else if (f->snd_una != f->snd_nxt || f->sbuf_len > 0) {
		if (vns_tcp_retransmit(st, f, tx) < 0) {
			VNS_STAT_INC(st, flows_aborted);
			vns_tcp_send_rst_flow(st, f, tx);
			vns_tcp_close_flow(st, f, VNS_CLOSE_TIMEOUT);
		}
		return;
	}
	if (!(f->flags & VNS_FF_IDLE_EXEMPT)) {
		uint64_t secs = f->state == VNS_TCP_ESTABLISHED ? VNS_IDLE_TIMEOUT_S
								: VNS_CLOSING_TIMEOUT_S;

		if (st->now - f->last_rx_tsc >= secs * st->hz) {
			VNS_STAT_INC(st, flows_aborted);
			vns_tcp_close_flow(st, f, VNS_CLOSE_TIMEOUT);
			return;
		}
	}
	arm_idle(st, f);
}

/*
 * RFC 9293 §3.4.1 and RFC 6528: ISS = M + F(local ip, local port, remote ip, remote port,
 * secret), M a 4 us clock, F SipHash-2-4 keyed with the process's secret. Unpredictable off
 * path (rte_rand() is not: its state can be recovered from a few outputs), and one tuple's
 * successive incarnations still get increasing sequence spaces. Passive and active opens.
 */
void
vns_tcp_iss_init(const struct vns_stack *st, struct vns_flow *f)
{
	uint64_t addrs = (uint64_t)st->conf.ip << 32 | f->peer_ip;
	uint64_t ports = (uint64_t)f->local_port << 16 | f->peer_port;
	uint64_t h = vns_siphash24_2w(st->sh->iss_key, addrs, ports);

	f->iss = (uint32_t)(st->now / st->iss_tick_tsc) + (uint32_t)h;
	/* The other half of the same PRF output offsets our TSvals (as Linux's tsoffset does),
	 * so that they do not give away the host's uptime, yet stay monotonic per 4-tuple. */
	f->ts_off = (uint32_t)(h >> 32);
}

/* What the SYN offered decides the options (RFC 7323 §1.3, RFC 2018 §2): applied to the first
 * SYN and again to a retransmitted one, which may offer less (a stack's fallback retry). */
static void
syn_options(const struct vns_stack *st, struct vns_flow *f, const struct rte_tcp_hdr *th)
{
	uint16_t our_mss = (uint16_t)(st->conf.mtu - VNS_TCP_IPV4_HDRS);
	struct tcp_opts o;

	parse_opts(th, &o);
	f->flags &= (uint16_t) ~(VNS_FF_TS | VNS_FF_SACK | VNS_FF_WS);
	f->snd_wscale = 0;
	if (o.has_ts) {
		f->flags |= VNS_FF_TS;
		f->ts_recent = o.tsval;
		f->paws_floor = o.tsval;
		f->paws_cand = o.tsval;
		f->paws_floor_seq = f->irs;
		f->paws_cand_seq = f->irs;
	}
	if (o.sack_perm)
		f->flags |= VNS_FF_SACK;
	if (o.has_ws) {
		f->flags |= VNS_FF_WS;
		f->snd_wscale = RTE_MIN(o.ws, VNS_TCP_WSCALE_MAX);
	}
	f->snd_mss = o.has_mss ? RTE_MAX(o.mss, VNS_TCP_MSS_MIN) : VNS_TCP_MSS_DEFAULT;
	f->snd_mss = RTE_MIN(f->snd_mss, our_mss);
	/* Timestamps take their option's bytes of every segment the peer sends. */
	f->rcv_mss = (uint16_t)(f->snd_mss - ((f->flags & VNS_FF_TS) ? VNS_TCP_OPT_LEN_TS_OUT : 0));
}

/* RFC 9293 §3.10.7.2, LISTEN. */
static void
listen_input(struct vns_stack *st, const struct vns_tcp_seg *seg, uint64_t key,
	     struct vns_txbuf *tx)
{
	const struct rte_tcp_hdr *th = seg->th;
	uint8_t fl = th->tcp_flags;
	struct vns_flow *f;

	if (fl & RTE_TCP_RST_FLAG)
		return;
	if (vns_svc_for_port(st, th->dst_port) == 0) {
		VNS_STAT_INC(st, drop_not_ours);
		vns_tcp_send_rst_reply(st, seg, tx);
		return;
	}
	if (fl & RTE_TCP_ACK_FLAG) {
		vns_tcp_send_rst_reply(st, seg, tx);
		return;
	}
	if (!(fl & RTE_TCP_SYN_FLAG))
		return;
	VNS_STAT_INC(st, syn_rcvd);
	if (st->ft.nb_free == 0) {
		/* A full table gives up its oldest TIME-WAIT flow before any half-open one. */
		struct vns_flow *old = vns_flow_twait_oldest(&st->ft);

		if (old != NULL) {
			VNS_STAT_INC(st, time_wait_evicted);
			vns_tcp_close_flow(st, old, VNS_CLOSE_EVICTED);
		}
	}
	if (st->ft.nb_syn_rcvd >= st->ft.max_syn_rcvd || st->ft.nb_free == 0) {
		struct vns_flow *old = vns_flow_syn_evict(&st->ft);

		if (old != NULL) {
			VNS_STAT_INC(st, syn_evicted);
			vns_tcp_close_flow(st, old, VNS_CLOSE_EVICTED);
		}
	}
	f = vns_flow_alloc(&st->ft, key);
	if (f == NULL) {
		VNS_STAT_INC(st, drop_flow_table_full);
		return;
	}
	f->state = VNS_TCP_SYN_RCVD;
	f->peer_ip = seg->ip->src_addr;
	f->peer_port = th->src_port;
	f->local_port = th->dst_port;
	f->peer_mac = *seg->src_mac;
	f->irs = rte_be_to_cpu_32(th->sent_seq);
	f->rcv_nxt = f->irs + 1;
	vns_tcp_iss_init(st, f);
	f->snd_una = f->iss;
	f->snd_nxt = f->iss + 1;
	f->snd_max = f->snd_nxt;
	f->snd_wnd = rte_be_to_cpu_16(th->rx_win); /* RFC 7323 §2.2: a SYN's is unscaled */
	f->max_snd_wnd = f->snd_wnd;
	syn_options(st, f, th);
	f->open_tsc = st->now;
	f->last_rx_tsc = st->now;
	vns_flow_syn_track(&st->ft, f);
	vns_tcp_send_synack(st, f, tx);
	vns_timer_arm(st, f, st->now + st->hz);
}

/* RFC 5961 §5.2 bounds old ACKs by the largest window the peer ever advertised. */
static inline void
set_snd_wnd(struct vns_flow *f, uint32_t wnd)
{
	f->snd_wnd = wnd;
	if (wnd > f->max_snd_wnd)
		f->max_snd_wnd = wnd;
}

/* RFC 9293 §3.10.7.4 fifth step: only a segment newer than the last update (SND.WL1,
 * SND.WL2) sets the window, so a reordered old one cannot close it again. */
static void
window_update(struct vns_flow *f, uint32_t seq, uint32_t ack, uint16_t win)
{
	uint32_t old = f->snd_wnd;

	if (!(VNS_SEQ_LT(f->snd_wl1, seq) || (f->snd_wl1 == seq && VNS_SEQ_LEQ(f->snd_wl2, ack))))
		return;
	set_snd_wnd(f, (uint32_t)win << f->snd_wscale);
	f->snd_wl1 = seq;
	f->snd_wl2 = ack;
	/* The window opens with our probe byte unacknowledged: it was refused (the ACK did not
	 * cover it), so sending resumes from SND.UNA now rather than after our RTO skipped
	 * past a byte the peer does not have. */
	if (unlikely(f->flags & VNS_FF_PROBE) && old == 0 && f->snd_wnd > 0) {
		f->snd_nxt = f->snd_una;
		f->flags &= (uint16_t) ~(VNS_FF_PROBE | VNS_FF_FIN_SENT);
	}
}

static void
establish(struct vns_stack *st, struct vns_flow *f, const struct rte_tcp_hdr *th)
{
	st->ft.nb_syn_rcvd--;
	f->state = VNS_TCP_ESTABLISHED;
	f->snd_una = f->iss + 1;
	set_snd_wnd(f, (uint32_t)rte_be_to_cpu_16(th->rx_win) << f->snd_wscale);
	f->snd_wl1 = rte_be_to_cpu_32(th->sent_seq);
	f->snd_wl2 = rte_be_to_cpu_32(th->recv_ack);
	f->rtx_count = 0;
	VNS_STAT_INC(st, flows_opened);
	f->svc = vns_svc_for_port(st, f->local_port);
	if (f->svc != 0) {
		struct vns_svc *svc = vns_svc_of(st, f);

		if (svc->ops->open != NULL)
			svc->ops->open(svc, &f->conn);
	}
	arm_idle(st, f);
}

static void
ack_advance(struct vns_stack *st, struct vns_flow *f, uint32_t ack)
{
	uint32_t acked = ack - f->snd_una;
	uint32_t data = RTE_MIN(acked, f->sbuf_len);

	if (data > 0) {
		memmove(f->sbuf, f->sbuf + data, f->sbuf_len - data);
		f->sbuf_len -= data;
	}
	/* Past the data: our FIN is acknowledged, also one sent before a go-back-N. */
	if (acked > data && (f->flags & VNS_FF_FIN_QUEUED))
		f->flags |= VNS_FF_FIN_SENT;
	f->snd_una = ack;
	/* Up to SND.MAX: what was sent before a go-back-N pulled SND.NXT back is acknowledged
	 * all the same (RFC 9293 §3.10.7.4 fifth step with SND.MAX, as RFC 793bis implementations
	 * keep it). */
	if (VNS_SEQ_GT(ack, f->snd_nxt))
		f->snd_nxt = ack;
	f->flags &= (uint16_t)~VNS_FF_PROBE;
	f->rtx_count = 0;
	f->rto_ms = 0;
	if (f->snd_una == f->snd_nxt && f->sbuf_len == 0)
		arm_idle(st, f);
}

/*
 * TIME-WAIT (RFC 9293 §3.6, RFC 1122 4.2.2.13): the active closer keeps the connection for
 * 2 MSL so that a retransmitted FIN of the peer gets its ACK again rather than a RST, and
 * old duplicates cannot land in a new incarnation. Only refused or finished clients get
 * here, and anyone can make us close first, so the set is bounded: at most a quarter of
 * the flow table (max_time_wait), and the oldest is evicted when a new one needs room
 * (time_wait_evicted) or when a SYN finds the table full. A SYN that is clearly newer
 * reopens the tuple at once (RFC 6191: a higher TSval, or without timestamps a higher ISN;
 * time_wait_reused). The service saw the close on entry: a TIME-WAIT flow has none.
 */
static void
time_wait_enter(struct vns_stack *st, struct vns_flow *f)
{
	flow_finish(st, f, VNS_CLOSE_FIN);
	while (vns_flow_twait_full(&st->ft)) {
		struct vns_flow *old = vns_flow_twait_pop(&st->ft);

		if (old != NULL) {
			VNS_STAT_INC(st, time_wait_evicted);
			vns_tcp_close_flow(st, old, VNS_CLOSE_EVICTED);
		}
	}
	f->state = VNS_TCP_TIME_WAIT;
	vns_flow_twait_track(&st->ft, f);
	vns_timer_arm(st, f, st->now + VNS_TIME_WAIT_S * st->hz);
}

/* RFC 6191 §2: a SYN may reopen a tuple in TIME-WAIT when it belongs to a new incarnation. */
static bool
time_wait_reusable(const struct vns_flow *f, const struct rte_tcp_hdr *th)
{
	struct tcp_opts o;

	if (f->flags & VNS_FF_TS) {
		parse_opts(th, &o);
		if (o.has_ts)
			return VNS_SEQ_GT(o.tsval, f->ts_recent);
	}
	return VNS_SEQ_GT(rte_be_to_cpu_32(th->sent_seq), f->rcv_nxt);
}

/* The peer's FIN is in sequence: RFC 9293 §3.10.7.4 eighth step. */
static void
fin_input(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	f->flags &= (uint16_t)~VNS_FF_FIN_RCVD;
	f->rcv_nxt++;
	if (f->state == VNS_TCP_ESTABLISHED) {
		/* Nothing more to receive: answer with our FIN at once (no CLOSE-WAIT). */
		f->state = VNS_TCP_LAST_ACK;
		vns_tcp_queue_fin(f);
		vns_tcp_output(st, f, tx);
		return;
	}
	/* We closed first (RFC 9293 §3.10.7.4 eighth step): FIN-WAIT-1 -> CLOSING, our FIN is
	 * still retransmitted; FIN-WAIT-2 -> TIME-WAIT. */
	vns_tcp_send_ack(st, f, tx);
	if (f->state == VNS_TCP_FIN_WAIT_2)
		time_wait_enter(st, f);
	else
		f->state = VNS_TCP_CLOSING;
}

/* An older TSval than TS.Recent allows: new bytes in the window at or above the PAWS floor
 * (see VNS_PAWS_FLOOR_STEP) are taken, anything else is R1's old duplicate. */
static bool
paws_new_data(const struct vns_flow *f, uint32_t tsval, uint32_t seq, uint32_t plen, uint32_t wnd)
{
	return plen > 0 && VNS_SEQ_GEQ(tsval, f->paws_floor) &&
	       f->rcv_nxt - f->paws_floor_seq < VNS_PAWS_FLOOR_SPAN &&
	       VNS_SEQ_GT(seq + plen, f->rcv_nxt) && VNS_SEQ_LT(seq, f->rcv_nxt + wnd);
}

/* TS.Recent takes tsval (RFC 7323 §4.3); the PAWS floor follows it every step. */
static void
ts_recent_set(struct vns_flow *f, uint32_t tsval, uint32_t seq)
{
	f->ts_recent = tsval;
	if (unlikely(VNS_SEQ_GEQ(seq, f->paws_cand_seq + VNS_PAWS_FLOOR_STEP))) {
		f->paws_floor = f->paws_cand;
		f->paws_floor_seq = f->paws_cand_seq;
		f->paws_cand = tsval;
		f->paws_cand_seq = seq;
	}
}

/* Synchronized states (RFC 9293 §3.10.7.4). Returns true if the mbuf was kept. */
static bool
sync_input(struct vns_stack *st, struct vns_flow *f, struct rte_mbuf *m,
	   const struct vns_tcp_seg *seg, struct vns_txbuf *tx)
{
	const struct rte_tcp_hdr *th = seg->th;
	uint8_t fl = th->tcp_flags;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);
	uint32_t ack = rte_be_to_cpu_32(th->recv_ack);
	uint32_t plen = seg->payload_len, off = seg->payload_off;
	uint32_t seglen = plen + !!(fl & RTE_TCP_SYN_FLAG) + !!(fl & RTE_TCP_FIN_FLAG);
	uint32_t wnd = rcv_wnd(f), right;
	bool acceptable, kept = false, ack_now = false, fin = (fl & RTE_TCP_FIN_FLAG) != 0;
	struct tcp_opts o;

	parse_opts(th, &o);

	/* RFC 7323 §3.2: once negotiated, a non-RST segment without a TSopt is silently
	 * dropped; §5.3: PAWS. */
	if ((f->flags & VNS_FF_TS) && !(fl & RTE_TCP_RST_FLAG)) {
		if (unlikely(!o.has_ts)) {
			VNS_STAT_INC(st, drop_paws);
			return false;
		}
		if (VNS_SEQ_LT(o.tsval + VNS_PAWS_WINDOW, f->ts_recent) &&
		    !paws_new_data(f, o.tsval, seq, plen, wnd)) {
			/* An old copy of bytes we have (typically the original of a segment whose
			 * fast retransmission arrived first, after reordering) is still reported
			 * as a D-SACK, as Linux does: the sender learns its retransmission was
			 * spurious and undoes the window reduction (RFC 2883 §4, RFC 3708). */
			if (plen > 0 && VNS_SEQ_LT(seq, f->rcv_nxt))
				dsack_note(f, seq,
					   VNS_SEQ_LEQ(seq + plen, f->rcv_nxt) ? seq + plen
									       : f->rcv_nxt);
			VNS_STAT_INC(st, drop_paws);
			vns_tcp_send_ack(st, f, tx);
			return false;
		}
	}

	/* RFC 9293 §3.10.7.4 first step: segment acceptability. */
	if (seglen == 0)
		acceptable = VNS_SEQ_LEQ(f->rcv_nxt, seq) && VNS_SEQ_LT(seq, f->rcv_nxt + wnd);
	else
		acceptable = (VNS_SEQ_LEQ(f->rcv_nxt, seq) && VNS_SEQ_LT(seq, f->rcv_nxt + wnd)) ||
			     (VNS_SEQ_LEQ(f->rcv_nxt, seq + seglen - 1) &&
			      VNS_SEQ_LT(seq + seglen - 1, f->rcv_nxt + wnd));
	if (!acceptable) {
		if (fl & RTE_TCP_RST_FLAG) {
			VNS_STAT_INC(st, drop_unacceptable);
			return false;
		}
		if (seglen > 0 && VNS_SEQ_LEQ(seq + seglen, f->rcv_nxt)) {
			VNS_STAT_INC(st, dup_segments);
			dsack_note(f, seq, seq + plen);
			/* The peer's FIN again: our last ACK was lost, 2 MSL start over. */
			if (fin && f->state == VNS_TCP_TIME_WAIT)
				vns_timer_arm(st, f, st->now + VNS_TIME_WAIT_S * st->hz);
		} else {
			VNS_STAT_INC(st, drop_unacceptable);
		}
		vns_tcp_send_ack(st, f, tx);
		return false;
	}

	/* RFC 5961 §3.2: only an exact RST resets; others in the window are challenged. */
	if (fl & RTE_TCP_RST_FLAG) {
		if (seq == f->rcv_nxt) {
			VNS_STAT_INC(st, rst_rcvd);
			vns_tcp_close_flow(st, f, VNS_CLOSE_RST);
		} else {
			challenge_ack(st, f, tx);
		}
		return false;
	}
	/* RFC 5961 §4.2: any SYN here is challenged. */
	if (fl & RTE_TCP_SYN_FLAG) {
		challenge_ack(st, f, tx);
		return false;
	}
	if (!(fl & RTE_TCP_ACK_FLAG))
		return false;

	/* ACK field (RFC 9293 §3.10.7.4 fifth step, RFC 5961 §5.2: SND.UNA - MAX.SND.WND <=
	 * SEG.ACK <= SND.MAX, else ACK and drop). */
	if (VNS_SEQ_GT(ack, f->snd_max) || VNS_SEQ_LT(ack, f->snd_una - f->max_snd_wnd)) {
		if (VNS_SEQ_LT(ack, f->snd_una))
			VNS_STAT_INC(st, drop_unacceptable);
		else
			VNS_STAT_INC(st, bad_ack_beyond);
		vns_tcp_send_ack(st, f, tx);
		return false;
	}
	/* Acceptable: only such segments keep the flow from its idle timeout (junk from
	 * someone who knows the 4-tuple must not keep a dead flow and its mbufs alive). */
	f->last_rx_tsc = st->now;
	if (f->bulk != NULL) {
		if (VNS_SEQ_GEQ(ack, f->snd_una))
			vns_snd_ack(st, f, th, plen, tx);
	} else {
		if (VNS_SEQ_GT(ack, f->snd_una))
			ack_advance(st, f, ack);
		if (VNS_SEQ_GEQ(ack, f->snd_una))
			window_update(f, seq, ack, rte_be_to_cpu_16(th->rx_win));
	}
	if ((f->flags & VNS_FF_FIN_SENT) && f->snd_una == f->snd_max) {
		if (f->state == VNS_TCP_LAST_ACK) {
			vns_tcp_close_flow(st, f, VNS_CLOSE_FIN);
			return false;
		}
		if (f->state == VNS_TCP_FIN_WAIT_1)
			f->state = VNS_TCP_FIN_WAIT_2;
		else if (f->state == VNS_TCP_CLOSING)
			time_wait_enter(st, f);
	}

	/* RFC 7323 §4.3: TS.Recent follows the segment that covers Last.ACK.sent. */
	if ((f->flags & VNS_FF_TS) && o.has_ts && VNS_SEQ_GEQ(o.tsval, f->ts_recent) &&
	    VNS_SEQ_LEQ(seq, f->last_ack_sent))
		ts_recent_set(f, o.tsval, seq);

	if (VNS_TCP_PEER_FIN_SEEN(f->state)) {
		/* Nothing more can arrive after the peer's FIN. */
		plen = 0;
		fin = false;
	}

	if (plen > 0) {
		right = f->rcv_nxt + wnd;
		if (VNS_SEQ_LT(seq, f->rcv_nxt)) {
			uint32_t skip = f->rcv_nxt - seq;

			dsack_note(f, seq, skip >= plen ? seq + plen : f->rcv_nxt);
			if (skip >= plen) {
				plen = 0;
			} else {
				seq += skip;
				off += skip;
				plen -= skip;
			}
			VNS_STAT_INC(st, dup_segments);
			ack_now = true;
		}
		if (plen > 0 && VNS_SEQ_GT(seq + plen, right)) {
			plen = right - seq;
			fin = false; /* the FIN lies beyond what we accepted */
		}
	}
	if (plen > f->rcv_mss) {
		VNS_STAT_INC(st, large_segments);
		ack_now = true;
	}
	if (plen > 0 && seq == f->rcv_nxt) {
		deliver(st, f, m, off, plen);
		/* With data held out of order the sender is recovering: every segment is ACKed
		 * at once (RFC 5681 §4.2 for the one that fills a gap; Linux does it for all of
		 * them), since each ACK clocks out the next retransmission. */
		if (f->n_ooo > 0 && !(f->flags & VNS_FF_DEAD)) {
			ooo_pull(st, f);
			ack_now = true;
		}
		if (f->flags & VNS_FF_DEAD)
			return kept;
	} else if (plen > 0) {
		kept = ooo_insert(st, f, m, seq, off, plen);
		VNS_STAT_INC(st, ooo_segments);
		/* RFC 5681 §4.2 asks for a duplicate ACK per out-of-order segment. Once the sender
		 * has had VNS_DUPACK_THRESH of them for this RCV.NXT, a segment that only extends
		 * the newest SACK block (it starts where the last stored one ended) tells it
		 * nothing the next ACK will not: that ACK goes out at the end of the rx burst,
		 * one per burst instead of one per segment, as Linux compresses SACKs (up to 44,
		 * or 5 % of the RTT). A sender in recovery under loss and reordering pays for
		 * every SACK it parses. A new block, a duplicate (D-SACK) or a refused segment
		 * is still answered at once. */
		if (seq == f->ooo_last_end && f->sack_recent[0] == seq &&
		    f->dupacks >= VNS_DUPACK_THRESH && !(f->flags & VNS_FF_DSACK)) {
			f->flags |= VNS_FF_ACK_OWED;
			ack_schedule(st, f, tx);
		} else {
			ack_now = true;
		}
		if (f->sack_recent[0] == seq && !(f->flags & VNS_FF_DSACK))
			f->ooo_last_end = seq + plen;
	}
	if (fin) {
		f->flags |= VNS_FF_FIN_RCVD;
		f->fin_seq = rte_be_to_cpu_32(th->sent_seq) + seg->payload_len;
	}
	if ((f->flags & VNS_FF_FIN_RCVD) && f->fin_seq == f->rcv_nxt) {
		fin_input(st, f, tx);
		return kept;
	}
	/* Queued control data goes out now and carries the ACK. */
	if (f->snd_nxt - f->snd_una < f->sbuf_len ||
	    ((f->flags & VNS_FF_FIN_QUEUED) && !(f->flags & VNS_FF_FIN_SENT)))
		vns_tcp_output(st, f, tx);
	if (f->last_ack_sent != f->rcv_nxt || ack_now) {
		if (ack_now || f->unacked_bytes >= VNS_ACK_STRETCH_MAX ||
		    (f->unacked_bytes >= 2u * f->rcv_mss &&
		     f->rcv_nxt - f->irs <= VNS_QUICKACK_BYTES))
			vns_tcp_send_ack(st, f, tx);
		else
			ack_schedule(st, f, tx);
	}
	return kept;
}

const char *
vns_tcp_state_name(uint8_t state)
{
#define VNS_TCP_STATE_NAME(name) [VNS_TCP_##name] = #name,
	static const char *const names[] = { VNS_TCP_STATES(VNS_TCP_STATE_NAME) };
#undef VNS_TCP_STATE_NAME

	return state < RTE_DIM(names) ? names[state] : NULL;
}

/* RFC 9293 §3.10.7.4 acceptability in SYN-RECEIVED: our SYN-ACK offered an unscaled window. */
static bool
syn_rcvd_in_window(const struct vns_flow *f, uint32_t seq, uint32_t seglen)
{
	uint32_t wnd = VNS_TCP_WND_MAX;

	return (VNS_SEQ_LEQ(f->rcv_nxt, seq) && VNS_SEQ_LT(seq, f->rcv_nxt + wnd)) ||
	       (seglen > 0 && VNS_SEQ_LEQ(f->rcv_nxt, seq + seglen - 1) &&
		VNS_SEQ_LT(seq + seglen - 1, f->rcv_nxt + wnd));
}

/* RFC 7323 §5.3 PAWS for the handshake's ACK. */
static bool
syn_rcvd_paws(const struct vns_flow *f, const struct rte_tcp_hdr *th)
{
	struct tcp_opts o;

	if (!(f->flags & VNS_FF_TS))
		return false;
	parse_opts(th, &o);
	return !o.has_ts || VNS_SEQ_LT(o.tsval + VNS_PAWS_WINDOW, f->ts_recent);
}

void
vns_tcp_input(struct vns_stack *st, struct rte_mbuf *m, const struct vns_tcp_seg *seg,
	      struct vns_txbuf *tx)
{
	const struct rte_tcp_hdr *th = seg->th;
	uint64_t key = vns_flow_key(seg->ip->src_addr, th->src_port, th->dst_port);
	struct vns_flow *f = vns_flow_lookup(&st->ft, key);
	uint8_t fl = th->tcp_flags;
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq);
	bool kept = false;

	if (f == NULL) {
		listen_input(st, seg, key, tx);
		goto out;
	}
	if (f->flags & VNS_FF_DEAD)
		goto out;
	if (f->state == VNS_TCP_SYN_SENT) {
		vns_tcp_syn_sent_input(st, f, seg, tx);
		goto out;
	}
	if (unlikely(fl & RTE_TCP_SYN_FLAG) && f->state == VNS_TCP_TIME_WAIT &&
	    !(fl & (RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) && time_wait_reusable(f, th)) {
		VNS_STAT_INC(st, time_wait_reused);
		vns_tcp_close_flow(st, f, VNS_CLOSE_FIN);
		listen_input(st, seg, key, tx);
		goto out;
	}
	if (f->state == VNS_TCP_SYN_RCVD) {
		/* RFC 9293 §3.10.7.4 for SYN-RECEIVED, plus: a retransmitted SYN gets the same
		 * SYN-ACK; a SYN with another ISN is a new attempt that replaces this one. */
		if (fl & RTE_TCP_RST_FLAG) {
			if (seq == f->rcv_nxt) {
				VNS_STAT_INC(st, rst_rcvd);
				vns_tcp_close_flow(st, f, VNS_CLOSE_RST);
			} else if (syn_rcvd_in_window(f, seq, 0)) {
				challenge_ack(st, f, tx); /* RFC 5961 §3.2 */
			}
			goto out;
		}
		if (fl & RTE_TCP_SYN_FLAG) {
			if (!(fl & RTE_TCP_ACK_FLAG) && seq == f->irs) {
				VNS_STAT_INC(st, syn_retrans);
				syn_options(st, f, th);
				vns_tcp_send_synack(st, f, tx);
			} else if (!(fl & RTE_TCP_ACK_FLAG)) {
				vns_tcp_close_flow(st, f, VNS_CLOSE_EVICTED);
				listen_input(st, seg, key, tx);
			}
			goto out;
		}
		if (!(fl & RTE_TCP_ACK_FLAG))
			goto out;
		/* The first step's checks hold here too: an unacceptable SEQ or an old
		 * timestamp gets an ACK and completes nothing. */
		if (!syn_rcvd_in_window(f, seq, seg->payload_len + !!(fl & RTE_TCP_FIN_FLAG)) ||
		    syn_rcvd_paws(f, th)) {
			VNS_STAT_INC(st, drop_unacceptable);
			vns_tcp_send_ack(st, f, tx);
			goto out;
		}
		if (rte_be_to_cpu_32(th->recv_ack) != f->iss + 1) {
			vns_tcp_send_rst_reply(st, seg, tx);
			goto out;
		}
		vns_timer_cancel(st, f);
		establish(st, f, th);
	}
	/* A data-bearing ACK completes the handshake and is processed as data at once. */
	kept = sync_input(st, f, m, seg, tx);
out:
	if (!kept)
		rte_pktmbuf_free(m);
}

/* What our SYN offered is everything, so the SYN-ACK's options decide (vns_tcp_connect.c). */
void
vns_tcp_syn_options(const struct vns_stack *st, struct vns_flow *f, const struct rte_tcp_hdr *th)
{
	syn_options(st, f, th);
}
