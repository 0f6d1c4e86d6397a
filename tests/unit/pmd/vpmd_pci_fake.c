/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit test (suite 'unit', no root, no device) for the virtio-pci transport's probe and
 * control path: pmd/transport/pci/vpmd_pci.c is compiled with VPMD_PCI_SYSFS pointing at a
 * fake sysfs tree built here in a temporary folder: vendor/device/driver, a config space
 * file with virtio capabilities, a `resource` table and regular files standing in for the
 * BARs (mmap works on them, and memory behaves like a device that echoes what was written).
 * Register offsets are written here from the spec, not from vpmd_pci_regs.h, so the test
 * also checks that header's layout.
 *
 * Covered: the good layout (probe succeeds, bus mastering gets enabled, features, config
 * reads and their bounds, queue setup and its checks, the kick writes the queue index to the
 * notify address); and each refusal: wrong ids, wrong driver, no capability list, a loop in
 * the list, a structure outside its BAR, a reserved BAR index, a short notify capability, a
 * capability on an absent BAR, a notify structure only on an I/O BAR (one on an I/O BAR
 * ahead of a memory one is skipped), a short common config, too few queues, a misaligned common,
 * notify or device structure or notify_off_multiplier, a bad address.
 * A device model (vpmd_pci_fake_written(), called by the transport after each register
 * write when built with VPMD_PCI_FAKE_DEVICE) covers devices that misbehave at run time: a
 * status that never reads 0 after a reset (or keeps FEATURES_OK), NEEDS_RESET set as soon
 * as DRIVER_OK is, and max_virtqueue_pairs of 0, 65 and 0x8000 read through the device
 * config. (What the core does with them: test_vpmd_dead.c, test_vpmd_negotiate.c.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>

#include "vpmd_transport.h"

#define ADDR        "0000:00:01.0"
#define DEVDIR      "fake-sysfs/devices/" ADDR
#define BAR         4
#define BAR_SIZE    0x4000u
#define NOTIFY_MULT 4u

/* How the device model reacts to register writes. */
enum model {
	MODEL_ECHO,        /* memory: reads return what was written */
	MODEL_STUCK,       /* a reset never completes: the status keeps its old value */
	MODEL_FOK_STICKY,  /* after a reset the status still reads FEATURES_OK */
	MODEL_NEEDS_RESET, /* DRIVER_OK makes the device set DEVICE_NEEDS_RESET at once */
};
static enum model model;
static volatile uint8_t *model_bar; /* the test's own mapping of BAR 4 */
#define COMMON_STATUS 0x14          /* device_status in the common config (4.1.4.3) */

void vpmd_pci_fake_written(volatile void *reg);
void
vpmd_pci_fake_written(volatile void *reg)
{
	static uint8_t last;
	uint8_t st;

	(void)reg;
	if (model_bar == NULL)
		return;
	st = model_bar[COMMON_STATUS];
	if (st != 0)
		last = st;
	if (model == MODEL_STUCK && st == 0)
		model_bar[COMMON_STATUS] = last;
	else if (model == MODEL_FOK_STICKY && st == 0)
		model_bar[COMMON_STATUS] = 0x08;
	else if (model == MODEL_NEEDS_RESET && (st & 0x04))
		model_bar[COMMON_STATUS] = st | 0x40;
}

/* The EAL is not initialised here; the uio path asks for IOVA = PA, so say so. */
enum rte_iova_mode
rte_eal_iova_mode(void)
{
	return RTE_IOVA_PA;
}

static int failures;
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			failures++;                                            \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
		}                                                              \
	} while (0)

