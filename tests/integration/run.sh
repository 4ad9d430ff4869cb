#!/bin/bash
# Integration tests: starts boxlite-sim (SIM, default build/boxlite-sim) on
# free ports, drives every route with curl, checks status codes, headers and
# JSON fields with jq, and decodes the answers with boxtop's own decoders
# (DECODE_CHECK). Every wait is bounded; every simulator started is killed
# on exit. Ends with "integration: N passed, M failed". BOXTOP is the
# boxtop binary the t_*.sh suites drive (default build/boxtop).
set -u

SIM=${SIM:-build/boxlite-sim}
DECODE_CHECK=${DECODE_CHECK:-build/tests/integration/decode_check}
TMP=$(mktemp -d)
PIDS=()
pass=0
fail=0

cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL: $*" >&2
	fail=$((fail + 1))
}
# check DESC COMMAND...: passes when the command succeeds.
check() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then ok; else bad "$desc"; fi
}

# skipped WHY: checks this machine cannot run (a tool it lacks): a line on
# stderr, and under CI=true, which installs every tool (scripts/deps.sh), a
# failure.
skipped() {
	case ${CI:-} in
	'' | false | 0) echo "integration: skipped: $1" >&2 ;;
	*) bad "skipped under CI=true: $1" ;;
	esac
}

# poll SECONDS COMMAND...: until COMMAND succeeds, tried every 0.1 s for SECONDS.
poll() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# archive_check FILE: the archive is zstd, holds manifest.json then
# disk.qcow2 as regular files, and the manifest's checksum is the disk's.
archive_check() {
	local file=$1 want got
	[ "$(head -c4 "$file" | od -An -tx1 | tr -d ' ')" = 28b52ffd ] || return 1
	zstd -dc "$file" | tar tvf - >"$TMP/members" 2>/dev/null || return 1
	[ "$(awk '{print substr($1,1,1)}' "$TMP/members" | sort -u)" = - ] || return 1
	[ "$(awk '{print $NF}' "$TMP/members" | tr '\n' ' ')" = "manifest.json disk.qcow2 " ] || return 1
	want=$(zstd -dc "$file" | tar xOf - manifest.json | jq -r .container_disk_checksum)
	got=sha256:$(zstd -dc "$file" | tar xOf - disk.qcow2 | sha256sum | cut -d' ' -f1)
	[ "$want" = "$got" ]
}
# start_sim NAME ARGS...: starts the simulator; sets URL and PID.
start_sim() {
	local name=$1 i
	shift
	"$SIM" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	PID=$!
	PIDS+=("$PID")
	URL=""
	for i in $(seq 50); do
		if grep -q '^listening on http://' "$TMP/$name.out" 2>/dev/null; then
			URL=$(sed -n 's/^listening on //p' "$TMP/$name.out")
			break
		fi
		sleep 0.1
	done
	if [ -z "$URL" ]; then
		echo "integration: $name did not start:" >&2
		cat "$TMP/$name.err" >&2
		exit 1
	fi
}

# stop_sim PID NAME: SIGTERM, then exit status 0 within 5 s (sanitizer
# reports, leaks among them, make it non-zero and are shown).
stop_sim() {
	local pid=$1 name=$2 i rc
	kill -TERM "$pid"
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		bad "sim $pid still running 5 s after SIGTERM"
		kill -KILL "$pid"
		return
	fi
	wait "$pid"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ok
	else
		bad "$name exited $rc after SIGTERM"
		cat "$TMP/$name.err" >&2
	fi
}

# req METHOD PATH [CURL ARGS...]: sets CODE; body in $TMP/body, headers in $TMP/hdr.
AUTH=()
req() {
	local method=$1 path=$2
	shift 2
	rm -f "$TMP/body"
	CODE=$(curl -s --path-as-is --max-time 5 -X "$method" -o "$TMP/body" -D "$TMP/hdr" \
		-w '%{http_code}' ${AUTH[@]+"${AUTH[@]}"} "$@" "$URL$path")
}
# expect DESC WANT: checks CODE and that X-Request-Id came back (sim-N, or
# in the serve flavor the client's own or a UUID).
expect() {
	if [ "$CODE" = "$2" ]; then ok; else bad "$1: status $CODE, want $2"; fi
	if grep -qiE '^x-request-id: (sim-|[0-9a-f]{8}-[0-9a-f]{4}-|[[:alnum:]])' "$TMP/hdr"; then
		ok
	else
		bad "$1: no X-Request-Id"
	fi
}
# field DESC JQ-FILTER WANT: the filter's raw output equals WANT.
field() {
	local got
	got=$(jq -r "$2" "$TMP/body" 2>/dev/null)
	if [ "$got" = "$3" ]; then ok; else bad "$1: $2 = '$got', want '$3'"; fi
}
# decodes KIND DESC: boxtop's decoder accepts the body.
decodes() {
	if "$DECODE_CHECK" "$1" "$TMP/body" >/dev/null 2>"$TMP/decode.err"; then
		ok
	else
		bad "$2: $(cat "$TMP/decode.err")"
	fi
}
# error_is DESC STATUS TYPE CODE: the error envelope.
error_is() {
	expect "$1" "$2"
	field "$1" '.error.type' "$3"
	field "$1" '.error.code' "$4"
	field "$1 request_id" '.error.request_id | startswith("sim-")' true
}

