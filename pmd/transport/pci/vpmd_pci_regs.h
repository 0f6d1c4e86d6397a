/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Register layouts of a modern virtio-pci function (virtio 1.2, 4.1) and the parts of the
 * PCI configuration header the transport touches (PCI Local Bus spec 3.0, 6.1, 6.7).
 * All multi-byte fields are little-endian.
 */
#ifndef VPMD_PCI_REGS_H
#define VPMD_PCI_REGS_H

#include <stddef.h>
#include <stdint.h>

/* ---- PCI identity [4.1.2.1] ---------------------------------------------------------- */
#define VPMD_PCI_VENDOR_REDHAT_QUMRANET 0x1af4
#define VPMD_PCI_DEV_NET_MODERN         0x1041 /* 0x1040 + device type 1 */
#define VPMD_PCI_DEV_NET_TRANSITIONAL   0x1000

/* ---- PCI configuration header ---------------------------------------------------------- */
#define VPMD_PCI_CFG_COMMAND     0x04
#define VPMD_PCI_CMD_MEMORY      0x2
#define VPMD_PCI_CMD_MASTER      0x4
#define VPMD_PCI_CFG_STATUS      0x06
#define VPMD_PCI_STATUS_CAP_LIST 0x10
#define VPMD_PCI_CFG_CAP_PTR     0x34
#define VPMD_PCI_CFG_HDR_SIZE    0x40 /* capabilities start after the 64-byte header */
#define VPMD_PCI_CFG_STD_SIZE    256  /* ... and end within the first 256 bytes */
#define VPMD_PCI_CAP_ID_VNDR     0x09
#define VPMD_PCI_NBARS           6

/* Capabilities are dword-aligned and at least 4 bytes: this many fit, more means a loop. */
#define VPMD_PCI_CAPS_MAX ((VPMD_PCI_CFG_STD_SIZE - VPMD_PCI_CFG_HDR_SIZE) / 4)

/* Flag of a memory BAR in sysfs `resource` (Linux IORESOURCE_MEM, include/linux/ioport.h). */
#define VPMD_PCI_IORESOURCE_MEM 0x200

/* ---- Virtio capabilities [4.1.4] ------------------------------------------------------- */

/* cfg_type values. */
#define VPMD_PCI_CAP_COMMON_CFG 1
#define VPMD_PCI_CAP_NOTIFY_CFG 2
#define VPMD_PCI_CAP_ISR_CFG    3
#define VPMD_PCI_CAP_DEVICE_CFG 4
#define VPMD_PCI_CAP_PCI_CFG    5

/* struct virtio_pci_cap. */
struct vpmd_pci_cap {
	uint8_t cap_vndr; /* VPMD_PCI_CAP_ID_VNDR */
	uint8_t cap_next;
	uint8_t cap_len;
	uint8_t cfg_type; /* VPMD_PCI_CAP_* */
	uint8_t bar;      /* 0..5; 6..0xff reserved */
	uint8_t id;
	uint8_t padding[2];
	uint32_t offset; /* le32, inside the BAR */
	uint32_t length; /* le32 */
};

/* struct virtio_pci_notify_cap [4.1.4.4]. */
struct vpmd_pci_notify_cap {
	struct vpmd_pci_cap cap;
	uint32_t notify_off_multiplier; /* le32 */
};

_Static_assert(sizeof(struct vpmd_pci_cap) == 16, "virtio_pci_cap is 16 bytes");
_Static_assert(sizeof(struct vpmd_pci_notify_cap) == 20, "virtio_pci_notify_cap is 20 bytes");

/*
 * struct virtio_pci_common_cfg [4.1.4.3], through queue_device. 64-bit fields are two
 * 32-bit halves, as the driver writes them (4.1.3.1 allows it). The 1.2 additions
 * queue_notify_data and queue_reset exist only with features the driver does not offer.
 */
struct vpmd_pci_common_cfg {
	/* About the whole device. */
	uint32_t device_feature_select;
	uint32_t device_feature;
	uint32_t driver_feature_select;
	uint32_t driver_feature;
	uint16_t config_msix_vector;
	uint16_t num_queues;
	uint8_t device_status;
	uint8_t config_generation;
	/* About the virtqueue that queue_select names. */
	uint16_t queue_select;
	uint16_t queue_size;
	uint16_t queue_msix_vector;
	uint16_t queue_enable;
	uint16_t queue_notify_off;
	uint32_t queue_desc_lo;
	uint32_t queue_desc_hi;
	uint32_t queue_driver_lo;
	uint32_t queue_driver_hi;
	uint32_t queue_device_lo;
	uint32_t queue_device_hi;
};

_Static_assert(offsetof(struct vpmd_pci_common_cfg, num_queues) == 0x12, "num_queues at 0x12");
_Static_assert(offsetof(struct vpmd_pci_common_cfg, device_status) == 0x14, "status at 0x14");
_Static_assert(offsetof(struct vpmd_pci_common_cfg, queue_select) == 0x16, "q_select at 0x16");
_Static_assert(offsetof(struct vpmd_pci_common_cfg, queue_notify_off) == 0x1e, "noff at 0x1e");
_Static_assert(offsetof(struct vpmd_pci_common_cfg, queue_desc_lo) == 0x20, "desc at 0x20");
_Static_assert(offsetof(struct vpmd_pci_common_cfg, queue_device_hi) == 0x34, "device at 0x30");
_Static_assert(sizeof(struct vpmd_pci_common_cfg) == 0x38, "common config is 0x38 bytes");

/* MSI-X vector value meaning "none" [4.1.4.3]: a polled driver never takes an interrupt. */
#define VPMD_PCI_MSI_NO_VECTOR 0xffff

#endif /* VPMD_PCI_REGS_H */
