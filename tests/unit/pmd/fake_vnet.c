/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fake_vnet: the device side of virtio-net split and packed rings, in process.
 * Written from the virtio 1.2 text, independently of the driver's ring code (it shares
 * only the spec-defined struct layouts from vpmd_spec.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_vnet.h"

#define VPMD_TX_MAX_SEGS_FAKE 256
#define LOAD_ACQ(p)           __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE_REL(p, v)       __atomic_store_n((p), (v), __ATOMIC_RELEASE)

static void
violation(struct fake_vnet *f, const char *fmt, ...)
{
	va_list ap;

	if (f->violations++ == 0) {
		va_start(ap, fmt);
		vsnprintf(f->violation, sizeof(f->violation), fmt, ap);
		va_end(ap);
	}
}

static bool
negotiated(const struct fake_vnet *f, uint64_t bit)
{
	return (f->driver_features & bit) != 0;
}

static unsigned int
ctrl_index(const struct fake_vnet *f)
{
	return vpmd_cvq((f->cfg.features & VPMD_F_MQ) ? f->cfg.max_pairs : 1);
}

static void *
va(uint64_t addr)
{
	return (void *)(uintptr_t)addr;
}

/* ---- ring access, split ------------------------------------------------------------------ */

static struct vpmd_vring_desc *
s_desc(struct fake_vq *q)
{
	return q->l.desc;
}
static struct vpmd_vring_avail *
s_avail(struct fake_vq *q)
{
	return q->l.driver;
}
static struct vpmd_vring_used *
s_used(struct fake_vq *q)
{
	return q->l.device;
}

static uint16_t
s_avail_count(struct fake_vq *q)
{
	return (uint16_t)(LOAD_ACQ(&s_avail(q)->idx) - q->last_avail);
}

/* One buffer = one descriptor chain. */
struct fbuf {
	uint16_t id;    /* head (split) or buffer id (packed) */
	uint16_t ndesc; /* ring descriptors */
	bool indirect;  /* the (one) ring descriptor pointed at an indirect table */
	uint16_t nent;  /* entries of that table (copied into ent[]) */
	struct vpmd_vring_desc ent[FAKE_INDIRECT_MAX];
	uint32_t cap; /* bytes across all descriptors */
	unsigned int nseg;
	struct {
		uint8_t *p;
		uint32_t len;
		bool write;
	} seg[VPMD_TX_MAX_SEGS_FAKE];
};

/*
 * The table behind an indirect descriptor [2.7.5.3 split, 2.8.7 packed], read once into
 * b->ent (addr, len, flags; next, or for packed the reserved buffer id). Split entries chain
 * with NEXT / next inside the table and never carry INDIRECT; packed entries follow one
 * another and WRITE is their only valid flag (we flag any other as the driver's mistake).
 * false on a malformed table.
 */
static bool
t_indirect(struct fake_vnet *f, struct fake_vq *q, const struct vpmd_vring_desc *rd, struct fbuf *b)
{
	const struct vpmd_vring_desc *t = va(rd->addr);
	uint32_t cnt = rd->len / sizeof(*t), j = 0, n = 0;

	b->indirect = true;
	if (!negotiated(f, VPMD_F_INDIRECT_DESC) || rd->addr == 0 || rd->len == 0 ||
	    rd->len % sizeof(*t) != 0 || (rd->addr % 16) != 0 || cnt > FAKE_INDIRECT_MAX ||
	    cnt > q->l.size) {
		violation(f, "vq %u: bad indirect descriptor addr 0x%llx len %u (negotiated %d)",
			  q->l.index, (unsigned long long)rd->addr, rd->len,
			  negotiated(f, VPMD_F_INDIRECT_DESC));
		return false;
	}
	if (q->l.packed) {
		const struct vpmd_vring_packed_desc *pt = va(rd->addr);

		for (j = 0; j < cnt; j++)
			b->ent[j] = (struct vpmd_vring_desc){ .addr = pt[j].addr,
							      .len = pt[j].len,
							      .flags = pt[j].flags,
							      .next = pt[j].id };
		j = 0;
	} else {
		memcpy(b->ent, t, cnt * sizeof(*t));
	}
	for (;;) {
		const struct vpmd_vring_desc *e = &b->ent[j];
		uint16_t bad = q->l.packed ? (uint16_t)~VPMD_DESC_F_WRITE
					   : (uint16_t)VPMD_DESC_F_INDIRECT;

		if (n >= cnt || (e->flags & bad) || e->addr == 0 || e->len > 65536) {
			violation(f, "vq %u: bad indirect entry %u (flags 0x%x addr 0x%llx len %u)",
				  q->l.index, j, e->flags, (unsigned long long)e->addr, e->len);
			return false;
		}
		b->seg[b->nseg].p = va(e->addr);
		b->seg[b->nseg].len = e->len;
		b->seg[b->nseg].write = (e->flags & VPMD_DESC_F_WRITE) != 0;
		b->nseg++;
		b->cap += e->len;
		n++;
		if (q->l.packed) {
			if (n == cnt)
				break;
			j++;
			continue;
		}
		if (!(e->flags & VPMD_DESC_F_NEXT))
			break;
		if (e->next >= cnt) {
			violation(f, "vq %u: indirect entry %u next %u beyond the table of %u",
				  q->l.index, j, e->next, cnt);
			return false;
		}
		j = e->next;
	}
	if (!q->l.packed && n != cnt)
		violation(f, "vq %u: indirect table of %u entries, chain of %u", q->l.index, cnt,
			  n);
	b->nent = (uint16_t)cnt;
	return true;
}

