#!/bin/sh
# tools/impair and vns-impair refuse bad arguments with exit 2 and a line naming the option,
# before touching any interface (no root needed); --check builds both halves when clang and
# libbpf-dev are installed.
# usage: test_impair_args.sh [PATH/TO/vns-impair]
set -u
. "$(dirname "$0")/lib.sh"
I=$VNS_SRC/tools/impair
expect_rc 2 "no interface" -- "$I" --loss 1
expect_out "which interface" "asks for the interface"
expect_rc 2 "loss above 100 %" -- "$I" eth0 --loss 101
expect_out "\-\-loss '101': expected a percentage" "names --loss"
expect_rc 2 "negative dup" -- "$I" eth0 --dup -1
expect_out "\-\-dup '-1'" "names --dup"
expect_rc 2 "two dots" -- "$I" eth0 --corrupt 1.2.3
expect_rc 2 "word as reorder" -- "$I" eth0 --reorder lots
expect_rc 2 "seed not a number" -- "$I" eth0 --seed x1
expect_out "\-\-seed 'x1'" "names --seed"
expect_rc 2 "delay too long" -- "$I" eth0 --delay-us 2000000
expect_rc 2 "base delay too long" -- "$I" eth0 --base-delay-us 2000000
expect_out "\-\-base-delay-us '2000000'" "names --base-delay-us"
expect_rc 2 "base delay a word" -- "$I" eth0 --base-delay-us 1ms
expect_rc 2 "unknown option" -- "$I" eth0 --jitter 3
expect_out "unknown option '--jitter'" "names the option"
expect_rc 2 "two interfaces" -- "$I" eth0 eth1
expect_rc 2 "bad interface name" -- "$I" 'eth0;rm' --loss 1
expect_rc 2 "missing value" -- "$I" eth0 --loss
expect_rc 0 "help" -- "$I" --help
expect_out "gso_max_segs 1" "help says what it does to the interface"
if [ $# -ge 1 ]; then
	V=$1
	expect_rc 2 "vns-impair without --dev" -- "$V" --map imp_x
	expect_out "\-\-dev and \-\-map are required" "says which"
	expect_rc 2 "vns-impair delay too long" -- "$V" --dev lo --map imp_x --delay-us 1000001
	expect_rc 2 "vns-impair base delay too long" -- "$V" --dev lo --map imp_x --base-delay-us 1000001
	expect_rc 2 "vns-impair zero mark" -- "$V" --dev lo --map imp_x --mark 0
	expect_rc 2 "vns-impair long map name" -- "$V" --dev lo --map imp_0123456789abc
	expect_rc 2 "vns-impair stray" -- "$V" --dev lo --map imp_x extra
fi
if command -v clang >/dev/null && [ -e /usr/include/bpf/bpf_helpers.h ]; then
	VNS_IMPAIR_RUN=$(mktemp -d) && export VNS_IMPAIR_RUN
	expect_rc 0 "both halves build" -- "$I" --check --loss 5
	rm -rf "$VNS_IMPAIR_RUN"
fi
finish
