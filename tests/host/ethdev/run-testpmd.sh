#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Host test: dpdk-testpmd on our ethdev driver (net_vpmd, loaded with -d) against a second
# dpdk-testpmd as the vhost-user backend (net_vhost), each under its own file prefix.
#
#   run-testpmd.sh -p PLUGIN [-q QUEUES] [-r split|packed] [-f io|macswap] [-t SECONDS]
#                  [-o TX_OFFLOADS]
#     Both sides forward (ours starts with `start tx_first`); after SECONDS ours stops and
#     shows its xstats, then the backend stops. Checked: the ring layout vpmd chose, packets
#     on every queue (rx_q<N>_packets), and that the counts agree: ours received <= the
#     backend sent <= the backend received <= ours sent, and at least 1000 each way; CSUM
#     negotiated exactly when TX_OFFLOADS (testpmd --tx-offloads) asks for a checksum.
#   run-testpmd.sh -p PLUGIN -b DEVARGS -e REGEX
#     Bad devargs: testpmd (--nb-ports=1, no hugepages) must exit non-zero, and the driver
#     must print exactly one line, matching REGEX.
# exit: 0 pass, 1 fail, 77 when root, hugepages or dpdk-testpmd are missing.
set -u

plugin='' queues=1 ring=split fwd=io secs=3 bad='' expect='' txo=''
while getopts p:q:r:f:t:b:e:o: opt; do
	case $opt in
	p) plugin=$OPTARG ;;
	q) queues=$OPTARG ;;
	r) ring=$OPTARG ;;
	f) fwd=$OPTARG ;;
	t) secs=$OPTARG ;;
	b) bad=$OPTARG ;;
	e) expect=$OPTARG ;;
	o) txo=$OPTARG ;;
	*) echo "usage: $0 -p PLUGIN [-q Q] [-r split|packed] [-f io|macswap] | -b DEVARGS -e RE" >&2
	   exit 2 ;;
	esac
done

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (hugepages, DPDK EAL)"
testpmd=$(command -v dpdk-testpmd) || skip "dpdk-testpmd not installed (apt-get install dpdk)"
[ -f "$plugin" ] || fail "driver plugin '$plugin' not built"

dir=$(mktemp -d /tmp/vpmd-ethdev.XXXXXX) || exit 1
tag=eth$$
tp_pid=
cleanup() {
	if [ -n "$tp_pid" ] && kill -0 "$tp_pid" 2>/dev/null; then
		kill -KILL "$tp_pid" 2>/dev/null
		wait "$tp_pid" 2>/dev/null
	fi
	rm -rf "$dir"
	# EAL leaves an empty runtime directory per file prefix, even with --in-memory.
	rmdir "/var/run/dpdk/${tag}tp" "/var/run/dpdk/${tag}me" 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$bad" ]; then
	"$testpmd" -l 0,1 --no-huge -m 64 --no-pci --no-shconf --no-telemetry \
		--log-level=lib.eal:error --file-prefix "${tag}me" -d "$plugin" --vdev "$bad" -- \
		--nb-ports=1 --total-num-mbufs=2048 >"$dir/me.log" 2>&1 </dev/null
	rc=$?
	lines=$(grep -c "^${bad%%,*}: " "$dir/me.log")
	echo "testpmd --vdev '$bad': exit $rc; driver said:"
	grep "^${bad%%,*}: " "$dir/me.log" | sed 's/^/  /'
	[ "$rc" != 0 ] || fail "testpmd exited 0 with bad devargs '$bad'"
	[ "$lines" = 1 ] || fail "expected one error line from the driver, got $lines"
	grep "^${bad%%,*}: " "$dir/me.log" | grep -Eq -- "$expect" ||
		fail "the error line does not match /$expect/"
	echo "PASS"
	exit 0
fi

# testpmd -m 128 and ours -m 128: 128 pages of 2 MB, plus slack.
VNS_SRC=${VNS_SRC:-$(cd "$(dirname "$0")/../../.." && pwd)}
# shellcheck source=../lib.sh
. "$VNS_SRC/tests/host/lib.sh"
need_hugepages 160

case $ring in
split) packed=off ;;
packed) packed=on ;;
*) fail "-r must be split or packed" ;;
esac
sock=$dir/vhu.sock
common="--no-pci --in-memory --single-file-segments -m 128 --no-telemetry --log-level=lib.eal:error"

# Backend: main lcore 0 (sleeps in the stats loop), forwarding lcore 1.
# shellcheck disable=SC2086
"$testpmd" -l 0,1 --main-lcore 0 $common --file-prefix "${tag}tp" \
	--vdev "net_vhost0,iface=$sock,queues=$queues" -- \
	--forward-mode="$fwd" --port-topology=loop --auto-start \
	--rxq="$queues" --txq="$queues" --total-num-mbufs=8192 --stats-period 1 \
	>"$dir/tp.log" 2>&1 </dev/null &
