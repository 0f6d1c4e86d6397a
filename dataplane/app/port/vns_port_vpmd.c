/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_port over our virtio-net PMD library (pmd/vpmd.h), control path. The bursts are
 * vpmd_rx_burst/vpmd_tx_burst and the broken-queue check vpmd_rxq/txq_broken, inlined
 * through vns_port.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vns_err.h"
#include "vns_port.h"
#include "vns_stack.h"

struct vns_vpmd {
	struct vpmd_dev *dev;
	char spec[VNS_PORT_SPEC_MAX];
};

static const struct vns_port_ops vns_vpmd_ops;

/*
 * Our PMD maps a PCI device itself; if the EAL's PCI bus already handed it to DPDK's own
 * net_virtio, both would drive the same rings. Refuse with what to do instead.
 */
static bool
pci_taken_by_eal(const char *spec, char *name, size_t len)
{
	uint16_t port_id;

	if (strncmp(spec, "vhost-user:", 11) == 0)
		return false;
	if (strncmp(spec, "pci:", 4) == 0)
		spec += 4;
	/* ethdev names PCI ports by their full DDDD:BB:DD.F address */
	snprintf(name, len, "%s%s", strlen(spec) == 7 ? "0000:" : "", spec);
	return rte_eth_dev_get_port_by_name(name, &port_id) == 0;
}

