/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stack control (create/free, shared object, records, telemetry views) and the two entry
 * points of the loop contract, vns_stack_input() and vns_stack_poll().
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "vns_err.h"
#include "vns_random.h"
#include "vns_stack_core.h"

#define VNS_MSG_BURST 32

static atomic_uint vns_name_seq;

static void
unique_name(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "vns_%s_%u", what,
		 atomic_fetch_add_explicit(&vns_name_seq, 1, memory_order_relaxed));
}

struct vns_shared *
vns_shared_create(uint16_t nb_queues, int socket_id, char *err, size_t errlen)
{
	struct vns_shared *sh;
	char name[RTE_RING_NAMESIZE];
	uint16_t q;

	if (nb_queues == 0) {
		vns_set_err(err, errlen, "shared stack state for 0 queues; give at least one");
		return NULL;
	}
	sh = rte_zmalloc_socket("vns_shared", sizeof(*sh), RTE_CACHE_LINE_SIZE, socket_id);
	if (sh == NULL)
		goto nomem;
	sh->nb_queues = nb_queues;
	vns_random_bytes(sh->iss_key, sizeof(sh->iss_key));
	sh->inbox = rte_zmalloc_socket("vns_inbox", nb_queues * sizeof(*sh->inbox), 0, socket_id);
	if (sh->inbox == NULL)
		goto nomem;
	for (q = 0; q < nb_queues; q++) {
		unique_name(name, sizeof(name), "inbox");
		/* Many producers (any queue's lcore), one consumer (this queue's lcore). */
		sh->inbox[q] = rte_ring_create_elem(name, sizeof(struct vns_msg), VNS_INBOX_SIZE,
						    socket_id, RING_F_SC_DEQ);
		if (sh->inbox[q] == NULL) {
			vns_set_err(err, errlen,
				    "queue %u's message ring %s: %s; raise -m or the "
				    "hugepages",
				    q, name, rte_strerror(rte_errno));
			goto fail;
		}
	}
	return sh;
nomem:
	vns_set_err(err, errlen,
		    "out of DPDK memory for the shared stack state (%u queues); "
		    "raise -m or the hugepages",
		    nb_queues);
fail:
	vns_shared_free(sh);
	return NULL;
}

void
vns_shared_free(struct vns_shared *sh)
{
	uint16_t q;

	if (sh == NULL)
		return;
	if (sh->inbox != NULL)
		for (q = 0; q < sh->nb_queues; q++)
			rte_ring_free(sh->inbox[q]);
	rte_free(sh->inbox);
	rte_free(sh);
}

/* Checks one bind entry against the stack's services so far. */
static int
svc_check(const struct vns_stack *st, const struct vns_service_bind *b, char *err, size_t errlen)
{
	const struct vns_service_ops *ops = b->ops;
	const struct vns_service_ops *first = st->sh->svc_ops[st->nb_svc];
	unsigned int nb_counters = vns_stack_svc_stats(st, NULL, NULL, NULL, 0);
	uint8_t i;

	if (ops == NULL || ops->name == NULL || ops->data == NULL) {
		vns_set_err(err, errlen, "service %u: needs a name and a data callback",
			    st->nb_svc + 1u);
		return -EINVAL;
	}
	if (ops->conn_priv_size > VNS_CONN_PRIV_MAX || ops->shared_size > VNS_SVC_SHARED_MAX ||
	    nb_counters + (ops->counters_get != NULL ? ops->nb_counters : 0) > VNS_SVC_STATS_MAX) {
		vns_set_err(err, errlen,
			    "service %s: %zu bytes per connection (at most %d), %zu "
			    "shared (at most %d), %u counters (at most %d on a stack)",
			    ops->name, ops->conn_priv_size, VNS_CONN_PRIV_MAX, ops->shared_size,
			    VNS_SVC_SHARED_MAX, ops->nb_counters, VNS_SVC_STATS_MAX);
		return -EINVAL;
	}
	if (first != NULL && first != ops) {
		vns_set_err(err, errlen,
			    "service %s: the stacks of one vns_shared bind different "
			    "services at index %u (%s first); bind the same list on every queue",
			    ops->name, st->nb_svc + 1u, first->name);
		return -EINVAL;
	}
	for (i = 0; i < st->nb_svc && b->port != 0; i++) {
		if (st->svc[i].port == rte_cpu_to_be_16(b->port)) {
			vns_set_err(err, errlen,
				    "services %s and %s both on port %u; give each "
				    "its own port",
				    st->svc[i].ops->name, ops->name, b->port);
			return -EINVAL;
		}
	}
	return 0;
}