struct fake {
	uint16_t vendor, device;
	const char *driver;
	uint8_t cfg[256];
	uint64_t bar_size[6];
	bool bar_io[6]; /* port I/O BAR (sysfs flags IORESOURCE_IO) */
	uint8_t common[0x1000];
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void
add_cap(struct fake *f, unsigned int at, unsigned int next, uint8_t type, uint8_t bar, uint32_t off,
	uint32_t len, uint8_t cap_len)
{
	uint8_t *c = &f->cfg[at];

	c[0] = 0x09; /* vendor-specific */
	c[1] = (uint8_t)next;
	c[2] = cap_len;
	c[3] = type;
	c[4] = bar;
	put32(c + 8, off);
	put32(c + 12, len);
	if (cap_len >= 20)
		put32(c + 16, NOTIFY_MULT);
}

/* QEMU-like layout: everything in BAR 4, common/isr/device/notify at 0/0x1000/0x2000/0x3000. */
static void
good(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->vendor = 0x1af4;
	f->device = 0x1041;
	f->driver = "uio_pci_generic";
	put16(&f->cfg[0], 0x1af4);
	put16(&f->cfg[2], 0x1041);
	put16(&f->cfg[4], 0x0000); /* command: memory and bus master off */
	put16(&f->cfg[6], 0x0010); /* status: capability list */
	f->cfg[0x34] = 0x40;
	add_cap(f, 0x40, 0x54, 1, BAR, 0x0000, 0x1000, 16);
	add_cap(f, 0x54, 0x68, 3, BAR, 0x1000, 0x1000, 16);
	add_cap(f, 0x68, 0x7c, 4, BAR, 0x2000, 0x1000, 16);
	add_cap(f, 0x7c, 0x00, 2, BAR, 0x3000, 0x1000, 20);
	f->bar_size[BAR] = BAR_SIZE;
	put32(&f->common[0x04], 0x30080a3u); /* device_feature (both halves read the same) */
	put16(&f->common[0x12], 5);          /* num_queues: 2 pairs + control */
	put16(&f->common[0x18], 256);        /* queue_size */
	put16(&f->common[0x1e], 1);          /* queue_notify_off */
}

static int
write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, buf, len) == (ssize_t)len;
	close(fd);
	return ok ? 0 : -1;
}

static void
build(const struct fake *f)
{
	char buf[512], path[256];
	size_t off = 0;
	unsigned int i;

	if (system("rm -rf fake-sysfs") != 0) { /* fresh tree per case */
	}
	mkdir("fake-sysfs", 0700);
	mkdir("fake-sysfs/devices", 0700);
	mkdir("fake-sysfs/drivers", 0700);
	mkdir(DEVDIR, 0700);
	snprintf(path, sizeof(path), "fake-sysfs/drivers/%s", f->driver);
	mkdir(path, 0700);
	snprintf(buf, sizeof(buf), "../../drivers/%s", f->driver);
	if (symlink(buf, DEVDIR "/driver") != 0)
		perror("symlink");
	snprintf(buf, sizeof(buf), "0x%04x\n", f->vendor);
	write_file(DEVDIR "/vendor", buf, strlen(buf));
	snprintf(buf, sizeof(buf), "0x%04x\n", f->device);
	write_file(DEVDIR "/device", buf, strlen(buf));
	write_file(DEVDIR "/config", f->cfg, sizeof(f->cfg));
	for (i = 0; i < 6; i++) {
		uint64_t start = f->bar_size[i] ? 0x8000000000ull + i * 0x100000ull : 0;
		uint64_t end = f->bar_size[i] ? start + f->bar_size[i] - 1 : 0;

		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"0x%016llx 0x%016llx "
					"0x%016llx\n",
					(unsigned long long)start, (unsigned long long)end,
					!f->bar_size[i] ? 0ull
					: f->bar_io[i]  ? 0x40101ull
							: 0x14220cull);
		if (f->bar_size[i]) {
			int fd;

			snprintf(path, sizeof(path), DEVDIR "/resource%u", i);
			fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
			if (fd >= 0) {
				if (ftruncate(fd, (off_t)f->bar_size[i]) != 0 ||
				    (i == BAR && pwrite(fd, f->common, sizeof(f->common), 0) !=
							 (ssize_t)sizeof(f->common)))
					perror("bar file");
				close(fd);
			}
		}
	}
	write_file(DEVDIR "/resource", buf, off);
}