/* Describe the chain at split head `head`. false on a malformed chain. */
static bool
s_chain(struct fake_vnet *f, struct fake_vq *q, uint16_t head, struct fbuf *b)
{
	struct vpmd_vring_desc *d = s_desc(q);
	uint16_t i = head, n = 0;

	memset(b, 0, sizeof(*b));
	b->id = head;
	for (;;) {
		if (i >= q->l.size || n >= q->l.size || b->nseg >= VPMD_TX_MAX_SEGS_FAKE) {
			violation(f, "vq %u: malformed chain at head %u", q->l.index, head);
			return false;
		}
		if (d[i].flags & VPMD_DESC_F_INDIRECT) {
			if (n > 0 || (d[i].flags & VPMD_DESC_F_NEXT)) {
				violation(
					f,
					"vq %u: indirect descriptor %u inside a chain or with NEXT",
					q->l.index, i);
				return false;
			}
			b->ndesc = 1;
			return t_indirect(f, q, &d[i], b);
		}
		if (d[i].addr == 0 || d[i].len > 65536) {
			violation(f, "vq %u: descriptor %u addr 0x%llx len %u", q->l.index, i,
				  (unsigned long long)d[i].addr, d[i].len);
			return false;
		}
		b->seg[b->nseg].p = va(d[i].addr);
		b->seg[b->nseg].len = d[i].len;
		b->seg[b->nseg].write = (d[i].flags & VPMD_DESC_F_WRITE) != 0;
		b->nseg++;
		b->cap += d[i].len;
		n++;
		if (!(d[i].flags & VPMD_DESC_F_NEXT))
			break;
		if (negotiated(f, VPMD_F_IN_ORDER) && d[i].next != ((i + 1) % q->l.size))
			violation(f, "vq %u: IN_ORDER chain not in ring order", q->l.index);
		i = d[i].next;
	}
	b->ndesc = n;
	return true;
}

/* ---- ring access, packed ----------------------------------------------------------------- */

static struct vpmd_vring_packed_desc *
p_desc(struct fake_vq *q)
{
	return q->l.desc;
}

static bool
p_is_avail(uint16_t flags, uint16_t wrap)
{
	return ((flags & VPMD_DESC_F_AVAIL) != 0) == (wrap != 0) &&
	       ((flags & VPMD_DESC_F_USED) != 0) != (wrap != 0);
}

static void
p_adv(uint16_t *pos, uint16_t *wrap, uint16_t n, uint16_t size)
{
	uint32_t p = (uint32_t)*pos + n;

	while (p >= size) {
		p -= size;
		*wrap ^= 1;
	}
	*pos = (uint16_t)p;
}

/* Describe the chain available at position pos/wrap. false if none (or malformed). */
static bool
p_chain(struct fake_vnet *f, struct fake_vq *q, uint16_t pos, uint16_t wrap, struct fbuf *b)
{
	struct vpmd_vring_packed_desc *d = p_desc(q);
	uint16_t n = 0, flags;

	memset(b, 0, sizeof(*b));
	if (q->scribbled)
		return false; /* raw used writes made our own view of this ring meaningless */
	flags = LOAD_ACQ(&d[pos].flags);
	if (!p_is_avail(flags, wrap))
		return false;
	for (;;) {
		if (n >= q->l.size || b->nseg >= VPMD_TX_MAX_SEGS_FAKE) {
			violation(f, "vq %u: malformed packed chain", q->l.index);
			return false;
		}
		if (n > 0) {
			flags = LOAD_ACQ(&d[pos].flags);
			if (!p_is_avail(flags, wrap)) {
				violation(f,
					  "vq %u: packed chain continues into a descriptor that is "
					  "not available",
					  q->l.index);
				return false;
			}
		}
		if (flags & VPMD_DESC_F_INDIRECT) {
			struct vpmd_vring_desc rd = { .addr = d[pos].addr, .len = d[pos].len };

			if (n > 0 || (flags & VPMD_DESC_F_NEXT)) {
				violation(
					f,
					"vq %u: indirect descriptor %u inside a chain or with NEXT",
					q->l.index, pos);
				return false;
			}
			b->id = d[pos].id;
			b->ndesc = 1;
			return t_indirect(f, q, &rd, b);
		}
		if (d[pos].addr == 0 || d[pos].len > 65536) {
			violation(f, "vq %u: descriptor %u addr 0x%llx len %u", q->l.index, pos,
				  (unsigned long long)d[pos].addr, d[pos].len);
			return false;
		}
		b->seg[b->nseg].p = va(d[pos].addr);
		b->seg[b->nseg].len = d[pos].len;
		b->seg[b->nseg].write = (flags & VPMD_DESC_F_WRITE) != 0;
		b->nseg++;
		b->cap += d[pos].len;
		b->id = d[pos].id; /* the last descriptor's id counts */
		n++;
		if (!(flags & VPMD_DESC_F_NEXT))
			break;
		p_adv(&pos, &wrap, 1, q->l.size);
	}
	b->ndesc = n;
	return true;
}

