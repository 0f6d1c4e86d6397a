/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_port over any DPDK ethdev (control path). The bursts are rte_eth_rx/tx_burst, inlined
 * in vns_port.h. Offloads are taken when the device offers them: TCP LRO (net_virtio with
 * GUEST_TSO4) and rx checksum validation, tx IPv4/TCP checksums.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "vns_err.h"
#include "vns_port.h"
#include "vns_stack.h"

struct vns_ethdev {
	uint16_t port_id;
	bool promisc;
	uint64_t rx_offloads;
	uint64_t tx_offloads;
	char driver[32];
};

static const struct vns_port_ops vns_ethdev_ops;

static void
list_ports(char *buf, size_t len)
{
	uint16_t id;
	size_t off = 0;
	int n = 0;

	buf[0] = '\0';
	RTE_ETH_FOREACH_DEV(id) {
		char name[RTE_ETH_NAME_MAX_LEN];

		if (off >= len)
			break;
		if (rte_eth_dev_get_name_by_port(id, name) != 0)
			snprintf(name, sizeof(name), "?");
		off += (size_t)snprintf(buf + off, len - off, "%s%u=%s", n++ ? ", " : "", id, name);
	}
	if (n == 0)
		snprintf(buf, len, "none");
}

struct vns_port *
vns_port_ethdev_open(const char *spec, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	struct vns_port *p = NULL;
	struct vns_ethdev *e = NULL;
	char ports[256];
	uint16_t port_id;
	int rc;

	if (spec[0] >= '0' && spec[0] <= '9') {
		port_id = (uint16_t)strtoul(spec, NULL, 10);
		rc = rte_eth_dev_is_valid_port(port_id) ? 0 : -ENODEV;
	} else {
		rc = rte_eth_dev_get_port_by_name(spec, &port_id);
	}
	if (rc != 0) {
		list_ports(ports, sizeof(ports));
		vns_fail(err, errlen,
			 "--port ethdev:%s: no such DPDK port (ports: %s); create one with "
			 "EAL --vdev (e.g. --vdev net_tap0,iface=vnstap0) or bind a PCI "
			 "device to vfio-pci/uio",
			 spec, ports);
		return NULL;
	}
	if (rte_eth_dev_info_get(port_id, &info) != 0) {
		vns_fail(err, errlen,
			 "--port ethdev:%s: cannot read the device info; is it in use by "
			 "another process?",
			 spec);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	e = calloc(1, sizeof(*e));
	if (p == NULL || e == NULL) {
		vns_fail(err, errlen, "--port ethdev:%s: out of memory", spec);
		goto fail;
	}
	e->port_id = port_id;
	snprintf(e->driver, sizeof(e->driver), "%s", info.driver_name);
	p->ops = &vns_ethdev_ops;
	p->kind = VNS_PORT_ETHDEV;
	p->priv = e;
	snprintf(p->info.name, sizeof(p->info.name), "ethdev %u (%s)", port_id, info.driver_name);
	rte_eth_macaddr_get(port_id, &p->info.mac);
	if (rte_eth_dev_get_mtu(port_id, &p->info.mtu) != 0)
		p->info.mtu = RTE_ETHER_MTU;
	p->info.max_queues = RTE_MIN(info.max_rx_queues, info.max_tx_queues);
	return p;
fail:
	free(e);
	free(p);
	return NULL;
}

static int
ethdev_setup(struct vns_port *p, const struct vns_port_conf *pc, uint16_t nb_queues,
	     struct rte_mempool *pool, char *err, size_t errlen)
{
	struct vns_ethdev *e = p->priv;
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = pc->ring_size, nb_txd = pc->ring_size;
	int socket = rte_eth_dev_socket_id(e->port_id);
	int rc;

	rc = rte_eth_dev_info_get(e->port_id, &info);
	if (rc != 0) {
		vns_fail(err, errlen, "%s: cannot read the device info (%s)", p->info.name,
			 strerror(-rc));
		return rc;
	}
	if (nb_queues > info.max_rx_queues || nb_queues > info.max_tx_queues) {
		vns_fail(err, errlen,
			 "--queues %u: %s offers at most %u rx / %u tx queues; use fewer",
			 nb_queues, p->info.name, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}

	memset(&conf, 0, sizeof(conf));
	/*
	 * Large received segments save the per-packet work the sink is made of; rx checksum
	 * validation saves a pass over every payload byte. Take them whenever offered.
	 */
	e->rx_offloads = info.rx_offload_capa &
			 (RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
			  RTE_ETH_RX_OFFLOAD_TCP_CKSUM);
	if ((e->rx_offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO) != 0) {
		/* An LRO frame spans several mbufs. */
		if ((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) != 0)
			e->rx_offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
		/* 0 lets ethdev use the device's own limit (it refuses any other value then). */
		conf.rxmode.max_lro_pkt_size = info.max_lro_pkt_size;
	}
	e->tx_offloads = info.tx_offload_capa &
			 (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			  RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
	conf.rxmode.offloads = e->rx_offloads;
	conf.txmode.offloads = e->tx_offloads;
	if (nb_queues > 1 && (info.flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV4_TCP) != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
						   (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP);
	}

	rc = rte_eth_dev_configure(e->port_id, nb_queues, nb_queues, &conf);
	if (rc != 0) {
		vns_fail(err, errlen, "%s: configure %u queues failed (%s); %s", p->info.name,
			 nb_queues, strerror(-rc),
			 rc == -EBUSY ? "the device is in use (started by another process?)"
				      : "see the driver's message above");
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(e->port_id, &nb_rxd, &nb_txd);
	if (rc != 0) {
		vns_fail(err, errlen, "%s: ring size %u not usable (%s); try --ring-size 512",
			 p->info.name, pc->ring_size, strerror(-rc));
		return rc;
	}
	for (uint16_t q = 0; q < nb_queues; q++) {
		struct rte_eth_rxconf rxc = info.default_rxconf;
		struct rte_eth_txconf txc = info.default_txconf;

		rxc.offloads = e->rx_offloads;
		txc.offloads = e->tx_offloads;
		rc = rte_eth_rx_queue_setup(e->port_id, q, nb_rxd, socket, &rxc, pool);
		if (rc != 0) {
			vns_fail(err, errlen,
				 "%s: rx queue %u setup failed (%s); try more --mbufs or a "
				 "smaller --ring-size",
				 p->info.name, q, strerror(-rc));
			return rc;
		}
		rc = rte_eth_tx_queue_setup(e->port_id, q, nb_txd, socket, &txc);
		if (rc != 0) {
			vns_fail(err, errlen,
				 "%s: tx queue %u setup failed (%s); try a smaller "
				 "--ring-size",
				 p->info.name, q, strerror(-rc));
			return rc;
		}
	}
	p->nb_queues = nb_queues;
	p->info.tx_offloads = 0;
	if ((e->tx_offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0)
		p->info.tx_offloads |= VNS_TXOFF_IPV4_CKSUM;
	if ((e->tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) != 0)
		p->info.tx_offloads |= VNS_TXOFF_TCP_CKSUM;
	/* We answer for another MAC than the device's: the device must not filter it out. */
	e->promisc = pc->mac_set && !rte_is_same_ether_addr(&pc->mac, &p->info.mac);
	return 0;
}

static int
ethdev_start(struct vns_port *p, char *err, size_t errlen)
{
	struct vns_ethdev *e = p->priv;
	int rc = rte_eth_dev_start(e->port_id);

	if (rc != 0) {
		vns_fail(err, errlen, "%s: start failed (%s)", p->info.name, strerror(-rc));
		return rc;
	}
	p->started = true;
	/* Best effort: a device without a MAC filter (tap) has nothing to switch. */
	if (e->promisc)
		(void)rte_eth_promiscuous_enable(e->port_id);
	if (rte_eth_dev_get_mtu(e->port_id, &p->info.mtu) != 0)
		p->info.mtu = RTE_ETHER_MTU;
	return 0;
}

static void
ethdev_stop(struct vns_port *p)
{
	struct vns_ethdev *e = p->priv;

	if (p->started)
		(void)rte_eth_dev_stop(e->port_id);
	p->started = false;
}

static void
ethdev_close(struct vns_port *p)
{
	struct vns_ethdev *e = p->priv;

	ethdev_stop(p);
	(void)rte_eth_dev_close(e->port_id);
	free(e);
	free(p);
}

static void
ethdev_queue_get(struct vns_port *p, uint16_t q, struct vns_port_queue *out)
{
	struct vns_ethdev *e = p->priv;

	memset(out, 0, sizeof(*out));
	out->kind = VNS_PORT_ETHDEV;
	out->port_id = e->port_id;
	out->queue_id = q;
}

static void
ethdev_link_get(struct vns_port *p, struct vns_port_link *out)
{
	struct vns_ethdev *e = p->priv;
	struct rte_eth_link link;

	memset(out, 0, sizeof(*out));
	if (rte_eth_link_get_nowait(e->port_id, &link) != 0)
		return;
	out->up = link.link_status == RTE_ETH_LINK_UP;
}

static void
ethdev_qstats_get(struct vns_port *p, uint16_t q, struct vns_port_qstats *out)
{
	struct vns_ethdev *e = p->priv;
	struct rte_eth_stats st;

	memset(out, 0, sizeof(*out));
	if (rte_eth_stats_get(e->port_id, &st) != 0)
		return;
	if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
		out->dev_rx_pkts = st.q_ipackets[q];
		out->dev_tx_pkts = st.q_opackets[q];
		out->dev_drop_bad = st.q_errors[q];
	}
	/* ethdev keeps these per port only: report them once, on queue 0. */
	if (q == 0) {
		out->dev_drop_nombuf = st.rx_nombuf;
		out->dev_drop_missed = st.imissed;
		out->dev_drop_bad += st.ierrors + st.oerrors;
	}
}

static void
ethdev_dump(struct vns_port *p, FILE *f)
{
	const uint64_t tx_cksum = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	struct vns_ethdev *e = p->priv;
	uint64_t rx = e->rx_offloads, tx = e->tx_offloads;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(mac, sizeof(mac), &p->info.mac);
	fprintf(f, "port: %s, driver %s, mac %s, mtu %u, %u queue pairs (max %u)\n", p->info.name,
		e->driver, mac, p->info.mtu, p->nb_queues, p->info.max_queues);
	fprintf(f, "port: rx offloads:%s%s%s, tx offloads:%s%s%s\n",
		(rx & RTE_ETH_RX_OFFLOAD_TCP_LRO) ? " lro" : "",
		(rx & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) ? " ipv4-cksum" : "",
		(rx & RTE_ETH_RX_OFFLOAD_TCP_CKSUM) ? " tcp-cksum" : (rx ? "" : " none"),
		(tx & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) ? " ipv4-cksum" : "",
		(tx & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) ? " tcp-cksum" : "",
		(tx & tx_cksum) ? "" : " none");
}

static const struct vns_port_ops vns_ethdev_ops = {
	.setup = ethdev_setup,
	.start = ethdev_start,
	.stop = ethdev_stop,
	.close = ethdev_close,
	.queue_get = ethdev_queue_get,
	.link_get = ethdev_link_get,
	.qstats_get = ethdev_qstats_get,
	.dump = ethdev_dump,
};
