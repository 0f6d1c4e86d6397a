#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Host test: the control operations of net_vpmd through dpdk-testpmd's commands, on a port
# over vhost-user (a second dpdk-testpmd's net_vhost as the backend).
#
#   run-testpmd-ctrl.sh -p PLUGIN
#     port config mtu (1400 taken; 9000, above the device's maximum, refused with the port
#     unchanged), mac_addr set (shown, and kept over a port stop/start), set promisc off and
#     set allmulti on (accepted: vhost-user has no receive filter, so both are the device's
#     behaviour), each checked in `show port info 0`.
# exit: 0 pass, 1 fail, 77 when root, hugepages or dpdk-testpmd are missing.
set -u

plugin=''
while getopts p: opt; do
	case $opt in
	p) plugin=$OPTARG ;;
	*) echo "usage: $0 -p PLUGIN" >&2; exit 2 ;;
	esac
done

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (hugepages, DPDK EAL)"
testpmd=$(command -v dpdk-testpmd) || skip "dpdk-testpmd not installed (apt-get install dpdk)"
[ -f "$plugin" ] || fail "driver plugin '$plugin' not built"

dir=$(mktemp -d /tmp/vpmd-ethctl.XXXXXX) || exit 1
tag=ectl$$
tp_pid=
cleanup() {
	[ -z "$tp_pid" ] || kill -KILL "$tp_pid" 2>/dev/null
	rm -rf "$dir" "/var/run/dpdk/${tag}tp" "/var/run/dpdk/${tag}me"
}
trap cleanup EXIT

VNS_SRC=${VNS_SRC:-$(cd "$(dirname "$0")/../../.." && pwd)}
# shellcheck source=../lib.sh
. "$VNS_SRC/tests/host/lib.sh"
need_hugepages 160

sock=$dir/vhu.sock
common="--no-pci --in-memory --single-file-segments -m 128 --no-telemetry --log-level=lib.eal:error"
# shellcheck disable=SC2086
"$testpmd" -l 0,1 --main-lcore 0 $common --file-prefix "${tag}tp" \
	--vdev "net_vhost0,iface=$sock,queues=1" -- --forward-mode=io --auto-start \
	--total-num-mbufs=8192 --stats-period 1 >"$dir/tp.log" 2>&1 </dev/null &
tp_pid=$!
i=0
while [ ! -S "$sock" ]; do
	kill -0 "$tp_pid" 2>/dev/null || { tail -20 "$dir/tp.log"; fail "backend testpmd exited"; }
	[ $i -lt 100 ] || { tail -20 "$dir/tp.log"; fail "no socket $sock after 10 s"; }
	sleep 0.1
	i=$((i + 1))
done

mac=02:00:C6:12:00:99
# Each "show port info 0" below is one snapshot, numbered from 1.
{
	sleep 1
	echo "show port info 0"
	echo "port stop 0"
	echo "port config mtu 0 1400"
	echo "port start 0"
	echo "port config mtu 0 9000"
	echo "mac_addr set 0 $mac"
	echo "set promisc 0 off"
	echo "set allmulti 0 on"
	echo "show port info 0"
	echo "port stop 0"
	echo "port start 0"
	echo "show port info 0"
	echo "quit"
} | "$testpmd" -l 0,1 --main-lcore 0 $common --iova-mode=va --file-prefix "${tag}me" \
	-d "$plugin" --vdev "net_vpmd0,vhost-user=$sock" -- -i --total-num-mbufs=8192 \
	>"$dir/me.log" 2>&1
rc=$?
kill -INT "$tp_pid" 2>/dev/null
wait "$tp_pid" 2>/dev/null
tp_pid=

# field N KEY: KEY's value in snapshot N
field() {
	awk -v n="$1" -v k="$2" '/Infos for port 0/ { s++ }
		s == n && index($0, k ": ") == 1 { sub(k ": ", ""); print; exit }' "$dir/me.log"
}
show() { grep -a -v '^\s*$' "$dir/me.log" | tail -60; }

[ $rc = 0 ] || { show; fail "our testpmd exited $rc"; }
checks="1 MTU 1500
2 MTU 1400
2 MAC address $mac
2 Promiscuous mode disabled
2 Allmulticast mode enabled
3 MTU 1400
3 MAC address $mac
3 Promiscuous mode disabled
3 Allmulticast mode enabled"
echo "$checks" | while read -r n k1 k2 v; do
	key="$k1 $k2"
	want=$v
	# "MTU 1500" has a one-word key
	[ "$k1" = MTU ] && { key=MTU; want=$k2; }
	got=$(field "$n" "$key")
	[ "$got" = "$want" ] || { show; fail "show port info #$n: $key '$got', want '$want'"; }
	echo "ok: show port info #$n: $key: $got"
done || exit 1
grep -aq 'MTU (9000) > device max MTU (1500)' "$dir/me.log" ||
	{ show; fail "port config mtu 0 9000 was not refused against the device's maximum"; }
echo "ok: port config mtu 0 9000 refused: $(grep -a -m1 'MTU (9000)' "$dir/me.log")"
echo "PASS"
