/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz entry for the vpmd fast path: arbitrary device-side ring contents.
 *
 * The input picks a device (split/packed, mergeable, in-order, event index, offloads, ring
 * size) and then a sequence of device and driver actions: well-formed and malformed rx
 * packets, raw used entries with arbitrary id/len/flags, arbitrary virtio-net headers,
 * tx completions in any order, misbehaviour switches, stop/start. Between actions the
 * driver's rx and tx bursts run.
 *
 * Oracles: no crash or sanitizer report; every mbuf the driver delivers is a consistent
 * chain within its buffer; after close the mempool is full again (no leak).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "fake_vnet.h"
#include "fuzz_vpmd.h"
#include "test_common.h"
#include "vpmd.h"
#include "vpmd_internal.h"

#define FZ_POOL_N 4095

static struct rte_mempool *fz_pool;
struct vpmd_fuzz_totals vpmd_fuzz_totals;

int
vpmd_fuzz_init(void)
{
	if (vt_eal_init("vpmd_fuzz") != 0)
		return -1;
	/* Broken queues are the point here: their (once per queue) log lines are noise.
	 * VPMD_FUZZ_TRACE keeps them. */
	if (getenv("VPMD_FUZZ_TRACE") == NULL)
		rte_log_set_level(vpmd_logtype, RTE_LOG_CRIT);
	fz_pool = rte_pktmbuf_pool_create("fz_pool", FZ_POOL_N, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	return fz_pool ? 0 : -1;
}

struct fz_in {
	const uint8_t *p;
	size_t n;
};

static uint8_t
u8(struct fz_in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static uint16_t
u16(struct fz_in *in)
{
	return (uint16_t)(u8(in) | u8(in) << 8);
}

static uint32_t
u32(struct fz_in *in)
{
	return (uint32_t)u16(in) | (uint32_t)u16(in) << 16;
}

static void
fz_abort(const char *what)
{
	fprintf(stderr, "vpmd fuzz: %s\n", what);
	abort();
}

/* What the driver hands the application must be a sane mbuf chain. */
static void
check_mbuf(const struct rte_mbuf *m, uint32_t buf_len)
{
	const struct rte_mbuf *s;
	uint32_t sum = 0;
	uint16_t segs = 0;

	for (s = m; s != NULL; s = s->next) {
		if (s->data_len > buf_len || (uint32_t)s->data_off + s->data_len > s->buf_len)
			fz_abort("segment outside its buffer");
		sum += s->data_len;
		if (++segs > 4096)
			fz_abort("chain loop");
	}
	if (sum != m->pkt_len || segs != m->nb_segs)
		fz_abort("pkt_len/nb_segs inconsistent with the chain");
	if (m->pkt_len < RTE_ETHER_HDR_LEN)
		fz_abort("runt delivered");
}

static void
do_rx(struct vpmd_dev *dev, uint16_t q, uint16_t n)
{
	struct vpmd_rxq *rxq = vpmd_rxq(dev, q);
	struct rte_mbuf *pk[VPMD_BURST_MAX];
	uint16_t got, i;

	if (rxq == NULL)
		return;
	got = vpmd_rx_burst(rxq, pk, n);
	if (got > n)
		fz_abort("rx burst returned more than asked");
	vpmd_fuzz_totals.rx_pkts += got;
	for (i = 0; i < got; i++) {
		vpmd_fuzz_totals.rx_chains += pk[i]->nb_segs > 1;
		vpmd_fuzz_totals.rx_lro += (pk[i]->ol_flags & RTE_MBUF_F_RX_LRO) != 0;
		check_mbuf(pk[i], rxq->buf_len);
		rte_pktmbuf_free(pk[i]);
	}
}

static void
do_tx(struct fz_in *in, struct vpmd_dev *dev, uint16_t q)
{
	struct vpmd_txq *txq = vpmd_txq(dev, q);
	struct rte_mbuf *pk[16];
	bool shared[16];
	uint16_t k = (uint16_t)(u8(in) % 16 + 1), i, sent;

	if (txq == NULL)
		return;
	for (i = 0; i < k; i++) {
		uint8_t b = u8(in);

		shared[i] = (b & 16) != 0;
		/* a shared packet is one segment: refcnt lives per segment */
		pk[i] = vt_mbuf(fz_pool, 60 + (uint32_t)u8(in) * 8, i, shared[i] ? 1 : 1 + (b & 3));
		if (pk[i] == NULL)
			break;
		shared[i] = shared[i] && pk[i]->nb_segs == 1; /* long frames get 2 segments */
		if (b & 4) {
			pk[i]->ol_flags = (b & 8) ? RTE_MBUF_F_TX_TCP_CKSUM
						  : RTE_MBUF_F_TX_UDP_CKSUM;
			if (b & 32)
				pk[i]->ol_flags |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4;
			pk[i]->l2_len = 14;
			pk[i]->l3_len = 20;
			pk[i]->l4_len = 20;
			pk[i]->tso_segsz = (uint16_t)(b & 64 ? 0 : 500);
		}
		if (shared[i])
			rte_mbuf_refcnt_update(pk[i], 1); /* header goes in its own descriptor */
	}
	k = i;
	if (getenv("VPMD_FUZZ_TRACE")) {
		fprintf(stderr,
			" tx before: inflight %u oldest %u nb_free %u last_used %u used.idx %u "
			"avail %u\n",
			txq->nb_inflight, txq->oldest, txq->vq.nb_free, txq->vq.last_used,
			txq->vq.is_packed ? 0 : txq->vq.split.used->idx, txq->vq.avail_idx);
		for (i = 0; i < txq->vq.size; i++)
			if (txq->slots[i].m)
				fprintf(stderr, "  slot %u m %p ndesc %u done %u\n", i,
					(void *)txq->slots[i].m, txq->slots[i].ndesc,
					txq->slots[i].done);
		if (!txq->vq.is_packed)
			for (i = 0; i < 8; i++)
				fprintf(stderr, "  used[%u] id %u\n",
					(txq->vq.last_used + i) & txq->vq.mask,
					txq->vq.split.used
						->ring[(txq->vq.last_used + i) & txq->vq.mask]
						.id);
	}
	sent = vpmd_tx_burst(txq, pk, k);
	if (getenv("VPMD_FUZZ_TRACE"))
		for (i = 0; i < k; i++)
			fprintf(stderr,
				"  pk %u %p segs %u shared %d refcnt %u sent %u broken %d\n", i,
				(void *)pk[i], pk[i]->nb_segs, shared[i],
				rte_mbuf_refcnt_read(pk[i]), sent, vpmd_txq_broken(txq));
	if (sent > k)
		fz_abort("tx burst took more than given");
	vpmd_fuzz_totals.tx_pkts += sent;
	for (i = 0; i < k; i++) {
		if (shared[i])
			rte_pktmbuf_free(pk[i]); /* our extra reference */
		if (i >= sent)
			rte_pktmbuf_free(pk[i]); /* not taken: still ours */
	}
}

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* Every mbuf back exactly once: a double free would show as a duplicate here (and a leak
 * elsewhere compensating it would hide it from the count alone). */
static void
check_pool(const char *when)
{
	static void *objs[FZ_POOL_N + 1];
	unsigned int n = rte_mempool_avail_count(fz_pool), i;

	if (n != FZ_POOL_N) {
		fprintf(stderr, "vpmd fuzz: %s: pool has %u of %u mbufs\n", when, n, FZ_POOL_N);
		fz_abort("mbufs leaked (or freed twice)");
	}
	if (rte_mempool_get_bulk(fz_pool, objs, FZ_POOL_N) != 0)
		fz_abort("cannot drain the pool");
	qsort(objs, FZ_POOL_N, sizeof(objs[0]), ptr_cmp);
	for (i = 1; i < FZ_POOL_N; i++)
		if (objs[i] == objs[i - 1])
			fz_abort("an mbuf was freed twice");
	rte_mempool_put_bulk(fz_pool, objs, FZ_POOL_N);
}

/* Debug oracle (VPMD_FUZZ_DEEP=1): after every step, no mbuf the driver holds may be in
 * the pool, and the pool holds no duplicate. Slow; for minimising findings. */
static void
deep_check(struct vpmd_dev *dev, unsigned int step)
{
	static void *objs[FZ_POOL_N + 1];
	unsigned int n = rte_mempool_avail_count(fz_pool), i, q;

	if (rte_mempool_get_bulk(fz_pool, objs, n) != 0)
		fz_abort("cannot drain the pool");
	qsort(objs, n, sizeof(objs[0]), ptr_cmp);
	for (i = 1; i < n; i++)
		if (objs[i] == objs[i - 1]) {
			fprintf(stderr, "step %u: duplicate %p in pool\n", step, objs[i]);
			fz_abort("double free");
		}
	for (q = 0; q < vpmd_nb_qpairs(dev); q++) {
		struct vpmd_rxq *rxq = vpmd_rxq(dev, (uint16_t)q);
		struct vpmd_txq *txq = vpmd_txq(dev, (uint16_t)q);

		for (i = 0; i < rxq->vq.size; i++) {
			void *m = rxq->sw_ring[i];

			if (m && bsearch(&m, objs, n, sizeof(objs[0]), ptr_cmp)) {
				fprintf(stderr, "step %u: rx id %u mbuf %p is free\n", step, i, m);
				fz_abort("driver holds a freed rx mbuf");
			}
		}
		for (i = 0; i < txq->vq.size; i++) {
			const struct rte_mbuf *m = txq->slots[i].m;

			for (; m; m = m->next)
				if (bsearch(&m, objs, n, sizeof(objs[0]), ptr_cmp)) {
					fprintf(stderr, "step %u: tx slot %u mbuf %p is free\n",
						step, i, (const void *)m);
					fz_abort("driver holds a freed tx mbuf");
				}
		}
	}
	rte_mempool_put_bulk(fz_pool, objs, n);
}

int
vpmd_fuzz_one(const uint8_t *data, size_t size)
{
	static uint8_t payload[70000];
	struct fz_in in = { data, size };
	struct vpmd_conf conf = { .rx_pool = fz_pool, .socket_id = SOCKET_ID_ANY };
	struct fake_vnet_cfg cfg;
	struct fake_vnet *f = NULL;
	struct vpmd_dev *dev;
	char err[256];
	uint8_t c0 = u8(&in), c1 = u8(&in), c2 = u8(&in);
	unsigned int steps = 0;
	bool packed = c0 & 1, trace;
	unsigned int maxsteps = 400;
	bool deep = getenv("VPMD_FUZZ_DEEP") != NULL;

	fake_vnet_cfg_default(&cfg);
	if (packed)
		cfg.features |= VPMD_F_RING_PACKED;
	if (c0 & 2)
		cfg.features &= ~VPMD_F_MRG_RXBUF;
	if (c0 & 4)
		cfg.features |= VPMD_F_IN_ORDER;
	if (c0 & 8)
		cfg.features &= ~VPMD_F_EVENT_IDX;
	if (c0 & 16)
		cfg.features &= ~(VPMD_F_GUEST_CSUM | VPMD_F_CSUM);
	if (c0 & 32)
		cfg.features |= VPMD_F_GUEST_ECN | VPMD_F_HOST_TSO4 | VPMD_F_HOST_TSO6;
	cfg.no_notify = (c0 & 64) != 0;
	cfg.max_pairs = (uint16_t)(1 + (c1 & 1));
	/* small rings wrap often; packed sizes need not be powers of two */
	conf.ring_size = packed ? (uint16_t)((c2 & 0x80) ? 1 + c2 % 16 : 16 + c2 % 120)
				: (uint16_t)(1u << ((c2 & 0x80) ? c2 % 4 : 4 + c2 % 5));
	conf.nb_qpairs = cfg.max_pairs;
	conf.features = VPMD_FEATURES_DEFAULT | VPMD_F_GUEST_ECN | VPMD_F_HOST_TSO4 |
			VPMD_F_HOST_TSO6;

	dev = fake_vnet_open(&cfg, &f, err, sizeof(err));
	if (dev == NULL)
		fz_abort("open on the fake failed");
	if (vpmd_configure(dev, &conf, err, sizeof(err)) != 0 ||
	    vpmd_start(dev, err, sizeof(err)) != 0)
		goto out;
	f->inorder_batch = (c1 & 2) != 0;

	trace = getenv("VPMD_FUZZ_TRACE") != NULL;
	if (getenv("VPMD_FUZZ_MAXSTEPS"))
		maxsteps = (unsigned int)atoi(getenv("VPMD_FUZZ_MAXSTEPS"));
	if (trace)
		fprintf(stderr, "cfg c0=%02x c1=%02x ring=%u packed=%d\n", c0, c1, conf.ring_size,
			packed);
	while (in.n > 0 && steps++ < maxsteps) {
		uint8_t op = u8(&in);
		uint16_t q = (uint16_t)((op >> 4) & 1) % vpmd_nb_qpairs(dev);

		if (trace)
			fprintf(stderr, "op %u q %u pool %u\n", op & 15, q,
				rte_mempool_avail_count(fz_pool));
		if (deep)
			deep_check(dev, steps);

		/* Misbehaviour ops (raw used entries, switches) only on a quarter of their
		 * codes, so that random inputs also drive long stretches of valid traffic. */
		unsigned int code = op & 15;

		if ((code == 1 || code == 7 || code == 8) && (op & 0xc0) != 0xc0)
			code = code == 7 ? 6 : 0;
		switch (code) {
		case 0: { /* well-formed or arbitrary-header packet from the device */
			struct vpmd_net_hdr h;
			uint8_t how = u8(&in);
			uint32_t len = (how & 6) ? 14 + u16(&in) % 1600 : u16(&in) % 66000;
			bool raw = (how & 0x18) == 0x18;

			memset(&h, 0, sizeof(h));
			if (raw) {
				uint8_t hb[12];

				for (unsigned int i = 0; i < 12; i++)
					hb[i] = u8(&in);
				memcpy(&h, hb, sizeof(h));
			} else if ((how & 0x20) && len > 1514) {
				h.gso_type = (how & 1) ? VPMD_GSO_TCPV6 : VPMD_GSO_TCPV4;
				h.gso_size = 1448;
				h.flags = VPMD_HDR_F_NEEDS_CSUM;
				h.csum_start = 34;
				h.csum_offset = 16;
			}
			memset(payload, (int)len, RTE_MIN(len, (uint32_t)sizeof(payload)));
			fake_rx_inject(f, q, &h, payload, len, raw && (h.num_buffers & 1));
			break;
		}
		case 1: { /* device writes bytes into the next rx buffer, then a raw used entry */
			uint32_t id, len, n = u8(&in);
			uint8_t b[64];

			for (unsigned int i = 0; i < sizeof(b); i++)
				b[i] = u8(&in);
			fake_raw_fill(f, (uint16_t)vpmd_rxvq(q), b, n % sizeof(b), &id, &len);
			fake_raw_used(f, (uint16_t)vpmd_rxvq(q), (u8(&in) & 1) ? id : u16(&in),
				      u32(&in), (uint16_t)(u8(&in) % 4), u16(&in), u8(&in) & 1);
			break;
		}
		case 2:
		case 3:
			do_rx(dev, q, (uint16_t)(u8(&in) % VPMD_BURST_MAX + 1));
			break;
		case 4:
		case 5:
			do_tx(&in, dev, q);
			break;
		case 6: { /* device consumes some tx packets and completes them */
			struct vpmd_net_hdr h;
			unsigned int k = u8(&in) % 40;

			while (k-- && fake_tx_pop(f, q, &h, payload, sizeof(payload), NULL) >= 0)
				;
			fake_tx_complete(f, q, (enum fake_complete)(u8(&in) % 3));
			break;
		}
		case 7: /* raw tx used entry */
			fake_raw_used(f, (uint16_t)vpmd_txvq(q), u16(&in), u32(&in),
				      (uint16_t)(u8(&in) % 4), u16(&in), u8(&in) & 1);
			break;
		case 8:
			fake_misbehave(f, (enum fake_mis)(u8(&in) % (FAKE_MIS_BATCH_SHORT + 1)));
			break;
		case 9:
			if (u8(&in) % 8 == 0) {
				vpmd_stop(dev);
				check_pool("after stop");
				if (vpmd_start(dev, err, sizeof(err)) != 0)
					goto out;
			}
			break;
		case 10:
			vpmd_health_check(dev);
			break;
		case 11:
			fake_set_no_notify(f, (uint16_t)(u8(&in) % 4), u8(&in) & 1);
			break;
		case 12:
			fake_set_avail_event(f, (uint16_t)(u8(&in) % 4), u16(&in), u8(&in) & 1);
			break;
		case 13: { /* restart against a misbehaving control queue (never silent: 2 s) */
			uint8_t how = u8(&in);

			if (how % 8 != 0)
				break;
			f->cfg.ctrl_mis = (enum fake_ctrl_mis)((how >> 3) % (FAKE_CTRL_NO_ACK + 1));
			if (f->cfg.ctrl_mis == FAKE_CTRL_SILENT)
				f->cfg.ctrl_mis = FAKE_CTRL_USED_PLUS2;
			f->cfg.ctrl_ack = (how & 0x80) ? VPMD_CTRL_ERR : VPMD_CTRL_OK;
			vpmd_stop(dev);
			check_pool("after stop");
			if (vpmd_start(dev, err, sizeof(err)) != 0) {
				check_pool("after a failed start");
				f->cfg.ctrl_mis = FAKE_CTRL_OK;
				f->cfg.ctrl_ack = VPMD_CTRL_OK;
				if (vpmd_start(dev, err, sizeof(err)) != 0)
					fz_abort("start after the control queue behaves again "
						 "failed");
			}
			break;
		}
		default:
			do_rx(dev, q, VPMD_BURST_MAX);
			vpmd_tx_burst(vpmd_txq(dev, q), NULL, 0);
			break;
		}
	}
out:
	vpmd_fuzz_totals.inputs++;
	vpmd_fuzz_totals.broken += vpmd_health_check(dev) > 0;
	vpmd_close(dev);
	fake_vnet_free(f);
	check_pool("after close");
	return 0;
}

#ifdef VPMD_LIBFUZZER
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (vpmd_fuzz_init() != 0)
		fz_abort("EAL init failed");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return vpmd_fuzz_one(data, size);
}
#endif
