/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fake_vnet: an in-process software virtio-net device for the unit tests and the fuzzer.
 *
 * It implements struct vpmd_transport_ops (open it with vpmd_open_transport) and the
 * DEVICE side of split and packed virtqueues, reading the driver's rings by virtual
 * address (uses_va; the EAL runs in IOVA-as-VA mode so descriptor addresses are VAs).
 * Nothing runs on its own: the test calls fake_rx_inject() to "receive" a packet into an
 * rx queue and fake_tx_pop()/fake_tx_complete() to consume what the driver sent. The
 * control queue is served synchronously from the kick callback.
 *
 * Misbehaviours (item 5 of the PMD issue) are one-shot switches (fake_misbehave) applied to
 * the next used entry the device writes, plus configuration values (max pairs, MTU,
 * queue sizes) that the driver must reject.
 */
#ifndef FAKE_VNET_H
#define FAKE_VNET_H

#include <stdbool.h>
#include <stdint.h>

#include "vpmd.h"
#include "vpmd_transport.h"
#include "vpmd_spec.h"

/* Room for the control queue of a device with more pairs than the driver uses (2 * 128). */
#define FAKE_MAX_VQ         VPMD_NB_VQS(128)
#define FAKE_TX_PENDING_MAX 32768
/* Largest indirect table the fake accepts (entries). */
#define FAKE_INDIRECT_MAX 64

/* How the control queue misbehaves (every command, until changed). */
enum fake_ctrl_mis {
	FAKE_CTRL_OK,
	FAKE_CTRL_USED_PLUS2, /* split: used idx moves by 2 for one command */
	FAKE_CTRL_WRONG_ID,   /* used id = head + 1 (packed: id 1, the driver uses 0) */
	FAKE_CTRL_SILENT,     /* the command is taken and never answered */
	FAKE_CTRL_NO_ACK,     /* answered without writing the ack byte */
};

struct fake_vnet_cfg {
	uint64_t features;  /* offered */
	uint16_t max_pairs; /* config max_virtqueue_pairs (with MQ) */
	uint16_t mtu;       /* config mtu (with MTU) */
	uint8_t mac[6];
	uint16_t link_status;    /* config status */
	uint16_t queue_max;      /* queue_max_size of every existing queue */
	uint16_t ctrl_queue_max; /* of the control queue; 0 = same as queue_max */
	uint16_t tx_queue_max;   /* of the tx queues; 0 = same as queue_max */
	int16_t zero_size_queue; /* this vq index reports size 0 (-1: none) */
	bool reject_features;    /* never accept FEATURES_OK */
	bool no_notify;          /* device says: do not kick (NO_NOTIFY / events DISABLE) */
	uint8_t ctrl_ack;        /* ack byte for control commands (0 = OK) */
	enum fake_ctrl_mis ctrl_mis;
	unsigned int gen_flips;    /* config_generation changes on this many reads */
	bool ctrl_via_transport;   /* open with the ops table that has ctrl_cmd */
	bool reset_fails;          /* reset returns -ETIMEDOUT and the queues keep running */
	bool features_ok_sticky;   /* the status reads FEATURES_OK even after a reset */
	bool rx_kick_after_enable; /* an rx queue of a pair not yet enabled by VQ_PAIRS_SET
				    * ignores kicks, and is served only once kicked after */
	bool release_fails;        /* queue_release returns -ETIMEDOUT (vhost-user
				  * GET_VRING_BASE unanswered); the queue keeps running */
};

/* A sane default: everything offered, 4 pairs, MTU 1500, queue max 1024. */
void fake_vnet_cfg_default(struct fake_vnet_cfg *cfg);

enum fake_mis {
	FAKE_MIS_NONE,
	FAKE_MIS_USED_IDX_JUMP,  /* split: used idx moves by size + 1 */
	FAKE_MIS_ID_RANGE,       /* used id = size + 3 */
	FAKE_MIS_ID_DUP,         /* used id = the id of the previous used entry */
	FAKE_MIS_LEN_SHORT,      /* rx: used len = 20 */
	FAKE_MIS_LEN_LONG,       /* rx: used len = posted + 1 */
	FAKE_MIS_NUMBUF_ZERO,    /* rx: num_buffers = 0 */
	FAKE_MIS_NUMBUF_BIG,     /* rx: num_buffers = 0xffff */
	FAKE_MIS_NUMBUF_TWO,     /* rx: num_buffers = 2 (bad without MRG_RXBUF) */
	FAKE_MIS_LATER_ID_RANGE, /* rx: the 2nd buffer of a mergeable packet has id size+3 */
	FAKE_MIS_LATER_LEN_LONG, /* rx: the 2nd buffer's len is posted + 1 */
	FAKE_MIS_BATCH_SHORT,    /* split tx BATCH: used idx moves by 1, the id names the last */
};

