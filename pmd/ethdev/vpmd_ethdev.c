/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vpmd: vpmd as a DPDK ethdev (a vdev driver), so that every DPDK application and tool
 * runs on it: `dpdk-testpmd -d librte_net_vpmd.so --vdev net_vpmd0,vhost-user=PATH,...`.
 *
 * The ethdev layer's life cycle maps onto vpmd's:
 *   probe        vpmd_open() (connects to the device; its offered features give the
 *                capabilities dev_infos_get reports)
 *   configure,   recorded only: vpmd configures all queue pairs at once, with one rx
 *   queue setup  mempool and one ring size, so
 *   dev_start    vpmd_configure() (when something changed) + vpmd_start(); the ethdev queue
 *                pointers become vpmd's queues, so rte_eth_rx_burst() lands on a one-line
 *                function that tail-calls vpmd_rx_burst() (no per-packet work here)
 *   dev_stop     vpmd_stop() (device reset, every mbuf back in its pool)
 *   dev_close    vpmd_close()
 * Control operations run on the main lcore only (the ethdev rule and vpmd's).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bus_pci_driver.h>
#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_pci.h>
#include <ethdev_vdev.h>
#include <rte_alarm.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>

#include "rte_pmd_vpmd.h"
#include "vpmd.h"
#include "vpmd_spec.h"

RTE_LOG_REGISTER(vpmd_eth_logtype, pmd.net.vpmd.ethdev, NOTICE);
#define VPMD_ETH_LOG(level, name, fmt, ...) \
	rte_log(RTE_LOG_##level, vpmd_eth_logtype, "%s: " fmt "\n", name, ##__VA_ARGS__)

/* Devargs, one table: key, value syntax (the driver's parameter string comes from it). */
#define VPMD_ETH_DEVARGS(X)                          \
	X(VHOST_USER, "vhost-user", "<socket path>") \
	X(PCI, "pci", "<DBDF>")                      \
	X(QUEUES, "queues", "<1-64>")                \
	X(PACKED, "packed", "on|off|auto")           \
	X(RX_RING, "rx_ring", "<1-32768>")           \
	X(TX_RING, "tx_ring", "<1-32768>")           \
	X(SERVER, "server", "0|1")
#define VPMD_ETH_ARG_KEY(id, key, syntax) key,
static const char *const vpmd_eth_keys[] = { VPMD_ETH_DEVARGS(VPMD_ETH_ARG_KEY) NULL };
#undef VPMD_ETH_ARG_KEY
#define VPMD_ETH_ARG_PARAM(id, key, syntax) key "=" syntax " "
#define VPMD_ETH_PARAMS                     VPMD_ETH_DEVARGS(VPMD_ETH_ARG_PARAM)
/* Its length without the trailing space, for messages. */
#define VPMD_ETH_PARAMS_LEN ((int)sizeof(VPMD_ETH_PARAMS) - 2)

enum vpmd_eth_packed { VPMD_ETH_PACKED_AUTO, VPMD_ETH_PACKED_ON, VPMD_ETH_PACKED_OFF };

struct vpmd_eth_args {
	char spec[PATH_MAX + 16];  /* vpmd_open() spec: "vhost-user:PATH" or "pci:DBDF" */
	uint16_t queues;           /* queue pairs this port offers (default 1) */
	uint16_t rx_ring, tx_ring; /* 0 = the application's nb_desc */
	enum vpmd_eth_packed packed;
	bool server; /* vhost-user server=1 */
};

/* What a queue set-up recorded until dev_start hands it to vpmd_configure(). */
struct vpmd_eth_qslot {
	struct rte_mempool *mp; /* rx only */
	uint16_t nb_desc;
};

/*
 * dev_private lives in shared memory (a secondary process reads it); vpmd itself, its
 * transport and doorbells are the primary's alone: a secondary reads only what is cached
 * here and the queues' counters (which vpmd keeps in hugepage memory too).
 */
struct vpmd_eth_priv {
	struct vpmd_dev *vpmd; /* primary only */
	struct vpmd_eth_args args;
	struct rte_ether_addr mac;
	bool mac_user_set; /* set through mac_addr_set: kept over the device's own address */
	uint64_t offered;  /* vpmd_device_features(), cached at probe */
	uint64_t features; /* negotiated, cached at the last vpmd_configure() (0 before) */
	uint16_t dev_mtu;  /* the device's MTU, cached at the last vpmd_configure() */
	bool dirty;        /* configure or a queue set-up since the last vpmd_configure() */
	struct vpmd_eth_qslot rxslot[VPMD_MAX_QPAIRS];
	struct vpmd_eth_qslot txslot[VPMD_MAX_QPAIRS];
	/* Counters at the last stats reset: vpmd's are single-writer and never reset. */
	struct vpmd_rxq_stats rx_base[VPMD_MAX_QPAIRS];
	struct vpmd_txq_stats tx_base[VPMD_MAX_QPAIRS];
};

/* ---- fast path: the ethdev signature, straight into vpmd's bursts ------------------------- */

static uint16_t
vpmd_eth_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	return vpmd_rx_burst(rxq, pkts, n);
}

static uint16_t
vpmd_eth_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	return vpmd_tx_burst(txq, pkts, n);
}

static int
vpmd_eth_tx_done_cleanup(void *txq, uint32_t free_cnt)
{
	RTE_SET_USED(free_cnt);
	return (int)vpmd_tx_reclaim(txq);
}

/* ---- devargs ------------------------------------------------------------------------------- */

static int
parse_u16(const char *name, const char *key, const char *val, unsigned long max, uint16_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(val, &end, 0);
	if (errno != 0 || end == val || *end != '\0' || v < 1 || v > max) {
		VPMD_ETH_LOG(ERR, name, "devarg %s=%s: expected a number in 1..%lu", key, val, max);
		return -EINVAL;
	}
	*out = (uint16_t)v;
	return 0;
}

