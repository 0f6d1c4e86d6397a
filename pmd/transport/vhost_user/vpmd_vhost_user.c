/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user frontend transport (client mode): we connect to a backend that listens on a
 * unix socket (e.g. `dpdk-testpmd --vdev net_vhost0,iface=PATH`) and hand it our rings
 * and our hugepage memory. Protocol: QEMU docs/interop/vhost-user.rst; the device model
 * on top is virtio 1.2 (net device, 5.1).
 *
 * Spec string (what follows "vhost-user:" in vpmd_open):
 *     PATH[,queues=N][,mac=XX:XX:XX:XX:XX:XX][,mtu=N][,timeout_ms=N]
 *   queues      queue pairs the device shows (default 1; at most what GET_QUEUE_NUM says,
 *               which is only the backend's ceiling: give the backend's own queues= here)
 *   mac         MAC reported in the emulated config space (default: locally administered,
 *               derived from PATH so that two ports on different sockets differ)
 *   mtu         offers VIRTIO_NET_F_MTU with this value (default: MTU not offered)
 *   timeout_ms  bound on every reply from the backend (default 5000)
 *
 * What the frontend emulates, because a vhost-user net backend has none of it:
 *   - device status (ACKNOWLEDGE..DRIVER_OK): kept here; DRIVER_OK enables the rings;
 *   - config space (mac, status, max_virtqueue_pairs, mtu);
 *   - the control queue (ops->ctrl_cmd): VQ_PAIRS_SET becomes SET_VRING_ENABLE.
 *
 * EAL requirements: hugepage memory shared by fd (--single-file-segments keeps the region
 * count within the protocol's 8), and --iova-mode=va since the backend resolves ring and
 * buffer addresses through our virtual addresses (uses_va). The memory table goes out at
 * queue set-up: create every mempool whose mbufs the device will see before
 * vpmd_configure (memory that appears later is unknown to the backend until the next
 * vpmd_stop/vpmd_start; a warning says so), or pre-allocate with EAL -m.
 *
 * Everything here is control path (main lcore) except vhu_kick(), which the fast path
 * calls only when the device asked for a notification.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_fbarray.h>
#include <rte_log.h>
#include <rte_memory.h>

#include "vpmd.h"
#include "vpmd_transport.h"

RTE_LOG_REGISTER(vhu_logtype, pmd.vpmd.vhost_user, NOTICE);
#define VHU_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vhu_logtype, "vpmd vhost-user: " fmt "\n", ##__VA_ARGS__)

/* Front-end message types (vhost-user spec, "Front-end message types"). */
enum vhu_request {
	VHU_GET_FEATURES = 1,
	VHU_SET_FEATURES = 2,
	VHU_SET_OWNER = 3,
	VHU_SET_MEM_TABLE = 5,
	VHU_SET_VRING_NUM = 8,
	VHU_SET_VRING_ADDR = 9,
	VHU_SET_VRING_BASE = 10,
	VHU_GET_VRING_BASE = 11,
	VHU_SET_VRING_KICK = 12,
	VHU_SET_VRING_CALL = 13,
	VHU_GET_PROTOCOL_FEATURES = 15,
	VHU_SET_PROTOCOL_FEATURES = 16,
	VHU_GET_QUEUE_NUM = 17,
	VHU_SET_VRING_ENABLE = 18,
};

/* Header flags: version in bits 0-1, reply bit 2, need_reply bit 3. */
#define VHU_FLAG_VERSION 0x1u
#define VHU_FLAG_VERSION_MASK 0x3u
#define VHU_FLAG_REPLY (1u << 2)
#define VHU_FLAG_NEED_REPLY (1u << 3)

/* Transport feature bit: the backend speaks the protocol-feature extension. */
#define VHU_F_PROTOCOL_FEATURES (1ULL << 30)

#define VHU_PROTOCOL_F_MQ (1ULL << 0)
#define VHU_PROTOCOL_F_REPLY_ACK (1ULL << 3)
#define VHU_PROTOCOL_WANTED (VHU_PROTOCOL_F_MQ | VHU_PROTOCOL_F_REPLY_ACK)

/* u64 payload of SET_VRING_KICK/CALL: bits 0-7 queue index, bit 8 = no fd attached. */
#define VHU_VRING_IDX_MASK 0xffu

/*
 * SET_VRING_BASE for packed rings: bits 0-14 next avail index, bit 15 its wrap counter,
 * bits 16-30 next used index, bit 31 its wrap counter. A fresh ring starts at index 0
 * with both wrap counters 1 (virtio 1.2, 2.8.1). Older backends read only the low half
 * and copy it to the used side, which gives the same state.
 */
#define VHU_PACKED_BASE_FRESH ((1u << 15) | (1u << 31))

#define VHU_MAX_REGIONS 8    /* SET_MEM_TABLE carries at most 8 regions (and fds) */
#define VHU_MAX_VQS (2 * VPMD_MAX_QPAIRS)
#define VHU_QUEUE_MAX_SIZE 32768
#define VHU_TIMEOUT_MS_DEFAULT 5000

/* virtio-net device status bits and config layout (virtio 1.2, 2.1 and 5.1.4). */
#define VHU_STATUS_DRIVER_OK 4
#define VHU_STATUS_NEEDS_RESET 64
#define VHU_NET_S_LINK_UP 1
#define VHU_NET_CTRL_MQ 4
#define VHU_NET_CTRL_MQ_VQ_PAIRS_SET 0
#define VHU_NET_OK 0
#define VHU_NET_ERR 1

struct vhu_vring_state {
	uint32_t index;
	uint32_t num;
};

/* Field order is the protocol's: descriptor, used (device area), available (driver area). */
struct vhu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
};

struct vhu_mem_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

struct vhu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vhu_mem_region regions[VHU_MAX_REGIONS];
};

struct vhu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

union vhu_payload {
	uint64_t u64;
	struct vhu_vring_state state;
	struct vhu_vring_addr addr;
	struct vhu_mem_table mem;
};