struct vns_port *
vns_port_vpmd_open(const char *spec, char *err, size_t errlen)
{
	struct vns_port *p = NULL;
	struct vns_vpmd *v = NULL;
	char why[256] = "", pci[32];

	if (pci_taken_by_eal(spec, pci, sizeof(pci))) {
		vns_fail(err, errlen,
			 "--port vpmd:%s: the EAL already gave %s to DPDK's own driver; "
			 "start the EAL with --no-pci (or -b %s)",
			 spec, pci, pci);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	v = calloc(1, sizeof(*v));
	if (p == NULL || v == NULL) {
		vns_fail(err, errlen, "--port vpmd:%s: out of memory", spec);
		goto fail;
	}
	v->dev = vpmd_open(spec, why, sizeof(why));
	if (v->dev == NULL) {
		vns_fail(err, errlen, "--port vpmd:%s: %s", spec, why[0] ? why : "open failed");
		goto fail;
	}
	snprintf(v->spec, sizeof(v->spec), "%s", spec);
	p->ops = &vns_vpmd_ops;
	p->kind = VNS_PORT_VPMD;
	p->priv = v;
	snprintf(p->info.name, sizeof(p->info.name), "vpmd %.58s", spec);
	p->info.mtu = RTE_ETHER_MTU;
	p->info.max_queues = VPMD_MAX_QPAIRS; /* known after vpmd_configure() */
	return p;
fail:
	free(v);
	free(p);
	return NULL;
}

static int
vpmd_port_setup(struct vns_port *p, const struct vns_port_conf *pc, uint16_t nb_queues,
		struct rte_mempool *pool, char *err, size_t errlen)
{
	struct vns_vpmd *v = p->priv;
	struct vpmd_conf conf = {
		.nb_qpairs = nb_queues,
		.ring_size = pc->ring_size,
		.features = VPMD_FEATURES_DEFAULT,
		.rx_pool = pool,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vpmd_link link;
	char why[256] = "";
	uint64_t feat;
	int rc;

	if (pc->packed == VNS_PACKED_OFF)
		conf.features &= ~VPMD_F_RING_PACKED;
	rc = vpmd_configure(v->dev, &conf, why, sizeof(why));
	if (rc != 0) {
		vns_fail(err, errlen, "--port vpmd:%s: %s", v->spec, why[0] ? why : strerror(-rc));
		return rc;
	}
	feat = vpmd_features(v->dev);
	if (pc->packed == VNS_PACKED_ON && (feat & VPMD_F_RING_PACKED) == 0) {
		vns_fail(err, errlen,
			 "--packed on: the device does not offer VIRTIO_F_RING_PACKED; use "
			 "--packed auto");
		return -ENOTSUP;
	}
	if (vpmd_nb_qpairs(v->dev) != nb_queues) {
		vns_fail(err, errlen,
			 "--queues %u: the device gives %u queue pairs; use --queues %u", nb_queues,
			 vpmd_nb_qpairs(v->dev), vpmd_nb_qpairs(v->dev));
		return -EINVAL;
	}
	p->nb_queues = nb_queues;
	p->info.max_queues = vpmd_nb_qpairs(v->dev);
	if (vpmd_link_get(v->dev, &link) == 0) {
		p->info.mac = link.mac;
		p->info.mtu = link.mtu;
	}
	/* virtio-net offloads the L4 checksum only; the IPv4 header sum stays in software. */
	p->info.tx_offloads = (feat & VPMD_F_CSUM) ? VNS_TXOFF_TCP_CKSUM : 0;
	return 0;
}

static int
vpmd_port_start(struct vns_port *p, char *err, size_t errlen)
{
	struct vns_vpmd *v = p->priv;
	char why[256] = "";
	int rc = vpmd_start(v->dev, why, sizeof(why));

	if (rc != 0) {
		snprintf(err, errlen, "--port vpmd:%s: start failed: %s", v->spec, why);
		return rc;
	}
	p->started = true;
	return 0;
}

static void
vpmd_port_stop(struct vns_port *p)
{
	struct vns_vpmd *v = p->priv;

	if (p->started)
		vpmd_stop(v->dev);
	p->started = false;
}

static void
vpmd_port_close(struct vns_port *p)
{
	struct vns_vpmd *v = p->priv;

	vpmd_port_stop(p);
	vpmd_close(v->dev);
	free(v);
	free(p);
}

static void
vpmd_port_queue_get(struct vns_port *p, uint16_t q, struct vns_port_queue *out)
{
	struct vns_vpmd *v = p->priv;

	memset(out, 0, sizeof(*out));
	out->kind = VNS_PORT_VPMD;
	out->queue_id = q;
	out->rxq = vpmd_rxq(v->dev, q);
	out->txq = vpmd_txq(v->dev, q);
}

static void
vpmd_port_link_get(struct vns_port *p, struct vns_port_link *out)
{
	struct vns_vpmd *v = p->priv;
	struct vpmd_link link;

	memset(out, 0, sizeof(*out));
	if (vpmd_link_get(v->dev, &link) == 0)
		out->up = link.up;
}

static void
vpmd_port_qstats_get(struct vns_port *p, uint16_t q, struct vns_port_qstats *out)
{
	struct vns_vpmd *v = p->priv;
	struct vpmd_rxq_stats rx;
	struct vpmd_txq_stats tx;
	struct vpmd_rxq *rxq = vpmd_rxq(v->dev, q);
	struct vpmd_txq *txq = vpmd_txq(v->dev, q);

	memset(out, 0, sizeof(*out));
	if (rxq == NULL || txq == NULL)
		return;
	vpmd_rxq_stats(rxq, &rx);
	vpmd_txq_stats(txq, &tx);
	out->dev_rx_pkts = rx.packets;
	out->dev_tx_pkts = tx.packets;
	out->dev_drop_nombuf = rx.drop_nombuf;
	out->dev_drop_bad = rx.drop_bad_len + rx.drop_bad_hdr + tx.drop_bad_pkt;
	out->dev_tx_ring_full = tx.ring_full;
	out->dev_queue_broken = (rx.err_bad_ring | tx.err_bad_ring) != 0;
}

static void
vpmd_port_dump(struct vns_port *p, FILE *f)
{
	struct vns_vpmd *v = p->priv;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(mac, sizeof(mac), &p->info.mac);
	fprintf(f, "port: %s, mac %s, mtu %u, %u queue pairs\n", p->info.name, mac, p->info.mtu,
		p->nb_queues);
	vpmd_info_dump(v->dev, f);
}

/* The driver logs each broken queue once from here (its bursts never log). */
static void
vpmd_port_health_check(struct vns_port *p)
{
	struct vns_vpmd *v = p->priv;

	if (p->started)
		(void)vpmd_health_check(v->dev);
}

static const struct vns_port_ops vns_vpmd_ops = {
	.setup = vpmd_port_setup,
	.start = vpmd_port_start,
	.stop = vpmd_port_stop,
	.close = vpmd_port_close,
	.queue_get = vpmd_port_queue_get,
	.link_get = vpmd_port_link_get,
	.qstats_get = vpmd_port_qstats_get,
	.dump = vpmd_port_dump,
	.health_check = vpmd_port_health_check,
};
