/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_port over a DPDK ethdev (control path; the bursts are inlined in vns_port.h). Offloads
 * come through ethdev's offload flags, taken when the device offers them: TCP LRO (net_vpmd,
 * net_virtio with GUEST_TSO4) and rx checksum validation, tx IPv4/TCP checksums.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "rte_pmd_vpmd.h"
#include "vns_err.h"
#include "vns_port.h"
#include "vns_stack.h"

bool
vns_port_queue_broken(const struct vns_port_queue *q)
{
	return rte_pmd_vpmd_queue_broken(q->port_id, q->queue_id) > 0;
}

int
vns_port_vpmd_create(const char *name, const char *devargs, char *err, size_t errlen)
{
	uint16_t port_id;
	int rc;

	if (rte_eth_dev_get_port_by_name(name, &port_id) == 0) {
		vns_fail(err, errlen,
			 "%s exists already (EAL --vdev?): use --port %s, or drop the --vdev", name,
			 name);
		return -EEXIST;
	}
	rc = rte_vdev_init(name, devargs);
	if (rc != 0) {
		vns_fail(err, errlen,
			 "cannot create %s,%s (%s; the net_vpmd line above says why): is the "
			 "backend running, the device bound to vfio-pci/uio_pci_generic?",
			 name, devargs, strerror(rc < 0 ? -rc : rc));
		return rc < 0 ? rc : -rc;
	}
	return 0;
}

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
vns_port_open(const char *spec, int *rc_out, char *err, size_t errlen)
{
	char ports[256], name[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_dev_info info;
	struct vns_port *p;
	uint16_t port_id;
	int rc;

	if (strspn(spec, "0123456789") == strlen(spec)) {
		port_id = (uint16_t)strtoul(spec, NULL, 10);
		rc = rte_eth_dev_is_valid_port(port_id) ? 0 : -ENODEV;
	} else {
		rc = rte_eth_dev_get_port_by_name(spec, &port_id);
		rc = rc != 0 ? -ENODEV : 0;
	}
	if (rc_out != NULL)
		*rc_out = rc;
	if (rc != 0) {
		list_ports(ports, sizeof(ports));
		vns_fail(err, errlen,
			 "--port %s: no such DPDK port (ports: %s); create one with EAL --vdev "
			 "(e.g. --vdev net_tap0,iface=vnstap0), use --port vpmd:vhost-user:PATH "
			 "or vpmd:PCI_ADDRESS, or bind a PCI device to vfio-pci/uio",
			 spec, ports);
		return NULL;
	}
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0) {
		if (rc_out != NULL)
			*rc_out = rc;
		vns_fail(err, errlen,
			 "--port %s: cannot read the device info; is it in use by another "
			 "process?",
			 spec);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		if (rc_out != NULL)
			*rc_out = -ENOMEM;
		vns_fail(err, errlen, "--port %s: out of memory", spec);
		return NULL;
	}
	p->port_id = port_id;
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	if (rte_eth_dev_get_name_by_port(port_id, name) != 0)
		snprintf(name, sizeof(name), "?");
	snprintf(p->info.name, sizeof(p->info.name), "ethdev %u %.32s (%.15s)", port_id, name,
		 info.driver_name);
	rte_eth_macaddr_get(port_id, &p->info.mac);
	if (rte_eth_dev_get_mtu(port_id, &p->info.mtu) != 0)
		p->info.mtu = RTE_ETHER_MTU;
	p->info.max_queues = RTE_MIN(info.max_rx_queues, info.max_tx_queues);
	return p;
}

/* The driver's per-queue xstat `fmt` (with the queue number), or UINT64_MAX. */
static uint64_t
xstat_id(uint16_t port_id, const char *fmt, uint16_t q)
{
	char name[RTE_ETH_XSTATS_NAME_SIZE];
	uint64_t id;

	snprintf(name, sizeof(name), fmt, q);
	return rte_eth_xstats_get_id_by_name(port_id, name, &id) == 0 ? id : UINT64_MAX;
}

