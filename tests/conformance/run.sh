#!/bin/bash
# Conformance: the official BoxLite Node SDK (sdk.mjs) and the OpenAPI
# schemas (schema.mjs) against boxlite-sim (SIM, default build/boxlite-sim),
# each with its own simulator holding an API key and a prefix with a '/'.
# Installs the pinned npm packages into tests/conformance/node_modules the
# first time, from package-lock.json (npm install --no-save: npm ci refuses
# this lock because the SDK names optional platform packages that were never
# published). Every wait is bounded. Ends with
# "conformance: N passed, M failed" (suites) and a non-zero exit on failure.
set -u
SIM=${SIM:-build/boxlite-sim}
case "$SIM" in /*) ;; *) SIM=$(cd "$(dirname "$SIM")" && pwd)/$(basename "$SIM") ;; esac
cd "$(dirname "$0")"
TMP=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

if [ ! -d node_modules/@boxlite-ai/boxlite ] || [ ! -d node_modules/ajv ]; then
	echo "conformance: installing the pinned SDK and ajv"
	timeout 600 npm install --no-save --no-audit --no-fund --loglevel=error >"$TMP/npm.log" 2>&1 || {
		cat "$TMP/npm.log" >&2
		echo "conformance: npm install failed" >&2
		exit 1
	}
fi

# A key that is plainly a test value, written 0600 and never on a command line.
umask 077
printf 'conformance-test-key\n' >"$TMP/key"
export SIM_KEY=conformance-test-key SIM_PREFIX=us-east/team-42

# start NAME: a simulator of its own; sets SIM_URL.
start() {
	local i
	"$SIM" --port 0 --api-key-file "$TMP/key" --prefix "$SIM_PREFIX" --disk-size 4M \
		--state-dir "$TMP/state-$1" >"$TMP/$1.out" 2>"$TMP/$1.err" &
	PIDS+=($!)
	SIM_URL=""
	for i in $(seq 50); do
		SIM_URL=$(sed -n 's/^listening on //p' "$TMP/$1.out")
		[ -n "$SIM_URL" ] && break
		sleep 0.1
	done
	[ -n "$SIM_URL" ] || { cat "$TMP/$1.err" >&2; echo "conformance: sim did not start" >&2; exit 1; }
	export SIM_URL
}

pass=0
fail=0
for suite in sdk schema; do
	start "$suite"
	if timeout 300 node "$suite.mjs"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "conformance: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
