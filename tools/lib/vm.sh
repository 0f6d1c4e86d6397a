# tools/lib/vm.sh: shared by the vm suite, tools/demo and tools/bench (sourced; bash).
#   vm_prepare            build the arm64 binaries and the guest image when needed (cached)
#   vm_start MODE Q PACKED   boot the guest with tools/run-vm in a private netns (background);
#                         VM_RUN_OPTS (array) adds run-vm options (--pmd, --fwd, --net-opts)
#   vm_wait_ready SECS    wait for the guest's ready line; fails on the guest's "failed" line
#   vm_iperf P SECS OUT [ARG...]  iperf3 -c from the netns (JSON in OUT; ARGs added, e.g. -R),
#                         retried while the server restarts
#   vm_stop               stop run-vm (it tears down QEMU, the tap and the netns)
#   vm_qmp CMD            QEMU's QMP reply to CMD (e.g. query-pci), one JSON line
# Variables: VNS_SRC (repo), VM_NS (netns), VM_LOG (serial log), and from conf/vm.conf
# (the environment overrides it, as for tools/run-vm): VM_TAP (the tap, inside VM_NS),
# VM_MAC (the guest's MAC), VM_HOST_IP and VM_GUEST_IP (HOST_IP and GUEST_IP without the
# prefix length).
# shellcheck shell=bash