/* Write a used descriptor (packed) at the device's used position and advance. */
static void
p_used(struct fake_vq *q, uint16_t id, uint32_t len, uint16_t advance, bool publish)
{
	struct vpmd_vring_packed_desc *d = &p_desc(q)[q->used_idx];
	uint16_t flags = q->used_wrap ? (VPMD_DESC_F_AVAIL | VPMD_DESC_F_USED) : 0;

	d->id = id;
	d->len = len;
	if (publish)
		STORE_REL(&d->flags, flags);
	p_adv(&q->used_idx, &q->used_wrap, advance, q->l.size);
}

/* ---- generic "next available buffer" --------------------------------------------------- */

/* Peek the k-th available buffer after the current one (no state change). */
static bool
peek_buf(struct fake_vnet *f, struct fake_vq *q, unsigned int k, struct fbuf *b)
{
	if (!q->l.packed) {
		if (k >= s_avail_count(q))
			return false;
		return s_chain(
			f, q, s_avail(q)->ring[(uint16_t)(q->last_avail + k) & (q->l.size - 1)], b);
	} else {
		uint16_t pos = q->last_avail, wrap = q->avail_wrap;
		unsigned int i;

		for (i = 0;; i++) {
			if (!p_chain(f, q, pos, wrap, b))
				return false;
			if (i == k)
				return true;
			p_adv(&pos, &wrap, b->ndesc, q->l.size);
		}
	}
}

static void
take_buf(struct fake_vq *q, const struct fbuf *b)
{
	if (!q->l.packed) {
		q->last_avail++;
		/* EVENT_IDX and notifications wanted: "kick me at the next new buffer" */
		if (q->want_every_kick)
			STORE_REL((uint16_t *)(void *)&s_used(q)->ring[q->l.size], q->last_avail);
	} else {
		p_adv(&q->last_avail, &q->avail_wrap, b->ndesc, q->l.size);
	}
}

static struct fake_vq *
get_vq(struct fake_vnet *f, uint16_t idx)
{
	if (idx >= FAKE_MAX_VQ || !f->vq[idx].ready)
		return NULL;
	return &f->vq[idx];
}

unsigned int
fake_rx_avail(struct fake_vnet *f, uint16_t qid)
{
	struct fake_vq *q = get_vq(f, (uint16_t)vpmd_rxvq(qid));
	struct fbuf b;
	unsigned int n = 0;

	if (q == NULL)
		return 0;
	while (peek_buf(f, q, n, &b))
		n++;
	return n;
}

/* ---- rx ------------------------------------------------------------------------------------ */

static uint32_t
buf_write(struct fbuf *b, uint32_t off, const uint8_t *src, uint32_t n)
{
	uint32_t done = 0;
	unsigned int s;

	for (s = 0; s < b->nseg && done < n; s++) {
		uint32_t l = b->seg[s].len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l -= off;
		if (l > n - done)
			l = n - done;
		memcpy(b->seg[s].p + off, src + done, l);
		done += l;
		off = 0;
	}
	return done;
}