/* Makes and initialises one service per bind entry; on failure the ones made so far stay
 * for vns_stack_free(). */
static int
bind_services(struct vns_stack *st, const struct vns_service_bind *binds, uint8_t n, int socket_id,
	      char *err, size_t errlen)
{
	uint8_t k;
	int rc;

	if (n > VNS_SVC_MAX) {
		vns_set_err(err, errlen, "%u services bound; at most %d", n, VNS_SVC_MAX);
		return -EINVAL;
	}
	for (k = 0; k < n; k++) {
		struct vns_svc *svc = &st->svc[k];

		rc = svc_check(st, &binds[k], err, errlen);
		if (rc != 0)
			return rc;
		st->sh->svc_ops[k] = binds[k].ops;
		svc->ops = binds[k].ops;
		svc->shared = st->sh->svc[k].area;
		svc->conf = binds[k].conf;
		svc->st = st;
		svc->now_tsc = &st->now;
		svc->hz = st->hz;
		svc->max_flows = st->ft.max_flows;
		svc->socket_id = socket_id;
		svc->queue_id = st->conf.queue_id;
		svc->port = rte_cpu_to_be_16(binds[k].port);
		svc->index = (uint8_t)(k + 1);
		if (svc->ops->init != NULL) {
			rc = svc->ops->init(svc, err, errlen);
			if (rc != 0)
				return rc;
		}
		svc->conf = NULL;
		st->nb_svc++;
	}
	return 0;
}