struct vhu_msg {
	struct vhu_hdr hdr;
	union vhu_payload p;
} __attribute__((packed));

/* struct virtio_net_config as the emulated device presents it (little-endian host only). */
struct vhu_net_config {
	uint8_t mac[6];
	uint16_t status;
	uint16_t max_virtqueue_pairs;
	uint16_t mtu;
	uint32_t speed;
	uint8_t duplex;
	uint8_t rss_max_key_size;
	uint16_t rss_max_indirection_table_length;
	uint32_t supported_hash_types;
} __attribute__((packed));

struct vhu_queue {
	int kick_fd;             /* the fast path writes here; -1 when not set up */
	int call_fd;             /* handed to the backend, never read: we never ask for interrupts */
	bool set_up;             /* backend knows the ring (KICK sent) and may be using it */
	bool enabled;            /* SET_VRING_ENABLE 1 sent */
};

struct vhu_dev {
	int sock;
	bool broken;             /* a socket error or protocol violation happened: needs reset */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int timeout_ms;
	uint64_t backend_features;  /* GET_FEATURES, including VHU_F_PROTOCOL_FEATURES */
	uint64_t protocol_features; /* acked */
	uint64_t driver_features;   /* last set_features() value */
	uint16_t max_pairs;
	uint16_t active_pairs;   /* pairs the driver enabled (1 after reset, VQ_PAIRS_SET after) */
	uint8_t status;
	bool mtu_offered;
	uint16_t mtu;
	struct rte_ether_addr mac;
	struct vhu_mem_table mem_sent;
	int mem_fds_sent[VHU_MAX_REGIONS];
	bool mem_valid;
	bool mem_grew;           /* hugepage memory outside the sent table appeared (warned once) */
	char mem_cb_name[48];    /* our rte_mem_event callback, "" when not registered */
	struct vhu_queue q[VHU_MAX_VQS];
};

/* ---- socket I/O ------------------------------------------------------------------ */

static const char *vhu_request_name(uint32_t req)
{
	switch (req) {
	case VHU_GET_FEATURES: return "GET_FEATURES";
	case VHU_SET_FEATURES: return "SET_FEATURES";
	case VHU_SET_OWNER: return "SET_OWNER";
	case VHU_SET_MEM_TABLE: return "SET_MEM_TABLE";
	case VHU_SET_VRING_NUM: return "SET_VRING_NUM";
	case VHU_SET_VRING_ADDR: return "SET_VRING_ADDR";
	case VHU_SET_VRING_BASE: return "SET_VRING_BASE";
	case VHU_GET_VRING_BASE: return "GET_VRING_BASE";
	case VHU_SET_VRING_KICK: return "SET_VRING_KICK";
	case VHU_SET_VRING_CALL: return "SET_VRING_CALL";
	case VHU_GET_PROTOCOL_FEATURES: return "GET_PROTOCOL_FEATURES";
	case VHU_SET_PROTOCOL_FEATURES: return "SET_PROTOCOL_FEATURES";
	case VHU_GET_QUEUE_NUM: return "GET_QUEUE_NUM";
	case VHU_SET_VRING_ENABLE: return "SET_VRING_ENABLE";
	default: return "?";
	}
}

static int64_t vhu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes the whole message; fds ride with the first byte (SCM_RIGHTS). */
static int vhu_send(struct vhu_dev *d, const struct vhu_msg *msg, const int *fds, unsigned int nfds,
		    char *err, size_t errlen)
{
	const uint8_t *buf = (const uint8_t *)msg;
	size_t len = sizeof(msg->hdr) + msg->hdr.size;
	size_t off = 0;
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHU_MAX_REGIONS)];
		struct cmsghdr align;
	} ctl;

	while (off < len) {
		struct iovec iov = { .iov_base = (void *)(uintptr_t)(buf + off), .iov_len = len - off };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (off == 0 && nfds > 0) {
			struct cmsghdr *cm;

			memset(&ctl, 0, sizeof(ctl));
			mh.msg_control = ctl.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
		}
		n = sendmsg(d->sock, &mh, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			d->broken = true;
			snprintf(err, errlen, "vhost-user %s: sending %s failed: %s (backend gone? restart it and reopen)",
				 d->path, vhu_request_name(msg->hdr.request), strerror(e));
			return -e;
		}
		off += (size_t)n;
	}
	return 0;
}

/* Reads exactly len bytes before the deadline; closes any fd the backend slipped in. */
static int vhu_recv_exact(struct vhu_dev *d, void *buf, size_t len, int64_t deadline)
{
	size_t off = 0;

	while (off < len) {
		int64_t left = deadline - vhu_now_ms();
		struct pollfd pfd = { .fd = d->sock, .events = POLLIN };
		union {
			char buf[CMSG_SPACE(sizeof(int) * VHU_MAX_REGIONS)];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { .iov_base = (uint8_t *)buf + off, .iov_len = len - off };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
		struct cmsghdr *cm;
		ssize_t n;
		int rc;

		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (rc == 0)
			return -ETIMEDOUT;
		n = recvmsg(d->sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ECONNRESET;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
				size_t nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				int fdv[VHU_MAX_REGIONS];

				if (nfd > VHU_MAX_REGIONS)
					nfd = VHU_MAX_REGIONS;
				memcpy(fdv, CMSG_DATA(cm), nfd * sizeof(int));
				for (size_t i = 0; i < nfd; i++)
					close(fdv[i]);
			}
		}
		off += (size_t)n;
	}
	return 0;
}

/*
 * Reads the reply to `request` and checks it: version 1, REPLY set, same request id, and
 * exactly `size` bytes of payload (the backend is untrusted: nothing else is accepted).
 */
