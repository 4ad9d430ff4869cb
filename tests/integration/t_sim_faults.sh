# shellcheck shell=bash
# Fault rules and the /_sim/ control API. Sourced by run.sh after its own
# tests: uses its helpers (start_sim, stop_sim, req, expect, field, decodes,
# error_is, check) and its TMP, SIM and AUTH. Timing checks are lower bounds
# only, so a slow machine never fails them.

# now_ms: monotonic-enough wall time in milliseconds.
now_ms() { date +%s%3N; }
# not_json DESC: the body is non-empty and jq cannot parse it.
not_json() {
	if [ -s "$TMP/body" ] && ! jq . "$TMP/body" >/dev/null 2>&1; then
		ok
	else
		bad "$1: body is empty or parses as JSON"
	fi
}
# post_json PATH JSON: POST with a JSON body.
post_json() {
	req POST "$1" -H 'Content-Type: application/json' -d "$2"
}

# --- without --control, /_sim/ does not exist -------------------------------
AUTH=()
start_sim nocontrol --port 0 --boxes 3
req GET /_sim/faults
error_is 'control off' 404 NotFoundError not_found
req POST /_sim/key/expire
expect 'control off: expire' 404
req GET /v1/boxes
expect 'control off: API still up' 200
stop_sim "$PID" nocontrol

# --- a bad --fault is refused at start ---------------------------------------
timeout 5 "$SIM" --port 0 --fault 'GET /v1/boxes:bogus=1' >"$TMP/badfault.out" \
	2>"$TMP/badfault.err"
check 'bad --fault exits non-zero' test $? -ne 0
check 'bad --fault names the key' grep -q "unknown key 'bogus'" "$TMP/badfault.err"
timeout 5 "$SIM" --port 0 --fault 'GET /v1/boxes:status=200' >"$TMP/badfault.out" \
	2>"$TMP/badfault.err"
check 'bad --fault status exits non-zero' test $? -ne 0
check 'bad --fault status message' grep -q '400-599' "$TMP/badfault.err"

# --- control on, one rule from the command line ------------------------------
# An hour's tick: running boxes' counters must not move between the two reads
# of the runtime metrics the tally part compares by ETag (a 1 s tick did, once,
# on a slow CI run under ASan).
start_sim faults --port 0 --boxes 5 --seed 3 --control --tick 3600000 \
	--fault 'GET /v1/metrics:status=503,retry_after=7,count=1'
FAULTS_PID=$PID

req GET /v1/metrics
expect '--fault fires' 503
check '--fault Retry-After' grep -qi '^retry-after: 7' "$TMP/hdr"
field '--fault error code' \
	'.error.code | IN("network_unavailable", "upstream_unavailable", "engine_unavailable")' true
req GET /v1/metrics
expect '--fault count=1 is used up' 200
decodes runtime_metrics 'metrics after the fault'
FAILED0=$(jq -r .boxes_failed_total "$TMP/body")
STOPPED0=$(jq -r .boxes_stopped_total "$TMP/body")

req GET /_sim/faults
expect 'list faults' 200
field 'list faults' '.faults | length' 1
field 'listed rule method' '.faults[0].method' GET
field 'listed rule path' '.faults[0].path' /v1/metrics
field 'listed rule status' '.faults[0].status' 503
field 'listed rule count' '.faults[0].count' 1
field 'listed rule fired' '.faults[0].fired' 1

# A rule through the API fires, once, and is listed with its count.
post_json /_sim/faults '{"method":"GET","path":"/v1/boxes/*","status":500,"count":1}'
expect 'post fault' 201
field 'post fault lists both' '.faults | length' 2
field 'posted rule' '.faults[1].path' '/v1/boxes/*'
req GET /v1/boxes/web-1
error_is 'posted fault fires' 500 InternalError internal
req GET /v1/boxes/web-1
expect 'posted fault used up' 200
req GET /v1/boxes
expect 'posted fault pattern does not match the list' 200
req GET /_sim/faults
field 'posted rule fired once' '.faults[1].fired' 1

# skip=2: the first two matching requests pass, the third fails, once.
post_json /_sim/faults '{"spec":"GET /v1/boxes/web-2:status=503,skip=2,count=1"}'
expect 'post skip fault' 201
req GET /v1/boxes/web-2
expect 'skip: first passes' 200
req GET /v1/boxes/web-2
expect 'skip: second passes' 200
req GET /v1/boxes/web-2
error_is 'skip: third fails' 503 EngineError engine_unavailable
req GET /v1/boxes/web-2
expect 'skip: count used up' 200
req GET /_sim/faults
field 'skip listed' '.faults[2] | [.skip, .fired] | join(" ")' '2 1'
post_json /_sim/faults '{"path":"/v1/boxes","skip":-1}'
error_is 'fault skip -1' 400 InvalidArgumentError invalid_argument

