/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpmd transport interface (internal): how the device-independent control path talks to
 * a virtio transport. Implementations: pci/ (modern virtio-pci), vhost_user/ (vhost-user
 * frontend), and the unit tests' software device (tests/unit/pmd/fake_vnet.c).
 *
 * All ops run on the control path (main lcore) except the per-queue notify hook, which
 * the fast path calls when the device asked for a kick.
 */
#ifndef VPMD_TRANSPORT_H
#define VPMD_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vpmd_spec.h"

struct vpmd_dev;

/*
 * A transport's device-specific config space: struct virtio_net_config through
 * supported_hash_types [5.1.4]. The core reads the leading struct vpmd_net_config; the
 * rest is here so that the transports agree on each field's offset and width.
 */
struct vpmd_net_config_full {
	struct vpmd_net_config net;
	uint32_t speed; /* Mb/s, VPMD_NET_SPEED_UNKNOWN */
	uint8_t duplex; /* VPMD_NET_DUPLEX_UNKNOWN */
	uint8_t rss_max_key_size;
	uint16_t rss_max_indirection_table_length;
	uint32_t supported_hash_types;
} __attribute__((packed));
_Static_assert(offsetof(struct vpmd_net_config_full, speed) == 12, "speed at 12");
_Static_assert(offsetof(struct vpmd_net_config_full, rss_max_indirection_table_length) == 18,
	       "rss_max_indirection_table_length at 18");
_Static_assert(sizeof(struct vpmd_net_config_full) == 24, "net config through hash types");

#define VPMD_NET_SPEED_UNKNOWN  UINT32_MAX
#define VPMD_NET_DUPLEX_UNKNOWN 0xff

/* Where a virtqueue lives, as the transport must tell the device (virtio 1.2, 2.6/2.7). */
struct vpmd_vq_layout {
	uint16_t index; /* virtqueue index: vpmd_rxvq(), vpmd_txvq(), vpmd_cvq() */
	uint16_t size;  /* descriptors */
	bool packed;
	void *desc, *driver, *device;                 /* process virtual addresses */
	uint64_t desc_iova, driver_iova, device_iova; /* what the device uses (PA, IOVA or VA) */
};

/* The fast path kicks a queue through this: one indirect call, only when asked. */
struct vpmd_notify {
	void (*kick)(void *cookie, uint16_t vq_index);
	void *cookie;
};

/*
 * Errors: every op that can fail returns 0 or -errno and then fills err (one line naming
 * what failed and what to do, through vpmd_set_err(): err may be NULL). The getters
 * cannot fail and take no buffer: get_status() reports a broken device as NEEDS_RESET,
 * queue_max_size() an absent queue as 0. Transports never print an error.
 */
