/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore flow table: open addressing with linear probing over a power-of-two array of
 * (key, index) pairs at most half full, so a probe sequence stays short; deletion shifts
 * later entries back (no tombstones, lookups never degrade under churn). Flow objects live
 * in a preallocated array with a free list: memory is fixed by max_flows.
 *
 * Half-open connections are tracked in a FIFO so that a SYN flood evicts the oldest
 * half-open flow instead of refusing new clients (RFC 4987 §3.4, "bounded SYN table with
 * eviction"): established flows are never evicted.
 */
#include <stdbool.h>
#include <string.h>

#include <rte_jhash.h>
#include <rte_malloc.h>

#include "vns_flow.h"
#include "vns_random.h"

uint64_t
vns_flow_key(rte_be32_t peer_ip, rte_be16_t peer_port, rte_be16_t local_port)
{
	return ((uint64_t)peer_ip << 32) | ((uint64_t)peer_port << 16) | local_port;
}

/* Keyed with the table's random secret: a client that picks its ports cannot aim them at one
 * probe cluster (an unkeyed or linear hash such as CRC32C lets it). */
static inline uint32_t
flow_hash(const struct vns_flow_table *ft, uint64_t key)
{
	return rte_jhash_3words((uint32_t)key, (uint32_t)(key >> 32), ft->hash_key[1],
				ft->hash_key[0]);
}

struct vns_flow *
vns_flow_lookup(struct vns_flow_table *ft, uint64_t key)
{
	uint32_t i = flow_hash(ft, key) & ft->tbl_mask;

	for (;;) {
		uint32_t idx = ft->tbl_idx[i];

		if (idx == 0)
			return NULL;
		if (ft->tbl_key[i] == key)
			return &ft->flows[idx - 1];
		i = (i + 1) & ft->tbl_mask;
	}
}

struct vns_flow *
vns_flow_alloc(struct vns_flow_table *ft, uint64_t key)
{
	struct vns_flow *f;
	uint32_t idx, i, gen;

	if (ft->nb_free == 0)
		return NULL;
	idx = ft->free_list[--ft->nb_free];
	f = &ft->flows[idx];
	gen = f->gen + 1;
	memset(f, 0, sizeof(*f));
	f->gen = gen;
	f->key = key;
	f->tw_next = UINT32_MAX;
	f->tw_prev = UINT32_MAX;

	i = flow_hash(ft, key) & ft->tbl_mask;
	while (ft->tbl_idx[i] != 0)
		i = (i + 1) & ft->tbl_mask;
	ft->tbl_key[i] = key;
	ft->tbl_idx[i] = idx + 1;
	ft->nb_flows++;
	return f;
}

/* Removes the flow from the table and returns it to the free list. The caller has already
 * released its mbufs, timers and service state. */
void
vns_flow_release(struct vns_flow_table *ft, struct vns_flow *f)
{
	uint32_t idx = vns_flow_index(ft, f);
	uint32_t i = flow_hash(ft, f->key) & ft->tbl_mask;
	uint32_t j;

	while (ft->tbl_idx[i] != idx + 1)
		i = (i + 1) & ft->tbl_mask;
	/* Backward-shift: move up every later entry of the cluster whose home slot does not lie
	 * cyclically in (i, j], so that no lookup crosses an empty slot before its key. */
	j = i;
	for (;;) {
		uint32_t home;

		j = (j + 1) & ft->tbl_mask;
		if (ft->tbl_idx[j] == 0)
			break;
		home = flow_hash(ft, ft->tbl_key[j]) & ft->tbl_mask;
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		ft->tbl_key[i] = ft->tbl_key[j];
		ft->tbl_idx[i] = ft->tbl_idx[j];
		i = j;
	}
	ft->tbl_idx[i] = 0;
	ft->tbl_key[i] = 0;

	if (f->state == VNS_TCP_SYN_RCVD)
		ft->nb_syn_rcvd--;
	else if (f->state == VNS_TCP_TIME_WAIT)
		ft->nb_time_wait--;
	f->state = VNS_TCP_FREE;
	f->svc = 0;
	f->gen++;
	ft->free_list[ft->nb_free++] = idx;
	ft->nb_flows--;
}

struct vns_flow *
vns_flow_by_handle(struct vns_flow_table *ft, uint32_t idx, uint32_t gen)
{
	struct vns_flow *f;

	if (idx >= ft->max_flows)
		return NULL;
	f = &ft->flows[idx];
	if (f->gen != gen || f->state == VNS_TCP_FREE)
		return NULL;
	return f;
}

static bool
syn_entry_live(struct vns_flow_table *ft, uint32_t slot)
{
	struct vns_flow *f = vns_flow_by_handle(ft, ft->syn_fifo[slot], ft->syn_fifo_gen[slot]);

	return f != NULL && f->state == VNS_TCP_SYN_RCVD;
}

/* Drops the stale entries (flows that left SYN_RCVD or were replaced), keeping the live ones
 * in order. With room for twice max_syn_rcvd entries, each compaction frees at least
 * max_syn_rcvd slots: O(1) amortized per SYN. */
static void
syn_compact(struct vns_flow_table *ft)
{
	uint32_t r, w = ft->syn_head;

	for (r = ft->syn_head; r != ft->syn_tail; r++) {
		uint32_t from = r % ft->syn_cap, to = w % ft->syn_cap;

		if (!syn_entry_live(ft, from))
			continue;
		ft->syn_fifo[to] = ft->syn_fifo[from];
		ft->syn_fifo_gen[to] = ft->syn_fifo_gen[from];
		w++;
	}
	ft->syn_tail = w;
}

void
vns_flow_syn_track(struct vns_flow_table *ft, struct vns_flow *f)
{
	uint32_t slot;

	/* nb_syn_rcvd < max_syn_rcvd here (the caller evicts first), so a full FIFO holds at
	 * least syn_cap - max_syn_rcvd stale entries. Dropping the head instead would orphan a
	 * live half-open flow that eviction could then never reach. */
	if (ft->syn_tail - ft->syn_head == ft->syn_cap)
		syn_compact(ft);
	if (unlikely(ft->syn_tail - ft->syn_head == ft->syn_cap))
		ft->syn_head++; /* not reached while the caller keeps the bound */
	slot = ft->syn_tail % ft->syn_cap;
	ft->syn_fifo[slot] = vns_flow_index(ft, f);
	ft->syn_fifo_gen[slot] = f->gen;
	ft->syn_tail++;
	ft->nb_syn_rcvd++;
}

/* The oldest flow still half-open, or NULL. */
struct vns_flow *
vns_flow_syn_evict(struct vns_flow_table *ft)
{
	while (ft->syn_head != ft->syn_tail) {
		uint32_t slot = ft->syn_head % ft->syn_cap;
		struct vns_flow *f = vns_flow_by_handle(ft, ft->syn_fifo[slot],
							ft->syn_fifo_gen[slot]);

		ft->syn_head++;
		if (f != NULL && f->state == VNS_TCP_SYN_RCVD)
			return f;
	}
	return NULL;
}

bool
vns_flow_twait_full(const struct vns_flow_table *ft)
{
	return ft->twait_tail - ft->twait_head == ft->max_time_wait;
}

struct vns_flow *
vns_flow_twait_pop(struct vns_flow_table *ft)
{
	uint32_t slot;
	struct vns_flow *f;

	if (ft->twait_head == ft->twait_tail)
		return NULL;
	slot = ft->twait_head++ % ft->max_time_wait;
	f = vns_flow_by_handle(ft, ft->twait_fifo[slot], ft->twait_fifo_gen[slot]);
	return f != NULL && f->state == VNS_TCP_TIME_WAIT ? f : NULL;
}

/* Live entries never exceed max_time_wait (the caller made room), so the FIFO cannot
 * overflow. */
void
vns_flow_twait_track(struct vns_flow_table *ft, struct vns_flow *f)
{
	uint32_t slot = ft->twait_tail++ % ft->max_time_wait;

	ft->twait_fifo[slot] = vns_flow_index(ft, f);
	ft->twait_fifo_gen[slot] = f->gen;
	ft->nb_time_wait++;
}

struct vns_flow *
vns_flow_twait_oldest(struct vns_flow_table *ft)
{
	while (ft->twait_head != ft->twait_tail) {
		struct vns_flow *f = vns_flow_twait_pop(ft);

		if (f != NULL)
			return f;
	}
	return NULL;
}

int
vns_flow_table_init(struct vns_flow_table *ft, uint32_t max_flows, int socket_id)
{
	uint32_t size = 16, i;

	ft->max_flows = max_flows;
	while (size < 2 * ft->max_flows)
		size <<= 1;
	ft->tbl_mask = size - 1;
	ft->max_syn_rcvd = ft->max_flows / 2 > 0 ? ft->max_flows / 2 : 1;
	ft->syn_cap = 2 * ft->max_syn_rcvd;
	ft->max_time_wait = ft->max_flows / 4 > 0 ? ft->max_flows / 4 : 1;
	vns_random_bytes(ft->hash_key, sizeof(ft->hash_key));
	ft->tbl_key = rte_zmalloc_socket("vns_flow_keys", size * sizeof(uint64_t),
					 RTE_CACHE_LINE_SIZE, socket_id);
	ft->tbl_idx = rte_zmalloc_socket("vns_flow_idx", size * sizeof(uint32_t),
					 RTE_CACHE_LINE_SIZE, socket_id);
	ft->flows = rte_zmalloc_socket("vns_flows", ft->max_flows * sizeof(struct vns_flow),
				       RTE_CACHE_LINE_SIZE, socket_id);
	ft->free_list = rte_malloc_socket("vns_flow_free", ft->max_flows * sizeof(uint32_t), 0,
					  socket_id);
	ft->syn_fifo = rte_malloc_socket("vns_syn_fifo", ft->syn_cap * sizeof(uint32_t), 0,
					 socket_id);
	ft->syn_fifo_gen = rte_malloc_socket("vns_syn_gen", ft->syn_cap * sizeof(uint32_t), 0,
					     socket_id);
	ft->twait_fifo = rte_malloc_socket("vns_twait_fifo", ft->max_time_wait * sizeof(uint32_t),
					   0, socket_id);
	ft->twait_fifo_gen = rte_malloc_socket("vns_twait_gen",
					       ft->max_time_wait * sizeof(uint32_t), 0, socket_id);
	if (ft->tbl_key == NULL || ft->tbl_idx == NULL || ft->flows == NULL ||
	    ft->free_list == NULL || ft->syn_fifo == NULL || ft->syn_fifo_gen == NULL ||
	    ft->twait_fifo == NULL || ft->twait_fifo_gen == NULL) {
		vns_flow_table_free(ft);
		return -1;
	}
	/* Hand out low indices first: a small test touches few cache lines. */
	for (i = 0; i < ft->max_flows; i++)
		ft->free_list[i] = ft->max_flows - 1 - i;
	ft->nb_free = ft->max_flows;
	return 0;
}

void
vns_flow_table_free(struct vns_flow_table *ft)
{
	rte_free(ft->tbl_key);
	rte_free(ft->tbl_idx);
	rte_free(ft->flows);
	rte_free(ft->free_list);
	rte_free(ft->syn_fifo);
	rte_free(ft->syn_fifo_gen);
	rte_free(ft->twait_fifo);
	rte_free(ft->twait_fifo_gen);
	ft->twait_fifo = NULL;
	ft->twait_fifo_gen = NULL;
	ft->tbl_key = NULL;
	ft->tbl_idx = NULL;
	ft->flows = NULL;
	ft->free_list = NULL;
	ft->syn_fifo = NULL;
	ft->syn_fifo_gen = NULL;
}
