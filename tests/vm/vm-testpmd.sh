#!/bin/bash
# tests/vm/vm-testpmd.sh [PMD] [QUEUES] [PACKED]: DPDK's dpdk-testpmd in the ARM64 guest on our
# net_vpmd (PMD=vpmd, default) or DPDK's net_virtio (virtio), forwarding in macswap mode, and
# the host answering: from the host side of the tap (private netns) a raw socket sends N
# numbered Ethernet/IPv4/UDP frames to the guest's MAC (source ports vary, so a multi-queue
# tap spreads them over the queues) and counts the frames that come back with the MAC
# addresses swapped. Checks, on both sides:
#   - host: no frame back twice, every frame back swapped (source = the guest's MAC,
#     destination = the tap's), at least 90 % of them back (TCG guest, paced sender);
#   - guest: testpmd's port counters grew by at least what came back (RX-packets and
#     TX-packets), and it sent no more than it received (macswap forwards what it gets);
#   - tap: it passed at least that many frames each way.
# Needs root, qemu-system-aarch64, python3, and the arm64 build (build-arm64 with
# librte_net_vpmd.so, and the sysroot's dpdk-testpmd).
set -eu
PMD=${1:-vpmd}
QUEUES=${2:-2}
PACKED=${3:-off}
N=${VM_TESTPMD_FRAMES:-3000}
HERE=$(cd "$(dirname "$0")" && pwd)
export VNS_SRC=${VNS_SRC:-$(cd "$HERE/../.." && pwd)}
# shellcheck source=../../tools/lib/vm.sh
. "$VNS_SRC/tools/lib/vm.sh"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (netns, tap, hugepages)"
for t in qemu-system-aarch64 python3 ip; do command -v $t >/dev/null || skip "$t not installed (tools/install-deps)"; done

cleanup() { vm_stop; rm -rf "$VM_TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

rc=0; vm_prepare || rc=$?
[ $rc = 77 ] && skip "arm64 build missing"
[ $rc = 0 ] || fail "could not build the guest image"
info=$VNS_SRC/guest-image/out/arm64/image.info
grep -q '^dpdk-tools=.*dpdk-testpmd' "$info" || fail "the guest image has no dpdk-testpmd (tools/cross-sysroot)"
[ "$PMD" = virtio ] || grep -q '^net_vpmd=/' "$info" || fail "the guest image has no librte_net_vpmd.so"

export TESTPMD_STATS=1
# shellcheck disable=SC2034 # read by vm_start (tools/lib/vm.sh)
VM_RUN_OPTS=(--pmd "$PMD" --fwd macswap)
vm_start testpmd "$QUEUES" "$PACKED"
vm_wait_ready 180 || fail "testpmd did not start on $PMD"
grep '^=== ' "$VM_TMP/run-vm.out" || true
[ "$PMD" = vpmd ] && { grep -q 'net_vpmd' "$VM_LOG" || fail "testpmd did not probe net_vpmd"; }

# The counters testpmd printed last, once a stats block has appeared after ready.
stat_now() {
	for _ in $(seq 1 20); do
		v=$(vm_testpmd_stat "$1")
		[ -n "$v" ] && { echo "$v"; return 0; }
		sleep 0.5
	done
	return 1
}
tapstat() { ip netns exec "$VM_NS" cat "/sys/class/net/$VM_TAP/statistics/$1"; }
sleep 2
rx0=$(stat_now RX-packets) || fail "no 'NIC statistics for port 0' block from testpmd"
tx0=$(stat_now TX-packets)
ttx0=$(tapstat tx_packets); trx0=$(tapstat rx_packets)

ip netns exec "$VM_NS" python3 - "$VM_TAP" "$VM_MAC" "$VM_HOST_IP" "$VM_GUEST_IP" "$N" >"$VM_TMP/host.json" <<'EOF' || fail "host sender failed: $(cat "$VM_TMP/host.json")"
import json, socket, struct, sys, threading, time
tap, gmac, sip, dip, n = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), sys.argv[3], sys.argv[4], int(sys.argv[5])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((tap, 0))
hmac = open(f"/sys/class/net/{tap}/address").read().strip()
hmac = bytes.fromhex(hmac.replace(":", ""))
MAGIC = b"VNSTPMD!"

def csum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xFFFF)
    return ~(t + (t >> 16)) & 0xFFFF

def frame(seq):
    payload = MAGIC + struct.pack("!I", seq) + bytes(10)
    udp = struct.pack("!HHHH", 1024 + seq % 64, 9, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xFFFF, 0, 64, 17, 0,
                     socket.inet_aton(sip), socket.inet_aton(dip))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return gmac + hmac + b"\x08\x00" + ip + udp

seen, dup, unswapped = set(), 0, 0
stop = False
def rx():
    global dup, unswapped
    s.settimeout(0.2)
    while not stop:
        try:
            b, addr = s.recvfrom(2048)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING or MAGIC not in b:
            continue
        seq = struct.unpack("!I", b[b.index(MAGIC) + 8:b.index(MAGIC) + 12])[0]
        if b[0:6] != hmac or b[6:12] != gmac:
            unswapped += 1
        elif seq in seen:
            dup += 1
        else:
            seen.add(seq)
t = threading.Thread(target=rx)
t.start()
for i in range(n):
    s.send(frame(i))
    if i % 50 == 49:
        time.sleep(0.02)  # about 2500 frames/s: well inside what a TCG guest forwards
deadline = time.time() + 10
while len(seen) + unswapped < n and time.time() < deadline:
    time.sleep(0.2)
time.sleep(1)
stop = True
t.join()
print(json.dumps({"sent": n, "back": len(seen), "dup": dup, "unswapped": unswapped}))
EOF
cat "$VM_TMP/host.json"
read -r sent back dup unswapped < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["sent"], d["back"], d["dup"], d["unswapped"])' "$VM_TMP/host.json")
sleep 2.5 # two more stats periods
rx1=$(stat_now RX-packets); tx1=$(stat_now TX-packets)
ttx1=$(tapstat tx_packets); trx1=$(tapstat rx_packets)
grx=$((rx1 - rx0)) gtx=$((tx1 - tx0))
echo "host: sent $sent, back $back swapped ($dup twice, $unswapped not swapped); tap: $((ttx1 - ttx0)) to the guest, $((trx1 - trx0)) from it"
echo "testpmd on $PMD: RX-packets +$grx, TX-packets +$gtx"
[ "$dup" = 0 ] || fail "$dup frames came back twice"
[ "$unswapped" = 0 ] || fail "$unswapped frames came back without their MAC addresses swapped"
[ "$back" -ge $((sent * 9 / 10)) ] || fail "only $back of $sent frames came back"
[ "$grx" -ge "$back" ] || fail "testpmd counted $grx received, but $back came back"
[ "$gtx" -ge "$back" ] || fail "testpmd counted $gtx sent, but $back came back"
[ "$gtx" -le "$grx" ] || fail "testpmd sent $gtx, more than the $grx it received"
[ $((ttx1 - ttx0)) -ge "$back" ] && [ $((trx1 - trx0)) -ge "$back" ] ||
	fail "the tap passed fewer frames than came back"
echo "PASS: testpmd macswap on $PMD, $QUEUES queue pairs, packed=$PACKED: $back of $sent frames answered"
