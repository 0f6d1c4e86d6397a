#!/bin/bash
# tests/vm/vm-client.sh: client mode in the ARM64 guest (the seed guide's direction: the guest
# sends). tools/run-vm --mode vnetsink-client boots the guest on our PMD, starts iperf3 -s on
# the host side of the tap (JSON kept) and the guest runs vnetsink --iperf-client against it:
#   - split rings, -t 3 (we send): exit 0, and the bytes our JSON says we sent equal the
#     server's received bytes;
#   - split rings, -R -P 2 (the server sends): our received bytes equal the server's sent;
#   - packed rings, -P 4 -t 3: as the first;
#   - split rings, -u -R -b 50M (the server sends datagrams, we receive and account for
#     them): tests/host/dataplane/udp_client_check.py on both ends' JSON.
# One boot per run (~15-40 s under TCG). Needs root, qemu-system-aarch64, iperf3, python3 and
# the arm64 build (build-arm64).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
export VNS_SRC=${VNS_SRC:-$(cd "$HERE/../.." && pwd)}
# shellcheck source=../../tools/lib/vm.sh
. "$VNS_SRC/tools/lib/vm.sh"

skip() { echo "SKIP: $*"; exit 77; }
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ "$(id -u)" = 0 ] || skip "needs root (netns, tap, hugepages)"
for t in qemu-system-aarch64 iperf3 python3 ip; do command -v $t >/dev/null || skip "$t not installed (tools/install-deps)"; done

cleanup() { rm -rf "$VM_TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

rc=0; vm_prepare || rc=$?
[ $rc = 77 ] && skip "arm64 build missing"
[ $rc = 0 ] || fail "guest preparation failed"
[ "$fails" = 0 ] || exit 1

# run NAME PACKED ARGS: one boot, one test; compares the two ends' byte counts.
run() {
	local name=$1 packed=$2 args=$3 srv=$VM_TMP/$1.srv.json cli=$VM_TMP/$1.cli.json rc=0
	GUEST_ARCH=arm64 VM_MEMORY=${VM_MEMORY:-768} VIRTIO_QUEUES=2 VM_PIN="" timeout 300 \
		"$VNS_SRC/tools/run-vm" --mode vnetsink-client --packed "$packed" --client "$args" \
		--netns "$VM_NS" --log "$VM_LOG" --server-json "$srv" </dev/null \
		>"$VM_TMP/$name.out" 2>&1 || rc=$?
	tr -d '\r' <"$VM_LOG" | sed -n 's/^VNS-GUEST: client-json //p' | tail -n 1 >"$cli"
	if [ "$rc" != 0 ]; then
		fail "$name: run-vm exited with $rc"
		tail -n 8 "$VM_TMP/$name.out"
		return
	fi
	case " $args " in
	*" -u "*)
		# UDP: the datagram and byte accounting of both ends (the host test's checker).
		local out
		if out=$(python3 "$VNS_SRC/tests/host/dataplane/udp_client_check.py" "$cli" "$srv" 2>&1); then
			echo "ok: $name: $out"
		else
			fail "$name: $out"
		fi
		return ;;
	esac
	python3 - "$name" "$cli" "$srv" "$args" <<'PY' || fails=$((fails + 1))
import json, sys
name, cli, srv, args = sys.argv[1:5]
c = json.load(open(cli))["end"]
s = json.load(open(srv))["end"]
if "-R" in args.split():
    ours, theirs, what = c["sum_received"]["bytes"], s["sum_sent"]["bytes"], "received"
else:
    ours, theirs, what = c["sum_sent"]["bytes"], s["sum_received"]["bytes"], "sent"
if ours <= 0 or ours != theirs:
    print(f"FAIL: {name}: we {what} {ours} bytes, the host's iperf3 -s says {theirs}")
    sys.exit(1)
print(f"ok: {name}: {ours} bytes {what} on both ends, "
      f"{c['sum_received']['bits_per_second'] / 1e9:.3f} Gbit/s")
PY
}

run split-send off "-t 3"
run split-reverse off "-R -P 2 -t 3"
run packed-send-p4 on "-P 4 -t 3"
run split-udp-reverse off "-u -R -b 50M -t 3"

[ "$fails" = 0 ] || exit 1
echo "PASS"
