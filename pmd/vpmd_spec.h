/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every virtio 1.2 constant and wire layout the driver uses (spec sections in brackets):
 * feature bits (vpmd_features.h), device status, ring layouts and their flags, the
 * virtio-net header and config space, control-queue commands, the spec's limits and the
 * virtqueue numbering. Written by hand from the spec text. All multi-byte fields are
 * little-endian (VERSION_1), and the driver only builds for little-endian CPUs (x86_64,
 * arm64), so it uses them directly.
 *
 * Internal: the driver core, the ring, the transports and the tests' software device
 * include it; the public vpmd.h does not.
 */
#ifndef VPMD_SPEC_H
#define VPMD_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "vpmd_features.h"

#if RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN
#error "vpmd assumes a little-endian CPU (virtio 1.x rings and headers are little-endian)"
#endif

/* ---- Feature bits [5.1.3, 6] --------------------------------------------------------- */

/* Every bit the driver implements: negotiation never accepts another one. */
#define VPMD_F_KNOWN_BIT(bit, name, known) | ((uint64_t)(known) << (bit))
#define VPMD_F_KNOWN                       (0 VPMD_FEATURES(VPMD_F_KNOWN_BIT))

/* Each public VPMD_F_<NAME> mask is its row's bit. */
#define VPMD_F_CHECK(bit, name, known) \
	_Static_assert(VPMD_F_##name == 1ULL << (bit), "VPMD_F_" #name " matches its row");
VPMD_FEATURES(VPMD_F_CHECK)
#undef VPMD_F_CHECK

/* ---- Device status [2.1] ------------------------------------------------------------- */
#define VPMD_STATUS_ACKNOWLEDGE 1
#define VPMD_STATUS_DRIVER      2
#define VPMD_STATUS_DRIVER_OK   4
#define VPMD_STATUS_FEATURES_OK 8
#define VPMD_STATUS_NEEDS_RESET 64
#define VPMD_STATUS_FAILED      128

/* ---- Split ring [2.7] ---------------------------------------------------------------- */
struct vpmd_vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vpmd_vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* ring[size], then le16 used_event (EVENT_IDX) */
};

struct vpmd_vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vpmd_vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vpmd_vring_used_elem ring[]; /* ring[size], then le16 avail_event (EVENT_IDX) */
};

_Static_assert(sizeof(struct vpmd_vring_desc) == 16, "split descriptor is 16 bytes [2.7.5]");
_Static_assert(sizeof(struct vpmd_vring_used_elem) == 8, "used element is 8 bytes [2.7.8]");

/* Bytes of the driver area (avail ring) and device area (used ring) of a split ring of
 * `size` entries, each with its trailing event word [2.7]. */
static inline size_t
vpmd_split_avail_bytes(unsigned int size)
{
	return offsetof(struct vpmd_vring_avail, ring) + sizeof(uint16_t) * (size_t)size +
	       sizeof(uint16_t);
}

static inline size_t
vpmd_split_used_bytes(unsigned int size)
{
	return offsetof(struct vpmd_vring_used, ring) +
	       sizeof(struct vpmd_vring_used_elem) * (size_t)size + sizeof(uint16_t);
}

/* Descriptor flags [2.7.5] (the packed ring shares NEXT/WRITE/INDIRECT). */
#define VPMD_DESC_F_NEXT     1
#define VPMD_DESC_F_WRITE    2
#define VPMD_DESC_F_INDIRECT 4

/* Split ring notification suppression [2.7.7, 2.7.10]. */
#define VPMD_AVAIL_F_NO_INTERRUPT 1
#define VPMD_USED_F_NO_NOTIFY     1

/* ---- Packed ring [2.8] --------------------------------------------------------------- */
struct vpmd_vring_packed_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t id;
	uint16_t flags;
};

/* Driver and device event suppression areas [2.8.10]. */
struct vpmd_vring_packed_event {
	uint16_t off_wrap; /* bits 0-14: descriptor offset, bit 15: wrap counter */
	uint16_t flags;
};

_Static_assert(sizeof(struct vpmd_vring_packed_desc) == 16, "packed descriptor is 16 bytes");
_Static_assert(sizeof(struct vpmd_vring_packed_event) == 4, "event suppression is 4 bytes");

/* Descriptor availability bits [2.8.1]. */
#define VPMD_DESC_F_AVAIL (1u << 7)
#define VPMD_DESC_F_USED  (1u << 15)

/* Event suppression flags and off_wrap fields [2.8.10]. */
#define VPMD_EVENT_F_ENABLE   0
#define VPMD_EVENT_F_DISABLE  1
#define VPMD_EVENT_F_DESC     2
#define VPMD_EVENT_WRAP_SHIFT 15
#define VPMD_EVENT_OFF_MASK   ((1u << VPMD_EVENT_WRAP_SHIFT) - 1)

