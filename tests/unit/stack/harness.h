/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test harness around the real stack: EAL in no-huge mode, one mempool, stacks sharing one
 * vns_shared with the services a test binds, an "outbox" of parsed frames the stacks sent,
 * a scripted TCP client, and a fake service for the stack's own tests.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "pktbuild.h"
#include "vns_service.h"
#include "vns_stack.h"

#define H_OUT_MAX      256
#define H_STACK_IP     RTE_IPV4(198u, 18, 0, 1)
#define H_CLIENT_IP    RTE_IPV4(198u, 18, 0, 2)
#define H_IPERF_PORT   5201
#define H_DISCARD_PORT 9
#define H_PORT         9    /* the stack tests' first listening port */
#define H_PORT2        5201 /* and a second one */
#define H_PAT_LEN      70000

/* Bulk senders and send window of the stacks h_open() makes next (0: none, the default). */
extern uint32_t h_max_senders;
extern uint32_t h_send_window;

/* A payload pattern: h_pat[i] = i % 251 (set by h_eal_init). */
extern uint8_t h_pat[H_PAT_LEN];

/*
 * A fake service for the stack's own tests: it takes every connection on its port and does
 * nothing else; with payload it asks for the bytes (as a service that reads them does), so
 * the out-of-order store keeps mbufs, without it the store keeps ranges.
 */
struct h_sink_conf {
	bool payload;
};
extern const struct vns_service_ops h_sink_ops;

/* What the fake sink does on the next data it receives (one shot; tests set it, h_open
 * clears it): send len bytes of data from a buffer of its own, then close if close. */
struct h_sink_reply {
	const void *data;
	uint32_t len;
	bool close;
};
extern struct h_sink_reply h_sink_reply;

/* h_open() with h_sink_ops bound on H_PORT and H_PORT2, both reading the payload
 * (H_SINK_PAYLOAD), or H_PORT only counting (H_SINK_COUNT). */
enum h_sink_mode {
	H_SINK_PAYLOAD,
	H_SINK_COUNT,
};

struct h {
	struct rte_mempool *mp;
	struct vns_shared *sh;
	struct vns_stack *st[2];
	uint16_t nb;
	struct vns_txbuf tx;
	uint64_t hz;
	uint64_t now;
	uint32_t n_out;
	uint32_t oversize; /* frames the stack sent above the 1500-byte MTU */
	uint32_t tx_offloads;
	uint32_t chained; /* frames of more than one mbuf (h_close fails on them without
			   * VNS_TXOFF_MULTI_SEGS: such a port takes none) */
	struct pb_parsed out[H_OUT_MAX];
	int used[H_OUT_MAX];
	char err[256]; /* why h_open failed */
};

/* EAL + pool, once per process; exits 77 with the reason if the EAL cannot start. */
struct rte_mempool *h_eal_init(const char *prog);

/* nb_stacks stacks sharing one vns_shared, each with the services of binds. 0, or -1 with the
 * stack's reason in h->err (also printed). */
int h_open(struct h *h, uint16_t nb_stacks, const struct vns_service_bind *binds, uint8_t nb_binds,
	   uint32_t max_flows, uint32_t tx_offloads);
int h_open_sink(struct h *h, uint16_t nb_stacks, enum h_sink_mode mode, uint32_t max_flows,
		uint32_t tx_offloads);
/* Frees the stacks and checks that no mbuf is left in use; returns mbufs leaked (or a
 * large number if a frame above the MTU was sent). */
unsigned int h_close(struct h *h);
/* h_close() for a cmocka teardown: 0, or -1 with the reason on stderr. */
int h_close_checked(struct h *h);
void h_input(struct h *h, unsigned int q, struct rte_mbuf *m);
void h_input_burst(struct h *h, unsigned int q, struct rte_mbuf **m, uint16_t n);
void h_poll(struct h *h);
void h_advance_ms(struct h *h, uint64_t ms);
void h_clear(struct h *h);
/* A counter of stack q by name: the stack's own, else one of its services'. */
uint64_t h_stat(struct h *h, unsigned int q, const char *name);

/* Scripted client connection. */
struct tc {
	struct h *h;
	unsigned int q; /* stack it talks to */
	uint16_t sport;
	uint16_t dport;
	uint32_t snd_nxt; /* client's next sequence number */
	uint32_t rcv_nxt; /* next byte expected from the stack */
	uint32_t srv_iss;
	int ts;
	uint32_t tsval;
	uint32_t ts_recent;
	int ws;
	int sack;
	uint16_t win;
	int fin_rcvd;
	uint32_t rx_len;
	uint8_t rx[70000];
};

void tc_init(struct tc *c, struct h *h, unsigned int q, uint16_t sport, uint16_t dport,
	     uint32_t isn, int with_opts);
/* SYN, SYN-ACK, ACK; returns 0 on success. */
int tc_connect(struct tc *c);
void tc_fill(const struct tc *c, struct pb_tcp *p, uint32_t seq, uint8_t flags, const void *data,
	     uint32_t len);
void tc_send_at(struct tc *c, uint32_t seq, uint8_t flags, const void *data, uint32_t len);
void tc_send(struct tc *c, const void *data, uint32_t len);
/* Consumes outbox frames for this connection; appends in-order payload to rx, ACKs it
 * (when ack_data). Returns the number of frames consumed. */
int tc_recv(struct tc *c, int ack_data);
/* The last outbox frame addressed to this client, or NULL. */
const struct pb_parsed *tc_last(struct tc *c);
/* A data segment at seq carrying len bytes of h_pat (offset by seq). */
struct rte_mbuf *tc_data_seg(struct tc *c, uint32_t seq, uint32_t len);
/* Client FIN; the stack answers with its FIN; the client ACKs it. 0, or -1 when the stack
 * sent no FIN. */
int tc_close(struct tc *c);

#endif