# SUITE=tests/integration/t_x.sh runs that one suite alone (while working on it).
if [ -n "${SUITE:-}" ]; then
	# shellcheck source=/dev/null
	. "$SUITE"
	echo "integration ($SUITE): $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi

# --- an unprefixed simulator, no key, the demo fleet -------------------------
start_sim plain --port 0 --seed 1
PLAIN_PID=$PID

req GET /v1/config
expect config 200
field config '.capabilities.import_enabled' true
field config '.capabilities.file_transfer_max_bytes' 8589934592
field config '.defaults.cpus' 2
decodes config config

req GET /v1/me
expect me 200
field me '.path_prefix' null
decodes principal me

req GET /v1/boxes
expect list 200
field list '.boxes | length' 24
field list 'has("next_page_token")' false
field list '[.boxes[].box_id | length == 26] | all' true
field list '[.boxes[].status] | map(select(. == "running")) | length > 12' true
decodes box_list list
cp "$TMP/body" "$TMP/list1"
ID=$(jq -r '.boxes[0].box_id' "$TMP/list1")

req GET '/v1/boxes?status=running'
expect 'status filter' 200
field 'status filter' '[.boxes[].status == "running"] | all' true
req GET '/v1/boxes?status=bogus'
error_is 'bad status' 400 InvalidArgumentError invalid_argument
req GET '/v1/boxes?pageSize=abc'
error_is 'bad pageSize' 400 InvalidArgumentError invalid_argument
req GET '/v1/boxes?pageSize=0'
expect 'pageSize 0' 200
field 'pageSize 0 clamps to 1' '.boxes | length' 1
field 'pageSize 0 token' '.next_page_token | type' string
req GET '/v1/boxes?pageToken=nonsense'
error_is 'bad token' 400 InvalidArgumentError invalid_argument
req GET '/v1/boxes?pageToken=0000000000000000'
error_is 'forged token' 400 InvalidArgumentError invalid_argument

req GET /v1/boxes/web-1
expect 'get by name' 200
field 'get by name' .name web-1
decodes box 'get by name'
req GET "/v1/boxes/$ID"
expect 'get by id' 200
field 'get by id' .box_id "$ID"
req GET /v1/boxes/web%2D1
field 'percent-decoded name' .name web-1
req GET /v1/boxes/no-such-box
error_is 'missing box' 404 NotFoundError not_found
field 'missing box message' .error.message 'box not found: no-such-box'
req HEAD /v1/boxes/web-1 -I
expect 'head' 204
req HEAD /v1/boxes/no-such-box -I
expect 'head missing' 404

req POST /v1/boxes/web-1/stop -H 'Content-Type: application/json' -d '{"timeout_seconds":5}'
expect stop 200
field stop .status stopped
field stop .exit_code 0
field stop .pid null
decodes box stop
req POST /v1/boxes/web-1/stop
field 'stop again' .status stopped
req POST /v1/boxes/web-1/start
expect start 200
field start .status running
field start 'has("exit_code")' false
field start '.pid | type' number
decodes box start
req POST /v1/boxes/web-1/start
field 'start again' .status running
req POST /v1/boxes/web-1/stop -d '{bad json'
error_is 'bad json' 400 InvalidArgumentError invalid_argument
req POST /v1/boxes/web-1/stop -d '[1]'
error_is 'json not object' 400 InvalidArgumentError invalid_argument
req POST /v1/boxes/web-1/stop -d '{"timeout_seconds":-1}'
error_is 'negative timeout' 400 InvalidArgumentError invalid_argument
head -c 1100000 /dev/zero | tr '\0' ' ' >"$TMP/big"
req POST /v1/boxes/web-1/stop --data-binary "@$TMP/big"
error_is 'body too large' 413 PayloadTooLargeError payload_too_large
req POST /v1/boxes/nope/start
error_is 'start missing' 404 NotFoundError not_found