static int vhu_recv_reply(struct vhu_dev *d, uint32_t request, void *payload, uint32_t size,
			  char *err, size_t errlen)
{
	int64_t deadline = vhu_now_ms() + d->timeout_ms;
	struct vhu_hdr hdr;
	int rc;

	rc = vhu_recv_exact(d, &hdr, sizeof(hdr), deadline);
	if (rc == 0) {
		if ((hdr.flags & VHU_FLAG_VERSION_MASK) != VHU_FLAG_VERSION ||
		    !(hdr.flags & VHU_FLAG_REPLY) || hdr.request != request || hdr.size != size) {
			d->broken = true;
			snprintf(err, errlen,
				 "vhost-user %s: bad reply to %s (request %" PRIu32 ", flags 0x%" PRIx32
				 ", size %" PRIu32 ", expected size %" PRIu32 "): backend does not follow the protocol",
				 d->path, vhu_request_name(request), hdr.request, hdr.flags, hdr.size, size);
			return -EPROTO;
		}
		rc = vhu_recv_exact(d, payload, size, deadline);
	}
	if (rc < 0) {
		d->broken = true;
		if (rc == -ETIMEDOUT)
			snprintf(err, errlen, "vhost-user %s: no reply to %s within %d ms: backend stuck or busy (raise timeout_ms=)",
				 d->path, vhu_request_name(request), d->timeout_ms);
		else
			snprintf(err, errlen, "vhost-user %s: reading the reply to %s failed: %s (backend gone? restart it)",
				 d->path, vhu_request_name(request), strerror(-rc));
		return rc;
	}
	return 0;
}

/* Sends a request that carries no reply of its own; with REPLY_ACK asks for and checks an ack. */
static int vhu_request(struct vhu_dev *d, uint32_t request, const void *payload, uint32_t size,
		       const int *fds, unsigned int nfds, char *err, size_t errlen)
{
	struct vhu_msg msg;
	bool ack = (d->protocol_features & VHU_PROTOCOL_F_REPLY_ACK) != 0;
	uint64_t status;
	int rc;

	if (d->broken) {
		snprintf(err, errlen, "vhost-user %s: connection broken earlier: close and reopen the device", d->path);
		return -EPIPE;
	}
	memset(&msg.hdr, 0, sizeof(msg.hdr));
	msg.hdr.request = request;
	msg.hdr.flags = VHU_FLAG_VERSION | (ack ? VHU_FLAG_NEED_REPLY : 0);
	msg.hdr.size = size;
	if (size)
		memcpy(&msg.p, payload, size);
	rc = vhu_send(d, &msg, fds, nfds, err, errlen);
	if (rc < 0 || !ack)
		return rc;
	rc = vhu_recv_reply(d, request, &status, sizeof(status), err, errlen);
	if (rc < 0)
		return rc;
	if (status != 0) {
		snprintf(err, errlen, "vhost-user %s: backend refused %s (ack %" PRIu64 "): see the backend's log",
			 d->path, vhu_request_name(request), status);
		return -EIO;
	}
	return 0;
}

/* A request whose reply carries a payload (GET_*). */
static int vhu_query(struct vhu_dev *d, uint32_t request, const void *payload, uint32_t size,
		     void *reply, uint32_t reply_size, char *err, size_t errlen)
{
	struct vhu_msg msg;
	int rc;

	if (d->broken) {
		snprintf(err, errlen, "vhost-user %s: connection broken earlier: close and reopen the device", d->path);
		return -EPIPE;
	}
	memset(&msg.hdr, 0, sizeof(msg.hdr));
	msg.hdr.request = request;
	msg.hdr.flags = VHU_FLAG_VERSION;
	msg.hdr.size = size;
	if (size)
		memcpy(&msg.p, payload, size);
	rc = vhu_send(d, &msg, NULL, 0, err, errlen);
	if (rc < 0)
		return rc;
	return vhu_recv_reply(d, request, reply, reply_size, err, errlen);
}

static int vhu_set_u64(struct vhu_dev *d, uint32_t request, uint64_t v, char *err, size_t errlen)
{
	return vhu_request(d, request, &v, sizeof(v), NULL, 0, err, errlen);
}

static int vhu_get_u64(struct vhu_dev *d, uint32_t request, uint64_t *v, char *err, size_t errlen)
{
	return vhu_query(d, request, NULL, 0, v, sizeof(*v), err, errlen);
}

static int vhu_set_state(struct vhu_dev *d, uint32_t request, uint32_t index, uint32_t num,
			 char *err, size_t errlen)
{
	struct vhu_vring_state s = { .index = index, .num = num };

	return vhu_request(d, request, &s, sizeof(s), NULL, 0, err, errlen);
}

static int vhu_set_fd(struct vhu_dev *d, uint32_t request, uint32_t index, int fd, char *err, size_t errlen)
{
	uint64_t v = index & VHU_VRING_IDX_MASK;

	return vhu_request(d, request, &v, sizeof(v), &fd, 1, err, errlen);
}

/* Ops run without an error buffer: log the line once, keep -errno. */
#define VHU_ERRBUF char err[256] = ""

/* ---- memory table ----------------------------------------------------------------- */

struct vhu_mem_walk {
	struct vhu_mem_table *mem;
	int *fds;
	char *err;
	size_t errlen;
	const char *path;
	int rc;
};

/*
 * One region per memseg list: from its first to its last allocated page. With
 * --single-file-segments a list is one hugetlbfs file, so that span is one fd and one
 * offset. The backend maps the file from offset 0 to the end of the region (hugetlbfs
 * reserves that range), so the span stops at the last allocated page rather than
 * covering the list's whole (mostly unallocated) VA reservation.
 */
