/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One fuzz input = a sequence of frames fed to two fresh stacks sharing one vns_shared.
 * Record format: [ctl:1][len:2, big endian][frame:len]. ctl bits:
 *   0x01 FIXUP  dst MAC/IP set to the stack's, TCP ACK set to what the stack sent last on
 *               that port, IPv4 and TCP checksums recomputed: reaches the TCP state machine
 *   0x02 GOOD   rx flags say both checksums were verified by the device
 *   0x04 SPLIT  the frame arrives as a chain of mbufs split at odd offsets: the first
 *               holds 14-61 bytes (some of the headers), the others 1, 3, 7, 61, ...
 *               bytes in a pattern that depends on the record (split_size())
 *   0x08 LRO    RTE_MBUF_F_RX_LRO set
 *   0x10 QUEUE1 input to the second stack (else the first)
 *   0x20 TIME   advance the clock by 300 ms first
 *   0x40 POLL   run vns_stack_poll on both stacks after the frame
 *   0x80 BURST  hold the frame and send it with the next one in the same burst
 * After the last record the clock runs on so timers fire, the stacks are freed, and every
 * mbuf must be back in the pool: a leak aborts (libFuzzer and the replay driver report it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_random.h>
#include <rte_tcp.h>

#include "fuzz_core.h"
#include "vns_services.h"
#include "vns_stack.h"

#define FZ_STACK_IP RTE_IPV4(198u, 18, 0, 1)

static struct rte_mempool *fz_pool;
static const struct rte_ether_addr fz_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct vns_discard_conf fz_sha256 = { .sha256 = true };

/* vnetsink's services: iperf3 on 5201, the discard port in integrity mode on 9. */
static const struct vns_service_bind fz_binds[] = {
	{ 5201, &vns_iperf3_ops, NULL },
	{ 9, &vns_discard_ops, &fz_sha256 },
};

/* Next sequence number the stack will send, per client port (learned from its output). */
static uint32_t fz_srv_nxt[65536];

int
vns_fuzz_init(const char *prog)
{
	char *argv[] = {
		(char *)prog,  "--no-huge",      "--no-pci", "-m", "256",
		"--no-shconf", "--no-telemetry", "-l",       "0",  "--log-level=lib.eal:error",
		NULL
	};

	if (fz_pool != NULL)
		return 0;
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "fuzz: EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	fz_pool = rte_pktmbuf_pool_create("fz_pool", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	if (fz_pool == NULL) {
		fprintf(stderr, "fuzz: mbuf pool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static void
learn_tx(struct vns_txbuf *tx)
{
	uint16_t i;

	for (i = 0; i < tx->n; i++) {
		struct rte_mbuf *m = tx->pkts[i];
		uint8_t buf[80];
		const uint8_t *p = rte_pktmbuf_read(m, 0, RTE_MIN(80u, m->pkt_len), buf);

		if (p != NULL && m->pkt_len >= 54 && p[12] == 0x08 && p[13] == 0x00 && p[23] == 6) {
			const struct rte_ipv4_hdr *ip = (const void *)(p + 14);
			const struct rte_tcp_hdr *th = (const void *)(p + 34);
			uint32_t len = rte_be_to_cpu_16(ip->total_length) - 20 -
				       (uint32_t)(th->data_off >> 4) * 4;
			uint32_t nxt = rte_be_to_cpu_32(th->sent_seq) + len +
				       !!(th->tcp_flags & 0x03);

			fz_srv_nxt[rte_be_to_cpu_16(th->dst_port)] = nxt;
		}
		rte_pktmbuf_free(m);
	}
	tx->n = 0;
}

static void
fixup(uint8_t *f, uint32_t len)
{
	struct rte_ipv4_hdr *ip;
	uint32_t ihl, iplen;

	if (len < 14)
		return;
	memcpy(f, &fz_mac, 6);
	if (len < 34 || f[12] != 0x08 || f[13] != 0x00)
		return;
	ip = (struct rte_ipv4_hdr *)(f + 14);
	ip->dst_addr = rte_cpu_to_be_32(FZ_STACK_IP);
	ihl = (uint32_t)(ip->version_ihl & 15) * 4;
	iplen = rte_be_to_cpu_16(ip->total_length);
	if (ihl < 20 || 14 + ihl > len || iplen < ihl || 14 + iplen > len)
		return;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, ihl);
	if (ip->next_proto_id == IPPROTO_TCP && iplen - ihl >= 20) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)((uint8_t *)ip + ihl);
		uint32_t sum;

		if ((th->tcp_flags & 0x10) && !(th->tcp_flags & 0x02))
			th->recv_ack = rte_cpu_to_be_32(fz_srv_nxt[rte_be_to_cpu_16(th->src_port)]);
		th->cksum = 0;
		sum = rte_raw_cksum(th, iplen - ihl) + rte_ipv4_phdr_cksum(ip, 0);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		th->cksum = (uint16_t)~sum;
	}
}

/* SPLIT segment sizes, mostly odd so that segment boundaries fall at odd offsets from
 * every header (the checksums over a chain must still be right there), some even. */
static const uint16_t fz_split[] = { 1, 3, 7, 61, 2, 33, 255, 5, 14, 99, 1023, 17 };