/* server=1: vhost-user server mode (we listen, the backend connects), a transport option. */
static int
parse_server(const char *name, const char *val, struct vpmd_eth_args *a)
{
	if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0) {
		VPMD_ETH_LOG(ERR, name, "devarg server=%s: expected 0 or 1", val);
		return -EINVAL;
	}
	a->server = val[0] == '1';
	return 0;
}

static int
parse_pair(const char *name, const struct rte_kvargs_pair *p, struct vpmd_eth_args *a)
{
	int n;

	if (strcmp(p->key, "vhost-user") == 0 || strcmp(p->key, "pci") == 0) {
		if (a->spec[0] != '\0') {
			VPMD_ETH_LOG(ERR, name, "devargs: give one device, vhost-user= or pci=");
			return -EINVAL;
		}
		n = snprintf(a->spec, sizeof(a->spec), "%s:%s", p->key, p->value);
		if (n < 0 || (size_t)n >= sizeof(a->spec) || p->value[0] == '\0') {
			VPMD_ETH_LOG(ERR, name, "devarg %s=%s: empty or too long", p->key,
				     p->value);
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(p->key, "queues") == 0)
		return parse_u16(name, p->key, p->value, VPMD_MAX_QPAIRS, &a->queues);
	if (strcmp(p->key, "server") == 0)
		return parse_server(name, p->value, a);
	if (strcmp(p->key, "rx_ring") == 0)
		return parse_u16(name, p->key, p->value, VPMD_RING_SIZE_MAX, &a->rx_ring);
	if (strcmp(p->key, "tx_ring") == 0)
		return parse_u16(name, p->key, p->value, VPMD_RING_SIZE_MAX, &a->tx_ring);
	/* the one key left: packed */
	if (strcmp(p->value, "on") == 0)
		a->packed = VPMD_ETH_PACKED_ON;
	else if (strcmp(p->value, "off") == 0)
		a->packed = VPMD_ETH_PACKED_OFF;
	else if (strcmp(p->value, "auto") == 0)
		a->packed = VPMD_ETH_PACKED_AUTO;
	else {
		VPMD_ETH_LOG(ERR, name, "devarg packed=%s: expected on, off or auto", p->value);
		return -EINVAL;
	}
	return 0;
}

/* Parse "key=value,..." into a; every error is one log line naming the devarg. */
static int
parse_devargs(const char *name, const char *params, struct vpmd_eth_args *a)
{
	struct rte_kvargs *kv;
	unsigned int i, k;
	size_t len;
	int rc = 0;

	memset(a, 0, sizeof(*a));
	a->queues = 1;
	kv = rte_kvargs_parse(params ? params : "", NULL);
	if (kv == NULL) {
		VPMD_ETH_LOG(ERR, name, "devargs '%s' are not key=value,...; valid: %.*s", params,
			     VPMD_ETH_PARAMS_LEN, VPMD_ETH_PARAMS);
		return -EINVAL;
	}
	for (i = 0; i < kv->count && rc == 0; i++) {
		for (k = 0; vpmd_eth_keys[k] != NULL; k++)
			if (strcmp(kv->pairs[i].key, vpmd_eth_keys[k]) == 0)
				break;
		if (vpmd_eth_keys[k] == NULL || kv->pairs[i].value == NULL) {
			VPMD_ETH_LOG(ERR, name, "unknown or empty devarg '%s'; valid: %.*s",
				     kv->pairs[i].key, VPMD_ETH_PARAMS_LEN, VPMD_ETH_PARAMS);
			rc = -EINVAL;
		} else {
			rc = parse_pair(name, &kv->pairs[i], a);
		}
	}
	rte_kvargs_free(kv);
	if (rc == 0 && a->spec[0] == '\0') {
		VPMD_ETH_LOG(ERR, name, "no device: add vhost-user=<socket path> or pci=<DBDF>");
		rc = -EINVAL;
	}
	/* A vhost-user device shows the pairs its spec names (the backend only says its
	 * ceiling): the port's queues. */
	len = strlen(a->spec);
	if (rc == 0 && strncmp(a->spec, "vhost-user:", 11) == 0 &&
	    snprintf(a->spec + len, sizeof(a->spec) - len, ",queues=%u%s", a->queues,
		     a->server ? ",server=1" : "") >= (int)(sizeof(a->spec) - len)) {
		VPMD_ETH_LOG(ERR, name, "devarg vhost-user: socket path too long");
		rc = -EINVAL;
	}
	return rc;
}

/* ---- control path ------------------------------------------------------------------------- */

/* The features the device offers (known once vpmd_open() has read them): what the port's
 * capabilities are made of before anything is negotiated. */
static uint64_t
offered_features(const struct vpmd_eth_priv *priv)
{
	return priv->offered;
}

/* ---- receive filter, MAC address, MTU ----------------------------------------------------- */

/*
 * The device's receive filter and MAC address are reached through the control queue
 * (CTRL_RX, CTRL_MAC_ADDR [virtio 1.2, 5.1.6.5.1-2]). vpmd's vhost-user transport carries
 * VQ_PAIRS_SET only (the backend never sees a control queue), so they are asked for on PCI
 * devices alone.
 */
static uint64_t
ctrl_features(const struct vpmd_eth_priv *priv)
{
	if (strncmp(priv->args.spec, "pci:", 4) != 0)
		return 0;
	return VPMD_F_CTRL_RX | VPMD_F_CTRL_MAC_ADDR;
}

/*
 * Without CTRL_RX the device delivers every frame: promiscuous and all-multicast, on or off,
 * are its behaviour and accepted as they are. With CTRL_RX the mode goes to the device once it
 * runs; ethdev replays both modes after every start, which is when a stopped port's settings
 * reach it.
 */
static int
rx_mode_set(struct rte_eth_dev *dev, bool promisc, bool on)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;
	char err[256] = "";
	int rc;

	if (!(priv->features & VPMD_F_CTRL_RX) || !dev->data->dev_started)
		return 0;
	rc = promisc ? vpmd_ctrl_promisc(priv->vpmd, on, err, sizeof(err))
		     : vpmd_ctrl_allmulti(priv->vpmd, on, err, sizeof(err));
	if (rc != 0)
		VPMD_ETH_LOG(ERR, dev->data->name, "%s", err);
	return rc;
}