static int
probe(const struct fake *f, const char *addr, const struct vpmd_transport_ops **ops, void **priv,
      char *err, size_t errlen)
{
	build(f);
	err[0] = '\0';
	return vpmd_pci_probe(addr, ops, priv, err, errlen);
}

static void
expect_refusal(const char *name, const struct fake *f, int want_rc, const char *want_msg)
{
	const struct vpmd_transport_ops *ops = NULL;
	void *priv = NULL;
	char err[512];
	int rc = probe(f, ADDR, &ops, &priv, err, sizeof(err));

	CHECK(rc == want_rc, "%s: rc %d, want %d (%s)", name, rc, want_rc, err);
	CHECK(strstr(err, want_msg) != NULL, "%s: message '%s' lacks '%s'", name, err, want_msg);
	if (rc == 0 && ops != NULL)
		ops->close(priv);
	printf("%s %s: %s\n", rc == want_rc && strstr(err, want_msg) ? "ok  " : "FAIL", name, err);
}

static uint16_t
file16(const char *path, off_t off)
{
	uint8_t b[2] = { 0, 0 };
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		if (pread(fd, b, 2, off) != 2)
			b[0] = b[1] = 0xff;
		close(fd);
	}
	return (uint16_t)(b[0] | b[1] << 8);
}

