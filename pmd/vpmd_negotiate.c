/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Feature negotiation and the device's config space (control path, main lcore).
 *
 * Device initialisation [virtio 1.2, 3.1.1]: reset, ACKNOWLEDGE, DRIVER, read the offer,
 * write what we accept, FEATURES_OK and read it back. Then the config fields the driver
 * uses are read with config_generation stable around them [2.4.1] and validated: the
 * device is not trusted to report sane limits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>

#include "vpmd_err.h"
#include "vpmd_internal.h"

/* How often a config read is retried while config_generation changes around it. */
#define CFG_READ_TRIES 16

#define FEATURE_NAME(bit, name, known) { VPMD_F_##name, #name },
static const struct {
	uint64_t bit;
	const char *name;
} feature_names[] = { VPMD_FEATURES(FEATURE_NAME) };
#undef FEATURE_NAME

void
vpmd_features_str(uint64_t f, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < RTE_DIM(feature_names) && off < len; i++) {
		if (f & feature_names[i].bit)
			off += snprintf(buf + off, len - off, "%s%s", off ? " " : "",
					feature_names[i].name);
	}
}

/*
 * What we ask for: the overlap of offer and wish, then the spec's dependency rules
 * [5.1.3.1] and one of ours, applied until nothing changes:
 *   GUEST_TSO4/6 and GUEST_ECN need GUEST_CSUM; GUEST_ECN needs GUEST_TSO4 or 6;
 *   HOST_TSO4/6 need CSUM; MQ, CTRL_GUEST_OFFLOADS, CTRL_RX and CTRL_MAC_ADDR need CTRL_VQ;
 *   ours: GUEST_TSO4/6 need MRG_RXBUF (we post mbuf-sized buffers, never 64 KB ones).
 */
static uint64_t
negotiate_features(uint64_t offered, uint64_t wanted)
{
	uint64_t f = offered & wanted & VPMD_F_KNOWN, prev;

	do {
		prev = f;
		if (!(f & VPMD_F_GUEST_CSUM) || !(f & VPMD_F_MRG_RXBUF))
			f &= ~(VPMD_F_GUEST_TSO4 | VPMD_F_GUEST_TSO6);
		if (!(f & (VPMD_F_GUEST_TSO4 | VPMD_F_GUEST_TSO6)))
			f &= ~VPMD_F_GUEST_ECN;
		if (!(f & VPMD_F_CSUM))
			f &= ~(VPMD_F_HOST_TSO4 | VPMD_F_HOST_TSO6);
		if (!(f & VPMD_F_CTRL_VQ))
			f &= ~(VPMD_F_MQ | VPMD_F_CTRL_GUEST_OFFLOADS | VPMD_F_CTRL_RX |
			       VPMD_F_CTRL_MAC_ADDR);
	} while (f != prev);
	return f;
}

void
vpmd_dev_set_failed(struct vpmd_dev *dev)
{
	uint8_t st = dev->ops->get_status(dev->priv);

	dev->ops->set_status(dev->priv, st | VPMD_STATUS_FAILED, NULL, 0);
}

int
vpmd_dev_negotiate(struct vpmd_dev *dev, uint64_t wanted, char *err, size_t errlen)
{
	const struct vpmd_transport_ops *ops = dev->ops;
	char why[256] = "";
	uint8_t st;
	int rc;

	rc = ops->reset(dev->priv, why, sizeof(why));
	if (rc != 0) {
		vpmd_set_err(err, errlen, "%s: device reset failed (%s)", dev->name,
			     why[0] ? why : strerror(-rc));
		vpmd_dev_mark_dead(dev, why[0] ? why : strerror(-rc));
		return rc;
	}
	ops->set_status(dev->priv, VPMD_STATUS_ACKNOWLEDGE, NULL, 0);
	ops->set_status(dev->priv, VPMD_STATUS_ACKNOWLEDGE | VPMD_STATUS_DRIVER, NULL, 0);
	dev->dev_features = ops->get_features(dev->priv);
	if (!(dev->dev_features & VPMD_F_VERSION_1)) {
		vpmd_set_err(err, errlen,
			     "%s: device does not offer VIRTIO_F_VERSION_1 (legacy-only "
			     "device); use a modern device (QEMU: disable-legacy=on)",
			     dev->name);
		vpmd_dev_set_failed(dev);
		return -ENOTSUP;
	}
	dev->features = negotiate_features(dev->dev_features, wanted);
	rc = ops->set_features(dev->priv, dev->features, why, sizeof(why));
	if (rc != 0) {
		vpmd_set_err(err, errlen, "%s: writing driver features failed (%s)", dev->name,
			     why[0] ? why : strerror(-rc));
		vpmd_dev_set_failed(dev);
		return rc;
	}
	ops->set_status(dev->priv,
			VPMD_STATUS_ACKNOWLEDGE | VPMD_STATUS_DRIVER | VPMD_STATUS_FEATURES_OK,
			NULL, 0);
	st = ops->get_status(dev->priv);
	if (!(st & VPMD_STATUS_FEATURES_OK)) {
		vpmd_set_err(err, errlen,
			     "%s: device rejected features 0x%" PRIx64 " (FEATURES_OK not set)",
			     dev->name, dev->features);
		vpmd_dev_set_failed(dev);
		return -EPROTO;
	}
	dev->packed = (dev->features & VPMD_F_RING_PACKED) != 0;
	dev->mrg = (dev->features & VPMD_F_MRG_RXBUF) != 0;
	dev->in_order = (dev->features & VPMD_F_IN_ORDER) != 0;
	return 0;
}

