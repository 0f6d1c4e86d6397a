# Shared by the host dataplane tests (sourced after TMP is set).
# fail MSG            count a failed check (the test exits non-zero at the end)
# json FILE EXPR      evaluate a Python expression over the JSON document j
# need_hugepages N    from tests/host/lib.sh
# shellcheck shell=bash
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
json() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# shellcheck source=../lib.sh
. "$VNS_SRC/tests/host/lib.sh"
