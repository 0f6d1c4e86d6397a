#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vnetsink over vhost-user, end to end:
#
#   iperf3 -c / ping (namespace) -> tap -> dpdk-testpmd (net_tap <-> net_vhost, io forwarding)
#     -> vhost-user socket -> vnetsink --port vpmd:vhost-user:SOCK        (mode vpmd: our PMD)
#                          -> vnetsink --vdev net_virtio_user0,path=SOCK  (mode virtio-user:
#                             DPDK's net_virtio as an ethdev, with its offloads: LRO, checksums)
#
# Checks: ping answers; stock iperf3 -c -P 1 completes and its receiver bytes equal vnetsink's
# count for the test; vnetsink shuts down cleanly with every PMD buffer reclaimed.
# Cores (2 here): testpmd forwards on lcore 0 (its main lcore 1 only prints), vnetsink polls on
# lcore 1 (its main lcore 0 only prints): the two pollers get different CPUs.
# Usage: test_sink_vhost.sh PATH/TO/vnetsink [vpmd|virtio-user]
#        (root; exits 77 with the reason when it cannot run)
# env: VNS_PACKED=on|off|auto (mode vpmd: vnetsink --packed, default auto = packed when offered)
#      VNS_EXTRA="..." more vnetsink options (e.g. --ring-size 256); VNS_IPERF_SECONDS (3)
set -u

VNS=${1:?usage: $0 PATH/TO/vnetsink [vpmd|virtio-user]}
MODE=${2:-vpmd}
case $MODE in
vpmd | virtio-user) ;;
*) echo "usage: $0 PATH/TO/vnetsink [vpmd|virtio-user]"; exit 2 ;;
esac
NS=vns-app-vhu-$$
TP_PREFIX=app-vhu-tp-$$
VNS_PREFIX=app-vhu-$$
TAP=vnsvt$$
HOST_IP=198.18.0.1
SINK_IP=198.18.0.2
SINK_MAC=02:00:c6:12:00:02
T=${VNS_IPERF_SECONDS:-3}
TMP=$(mktemp -d /tmp/vns-app-vhu.XXXXXX)
SOCK=$TMP/vhu.sock
VNS_PID=
TP_PID=

# shellcheck source=lib.sh
. "$VNS_SRC/tests/host/dataplane/lib.sh"

cleanup() {
	stop_pid "$VNS_PID"
	stop_pid "$TP_PID"
	ns_del "$NS"
	rm -rf "/var/run/dpdk/$VNS_PREFIX" "/var/run/dpdk/$TP_PREFIX" "$TMP"
}

[ -x "$VNS" ] || skip "vnetsink binary '$VNS' not built"
need_tools "apt-get install iperf3 dpdk python3 iproute2" ip iperf3 python3 dpdk-testpmd
need_hugepages 160

trap cleanup EXIT
trap 'exit 1' INT TERM
ns_add "$NS"

# The backend: testpmd in the namespace (its net_tap creates the tap there).
testpmd_vhost "$NS" "$TAP" "$SOCK" "$TP_PREFIX" || exit 1

# vnetsink (vhost-user needs one memory segment file and VA IOVAs, for either frontend).
if [ "$MODE" = vpmd ]; then
	PORT_EAL=()
	PORT_ARGS=(--port "vpmd:vhost-user:$SOCK" --packed "${VNS_PACKED:-auto}")
else
	PORT_EAL=(--vdev "net_virtio_user0,path=$SOCK,queues=1,queue_size=1024")
	PORT_ARGS=(--port ethdev:net_virtio_user0)
fi
# shellcheck disable=SC2086
"$VNS" -l 0,1 --main-lcore 0 --no-pci --single-file-segments --iova-mode=va \
	--file-prefix "$VNS_PREFIX" "${PORT_EAL[@]}" -- "${PORT_ARGS[@]}" \
	--ip "$SINK_IP/24" --mac "$SINK_MAC" ${VNS_EXTRA:-} \
	--stats-interval 1 --stats-json "$TMP/stats.json" >"$TMP/vnetsink.log" 2>&1 &
