/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user wire protocol as the frontend speaks it: message types, header flags and
 * payload layouts (QEMU docs/interop/vhost-user.rst). No state, no I/O.
 */
#ifndef VHU_PROTO_H
#define VHU_PROTO_H

#include <stdint.h>

/* Front-end message types (vhost-user spec, "Front-end message types"). */
enum vhu_request {
	VHU_GET_FEATURES = 1,
	VHU_SET_FEATURES = 2,
	VHU_SET_OWNER = 3,
	VHU_SET_MEM_TABLE = 5,
	VHU_SET_VRING_NUM = 8,
	VHU_SET_VRING_ADDR = 9,
	VHU_SET_VRING_BASE = 10,
	VHU_GET_VRING_BASE = 11,
	VHU_SET_VRING_KICK = 12,
	VHU_SET_VRING_CALL = 13,
	VHU_GET_PROTOCOL_FEATURES = 15,
	VHU_SET_PROTOCOL_FEATURES = 16,
	VHU_GET_QUEUE_NUM = 17,
	VHU_SET_VRING_ENABLE = 18,
};

/* Header flags: version in bits 0-1, reply bit 2, need_reply bit 3. */
#define VHU_FLAG_VERSION      0x1u
#define VHU_FLAG_VERSION_MASK 0x3u
#define VHU_FLAG_REPLY        (1u << 2)
#define VHU_FLAG_NEED_REPLY   (1u << 3)

/* Transport feature bit: the backend speaks the protocol-feature extension. */
#define VHU_F_PROTOCOL_FEATURES (1ULL << 30)

#define VHU_PROTOCOL_F_MQ        (1ULL << 0)
#define VHU_PROTOCOL_F_REPLY_ACK (1ULL << 3)
#define VHU_PROTOCOL_WANTED      (VHU_PROTOCOL_F_MQ | VHU_PROTOCOL_F_REPLY_ACK)

/* u64 payload of SET_VRING_KICK/CALL: bits 0-7 queue index, bit 8 = no fd attached. */
#define VHU_VRING_IDX_MASK 0xffu

/*
 * SET_VRING_BASE for packed rings: bits 0-14 next avail index, bit 15 its wrap counter,
 * bits 16-30 next used index, bit 31 its wrap counter. A fresh ring starts at index 0
 * with both wrap counters 1 (virtio 1.2, 2.8.1). Older backends read only the low half
 * and copy it to the used side, which gives the same state.
 */
#define VHU_PACKED_BASE_FRESH ((1u << 15) | (1u << 31))

#define VHU_MAX_REGIONS 8 /* SET_MEM_TABLE carries at most 8 regions (and fds) */

struct vhu_vring_state {
	uint32_t index;
	uint32_t num;
};

/* Field order is the protocol's: descriptor, used (device area), available (driver area). */
struct vhu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
};

struct vhu_mem_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

struct vhu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vhu_mem_region regions[VHU_MAX_REGIONS];
};

struct vhu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

union vhu_payload {
	uint64_t u64;
	struct vhu_vring_state state;
	struct vhu_vring_addr addr;
	struct vhu_mem_table mem;
};

struct vhu_msg {
	struct vhu_hdr hdr;
	union vhu_payload p;
} __attribute__((packed));

#endif /* VHU_PROTO_H */