static int
vpmd_eth_promisc_on(struct rte_eth_dev *dev)
{
	return rx_mode_set(dev, true, true);
}

static int
vpmd_eth_promisc_off(struct rte_eth_dev *dev)
{
	return rx_mode_set(dev, true, false);
}

static int
vpmd_eth_allmulti_on(struct rte_eth_dev *dev)
{
	return rx_mode_set(dev, false, true);
}

static int
vpmd_eth_allmulti_off(struct rte_eth_dev *dev)
{
	return rx_mode_set(dev, false, false);
}

/* An address set through ethdev goes to a device with CTRL_MAC_ADDR (again after each start:
 * a reset forgets it); without it the address is the port's own, the one the application
 * sends from, and the device (no CTRL_RX filter) delivers frames to it as to any other. */
static int
mac_restore(struct vpmd_eth_priv *priv, char *err, size_t errlen)
{
	if (!priv->mac_user_set || !(priv->features & VPMD_F_CTRL_MAC_ADDR))
		return 0;
	return vpmd_ctrl_mac_set(priv->vpmd, &priv->mac, err, errlen);
}

static int
vpmd_eth_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;
	struct rte_ether_addr old = priv->mac;
	bool old_set = priv->mac_user_set;
	char err[256] = "";
	int rc = 0;

	priv->mac = *mac;
	priv->mac_user_set = true;
	if (dev->data->dev_started)
		rc = mac_restore(priv, err, sizeof(err));
	if (rc != 0) {
		VPMD_ETH_LOG(ERR, dev->data->name, "%s", err);
		priv->mac = old;
		priv->mac_user_set = old_set;
	}
	return rc;
}

/*
 * Virtio has no command that sets an MTU: the device's (VIRTIO_NET_F_MTU) is its limit, which
 * dev_infos_get reports as max_mtu and ethdev checks. A smaller one is the application's
 * choice of frame size. Without MRG_RXBUF a frame must also fit one rx buffer.
 */
static int
mtu_check(const struct rte_eth_dev *dev, const struct vpmd_eth_priv *priv, uint16_t mtu, char *err,
	  size_t errlen)
{
	uint64_t f = priv->features != 0 ? priv->features : priv->offered;
	const struct rte_mempool *mp = priv->rxslot[0].mp;
	uint32_t frame = (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN, room;

	RTE_SET_USED(dev);
	if (priv->dev_mtu != 0 && mtu > priv->dev_mtu) {
		snprintf(err, errlen, "MTU %u is above the device's MTU %u", mtu, priv->dev_mtu);
		return -EINVAL;
	}
	if ((f & VPMD_F_MRG_RXBUF) || mp == NULL)
		return 0;
	room = rte_pktmbuf_data_room_size((struct rte_mempool *)(uintptr_t)mp) -
	       RTE_PKTMBUF_HEADROOM;
	if (frame > room) {
		snprintf(err, errlen,
			 "MTU %u needs %u-byte rx buffers (the device has no MRG_RXBUF): the rx "
			 "mempool's hold %u; use a larger mbuf data room or a smaller MTU",
			 mtu, frame, room);
		return -EINVAL;
	}
	return 0;
}

static int
vpmd_eth_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;
	char err[256] = "";
	int rc = mtu_check(dev, priv, mtu, err, sizeof(err));

	if (rc != 0)
		VPMD_ETH_LOG(ERR, dev->data->name, "mtu_set: %s", err);
	return rc;
}

static int
vpmd_eth_configure(struct rte_eth_dev *dev)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;
	const char *name = dev->data->name;

	if (dev->data->nb_rx_queues != dev->data->nb_tx_queues) {
		VPMD_ETH_LOG(ERR, name,
			     "%u rx and %u tx queues: vpmd uses queue pairs, ask for "
			     "as many of each",
			     dev->data->nb_rx_queues, dev->data->nb_tx_queues);
		return -EINVAL;
	}
	priv->dirty = true;
	return 0;
}

static int
vpmd_eth_info_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;
	uint64_t f = offered_features(priv);

	info->max_rx_queues = priv->args.queues;
	info->max_tx_queues = priv->args.queues;
	info->max_mac_addrs = 1;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	/* The device's MTU once it is configured; 1500 until then (vpmd reads it then). */
	info->max_mtu = priv->dev_mtu != 0 ? priv->dev_mtu : RTE_ETHER_MTU;
	info->max_rx_pktlen = (uint32_t)info->max_mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
	info->min_rx_bufsize = RTE_ETHER_MIN_LEN;
	info->rx_desc_lim.nb_max = VPMD_RING_SIZE_MAX;
	info->rx_desc_lim.nb_min = 64;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim = info->rx_desc_lim;
	info->default_rxportconf.ring_size = VPMD_RING_SIZE_DEFAULT;
	info->default_txportconf.ring_size = VPMD_RING_SIZE_DEFAULT;
	info->default_rxportconf.burst_size = 32;
	info->default_txportconf.burst_size = 32;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->speed_capa = RTE_ETH_LINK_SPEED_AUTONEG;

	if (f & VPMD_F_MRG_RXBUF)
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_SCATTER;
	if (f & VPMD_F_GUEST_CSUM)
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
					 RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	/* vpmd takes GUEST_TSO only with MRG_RXBUF: it never posts 64 KB buffers. */
	if ((f & VPMD_F_GUEST_CSUM) && (f & VPMD_F_MRG_RXBUF) &&
	    (f & (VPMD_F_GUEST_TSO4 | VPMD_F_GUEST_TSO6)))
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (f & VPMD_F_CSUM)
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
					 RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	if ((f & VPMD_F_CSUM) && (f & (VPMD_F_HOST_TSO4 | VPMD_F_HOST_TSO6)))
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
	info->rx_queue_offload_capa = 0;
	info->tx_queue_offload_capa = 0;
	info->dev_capa = 0;
	return 0;
}

