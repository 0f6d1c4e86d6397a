/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpmd modern virtio-pci transport (virtio 1.2, 4.1): control path only, except the kick.
 *
 * Probe: check the function's IDs and bound driver in sysfs, walk the PCI capability list
 * (read from the sysfs `config` file) for the virtio structures (common, notify, device
 * config), check each lies inside its BAR, map the BARs it uses, and enable bus mastering.
 *   - uio_pci_generic: BARs mapped through /sys/bus/pci/devices/ADDR/resourceN. There is no
 *     IOMMU, so the device sees physical addresses: the EAL must run with --iova-mode=pa
 *     (the core hands the transport mbuf/ring IOVAs, which are then PAs).
 *   - vfio-pci: the device is set up in EAL's default VFIO container (rte_vfio_setup_device
 *     also maps EAL memory for DMA), BARs mapped through the VFIO device fd.
 * uio_pci_generic does not enable bus mastering (it only wants INTx), and a device that may
 * not master the bus cannot touch the rings: we set the command register's BME bit.
 *
 * Everything the device's config space says is untrusted: a capability pointer out of
 * range, a loop in the list, a BAR index above 5, a structure outside its BAR, a notify
 * offset outside the notify structure are all refused with a message naming the field.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_io.h>
#include <rte_vfio.h>
#ifdef VFIO_PRESENT
#include <linux/vfio.h>
#endif

#include "vpmd.h"
#include "vpmd_err.h"
#include "vpmd_transport.h"
#include "vpmd_pci_regs.h"

/* Overridable: tests/unit/pmd/vpmd_pci_fake.c points the probe at a fake sysfs tree. */
#ifndef VPMD_PCI_SYSFS
#define VPMD_PCI_SYSFS "/sys/bus/pci/devices"
#endif

/* Every data queue and the control queue. */
#define VPMD_PCI_RESET_WAIT_MS 1000

enum vpmd_pci_kind { VPMD_PCI_UIO, VPMD_PCI_VFIO };

struct vpmd_pci {
	char addr[VPMD_PCI_ADDR_LEN];
	enum vpmd_pci_kind kind;
	int cfg_fd;                /* sysfs config file (reads; writes for uio) */
	int vfio_fd;               /* VFIO device fd, -1 for uio */
	uint64_t vfio_cfg_off;     /* config region offset in the VFIO device fd */
	void *bar[VPMD_PCI_NBARS]; /* mapped BARs (only those a capability uses) */
	uint64_t bar_len[VPMD_PCI_NBARS];
	volatile struct vpmd_pci_common_cfg *common; /* structures inside the mapped BARs */
	uint8_t *notify, *device;
	uint32_t notify_len, device_len;
	uint32_t notify_mult;
	uint16_t num_queues; /* last value read from the device */
};

/* ---------------- MMIO accessors (little endian, 4.1.3.1) ---------------- */

#ifdef VPMD_PCI_FAKE_DEVICE
/* The unit test's device model (tests/unit/pmd/vpmd_pci_fake.c) reacts to each register
 * write before the next access, as a device does; the real build has no such call. */
void vpmd_pci_fake_written(volatile void *reg);
#define PCI_WRITTEN(reg) vpmd_pci_fake_written(reg)
#else
#define PCI_WRITTEN(reg) ((void)0)
#endif

static uint8_t
rd8(const volatile uint8_t *reg)
{
	return rte_read8(reg);
}

static uint16_t
rd16(const volatile uint16_t *reg)
{
	return rte_le_to_cpu_16(rte_read16(reg));
}

static uint32_t
rd32(const volatile uint32_t *reg)
{
	return rte_le_to_cpu_32(rte_read32(reg));
}

/* rte_writeN orders earlier memory writes (the rings) before the register write. */
static void
wr8(volatile uint8_t *reg, uint8_t v)
{
	rte_write8(v, reg);
	PCI_WRITTEN(reg);
}

static void
wr16(volatile uint16_t *reg, uint16_t v)
{
	rte_write16(rte_cpu_to_le_16(v), reg);
	PCI_WRITTEN(reg);
}

static void
wr32(volatile uint32_t *reg, uint32_t v)
{
	rte_write32(rte_cpu_to_le_32(v), reg);
	PCI_WRITTEN(reg);
}

/* 64-bit fields as two 32-bit writes, low half first (4.1.3.1 allows it). */
static void
wr64(volatile uint32_t *lo, volatile uint32_t *hi, uint64_t v)
{
	wr32(lo, (uint32_t)v);
	wr32(hi, (uint32_t)(v >> 32));
}

/* ---------------- PCI config space ---------------- */

static int
cfg_read(const struct vpmd_pci *p, uint32_t off, void *buf, uint32_t len)
{
	ssize_t n = pread(p->cfg_fd, buf, len, off);

	return n == (ssize_t)len ? 0 : -EIO;
}