struct vns_stack *
vns_stack_create(const struct vns_stack_conf *conf, struct vns_shared *sh, int socket_id, char *err,
		 size_t errlen)
{
	struct vns_stack *st;
	char name[RTE_RING_NAMESIZE];

	if (conf == NULL || sh == NULL || conf->pool == NULL || conf->max_flows == 0 ||
	    conf->queue_id >= sh->nb_queues || (conf->nb_services > 0 && conf->services == NULL)) {
		vns_set_err(err, errlen,
			    "stack: needs a pool, max_flows > 0, queue_id < %u and "
			    "a bind table for its services",
			    sh != NULL ? sh->nb_queues : 0);
		return NULL;
	}
	if (conf->mtu != 0 && (conf->mtu < VNS_MTU_MIN || conf->mtu > VNS_MTU_MAX)) {
		vns_set_err(err, errlen, "stack: MTU %u out of range; use %d..%d", conf->mtu,
			    VNS_MTU_MIN, VNS_MTU_MAX);
		return NULL;
	}
	st = rte_zmalloc_socket("vns_stack", sizeof(*st), RTE_CACHE_LINE_SIZE, socket_id);
	if (st == NULL)
		goto nomem;
	st->conf = *conf;
	if (st->conf.mtu == 0)
		st->conf.mtu = VNS_MTU_DEFAULT;
	st->sh = sh;
	st->hz = rte_get_tsc_hz();
	st->ack_hold_tsc = st->hz / 1000000u * VNS_ACK_HOLD_US;
	st->iss_tick_tsc = RTE_MAX(st->hz / 250000, (uint64_t)1);
	/* Control data is sent in single-segment mbufs: with jumbo MTUs the pool's buffers,
	 * not the MSS, bound a segment. */
	{
		uint32_t room = rte_pktmbuf_data_room_size(conf->pool);
		uint32_t hdrs = RTE_PKTMBUF_HEADROOM + RTE_ETHER_HDR_LEN + VNS_TCP_IPV4_HDRS +
				VNS_TCP_OPT_SPACE;

		if (room < hdrs + VNS_TCP_MSS_MIN) {
			vns_set_err(err, errlen,
				    "stack: mbufs of %u bytes are too small for "
				    "replies; use a pool with at least %u bytes of data room",
				    room, hdrs + VNS_TCP_MSS_MIN);
			rte_free(st);
			return NULL;
		}
		st->tx_seg_max = room - hdrs;
	}
	st->ooo_mbufs_max = VNS_STACK_OOO_MBUFS;
	if (vns_flow_table_init(&st->ft, conf->max_flows, socket_id) != 0)
		goto nomem;
	if (vns_timer_init(st, socket_id) != 0)
		goto nomem;
	if (vns_snd_pool_init(st, conf, socket_id, err, errlen) != 0)
		goto fail;
	st->tw.tick = UINT64_MAX; /* set by the first call: the loop's clock, not ours */
	unique_name(name, sizeof(name), "closed");
	st->closed = rte_ring_create_elem(name, VNS_CLOSED_REC_SIZE, VNS_CLOSED_RING, socket_id,
					  RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (st->closed == NULL)
		goto nomem;
	/* The table is the caller's: the stack keeps its copy in st->svc. */
	st->conf.services = NULL;
	st->conf.nb_services = 0;
	if (bind_services(st, conf->services, conf->nb_services, socket_id, err, errlen) != 0)
		goto fail;
	return st;
nomem:
	vns_set_err(err, errlen,
		    "out of DPDK memory for %u flows; raise -m or the hugepages, or "
		    "lower max_flows",
		    conf->max_flows);
fail:
	vns_stack_free(st);
	return NULL;
}

void
vns_stack_free(struct vns_stack *st)
{
	uint32_t i, j;
	uint8_t k;

	if (st == NULL)
		return;
	if (st->ft.flows != NULL) {
		for (i = 0; i < st->ft.max_flows; i++) {
			struct vns_flow *f = &st->ft.flows[i];

			if (f->state == VNS_TCP_FREE)
				continue;
			for (j = 0; j < f->n_ooo; j++)
				rte_pktmbuf_free(f->ooo[j].m);
			f->n_ooo = 0;
		}
	}
	/* Services free what their open connections hold: no closed() call at shutdown. */
	for (k = 0; k < st->nb_svc; k++)
		if (st->svc[k].ops->fini != NULL)
			st->svc[k].ops->fini(&st->svc[k]);
	vns_timer_free(st);
	vns_snd_pool_free(st);
	vns_flow_table_free(&st->ft);
	rte_ring_free(st->closed);
	rte_free(st);
}

unsigned int
vns_stack_drain_closed(struct vns_stack *st, void *recs, unsigned int max)
{
	return rte_ring_sc_dequeue_burst_elem(st->closed, recs, VNS_CLOSED_REC_SIZE, max, NULL);
}

static void
drain_inbox(struct vns_stack *st)
{
	struct vns_msg msgs[VNS_MSG_BURST];
	struct rte_ring *r = st->sh->inbox[st->conf.queue_id];
	unsigned int n, i;

	if (rte_ring_empty(r))
		return;
	n = rte_ring_sc_dequeue_burst_elem(r, msgs, sizeof(msgs[0]), VNS_MSG_BURST, NULL);
	for (i = 0; i < n; i++) {
		struct vns_svc *svc;

		if (msgs[i].svc == 0 || msgs[i].svc > st->nb_svc)
			continue;
		svc = &st->svc[msgs[i].svc - 1];
		if (svc->ops->msg != NULL)
			svc->ops->msg(svc, &msgs[i]);
	}
}

static inline void
enter(struct vns_stack *st, uint64_t now, struct vns_txbuf *tx)
{
	st->now = now;
	st->tx = tx;
	if (unlikely(st->tw.tick == UINT64_MAX))
		st->tw.tick = now / st->tw.tick_tsc;
}

static void
poll_services(struct vns_stack *st)
{
	uint8_t k;

	for (k = 0; k < st->nb_svc; k++)
		if (st->svc[k].ops->poll != NULL)
			st->svc[k].ops->poll(&st->svc[k]);
}

void
vns_stack_input(struct vns_stack *st, struct rte_mbuf **pkts, uint16_t n, uint64_t now_tsc,
		struct vns_txbuf *tx)
{
	uint16_t i;

	enter(st, now_tsc, tx);
	/* Cross-lcore news first (a stream's TEST_RUNNING must precede its data). */
	drain_inbox(st);
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		vns_eth_input(st, pkts[i], tx);
	}
	vns_tcp_flush_acks(st, tx);
}

void
vns_stack_poll(struct vns_stack *st, uint64_t now_tsc, struct vns_txbuf *tx)
{
	enter(st, now_tsc, tx);
	drain_inbox(st);
	vns_timer_run(st, now_tsc, tx);
	poll_services(st);
	if (st->snd.nb_ready != 0)
		vns_snd_poll(st, tx);
	vns_tcp_flush_acks(st, tx);
}

void
vns_stack_stats_get(const struct vns_stack *st, struct vns_stack_stats *out)
{
	/* Single writer: per-field relaxed loads give each counter a value it really had. */
#define VNS_STAT_COPY(name, desc) out->name = __atomic_load_n(&st->stats.name, __ATOMIC_RELAXED);
	VNS_STACK_STATS(VNS_STAT_COPY)
#undef VNS_STAT_COPY
}

