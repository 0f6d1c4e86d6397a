/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_worker: per-queue run-to-completion loop (fast path). No locks, no syscalls, no
 * logging, no allocation: everything that goes wrong is counted in the queue's stats.
 */
#include "vns_worker.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "vns_atomic.h"

/* Set once by a signal handler or the main lcore; the loops only read it (relaxed). */
static bool vns_quit;

void
vns_worker_stop(void)
{
	vns_write_once(&vns_quit, true);
}

bool
vns_worker_stopping(void)
{
	return vns_read_once(&vns_quit);
}

struct vns_queue *
vns_queue_create(uint16_t queue_id, unsigned int lcore_id, const struct vns_port_queue *pq,
		 struct vns_stack *stack, int socket_id)
{
	struct vns_queue *q = rte_zmalloc_socket("vns_queue", sizeof(*q), RTE_CACHE_LINE_SIZE,
						 socket_id);

	if (q == NULL)
		return NULL;
	q->queue_id = queue_id;
	q->lcore_id = (uint16_t)lcore_id;
	q->pq = *pq;
	q->stack = stack;
	q->tx_stall_wait = rte_get_tsc_hz() / 1000 * VNS_TX_RETRY_MS;
	return q;
}

void
vns_queue_free(struct vns_queue *q)
{
	if (q == NULL)
		return;
	if (q->tx.n != 0)
		rte_pktmbuf_free_bulk(q->tx.pkts, q->tx.n);
	rte_free(q);
}

void
vns_queue_stats_get(const struct vns_queue *q, struct vns_queue_stats *out)
{
#define VNS_COPY(name, desc) out->name = vns_read_once(&q->stats.name);
	VNS_QUEUE_STATS(VNS_COPY)
#undef VNS_COPY
}

static inline uint64_t
frames_bytes(struct rte_mbuf *const *pkts, uint16_t n)
{
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	return bytes;
}

/* The port's prepare, once per frame: frames left from a partial burst stay prepared at the
 * head. A frame it refuses is dropped and counted; the rest go on. */
static inline void
queue_prepare(struct vns_queue *q)
{
	struct vns_txbuf *tx = &q->tx;

	while (q->tx_prepared < tx->n) {
		uint16_t at = q->tx_prepared;

		at = (uint16_t)(at +
				vns_port_tx_prepare(&q->pq, tx->pkts + at, (uint16_t)(tx->n - at)));
		if (at < tx->n) {
			rte_pktmbuf_free(tx->pkts[at]);
			vns_counter_add(&q->stats.drop_tx_bad, 1);
			memmove(tx->pkts + at, tx->pkts + at + 1,
				(size_t)(tx->n - at - 1) * sizeof(tx->pkts[0]));
			tx->n--;
		}
		q->tx_prepared = at;
	}
}

