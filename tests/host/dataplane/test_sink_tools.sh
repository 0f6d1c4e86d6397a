#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# DPDK's own tools on a running vnetsink, which runs on net_vpmd (our PMD as an ethdev):
#
#   ping (namespace) -> tap -> dpdk-testpmd (net_tap <-> net_vhost, io) -> vhost-user
#     -> vnetsink --port vpmd:vhost-user:SOCK  (the net_vpmd0 ethdev)
#
# Checks:
#   - dpdk-dumpcap (a secondary process; net_vpmd attaches to the primary's port there)
#     captures vnetsink's queue and writes a pcap in which tcpdump -r finds every echo
#     request and every reply of the ping;
#   - dpdk-proc-info (secondary, loads the plugin with -d) reads the port's stats;
#   - dpdk-telemetry.py /ethdev/stats,N and /ethdev/xstats,N agree with vnetsink's own
#     /vnetsink/stats: ipackets = rx_q0_packets = rx_pkts, opackets = tx_q0_packets = tx_pkts;
#   - vnetsink shuts down cleanly after the capture (exit 0, summary).
# The secondaries find net_vpmd as any DPDK application does: dpdk-proc-info with -d;
# dpdk-dumpcap takes no EAL options, so the plugin is preloaded (LD_PRELOAD) into it.
# Usage: test_sink_tools.sh PATH/TO/vnetsink PATH/TO/librte_net_vpmd.so
#        (root; exits 77 with the reason when it cannot run)
set -u

VNS=${1:?usage: $0 PATH/TO/vnetsink PATH/TO/librte_net_vpmd.so}
PLUGIN=${2:?usage: $0 PATH/TO/vnetsink PATH/TO/librte_net_vpmd.so}
NS=vns-app-tools-$$
TP_PREFIX=app-tools-tp-$$
VNS_PREFIX=app-tools-$$
TAP=vnstl$$
HOST_IP=198.18.0.1
SINK_IP=198.18.0.2
SINK_MAC=02:00:c6:12:00:02
PINGS=5
TMP=$(mktemp -d /tmp/vns-app-tools.XXXXXX)
SOCK=$TMP/vhu.sock
VNS_PID=
TP_PID=
CAP_PID=

# shellcheck source=lib.sh
. "$VNS_SRC/tests/host/dataplane/lib.sh"

cleanup() {
	stop_pid "$CAP_PID" INT
	stop_pid "$VNS_PID"
	stop_pid "$TP_PID"
	ns_del "$NS"
	rm -rf "/var/run/dpdk/$VNS_PREFIX" "/var/run/dpdk/$TP_PREFIX" "$TMP"
}

[ -x "$VNS" ] || skip "vnetsink binary '$VNS' not built"
[ -f "$PLUGIN" ] || skip "net_vpmd plugin '$PLUGIN' not built"
need_tools "apt-get install dpdk tcpdump python3 iproute2" \
	ip ping python3 stdbuf tcpdump dpdk-testpmd dpdk-dumpcap dpdk-proc-info dpdk-telemetry.py
need_hugepages 160

trap cleanup EXIT
trap 'exit 1' INT TERM
ns_add "$NS"
# No IPv6 chatter (router solicitations, MLD) from the tap: the counters below must rest.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

testpmd_vhost "$NS" "$TAP" "$SOCK" "$TP_PREFIX" || exit 1

"$VNS" -l 0,1 --main-lcore 0 --no-pci --single-file-segments --iova-mode=va \
	--file-prefix "$VNS_PREFIX" -- --port "vpmd:vhost-user:$SOCK" \
	--ip "$SINK_IP/24" --mac "$SINK_MAC" --stats-interval 1 \
	>"$TMP/vnetsink.log" 2>&1 &
VNS_PID=$!
if ! vns_started "$TMP/vnetsink.log" "$VNS_PID" "$SOCK"; then
	echo "---- testpmd log ----"
	tail -20 "$TMP/testpmd.log"
	exit 1
fi
if grep -q '^port: ethdev [0-9]* net_vpmd0 (net_vpmd)' "$TMP/vnetsink.log"; then
	echo "ok: vnetsink runs on the net_vpmd0 ethdev"
else
	fail "vnetsink's port is not net_vpmd0: $(grep '^port:' "$TMP/vnetsink.log")"
fi
ip -n "$NS" addr add "$HOST_IP/24" dev "$TAP"
ip -n "$NS" link set "$TAP" up

# 1. dpdk-dumpcap on vnetsink's port while the namespace pings it.
# (line-buffered, so that its "Capturing on" line shows when it does)
LD_PRELOAD=$PLUGIN stdbuf -oL -eL dpdk-dumpcap --file-prefix "$VNS_PREFIX" -i net_vpmd0 -P \
	-w "$TMP/cap.pcap" >"$TMP/dumpcap.log" 2>&1 </dev/null &