req DELETE /v1/boxes/web-1
error_is 'delete running' 409 InvalidStateError invalid_state
req DELETE '/v1/boxes/web-1?force=maybe'
error_is 'delete bad force' 400 InvalidArgumentError invalid_argument
req DELETE '/v1/boxes/web-1?force=true'
expect 'delete forced' 204
req GET /v1/boxes/web-1
expect 'deleted is gone' 404
req POST /v1/boxes/web-2/stop
req DELETE '/v1/boxes/web-2?force=false'
expect 'delete stopped' 204
req GET /v1/boxes
field 'list after deletes' '.boxes | length' 22

req GET /v1/metrics
expect 'runtime metrics' 200
field 'runtime metrics created' .boxes_created_total 24
field 'runtime metrics stopped counted' '.boxes_stopped_total > 0' true
decodes runtime_metrics 'runtime metrics'
CMDS=$(jq -r .total_commands_executed "$TMP/body")
req GET /v1/boxes
RUNNING=$(jq -r '[.boxes[] | select(.status == "running") | .name][0]' "$TMP/body")
STOPPED=$(jq -r '[.boxes[] | select(.status == "stopped") | .name][0]' "$TMP/body")
req GET "/v1/boxes/$RUNNING/metrics"
expect 'box metrics' 200
field 'box metrics cpu' '.cpu_percent | type' number
field 'box metrics boot' '.boot_timing.total_create_ms | type' number
decodes box_metrics 'box metrics'
SENT=$(jq -r .bytes_sent_total "$TMP/body")
req GET "/v1/boxes/$STOPPED/metrics"
expect 'stopped box metrics' 200
field 'stopped box cpu null' .cpu_percent null
decodes box_metrics 'stopped box metrics'
req GET /v1/boxes/nope/metrics
error_is 'missing box metrics' 404 NotFoundError not_found
sleep 1.1
req GET "/v1/boxes/$RUNNING/metrics"
field 'counters grow' ".bytes_sent_total >= $SENT" true
req GET /v1/metrics
field 'commands grow' ".total_commands_executed >= $CMDS" true

# Snapshots: web-3 is stopped first so restore is allowed.
S=/v1/boxes/web-3/snapshots
req POST /v1/boxes/web-3/start
req GET $S
expect 'snapshot list empty' 200
field 'snapshot list empty' '.snapshots | length' 0
decodes snapshot_list 'empty snapshot list'
req POST $S -d '{"name":"before-upgrade"}'
expect 'snapshot create on running box' 201
field 'snapshot name' .name before-upgrade
field 'snapshot id is 8 chars' '.id | length' 8
field 'snapshot created_at is an integer' '.created_at | type' number
decodes snapshot 'snapshot create'
req POST $S -d '{"name":"before-upgrade"}'
error_is 'duplicate snapshot' 409 AlreadyExistsError already_exists
req POST $S -d '{"name":"../x"}'
error_is 'bad snapshot name' 400 InvalidArgumentError invalid_argument
req POST $S -d '{}'
error_is 'missing snapshot name' 400 InvalidArgumentError invalid_argument
req POST $S -d '{"name":'
error_is 'snapshot bad json' 400 InvalidArgumentError invalid_argument
req POST $S -d '{"name":"second"}'
expect 'second snapshot' 201
req GET $S
field 'two snapshots' '.snapshots | length' 2
decodes snapshot_list 'snapshot list'
req GET $S/before-upgrade
expect 'snapshot get' 200
decodes snapshot 'snapshot get'
req GET $S/nope
error_is 'missing snapshot' 404 NotFoundError not_found
field 'missing snapshot message' '.error.message | startswith("box not found: ")' true
req POST $S/before-upgrade/restore
error_is 'restore running' 409 InvalidStateError invalid_state
field 'restore message' .error.message \
	'Cannot restore snapshot while box is running. Stop the box first.'
req POST /v1/boxes/web-3/stop
req POST $S/before-upgrade/restore
expect 'restore stopped' 204
req POST $S/nope/restore
expect 'restore missing' 404
req DELETE $S/before-upgrade
error_is 'delete snapshot in use' 409 InvalidStateError invalid_state
req DELETE $S/second
expect 'delete snapshot' 204
req GET $S/second
expect 'deleted snapshot gone' 404
req PUT $S/second
expect 'snapshot wrong method' 405
req GET /v1/boxes/nope/snapshots
error_is 'snapshots of missing box' 404 NotFoundError not_found