/* Send what the stack queued. Returns the number of frames the port took. */
static inline uint16_t
queue_flush(struct vns_queue *q, uint64_t now)
{
	struct vns_txbuf *tx = &q->tx;
	uint16_t sent, left, done;
	uint64_t bytes;

	if (q->pq.tx_prepare) {
		queue_prepare(q);
		if (tx->n == 0)
			return 0;
	}
	/* Sent mbufs belong to the driver once tx returns: measure them before. */
	bytes = frames_bytes(tx->pkts, tx->n);
	/* Some drivers take at most their own burst size per call: go on while they take any. */
	sent = 0;
	do {
		uint16_t k = vns_port_tx(&q->pq, tx->pkts + sent, (uint16_t)(tx->n - sent));

		if (k == 0)
			break;
		sent = (uint16_t)(sent + k);
	} while (sent < tx->n);
	left = (uint16_t)(tx->n - sent);
	if (left != 0)
		bytes -= frames_bytes(tx->pkts + sent, left);
	vns_counter_add(&q->stats.tx_pkts, sent);
	vns_counter_add(&q->stats.tx_bytes, bytes);
	if (left == 0) {
		tx->n = 0;
		q->tx_prepared = 0;
		q->tx_stalled_polls = 0;
		q->tx_head_dropped = false;
		return sent;
	}

	vns_counter_add(&q->stats.tx_retries, 1);
	done = sent;
	if (sent != 0) {
		q->tx_stalled_polls = 0;
		q->tx_head_dropped = false;
	}
	if (q->tx_stalled_polls++ == 0) {
		q->tx_stall_tsc = now;
	} else if (q->tx_stalled_polls >= VNS_TX_RETRY_POLLS &&
		   now - q->tx_stall_tsc >= q->tx_stall_wait) {
		/*
		 * Nothing taken for VNS_TX_RETRY_POLLS polls and VNS_TX_RETRY_MS. Either the
		 * device refuses the frame at the head and stops there (net_tap does so for a
		 * frame above its MTU), or it stopped taking frames at all (ring stuck, peer
		 * gone). Drop the head first, so one bad frame does not hold back the ACKs behind
		 * it; if that does not unblock the queue within another retry period, drop
		 * everything: never hold mbufs forever.
		 */
		uint16_t drop = q->tx_head_dropped ? left : 1;

		rte_pktmbuf_free_bulk(tx->pkts, drop);
		vns_counter_add(&q->stats.drop_tx_full, drop);
		q->tx_head_dropped = drop == 1;
		q->tx_stalled_polls = 0;
		q->tx_stall_tsc = now;
		done = drop;
		left = (uint16_t)(left - drop);
	}
	/* Keep the unsent frames in order at the head; the stack appends behind them. */
	memmove(tx->pkts, tx->pkts + done, left * sizeof(tx->pkts[0]));
	tx->n = left;
	q->tx_prepared = left;
	return sent;
}

static inline void
queue_poll(struct vns_queue *q, uint64_t now)
{
	struct rte_mbuf *pkts[VNS_RX_BURST];
	uint16_t nb_rx, nb_tx = 0;

	nb_rx = vns_port_rx(&q->pq, pkts, VNS_RX_BURST);
	if (nb_rx != 0) {
		vns_counter_add(&q->stats.rx_pkts, nb_rx);
		vns_counter_add(&q->stats.rx_bytes, frames_bytes(pkts, nb_rx));
		vns_stack_input(q->stack, pkts, nb_rx, now, &q->tx);
	}
	vns_stack_poll(q->stack, now, &q->tx);
	if (q->tx.n != 0)
		nb_tx = queue_flush(q, now);
	vns_counter_add(&q->stats.polls, 1);
	if ((nb_rx | nb_tx) != 0)
		vns_counter_add(&q->stats.busy_polls, 1);
}

/* Off the per-packet path, once per VNS_HOUSEKEEPING_US. */
static void
queue_housekeeping(struct vns_queue *q)
{
	/* A queue the device broke stays broken (vns_port.h): stop polling it. */
	if (vns_port_queue_broken(&q->pq)) {
		q->broken = true;
		vns_counter_add(&q->stats.queue_broken, 1);
	}
}

void
vns_lcore_block_rt_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaddset(&set, sig);
	/* Fails only for a bad "how" argument. */
	(void)pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int
vns_worker_main(void *arg)
{
	struct vns_worker *w = arg;
	const uint64_t hk_period = rte_get_tsc_hz() * VNS_HOUSEKEEPING_US / 1000000;
	uint64_t next_hk;

	/* Measured on net_tap at 1.5 Gbit/s: half of its 130k signals a second landed here. */
	vns_lcore_block_rt_signals();
	next_hk = rte_rdtsc() + hk_period;

	while (!vns_worker_stopping()) {
		uint64_t now = rte_rdtsc();

		for (uint16_t i = 0; i < w->nb_queues; i++)
			if (likely(!w->queues[i]->broken))
				queue_poll(w->queues[i], now);
		if (unlikely(now >= next_hk)) {
			for (uint16_t i = 0; i < w->nb_queues; i++)
				if (!w->queues[i]->broken)
					queue_housekeeping(w->queues[i]);
			next_hk = now + hk_period;
		}
	}
	return 0;
}
