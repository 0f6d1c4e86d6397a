/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore timer wheel (vns_timer.c, two levels): one deadline per flow (retransmission,
 * half-open expiry, idle expiry, TIME-WAIT); a due flow goes to vns_tcp_timeout().
 */
#ifndef VNS_TIMER_H
#define VNS_TIMER_H

#include <stdint.h>

#define VNS_TIMER_SLOTS 1024 /* wheel of 1 ms ticks */

struct vns_flow;
struct vns_stack;
struct vns_txbuf;

struct vns_timer_wheel {
	uint32_t *slots;   /* [VNS_TIMER_SLOTS] list heads (flow indices), 1 ms each */
	uint32_t *coarse;  /* [VNS_TIMER_SLOTS] list heads, one fine revolution each */
	uint64_t refiled;  /* flows filed again without falling due (far beyond the wheel) */
	uint64_t tick;     /* last processed tick; UINT64_MAX until the first call */
	uint64_t tick_tsc; /* TSC ticks per wheel tick (1 ms) */
};

int vns_timer_init(struct vns_stack *st, int socket_id);
void vns_timer_free(struct vns_stack *st);
void vns_timer_arm(struct vns_stack *st, struct vns_flow *f, uint64_t tsc);
void vns_timer_cancel(struct vns_stack *st, struct vns_flow *f);
void vns_timer_run(struct vns_stack *st, uint64_t now, struct vns_txbuf *tx);

#endif /* VNS_TIMER_H */
