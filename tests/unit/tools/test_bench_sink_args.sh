#!/bin/sh
# tools/bench-sink refuses bad arguments with exit 2 and a line naming the option, before it
# needs root or touches a namespace (the -i loss-recovery options included).
set -u
. "$(dirname "$0")/lib.sh"
B=$VNS_SRC/tools/bench-sink
expect_rc 2 "unknown cell" -- "$B" -i -C 'loss1 loss7'
expect_out "unknown cell 'loss7'" "names the cell"
expect_out "clean loss1 loss5 reorder dup5 corrupt1 mix" "lists the cells"
expect_rc 2 "empty cell list" -- "$B" -i -C ''
expect_rc 2 "seed not a number" -- "$B" -i -s 1x
expect_out "\-s '1x'" "names -s"
expect_rc 2 "seconds out of range" -- "$B" -t 0
expect_rc 2 "unknown option" -- "$B" -Z
expect_rc 2 "-p without -i" -- "$B" -p
expect_out "\-p: only with -i" "names -p"
expect_rc 2 "bottleneck not a number" -- "$B" -i -b 300M
expect_out "\-b '300M'" "names -b"
expect_rc 2 "bottleneck too large" -- "$B" -i -b 1000000
expect_rc 2 "delay not a number" -- "$B" -i -d 1ms
expect_out "\-d '1ms'" "names -d"
expect_rc 2 "congestion control not a name" -- "$B" -c 'cubic;x'
expect_out "\-c 'cubic;x'" "names -c"
expect_rc 0 "help" -- "$B" -h
expect_out "same bottleneck" "help explains -b"
expect_out "fraction of its own clean-link rate" "help explains -i"
finish
