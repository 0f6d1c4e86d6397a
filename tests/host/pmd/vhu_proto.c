/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user transport test, independent of the driver core: drives the transport ops
 * (pmd/transport/vhost_user/) directly against `dpdk-testpmd --vdev net_vhost0,...` in io
 * forward mode (loop topology), with a hand-made split ring pair: one packet goes out on
 * tx queue 1 and must come back, byte for byte, in the buffer posted on rx queue 0. That
 * proves the memory table, ring addresses, kick fds and enable sequence are right.
 *
 * Also checks: negotiation (protocol features, emulated config), VQ_PAIRS_SET through
 * ctrl_cmd, reset (GET_VRING_BASE) and the clear error for a missing socket.
 *
 * usage: vhu_proto SOCKET [EAL args...]     (run by run-loopback.sh)
 * exit: 0 pass, 1 fail, 77 cannot run (hugepages).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memzone.h>
#include <rte_pause.h>

#include "vpmd.h"
#include "vpmd_transport.h"
#include "vpmd_spec.h"

#define RING    256
#define BUF     2048
#define PKT_LEN 98

#define FAIL(...)                                      \
	do {                                           \
		fprintf(stderr, "FAIL: " __VA_ARGS__); \
		fputc('\n', stderr);                   \
		goto out;                              \
	} while (0)

struct ring {
	struct vpmd_vring_desc *desc;
	struct vpmd_vring_avail *avail;
	struct vpmd_vring_used *used;
	struct vpmd_notify notify;
	uint16_t index;
};

static void
ring_init(struct ring *r, uint8_t *mem, uint16_t index)
{
	memset(mem, 0, 3 * 4096);
	r->desc = (void *)mem;
	r->avail = (void *)(mem + 4096);
	r->used = (void *)(mem + 8192);
	r->avail->flags = VPMD_AVAIL_F_NO_INTERRUPT;
	r->index = index;
}

static struct vpmd_vq_layout
ring_layout(struct ring *r)
{
	struct vpmd_vq_layout l = {
		.index = r->index,
		.size = RING,
		.packed = false,
		.desc = r->desc,
		.driver = r->avail,
		.device = r->used,
		.desc_iova = (uintptr_t)r->desc,
		.driver_iova = (uintptr_t)r->avail,
		.device_iova = (uintptr_t)r->used,
	};
	return l;
}

static void
ring_post(struct ring *r, void *buf, uint32_t len, bool device_writes)
{
	uint16_t slot = r->avail->idx % RING;

	r->desc[slot].addr = (uintptr_t)buf;
	r->desc[slot].len = len;
	r->desc[slot].flags = device_writes ? VPMD_DESC_F_WRITE : 0;
	r->avail->ring[slot] = slot;
	/* descriptor before index: the backend reads the index first */
	__atomic_store_n(&r->avail->idx, (uint16_t)(r->avail->idx + 1), __ATOMIC_RELEASE);
	if (!(__atomic_load_n(&r->used->flags, __ATOMIC_ACQUIRE) & VPMD_USED_F_NO_NOTIFY))
		r->notify.kick(r->notify.cookie, r->index);
}

static bool
ring_wait_used(struct ring *r, uint16_t want, unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;

	while (__atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE) != want) {
		if (rte_get_timer_cycles() > end)
			return false;
		rte_pause();
	}
	return true;
}