int
vns_port_setup(struct vns_port *p, const struct vns_port_conf *pc, uint16_t nb_queues,
	       struct rte_mempool *pool, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = pc->ring_size, nb_txd = pc->ring_size;
	int socket = rte_eth_dev_socket_id(p->port_id);
	int rc;

	rc = rte_eth_dev_info_get(p->port_id, &info);
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
	p->rx_offloads = info.rx_offload_capa &
			 (RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
			  RTE_ETH_RX_OFFLOAD_TCP_CKSUM);
	if ((p->rx_offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO) != 0) {
		/* An LRO frame spans several mbufs. */
		if ((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) != 0)
			p->rx_offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
		/* 0 lets ethdev use the device's own limit (it refuses any other value then). */
		conf.rxmode.max_lro_pkt_size = info.max_lro_pkt_size;
	}
	p->tx_offloads = info.tx_offload_capa &
			 (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			  RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
	/* TSO sends a bulk segment of up to 64 KB as one frame; its TCP checksums are the
	 * device's, the IPv4 header's the stack's unless offered (virtio never offers it).
	 * Not on net_tap: DPDK 22.11's tap refuses (counts in oerrors) any TSO frame whose
	 * tso_segsz plus all headers, Ethernet's included, exceeds the IP MTU, i.e. every
	 * full-MSS one; the stack then cuts segments itself. */
	if (pc->tso && (p->tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) != 0 &&
	    strcmp(p->driver, "net_tap") != 0)
		p->tx_offloads |= info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO;
	conf.rxmode.offloads = p->rx_offloads;
	conf.txmode.offloads = p->tx_offloads;
	if (nb_queues > 1 && (info.flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV4_TCP) != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
						   (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP);
	}

	rc = rte_eth_dev_configure(p->port_id, nb_queues, nb_queues, &conf);
	if (rc != 0) {
		vns_fail(err, errlen, "%s: configure %u queues failed (%s); %s", p->info.name,
			 nb_queues, strerror(-rc),
			 rc == -EBUSY ? "the device is in use (started by another process?)"
				      : "see the driver's message above");
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (rc != 0) {
		vns_fail(err, errlen, "%s: ring size %u not usable (%s); try --ring-size 512",
			 p->info.name, pc->ring_size, strerror(-rc));
		return rc;
	}
	for (uint16_t q = 0; q < nb_queues; q++) {
		struct rte_eth_rxconf rxc = info.default_rxconf;
		struct rte_eth_txconf txc = info.default_txconf;

		rxc.offloads = p->rx_offloads;
		txc.offloads = p->tx_offloads;
		rc = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd, socket, &rxc, pool);
		if (rc != 0) {
			vns_fail(err, errlen,
				 "%s: rx queue %u setup failed (%s); try more --mbufs or a "
				 "smaller --ring-size",
				 p->info.name, q, strerror(-rc));
			return rc;
		}
		rc = rte_eth_tx_queue_setup(p->port_id, q, nb_txd, socket, &txc);
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
	if ((p->tx_offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0)
		p->info.tx_offloads |= VNS_TXOFF_IPV4_CKSUM;
	if ((p->tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) != 0)
		p->info.tx_offloads |= VNS_TXOFF_TCP_CKSUM;
	if ((p->tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO) != 0)
		p->info.tx_offloads |= VNS_TXOFF_TCP_TSO;
	if ((p->tx_offloads & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0)
		p->info.tx_offloads |= VNS_TXOFF_MULTI_SEGS;
	/* DPDK 22.11's net_tap refuses a TSO frame whose l2 + l3 + l4 + tso_segsz exceeds its
	 * MTU (Ethernet header included) and stops its burst there. */
	p->info.tso_frame_max = strcmp(p->driver, "net_tap") == 0 ? p->info.mtu : 0;
	p->conf = *pc;
	/* The stacks answer for the device's own address unless told another; a driver may
	 * learn it only once the device runs (net_vpmd reads it from the device then): run it
	 * once now. */
	if (!pc->mac_set) {
		rc = rte_eth_dev_start(p->port_id);
		if (rc != 0) {
			vns_fail(err, errlen, "%s: start failed (%s)", p->info.name, strerror(-rc));
			return rc;
		}
		rte_eth_macaddr_get(p->port_id, &p->info.mac);
		(void)rte_eth_dev_stop(p->port_id);
	}
	free(p->xid_nombuf);
	free(p->xid_ring_full);
	p->xid_nombuf = calloc(nb_queues, sizeof(*p->xid_nombuf));
	p->xid_ring_full = calloc(nb_queues, sizeof(*p->xid_ring_full));
	if (p->xid_nombuf == NULL || p->xid_ring_full == NULL)
		return vns_fail(err, errlen, "%s: out of memory", p->info.name);
	return 0;
}

int
vns_port_start(struct vns_port *p, char *err, size_t errlen)
{
	int rc = rte_eth_dev_start(p->port_id);

	if (rc != 0) {
		vns_fail(err, errlen, "%s: start failed (%s)", p->info.name, strerror(-rc));
		return rc;
	}
	p->started = true;
	if (rte_eth_dev_get_mtu(p->port_id, &p->info.mtu) != 0)
		p->info.mtu = RTE_ETHER_MTU;
	/* A driver's own address is known once it runs (net_vpmd reads the device's then). */
	rte_eth_macaddr_get(p->port_id, &p->info.mac);
	/* We answer for another MAC than the device's: the device must not filter it out.
	 * Best effort: a device without a MAC filter (tap) has nothing to switch. */
	p->promisc = p->conf.mac_set && !rte_is_same_ether_addr(&p->conf.mac, &p->info.mac);
	if (p->promisc)
		(void)rte_eth_promiscuous_enable(p->port_id);
	/* xstats exist per queue once the queues do. */
	for (uint16_t q = 0; q < p->nb_queues; q++) {
		p->xid_nombuf[q] = xstat_id(p->port_id, "rx_q%u_drop_nombuf", q);
		p->xid_ring_full[q] = xstat_id(p->port_id, "tx_q%u_ring_full", q);
	}
	return 0;
}

void
vns_port_stop(struct vns_port *p)
{
	if (p->started)
		(void)rte_eth_dev_stop(p->port_id);
	p->started = false;
}

void
vns_port_close(struct vns_port *p)
{
	if (p == NULL)
		return;
	vns_port_stop(p);
	(void)rte_eth_dev_close(p->port_id);
	free(p->xid_nombuf);
	free(p->xid_ring_full);
	free(p);
}

void
vns_port_queue_get(struct vns_port *p, uint16_t q, struct vns_port_queue *out)
{
	memset(out, 0, sizeof(*out));
	out->port_id = p->port_id;
	out->queue_id = q;
	out->tx_prepare = (p->tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO) != 0;
}

void
vns_port_link_get(struct vns_port *p, struct vns_port_link *out)
{
	struct rte_eth_link link;

	memset(out, 0, sizeof(*out));
	if (rte_eth_link_get_nowait(p->port_id, &link) != 0)
		return;
	out->up = link.link_status == RTE_ETH_LINK_UP;
}

void
vns_port_qstats_get(struct vns_port *p, uint16_t q, struct vns_port_qstats *out)
{
	struct rte_eth_stats st;
	uint64_t v;
	bool per_queue = q < p->nb_queues && p->xid_nombuf != NULL;

	memset(out, 0, sizeof(*out));
	if (rte_eth_stats_get(p->port_id, &st) != 0)
		return;
	if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
		out->dev_rx_pkts = st.q_ipackets[q];
		out->dev_tx_pkts = st.q_opackets[q];
		out->dev_drop_bad = st.q_errors[q];
	}
	/* ethdev keeps these per port only: report them once, on queue 0, unless the driver
	 * has them per queue. */
	if (per_queue && p->xid_nombuf[q] != UINT64_MAX &&
	    rte_eth_xstats_get_by_id(p->port_id, &p->xid_nombuf[q], &v, 1) == 1)
		out->dev_drop_nombuf = v;
	else if (q == 0)
		out->dev_drop_nombuf = st.rx_nombuf;
	if (per_queue && p->xid_ring_full[q] != UINT64_MAX &&
	    rte_eth_xstats_get_by_id(p->port_id, &p->xid_ring_full[q], &v, 1) == 1)
		out->dev_tx_ring_full = v;
	if (q == 0) {
		out->dev_drop_missed = st.imissed;
		out->dev_drop_bad += st.ierrors + st.oerrors;
	}
	out->dev_queue_broken = rte_pmd_vpmd_queue_broken(p->port_id, q) > 0;
}

void
vns_port_health_check(struct vns_port *p)
{
	if (p->started)
		(void)rte_pmd_vpmd_health_check(p->port_id);
}

void
vns_port_dump(struct vns_port *p, FILE *f)
{
	const uint64_t tx_cksum = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	uint64_t rx = p->rx_offloads, tx = p->tx_offloads;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(mac, sizeof(mac), &p->info.mac);
	fprintf(f, "port: %s, driver %s, mac %s, mtu %u, %u queue pairs (max %u)\n", p->info.name,
		p->driver, mac, p->info.mtu, p->nb_queues, p->info.max_queues);
	fprintf(f, "port: rx offloads:%s%s%s, tx offloads:%s%s%s%s%s\n",
		(rx & RTE_ETH_RX_OFFLOAD_TCP_LRO) ? " lro" : "",
		(rx & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) ? " ipv4-cksum" : "",
		(rx & RTE_ETH_RX_OFFLOAD_TCP_CKSUM) ? " tcp-cksum" : (rx ? "" : " none"),
		(tx & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) ? " ipv4-cksum" : "",
		(tx & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) ? " tcp-cksum" : "",
		(tx & RTE_ETH_TX_OFFLOAD_TCP_TSO) ? " tso" : "",
		(tx & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) ? " multi-segs" : "",
		(tx & (tx_cksum | RTE_ETH_TX_OFFLOAD_MULTI_SEGS)) ? "" : " none");
	rte_pmd_vpmd_info_dump(p->port_id, f);
}
