/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore timer wheel: VNS_TIMER_SLOTS slots of 1 ms, one intrusive doubly linked list of
 * flows per slot, one deadline per flow (retransmission, half-open expiry, idle expiry).
 * A deadline further away than one revolution is filed in the last slot of the current
 * revolution and re-filed when the wheel gets there, so a slot only ever holds flows due in
 * its own tick or later revolutions' re-filing, and a callback never re-arms into the slot
 * being walked. Arming and cancelling are O(1); the poll touches only the slots it passes.
 */
#include <rte_malloc.h>

#include "vns_stack_core.h"

#define NONE UINT32_MAX

static void
unlink_flow(struct vns_stack *st, struct vns_flow *f)
{
	if (f->tw_prev != NONE)
		st->ft.flows[f->tw_prev].tw_next = f->tw_next;
	else
		st->tw.slots[f->tw_slot] = f->tw_next;
	if (f->tw_next != NONE)
		st->ft.flows[f->tw_next].tw_prev = f->tw_prev;
	f->tw_next = NONE;
	f->tw_prev = NONE;
}

static void
link_flow(struct vns_stack *st, struct vns_flow *f)
{
	uint64_t tick = f->timer_tsc / st->tw.tick_tsc;
	uint32_t idx = vns_flow_index(&st->ft, f);
	uint32_t s;

	/* Already passed: next tick. Beyond this revolution: its last tick, then re-filed. */
	if (tick <= st->tw.tick)
		tick = st->tw.tick + 1;
	if (tick > st->tw.tick + VNS_TIMER_SLOTS - 1)
		tick = st->tw.tick + VNS_TIMER_SLOTS - 1;
	s = (uint32_t)(tick & (VNS_TIMER_SLOTS - 1));
	f->tw_slot = s;
	f->tw_prev = NONE;
	f->tw_next = st->tw.slots[s];
	if (f->tw_next != NONE)
		st->ft.flows[f->tw_next].tw_prev = idx;
	st->tw.slots[s] = idx;
}

void
vns_timer_arm(struct vns_stack *st, struct vns_flow *f, uint64_t tsc)
{
	if (f->timer_tsc != 0)
		unlink_flow(st, f);
	f->timer_tsc = tsc != 0 ? tsc : 1;
	link_flow(st, f);
}

void
vns_timer_cancel(struct vns_stack *st, struct vns_flow *f)
{
	if (f->timer_tsc == 0)
		return;
	unlink_flow(st, f);
	f->timer_tsc = 0;
}

void
vns_timer_run(struct vns_stack *st, uint64_t now, struct vns_txbuf *tx)
{
	uint64_t target = now / st->tw.tick_tsc;
	uint64_t t;

	if (target <= st->tw.tick)
		return;
	/* After a long stall visit each slot once: everything due is found. */
	if (target - st->tw.tick > VNS_TIMER_SLOTS)
		st->tw.tick = target - VNS_TIMER_SLOTS;
	for (t = st->tw.tick + 1; t <= target; t++) {
		uint32_t s = (uint32_t)(t & (VNS_TIMER_SLOTS - 1));

		st->tw.tick = t;
		/* Pop one flow at a time: callbacks may arm or cancel any timer, and every list
		 * stays consistent; none can land in slot s again during this tick. */
		while (st->tw.slots[s] != NONE) {
			struct vns_flow *f = &st->ft.flows[st->tw.slots[s]];

			unlink_flow(st, f);
			if (f->timer_tsc > now) {
				link_flow(st, f); /* not due: a later revolution */
				continue;
			}
			f->timer_tsc = 0;
			vns_tcp_timeout(st, f, tx);
		}
	}
}

int
vns_timer_init(struct vns_stack *st, int socket_id)
{
	uint32_t i;

	st->tw.slots = rte_malloc_socket("vns_wheel", VNS_TIMER_SLOTS * sizeof(uint32_t),
					 RTE_CACHE_LINE_SIZE, socket_id);
	if (st->tw.slots == NULL)
		return -1;
	for (i = 0; i < VNS_TIMER_SLOTS; i++)
		st->tw.slots[i] = NONE;
	st->tw.tick_tsc = st->hz / 1000 ? st->hz / 1000 : 1;
	return 0;
}

void
vns_timer_free(struct vns_stack *st)
{
	rte_free(st->tw.slots);
	st->tw.slots = NULL;
}
