/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore timer wheel, two levels: VNS_TIMER_SLOTS fine slots of 1 ms and as many coarse
 * slots of one fine revolution (1.024 s, so about 17.9 min in all), one intrusive doubly
 * linked list of flows per slot, one deadline per flow (retransmission, half-open expiry,
 * idle expiry, TIME-WAIT). A deadline beyond the fine revolution waits in the coarse slot of
 * its revolution and moves to the fine wheel once, when that revolution starts: a 600 s
 * idle timer costs one move, not one re-filing per second for every flow. Only deadlines
 * beyond the coarse wheel are re-filed (once per 17.9 min). A callback never re-arms into
 * the slot being walked. Arming and cancelling are O(1); the poll touches only the slots it
 * passes.
 */
#include <rte_malloc.h>

#include "vns_stack_core.h"

#define NONE   UINT32_MAX
#define COARSE (1u << 31) /* tw_slot: a slot of the coarse wheel */
#define SHIFT  10         /* log2(VNS_TIMER_SLOTS): a coarse tick is one fine revolution */
#define MASK   (VNS_TIMER_SLOTS - 1)

_Static_assert(VNS_TIMER_SLOTS == 1u << SHIFT, "SHIFT must match VNS_TIMER_SLOTS");

static uint32_t *
head_of(struct vns_stack *st, uint32_t slot)
{
	return (slot & COARSE) ? &st->tw.coarse[slot & MASK] : &st->tw.slots[slot];
}

static void
unlink_flow(struct vns_stack *st, struct vns_flow *f)
{
	if (f->tw_prev != NONE)
		st->ft.flows[f->tw_prev].tw_next = f->tw_next;
	else
		*head_of(st, f->tw_slot) = f->tw_next;
	if (f->tw_next != NONE)
		st->ft.flows[f->tw_next].tw_prev = f->tw_prev;
	f->tw_next = NONE;
	f->tw_prev = NONE;
}

/*
 * Files f by its deadline, never before tick `earliest`: in the fine wheel when it is due
 * within one revolution, else in the coarse wheel's slot for its revolution (the last one
 * it reaches if further), from where the revolution's start moves it to the fine wheel.
 * Fine slots stay within tw.tick + SLOTS - 1, so nothing lands in the slot being walked.
 */
static void
link_at(struct vns_stack *st, struct vns_flow *f, uint64_t earliest)
{
	uint64_t tick = f->timer_tsc / st->tw.tick_tsc;
	uint32_t idx = vns_flow_index(&st->ft, f);
	uint32_t s, *head;

	if (tick < earliest)
		tick = earliest;
	if (tick - st->tw.tick < VNS_TIMER_SLOTS) {
		s = (uint32_t)(tick & MASK);
	} else {
		uint64_t rev = tick >> SHIFT, cur = st->tw.tick >> SHIFT;

		if (rev - cur > MASK)
			rev = cur + MASK;
		s = COARSE | (uint32_t)(rev & MASK);
	}
	head = head_of(st, s);
	f->tw_slot = s;
	f->tw_prev = NONE;
	f->tw_next = *head;
	if (f->tw_next != NONE)
		st->ft.flows[f->tw_next].tw_prev = idx;
	*head = idx;
}

static void
link_flow(struct vns_stack *st, struct vns_flow *f)
{
	link_at(st, f, st->tw.tick + 1);
}

/* Refiles what coarse slot c holds: due in the revolution starting at tw.tick, a flow goes
 * to the fine wheel (its own tick included: that slot is walked next); a later one (a
 * deadline beyond the coarse wheel's reach) goes back to the coarse wheel. */
static void
cascade(struct vns_stack *st, uint32_t c)
{
	uint32_t i = st->tw.coarse[c];

	st->tw.coarse[c] = NONE;
	while (i != NONE) {
		struct vns_flow *f = &st->ft.flows[i];

		i = f->tw_next;
		link_at(st, f, st->tw.tick);
		if (f->tw_slot & COARSE)
			st->tw.refiled++;
	}
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
	uint32_t c;

	if (target <= st->tw.tick)
		return;
	/* After a long stall visit each fine slot once: everything due is found. The coarse
	 * revolutions skipped are refiled against the new position first (rare: O(flows)). */
	if (target - st->tw.tick > VNS_TIMER_SLOTS) {
		st->tw.tick = target - VNS_TIMER_SLOTS;
		for (c = 0; c < VNS_TIMER_SLOTS; c++)
			cascade(st, c);
	}
	for (t = st->tw.tick + 1; t <= target; t++) {
		uint32_t s = (uint32_t)(t & MASK);

		st->tw.tick = t;
		if (s == 0)
			cascade(st, (uint32_t)((t >> SHIFT) & MASK));
		/* Pop one flow at a time: callbacks may arm or cancel any timer, and every list
		 * stays consistent; none can land in slot s again during this tick. */
		while (st->tw.slots[s] != NONE) {
			struct vns_flow *f = &st->ft.flows[st->tw.slots[s]];

			unlink_flow(st, f);
			if (f->timer_tsc > now) {
				st->tw.refiled++;
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
	st->tw.coarse = rte_malloc_socket("vns_wheel_coarse", VNS_TIMER_SLOTS * sizeof(uint32_t),
					  RTE_CACHE_LINE_SIZE, socket_id);
	if (st->tw.slots == NULL || st->tw.coarse == NULL) {
		vns_timer_free(st);
		return -1;
	}
	for (i = 0; i < VNS_TIMER_SLOTS; i++) {
		st->tw.slots[i] = NONE;
		st->tw.coarse[i] = NONE;
	}
	st->tw.tick_tsc = st->hz / 1000 ? st->hz / 1000 : 1;
	return 0;
}

void
vns_timer_free(struct vns_stack *st)
{
	rte_free(st->tw.slots);
	rte_free(st->tw.coarse);
	st->tw.slots = NULL;
	st->tw.coarse = NULL;
}