req GET /v1/nope
error_is 'unknown route' 404 NotFoundError not_found
req GET /v2/boxes
expect 'wrong version' 404
req GET /v1/us-east/boxes
expect 'prefix on unprefixed server' 404
req PUT /v1/boxes/web-3
expect 'wrong method' 405
check 'Allow header' grep -qi '^allow: GET, HEAD, DELETE' "$TMP/hdr"
req POST /v1/config
expect 'config wrong method' 405
req DELETE /v1/boxes
expect 'list wrong method' 405
req GET /v1/boxes/a%2Fb
error_is 'encoded slash' 400 InvalidArgumentError invalid_argument
req GET /v1/boxes/..
error_is 'dot-dot' 400 InvalidArgumentError invalid_argument
req GET /v1/boxes/%2e%2e
error_is 'encoded dot-dot' 400 InvalidArgumentError invalid_argument
req GET /v1/boxes/web-3/
expect 'trailing slash' 400

# The same seed gives the same fleet, another seed another one.
start_sim same --port 0 --seed 1
req GET /v1/boxes
check 'seed is deterministic' cmp -s "$TMP/body" "$TMP/list1"
stop_sim "$PID" same
start_sim other --port 0 --seed 2
req GET /v1/boxes
check 'another seed differs' test "$(jq -r '.boxes[0].box_id' "$TMP/body")" != "$ID"
stop_sim "$PID" other

stop_sim "$PLAIN_PID" plain

# --- a prefixed simulator with a key from a file and 250 boxes ---------------
printf 'sekrit-key-1\n' >"$TMP/key"
start_sim tenant --port 0 --seed 7 --boxes 250 --prefix us-east/team-42 \
	--api-key-file "$TMP/key"
TENANT_PID=$PID
P=/v1/us-east/team-42

req GET /v1/config
expect 'config without key' 200
req GET /v1/me
error_is 'me without key' 401 AuthError unauthenticated
AUTH=(-H 'Authorization: Bearer wrong-key-12')
req GET $P/boxes
error_is 'wrong key' 401 AuthError unauthenticated
AUTH=(-H 'Authorization: Bearer sekrit-key-1')
req GET /v1/me
expect 'me with key' 200
field 'me prefix' .path_prefix us-east/team-42
decodes principal 'me with prefix'
req GET /v1/boxes
expect 'unprefixed route on prefixed server' 404
req GET /v1/us-east/boxes
expect 'partial prefix' 404

seen="$TMP/seen"
: >"$seen"
token=""
pages=0
while [ $pages -lt 10 ]; do
	q="pageSize=100"
	[ -n "$token" ] && q="$q&pageToken=$token"
	req GET "$P/boxes?$q"
	expect "page $pages" 200
	decodes box_list "page $pages"
	jq -r '.boxes[].box_id' "$TMP/body" >>"$seen"
	pages=$((pages + 1))
	token=$(jq -r '.next_page_token // empty' "$TMP/body")
	[ -z "$token" ] && break
done
check 'three pages' test "$pages" -eq 3
check 'paged count' test "$(wc -l <"$seen")" -eq 250
check 'no duplicates' test "$(sort -u "$seen" | wc -l)" -eq 250
req GET "$P/boxes?pageSize=5000"
field 'pageSize clamps to 1000' '.boxes | length' 250
req GET "$P/boxes?pageSize=2"
token=$(jq -r .next_page_token "$TMP/body")
NAME=$(jq -r '.boxes[0].name' "$TMP/body")
req GET "$P/boxes?pageSize=2&status=running&pageToken=$token"
error_is 'token with another filter' 400 InvalidArgumentError invalid_argument
req GET "$P/boxes/$NAME"
expect 'prefixed get' 200
decodes box 'prefixed get'
req HEAD "$P/boxes/$NAME" -I
expect 'prefixed head' 204
stop_sim "$TENANT_PID" tenant

# --- the key from the environment --------------------------------------------
AUTH=()
BOXLITE_SERVE_API_KEY=env-key-2 start_sim envkey --port 0 --boxes 3
req GET /v1/boxes
expect 'env key required' 401
AUTH=(-H 'Authorization: Bearer env-key-2')
req GET /v1/boxes
expect 'env key accepted' 200
field 'boxes 3' '.boxes | length' 3
stop_sim "$PID" envkey

# --- the other suites: tests/integration/t_*.sh, each starting its own sims --
# t_cli.sh checks boxtop on a terminal in tmux, and leaves those checks out without it
command -v tmux >/dev/null || skipped 't_cli.sh: boxtop on a terminal: no tmux'
for suite in tests/integration/t_*.sh; do
	[ -e "$suite" ] || continue
	AUTH=()
	# shellcheck source=/dev/null
	. "$suite"
done

echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