struct vpmd_transport_ops {
	const char *name; /* "virtio-pci", "vhost-user", "fake" */
	uint64_t (*get_features)(void *priv);
	/* Write driver features; the control path then sets FEATURES_OK and checks it. */
	int (*set_features)(void *priv, uint64_t features, char *err, size_t errlen);
	uint8_t (*get_status)(void *priv);
	/* Fails when the transport cannot carry the change (vhost-user: the rings it enables
	 * at DRIVER_OK); the device then also reads NEEDS_RESET. */
	int (*set_status)(void *priv, uint8_t status, char *err, size_t errlen);
	/* Reset and wait until the device reads back 0 (bounded wait). A failure means the
	 * device may still use the rings: the core then marks it dead and frees nothing. */
	int (*reset)(void *priv, char *err, size_t errlen);
	/* Device-specific config space (struct vpmd_net_config_full), bounds-checked. */
	int (*read_config)(void *priv, uint32_t offset, void *buf, uint32_t len, char *err,
			   size_t errlen);
	uint8_t (*config_generation)(void *priv);
	/* Largest size the device accepts for this queue; 0 when the queue does not exist. */
	uint16_t (*queue_max_size)(void *priv, uint16_t vq_index);
	/* Tell the device about a queue and enable it; fills *notify. */
	int (*queue_setup)(void *priv, const struct vpmd_vq_layout *vq, struct vpmd_notify *notify,
			   char *err, size_t errlen);
	/* Forget a queue (vhost-user: stop its ring). The queue is forgotten even on failure;
	 * a failure means the backend may still use the ring (the core marks the device dead). */
	int (*queue_release)(void *priv, uint16_t vq_index, char *err, size_t errlen);
	/*
	 * Optional. When set, the transport has no real control virtqueue and carries the
	 * command itself (vhost-user: VQ_PAIRS_SET becomes SET_VRING_ENABLE). Returns the
	 * virtio-net ack (VPMD_CTRL_OK, VPMD_CTRL_ERR) or -errno with err filled.
	 */
	int (*ctrl_cmd)(void *priv, uint8_t cls, uint8_t cmd, const void *data, uint32_t len,
			char *err, size_t errlen);
	/*
	 * Optional, together: a device whose backend can go away and come back (vhost-user).
	 * The core's vpmd_poll() drives them; none blocks longer than one reply timeout.
	 *   conn_lost     whether the backend is gone (hang-up, socket error, a reply that
	 *                 never came, an unsolicited message). A query.
	 *   conn_release  drop the connection and forget every ring without talking to the
	 *                 backend. 1 when the backend can no longer reach the rings and buffers
	 *                 it was given (no ring was live, or its process exited or unmapped our
	 *                 memory), 0 when that is not known yet (ask again later; why says what
	 *                 is awaited). A query again after the first call.
	 *   reconnect     one attempt at a new connection and handshake. 0 connected (the
	 *                 device reads as freshly reset), -EAGAIN no backend there yet, another
	 *                 -errno with err filled when the backend came back unusable (fewer
	 *                 queues, no VERSION_1, ...).
	 */
	bool (*conn_lost)(void *priv);
	int (*conn_release)(void *priv, char *why, size_t whylen);
	int (*reconnect)(void *priv, char *err, size_t errlen);
	/* Whether rings must be addressed by process VA (vhost-user) rather than IOVA. */
	bool uses_va;
	void (*close)(void *priv);
};

/*
 * Open a device on an already-probed transport (the unit tests' software device uses
 * this; vpmd_open() parses a spec and calls it for pci and vhost-user). Takes ownership
 * of priv: ops->close(priv) runs on failure and at vpmd_close().
 */
struct vpmd_dev *vpmd_open_transport(const struct vpmd_transport_ops *ops, void *priv, char *err,
				     size_t errlen);

/* ---- device specs (vpmd_devspec.c) ---- */

/* A PCI address as sysfs names it, "DDDD:BB:DD.F", with its NUL. */
#define VPMD_PCI_ADDR_LEN 13

/*
 * "DDDD:BB:DD.F" or "BB:DD.F" (domain 0), hex, into the sysfs form. 0, or -EINVAL when the
 * text is no PCI address or a field is out of range (out is then unchanged).
 */
int vpmd_pci_addr_parse(const char *in, char out[VPMD_PCI_ADDR_LEN]);

enum vpmd_devspec_kind {
	VPMD_DEVSPEC_PCI,
	VPMD_DEVSPEC_VHOST_USER,
};

struct vpmd_devspec {
	enum vpmd_devspec_kind kind;
	char pci_addr[VPMD_PCI_ADDR_LEN]; /* PCI: the normalised address */
	const char *vhost_user;           /* vhost-user: "PATH[,key=val...]", inside spec */
};

/*
 * The spec vpmd_open() takes: a PCI address ("0000:00:01.0", "00:01.0", optionally after
 * "pci:") or "vhost-user:" and the vhost-user transport's arguments (vhu_dev.c documents
 * them). 0, or -EINVAL with err filled.
 */
int vpmd_devspec_parse(const char *spec, struct vpmd_devspec *ds, char *err, size_t errlen);

/* ---- transport probes (each in its own folder) ---- */
int vpmd_pci_probe(const char *pci_addr, const struct vpmd_transport_ops **ops, void **priv,
		   char *err, size_t errlen);
int vpmd_vhost_user_probe(const char *path, const struct vpmd_transport_ops **ops, void **priv,
			  char *err, size_t errlen);

#endif /* VPMD_TRANSPORT_H */
