/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control virtqueue [virtio 1.2, 5.1.6.5]: one synchronous command at a time, polled with
 * a timeout. A command is three descriptors: {class, cmd} (device-readable), the data
 * (device-readable, omitted when empty), the ack byte (device-writable). Transports that
 * carry commands themselves (vhost-user: VQ_PAIRS_SET becomes SET_VRING_ENABLE) provide
 * ops->ctrl_cmd and have no control virtqueue.
 *
 * A command that times out or comes back malformed (used index moved by more than one, an
 * id we did not post) leaves the queue in a state we cannot know: the device may still
 * answer into the command buffer or move the used index later. The queue is then broken:
 * later commands fail at once with -EIO and nothing of it is reused or freed until a
 * device reset succeeds (stop + start; a reset that fails makes the device dead and leaks
 * it, vpmd_dev.c).
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include "vpmd_err.h"
#include "vpmd_internal.h"

#define CTRL_DATA_OFF 8
#define CTRL_ACK_OFF  (VPMD_CTRL_BUF_SIZE - 8)
#define CTRL_DATA_MAX (CTRL_ACK_OFF - CTRL_DATA_OFF)

/* Wait for the device to return the command; 0, -ETIMEDOUT, or -EPROTO (bad used entry). */
static int
ctrl_wait_split(struct vpmd_ctrlq *cvq, uint16_t head)
{
	struct vpmd_vq *vq = &cvq->vq;
	uint64_t deadline = rte_get_timer_cycles() +
			    rte_get_timer_hz() * VPMD_CTRL_TIMEOUT_MS / 1000;
	uint32_t id, len;
	uint16_t used;

	for (;;) {
		used = vpmd_vq_consume16(vq, &vq->split.used->idx);
		if (used != vq->last_used)
			break;
		if (rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
		rte_pause();
	}
	if ((uint16_t)(used - vq->last_used) != 1)
		return -EPROTO;
	vpmd_read_used_elem(&vq->split.used->ring[vq->last_used & vq->mask], &id, &len);
	vq->last_used++;
	vpmd_split_push_used_event(vq);
	return id == head ? 0 : -EPROTO;
}

/* Descriptors are taken in ring order (what IN_ORDER requires; harmless otherwise). */
static int
ctrl_send_split(struct vpmd_ctrlq *cvq, uint16_t ndesc, const uint32_t *lens, const uint64_t *addrs)
{
	struct vpmd_vq *vq = &cvq->vq;
	struct vpmd_vring_desc *d = vq->split.desc;
	uint16_t i, old = vq->avail_idx, head = cvq->next_desc, slot = head;

	for (i = 0; i < ndesc; i++) {
		d[slot].addr = addrs[i];
		d[slot].len = lens[i];
		d[slot].flags = i + 1 < ndesc ? VPMD_DESC_F_NEXT : VPMD_DESC_F_WRITE;
		d[slot].next = (slot + 1) & vq->mask;
		slot = (slot + 1) & vq->mask;
	}
	cvq->next_desc = slot;
	vq->split.avail->ring[vq->avail_idx & vq->mask] = head;
	vq->avail_idx++;
	vpmd_vq_publish16(vq, &vq->split.avail->idx, vq->avail_idx);
	vpmd_vq_mb_before_notify_check(vq);
	if (vpmd_split_need_kick(vq, old, vq->avail_idx))
		vpmd_vq_kick(vq);
	return ctrl_wait_split(cvq, head);
}

static int
ctrl_send_packed(struct vpmd_ctrlq *cvq, uint16_t ndesc, const uint32_t *lens,
		 const uint64_t *addrs)
{
	struct vpmd_vq *vq = &cvq->vq;
	struct vpmd_vring_packed_desc *d = vq->packed.desc;
	uint16_t head = vq->avail_idx, head_flags = 0, pos = head, wrap = vq->avail_wrap;
	uint64_t deadline;
	uint16_t i, flags;

	for (i = 0; i < ndesc; i++) {
		flags = vpmd_packed_avail_flags(wrap) |
			(i + 1 < ndesc ? VPMD_DESC_F_NEXT : VPMD_DESC_F_WRITE);
		d[pos].addr = addrs[i];
		d[pos].len = lens[i];
		d[pos].id = 0;
		if (i == 0)
			head_flags = flags;
		else
			d[pos].flags = flags;
		vpmd_packed_advance(&pos, &wrap, 1, vq->size);
	}
	vq->avail_idx = pos;
	vq->avail_wrap = wrap;
	vpmd_vq_publish16(vq, &d[head].flags, head_flags);
	vpmd_vq_mb_before_notify_check(vq);
	if (vpmd_packed_need_kick(vq, ndesc))
		vpmd_vq_kick(vq);

	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * VPMD_CTRL_TIMEOUT_MS / 1000;
	for (;;) {
		flags = vpmd_vq_consume16(vq, &d[vq->last_used].flags);
		if (vpmd_packed_is_used(flags, vq->used_wrap))
			break;
		if (rte_get_timer_cycles() > deadline)
			return -ETIMEDOUT;
		rte_pause();
	}
	i = vpmd_read_once(&d[vq->last_used].id);
	vpmd_packed_advance(&vq->last_used, &vq->used_wrap, ndesc, vq->size);
	return i == 0 ? 0 : -EPROTO;
}

int
vpmd_ctrl_send(struct vpmd_dev *dev, uint8_t cls, uint8_t cmd, const void *data, uint32_t len,
	       char *err, size_t errlen)
{
	struct vpmd_ctrlq *cvq = dev->cvq;
	uint64_t addrs[VPMD_CTRL_CMD_DESCS];
	uint32_t lens[VPMD_CTRL_CMD_DESCS];
	uint16_t n = 0;
	int rc;

	if (dev->ops->ctrl_cmd) {
		char why[256] = "";

		rc = dev->ops->ctrl_cmd(dev->priv, cls, cmd, data, len, why, sizeof(why));
		if (rc < 0)
			vpmd_set_err(err, errlen,
				     "%s: control command class %u cmd %u through "
				     "transport %s failed (%s)",
				     dev->name, cls, cmd, dev->ops->name,
				     why[0] ? why : strerror(-rc));
		return rc;
	}
	if (cvq != NULL && cvq->broken) {
		vpmd_set_err(err, errlen,
			     "%s: control command class %u cmd %u: the control queue is broken "
			     "(an earlier command got no valid answer); stop and start the device",
			     dev->name, cls, cmd);
		return -EIO;
	}
	if (cvq == NULL || len > CTRL_DATA_MAX) {
		vpmd_set_err(err, errlen, "%s: control command class %u cmd %u: %s", dev->name, cls,
			     cmd, cvq == NULL ? "no control queue" : "data too long");
		return cvq == NULL ? -ENOTSUP : -EINVAL;
	}
	cvq->buf[0] = cls;
	cvq->buf[1] = cmd;
	memcpy(cvq->buf + CTRL_DATA_OFF, data, len);
	cvq->buf[CTRL_ACK_OFF] = 0xff; /* a device that never writes the ack fails */
	addrs[n] = cvq->buf_iova;
	lens[n++] = sizeof(struct vpmd_ctrl_hdr);
	if (len) {
		addrs[n] = cvq->buf_iova + CTRL_DATA_OFF;
		lens[n++] = len;
	}
	addrs[n] = cvq->buf_iova + CTRL_ACK_OFF;
	lens[n++] = 1;
	if (n > cvq->vq.size) {
		vpmd_set_err(err, errlen,
			     "%s: control queue of %u descriptors cannot take a "
			     "command of %u",
			     dev->name, cvq->vq.size, n);
		return -ENOSPC;
	}
	rc = cvq->vq.is_packed ? ctrl_send_packed(cvq, n, lens, addrs)
			       : ctrl_send_split(cvq, n, lens, addrs);
	if (rc != 0)
		cvq->broken = true;
	if (rc == -ETIMEDOUT) {
		vpmd_set_err(err, errlen,
			     "%s: control queue: no answer to class %u cmd %u within "
			     "%u ms",
			     dev->name, cls, cmd, VPMD_CTRL_TIMEOUT_MS);
		return rc;
	}
	if (rc != 0) {
		vpmd_set_err(err, errlen, "%s: control queue: device returned a bad used entry",
			     dev->name);
		return rc;
	}
	return vpmd_read_once(&cvq->buf[CTRL_ACK_OFF]);
}

int
vpmd_ctrl_set_pairs(struct vpmd_dev *dev, uint16_t pairs, char *err, size_t errlen)
{
	uint16_t le = rte_cpu_to_le_16(pairs);
	int rc;

	if (!(dev->features & VPMD_F_MQ)) {
		if (pairs == 1)
			return 0;
		vpmd_set_err(err, errlen, "%s: %u queue pairs need MQ, which was not negotiated",
			     dev->name, pairs);
		return -ENOTSUP;
	}
	rc = vpmd_ctrl_send(dev, VPMD_CTRL_CLS_MQ, VPMD_CTRL_MQ_VQ_PAIRS_SET, &le, sizeof(le), err,
			    errlen);
	if (rc < 0)
		return rc;
	if (rc != VPMD_CTRL_OK) {
		vpmd_set_err(err, errlen,
			     "%s: enabling %u queue pairs: device refused "
			     "VQ_PAIRS_SET (ack %d)",
			     dev->name, pairs, rc);
		return -EIO;
	}
	return 0;
}

/* One command that needs feature `need` and a started device, acked or refused. */
static int
ctrl_command(struct vpmd_dev *dev, uint64_t need, const char *what, uint8_t cls, uint8_t cmd,
	     const void *data, uint32_t len, char *err, size_t errlen)
{
	int rc;

	if (!(dev->features & need)) {
		vpmd_set_err(err, errlen, "%s: %s needs %s, which was not negotiated", dev->name,
			     what, need == VPMD_F_CTRL_RX ? "CTRL_RX" : "CTRL_MAC_ADDR");
		return -ENOTSUP;
	}
	if (dev->state != VPMD_ST_STARTED) {
		vpmd_set_err(err, errlen, "%s: %s: the device is not started", dev->name, what);
		return -EAGAIN;
	}
	rc = vpmd_ctrl_send(dev, cls, cmd, data, len, err, errlen);
	if (rc < 0)
		return rc;
	if (rc != VPMD_CTRL_OK) {
		vpmd_set_err(err, errlen, "%s: %s: device refused the command (ack %d)", dev->name,
			     what, rc);
		return -EIO;
	}
	return 0;
}

int
vpmd_ctrl_promisc(struct vpmd_dev *dev, bool on, char *err, size_t errlen)
{
	uint8_t v = on;

	return ctrl_command(dev, VPMD_F_CTRL_RX, on ? "promiscuous on" : "promiscuous off",
			    VPMD_CTRL_CLS_RX, VPMD_CTRL_RX_PROMISC, &v, sizeof(v), err, errlen);
}

int
vpmd_ctrl_allmulti(struct vpmd_dev *dev, bool on, char *err, size_t errlen)
{
	uint8_t v = on;

	return ctrl_command(dev, VPMD_F_CTRL_RX, on ? "all-multicast on" : "all-multicast off",
			    VPMD_CTRL_CLS_RX, VPMD_CTRL_RX_ALLMULTI, &v, sizeof(v), err, errlen);
}

int
vpmd_ctrl_mac_set(struct vpmd_dev *dev, const struct rte_ether_addr *mac, char *err, size_t errlen)
{
	int rc = ctrl_command(dev, VPMD_F_CTRL_MAC_ADDR, "MAC address set", VPMD_CTRL_CLS_MAC,
			      VPMD_CTRL_MAC_ADDR_SET, mac->addr_bytes, RTE_ETHER_ADDR_LEN, err,
			      errlen);

	if (rc == 0)
		dev->mac = *mac;
	return rc;
}
