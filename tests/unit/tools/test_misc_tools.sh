#!/bin/sh
# install-deps and run-tests argument handling (no root, nothing installed).
set -u
. "$(dirname "$0")/lib.sh"
I="$VNS_SRC/tools/install-deps"
R="$VNS_SRC/tools/run-tests"
expect_rc 0 "install-deps lists its packages" -- "$I" --list
expect_out "^libdpdk-dev$" "DPDK dev files are in the list"
expect_out "^qemu-system-arm$" "QEMU for arm64 is in the list"
expect_rc 0 "one group" -- "$I" --list --group bench
expect_out "^gnuplot-nox$" "bench group has gnuplot"
echo "$out" | grep -q '^libdpdk-dev$' && { echo "FAIL: bench group lists libdpdk-dev"; fails=$((fails+1)); } || echo "ok: groups are separate"
expect_rc 2 "install-deps bad group" -- "$I" --group nope
expect_out "unknown group 'nope'" "names the group"
expect_rc 2 "install-deps bad option" -- "$I" --frob
expect_rc 2 "run-tests on a non-build dir" -- "$R" /nonexistent unit
expect_out "not a configured Meson build directory" "says so"
finish
