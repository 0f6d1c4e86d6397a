# Shared by the host suites' scripts (sourced; each defines skip MSG, which exits 77).
# need_hugepages N    at least N free 2 MB pages, or skip. tools/hugepages reserves a 2 GB pool
#                     (never shrinking a larger one) and mounts hugetlbfs on /dev/hugepages.
# shellcheck shell=sh
need_hugepages() {
	"${VNS_SRC:?}/tools/hugepages" reserve 2048 --at-least >/dev/null 2>&1 || true
	free_pages=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	[ "${free_pages:-0}" -ge "$1" ] ||
		skip "only ${free_pages:-0} free 2 MB hugepages (need $1): tools/hugepages reserve 2048"
}
