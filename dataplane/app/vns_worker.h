/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_worker: the per-queue run-to-completion loop.
 *
 * Each queue has one vns_queue (its port queue, its own stack instance, its tx buffer and its
 * counters) and is polled by exactly one worker lcore; a worker lcore may own several queues
 * (when there are more queues than worker lcores). Per poll of a queue:
 *     rx burst (32) -> vns_stack_input -> vns_stack_poll -> tx burst of the tx buffer
 * Frames the port does not take stay at the head of the tx buffer and are retried on the next
 * polls; after VNS_TX_RETRY_POLLS polls and VNS_TX_RETRY_MS without progress the head frame is
 * freed and counted (a device may refuse one bad frame and stop there), after another such
 * period all of them. Both bounds: a poll is a few microseconds, while a device whose backend
 * thread is descheduled (QEMU's I/O thread on a busy host) takes nothing for milliseconds and
 * then drains the ring; dropping then would cost the bulk sender a retransmission per frame.
 *
 * Concurrency: a vns_queue is written only by its lcore. Other threads (main lcore stats,
 * the telemetry thread) read its counters without locks: each counter is a naturally aligned
 * 64-bit word written by one thread (vns_counter_add) and read with vns_read_once
 * (vns_atomic.h), so a reader sees some recent value, never a torn one.
 */
#ifndef VNS_WORKER_H
#define VNS_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "vns_config.h"
#include "vns_port.h"
#include "vns_stack.h"

#define VNS_RX_BURST 32
/* Polls and time a partly sent tx buffer may wait for ring space before its frames are
 * dropped. A full ring is a backend that is late, not lost: under TCG on a loaded host QEMU's
 * I/O thread was seen to take nothing for over 50 ms, and each frame dropped then cost the
 * bulk sender a loss recovery. Waiting costs nothing but mbufs, so the wait is longer than
 * TCP's minimum retransmission timeout (200 ms): a drop never comes before the sender's
 * own timer would. */
#define VNS_TX_RETRY_POLLS 64
#define VNS_TX_RETRY_MS    250
/* Housekeeping period of a worker (broken-queue check). */
#define VNS_HOUSEKEEPING_US 1000

#define VNS_QUEUE_STATS(X)                                                   \
	X(polls, "loop iterations over this queue")                          \
	X(busy_polls, "iterations that received or sent at least one frame") \
	X(rx_pkts, "frames received")                                        \
	X(rx_bytes, "bytes received (L2, whole mbuf chains)")                \
	X(tx_pkts, "frames sent")                                            \
	X(tx_bytes, "bytes sent (L2)")                                       \
	X(tx_retries, "tx bursts the port did not take completely")          \
	X(drop_tx_full, "frames freed after the tx retry budget ran out")    \
	X(drop_tx_bad, "frames the port's tx prepare refused")               \
	X(queue_broken, "1 after the device broke this queue; polling stopped")

#define VNS_QUEUE_STAT_FIELD(name, desc) uint64_t name;
struct vns_queue_stats {
	VNS_QUEUE_STATS(VNS_QUEUE_STAT_FIELD)
};
#undef VNS_QUEUE_STAT_FIELD

struct vns_queue {
	struct vns_queue_stats stats; /* own cache line(s): written by the loop only */
	uint16_t queue_id;
	uint16_t lcore_id;
	uint32_t tx_stalled_polls;
	uint16_t tx_prepared;   /* frames at the tx buffer's head already prepared */
	bool tx_head_dropped;   /* the last stall dropped only the head frame */
	uint64_t tx_stall_tsc;  /* when the port last took a frame, or the stall began */
	uint64_t tx_stall_wait; /* VNS_TX_RETRY_MS in TSC ticks */
	bool broken;
	struct vns_port_queue pq;
	struct vns_stack *stack;
	struct vns_txbuf tx;
} __rte_cache_aligned;

/* What one worker lcore runs. */
struct vns_worker {
	unsigned int lcore_id;
	uint16_t nb_queues;
	struct vns_queue *queues[VNS_MAX_QUEUES];
} __rte_cache_aligned;

/* Allocate a queue context on socket_id; NULL when out of memory. */
struct vns_queue *vns_queue_create(uint16_t queue_id, unsigned int lcore_id,
				   const struct vns_port_queue *pq, struct vns_stack *stack,
				   int socket_id);
/* Frees frames still waiting in the tx buffer; the stack is the caller's to free. */
void vns_queue_free(struct vns_queue *q);

/* rte_eal_remote_launch() entry: arg is a struct vns_worker *. Returns at vns_worker_stop(). */
int vns_worker_main(void *arg);

/*
 * Keeps real-time signals off the calling lcore thread. net_tap raises one per frame it
 * receives (its rx trigger); the EAL's control threads, created before this is called, take
 * them instead of the polling loops.
 */
void vns_lcore_block_rt_signals(void);

/* Ask every worker loop to return (async-signal-safe). */
void vns_worker_stop(void);
bool vns_worker_stopping(void);

/* Read a queue's counters (any thread). */
void vns_queue_stats_get(const struct vns_queue *q, struct vns_queue_stats *out);

#endif /* VNS_WORKER_H */
