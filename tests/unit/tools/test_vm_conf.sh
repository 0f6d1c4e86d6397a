#!/bin/bash
# conf/vm.conf as the tools read it (tools/lib/conf.sh, tools/lib/vm.sh): the file's values,
# the environment overriding them key by key (an empty variable counts as unset), nothing
# set but the keys asked for, and the addresses vm.sh derives. No root, no QEMU.
set -u
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
printf 'VM_TAP=tap9\nVM_MAC=52:54:00:00:00:09\nGUEST_IP=198.18.9.2/24\nHOST_IP=198.18.9.1/24\nMODE=kernel\nVM_PIN=""\n' >"$T/vm.conf"
L="$VNS_SRC/tools/lib/conf.sh"
load() { bash -c '. "$1"; shift; f=$1; shift; conf_load "$f" "$@" || exit; for k; do printf "%s=%s;" "$k" "${!k}"; done' _ "$L" "$@"; }
out=$(load "$T/vm.conf" VM_TAP VM_MAC GUEST_IP 2>&1)
expect_out "^VM_TAP=tap9;VM_MAC=52:54:00:00:00:09;GUEST_IP=198.18.9.2/24;$" "values from the file"
out=$(VM_TAP=lan0 GUEST_IP='' load "$T/vm.conf" VM_TAP GUEST_IP 2>&1)
expect_out "^VM_TAP=lan0;GUEST_IP=198.18.9.2/24;$" "environment wins; empty counts as unset"
out=$(load "$T/vm.conf" VM_TAP NOT_IN_FILE 2>&1)
expect_out "^VM_TAP=tap9;NOT_IN_FILE=;$" "a key the file lacks is empty"
out=$(bash -c '. "$1"; conf_load "$2" VM_TAP; echo "MODE=${MODE:-unset}"' _ "$L" "$T/vm.conf" 2>&1)
expect_out "^MODE=unset$" "keys not asked for stay unset"
expect_rc 1 "missing file" -- bash -c '. "$1"; conf_load /nonexistent/vm.conf VM_TAP' _ "$L"
expect_out "no /nonexistent/vm.conf" "names the file"
out=$(VNS_VM_CONF=$T/vm.conf VM_TMP=$T bash -c '. "$1/tools/lib/vm.sh"; echo "$VM_TAP $VM_MAC $VM_HOST_IP $VM_GUEST_IP"' _ "$VNS_SRC" 2>&1)
expect_out "^tap9 52:54:00:00:00:09 198.18.9.1 198.18.9.2$" "vm.sh: tap, MAC and addresses from the conf"
out=$(VM_TMP=$T bash -c '. "$1/tools/lib/vm.sh"; echo "$VM_TAP $VM_MAC $VM_GUEST_IP"' _ "$VNS_SRC" 2>&1)
expect_out "^qemu-lan 52:54:00:12:00:02 198.18.0.2$" "vm.sh: the repository's conf/vm.conf"
finish
