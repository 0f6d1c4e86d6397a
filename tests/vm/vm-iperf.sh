#!/bin/bash
# tests/vm/vm-iperf.sh MODE QUEUES PACKED: boot the ARM64 guest under QEMU in a private netns,
# then check from the host side of the tap:
#   - ping GUEST_IP (conf/vm.conf) answers;
#   - iperf3 -c -P 1 -t 3 and -P 4 -t 3 complete;
#   - vnetsink modes: the bytes vnetsink counted for each test ("closed: ... N bytes") equal
#     iperf3's receiver bytes and are at most the sender's (short by at most 16 MiB in
#     flight); with 2+ queues and -P 4, at least two queues carried data (tun spreads new
#     flows by hash: a -P 4 run whose flows all hash to one queue is repeated, at most 4
#     runs, so with 2 queues a false failure has odds below 1/4000).
# Needs root, qemu-system-aarch64, iperf3, python3, and the arm64 build (build-arm64).
# VM_IOMMU=on: QEMU's SMMUv3 in front of the device, so the guest binds vfio-pci (VFIO path).
# GUEST_ARCH=x86_64: an x86_64 guest (qemu-system-x86_64) carrying the host build's vnetsink.
# VM_NET_OPTS: more virtio-net-pci properties (run-vm --net-opts), e.g. modern-pio-notify=on,
# checked in QEMU's device list. VM_GUEST_QUEUES: the queue pairs vnetsink uses when the
# device offers more (QUEUES up to the tap's 256; our PMD drives at most 64). VM_GUEST_ARGS:
# more vnetsink options (e.g. --ring-size 256, so that 64 queue pairs fit the guest's pool).
set -eu
MODE=${1:?mode}
QUEUES=${2:-2}
PACKED=${3:-off}
HERE=$(cd "$(dirname "$0")" && pwd)
export VNS_SRC=${VNS_SRC:-$(cd "$HERE/../.." && pwd)}
# shellcheck source=../../tools/lib/vm.sh
. "$VNS_SRC/tools/lib/vm.sh"
SECS=${VM_IPERF_SECS:-3}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (netns, tap, hugepages)"
GUEST_ARCH=${GUEST_ARCH:-arm64}
qemu="qemu-system-aarch64"; [ "$GUEST_ARCH" = x86_64 ] && qemu="qemu-system-x86_64"
for t in $qemu iperf3 python3 ip; do command -v $t >/dev/null || skip "$t not installed (tools/install-deps)"; done

cleanup() { vm_stop; rm -rf "$VM_TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

rc=0; vm_prepare || rc=$?
[ $rc = 77 ] && skip "$GUEST_ARCH build missing"
[ $rc = 0 ] || fail "could not build the guest image"
if [ "$MODE" != kernel ] && ! grep -q '^vnetsink=/' "$VNS_SRC/guest-image/out/$GUEST_ARCH/image.info"; then
	fail "the guest image has no vnetsink ($GUEST_ARCH build of dataplane/vnetsink missing)"
fi

GQ=${VM_GUEST_QUEUES:-$QUEUES}
VM_RUN_OPTS=(--guest-queues "$GQ")
[ -n "${VM_NET_OPTS:-}" ] && VM_RUN_OPTS+=(--net-opts "$VM_NET_OPTS")
[ -n "${VM_GUEST_ARGS:-}" ] && VM_RUN_OPTS+=(--append "vns.args=\"$VM_GUEST_ARGS\"")
vm_start "$MODE" "$QUEUES" "$PACKED"
vm_wait_ready 180 || fail "guest did not come up in mode $MODE"
grep '^=== ' "$VM_TMP/run-vm.out" || true
vm_ping || fail "no ping reply from $VM_GUEST_IP"
vm_log "ping ok"

case ${VM_NET_OPTS:-} in
*modern-pio-notify=on*)
	# QEMU then gives the device an I/O BAR with a notify capability of its own.
	vm_qmp query-pci | python3 -c 'import json, sys
devs = [d for b in json.loads(sys.stdin.read())["return"] for d in b["devices"]]
net = [d for d in devs if d["id"]["vendor"] == 0x1af4]
sys.exit(0 if any(r["type"] == "io" for d in net for r in d["regions"]) else 1)' ||
		fail "modern-pio-notify=on: QEMU shows no I/O BAR on the virtio-net device"
	echo "virtio-net device has an I/O BAR (modern-pio-notify=on): probe skipped its notify capability"
	;;
