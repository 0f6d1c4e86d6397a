/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user message layer: the unix socket, message framing with fds as SCM_RIGHTS,
 * request/reply (with REPLY_ACK when negotiated), and a bound on every reply
 * (timeout_ms). The backend is untrusted: a reply that is not exactly what was asked
 * for breaks the connection.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vhu_internal.h"

/* ---- socket I/O ------------------------------------------------------------------ */

static const char *
vhu_request_name(uint32_t req)
{
	switch (req) {
	case VHU_GET_FEATURES:
		return "GET_FEATURES";
	case VHU_SET_FEATURES:
		return "SET_FEATURES";
	case VHU_SET_OWNER:
		return "SET_OWNER";
	case VHU_SET_MEM_TABLE:
		return "SET_MEM_TABLE";
	case VHU_SET_VRING_NUM:
		return "SET_VRING_NUM";
	case VHU_SET_VRING_ADDR:
		return "SET_VRING_ADDR";
	case VHU_SET_VRING_BASE:
		return "SET_VRING_BASE";
	case VHU_GET_VRING_BASE:
		return "GET_VRING_BASE";
	case VHU_SET_VRING_KICK:
		return "SET_VRING_KICK";
	case VHU_SET_VRING_CALL:
		return "SET_VRING_CALL";
	case VHU_GET_PROTOCOL_FEATURES:
		return "GET_PROTOCOL_FEATURES";
	case VHU_SET_PROTOCOL_FEATURES:
		return "SET_PROTOCOL_FEATURES";
	case VHU_GET_QUEUE_NUM:
		return "GET_QUEUE_NUM";
	case VHU_SET_VRING_ENABLE:
		return "SET_VRING_ENABLE";
	default:
		return "?";
	}
}

static int64_t
vhu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes the whole message; fds ride with the first byte (SCM_RIGHTS). */
static int
vhu_send(struct vhu_dev *d, const struct vhu_msg *msg, const int *fds, unsigned int nfds, char *err,
	 size_t errlen)
{
	const uint8_t *buf = (const uint8_t *)msg;
	size_t len = sizeof(msg->hdr) + msg->hdr.size;
	size_t off = 0;
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHU_MAX_REGIONS)];
		struct cmsghdr align;
	} ctl;

	while (off < len) {
		struct iovec iov = { .iov_base = (void *)(uintptr_t)(buf + off),
				     .iov_len = len - off };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;
		int e;

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
			e = errno;
			d->broken = true;
			vpmd_set_err(err, errlen,
				     "vhost-user %s: sending %s failed: %s (backend "
				     "gone? restart it and reopen)",
				     d->path, vhu_request_name(msg->hdr.request), strerror(e));
			return -e;
		}
		off += (size_t)n;
	}
	return 0;
}

/* Reads exactly len bytes before the deadline; closes any fd the backend slipped in. */
static int
vhu_recv_exact(struct vhu_dev *d, void *buf, size_t len, int64_t deadline)
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
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = ctl.buf,
				     .msg_controllen = sizeof(ctl.buf) };
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
static int
vhu_recv_reply(struct vhu_dev *d, uint32_t request, void *payload, uint32_t size, char *err,
	       size_t errlen)
{
	int64_t deadline = vhu_now_ms() + d->timeout_ms;
	struct vhu_hdr hdr;
	int rc;

	rc = vhu_recv_exact(d, &hdr, sizeof(hdr), deadline);
	if (rc == 0) {
		if ((hdr.flags & VHU_FLAG_VERSION_MASK) != VHU_FLAG_VERSION ||
		    !(hdr.flags & VHU_FLAG_REPLY) || hdr.request != request || hdr.size != size) {
			d->broken = true;
			vpmd_set_err(err, errlen,
				     "vhost-user %s: bad reply to %s (request %" PRIu32
				     ", flags 0x%" PRIx32 ", size %" PRIu32
				     ", expected size %" PRIu32
				     "): backend does not follow the protocol",
				     d->path, vhu_request_name(request), hdr.request, hdr.flags,
				     hdr.size, size);
			return -EPROTO;
		}
		rc = vhu_recv_exact(d, payload, size, deadline);
	}
	if (rc < 0) {
		d->broken = true;
		if (rc == -ETIMEDOUT)
			vpmd_set_err(err, errlen,
				     "vhost-user %s: no reply to %s within %d ms: "
				     "backend stuck or busy (raise timeout_ms=)",
				     d->path, vhu_request_name(request), d->timeout_ms);
		else
			vpmd_set_err(err, errlen,
				     "vhost-user %s: reading the reply to %s failed: "
				     "%s (backend gone? restart it)",
				     d->path, vhu_request_name(request), strerror(-rc));
		return rc;
	}
	return 0;
}