/* Bytes in segment i of a SPLIT chain, pattern k; seg 0 means not split (one 2 KB mbuf
 * per 2 KB). The first segment holds the Ethernet header and part of what follows, as a
 * device's would. */
static uint32_t
split_size(uint32_t k, uint32_t i, int split)
{
	if (!split)
		return 2048;
	if (i == 0)
		return 14 + k % 48;
	return fz_split[(k + i) % RTE_DIM(fz_split)];
}

static struct rte_mbuf *
to_mbuf(const uint8_t *f, uint32_t len, uint32_t k, int split, uint64_t ol)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	uint32_t off = 0, i = 0;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(fz_pool);
		uint32_t n = RTE_MIN(len - off, split_size(k, i++, split));

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), f + off, n);
		off += n;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		last = m;
	} while (off < len);
	head->ol_flags = ol;
	return head;
}

int
vns_fuzz_one(const uint8_t *data, size_t size)
{
	static uint8_t frame[65536 + 64];
	char err[256];
	struct vns_stack_conf conf;
	struct vns_shared *sh;
	struct vns_stack *st[2] = { NULL, NULL };
	struct vns_txbuf tx;
	struct vns_closed_rec rec[8];
	struct rte_mbuf *burst[32];
	uint16_t nburst = 0;
	unsigned int burst_q = 0;
	uint64_t hz = rte_get_tsc_hz(), now = hz * 1000;
	size_t pos = 0;
	int q, i;

	rte_srand(0x5eed); /* the ISS the stack picks: deterministic runs */
	memset(fz_srv_nxt, 0, sizeof(fz_srv_nxt));
	sh = vns_shared_create(2, SOCKET_ID_ANY, err, sizeof(err));
	if (sh == NULL) {
		fprintf(stderr, "fuzz: %s\n", err);
		abort();
	}
	memset(&conf, 0, sizeof(conf));
	conf.ip = rte_cpu_to_be_32(FZ_STACK_IP);
	conf.mac = fz_mac;
	conf.services = fz_binds;
	conf.nb_services = RTE_DIM(fz_binds);
	conf.max_flows = 32;
	conf.pool = fz_pool;
	conf.mtu = 1500;
	if (size > 0 && (data[0] & 1))
		conf.tx_offloads = VNS_TXOFF_IPV4_CKSUM | VNS_TXOFF_TCP_CKSUM;
	for (q = 0; q < 2; q++) {
		conf.queue_id = (uint16_t)q;
		st[q] = vns_stack_create(&conf, sh, SOCKET_ID_ANY, err, sizeof(err));
		if (st[q] == NULL) {
			fprintf(stderr, "fuzz: queue %d: %s\n", q, err);
			abort();
		}
	}
	tx.n = 0;

	while (pos + 3 <= size) {
		uint8_t ctl = data[pos];
		uint32_t len = (uint32_t)data[pos + 1] << 8 | data[pos + 2];
		struct rte_mbuf *m;
		uint64_t ol = 0;
		unsigned int qi = (ctl & 0x10) ? 1 : 0;

		pos += 3;
		len = (uint32_t)RTE_MIN((size_t)len, size - pos);
		memcpy(frame, data + pos, len);
		pos += len;
		if (ctl & 0x20)
			now += hz * 3 / 10;
		if (ctl & 0x01)
			fixup(frame, len);
		if (ctl & 0x02)
			ol |= RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		if (ctl & 0x08)
			ol |= RTE_MBUF_F_RX_LRO;
		m = len > 0 ? to_mbuf(frame, len, (uint32_t)pos + len, (ctl & 0x04) != 0, ol)
			    : NULL;
		if (m != NULL) {
			if (nburst > 0 && burst_q != qi) {
				vns_stack_input(st[burst_q], burst, nburst, now, &tx);
				learn_tx(&tx);
				nburst = 0;
			}
			burst_q = qi;
			burst[nburst++] = m;
		}
		if (!(ctl & 0x80) || nburst == RTE_DIM(burst)) {
			vns_stack_input(st[burst_q], burst, nburst, now, &tx);
			learn_tx(&tx);
			nburst = 0;
		}
		if (ctl & 0x40) {
			for (q = 0; q < 2; q++) {
				vns_stack_poll(st[q], now, &tx);
				learn_tx(&tx);
			}
		}
	}
	if (nburst > 0) {
		vns_stack_input(st[burst_q], burst, nburst, now, &tx);
		learn_tx(&tx);
	}
	/* Let retransmission, half-open and test timers run out. */
	for (i = 0; i < 40; i++) {
		now += hz * 20;
		for (q = 0; q < 2; q++) {
			vns_stack_poll(st[q], now, &tx);
			learn_tx(&tx);
			while (vns_stack_drain_closed(st[q], rec, RTE_DIM(rec)) > 0)
				;
		}
	}
	for (q = 0; q < 2; q++)
		vns_stack_free(st[q]);
	vns_shared_free(sh);
	if (rte_mempool_in_use_count(fz_pool) != 0) {
		fprintf(stderr, "fuzz: %u mbufs leaked\n", rte_mempool_in_use_count(fz_pool));
		abort();
	}
	return 0;
}