static int
vpmd_eth_rx_queue_setup(struct rte_eth_dev *dev, uint16_t q, uint16_t nb_desc,
			unsigned int socket_id, const struct rte_eth_rxconf *conf,
			struct rte_mempool *mp)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;

	RTE_SET_USED(socket_id);
	RTE_SET_USED(conf);
	if (q >= VPMD_MAX_QPAIRS)
		return -EINVAL;
	priv->rxslot[q].mp = mp;
	priv->rxslot[q].nb_desc = nb_desc;
	/* A placeholder until dev_start puts vpmd's queue here: the ethdev layer only needs it
	 * non-NULL, and never bursts on a stopped port. */
	dev->data->rx_queues[q] = &priv->rxslot[q];
	priv->dirty = true;
	return 0;
}

static int
vpmd_eth_tx_queue_setup(struct rte_eth_dev *dev, uint16_t q, uint16_t nb_desc,
			unsigned int socket_id, const struct rte_eth_txconf *conf)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;

	RTE_SET_USED(socket_id);
	RTE_SET_USED(conf);
	if (q >= VPMD_MAX_QPAIRS)
		return -EINVAL;
	priv->txslot[q].nb_desc = nb_desc;
	dev->data->tx_queues[q] = &priv->txslot[q];
	priv->dirty = true;
	return 0;
}

static void
vpmd_eth_queue_release(struct rte_eth_dev *dev, uint16_t q)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;

	RTE_SET_USED(q);
	priv->dirty = true;
}

/* The features to ask vpmd for: what the application enabled, nothing it did not (a partial
 * checksum or a 64 KB segment would surprise an application that did not ask for them). */
static uint64_t
wanted_features(const struct rte_eth_dev *dev, const struct vpmd_eth_priv *priv)
{
	uint64_t rxo = dev->data->dev_conf.rxmode.offloads;
	uint64_t txo = dev->data->dev_conf.txmode.offloads;
	uint64_t f = VPMD_FEATURES_DEFAULT;

	if (!(rxo & RTE_ETH_RX_OFFLOAD_TCP_LRO))
		f &= ~(VPMD_F_GUEST_TSO4 | VPMD_F_GUEST_TSO6);
	if (!(rxo & (RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
		     RTE_ETH_RX_OFFLOAD_UDP_CKSUM)))
		f &= ~VPMD_F_GUEST_CSUM;
	/* CSUM makes the backend read each packet's header (DPDK's vhost parses it for offload
	 * requests): a second cache line per 64 B frame, which it takes from our core. */
	if (!(txo & (RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
		     RTE_ETH_TX_OFFLOAD_TCP_TSO)))
		f &= ~VPMD_F_CSUM;
	if (txo & RTE_ETH_TX_OFFLOAD_TCP_TSO)
		f |= VPMD_F_HOST_TSO4 | VPMD_F_HOST_TSO6;
	if (priv->args.packed == VPMD_ETH_PACKED_OFF)
		f &= ~VPMD_F_RING_PACKED;
	return f | ctrl_features(priv);
}

/* One ring size for every queue: the devargs, else the largest nb_desc asked for. */
static uint16_t
ring_size(const struct rte_eth_dev *dev, const struct vpmd_eth_priv *priv)
{
	uint16_t s = RTE_MAX(priv->args.rx_ring, priv->args.tx_ring);
	uint16_t q;

	if (s != 0)
		return s;
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		s = RTE_MAX(s, RTE_MAX(priv->rxslot[q].nb_desc, priv->txslot[q].nb_desc));
	return s;
}

static int
vpmd_eth_reconfigure(struct rte_eth_dev *dev, struct vpmd_eth_priv *priv, char *err, size_t errlen)
{
	struct vpmd_conf conf;
	struct vpmd_link link;
	uint16_t q;
	int rc;

	memset(&conf, 0, sizeof(conf));
	conf.nb_qpairs = dev->data->nb_rx_queues;
	conf.ring_size = ring_size(dev, priv);
	conf.features = wanted_features(dev, priv);
	conf.rx_pool = priv->rxslot[0].mp;
	conf.socket_id = dev->data->numa_node;
	for (q = 1; q < conf.nb_qpairs; q++) {
		if (priv->rxslot[q].mp != conf.rx_pool) {
			snprintf(err, errlen,
				 "rx queue %u has another mempool than queue 0: vpmd "
				 "fills all rx rings from one pool",
				 q);
			return -EINVAL;
		}
	}
	rc = vpmd_configure(priv->vpmd, &conf, err, errlen);
	if (rc != 0)
		return rc;
	if (priv->args.packed == VPMD_ETH_PACKED_ON &&
	    !(vpmd_features(priv->vpmd) & VPMD_F_RING_PACKED)) {
		snprintf(err, errlen,
			 "packed=on, but the device does not offer RING_PACKED; use "
			 "packed=auto or off");
		return -ENOTSUP;
	}
	priv->features = vpmd_features(priv->vpmd);
	if (vpmd_link_get(priv->vpmd, &link) == 0) {
		priv->dev_mtu = link.mtu;
		if (!priv->mac_user_set)
			priv->mac = link.mac;
	}
	rc = mtu_check(dev, priv, dev->data->mtu, err, errlen);
	if (rc != 0)
		return rc;
	memset(priv->rx_base, 0, sizeof(priv->rx_base));
	memset(priv->tx_base, 0, sizeof(priv->tx_base));
	priv->dirty = false;
	return 0;
}

