#!/bin/bash
# Conformance: the official BoxLite Node SDK (sdk.mjs) and the OpenAPI
# schemas (schema.mjs) against boxlite-sim (SIM, default build/boxlite-sim),
# each with its own simulator holding an API key and a prefix with a '/'.
#
# Installs the pinned npm packages into tests/conformance/node_modules with
# `npm ci` when they are missing or older than package-lock.json. Every wait
# is bounded. Quiet on success: one line, "conformance: N passed, M failed"
# (N and M count checks; a suite that dies before its summary counts as one
# failure), and a non-zero exit on any failure.
#
# For selftest.sh: SIM_ARGS adds words to the simulator's command line,
# SIM_FAULT adds one --fault rule, SCHEMAS replaces schemas.json.
set -u
SIM=${SIM:-build/boxlite-sim}
case "$SIM" in /*) ;; *) SIM=$(cd "$(dirname "$SIM")" && pwd)/$(basename "$SIM") ;; esac
cd "$(dirname "$0")"
TMP=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "conformance: installing the pinned SDK and ajv (npm ci)"
	timeout 600 npm ci --no-audit --no-fund --loglevel=error >"$TMP/npm.log" 2>&1 || {
		cat "$TMP/npm.log" >&2
		echo "conformance: npm ci failed" >&2
		exit 1
	}
fi

# A key that is plainly a test value, written 0600 and never on a command line.
umask 077
printf 'conformance-test-key\n' >"$TMP/key"
export SIM_KEY=conformance-test-key SIM_PREFIX=us-east/team-42
read -ra EXTRA <<<"${SIM_ARGS:-}"
[ -n "${SIM_FAULT:-}" ] && EXTRA+=(--fault "$SIM_FAULT")

# start NAME FLAVOR: a simulator of its own; sets SIM_URL or fails the run.
# The spec flavor gets the prefix; serve has no prefixed routes, so none.
start() {
	local i pid scope=()
	[ "$2" = spec ] && scope=(--prefix "$SIM_PREFIX")
	"$SIM" --port 0 --api-key-file "$TMP/key" "${scope[@]}" --flavor "$2" --disk-size 4M \
		--state-dir "$TMP/state-$1" "${EXTRA[@]}" >"$TMP/$1.out" 2>"$TMP/$1.err" &
	pid=$!
	PIDS+=("$pid")
	SIM_URL=""
	for i in $(seq 100); do
		SIM_URL=$(sed -n 's/^listening on //p' "$TMP/$1.out")
		[ -n "$SIM_URL" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$SIM_URL" ]; then
		cat "$TMP/$1.err" >&2
		echo "conformance: $SIM did not start"
		echo "conformance: 0 passed, 1 failed"
		exit 1
	fi
	export SIM_URL
}

pass=0
fail=0
# RUN:SCRIPT:FLAVOR. The schemas are the spec's: only the spec flavor must match them.
for run in sdk:sdk:spec schema:schema:spec sdk-serve:sdk:serve sdk-files:sdk_files:spec \
	sdk-files-serve:sdk_files:serve sdk-exec:sdk_exec:spec sdk-exec-serve:sdk_exec:serve; do
	IFS=: read -r name suite flavor <<<"$run"
	mkdir -p "$TMP/state-$name"
	start "$name" "$flavor"
	prefix=$SIM_PREFIX
	[ "$flavor" = spec ] || prefix=""
	# FAIL lines go to stderr as they happen; the summary line to the file.
	SIM_FLAVOR=$flavor SIM_PREFIX=$prefix timeout 300 node "$suite.mjs" >"$TMP/$name.log"
	rc=$?
	line=$(grep -E "^$suite: [0-9]+ passed, [0-9]+ failed$" "$TMP/$name.log" | tail -n 1)
	if [ -n "$line" ]; then
		set -- $line
		pass=$((pass + $2))
		fail=$((fail + $4))
	fi
	if [ "$rc" -ne 0 ]; then
		[ -n "$line" ] && [ "$4" -gt 0 ] || fail=$((fail + 1))
		[ "$rc" -eq 124 ] && echo "conformance: $name ($suite.mjs, $flavor) timed out" >&2
		echo "conformance: $name ($suite.mjs, $flavor) failed (exit $rc)${line:+: $line}" >&2
		grep -v -E "^$suite: " "$TMP/$name.log" >&2
	fi
done
echo "conformance: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