esac
if [ "${VM_IOMMU:-off}" = on ]; then
	# Behind the emulated SMMUv3 the device must be on vfio-pci and translate its DMA.
	grep -q 'bound .* to vfio-pci' "$VM_LOG" || fail "VM_IOMMU=on but the guest did not bind vfio-pci: $(grep 'bound ' "$VM_LOG")"
	[ "$MODE" != vnetsink ] || grep -q 'features:.*ACCESS_PLATFORM' "$VM_LOG" || fail "ACCESS_PLATFORM not negotiated behind the IOMMU"
	echo "device on vfio-pci behind SMMUv3 (IOVA = VA)"
fi
if [ "$MODE" != kernel ]; then
	# What the PMD negotiated (split vs packed must follow QEMU's packed=).
	if [ "$MODE" = vnetsink ]; then
		want="split"; [ "$PACKED" = on ] && want="packed"
		grep -q "rings: $want" "$VM_LOG" || fail "vpmd did not pick $want rings (QEMU packed=$PACKED): $(grep 'rings:' "$VM_LOG")"
		grep -E 'rings:|rx path' "$VM_LOG" | head -n 2
		# Every queue pair QEMU offers is in use (VQ_PAIRS_SET through the control queue).
		grep -q "rings: $want, rx [0-9]* / tx [0-9]* descriptors, $GQ of $QUEUES queue pair" "$VM_LOG" ||
			fail "vpmd does not use $GQ of the $QUEUES queue pairs: $(grep 'rings:' "$VM_LOG")"
	fi
fi

# The "closed:" line vnetsink prints for the Nth finished iperf3 test.
closed_bytes() {
	n=$1
	for _ in $(seq 1 20); do
		line=$(grep '^closed: q[0-9]* iperf3 test' "$VM_LOG" | sed -n "${n}p")
		[ -n "$line" ] && { echo "$line" | sed -n 's/.* streams, \([0-9]*\) bytes.*/\1/p'; return 0; }
		sleep 0.5
	done
	return 1
}
# Did queue Q carry data (any stats line after line START with rx above 10 Mbit/s)?
queue_busy() {
	tail -n +"$2" "$VM_LOG" | grep "\] q$1@" | awk '{ for (i = 1; i <= NF; i++) if ($i == "Gb/s") { print $(i - 1); break } }' |
		awk '$1 > 0.01 { found = 1 } END { exit !found }'
}

tests=0
check_run() {
	par=$1 out=$2
	sent=$(iperf_field "$out" sent); recv=$(iperf_field "$out" received); bps=$(iperf_field "$out" bps)
	tests=$((tests + 1))
	echo "iperf3 -P $par: sent $sent bytes, received $recv bytes, $(awk -v b="$bps" 'BEGIN { printf "%.3f", b / 1e9 }') Gbit/s"
	[ "$recv" -gt 0 ] || fail "iperf3 -P $par moved no data"
	if [ "$MODE" != kernel ]; then
		vb=$(closed_bytes $tests) || fail "vnetsink printed no 'closed:' line for iperf3 test $tests"
		echo "vnetsink counted $vb bytes for test $tests"
		[ "$vb" = "$recv" ] || fail "vnetsink counted $vb bytes, iperf3 receiver reports $recv"
		# The server reports its count when the test ends, before the last in-flight
		# window arrives: never more than was sent, and short by at most a few windows.
		[ "$vb" -le "$sent" ] || fail "vnetsink counted $vb bytes, more than the $sent iperf3 sent"
		[ $((sent - vb)) -le $((16 * 1024 * 1024)) ] ||
			fail "vnetsink counted $vb bytes, $((sent - vb)) fewer than iperf3 sent ($sent)"
	fi
}

vm_iperf 1 "$SECS" "$VM_TMP/p1.json" || fail "iperf3 -P 1"
check_run 1 "$VM_TMP/p1.json"

for attempt in 1 2 3 4; do
	start=$(($(wc -l <"$VM_LOG") + 1))
	vm_iperf 4 "$SECS" "$VM_TMP/p4.json" || fail "iperf3 -P 4"
	check_run 4 "$VM_TMP/p4.json"
	[ "$MODE" = kernel ] || [ "$GQ" -lt 2 ] && break
	sleep 1.5   # one more stats interval
	busy=""
	for q in $(seq 0 $((GQ - 1))); do queue_busy $q "$start" && busy="$busy q$q"; done
	if [ "$(echo $busy | wc -w)" -ge 2 ]; then
		echo "-P 4: traffic on$busy"
		break
	fi
	[ $attempt = 4 ] && fail "-P 4 with $GQ queues: data on only one queue ($busy) in 4 runs"
	echo "-P 4 run $attempt: all flows hashed to one queue; running again"
done
echo "PASS: $GUEST_ARCH guest, mode $MODE, $GQ of $QUEUES queues, packed=$PACKED${VM_NET_OPTS:+, $VM_NET_OPTS}"