/*
 * Reconnect: vpmd_poll() every VPMD_ETH_POLL_US while started, from an EAL alarm (the
 * interrupt thread). dev_stop cancels it first (rte_eal_alarm_cancel waits for a running
 * callback), so it never runs concurrently with another vpmd control call of the port;
 * the link status follows vpmd's.
 */
#define VPMD_ETH_POLL_US (50 * 1000)

/*
 * The port's link from vpmd's. Only the control thread that owns vpmd at that moment calls
 * it: the start (before the alarm is armed) and then the alarm itself, so link_update never
 * touches vpmd concurrently with a reconnect; it reports what was stored here.
 */
static bool
vpmd_eth_link_refresh(struct rte_eth_dev *dev, struct vpmd_eth_priv *priv)
{
	struct rte_eth_link link, old;
	struct vpmd_link vl;

	memset(&link, 0, sizeof(link));
	link.link_speed = RTE_ETH_SPEED_NUM_UNKNOWN;
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	if (vpmd_link_get(priv->vpmd, &vl) == 0 && vl.up)
		link.link_status = RTE_ETH_LINK_UP;
	rte_eth_linkstatus_get(dev, &old);
	rte_eth_linkstatus_set(dev, &link);
	return old.link_status != link.link_status;
}

static void
vpmd_eth_poll_alarm(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct vpmd_eth_priv *priv = dev->data->dev_private;

	vpmd_poll(priv->vpmd);
	if (vpmd_eth_link_refresh(dev, priv))
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
	if (vpmd_dead(priv->vpmd))
		return;
	rte_eal_alarm_set(VPMD_ETH_POLL_US, vpmd_eth_poll_alarm, dev);
}

static int
vpmd_eth_start(struct rte_eth_dev *dev)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;
	char err[256] = "";
	uint16_t q;
	int rc = 0;

	if (priv->dirty)
		rc = vpmd_eth_reconfigure(dev, priv, err, sizeof(err));
	if (rc == 0)
		rc = vpmd_start(priv->vpmd, err, sizeof(err));
	if (rc == 0)
		rc = mac_restore(priv, err, sizeof(err));
	if (rc != 0) {
		VPMD_ETH_LOG(ERR, dev->data->name, "start failed: %s", err);
		return rc;
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		dev->data->rx_queues[q] = vpmd_rxq(priv->vpmd, q);
		dev->data->tx_queues[q] = vpmd_txq(priv->vpmd, q);
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	vpmd_eth_link_refresh(dev, priv);
	rte_eal_alarm_set(VPMD_ETH_POLL_US, vpmd_eth_poll_alarm, dev);
	return 0;
}

static int
vpmd_eth_stop(struct rte_eth_dev *dev)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;
	struct rte_eth_link link;
	uint16_t q;

	rte_eal_alarm_cancel(vpmd_eth_poll_alarm, dev);
	vpmd_stop(priv->vpmd);
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	memset(&link, 0, sizeof(link));
	rte_eth_linkstatus_set(dev, &link);
	return 0;
}

static int
vpmd_eth_close(struct rte_eth_dev *dev)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	vpmd_close(priv->vpmd);
	priv->vpmd = NULL;
	/* mac_addrs points into dev_private, which the ethdev layer frees on its own. */
	dev->data->mac_addrs = NULL;
	return 0;
}

/*
 * While started the alarm keeps the link (vpmd_eth_link_refresh); stopped, it is down (set
 * by the stop). Reading vpmd here would race with a reconnect running in the alarm.
 */
static int
vpmd_eth_link_update(struct rte_eth_dev *dev, int wait)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(wait);
	return 0;
}

/* A queue's counters since the last reset (zeros before the first vpmd_configure()). */
/* vpmd's queues: through vpmd in the primary; in a secondary through the port's queue
 * pointers, which are vpmd's queues (hugepage memory) while the port is started. */
static const struct vpmd_rxq *
counted_rxq(const struct rte_eth_dev *dev, const struct vpmd_eth_priv *priv, uint16_t q)
{
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		return vpmd_rxq(priv->vpmd, q);
	return dev->data->dev_started ? dev->data->rx_queues[q] : NULL;
}

static const struct vpmd_txq *
counted_txq(const struct rte_eth_dev *dev, const struct vpmd_eth_priv *priv, uint16_t q)
{
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		return vpmd_txq(priv->vpmd, q);
	return dev->data->dev_started ? dev->data->tx_queues[q] : NULL;
}

static void
rxq_counters(const struct rte_eth_dev *dev, struct vpmd_eth_priv *priv, uint16_t q,
	     struct vpmd_rxq_stats *s)
{
	const struct vpmd_rxq *rxq = counted_rxq(dev, priv, q);

	memset(s, 0, sizeof(*s));
	if (rxq == NULL || priv->dirty)
		return;
	vpmd_rxq_stats(rxq, s);
#define SUB(name, desc) s->name -= priv->rx_base[q].name;
	VPMD_RXQ_STATS(SUB)
#undef SUB
}