int
fake_rx_inject(struct fake_vnet *f, uint16_t qid, const struct vpmd_net_hdr *hdr, const void *data,
	       uint32_t len, bool raw_numbuf)
{
	struct fake_vq *q = get_vq(f, (uint16_t)vpmd_rxvq(qid));
	static struct fbuf bufs[512];
	uint32_t total = VPMD_NET_HDR_SIZE + len, have = 0, off, i, nb = 0;
	uint32_t lens[512];
	struct vpmd_net_hdr h = *hdr;
	bool mrg = negotiated(f, VPMD_F_MRG_RXBUF);
	bool batch = f->inorder_batch && negotiated(f, VPMD_F_IN_ORDER);
	enum fake_mis mis = f->mis;
	uint8_t hb[VPMD_NET_HDR_SIZE];
	uint16_t first_pos, first_wrap;

	if (q != NULL && f->cfg.rx_kick_after_enable && !q->woken)
		return 0; /* the device has not looked at this queue yet */

	if (q == NULL || !(f->status & VPMD_STATUS_DRIVER_OK))
		return 0;
	while (have < total) {
		if (nb == 512 || !peek_buf(f, q, nb, &bufs[nb]))
			return 0;
		if (!bufs[nb].seg[0].write)
			violation(f, "rx vq %u: buffer not device-writable", q->l.index);
		have += bufs[nb].cap;
		nb++;
		if (!mrg)
			break;
	}
	if (have < total)
		return -1;
	if (!raw_numbuf)
		h.num_buffers = (uint16_t)(mrg ? nb : 1);
	switch (mis) {
	case FAKE_MIS_NUMBUF_ZERO:
		h.num_buffers = 0;
		break;
	case FAKE_MIS_NUMBUF_BIG:
		h.num_buffers = 0xffff;
		break;
	case FAKE_MIS_NUMBUF_TWO:
		h.num_buffers = 2;
		break;
	default:
		break;
	}
	memcpy(hb, &h, sizeof(hb));

	/* Fill buffers in order: header then payload, each buffer up to its capacity. */
	off = 0;
	for (i = 0; i < nb; i++) {
		uint32_t room = bufs[i].cap, w = 0;

		if (i == 0) {
			w = buf_write(&bufs[i], 0, hb, VPMD_NET_HDR_SIZE);
			room -= w;
		}
		if (room > len - off)
			room = len - off;
		buf_write(&bufs[i], w, (const uint8_t *)data + off, room);
		off += room;
		lens[i] = w + room;
		take_buf(q, &bufs[i]);
	}

	/* Used entries; the misbehaviour hits the first one. */
	first_pos = q->used_idx;
	first_wrap = q->used_wrap;
	for (i = 0; i < nb; i++) {
		uint32_t id = bufs[i].id, ulen = lens[i];

		if (batch && i + 1 < nb)
			continue; /* one entry for the whole batch */
		if (i == 0 || batch) {
			switch (mis) {
			case FAKE_MIS_ID_RANGE:
				id = q->l.size + 3;
				break;
			case FAKE_MIS_ID_DUP:
				id = q->last_used_id;
				break;
			case FAKE_MIS_LEN_SHORT:
				ulen = 20;
				break;
			case FAKE_MIS_LEN_LONG:
				ulen = bufs[i].cap + 1;
				break;
			default:
				break;
			}
		}
		if (i == 1 && !batch) {
			if (mis == FAKE_MIS_LATER_ID_RANGE)
				id = q->l.size + 3;
			if (mis == FAKE_MIS_LATER_LEN_LONG)
				ulen = bufs[i].cap + 1;
		}
		q->last_used_id = bufs[i].id;
		if (!q->l.packed) {
			struct vpmd_vring_used_elem *e =
				&s_used(q)->ring[(uint16_t)(q->used_idx + (batch ? 0 : i)) &
						 (q->l.size - 1)];

			e->id = id;
			e->len = ulen;
		} else {
			uint16_t adv = bufs[i].ndesc;

			if (batch) {
				uint32_t k;

				for (adv = 0, k = 0; k < nb; k++)
					adv += bufs[k].ndesc;
			}
			/* Publish later entries first, the first one last (all-or-nothing). */
			p_used(q, (uint16_t)id, ulen, adv, i > 0 || batch);
		}
	}
	if (!q->l.packed) {
		uint16_t newidx = (uint16_t)(q->used_idx + nb);

		q->used_idx = newidx;
		if (mis == FAKE_MIS_USED_IDX_JUMP)
			newidx = (uint16_t)(newidx + q->l.size + 1);
		STORE_REL(&s_used(q)->idx, newidx);
	} else if (!batch && nb > 0) {
		/* now release the first used descriptor: the packet appears all at once */
		STORE_REL(&p_desc(q)[first_pos].flags,
			  (uint16_t)(first_wrap ? (VPMD_DESC_F_AVAIL | VPMD_DESC_F_USED) : 0));
	}
	f->mis = FAKE_MIS_NONE;
	return (int)nb;
}

/* ---- tx ------------------------------------------------------------------------------------ */

int
fake_tx_pop(struct fake_vnet *f, uint16_t qid, struct vpmd_net_hdr *hdr, uint8_t *buf, uint32_t cap,
	    unsigned int *ndesc)
{
	struct fake_vq *q = get_vq(f, (uint16_t)vpmd_txvq(qid));
	struct fbuf b;
	uint8_t hb[VPMD_NET_HDR_SIZE];
	uint32_t got = 0, flen = 0;
	unsigned int s;

	if (q == NULL || !peek_buf(f, q, 0, &b))
		return -1;
	if (!q->l.packed && negotiated(f, VPMD_F_IN_ORDER)) {
		/* the driver must hand out descriptors in ring order */
		if (b.id != q->next_head)
			violation(f, "tx vq %u: IN_ORDER head %u, expected %u", q->l.index, b.id,
				  q->next_head);
		q->next_head = (uint16_t)((b.id + b.ndesc) % q->l.size);
	}
	take_buf(q, &b);
	f->last_tx.indirect = b.indirect;
	f->last_tx.nent = b.nent;
	memcpy(f->last_tx.ent, b.ent, sizeof(b.ent[0]) * b.nent);
	f->tx_indirect += b.indirect;
	for (s = 0; s < b.nseg; s++) {
		uint32_t l = b.seg[s].len, o = 0;

		if (b.seg[s].write)
			violation(f, "tx vq %u: device-writable descriptor in a tx chain",
				  q->l.index);
		while (o < l && got < VPMD_NET_HDR_SIZE)
			hb[got++] = b.seg[s].p[o++];
		if (o < l) {
			uint32_t n = l - o;

			if (flen < cap)
				memcpy(buf + flen, b.seg[s].p + o, RTE_MIN(n, cap - flen));
			flen += n;
		}
	}
	if (got < VPMD_NET_HDR_SIZE)
		violation(f, "tx vq %u: chain shorter than the header", q->l.index);
	memcpy(hdr, hb, sizeof(*hdr));
	if (q->nb_pending < FAKE_TX_PENDING_MAX) {
		q->pend_id[q->nb_pending] = b.id;
		q->pend_ndesc[q->nb_pending] = b.ndesc;
		q->nb_pending++;
	}
	if (ndesc)
		*ndesc = b.ndesc;
	return (int)flen;
}

