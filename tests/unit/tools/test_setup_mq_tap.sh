#!/bin/sh
# tools/setup-mq-tap argument handling (dry-run; no root, no devices touched).
set -u
. "$(dirname "$0")/lib.sh"
S="$VNS_SRC/tools/setup-mq-tap"
expect_rc 0 "default tap name is qemu-lan" -- "$S" --dry-run
expect_out "ip tuntap add dev qemu-lan mode tap multi_queue" "creates a multi_queue tap"
expect_rc 0 "count creates numbered taps in a netns" -- "$S" --dry-run --count 3 --netns vnsx tq
expect_out "ip netns exec vnsx ip tuntap add dev tq2 mode tap multi_queue" "third tap in the namespace"
expect_out "^ip netns add vnsx" "creates the namespace"
expect_rc 0 "address and mtu" -- "$S" --dry-run --addr 198.18.0.1/24 --mtu 9000 lan0
expect_out "ip addr replace 198.18.0.1/24 dev lan0" "sets the address"
expect_out "mtu 9000" "sets the mtu"
expect_rc 0 "delete" -- "$S" --dry-run --delete lan0
expect_out "ip link del dev lan0" "deletes"
expect_rc 2 "bad count" -- "$S" --dry-run --count 0
expect_out "bad --count '0'" "names the option"
expect_lines 2 "error line plus usage"
expect_rc 2 "count with two names" -- "$S" --dry-run --count 2 a b
expect_rc 2 "name too long" -- "$S" --dry-run abcdefghijklmnop
expect_out "at most 15 characters" "explains IFNAMSIZ"
expect_rc 2 "bad characters in name" -- "$S" --dry-run 'a b;c'
expect_rc 2 "bad address" -- "$S" --dry-run --addr 198.18.0.1
expect_out "bad --addr" "names the option"
expect_rc 2 "bad mtu" -- "$S" --dry-run --mtu 20
expect_rc 2 "bad netns" -- "$S" --dry-run --netns ../x
expect_rc 2 "unknown option" -- "$S" --queues 4
expect_rc 2 "missing value" -- "$S" --netns
expect_rc 0 "help explains the one_queue error" -- "$S" --help
expect_out "could not configure /dev/net/tun: Invalid argument" "help mentions the seed's error"
finish
