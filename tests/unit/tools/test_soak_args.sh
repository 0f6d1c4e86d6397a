#!/bin/sh
# tools/soak refuses bad arguments with exit 2 and a line naming the option, before it needs
# root or touches a namespace.
set -u
. "$(dirname "$0")/lib.sh"
S=$VNS_SRC/tools/soak
expect_rc 2 "zero minutes" -- "$S" --minutes 0
expect_out "\-\-minutes '0': expected whole minutes" "names --minutes"
expect_rc 2 "minutes not a number" -- "$S" --minutes 2m
expect_rc 2 "minutes too many" -- "$S" --minutes 100000
expect_rc 2 "missing value" -- "$S" --minutes
expect_rc 2 "seed not a number" -- "$S" --seed -3
expect_out "\-\-seed '-3'" "names --seed"
expect_rc 2 "unknown argument" -- "$S" --hours 2
expect_out "unknown argument '--hours'" "names it"
expect_rc 0 "help" -- "$S" --help
expect_out "default|half-opens" "help describes the churn"
finish