void
fake_tx_complete(struct fake_vnet *f, uint16_t qid, enum fake_complete how)
{
	struct fake_vq *q = get_vq(f, (uint16_t)vpmd_txvq(qid));
	enum fake_mis mis = f->mis;
	uint32_t i, n, prev_id = 0;

	if (q == NULL || q->nb_pending == 0)
		return;
	n = q->nb_pending;
	if (how == FAKE_COMPLETE_BATCH) {
		uint16_t adv = 0;
		uint32_t id = q->pend_id[n - 1];

		if (mis == FAKE_MIS_ID_RANGE)
			id = q->l.size + 3;
		for (i = 0; i < n; i++)
			adv += q->pend_ndesc[i];
		if (!q->l.packed) {
			s_used(q)->ring[q->used_idx & (q->l.size - 1)] =
				(struct vpmd_vring_used_elem){ .id = id, .len = 0 };
			q->used_idx =
				(uint16_t)(q->used_idx + (mis == FAKE_MIS_BATCH_SHORT ? 1 : n));
			STORE_REL(&s_used(q)->idx,
				  (uint16_t)(q->used_idx +
					     (mis == FAKE_MIS_USED_IDX_JUMP ? q->l.size + 1 : 0)));
		} else {
			p_used(q, (uint16_t)id, 0, adv, true);
		}
	} else {
		uint16_t first_pos = q->used_idx, first_wrap = q->used_wrap;

		for (i = 0; i < n; i++) {
			uint32_t k = how == FAKE_COMPLETE_REVERSE ? n - 1 - i : i;
			uint32_t id = q->pend_id[k];

			if (i == 0 && mis == FAKE_MIS_ID_RANGE)
				id = q->l.size + 3;
			if (i == 1 && mis == FAKE_MIS_ID_DUP)
				id = prev_id;
			prev_id = id;
			if (!q->l.packed) {
				s_used(q)->ring[(uint16_t)(q->used_idx + i) & (q->l.size - 1)] =
					(struct vpmd_vring_used_elem){ .id = id, .len = 0 };
			} else {
				p_used(q, (uint16_t)id, 0, q->pend_ndesc[k], i > 0);
			}
		}
		if (!q->l.packed) {
			q->used_idx = (uint16_t)(q->used_idx + n);
			STORE_REL(&s_used(q)->idx,
				  (uint16_t)(q->used_idx +
					     (mis == FAKE_MIS_USED_IDX_JUMP ? q->l.size + 1 : 0)));
		} else {
			STORE_REL(&p_desc(q)[first_pos].flags,
				  (uint16_t)(first_wrap ? (VPMD_DESC_F_AVAIL | VPMD_DESC_F_USED)
							: 0));
		}
	}
	q->nb_pending = 0;
	f->mis = FAKE_MIS_NONE;
}

/* ---- control queue ------------------------------------------------------------------------- */

static void
ctrl_process(struct fake_vnet *f, struct fake_vq *q)
{
	struct fbuf b;

	while (peek_buf(f, q, 0, &b)) {
		uint8_t cmd[64];
		uint32_t n = 0;
		uint8_t *ack = NULL;
		uint8_t result = VPMD_CTRL_ERR;
		unsigned int s;
		uint16_t id;

		take_buf(q, &b);
		f->ctrl_cmds++;
		for (s = 0; s < b.nseg; s++) {
			if (b.seg[s].write) {
				if (b.seg[s].len >= 1)
					ack = b.seg[s].p;
			} else {
				uint32_t l = RTE_MIN(b.seg[s].len, (uint32_t)sizeof(cmd) - n);

				memcpy(cmd + n, b.seg[s].p, l);
				n += l;
			}
		}
		if (n >= 4 && cmd[0] == VPMD_CTRL_CLS_MQ && cmd[1] == VPMD_CTRL_MQ_VQ_PAIRS_SET) {
			uint16_t pairs = (uint16_t)(cmd[2] | cmd[3] << 8);

			if (!negotiated(f, VPMD_F_MQ))
				violation(f, "VQ_PAIRS_SET without MQ");
			if (pairs >= 1 && pairs <= f->cfg.max_pairs) {
				result = f->cfg.ctrl_ack;
				if (result == VPMD_CTRL_OK)
					f->pairs_set = pairs;
			}
		}
		/* Receive filter and MAC address [5.1.6.5.1-2]: acked as configured, recorded. */
		if (n == 3 && cmd[0] == VPMD_CTRL_CLS_RX &&
		    (cmd[1] == VPMD_CTRL_RX_PROMISC || cmd[1] == VPMD_CTRL_RX_ALLMULTI)) {
			if (!negotiated(f, VPMD_F_CTRL_RX))
				violation(f, "CTRL_RX command without CTRL_RX");
			result = f->cfg.ctrl_ack;
		} else if (n == 8 && cmd[0] == VPMD_CTRL_CLS_MAC &&
			   cmd[1] == VPMD_CTRL_MAC_ADDR_SET) {
			if (!negotiated(f, VPMD_F_CTRL_MAC_ADDR))
				violation(f, "MAC_ADDR_SET without CTRL_MAC_ADDR");
			result = f->cfg.ctrl_ack;
		}
		f->last_ctrl_len = RTE_MIN(n, (uint32_t)sizeof(f->last_ctrl));
		memcpy(f->last_ctrl, cmd, f->last_ctrl_len);
		if (!ack)
			violation(f, "control command without an ack buffer");
		else if (f->cfg.ctrl_mis != FAKE_CTRL_NO_ACK)
			*ack = result;
		if (f->cfg.ctrl_mis == FAKE_CTRL_SILENT)
			continue;
		id = f->cfg.ctrl_mis == FAKE_CTRL_WRONG_ID ? (uint16_t)(b.id + 1) : b.id;
		if (!q->l.packed) {
			s_used(q)->ring[q->used_idx & (q->l.size - 1)] =
				(struct vpmd_vring_used_elem){ .id = id, .len = 1 };
			q->used_idx += f->cfg.ctrl_mis == FAKE_CTRL_USED_PLUS2 ? 2 : 1;
			STORE_REL(&s_used(q)->idx, q->used_idx);
		} else {
			p_used(q, id, 1, b.ndesc, true);
		}
	}
}