static int vhu_mem_walk_list(const struct rte_memseg_list *msl, void *arg)
{
	struct vhu_mem_walk *w = arg;
	struct rte_fbarray *arr = (struct rte_fbarray *)(uintptr_t)&msl->memseg_arr;
	const struct rte_memseg *first, *last;
	size_t off_first, off_last;
	int first_i, last_i, fd, fd_last;
	struct vhu_mem_region *r;

	if (msl->external || msl->memseg_arr.count == 0)
		return 0;
	first_i = rte_fbarray_find_next_used(arr, 0);
	last_i = rte_fbarray_find_prev_used(arr, arr->len - 1);
	if (first_i < 0 || last_i < first_i)
		return 0;
	first = rte_fbarray_get(arr, (unsigned int)first_i);
	last = rte_fbarray_get(arr, (unsigned int)last_i);
	fd = rte_memseg_get_fd_thread_unsafe(first);
	fd_last = rte_memseg_get_fd_thread_unsafe(last);
	if (fd < 0 || fd != fd_last || rte_memseg_get_fd_offset_thread_unsafe(first, &off_first) < 0 ||
	    rte_memseg_get_fd_offset_thread_unsafe(last, &off_last) < 0 ||
	    off_last - off_first != (uintptr_t)last->addr - (uintptr_t)first->addr) {
		snprintf(w->err, w->errlen,
			 "vhost-user %s: hugepage memory is not one shared file per memseg list: run EAL with hugepages and --single-file-segments (not --no-huge)",
			 w->path);
		w->rc = -ENOTSUP;
		return -1;
	}
	if (w->mem->nregions == VHU_MAX_REGIONS) {
		snprintf(w->err, w->errlen,
			 "vhost-user %s: more than %d memory regions (memseg lists in use) but the protocol carries %d: use --single-file-segments and one NUMA socket (-m / --socket-mem)",
			 w->path, VHU_MAX_REGIONS, VHU_MAX_REGIONS);
		w->rc = -E2BIG;
		return -1;
	}
	r = &w->mem->regions[w->mem->nregions];
	r->userspace_addr = (uintptr_t)first->addr;
	/* The backend translates ring/buffer addresses through this, and we hand it VAs. */
	r->guest_phys_addr = r->userspace_addr;
	r->memory_size = (uintptr_t)last->addr + last->len - (uintptr_t)first->addr;
	r->mmap_offset = off_first;
	w->fds[w->mem->nregions] = fd;
	w->mem->nregions++;
	return 0;
}

static int vhu_mem_build(struct vhu_dev *d, struct vhu_mem_table *mem, int *fds, char *err, size_t errlen)
{
	struct vhu_mem_walk w = { .mem = mem, .fds = fds, .err = err, .errlen = errlen,
				  .path = d->path, .rc = 0 };

	memset(mem, 0, sizeof(*mem));
	if (rte_memseg_list_walk(vhu_mem_walk_list, &w) < 0 || w.rc < 0)
		return w.rc < 0 ? w.rc : -EINVAL;
	if (mem->nregions == 0) {
		snprintf(err, errlen, "vhost-user %s: no shareable hugepage memory: run EAL with hugepages and --single-file-segments",
			 d->path);
		return -ENOMEM;
	}
	return 0;
}

/* Sends the table when it differs from what the backend already has (memory grew). */
static int vhu_mem_sync(struct vhu_dev *d, char *err, size_t errlen)
{
	struct vhu_mem_table mem;
	int fds[VHU_MAX_REGIONS];
	uint32_t size;
	int rc;

	rc = vhu_mem_build(d, &mem, fds, err, errlen);
	if (rc < 0)
		return rc;
	if (d->mem_valid && memcmp(&mem, &d->mem_sent, sizeof(mem)) == 0 &&
	    memcmp(fds, d->mem_fds_sent, sizeof(int) * mem.nregions) == 0)
		return 0;
	size = (uint32_t)(offsetof(struct vhu_mem_table, regions) + mem.nregions * sizeof(mem.regions[0]));
	rc = vhu_request(d, VHU_SET_MEM_TABLE, &mem, size, fds, mem.nregions, err, errlen);
	if (rc < 0)
		return rc;
	d->mem_sent = mem;
	memcpy(d->mem_fds_sent, fds, sizeof(fds));
	d->mem_valid = true;
	d->mem_grew = false;
	for (uint32_t i = 0; i < mem.nregions; i++)
		VHU_LOG(DEBUG, "%s: region %u va 0x%" PRIx64 " size 0x%" PRIx64 " offset 0x%" PRIx64,
			d->path, i, mem.regions[i].userspace_addr, mem.regions[i].memory_size,
			mem.regions[i].mmap_offset);
	return 0;
}

/*
 * EAL grows its heap on demand. Memory that appears after the table went out is unknown to
 * the backend, which then drops whatever lies there (DPDK's vhost logs a translation
 * failure). The table is re-sent at the next queue set-up (vpmd_start after vpmd_stop);
 * until then, say so once.
 */
static void vhu_mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	struct vhu_dev *d = arg;
	uintptr_t a = (uintptr_t)addr;

	if (type != RTE_MEM_EVENT_ALLOC || !d->mem_valid || d->mem_grew)
		return;
	for (uint32_t i = 0; i < d->mem_sent.nregions; i++) {
		const struct vhu_mem_region *r = &d->mem_sent.regions[i];

		if (a >= r->userspace_addr && a + len <= r->userspace_addr + r->memory_size)
			return;
	}
	d->mem_grew = true;
	VHU_LOG(WARNING, "%s: hugepage memory grew after the memory table was sent; the backend cannot reach "
		"buffers there until vpmd_stop/vpmd_start: create mempools before vpmd_configure or pre-allocate with EAL -m",
		d->path);
}

/* ---- transport ops ------------------------------------------------------------------ */

/* Features a vhost-user net device has only because the frontend emulates them. */
#define VHU_EMULATED_FEATURES (VPMD_F_MAC | VPMD_F_STATUS | VPMD_F_CTRL_VQ | VPMD_F_MTU)