static void
txq_counters(const struct rte_eth_dev *dev, struct vpmd_eth_priv *priv, uint16_t q,
	     struct vpmd_txq_stats *s)
{
	const struct vpmd_txq *txq = counted_txq(dev, priv, q);

	memset(s, 0, sizeof(*s));
	if (txq == NULL || priv->dirty)
		return;
	vpmd_txq_stats(txq, s);
#define SUB(name, desc) s->name -= priv->tx_base[q].name;
	VPMD_TXQ_STATS(SUB)
#undef SUB
}

static int
vpmd_eth_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;
	struct vpmd_rxq_stats r;
	struct vpmd_txq_stats t;
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		rxq_counters(dev, priv, q, &r);
		txq_counters(dev, priv, q, &t);
		st->ipackets += r.packets;
		st->ibytes += r.bytes;
		st->ierrors += r.drop_bad_len + r.drop_bad_hdr;
		st->rx_nombuf += r.drop_nombuf;
		st->opackets += t.packets;
		st->obytes += t.bytes;
		st->oerrors += t.drop_bad_pkt;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[q] = r.packets;
			st->q_ibytes[q] = r.bytes;
			st->q_errors[q] = r.drop_bad_len + r.drop_bad_hdr;
			st->q_opackets[q] = t.packets;
			st->q_obytes[q] = t.bytes;
		}
	}
	return 0;
}

static int
vpmd_eth_stats_reset(struct rte_eth_dev *dev)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues && !priv->dirty; q++) {
		if (vpmd_rxq(priv->vpmd, q) == NULL)
			break;
		vpmd_rxq_stats(vpmd_rxq(priv->vpmd, q), &priv->rx_base[q]);
		vpmd_txq_stats(vpmd_txq(priv->vpmd, q), &priv->tx_base[q]);
	}
	return 0;
}

/* xstats: per queue, vpmd's counter tables in table order: rx_q<N>_<counter>, then
 * tx_q<N>_<counter>. */
#define COUNT(name, desc) +1
enum { VPMD_ETH_NB_RXQ_XSTATS = 0 VPMD_RXQ_STATS(COUNT) };
enum { VPMD_ETH_NB_TXQ_XSTATS = 0 VPMD_TXQ_STATS(COUNT) };
#undef COUNT
#define NAME(name, desc) #name,
static const char *const vpmd_eth_rxq_xstat[] = { VPMD_RXQ_STATS(NAME) };
static const char *const vpmd_eth_txq_xstat[] = { VPMD_TXQ_STATS(NAME) };
#undef NAME

static unsigned int
nb_xstats(const struct rte_eth_dev *dev)
{
	return (unsigned int)dev->data->nb_rx_queues *
	       (VPMD_ETH_NB_RXQ_XSTATS + VPMD_ETH_NB_TXQ_XSTATS);
}

static int
vpmd_eth_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			  unsigned int size)
{
	unsigned int n = nb_xstats(dev), i = 0, k;
	uint16_t q;

	if (names == NULL || size < n)
		return (int)n;
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		for (k = 0; k < VPMD_ETH_NB_RXQ_XSTATS; k++)
			snprintf(names[i++].name, sizeof(names[0].name), "rx_q%u_%s", q,
				 vpmd_eth_rxq_xstat[k]);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		for (k = 0; k < VPMD_ETH_NB_TXQ_XSTATS; k++)
			snprintf(names[i++].name, sizeof(names[0].name), "tx_q%u_%s", q,
				 vpmd_eth_txq_xstat[k]);
	return (int)n;
}

static int
vpmd_eth_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int size)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;
	unsigned int n = nb_xstats(dev), i = 0;
	struct vpmd_rxq_stats r;
	struct vpmd_txq_stats t;
	uint16_t q;

	if (xs == NULL || size < n)
		return (int)n;
#define PUT(name, desc)        \
	xs[i].id = i;          \
	xs[i].value = s->name; \
	i++;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct vpmd_rxq_stats *s = &r;

		rxq_counters(dev, priv, q, &r);
		VPMD_RXQ_STATS(PUT)
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct vpmd_txq_stats *s = &t;

		txq_counters(dev, priv, q, &t);
		VPMD_TXQ_STATS(PUT)
	}
#undef PUT
	return (int)n;
}

static int
vpmd_eth_priv_dump(struct rte_eth_dev *dev, FILE *f)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;

	vpmd_info_dump(priv->vpmd, f);
	return 0;
}

static const struct eth_dev_ops vpmd_eth_ops = {
	.dev_configure = vpmd_eth_configure,
	.dev_infos_get = vpmd_eth_info_get,
	.dev_start = vpmd_eth_start,
	.dev_stop = vpmd_eth_stop,
	.dev_close = vpmd_eth_close,
	.rx_queue_setup = vpmd_eth_rx_queue_setup,
	.tx_queue_setup = vpmd_eth_tx_queue_setup,
	.rx_queue_release = vpmd_eth_queue_release,
	.tx_queue_release = vpmd_eth_queue_release,
	.tx_done_cleanup = vpmd_eth_tx_done_cleanup,
	.link_update = vpmd_eth_link_update,
	.promiscuous_enable = vpmd_eth_promisc_on,
	.promiscuous_disable = vpmd_eth_promisc_off,
	.allmulticast_enable = vpmd_eth_allmulti_on,
	.allmulticast_disable = vpmd_eth_allmulti_off,
	.mac_addr_set = vpmd_eth_mac_addr_set,
	.mtu_set = vpmd_eth_mtu_set,
	.stats_get = vpmd_eth_stats_get,
	.stats_reset = vpmd_eth_stats_reset,
	.xstats_get = vpmd_eth_xstats_get,
	.xstats_get_names = vpmd_eth_xstats_get_names,
	.xstats_reset = vpmd_eth_stats_reset,
	.eth_dev_priv_dump = vpmd_eth_priv_dump,
};