/* Largest ring either layout allows (packed uses bit 15 for the wrap counter). */
#define VPMD_RING_SIZE_MAX 32768

/* ---- Virtio-net header [5.1.6] ------------------------------------------------------- */

/* struct virtio_net_hdr_mrg_rxbuf / virtio_net_hdr_v1: 12 bytes with VERSION_1. */
struct vpmd_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
} __attribute__((packed));
#define VPMD_NET_HDR_SIZE 12
_Static_assert(sizeof(struct vpmd_net_hdr) == VPMD_NET_HDR_SIZE, "virtio_net_hdr_v1 is 12 bytes");

#define VPMD_HDR_F_NEEDS_CSUM 1
#define VPMD_HDR_F_DATA_VALID 2
#define VPMD_HDR_F_RSC_INFO   4

#define VPMD_GSO_NONE   0
#define VPMD_GSO_TCPV4  1
#define VPMD_GSO_UDP    3
#define VPMD_GSO_TCPV6  4
#define VPMD_GSO_UDP_L4 5
#define VPMD_GSO_ECN    0x80

/* ---- Virtio-net config space [5.1.4] ------------------------------------------------- */

/* The leading fields of struct virtio_net_config, the part the driver reads. Each field is
 * valid only with its feature: mac with MAC, status with STATUS, max_virtqueue_pairs with
 * MQ, mtu with MTU. */
struct vpmd_net_config {
	uint8_t mac[6];
	uint16_t status; /* VPMD_NET_S_* */
	uint16_t max_virtqueue_pairs;
	uint16_t mtu;
} __attribute__((packed));
_Static_assert(offsetof(struct vpmd_net_config, mac) == 0, "config mac at 0");
_Static_assert(offsetof(struct vpmd_net_config, status) == 6, "config status at 6");
_Static_assert(offsetof(struct vpmd_net_config, max_virtqueue_pairs) == 8, "max pairs at 8");
_Static_assert(offsetof(struct vpmd_net_config, mtu) == 10, "config mtu at 10");
_Static_assert(sizeof(struct vpmd_net_config) == 12, "the driver reads 12 config bytes");

/* Bytes of config space the driver reads. */
#define VPMD_CFG_SIZE sizeof(struct vpmd_net_config)

#define VPMD_NET_S_LINK_UP  1
#define VPMD_NET_S_ANNOUNCE 2

/* max_virtqueue_pairs limits and the smallest MTU the spec allows [5.1.4.1]. */
#define VPMD_MQ_PAIRS_MIN 1
#define VPMD_MQ_PAIRS_MAX 0x8000
#define VPMD_MTU_MIN      68

/* ---- Control virtqueue [5.1.6.5] ----------------------------------------------------- */
struct vpmd_ctrl_hdr {
	uint8_t cls;
	uint8_t cmd;
} __attribute__((packed));
#define VPMD_CTRL_OK              0
#define VPMD_CTRL_ERR             1
#define VPMD_CTRL_CLS_RX          0 /* data: one byte, 1 = on, 0 = off [5.1.6.5.1] */
#define VPMD_CTRL_RX_PROMISC      0
#define VPMD_CTRL_RX_ALLMULTI     1
#define VPMD_CTRL_CLS_MAC         1 /* [5.1.6.5.2] */
#define VPMD_CTRL_MAC_ADDR_SET    1 /* data: the 6-byte address */
#define VPMD_CTRL_CLS_MQ          4
#define VPMD_CTRL_MQ_VQ_PAIRS_SET 0

/* ---- Virtqueue numbering [5.1.2] ------------------------------------------------------
 * 0:rx0 1:tx0 2:rx1 3:tx1 ... 2N:rxN 2N+1:txN, and the control queue after the last pair
 * the device has (2 * max_virtqueue_pairs). Unsigned int in and out: 2 * 0x8000 does not
 * fit in 16 bits.
 */
static inline unsigned int
vpmd_rxvq(unsigned int pair)
{
	return 2 * pair;
}

static inline unsigned int
vpmd_txvq(unsigned int pair)
{
	return 2 * pair + 1;
}

static inline unsigned int
vpmd_cvq(unsigned int max_pairs)
{
	return 2 * max_pairs;
}

/* The pair a data virtqueue belongs to. */
static inline unsigned int
vpmd_vq_pair(unsigned int vq_index)
{
	return vq_index / 2;
}

/* Whether a data virtqueue is the transmit one of its pair. */
static inline bool
vpmd_vq_is_tx(unsigned int vq_index)
{
	return (vq_index & 1) != 0;
}

/* How many virtqueues a device with `pairs` pairs and a control queue has, as a constant
 * expression for array sizes: vpmd_cvq(pairs) + 1. */
#define VPMD_NB_VQS(pairs) (2 * (pairs) + 1)

#endif /* VPMD_SPEC_H */