static uint64_t vhu_get_features(void *priv)
{
	struct vhu_dev *d = priv;
	uint64_t f = d->backend_features & ~VHU_F_PROTOCOL_FEATURES;

	/* No IOTLB support: the backend reaches our memory through the table only. */
	f &= ~VPMD_F_ACCESS_PLATFORM;
	f |= VPMD_F_MAC | VPMD_F_STATUS | VPMD_F_CTRL_VQ;
	if (d->mtu_offered)
		f |= VPMD_F_MTU;
	else
		f &= ~VPMD_F_MTU;
	if (!(d->protocol_features & VHU_PROTOCOL_F_MQ))
		f &= ~VPMD_F_MQ;
	return f;
}

static int vhu_set_features(void *priv, uint64_t features)
{
	struct vhu_dev *d = priv;
	uint64_t offered = vhu_get_features(d);
	uint64_t to_backend;
	VHU_ERRBUF;
	int rc;

	if (features & ~offered) {
		VHU_LOG(ERR, "%s: driver asked for features 0x%" PRIx64 " the device does not offer",
			d->path, features & ~offered);
		return -EINVAL;
	}
	/* The control queue stays in the frontend; emulated config bits go only where offered. */
	to_backend = features & ~VPMD_F_CTRL_VQ;
	to_backend &= ~(VHU_EMULATED_FEATURES & ~d->backend_features);
	to_backend |= d->backend_features & VHU_F_PROTOCOL_FEATURES;
	rc = vhu_set_u64(d, VHU_SET_FEATURES, to_backend, err, sizeof(err));
	if (rc < 0) {
		VHU_LOG(ERR, "%s", err);
		return rc;
	}
	d->driver_features = features;
	return 0;
}

static bool vhu_conn_alive(struct vhu_dev *d)
{
	struct pollfd pfd = { .fd = d->sock, .events = POLLIN };

	if (d->broken)
		return false;
	/* Nothing is due from the backend between requests: readable means hang-up or garbage. */
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLIN))) {
		d->broken = true;
		VHU_LOG(ERR, "%s: backend closed the connection or sent an unsolicited message", d->path);
		return false;
	}
	return true;
}

static uint8_t vhu_get_status(void *priv)
{
	struct vhu_dev *d = priv;

	if (d->status != 0 && !vhu_conn_alive(d))
		return d->status | VHU_STATUS_NEEDS_RESET;
	return d->status;
}

static int vhu_vring_enable(struct vhu_dev *d, uint16_t vq, bool on, char *err, size_t errlen)
{
	int rc;

	if (!d->q[vq].set_up || d->q[vq].enabled == on)
		return 0;
	/* Without the protocol-feature extension a ring runs from its kick on; nothing to send. */
	if (d->backend_features & VHU_F_PROTOCOL_FEATURES) {
		rc = vhu_set_state(d, VHU_SET_VRING_ENABLE, vq, on ? 1 : 0, err, errlen);
		if (rc < 0)
			return rc;
	}
	d->q[vq].enabled = on;
	return 0;
}

