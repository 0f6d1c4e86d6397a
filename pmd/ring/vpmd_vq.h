/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver-side state of one virtqueue (split or packed; the layouts are in vpmd_spec.h)
 * and the ring primitives: memory-ordering helpers and notification decisions. Everything
 * here is static inline and used by the fast path (vpmd_rxtx_*.c) and the control queue.
 *
 * Ownership contract (who writes what; virtio 1.2, 2.7 and 2.8):
 *   split  driver writes: desc[], avail->flags/idx/ring[]/used_event
 *          device writes: used->flags/idx/ring[]/avail_event
 *   packed driver writes: desc[] when making them available, driver event suppression
 *          device writes: desc[] when marking them used, device event suppression
 * The driver reads device-written words exactly once per use (no double fetch) and
 * validates them before using them as indexes or lengths.
 */
#ifndef VPMD_VQ_H
#define VPMD_VQ_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_memzone.h>

#include "vpmd_spec.h"

/* Memory layout of one ring inside its memzone. Driver-written and device-written
 * areas start on separate cache lines so that the two sides do not false-share. */
#define VPMD_RING_ALIGN 4096
size_t vpmd_vq_ring_bytes(uint16_t size, bool packed, size_t *driver_off, size_t *device_off);

/* Why a queue was marked broken (stored in the queue, logged once by the control path). */
#define VPMD_BAD_REASONS(X)                                                                     \
	X(NONE, "not broken")                                                                   \
	X(USED_IDX, "used index moved further than the buffers in flight")                      \
	X(USED_ID_RANGE, "used id out of range")                                                \
	X(USED_ID_NOT_INFLIGHT, "used id not in flight")                                        \
	X(LEN_SHORT, "used length below header + 14")                                           \
	X(LEN_LONG, "used length above the posted buffer")                                      \
	X(NUM_BUFFERS,                                                                          \
	  "num_buffers is 0, above the buffers in flight, or not 1 without MRG_RXBUF")          \
	X(CSUM, "csum_start + csum_offset + 2 beyond the packet, or NEEDS_CSUM not negotiated") \
	X(GSO, "gso_type not negotiated or gso_size 0")                                         \
	X(INORDER_BATCH, "in-order batch reaches past the buffers in flight")
#define VPMD_BAD_ENUM(n, s) VPMD_BAD_##n,
enum vpmd_bad_reason { VPMD_BAD_REASONS(VPMD_BAD_ENUM) VPMD_BAD_MAX };
#undef VPMD_BAD_ENUM
const char *vpmd_bad_reason_str(unsigned int reason);

/*
 * Driver-side state of one virtqueue, shared by rx, tx and control queues. Only the lcore
 * that owns the queue touches it (control path while stopped, one polling lcore while
 * started).
 */
struct vpmd_vq {
	union {
		struct {
			struct vpmd_vring_desc *desc;
			struct vpmd_vring_avail *avail;
			struct vpmd_vring_used *used;
			uint16_t *used_event;  /* &avail->ring[size] */
			uint16_t *avail_event; /* (uint16_t *)&used->ring[size] */
		} split;
		struct {
			struct vpmd_vring_packed_desc *desc;
			struct vpmd_vring_packed_event *driver;
			struct vpmd_vring_packed_event *device;
		} packed;
	};
	uint16_t size;
	uint16_t mask; /* split: size - 1 (size is a power of two) */
	/* split: free-running shadow of avail->idx; packed: next position to make available */
	uint16_t avail_idx;
	/* split: free-running count of used entries consumed; packed: next position to read */
	uint16_t last_used;
	uint16_t nb_free;    /* descriptors not in flight */
	uint16_t avail_wrap; /* packed: driver ring wrap counter (starts at 1) */
	uint16_t used_wrap;  /* packed: used-side wrap counter (starts at 1) */
	/* packed: the AVAIL|USED flag pair that marks a descriptor available in this lap */
	uint16_t avail_flags;
	uint16_t used_event_at; /* split + EVENT_IDX: last_used when used_event was written */
	uint16_t vq_index;
	bool is_packed;
	bool event_idx;       /* VIRTIO_F_EVENT_IDX negotiated */
	bool strong_barriers; /* VIRTIO_F_ORDER_PLATFORM negotiated: platform (I/O) barriers */
	bool in_order;        /* VIRTIO_F_IN_ORDER negotiated */
	/* How the ring notifies the device: set by the driver core at queue set-up (the
	 * transport's hook), called only when the device asked for a notification. */
	void (*kick)(void *cookie, uint16_t vq_index);
	void *kick_cookie;
	/* control path: the ring's memory; the descriptor area starts it */
	const struct rte_memzone *mz;
	uint32_t driver_off; /* driver area (split: avail ring; packed: driver events) */
	uint32_t device_off; /* device area (split: used ring; packed: device events) */
};

