/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtio-net feature bits (virtio 1.2, 5.1.3 and 6), one table: X(bit, NAME, known).
 *   bit    the bit number in the 64-bit feature word
 *   NAME   gives VPMD_F_<NAME> (a mask) and the name the info dump prints
 *   known  1: the driver implements it and may negotiate it; 0: named so that an offer can
 *          be read in the info dump, never negotiated
 * Public (vpmd.h includes it): callers mask struct vpmd_conf.features with these names.
 */
#ifndef VPMD_FEATURES_H
#define VPMD_FEATURES_H

#define VPMD_FEATURES(X)                                                      \
	X(0, CSUM, 1)       /* device handles tx packets with partial csum */ \
	X(1, GUEST_CSUM, 1) /* driver handles rx packets with partial csum */ \
	X(2, CTRL_GUEST_OFFLOADS, 1)                                          \
	X(3, MTU, 1) /* config mtu is valid */                                \
	X(5, MAC, 1) /* config mac is valid */                                \
	X(7, GUEST_TSO4, 1)                                                   \
	X(8, GUEST_TSO6, 1)                                                   \
	X(9, GUEST_ECN, 1)                                                    \
	X(10, GUEST_UFO, 0)                                                   \
	X(11, HOST_TSO4, 1)                                                   \
	X(12, HOST_TSO6, 1)                                                   \
	X(13, HOST_ECN, 0)                                                    \
	X(14, HOST_UFO, 0)                                                    \
	X(15, MRG_RXBUF, 1)                                                   \
	X(16, STATUS, 1) /* config status is valid */                         \
	X(17, CTRL_VQ, 1)                                                     \
	X(18, CTRL_RX, 1)                                                     \
	X(19, CTRL_VLAN, 0)                                                   \
	X(21, GUEST_ANNOUNCE, 0)                                              \
	X(22, MQ, 1) /* config max_virtqueue_pairs is valid */                \
	X(23, CTRL_MAC_ADDR, 1)                                               \
	X(28, INDIRECT_DESC, 1)                                               \
	X(29, EVENT_IDX, 1)                                                   \
	X(32, VERSION_1, 1)                                                   \
	X(33, ACCESS_PLATFORM, 1)                                             \
	X(34, RING_PACKED, 1)                                                 \
	X(35, IN_ORDER, 1)                                                    \
	X(36, ORDER_PLATFORM, 1)                                              \
	X(38, NOTIFICATION_DATA, 0)                                           \
	X(60, RSS, 0)

#define VPMD_F_ENUM(bit, name, known) VPMD_F_BIT_##name = bit,
enum vpmd_feature_bit { VPMD_FEATURES(VPMD_F_ENUM) };
#undef VPMD_F_ENUM

/* One mask per row, from the bit numbers above (the preprocessor cannot generate #defines;
 * vpmd_spec.h checks each against the table). */
#define VPMD_F_CSUM                (1ULL << VPMD_F_BIT_CSUM)
#define VPMD_F_GUEST_CSUM          (1ULL << VPMD_F_BIT_GUEST_CSUM)
#define VPMD_F_CTRL_GUEST_OFFLOADS (1ULL << VPMD_F_BIT_CTRL_GUEST_OFFLOADS)
#define VPMD_F_MTU                 (1ULL << VPMD_F_BIT_MTU)
#define VPMD_F_MAC                 (1ULL << VPMD_F_BIT_MAC)
#define VPMD_F_GUEST_TSO4          (1ULL << VPMD_F_BIT_GUEST_TSO4)
#define VPMD_F_GUEST_TSO6          (1ULL << VPMD_F_BIT_GUEST_TSO6)
#define VPMD_F_GUEST_ECN           (1ULL << VPMD_F_BIT_GUEST_ECN)
#define VPMD_F_GUEST_UFO           (1ULL << VPMD_F_BIT_GUEST_UFO)
#define VPMD_F_HOST_TSO4           (1ULL << VPMD_F_BIT_HOST_TSO4)
#define VPMD_F_HOST_TSO6           (1ULL << VPMD_F_BIT_HOST_TSO6)
#define VPMD_F_HOST_ECN            (1ULL << VPMD_F_BIT_HOST_ECN)
#define VPMD_F_HOST_UFO            (1ULL << VPMD_F_BIT_HOST_UFO)
#define VPMD_F_MRG_RXBUF           (1ULL << VPMD_F_BIT_MRG_RXBUF)
#define VPMD_F_STATUS              (1ULL << VPMD_F_BIT_STATUS)
#define VPMD_F_CTRL_VQ             (1ULL << VPMD_F_BIT_CTRL_VQ)
#define VPMD_F_CTRL_RX             (1ULL << VPMD_F_BIT_CTRL_RX)
#define VPMD_F_CTRL_VLAN           (1ULL << VPMD_F_BIT_CTRL_VLAN)
#define VPMD_F_GUEST_ANNOUNCE      (1ULL << VPMD_F_BIT_GUEST_ANNOUNCE)
#define VPMD_F_MQ                  (1ULL << VPMD_F_BIT_MQ)
#define VPMD_F_CTRL_MAC_ADDR       (1ULL << VPMD_F_BIT_CTRL_MAC_ADDR)
#define VPMD_F_INDIRECT_DESC       (1ULL << VPMD_F_BIT_INDIRECT_DESC)
#define VPMD_F_EVENT_IDX           (1ULL << VPMD_F_BIT_EVENT_IDX)
#define VPMD_F_VERSION_1           (1ULL << VPMD_F_BIT_VERSION_1)
#define VPMD_F_ACCESS_PLATFORM     (1ULL << VPMD_F_BIT_ACCESS_PLATFORM)
#define VPMD_F_RING_PACKED         (1ULL << VPMD_F_BIT_RING_PACKED)
#define VPMD_F_IN_ORDER            (1ULL << VPMD_F_BIT_IN_ORDER)
#define VPMD_F_ORDER_PLATFORM      (1ULL << VPMD_F_BIT_ORDER_PLATFORM)
#define VPMD_F_NOTIFICATION_DATA   (1ULL << VPMD_F_BIT_NOTIFICATION_DATA)
#define VPMD_F_RSS                 (1ULL << VPMD_F_BIT_RSS)

#endif /* VPMD_FEATURES_H */
