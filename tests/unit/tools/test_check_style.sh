#!/bin/sh
# tools/check-style on a made-up tree (a copy of the script, .clang-format and a few files,
# outside git): a formatted C file passes, a misformatted one and a long line are named with
# FILE:LINE, shellcheck findings fail, and a missing tool exits 77 (what CI counts as failed).
set -u
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir -p "$T/tools" "$T/src" "$T/build-x"
cp "$VNS_SRC/tools/check-style" "$T/tools/"
cp "$VNS_SRC/.clang-format" "$T/"
S="$T/tools/check-style"
printf 'static int\nf(int a)\n{\n\treturn a + 1;\n}\n' >"$T/src/good.c"
printf '#!/bin/sh\necho "$1"\n' >"$T/tools/good-tool"
# Build directories are not the tree's: a misformatted file there is never looked at.
printf 'int g(void) { return 0; }\n' >"$T/build-x/gen.c"

if command -v clang-format-14 >/dev/null 2>&1 || command -v clang-format >/dev/null 2>&1; then
	expect_rc 0 "formatted C passes" -- "$S" c
	expect_out "1 files formatted" "counts the files"
	printf 'int h(void) { return 0; }\n' >"$T/src/bad.c"
	expect_rc 1 "misformatted C fails" -- "$S" c
	expect_out "^src/bad.c:1: clang-format would change this line$" "names file and line"
	expect_out "1 lines in 1 of 2 files differ" "summary line"
	rm "$T/src/bad.c"
	printf '/* %0100d */\n' 0 >"$T/src/long.h"
	expect_rc 1 "a line over 100 columns fails" -- "$S" c
	expect_out "^src/long.h:1: 106 columns \(at most 100\)$" "names the long line"
	rm "$T/src/long.h"
else
	echo "ok: clang-format not installed: format checks not run here"
fi
expect_rc 77 "no clang-format: exit 77" -- env CLANG_FORMAT=/nonexistent/cf "$S" c
if command -v shellcheck >/dev/null 2>&1; then
	expect_rc 0 "clean shell passes" -- "$S" shell
	printf '#!/bin/bash\nunused=1\n' >"$T/tools/bad-tool"
	expect_rc 1 "shellcheck finding fails" -- "$S" shell
	expect_out "^tools/bad-tool:2:1: warning: .*SC2034" "one line per finding"
	rm "$T/tools/bad-tool"
else
	echo "ok: shellcheck not installed: lint checks not run here"
fi
expect_rc 77 "no shellcheck: exit 77" -- env SHELLCHECK=/nonexistent/sc "$S" shell
expect_rc 0 "lists the scripts" -- "$S" --list
expect_out "^shell: tools/check-style$" "finds shell by its #! line"
expect_out "^shell: tools/good-tool$" "finds a tool without extension"
expect_rc 2 "bad argument" -- "$S" nope
finish
