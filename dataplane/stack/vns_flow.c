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
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "vns_stack_priv.h"

uint64_t vns_flow_key(rte_be32_t peer_ip, rte_be16_t peer_port, rte_be16_t local_port)
{
	return ((uint64_t)peer_ip << 32) | ((uint64_t)peer_port << 16) | local_port;
}

static inline uint32_t flow_hash(uint64_t key)
{
	return rte_hash_crc_8byte(key, 0x9e3779b9u);
}

struct vns_flow *vns_flow_lookup(struct vns_stack *st, uint64_t key)
{
	uint32_t i = flow_hash(key) & st->tbl_mask;

	for (;;) {
		uint32_t idx = st->tbl_idx[i];

		if (idx == 0)
			return NULL;
		if (st->tbl_key[i] == key)
			return &st->flows[idx - 1];
		i = (i + 1) & st->tbl_mask;
	}
}

struct vns_flow *vns_flow_alloc(struct vns_stack *st, uint64_t key)
{
	struct vns_flow *f;
	uint32_t idx, i, gen;

	if (st->nb_free == 0)
		return NULL;
	idx = st->free_list[--st->nb_free];
	f = &st->flows[idx];
	gen = f->gen + 1;
	memset(f, 0, sizeof(*f));
	f->gen = gen;
	f->key = key;
	f->tw_next = UINT32_MAX;
	f->tw_prev = UINT32_MAX;

	i = flow_hash(key) & st->tbl_mask;
	while (st->tbl_idx[i] != 0)
		i = (i + 1) & st->tbl_mask;
	st->tbl_key[i] = key;
	st->tbl_idx[i] = idx + 1;
	st->nb_flows++;
	return f;
}

/* Removes the flow from the table and returns it to the free list. The caller has already
 * released its mbufs, timers and service state. */
void vns_flow_release(struct vns_stack *st, struct vns_flow *f)
{
	uint32_t idx = vns_flow_index(st, f);
	uint32_t i = flow_hash(f->key) & st->tbl_mask;
	uint32_t j;

	while (st->tbl_idx[i] != idx + 1)
		i = (i + 1) & st->tbl_mask;
	/* Backward-shift: move up every later entry of the cluster whose home slot does not lie
	 * cyclically in (i, j], so that no lookup crosses an empty slot before its key. */
	j = i;
	for (;;) {
		uint32_t home;

		j = (j + 1) & st->tbl_mask;
		if (st->tbl_idx[j] == 0)
			break;
		home = flow_hash(st->tbl_key[j]) & st->tbl_mask;
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		st->tbl_key[i] = st->tbl_key[j];
		st->tbl_idx[i] = st->tbl_idx[j];
		i = j;
	}
	st->tbl_idx[i] = 0;
	st->tbl_key[i] = 0;

	if (f->state == VNS_TCP_SYN_RCVD)
		st->nb_syn_rcvd--;
	f->state = VNS_TCP_FREE;
	f->svc = 0;
	f->gen++;
	st->free_list[st->nb_free++] = idx;
	st->nb_flows--;
}

struct vns_flow *vns_flow_by_handle(struct vns_stack *st, uint32_t idx, uint32_t gen)
{
	struct vns_flow *f;

	if (idx >= st->max_flows)
		return NULL;
	f = &st->flows[idx];
	if (f->gen != gen || f->state == VNS_TCP_FREE)
		return NULL;
	return f;
}

void vns_flow_syn_track(struct vns_stack *st, struct vns_flow *f)
{
	uint32_t slot = st->syn_tail % st->max_syn_rcvd;

	/* The FIFO holds max_syn_rcvd entries and nb_syn_rcvd <= max_syn_rcvd: when full, the
	 * oldest entry is stale (its flow left SYN_RCVD) or the caller evicted it first. */
	if (st->syn_tail - st->syn_head == st->max_syn_rcvd)
		st->syn_head++;
	st->syn_fifo[slot] = vns_flow_index(st, f);
	st->syn_fifo_gen[slot] = f->gen;
	st->syn_tail++;
	st->nb_syn_rcvd++;
}

/* The oldest flow still half-open, or NULL. */
struct vns_flow *vns_flow_syn_evict(struct vns_stack *st)
{
	while (st->syn_head != st->syn_tail) {
		uint32_t slot = st->syn_head % st->max_syn_rcvd;
		struct vns_flow *f = vns_flow_by_handle(st, st->syn_fifo[slot], st->syn_fifo_gen[slot]);

		st->syn_head++;
		if (f != NULL && f->state == VNS_TCP_SYN_RCVD)
			return f;
	}
	return NULL;
}

int vns_flow_table_init(struct vns_stack *st, int socket_id)
{
	uint32_t size = 16, i;

	while (size < 2 * st->max_flows)
		size <<= 1;
	st->tbl_mask = size - 1;
	st->max_syn_rcvd = st->max_flows / 2 > 0 ? st->max_flows / 2 : 1;
	st->tbl_key = rte_zmalloc_socket("vns_flow_keys", size * sizeof(uint64_t),
					 RTE_CACHE_LINE_SIZE, socket_id);
	st->tbl_idx = rte_zmalloc_socket("vns_flow_idx", size * sizeof(uint32_t),
					 RTE_CACHE_LINE_SIZE, socket_id);
	st->flows = rte_zmalloc_socket("vns_flows", st->max_flows * sizeof(struct vns_flow),
				       RTE_CACHE_LINE_SIZE, socket_id);
	st->free_list = rte_malloc_socket("vns_flow_free", st->max_flows * sizeof(uint32_t), 0,
					  socket_id);
	st->syn_fifo = rte_malloc_socket("vns_syn_fifo", st->max_syn_rcvd * sizeof(uint32_t), 0,
					 socket_id);
	st->syn_fifo_gen = rte_malloc_socket("vns_syn_gen", st->max_syn_rcvd * sizeof(uint32_t), 0,
					     socket_id);
	if (st->tbl_key == NULL || st->tbl_idx == NULL || st->flows == NULL ||
	    st->free_list == NULL || st->syn_fifo == NULL || st->syn_fifo_gen == NULL) {
		vns_flow_table_free(st);
		return -1;
	}
	/* Hand out low indices first: a small test touches few cache lines. */
	for (i = 0; i < st->max_flows; i++)
		st->free_list[i] = st->max_flows - 1 - i;
	st->nb_free = st->max_flows;
	return 0;
}

void vns_flow_table_free(struct vns_stack *st)
{
	rte_free(st->tbl_key);
	rte_free(st->tbl_idx);
	rte_free(st->flows);
	rte_free(st->free_list);
	rte_free(st->syn_fifo);
	rte_free(st->syn_fifo_gen);
	st->tbl_key = NULL;
	st->tbl_idx = NULL;
	st->flows = NULL;
	st->free_list = NULL;
	st->syn_fifo = NULL;
	st->syn_fifo_gen = NULL;
}
