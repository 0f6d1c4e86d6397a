# Small assertion helpers for the tools' tests (sourced).
# shellcheck shell=sh
fails=0
checks=0
# expect_rc WANT DESC -- CMD...: run CMD, check its exit status, keep its output in $out
expect_rc() {
	want=$1 desc=$2; shift 3
	out=$("$@" 2>&1) && rc=0 || rc=$?
	checks=$((checks + 1))
	if [ "$rc" != "$want" ]; then
		echo "FAIL: $desc: exit $rc, wanted $want; output:"; echo "$out" | sed 's/^/    /'
		fails=$((fails + 1))
	else
		echo "ok: $desc"
	fi
}
# expect_out PATTERN DESC: the last command's output matches the grep -E pattern
expect_out() {
	checks=$((checks + 1))
	if echo "$out" | grep -Eq -- "$1"; then echo "ok: $2"; else
		echo "FAIL: $2: output does not match /$1/:"; echo "$out" | sed 's/^/    /'
		fails=$((fails + 1))
	fi
}
# expect_lines N DESC: the last command printed exactly N lines on stderr+stdout (one clear line)
expect_lines() {
	checks=$((checks + 1))
	n=$(printf '%s\n' "$out" | sed '/^$/d' | wc -l)
	if [ "$n" = "$1" ]; then echo "ok: $2"; else echo "FAIL: $2: $n lines, wanted $1"; fails=$((fails + 1)); fi
}
# expect_true DESC -- CMD...: CMD (a test or a shell function) succeeds
expect_true() {
	desc=$1; shift 2
	checks=$((checks + 1))
	if "$@"; then echo "ok: $desc"; else echo "FAIL: $desc"; fails=$((fails + 1)); fi
}
finish() {
	echo "$((checks - fails)) of $checks checks passed"
	[ "$fails" = 0 ]
}