static int
cfg_write(struct vpmd_pci *p, uint32_t off, const void *buf, uint32_t len)
{
	ssize_t n;

	/* With vfio-pci the write must go through VFIO, which tracks the command register. */
	if (p->kind == VPMD_PCI_VFIO)
		n = pwrite(p->vfio_fd, buf, len, (off_t)(p->vfio_cfg_off + off));
	else
		n = pwrite(p->cfg_fd, buf, len, off);
	return n == (ssize_t)len ? 0 : -EIO;
}

static int
read_sysfs_line(const char *addr, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), VPMD_PCI_SYSFS "/%s/%s", addr, file);
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -EIO;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* BAR sizes from sysfs `resource` ("start end flags" per line, hex); 0 = absent. */
static int
read_bar_sizes(const char *addr, uint64_t size[VPMD_PCI_NBARS], bool is_mem[VPMD_PCI_NBARS])
{
	char path[PATH_MAX], line[128];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), VPMD_PCI_SYSFS "/%s/resource", addr);
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	for (i = 0; i < VPMD_PCI_NBARS; i++) {
		unsigned long long start = 0, end = 0, flags = 0;

		size[i] = 0;
		is_mem[i] = false;
		if (fgets(line, sizeof(line), f) == NULL ||
		    sscanf(line, "%llx %llx %llx", &start, &end, &flags) != 3)
			break;
		if (end > start) {
			size[i] = end - start + 1;
			is_mem[i] = (flags & VPMD_PCI_IORESOURCE_MEM) != 0;
		}
	}
	fclose(f);
	return 0;
}

struct vpmd_vcap {
	bool found;
	uint8_t bar;
	uint32_t offset, length;
	uint32_t notify_mult;
};

/*
 * The alignment each structure's offset needs so that its registers are accessed at their
 * natural alignment: the common config has 32-bit fields (4.1.3.1: 32-bit accesses must be
 * 4-byte aligned), the notify structure takes 16-bit stores (4.1.4.4.1: offset 2-byte
 * aligned) and the device config starts 4-byte aligned (4.1.4.6.1). BARs are mapped at a
 * page boundary, so an aligned offset gives an aligned address. A misaligned access to
 * device memory faults on arm64 (SIGBUS), so such a device is refused.
 */
static unsigned int
cap_align(uint8_t cfg_type)
{
	switch (cfg_type) {
	case VPMD_PCI_CAP_COMMON_CFG:
	case VPMD_PCI_CAP_DEVICE_CFG:
		return 4;
	case VPMD_PCI_CAP_NOTIFY_CFG:
		return 2;
	default:
		return 1;
	}
}

/*
 * 4.1.4.4.1: notify_off_multiplier is 0 or an even power of 2, so queue_notify_off *
 * multiplier keeps the kick's 16-bit store 2-byte aligned.
 */
static bool
notify_mult_ok(uint32_t mult)
{
	return mult == 0 || (mult % 2 == 0 && (mult & (mult - 1)) == 0);
}

/*
 * Walk the capability list for the virtio structures. Keep the first usable one of each
 * type (4.1.4: the driver should use the first instance it can support).
 */