/* A broken connection stays broken: every later request fails at once. */
static int
vhu_usable(const struct vhu_dev *d, char *err, size_t errlen)
{
	if (!d->broken)
		return 0;
	vpmd_set_err(err, errlen, "vhost-user %s: %s: close and reopen the device", d->path,
		     d->hung_up ? "backend closed the connection or sent an unsolicited message"
				: "connection broken earlier");
	return -EPIPE;
}

/* Sends a request that carries no reply of its own; with REPLY_ACK, asks for an ack. */
int
vhu_request(struct vhu_dev *d, uint32_t request, const void *payload, uint32_t size, const int *fds,
	    unsigned int nfds, char *err, size_t errlen)
{
	struct vhu_msg msg;
	bool ack = (d->protocol_features & VHU_PROTOCOL_F_REPLY_ACK) != 0;
	uint64_t status;
	int rc;

	rc = vhu_usable(d, err, errlen);
	if (rc < 0)
		return rc;
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
		vpmd_set_err(err, errlen,
			     "vhost-user %s: backend refused %s (ack %" PRIu64 "): "
			     "see the backend's log",
			     d->path, vhu_request_name(request), status);
		return -EIO;
	}
	return 0;
}

/* A request whose reply carries a payload (GET_*). */
int
vhu_query(struct vhu_dev *d, uint32_t request, const void *payload, uint32_t size, void *reply,
	  uint32_t reply_size, char *err, size_t errlen)
{
	struct vhu_msg msg;
	int rc;

	rc = vhu_usable(d, err, errlen);
	if (rc < 0)
		return rc;
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

int
vhu_set_u64(struct vhu_dev *d, uint32_t request, uint64_t v, char *err, size_t errlen)
{
	return vhu_request(d, request, &v, sizeof(v), NULL, 0, err, errlen);
}

int
vhu_get_u64(struct vhu_dev *d, uint32_t request, uint64_t *v, char *err, size_t errlen)
{
	return vhu_query(d, request, NULL, 0, v, sizeof(*v), err, errlen);
}

int
vhu_set_state(struct vhu_dev *d, uint32_t request, uint32_t index, uint32_t num, char *err,
	      size_t errlen)
{
	struct vhu_vring_state s = { .index = index, .num = num };

	return vhu_request(d, request, &s, sizeof(s), NULL, 0, err, errlen);
}

int
vhu_set_fd(struct vhu_dev *d, uint32_t request, uint32_t index, int fd, char *err, size_t errlen)
{
	uint64_t v = index & VHU_VRING_IDX_MASK;

	return vhu_request(d, request, &v, sizeof(v), &fd, 1, err, errlen);
}

bool
vhu_conn_alive(struct vhu_dev *d)
{
	struct pollfd pfd = { .fd = d->sock, .events = POLLIN };

	if (d->broken || d->sock < 0)
		return false;
	/* Nothing is due from the backend between requests: readable means hang-up or garbage. */
	if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLIN))) {
		d->broken = true;
		d->hung_up = true;
		return false;
	}
	return true;
}

/* Who is on the other end: the process we later ask whether it still maps our memory. */
static void
vhu_peer_record(struct vhu_dev *d)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (d->peer_pidfd >= 0)
		close(d->peer_pidfd);
	d->peer_pidfd = -1;
	d->peer_pid = 0;
	if (getsockopt(d->sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.pid <= 0)
		return; /* another PID namespace: never provably released */
	d->peer_pid = cred.pid;
	d->peer_pidfd = (int)syscall(SYS_pidfd_open, cred.pid, 0);
}

