#!/bin/sh
# vns-synflood refuses bad arguments and any address outside 198.18.0.0/15, destination or
# spoofed source network, before it opens a socket (no root needed).
set -u
. "$(dirname "$0")/lib.sh"
G=$1
base="--dev lo --dst-mac 02:00:c6:12:00:02"
expect_rc 2 "missing required options" -- "$G" --dev lo
expect_out "are required" "says which"
expect_rc 2 "destination outside the range" -- "$G" $base --dst-ip 203.0.113.2
expect_out "bad --dst-ip: an IPv4 address in 198.18.0.0/15" "names the range"
expect_rc 2 "source network outside the range" -- "$G" $base --dst-ip 198.18.0.2 --src-net 198.20.0.0/16
expect_out "bad --src-net" "names --src-net"
expect_rc 2 "source network wider than the range" -- "$G" $base --dst-ip 198.18.0.2 --src-net 198.16.0.0/13
expect_rc 2 "source network without a length" -- "$G" $base --dst-ip 198.18.0.2 --src-net 198.19.0.0
expect_rc 2 "port 0" -- "$G" $base --dst-ip 198.18.0.2 --ports 5201,0
expect_rc 2 "too many ports" -- "$G" $base --dst-ip 198.18.0.2 --ports 1,2,3,4,5,6,7,8,9
expect_rc 2 "bad mac" -- "$G" --dev lo --dst-mac 02:00 --dst-ip 198.18.0.2
expect_rc 2 "seconds too long" -- "$G" $base --dst-ip 198.18.0.2 --seconds 4000
expect_rc 2 "no end" -- "$G" $base --dst-ip 198.18.0.2 --seconds 0
expect_rc 2 "stray argument" -- "$G" $base --dst-ip 198.18.0.2 extra
finish