static int
walk_caps(struct vpmd_pci *p, struct vpmd_vcap caps[VPMD_PCI_CAP_PCI_CFG + 1],
	  const uint64_t bar_size[VPMD_PCI_NBARS], const bool bar_mem[VPMD_PCI_NBARS], char *err,
	  size_t errlen)
{
	uint8_t cfg[VPMD_PCI_CFG_STD_SIZE];
	uint16_t status;
	unsigned int ptr, hops = 0;

	if (cfg_read(p, 0, cfg, sizeof(cfg)) != 0) {
		vpmd_set_err(err, errlen,
			     "%s: cannot read PCI config space (" VPMD_PCI_SYSFS
			     "/%s/config); run as root",
			     p->addr, p->addr);
		return -EIO;
	}
	status = (uint16_t)(cfg[VPMD_PCI_CFG_STATUS] | cfg[VPMD_PCI_CFG_STATUS + 1] << 8);
	if (!(status & VPMD_PCI_STATUS_CAP_LIST)) {
		vpmd_set_err(err, errlen,
			     "%s: no PCI capability list: not a modern virtio device "
			     "(QEMU: -device virtio-net-pci,disable-legacy=on)",
			     p->addr);
		return -ENODEV;
	}
	ptr = cfg[VPMD_PCI_CFG_CAP_PTR] & ~3u;
	while (ptr != 0) {
		struct vpmd_pci_notify_cap ncap;
		struct vpmd_pci_cap cap;
		uint32_t off32, len32;

		if (ptr < VPMD_PCI_CFG_HDR_SIZE || ptr + 2 > sizeof(cfg) ||
		    ++hops > VPMD_PCI_CAPS_MAX) {
			vpmd_set_err(err, errlen,
				     "%s: malformed PCI capability list (pointer "
				     "0x%x, hop %u)",
				     p->addr, ptr, hops);
			return -EPROTO;
		}
		if (cfg[ptr] != VPMD_PCI_CAP_ID_VNDR)
			goto next;
		if (ptr + sizeof(cap) > sizeof(cfg))
			goto bad_cap;
		memcpy(&cap, &cfg[ptr], sizeof(cap));
		if (cap.cap_len < sizeof(cap) || ptr + cap.cap_len > sizeof(cfg))
			goto bad_cap;
		if (cap.cfg_type < VPMD_PCI_CAP_COMMON_CFG ||
		    cap.cfg_type > VPMD_PCI_CAP_DEVICE_CFG || caps[cap.cfg_type].found)
			goto next;
		/* 4.1.4: BAR values 0x6-0xff are reserved; a driver ignores such a capability. */
		if (cap.bar >= VPMD_PCI_NBARS)
			goto next;
		off32 = rte_le_to_cpu_32(cap.offset);
		len32 = rte_le_to_cpu_32(cap.length);
		if (bar_size[cap.bar] == 0) {
			vpmd_set_err(err, errlen,
				     "%s: virtio capability type %u points at BAR %u, "
				     "which is not a memory BAR (the BAR is absent)",
				     p->addr, cap.cfg_type, cap.bar);
			return -EPROTO;
		}
		/* Port I/O cannot be mapped here; a later capability of the same type may sit
		 * on a memory BAR (QEMU modern-pio-notify=on lists its I/O notify first). */
		if (!bar_mem[cap.bar])
			goto next;
		if (len32 == 0 || (uint64_t)off32 + len32 > bar_size[cap.bar]) {
			vpmd_set_err(err, errlen,
				     "%s: virtio capability type %u: offset 0x%x + "
				     "length 0x%x lies outside BAR %u (size 0x%" PRIx64 ")",
				     p->addr, cap.cfg_type, off32, len32, cap.bar,
				     bar_size[cap.bar]);
			return -EPROTO;
		}
		if (off32 % cap_align(cap.cfg_type) != 0) {
			vpmd_set_err(err, errlen,
				     "%s: virtio capability type %u: offset 0x%x in BAR %u is not "
				     "%u-byte aligned (virtio 1.2 4.1.4.4.1, 4.1.4.6.1)",
				     p->addr, cap.cfg_type, off32, cap.bar,
				     cap_align(cap.cfg_type));
			return -EPROTO;
		}
		if (cap.cfg_type == VPMD_PCI_CAP_NOTIFY_CFG) {
			if (cap.cap_len < sizeof(ncap))
				goto bad_cap;
			memcpy(&ncap, &cfg[ptr], sizeof(ncap));
			caps[cap.cfg_type].notify_mult =
				rte_le_to_cpu_32(ncap.notify_off_multiplier);
			if (!notify_mult_ok(caps[cap.cfg_type].notify_mult)) {
				vpmd_set_err(err, errlen,
					     "%s: notify_off_multiplier %" PRIu32
					     " is neither 0 nor an even power of 2 "
					     "(virtio 1.2 4.1.4.4.1)",
					     p->addr, caps[cap.cfg_type].notify_mult);
				return -EPROTO;
			}
		}
		caps[cap.cfg_type].found = true;
		caps[cap.cfg_type].bar = cap.bar;
		caps[cap.cfg_type].offset = off32;
		caps[cap.cfg_type].length = len32;
next:
		ptr = cfg[ptr + 1] & ~3u;
	}
	return 0;
bad_cap:
	vpmd_set_err(err, errlen, "%s: malformed virtio PCI capability at config offset 0x%x",
		     p->addr, ptr);
	return -EPROTO;
}

/* ---------------- BAR mapping ---------------- */

static int
map_bar_uio(struct vpmd_pci *p, unsigned int bar, uint64_t size, char *err, size_t errlen)
{
	char path[PATH_MAX];
	void *va;
	int fd, e;

	snprintf(path, sizeof(path), VPMD_PCI_SYSFS "/%s/resource%u", p->addr, bar);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		vpmd_set_err(err, errlen, "%s: cannot open %s (%s); run as root", p->addr, path,
			     strerror(e));
		return -e;
	}
	va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (va == MAP_FAILED) {
		vpmd_set_err(err, errlen, "%s: cannot mmap %s (%s)", p->addr, path,
			     strerror(errno));
		return -EIO;
	}
	p->bar[bar] = va;
	p->bar_len[bar] = size;
	return 0;
}