static int
fake_ctrl_cmd(void *priv, uint8_t cls, uint8_t cmd, const void *data, uint32_t len,
	      char *err __rte_unused, size_t errlen __rte_unused)
{
	struct fake_vnet *f = priv;
	uint16_t pairs;

	f->ctrl_cmds++;
	if (cls != VPMD_CTRL_CLS_MQ || cmd != VPMD_CTRL_MQ_VQ_PAIRS_SET || len != 2)
		return VPMD_CTRL_ERR;
	memcpy(&pairs, data, 2);
	if (pairs < 1 || pairs > f->cfg.max_pairs)
		return VPMD_CTRL_ERR;
	if (f->cfg.ctrl_ack == VPMD_CTRL_OK)
		f->pairs_set = pairs;
	return f->cfg.ctrl_ack;
}

/* ---- notification --------------------------------------------------------------------------- */

static void
fake_kick(void *cookie, uint16_t vq_index)
{
	struct fake_vnet *f = cookie;
	struct fake_vq *q = get_vq(f, vq_index);

	if (q == NULL) {
		violation(f, "kick on vq %u that is not set up", vq_index);
		return;
	}
	if (!(f->status & VPMD_STATUS_DRIVER_OK))
		violation(f, "kick on vq %u before DRIVER_OK", vq_index);
	q->kicks++;
	if (vq_index != ctrl_index(f) &&
	    vpmd_vq_pair(vq_index) < (f->pairs_set ? f->pairs_set : 1u))
		q->woken = true;
	if (vq_index == ctrl_index(f) && negotiated(f, VPMD_F_CTRL_VQ))
		ctrl_process(f, q);
}

void
fake_set_avail_event(struct fake_vnet *f, uint16_t vqi, uint16_t idx, uint16_t wrap)
{
	struct fake_vq *q = get_vq(f, vqi);

	if (q == NULL)
		return;
	if (!q->l.packed) {
		uint16_t *ae = (uint16_t *)(void *)&s_used(q)->ring[q->l.size];

		q->want_every_kick = false;
		STORE_REL(ae, idx);
	} else {
		struct vpmd_vring_packed_event *ev = q->l.device;

		ev->off_wrap = (uint16_t)(idx | (wrap << 15));
		STORE_REL(&ev->flags, (uint16_t)VPMD_EVENT_F_DESC);
	}
}

void
fake_set_no_notify(struct fake_vnet *f, uint16_t vqi, bool no_notify)
{
	struct fake_vq *q = get_vq(f, vqi);

	if (q == NULL)
		return;
	if (!q->l.packed) {
		STORE_REL(&s_used(q)->flags, (uint16_t)(no_notify ? VPMD_USED_F_NO_NOTIFY : 0));
		q->want_every_kick = !no_notify && negotiated(f, VPMD_F_EVENT_IDX);
		if (negotiated(f, VPMD_F_EVENT_IDX)) {
			/* avail_event: far away (never) or just ahead (every publish) */
			uint16_t *ae = (uint16_t *)(void *)&s_used(q)->ring[q->l.size];

			STORE_REL(ae,
				  (uint16_t)(no_notify ? q->last_avail + 0x8000 : q->last_avail));
		}
	} else {
		struct vpmd_vring_packed_event *ev = q->l.device;

		STORE_REL(&ev->flags,
			  (uint16_t)(no_notify ? VPMD_EVENT_F_DISABLE : VPMD_EVENT_F_ENABLE));
	}
}

/* ---- transport ops ------------------------------------------------------------------------ */

static uint64_t
fake_get_features(void *priv)
{
	return ((struct fake_vnet *)priv)->cfg.features;
}

static int
fake_set_features(void *priv, uint64_t features, char *err __rte_unused, size_t errlen __rte_unused)
{
	struct fake_vnet *f = priv;

	if (features & ~f->cfg.features)
		violation(f, "driver accepted features not offered: 0x%llx",
			  (unsigned long long)(features & ~f->cfg.features));
	f->driver_features = features;
	return 0;
}

static uint8_t
fake_get_status(void *priv)
{
	const struct fake_vnet *f = priv;

	return f->cfg.features_ok_sticky ? (uint8_t)(f->status | VPMD_STATUS_FEATURES_OK)
					 : f->status;
}

