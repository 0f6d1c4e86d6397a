/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_service: how a service (dataplane/services) sits on the stack, lwIP's pcb->recv and
 * smoltcp's sockets/apps split. A service is a table of callbacks (struct vns_service_ops)
 * that the app binds to a port in vns_stack_conf; the stack never names a service, it calls
 * the table. Connections are in vns_conn.h.
 *
 * Context: every callback runs on the lcore that polls the stack, inside vns_stack_input()
 * or vns_stack_poll(), except init/fini (vns_stack_create/free, main lcore, loops stopped)
 * and conn_state/counters_get (any thread, concurrently with the loop: read only).
 *
 * Cost: a connection of no service (a plain sink) never calls through the table; a service's
 * connection pays one indirect call per in-order payload segment (data), and one per event.
 */
#ifndef VNS_SERVICE_H
#define VNS_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "vns_conn.h"
#include "vns_stack.h"
#include "vns_udp.h"

#define VNS_SVC_MAX        8  /* services bound on one stack */
#define VNS_SVC_SHARED_MAX 64 /* bytes a service shares across the stacks of a vns_shared */
#define VNS_MSG_BODY_MAX   72

struct vns_msg;

/*
 * One service on one stack. The stack fills it before the service's init() and keeps it
 * until after its fini(); the service reads the fields and sets priv.
 */
struct vns_svc {
	void *priv;              /* the service's state on this stack, set by its init() */
	void *shared;            /* VNS_SVC_SHARED_MAX bytes, zero at vns_shared_create(), the
				   * same area for this service on every stack of the vns_shared */
	const void *conf;        /* the service's configuration; read it in init() only */
	struct vns_stack *st;    /* the stack's, for the functions below */
	const uint64_t *now_tsc; /* the stack's clock: read it with vns_svc_now() */
	uint64_t hz;             /* TSC ticks per second */
	uint32_t max_flows;      /* connections per stack */
	int socket_id;           /* for the service's allocations */
	uint16_t queue_id;       /* the stack's queue: messages come from and go to queues */
	rte_be16_t port;         /* the listening port, network order; 0: not listening */
	uint8_t index;           /* 1.. on the stack; messages carry it */
	const struct vns_service_ops *ops;
};

/* A counter a service keeps: the name is what reports print (JSON, telemetry). */
struct vns_service_counter {
	const char *name;
	const char *desc;
};

struct vns_service_ops {
	const char *name;      /* telemetry names its connections by it */
	size_t conn_priv_size; /* bytes of struct vns_conn used, <= VNS_CONN_PRIV_MAX */
	size_t shared_size;    /* bytes of svc->shared used, <= VNS_SVC_SHARED_MAX */
	/* Optional. Sets svc->priv; on failure returns -errno with one line in err. */
	int (*init)(struct vns_svc *svc, char *err, size_t errlen);
	/* Optional. Frees what init made and what open connections still hold: connections
	 * open at vns_stack_free() get no closed() call. */
	void (*fini)(struct vns_svc *svc);
	/* Optional. A connection to the service's port is established (its private area is
	 * zero); data may follow in the same segment. */
	void (*open)(struct vns_svc *svc, struct vns_conn *c);
	/* Required. len in-order bytes at offset off of m; m is NULL unless the connection asked
	 * for payload (vns_conn_set_payload). */
	void (*data)(struct vns_svc *svc, struct vns_conn *c, const struct rte_mbuf *m,
		     uint32_t off, uint32_t len);
	/* Optional. A UDP datagram to the service's port (vns_udp.h): len payload bytes at off of
	 * m, valid only during the call (the stack frees m after it); answer with
	 * vns_udp_send(). Without it, datagrams to the port are dropped (udp_no_port). */
	void (*datagram)(struct vns_svc *svc, const struct vns_udp_peer *peer,
			 const struct rte_mbuf *m, uint32_t off, uint32_t len);
	/* Optional. The connection is gone (why); its pointer is invalid after the return. */
	void (*closed)(struct vns_svc *svc, struct vns_conn *c, enum vns_close_reason why);
	/* Optional. Every byte of a finite bulk (vns_conn_bulk_start), or of a stopped one, is
	 * acknowledged; called once per bulk. */
	void (*sent)(struct vns_svc *svc, struct vns_conn *c);
	/* Optional. A message another stack's instance sent (vns_svc_send_msg). */
	void (*msg)(struct vns_svc *svc, const struct vns_msg *msg);
	/* Optional. Every vns_stack_poll(), after the timers: the service's own deadlines. */
	void (*poll)(struct vns_svc *svc);
	/* Optional, any thread. What the connection is doing, for telemetry (default: name). */
	const char *(*conn_state)(const struct vns_svc *svc, const struct vns_conn *c);
	/* Counters, any thread: counters_get writes nb_counters values in the table's order,
	 * each a value it really had (single writer: the loop). All services of a stack have at
	 * most VNS_SVC_STATS_MAX (vns_stack.h). */
	const struct vns_service_counter *counters;
	uint16_t nb_counters;
	void (*counters_get)(const struct vns_svc *svc, uint64_t *values);
};

/* TSC of the current vns_stack_input()/vns_stack_poll() call. */
static inline uint64_t
vns_svc_now(const struct vns_svc *svc)
{
	return *svc->now_tsc;
}

/*
 * Cross-lcore messages: each stack has one inbox (multi-producer, single-consumer ring) that
 * its poll drains, handing each message to the service of the same index on that stack.
 */
struct vns_msg {
	uint8_t svc;         /* the service's index, set by vns_svc_send_msg() */
	uint8_t type;        /* the service's */
	uint16_t from_queue; /* the sender's queue, set by vns_svc_send_msg() */
	uint32_t reserved;
	_Alignas(8) uint8_t body[VNS_MSG_BODY_MAX]; /* the service's; copy it out with memcpy */
};

/* Sends type and len bytes of body to the same service on queue's stack. 0, or -ENOBUFS
 * (ring full or no such queue; counted in drop_ring_full). */
int vns_svc_send_msg(struct vns_svc *svc, uint16_t queue, uint8_t type, const void *body,
		     uint32_t len);

/* Queues a closed record (len bytes, at most VNS_CLOSED_REC_SIZE; the rest is zero) for
 * vns_stack_drain_closed(); a full ring drops it (closed_rec_lost). */
void vns_svc_record(struct vns_svc *svc, const void *rec, uint32_t len);

#endif /* VNS_SERVICE_H */
