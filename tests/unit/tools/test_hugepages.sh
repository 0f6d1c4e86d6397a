#!/bin/sh
# tools/hugepages against a fake sysfs/meminfo tree: argument handling, idempotence and
# the clear-error cases (no root needed).
set -u
. "$(dirname "$0")/lib.sh"
H="$VNS_SRC/tools/hugepages"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir -p "$T/sys/kernel/mm/hugepages/hugepages-2048kB" "$T/sys/kernel/mm/hugepages/hugepages-1048576kB"
for d in "$T"/sys/kernel/mm/hugepages/*; do echo 0 > "$d/nr_hugepages"; echo 0 > "$d/free_hugepages"; done
printf 'MemTotal: 4000000 kB\nMemAvailable: 3000000 kB\nHugepagesize: 2048 kB\n' > "$T/meminfo"
: > "$T/mounts"
export HUGEPAGES_SYSFS="$T/sys" HUGEPAGES_MEMINFO="$T/meminfo" HUGEPAGES_MOUNTS="$T/mounts"
P2="$T/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"

expect_rc 0 "reserve 512 MB of 2M pages" -- "$H" reserve 512
[ "$(cat "$P2")" = 256 ] && echo "ok: 256 pages written" || { echo "FAIL: nr_hugepages is $(cat "$P2"), wanted 256"; fails=$((fails+1)); }
expect_rc 0 "reserve again is idempotent" -- "$H" reserve 512M
expect_out "nothing to do" "second reserve says nothing to do"
expect_rc 0 "reserve 1G rounds to pages" -- "$H" reserve 1G
[ "$(cat "$P2")" = 512 ] && echo "ok: 512 pages" || { echo "FAIL: nr_hugepages $(cat "$P2")"; fails=$((fails+1)); }
expect_rc 0 "odd size rounds up to a whole page" -- "$H" reserve 3
[ "$(cat "$P2")" = 2 ] && echo "ok: 3 MB -> 2 pages" || { echo "FAIL: nr_hugepages $(cat "$P2")"; fails=$((fails+1)); }
expect_rc 0 "1G page size when offered" -- "$H" reserve 2G --pagesize 1G
[ "$(cat "$T/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages")" = 2 ] && echo "ok: 2 x 1G" || { echo "FAIL: 1G pages"; fails=$((fails+1)); }
expect_rc 1 "512M pages are not offered here" -- "$H" reserve 1024 --pagesize 512M
expect_out "not offered by this kernel \(offered: 1G 2M \)" "names the offered sizes"
expect_lines 1 "one clear line"
expect_rc 1 "not enough free memory" -- "$H" reserve 8G
expect_out "not enough free memory" "says why"
expect_lines 1 "one clear line"
[ "$(cat "$P2")" = 2 ] && echo "ok: pool unchanged after the refusal" || { echo "FAIL: pool changed to $(cat "$P2")"; fails=$((fails+1)); }
expect_rc 2 "SIZE missing" -- "$H" reserve
expect_rc 2 "bad SIZE" -- "$H" reserve 12x
expect_out "bad SIZE '12x'" "names the bad value"
expect_rc 2 "negative SIZE" -- "$H" reserve -5
expect_rc 2 "bad page size" -- "$H" reserve 100 --pagesize 3M
expect_out "bad --pagesize '3M'" "names the option"
expect_rc 2 "unknown option" -- "$H" reserve 100 --frobnicate
expect_rc 2 "unknown command" -- "$H" explode
expect_rc 2 "no command" -- "$H"
expect_rc 1 "missing NUMA node" -- "$H" reserve 100 --node 7
expect_out "NUMA node 7 does not exist" "names the node"
expect_rc 0 "status" -- "$H" status
expect_out "pagesize +2048 kB: +2 pages reserved \(4 MB\)" "status shows the 2M pool"
expect_rc 0 "--at-least keeps a larger pool" -- "$H" reserve 2 --at-least
[ "$(cat "$P2")" = 2 ] && echo "ok: kept 2 pages" || { echo "FAIL: at-least shrank to $(cat "$P2")"; fails=$((fails+1)); }
expect_rc 0 "--at-least grows a smaller pool" -- "$H" reserve 8 --at-least
[ "$(cat "$P2")" = 4 ] && echo "ok: grew to 4 pages" || { echo "FAIL: at-least gave $(cat "$P2")"; fails=$((fails+1)); }
expect_rc 0 "release" -- "$H" release
[ "$(cat "$P2")" = 0 ] && echo "ok: released" || { echo "FAIL: release left $(cat "$P2")"; fails=$((fails+1)); }
expect_rc 0 "busybox-style POSIX sh runs it" -- sh "$H" status
rm -rf "$T/sys/kernel/mm/hugepages"
expect_rc 1 "kernel without hugepages" -- "$H" status
expect_out "offers no hugepages" "says so"
expect_rc 0 "help" -- "$H" --help
finish
