/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One fuzz input = one iperf3 client session against the iperf3 service on two fresh stacks
 * (with the discard port in integrity mode beside it), through the real stack and the
 * service interface: the control connection is established first (on the first stack),
 * then records drive it. Record format: [op:1][len:1][data:len], ops in fuzz_iperf3_core.h:
 * control bytes (cookie, state bytes), JSON messages with a true or a raw length prefix,
 * more connections (streams with the session's cookie or anything, on either stack), their
 * data, FIN and RST, and time. Every client follows the server's output (its sequence
 * numbers) and ACKs it when a record asks, so the exchange can go as far as the input
 * leads. After the last record the clock runs on for the receive timeout and the timers,
 * the stacks are freed, and every mbuf must be back in the pool: a leak aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_random.h>

#include "fuzz_iperf3_core.h"
#include "harness.h"
#include "vns_services.h"

#define FZI_CONNS 10

static const struct vns_discard_conf fzi_sha256 = { .sha256 = true };
static const struct vns_iperf3_conf fzi_iperf3 = { .rcv_timeout_s = 5 };
static const struct vns_service_bind fzi_binds[] = {
	{ H_IPERF_PORT, &vns_iperf3_ops, &fzi_iperf3 },
	{ H_DISCARD_PORT, &vns_discard_ops, &fzi_sha256 },
};

static struct h fzi_h;
static struct tc fzi_c[FZI_CONNS];

int
vns_fuzz_iperf3_init(const char *prog)
{
	return h_eal_init(prog) != NULL ? 0 : -1;
}

/* Every client takes what the server sent it (in order), and ACKs it if asked. */
static void
follow(struct tc *c, unsigned int n, int ack)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		tc_recv(&c[i], ack);
	h_clear(c[0].h);
}

static void
send_bytes(struct tc *c, const uint8_t *d, uint32_t n)
{
	/* One segment per MSS: a JSON message of several KB spans segments. */
	while (n > 0) {
		uint32_t k = RTE_MIN(n, 1400u);

		tc_send(c, d, k);
		d += k;
		n -= k;
	}
}

static void
close_conn(struct tc *c, const uint8_t *d, uint32_t n)
{
	if (n > 0 && (d[0] & 1)) {
		tc_send_at(c, c->snd_nxt, PB_RST | PB_ACK, NULL, 0);
		return;
	}
	c->tsval++;
	tc_send_at(c, c->snd_nxt, PB_FIN | PB_ACK, NULL, 0);
	c->snd_nxt++;
}

int
vns_fuzz_iperf3_one(const uint8_t *data, size_t size)
{
	static uint8_t cookie[37];
	struct h *h = &fzi_h;
	unsigned int nconn = 1, i;
	uint32_t cookie_len = 0;
	size_t pos = 0;

	rte_srand(0x5eed);
	if (h_open(h, 2, fzi_binds, RTE_DIM(fzi_binds), 64, 0) != 0)
		abort();
	tc_init(&fzi_c[0], h, 0, 50000, H_IPERF_PORT, 1000, 1);
	if (tc_connect(&fzi_c[0]) != 0)
		abort();
	h_clear(h);
	while (pos + 2 <= size) {
		uint8_t op = data[pos];
		uint32_t len = RTE_MIN((uint32_t)data[pos + 1], (uint32_t)(size - pos - 2));
		const uint8_t *d = data + pos + 2;
		struct tc *last = &fzi_c[nconn - 1];
		uint8_t be[4];

		pos += 2 + len;
		switch (op & 7) {
		case FZI_CTRL:
			if (cookie_len < sizeof(cookie)) {
				uint32_t k = RTE_MIN(len, (uint32_t)sizeof(cookie) - cookie_len);

				memcpy(cookie + cookie_len, d, k);
				cookie_len += k;
			}
			send_bytes(&fzi_c[0], d, len);
			break;
		case FZI_OPEN:
			if (nconn == FZI_CONNS)
				break;
			last = &fzi_c[nconn];
			tc_init(last, h, (op & FZI_QUEUE1) ? 1 : 0, (uint16_t)(50001 + nconn),
				H_IPERF_PORT, 7000u * nconn, 1);
			if (tc_connect(last) != 0)
				break; /* refused (the table is full): a counter, not a failure */
			nconn++;
			if (len > 0)
				send_bytes(last, d, len);
			else
				send_bytes(last, cookie, cookie_len);
			break;
		case FZI_STREAM:
			send_bytes(last, d, len);
			break;
		case FZI_TIME:
			h_advance_ms(h, ((len > 0 ? d[0] : 0) + 1u) * 100);
			h_poll(h);
			break;
		case FZI_CLOSE_CTRL:
			close_conn(&fzi_c[0], d, len);
			break;
		case FZI_JSON:
			be[0] = 0;
			be[1] = 0;
			be[2] = 0;
			be[3] = (uint8_t)len;
			tc_send(&fzi_c[0], be, 4);
			send_bytes(&fzi_c[0], d, len);
			break;
		case FZI_CLOSE_LAST:
			close_conn(last, d, len);
			break;
		default: /* FZI_RAW_LEN */
			send_bytes(&fzi_c[0], d, RTE_MIN(len, 4u));
			if (len > 4)
				send_bytes(&fzi_c[0], d + 4, len - 4);
			break;
		}
		h_poll(h);
		follow(fzi_c, nconn, (op & FZI_ACK) != 0);
	}
	/* The receive timeout, retransmissions, TIME-WAIT: everything runs out. */
	for (i = 0; i < 30; i++) {
		struct vns_closed_rec rec[8];
		uint16_t q;

		h_advance_ms(h, 10000);
		h_poll(h);
		follow(fzi_c, nconn, 1);
		for (q = 0; q < h->nb; q++)
			while (vns_stack_drain_closed(h->st[q], rec, RTE_DIM(rec)) > 0)
				;
	}
	if (h_close(h) != 0) {
		fprintf(stderr, "fuzz_iperf3: %u mbufs leaked or a frame above the MTU\n",
			rte_mempool_in_use_count(h->mp));
		abort();
	}
	return 0;
}