/* Read the config field `field` of struct vpmd_net_config into the same field of *cfg. */
#define CFG_READ(dev, cfg, field, why)                                                \
	(dev)->ops->read_config((dev)->priv, offsetof(struct vpmd_net_config, field), \
				&(cfg)->field, sizeof((cfg)->field), why, sizeof(why))

/* Config space is only consistent when config_generation did not change around the read
 * [2.4.1]. Fields whose feature was not negotiated stay 0. */
static int
read_config(struct vpmd_dev *dev, struct vpmd_net_config *cfg, char *err, size_t errlen)
{
	const struct vpmd_transport_ops *ops = dev->ops;
	unsigned int tries;
	char why[256] = "";
	uint8_t g0, g1;
	int rc;

	for (tries = 0; tries < CFG_READ_TRIES; tries++) {
		g0 = ops->config_generation(dev->priv);
		memset(cfg, 0, sizeof(*cfg));
		rc = 0;
		if (dev->features & VPMD_F_MAC)
			rc |= CFG_READ(dev, cfg, mac, why);
		if (dev->features & VPMD_F_STATUS)
			rc |= CFG_READ(dev, cfg, status, why);
		if (dev->features & VPMD_F_MQ)
			rc |= CFG_READ(dev, cfg, max_virtqueue_pairs, why);
		if (dev->features & VPMD_F_MTU)
			rc |= CFG_READ(dev, cfg, mtu, why);
		if (rc != 0) {
			vpmd_set_err(err, errlen, "%s: reading device config failed%s%s", dev->name,
				     why[0] ? ": " : "", why);
			return -EIO;
		}
		g1 = ops->config_generation(dev->priv);
		if (g0 == g1)
			return 0;
	}
	vpmd_set_err(err, errlen, "%s: device config keeps changing (config_generation unstable)",
		     dev->name);
	return -EAGAIN;
}

int
vpmd_read_device_limits(struct vpmd_dev *dev, char *err, size_t errlen)
{
	struct vpmd_net_config cfg;
	int rc;

	rc = read_config(dev, &cfg, err, errlen);
	if (rc != 0)
		return rc;
	dev->max_qpairs = 1;
	if (dev->features & VPMD_F_MQ) {
		uint16_t mp = rte_le_to_cpu_16(cfg.max_virtqueue_pairs);

		if (mp < VPMD_MQ_PAIRS_MIN || mp > VPMD_MQ_PAIRS_MAX) {
			vpmd_set_err(err, errlen,
				     "%s: device reports max_virtqueue_pairs %u "
				     "(must be %u..%u)",
				     dev->name, mp, VPMD_MQ_PAIRS_MIN, VPMD_MQ_PAIRS_MAX);
			return -EPROTO;
		}
		dev->max_qpairs = mp;
	}
	dev->mtu = RTE_ETHER_MTU;
	if (dev->features & VPMD_F_MTU) {
		uint16_t mtu = rte_le_to_cpu_16(cfg.mtu);

		if (mtu < VPMD_MTU_MIN) {
			vpmd_set_err(err, errlen, "%s: device reports MTU %u (must be at least %u)",
				     dev->name, mtu, VPMD_MTU_MIN);
			return -EPROTO;
		}
		dev->mtu = mtu;
	}
	if (dev->features & VPMD_F_MAC)
		memcpy(dev->mac.addr_bytes, cfg.mac, RTE_ETHER_ADDR_LEN);
	/* A station address is unicast and not zero; a device offering anything else gets a
	 * random locally administered one, as if it had not offered MAC. */
	if (!(dev->features & VPMD_F_MAC) || !rte_is_valid_assigned_ether_addr(&dev->mac)) {
		if (dev->features & VPMD_F_MAC)
			VPMD_LOG(WARNING, dev,
				 "device MAC " RTE_ETHER_ADDR_PRT_FMT
				 " is multicast or zero; using a random local address",
				 RTE_ETHER_ADDR_BYTES(&dev->mac));
		rte_eth_random_addr(dev->mac.addr_bytes);
	}
	return 0;
}

int
vpmd_read_link_status(const struct vpmd_dev *dev, uint16_t *status)
{
	uint16_t st;
	int rc;

	rc = dev->ops->read_config(dev->priv, offsetof(struct vpmd_net_config, status), &st,
				   sizeof(st), NULL, 0);
	if (rc == 0)
		*status = rte_le_to_cpu_16(st);
	return rc;
}