bool
vhu_peer_released(struct vhu_dev *d, char *why, size_t whylen)
{
	struct pollfd pfd = { .fd = d->peer_pidfd, .events = POLLIN };
	int rc;

	if (d->peer_pid == 0) {
		vpmd_set_err(why, whylen,
			     "vhost-user %s: the backend's process is unknown (another PID "
			     "namespace?)",
			     d->path);
		return false;
	}
	/* A pidfd reads ready once every thread exited: the mappings went with the mm. */
	if (d->peer_pidfd >= 0 && poll(&pfd, 1, 0) > 0)
		return true;
	rc = vhu_mem_mapped_by(d, d->peer_pid);
	if (rc == 0)
		return true;
	if (rc > 0)
		vpmd_set_err(why, whylen,
			     "vhost-user %s: the backend (pid %d) hung up but still maps our "
			     "memory",
			     d->path, d->peer_pid);
	else
		vpmd_set_err(why, whylen,
			     "vhost-user %s: the backend (pid %d) hung up; cannot read its "
			     "mappings (%s)",
			     d->path, d->peer_pid, strerror(-rc));
	return false;
}

void
vhu_disconnect(struct vhu_dev *d)
{
	if (d->sock >= 0)
		close(d->sock);
	d->sock = -1;
	d->broken = true;
	d->hung_up = true;
}

/* Bounds sendmsg: a backend that stops reading must not hang the control path. */
static void
vhu_sock_timeouts(struct vhu_dev *d)
{
	struct timeval tv = { .tv_sec = d->timeout_ms / 1000,
			      .tv_usec = (d->timeout_ms % 1000) * 1000 };

	setsockopt(d->sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int
vhu_listen(struct vhu_dev *d, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int e, probe;

	memcpy(sa.sun_path, d->path, strlen(d->path) + 1);
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (d->listen_fd < 0) {
		e = errno;
		vpmd_set_err(err, errlen, "vhost-user %s: socket(): %s", d->path, strerror(e));
		return -e;
	}
	if (bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == EADDRINUSE) {
		/* A socket file nobody listens on is left over from an earlier run. */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
		    errno == ECONNREFUSED)
			unlink(d->path);
		if (probe >= 0)
			close(probe);
		if (bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			errno = EADDRINUSE;
		else
			errno = 0;
	} else {
		errno = 0;
	}
	if (errno != 0 || listen(d->listen_fd, 1) < 0) {
		e = errno;
		vpmd_set_err(err, errlen, "vhost-user %s: server=1: cannot listen: %s%s", d->path,
			     strerror(e),
			     e == EADDRINUSE ? " (another process listens there)" : "");
		close(d->listen_fd);
		d->listen_fd = -1;
		return -e;
	}
	return 0;
}

int
vhu_accept(struct vhu_dev *d, int wait_ms, char *err, size_t errlen)
{
	struct pollfd pfd = { .fd = d->listen_fd, .events = POLLIN };
	int rc, e;

	rc = poll(&pfd, 1, wait_ms);
	if (rc <= 0) {
		vpmd_set_err(err, errlen,
			     "vhost-user %s: server=1: no backend connected%s (start it in client "
			     "mode, e.g. net_vhost0,iface=%s,client=1)",
			     d->path, wait_ms > 0 ? " in time" : "", d->path);
		return -EAGAIN;
	}
	d->sock = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (d->sock < 0) {
		e = errno;
		vpmd_set_err(err, errlen, "vhost-user %s: accept: %s", d->path, strerror(e));
		return e == EAGAIN || e == EINTR || e == ECONNABORTED ? -EAGAIN : -e;
	}
	d->broken = false;
	d->hung_up = false;
	vhu_sock_timeouts(d);
	vhu_peer_record(d);
	return 0;
}

int
vhu_connect(struct vhu_dev *d, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int e;

	d->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (d->sock < 0) {
		e = errno;
		vpmd_set_err(err, errlen, "vhost-user %s: socket(): %s", d->path, strerror(e));
		return -e;
	}
	vhu_sock_timeouts(d);
	memcpy(sa.sun_path, d->path, strlen(d->path) + 1);
	if (connect(d->sock, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		d->broken = false;
		d->hung_up = false;
		vhu_peer_record(d);
		return 0;
	}
	e = errno;
	close(d->sock);
	d->sock = -1;
	if (e == ENOENT || e == ECONNREFUSED || e == ENOTSOCK)
		vpmd_set_err(err, errlen,
			     "no vhost-user backend at %s: start one (e.g. "
			     "dpdk-testpmd --vdev net_vhost0,iface=%s)",
			     d->path, d->path);
	else if (e == EACCES || e == EPERM)
		vpmd_set_err(err, errlen,
			     "vhost-user %s: connect: %s: run as the backend's user "
			     "or root",
			     d->path, strerror(e));
	else
		vpmd_set_err(err, errlen, "vhost-user %s: connect: %s", d->path, strerror(e));
	return -e;
}