#ifdef VFIO_PRESENT
static int
map_bar_vfio(struct vpmd_pci *p, unsigned int bar, uint64_t size, char *err, size_t errlen)
{
	struct vfio_region_info reg = { .argsz = sizeof(reg), .index = bar };
	void *va;

	if (ioctl(p->vfio_fd, VFIO_DEVICE_GET_REGION_INFO, &reg) != 0) {
		vpmd_set_err(err, errlen, "%s: VFIO_DEVICE_GET_REGION_INFO for BAR %u failed (%s)",
			     p->addr, bar, strerror(errno));
		return -EIO;
	}
	if (!(reg.flags & VFIO_REGION_INFO_FLAG_MMAP) || reg.size < size) {
		vpmd_set_err(err, errlen,
			     "%s: VFIO does not allow mapping BAR %u (flags 0x%x, "
			     "size 0x%llx); bind the device to uio_pci_generic instead",
			     p->addr, bar, reg.flags, (unsigned long long)reg.size);
		return -ENOTSUP;
	}
	va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, p->vfio_fd, (off_t)reg.offset);
	if (va == MAP_FAILED) {
		vpmd_set_err(err, errlen, "%s: cannot mmap BAR %u through VFIO (%s)", p->addr, bar,
			     strerror(errno));
		return -EIO;
	}
	p->bar[bar] = va;
	p->bar_len[bar] = size;
	return 0;
}

static int
vfio_open(struct vpmd_pci *p, char *err, size_t errlen)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info reg = { .argsz = sizeof(reg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	int fd = -1;

	if (rte_vfio_setup_device(VPMD_PCI_SYSFS, p->addr, &fd, &info) != 0) {
		vpmd_set_err(err, errlen,
			     "%s: VFIO setup failed (is the IOMMU group viable and "
			     "the vfio-pci module loaded?); or bind to uio_pci_generic and use "
			     "--iova-mode=pa",
			     p->addr);
		return -EIO;
	}
	p->vfio_fd = fd;
	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &reg) != 0) {
		vpmd_set_err(err, errlen, "%s: VFIO: cannot find the config space region (%s)",
			     p->addr, strerror(errno));
		return -EIO;
	}
	p->vfio_cfg_off = reg.offset;
	return 0;
}
#endif

static int
map_bar(struct vpmd_pci *p, unsigned int bar, uint64_t size, char *err, size_t errlen)
{
	if (p->bar[bar] != NULL)
		return 0;
#ifdef VFIO_PRESENT
	if (p->kind == VPMD_PCI_VFIO)
		return map_bar_vfio(p, bar, size, err, errlen);
#endif
	return map_bar_uio(p, bar, size, err, errlen);
}

/* ---------------- transport ops ---------------- */

static uint64_t
pci_get_features(void *priv)
{
	struct vpmd_pci *p = priv;
	uint64_t lo, hi;

	wr32(&p->common->device_feature_select, 0);
	lo = rd32(&p->common->device_feature);
	wr32(&p->common->device_feature_select, 1);
	hi = rd32(&p->common->device_feature);
	return lo | hi << 32;
}

static int
pci_set_features(void *priv, uint64_t features, char *err __rte_unused, size_t errlen __rte_unused)
{
	struct vpmd_pci *p = priv;

	wr32(&p->common->driver_feature_select, 0);
	wr32(&p->common->driver_feature, (uint32_t)features);
	wr32(&p->common->driver_feature_select, 1);
	wr32(&p->common->driver_feature, (uint32_t)(features >> 32));
	return 0; /* whether the device took them, FEATURES_OK tells */
}

static uint8_t
pci_get_status(void *priv)
{
	struct vpmd_pci *p = priv;

	return rd8(&p->common->device_status);
}

static int
pci_set_status(void *priv, uint8_t status, char *err __rte_unused, size_t errlen __rte_unused)
{
	struct vpmd_pci *p = priv;

	wr8(&p->common->device_status, status);
	return 0; /* the core reads the status back where it matters */
}

/*
 * Take bus mastering away from a device that did not reset: it may still DMA into our
 * rings and buffers, and the core only keeps those out of our own pools; when the process
 * exits the memory goes back to the system. With Bus Master Enable clear the function
 * issues no memory requests (PCI Local Bus 3.0, 6.2.2; Linux's pci_clear_master). 0 or -EIO.
 */
static int
pci_clear_bus_master(struct vpmd_pci *p)
{
	uint16_t cmd;

	if (cfg_read(p, VPMD_PCI_CFG_COMMAND, &cmd, sizeof(cmd)) != 0)
		return -EIO;
	cmd = rte_cpu_to_le_16((uint16_t)(rte_le_to_cpu_16(cmd) & ~VPMD_PCI_CMD_MASTER));
	return cfg_write(p, VPMD_PCI_CFG_COMMAND, &cmd, sizeof(cmd));
}