static void
test_good(void)
{
	const struct vpmd_transport_ops *ops = NULL;
	struct vpmd_vq_layout vq = { .index = 0,
				     .size = 256,
				     .desc_iova = 0x1000,
				     .driver_iova = 0x2000,
				     .device_iova = 0x3000 };
	struct vpmd_notify nt = { 0 };
	struct fake f;
	void *priv = NULL;
	uint8_t cfgbuf[8];
	char err[512];
	int rc;

	good(&f);
	rc = probe(&f, "00:01.0", &ops, &priv, err, sizeof(err)); /* short form, domain 0 */
	CHECK(rc == 0 && ops != NULL, "good layout refused: %d %s", rc, err);
	if (rc != 0 || ops == NULL)
		return;
	CHECK(strcmp(ops->name, "virtio-pci") == 0, "ops name %s", ops->name);
	CHECK((file16(DEVDIR "/config", 4) & 0x6) == 0x6, "bus mastering/memory not enabled: 0x%x",
	      file16(DEVDIR "/config", 4));
	CHECK(ops->get_features(priv) == (0x30080a3ull | 0x30080a3ull << 32), "features 0x%llx",
	      (unsigned long long)ops->get_features(priv));
	CHECK(ops->set_features(priv, 0x1000000a3ull, err, sizeof(err)) == 0, "set_features");
	CHECK(ops->set_status(priv, 0x0b, err, sizeof(err)) == 0, "set_status");
	CHECK(ops->get_status(priv) == 0x0b, "status 0x%x", ops->get_status(priv));
	CHECK(ops->reset(priv, err, sizeof(err)) == 0 && ops->get_status(priv) == 0, "reset");
	CHECK(ops->read_config(priv, 0, cfgbuf, 8, err, sizeof(err)) == 0, "read_config 0..8");
	err[0] = '\0';
	CHECK(ops->read_config(priv, 0x1000 - 4, cfgbuf, 8, err, sizeof(err)) == -ERANGE &&
		      strstr(err, "outside the 4096-byte device config") != NULL,
	      "config read past the end allowed (%s)", err);
	CHECK(ops->read_config(priv, 0xfffffffcu, cfgbuf, 8, err, sizeof(err)) == -ERANGE,
	      "config offset overflow allowed");
	CHECK(ops->queue_max_size(priv, 0) == 256, "queue_max_size %u",
	      ops->queue_max_size(priv, 0));
	CHECK(ops->queue_max_size(priv, 5) == 0, "queue 5 of 5 exists");
	vq.size = 512;
	err[0] = '\0';
	CHECK(ops->queue_setup(priv, &vq, &nt, err, sizeof(err)) == -EINVAL &&
		      strstr(err, "size 512, but the device takes 1..256") != NULL,
	      "ring larger than the device's accepted (%s)", err);
	vq.size = 256;
	vq.index = 5;
	err[0] = '\0';
	CHECK(ops->queue_setup(priv, &vq, &nt, err, sizeof(err)) == -EINVAL &&
		      strstr(err, "virtqueue 5 does not exist") != NULL,
	      "queue index past num_queues accepted (%s)", err);
	vq.index = 0;
	rc = ops->queue_setup(priv, &vq, &nt, err, sizeof(err));
	CHECK(rc == 0 && nt.kick != NULL, "queue_setup: %d %s", rc, err);
	if (rc == 0 && nt.kick != NULL) {
		nt.kick(nt.cookie, 0x0102);
		CHECK(file16(DEVDIR "/resource4", 0x3000 + NOTIFY_MULT) == 0x0102,
		      "kick did not write the index at notify + off * mult (got 0x%x)",
		      file16(DEVDIR "/resource4", 0x3000 + NOTIFY_MULT));
		CHECK(file16(DEVDIR "/resource4", 0x1c) == 1, "queue_enable not set");
		CHECK(file16(DEVDIR "/resource4", 0x1a) == 0xffff, "msix vector not NO_VECTOR");
		CHECK(file16(DEVDIR "/resource4", 0x20) == 0x1000, "queue_desc low not written");
	}
	/* Enabled already (queue_enable reads 1): a second setup must be refused. */
	CHECK(ops->queue_setup(priv, &vq, &nt, err, sizeof(err)) == -EBUSY, "queue enabled twice");
	CHECK(ops->queue_release(priv, 0, err, sizeof(err)) == 0, "queue_release");
	ops->close(priv);
	printf("ok   good layout: probe, features, status, reset, config bounds, queue setup, "
	       "kick\n");

	/* QEMU modern-pio-notify=on: a notify capability on an I/O BAR comes first; it is
	 * skipped and the memory one behind it is used. */
	good(&f);
	f.bar_size[0] = 0x40;
	f.bar_io[0] = true;
	f.cfg[0x34] = 0x90;
	add_cap(&f, 0x90, 0x40, 2, 0, 0x0, 0x40, 20);
	rc = probe(&f, ADDR, &ops, &priv, err, sizeof(err));
	CHECK(rc == 0, "I/O-BAR notify capability first: probe refused: %s", err);
	if (rc == 0) {
		nt = (struct vpmd_notify){ 0 };
		rc = ops->queue_setup(priv, &vq, &nt, err, sizeof(err));
		CHECK(rc == 0 && nt.kick != NULL, "queue_setup: %d %s", rc, err);
		if (rc == 0 && nt.kick != NULL) {
			nt.kick(nt.cookie, 0x0203);
			CHECK(file16(DEVDIR "/resource4", 0x3000 + NOTIFY_MULT) == 0x0203,
			      "kick did not go to the memory notify structure");
		}
		ops->close(priv);
		printf("ok   notify capability on an I/O BAR skipped, the memory one used\n");
	}

	/* 65 pairs and a control queue: num_queues 131, the control queue is vq 130. */
	good(&f);
	put16(&f.common[0x12], 131);
	rc = probe(&f, ADDR, &ops, &priv, err, sizeof(err));
	CHECK(rc == 0, "probe: %s", err);
	if (rc == 0) {
		nt = (struct vpmd_notify){ 0 };
		vq.index = 130;
		err[0] = '\0';
		rc = ops->queue_setup(priv, &vq, &nt, err, sizeof(err));
		CHECK(rc == 0 && nt.kick != NULL, "control queue 130 of 131 refused: %d %s", rc,
		      err);
		vq.index = 131;
		CHECK(ops->queue_setup(priv, &vq, &nt, err, sizeof(err)) == -EINVAL,
		      "queue 131 of 131 accepted");
		vq.index = 0;
		ops->close(priv);
		printf("ok   control queue 130 of a 65-pair device set up\n");
	}

	/* A device whose queue_notify_off points past the notify structure (4.1.4.4). */
	good(&f);
	put16(&f.common[0x1e], 0x400); /* 0x400 * 4 = 0x1000: the 2-byte store would not fit */
	rc = probe(&f, ADDR, &ops, &priv, err, sizeof(err));
	CHECK(rc == 0, "probe: %s", err);
	if (rc == 0) {
		nt = (struct vpmd_notify){ 0 };
		err[0] = '\0';
		CHECK(ops->queue_setup(priv, &vq, &nt, err, sizeof(err)) == -EPROTO &&
			      nt.kick == NULL &&
			      strstr(err, "outside the 4096-byte notify structure"),
		      "notify offset outside the notify capability accepted (%s)", err);
		ops->close(priv);
		printf("ok   queue_notify_off outside the notify structure refused\n");
	}
}