unsigned int
vns_stack_svc_stats(const struct vns_stack *st, const char **names, const char **descs,
		    uint64_t *values, unsigned int max)
{
	uint64_t v[VNS_SVC_STATS_MAX];
	unsigned int n = 0, i;
	uint8_t k;

	for (k = 0; k < st->nb_svc; k++) {
		const struct vns_service_ops *ops = st->svc[k].ops;

		if (ops->counters_get == NULL)
			continue;
		if (values != NULL)
			ops->counters_get(&st->svc[k], v);
		for (i = 0; i < ops->nb_counters; i++, n++) {
			if (n >= max)
				continue;
			if (names != NULL)
				names[n] = ops->counters[i].name;
			if (descs != NULL)
				descs[n] = ops->counters[i].desc;
			if (values != NULL)
				values[n] = v[i];
		}
	}
	return n;
}

uint32_t
vns_stack_nb_flows(const struct vns_stack *st)
{
	return __atomic_load_n(&st->ft.nb_flows, __ATOMIC_RELAXED);
}

uint32_t
vns_stack_nb_time_wait(const struct vns_stack *st)
{
	return __atomic_load_n(&st->ft.nb_time_wait, __ATOMIC_RELAXED);
}

const char *
vns_close_reason_name(uint8_t reason)
{
#define VNS_CLOSE_NAME(name, str) [VNS_CLOSE_##name] = str,
	static const char *const names[] = { VNS_CLOSE_REASONS(VNS_CLOSE_NAME) };
#undef VNS_CLOSE_NAME

	return reason < RTE_DIM(names) ? names[reason] : "unknown";
}

void
vns_stack_flows_foreach(const struct vns_stack *st, vns_flow_cb cb, void *arg)
{
	uint64_t now = rte_rdtsc();
	uint32_t i;

	for (i = 0; i < st->ft.max_flows; i++) {
		const struct vns_flow *f = &st->ft.flows[i];
		struct vns_flow_info info;
		uint8_t state = __atomic_load_n(&f->state, __ATOMIC_RELAXED);
		uint8_t svc = __atomic_load_n(&f->svc, __ATOMIC_RELAXED);
		uint64_t open = __atomic_load_n(&f->open_tsc, __ATOMIC_RELAXED);
		uint64_t last_rx = __atomic_load_n(&f->last_rx_tsc, __ATOMIC_RELAXED);
		uint32_t irs = __atomic_load_n(&f->irs, __ATOMIC_RELAXED);

		if (state == VNS_TCP_FREE || vns_tcp_state_name(state) == NULL)
			continue;
		info.peer_ip = __atomic_load_n(&f->peer_ip, __ATOMIC_RELAXED);
		info.peer_port = __atomic_load_n(&f->peer_port, __ATOMIC_RELAXED);
		info.local_port = __atomic_load_n(&f->local_port, __ATOMIC_RELAXED);
		info.state = vns_tcp_state_name(state);
		if (svc == 0 || svc > st->nb_svc)
			info.app = "sink";
		else if (st->svc[svc - 1].ops->conn_state != NULL)
			info.app = st->svc[svc - 1].ops->conn_state(&st->svc[svc - 1], &f->conn);
		else
			info.app = st->svc[svc - 1].ops->name;
		info.bytes = __atomic_load_n(&f->bytes, __ATOMIC_RELAXED);
		info.age_us = now > open ? (now - open) * 1000000 / st->hz : 0;
		info.idle_us = now > last_rx ? (now - last_rx) * 1000000 / st->hz : 0;
		info.rcv_nxt = __atomic_load_n(&f->rcv_nxt, __ATOMIC_RELAXED) - irs;
		info.last_ack_sent = __atomic_load_n(&f->last_ack_sent, __ATOMIC_RELAXED) - irs;
		info.ooo_entries = __atomic_load_n(&f->n_ooo, __ATOMIC_RELAXED);
		if (cb(&info, arg) != 0)
			break;
	}
}

void
vns_stack_snd_pool_size(const struct vns_stack *st, uint32_t *mbufs, uint64_t *bytes)
{
	const struct rte_mempool *mp = st->snd.mp;

	*mbufs = mp != NULL ? mp->size : 0;
	*bytes = mp != NULL
			 ? (uint64_t)mp->size * (mp->header_size + mp->elt_size + mp->trailer_size)
			 : 0;
}