int
main(int argc, char **argv)
{
	const struct vpmd_transport_ops *ops = NULL;
	void *priv = NULL;
	const struct rte_memzone *mz;
	char err[256], spec[300];
	struct ring rx, tx;
	uint8_t *mem, *rxbuf, *txbuf;
	uint64_t features, want;
	struct vpmd_net_config cfg;
	struct vpmd_vq_layout l;
	const char *sock;
	uint16_t pairs;
	int rc, ret = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s SOCKET [EAL args]\n", argv[0]);
		return 1;
	}
	sock = argv[1];
	argv[1] = argv[0];
	if (rte_eal_init(argc - 1, argv + 1) < 0) {
		printf("cannot init EAL with hugepages (%s): need root, /dev/hugepages mounted and "
		       "free 2 MB pages\n",
		       rte_strerror(rte_errno));
		return 77;
	}

	/* 1. A missing socket: the one-line error that says what to start. */
	rc = vpmd_vhost_user_probe("/nonexistent/vhu-missing.sock", &ops, &priv, err, sizeof(err));
	if (rc == 0 || strstr(err, "no vhost-user backend at /nonexistent/vhu-missing.sock: "
				   "start one") == NULL)
		FAIL("missing socket: rc %d err '%s'", rc, err);
	printf("ok: missing socket -> %s\n", err);
	rc = vpmd_vhost_user_probe("/tmp/x.sock,bogus=1", &ops, &priv, err, sizeof(err));
	if (rc == 0 || strstr(err, "bad option 'bogus=1'") == NULL)
		FAIL("bad option: rc %d err '%s'", rc, err);
	printf("ok: bad option -> %s\n", err);

	/* 2. Probe and negotiate. */
	snprintf(spec, sizeof(spec), "%s,mac=02:00:00:00:00:42,mtu=1500", sock);
	rc = vpmd_vhost_user_probe(spec, &ops, &priv, err, sizeof(err));
	if (rc < 0)
		FAIL("probe: %s", err);
	features = ops->get_features(priv);
	printf("device features 0x%" PRIx64 "\n", features);
	want = VPMD_F_VERSION_1 | VPMD_F_MAC | VPMD_F_CTRL_VQ | VPMD_F_MTU;
	if ((features & want) != want)
		FAIL("features 0x%" PRIx64 " lack VERSION_1/MAC/CTRL_VQ/MTU", features);
	if (ops->read_config(priv, 0, &cfg, sizeof(cfg), err, sizeof(err)) < 0)
		FAIL("read_config: %s", err);
	if (memcmp(cfg.mac, "\x02\x00\x00\x00\x00\x42", 6) != 0 ||
	    (rte_le_to_cpu_16(cfg.status) & VPMD_NET_S_LINK_UP) == 0 ||
	    rte_le_to_cpu_16(cfg.max_virtqueue_pairs) < 1 || rte_le_to_cpu_16(cfg.mtu) != 1500)
		FAIL("config: mac/status/pairs/mtu wrong");
	if (ops->read_config(priv, 20, &cfg, 8, err, sizeof(err)) == 0)
		FAIL("read_config past the end accepted");
	pairs = rte_le_to_cpu_16(cfg.max_virtqueue_pairs);
	printf("ok: config mac 02:00:00:00:00:42, link up, %u pair(s), mtu 1500\n", pairs);

	if (ops->reset(priv, err, sizeof(err)) < 0)
		FAIL("reset: %s", err);
	ops->set_status(priv, VPMD_STATUS_ACKNOWLEDGE | VPMD_STATUS_DRIVER, err, sizeof(err));
	want = VPMD_F_VERSION_1 | VPMD_F_MAC | VPMD_F_STATUS | VPMD_F_CTRL_VQ |
	       (features & VPMD_F_MQ);
	if (ops->set_features(priv, want | VPMD_F_ACCESS_PLATFORM, err, sizeof(err)) == 0)
		FAIL("set_features accepted ACCESS_PLATFORM, which the transport does not offer");
	printf("ok: ACCESS_PLATFORM refused -> %s\n", err);
	if (ops->set_features(priv, want, err, sizeof(err)) < 0)
		FAIL("set_features 0x%" PRIx64 ": %s", want, err);
	ops->set_status(priv,
			VPMD_STATUS_ACKNOWLEDGE | VPMD_STATUS_DRIVER | VPMD_STATUS_FEATURES_OK, err,
			sizeof(err));
	if (!(ops->get_status(priv) & VPMD_STATUS_FEATURES_OK))
		FAIL("FEATURES_OK did not stick");
	if (ops->queue_max_size(priv, 0) < RING ||
	    ops->queue_max_size(priv, (uint16_t)vpmd_cvq(pairs)) != 0)
		FAIL("queue_max_size");

	/* 3. Rings and buffers in one hugepage memzone (shared with the backend by the table). */
	mz = rte_memzone_reserve_aligned("vhu_proto", 6 * 4096 + 2 * BUF, SOCKET_ID_ANY, 0, 4096);
	if (mz == NULL)
		FAIL("memzone: %s", rte_strerror(rte_errno));
	mem = mz->addr;
	ring_init(&rx, mem, 0);
	ring_init(&tx, mem + 3 * 4096, 1);
	rxbuf = mem + 6 * 4096;
	txbuf = rxbuf + BUF;
	l = ring_layout(&rx);
	if (ops->queue_setup(priv, &l, &rx.notify, err, sizeof(err)) < 0)
		FAIL("queue_setup rx: %s", err);
	l = ring_layout(&tx);
	if (ops->queue_setup(priv, &l, &tx.notify, err, sizeof(err)) < 0)
		FAIL("queue_setup tx: %s", err);
	rc = ops->set_status(priv,
			     VPMD_STATUS_ACKNOWLEDGE | VPMD_STATUS_DRIVER |
				     VPMD_STATUS_FEATURES_OK | VPMD_STATUS_DRIVER_OK,
			     err, sizeof(err));
	if (rc < 0 || (ops->get_status(priv) & VPMD_STATUS_NEEDS_RESET))
		FAIL("DRIVER_OK: enabling the rings failed: %s", err);
	if (features & VPMD_F_MQ) {
		uint16_t one = 1, too_many = (uint16_t)(pairs + 1);

		rc = ops->ctrl_cmd(priv, VPMD_CTRL_CLS_MQ, VPMD_CTRL_MQ_VQ_PAIRS_SET, &one, 2, err,
				   sizeof(err));
		if (rc != VPMD_CTRL_OK)
			FAIL("VQ_PAIRS_SET 1: %d %s", rc, err);
		rc = ops->ctrl_cmd(priv, VPMD_CTRL_CLS_MQ, VPMD_CTRL_MQ_VQ_PAIRS_SET, &too_many, 2,
				   err, sizeof(err));
		if (rc == VPMD_CTRL_OK)
			FAIL("VQ_PAIRS_SET %u accepted", too_many);
	}
	printf("ok: rings set up and enabled\n");

	/* 4. One packet out on tx 1, back on rx 0 (testpmd io forward, loop topology). */
	memset(rxbuf, 0xee, BUF);
	ring_post(&rx, rxbuf, BUF, true);
	memset(txbuf, 0, VPMD_NET_HDR_SIZE);
	for (unsigned int i = 0; i < PKT_LEN; i++)
		txbuf[VPMD_NET_HDR_SIZE + i] = (uint8_t)(i * 7 + 3);
	memset(txbuf + VPMD_NET_HDR_SIZE, 0xff, 6); /* broadcast dst, any src */
	/* EtherType 0x88b5, local experimental */
	txbuf[VPMD_NET_HDR_SIZE + 12] = 0x88;
	txbuf[VPMD_NET_HDR_SIZE + 13] = 0xb5;
	ring_post(&tx, txbuf, VPMD_NET_HDR_SIZE + PKT_LEN, false);
	if (!ring_wait_used(&tx, 1, 3000))
		FAIL("tx: backend did not consume the packet within 3 s (used idx %u)",
		     tx.used->idx);
	if (!ring_wait_used(&rx, 1, 3000))
		FAIL("rx: packet did not come back within 3 s (testpmd not in io mode?)");
	if (rx.used->ring[0].id != 0 || rx.used->ring[0].len != VPMD_NET_HDR_SIZE + PKT_LEN)
		FAIL("rx used elem id %u len %u, want 0 and %u", rx.used->ring[0].id,
		     rx.used->ring[0].len, VPMD_NET_HDR_SIZE + PKT_LEN);
	if (memcmp(rxbuf + VPMD_NET_HDR_SIZE, txbuf + VPMD_NET_HDR_SIZE, PKT_LEN) != 0)
		FAIL("rx payload differs from what was sent");
	printf("ok: packet looped through the backend intact (%u bytes)\n", PKT_LEN);

	/* 5. Reset stops the rings (GET_VRING_BASE answered for each). */
	if (ops->reset(priv, err, sizeof(err)) < 0)
		FAIL("reset: %s", err);
	if (ops->get_status(priv) != 0)
		FAIL("status after reset");
	if (ops->queue_release(priv, 0, err, sizeof(err)) < 0 ||
	    ops->queue_release(priv, 1, err, sizeof(err)) < 0)
		FAIL("queue_release: %s", err);
	printf("ok: reset\n");
	ret = 0;
out:
	if (priv)
		ops->close(priv);
	rte_eal_cleanup();
	printf("%s\n", ret == 0 ? "PASS" : "FAILED");
	return ret;
}
