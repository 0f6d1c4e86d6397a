# tools/lib/steal.sh: host CPU steal, for the benchmarks (sourced by tools/bench-pmd and
# tools/bench-sink). On a shared cloud host the hypervisor takes CPU from this machine at
# times (0-45 % measured on 2026-12-02) and every rate falls with it, so each run says how
# much it lost.
#   steal_snap             "TOTAL STEAL" jiffies of /proc/stat's cpu line
#   steal_since TOTAL STEAL  steal as % of all CPU time since that snapshot
# shellcheck shell=bash

steal_snap() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $9 }' /proc/stat; }
steal_since() {
	awk -v a="$1" -v b="$2" '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i
		printf "%.1f", (t - a > 0) ? 100 * ($9 - b) / (t - a) : 0 }' /proc/stat
}
