# Shared by the host dataplane tests (sourced after TMP is set).
# fail MSG            count a failed check (the test exits non-zero at the end)
# json FILE EXPR      evaluate a Python expression over the JSON document j
# need_hugepages N    at least N free 2 MB pages (tools/hugepages never shrinks the pool), or skip
# shellcheck shell=bash
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
json() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
need_hugepages() {
	"$VNS_SRC/tools/hugepages" reserve 2048 --at-least >/dev/null 2>&1 || true
	free_pages=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	[ "${free_pages:-0}" -ge "$1" ] || skip "fewer than $1 free hugepages ($free_pages): tools/hugepages reserve 2048"
}
