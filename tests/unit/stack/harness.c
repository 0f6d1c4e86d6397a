/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "harness.h"

uint8_t h_pat[H_PAT_LEN];
uint32_t h_max_senders;
uint32_t h_send_window;

static struct rte_mempool *h_pool;

struct rte_mempool *
h_eal_init(const char *prog)
{
	char *argv[] = { (char *)prog,
			 "--no-huge",
			 "--no-pci",
			 "-m",
			 "256",
			 "--no-shconf",
			 "--no-telemetry",
			 "-l",
			 "0",
			 "--log-level=lib.eal:error",
			 "--log-level=user1:error",
			 NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	uint32_t i;

	if (h_pool != NULL)
		return h_pool;
	if (rte_eal_init(argc, argv) < 0) {
		printf("SKIP: EAL init failed (%s): cannot run the stack tests here\n",
		       rte_strerror(rte_errno));
		exit(77);
	}
	/* No per-lcore cache: the in-use count is then exact for the leak checks. */
	h_pool = rte_pktmbuf_pool_create("h_pool", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					 SOCKET_ID_ANY);
	if (h_pool == NULL) {
		printf("FAIL: mbuf pool: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	for (i = 0; i < H_PAT_LEN; i++)
		h_pat[i] = (uint8_t)(i % 251);
	return h_pool;
}

/* The payload flag is all the fake's state. */
static bool sink_payload_on = true, sink_payload_off;

static int
sink_init(struct vns_svc *svc, char *err, size_t errlen)
{
	const struct h_sink_conf *conf = svc->conf;

	(void)err;
	(void)errlen;
	svc->priv = conf != NULL && conf->payload ? &sink_payload_on : &sink_payload_off;
	return 0;
}

static void
sink_open(struct vns_svc *svc, struct vns_conn *c)
{
	if (*(const bool *)svc->priv)
		vns_conn_set_payload(svc, c, true);
}

struct h_sink_reply h_sink_reply;
static uint8_t sink_sbuf[H_PAT_LEN];

static void
sink_data(struct vns_svc *svc, struct vns_conn *c, const struct rte_mbuf *m, uint32_t off,
	  uint32_t len)
{
	struct h_sink_reply r = h_sink_reply;

	(void)m;
	(void)off;
	(void)len;
	if (r.len == 0 && !r.close)
		return;
	memset(&h_sink_reply, 0, sizeof(h_sink_reply));
	vns_conn_set_sndbuf(c, sink_sbuf, sizeof(sink_sbuf));
	if (r.len > 0 && vns_conn_send(svc, c, r.data, r.len) != 0)
		abort();
	if (r.close)
		vns_conn_close(svc, c);
	else
		vns_conn_output(svc, c);
}

const struct vns_service_ops h_sink_ops = {
	.name = "h_sink",
	.init = sink_init,
	.open = sink_open,
	.data = sink_data,
};

int
h_open(struct h *h, uint16_t nb_stacks, const struct vns_service_bind *binds, uint8_t nb_binds,
       uint32_t max_flows, uint32_t tx_offloads)
{
	struct vns_stack_conf conf;
	uint16_t q;

	memset(h, 0, sizeof(*h));
	memset(&h_sink_reply, 0, sizeof(h_sink_reply));
	h->mp = h_pool;
	h->hz = rte_get_tsc_hz();
	h->now = h->hz * 1000;
	h->nb = nb_stacks;
	h->tx_offloads = tx_offloads;
	h->sh = vns_shared_create(nb_stacks, SOCKET_ID_ANY, h->err, sizeof(h->err));
	if (h->sh == NULL) {
		fprintf(stderr, "h_open: %s\n", h->err);
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	conf.ip = rte_cpu_to_be_32(H_STACK_IP);
	conf.mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 0x01 } };
	conf.services = binds;
	conf.nb_services = nb_binds;
	conf.max_flows = max_flows;
	conf.pool = h->mp;
	conf.tx_offloads = tx_offloads;
	conf.mtu = 1500;
	conf.max_senders = h_max_senders;
	conf.send_window = h_send_window;
	for (q = 0; q < nb_stacks; q++) {
		conf.queue_id = q;
		h->st[q] = vns_stack_create(&conf, h->sh, SOCKET_ID_ANY, h->err, sizeof(h->err));
		if (h->st[q] == NULL) {
			fprintf(stderr, "h_open: queue %u: %s\n", q, h->err);
			return -1;
		}
	}
	return 0;
}

static const struct h_sink_conf h_sink_payload = { .payload = true };
static const struct h_sink_conf h_sink_count = { .payload = false };

/* With payload the out-of-order store keeps mbufs; count-only, it keeps ranges. */
static const struct vns_service_bind h_binds_payload[] = {
	{ H_PORT, &h_sink_ops, &h_sink_payload },
	{ H_PORT2, &h_sink_ops, &h_sink_payload },
};
static const struct vns_service_bind h_binds_count[] = {
	{ H_PORT, &h_sink_ops, &h_sink_count },
	{ H_PORT2, &h_sink_ops, &h_sink_payload },
};

int
h_open_sink(struct h *h, uint16_t nb_stacks, enum h_sink_mode mode, uint32_t max_flows,
	    uint32_t tx_offloads)
{
	if (mode == H_SINK_COUNT)
		return h_open(h, nb_stacks, h_binds_count, RTE_DIM(h_binds_count), max_flows,
			      tx_offloads);
	return h_open(h, nb_stacks, h_binds_payload, RTE_DIM(h_binds_payload), max_flows,
		      tx_offloads);
}

unsigned int
h_close(struct h *h)
{
	uint16_t q;

	h_clear(h);
	for (q = 0; q < h->nb; q++)
		vns_stack_free(h->st[q]);
	vns_shared_free(h->sh);
	if (h->oversize != 0) {
		fprintf(stderr, "%u frames above the MTU were sent\n", h->oversize);
		return h->oversize + 1000000;
	}
	if (h->chained != 0 && !(h->tx_offloads & VNS_TXOFF_MULTI_SEGS)) {
		fprintf(stderr, "%u chained frames sent on a port without multi-segs\n",
			h->chained);
		return h->chained + 2000000;
	}
	return rte_mempool_in_use_count(h->mp);
}

int
h_close_checked(struct h *h)
{
	if (h_close(h) != 0) {
		fprintf(stderr, "mbuf leak (%u in use) or frame above the MTU\n",
			rte_mempool_in_use_count(h->mp));
		return -1;
	}
	return 0;
}

static void
h_collect(struct h *h)
{
	uint16_t i;

	for (i = 0; i < h->tx.n; i++) {
		struct rte_mbuf *m = h->tx.pkts[i];

		/* A TSO frame is cut by the device: its pieces must fit the MTU. */
		if ((m->ol_flags & RTE_MBUF_F_TX_TCP_SEG)
			    ? m->l2_len + m->l3_len + m->l4_len + m->tso_segsz >
				      RTE_ETHER_HDR_LEN + 1500
			    : rte_pktmbuf_pkt_len(m) > RTE_ETHER_HDR_LEN + 1500)
			h->oversize++;
		if (m->nb_segs > 1)
			h->chained++;
		if (h->n_out < H_OUT_MAX) {
			if (pb_parse(h->tx.pkts[i], &h->out[h->n_out]) == 0)
				h->used[h->n_out++] = 0;
		}
		rte_pktmbuf_free(h->tx.pkts[i]);
	}
	h->tx.n = 0;
}

void
h_input_burst(struct h *h, unsigned int q, struct rte_mbuf **m, uint16_t n)
{
	vns_stack_input(h->st[q], m, n, h->now, &h->tx);
	h_collect(h);
}

void
h_input(struct h *h, unsigned int q, struct rte_mbuf *m)
{
	h_input_burst(h, q, &m, m != NULL ? 1 : 0);
}

void
h_poll(struct h *h)
{
	uint16_t q;
	int round;

	/* Two rounds: a message one stack sends another is seen in the same h_poll. */
	for (round = 0; round < 2; round++)
		for (q = 0; q < h->nb; q++) {
			vns_stack_poll(h->st[q], h->now, &h->tx);
			h_collect(h);
		}
}

void
h_advance_ms(struct h *h, uint64_t ms)
{
	h->now += ms * h->hz / 1000;
}

void
h_clear(struct h *h)
{
	h_collect(h);
	h->n_out = 0;
}

uint64_t
h_stat(struct h *h, unsigned int q, const char *name)
{
	struct vns_stack_stats s;

	vns_stack_stats_get(h->st[q], &s);
#define H_STAT(n, d)               \
	if (strcmp(name, #n) == 0) \
		return s.n;
	VNS_STACK_STATS(H_STAT)
#undef H_STAT
	{
		const char *names[VNS_SVC_STATS_MAX];
		uint64_t v[VNS_SVC_STATS_MAX];
		unsigned int i, n;

		n = vns_stack_svc_stats(h->st[q], names, NULL, v, VNS_SVC_STATS_MAX);
		for (i = 0; i < n && i < VNS_SVC_STATS_MAX; i++)
			if (strcmp(name, names[i]) == 0)
				return v[i];
	}
	fprintf(stderr, "unknown counter %s\n", name);
	abort();
}

void
tc_init(struct tc *c, struct h *h, unsigned int q, uint16_t sport, uint16_t dport, uint32_t isn,
	int with_opts)
{
	memset(c, 0, offsetof(struct tc, rx));
	c->h = h;
	c->q = q;
	c->sport = sport;
	c->dport = dport;
	c->snd_nxt = isn;
	c->win = 65535;
	if (with_opts) {
		c->ts = 1;
		c->tsval = 1000;
		c->ws = 7;
		c->sack = 1;
	} else {
		c->ws = -1;
	}
}

void
tc_fill(const struct tc *c, struct pb_tcp *p, uint32_t seq, uint8_t flags, const void *data,
	uint32_t len)
{
	pb_tcp_defaults(p);
	p->sport = c->sport;
	p->dport = c->dport;
	p->seq = seq;
	p->ack = c->rcv_nxt;
	p->flags = flags;
	p->win = c->win;
	p->ts = c->ts;
	p->tsval = c->tsval;
	p->tsecr = c->ts_recent;
	p->payload = data;
	p->plen = len;
}

int
tc_connect(struct tc *c)
{
	struct pb_tcp p;
	const struct pb_parsed *r;

	tc_fill(c, &p, c->snd_nxt, PB_SYN, NULL, 0);
	p.ack = 0;
	p.mss = 1460;
	p.ws = c->ws;
	p.sack_perm = c->sack;
	h_input(c->h, c->q, pb_tcp_mbuf(c->h->mp, &p));
	r = tc_last(c);
	if (r == NULL || r->flags != (PB_SYN | PB_ACK) || r->ack != c->snd_nxt + 1)
		return -1;
	c->srv_iss = r->seq;
	c->rcv_nxt = r->seq + 1;
	c->ts_recent = r->tsval;
	c->snd_nxt++;
	if (c->ws < 0)
		c->ws = -1;
	tc_fill(c, &p, c->snd_nxt, PB_ACK, NULL, 0);
	h_input(c->h, c->q, pb_tcp_mbuf(c->h->mp, &p));
	return 0;
}

void
tc_send_at(struct tc *c, uint32_t seq, uint8_t flags, const void *data, uint32_t len)
{
	struct pb_tcp p;

	tc_fill(c, &p, seq, flags, data, len);
	h_input(c->h, c->q, pb_tcp_mbuf(c->h->mp, &p));
}

void
tc_send(struct tc *c, const void *data, uint32_t len)
{
	c->tsval++;
	tc_send_at(c, c->snd_nxt, PB_ACK | PB_PSH, data, len);
	c->snd_nxt += len;
}

const struct pb_parsed *
tc_last(struct tc *c)
{
	uint32_t i;

	for (i = c->h->n_out; i-- > 0;)
		if (c->h->out[i].proto == IPPROTO_TCP && c->h->out[i].dport == c->sport)
			return &c->h->out[i];
	return NULL;
}

struct rte_mbuf *
tc_data_seg(struct tc *c, uint32_t seq, uint32_t len)
{
	struct pb_tcp p;

	tc_fill(c, &p, seq, PB_ACK, h_pat + ((seq - c->srv_iss) % 1000), len);
	return pb_tcp_mbuf(c->h->mp, &p);
}

int
tc_close(struct tc *c)
{
	h_clear(c->h);
	tc_send_at(c, c->snd_nxt, PB_ACK | PB_FIN, NULL, 0);
	c->snd_nxt++;
	if (tc_last(c) == NULL || !(tc_last(c)->flags & PB_FIN))
		return -1;
	c->rcv_nxt = tc_last(c)->seq + 1;
	tc_send_at(c, c->snd_nxt, PB_ACK, NULL, 0);
	return 0;
}

int
tc_recv(struct tc *c, int ack_data)
{
	uint32_t i;
	int n = 0, got = 0;

	for (i = 0; i < c->h->n_out; i++) {
		struct pb_parsed *r = &c->h->out[i];

		if (c->h->used[i] || r->proto != IPPROTO_TCP || r->dport != c->sport)
			continue;
		c->h->used[i] = 1;
		n++;
		if (r->ts)
			c->ts_recent = r->tsval;
		if (r->plen > 0 && r->seq == c->rcv_nxt && c->rx_len + r->plen <= sizeof(c->rx)) {
			memcpy(c->rx + c->rx_len, r->payload, r->plen);
			c->rx_len += r->plen;
			c->rcv_nxt += r->plen;
			got = 1;
		}
		if ((r->flags & PB_FIN) && r->seq + r->plen == c->rcv_nxt) {
			c->rcv_nxt++;
			c->fin_rcvd = 1;
			got = 1;
		}
	}
	if (got && ack_data) {
		c->tsval++;
		tc_send_at(c, c->snd_nxt, PB_ACK, NULL, 0);
	}
	return n;
}