/* 4.1.4.3.2: after writing 0 the device may take time; the reset is done when it reads 0
 * (any other value, FEATURES_OK left set included, means it is not). */
static int
pci_reset(void *priv, char *err, size_t errlen)
{
	struct vpmd_pci *p = priv;
	const struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };
	unsigned int i;
	uint8_t status;

	wr8(&p->common->device_status, 0);
	for (i = 0; i < VPMD_PCI_RESET_WAIT_MS; i++) {
		if (rd8(&p->common->device_status) == 0)
			return 0;
		nanosleep(&ms, NULL);
	}
	status = rd8(&p->common->device_status);
	vpmd_set_err(err, errlen,
		     "%s: device status still 0x%x %u ms after a reset: the device "
		     "is stuck (%s; reset it from the host, or reboot the guest)",
		     p->addr, status, VPMD_PCI_RESET_WAIT_MS,
		     pci_clear_bus_master(p) == 0 ? "bus mastering disabled, so it cannot DMA"
						  : "and bus mastering could not be disabled");
	return -ETIMEDOUT;
}

/*
 * Device config reads use each field's own width (4.1.3.1: 8-bit fields byte-wide, 16-bit
 * fields 16-bit aligned, 32-bit fields 32-bit aligned); mac, duplex, rss_max_key_size and
 * whatever lies beyond struct vpmd_net_config_full are bytes.
 */
static unsigned int
net_cfg_width(uint32_t off)
{
	switch (off) {
	case offsetof(struct vpmd_net_config_full, net.status):
	case offsetof(struct vpmd_net_config_full, net.max_virtqueue_pairs):
	case offsetof(struct vpmd_net_config_full, net.mtu):
	case offsetof(struct vpmd_net_config_full, rss_max_indirection_table_length):
		return 2;
	case offsetof(struct vpmd_net_config_full, speed):
	case offsetof(struct vpmd_net_config_full, supported_hash_types):
		return 4;
	default:
		return 1;
	}
}

static int
pci_read_config(void *priv, uint32_t offset, void *buf, uint32_t len, char *err, size_t errlen)
{
	struct vpmd_pci *p = priv;
	uint8_t *out = buf;
	uint32_t pos = offset, end;

	if (len == 0)
		return 0;
	if (offset >= p->device_len || len > p->device_len - offset) {
		vpmd_set_err(err, errlen,
			     "%s: config read of %" PRIu32 " bytes at %" PRIu32
			     " lies outside the %" PRIu32 "-byte device config",
			     p->addr, len, offset, p->device_len);
		return -ERANGE;
	}
	end = offset + len;
	while (pos < end) {
		unsigned int w = net_cfg_width(pos);
		/* A field cut by the requested range, or misaligned: fall back to bytes. */
		if (pos + w > end || pos % w != 0)
			w = 1;
		if (w == 4) {
			uint32_t v = rte_read32(p->device + pos);
			memcpy(out + (pos - offset), &v, 4);
		} else if (w == 2) {
			uint16_t v = rte_read16(p->device + pos);
			memcpy(out + (pos - offset), &v, 2);
		} else {
			out[pos - offset] = rte_read8(p->device + pos);
		}
		pos += w;
	}
	/* Bytes stay little endian: the core decodes fields with its own le helpers. */
	return 0;
}

static uint8_t
pci_config_generation(void *priv)
{
	struct vpmd_pci *p = priv;

	return rd8(&p->common->config_generation);
}

static uint16_t
pci_queue_max_size(void *priv, uint16_t vq_index)
{
	struct vpmd_pci *p = priv;

	/* num_queues is read live: a device may add queues once MQ is negotiated (QEMU
	 * exposes only one pair plus the control queue until then). */
	p->num_queues = rd16(&p->common->num_queues);
	if (vq_index >= p->num_queues)
		return 0;
	wr16(&p->common->queue_select, vq_index);
	return rd16(&p->common->queue_size);
}

/*
 * The kick (4.1.4.4 / 4.1.5.2): a 16-bit write of the queue index to the queue's notify
 * address. rte_write16 puts an I/O write barrier before the store, so the ring updates
 * (descriptors, avail idx or packed flags) are visible to the device before it looks;
 * the store itself goes to device memory (uncached MMIO mapping), never reordered after a
 * later one. Fast path: no checks here, the address was bounds-checked at queue setup.
 */
static void
pci_kick(void *cookie, uint16_t vq_index)
{
	rte_write16(rte_cpu_to_le_16(vq_index), cookie);
}

