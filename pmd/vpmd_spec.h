/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtio 1.2 constants the driver needs (spec sections in brackets). Values written by
 * hand from the spec text; all multi-byte fields are little-endian (VERSION_1), and the
 * driver only builds for little-endian CPUs (x86_64, arm64), so it uses them directly.
 */
#ifndef VPMD_VIRTIO_H
#define VPMD_VIRTIO_H

#include <stdint.h>

#include <rte_byteorder.h>

#if RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN
#error "vpmd assumes a little-endian CPU (virtio 1.x rings and headers are little-endian)"
#endif

/* Device status bits [2.1]. */
#define VPMD_STATUS_ACKNOWLEDGE  1
#define VPMD_STATUS_DRIVER       2
#define VPMD_STATUS_DRIVER_OK    4
#define VPMD_STATUS_FEATURES_OK  8
#define VPMD_STATUS_NEEDS_RESET  64
#define VPMD_STATUS_FAILED       128

/* Split ring descriptor flags [2.7.5] (the packed ring shares NEXT/WRITE/INDIRECT). */
#define VPMD_DESC_F_NEXT      1
#define VPMD_DESC_F_WRITE     2
#define VPMD_DESC_F_INDIRECT  4
/* Packed ring: descriptor availability bits [2.8.1]. */
#define VPMD_DESC_F_AVAIL     (1u << 7)
#define VPMD_DESC_F_USED      (1u << 15)

/* Split ring notification suppression [2.7.7, 2.7.10]. */
#define VPMD_AVAIL_F_NO_INTERRUPT 1
#define VPMD_USED_F_NO_NOTIFY     1

/* Packed ring event suppression flags [2.8.10]. */
#define VPMD_EVENT_F_ENABLE   0
#define VPMD_EVENT_F_DISABLE  1
#define VPMD_EVENT_F_DESC     2
#define VPMD_EVENT_WRAP_SHIFT 15

/* Largest ring either layout allows (packed uses bit 15 for the wrap counter). */
#define VPMD_RING_SIZE_MAX 32768

/* struct virtio_net_hdr_mrg_rxbuf / virtio_net_hdr_v1 [5.1.6]: 12 bytes with VERSION_1. */
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

#define VPMD_HDR_F_NEEDS_CSUM  1
#define VPMD_HDR_F_DATA_VALID  2
#define VPMD_HDR_F_RSC_INFO    4

#define VPMD_GSO_NONE   0
#define VPMD_GSO_TCPV4  1
#define VPMD_GSO_UDP    3
#define VPMD_GSO_TCPV6  4
#define VPMD_GSO_UDP_L4 5
#define VPMD_GSO_ECN    0x80

/* struct virtio_net_config offsets [5.1.4]. */
#define VPMD_CFG_MAC        0   /* u8[6], with VIRTIO_NET_F_MAC */
#define VPMD_CFG_STATUS     6   /* le16, with VIRTIO_NET_F_STATUS */
#define VPMD_CFG_MAX_PAIRS  8   /* le16, with VIRTIO_NET_F_MQ (or RSS) */
#define VPMD_CFG_MTU        10  /* le16, with VIRTIO_NET_F_MTU */
#define VPMD_CFG_SIZE       12  /* what the driver reads */

#define VPMD_NET_S_LINK_UP   1
#define VPMD_NET_S_ANNOUNCE  2

/* max_virtqueue_pairs limits and the smallest MTU the spec allows [5.1.4.1]. */
#define VPMD_MQ_PAIRS_MIN 1
#define VPMD_MQ_PAIRS_MAX 0x8000
#define VPMD_MTU_MIN 68

/* Control virtqueue [5.1.6.5]. */
struct vpmd_ctrl_hdr {
	uint8_t cls;
	uint8_t cmd;
} __attribute__((packed));
#define VPMD_CTRL_OK   0
#define VPMD_CTRL_ERR  1
#define VPMD_CTRL_CLS_MQ           4
#define VPMD_CTRL_MQ_VQ_PAIRS_SET  0

#endif /* VPMD_VIRTIO_H */
