/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control path: open, configuration (queue pairs, ring sizes, queue creation and set-up),
 * start/stop, link/MAC/MTU, stats snapshots, and the info dump. Runs on the main lcore
 * only.
 *
 * Device initialisation follows virtio 1.2, 3.1.1: negotiation and the config read
 * (vpmd_negotiate.c), then the virtqueues, DRIVER_OK, and VQ_PAIRS_SET through the
 * control queue.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "vpmd_err.h"
#include "vpmd_internal.h"

RTE_LOG_REGISTER(vpmd_logtype, pmd.net.vpmd, INFO);

static uint32_t vpmd_next_id;
static struct vpmd_leak_stats vpmd_leaked;

/* ---- open ------------------------------------------------------------------------------ */

struct vpmd_dev *
vpmd_open_transport(const struct vpmd_transport_ops *ops, void *priv, char *err, size_t errlen)
{
	struct vpmd_dev *dev;
	char why[256] = "";
	int rc;

	if (ops == NULL) {
		vpmd_set_err(err, errlen, "vpmd_open_transport: no transport ops");
		return NULL;
	}
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		vpmd_set_err(err, errlen, "%s: out of memory", ops->name);
		ops->close(priv);
		return NULL;
	}
	dev->ops = ops;
	dev->priv = priv;
	dev->id = __atomic_fetch_add(&vpmd_next_id, 1, __ATOMIC_RELAXED);
	snprintf(dev->name, sizeof(dev->name), "%s%u", ops->name, dev->id);
	dev->state = VPMD_ST_OPEN;
	dev->mtu = RTE_ETHER_MTU;
	rc = ops->reset(priv, why, sizeof(why));
	if (rc != 0) {
		vpmd_set_err(err, errlen, "%s: device reset failed (%s); is the device alive?",
			     dev->name, why[0] ? why : strerror(-rc));
		ops->close(priv);
		free(dev);
		return NULL;
	}
	ops->set_status(priv, VPMD_STATUS_ACKNOWLEDGE, NULL, 0);
	ops->set_status(priv, VPMD_STATUS_ACKNOWLEDGE | VPMD_STATUS_DRIVER, NULL, 0);
	dev->dev_features = ops->get_features(priv);
	VPMD_LOG(INFO, dev, "opened on transport %s", ops->name);
	return dev;
}

struct vpmd_dev *
vpmd_open(const char *spec, char *err, size_t errlen)
{
	const struct vpmd_transport_ops *ops = NULL;
	struct vpmd_devspec ds;
	void *priv = NULL;
	int rc;

	if (vpmd_devspec_parse(spec, &ds, err, errlen) != 0)
		return NULL;
	if (ds.kind == VPMD_DEVSPEC_VHOST_USER)
		rc = vpmd_vhost_user_probe(ds.vhost_user, &ops, &priv, err, errlen);
	else
		rc = vpmd_pci_probe(ds.pci_addr, &ops, &priv, err, errlen);
	if (rc != 0 || ops == NULL)
		return NULL; /* the probe wrote err */
	return vpmd_open_transport(ops, priv, err, errlen);
}

/* ---- configure --------------------------------------------------------------------------- */

static int dev_ensure_conn(struct vpmd_dev *dev, char *err, size_t errlen);

static void
dev_free_queues(struct vpmd_dev *dev)
{
	unsigned int q;

	for (q = 0; q < VPMD_MAX_QPAIRS; q++) {
		vpmd_rxq_free(dev->rxq[q]);
		vpmd_txq_free(dev->txq[q]);
		dev->rxq[q] = NULL;
		dev->txq[q] = NULL;
	}
	vpmd_ctrlq_free(dev->cvq);
	dev->cvq = NULL;
}

/* Forget every queue in the transport; the first failure is returned (why filled). */
static int
dev_release_queues(struct vpmd_dev *dev, char *why, size_t whylen)
{
	const struct vpmd_vq *vqs[2 * VPMD_MAX_QPAIRS + 1];
	unsigned int q, n = 0;
	int first = 0;

	if (!dev->queues_live)
		return 0;
	dev->queues_live = false;
	if (dev->ops->queue_release == NULL)
		return 0;
	for (q = 0; q < dev->nb_qpairs; q++) {
		if (dev->rxq[q])
			vqs[n++] = &dev->rxq[q]->vq;
		if (dev->txq[q])
			vqs[n++] = &dev->txq[q]->vq;
	}
	if (dev->cvq)
		vqs[n++] = &dev->cvq->vq;
	for (q = 0; q < n; q++) {
		int rc = dev->ops->queue_release(dev->priv, vqs[q]->vq_index,
						 first == 0 ? why : NULL, whylen);

		if (rc != 0 && first == 0)
			first = rc;
	}
	return first;
}