/* ---- Memory ordering ------------------------------------------------------------------
 * Single accesses: a word shared with the device or with another lcore is read and written
 * exactly once where the code says so (not repeated, torn or merged by the compiler), with
 * no ordering against other memory; the helpers below add the ordering.
 */
#define vpmd_read_once(p)     __atomic_load_n((p), __ATOMIC_RELAXED)
#define vpmd_write_once(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

/*
 * Weak barriers (no ORDER_PLATFORM): the device is software on an SMP peer CPU, so C11
 * acquire/release is enough (ARM64: stlrh / ldarh, x86: plain moves). With ORDER_PLATFORM
 * the device is real hardware behind the platform's coherency rules, so the helpers use
 * DPDK's I/O barriers (ARM64: dmb oshst / dmb oshld / dsb sy). The branch on
 * strong_barriers is per call site, per burst, and always predicted.
 */

/* Publish: every earlier store of descriptors, avail-ring entries and buffer contents
 * (tx headers, the num_buffers preset) becomes visible to the device before *p = v.
 * Used for the split avail->idx and for the packed head descriptor's flags. */
static __rte_always_inline void
vpmd_vq_publish16(const struct vpmd_vq *vq, uint16_t *p, uint16_t v)
{
	if (unlikely(vq->strong_barriers)) {
		rte_io_wmb();
		vpmd_write_once(p, v);
	} else {
		__atomic_store_n(p, v, __ATOMIC_RELEASE);
	}
}

/* Consume: read a device-written index or flags word; every later read of used entries,
 * descriptor id/len and received buffer contents is ordered after it. Used for the split
 * used->idx and the packed descriptor flags. */
static __rte_always_inline uint16_t
vpmd_vq_consume16(const struct vpmd_vq *vq, const uint16_t *p)
{
	uint16_t v;

	if (unlikely(vq->strong_barriers)) {
		v = vpmd_read_once(p);
		rte_io_rmb();
	} else {
		v = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	}
	return v;
}

/* Store -> load: the publish above must be visible to the device before we read its
 * notification-suppression word (used->flags, avail_event, device event area); otherwise
 * the device may go to sleep after we read "no notify" and we never kick it. */
static __rte_always_inline void
vpmd_vq_mb_before_notify_check(const struct vpmd_vq *vq)
{
	if (unlikely(vq->strong_barriers))
		rte_mb();
	else
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/*
 * A used element's id and len, each read exactly once (no double fetch), with one 8-byte
 * load. The elements start 4 bytes into the used ring's cache line, so 1 element in 8
 * straddles two lines and that load is not single-copy atomic. It need not be: the device
 * wrote the element before it published used->idx, which the caller read with acquire,
 * and a device that rewrites an element meanwhile gets an (id, len) pair that the caller
 * validates like any other.
 */
static __rte_always_inline void
vpmd_read_used_elem(const struct vpmd_vring_used_elem *e, uint32_t *id, uint32_t *len)
{
	uint64_t v = vpmd_read_once((const uint64_t *)(const void *)e);

	*id = (uint32_t)v;
	*len = (uint32_t)(v >> 32);
}

/* ---- Notification decisions ------------------------------------------------------------ */

/* virtio 1.2, 2.7.10: kick iff event_idx lies in [old, new) (mod 2^16). */
static __rte_always_inline bool
vpmd_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old_idx);
}

/* Split: after publishing avail idx `new_idx` (was `old_idx`), does the device want a kick?
 * Caller has issued vpmd_vq_mb_before_notify_check(). */
static __rte_always_inline bool
vpmd_split_need_kick(const struct vpmd_vq *vq, uint16_t old_idx, uint16_t new_idx)
{
	if (vq->event_idx)
		return vpmd_need_event(vpmd_read_once(vq->split.avail_event), new_idx, old_idx);
	return !(vpmd_read_once(&vq->split.used->flags) & VPMD_USED_F_NO_NOTIFY);
}