struct fake_vq {
	bool ready;
	struct vpmd_vq_layout l;
	uint16_t last_avail; /* split: free-running; packed: position */
	uint16_t avail_wrap; /* packed */
	uint16_t used_idx;   /* split: free-running; packed: position */
	uint16_t used_wrap;  /* packed */
	uint64_t kicks;
	uint32_t last_used_id; /* id of the previous used entry (for FAKE_MIS_ID_DUP) */
	uint16_t next_head;    /* split + IN_ORDER: the head the driver must use next */
	bool want_every_kick;
	bool woken;     /* rx_kick_after_enable: kicked while its pair was enabled */
	bool scribbled; /* packed: fake_raw_used wrote here, stop parsing it */
	/* tx chains taken and not yet returned: head id and descriptor count */
	uint32_t nb_pending;
	uint16_t *pend_id;
	uint16_t *pend_ndesc;
};

struct fake_vnet {
	struct fake_vnet_cfg cfg;
	uint8_t status;
	uint64_t driver_features;
	uint8_t generation;
	unsigned int gen_reads;
	struct fake_vq vq[FAKE_MAX_VQ];
	uint16_t pairs_set;     /* last VQ_PAIRS_SET value acked */
	unsigned int ctrl_cmds; /* control commands seen */
	uint8_t last_ctrl[16];  /* the last one: class, command, data */
	uint32_t last_ctrl_len;
	unsigned int violations; /* driver broke a rule the fake checks */
	char violation[160];     /* the first one */
	unsigned int resets;
	unsigned int resets_failed; /* reset_fails: resets refused */
	bool closed;
	enum fake_mis mis;    /* one-shot */
	bool inorder_batch;   /* IN_ORDER: return many buffers with one used entry */
	uint64_t tx_indirect; /* tx buffers taken that were one indirect descriptor */
	/* The last tx buffer fake_tx_pop() took: its indirect table as read (a packed entry's
	 * reserved buffer id is stored in `next`). */
	struct {
		bool indirect;
		uint16_t nent;
		struct vpmd_vring_desc ent[FAKE_INDIRECT_MAX];
	} last_tx;
};

const struct vpmd_transport_ops *fake_vnet_ops(const struct fake_vnet *f);
struct fake_vnet *fake_vnet_new(const struct fake_vnet_cfg *cfg);
void fake_vnet_free(struct fake_vnet *f); /* after vpmd_close(), which only marks it closed */

/* Open a vpmd device on a new fake; *fp gets the fake (owned by the caller). */
struct vpmd_dev *fake_vnet_open(const struct fake_vnet_cfg *cfg, struct fake_vnet **fp, char *err,
				size_t errlen);

static inline void
fake_misbehave(struct fake_vnet *f, enum fake_mis m)
{
	f->mis = m;
}

/*
 * Receive one packet on rx queue q: header `hdr` (num_buffers is filled in unless
 * raw_numbuf) followed by `len` bytes of `data`, spread over as many posted buffers as
 * needed (mergeable) and published with one used-index update.
 * Returns the number of buffers used, 0 when the driver has not posted enough buffers,
 * -1 when the packet cannot be received (no MRG_RXBUF and it does not fit).
 */
int fake_rx_inject(struct fake_vnet *f, uint16_t q, const struct vpmd_net_hdr *hdr,
		   const void *data, uint32_t len, bool raw_numbuf);
/* Buffers the driver has made available on rx queue q (not yet used). */
unsigned int fake_rx_avail(struct fake_vnet *f, uint16_t q);

/*
 * Take the next packet the driver made available on tx queue q: copies the header to
 * *hdr and up to cap bytes of the frame to buf. Returns the frame length, or -1 when
 * nothing is available. The chain stays pending until fake_tx_complete().
 */
int fake_tx_pop(struct fake_vnet *f, uint16_t q, struct vpmd_net_hdr *hdr, uint8_t *buf,
		uint32_t cap, unsigned int *ndesc);

enum fake_complete { FAKE_COMPLETE_IN_ORDER, FAKE_COMPLETE_REVERSE, FAKE_COMPLETE_BATCH };
/* Return every pending tx chain to the driver. BATCH writes one used entry for all of them
 * (only meaningful with IN_ORDER). Applies the one-shot misbehaviour. */
void fake_tx_complete(struct fake_vnet *f, uint16_t q, enum fake_complete how);

/* EVENT_IDX: set the avail_event / device event offset the driver must honour. */
void fake_set_avail_event(struct fake_vnet *f, uint16_t vq, uint16_t idx, uint16_t wrap);
/* Toggle the device's notification suppression on one queue. */
void fake_set_no_notify(struct fake_vnet *f, uint16_t vq, bool no_notify);

/* ---- raw device-side access for the fuzzer ---------------------------------------------- */
/* Write one used entry on vq with arbitrary id/len (split: at used_idx, bumping it by
 * `advance`; packed: at the device position with the given flags, advancing by `advance`
 * descriptors). The buffer behind a valid available descriptor may receive `hdr` bytes. */
void fake_raw_used(struct fake_vnet *f, uint16_t vq, uint32_t id, uint32_t len, uint16_t advance,
		   uint16_t packed_flags, bool use_flags);
/* Copy n bytes into the buffer of the next available rx descriptor (bounded by its len). */
void fake_raw_fill(struct fake_vnet *f, uint16_t vq, const void *bytes, uint32_t n,
		   uint32_t *id_out, uint32_t *len_out);

#endif /* FAKE_VNET_H */