static int
fake_set_status(void *priv, uint8_t status, char *err __rte_unused, size_t errlen __rte_unused)
{
	struct fake_vnet *f = priv;

	if ((status & VPMD_STATUS_FEATURES_OK) && !(f->status & VPMD_STATUS_FEATURES_OK) &&
	    f->cfg.reject_features)
		status &= (uint8_t)~VPMD_STATUS_FEATURES_OK;
	if ((status & VPMD_STATUS_DRIVER_OK) && !(status & VPMD_STATUS_FEATURES_OK))
		violation(f, "DRIVER_OK without FEATURES_OK");
	f->status = status;
	return 0;
}

static void
queues_clear(struct fake_vnet *f)
{
	unsigned int i;

	for (i = 0; i < FAKE_MAX_VQ; i++) {
		f->vq[i].ready = false;
		f->vq[i].nb_pending = 0;
	}
}

static int
fake_reset(void *priv, char *err __rte_unused, size_t errlen __rte_unused)
{
	struct fake_vnet *f = priv;

	if (f->cfg.reset_fails) {
		f->resets_failed++;
		return -ETIMEDOUT; /* status never reads 0: the device goes on */
	}
	f->status = 0;
	f->driver_features = 0;
	f->pairs_set = 0;
	f->resets++;
	queues_clear(f);
	return 0;
}

static int
fake_read_config(void *priv, uint32_t offset, void *buf, uint32_t len, char *err __rte_unused,
		 size_t errlen __rte_unused)
{
	struct fake_vnet *f = priv;
	struct vpmd_net_config cfg;

	if (offset > sizeof(cfg) || len > sizeof(cfg) - offset)
		return -EINVAL;
	memcpy(cfg.mac, f->cfg.mac, sizeof(cfg.mac));
	cfg.status = f->cfg.link_status;
	cfg.max_virtqueue_pairs = f->cfg.max_pairs;
	cfg.mtu = f->cfg.mtu;
	memcpy(buf, (const uint8_t *)&cfg + offset, len);
	return 0;
}

static uint8_t
fake_config_generation(void *priv)
{
	struct fake_vnet *f = priv;

	if (f->gen_reads++ < f->cfg.gen_flips)
		f->generation++;
	return f->generation;
}

static uint16_t
fake_queue_max_size(void *priv, uint16_t idx)
{
	struct fake_vnet *f = priv;
	unsigned int nvq = ctrl_index(f) + ((f->cfg.features & VPMD_F_CTRL_VQ) ? 1 : 0);

	if (idx >= nvq || idx >= FAKE_MAX_VQ || (int)idx == f->cfg.zero_size_queue)
		return 0;
	if (idx == ctrl_index(f) && f->cfg.ctrl_queue_max)
		return f->cfg.ctrl_queue_max;
	if (idx != ctrl_index(f) && (idx & 1) && f->cfg.tx_queue_max)
		return f->cfg.tx_queue_max;
	return f->cfg.queue_max;
}

static int
fake_queue_setup(void *priv, const struct vpmd_vq_layout *l, struct vpmd_notify *n,
		 char *err __rte_unused, size_t errlen __rte_unused)
{
	struct fake_vnet *f = priv;
	struct fake_vq *q;

	if (l->index >= FAKE_MAX_VQ || l->size == 0 ||
	    l->size > fake_queue_max_size(priv, l->index)) {
		violation(f, "queue_setup vq %u size %u beyond the device maximum", l->index,
			  l->size);
		return -EINVAL;
	}
	if (!l->packed && (l->size & (l->size - 1))) {
		violation(f, "split vq %u size %u not a power of two", l->index, l->size);
		return -EINVAL;
	}
	if (l->packed != negotiated(f, VPMD_F_RING_PACKED))
		violation(f, "vq %u layout does not match RING_PACKED negotiation", l->index);
	if (f->status & VPMD_STATUS_DRIVER_OK)
		violation(f, "queue_setup vq %u after DRIVER_OK", l->index);
	q = &f->vq[l->index];
	q->l = *l;
	q->ready = true;
	q->woken = false;
	q->last_avail = 0;
	q->used_idx = 0;
	q->avail_wrap = 1;
	q->used_wrap = 1;
	q->nb_pending = 0;
	q->last_used_id = 0;
	if (q->pend_id == NULL) {
		q->pend_id = calloc(FAKE_TX_PENDING_MAX, sizeof(uint16_t));
		q->pend_ndesc = calloc(FAKE_TX_PENDING_MAX, sizeof(uint16_t));
	}
	q->next_head = 0;
	q->scribbled = false;
	n->kick = fake_kick;
	n->cookie = f;
	/* the fake serves the control queue from its kick: it always wants that kick */
	fake_set_no_notify(f, l->index, f->cfg.no_notify && l->index != ctrl_index(f));
	return 0;
}

static int
fake_queue_release(void *priv, uint16_t idx, char *err __rte_unused, size_t errlen __rte_unused)
{
	struct fake_vnet *f = priv;

	if (f->cfg.release_fails || f->cfg.reset_fails)
		return f->cfg.release_fails ? -ETIMEDOUT : 0; /* the queue keeps running */
	if (idx < FAKE_MAX_VQ)
		f->vq[idx].ready = false;
	return 0;
}

