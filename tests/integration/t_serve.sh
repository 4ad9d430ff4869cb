# Sourced by run.sh: boxlite-sim's serve flavor, row by row against
# boxlite serve's mainline code (docs/sim.md's table): boot-on-scrape and
# its 409, the idle clock and what stamps it, the AutoStop sweep, the
# effects log, the five-flag config, snapshots (names, order, restore while
# active, the kind prefix), the list that reads no query, no ETag, the
# framework's plain-text and empty answers, X-Request-Id, id prefixes,
# images/usage, no Idempotency-Key, start/stop without a body, the export
# built whole (--export-delay) and the lost/cut faults.

# sv_effects FILTER: jq FILTER over GET /_sim/effects.
sv_effects() { curl -s "$URL/_sim/effects" | jq -r "$1"; }
# sv_status NAME: the box's status.
sv_status() { curl -s "$URL/v1/boxes/$1" | jq -r .status; }
sv_is() { [ "$(sv_status "$1")" = "$2" ]; }
sv_lifecycle() { curl -s -o /dev/null -X POST "$URL/_sim/boxes/$1/lifecycle" -d "$2"; }
sv_state() { curl -s -o /dev/null -X POST "$URL/_sim/boxes/$1/state" -d "{\"status\":\"$2\"}"; }
# sv_eq DESC GOT WANT
sv_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: '$2', want '$3'"; fi; }
JSON=(-H 'Content-Type: application/json')

start_sim serve --port 0 --flavor serve --control --disk-size 1M --tick 200 \
	--fault 'POST /v1/boxes/billing/clone:lost=1,count=1' \
	--fault 'POST /v1/boxes/notebook/clone:cut=1,count=1'
SV_PID=$PID

# --- metrics of a box that is not running: boot without AutoStop, 409 with ---
sv_eq 'web-3 starts stopped' "$(sv_status web-3)" stopped
req GET /v1/boxes/web-3/metrics
expect 'scrape of a stopped box, no AutoStop' 200
sv_eq 'the scrape booted it' "$(sv_status web-3)" running
sv_eq 'one boot, caused by the scrape' "$(sv_effects '[.effects[] | select(.kind == "boot") | .path] | join(" ")')" /v1/boxes/web-3/metrics
sv_eq 'a scrape is no use: no stamp' "$(sv_effects .counts.stamp)" 0
sv_state web-3 stopped
sv_lifecycle web-3 '{"auto_stop":60}'
req GET /v1/boxes/web-3/metrics
expect 'scrape of a stopped box with AutoStop' 409
field 'its type' .error.type ConflictError
field 'its code' .error.code conflict
field 'its words' '.error.message | test("is Stopped and AutoStop is enabled; a metrics scrape does not start a box")' true
sv_eq 'and it stays stopped' "$(sv_status web-3)" stopped
sv_eq 'still one boot' "$(sv_effects .counts.boot)" 1

# --- the idle clock: what counts as use ---
curl -s -o /dev/null -X DELETE "$URL/_sim/effects"
for r in 'GET /v1/boxes/web-3' 'HEAD /v1/boxes/web-3' 'GET /v1/boxes/web-3/metrics' \
	'POST /v1/boxes/auth-svc/stop' 'GET /v1/boxes' 'GET /v1/metrics'; do
	set -- $r
	curl -s -o /dev/null -X "$1" "$URL$2"
done
sv_eq 'reads of the box, metrics, stop and lists do not stamp' "$(sv_effects .counts.stamp)" 0
req GET /v1/boxes/web-3/snapshots
expect 'snapshot list' 200
sv_eq 'asking the snapshots stamps' "$(sv_effects '[.effects[] | select(.kind == "stamp") | .box_name] | join(",")')" web-3
req GET /v1/boxes/web-3/nothing-here
expect 'an unknown route under a box' 404
check 'is empty' test ! -s "$TMP/body"
req PUT /v1/boxes/web-3
check 'a PUT of the box' grep -q '^HTTP/1.1 405' "$TMP/hdr"
sv_eq 'unknown routes under a box stamp too' "$(sv_effects .counts.stamp)" 3
sv_eq 'each with its request' "$(sv_effects '[.effects[] | .method + " " + .path] | join(",")')" \
	'GET /v1/boxes/web-3/snapshots,GET /v1/boxes/web-3/nothing-here,PUT /v1/boxes/web-3'