# Bad rules are refused with a reason.
post_json /_sim/faults '{"path":"/v1/boxes","status":200}'
error_is 'fault status 200' 400 InvalidArgumentError invalid_argument
field 'fault status message' '.error.message | contains("400-599")' true
post_json /_sim/faults '{"path":"/v1/boxes","bogus":1}'
error_is 'fault unknown field' 400 InvalidArgumentError invalid_argument
field 'fault unknown field message' '.error.message | contains("bogus")' true
post_json /_sim/faults '{"path":"/v1/boxes","rate":1.5}'
error_is 'fault rate 1.5' 400 InvalidArgumentError invalid_argument
post_json /_sim/faults '{"spec":"GET /v1/boxes:count=x"}'
error_is 'fault bad spec' 400 InvalidArgumentError invalid_argument
post_json /_sim/faults '{bad json'
error_is 'fault bad json' 400 InvalidArgumentError invalid_argument
req GET /_sim/faults
field 'refused rules are not listed' '.faults | length' 3

# Latency: only a lower bound.
post_json /_sim/faults '{"spec":"GET /v1/me:latency_ms=400,count=1"}'
expect 'latency rule' 201
t0=$(now_ms)
req GET /v1/me
t1=$(now_ms)
expect 'latency: still answers' 200
check 'latency >= 300 ms' test $((t1 - t0)) -ge 300

# A truncated body, then an HTML page where JSON was expected.
post_json /_sim/faults '{"method":"GET","path":"/v1/boxes","truncate":true,"count":1}'
expect 'truncate rule' 201
req GET /v1/boxes
expect 'truncated list' 200
not_json 'truncated list'
req GET /v1/boxes
expect 'truncate used up' 200
field 'list whole again' '.boxes | length' 5
post_json /_sim/faults '{"method":"GET","path":"/v1/boxes","not_json":true,"count":1}'
expect 'not_json rule' 201
req GET /v1/boxes
not_json 'not_json list'
check 'not_json is an HTML page' grep -qi '<html' "$TMP/body"
req GET /v1/boxes
expect 'not_json used up' 200

# The key expires for the API, not for the control API.
req POST /_sim/key/expire
expect 'expire key' 204
req GET /v1/boxes
error_is 'expired key' 401 AuthError unauthenticated
req GET /_sim/faults
expect 'control works with the key expired' 200
req POST /_sim/key/restore
expect 'restore key' 204
req GET /v1/boxes
expect 'restored key' 200

# A box appears, changes state and vanishes behind the API's back.
post_json /_sim/boxes '{"name":"ghost","image":"busybox:1.36","cpus":4,"memory_mib":256,
	"labels":{"team":"qa"}}'
expect 'add box' 201
field 'added box name' .name ghost
field 'added box status' .status running
field 'added box image' .image busybox:1.36
field 'added box cpus' .cpus 4
field 'added box label' .labels.team qa
field 'added box id' '.box_id | length' 26
field 'added box pid' '.pid | type' number
decodes box 'added box'
GHOST=$(jq -r .box_id "$TMP/body")
req GET /v1/boxes/ghost
expect 'added box is served' 200
field 'added box by name' .box_id "$GHOST"
req GET /v1/boxes
field 'list has the added box' '.boxes | length' 6
post_json /_sim/boxes '{"name":"ghost"}'
error_is 'add box twice' 409 AlreadyExistsError already_exists
post_json /_sim/boxes '{"nme":"x"}'
error_is 'add box unknown field' 400 InvalidArgumentError invalid_argument
post_json /_sim/boxes '{"status":"exploded"}'
error_is 'add box bad status' 400 InvalidArgumentError invalid_argument
post_json /_sim/boxes '[1]'
error_is 'add box not an object' 400 InvalidArgumentError invalid_argument
post_json /_sim/boxes '{"status":"stopped"}'
expect 'add nameless stopped box' 201
field 'nameless box' .name null
field 'nameless stopped exit_code' .exit_code 0
decodes box 'nameless box'
NAMELESS=$(jq -r .box_id "$TMP/body")