void
vpmd_dev_mark_dead(struct vpmd_dev *dev, const char *why)
{
	unsigned int rings = 0, mbufs = 0, q;

	if (dev->dead)
		return;
	dev->dead = true;
	for (q = 0; q < VPMD_MAX_QPAIRS; q++) {
		if (dev->rxq[q]) {
			rings++;
			mbufs += vpmd_rxq_held(dev->rxq[q]);
			__atomic_fetch_or(&dev->rxq[q]->halt, VPMD_Q_STOPPED, __ATOMIC_RELAXED);
		}
		if (dev->txq[q]) {
			rings++;
			mbufs += vpmd_txq_held(dev->txq[q]);
			__atomic_fetch_or(&dev->txq[q]->halt, VPMD_Q_STOPPED, __ATOMIC_RELAXED);
		}
	}
	rings += dev->cvq != NULL;
	__atomic_fetch_add(&vpmd_leaked.devices, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&vpmd_leaked.rings, rings, __ATOMIC_RELAXED);
	__atomic_fetch_add(&vpmd_leaked.mbufs, mbufs, __ATOMIC_RELAXED);
	VPMD_LOG(ERR, dev,
		 "device did not stop (%s): it may still write into our memory, so its %u ring(s) "
		 "and %u mbuf(s) are leaked on purpose; the device is dead until the process exits",
		 why, rings, mbufs);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * A transport whose backend is gone (vhost-user hang-up) cannot be told to stop its rings,
 * but a backend whose process exited, or that unmapped our memory, cannot reach them
 * either: wait up to VPMD_RELEASE_WAIT_MS for the transport to show that. 0 released,
 * -EIO not shown (why filled).
 */
static int
dev_wait_released(struct vpmd_dev *dev, char *why, size_t whylen)
{
	uint64_t deadline = now_ms() + VPMD_RELEASE_WAIT_MS;

	if (dev->ops->conn_release == NULL || !dev->ops->conn_lost(dev->priv))
		return -EIO;
	for (;;) {
		if (dev->ops->conn_release(dev->priv, why, whylen) == 1)
			return 0;
		if (now_ms() >= deadline)
			return -EIO;
		usleep(10 * 1000);
	}
}

/*
 * Make the device stop using our memory before any of it is reused: stop its queues
 * (vhost-user: GET_VRING_BASE) and reset it (PCI: until the status reads 0). If either
 * fails, the device may still DMA into the rings and the mbufs posted in them: it is
 * marked dead and nothing may be freed, unless the backend is gone and provably cannot
 * reach our memory any more (dev_wait_released()). 0, or -EIO with err filled.
 */
static int
dev_quiesce(struct vpmd_dev *dev, char *err, size_t errlen)
{
	char why[256] = "";
	int rc, reset_rc;

	if (dev->dead) {
		vpmd_set_err(err, errlen, "%s: the device is dead (a reset failed earlier)",
			     dev->name);
		return -EIO;
	}
	rc = dev_release_queues(dev, why, sizeof(why));
	reset_rc = dev->ops->reset(dev->priv, rc == 0 ? why : NULL, sizeof(why));
	if (rc == 0)
		rc = reset_rc;
	if (rc != 0 && dev_wait_released(dev, why, sizeof(why)) == 0) {
		VPMD_LOG(NOTICE, dev, "backend gone and released our memory: buffers reclaimed");
		rc = 0;
	}
	if (rc == 0) {
		dev->needs_setup = true;
		return 0;
	}
	if (why[0] == '\0')
		snprintf(why, sizeof(why), "%s", strerror(-rc));
	vpmd_dev_mark_dead(dev, why);
	vpmd_set_err(err, errlen, "%s: device did not stop (%s); the device is dead", dev->name,
		     why);
	return -EIO;
}

static uint16_t
pow2_floor(uint16_t v)
{
	uint16_t p = 1;

	while ((uint32_t)p * 2 <= v)
		p *= 2;
	return p;
}

/* Where a ring lives, as the transport tells the device. */
static void
vq_layout(const struct vpmd_vq *vq, struct vpmd_vq_layout *l)
{
	uint8_t *va = vq->mz->addr;
	uint64_t iova = vq->mz->iova;

	*l = (struct vpmd_vq_layout){
		.index = vq->vq_index,
		.size = vq->size,
		.packed = vq->is_packed,
		.desc = va,
		.driver = va + vq->driver_off,
		.device = va + vq->device_off,
		.desc_iova = iova,
		.driver_iova = iova + vq->driver_off,
		.device_iova = iova + vq->device_off,
	};
}

/* Hand every queue's layout to the transport (virtio-pci: queue_size/desc/driver/device,
 * queue_enable; vhost-user: SET_VRING_*). */
static int
dev_setup_queues(struct vpmd_dev *dev, char *err, size_t errlen)
{
	const struct vpmd_transport_ops *ops = dev->ops;
	struct vpmd_vq *vqs[VPMD_NB_VQS(VPMD_MAX_QPAIRS)];
	unsigned int n = 0, i;
	char why[256] = "";
	uint16_t q;
	int rc;

	for (q = 0; q < dev->nb_qpairs; q++) {
		vqs[n++] = &dev->rxq[q]->vq;
		vqs[n++] = &dev->txq[q]->vq;
	}
	if (dev->cvq)
		vqs[n++] = &dev->cvq->vq;
	for (i = 0; i < n; i++) {
		struct vpmd_notify notify = { 0 };
		struct vpmd_vq_layout layout;

		vq_layout(vqs[i], &layout);
		rc = ops->queue_setup(dev->priv, &layout, &notify, why, sizeof(why));
		vqs[i]->kick = notify.kick;
		vqs[i]->kick_cookie = notify.cookie;
		if (rc != 0 || notify.kick == NULL) {
			vpmd_set_err(err, errlen,
				     "%s: setting up virtqueue %u (size %u) failed (%s)", dev->name,
				     vqs[i]->vq_index, vqs[i]->size,
				     rc ? (why[0] ? why : strerror(-rc)) : "no notify hook");
			return rc ? rc : -EIO;
		}
		dev->queues_live = true;
	}
	return 0;
}

/* What the caller's conf and the EAL must satisfy before the device is touched. */
static int
validate_conf(const struct vpmd_dev *dev, const struct vpmd_conf *conf, char *err, size_t errlen)
{
	uint32_t room;

	if (dev->state == VPMD_ST_STARTED) {
		vpmd_set_err(err, errlen, "%s: stop the device before configuring it", dev->name);
		return -EBUSY;
	}
	if (conf->rx_pool == NULL) {
		vpmd_set_err(err, errlen, "%s: conf.rx_pool is NULL", dev->name);
		return -EINVAL;
	}
	room = rte_pktmbuf_data_room_size(conf->rx_pool);
	if (room < RTE_PKTMBUF_HEADROOM + RTE_ETHER_MIN_LEN ||
	    RTE_PKTMBUF_HEADROOM < VPMD_NET_HDR_SIZE) {
		vpmd_set_err(err, errlen,
			     "%s: rx_pool data room %u too small (need headroom %u + "
			     "at least 1518)",
			     dev->name, room, RTE_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	if (dev->ops->uses_va && rte_eal_iova_mode() != RTE_IOVA_VA) {
		vpmd_set_err(err, errlen,
			     "%s: transport %s addresses memory by virtual address, "
			     "but the EAL runs in IOVA-as-PA mode; start the EAL with "
			     "--iova-mode=va",
			     dev->name, dev->ops->name);
		return -EINVAL;
	}
	return 0;
}

/* Without MRG_RXBUF every frame must fit one rx buffer: MTU plus Ethernet and VLAN headers
 * (the size Linux's virtio_net posts as well). */
static int
check_rx_room(const struct vpmd_dev *dev, struct rte_mempool *mp, char *err, size_t errlen)
{
	uint32_t room = rte_pktmbuf_data_room_size(mp);

	if (!dev->mrg &&
	    room - RTE_PKTMBUF_HEADROOM < (uint32_t)dev->mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN) {
		vpmd_set_err(err, errlen,
			     "%s: without MRG_RXBUF every rx buffer must hold a full "
			     "frame: data room %u - headroom %u < MTU %u + 18; use a larger mbuf "
			     "data room",
			     dev->name, room, RTE_PKTMBUF_HEADROOM, dev->mtu);
		return -EINVAL;
	}
	return 0;
}

/* Queue pairs: the request, or as many as the device and the driver allow. */
static int
choose_pairs(const struct vpmd_dev *dev, const struct vpmd_conf *conf, uint16_t *pairs, char *err,
	     size_t errlen)
{
	uint16_t p = conf->nb_qpairs ? conf->nb_qpairs
				     : RTE_MIN(dev->max_qpairs, (uint16_t)VPMD_MAX_QPAIRS);

	if (p > dev->max_qpairs || p > VPMD_MAX_QPAIRS) {
		vpmd_set_err(err, errlen,
			     "%s: %u queue pairs requested, device offers %u%s "
			     "(driver limit %u)",
			     dev->name, p, dev->max_qpairs,
			     (dev->dev_features & VPMD_F_MQ) && !(dev->features & VPMD_F_MQ)
				     ? " because MQ was not negotiated"
				     : "",
			     VPMD_MAX_QPAIRS);
		return -EINVAL;
	}
	*pairs = p;
	return 0;
}

/* Cap *size by the largest size the device accepts for virtqueue vq_index. */
static int
cap_ring_size(const struct vpmd_dev *dev, unsigned int vq_index, uint16_t *size, char *err,
	      size_t errlen)
{
	uint16_t qmax = dev->ops->queue_max_size(dev->priv, (uint16_t)vq_index);

	if (qmax == 0) {
		vpmd_set_err(err, errlen, "%s: virtqueue %u does not exist (device queue size 0)",
			     dev->name, vq_index);
		return -EPROTO;
	}
	*size = RTE_MIN(*size, qmax);
	return 0;
}

/*
 * Ring sizes, rx and tx apart: the request (or, by default, each queue's device maximum up
 * to VPMD_RING_SIZE_DEFAULT: vhost-user offers 32768 and lets the driver choose), capped by
 * the maximum of every queue of that kind. A device may offer more rx than tx descriptors
 * (QEMU's userspace backend caps tx at 256); one size for both would shrink rx to the tx
 * cap. Split rings need a power of two.
 */
static int
choose_ring_size(const struct vpmd_dev *dev, const struct vpmd_conf *conf, uint16_t pairs, bool tx,
		 uint16_t *size, char *err, size_t errlen)
{
	uint16_t s = conf->ring_size ? conf->ring_size : VPMD_RING_SIZE_DEFAULT;
	uint16_t q;
	int rc;

	if (s > VPMD_RING_SIZE_MAX)
		s = VPMD_RING_SIZE_MAX;
	for (q = 0; q < pairs; q++) {
		rc = cap_ring_size(dev, tx ? vpmd_txvq(q) : vpmd_rxvq(q), &s, err, errlen);
		if (rc != 0)
			return rc;
	}
	if (!dev->packed && !rte_is_power_of_2(s)) {
		uint16_t p2 = pow2_floor(s);

		VPMD_LOG(NOTICE, dev, "split %s ring size %u is not a power of two: using %u",
			 tx ? "tx" : "rx", s, p2);
		s = p2;
	}
	*size = s;
	return 0;
}

/* The control virtqueue's size, 0 when there is none (no CTRL_VQ, or the transport carries
 * commands itself). It must hold one command; split rings need a power of two. */
static int
choose_ctrl_size(const struct vpmd_dev *dev, uint16_t *size, char *err, size_t errlen)
{
	unsigned int cvq = vpmd_cvq(dev->max_qpairs);
	uint16_t qmax, s;

	*size = 0;
	if (!(dev->features & VPMD_F_CTRL_VQ) || dev->ops->ctrl_cmd != NULL)
		return 0;
	if (cvq > UINT16_MAX) {
		vpmd_set_err(err, errlen,
			     "%s: control virtqueue index %u (2 * max_virtqueue_"
			     "pairs) does not fit a 16-bit queue index",
			     dev->name, cvq);
		return -EPROTO;
	}
	qmax = dev->ops->queue_max_size(dev->priv, (uint16_t)cvq);
	s = RTE_MIN(qmax, (uint16_t)VPMD_CTRL_RING_SIZE_MAX);
	if (!dev->packed)
		s = s ? pow2_floor(s) : 0;
	if (s < VPMD_CTRL_CMD_DESCS) {
		vpmd_set_err(err, errlen,
			     "%s: control virtqueue %u has size %u (need at least "
			     "%u)",
			     dev->name, cvq, qmax,
			     dev->packed ? VPMD_CTRL_CMD_DESCS
					 : rte_align32pow2(VPMD_CTRL_CMD_DESCS));
		return -EPROTO;
	}
	*size = s;
	return 0;
}

static void
vq_set_flags(const struct vpmd_dev *dev, struct vpmd_vq *vq)
{
	vq->event_idx = (dev->features & VPMD_F_EVENT_IDX) != 0;
	vq->strong_barriers = (dev->features & VPMD_F_ORDER_PLATFORM) != 0;
	vq->in_order = (dev->features & VPMD_F_IN_ORDER) != 0;
}

/* Suffix of the tx path name: chains of 2..indir_max descriptors take one ring slot. */
static const char *
tx_indirect_str(const struct vpmd_dev *dev)
{
	return (dev->features & VPMD_F_INDIRECT_DESC)
		       ? " + indirect chains (up to " RTE_STR(VPMD_TX_INDIRECT_MAX) " descriptors)"
		       : "";
}

/* The burst functions for the negotiated layout: chosen once, after negotiation, and
 * logged. The queues stay stopped (VPMD_Q_STOPPED) until vpmd_start(). */
static void
choose_paths(struct vpmd_dev *dev)
{
	bool io = dev->in_order;
	vpmd_rx_fn rx;
	vpmd_tx_fn tx;
	vpmd_reclaim_fn txr;
	const char *rxn, *txn;
	uint16_t q;

	if (dev->packed) {
		if (dev->mrg) {
			rx = io ? vpmd_rx_packed_mrg_inorder : vpmd_rx_packed_mrg;
			rxn = io ? "packed mergeable in-order" : "packed mergeable";
		} else {
			rx = io ? vpmd_rx_packed_inorder : vpmd_rx_packed;
			rxn = io ? "packed in-order" : "packed";
		}
		tx = io ? vpmd_tx_packed_inorder : vpmd_tx_packed;
		txr = io ? vpmd_tx_reclaim_packed_inorder : vpmd_tx_reclaim_packed;
		txn = io ? "packed in-order" : "packed";
	} else {
		if (dev->mrg) {
			rx = io ? vpmd_rx_split_mrg_inorder : vpmd_rx_split_mrg;
			rxn = io ? "split mergeable in-order" : "split mergeable";
		} else {
			rx = io ? vpmd_rx_split_inorder : vpmd_rx_split;
			rxn = io ? "split in-order" : "split";
		}
		tx = io ? vpmd_tx_split_inorder : vpmd_tx_split;
		txr = io ? vpmd_tx_reclaim_split_inorder : vpmd_tx_reclaim_split;
		txn = io ? "split in-order" : "split";
	}
	for (q = 0; q < dev->nb_qpairs; q++) {
		dev->rxq[q]->rx_fn = rx;
		dev->txq[q]->tx_fn = tx;
		dev->txq[q]->reclaim_fn = txr;
	}
	dev->rx_fn_name = rxn;
	dev->tx_fn_name = txn;
	VPMD_LOG(INFO, dev, "rx path: %s; tx path: %s%s", rxn, txn, tx_indirect_str(dev));
}

/* Per-queue parameters the bursts read, from the negotiated features and the rx pool. */
static void
set_queue_params(struct vpmd_dev *dev)
{
	uint8_t hf = 0;
	uint16_t q;

	if (dev->features & VPMD_F_GUEST_CSUM)
		hf |= VPMD_RXQ_F_GUEST_CSUM;
	if (dev->features & VPMD_F_GUEST_TSO4)
		hf |= VPMD_RXQ_F_TSO4;
	if (dev->features & VPMD_F_GUEST_TSO6)
		hf |= VPMD_RXQ_F_TSO6;
	if (dev->features & VPMD_F_GUEST_ECN)
		hf |= VPMD_RXQ_F_ECN;
	for (q = 0; q < dev->nb_qpairs; q++) {
		struct vpmd_rxq *rxq = dev->rxq[q];
		struct vpmd_txq *txq = dev->txq[q];

		/* Reclaim when a quarter of the ring is left, but always keep room for two
		 * full bursts: small rings reclaim on every burst. */
		txq->free_thresh = RTE_MAX((uint16_t)(txq->vq.size / 4),
					   RTE_MIN(txq->vq.size, (uint16_t)(2 * VPMD_BURST_MAX)));
		txq->csum = (dev->features & VPMD_F_CSUM) != 0;
		txq->tso4 = (dev->features & VPMD_F_HOST_TSO4) != 0;
		txq->tso6 = (dev->features & VPMD_F_HOST_TSO6) != 0;
		/* Refill in batches of up to VPMD_RX_REFILL_MAX, sooner on small rings. */
		rxq->refill_thresh = RTE_MAX(1, RTE_MIN(VPMD_RX_REFILL_MAX, rxq->vq.size / 4));
		rxq->mp = dev->rx_pool;
		rxq->hdr_off = RTE_PKTMBUF_HEADROOM - VPMD_NET_HDR_SIZE;
		rxq->buf_len = rte_pktmbuf_data_room_size(dev->rx_pool) - RTE_PKTMBUF_HEADROOM +
			       VPMD_NET_HDR_SIZE;
		rxq->hdr_features = hf;
	}
}

/* Rings of dev->rx_ring_size / tx_ring_size for dev->nb_qpairs pairs, and the control
 * queue. */
static int
create_queues(struct vpmd_dev *dev, uint16_t ctrl_size, char *err, size_t errlen)
{
	uint16_t q;

	for (q = 0; q < dev->nb_qpairs; q++) {
		dev->rxq[q] = vpmd_rxq_create(dev->id, q, dev->rx_ring_size, dev->packed,
					      dev->socket_id);
		dev->txq[q] = vpmd_txq_create(dev->id, q, dev->tx_ring_size, dev->packed,
					      (dev->features & VPMD_F_INDIRECT_DESC) != 0,
					      dev->socket_id);
		if (dev->rxq[q] == NULL || dev->txq[q] == NULL) {
			vpmd_set_err(err, errlen,
				     "%s: no memory for queue pair %u (ring sizes rx %u, tx %u); "
				     "give the EAL more memory (-m) or use a smaller ring",
				     dev->name, q, dev->rx_ring_size, dev->tx_ring_size);
			return -ENOMEM;
		}
		vq_set_flags(dev, &dev->rxq[q]->vq);
		vq_set_flags(dev, &dev->txq[q]->vq);
	}
	set_queue_params(dev);
	choose_paths(dev);
	if (ctrl_size) {
		dev->cvq = vpmd_ctrlq_create(dev->id, (uint16_t)vpmd_cvq(dev->max_qpairs),
					     ctrl_size, dev->packed, dev->socket_id);
		if (dev->cvq == NULL) {
			vpmd_set_err(err, errlen, "%s: no memory for the control queue", dev->name);
			return -ENOMEM;
		}
		vq_set_flags(dev, &dev->cvq->vq);
	}
	return 0;
}

static void
log_configured(const struct vpmd_dev *dev)
{
	char fs[512];

	vpmd_features_str(dev->features, fs, sizeof(fs));
	VPMD_LOG(INFO, dev,
		 "configured: %u queue pair(s) of %u, %s rings, rx %u / tx %u descriptors, "
		 "features: %s",
		 dev->nb_qpairs, dev->max_qpairs, dev->packed ? "packed" : "split",
		 dev->rx_ring_size, dev->tx_ring_size, fs);
}

int
vpmd_configure(struct vpmd_dev *dev, const struct vpmd_conf *conf, char *err, size_t errlen)
{
	uint64_t wanted;
	uint16_t pairs, rx_size, tx_size, ctrl_size;
	int rc;

	if (dev == NULL || conf == NULL) {
		vpmd_set_err(err, errlen, "vpmd_configure: NULL device or conf");
		return -EINVAL;
	}
	rc = validate_conf(dev, conf, err, errlen);
	if (rc != 0)
		return rc;
	if (dev->dead) {
		vpmd_set_err(err, errlen, "%s: configure: the device is dead (a reset failed)",
			     dev->name);
		return -EIO;
	}
	if (dev->state == VPMD_ST_CONFIGURED) {
		/* The old rings were programmed into the device: reset before freeing them. */
		rc = dev_quiesce(dev, err, errlen);
		if (rc != 0)
			return rc;
		dev_free_queues(dev);
		dev->state = VPMD_ST_OPEN;
	}
	rc = dev_ensure_conn(dev, err, errlen);
	if (rc != 0)
		return rc;
	wanted = (conf->features ? conf->features : VPMD_FEATURES_DEFAULT) | VPMD_F_VERSION_1;
	rc = vpmd_dev_negotiate(dev, wanted, err, errlen);
	if (rc != 0)
		return rc;
	rc = vpmd_read_device_limits(dev, err, errlen);
	if (rc == 0)
		rc = check_rx_room(dev, conf->rx_pool, err, errlen);
	if (rc == 0)
		rc = choose_pairs(dev, conf, &pairs, err, errlen);
	if (rc == 0)
		rc = choose_ring_size(dev, conf, pairs, false, &rx_size, err, errlen);
	if (rc == 0)
		rc = choose_ring_size(dev, conf, pairs, true, &tx_size, err, errlen);
	if (rc == 0)
		rc = choose_ctrl_size(dev, &ctrl_size, err, errlen);
	if (rc != 0)
		goto fail;
	dev->rx_ring_size = rx_size;
	dev->tx_ring_size = tx_size;
	dev->nb_qpairs = pairs;
	dev->socket_id = conf->socket_id;
	dev->rx_pool = conf->rx_pool;
	rc = create_queues(dev, ctrl_size, err, errlen);
	if (rc == 0)
		rc = dev_setup_queues(dev, err, errlen);
	if (rc != 0)
		goto fail_free;
	dev->state = VPMD_ST_CONFIGURED;
	dev->needs_setup = false;
	log_configured(dev);
	return 0;

fail_free:
	if (dev_quiesce(dev, NULL, 0) == 0)
		dev_free_queues(dev);
fail:
	vpmd_dev_set_failed(dev);
	dev->nb_qpairs = 0;
	return rc;
}

/* ---- start / stop -------------------------------------------------------------------------- */

/* Put every ring back to its initial state (after a device reset). */
static void
dev_reset_rings(struct vpmd_dev *dev)
{
	uint16_t q;

	for (q = 0; q < dev->nb_qpairs; q++) {
		vpmd_rxq_reclaim(dev->rxq[q]);
		vpmd_txq_reclaim(dev->txq[q]);
		vpmd_rxq_reset(dev->rxq[q]);
		vpmd_txq_reset(dev->txq[q]);
	}
	if (dev->cvq) {
		vpmd_vq_reset(&dev->cvq->vq);
		dev->cvq->next_desc = 0;
		dev->cvq->broken = false;
	}
}

static bool
dev_needs_reinit(const struct vpmd_dev *dev)
{
	return dev->needs_setup;
}

/* After a stop (the device was reset): negotiate the same features again and hand the
 * rings, back in their initial state, to the transport. */
static int
dev_restart(struct vpmd_dev *dev, char *err, size_t errlen)
{
	uint64_t was = dev->features;
	int rc;

	rc = vpmd_dev_negotiate(dev, was, err, errlen);
	if (rc == 0 && dev->features != was) {
		vpmd_set_err(err, errlen,
			     "%s: features changed across reset (0x%" PRIx64 " -> 0x%" PRIx64 ")",
			     dev->name, was, dev->features);
		rc = -EPROTO;
	}
	if (rc == 0) {
		dev_reset_rings(dev);
		rc = dev_setup_queues(dev, err, errlen);
	}
	if (rc != 0)
		vpmd_dev_set_failed(dev);
	else
		dev->needs_setup = false;
	return rc;
}

/* Post every rx buffer (before DRIVER_OK: no kick yet). */
static int
fill_rx_rings(struct vpmd_dev *dev, char *err, size_t errlen)
{
	uint16_t q;
	int rc;

	for (q = 0; q < dev->nb_qpairs; q++) {
		struct vpmd_rxq *rxq = dev->rxq[q];

		rc = dev->packed ? vpmd_rxq_fill_packed(rxq, dev->mrg)
				 : vpmd_rxq_fill_split(rxq, dev->mrg);
		if (rc != 0) {
			vpmd_set_err(err, errlen,
				     "%s: rx queue %u: mempool %s cannot fill %u "
				     "buffers; make the pool larger",
				     dev->name, q, dev->rx_pool->name, rxq->vq.size);
			return rc;
		}
	}
	return 0;
}

static int
set_driver_ok(struct vpmd_dev *dev, char *err, size_t errlen)
{
	const struct vpmd_transport_ops *ops = dev->ops;
	char why[256] = "";
	uint16_t q;
	int rc;

	rc = ops->set_status(dev->priv,
			     VPMD_STATUS_ACKNOWLEDGE | VPMD_STATUS_DRIVER |
				     VPMD_STATUS_FEATURES_OK | VPMD_STATUS_DRIVER_OK,
			     why, sizeof(why));
	if (rc != 0 || (ops->get_status(dev->priv) & VPMD_STATUS_NEEDS_RESET)) {
		vpmd_set_err(err, errlen, "%s: device set DEVICE_NEEDS_RESET after DRIVER_OK%s%s",
			     dev->name, why[0] ? ": " : "", why);
		return rc ? rc : -EIO;
	}
	/* Buffers were posted before DRIVER_OK, when we may not notify: tell the device now. */
	for (q = 0; q < dev->nb_qpairs; q++)
		vpmd_vq_kick(&dev->rxq[q]->vq);
	return 0;
}

/* The control path's last word on the queues before the polling lcores own them. */
static void
queues_run(struct vpmd_dev *dev)
{
	uint16_t q;

	/* Release: the ring state written while the queue was stopped or parked is visible to
	 * the burst that reads FRESH (acquire, vpmd_q_halted()); FRESH tells a later park that
	 * no burst ran yet. */
	for (q = 0; q < dev->nb_qpairs; q++) {
		__atomic_store_n(&dev->rxq[q]->halt, VPMD_Q_FRESH, __ATOMIC_RELEASE);
		__atomic_store_n(&dev->txq[q]->halt, VPMD_Q_FRESH, __ATOMIC_RELEASE);
	}
}

/* Rx buffers, DRIVER_OK, the queue pairs: the rings are set up, the queues still stopped. */
static int
dev_bring_up(struct vpmd_dev *dev, char *err, size_t errlen)
{
	uint16_t q;
	int rc;

	rc = fill_rx_rings(dev, err, errlen);
	if (rc == 0)
		rc = set_driver_ok(dev, err, errlen);
	if (rc == 0 && (dev->features & VPMD_F_MQ))
		rc = vpmd_ctrl_set_pairs(dev, dev->nb_qpairs, err, errlen);
	/* The rx queues of pairs >= 1 were kicked before VQ_PAIRS_SET enabled them; a device
	 * that looks at a queue only when notified would never see their buffers (the next
	 * kick follows a refill, which needs received packets). Tell it again. */
	for (q = 1; rc == 0 && q < dev->nb_qpairs; q++)
		vpmd_vq_kick(&dev->rxq[q]->vq);
	return rc;
}

/* A configure or start after a stop that found the backend gone: connect again first (one
 * attempt). */
static int
dev_ensure_conn(struct vpmd_dev *dev, char *err, size_t errlen)
{
	char why[256] = "";
	int rc;

	if (dev->ops->conn_lost == NULL || !dev->ops->conn_lost(dev->priv))
		return 0;
	if (dev->ops->conn_release(dev->priv, why, sizeof(why)) != 1) {
		vpmd_set_err(err, errlen, "%s: start: the backend is gone (%s)", dev->name, why);
		return -EIO;
	}
	dev->queues_live = false;
	rc = dev->ops->reconnect(dev->priv, err, errlen);
	if (rc == -EAGAIN)
		vpmd_set_err(err, errlen,
			     "%s: start: no backend to connect to yet; start again later",
			     dev->name);
	if (rc == 0)
		dev->needs_setup = true;
	return rc;
}

int
vpmd_start(struct vpmd_dev *dev, char *err, size_t errlen)
{
	int rc;

	if (dev == NULL) {
		vpmd_set_err(err, errlen, "vpmd_start: NULL device");
		return -EINVAL;
	}
	if (dev->state == VPMD_ST_STARTED)
		return 0;
	if (dev->state != VPMD_ST_CONFIGURED) {
		vpmd_set_err(err, errlen, "%s: start: configure the device first", dev->name);
		return -EINVAL;
	}
	if (dev->dead) {
		vpmd_set_err(err, errlen, "%s: start: the device is dead (a reset failed)",
			     dev->name);
		return -EIO;
	}
	rc = dev_ensure_conn(dev, err, errlen);
	if (rc != 0)
		return rc;
	if (dev_needs_reinit(dev)) {
		rc = dev_restart(dev, err, errlen);
		if (rc != 0)
			return rc;
	}
	rc = dev_bring_up(dev, err, errlen);
	if (rc != 0) {
		if (dev_quiesce(dev, NULL, 0) == 0)
			dev_reset_rings(dev);
		return rc;
	}
	queues_run(dev);
	dev->state = VPMD_ST_STARTED;
	VPMD_LOG(INFO, dev, "started: %u queue pair(s)", dev->nb_qpairs);
	return 0;
}

void
vpmd_stop(struct vpmd_dev *dev)
{
	if (dev == NULL || dev->state != VPMD_ST_STARTED)
		return;
	vpmd_health_check(dev);
	dev->state = VPMD_ST_CONFIGURED;
	/* A recovery in progress ends here: the queues are not polled during a stop, and
	 * dev_quiesce() waits for a lost backend to release our memory. */
	dev->recov = VPMD_RC_NONE;
	/* The device stops using the rings before we take the buffers back. */
	if (dev_quiesce(dev, NULL, 0) != 0)
		return; /* dead: the buffers stay where they are (logged) */
	dev_reset_rings(dev);
	VPMD_LOG(INFO, dev, "stopped; all buffers reclaimed");
}

void
vpmd_close(struct vpmd_dev *dev)
{
	if (dev == NULL)
		return;
	vpmd_stop(dev);
	/* A dead device keeps its queues: they are leaked, never freed. */
	if (dev_quiesce(dev, NULL, 0) == 0)
		dev_free_queues(dev);
	dev->ops->close(dev->priv);
	free(dev);
}

/* ---- reconnect ----------------------------------------------------------------------------- */

/*
 * Ask the polling lcores to park the queues (the handshake is in ring/vpmd_queue.h). DOWN
 * goes into every queue before any new generation is published: an lcore that reads a
 * generation (acquire) then sees DOWN on both queues of its pair. park_fresh records a
 * queue that ran no burst since the hand-over (FRESH was still set): its first burst will
 * see DOWN. Acquire: pairs with the lcore's clearing of FRESH otherwise.
 */
static void
queues_park(struct vpmd_dev *dev)
{
	uint16_t q;

	for (q = 0; q < dev->nb_qpairs; q++) {
		struct vpmd_rxq *r = dev->rxq[q];
		struct vpmd_txq *t = dev->txq[q];

		r->park_fresh = __atomic_fetch_or(&r->halt, VPMD_Q_DOWN, __ATOMIC_ACQ_REL) &
				VPMD_Q_FRESH;
		t->park_fresh = __atomic_fetch_or(&t->halt, VPMD_Q_DOWN, __ATOMIC_ACQ_REL) &
				VPMD_Q_FRESH;
	}
	for (q = 0; q < dev->nb_qpairs; q++) {
		struct vpmd_rxq *r = dev->rxq[q];
		struct vpmd_txq *t = dev->txq[q];

		__atomic_store_n(&r->park_req, (uint8_t)(r->park_req + 1), __ATOMIC_RELEASE);
		__atomic_store_n(&t->park_req, (uint8_t)(t->park_req + 1), __ATOMIC_RELEASE);
	}
}

/*
 * The first queue pair not parked yet, or -1. A pair belongs to one lcore at a time
 * (vpmd.h), so one answer covers both of its queues: the lcore answered from inside one
 * burst, so it is in neither, everything it did before is ours to see (acquire), and it
 * read the generation after DOWN went into both. Apps often call one of the two only
 * (tx only when rx gave packets; no rx at all in a sender).
 */
static int
queues_parked(const struct vpmd_dev *dev)
{
	uint16_t q;

	for (q = 0; q < dev->nb_qpairs; q++) {
		const struct vpmd_rxq *r = dev->rxq[q];
		const struct vpmd_txq *t = dev->txq[q];

		if (__atomic_load_n(&r->park_ack, __ATOMIC_ACQUIRE) == r->park_req ||
		    __atomic_load_n(&t->park_ack, __ATOMIC_ACQUIRE) == t->park_req ||
		    (r->park_fresh && t->park_fresh))
			continue;
		return q;
	}
	return -1;
}

/* Negotiate what we had, check the limits, hand the rings over and bring the device up. */
static int
dev_renegotiate(struct vpmd_dev *dev, char *err, size_t errlen)
{
	uint16_t pairs = dev->nb_qpairs;
	int rc;

	rc = dev_restart(dev, err, errlen);
	if (rc == 0)
		rc = vpmd_read_device_limits(dev, err, errlen);
	if (rc == 0 && dev->max_qpairs < pairs) {
		vpmd_set_err(err, errlen,
			     "%s: the backend came back with %u queue pair(s), %u are configured",
			     dev->name, dev->max_qpairs, pairs);
		rc = -EPROTO;
	}
	if (rc == 0)
		rc = dev_bring_up(dev, err, errlen);
	return rc;
}

static void
backoff_next(struct vpmd_dev *dev, uint64_t now)
{
	dev->backoff_ms = dev->backoff_ms == 0
				  ? VPMD_RECONNECT_MIN_MS
				  : RTE_MIN(2 * dev->backoff_ms, (uint32_t)VPMD_RECONNECT_MAX_MS);
	dev->next_attempt_ms = now + dev->backoff_ms;
}

/*
 * A reconnect attempt failed after the connection was made: stop whatever rings the new
 * backend got, take the buffers back, drop the connection. If the rings cannot be stopped
 * (the new backend vanished too), wait for it to release them, as after the first loss.
 */
static void
reconnect_undo(struct vpmd_dev *dev, uint64_t now)
{
	char why[256] = "";
	int rc;

	rc = dev_release_queues(dev, why, sizeof(why));
	if (rc == 0)
		rc = dev->ops->reset(dev->priv, why, sizeof(why));
	if (rc != 0 && dev->ops->conn_lost(dev->priv)) {
		dev->recov = VPMD_RC_RELEASE;
		dev->release_deadline_ms = now + VPMD_RELEASE_WAIT_MS;
		return;
	}
	if (rc != 0) {
		vpmd_dev_mark_dead(dev, why[0] ? why : strerror(-rc));
		return;
	}
	dev_reset_rings(dev);
	dev->ops->conn_release(dev->priv, NULL, 0);
	dev->needs_setup = true;
}

static int
reconnect_attempt(struct vpmd_dev *dev, uint64_t now)
{
	char err[256] = "";
	int rc;

	dev->conn.attempts++;
	rc = dev->ops->reconnect(dev->priv, err, sizeof(err));
	if (rc == 0)
		rc = dev_renegotiate(dev, err, sizeof(err));
	if (rc == 0) {
		queues_run(dev);
		dev->recov = VPMD_RC_NONE;
		dev->backoff_ms = 0;
		dev->conn.down = false;
		dev->conn.reconnects++;
		VPMD_LOG(NOTICE, dev, "backend back after %" PRIu64 " attempt(s): link up",
			 dev->conn.attempts);
		return 0;
	}
	if (rc != -EAGAIN) {
		dev->conn.refused++;
		VPMD_LOG(NOTICE, dev, "reconnect refused: %s", err);
		reconnect_undo(dev, now);
		if (dev->dead)
			return -EIO;
	}
	backoff_next(dev, now);
	return -ENOTCONN;
}

int
vpmd_poll_at(struct vpmd_dev *dev, uint64_t now)
{
	char why[256] = "";
	int q;

	if (dev == NULL)
		return -EINVAL;
	if (dev->dead)
		return -EIO;
	if (dev->state != VPMD_ST_STARTED || dev->ops->conn_lost == NULL)
		return 0;
	switch (dev->recov) {
	case VPMD_RC_NONE:
		if (!dev->ops->conn_lost(dev->priv))
			return 0;
		dev->conn.losses++;
		dev->conn.down = true;
		dev->park_slow_logged = false;
		dev->release_deadline_ms = now + VPMD_RELEASE_WAIT_MS;
		queues_park(dev);
		dev->recov = VPMD_RC_PARK;
		VPMD_LOG(NOTICE, dev, "backend gone: link down, queues parked, reconnecting");
		/* fall through */
	case VPMD_RC_PARK:
		q = queues_parked(dev);
		if (q >= 0) {
			/* Nothing may touch the queue before its lcore let go of it. */
			if (now >= dev->release_deadline_ms && !dev->park_slow_logged) {
				dev->park_slow_logged = true;
				VPMD_LOG(
					NOTICE, dev,
					"queue pair %d not parked yet: its lcore must keep calling "
					"its rx or tx burst",
					q);
			}
			return -ENOTCONN;
		}
		dev->recov = VPMD_RC_RELEASE;
		dev->release_deadline_ms = now + VPMD_RELEASE_WAIT_MS;
		/* fall through */
	case VPMD_RC_RELEASE:
		if (dev->ops->conn_release(dev->priv, why, sizeof(why)) != 1) {
			if (now < dev->release_deadline_ms)
				return -ENOTCONN;
			vpmd_dev_mark_dead(dev, why[0] ? why
						       : "the backend did not release our "
							 "memory");
			return -EIO;
		}
		dev->queues_live = false;
		dev_reset_rings(dev);
		dev->needs_setup = true;
		dev->recov = VPMD_RC_CONNECT;
		dev->next_attempt_ms = now + dev->backoff_ms;
		/* fall through */
	case VPMD_RC_CONNECT:
	default:
		if (now < dev->next_attempt_ms)
			return -ENOTCONN;
		return reconnect_attempt(dev, now);
	}
}

int
vpmd_poll(struct vpmd_dev *dev)
{
	return vpmd_poll_at(dev, now_ms());
}

void
vpmd_conn_stats_get(const struct vpmd_dev *dev, struct vpmd_conn_stats *out)
{
	if (out == NULL)
		return;
	memset(out, 0, sizeof(*out));
	if (dev == NULL)
		return;
	*out = dev->conn;
	out->backoff_ms = dev->recov == VPMD_RC_CONNECT ? dev->backoff_ms : 0;
}

/* ---- queries ------------------------------------------------------------------------------- */

bool
vpmd_dead(const struct vpmd_dev *dev)
{
	return dev != NULL && dev->dead;
}

void
vpmd_leak_stats_get(struct vpmd_leak_stats *out)
{
	if (out == NULL)
		return;
	out->devices = __atomic_load_n(&vpmd_leaked.devices, __ATOMIC_RELAXED);
	out->rings = __atomic_load_n(&vpmd_leaked.rings, __ATOMIC_RELAXED);
	out->mbufs = __atomic_load_n(&vpmd_leaked.mbufs, __ATOMIC_RELAXED);
}

uint16_t
vpmd_nb_qpairs(const struct vpmd_dev *dev)
{
	return dev && dev->state != VPMD_ST_OPEN ? dev->nb_qpairs : 0;
}

struct vpmd_rxq *
vpmd_rxq(struct vpmd_dev *dev, uint16_t q)
{
	return dev && dev->state != VPMD_ST_OPEN && q < dev->nb_qpairs ? dev->rxq[q] : NULL;
}

struct vpmd_txq *
vpmd_txq(struct vpmd_dev *dev, uint16_t q)
{
	return dev && dev->state != VPMD_ST_OPEN && q < dev->nb_qpairs ? dev->txq[q] : NULL;
}

uint16_t
vpmd_rx_burst(struct vpmd_rxq *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return rxq->rx_fn(rxq, pkts, n);
}

uint16_t
vpmd_tx_burst(struct vpmd_txq *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return txq->tx_fn(txq, pkts, n);
}

unsigned int
vpmd_tx_reclaim(struct vpmd_txq *txq)
{
	return txq->reclaim_fn(txq);
}

#define STAT_COPY(name, desc) out->name = vpmd_read_once(&in->name);
void
vpmd_rxq_stats(const struct vpmd_rxq *rxq, struct vpmd_rxq_stats *out)
{
	const struct vpmd_rxq_stats *in = &rxq->stats;

	VPMD_RXQ_STATS(STAT_COPY)
}

void
vpmd_txq_stats(const struct vpmd_txq *txq, struct vpmd_txq_stats *out)
{
	const struct vpmd_txq_stats *in = &txq->stats;

	VPMD_TXQ_STATS(STAT_COPY)
}
#undef STAT_COPY

/* A single read of a flag the polling lcore sets once (never cleared while it polls). A queue
 * that does not exist (vpmd_rxq() gave NULL) cannot carry traffic either. */
bool
vpmd_rxq_broken(const struct vpmd_rxq *rxq)
{
	return rxq == NULL || (vpmd_read_once(&rxq->halt) & VPMD_Q_BROKEN) != 0;
}

bool
vpmd_txq_broken(const struct vpmd_txq *txq)
{
	return txq == NULL || (vpmd_read_once(&txq->halt) & VPMD_Q_BROKEN) != 0;
}

unsigned int
vpmd_health_check(struct vpmd_dev *dev)
{
	unsigned int n = 0;
	uint16_t q;

	if (dev == NULL || dev->state == VPMD_ST_OPEN)
		return 0;
	for (q = 0; q < dev->nb_qpairs; q++) {
		struct vpmd_rxq *rxq = dev->rxq[q];
		struct vpmd_txq *txq = dev->txq[q];

		if (vpmd_rxq_broken(rxq)) {
			n++;
			if (!rxq->bad_logged) {
				rxq->bad_logged = true;
				VPMD_LOG(ERR, dev,
					 "rx queue %u broken: %s; the queue stays stopped "
					 "until vpmd_stop()/vpmd_start()",
					 q, vpmd_bad_reason_str(rxq->bad_reason));
			}
		}
		if (vpmd_txq_broken(txq)) {
			n++;
			if (!txq->bad_logged) {
				txq->bad_logged = true;
				VPMD_LOG(ERR, dev,
					 "tx queue %u broken: %s; the queue stays stopped "
					 "until vpmd_stop()/vpmd_start()",
					 q, vpmd_bad_reason_str(txq->bad_reason));
			}
		}
	}
	return n;
}

int
vpmd_link_get(const struct vpmd_dev *dev, struct vpmd_link *link)
{
	uint16_t st;

	if (dev == NULL || link == NULL)
		return -EINVAL;
	link->up = dev->state == VPMD_ST_STARTED && dev->recov == VPMD_RC_NONE && !dev->dead;
	if (link->up && (dev->features & VPMD_F_STATUS) && vpmd_read_link_status(dev, &st) == 0)
		link->up = (st & VPMD_NET_S_LINK_UP) != 0;
	link->mtu = dev->mtu;
	link->mac = dev->mac;
	return 0;
}

uint64_t
vpmd_features(const struct vpmd_dev *dev)
{
	return dev ? dev->features : 0;
}

uint64_t
vpmd_device_features(const struct vpmd_dev *dev)
{
	return dev ? dev->dev_features : 0;
}

void
vpmd_info_dump(const struct vpmd_dev *dev, FILE *f)
{
	char fs[512];
	uint16_t q;

	if (dev == NULL || f == NULL)
		return;
	fprintf(f, "vpmd %s: transport %s, state %s\n", dev->name, dev->ops->name,
		dev->state == VPMD_ST_STARTED      ? "started"
		: dev->state == VPMD_ST_CONFIGURED ? "configured"
						   : "open");
	vpmd_features_str(dev->dev_features, fs, sizeof(fs));
	fprintf(f, "  offered:    0x%" PRIx64 " %s\n", dev->dev_features, fs);
	vpmd_features_str(dev->features, fs, sizeof(fs));
	fprintf(f, "  negotiated: 0x%" PRIx64 " %s\n", dev->features, fs);
	if (dev->state == VPMD_ST_OPEN)
		return;
	fprintf(f,
		"  rings: %s, rx %u / tx %u descriptors, %u of %u queue pair(s)%s, mtu %u, "
		"mac " RTE_ETHER_ADDR_PRT_FMT "\n",
		dev->packed ? "packed" : "split", dev->rx_ring_size, dev->tx_ring_size,
		dev->nb_qpairs, dev->max_qpairs,
		dev->cvq             ? ", control queue"
		: dev->ops->ctrl_cmd ? ", control via transport"
				     : "",
		dev->mtu, RTE_ETHER_ADDR_BYTES(&dev->mac));
	fprintf(f, "  barriers: %s; notifications: %s\n",
		(dev->features & VPMD_F_ORDER_PLATFORM) ? "platform (I/O)"
							: "SMP (acquire/release)",
		(dev->features & VPMD_F_EVENT_IDX) ? "event index" : "flags");
	fprintf(f, "  rx path: %s; tx path: %s%s\n", dev->rx_fn_name, dev->tx_fn_name,
		tx_indirect_str(dev));
	if (dev->ops->conn_lost != NULL)
		fprintf(f,
			"  backend: %s; lost %" PRIu64 ", reconnected %" PRIu64
			", attempts %" PRIu64 ", refused %" PRIu64 "\n",
			dev->dead                    ? "dead"
			: dev->recov != VPMD_RC_NONE ? "away"
						     : "connected",
			dev->conn.losses, dev->conn.reconnects, dev->conn.attempts,
			dev->conn.refused);
	for (q = 0; q < dev->nb_qpairs; q++) {
		const struct vpmd_vq *r = &dev->rxq[q]->vq, *t = &dev->txq[q]->vq;

		fprintf(f,
			"  pair %u: rx vq %u desc 0x%" PRIx64 "%s, tx vq %u desc 0x%" PRIx64 "%s\n",
			q, r->vq_index, r->mz->iova, vpmd_rxq_broken(dev->rxq[q]) ? " BROKEN" : "",
			t->vq_index, t->mz->iova, vpmd_txq_broken(dev->txq[q]) ? " BROKEN" : "");
	}
}