/* ---- secondary processes ------------------------------------------------------------------ */

/*
 * A secondary process (dpdk-dumpcap, dpdk-proc-info) sees the primary's port: its shared data
 * and dev_private, and vpmd's queues, which live in hugepage memory. vpmd's device, transport
 * and doorbells do not (process memory, file descriptors), so a secondary gets the queries
 * only, and bursts that take and send nothing: dumpcap's capture runs in the primary anyway
 * (pdump's callbacks on the primary's bursts copy into a ring the secondary reads).
 */
static uint16_t
vpmd_eth_secondary_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(q);
	RTE_SET_USED(pkts);
	RTE_SET_USED(n);
	return 0;
}

static int
vpmd_eth_secondary_link_update(struct rte_eth_dev *dev, int wait)
{
	/* The primary keeps dev->data->dev_link current; ethdev reads it from there. */
	RTE_SET_USED(dev);
	RTE_SET_USED(wait);
	return 0;
}

/* A receive mode without CTRL_RX is the device's behaviour (as in the primary); with it, the
 * command needs the control queue, which is the primary's. */
static int
vpmd_eth_secondary_rx_mode(struct rte_eth_dev *dev)
{
	const struct vpmd_eth_priv *priv = dev->data->dev_private;

	return (priv->features & VPMD_F_CTRL_RX) ? -ENOTSUP : 0;
}

static const struct eth_dev_ops vpmd_eth_secondary_ops = {
	.dev_infos_get = vpmd_eth_info_get,
	.promiscuous_enable = vpmd_eth_secondary_rx_mode,
	.promiscuous_disable = vpmd_eth_secondary_rx_mode,
	.allmulticast_enable = vpmd_eth_secondary_rx_mode,
	.allmulticast_disable = vpmd_eth_secondary_rx_mode,
	.link_update = vpmd_eth_secondary_link_update,
	.stats_get = vpmd_eth_stats_get,
	.xstats_get = vpmd_eth_xstats_get,
	.xstats_get_names = vpmd_eth_xstats_get_names,
};

static int
attach_secondary(const char *name, struct rte_device *device)
{
	struct rte_eth_dev *dev = rte_eth_dev_attach_secondary(name);

	if (dev == NULL) {
		VPMD_ETH_LOG(ERR, name, "secondary process: the primary has no such port");
		return -ENODEV;
	}
	dev->device = device;
	dev->dev_ops = &vpmd_eth_secondary_ops;
	dev->rx_pkt_burst = vpmd_eth_secondary_burst;
	dev->tx_pkt_burst = vpmd_eth_secondary_burst;
	rte_eth_dev_probing_finish(dev);
	return 0;
}

/* ---- probe / remove ------------------------------------------------------------------------ */

/* A freshly allocated port (vdev or PCI) on an opened vpmd device. */
static void
init_port(struct rte_eth_dev *dev, struct vpmd_dev *vpmd, const struct vpmd_eth_args *args)
{
	struct vpmd_eth_priv *priv = dev->data->dev_private;

	priv->vpmd = vpmd;
	priv->args = *args;
	priv->offered = vpmd_device_features(vpmd);
	priv->dirty = true;
	/* Until the device is configured and tells its own address. */
	rte_eth_random_addr(priv->mac.addr_bytes);
	dev->data->mac_addrs = &priv->mac;
	dev->dev_ops = &vpmd_eth_ops;
	dev->rx_pkt_burst = vpmd_eth_rx_burst;
	dev->tx_pkt_burst = vpmd_eth_tx_burst;
	rte_eth_dev_probing_finish(dev);
	VPMD_ETH_LOG(INFO, dev->data->name, "port %u on %s, up to %u queue pair(s)",
		     dev->data->port_id, args->spec, args->queues);
}

/* Both buses' probes: the devargs parsed and the device opened, before a port exists. */
static int
probe_open(const char *name, const char *devargs, struct vpmd_eth_args *args,
	   struct vpmd_dev **vpmd)
{
	char err[256] = "";
	int rc;

	rc = parse_devargs(name, devargs, args);
	if (rc != 0)
		return rc;
	*vpmd = vpmd_open(args->spec, err, sizeof(err));
	if (*vpmd == NULL) {
		VPMD_ETH_LOG(ERR, name, "%s", err);
		return -ENODEV;
	}
	return 0;
}

/* The port the bus allocated (NULL: none) takes the opened device. */
static int
probe_finish(const char *name, struct rte_eth_dev *dev, struct vpmd_dev *vpmd,
	     const struct vpmd_eth_args *args)
{
	if (dev == NULL) {
		VPMD_ETH_LOG(ERR, name, "cannot allocate the ethdev port (out of ports or memory)");
		vpmd_close(vpmd);
		return -ENOMEM;
	}
	init_port(dev, vpmd, args);
	return 0;
}

static int
vpmd_eth_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct vpmd_eth_args args;
	struct vpmd_dev *vpmd;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return attach_secondary(name, &vdev->device);
	rc = probe_open(name, rte_vdev_device_args(vdev), &args, &vpmd);
	if (rc != 0)
		return rc;
	return probe_finish(name, rte_eth_vdev_allocate(vdev, sizeof(struct vpmd_eth_priv)), vpmd,
			    &args);
}

static int
vpmd_eth_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0; /* already closed (rte_eth_dev_close released the port) */
	vpmd_eth_close(dev);
	return rte_eth_dev_release_port(dev);
}

static struct rte_vdev_driver vpmd_eth_driver = {
	.probe = vpmd_eth_probe,
	.remove = vpmd_eth_remove,
};

