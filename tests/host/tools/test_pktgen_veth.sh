#!/bin/sh
# vns-pktgen on a veth pair inside a private namespace: the far end counts every frame it
# sent, with the sizes asked for (root).
set -u
. "$VNS_SRC/tests/unit/tools/lib.sh"
G=$1
[ "$(id -u)" = 0 ] || { echo "needs root (network namespace, raw socket)"; exit 77; }
NS=vns-pktgen-$$
cleanup() { ip netns del "$NS" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add "$NS" || { echo "cannot create a network namespace"; exit 1; }
# No IPv6 in the namespace: a link coming up would send router solicitations and MLD
# reports of its own, and the counts below must hold only what the generator sent.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link add vpg0 type veth peer name vpg1
ip -n "$NS" link set vpg0 up; ip -n "$NS" link set vpg1 up
mac=$(ip netns exec "$NS" cat /sys/class/net/vpg1/address)
for size in 64 1518; do
	before=$(ip netns exec "$NS" cat /sys/class/net/vpg1/statistics/rx_packets)
	bbytes=$(ip netns exec "$NS" cat /sys/class/net/vpg1/statistics/rx_bytes)
	expect_rc 0 "send 5000 frames of $size B" -- ip netns exec "$NS" "$G" --dev vpg0 --dst-mac "$mac" \
		--src-ip 198.18.0.1 --dst-ip 198.18.0.2 --size "$size" --count 5000 --flows 4
	expect_out "sent 5000 frames of $size B" "reports the count"
	after=$(ip netns exec "$NS" cat /sys/class/net/vpg1/statistics/rx_packets)
	abytes=$(ip netns exec "$NS" cat /sys/class/net/vpg1/statistics/rx_bytes)
	checks=$((checks + 1))
	if [ $((after - before)) = 5000 ] && [ $((abytes - bbytes)) = $((5000 * (size - 4))) ]; then
		echo "ok: the peer received 5000 frames of $((size - 4)) B (without FCS)"
	else
		echo "FAIL: the peer received $((after - before)) frames, $((abytes - bbytes)) bytes"; fails=$((fails + 1))
	fi
done
finish
