/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user frontend transport: we connect to a backend that listens on a unix socket
 * (e.g. `dpdk-testpmd --vdev net_vhost0,iface=PATH`), or with server=1 listen there for
 * one to connect (`net_vhost0,iface=PATH,client=1`), and hand it our rings and our hugepage
 * memory. Protocol: QEMU docs/interop/vhost-user.rst; the device model
 * on top is virtio 1.2 (net device, 5.1).
 *
 * Spec string (what follows "vhost-user:" in vpmd_open):
 *     PATH[,queues=N][,mac=XX:XX:XX:XX:XX:XX][,mtu=N][,timeout_ms=N][,server=0|1]
 *   queues      queue pairs the device shows (default 1; at most what GET_QUEUE_NUM says,
 *               which is only the backend's ceiling: give the backend's own queues= here)
 *   mac         MAC reported in the emulated config space (default: locally administered,
 *               derived from PATH so that two ports on different sockets differ)
 *   mtu         offers VIRTIO_NET_F_MTU with this value (default: MTU not offered)
 *   timeout_ms  bound on every reply from the backend (default 5000); with server=1 also
 *               how long vpmd_open waits for the first backend to connect
 *   server      1: listen on PATH (a stale socket file is replaced, the file is removed at
 *               close) and accept the backend's connection; default 0 (connect to PATH)
 *
 * Reconnect (vpmd_poll() drives it): a lost connection (hang-up, socket error, a reply
 * that never came, an unsolicited message) reads as conn_lost. conn_release closes it and
 * forgets the rings without a message; the rings and buffers count as released once the
 * backend's process (SO_PEERCRED at connect) exited (its pidfd is readable) or no longer
 * maps any file of the memory table (/proc/PID/maps). reconnect connects again (client:
 * connect; server: a non-blocking accept) and repeats the handshake and the queues= check;
 * the core renegotiates on top.
 *
 * What the frontend emulates, because a vhost-user net backend has none of it:
 *   - device status (ACKNOWLEDGE..DRIVER_OK): kept here; DRIVER_OK enables the rings;
 *   - config space (mac, status, max_virtqueue_pairs, mtu);
 *   - the control queue (ops->ctrl_cmd): VQ_PAIRS_SET becomes SET_VRING_ENABLE.
 *
 * EAL requirements: hugepage memory shared by fd (--single-file-segments keeps the region
 * count within the protocol's 8), and --iova-mode=va since the backend resolves ring and
 * buffer addresses through our virtual addresses (uses_va). The memory table goes out at
 * queue set-up: create every mempool whose mbufs the device will see before
 * vpmd_configure (memory that appears later is unknown to the backend until the next
 * vpmd_stop/vpmd_start; a warning says so), or pre-allocate with EAL -m.
 *
 * Layers: this file is the emulated device (status, config space, control queue, the ops
 * table, spec parsing, probe); vhu_msg.c speaks the wire protocol, vhu_mem.c keeps the
 * memory table. Everything is control path (main lcore) except vhu_kick(), which the
 * fast path calls only when the device asked for a notification.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_log.h>

#include "vpmd.h"
#include "vpmd_transport.h"
#include "vhu_internal.h"

RTE_LOG_REGISTER(vhu_logtype, pmd.net.vpmd.vhost_user, NOTICE);

#define VHU_SPEC_USAGE     "use vhost-user:/path/to.sock[,queues=N,mac=..,mtu=N,server=1]"
#define VHU_SPEC_MAX       512
#define VHU_TIMEOUT_MS_MAX 600000

/* ---- transport ops ------------------------------------------------------------------ */

/* Features a vhost-user net device has only because the frontend emulates them. */
#define VHU_EMULATED_FEATURES (VPMD_F_MAC | VPMD_F_STATUS | VPMD_F_CTRL_VQ | VPMD_F_MTU)

static uint64_t
vhu_get_features(void *priv)
{
	struct vhu_dev *d = priv;
	uint64_t f = d->backend_features & ~VHU_F_PROTOCOL_FEATURES;

	/* No IOTLB support: the backend reaches our memory through the table only. */
	f &= ~VPMD_F_ACCESS_PLATFORM;
	f |= VPMD_F_MAC | VPMD_F_STATUS | VPMD_F_CTRL_VQ;
	/* The emulated control queue carries VQ_PAIRS_SET only, and CTRL_VQ never reaches
	 * the backend: it must not get a feature that depends on it [5.1.3.1]. */
	f &= ~VPMD_F_CTRL_GUEST_OFFLOADS;
	if (d->mtu_offered)
		f |= VPMD_F_MTU;
	else
		f &= ~VPMD_F_MTU;
	if (!(d->protocol_features & VHU_PROTOCOL_F_MQ))
		f &= ~VPMD_F_MQ;
	return f;
}

static int
vhu_set_features(void *priv, uint64_t features, char *err, size_t errlen)
{
	struct vhu_dev *d = priv;
	uint64_t offered = vhu_get_features(d);
	uint64_t to_backend;
	int rc;

	if (features & ~offered) {
		vpmd_set_err(err, errlen,
			     "vhost-user %s: driver asked for features 0x%" PRIx64
			     " the device does not offer",
			     d->path, features & ~offered);
		return -EINVAL;
	}
	/* The control queue stays in the frontend; emulated config bits go only where offered. */
	to_backend = features & ~VPMD_F_CTRL_VQ;
	to_backend &= ~(VHU_EMULATED_FEATURES & ~d->backend_features);
	to_backend |= d->backend_features & VHU_F_PROTOCOL_FEATURES;
	rc = vhu_set_u64(d, VHU_SET_FEATURES, to_backend, err, errlen);
	if (rc < 0)
		return rc;
	d->driver_features = features;
	return 0;
}

static uint8_t
vhu_get_status(void *priv)
{
	struct vhu_dev *d = priv;

	if (d->status != 0 && !vhu_conn_alive(d))
		return d->status | VPMD_STATUS_NEEDS_RESET;
	return d->status;
}

static int
vhu_vring_enable(struct vhu_dev *d, uint16_t vq, bool on, char *err, size_t errlen)
{
	int rc;

	if (!d->q[vq].set_up || d->q[vq].enabled == on)
		return 0;
	/* Without the protocol-feature extension a ring runs from its kick on; nothing to send. */
	if (d->backend_features & VHU_F_PROTOCOL_FEATURES) {
		rc = vhu_set_state(d, VHU_SET_VRING_ENABLE, vq, on ? 1 : 0, err, errlen);
		if (rc < 0)
			return rc;
	}
	d->q[vq].enabled = on;
	return 0;
}

/* Enable the rings of pairs below active_pairs, disable the rest (only once DRIVER_OK). */
static int
vhu_apply_pairs(struct vhu_dev *d, char *err, size_t errlen)
{
	for (uint16_t p = 0; p < d->max_pairs; p++) {
		bool on = p < d->active_pairs && (d->status & VPMD_STATUS_DRIVER_OK);
		int rc;

		rc = vhu_vring_enable(d, (uint16_t)vpmd_rxvq(p), on, err, errlen);
		if (rc == 0)
			rc = vhu_vring_enable(d, (uint16_t)vpmd_txvq(p), on, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
vhu_set_status(void *priv, uint8_t status, char *err, size_t errlen)
{
	struct vhu_dev *d = priv;
	uint8_t old = d->status;
	int rc;

	d->status = status;
	/* The rings go live at DRIVER_OK, not at queue setup (virtio 1.2, 3.1.1 step 8). */
	if (!(status & VPMD_STATUS_DRIVER_OK) || (old & VPMD_STATUS_DRIVER_OK))
		return 0;
	rc = vhu_apply_pairs(d, err, errlen);
	if (rc < 0)
		d->status |= VPMD_STATUS_NEEDS_RESET;
	return rc;
}

/*
 * GET_VRING_BASE stops a ring: once the backend replies it no longer touches the ring,
 * so the driver may reclaim the buffers and free the memory.
 */
static int
vhu_vring_stop(struct vhu_dev *d, uint16_t vq, char *err, size_t errlen)
{
	struct vhu_vring_state s = { .index = vq, .num = 0 };
	struct vhu_vring_state reply;
	int rc;

	if (!d->q[vq].set_up)
		return 0;
	rc = vhu_vring_enable(d, vq, false, err, errlen);
	if (rc == 0)
		rc = vhu_query(d, VHU_GET_VRING_BASE, &s, sizeof(s), &reply, sizeof(reply), err,
			       errlen);
	if (rc == 0 && reply.index != vq) {
		d->broken = true;
		vpmd_set_err(err, errlen,
			     "vhost-user %s: GET_VRING_BASE for ring %u answered for "
			     "ring %" PRIu32,
			     d->path, vq, reply.index);
		rc = -EPROTO;
	}
	/* Forgotten either way; a ring that did not stop stays the backend's (at_risk). */
	d->at_risk |= rc != 0;
	d->q[vq].set_up = false;
	d->q[vq].enabled = false;
	return rc;
}

/*
 * Stops every ring; the first failure is the one reported. A backend we cannot talk to
 * cannot be using our rings either once it is gone, but we cannot prove that: report the
 * failure so the caller keeps the memory.
 */
static int
vhu_reset(void *priv, char *err, size_t errlen)
{
	struct vhu_dev *d = priv;
	char why[192] = "";
	int first_rc = 0;

	d->status = 0;
	d->active_pairs = 1;
	if (d->at_risk && !vhu_peer_released(d, why, sizeof(why))) {
		vpmd_set_err(err, errlen, "%s", why);
		return -EIO;
	}
	d->at_risk = false;
	for (uint16_t vq = 0; vq < VHU_MAX_VQS; vq++) {
		int rc;

		if (!d->q[vq].set_up)
			continue;
		rc = vhu_vring_stop(d, vq, first_rc == 0 ? err : NULL, errlen);
		if (rc < 0 && first_rc == 0)
			first_rc = rc;
	}
	return first_rc;
}

static int
vhu_read_config(void *priv, uint32_t offset, void *buf, uint32_t len, char *err, size_t errlen)
{
	struct vhu_dev *d = priv;
	struct vpmd_net_config_full cfg;

	if (offset > sizeof(cfg) || len > sizeof(cfg) - offset) {
		vpmd_set_err(err, errlen,
			     "vhost-user %s: config read of %" PRIu32 " bytes at %" PRIu32
			     " lies outside the %zu-byte config space",
			     d->path, len, offset, sizeof(cfg));
		return -EINVAL;
	}
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.net.mac, d->mac.addr_bytes, sizeof(cfg.net.mac));
	cfg.net.status = vhu_conn_alive(d) ? VPMD_NET_S_LINK_UP : 0;
	cfg.net.max_virtqueue_pairs = d->max_pairs;
	cfg.net.mtu = d->mtu;
	cfg.speed = VPMD_NET_SPEED_UNKNOWN;
	cfg.duplex = VPMD_NET_DUPLEX_UNKNOWN;
	memcpy(buf, (const uint8_t *)&cfg + offset, len);
	return 0;
}

static uint8_t
vhu_config_generation(void *priv __rte_unused)
{
	return 0; /* the emulated config never changes under the driver */
}

static uint16_t
vhu_queue_max_size(void *priv, uint16_t vq_index)
{
	struct vhu_dev *d = priv;

	/* Data queues only: the control queue is emulated (ctrl_cmd), never a ring. */
	return vq_index < vpmd_cvq(d->max_pairs) ? VPMD_RING_SIZE_MAX : 0;
}

/* Fast path: one syscall, only when the device asked to be notified. */
static void
vhu_kick(void *cookie, uint16_t vq_index)
{
	struct vhu_dev *d = cookie;
	const uint64_t one = 1;
	ssize_t n;

	n = write(d->q[vq_index].kick_fd, &one, sizeof(one));
	(void)n; /* EAGAIN means the counter is already non-zero: the backend will look anyway */
}

static void
vhu_queue_close_fds(struct vhu_dev *d, uint16_t vq)
{
	struct vhu_queue *q = &d->q[vq];
	uint64_t calls = 0;

	/*
	 * The call fd's counter sums the backend's interrupts: a polled driver suppresses them
	 * (NO_INTERRUPT / used_event / event flags DISABLE), and each one costs the backend a
	 * syscall, so a large count here is a driver bug worth a look.
	 */
	if (q->call_fd >= 0 && read(q->call_fd, &calls, sizeof(calls)) == (ssize_t)sizeof(calls) &&
	    calls > 0)
		VHU_LOG(INFO, "%s: ring %u closed after %" PRIu64 " interrupt(s) from the backend",
			d->path, vq, calls);
	if (q->kick_fd >= 0)
		close(q->kick_fd);
	if (q->call_fd >= 0)
		close(q->call_fd);
	q->kick_fd = -1;
	q->call_fd = -1;
}

static int
vhu_queue_check(const struct vhu_dev *d, const struct vpmd_vq_layout *vq, char *err, size_t errlen)
{
	if (vq->index >= vpmd_cvq(d->max_pairs) || vq->size == 0 || vq->size > VPMD_RING_SIZE_MAX ||
	    (!vq->packed && (vq->size & (vq->size - 1)) != 0)) {
		vpmd_set_err(err, errlen,
			     "vhost-user %s: bad queue %u size %u (max %u queues, "
			     "size <= %u, power of 2 for split)",
			     d->path, vq->index, vq->size, vpmd_cvq(d->max_pairs),
			     VPMD_RING_SIZE_MAX);
		return -EINVAL;
	}
	if (!!vq->packed != !!(d->driver_features & VPMD_F_RING_PACKED)) {
		vpmd_set_err(err, errlen,
			     "vhost-user %s: queue %u layout (%s) disagrees with the "
			     "negotiated features",
			     d->path, vq->index, vq->packed ? "packed" : "split");
		return -EINVAL;
	}
	return 0;
}

/* SET_VRING_CALL, _NUM, _BASE, _ADDR, then _KICK: the ring as the backend must see it. */
static int
vhu_vring_describe(struct vhu_dev *d, const struct vpmd_vq_layout *vq, char *err, size_t errlen)
{
	struct vhu_queue *q = &d->q[vq->index];
	struct vhu_vring_addr addr;
	int rc;

	/* We never wait for interrupts, but backends insist on a valid call fd per ring. */
	rc = vhu_set_fd(d, VHU_SET_VRING_CALL, vq->index, q->call_fd, err, errlen);
	if (rc == 0)
		rc = vhu_set_state(d, VHU_SET_VRING_NUM, vq->index, vq->size, err, errlen);
	/* Both sides start at index 0; a packed ring also starts with wrap counter 1. */
	if (rc == 0)
		rc = vhu_set_state(d, VHU_SET_VRING_BASE, vq->index,
				   vq->packed ? VHU_PACKED_BASE_FRESH : 0, err, errlen);
	if (rc == 0) {
		memset(&addr, 0, sizeof(addr));
		addr.index = vq->index;
		addr.desc_user_addr = (uintptr_t)vq->desc;
		addr.used_user_addr = (uintptr_t)vq->device;
		addr.avail_user_addr = (uintptr_t)vq->driver;
		rc = vhu_request(d, VHU_SET_VRING_ADDR, &addr, sizeof(addr), NULL, 0, err, errlen);
	}
	/* The kick fd comes last: the backend treats it as "ring fully described". */
	if (rc == 0)
		rc = vhu_set_fd(d, VHU_SET_VRING_KICK, vq->index, q->kick_fd, err, errlen);
	return rc;
}

static int
vhu_queue_setup(void *priv, const struct vpmd_vq_layout *vq, struct vpmd_notify *notify, char *err,
		size_t errlen)
{
	struct vhu_dev *d = priv;
	struct vhu_queue *q;
	int rc, e;

	rc = vhu_queue_check(d, vq, err, errlen);
	if (rc < 0)
		return rc;
	q = &d->q[vq->index];
	if (q->set_up) {
		rc = vhu_vring_stop(d, vq->index, err, errlen);
		if (rc < 0)
			goto fail;
	}
	vhu_queue_close_fds(d, vq->index);

	/* Rings and buffers must lie in memory the backend has mapped. */
	rc = vhu_mem_sync(d, err, errlen);
	if (rc < 0)
		goto fail;

	q->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	q->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->call_fd < 0 || q->kick_fd < 0) {
		e = errno;
		vpmd_set_err(err, errlen,
			     "vhost-user %s: eventfd for queue %u: %s (fd limit? "
			     "ulimit -n)",
			     d->path, vq->index, strerror(e));
		rc = -e;
		goto fail;
	}
	rc = vhu_vring_describe(d, vq, err, errlen);
	if (rc < 0)
		goto fail;
	q->set_up = true;
	q->enabled = false;
	if (d->status & VPMD_STATUS_DRIVER_OK) {
		rc = vhu_vring_enable(d, vq->index, vpmd_vq_pair(vq->index) < d->active_pairs, err,
				      errlen);
		if (rc < 0)
			goto fail;
	}
	notify->kick = vhu_kick;
	notify->cookie = d;
	return 0;
fail:
	if (!q->set_up)
		vhu_queue_close_fds(d, vq->index);
	return rc;
}

static int
vhu_queue_release(void *priv, uint16_t vq_index, char *err, size_t errlen)
{
	struct vhu_dev *d = priv;
	int rc = 0;

	if (vq_index >= VHU_MAX_VQS)
		return 0;
	if (d->q[vq_index].set_up)
		rc = vhu_vring_stop(d, vq_index, err, errlen);
	vhu_queue_close_fds(d, vq_index);
	return rc;
}

static int
vhu_ctrl_cmd(void *priv, uint8_t cls, uint8_t cmd, const void *data, uint32_t len, char *err,
	     size_t errlen)
{
	struct vhu_dev *d = priv;
	uint16_t pairs, old;
	int rc;

	if (cls != VPMD_CTRL_CLS_MQ || cmd != VPMD_CTRL_MQ_VQ_PAIRS_SET || len != sizeof(pairs))
		return VPMD_CTRL_ERR;
	memcpy(&pairs, data, sizeof(pairs));
	if (!(d->driver_features & VPMD_F_MQ) || pairs < VPMD_MQ_PAIRS_MIN || pairs > d->max_pairs)
		return VPMD_CTRL_ERR;
	old = d->active_pairs;
	d->active_pairs = pairs;
	rc = vhu_apply_pairs(d, err, errlen);
	if (rc < 0) {
		d->active_pairs = old;
		return rc;
	}
	return VPMD_CTRL_OK;
}

static void
vhu_close(void *priv)
{
	struct vhu_dev *d = priv;

	if (d == NULL)
		return;
	vhu_mem_unwatch(d);
	for (uint16_t vq = 0; vq < VHU_MAX_VQS; vq++)
		vhu_queue_close_fds(d, vq);
	/* Closing the socket is what tells the backend the device is gone. */
	if (d->sock >= 0)
		close(d->sock);
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		unlink(d->path);
	}
	if (d->peer_pidfd >= 0)
		close(d->peer_pidfd);
	free(d);
}

/* ---- reconnect --------------------------------------------------------------------- */

static bool
vhu_conn_lost(void *priv)
{
	return !vhu_conn_alive(priv);
}

/* Forget the backend's rings without a message and close the connection; the emulated
 * device reads as reset, and the next connection gets the memory table again. */
static void
vhu_drop(struct vhu_dev *d)
{
	for (uint16_t vq = 0; vq < VHU_MAX_VQS; vq++) {
		d->at_risk |= d->q[vq].set_up;
		d->q[vq].set_up = false;
		d->q[vq].enabled = false;
		vhu_queue_close_fds(d, vq);
	}
	vhu_disconnect(d);
	d->status = 0;
	d->active_pairs = 1;
	d->mem_valid = false;
	d->protocol_features = 0;
}

static int
vhu_conn_release(void *priv, char *why, size_t whylen)
{
	struct vhu_dev *d = priv;

	if (d->sock >= 0)
		vhu_drop(d);
	if (d->at_risk && !vhu_peer_released(d, why, whylen))
		return 0;
	d->at_risk = false;
	return 1;
}

static int vhu_handshake(struct vhu_dev *d, char *err, size_t errlen);
static int vhu_check_queue_num(struct vhu_dev *d, uint16_t queues_cap, char *err, size_t errlen);

static int
vhu_reconnect(void *priv, char *err, size_t errlen)
{
	struct vhu_dev *d = priv;
	int rc;

	if (vhu_conn_alive(d))
		return 0;
	if (d->sock >= 0 || d->at_risk) {
		vpmd_set_err(err, errlen,
			     "vhost-user %s: reconnect before the old connection "
			     "was released",
			     d->path);
		return -EBUSY;
	}
	if (d->server) {
		rc = vhu_accept(d, 0, err, errlen);
	} else {
		rc = vhu_connect(d, err, errlen);
		if (rc == -ENOENT || rc == -ECONNREFUSED)
			rc = -EAGAIN;
	}
	if (rc < 0)
		return rc;
	d->max_pairs = 1;
	rc = vhu_handshake(d, err, errlen);
	if (rc == 0)
		rc = vhu_check_queue_num(d, d->queues_cap, err, errlen);
	if (rc < 0) {
		vhu_disconnect(d);
		return rc == -EAGAIN ? -EPROTO : rc;
	}
	VHU_LOG(INFO,
		"%s: reconnected (backend pid %d): features 0x%" PRIx64 " protocol 0x%" PRIx64,
		d->path, d->peer_pid, d->backend_features, d->protocol_features);
	return 0;
}

static const struct vpmd_transport_ops vhu_ops = {
	.name = "vhost-user",
	.get_features = vhu_get_features,
	.set_features = vhu_set_features,
	.get_status = vhu_get_status,
	.set_status = vhu_set_status,
	.reset = vhu_reset,
	.read_config = vhu_read_config,
	.config_generation = vhu_config_generation,
	.queue_max_size = vhu_queue_max_size,
	.queue_setup = vhu_queue_setup,
	.queue_release = vhu_queue_release,
	.ctrl_cmd = vhu_ctrl_cmd,
	.conn_lost = vhu_conn_lost,
	.conn_release = vhu_conn_release,
	.reconnect = vhu_reconnect,
	.uses_va = true,
	.close = vhu_close,
};

/* ---- probe ------------------------------------------------------------------------- */

static int
vhu_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* One "key=val" option of the spec; -EINVAL when the key is unknown or the value bad. */
static int
vhu_parse_option(struct vhu_dev *d, const char *key, const char *val, uint16_t *queues_cap,
		 bool *mac_given)
{
	unsigned long v;

	if (strcmp(key, "queues") == 0) {
		if (vhu_parse_uint(val, VPMD_MQ_PAIRS_MIN, VPMD_MAX_QPAIRS, &v) < 0)
			return -EINVAL;
		*queues_cap = (uint16_t)v;
	} else if (strcmp(key, "mtu") == 0) {
		if (vhu_parse_uint(val, VPMD_MTU_MIN, UINT16_MAX, &v) < 0)
			return -EINVAL;
		d->mtu = (uint16_t)v;
		d->mtu_offered = true;
	} else if (strcmp(key, "timeout_ms") == 0) {
		if (vhu_parse_uint(val, 1, VHU_TIMEOUT_MS_MAX, &v) < 0)
			return -EINVAL;
		d->timeout_ms = (int)v;
	} else if (strcmp(key, "server") == 0) {
		if (vhu_parse_uint(val, 0, 1, &v) < 0)
			return -EINVAL;
		d->server = v == 1;
	} else if (strcmp(key, "mac") == 0) {
		if (rte_ether_unformat_addr(val, &d->mac) < 0 ||
		    !rte_is_unicast_ether_addr(&d->mac))
			return -EINVAL;
		*mac_given = true;
	} else {
		return -EINVAL;
	}
	return 0;
}

/* "PATH[,key=val]..." -> d->path and options. */
static int
vhu_parse_spec(struct vhu_dev *d, const char *spec, uint16_t *queues_cap, bool *mac_given,
	       char *err, size_t errlen)
{
	char buf[VHU_SPEC_MAX];
	char *save = NULL, *tok;
	size_t plen;

	if (spec == NULL || spec[0] == '\0') {
		vpmd_set_err(err, errlen, "vhost-user: empty socket path: " VHU_SPEC_USAGE);
		return -EINVAL;
	}
	if (strlen(spec) >= sizeof(buf)) {
		vpmd_set_err(err, errlen, "vhost-user: spec too long (%zu bytes)", strlen(spec));
		return -ENAMETOOLONG;
	}
	strcpy(buf, spec);
	tok = strtok_r(buf, ",", &save);
	if (tok == NULL) {
		vpmd_set_err(err, errlen, "vhost-user: empty socket path: " VHU_SPEC_USAGE);
		return -EINVAL;
	}
	plen = strlen(tok);
	if (plen >= sizeof(d->path)) {
		vpmd_set_err(err, errlen,
			     "vhost-user %s: socket path longer than %zu bytes: use a "
			     "shorter path",
			     tok, sizeof(d->path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(d->path, tok, plen + 1);
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		char *val = strchr(tok, '=');

		if (val != NULL)
			*val++ = '\0';
		if (val == NULL || vhu_parse_option(d, tok, val, queues_cap, mac_given) < 0) {
			vpmd_set_err(err, errlen,
				     "vhost-user %s: bad option '%s%s%s': known are "
				     "queues=%d..%d, mac=unicast XX:XX:XX:XX:XX:XX, mtu=%d..%d, "
				     "timeout_ms=N, server=0|1",
				     d->path, tok, val ? "=" : "", val ? val : "",
				     VPMD_MQ_PAIRS_MIN, VPMD_MAX_QPAIRS, VPMD_MTU_MIN, UINT16_MAX);
			return -EINVAL;
		}
	}
	return 0;
}

/* Locally administered unicast MAC derived from the socket path (FNV-1a). */
static void
vhu_default_mac(struct vhu_dev *d)
{
	uint32_t h = 2166136261u;

	for (const char *p = d->path; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	d->mac.addr_bytes[0] = 0x02;
	d->mac.addr_bytes[1] = 0x76; /* 'v' */
	d->mac.addr_bytes[2] = (uint8_t)(h >> 24);
	d->mac.addr_bytes[3] = (uint8_t)(h >> 16);
	d->mac.addr_bytes[4] = (uint8_t)(h >> 8);
	d->mac.addr_bytes[5] = (uint8_t)h;
}

/* SET_OWNER, GET_FEATURES (VERSION_1 required), then the protocol-feature handshake. */
static int
vhu_handshake(struct vhu_dev *d, char *err, size_t errlen)
{
	uint64_t v;
	int rc;

	rc = vhu_request(d, VHU_SET_OWNER, NULL, 0, NULL, 0, err, errlen);
	if (rc == 0)
		rc = vhu_get_u64(d, VHU_GET_FEATURES, &d->backend_features, err, errlen);
	if (rc < 0)
		return rc;
	if (!(d->backend_features & VPMD_F_VERSION_1)) {
		vpmd_set_err(err, errlen,
			     "vhost-user %s: backend does not offer "
			     "VIRTIO_F_VERSION_1 (features 0x%" PRIx64 "): legacy backends are not "
			     "supported",
			     d->path, d->backend_features);
		return -ENOTSUP;
	}
	if (!(d->backend_features & VHU_F_PROTOCOL_FEATURES))
		return 0;
	rc = vhu_get_u64(d, VHU_GET_PROTOCOL_FEATURES, &v, err, errlen);
	if (rc < 0)
		return rc;
	rc = vhu_set_u64(d, VHU_SET_PROTOCOL_FEATURES, v & VHU_PROTOCOL_WANTED, err, errlen);
	if (rc < 0)
		return rc;
	/* REPLY_ACK applies from the next request on. */
	d->protocol_features = v & VHU_PROTOCOL_WANTED;
	return 0;
}

/*
 * How many pairs the device shows: queues= from the spec (default 1), which must not
 * exceed what GET_QUEUE_NUM allows. GET_QUEUE_NUM is a ceiling, not what the backend
 * polls: DPDK's vhost library answers its compile-time maximum (128) whatever queues=
 * testpmd got. So, like DPDK's virtio-user, the device shows one pair unless the spec
 * asks for more.
 */
static int
vhu_check_queue_num(struct vhu_dev *d, uint16_t queues_cap, char *err, size_t errlen)
{
	uint64_t v;
	int rc;

	if (d->protocol_features & VHU_PROTOCOL_F_MQ) {
		rc = vhu_get_u64(d, VHU_GET_QUEUE_NUM, &v, err, errlen);
		if (rc < 0)
			return rc;
		if (v < VPMD_MQ_PAIRS_MIN || v > VPMD_MQ_PAIRS_MAX) {
			vpmd_set_err(err, errlen,
				     "vhost-user %s: backend reports %" PRIu64
				     " queue pairs (valid %d..%d)",
				     d->path, v, VPMD_MQ_PAIRS_MIN, VPMD_MQ_PAIRS_MAX);
			return -EPROTO;
		}
		d->max_pairs = (uint16_t)RTE_MIN(v, (uint64_t)VPMD_MAX_QPAIRS);
	}
	if (queues_cap > d->max_pairs) {
		vpmd_set_err(err, errlen,
			     "vhost-user %s: queues=%u but the backend supports %u "
			     "pair(s)%s",
			     d->path, queues_cap, d->max_pairs,
			     (d->protocol_features & VHU_PROTOCOL_F_MQ)
				     ? ""
				     : " (it lacks the MQ protocol feature)");
		return -EINVAL;
	}
	d->max_pairs = queues_cap ? queues_cap : 1;
	return 0;
}

int
vpmd_vhost_user_probe(const char *path, const struct vpmd_transport_ops **ops, void **priv,
		      char *err, size_t errlen)
{
	struct vhu_dev *d;
	uint16_t queues_cap = 0;
	bool mac_given = false;
	int rc;

	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		vpmd_set_err(err, errlen, "vhost-user: out of memory");
		return -ENOMEM;
	}
	d->sock = -1;
	d->listen_fd = -1;
	d->peer_pidfd = -1;
	d->timeout_ms = VHU_TIMEOUT_MS_DEFAULT;
	d->mtu = RTE_ETHER_MTU;
	d->max_pairs = 1;
	d->active_pairs = 1;
	for (unsigned int i = 0; i < VHU_MAX_VQS; i++)
		d->q[i].kick_fd = d->q[i].call_fd = -1;

	rc = vhu_parse_spec(d, path, &queues_cap, &mac_given, err, errlen);
	if (rc < 0)
		goto fail;
	if (!mac_given)
		vhu_default_mac(d);
	d->queues_cap = queues_cap;
	if (d->server) {
		rc = vhu_listen(d, err, errlen);
		if (rc == 0)
			rc = vhu_accept(d, d->timeout_ms, err, errlen);
	} else {
		rc = vhu_connect(d, err, errlen);
	}
	if (rc == 0)
		rc = vhu_handshake(d, err, errlen);
	if (rc == 0)
		rc = vhu_check_queue_num(d, queues_cap, err, errlen);
	if (rc == 0)
		rc = vhu_mem_check(d, err, errlen);
	if (rc < 0)
		goto fail;
	vhu_mem_watch(d);
	VHU_LOG(INFO, "%s: features 0x%" PRIx64 " protocol 0x%" PRIx64 " max pairs %u", d->path,
		d->backend_features, d->protocol_features, d->max_pairs);
	*ops = &vhu_ops;
	*priv = d;
	return 0;
fail:
	vhu_close(d);
	return rc;
}