CAP_PID=$!
for _ in $(seq 1 50); do
	grep -q '^Capturing on' "$TMP/dumpcap.log" 2>/dev/null && break
	kill -0 "$CAP_PID" 2>/dev/null || break
	sleep 0.2
done
if ! grep -q '^Capturing on' "$TMP/dumpcap.log"; then
	fail "dpdk-dumpcap did not start capturing: $(head -c 600 "$TMP/dumpcap.log")"
else
	ip netns exec "$NS" ping -c "$PINGS" -i 0.2 -W 3 "$SINK_IP" >"$TMP/ping.log" 2>&1 ||
		fail "ping $SINK_IP: $(tail -2 "$TMP/ping.log")"
	sleep 0.5
	stop_pid "$CAP_PID" INT
	wait "$CAP_PID" 2>/dev/null
	CAP_PID=
	tcpdump -n -r "$TMP/cap.pcap" >"$TMP/cap.txt" 2>"$TMP/tcpdump.err"
	req=$(grep -c "IP $HOST_IP > $SINK_IP: ICMP echo request" "$TMP/cap.txt")
	rep=$(grep -c "IP $SINK_IP > $HOST_IP: ICMP echo reply" "$TMP/cap.txt")
	if [ "$req" -eq "$PINGS" ] && [ "$rep" -eq "$PINGS" ]; then
		echo "ok: dpdk-dumpcap -i net_vpmd0: tcpdump -r reads $req echo requests and $rep replies ($(wc -l <"$TMP/cap.txt") frames)"
	else
		fail "dpdk-dumpcap: tcpdump -r finds $req requests and $rep replies, want $PINGS each: $(head -c 600 "$TMP/cap.txt") $(head -c 300 "$TMP/tcpdump.err") $(tail -5 "$TMP/dumpcap.log")"
	fi
fi

# 2. dpdk-proc-info, a secondary that loads the plugin itself.
dpdk-proc-info --file-prefix "$VNS_PREFIX" -d "$PLUGIN" --log-level=lib.eal:error -- --stats \
	>"$TMP/procinfo.log" 2>&1
if grep -q 'RX-packets: *[1-9]' "$TMP/procinfo.log"; then
	echo "ok: dpdk-proc-info --stats: $(grep -o 'RX-packets: *[0-9]*' "$TMP/procinfo.log" | head -1)"
else
	fail "dpdk-proc-info --stats: $(head -c 600 "$TMP/procinfo.log")"
fi

# 3. telemetry: ethdev's view of the port against vnetsink's own counters (traffic at rest;
# read again when a frame slipped in between the three replies).
port=$(grep -o '^port: ethdev [0-9]*' "$TMP/vnetsink.log" | grep -o '[0-9]*$')
agree=
for _ in 1 2 3; do
	printf '/ethdev/stats,%s\n/ethdev/xstats,%s\n/vnetsink/stats\n' "$port" "$port" |
		dpdk-telemetry.py -f "$VNS_PREFIX" >"$TMP/tel.out" 2>&1
	if python3 - "$TMP/tel.out" "$port" >"$TMP/tel.cmp" 2>&1 <<'EOF'; then
import json, sys
docs = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith('{"/'):
        d = json.loads(line)
        docs.update(d)
port = sys.argv[2]
st = docs["/ethdev/stats"]
xs = docs["/ethdev/xstats"]
vs = docs["/vnetsink/stats"]
pairs = [("ipackets", st["ipackets"], vs["rx_pkts"]), ("opackets", st["opackets"], vs["tx_pkts"]),
         ("rx_q0_packets", xs["rx_q0_packets"], vs["rx_pkts"]),
         ("tx_q0_packets", xs["tx_q0_packets"], vs["tx_pkts"]),
         ("q_ipackets[0]", st["q_ipackets"][0], vs["rx_pkts"]),
         ("ibytes", st["ibytes"], vs["rx_bytes"])]
bad = [p for p in pairs if p[1] != p[2]]
print(", ".join("%s %d/%d" % p for p in pairs))
assert vs["rx_pkts"] > 0 and not bad, bad
EOF
		agree=1
		break
	fi
	sleep 1
done
if [ -n "$agree" ]; then
	echo "ok: telemetry /ethdev/stats,$port and /ethdev/xstats,$port == /vnetsink/stats (ethdev/vnetsink): $(cat "$TMP/tel.cmp")"
else
	fail "telemetry: ethdev and vnetsink disagree: $(tail -3 "$TMP/tel.cmp") $(head -c 400 "$TMP/tel.out")"
fi

# 4. clean shutdown after the secondaries have gone
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
	echo "---- dumpcap log ----"
	tail -10 "$TMP/dumpcap.log"
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks of DPDK's tools on vnetsink (net_vpmd) passed"