static int
pci_queue_setup(void *priv, const struct vpmd_vq_layout *vq, struct vpmd_notify *notify, char *err,
		size_t errlen)
{
	struct vpmd_pci *p = priv;
	volatile struct vpmd_pci_common_cfg *cc = p->common;
	uint16_t max, noff;
	uint64_t where;

	p->num_queues = rd16(&cc->num_queues);
	/* Any index below num_queues (le16) is addressable: the control queue of a device
	 * with more pairs than we use sits at 2 * max_virtqueue_pairs, past our own pairs. */
	if (vq->index >= p->num_queues) {
		vpmd_set_err(err, errlen, "%s: virtqueue %u does not exist (the device has %u)",
			     p->addr, vq->index, p->num_queues);
		return -EINVAL;
	}
	wr16(&cc->queue_select, vq->index);
	max = rd16(&cc->queue_size);
	if (vq->size == 0 || vq->size > max) {
		vpmd_set_err(err, errlen, "%s: virtqueue %u: size %u, but the device takes 1..%u",
			     p->addr, vq->index, vq->size, max);
		return -EINVAL;
	}
	/* 4.1.4.3.2: the driver must not enable a queue twice without a reset in between. */
	if (rd16(&cc->queue_enable) != 0) {
		vpmd_set_err(err, errlen,
			     "%s: virtqueue %u is enabled already (no reset since "
			     "its last setup)",
			     p->addr, vq->index);
		return -EBUSY;
	}
	wr16(&cc->queue_size, vq->size);
	wr16(&cc->queue_msix_vector, VPMD_PCI_MSI_NO_VECTOR);
	wr64(&cc->queue_desc_lo, &cc->queue_desc_hi, vq->desc_iova);
	wr64(&cc->queue_driver_lo, &cc->queue_driver_hi, vq->driver_iova);
	wr64(&cc->queue_device_lo, &cc->queue_device_hi, vq->device_iova);
	/* 4.1.4.4: notify address = cap offset + queue_notify_off * notify_off_multiplier;
	 * the device is untrusted, so the 2-byte store must fit inside the notify structure. */
	noff = rd16(&cc->queue_notify_off);
	where = (uint64_t)noff * p->notify_mult;
	if (where + sizeof(uint16_t) > p->notify_len) {
		vpmd_set_err(err, errlen,
			     "%s: virtqueue %u: queue_notify_off %u * multiplier %" PRIu32
			     " lies outside the %" PRIu32 "-byte notify structure",
			     p->addr, vq->index, noff, p->notify_mult, p->notify_len);
		return -EPROTO;
	}
	/* Everything above reaches the device before the enable (rte_write16 barrier). */
	wr16(&cc->queue_enable, 1);
	notify->kick = pci_kick;
	notify->cookie = (void *)(p->notify + where);
	return 0;
}

/* Queues cannot be disabled one by one without VIRTIO_F_RING_RESET: the core resets the
 * device to release them (the notify address lives in the core's queue, not here). */
static int
pci_queue_release(void *priv __rte_unused, uint16_t vq_index __rte_unused, char *err __rte_unused,
		  size_t errlen __rte_unused)
{
	return 0;
}

static void
pci_close(void *priv)
{
	struct vpmd_pci *p = priv;
	unsigned int i;

	if (p == NULL)
		return;
	for (i = 0; i < VPMD_PCI_NBARS; i++)
		if (p->bar[i] != NULL)
			munmap(p->bar[i], p->bar_len[i]);
	if (p->cfg_fd >= 0)
		close(p->cfg_fd);
#ifdef VFIO_PRESENT
	if (p->vfio_fd >= 0)
		rte_vfio_release_device(VPMD_PCI_SYSFS, p->addr, p->vfio_fd);
#endif
	free(p);
}

static const struct vpmd_transport_ops vpmd_pci_ops = {
	.name = "virtio-pci",
	.get_features = pci_get_features,
	.set_features = pci_set_features,
	.get_status = pci_get_status,
	.set_status = pci_set_status,
	.reset = pci_reset,
	.read_config = pci_read_config,
	.config_generation = pci_config_generation,
	.queue_max_size = pci_queue_max_size,
	.queue_setup = pci_queue_setup,
	.queue_release = pci_queue_release,
	.ctrl_cmd = NULL,
	.uses_va = false,
	.close = pci_close,
};

/* ---------------- probe ---------------- */

