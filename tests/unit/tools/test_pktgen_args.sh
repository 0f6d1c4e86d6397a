#!/bin/sh
# vns-pktgen refuses bad arguments and addresses outside 198.18.0.0/15 (no root needed:
# it exits before opening a socket).
set -u
. "$(dirname "$0")/lib.sh"
G=$1
base="--dev lo --dst-mac 52:54:00:00:00:01"
expect_rc 2 "missing required options" -- "$G" --dev lo
expect_out "are required" "says which"
expect_rc 2 "destination outside the benchmark range" -- "$G" $base --src-ip 198.18.0.1 --dst-ip 203.0.113.2
expect_out "bad --dst-ip: an IPv4 address in 198.18.0.0/15" "names the range"
expect_rc 2 "source outside the benchmark range" -- "$G" $base --src-ip 203.0.113.1 --dst-ip 198.18.0.2
expect_rc 2 "frame too small" -- "$G" $base --src-ip 198.18.0.1 --dst-ip 198.18.0.2 --size 32
expect_out "bad --size" "names the option"
expect_rc 2 "frame too large" -- "$G" $base --src-ip 198.18.0.1 --dst-ip 198.18.0.2 --size 9000
expect_rc 2 "bad mac" -- "$G" --dev lo --dst-mac 52:54 --src-ip 198.18.0.1 --dst-ip 198.18.0.2
expect_rc 2 "negative seconds" -- "$G" $base --src-ip 198.18.0.1 --dst-ip 198.18.0.2 --seconds -1
expect_rc 2 "batch too large" -- "$G" $base --src-ip 198.18.0.1 --dst-ip 198.18.0.2 --batch 1000
expect_rc 2 "stray argument" -- "$G" $base --src-ip 198.18.0.1 --dst-ip 198.18.0.2 extra
finish
