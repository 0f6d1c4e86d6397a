#!/bin/sh
# tools/impair --base-delay-us on a veth pair between two private namespaces: every TCP frame
# waits the base delay in order (the sender's minimum RTT grows by it, nothing is reordered or
# retransmitted on a clean path), every frame the line took in it sent out again, and --off
# leaves nothing held. Then the same with 2 % reordering on top: the delayed frames come back
# too. Root, clang and libbpf-dev; exits 77 when it cannot run.
set -u
. "$VNS_SRC/tests/unit/tools/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces, tc, BPF)"; exit 77; }
command -v iperf3 >/dev/null || { echo "needs iperf3"; exit 77; }
command -v clang >/dev/null && [ -e /usr/include/bpf/bpf_helpers.h ] ||
	{ echo "needs clang and libbpf-dev (tools/install-deps --group test)"; exit 77; }
I=$VNS_SRC/tools/impair
C=vns-dly-c-$$ K=vns-dly-k-$$
VNS_IMPAIR_RUN=$(mktemp -d) && export VNS_IMPAIR_RUN
cleanup() {
	"$I" --netns "$C" vdc0 --off >/dev/null 2>&1
	ip netns pids "$K" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$C" 2>/dev/null
	ip netns del "$K" 2>/dev/null
	rm -rf "$VNS_IMPAIR_RUN"
}
trap cleanup EXIT INT TERM
ip netns add "$C" && ip netns add "$K" || { echo "cannot create namespaces"; exit 1; }
ip link add vdc0 netns "$C" type veth peer name vdk0 netns "$K"
ip -n "$C" addr add 198.18.7.1/24 dev vdc0
ip -n "$K" addr add 198.18.7.2/24 dev vdk0
ip -n "$C" link set vdc0 up; ip -n "$K" link set vdk0 up
ip -n "$C" link set lo up; ip -n "$K" link set lo up
ip netns exec "$K" iperf3 -s -D -p 5201 >/dev/null 2>&1
sleep 0.5

# run NAME: 2 s of iperf3; sets min_rtt (us), the lowest RTT sample the sender's TCP took on
# either connection (tcpi_min_rtt, read with ss while they are up: iperf3's own "min_rtt" is
# the lowest of its once-a-second smoothed RTTs, which a loaded machine lifts by milliseconds),
# and retrans, the data stream's retransmissions.
run() {
	ip netns exec "$C" iperf3 -c 198.18.7.2 -t 2 -b 200M --json >"$VNS_IMPAIR_RUN/$1.json" 2>&1 &
	iperf_pid=$!
	sleep 1.5
	ip netns exec "$C" ss -tinH dst 198.18.7.2 >"$VNS_IMPAIR_RUN/$1.ss" 2>&1
	wait "$iperf_pid"
	min_rtt=$(grep -o 'minrtt:[0-9.]*' "$VNS_IMPAIR_RUN/$1.ss" |
		awk -F: 'NR == 1 || $2 < m { m = $2 } END { print NR ? int(m * 1000) : -1 }')
	retrans=$(python3 -c 'import json,sys
print(json.load(open(sys.argv[1]))["end"]["streams"][0]["sender"].get("retransmits", -1))' \
		"$VNS_IMPAIR_RUN/$1.json" 2>/dev/null || echo -1)
}
# in_range V LO HI: LO <= V < HI.  all_out IN OUT MIN: IN >= MIN and every one went out.
in_range() { [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; }
all_out() { [ "$1" -ge "$3" ] && [ "$1" = "$2" ]; }
# counter NAME: from the JSON line --off printed (in $out).
counter() { python3 -c 'import json,sys; print(json.loads(sys.argv[1].splitlines()[-1])[sys.argv[2]])' "$out" "$1"; }

run base
expect_true "without a delay line the minimum RTT is under 1 ms ($min_rtt us)" -- in_range "$min_rtt" 0 1000

expect_rc 0 "a 3 ms base delay" -- "$I" --netns "$C" vdc0 --seed 3 --base-delay-us 3000
expect_out "base delay 3000 us" "says the base delay"
run delayed
expect_true "with it the minimum RTT is 3-6 ms ($min_rtt us)" -- in_range "$min_rtt" 3000 6000
expect_true "and nothing was sent again ($retrans retransmissions)" -- [ "$retrans" = 0 ]
out=$("$I" --netns "$C" vdc0 --off)
expect_true "every frame the line took went out ($(counter base_in) in, $(counter base_sent) out)" -- \
	all_out "$(counter base_in)" "$(counter base_sent)" 1000
expect_true "nothing held after --off" -- [ "$(counter held)" = 0 ]

expect_rc 0 "a base delay with 2 % reordering" -- "$I" --netns "$C" vdc0 --seed 3 --base-delay-us 3000 --reorder 2 --delay-us 2000
run reordered
expect_true "the minimum RTT is still 3-6 ms ($min_rtt us)" -- in_range "$min_rtt" 3000 6000
out=$("$I" --netns "$C" vdc0 --off)
expect_true "the reordered frames came back ($(counter delay_in) in, $(counter delay_sent) out)" -- \
	all_out "$(counter delay_in)" "$(counter delay_sent)" 1
finish