VNS_SRC=${VNS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VM_NS=${VM_NS:-vns-vmtest-$$}
VM_TMP=${VM_TMP:-$(mktemp -d /tmp/vns-vm.XXXXXX)}
VM_LOG=${VM_LOG:-$VM_TMP/serial.log}
# shellcheck source=conf.sh
. "$VNS_SRC/tools/lib/conf.sh"
conf_load "${VNS_VM_CONF:-$VNS_SRC/conf/vm.conf}" VM_TAP VM_MAC HOST_IP GUEST_IP
# shellcheck disable=SC2034 # for the scripts that source this file (tools/bench)
VM_HOST_IP=${HOST_IP%/*}
VM_GUEST_IP=${GUEST_IP%/*}
VM_PID=""

vm_log() { echo "[$(date +%H:%M:%S)] $*"; }

# The guest's vnetsink: cross-built in build-arm64 for arm64, the host build for x86_64.
GUEST_ARCH=${GUEST_ARCH:-arm64}
vm_prepare() {
	if [ "$GUEST_ARCH" = x86_64 ]; then
		arm=${VNS_BUILD:-$VNS_SRC/build}
	else
		arm=${VNS_ARM64_BUILD:-$VNS_SRC/build-arm64}
	fi
	if [ ! -f "$arm/build.ninja" ]; then
		echo "no $GUEST_ARCH build in $arm (arm64: tools/cross-sysroot, then meson setup $arm --cross-file cross/sysroot-arm64/paths.ini --cross-file cross/arm64.ini -Dtests=disabled)"
		return 77
	fi
	# Everything: vnetsink, and the net_vpmd plugin that testpmd loads.
	ninja -C "$arm" >"$VM_TMP/ninja.log" 2>&1 || { tail -n 20 "$VM_TMP/ninja.log"; echo "$GUEST_ARCH build failed"; return 1; }
	"$VNS_SRC/guest-image/build" --arch "$GUEST_ARCH" --build "$arm" >"$VM_TMP/image.log" 2>&1 || { tail -n 20 "$VM_TMP/image.log"; echo "guest-image/build failed"; return 1; }
	return 0
}

vm_start() {
	# Local: the scripts that source this file have variables of these names.
	local mode=$1 queues=$2 packed=$3
	: >"$VM_LOG"
	GUEST_ARCH=$GUEST_ARCH VM_MEMORY=${VM_MEMORY:-768} VIRTIO_QUEUES=$queues MODE=$mode PACKED=$packed VM_PIN="" \
		"$VNS_SRC/tools/run-vm" --netns "$VM_NS" --log "$VM_LOG" ${VM_RUN_OPTS[@]+"${VM_RUN_OPTS[@]}"} \
		</dev/null >"$VM_TMP/run-vm.out" 2>&1 &
	VM_PID=$!
	vm_log "run-vm started (pid $VM_PID, mode $mode, $queues queues, packed=$packed, netns $VM_NS)"
}

vm_stop() {
	if [ -n "$VM_PID" ] && kill -0 "$VM_PID" 2>/dev/null; then
		kill -TERM "$VM_PID" 2>/dev/null
		for _ in $(seq 1 30); do kill -0 "$VM_PID" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$VM_PID" 2>/dev/null || true
	fi
	wait "$VM_PID" 2>/dev/null || true
	VM_PID=""
	# run-vm removes its netns; make sure, in case it was killed hard.
	ip netns del "$VM_NS" 2>/dev/null || true
}

# Ready: kernel mode prints "VNS-GUEST: ready"; vnetsink prints its configuration and then
# stats lines once the queues poll; testpmd says it starts forwarding.
vm_wait_ready() {
	limit=$1
	i=0
	while [ $i -lt $((limit * 2)) ]; do
		if grep -q '^VNS-GUEST: failed' "$VM_LOG" 2>/dev/null; then
			echo "guest failed to start; serial log:"; tail -n 25 "$VM_LOG"; return 1
		fi
		if grep -q '^VNS-GUEST: ready' "$VM_LOG" 2>/dev/null ||
		   grep -q '^No commandline core given, start packet forwarding' "$VM_LOG" 2>/dev/null ||
		   { grep -q '^vnetsink: starting with this configuration' "$VM_LOG" 2>/dev/null &&
		     grep -q '\] q0@' "$VM_LOG" 2>/dev/null; }; then
			vm_log "guest ready after ~$((i / 2)) s"
			return 0
		fi
		if [ -n "$VM_PID" ] && ! kill -0 "$VM_PID" 2>/dev/null; then
			echo "run-vm exited early:"; cat "$VM_TMP/run-vm.out"; tail -n 25 "$VM_LOG"; return 1
		fi
		sleep 0.5
		i=$((i + 1))
	done
	echo "guest not ready after $limit s; serial log:"; tail -n 25 "$VM_LOG"
	return 1
}

# run-vm keeps QEMU's QMP socket in /run/vns-vm.<its pid>.
vm_qmp() {
	printf '{"execute":"qmp_capabilities"}\n{"execute":"%s"}\n' "$1" |
		timeout 5 socat -t 2 - "UNIX-CONNECT:/run/vns-vm.$VM_PID/qmp.sock" 2>/dev/null | grep '"return": *\['
}

# testpmd's cumulative count FIELD (RX-packets, TX-packets, ...) of port 0 in its last
# periodic "NIC statistics" block of the serial log; empty when there is none yet.
vm_testpmd_stat() {
	tr -d '\r' <"$VM_LOG" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | awk -v f="$1:" '
		/NIC statistics for port 0 / { blk = 1; next }
		blk && /^ *#+ *$/ { blk = 0 }
		blk { for (i = 1; i < NF; i++) if ($i == f) v = $(i + 1) }
		END { if (v != "") print v }'
}

vm_ping() {
	for _ in 1 2 3 4 5; do
		ip netns exec "$VM_NS" ping -c 2 -W 2 -q "$VM_GUEST_IP" >/dev/null 2>&1 && return 0
		sleep 1
	done
	return 1
}

# iperf3 client from the netns; the server may need a moment between tests (refused).
vm_iperf() {
	par=$1 secs=$2 out=$3
	shift 3
	for _ in 1 2 3 4 5 6; do
		if ip netns exec "$VM_NS" timeout $((secs + 30)) iperf3 -c "$VM_GUEST_IP" -t "$secs" -P "$par" "$@" -J >"$out" 2>&1; then
			return 0
		fi
		grep -q 'Connection refused\|unable to connect' "$out" || break
		sleep 1
	done
	echo "iperf3 -P $par failed:"; head -c 600 "$out"; echo
	return 1
}

# Field of iperf3's JSON end summary: sent or received bytes, or received bits/s.
iperf_field() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))["end"]
print({"sent": lambda: d["sum_sent"]["bytes"], "received": lambda: d["sum_received"]["bytes"],
       "bps": lambda: int(d["sum_received"]["bits_per_second"])}[sys.argv[2]]())' "$1" "$2"
}