tp_pid=$!
i=0
while [ ! -S "$sock" ]; do
	kill -0 "$tp_pid" 2>/dev/null || { tail -20 "$dir/tp.log"; fail "backend testpmd exited"; }
	[ $i -lt 100 ] || { tail -20 "$dir/tp.log"; fail "no socket $sock after 10 s"; }
	sleep 0.1
	i=$((i + 1))
done

devargs="net_vpmd0,vhost-user=$sock,queues=$queues,packed=$packed"
txargs=
[ -n "$txo" ] && txargs="--tx-offloads=$txo"
echo "ours:    dpdk-testpmd -d $plugin --vdev $devargs -- -i --forward-mode=$fwd $txargs"
echo "backend: dpdk-testpmd --vdev net_vhost0,iface=$sock,queues=$queues"
{
	sleep 1
	echo "start tx_first"
	sleep "$secs"
	echo "stop"
	echo "show port xstats 0"
	echo "quit"
} | "$testpmd" -l 0,1 --main-lcore 0 $common --iova-mode=va --file-prefix "${tag}me" \
	-d "$plugin" --vdev "$devargs" -- -i --forward-mode="$fwd" --port-topology=loop \
	--rxq="$queues" --txq="$queues" --total-num-mbufs=8192 $txargs >"$dir/me.log" 2>&1
rc=$?
kill -INT "$tp_pid"
i=0
while kill -0 "$tp_pid" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
wait "$tp_pid" 2>/dev/null
tp_pid=

show() {
	echo "--- ours ---"
	grep -a -v '^\s*$' "$dir/me.log" | grep -a -v '_q[0-9]*_\|^  [a-z_]*: 0$' | tail -40
	echo "--- backend (tail) ---"
	grep -a -v '^\s*$' "$dir/tp.log" | grep -a -v 'Port statistics\|####\|Rx-pps\|Tx-pps\|NIC stat\|Throughput\|RX-\(errors\|nombuf\|missed\)' | tail -15
}
# The first "RX-packets:"/"TX-packets:" after "Forward statistics for port 0".
fwd_count() {
	awk -v k="$2:" '/Forward statistics for port 0/ { f = 1 }
		f && $1 == k { print $2; exit }' "$1"
}
xstat() {
	awk -v k="$1:" '$1 == k { v = $2 } END { print v + 0 }' "$dir/me.log"
}

[ $rc = 0 ] || { show; fail "our testpmd exited $rc"; }
grep -aq "rx path: $ring" "$dir/me.log" || { show; fail "vpmd did not choose $ring rings"; }
# CSUM makes the backend read every tx header: only when the application asked for it
# (RTE_ETH_TX_OFFLOAD_UDP_CKSUM 0x4, TCP_CKSUM 0x8, TCP_TSO 0x20).
want_csum=0
[ -n "$txo" ] && [ $((txo & 0x2c)) != 0 ] && want_csum=1
has_csum=0
grep -aEq 'configured: .*features: (.* )?CSUM( |$)' "$dir/me.log" && has_csum=1
[ $has_csum = $want_csum ] ||
	{ show; fail "CSUM negotiated: $has_csum, tx offloads '${txo:-none}' ask for: $want_csum"; }
my_rx=$(fwd_count "$dir/me.log" RX-packets)
my_tx=$(fwd_count "$dir/me.log" TX-packets)
tp_rx=$(fwd_count "$dir/tp.log" RX-packets)
tp_tx=$(fwd_count "$dir/tp.log" TX-packets)
echo "ours: rx $my_rx tx $my_tx; backend: rx $tp_rx tx $tp_tx"
[ -n "$my_rx" ] && [ -n "$my_tx" ] && [ -n "$tp_rx" ] && [ -n "$tp_tx" ] ||
	{ show; fail "missing forward statistics"; }
[ "$my_rx" -ge 1000 ] && [ "$tp_rx" -ge 1000 ] || { show; fail "fewer than 1000 packets"; }
[ "$my_rx" -le "$tp_tx" ] && [ "$tp_tx" -le "$tp_rx" ] && [ "$tp_rx" -le "$my_tx" ] ||
	{ show; fail "counts disagree: need ours rx <= backend tx <= backend rx <= ours tx"; }
q=0
while [ $q -lt "$queues" ]; do
	n=$(xstat "rx_q${q}_packets")
	t=$(xstat "tx_q${q}_packets")
	echo "xstats: rx_q${q}_packets $n tx_q${q}_packets $t"
	[ "$n" -gt 0 ] && [ "$t" -gt 0 ] || { show; fail "queue $q carried no packets"; }
	q=$((q + 1))
done
echo "PASS"