static void
model_map(enum model m)
{
	int fd = open(DEVDIR "/resource4", O_RDWR);
	void *va = fd < 0 ? MAP_FAILED
			  : mmap(NULL, BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (fd >= 0)
		close(fd);
	CHECK(va != MAP_FAILED, "cannot map the fake BAR");
	model_bar = va == MAP_FAILED ? NULL : va;
	model = m;
}

static void
model_unmap(void)
{
	if (model_bar != NULL)
		munmap((void *)(uintptr_t)model_bar, BAR_SIZE);
	model_bar = NULL;
	model = MODEL_ECHO;
}

/* A device that misbehaves at run time, through the transport's ops. */
static void
test_device_model(void)
{
	static const uint16_t pairs[] = { 0, 65, 0x8000 };
	const struct vpmd_transport_ops *ops = NULL;
	void *priv = NULL;
	struct fake f;
	char err[512];
	unsigned int i;
	uint16_t v;
	int rc;

	/* The status never reads 0 after a reset: -ETIMEDOUT, and the device loses bus
	 * mastering so that it cannot DMA into memory the process no longer owns. */
	good(&f);
	rc = probe(&f, ADDR, &ops, &priv, err, sizeof(err));
	CHECK(rc == 0, "probe: %s", err);
	if (rc != 0)
		return;
	model_map(MODEL_STUCK);
	ops->set_status(priv, 0x0f, err, sizeof(err));
	err[0] = '\0';
	rc = ops->reset(priv, err, sizeof(err));
	CHECK(rc == -ETIMEDOUT && strstr(err, "status still 0xf"), "stuck reset: %d %s", rc, err);
	CHECK(strstr(err, "bus mastering disabled") != NULL, "stuck reset: '%s'", err);
	CHECK((file16(DEVDIR "/config", 4) & 0x4) == 0,
	      "bus mastering still on after a reset that failed (command 0x%x)",
	      file16(DEVDIR "/config", 4));
	CHECK(ops->get_status(priv) == 0x0f, "status 0x%x", ops->get_status(priv));
	model_unmap();
	ops->close(priv);
	printf("ok   status that never reads 0: reset fails, bus mastering off\n");

	/* FEATURES_OK still set after a reset: not a reset (4.1.4.3.2 wants 0). */
	good(&f);
	rc = probe(&f, ADDR, &ops, &priv, err, sizeof(err));
	CHECK(rc == 0, "probe: %s", err);
	if (rc != 0)
		return;
	model_map(MODEL_FOK_STICKY);
	ops->set_status(priv, 0x0b, err, sizeof(err));
	err[0] = '\0';
	rc = ops->reset(priv, err, sizeof(err));
	CHECK(rc == -ETIMEDOUT && strstr(err, "status still 0x8"), "FEATURES_OK sticky: %d %s", rc,
	      err);
	CHECK((file16(DEVDIR "/config", 4) & 0x4) == 0, "bus mastering still on");
	model_unmap();
	ops->close(priv);
	printf("ok   FEATURES_OK still set after a reset: reset fails\n");

	/* NEEDS_RESET right after DRIVER_OK: the transport reports it (the core then refuses
	 * to start, test_vpmd_lifecycle.c), and a reset clears it. */
	good(&f);
	rc = probe(&f, ADDR, &ops, &priv, err, sizeof(err));
	CHECK(rc == 0, "probe: %s", err);
	if (rc != 0)
		return;
	model_map(MODEL_NEEDS_RESET);
	ops->set_status(priv, 0x0f, err, sizeof(err));
	CHECK(ops->get_status(priv) == 0x4f, "status after DRIVER_OK 0x%x", ops->get_status(priv));
	CHECK(ops->reset(priv, err, sizeof(err)) == 0 && ops->get_status(priv) == 0,
	      "reset after NEEDS_RESET: %s", err);
	CHECK((file16(DEVDIR "/config", 4) & 0x4) == 0x4, "bus mastering off after a good reset");

	/* max_virtqueue_pairs (device config offset 8, 16 bits) as the device says it. */
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		model_bar[0x2000 + 8] = (uint8_t)pairs[i];
		model_bar[0x2000 + 9] = (uint8_t)(pairs[i] >> 8);
		v = 0xdead;
		CHECK(ops->read_config(priv, 8, &v, 2, err, sizeof(err)) == 0 && v == pairs[i],
		      "max_virtqueue_pairs %u read as %u", pairs[i], v);
	}
	model_unmap();
	ops->close(priv);
	printf("ok   NEEDS_RESET after DRIVER_OK reported, cleared by reset; max_virtqueue_pairs "
	       "0, 65, 0x8000 read\n");

	/* num_queues 0xffff (what 0x8000 pairs would need is 0x10001): the last index exists,
	 * none past it. */
	good(&f);
	put16(&f.common[0x12], 0xffff);
	rc = probe(&f, ADDR, &ops, &priv, err, sizeof(err));
	CHECK(rc == 0, "probe: %s", err);
	if (rc == 0) {
		CHECK(ops->queue_max_size(priv, 0xfffe) == 256, "queue 0xfffe of 0xffff missing");
		CHECK(ops->queue_max_size(priv, 0xffff) == 0, "queue 0xffff of 0xffff exists");
		ops->close(priv);
		printf("ok   num_queues 0xffff: queue 0xfffe exists, 0xffff does not\n");
	}
}