VNS_PID=$!
vns_started "$TMP/vnetsink.log" "$VNS_PID" "$SOCK ($MODE)" || exit 1
ip -n "$NS" addr add "$HOST_IP/24" dev "$TAP"
ip -n "$NS" link set "$TAP" up
# On net_vpmd the start-up dump carries vpmd's own view (rte_pmd_vpmd_info_dump): the ring
# layout asked for and the paths chosen, which the vm suite also reads from the guest.
if [ "$MODE" = vpmd ]; then
	want="split"
	[ "${VNS_PACKED:-auto}" = off ] || want=packed
	if grep -q "rings: $want, rx [0-9]* / tx [0-9]* descriptors" "$TMP/vnetsink.log" &&
		grep -q 'rx path: ' "$TMP/vnetsink.log"; then
		echo "ok: $(grep -m1 'rings: ' "$TMP/vnetsink.log" | sed 's/^ *//')"
	else
		fail "no 'rings: $want' and 'rx path:' lines in vnetsink's start-up dump: $(grep 'rings:' "$TMP/vnetsink.log")"
	fi
fi

if ip netns exec "$NS" ping -c 3 -i 0.3 -W 3 "$SINK_IP" >"$TMP/ping.log" 2>&1; then
	echo "ok: ping $SINK_IP through testpmd and $MODE: $(grep -o '[0-9]* received' "$TMP/ping.log")"
else
	fail "ping $SINK_IP: $(tail -2 "$TMP/ping.log")"
fi

if ! ip netns exec "$NS" timeout $((T + 25)) iperf3 -c "$SINK_IP" -t "$T" -P 1 --json \
	>"$TMP/iperf.json" 2>"$TMP/iperf.err"; then
	fail "iperf3 -P 1 did not complete: $(json "$TMP/iperf.json" 'j.get("error")' 2>/dev/null) $(head -c 300 "$TMP/iperf.err")"
else
	rx=$(json "$TMP/iperf.json" 'j["end"]["sum_received"]["bytes"]')
	tx=$(json "$TMP/iperf.json" 'j["end"]["sum_sent"]["bytes"]')
	got=
	for _ in $(seq 1 50); do
		got=$(json "$TMP/stats.json" "j['iperf3_tests'][0]['bytes'] if j['iperf3_tests'] else ''" 2>/dev/null)
		[ -n "$got" ] && break
		sleep 0.2
	done
	gbps=$(json "$TMP/iperf.json" 'round(j["end"]["sum_received"]["bits_per_second"] / 1e9, 3)')
	if [ -n "$got" ] && [ "$rx" = "$got" ] && [ "$rx" -gt 0 ] && [ "$rx" -le "$tx" ]; then
		echo "ok: iperf3 -P 1 over $MODE: receiver bytes $rx == vnetsink's $got (sent $tx, $gbps Gbit/s)"
	else
		fail "iperf3 -P 1 over $MODE: client receiver bytes $rx (sent $tx), vnetsink counted '${got}'"
	fi
fi

vns_term "$VNS_PID"
VNS_PID=
if [ "$vns_rc" != 0 ] || ! grep -q '^summary: total' "$TMP/vnetsink.log"; then
	fail "vnetsink did not exit cleanly on SIGTERM (exit status '${vns_rc:-still running}')"
else
	echo "ok: SIGTERM: exit 0 and summary"
fi

if [ "$fails" -ne 0 ]; then
	echo "---- vnetsink log ----"
	grep -v '^\[' "$TMP/vnetsink.log" | tail -30
	echo "---- last vnetsink stats lines ----"
	grep '^\[' "$TMP/vnetsink.log" | tail -4
	echo "$fails check(s) failed"
	exit 1
fi
grep '^summary' "$TMP/vnetsink.log"
echo "all vnetsink checks over vhost-user ($MODE) passed"
