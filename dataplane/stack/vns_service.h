/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vns_service: what the stack gives a service (dataplane/services) bound on one stack. The
 * stack never names a service: it knows one through this context and the service's
 * callbacks. Connections are in vns_conn.h.
 *
 * Context: everything here runs on the lcore that polls the stack, except where a comment
 * says otherwise.
 */
#ifndef VNS_SERVICE_H
#define VNS_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>

#include "vns_conn.h"
#include "vns_stack.h"

#define VNS_SVC_MAX 8            /* services bound on one stack */
#define VNS_SVC_SHARED_MAX 64    /* bytes a service shares across the stacks of a vns_shared */
#define VNS_MSG_BODY_MAX 72

/*
 * One service on one stack. The stack fills it before the service's init() and keeps it
 * until after its fini(); the service reads the fields and sets priv.
 */
struct vns_svc {
	void *priv;               /* the service's state on this stack, set by its init() */
	void *shared;             /* VNS_SVC_SHARED_MAX bytes, zero at vns_shared_create(), the
				   * same area for this service on every stack of the vns_shared */
	const void *conf;         /* the service's configuration; read it in init() only */
	struct vns_stack *st;     /* the stack's, for the functions below */
	const uint64_t *now_tsc;  /* the stack's clock: read it with vns_svc_now() */
	uint64_t hz;              /* TSC ticks per second */
	uint32_t max_flows;       /* connections per stack */
	int socket_id;            /* for the service's allocations */
	uint16_t queue_id;        /* the stack's queue: messages come from and go to queues */
	rte_be16_t port;          /* the listening port, network order; 0: not listening */
	uint8_t index;            /* 1.. on the stack; messages carry it */
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
	uint8_t svc;              /* the service's index, set by vns_svc_send_msg() */
	uint8_t type;             /* the service's */
	uint16_t from_queue;      /* the sender's queue, set by vns_svc_send_msg() */
	uint32_t reserved;
	_Alignas(8) uint8_t body[VNS_MSG_BODY_MAX]; /* the service's; copy it out with memcpy */
};

/* Sends type and len bytes of body to the same service on queue's stack. 0, or -ENOBUFS
 * (ring full or no such queue; counted in drop_ring_full). */
int vns_svc_send_msg(struct vns_svc *svc, uint16_t queue, uint8_t type, const void *body,
		     uint32_t len);

/* Queues a closed-connection record for vns_stack_drain_closed(); a full ring drops it
 * (closed_rec_lost). */
void vns_svc_record(struct vns_svc *svc, const struct vns_closed_rec *rec);

#endif /* VNS_SERVICE_H */
