#!/bin/bash
# Proves the conformance checks can fail: runs run.sh against broken
# simulators and broken schemas and expects each run to fail, with a FAIL
# line naming what broke. Not part of `make check` (about 20 s); run it after
# changing sdk.mjs, schema.mjs or run.sh:
#     SIM=build/boxlite-sim bash tests/conformance/selftest.sh
# Ends with "conformance-selftest: N passed, M failed".
set -u
SIM=${SIM:-build/boxlite-sim}
case "$SIM" in /*) ;; *) SIM=$(cd "$(dirname "$SIM")" && pwd)/$(basename "$SIM") ;; esac
export SIM
cd "$(dirname "$0")"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
P=/v1/us-east/team-42

pass=0
fail=0
# expect NAME REGEX [VAR=VALUE...]: run.sh with those variables must exit
# non-zero and print a line matching REGEX.
expect() {
	local name=$1 re=$2
	shift 2
	if env "$@" timeout 600 bash run.sh >"$TMP/out" 2>&1; then
		echo "FAIL: $name: run.sh passed" >&2
		fail=$((fail + 1))
	elif ! grep -qE -- "$re" "$TMP/out"; then
		echo "FAIL: $name: no line matches /$re/:" >&2
		sed 's/^/    /' "$TMP/out" >&2
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
}

# broken NAME JS: schemas.json with the change JS makes to its $defs (d).
broken() {
	node -e "const fs = require('fs'); const s = JSON.parse(fs.readFileSync('schemas.json'));
		const d = s.\$defs; $2; fs.writeFileSync(process.argv[1], JSON.stringify(s));" "$TMP/$1.json"
	echo "$TMP/$1.json"
}

# The harness itself passes first, or nothing below means anything.
if timeout 600 bash run.sh >"$TMP/out" 2>&1; then
	pass=$((pass + 1))
else
	echo "FAIL: the unbroken run fails:" >&2
	cat "$TMP/out" >&2
	fail=$((fail + 1))
fi

# Schemas that the simulator's answers no longer meet.
expect 'Box needs a field nobody sends' "is a Box: .*bogus_field" \
	SCHEMAS="$(broken box 'd.Box.required.push("bogus_field")')"
expect 'BoxMetrics gauges not nullable' "is a BoxMetrics: .*cpu_percent.* must be number" \
	SCHEMAS="$(broken metrics 'delete d.BoxMetrics.properties.cpu_percent.nullable')"
expect 'Snapshot guest_disk_bytes a string' "is a Snapshot: .*guest_disk_bytes must be string" \
	SCHEMAS="$(broken snap 'd.Snapshot.properties.guest_disk_bytes.type = "string"')"
expect 'error code enum without not_found' "GET /boxes/no-such-box is a ErrorResponse: .*code must be equal" \
	SCHEMAS="$(broken err 'd.ErrorModel.properties.code.enum = d.ErrorModel.properties.code.enum.filter((c) => c !== "not_found")')"
expect 'Principal needs path_prefix to be an integer' "is a Principal" \
	SCHEMAS="$(broken me 'd.Principal.properties.path_prefix = {type: "integer"}')"
expect 'ImageDetail versions need a bogus field' "is a ImageDetail" \
	SCHEMAS="$(broken img 'd.ImageVersion.required.push("bogus_field")')"

# Simulators that misbehave.
expect 'a corrupt export' "FAIL: (the round trip|manifest checksum|import)" \
	SIM_FAULT="POST $P/boxes/*/export:corrupt_at=5000"
expect 'snapshot listing broken' "FAIL: snapshot list" \
	SIM_FAULT="GET $P/boxes/*/snapshots:status=500"
expect 'clone refused' "FAIL: clone" \
	SIM_FAULT="POST $P/boxes/*/clone:status=503"
expect 'import refused' "FAIL: import" \
	SIM_FAULT="POST $P/boxes/import:status=413"
expect 'export cut short' "FAIL: export" \
	SIM_FAULT="POST $P/boxes/*/export:drop_after=1000"
expect 'snapshot, clone and export refused on a running box' \
	"FAIL: export a running box into a directory" SIM_ARGS=--strict-stopped
expect 'serve flavor: DELETE forces by default' "FAIL: remove a running box without force" \
	SIM_ARGS="--flavor serve"
expect 'a prefix the clients do not use' "FAIL: listInfo" SIM_ARGS="--prefix other"
expect 'a simulator that does not start' "did not start" SIM=/bin/false

echo "conformance-selftest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