/* Enable the rings of pairs below active_pairs, disable the rest (only once DRIVER_OK). */
static int vhu_apply_pairs(struct vhu_dev *d, char *err, size_t errlen)
{
	for (uint16_t p = 0; p < d->max_pairs; p++) {
		bool on = p < d->active_pairs && (d->status & VHU_STATUS_DRIVER_OK);

		for (uint16_t k = 0; k < 2; k++) {
			int rc = vhu_vring_enable(d, (uint16_t)(2 * p + k), on, err, errlen);

			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static void vhu_set_status(void *priv, uint8_t status)
{
	struct vhu_dev *d = priv;
	uint8_t old = d->status;
	VHU_ERRBUF;

	d->status = status;
	/* The rings go live at DRIVER_OK, not at queue setup (virtio 1.2, 3.1.1 step 8). */
	if ((status & VHU_STATUS_DRIVER_OK) && !(old & VHU_STATUS_DRIVER_OK)) {
		if (vhu_apply_pairs(d, err, sizeof(err)) < 0) {
			VHU_LOG(ERR, "%s", err);
			d->status |= VHU_STATUS_NEEDS_RESET;
		}
	}
}

/*
 * GET_VRING_BASE stops a ring: once the backend replies it no longer touches the ring,
 * so the driver may reclaim the buffers and free the memory.
 */
static int vhu_vring_stop(struct vhu_dev *d, uint16_t vq, char *err, size_t errlen)
{
	struct vhu_vring_state s = { .index = vq, .num = 0 };
	struct vhu_vring_state reply;
	int rc;

	if (!d->q[vq].set_up)
		return 0;
	rc = vhu_vring_enable(d, vq, false, err, errlen);
	if (rc == 0)
		rc = vhu_query(d, VHU_GET_VRING_BASE, &s, sizeof(s), &reply, sizeof(reply), err, errlen);
	if (rc == 0 && reply.index != vq) {
		d->broken = true;
		snprintf(err, errlen, "vhost-user %s: GET_VRING_BASE for ring %u answered for ring %" PRIu32,
			 d->path, vq, reply.index);
		rc = -EPROTO;
	}
	d->q[vq].set_up = false;
	d->q[vq].enabled = false;
	return rc;
}

static int vhu_reset(void *priv)
{
	struct vhu_dev *d = priv;
	int first_rc = 0;
	VHU_ERRBUF;

	d->status = 0;
	d->active_pairs = 1;
	for (uint16_t vq = 0; vq < VHU_MAX_VQS; vq++) {
		int rc;

		if (!d->q[vq].set_up)
			continue;
		rc = vhu_vring_stop(d, vq, err, sizeof(err));
		if (rc < 0 && first_rc == 0) {
			VHU_LOG(ERR, "%s", err);
			first_rc = rc;
		}
	}
	/* A backend we cannot talk to cannot be using our rings either once it is gone,
	 * but we cannot prove that: report the failure so the caller keeps the memory. */
	return first_rc;
}

static int vhu_read_config(void *priv, uint32_t offset, void *buf, uint32_t len)
{
	struct vhu_dev *d = priv;
	struct vhu_net_config cfg;

	if (offset > sizeof(cfg) || len > sizeof(cfg) - offset)
		return -EINVAL;
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.mac, d->mac.addr_bytes, sizeof(cfg.mac));
	cfg.status = vhu_conn_alive(d) ? VHU_NET_S_LINK_UP : 0;
	cfg.max_virtqueue_pairs = d->max_pairs;
	cfg.mtu = d->mtu;
	cfg.speed = UINT32_MAX;  /* unknown (virtio 1.2, 5.1.4) */
	cfg.duplex = 0xff;       /* unknown */
	memcpy(buf, (const uint8_t *)&cfg + offset, len);
	return 0;
}

static uint8_t vhu_config_generation(void *priv)
{
	(void)priv;
	return 0;    /* the emulated config never changes under the driver */
}

static uint16_t vhu_queue_max_size(void *priv, uint16_t vq_index)
{
	struct vhu_dev *d = priv;

	/* Data queues only: the control queue is emulated (ctrl_cmd), never a ring. */
	return vq_index < 2u * d->max_pairs ? VHU_QUEUE_MAX_SIZE : 0;
}

/* Fast path: one syscall, only when the device asked to be notified. */
static void vhu_kick(void *cookie, uint16_t vq_index)
{
	struct vhu_dev *d = cookie;
	const uint64_t one = 1;
	ssize_t n;

	n = write(d->q[vq_index].kick_fd, &one, sizeof(one));
	(void)n; /* EAGAIN means the counter is already non-zero: the backend will look anyway */
}

static void vhu_queue_close_fds(struct vhu_dev *d, uint16_t vq)
{
	struct vhu_queue *q = &d->q[vq];
	uint64_t calls = 0;

	/*
	 * The call fd's counter sums the backend's interrupts: a polled driver suppresses them
	 * (NO_INTERRUPT / used_event / event flags DISABLE), and each one costs the backend a
	 * syscall, so a large count here is a driver bug worth a look.
	 */
	if (q->call_fd >= 0 && read(q->call_fd, &calls, sizeof(calls)) == (ssize_t)sizeof(calls) && calls > 0)
		VHU_LOG(INFO, "%s: ring %u closed after %" PRIu64 " interrupt(s) from the backend",
			d->path, vq, calls);
	if (q->kick_fd >= 0)
		close(q->kick_fd);
	if (q->call_fd >= 0)
		close(q->call_fd);
	q->kick_fd = -1;
	q->call_fd = -1;
}

static int vhu_queue_setup(void *priv, const struct vpmd_vq_layout *vq, struct vpmd_notify *notify)
{
	struct vhu_dev *d = priv;
	struct vhu_queue *q;
	struct vhu_vring_addr addr;
	VHU_ERRBUF;
	int rc;

	if (vq->index >= 2u * d->max_pairs || vq->size == 0 || vq->size > VHU_QUEUE_MAX_SIZE ||
	    (!vq->packed && (vq->size & (vq->size - 1)) != 0)) {
		VHU_LOG(ERR, "%s: bad queue %u size %u (max %u queues, size <= %u, power of 2 for split)",
			d->path, vq->index, vq->size, 2u * d->max_pairs, VHU_QUEUE_MAX_SIZE);
		return -EINVAL;
	}
	if (!!vq->packed != !!(d->driver_features & VPMD_F_RING_PACKED)) {
		VHU_LOG(ERR, "%s: queue %u layout (%s) disagrees with the negotiated features",
			d->path, vq->index, vq->packed ? "packed" : "split");
		return -EINVAL;
	}
	q = &d->q[vq->index];
	if (q->set_up) {
		rc = vhu_vring_stop(d, vq->index, err, sizeof(err));
		if (rc < 0)
			goto fail;
	}
	vhu_queue_close_fds(d, vq->index);

	/* Rings and buffers must lie in memory the backend has mapped. */
	rc = vhu_mem_sync(d, err, sizeof(err));
	if (rc < 0)
		goto fail;

	q->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	q->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->call_fd < 0 || q->kick_fd < 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "vhost-user %s: eventfd for queue %u: %s (fd limit? ulimit -n)",
			 d->path, vq->index, strerror(errno));
		goto fail;
	}
	/* We never wait for interrupts, but backends insist on a valid call fd per ring. */
	rc = vhu_set_fd(d, VHU_SET_VRING_CALL, vq->index, q->call_fd, err, sizeof(err));
	if (rc == 0)
		rc = vhu_set_state(d, VHU_SET_VRING_NUM, vq->index, vq->size, err, sizeof(err));
	/* Both sides start at index 0; a packed ring also starts with wrap counter 1. */
	if (rc == 0)
		rc = vhu_set_state(d, VHU_SET_VRING_BASE, vq->index, vq->packed ? VHU_PACKED_BASE_FRESH : 0,
				   err, sizeof(err));
	if (rc == 0) {
		memset(&addr, 0, sizeof(addr));
		addr.index = vq->index;
		addr.desc_user_addr = (uintptr_t)vq->desc;
		addr.used_user_addr = (uintptr_t)vq->device;
		addr.avail_user_addr = (uintptr_t)vq->driver;
		rc = vhu_request(d, VHU_SET_VRING_ADDR, &addr, sizeof(addr), NULL, 0, err, sizeof(err));
	}
	/* The kick fd comes last: the backend treats it as "ring fully described". */
	if (rc == 0)
		rc = vhu_set_fd(d, VHU_SET_VRING_KICK, vq->index, q->kick_fd, err, sizeof(err));
	if (rc < 0)
		goto fail;
	q->set_up = true;
	q->enabled = false;
	if (d->status & VHU_STATUS_DRIVER_OK) {
		uint16_t pair = vq->index / 2;

		rc = vhu_vring_enable(d, vq->index, pair < d->active_pairs, err, sizeof(err));
		if (rc < 0)
			goto fail;
	}
	notify->kick = vhu_kick;
	notify->cookie = d;
	return 0;
fail:
	VHU_LOG(ERR, "%s", err);
	if (!q->set_up)
		vhu_queue_close_fds(d, vq->index);
	return rc;
}

