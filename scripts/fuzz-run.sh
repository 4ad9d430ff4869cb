#!/bin/sh
# Runs each libFuzzer target for a few seconds over a scratch copy of its seed
# corpus (the committed seeds are never written to), with its dictionary.
# A target without seeds of its own (the decoders) starts from tests/fixtures,
# and without a dictionary of its own uses the shared JSON one.
# Usage: fuzz-run.sh BUILDDIR SECONDS NAME...
set -u
dir=$1
secs=$2
shift 2
failed=0
passed=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
for name in "$@"; do
	bin="$dir/fuzz/fuzz_$name"
	seeds="tests/fuzz/corpus/$name"
	[ -d "$seeds" ] || seeds=tests/fixtures
	work="$scratch/$name"
	mkdir -p "$work"
	cp -r "$seeds/." "$work/"
	dict="-dict=tests/fuzz/decode.dict"
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	echo "== fuzz: $name for ${secs}s"
	if "$bin" $dict -max_total_time="$secs" -rss_limit_mb=2048 -artifact_prefix="$scratch/" \
		-print_final_stats=1 "$work" >"$scratch/$name.log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$name.log")
		echo "   fuzz: $name: $execs executions in ${secs} s, no finding"
		passed=$((passed + 1))
	else
		tail -n 40 "$scratch/$name.log" >&2
		for a in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-*; do
			[ -f "$a" ] && cp "$a" . && echo "!! fuzz: $name: reproducer saved as ./$(basename "$a")" >&2
		done
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