int
main(void)
{
	char tmpl[] = "/tmp/vpmd-pci-fake.XXXXXX";
	struct fake f;

	if (mkdtemp(tmpl) == NULL || chdir(tmpl) != 0) {
		perror("temporary folder");
		return 1;
	}
	test_good();
	test_device_model();

	good(&f);
	f.vendor = 0x8086;
	expect_refusal("wrong vendor", &f, -ENODEV, "not a virtio-net device");
	good(&f);
	f.device = 0x1042;
	expect_refusal("virtio-blk id", &f, -ENODEV, "not a virtio-net device");
	good(&f);
	f.driver = "virtio-pci";
	expect_refusal("bound to virtio-pci", &f, -EBUSY, "bind it to uio_pci_generic");
	good(&f);
	put16(&f.cfg[6], 0);
	expect_refusal("no capability list", &f, -ENODEV, "no PCI capability list");
	good(&f);
	f.cfg[0x7c + 1] = 0x40;
	expect_refusal("capability loop", &f, -EPROTO, "malformed PCI capability list");
	good(&f);
	f.cfg[0x54 + 1] = 0x20;
	expect_refusal("pointer into the header", &f, -EPROTO, "malformed PCI capability list");
	good(&f);
	add_cap(&f, 0x40, 0x54, 1, BAR, 0x3800, 0x1000, 16);
	expect_refusal("common outside its BAR", &f, -EPROTO, "outside BAR");
	good(&f);
	add_cap(&f, 0x68, 0x7c, 4, BAR, 0xfffff000u, 0x2000, 16);
	expect_refusal("device cfg offset overflow", &f, -EPROTO, "outside BAR");
	good(&f);
	add_cap(&f, 0x40, 0x54, 1, 7, 0, 0x1000, 16);
	expect_refusal("reserved BAR index", &f, -ENODEV, "no virtio common capability");
	good(&f);
	add_cap(&f, 0x7c, 0x00, 2, BAR, 0x3000, 0x1000, 16);
	expect_refusal("notify cap without multiplier", &f, -EPROTO,
		       "malformed virtio PCI capability");
	good(&f);
	add_cap(&f, 0x40, 0x54, 1, BAR, 0, 0x1000, 8);
	expect_refusal("capability shorter than 16", &f, -EPROTO,
		       "malformed virtio PCI capability");
	good(&f);
	add_cap(&f, 0x68, 0x7c, 4, 2, 0, 0x100, 16);
	expect_refusal("capability on an absent BAR", &f, -EPROTO, "not a memory BAR");
	good(&f);
	f.bar_size[0] = 0x40;
	f.bar_io[0] = true;
	add_cap(&f, 0x7c, 0x00, 2, 0, 0x0, 0x40, 20);
	expect_refusal("notify only on an I/O BAR", &f, -ENODEV,
		       "no virtio notify capability on a memory BAR");
	good(&f);
	add_cap(&f, 0x40, 0x54, 1, BAR, 0, 0x20, 16);
	expect_refusal("short common config", &f, -EPROTO, "common config is");
	good(&f);
	put16(&f.common[0x12], 1);
	expect_refusal("one virtqueue", &f, -EPROTO, "virtqueues");
	/* 4.1.4.4.1 / 4.1.4.6.1: a misaligned structure would fault on arm64 (SIGBUS). */
	good(&f);
	add_cap(&f, 0x40, 0x54, 1, BAR, 0x0001, 0x0fff, 16);
	expect_refusal("common config at an odd offset", &f, -EPROTO, "is not 4-byte aligned");
	good(&f);
	add_cap(&f, 0x40, 0x54, 1, BAR, 0x0002, 0x0ffe, 16);
	expect_refusal("common config 2 mod 4", &f, -EPROTO, "is not 4-byte aligned");
	good(&f);
	add_cap(&f, 0x68, 0x7c, 4, BAR, 0x2002, 0x0ffe, 16);
	expect_refusal("device config 2 mod 4", &f, -EPROTO, "is not 4-byte aligned");
	good(&f);
	add_cap(&f, 0x7c, 0x00, 2, BAR, 0x3001, 0x0fff, 20);
	expect_refusal("notify at an odd offset", &f, -EPROTO, "is not 2-byte aligned");
	good(&f);
	put32(&f.cfg[0x7c + 16], 3);
	put16(&f.common[0x1e], 1);
	expect_refusal("notify multiplier 3", &f, -EPROTO, "notify_off_multiplier 3 is neither");
	good(&f);
	put32(&f.cfg[0x7c + 16], 1);
	expect_refusal("notify multiplier 1", &f, -EPROTO, "notify_off_multiplier 1 is neither");
	good(&f);
	put32(&f.cfg[0x7c + 16], 12);
	expect_refusal("notify multiplier 12", &f, -EPROTO, "notify_off_multiplier 12 is neither");
	good(&f);
	put32(&f.cfg[0x7c + 16], 0);
	expect_refusal("notify multiplier 0 (one shared address)", &f, 0, "");
	good(&f);
	{
		const struct vpmd_transport_ops *ops;
		void *priv;
		char err[256];
		int rc = probe(&f, "0000:00:01", &ops, &priv, err, sizeof(err));

		CHECK(rc == -EINVAL && strstr(err, "not a PCI address"), "bad address: %d %s", rc,
		      err);
		rc = probe(&f, "0000:00:02.0", &ops, &priv, err, sizeof(err));
		CHECK(rc == -ENODEV && strstr(err, "no such PCI device"), "absent device: %d %s",
		      rc, err);
		printf("ok   bad and absent addresses refused\n");
	}

	if (system("rm -rf fake-sysfs") != 0) { /* best effort */
	}
	if (chdir("/") == 0)
		rmdir(tmpl);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