/* Identity: a virtio-net function (4.1.2.1). */
static int
pci_check_identity(struct vpmd_pci *p, char *err, size_t errlen)
{
	unsigned long vendor, device;
	char line[64];

	if (read_sysfs_line(p->addr, "vendor", line, sizeof(line)) != 0) {
		vpmd_set_err(err, errlen, "%s: no such PCI device (see ls " VPMD_PCI_SYSFS ")",
			     p->addr);
		return -ENODEV;
	}
	vendor = strtoul(line, NULL, 16);
	if (read_sysfs_line(p->addr, "device", line, sizeof(line)) != 0) {
		vpmd_set_err(err, errlen, "%s: cannot read its device id from sysfs", p->addr);
		return -EIO;
	}
	device = strtoul(line, NULL, 16);
	if (vendor != VPMD_PCI_VENDOR_REDHAT_QUMRANET ||
	    (device != VPMD_PCI_DEV_NET_MODERN && device != VPMD_PCI_DEV_NET_TRANSITIONAL)) {
		vpmd_set_err(err, errlen,
			     "%s: PCI id %04lx:%04lx is not a virtio-net device (want "
			     "1af4:1041, or 1af4:1000 with modern capabilities)",
			     p->addr, vendor, device);
		return -ENODEV;
	}
	return 0;
}

/* Which driver owns the function decides how we map it (p->kind). */
static int
pci_bound_driver(struct vpmd_pci *p, char *err, size_t errlen)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *drv;
	ssize_t n;

	snprintf(path, sizeof(path), VPMD_PCI_SYSFS "/%s/driver", p->addr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		drv = "(none)";
	} else {
		link[n] = '\0';
		drv = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	}
	if (strcmp(drv, "uio_pci_generic") == 0) {
		p->kind = VPMD_PCI_UIO;
		return 0;
	}
	if (strcmp(drv, "vfio-pci") == 0) {
#ifdef VFIO_PRESENT
		p->kind = VPMD_PCI_VFIO;
		return 0;
#else
		vpmd_set_err(err, errlen,
			     "%s: bound to vfio-pci but this DPDK has no VFIO "
			     "support; bind it to uio_pci_generic",
			     p->addr);
		return -ENOTSUP;
#endif
	}
	vpmd_set_err(err, errlen,
		     "%s: bound to driver %s; bind it to uio_pci_generic: modprobe "
		     "uio_pci_generic; echo %s > " VPMD_PCI_SYSFS "/%s/driver/unbind; echo "
		     "uio_pci_generic > " VPMD_PCI_SYSFS "/%s/driver_override; echo %s > "
		     "/sys/bus/pci/drivers_probe (or dpdk-devbind.py -b uio_pci_generic %s)",
		     p->addr, drv, p->addr, p->addr, p->addr, p->addr, p->addr);
	return -EBUSY;
}