RTE_PMD_REGISTER_VDEV(net_vpmd, vpmd_eth_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_vpmd, VPMD_ETH_PARAMS);

/* ---- PCI driver ---------------------------------------------------------------------------- */

/*
 * net_vpmd on the PCI bus, for modern virtio-net devices (1af4:1041). DPDK's net_virtio
 * matches them too, and EAL gives a device to the first registered driver whose probe
 * accepts it. So this driver takes a device only when its devargs ask for it:
 *   -a 0000:00:01.0,driver=net_vpmd[,queues=N,packed=...,rx_ring=...,tx_ring=...]
 * and otherwise returns 1 (not mine), which hands the device on to the next driver. vpmd
 * maps the device itself (sysfs, uio or vfio), so EAL maps nothing (no NEED_MAPPING).
 */
#define VPMD_ETH_PCI_OPT_IN "driver"

static const struct rte_pci_id vpmd_eth_pci_ids[] = {
	{ RTE_PCI_DEVICE(0x1af4, 0x1041) },
	{ .vendor_id = 0 },
};

/* The device's devargs without driver=...: 1 when driver=net_vpmd is among them (the device is
 * ours), 0 when not, -E2BIG when they do not fit out. */
static int
pci_devargs(const struct rte_pci_device *pdev, char *out, size_t len)
{
	const struct rte_devargs *da = pdev->device.devargs;
	struct rte_kvargs *kv;
	unsigned int i;
	size_t off = 0;
	int mine = 0;

	out[0] = '\0';
	if (da == NULL || da->args == NULL || da->args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(da->args, NULL);
	if (kv == NULL)
		return 0;
	for (i = 0; i < kv->count; i++) {
		const struct rte_kvargs_pair *p = &kv->pairs[i];

		if (strcmp(p->key, VPMD_ETH_PCI_OPT_IN) == 0) {
			mine = p->value != NULL && strcmp(p->value, "net_vpmd") == 0;
			continue;
		}
		off += (size_t)snprintf(out + off, off < len ? len - off : 0, "%s%s=%s",
					off ? "," : "", p->key, p->value ? p->value : "");
	}
	rte_kvargs_free(kv);
	if (off >= len)
		return -E2BIG;
	return mine;
}

static int
vpmd_eth_pci_probe(struct rte_pci_driver *drv, struct rte_pci_device *pdev)
{
	const char *name = pdev->device.name;
	char params[512], spec[PATH_MAX + 16];
	struct vpmd_eth_args args;
	struct vpmd_dev *vpmd;
	int rc;

	RTE_SET_USED(drv);
	rc = pci_devargs(pdev, params, sizeof(params));
	if (rc <= 0) {
		if (rc < 0)
			VPMD_ETH_LOG(ERR, name, "devargs too long");
		return rc < 0 ? rc : 1;
	}
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return attach_secondary(name, &pdev->device);
	snprintf(spec, sizeof(spec), "pci=%s%s%s", name, params[0] ? "," : "", params);
	rc = probe_open(name, spec, &args, &vpmd);
	if (rc != 0)
		return rc;
	return probe_finish(name, rte_eth_dev_pci_allocate(pdev, sizeof(struct vpmd_eth_priv)),
			    vpmd, &args);
}

static int
vpmd_eth_pci_remove(struct rte_pci_device *pdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(pdev->device.name);

	if (dev == NULL)
		return 0;
	vpmd_eth_close(dev);
	return rte_eth_dev_release_port(dev);
}

static struct rte_pci_driver vpmd_eth_pci_driver = {
	.id_table = vpmd_eth_pci_ids,
	.drv_flags = 0,
	.probe = vpmd_eth_pci_probe,
	.remove = vpmd_eth_pci_remove,
};

RTE_PMD_REGISTER_PCI(net_vpmd_pci, vpmd_eth_pci_driver);
RTE_PMD_REGISTER_PCI_TABLE(net_vpmd_pci, vpmd_eth_pci_ids);
RTE_PMD_REGISTER_PARAM_STRING(net_vpmd_pci,
			      VPMD_ETH_PCI_OPT_IN "=net_vpmd queues=<1-64> "
						  "packed=on|off|auto rx_ring=<1-32768> "
						  "tx_ring=<1-32768>");

/* ---- rte_pmd_vpmd.h ----------------------------------------------------------------------- */

static struct rte_eth_dev *
our_port(uint16_t port_id)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	dev = &rte_eth_devices[port_id];
	return dev->dev_ops == &vpmd_eth_ops ? dev : NULL;
}

int
rte_pmd_vpmd_queue_broken(uint16_t port_id, uint16_t queue_id)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return -ENODEV;
	dev = our_port(port_id);
	if (dev == NULL || !dev->data->dev_started)
		return 0;
	if (queue_id >= dev->data->nb_rx_queues)
		return -EINVAL;
	return vpmd_rxq_broken(dev->data->rx_queues[queue_id]) ||
	       vpmd_txq_broken(dev->data->tx_queues[queue_id]);
}

int
rte_pmd_vpmd_health_check(uint16_t port_id)
{
	struct rte_eth_dev *dev;
	struct vpmd_eth_priv *priv;

	if (!rte_eth_dev_is_valid_port(port_id))
		return -ENODEV;
	dev = our_port(port_id);
	if (dev == NULL || !dev->data->dev_started)
		return 0;
	priv = dev->data->dev_private;
	return (int)vpmd_health_check(priv->vpmd);
}

int
rte_pmd_vpmd_info_dump(uint16_t port_id, FILE *f)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return -ENODEV;
	if (f == NULL)
		return -EINVAL;
	dev = our_port(port_id);
	if (dev == NULL)
		return 1;
	return vpmd_eth_priv_dump(dev, f);
}
