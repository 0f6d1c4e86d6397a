/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The functions services call (vns_conn.h, vns_service.h): thin verbs over the TCP code and
 * the stack's rings. Nothing in the stack calls them.
 */
#include <errno.h>
#include <string.h>

#include "vns_stack_core.h"

static struct vns_flow *
flow_of(struct vns_conn *c)
{
	return container_of(c, struct vns_flow, conn);
}

static const struct vns_flow *
cflow_of(const struct vns_conn *c)
{
	return (const struct vns_flow *)((const uint8_t *)c - offsetof(struct vns_flow, conn));
}

int
vns_conn_send(struct vns_svc *svc, struct vns_conn *c, const void *data, uint32_t len)
{
	struct vns_flow *f = flow_of(c);

	if (f->bulk != NULL || vns_tcp_queue_data(f, data, len) != 0) {
		VNS_STAT_INC(svc->st, drop_txbuf_full);
		return -ENOBUFS;
	}
	return 0;
}

void
vns_conn_output(struct vns_svc *svc, struct vns_conn *c)
{
	vns_tcp_output(svc->st, flow_of(c), svc->st->tx);
}

void
vns_conn_close(struct vns_svc *svc, struct vns_conn *c)
{
	struct vns_flow *f = flow_of(c);

	vns_tcp_queue_fin(f);
	vns_tcp_output(svc->st, f, svc->st->tx);
}

void
vns_conn_abort(struct vns_svc *svc, struct vns_conn *c)
{
	vns_tcp_abort_flow(svc->st, flow_of(c), svc->st->tx);
}

void
vns_conn_set_sndbuf(struct vns_conn *c, uint8_t *buf, uint32_t cap)
{
	vns_tcp_set_sndbuf(flow_of(c), buf, cap);
}

int
vns_conn_sndbuf_inline(struct vns_conn *c)
{
	struct vns_flow *f = flow_of(c);
	uint8_t keep[VNS_SNDBUF_INLINE];
	uint32_t n = f->sbuf_len;

	if (f->sbuf == NULL || f->sbuf == f->sbuf_inline)
		return 0;
	if (n > VNS_SNDBUF_INLINE)
		return -ENOBUFS;
	memcpy(keep, f->sbuf, n);
	vns_tcp_set_sndbuf(f, NULL, 0);
	memcpy(f->sbuf, keep, n);
	f->sbuf_len = n;
	return 0;
}

void
vns_conn_set_payload(struct vns_svc *svc, struct vns_conn *c, bool want)
{
	struct vns_flow *f = flow_of(c);

	if (want)
		f->flags |= VNS_FF_PAYLOAD;
	else
		vns_tcp_ooo_to_ranges(svc->st, f);
}

void
vns_conn_set_idle_exempt(struct vns_conn *c, bool exempt)
{
	struct vns_flow *f = flow_of(c);

	if (exempt)
		f->flags |= VNS_FF_IDLE_EXEMPT;
	else
		f->flags &= (uint16_t)~VNS_FF_IDLE_EXEMPT;
}

void
vns_conn_detach(struct vns_conn *c)
{
	flow_of(c)->svc = 0;
}

void
vns_conn_info(const struct vns_conn *c, struct vns_conn_info *info)
{
	const struct vns_flow *f = cflow_of(c);
	const struct vns_snd *s = f->bulk;
	uint32_t cap = f->sbuf != NULL ? f->sbuf_cap : VNS_SNDBUF_INLINE;

	info->peer_ip = f->peer_ip;
	info->peer_port = f->peer_port;
	info->local_port = f->local_port;
	info->open_tsc = f->open_tsc;
	info->last_rx_tsc = f->last_rx_tsc;
	info->bytes = f->bytes;
	info->snd_queued = f->sbuf_len;
	info->snd_room = cap - f->sbuf_len;
	info->bulk_sent = 0;
	info->bulk_acked = 0;
	info->retrans_segs = 0;
	info->cwnd = 0;
	info->srtt_us = 0;
	if (s == NULL)
		return;
	info->bulk_sent = s->sent;
	info->bulk_acked = s->acked;
	info->retrans_segs = s->retrans_segs;
	info->cwnd = s->cc.cwnd;
	info->srtt_us = s->srtt_us;
}

int
vns_conn_bulk_start(struct vns_svc *svc, struct vns_conn *c, uint64_t bytes)
{
	return vns_snd_start(svc->st, flow_of(c), bytes);
}

uint64_t
vns_conn_bulk_stop(struct vns_svc *svc, struct vns_conn *c)
{
	return vns_snd_stop(svc->st, flow_of(c));
}

struct vns_conn_handle
vns_conn_handle_of(const struct vns_svc *svc, const struct vns_conn *c)
{
	const struct vns_flow *f = cflow_of(c);
	struct vns_conn_handle h = { vns_flow_index(&svc->st->ft, f), f->gen };

	return h;
}

struct vns_conn *
vns_conn_from_handle(struct vns_svc *svc, struct vns_conn_handle h)
{
	struct vns_flow *f = vns_flow_by_handle(&svc->st->ft, h.idx, h.gen);

	return f != NULL && f->svc == svc->index ? &f->conn : NULL;
}

int
vns_svc_send_msg(struct vns_svc *svc, uint16_t queue, uint8_t type, const void *body, uint32_t len)
{
	struct vns_stack *st = svc->st;
	struct vns_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.svc = svc->index;
	msg.type = type;
	msg.from_queue = st->conf.queue_id;
	memcpy(msg.body, body, RTE_MIN(len, (uint32_t)sizeof(msg.body)));
	if (queue >= st->sh->nb_queues ||
	    rte_ring_mp_enqueue_elem(st->sh->inbox[queue], &msg, sizeof(msg)) != 0) {
		VNS_STAT_INC(st, drop_ring_full);
		return -ENOBUFS;
	}
	return 0;
}

void
vns_svc_record(struct vns_svc *svc, const void *rec, uint32_t len)
{
	uint8_t buf[VNS_CLOSED_REC_SIZE];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, rec, RTE_MIN(len, (uint32_t)sizeof(buf)));
	if (rte_ring_sp_enqueue_elem(svc->st->closed, buf, sizeof(buf)) != 0)
		VNS_STAT_INC(svc->st, closed_rec_lost);
}
