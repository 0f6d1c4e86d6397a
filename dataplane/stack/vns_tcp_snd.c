/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bulk TCP sender (vns_snd.h): the pool, the pattern area, segment building (TSO or the
 * stack's own segmentation at the peer's MSS), ACK processing with the SACK scoreboard, loss
 * recovery (RFC 6675), the retransmission timer (RFC 6298) and zero-window probes.
 *
 * Sequence space: the bulk's byte at sequence number q is pattern byte (q - ISS) mod
 * VNS_SND_PAT_LEN, so any (re)transmission of q carries the same byte without anything
 * stored. The area holds the pattern twice: a segment of up to 64 KB starting anywhere in
 * the first copy is contiguous, and one external buffer.
 *
 * Output runs on ACK arrival and from vns_stack_poll() for the senders on the ready list
 * (those that stopped only because the tx buffer was full); it never allocates beyond mbuf
 * pool gets and never drops state: a failed get leaves the bytes for the next call.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "vns_csum.h"
#include "vns_err.h"
#include "vns_stack_core.h"

/* Bytes of a TSO segment's payload at most: the IPv4 datagram stays within 64 KB. */
#define VNS_SND_TSO_MAX  (UINT16_MAX - VNS_TCP_IPV4_HDRS - VNS_TCP_OPT_SPACE)
#define VNS_SND_HDR_ROOM 128 /* header mbufs: Ethernet, IPv4, TCP and options */

static atomic_uint vns_snd_name_seq;

static inline struct vns_snd *
snd_of(struct vns_stack *st, const struct vns_flow *f)
{
	RTE_SET_USED(st);
	return f->bulk;
}

/* The pattern area is the stack's until vns_stack_free(): the last segment's free must not
 * release it. The stack itself holds one reference for the area's life. */
static void
pat_free_cb(void *addr, void *opaque)
{
	RTE_SET_USED(addr);
	RTE_SET_USED(opaque);
}

/* The IOVA of any byte of DPDK memory (rte_malloc_virt2iova takes an allocation's start). */
static rte_iova_t
va_to_iova(const void *va)
{
	const struct rte_memseg *ms;

	if (rte_eal_iova_mode() == RTE_IOVA_VA)
		return (uintptr_t)va;
	ms = rte_mem_virt2memseg(va, NULL);
	if (ms == NULL || ms->iova == RTE_BAD_IOVA)
		return RTE_BAD_IOVA;
	return ms->iova + RTE_PTR_DIFF(va, ms->addr);
}

/*
 * The mbufs the senders can hold at once. A frame holds its mbufs (a header, and the
 * pattern's attach mbuf unless the payload is copied) from its build until the device has
 * sent it; a segment in flight holds none (a retransmission is built again from the
 * pattern). So at most the loop's tx buffer and the device's tx ring are full of them, and
 * never more frames than the senders' windows hold in the smallest segments; plus what the
 * lcore's mempool cache keeps.
 */
static uint32_t
pool_mbufs(const struct vns_stack_conf *conf, uint32_t wnd, bool copy)
{
	uint64_t frames = VNS_TXBUF_MAX + (uint64_t)(conf->tx_ring_size != 0 ? conf->tx_ring_size
									     : VNS_SND_RING_GUESS);
	uint64_t by_wnd = (uint64_t)conf->max_senders * (wnd / VNS_TCP_MSS_MIN + 1);
	uint64_t n = RTE_MIN(frames, by_wnd) * (copy ? 1 : 2) + 2 * VNS_SND_POOL_CACHE;

	return (uint32_t)RTE_MIN(n, (uint64_t)VNS_SND_POOL_MBUFS);
}