static void vhu_queue_release(void *priv, uint16_t vq_index)
{
	struct vhu_dev *d = priv;
	VHU_ERRBUF;

	if (vq_index >= VHU_MAX_VQS)
		return;
	if (d->q[vq_index].set_up && vhu_vring_stop(d, vq_index, err, sizeof(err)) < 0)
		VHU_LOG(ERR, "%s", err);
	vhu_queue_close_fds(d, vq_index);
}

static int vhu_ctrl_cmd(void *priv, uint8_t cls, uint8_t cmd, const void *data, uint32_t len)
{
	struct vhu_dev *d = priv;
	uint16_t pairs, old;
	VHU_ERRBUF;
	int rc;

	if (cls != VHU_NET_CTRL_MQ || cmd != VHU_NET_CTRL_MQ_VQ_PAIRS_SET || len != sizeof(pairs))
		return VHU_NET_ERR;
	memcpy(&pairs, data, sizeof(pairs));
	if (!(d->driver_features & VPMD_F_MQ) || pairs < 1 || pairs > d->max_pairs)
		return VHU_NET_ERR;
	old = d->active_pairs;
	d->active_pairs = pairs;
	rc = vhu_apply_pairs(d, err, sizeof(err));
	if (rc < 0) {
		VHU_LOG(ERR, "%s", err);
		d->active_pairs = old;
		return rc;
	}
	return VHU_NET_OK;
}

static void vhu_close(void *priv)
{
	struct vhu_dev *d = priv;

	if (d == NULL)
		return;
	if (d->mem_cb_name[0] != '\0')
		rte_mem_event_callback_unregister(d->mem_cb_name, d);
	for (uint16_t vq = 0; vq < VHU_MAX_VQS; vq++)
		vhu_queue_close_fds(d, vq);
	/* Closing the socket is what tells the backend the device is gone. */
	if (d->sock >= 0)
		close(d->sock);
	free(d);
}

static const struct vpmd_transport_ops vhu_ops = {
	.name = "vhost-user",
	.get_features = vhu_get_features,
	.set_features = vhu_set_features,
	.get_status = vhu_get_status,
	.set_status = vhu_set_status,
	.reset = vhu_reset,
	.read_config = vhu_read_config,
	.config_generation = vhu_config_generation,
	.queue_max_size = vhu_queue_max_size,
	.queue_setup = vhu_queue_setup,
	.queue_release = vhu_queue_release,
	.ctrl_cmd = vhu_ctrl_cmd,
	.uses_va = true,
	.close = vhu_close,
};

/* ---- probe ------------------------------------------------------------------------- */

