#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Host test driver: start dpdk-testpmd as a vhost-user backend (net_vhost, server socket)
# with its own file prefix on lcore 1, wait for its socket, run a test program of ours
# against it on lcore 0, and always stop testpmd.
#
# usage: run-loopback.sh [-q QUEUES] [-f io|macswap] [-P] [-S] [-K] [-C] PROG [PROG ARGS...]
#   PROG runs as: PROG EAL_ARGS -- -s SOCKET PROG_ARGS...
#   -P  vhu_proto style instead: PROG SOCKET,queues=Q EAL_ARGS
#   -S  our side runs without --single-file-segments (to test that error)
#   -K  reconnect: PROG also gets -K MARKER; once it creates MARKER, testpmd is killed
#       (SIGKILL, in the middle of the traffic) and started again
#   -C  testpmd is the vhost-user client (client=1) and PROG listens (gets -L); PROG starts
#       first
# exit: the program's status; 77 when root, hugepages or dpdk-testpmd are missing.
set -u

queues=1
fwd=io
proto=0
kill_restart=0
tp_client=0
sfs=--single-file-segments
while getopts q:f:PSKC opt; do
	case $opt in
	q) queues=$OPTARG ;;
	f) fwd=$OPTARG ;;
	P) proto=1 ;;
	S) sfs= ;;
	K) kill_restart=1 ;;
	C) tp_client=1 ;;
	*) echo "usage: $0 [-q QUEUES] [-f io|macswap] [-P] PROG [ARGS...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-q QUEUES] [-f io|macswap] [-P] PROG [ARGS...]" >&2; exit 2; }
prog=$1
shift

skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (hugepages, DPDK EAL)"
testpmd=$(command -v dpdk-testpmd) || skip "dpdk-testpmd not installed (apt-get install dpdk)"
[ -x "$prog" ] || { echo "FAIL: test program $prog not built"; exit 1; }

# testpmd -m 128 and ours -m 128: 128 pages of 2 MB, plus slack.
VNS_SRC=${VNS_SRC:-$(cd "$(dirname "$0")/../../.." && pwd)}
# shellcheck source=../lib.sh
. "$VNS_SRC/tests/host/lib.sh"
need_hugepages 160

dir=$(mktemp -d /tmp/vhu-test.XXXXXX) || exit 1
sock=$dir/vhu.sock
tag=vhu$$
tp_pid=
prog_pid=
cleanup() {
	if [ -n "$prog_pid" ] && kill -0 "$prog_pid" 2>/dev/null; then
		kill -KILL "$prog_pid" 2>/dev/null
		wait "$prog_pid" 2>/dev/null
	fi
	if [ -n "$tp_pid" ] && kill -0 "$tp_pid" 2>/dev/null; then
		kill -TERM "$tp_pid" 2>/dev/null
		i=0
		while kill -0 "$tp_pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
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

# Backend: main lcore 0 (sleeps in the stats loop), forwarding lcore 1. --in-memory: no
# hugepage files or runtime dirs left behind even if it gets killed.
vdev="net_vhost0,iface=$sock,queues=$queues"
[ $tp_client = 1 ] && vdev="$vdev,client=1"
start_testpmd() {
	"$testpmd" -l 0,1 --main-lcore 0 --no-pci --in-memory --single-file-segments -m 128 \
		--file-prefix "${tag}tp" --no-telemetry --log-level=lib.eal:error \
		--vdev "$vdev" -- \
		--forward-mode="$fwd" --port-topology=loop --auto-start \
		--rxq="$queues" --txq="$queues" --total-num-mbufs=8192 --stats-period 1 \
		>> "$dir/testpmd.log" 2>&1 < /dev/null &
	tp_pid=$!
}

# The server's socket file appears once it listens (testpmd's, or ours with -C).
wait_socket() {
	i=0
	while [ ! -S "$sock" ]; do
		if ! kill -0 "$1" 2>/dev/null; then
			echo "FAIL: $2 exited before creating $sock:"
			tail -20 "$dir/testpmd.log"
			exit 1
		fi
		if [ $i -ge 100 ]; then
			echo "FAIL: no socket $sock after 10 s"
			tail -20 "$dir/testpmd.log"
			exit 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

if [ $tp_client = 0 ]; then
	start_testpmd
	wait_socket "$tp_pid" dpdk-testpmd
fi

eal="-l 0 --no-pci --in-memory $sfs --iova-mode=va -m 128 --file-prefix ${tag}me"
eal="$eal --no-telemetry --log-level=lib.eal:error"
echo "backend: testpmd net_vhost queues=$queues forward-mode=$fwd socket $sock"
extra=
[ $kill_restart = 1 ] && extra="-K $dir/marker"
[ $tp_client = 1 ] && extra="$extra -L"
if [ $proto = 1 ]; then
	# shellcheck disable=SC2086
	"$prog" "$sock,queues=$queues" $eal "$@"
	rc=$?
elif [ $kill_restart = 0 ] && [ $tp_client = 0 ]; then
	# shellcheck disable=SC2086
	"$prog" $eal -- -s "$sock" -q "$queues" -f "$fwd" $extra "$@"
	rc=$?
else
	# shellcheck disable=SC2086
	"$prog" $eal -- -s "$sock" -q "$queues" -f "$fwd" $extra "$@" &
	prog_pid=$!
	if [ $tp_client = 1 ]; then
		wait_socket "$prog_pid" "$prog"
		start_testpmd
	fi
	if [ $kill_restart = 1 ]; then
		i=0
		while [ ! -e "$dir/marker" ] && kill -0 "$prog_pid" 2>/dev/null && [ $i -lt 600 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		if [ -e "$dir/marker" ]; then
			echo "backend: killing testpmd (pid $tp_pid) under traffic"
			kill -KILL "$tp_pid" 2>/dev/null
			wait "$tp_pid" 2>/dev/null
			sleep 1
			# A killed server leaves its socket file behind; testpmd will not bind over it.
			[ $tp_client = 0 ] && rm -f "$sock"
			echo "backend: restarting testpmd"
			start_testpmd
		fi
	fi
	wait "$prog_pid"
	rc=$?
fi
if [ $rc != 0 ] && [ $rc != 77 ]; then
	echo "--- testpmd log (tail) ---"
	grep -a -v '^\s*$' "$dir/testpmd.log" |
		grep -a -v 'Port statistics\|####\|RX-\|TX-\|Throughput' |
		grep -a -v 'Rx-pps\|Tx-pps\|RX-nombuf' |
		tail -30
fi
exit $rc