int
vns_snd_pool_init(struct vns_stack *st, const struct vns_stack_conf *conf, int socket_id, char *err,
		  size_t errlen)
{
	struct vns_snd_pool *p = &st->snd;
	uint32_t wnd = conf->send_window != 0 ? conf->send_window : VNS_SEND_WINDOW_DEFAULT;
	char name[RTE_MEMPOOL_NAMESIZE];
	uint32_t i;

	if (conf->max_senders == 0)
		return 0;
	if (conf->max_senders > VNS_MAX_SENDERS_MAX || conf->max_senders > conf->max_flows) {
		vns_set_err(err, errlen,
			    "stack: %u bulk senders; use 1..%u and at most max_flows (%u)",
			    conf->max_senders, VNS_MAX_SENDERS_MAX, conf->max_flows);
		return -EINVAL;
	}
	if (wnd < VNS_SEND_WINDOW_MIN || wnd > VNS_SEND_WINDOW_MAX) {
		vns_set_err(err, errlen, "stack: send window %u bytes; use %u..%u", wnd,
			    VNS_SEND_WINDOW_MIN, VNS_SEND_WINDOW_MAX);
		return -EINVAL;
	}
	p->max = conf->max_senders;
	p->wnd_cap = wnd;
	p->snd = rte_zmalloc_socket("vns_snd", p->max * sizeof(*p->snd), RTE_CACHE_LINE_SIZE,
				    socket_id);
	p->free_list = rte_malloc_socket("vns_snd_free", p->max * sizeof(uint32_t), 0, socket_id);
	p->ready = rte_malloc_socket("vns_snd_ready", p->max * sizeof(uint32_t), 0, socket_id);
	/* Aligned to its size, the area never straddles a page of 128 KB or more, so it is
	 * IOVA-contiguous with IOVA = PA too (checked below). */
	p->pat = rte_malloc_socket("vns_snd_pat", 2 * VNS_SND_PAT_LEN, 2 * VNS_SND_PAT_LEN,
				   socket_id);
	p->pat_sum = rte_malloc_socket("vns_snd_psum", (VNS_SND_PAT_LEN + 1) * sizeof(uint64_t), 0,
				       socket_id);
	p->shinfo = rte_zmalloc_socket("vns_snd_shinfo", sizeof(*p->shinfo), RTE_CACHE_LINE_SIZE,
				       socket_id);
	if (p->snd == NULL || p->free_list == NULL || p->ready == NULL || p->pat == NULL ||
	    p->pat_sum == NULL || p->shinfo == NULL) {
		vns_set_err(err, errlen,
			    "out of DPDK memory for %u bulk senders; raise -m or the hugepages, "
			    "or lower max-senders",
			    p->max);
		return -ENOMEM;
	}
	for (i = 0; i < p->max; i++)
		p->free_list[i] = p->max - 1 - i;
	p->nb_free = p->max;
	/* Any bytes do; these are not all alike, so a receiver that hashes sees a stream. */
	for (i = 0; i < VNS_SND_PAT_LEN; i++)
		p->pat[i] = p->pat[i + VNS_SND_PAT_LEN] = (uint8_t)(i * 131u + (i >> 9));
	p->pat_sum[0] = 0;
	for (i = 0; i < VNS_SND_PAT_LEN; i++) {
		uint16_t w;

		memcpy(&w, p->pat + 2 * i, sizeof(w));
		p->pat_sum[i + 1] = p->pat_sum[i] + w;
	}
	p->pat_iova = rte_malloc_virt2iova(p->pat);
	if (p->pat_iova == RTE_BAD_IOVA ||
	    va_to_iova(p->pat + 2 * VNS_SND_PAT_LEN - 1) != p->pat_iova + 2 * VNS_SND_PAT_LEN - 1) {
		vns_set_err(err, errlen,
			    "stack: the send pattern area is not IOVA-contiguous; use "
			    "hugepages of 2 MB or more (or --iova-mode va)");
		return -EINVAL;
	}
	p->shinfo->free_cb = pat_free_cb;
	p->shinfo->fcb_opaque = NULL;
	rte_mbuf_ext_refcnt_set(p->shinfo, 1);
	snprintf(name, sizeof(name), "vns_snd_%u",
		 atomic_fetch_add_explicit(&vns_snd_name_seq, 1, memory_order_relaxed));
	/* Without chained mbufs a segment's payload is copied into its header mbuf. */
	p->copy = (conf->tx_offloads & VNS_TXOFF_MULTI_SEGS) == 0;
	p->mp = rte_pktmbuf_pool_create(
		name, pool_mbufs(conf, wnd, p->copy) - 1, VNS_SND_POOL_CACHE, 0,
		(uint16_t)(RTE_PKTMBUF_HEADROOM + VNS_SND_HDR_ROOM +
			   (p->copy ? (conf->mtu != 0 ? conf->mtu : 1500) : 0)),
		socket_id);
	if (p->mp == NULL) {
		vns_set_err(err, errlen,
			    "stack: cannot create the bulk senders' mbuf pool %s (%s); raise -m "
			    "or the hugepages",
			    name, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	if (!p->copy && (conf->tx_offloads & VNS_TXOFF_TCP_TSO) &&
	    (conf->tx_offloads & VNS_TXOFF_TCP_CKSUM))
		p->tso_max = VNS_SND_TSO_MAX;
	p->tso_frame_max = conf->tso_frame_max != 0
				   ? conf->tso_frame_max
				   : (uint32_t)(conf->mtu != 0 ? conf->mtu : 1500) +
					     RTE_ETHER_HDR_LEN;
	return 0;
}

void
vns_snd_pool_free(struct vns_stack *st)
{
	struct vns_snd_pool *p = &st->snd;

	rte_mempool_free(p->mp);
	rte_free(p->shinfo);
	rte_free(p->pat_sum);
	rte_free(p->pat);
	rte_free(p->ready);
	rte_free(p->free_list);
	rte_free(p->snd);
	memset(p, 0, sizeof(*p));
}

uint16_t
vns_snd_pat_sum(const struct vns_snd_pool *p, uint32_t off, uint32_t len)
{
	uint32_t end = off + len, wa = (off + 1) / 2, wb = end / 2;
	uint64_t s = 0;
	uint8_t b[2];
	uint16_t w;

	if (len == 0)
		return 0;
	if (wb > wa)
		s = p->pat_sum[wb] - p->pat_sum[wa];
	if (off & 1) {
		/* The first byte is the second of its 16-bit word in memory. */
		b[0] = 0;
		b[1] = p->pat[off];
		memcpy(&w, b, 2);
		s += w;
	}
	if ((end & 1) && !(len == 1 && (off & 1))) {
		b[0] = p->pat[end - 1];
		b[1] = 0;
		memcpy(&w, b, 2);
		s += w;
	}
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	w = vns_csum_fold((uint32_t)s);
	/* The payload starts at an even offset of the segment: an odd start in memory is the
	 * same sum byte-swapped (RFC 1071 §2(B)). */
	return (off & 1) ? rte_bswap16(w) : w;
}

/* --- ready list ------------------------------------------------------------------------ */

static void
ready_add(struct vns_stack *st, struct vns_flow *f)
{
	struct vns_snd_pool *p = &st->snd;
	struct vns_snd *s = snd_of(st, f);

	if (s->flags & VNS_SNDF_READY)
		return;
	s->flags |= VNS_SNDF_READY;
	p->ready[p->nb_ready++] = (uint32_t)(s - p->snd);
}

void
vns_snd_poll(struct vns_stack *st, struct vns_txbuf *tx)
{
	struct vns_snd_pool *p = &st->snd;
	uint32_t i, n = p->nb_ready;

	/* A sender re-listed by its output lands at an index already read. */
	p->nb_ready = 0;
	for (i = 0; i < n; i++) {
		struct vns_snd *s = &p->snd[p->ready[i]];

		s->flags &= (uint16_t)~VNS_SNDF_READY;
		vns_snd_output(st, &st->ft.flows[s->flow], tx);
	}
}

/* --- pool ------------------------------------------------------------------------------ */

static uint32_t
seg_max_of(const struct vns_flow *f)
{
	uint32_t opts = (f->flags & VNS_FF_TS) ? VNS_TCP_OPT_LEN_TS_OUT : 0;

	return RTE_MAX((uint32_t)f->snd_mss - opts, (uint32_t)VNS_TCP_MSS_MIN);
}

int
vns_snd_start(struct vns_stack *st, struct vns_flow *f, uint64_t bytes)
{
	struct vns_snd_pool *p = &st->snd;
	struct vns_snd *s;
	uint32_t idx;

	if (f->bulk != NULL || f->sbuf_len > 0 || (f->flags & (VNS_FF_FIN_QUEUED | VNS_FF_DEAD)) ||
	    f->state != VNS_TCP_ESTABLISHED)
		return -EBUSY;
	if (p->nb_free == 0) {
		VNS_STAT_INC(st, bulk_no_sender);
		return -ENOBUFS;
	}
	idx = p->free_list[--p->nb_free];
	s = &p->snd[idx];
	memset(s, 0, sizeof(*s));
	s->flow = vns_flow_index(&st->ft, f);
	f->bulk = s;
	f->snd_nxt = f->snd_max;
	s->start_seq = f->snd_max;
	s->limit = bytes;
	s->seg_max = (uint16_t)seg_max_of(f);
	s->rto_us = VNS_SND_RTO_INIT_US;
	s->high_rxt = f->snd_una;
	vns_cc_init(&s->cc, s->seg_max, p->wnd_cap, f->snd_max);
	if (bytes == 0)
		s->flags |= VNS_SNDF_STOPPED;
	ready_add(st, f);
	return 0;
}

uint64_t
vns_snd_stop(struct vns_stack *st, struct vns_flow *f)
{
	struct vns_snd *s;

	if (f->bulk == NULL)
		return 0;
	s = snd_of(st, f);
	s->flags |= VNS_SNDF_STOPPED;
	s->limit = s->sent;
	/* The poll tells the service once all is acknowledged, never under the caller. */
	ready_add(st, f);
	return s->sent;
}

void
vns_snd_release(struct vns_stack *st, struct vns_flow *f)
{
	struct vns_snd_pool *p = &st->snd;
	uint32_t idx, i;

	if (f->bulk == NULL)
		return;
	idx = (uint32_t)(f->bulk - p->snd);
	if (p->snd[idx].flags & VNS_SNDF_READY) {
		for (i = 0; i < p->nb_ready; i++) {
			if (p->ready[i] == idx) {
				p->ready[i] = p->ready[--p->nb_ready];
				break;
			}
		}
	}
	p->snd[idx].flags = 0;
	p->free_list[p->nb_free++] = idx;
	f->bulk = NULL;
}

/* --- scoreboard ------------------------------------------------------------------------ */

/* Adds [a, b) (already within (SND.UNA, SND.MAX]) to the sorted, disjoint ranges. When all
 * slots are taken the highest range is forgotten: that only makes loss detection more
 * cautious (RFC 6675 §4 allows a partial scoreboard). Returns true if bytes were new. */
static bool
sack_add(struct vns_snd *s, uint32_t a, uint32_t b)
{
	uint32_t i = 0, j;
	bool news;

	while (i < s->nb_sack && VNS_SEQ_LT(s->sack[i].end, a))
		i++;
	if (i < s->nb_sack && VNS_SEQ_LEQ(s->sack[i].start, b)) {
		/* Overlaps or touches range i: merge it and all following ones it reaches. */
		news = VNS_SEQ_LT(a, s->sack[i].start) || VNS_SEQ_GT(b, s->sack[i].end);
		if (VNS_SEQ_LT(a, s->sack[i].start))
			s->sack[i].start = a;
		if (VNS_SEQ_GT(b, s->sack[i].end))
			s->sack[i].end = b;
		j = i + 1;
		while (j < s->nb_sack && VNS_SEQ_LEQ(s->sack[j].start, s->sack[i].end)) {
			if (VNS_SEQ_GT(s->sack[j].end, s->sack[i].end))
				s->sack[i].end = s->sack[j].end;
			j++;
		}
		if (j > i + 1) {
			memmove(&s->sack[i + 1], &s->sack[j],
				(s->nb_sack - j) * sizeof(s->sack[0]));
			s->nb_sack = (uint8_t)(s->nb_sack - (j - i - 1));
		}
		return news;
	}
	if (s->nb_sack == VNS_SND_SACK_MAX) {
		if (i == s->nb_sack)
			return false; /* above everything kept, and no room */
		s->nb_sack--;
	}
	memmove(&s->sack[i + 1], &s->sack[i], (s->nb_sack - i) * sizeof(s->sack[0]));
	s->sack[i].start = a;
	s->sack[i].end = b;
	s->nb_sack++;
	return true;
}

/* SND.UNA moved to una: ranges below it go. */
static void
sack_trim(struct vns_snd *s, uint32_t una)
{
	uint32_t i = 0;

	while (i < s->nb_sack && VNS_SEQ_LEQ(s->sack[i].end, una))
		i++;
	if (i > 0) {
		memmove(&s->sack[0], &s->sack[i], (s->nb_sack - i) * sizeof(s->sack[0]));
		s->nb_sack = (uint8_t)(s->nb_sack - i);
	}
	if (s->nb_sack > 0 && VNS_SEQ_LT(s->sack[0].start, una))
		s->sack[0].start = una;
}

/* RFC 6675 IsLost(), per range: every unSACKed byte below the returned sequence number has
 * DupThresh discontiguous SACKed ranges or more than (DupThresh - 1) * SMSS SACKed bytes
 * above it. Without SACK, in recovery, the segment at SND.UNA is the lost one (RFC 6582). */
static uint32_t
lost_edge(const struct vns_flow *f, const struct vns_snd *s)
{
	uint32_t bytes = 0, n = 0;
	int i;

	if (!(f->flags & VNS_FF_SACK))
		return (s->flags & VNS_SNDF_RECOVERY) ? f->snd_una + s->seg_max : f->snd_una;
	for (i = (int)s->nb_sack - 1; i >= 0; i--) {
		bytes += s->sack[i].end - s->sack[i].start;
		n++;
		if (n >= VNS_SND_DUPTHRESH ||
		    bytes > (VNS_SND_DUPTHRESH - 1) * (uint32_t)s->seg_max)
			return s->sack[i].start;
	}
	return f->snd_una;
}

/* Bytes below seq that the scoreboard holds. */
static uint32_t
sacked_below(const struct vns_snd *s, uint32_t seq)
{
	uint32_t i, n = 0;

	for (i = 0; i < s->nb_sack && VNS_SEQ_LT(s->sack[i].start, seq); i++)
		n += (VNS_SEQ_LT(s->sack[i].end, seq) ? s->sack[i].end : seq) - s->sack[i].start;
	return n;
}

static inline uint32_t
seq_min(uint32_t a, uint32_t b)
{
	return VNS_SEQ_LT(a, b) ? a : b;
}

static inline uint32_t
seq_max(uint32_t a, uint32_t b)
{
	return VNS_SEQ_GT(a, b) ? a : b;
}

/* RFC 6675 SetPipe(): the bytes the network still holds. Outside recovery, what was sent
 * from SND.UNA to SND.NXT and is not SACKed. */
static uint32_t
pipe_of(const struct vns_flow *f, const struct vns_snd *s)
{
	uint32_t edge, pos, pipe = 0, i;

	if (!(s->flags & VNS_SNDF_RECOVERY))
		return (f->snd_nxt - f->snd_una) - sacked_below(s, f->snd_nxt);
	edge = lost_edge(f, s);
	pos = f->snd_una;
	for (i = 0; i <= s->nb_sack; i++) {
		uint32_t hole_end = i < s->nb_sack ? s->sack[i].start : f->snd_max;
		uint32_t lost_end = seq_min(hole_end, seq_max(edge, pos));

		if (VNS_SEQ_LT(pos, hole_end)) {
			/* lost bytes count only once retransmitted; the others once, and twice if
			 * retransmitted as well */
			if (VNS_SEQ_LT(pos, s->high_rxt))
				pipe += seq_min(lost_end, s->high_rxt) - pos;
			pipe += hole_end - lost_end;
			if (VNS_SEQ_LT(lost_end, s->high_rxt))
				pipe += seq_min(hole_end, s->high_rxt) - lost_end;
		}
		if (i < s->nb_sack)
			pos = s->sack[i].end;
	}
	if (!(f->flags & VNS_FF_SACK)) {
		/* NewReno: each duplicate ACK is a segment that left the network. */
		uint32_t gone = (uint32_t)s->dupacks * s->seg_max;

		pipe = pipe > gone ? pipe - gone : 0;
	}
	return pipe;
}

/* RFC 6675 NextSeg() rules (1) and (3): the first unSACKed hole above HighRxt that is lost,
 * or (when no new data can go) any hole above HighRxt below the highest SACKed byte.
 * Returns its length (at most one segment), 0 for none. */
static uint32_t
next_hole(const struct vns_flow *f, const struct vns_snd *s, bool rule3, uint32_t *seq)
{
	uint32_t edge = lost_edge(f, s), pos = seq_max(f->snd_una, s->high_rxt), i;
	uint32_t top = s->nb_sack > 0 ? s->sack[s->nb_sack - 1].end : f->snd_una;
	uint32_t limit = rule3 ? top : edge;

	if (!(f->flags & VNS_FF_SACK))
		limit = edge;
	for (i = 0; i <= s->nb_sack; i++) {
		uint32_t hole_end = i < s->nb_sack ? s->sack[i].start : f->snd_max;

		if (i < s->nb_sack && VNS_SEQ_LEQ(s->sack[i].end, pos))
			continue;
		if (VNS_SEQ_LT(pos, hole_end)) {
			uint32_t end = seq_min(hole_end, limit);

			if (!VNS_SEQ_LT(pos, end))
				return 0;
			*seq = pos;
			return RTE_MIN(end - pos, (uint32_t)s->seg_max);
		}
		if (i < s->nb_sack)
			pos = seq_max(pos, s->sack[i].end);
	}
	return 0;
}

/* --- segments -------------------------------------------------------------------------- */

static inline uint64_t
us_to_tsc(const struct vns_stack *st, uint32_t us)
{
	return (uint64_t)us * st->hz / 1000000;
}

/* One bulk segment (TSO when len > seg_max): a header mbuf and the pattern attached as an
 * external buffer. 0, or -1 when the pool is empty (nothing changed; retried later). */
static int
send_seg(struct vns_stack *st, struct vns_flow *f, struct vns_snd *s, uint32_t seq, uint32_t len,
	 uint8_t flags, struct vns_txbuf *tx)
{
	struct vns_snd_pool *p = &st->snd;
	struct rte_mbuf *h, *d = NULL;
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	uint32_t optlen = (f->flags & VNS_FF_TS) ? VNS_TCP_OPT_LEN_TS_OUT : 0;
	uint32_t thl = sizeof(*th) + optlen, tcp_len = thl + len;
	uint32_t hlen = sizeof(*eh) + sizeof(*ip) + thl;
	uint32_t off = (seq - f->iss) & (VNS_SND_PAT_LEN - 1);

	h = rte_pktmbuf_alloc(p->mp);
	if (unlikely(h == NULL)) {
		VNS_STAT_INC(st, drop_nombuf);
		return -1;
	}
	if (len > 0 && !p->copy) {
		d = rte_pktmbuf_alloc(p->mp);
		if (unlikely(d == NULL)) {
			rte_pktmbuf_free(h);
			VNS_STAT_INC(st, drop_nombuf);
			return -1;
		}
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(h, (uint16_t)(hlen + (p->copy ? len : 0)));
	if (unlikely(eh == NULL)) {
		/* A segment the pool's buffers cannot hold (the pool is sized for the MTU). */
		rte_pktmbuf_free(h);
		rte_pktmbuf_free(d);
		VNS_STAT_INC(st, drop_nombuf);
		return -1;
	}
	th = vns_tcp_hdrs_write(eh, &st->conf.mac, &f->peer_mac, st->conf.ip, f->peer_ip,
				f->local_port, f->peer_port, seq, f->rcv_nxt,
				flags | RTE_TCP_ACK_FLAG, VNS_TCP_WND_MAX, thl, tcp_len);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	if (optlen)
		vns_tcp_put_ts(st, f, (uint8_t *)(th + 1));
	if (d != NULL) {
		rte_mbuf_ext_refcnt_update(p->shinfo, 1);
		rte_pktmbuf_attach_extbuf(d, p->pat + off, p->pat_iova + off, (uint16_t)len,
					  p->shinfo);
		d->data_len = (uint16_t)len;
		d->pkt_len = len;
		h->next = d;
		h->nb_segs = 2;
		h->pkt_len = hlen + len;
	} else if (len > 0) {
		memcpy((uint8_t *)eh + hlen, p->pat + off, len);
	}
	h->l2_len = sizeof(*eh);
	h->l3_len = sizeof(*ip);
	h->l4_len = (uint16_t)thl;
	h->ol_flags = RTE_MBUF_F_TX_IPV4;
	/* A TSO frame's IPv4 header is a template for the device: its checksum over the whole
	 * datagram's length, as for any frame (virtio has no IPv4 checksum offload). */
	if (st->conf.tx_offloads & VNS_TXOFF_IPV4_CKSUM)
		h->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (len > s->seg_max) {
		/* TSO: the device cuts tso_segsz pieces and finishes each checksum from the
		 * pseudo-header sum without the length (ethdev's convention). */
		h->ol_flags |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
		h->tso_segsz = (uint16_t)RTE_MIN((uint32_t)s->seg_max, p->tso_frame_max - hlen);
		th->cksum = vns_csum_phdr(f->peer_ip, st->conf.ip, 0);
	} else {
		if (st->conf.tx_offloads & VNS_TXOFF_TCP_CKSUM) {
			h->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
			th->cksum = vns_csum_phdr(f->peer_ip, st->conf.ip, tcp_len);
		} else {
			uint32_t sum = (uint32_t)vns_csum_phdr(f->peer_ip, st->conf.ip, tcp_len) +
				       rte_raw_cksum(th, thl) + vns_snd_pat_sum(p, off, len);

			th->cksum = (uint16_t)~vns_csum_fold(sum);
		}
	}
	vns_tx_push(st, tx, h);
	VNS_STAT_INC(st, bulk_segs);
	return 0;
}

static void
rto_arm(struct vns_stack *st, struct vns_flow *f, struct vns_snd *s)
{
	uint32_t us = (uint32_t)RTE_MIN((uint64_t)s->rto_us << s->backoff,
					(uint64_t)VNS_SND_RTO_MAX_US);

	s->flags |= VNS_SNDF_RTO_ARMED;
	vns_timer_arm(st, f, st->now + us_to_tsc(st, us));
}

/* Nothing outstanding: the flow's own (idle) timer takes over. */
static void
rto_stop(struct vns_stack *st, struct vns_flow *f, struct vns_snd *s)
{
	s->flags &= (uint16_t) ~(VNS_SNDF_RTO_ARMED | VNS_SNDF_PERSIST);
	vns_timer_arm(st, f, st->now + st->hz);
}

/* RFC 9293 §3.8.6.1 zero-window probe, as Linux sends it: SEQ = SND.UNA - 1 and no data,
 * which the receiver must answer with an ACK that carries its window, and which costs no
 * sequence space (so nothing to undo when the window stays shut). */
static void
send_probe(struct vns_stack *st, struct vns_flow *f, struct vns_snd *s, struct vns_txbuf *tx)
{
	if (send_seg(st, f, s, f->snd_una - 1, 0, 0, tx) == 0)
		VNS_STAT_INC(st, bulk_probes);
}

static void
persist_arm(struct vns_stack *st, struct vns_flow *f, struct vns_snd *s)
{
	uint32_t us = (uint32_t)RTE_MIN((uint64_t)RTE_MAX(s->rto_us, (uint32_t)VNS_SND_RTO_MIN_US)
						<< s->backoff,
					(uint64_t)VNS_SND_RTO_MAX_US);

	s->flags = (uint16_t)((s->flags & ~VNS_SNDF_RTO_ARMED) | VNS_SNDF_PERSIST);
	vns_timer_arm(st, f, st->now + us_to_tsc(st, us));
}

static void
check_done(struct vns_stack *st, struct vns_flow *f, struct vns_snd *s)
{
	struct vns_svc *svc;

	if ((s->flags & VNS_SNDF_DONE) || s->limit == VNS_CONN_BULK_UNLIMITED ||
	    s->acked < s->limit)
		return;
	s->flags |= VNS_SNDF_DONE | VNS_SNDF_STOPPED;
	if (f->svc == 0)
		return;
	svc = vns_svc_of(st, f);
	if (svc->ops->sent != NULL)
		svc->ops->sent(svc, &f->conn);
}

void
vns_snd_output(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx)
{
	struct vns_snd_pool *p = &st->snd;
	struct vns_snd *s = snd_of(st, f);
	uint32_t pipe, data_end = s->start_seq + (uint32_t)s->sent;
	uint32_t edge = f->snd_una + f->snd_wnd;
	uint32_t seg_cap = p->tso_max != 0 ? p->tso_max : s->seg_max;
	bool recovery = (s->flags & VNS_SNDF_RECOVERY) != 0;
	uint32_t burst = 0;

	if (unlikely(f->flags & VNS_FF_DEAD))
		return;
	pipe = pipe_of(f, s);
	for (;;) {
		uint32_t seq = 0, len, room, wnd_room, avail;
		uint64_t left = s->limit - s->sent;
		bool rtx;

		if (tx->n >= VNS_SND_TXBUF_BULK || burst >= VNS_SND_BURST_BYTES) {
			ready_add(st, f);
			break;
		}
		if (pipe >= s->cc.cwnd)
			break;
		room = s->cc.cwnd - pipe;
		/* RFC 6675 NextSeg (1): a lost hole first. */
		len = recovery ? next_hole(f, s, false, &seq) : 0;
		rtx = len > 0;
		if (len == 0) {
			seq = f->snd_nxt;
			if (VNS_SEQ_LT(seq, data_end)) {
				/* go-back-N after a timeout */
				avail = data_end - seq;
				rtx = true;
			} else {
				avail = (f->flags & VNS_FF_FIN_SENT)
						? 0
						: (uint32_t)RTE_MIN(left, (uint64_t)UINT32_MAX);
			}
			wnd_room = VNS_SEQ_LT(seq, edge) ? edge - seq : 0;
			len = RTE_MIN(avail, RTE_MIN(wnd_room, seg_cap));
			len = RTE_MIN(len, RTE_MAX(room, (uint32_t)s->seg_max));
			if (len == 0 && avail > 0 && wnd_room == 0 && f->snd_una == f->snd_max &&
			    !(s->flags & VNS_SNDF_PERSIST))
				persist_arm(st, f, s);
			/* RFC 6675 NextSeg (3): nothing new may go, retransmit a hole instead. */
			if (len == 0 && recovery) {
				len = next_hole(f, s, true, &seq);
				rtx = len > 0;
			}
			if (len == 0)
				break;
			if (!rtx || seq == f->snd_nxt) {
				/* Sender SWS avoidance (RFC 9293 §3.8.6.2.1): whole segments, the
				 * last bytes, or half the largest window; with nothing in flight
				 * anything (in place of the override timeout). */
				if (len < s->seg_max && len < avail && len < f->max_snd_wnd / 2 &&
				    f->snd_una != f->snd_max)
					break;
				if (len > s->seg_max && len < avail)
					len -= len % s->seg_max;
			}
		}
		if (send_seg(st, f, s, seq, len,
			     VNS_SEQ_GEQ(seq + len, data_end) ? RTE_TCP_PSH_FLAG : 0, tx) != 0) {
			ready_add(st, f);
			break;
		}
		pipe += len;
		burst += len;
		if (rtx) {
			s->retrans_segs++;
			VNS_STAT_INC(st, bulk_retrans);
			s->flags &= (uint16_t)~VNS_SNDF_TIMING; /* Karn's rule */
			if (recovery && seq != f->snd_nxt)
				s->high_rxt = seq_max(s->high_rxt, seq + len);
		}
		if (!rtx || seq == f->snd_nxt) {
			if (!rtx) {
				s->sent += len;
				VNS_STAT_ADD(st, bulk_bytes, len);
				data_end += len;
				if (!(s->flags & VNS_SNDF_TIMING)) {
					s->flags |= VNS_SNDF_TIMING;
					s->timed_seq = seq + len;
					s->timed_tsc = st->now;
				}
			}
			f->snd_nxt = seq + len;
			if (VNS_SEQ_GT(f->snd_nxt, f->snd_max))
				f->snd_max = f->snd_nxt;
		}
		if (!(s->flags & VNS_SNDF_RTO_ARMED))
			rto_arm(st, f, s);
	}
	/* Our FIN goes right after the bulk's last byte (again after a go-back-N). */
	if ((f->flags & VNS_FF_FIN_QUEUED) && s->sent == s->limit && f->snd_nxt == data_end &&
	    f->snd_una != data_end + 1 && tx->n < VNS_TXBUF_MAX) {
		if (send_seg(st, f, s, data_end, 0, RTE_TCP_FIN_FLAG, tx) == 0) {
			f->snd_nxt = data_end + 1;
			f->snd_max = data_end + 1;
			f->flags |= VNS_FF_FIN_SENT;
			if (!(s->flags & VNS_SNDF_RTO_ARMED))
				rto_arm(st, f, s);
		} else {
			ready_add(st, f);
		}
	}
	check_done(st, f, s);
}

/* RFC 6675 §5 step (4.3): the first lost segment goes at once, whatever the pipe. */
static void
retransmit_first(struct vns_stack *st, struct vns_flow *f, struct vns_snd *s, struct vns_txbuf *tx)
{
	uint32_t seq, len = next_hole(f, s, false, &seq);

	if (len == 0 || tx->n >= VNS_TXBUF_MAX - VNS_SND_TXBUF_KEEP / 2 ||
	    send_seg(st, f, s, seq, len, 0, tx) != 0)
		return;
	s->high_rxt = seq + len;
	s->retrans_segs++;
	VNS_STAT_INC(st, bulk_retrans);
}

/* --- ACK input ------------------------------------------------------------------------- */

/* RFC 6298 §2 with the clock granularity G of our 1 ms timer wheel. */
static void
rtt_sample(struct vns_snd *s, uint32_t r)
{
	uint32_t rto;

	r = RTE_MAX(r, 1u);
	if (s->srtt_us == 0) {
		s->srtt_us = r;
		s->rttvar_us = r / 2;
	} else {
		uint32_t delta = s->srtt_us > r ? s->srtt_us - r : r - s->srtt_us;

		s->rttvar_us = (3 * s->rttvar_us + delta) / 4;
		s->srtt_us = (7 * s->srtt_us + r) / 8;
	}
	rto = s->srtt_us + RTE_MAX(1000u, 4 * s->rttvar_us);
	s->rto_us = RTE_MIN(RTE_MAX(rto, (uint32_t)VNS_SND_RTO_MIN_US),
			    (uint32_t)VNS_SND_RTO_MAX_US);
}

/* RFC 2018 SACK blocks of the segment, validated (RFC 5961 spirit): a block must lie in
 * [SND.UNA, SND.MAX] with start < end; the first may be a D-SACK (RFC 2883: at or below the
 * cumulative ACK, or inside a later block), which is no news for the scoreboard. Returns
 * true if the scoreboard grew. */
static bool
sack_input(struct vns_stack *st, struct vns_flow *f, struct vns_snd *s,
	   const struct rte_tcp_hdr *th, uint32_t ack)
{
	const uint8_t *o;
	uint32_t i = 0, k;
	uint8_t kind, olen;
	bool news = false;

	while (vns_tcp_opt_next(th, &i, &kind, &o, &olen)) {
		if (kind == VNS_TCP_OPT_SACK) {
			for (k = 0; k + 10 <= olen; k += 8) {
				uint32_t a, b;

				memcpy(&a, o + 2 + k, 4);
				memcpy(&b, o + 6 + k, 4);
				a = rte_be_to_cpu_32(a);
				b = rte_be_to_cpu_32(b);
				if (k == 0 && VNS_SEQ_LT(a, b) && VNS_SEQ_LEQ(b, ack) &&
				    VNS_SEQ_GEQ(a, f->snd_una - f->max_snd_wnd))
					continue; /* D-SACK */
				if (!VNS_SEQ_LT(a, b) || VNS_SEQ_LT(a, f->snd_una) ||
				    VNS_SEQ_GT(b, f->snd_max)) {
					VNS_STAT_INC(st, bad_sack);
					continue;
				}
				if (VNS_SEQ_LT(a, ack))
					a = ack;
				if (VNS_SEQ_LT(a, b))
					news |= sack_add(s, a, b);
			}
		}
	}
	return news;
}

/* RFC 9293 §3.10.7.4: only a segment newer than the last update (SND.WL1, SND.WL2) sets
 * the window; one that moves the right edge back (RFC 9293 §3.8.6: a receiver should not
 * shrink its window) is counted and ignored, the old edge stands. */
static void
wnd_input(struct vns_stack *st, struct vns_flow *f, uint32_t seq, uint32_t ack, uint16_t win)
{
	uint32_t w = (uint32_t)win << f->snd_wscale;
	uint32_t old_edge = f->snd_wl2 + f->snd_wnd;

	if (!(VNS_SEQ_LT(f->snd_wl1, seq) || (f->snd_wl1 == seq && VNS_SEQ_LEQ(f->snd_wl2, ack))))
		return;
	if (VNS_SEQ_LT(ack + w, old_edge) && w != 0) {
		VNS_STAT_INC(st, bad_wnd);
		w = old_edge - ack;
	}
	f->snd_wnd = w;
	if (w > f->max_snd_wnd)
		f->max_snd_wnd = w;
	f->snd_wl1 = seq;
	f->snd_wl2 = ack;
}

void
vns_snd_ack(struct vns_stack *st, struct vns_flow *f, const struct rte_tcp_hdr *th, uint32_t plen,
	    struct vns_txbuf *tx)
{
	struct vns_snd *s = snd_of(st, f);
	uint32_t seq = rte_be_to_cpu_32(th->sent_seq), ack = rte_be_to_cpu_32(th->recv_ack);
	uint32_t data_end = s->start_seq + (uint32_t)s->sent, old_wnd = f->snd_wnd;
	bool cwnd_limited = pipe_of(f, s) + s->seg_max >= s->cc.cwnd;
	bool news = false;

	if (f->flags & VNS_FF_SACK)
		news = sack_input(st, f, s, th, ack);
	f->rtx_count = 0; /* the peer answers: probing goes on (RFC 1122 4.2.2.17) */
	if (VNS_SEQ_GT(ack, f->snd_una)) {
		uint32_t upto = VNS_SEQ_GT(ack, data_end) ? data_end : ack;
		/* Where the bulk's acknowledged bytes begin: SND.UNA once it has reached the bulk
		 * (it is then start_seq + acked), else start_seq. Comparing SND.UNA with start_seq
		 * instead is serial arithmetic, wrong 2^31 bytes into a transfer: the count stopped
		 * there and a drain or a finite bulk never ended. */
		uint32_t from = f->snd_una == s->start_seq + (uint32_t)s->acked ? f->snd_una
										: s->start_seq;
		uint32_t data = VNS_SEQ_GT(upto, from) ? upto - from : 0;
		uint32_t rtt = VNS_CC_RTT_NONE;

		s->acked += data;
		VNS_STAT_ADD(st, bulk_bytes_acked, data);
		if ((s->flags & VNS_SNDF_TIMING) && VNS_SEQ_GEQ(ack, s->timed_seq)) {
			rtt = (uint32_t)RTE_MIN((st->now - s->timed_tsc) * 1000000 / st->hz,
						(uint64_t)UINT32_MAX - 1);
			rtt_sample(s, rtt);
			s->flags &= (uint16_t)~VNS_SNDF_TIMING;
		}
		f->snd_una = ack;
		if (VNS_SEQ_LT(f->snd_nxt, ack))
			f->snd_nxt = ack;
		if (VNS_SEQ_LT(s->high_rxt, ack))
			s->high_rxt = ack;
		sack_trim(s, ack);
		s->dupacks = 0;
		s->backoff = 0;
		if (s->flags & VNS_SNDF_RECOVERY) {
			if (VNS_SEQ_GEQ(ack, s->recover)) {
				s->flags &= (uint16_t)~VNS_SNDF_RECOVERY;
				vns_cc_recovered(&s->cc);
			}
		} else {
			vns_cc_ack(&s->cc, data, rtt, ack, f->snd_max, cwnd_limited);
		}
		if (f->snd_una == f->snd_max)
			rto_stop(st, f, s);
		else
			rto_arm(st, f, s); /* RFC 6298 §5.3 */
	} else if (ack == f->snd_una && f->snd_una != f->snd_max && plen == 0 &&
		   !(th->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) &&
		   ((f->flags & VNS_FF_SACK) ? news
					     : ((uint32_t)rte_be_to_cpu_16(th->rx_win)
						<< f->snd_wscale) == f->snd_wnd)) {
		/* A duplicate ACK: RFC 6675 §2 with SACK (it must carry new SACK information),
		 * RFC 5681 §2 without (the window unchanged). */
		if (s->dupacks < UINT8_MAX)
			s->dupacks++;
	}
	wnd_input(st, f, seq, ack, rte_be_to_cpu_16(th->rx_win));
	if ((s->flags & VNS_SNDF_PERSIST) && f->snd_wnd > 0 && old_wnd != f->snd_wnd) {
		s->flags &= (uint16_t)~VNS_SNDF_PERSIST;
		s->backoff = 0;
	}
	if (!(s->flags & VNS_SNDF_RECOVERY) && f->snd_una != f->snd_max &&
	    (s->dupacks >= VNS_SND_DUPTHRESH ||
	     ((f->flags & VNS_FF_SACK) && VNS_SEQ_GT(lost_edge(f, s), f->snd_una)))) {
		/* RFC 6675 §5 step 4 */
		s->flags |= VNS_SNDF_RECOVERY;
		s->flags &= (uint16_t)~VNS_SNDF_TIMING;
		s->recover = f->snd_max;
		s->high_rxt = f->snd_una;
		vns_cc_loss(&s->cc, f->snd_max - f->snd_una);
		VNS_STAT_INC(st, bulk_recoveries);
		retransmit_first(st, f, s, tx);
	}
	vns_snd_output(st, f, tx);
}

/* --- timers ---------------------------------------------------------------------------- */

bool
vns_snd_timeout(struct vns_stack *st, struct vns_flow *f, struct vns_txbuf *tx, bool *dead)
{
	struct vns_snd *s = snd_of(st, f);

	*dead = false;
	if (s->flags & VNS_SNDF_PERSIST) {
		if (f->snd_wnd != 0) {
			s->flags &= (uint16_t)~VNS_SNDF_PERSIST;
			vns_snd_output(st, f, tx);
			return true;
		}
		/* Unanswered probes end the connection; answered ones go on (RFC 1122
		 * 4.2.2.17), at an interval that backs off. */
		if (++f->rtx_count > VNS_SND_RTX_MAX) {
			*dead = true;
			return true;
		}
		send_probe(st, f, s, tx);
		if (s->backoff < 16)
			s->backoff++;
		persist_arm(st, f, s);
		return true;
	}
	if (!(s->flags & VNS_SNDF_RTO_ARMED))
		return false;
	if (f->snd_una == f->snd_max) {
		s->flags &= (uint16_t)~VNS_SNDF_RTO_ARMED;
		return false;
	}
	/* RFC 6298 §5.4-5.7: retransmit from SND.UNA with the timer backed off; RFC 5681 (4):
	 * one segment of window; RFC 2018 §8: SACK information is not trusted after it. */
	if (++f->rtx_count > VNS_SND_RTX_MAX) {
		*dead = true;
		return true;
	}
	VNS_STAT_INC(st, bulk_rto);
	if (s->backoff < 16)
		s->backoff++;
	vns_cc_rto(&s->cc, f->snd_max - f->snd_una);
	s->flags &= (uint16_t) ~(VNS_SNDF_RECOVERY | VNS_SNDF_TIMING | VNS_SNDF_RTO_ARMED);
	s->nb_sack = 0;
	s->dupacks = 0;
	s->high_rxt = f->snd_una;
	f->snd_nxt = f->snd_una;
	if (f->snd_wnd == 0) {
		send_probe(st, f, s, tx);
		persist_arm(st, f, s);
		return true;
	}
	vns_snd_output(st, f, tx);
	if (!(s->flags & (VNS_SNDF_RTO_ARMED | VNS_SNDF_PERSIST)))
		rto_arm(st, f, s);
	return true;
}