static int vhu_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "PATH[,key=val]..." -> d->path and options. */
static int vhu_parse_spec(struct vhu_dev *d, const char *spec, uint16_t *queues_cap, bool *mac_given,
			  char *err, size_t errlen)
{
	char buf[512];
	char *save = NULL, *tok;
	size_t plen;

	if (spec == NULL || spec[0] == '\0') {
		snprintf(err, errlen, "vhost-user: empty socket path: use vhost-user:/path/to.sock[,queues=N,mac=..,mtu=N]");
		return -EINVAL;
	}
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "vhost-user: spec too long (%zu bytes)", strlen(spec));
		return -ENAMETOOLONG;
	}
	strcpy(buf, spec);
	tok = strtok_r(buf, ",", &save);
	if (tok == NULL) {
		snprintf(err, errlen, "vhost-user: empty socket path: use vhost-user:/path/to.sock[,queues=N,mac=..,mtu=N]");
		return -EINVAL;
	}
	plen = strlen(tok);
	if (plen >= sizeof(d->path)) {
		snprintf(err, errlen, "vhost-user %s: socket path longer than %zu bytes: use a shorter path",
			 tok, sizeof(d->path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(d->path, tok, plen + 1);
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		char *val = strchr(tok, '=');
		unsigned long v;

		if (val == NULL)
			goto bad;
		*val++ = '\0';
		if (strcmp(tok, "queues") == 0) {
			if (vhu_parse_uint(val, 1, VPMD_MAX_QPAIRS, &v) < 0)
				goto bad;
			*queues_cap = (uint16_t)v;
		} else if (strcmp(tok, "mtu") == 0) {
			if (vhu_parse_uint(val, 68, 65535, &v) < 0)
				goto bad;
			d->mtu = (uint16_t)v;
			d->mtu_offered = true;
		} else if (strcmp(tok, "timeout_ms") == 0) {
			if (vhu_parse_uint(val, 1, 600000, &v) < 0)
				goto bad;
			d->timeout_ms = (int)v;
		} else if (strcmp(tok, "mac") == 0) {
			if (rte_ether_unformat_addr(val, &d->mac) < 0 || !rte_is_unicast_ether_addr(&d->mac))
				goto bad;
			*mac_given = true;
		} else {
			goto bad;
		}
		continue;
bad:
		snprintf(err, errlen,
			 "vhost-user %s: bad option '%s%s%s': known are queues=1..%d, mac=unicast XX:XX:XX:XX:XX:XX, mtu=68..65535, timeout_ms=N",
			 d->path, tok, val ? "=" : "", val ? val : "", VPMD_MAX_QPAIRS);
		return -EINVAL;
	}
	return 0;
}

/* Locally administered unicast MAC derived from the socket path (FNV-1a). */
static void vhu_default_mac(struct vhu_dev *d)
{
	uint32_t h = 2166136261u;

	for (const char *p = d->path; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	d->mac.addr_bytes[0] = 0x02;
	d->mac.addr_bytes[1] = 0x76; /* 'v' */
	d->mac.addr_bytes[2] = (uint8_t)(h >> 24);
	d->mac.addr_bytes[3] = (uint8_t)(h >> 16);
	d->mac.addr_bytes[4] = (uint8_t)(h >> 8);
	d->mac.addr_bytes[5] = (uint8_t)h;
}

static int vhu_connect(struct vhu_dev *d, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = d->timeout_ms / 1000, .tv_usec = (d->timeout_ms % 1000) * 1000 };

	d->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (d->sock < 0) {
		snprintf(err, errlen, "vhost-user %s: socket(): %s", d->path, strerror(errno));
		return -errno;
	}
	/* Bounds sendmsg: a backend that stops reading must not hang the control path. */
	setsockopt(d->sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memcpy(sa.sun_path, d->path, strlen(d->path) + 1);
	if (connect(d->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		if (e == ENOENT || e == ECONNREFUSED || e == ENOTSOCK)
			snprintf(err, errlen,
				 "no vhost-user backend at %s: start one (e.g. dpdk-testpmd --vdev net_vhost0,iface=%s)",
				 d->path, d->path);
		else if (e == EACCES || e == EPERM)
			snprintf(err, errlen, "vhost-user %s: connect: %s: run as the backend's user or root",
				 d->path, strerror(e));
		else
			snprintf(err, errlen, "vhost-user %s: connect: %s", d->path, strerror(e));
		return -e;
	}
	return 0;
}

int vpmd_vhost_user_probe(const char *path, const struct vpmd_transport_ops **ops, void **priv,
			  char *err, size_t errlen)
{
	struct vhu_dev *d;
	uint16_t queues_cap = 0;
	bool mac_given = false;
	uint64_t v;
	int rc;

	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		snprintf(err, errlen, "vhost-user: out of memory");
		return -ENOMEM;
	}
	d->sock = -1;
	d->timeout_ms = VHU_TIMEOUT_MS_DEFAULT;
	d->mtu = RTE_ETHER_MTU;
	d->max_pairs = 1;
	d->active_pairs = 1;
	for (unsigned int i = 0; i < VHU_MAX_VQS; i++)
		d->q[i].kick_fd = d->q[i].call_fd = -1;

	rc = vhu_parse_spec(d, path, &queues_cap, &mac_given, err, errlen);
	if (rc < 0)
		goto fail;
	if (!mac_given)
		vhu_default_mac(d);
	rc = vhu_connect(d, err, errlen);
	if (rc < 0)
		goto fail;
	/* Sequence: SET_OWNER, GET_FEATURES, then the protocol-feature handshake. */
	rc = vhu_request(d, VHU_SET_OWNER, NULL, 0, NULL, 0, err, errlen);
	if (rc == 0)
		rc = vhu_get_u64(d, VHU_GET_FEATURES, &d->backend_features, err, errlen);
	if (rc < 0)
		goto fail;
	if (!(d->backend_features & VPMD_F_VERSION_1)) {
		snprintf(err, errlen, "vhost-user %s: backend does not offer VIRTIO_F_VERSION_1 (features 0x%" PRIx64 "): legacy backends are not supported",
			 d->path, d->backend_features);
		rc = -ENOTSUP;
		goto fail;
	}
	if (d->backend_features & VHU_F_PROTOCOL_FEATURES) {
		rc = vhu_get_u64(d, VHU_GET_PROTOCOL_FEATURES, &v, err, errlen);
		if (rc < 0)
			goto fail;
		rc = vhu_set_u64(d, VHU_SET_PROTOCOL_FEATURES, v & VHU_PROTOCOL_WANTED, err, errlen);
		if (rc < 0)
			goto fail;
		/* REPLY_ACK applies from the next request on. */
		d->protocol_features = v & VHU_PROTOCOL_WANTED;
	}
	if (d->protocol_features & VHU_PROTOCOL_F_MQ) {
		rc = vhu_get_u64(d, VHU_GET_QUEUE_NUM, &v, err, errlen);
		if (rc < 0)
			goto fail;
		if (v < 1 || v > 0x8000) {
			snprintf(err, errlen, "vhost-user %s: backend reports %" PRIu64 " queue pairs (valid 1..32768)",
				 d->path, v);
			rc = -EPROTO;
			goto fail;
		}
		d->max_pairs = (uint16_t)RTE_MIN(v, (uint64_t)VPMD_MAX_QPAIRS);
	}
	/*
	 * GET_QUEUE_NUM is a ceiling, not what the backend polls: DPDK's vhost library answers
	 * its compile-time maximum (128) whatever queues= testpmd got. So, like DPDK's
	 * virtio-user, the device shows one pair unless the spec asks for more.
	 */
	if (queues_cap > d->max_pairs) {
		snprintf(err, errlen, "vhost-user %s: queues=%u but the backend supports %u pair(s)%s",
			 d->path, queues_cap, d->max_pairs,
			 (d->protocol_features & VHU_PROTOCOL_F_MQ) ? "" : " (it lacks the MQ protocol feature)");
		rc = -EINVAL;
		goto fail;
	}
	d->max_pairs = queues_cap ? queues_cap : 1;
	/*
	 * The memory table is sent at the first queue setup, whose op has no error line; the
	 * usual mistakes (no hugepages, no --single-file-segments) show already in the memory
	 * allocated so far, so catch them here where the caller gets the message.
	 */
	{
		struct vhu_mem_table mem;
		int fds[VHU_MAX_REGIONS];

		rc = vhu_mem_build(d, &mem, fds, err, errlen);
		if (rc < 0)
			goto fail;
	}

	/* Best effort: not available with --legacy-mem, where memory never grows anyway. */
	snprintf(d->mem_cb_name, sizeof(d->mem_cb_name), "vpmd-vhost-user-%p", (void *)d);
	if (rte_mem_event_callback_register(d->mem_cb_name, vhu_mem_event, d) < 0)
		d->mem_cb_name[0] = '\0';

	VHU_LOG(INFO, "%s: features 0x%" PRIx64 " protocol 0x%" PRIx64 " max pairs %u",
		d->path, d->backend_features, d->protocol_features, d->max_pairs);
	*ops = &vhu_ops;
	*priv = d;
	return 0;
fail:
	vhu_close(d);
	return rc;
}