# --- the AutoStop sweep: a box nobody uses stops on schedule; one in use does not ---
curl -s -o /dev/null -X POST "$URL/_sim/boxes" -d '{"name":"idle","status":"running","auto_stop":1}'
curl -s -o /dev/null -X POST "$URL/_sim/boxes" -d '{"name":"kept","status":"running","auto_stop":2}'
req GET /v1/boxes/idle
field 'the deadline is on the box' .auto_stop 1
field 'serve sends no last_activity_at' 'has("last_activity_at")' false
check 'an idle box is stopped by the sweep' poll 10 sv_is idle stopped
check 'the sweep said so' test "$(sv_effects '[.effects[] | select(.kind == "autostop") | .box_name] | index("idle") != null')" = true
for _ in 1 2 3 4 5 6; do
	curl -s -o /dev/null "$URL/v1/boxes/kept/snapshots"
	sleep 0.5
done
sv_eq 'a box in use for 3 s with a 2 s deadline runs' "$(sv_status kept)" running
check 'left alone it stops' poll 10 sv_is kept stopped
req GET /v1/boxes/kept/metrics
expect 'its scrape is refused, not booted' 409

# --- config and me ---
req GET /v1/config
field 'five capability flags' '.capabilities | keys | join(",")' \
	clone_enabled,export_enabled,import_enabled,linux_capabilities_enabled,snapshots_enabled
field 'no idempotency_key_lifetime' '.capabilities | has("idempotency_key_lifetime")' false
req GET /v1/me
field 'me' '[.sub, .principal_type, .prefix, (.expires_at == null)] | join(",")' \
	local-anonymous,service_account,default,true

# --- snapshots ---
req POST /v1/boxes/auth-svc/snapshots "${JSON[@]}" -d '{"name":"first one"}'
expect 'a name with a space' 201
field 'no guest_disk_bytes' 'has("guest_disk_bytes")' false
LONG=$(printf 'n%.0s' $(seq 255))
req POST /v1/boxes/auth-svc/snapshots "${JSON[@]}" -d "{\"name\":\"$LONG\"}"
expect 'a name of 255 bytes' 201
req POST /v1/boxes/auth-svc/snapshots "${JSON[@]}" -d "{\"name\":\"${LONG}x\"}"
expect 'a name of 256 bytes' 400
field 'says why, with the kind' .error.message 'invalid argument: Snapshot name too long (max 255)'
field 'no request_id in the body' '.error | has("request_id")' false
req POST /v1/boxes/auth-svc/snapshots "${JSON[@]}" -d '{"name":".dot"}'
field 'a leading dot' .error.message "invalid argument: Snapshot name cannot start with '.'"
req POST /v1/boxes/auth-svc/snapshots "${JSON[@]}" -d '{"name":"first one"}'
expect 'a duplicate' 409
field 'the duplicate, with the kind' '.error.message | startswith("already exists: snapshot '"'"'first one'"'"' already exists for box")' true
req GET /v1/boxes/auth-svc/snapshots
field 'newest first' '.snapshots[0].name | length' 255
req GET '/v1/boxes/auth-svc/snapshots/nope'
expect 'a missing snapshot' 404
field 'in get_snapshot''s own words' .error.message 'snapshot not found: nope'
req DELETE '/v1/boxes/auth-svc/snapshots/nope'
field 'a missing one deleted' '.error.message | startswith("box not found: snapshot '"'"'nope'"'"' not found")' true
req DELETE '/v1/boxes/auth-svc/snapshots/first%20one'
expect 'the live disk is built on it' 409
field 'the chain rule, with the kind' '.error.message | startswith("invalid state: Cannot remove snapshot: current disk depends")' true
sv_state auth-svc paused
req POST '/v1/boxes/auth-svc/snapshots/first%20one/restore'
expect 'restore of a paused box' 409
field 'refused while active' .error.message 'invalid state: Cannot restore snapshot while box is running. Stop the box first.'
sv_state auth-svc stopped
req POST '/v1/boxes/auth-svc/snapshots/first%20one/restore'
expect 'restore of a stopped box (no body, no Content-Type)' 204

# --- the list reads no query ---
req GET '/v1/boxes?pageSize=abc&pageToken=zzz&status=running'
expect 'a list with any query' 200
field 'everything, unfiltered' '[.boxes[].status] | unique | length > 1' true
field 'no token' 'has("next_page_token")' false

# --- no ETag, never 304 ---
req GET /v1/boxes -H 'If-None-Match: *'
expect 'If-None-Match is ignored' 200
check 'no ETag' bash -c "! grep -qi '^etag:' '$TMP/hdr'"

