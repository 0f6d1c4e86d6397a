/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver core internals: the device structure and the functions the core files
 * (vpmd_dev.c, vpmd_negotiate.c, vpmd_ctrl.c) share. The core talks to the transport
 * (vpmd_transport.h) and to the queues (ring/vpmd_queue.h); the ring never sees the
 * transport. Not installed; the unit tests and the fuzzer include it.
 */
#ifndef VPMD_INTERNAL_H
#define VPMD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "vpmd.h"
#include "vpmd_transport.h"
#include "vpmd_spec.h"
#include "vpmd_queue.h"

extern int vpmd_logtype;
#define VPMD_LOG(level, dev, fmt, ...)                                                          \
	rte_log(RTE_LOG_##level, vpmd_logtype, "vpmd %s: " fmt "\n", (dev) ? (dev)->name : "-", \
		##__VA_ARGS__)

/* The control queue waits this long for the device to answer a command. */
#define VPMD_CTRL_TIMEOUT_MS 2000

enum vpmd_state { VPMD_ST_OPEN, VPMD_ST_CONFIGURED, VPMD_ST_STARTED };

struct vpmd_dev {
	char name[64];
	uint32_t id; /* unique per process: memzone names */
	const struct vpmd_transport_ops *ops;
	void *priv;
	enum vpmd_state state;

	uint64_t dev_features; /* offered */
	uint64_t features;     /* negotiated */
	uint16_t max_qpairs;   /* device maximum (1 without MQ) */
	uint16_t nb_qpairs;
	uint16_t rx_ring_size, tx_ring_size; /* each capped by its own queue maximum */
	uint16_t mtu;
	struct rte_ether_addr mac;
	bool packed, mrg, in_order;
	int socket_id;
	struct rte_mempool *rx_pool;

	struct vpmd_rxq *rxq[VPMD_MAX_QPAIRS];
	struct vpmd_txq *txq[VPMD_MAX_QPAIRS];
	struct vpmd_ctrlq *cvq;
	bool queues_live; /* the transport knows our rings (queue_setup done) */
	/* Reset since the rings were last handed to the device: start renegotiates. Our own
	 * record, not the device's FEATURES_OK bit (a device may report anything). */
	bool needs_setup;
	/* A reset or queue stop failed: the device may still use our memory (vpmd_dead()). */
	bool dead;

	const char *rx_fn_name, *tx_fn_name;

	/* Reconnect (vpmd_poll()): where the recovery from a lost backend stands. */
	enum vpmd_recov { VPMD_RC_NONE, VPMD_RC_PARK, VPMD_RC_RELEASE, VPMD_RC_CONNECT } recov;
	uint64_t release_deadline_ms; /* RC_RELEASE: mark dead when not released by then */
	uint64_t next_attempt_ms;     /* RC_CONNECT */
	uint32_t backoff_ms;
	bool park_slow_logged;
	struct vpmd_conn_stats conn;
};

/* vpmd_poll() at a given time (milliseconds, any epoch): the tests drive the clock. */
int vpmd_poll_at(struct vpmd_dev *dev, uint64_t now_ms);

/* Negotiation and config space (vpmd_negotiate.c). */
/* Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK (read back); sets dev->features and
 * the layout flags. Also brings the device back after a stop. 0 or -errno (err filled). */
int vpmd_dev_negotiate(struct vpmd_dev *dev, uint64_t wanted, char *err, size_t errlen);
/* Generation-stable config read, validated: max_qpairs, mtu, mac. 0 or -errno. */
int vpmd_read_device_limits(struct vpmd_dev *dev, char *err, size_t errlen);
/* The config status word (VPMD_NET_S_*), read now. 0 or -errno. */
int vpmd_read_link_status(const struct vpmd_dev *dev, uint16_t *status);
/*
 * The device could not be made to stop using our memory: mark it dead, halt its queues and
 * keep its rings and posted mbufs out of the pools for good (counted, one ERR log line).
 */
void vpmd_dev_mark_dead(struct vpmd_dev *dev, const char *why);
/* Set FAILED on top of the current device status. */
void vpmd_dev_set_failed(struct vpmd_dev *dev);
/* Names of the bits set in f, space separated. */
void vpmd_features_str(uint64_t f, char *buf, size_t len);

/* Control queue (vpmd_ctrl.c): ops->ctrl_cmd when the transport has one. Return the
 * device's ack (0 = OK), or -errno with err filled. */
int vpmd_ctrl_send(struct vpmd_dev *dev, uint8_t cls, uint8_t cmd, const void *data, uint32_t len,
		   char *err, size_t errlen);
/* VQ_PAIRS_SET: 0, or -errno with err filled (a refusal is -EIO). */
int vpmd_ctrl_set_pairs(struct vpmd_dev *dev, uint16_t pairs, char *err, size_t errlen);

#endif /* VPMD_INTERNAL_H */