post_json "/_sim/boxes/$GHOST/state" '{"status":"failed"}'
expect 'set failed' 200
field 'set failed status' .status failed
field 'set failed exit_code' .exit_code 1
field 'set failed pid' .pid null
decodes box 'set failed'
post_json /_sim/boxes/ghost/state '{"status":"running"}'
expect 'set running by name' 200
field 'set running pid' '.pid | type' number
field 'set running exit_code' 'has("exit_code")' false
req GET /v1/boxes/ghost/metrics
field 'running box is measured' '.cpu_percent | type' number
post_json /_sim/boxes/ghost/state '{"status":"stopped","exit_code":143}'
field 'set stopped exit_code' .exit_code 143
req GET /v1/boxes/ghost/metrics
field 'stopped box is not measured' .cpu_percent null
req GET /v1/metrics
field 'failed counted' ".boxes_failed_total >= $FAILED0 + 1" true
field 'stopped counted' ".boxes_stopped_total >= $STOPPED0 + 1" true
post_json /_sim/boxes/ghost/state '{"status":"exploded"}'
error_is 'set bad status' 400 InvalidArgumentError invalid_argument
post_json /_sim/boxes/ghost/state '{"status":"failed","extra":1}'
error_is 'set unknown field' 400 InvalidArgumentError invalid_argument
post_json /_sim/boxes/nope/state '{"status":"failed"}'
error_is 'set missing box' 404 NotFoundError not_found

post_json /_sim/boxes/ghost/state '{"status":"running"}'
req DELETE /_sim/boxes/ghost
expect 'remove running box' 204
req GET /v1/boxes/ghost
error_is 'removed box is gone' 404 NotFoundError not_found
req DELETE /_sim/boxes/ghost
error_is 'remove twice' 404 NotFoundError not_found
req DELETE "/_sim/boxes/$NAMELESS"
expect 'remove by id' 204
req GET /v1/boxes
field 'list back to 5' '.boxes | length' 5

# Routing of the control API itself.
req PUT /_sim/faults
expect 'faults wrong method' 405
check 'faults Allow' grep -qi '^allow: GET, POST, DELETE' "$TMP/hdr"
req GET /_sim/boxes
expect 'boxes wrong method' 405
req GET /_sim/nope
error_is 'unknown control route' 404 NotFoundError not_found

# DELETE clears every rule.
post_json /_sim/faults '{"path":"*","status":500}'
req GET /v1/boxes
expect 'catch-all fires' 500
req DELETE /_sim/faults
expect 'clear faults' 204
req GET /_sim/faults
field 'no rules left' '.faults | length' 0
req GET /v1/boxes
expect 'cleared: behaves' 200

# --- the request tally: API requests by route, the control API not counted ----
req DELETE /_sim/requests
expect 'tally reset' 204
req GET /v1/boxes
req GET /v1/boxes
req GET "/v1/boxes/$(jq -r '.boxes[0].box_id' "$TMP/body")/metrics"
req GET /v1/metrics
req POST /v1/boxes/nope/start
req GET /v1/no/such/route
req GET /v1/metrics
ETAG=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$TMP/hdr" | tr -d '\r')
req GET /v1/metrics -H "If-None-Match: $ETAG"
expect 'runtime metrics unchanged' 304
req GET /_sim/faults
req GET /_sim/requests
expect 'tally' 200
field 'tally total: eight API requests, no /_sim/' '.total' 8
field 'tally: one of them 304' '.not_modified' 1
field 'tally: the 304 on its route' '[.routes[] | select(.route == "/v1/metrics") | [.count, .not_modified]] | .[0] | join(" ")' '3 1'
field 'tally: the list twice' '[.routes[] | select(.method == "GET" and .route == "/v1/boxes") | .count] | add' 2
field 'tally: metrics by pattern' '[.routes[] | select(.route == "/v1/boxes/*/metrics") | .count] | add' 1
field 'tally: a 404 on a route is its route' '[.routes[] | select(.method == "POST" and .route == "/v1/boxes/*/start") | .count] | add' 1
field 'tally: no route' '[.routes[] | select(.route == "(no route)") | .count] | add' 1
req DELETE /_sim/requests
req GET /_sim/requests
field 'tally after reset' '.total' 0
field 'tally after reset: no 304' '.not_modified' 0
stop_sim "$FAULTS_PID" faults

# --- with a key, the control API wants it too --------------------------------
printf 'ctl-key-3\n' >"$TMP/ctlkey"
AUTH=()
start_sim faultkey --port 0 --boxes 2 --control --api-key-file "$TMP/ctlkey"
req GET /_sim/faults
error_is 'control without key' 401 AuthError unauthenticated
AUTH=(-H 'Authorization: Bearer ctl-key-3')
req GET /_sim/faults
expect 'control with key' 200
req POST /_sim/key/expire
expect 'expire with key' 204
req GET /v1/boxes
error_is 'right key, expired' 401 AuthError unauthenticated
req POST /_sim/key/restore
req GET /v1/boxes
expect 'right key, restored' 200
stop_sim "$PID" faultkey
# shellcheck disable=SC2034 # run.sh's req reads it
AUTH=()