# --- the framework's own answers ---
req POST /v1/boxes/auth-svc/snapshots -d '{"name":"x"}'
expect 'no JSON Content-Type' 415
check 'plain text' grep -qi '^content-type: text/plain' "$TMP/hdr"
check 'axum words' grep -q 'Expected request with `Content-Type: application/json`' "$TMP/body"
req POST /v1/boxes/auth-svc/clone
expect 'clone with no body at all' 415
req POST /v1/boxes/auth-svc/clone "${JSON[@]}"
expect 'clone with an empty JSON body' 400
check 'not JSON' grep -q '^Failed to parse the request body as JSON' "$TMP/body"
req POST /v1/boxes/auth-svc/snapshots "${JSON[@]}" -d '{}'
expect 'a missing field' 422
check 'says which' grep -q 'missing field `name`' "$TMP/body"
req POST /v1/boxes "${JSON[@]}" -d '{"image":"alpine:3.20","colour":"blue"}'
expect 'an unknown field' 422
check 'says which' grep -q 'unknown field `colour`' "$TMP/body"
req GET /v1/nowhere
expect 'an unknown route' 404
check 'has an empty body' test ! -s "$TMP/body"
req DELETE /v1/metrics
expect 'a method a route does not take' 405
check 'names the methods' grep -qi '^allow: GET' "$TMP/hdr"
check 'has an empty body' test ! -s "$TMP/body"
req DELETE '/v1/boxes/auth-svc?force=maybe'
expect 'a bad query' 400
check 'in plain text' grep -q '^Failed to deserialize query string' "$TMP/body"

# --- X-Request-Id: echoed, else a UUID ---
req GET /v1/boxes/auth-svc -H 'X-Request-Id: trace-42'
check 'echoed' grep -qi '^x-request-id: trace-42' "$TMP/hdr"
req GET /v1/boxes/auth-svc
check 'minted as a UUID' grep -qiE '^x-request-id: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}' "$TMP/hdr"

# --- a unique id prefix names a box ---
AS=$(curl -s "$URL/v1/boxes/auth-svc" | jq -r .box_id)
req GET "/v1/boxes/${AS:0:20}"
field 'by a prefix of its id' .name auth-svc

# --- images/usage ---
req GET /v1/images/usage
expect 'no usage on a local cache' 400
field 'unsupported' .error.code unsupported

# --- no Idempotency-Key: a repeat runs again ---
for _ in 1 2; do
	req POST /v1/boxes/cron/clone "${JSON[@]}" -H 'Idempotency-Key: 5d1e6c1a-0000-4000-8000-000000000001' -d '{}'
done
field 'the second clone is another box' .name cron-clone-2

# --- start and stop read no body ---
req POST /v1/boxes/cron/start -d 'not json at all'
expect 'start with a body that is not JSON' 200

# --- lost and cut: the request done but unanswered, or not done at all ---
curl -s -o /dev/null -X POST "${JSON[@]}" -d '{"name":"lost-clone"}' "$URL/v1/boxes/billing/clone"
sv_eq 'lost: no answer' "$?" 52
req GET /v1/boxes/lost-clone
expect 'lost: the clone was made' 200
curl -s -o /dev/null -X POST "${JSON[@]}" -d '{"name":"cut-clone"}' "$URL/v1/boxes/notebook/clone"
sv_eq 'cut: no answer' "$?" 52
req GET /v1/boxes/cut-clone
expect 'cut: nothing was made' 404
stop_sim "$SV_PID" serve

# --- the export mainline builds whole: silence first, then a length ---
start_sim serve-export --port 0 --flavor serve --disk-size 1M --export-delay 1500
T=$(curl -s -o "$TMP/delayed.boxlite" -D "$TMP/hdr" -w '%{time_starttransfer}' -X POST "$URL/v1/boxes/web-2/export")
check 'nothing for 1.5 s' awk -v t="$T" 'BEGIN { exit !(t >= 1.4) }'
check 'then the archive with its length' grep -qi '^content-length: ' "$TMP/hdr"
check 'whole' archive_check "$TMP/delayed.boxlite"
stop_sim "$PID" serve-export

# --- a key: serve's words, and a lower-case bearer ---
printf 'serve-test-key\n' >"$TMP/serve.key"
start_sim serve-key --port 0 --flavor serve --api-key-file "$TMP/serve.key"
req GET /v1/boxes
expect 'no key' 401
field 'serve''s words' .error.message 'invalid or missing API key'
req GET /v1/boxes -H 'Authorization: bearer serve-test-key'
expect 'a lower-case bearer' 200
stop_sim "$PID" serve-key
