/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user memory table: which hugepage memory the backend maps (SET_MEM_TABLE), kept
 * in step with EAL's heap, and a warning when the heap grows past what was sent.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <rte_common.h>
#include <rte_fbarray.h>
#include <rte_memory.h>

#include "vhu_internal.h"

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
static int
vhu_mem_walk_list(const struct rte_memseg_list *msl, void *arg)
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
	if (fd < 0 || fd != fd_last ||
	    rte_memseg_get_fd_offset_thread_unsafe(first, &off_first) < 0 ||
	    rte_memseg_get_fd_offset_thread_unsafe(last, &off_last) < 0 ||
	    off_last - off_first != (uintptr_t)last->addr - (uintptr_t)first->addr) {
		vpmd_set_err(w->err, w->errlen,
			     "vhost-user %s: hugepage memory is not one shared "
			     "file per memseg list: run EAL with hugepages and "
			     "--single-file-segments (not --no-huge)",
			     w->path);
		w->rc = -ENOTSUP;
		return -1;
	}
	if (w->mem->nregions == VHU_MAX_REGIONS) {
		vpmd_set_err(w->err, w->errlen,
			     "vhost-user %s: more than %d memory regions "
			     "(memseg lists in use) but the protocol carries %d: use "
			     "--single-file-segments and one NUMA socket (-m / --socket-mem)",
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

static int
vhu_mem_build(struct vhu_dev *d, struct vhu_mem_table *mem, int *fds, char *err, size_t errlen)
{
	struct vhu_mem_walk w = {
		.mem = mem, .fds = fds, .err = err, .errlen = errlen, .path = d->path, .rc = 0
	};

	memset(mem, 0, sizeof(*mem));
	if (rte_memseg_list_walk(vhu_mem_walk_list, &w) < 0 || w.rc < 0)
		return w.rc < 0 ? w.rc : -EINVAL;
	if (mem->nregions == 0) {
		vpmd_set_err(err, errlen,
			     "vhost-user %s: no shareable hugepage memory: run EAL "
			     "with hugepages and --single-file-segments",
			     d->path);
		return -ENOMEM;
	}
	return 0;
}

/* Sends the table when it differs from what the backend already has (memory grew). */
int
vhu_mem_sync(struct vhu_dev *d, char *err, size_t errlen)
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
	size = (uint32_t)(offsetof(struct vhu_mem_table, regions) +
			  mem.nregions * sizeof(mem.regions[0]));
	rc = vhu_request(d, VHU_SET_MEM_TABLE, &mem, size, fds, mem.nregions, err, errlen);
	if (rc < 0)
		return rc;
	d->mem_sent = mem;
	memcpy(d->mem_fds_sent, fds, sizeof(fds));
	d->mem_valid = true;
	d->mem_grew = false;
	for (uint32_t i = 0; i < mem.nregions; i++)
		VHU_LOG(DEBUG,
			"%s: region %u va 0x%" PRIx64 " size 0x%" PRIx64 " offset 0x%" PRIx64,
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
static void
vhu_mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg)
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
	/* An EAL callback has no caller to report to: this is the one warning we log. */
	VHU_LOG(WARNING,
		"%s: hugepage memory grew after the memory table was sent; the backend "
		"cannot reach buffers there until vpmd_stop/vpmd_start: create mempools before "
		"vpmd_configure or pre-allocate with EAL -m",
		d->path);
}

/*
 * The memory table goes out at the first queue setup; the usual mistakes (no hugepages, no
 * --single-file-segments) show already in the memory allocated so far, so the probe
 * checks them, and vpmd_open reports them before any queue exists.
 */
int
vhu_mem_check(struct vhu_dev *d, char *err, size_t errlen)
{
	struct vhu_mem_table mem;
	int fds[VHU_MAX_REGIONS];

	return vhu_mem_build(d, &mem, fds, err, errlen);
}

/* Best effort: not available with --legacy-mem, where memory never grows anyway. */
void
vhu_mem_watch(struct vhu_dev *d)
{
	snprintf(d->mem_cb_name, sizeof(d->mem_cb_name), "vpmd-vhost-user-%p", (void *)d);
	if (rte_mem_event_callback_register(d->mem_cb_name, vhu_mem_event, d) < 0)
		d->mem_cb_name[0] = '\0';
}

void
vhu_mem_unwatch(struct vhu_dev *d)
{
	if (d->mem_cb_name[0] != '\0')
		rte_mem_event_callback_unregister(d->mem_cb_name, d);
	d->mem_cb_name[0] = '\0';
}

/*
 * The files behind the table we sent, against the process's mappings (/proc/PID/maps:
 * "start-end perms offset major:minor inode path"). A process that exited has none.
 */
int
vhu_mem_mapped_by(const struct vhu_dev *d, int pid)
{
	struct stat st[VHU_MAX_REGIONS];
	unsigned int n = 0, maj, min;
	unsigned long ino;
	char path[64], line[512];
	int found = 0, e;
	FILE *f;

	for (uint32_t i = 0; i < d->mem_sent.nregions; i++)
		if (fstat(d->mem_fds_sent[i], &st[n]) == 0)
			n++;
	if (n == 0)
		return 0; /* no table went out: the backend never had our memory */
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (f == NULL) {
		e = errno;
		return e == ENOENT || e == ESRCH ? 0 : -e;
	}
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%*x-%*x %*s %*x %x:%x %lu", &maj, &min, &ino) != 3 || ino == 0)
			continue;
		for (unsigned int i = 0; i < n && !found; i++)
			found = ino == (unsigned long)st[i].st_ino &&
				makedev(maj, min) == st[i].st_dev;
	}
	fclose(f);
	return found;
}
