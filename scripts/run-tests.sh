#!/bin/sh
# Runs test binaries one after another; every one runs even when an earlier
# one fails, and the exit status says whether all passed.
# Usage: run-tests.sh SUITE BIN...
suite=$1
shift
failed=0
passed=0
for t in "$@"; do
	echo "== $suite: $t"
	if "$t"; then
		passed=$((passed + 1))
	else
		echo "!! $suite: $t FAILED" >&2
		failed=$((failed + 1))
	fi
done
echo "$suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
