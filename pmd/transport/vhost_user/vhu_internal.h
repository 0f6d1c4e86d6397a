/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the three parts of the vhost-user transport share: the device state, the message
 * layer (vhu_msg.c) that the emulated device (vhu_dev.c) and the memory table (vhu_mem.c)
 * send through. Control path only (main lcore).
 */
#ifndef VHU_INTERNAL_H
#define VHU_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_ether.h>
#include <rte_log.h>
#include <rte_memory.h>

#include "vpmd.h"
#include "vpmd_spec.h"
#include "vpmd_err.h"
#include "vhu_proto.h"

extern int vhu_logtype;
#define VHU_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vhu_logtype, "vpmd vhost-user: " fmt "\n", ##__VA_ARGS__)

/* Data virtqueues only: the control queue is emulated, never a ring. */
#define VHU_MAX_VQS            (VPMD_NB_VQS(VPMD_MAX_QPAIRS) - 1)
#define VHU_TIMEOUT_MS_DEFAULT 5000

struct vhu_queue {
	int kick_fd;  /* the fast path writes here; -1 when not set up */
	int call_fd;  /* handed to the backend, never read: no interrupts wanted */
	bool set_up;  /* backend knows the ring (KICK sent) and may be using it */
	bool enabled; /* SET_VRING_ENABLE 1 sent */
};

struct vhu_dev {
	int sock;       /* the connection; -1 while there is none */
	bool broken;    /* a socket error or protocol violation happened: needs reset */
	bool hung_up;   /* ... found between requests: the backend closed or babbled */
	bool server;    /* server=1: we listen on path, the backend connects */
	int listen_fd;  /* server mode: the listening socket (non-blocking) */
	int peer_pid;   /* the backend's process (SO_PEERCRED), 0 when unknown */
	int peer_pidfd; /* pidfd of peer_pid: readable once it exited; -1 when none */
	/* The connection was lost while the backend had live rings: until it provably cannot
	 * reach our memory (vhu_peer_released()), nothing it was given may be reused. */
	bool at_risk;
	uint16_t queues_cap; /* queues= of the spec (0: default 1), checked at every connect */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int timeout_ms;
	uint64_t backend_features;  /* GET_FEATURES, including VHU_F_PROTOCOL_FEATURES */
	uint64_t protocol_features; /* acked */
	uint64_t driver_features;   /* last set_features() value */
	uint16_t max_pairs;
	uint16_t active_pairs; /* pairs the driver enabled (1 after reset, VQ_PAIRS_SET after) */
	uint8_t status;
	bool mtu_offered;
	uint16_t mtu;
	struct rte_ether_addr mac;
	struct vhu_mem_table mem_sent;
	int mem_fds_sent[VHU_MAX_REGIONS];
	bool mem_valid;
	bool mem_grew;        /* hugepage memory outside the sent table appeared (warned once) */
	char mem_cb_name[48]; /* our rte_mem_event callback, "" when not registered */
	struct vhu_queue q[VHU_MAX_VQS];
};

/*
 * vhu_msg.c: socket, framing, request/reply. Each returns 0 or -errno and fills err; a
 * failure that leaves the stream out of step marks the connection broken for good.
 */
int vhu_connect(struct vhu_dev *d, char *err, size_t errlen);
/* Server mode: listen on d->path (a stale socket file there is replaced). */
int vhu_listen(struct vhu_dev *d, char *err, size_t errlen);
/* Server mode: take the backend's connection, waiting up to wait_ms; -EAGAIN when none. */
int vhu_accept(struct vhu_dev *d, int wait_ms, char *err, size_t errlen);
/* Close the connection (the backend sees the hang-up); the device reads as broken. */
void vhu_disconnect(struct vhu_dev *d);
/* Whether the backend that had the last connection can no longer reach our memory: its
 * process exited, or no longer maps what the memory table gave it. why says what is not. */
bool vhu_peer_released(struct vhu_dev *d, char *why, size_t whylen);
/* A request without a reply payload; acked when REPLY_ACK was negotiated. */
int vhu_request(struct vhu_dev *d, uint32_t request, const void *payload, uint32_t size,
		const int *fds, unsigned int nfds, char *err, size_t errlen);
/* A request whose reply carries exactly reply_size bytes (GET_*). */
int vhu_query(struct vhu_dev *d, uint32_t request, const void *payload, uint32_t size, void *reply,
	      uint32_t reply_size, char *err, size_t errlen);
int vhu_set_u64(struct vhu_dev *d, uint32_t request, uint64_t v, char *err, size_t errlen);
int vhu_get_u64(struct vhu_dev *d, uint32_t request, uint64_t *v, char *err, size_t errlen);
int vhu_set_state(struct vhu_dev *d, uint32_t request, uint32_t index, uint32_t num, char *err,
		  size_t errlen);
int vhu_set_fd(struct vhu_dev *d, uint32_t request, uint32_t index, int fd, char *err,
	       size_t errlen);
/* Whether the backend is still there; a hang-up found here marks the connection broken. */
bool vhu_conn_alive(struct vhu_dev *d);

/* vhu_mem.c: the memory table and the EAL mem-event callback. */
int vhu_mem_check(struct vhu_dev *d, char *err, size_t errlen);
int vhu_mem_sync(struct vhu_dev *d, char *err, size_t errlen);
void vhu_mem_watch(struct vhu_dev *d);
void vhu_mem_unwatch(struct vhu_dev *d);
/* Whether process pid maps any file of the memory table we sent: 1 yes, 0 no, -errno when
 * that cannot be read (another user's process without privileges). */
int vhu_mem_mapped_by(const struct vhu_dev *d, int pid);

#endif /* VHU_INTERNAL_H */