/* The config space file (reads; writes too for uio) and, for vfio-pci, the VFIO device. */
static int
pci_open_config(struct vpmd_pci *p, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int e;

	snprintf(path, sizeof(path), VPMD_PCI_SYSFS "/%s/config", p->addr);
	p->cfg_fd = open(path, (p->kind == VPMD_PCI_UIO ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (p->cfg_fd < 0) {
		e = errno;
		vpmd_set_err(err, errlen, "%s: cannot open %s (%s); run as root", p->addr, path,
			     strerror(e));
		return -e;
	}
#ifdef VFIO_PRESENT
	if (p->kind == VPMD_PCI_VFIO)
		return vfio_open(p, err, errlen);
#endif
	return 0;
}

static const char *
cap_name(int cfg_type)
{
	switch (cfg_type) {
	case VPMD_PCI_CAP_COMMON_CFG:
		return "common";
	case VPMD_PCI_CAP_NOTIFY_CFG:
		return "notify";
	case VPMD_PCI_CAP_ISR_CFG:
		return "isr";
	case VPMD_PCI_CAP_DEVICE_CFG:
		return "device";
	default:
		return "?";
	}
}

/* Find the common, notify and device structures, map their BARs and point at them. */
static int
pci_map_caps(struct vpmd_pci *p, char *err, size_t errlen)
{
	struct vpmd_vcap caps[VPMD_PCI_CAP_PCI_CFG + 1];
	const struct vpmd_vcap *common, *notify, *device;
	uint64_t bar_size[VPMD_PCI_NBARS];
	bool bar_mem[VPMD_PCI_NBARS];
	int rc, t;

	rc = read_bar_sizes(p->addr, bar_size, bar_mem);
	if (rc != 0) {
		vpmd_set_err(err, errlen, "%s: cannot read its BARs from sysfs (%s)", p->addr,
			     strerror(-rc));
		return rc;
	}
	memset(caps, 0, sizeof(caps));
	rc = walk_caps(p, caps, bar_size, bar_mem, err, errlen);
	if (rc != 0)
		return rc;
	for (t = VPMD_PCI_CAP_COMMON_CFG; t <= VPMD_PCI_CAP_DEVICE_CFG; t++) {
		if (t == VPMD_PCI_CAP_ISR_CFG)
			continue; /* we never take interrupts */
		if (!caps[t].found) {
			vpmd_set_err(err, errlen,
				     "%s: no virtio %s capability on a memory BAR: not a modern "
				     "virtio-pci device (QEMU: disable-legacy=on or "
				     "disable-modern=off)",
				     p->addr, cap_name(t));
			return -ENODEV;
		}
		rc = map_bar(p, caps[t].bar, bar_size[caps[t].bar], err, errlen);
		if (rc != 0)
			return rc;
	}
	common = &caps[VPMD_PCI_CAP_COMMON_CFG];
	notify = &caps[VPMD_PCI_CAP_NOTIFY_CFG];
	device = &caps[VPMD_PCI_CAP_DEVICE_CFG];
	if (common->length < sizeof(struct vpmd_pci_common_cfg)) {
		vpmd_set_err(err, errlen, "%s: virtio common config is %u bytes, need %zu", p->addr,
			     common->length, sizeof(struct vpmd_pci_common_cfg));
		return -EPROTO;
	}
	p->common = (volatile struct vpmd_pci_common_cfg *)(void *)((uint8_t *)p->bar[common->bar] +
								    common->offset);
	p->notify = (uint8_t *)p->bar[notify->bar] + notify->offset;
	p->notify_len = notify->length;
	p->notify_mult = notify->notify_mult;
	p->device = (uint8_t *)p->bar[device->bar] + device->offset;
	p->device_len = device->length;
	return 0;
}

/*
 * No IOMMU between a uio device and memory: it must be given physical addresses. Checked
 * before the first write to the device.
 */
static int
pci_check_iova(const struct vpmd_pci *p, char *err, size_t errlen)
{
	if (p->kind == VPMD_PCI_UIO && rte_eal_iova_mode() != RTE_IOVA_PA) {
		vpmd_set_err(err, errlen,
			     "%s: bound to uio_pci_generic, which needs IOVA as "
			     "physical addresses: start the EAL with --iova-mode=pa (as root)",
			     p->addr);
		return -EINVAL;
	}
	return 0;
}

/* Memory decoding and bus mastering: uio_pci_generic leaves BME off. */
static int
pci_enable_bus_master(struct vpmd_pci *p, char *err, size_t errlen)
{
	const uint16_t want = VPMD_PCI_CMD_MEMORY | VPMD_PCI_CMD_MASTER;
	uint16_t cmd, v;

	if (cfg_read(p, VPMD_PCI_CFG_COMMAND, &cmd, sizeof(cmd)) != 0) {
		vpmd_set_err(err, errlen, "%s: cannot read the PCI command register", p->addr);
		return -EIO;
	}
	cmd = rte_le_to_cpu_16(cmd);
	if ((cmd & want) == want)
		return 0;
	v = rte_cpu_to_le_16(cmd | want);
	if (cfg_write(p, VPMD_PCI_CFG_COMMAND, &v, sizeof(v)) != 0) {
		vpmd_set_err(err, errlen,
			     "%s: cannot enable bus mastering (PCI command "
			     "register write failed)",
			     p->addr);
		return -EIO;
	}
	return 0;
}

/* A virtio-net device has at least an rx and a tx queue. */
static int
pci_check_queues(struct vpmd_pci *p, char *err, size_t errlen)
{
	p->num_queues = rd16(&p->common->num_queues);
	if (p->num_queues < 2) {
		vpmd_set_err(err, errlen,
			     "%s: device reports %u virtqueues; a virtio-net device "
			     "has at least an rx and a tx queue",
			     p->addr, p->num_queues);
		return -EPROTO;
	}
	return 0;
}

int
vpmd_pci_probe(const char *pci_addr, const struct vpmd_transport_ops **ops, void **priv, char *err,
	       size_t errlen)
{
	struct vpmd_pci *p;
	int rc;

	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		vpmd_set_err(err, errlen, "%s: out of memory", pci_addr);
		return -ENOMEM;
	}
	p->cfg_fd = -1;
	p->vfio_fd = -1;
	if (vpmd_pci_addr_parse(pci_addr, p->addr) != 0) {
		vpmd_set_err(err, errlen,
			     "'%s' is not a PCI address (expected DDDD:BB:DD.F, e.g. "
			     "0000:00:01.0)",
			     pci_addr);
		rc = -EINVAL;
		goto fail;
	}
	rc = pci_check_identity(p, err, errlen);
	if (rc == 0)
		rc = pci_bound_driver(p, err, errlen);
	if (rc == 0)
		rc = pci_open_config(p, err, errlen);
	if (rc == 0)
		rc = pci_map_caps(p, err, errlen);
	if (rc == 0)
		rc = pci_check_iova(p, err, errlen);
	if (rc == 0)
		rc = pci_enable_bus_master(p, err, errlen);
	if (rc == 0)
		rc = pci_check_queues(p, err, errlen);
	if (rc != 0)
		goto fail;
	*ops = &vpmd_pci_ops;
	*priv = p;
	return 0;
fail:
	pci_close(p);
	return rc;
}