/* Split + EVENT_IDX: keep used_event behind everything the device can still complete so
 * that it never decides to interrupt us (we poll). The device's used index stays within
 * `size` of last_used, so rewriting used_event = last_used - 1 every
 * VPMD_USED_EVENT_REWRITE consumed entries keeps it out of every window the device
 * crosses (the interval plus the largest ring stays below 2^16). */
#define VPMD_USED_EVENT_REWRITE 16384
_Static_assert(VPMD_USED_EVENT_REWRITE + VPMD_RING_SIZE_MAX < 65536,
	       "used_event stays behind every window the device's used index crosses");

static __rte_always_inline void
vpmd_split_push_used_event(struct vpmd_vq *vq)
{
	if (vq->event_idx &&
	    unlikely((uint16_t)(vq->last_used - vq->used_event_at) >= VPMD_USED_EVENT_REWRITE)) {
		vq->used_event_at = vq->last_used;
		vpmd_write_once(vq->split.used_event, (uint16_t)(vq->last_used - 1));
	}
}

/* Packed: `added` descriptors were just made available ending at avail_idx/avail_wrap.
 * Caller has issued vpmd_vq_mb_before_notify_check(). [2.8.10] */
static __rte_always_inline bool
vpmd_packed_need_kick(const struct vpmd_vq *vq, uint16_t added)
{
	uint32_t v = vpmd_read_once((const uint32_t *)(const void *)vq->packed.device);
	uint16_t flags = (uint16_t)(v >> 16);
	uint16_t off_wrap = (uint16_t)v;
	int32_t new_pos, old_pos, ev;

	if (flags == VPMD_EVENT_F_DISABLE)
		return false;
	if (flags != VPMD_EVENT_F_DESC || !vq->event_idx)
		return true;
	/* Linearise positions around the current lap: the event position counts as one lap
	 * back when its wrap bit differs from ours. */
	new_pos = vq->avail_idx;
	old_pos = new_pos - added;
	ev = off_wrap & VPMD_EVENT_OFF_MASK;
	if ((off_wrap >> VPMD_EVENT_WRAP_SHIFT) != vq->avail_wrap)
		ev -= vq->size;
	return (uint16_t)(new_pos - ev - 1) < (uint16_t)(new_pos - old_pos);
}

static __rte_always_inline void
vpmd_vq_kick(const struct vpmd_vq *vq)
{
	vq->kick(vq->kick_cookie, vq->vq_index);
}

/* Packed: the pair of AVAIL/USED bits that make a descriptor available in lap `wrap`. */
static __rte_always_inline uint16_t
vpmd_packed_avail_flags(uint16_t wrap)
{
	return wrap ? VPMD_DESC_F_AVAIL : VPMD_DESC_F_USED;
}

/* Packed: is a descriptor with these flags used in lap `wrap`? (AVAIL == USED == wrap) */
static __rte_always_inline bool
vpmd_packed_is_used(uint16_t flags, uint16_t wrap)
{
	const uint16_t both = VPMD_DESC_F_AVAIL | VPMD_DESC_F_USED;

	return (flags & both) == (wrap ? both : 0);
}

/* Packed: advance a position by n (< size), flipping the wrap counter when passing the end. */
static __rte_always_inline void
vpmd_packed_advance(uint16_t *pos, uint16_t *wrap, uint16_t n, uint16_t size)
{
	uint32_t p = (uint32_t)*pos + n;

	if (p >= size) {
		p -= size;
		*wrap ^= 1;
	}
	*pos = (uint16_t)p;
}

/* ---- Control path (vpmd_vq.c) ---------------------------------------------------------- */
/* Reserve the ring memzone and initialise the ring for (re)use: split avail flags
 * NO_INTERRUPT, used_event far behind; packed driver event flags DISABLE; wrap counters 1.
 * extra: bytes appended after the ring (tx header slots, control buffers), returned in
 * *extra_va / *extra_iova. */
int vpmd_vq_create(struct vpmd_vq *vq, const char *name, uint16_t index, uint16_t size, bool packed,
		   int socket_id, size_t extra, void **extra_va, uint64_t *extra_iova);
void vpmd_vq_reset(struct vpmd_vq *vq);
void vpmd_vq_destroy(struct vpmd_vq *vq);

#endif /* VPMD_VQ_H */