static void
fake_close(void *priv)
{
	((struct fake_vnet *)priv)->closed = true;
}

static const struct vpmd_transport_ops fake_ops = {
	.name = "fake",
	.get_features = fake_get_features,
	.set_features = fake_set_features,
	.get_status = fake_get_status,
	.set_status = fake_set_status,
	.reset = fake_reset,
	.read_config = fake_read_config,
	.config_generation = fake_config_generation,
	.queue_max_size = fake_queue_max_size,
	.queue_setup = fake_queue_setup,
	.queue_release = fake_queue_release,
	.ctrl_cmd = NULL,
	.uses_va = true,
	.close = fake_close,
};

static const struct vpmd_transport_ops fake_ops_ctrl = {
	.name = "fake-ctrlcmd",
	.get_features = fake_get_features,
	.set_features = fake_set_features,
	.get_status = fake_get_status,
	.set_status = fake_set_status,
	.reset = fake_reset,
	.read_config = fake_read_config,
	.config_generation = fake_config_generation,
	.queue_max_size = fake_queue_max_size,
	.queue_setup = fake_queue_setup,
	.queue_release = fake_queue_release,
	.ctrl_cmd = fake_ctrl_cmd,
	.uses_va = true,
	.close = fake_close,
};

const struct vpmd_transport_ops *
fake_vnet_ops(const struct fake_vnet *f)
{
	return f->cfg.ctrl_via_transport ? &fake_ops_ctrl : &fake_ops;
}

void
fake_vnet_cfg_default(struct fake_vnet_cfg *cfg)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memset(cfg, 0, sizeof(*cfg));
	cfg->features = VPMD_F_VERSION_1 | VPMD_F_MAC | VPMD_F_STATUS | VPMD_F_MTU |
			VPMD_F_MRG_RXBUF | VPMD_F_CTRL_VQ | VPMD_F_MQ | VPMD_F_CSUM |
			VPMD_F_GUEST_CSUM | VPMD_F_GUEST_TSO4 | VPMD_F_GUEST_TSO6 |
			VPMD_F_EVENT_IDX | VPMD_F_INDIRECT_DESC;
	cfg->max_pairs = 4;
	cfg->mtu = 1500;
	memcpy(cfg->mac, mac, 6);
	cfg->link_status = VPMD_NET_S_LINK_UP;
	cfg->queue_max = 1024;
	cfg->zero_size_queue = -1;
	cfg->ctrl_ack = VPMD_CTRL_OK;
}

struct fake_vnet *
fake_vnet_new(const struct fake_vnet_cfg *cfg)
{
	struct fake_vnet *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->cfg = *cfg;
	return f;
}

void
fake_vnet_free(struct fake_vnet *f)
{
	unsigned int i;

	if (f == NULL)
		return;
	for (i = 0; i < FAKE_MAX_VQ; i++) {
		free(f->vq[i].pend_id);
		free(f->vq[i].pend_ndesc);
	}
	free(f);
}

struct vpmd_dev *
fake_vnet_open(const struct fake_vnet_cfg *cfg, struct fake_vnet **fp, char *err, size_t errlen)
{
	struct fake_vnet *f = fake_vnet_new(cfg);

	*fp = f;
	if (f == NULL)
		return NULL;
	return vpmd_open_transport(fake_vnet_ops(f), f, err, errlen);
}

/* ---- raw access for the fuzzer -------------------------------------------------------------- */

void
fake_raw_used(struct fake_vnet *f, uint16_t vqi, uint32_t id, uint32_t len, uint16_t advance,
	      uint16_t packed_flags, bool use_flags)
{
	struct fake_vq *q = get_vq(f, vqi);

	if (q == NULL)
		return;
	if (!q->l.packed) {
		s_used(q)->ring[q->used_idx & (q->l.size - 1)] =
			(struct vpmd_vring_used_elem){ .id = id, .len = len };
		q->used_idx = (uint16_t)(q->used_idx + advance);
		STORE_REL(&s_used(q)->idx, q->used_idx);
	} else {
		struct vpmd_vring_packed_desc *d = &p_desc(q)[q->used_idx];
		uint16_t flags;

		q->scribbled = true;
		flags = use_flags ? packed_flags
				  : (uint16_t)(q->used_wrap ? (VPMD_DESC_F_AVAIL | VPMD_DESC_F_USED)
							    : 0);

		d->id = (uint16_t)id;
		d->len = len;
		STORE_REL(&d->flags, flags);
		p_adv(&q->used_idx, &q->used_wrap, (uint16_t)(advance % q->l.size), q->l.size);
	}
}

void
fake_raw_fill(struct fake_vnet *f, uint16_t vqi, const void *bytes, uint32_t n, uint32_t *id_out,
	      uint32_t *len_out)
{
	struct fake_vq *q = get_vq(f, vqi);
	struct fbuf b;

	*id_out = 0;
	*len_out = 0;
	if (q == NULL || !peek_buf(f, q, 0, &b))
		return;
	take_buf(q, &b);
	*id_out = b.id;
	*len_out = buf_write(&b, 0, bytes, RTE_MIN(n, b.cap));
}
