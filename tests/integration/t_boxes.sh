# Sourced by run.sh: box create, clone, export, import (byte-verified round
# trip), --strict-stopped, the paused state, Idempotency-Key, ETag/304, the
# serve and cloud flavors and --base-path.

# fetch PATH FILE: POSTs PATH (an export) and keeps the body as FILE.
fetch() {
	req POST "$1" -d '{}'
	cp "$TMP/body" "$2" 2>/dev/null || : >"$2"
}
manifest() { zstd -dc "$1" | tar xOf - manifest.json | jq -r "$2"; }

STATE="$TMP/state-boxes"
start_sim boxes --port 0 --seed 3 --disk-size 2M --state-dir "$STATE"
BOXES_PID=$PID

# --- create ---
req POST /v1/boxes -d '{"name":"made","image":"alpine:3.20","cpus":2,"memory_mib":512,"labels":{"team":"qa"}}'
expect 'create' 201
field 'create status' .status configured
field 'create name' .name made
field 'create labels' .labels.team qa
decodes box 'create'
req POST /v1/boxes -d '{"name":"made"}'
error_is 'create duplicate name' 409 AlreadyExistsError already_exists
req POST /v1/boxes -d '{"name":"-bad"}'
error_is 'create bad name' 400 InvalidArgumentError invalid_argument
req POST /v1/boxes -d '{"cpus":64}'
error_is 'create too many cpus' 400 InvalidArgumentError invalid_argument
req POST /v1/boxes -d '{"isolation":"none"}'
error_is 'create unknown field' 400 InvalidArgumentError invalid_argument
req POST /v1/boxes -d '{}'
expect 'create with defaults' 201
field 'default image' .image alpine:latest
field 'unnamed' .name null

# --- clone ---
req POST /v1/boxes/web-2/clone -d '{"name":"web-2-copy"}'
expect 'clone' 201
field 'clone stopped' .status stopped
field 'clone name' .name web-2-copy
decodes box clone
req POST /v1/boxes/web-2/clone -d '{}'
expect 'clone unnamed' 201
field 'clone made-up name' .name web-2-clone
req POST /v1/boxes/web-2/clone -d '{"name":"web-2-copy"}'
error_is 'clone duplicate name' 409 AlreadyExistsError already_exists
req POST /v1/boxes/nope/clone -d '{}'
error_is 'clone missing box' 404 NotFoundError not_found
req POST /v1/boxes/web-2/clone -d '{"name":7}'
error_is 'clone bad name' 400 InvalidArgumentError invalid_argument

# --- export: a real archive, streamed with a length in the spec flavor ---
fetch /v1/boxes/web-2/export "$TMP/web2.boxlite"
expect 'export' 200
check 'export content type' grep -qi '^content-type: application/octet-stream' "$TMP/hdr"
check 'export content length' grep -qi '^content-length: ' "$TMP/hdr"
check 'export archive valid' archive_check "$TMP/web2.boxlite"
field_m() { local got; got=$(manifest "$TMP/web2.boxlite" "$1"); if [ "$got" = "$2" ]; then ok; else bad "manifest $1 = '$got', want '$2'"; fi; }
field_m .version 3
field_m .box_name web-2
field_m '.exported_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")' true
check 'disk member is 2 MiB' test "$(zstd -dc "$TMP/web2.boxlite" | tar xOf - disk.qcow2 | wc -c)" -eq 2097152
fetch /v1/boxes/web-2-copy/export "$TMP/copy.boxlite"
check 'clone carries the disk' test "$(manifest "$TMP/copy.boxlite" .container_disk_checksum)" = \
	"$(manifest "$TMP/web2.boxlite" .container_disk_checksum)"
req POST /v1/boxes/nope/export
error_is 'export missing box' 404 NotFoundError not_found

# --- import: the exported archive comes back with the same image, name, disk ---
req DELETE '/v1/boxes/web-2?force=true'
expect 'delete source before import' 204
req POST /v1/boxes/import --data-binary "@$TMP/web2.boxlite" -H 'Content-Type: application/octet-stream'
expect 'import' 201
field 'import stopped' .status stopped
field 'import keeps name' .name web-2
field 'import keeps image' .image "$(manifest "$TMP/web2.boxlite" .image)"
decodes box import
IMPORTED=$(jq -r .box_id "$TMP/body")
fetch "/v1/boxes/$IMPORTED/export" "$TMP/again.boxlite"
check 're-export valid' archive_check "$TMP/again.boxlite"
check 'round trip keeps the disk' test "$(manifest "$TMP/again.boxlite" .container_disk_checksum)" = \
	"$(manifest "$TMP/web2.boxlite" .container_disk_checksum)"
check 'round trip keeps disk bytes' cmp <(zstd -dc "$TMP/again.boxlite" | tar xOf - disk.qcow2) \
	<(zstd -dc "$TMP/web2.boxlite" | tar xOf - disk.qcow2)
req POST '/v1/boxes/import?name=web-2-again' --data-binary "@$TMP/web2.boxlite"
field 'import with a name' .name web-2-again
req POST '/v1/boxes/import?name=web-2-again' --data-binary "@$TMP/web2.boxlite"
error_is 'import duplicate name' 409 AlreadyExistsError already_exists
zstd -dc "$TMP/web2.boxlite" >"$TMP/plain.tar"
req POST '/v1/boxes/import?name=from-plain-tar' --data-binary "@$TMP/plain.tar"
expect 'import plain tar' 201
printf 'not an archive at all' >"$TMP/junk"
req POST /v1/boxes/import --data-binary "@$TMP/junk"
error_is 'import junk' 400 InvalidArgumentError invalid_argument
mkdir -p "$TMP/evil" && cd "$TMP/evil" && zstd -dc "$TMP/web2.boxlite" | tar xf - &&
	jq '.container_disk_checksum = "sha256:" + ("0" * 64)' manifest.json >m && mv m manifest.json &&
	tar cf - manifest.json disk.qcow2 | zstd -q >"$TMP/evil.boxlite"
cd - >/dev/null
req POST /v1/boxes/import --data-binary "@$TMP/evil.boxlite"
error_is 'import checksum mismatch' 400 InvalidArgumentError invalid_argument
field 'checksum message' '.error.message | test("checksum")' true
req POST /v1/boxes/import
error_is 'import empty body' 400 InvalidArgumentError invalid_argument
check 'no upload left behind' test -z "$(find "$STATE" -name 'upload-*')"

# --- the disk follows snapshots: restore brings the old checksum back ---
req POST /v1/boxes/web-1/stop
req POST /v1/boxes/web-1/snapshots -d '{"name":"s0"}'
req POST /v1/boxes/web-1/snapshots -d '{"name":"s1"}'
fetch /v1/boxes/web-1/export "$TMP/s1.boxlite"
SUM1=$(manifest "$TMP/s1.boxlite" .container_disk_checksum)
req POST /v1/boxes/web-1/start
req POST /v1/boxes/web-1/stop
fetch /v1/boxes/web-1/export "$TMP/s2.boxlite"
check 'running changes the disk' test "$(manifest "$TMP/s2.boxlite" .container_disk_checksum)" != "$SUM1"
req POST /v1/boxes/web-1/snapshots/s1/restore
expect 'restore s1' 204
fetch /v1/boxes/web-1/export "$TMP/s3.boxlite"
check 'restore brings the disk back' test "$(manifest "$TMP/s3.boxlite" .container_disk_checksum)" = "$SUM1"
req POST /v1/boxes/web-1/clone -d '{"name":"web-1-kid"}'
expect 'clone of a restored box' 201
# The runtime's rule: no snapshot a disk's backing chain holds is removed.
req DELETE /v1/boxes/web-1/snapshots/s1
error_is 'snapshot the live disk is built on' 409 InvalidStateError invalid_state
field 'live dependency message' '.error.message | test("current disk depends")' true
req DELETE /v1/boxes/web-1/snapshots/s0
error_is 'snapshot s1 is built on' 409 InvalidStateError invalid_state
req POST /v1/boxes/web-1/snapshots/s0/restore
req DELETE /v1/boxes/web-1/snapshots/s1
error_is 'snapshot a clone depends on' 409 InvalidStateError invalid_state
field 'clone dependency message' '.error.message | test("clone")' true

# --- Idempotency-Key: a repeat gets the first answer, another payload 422 ---
KEY=6f1c0d7e-3b7a-4c1e-9d8e-2f4a5b6c7d8e
req POST /v1/boxes -H "Idempotency-Key: $KEY" -d '{"name":"once"}'
expect 'keyed create' 201
FIRST=$(jq -r .box_id "$TMP/body")
req POST /v1/boxes -H "Idempotency-Key: $KEY" -d '{"name":"once"}'
expect 'keyed repeat' 201
field 'repeat gives the same box' .box_id "$FIRST"
req GET '/v1/boxes?pageSize=1000'
field 'created once' '[.boxes[] | select(.name == "once")] | length' 1
req POST /v1/boxes -H "Idempotency-Key: $KEY" -d '{"name":"twice"}'
error_is 'key with another payload' 422 InvalidArgumentError invalid_argument
req DELETE /v1/boxes/once -H 'Idempotency-Key: 0b7c1f6e-0000-4000-8000-000000000001'
expect 'keyed delete' 204
req DELETE /v1/boxes/once -H 'Idempotency-Key: 0b7c1f6e-0000-4000-8000-000000000001'
expect 'keyed delete repeat answers as the first time' 204
req DELETE /v1/boxes/once
expect 'unkeyed delete repeat' 404

# --- ETag and If-None-Match on lists ---
req GET /v1/boxes
ETAG=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$TMP/hdr" | tr -d '\r')
check 'list has an etag' test -n "$ETAG"
req GET /v1/boxes -H "If-None-Match: $ETAG"
expect 'unchanged list' 304
check '304 has no body' test ! -s "$TMP/body"
req POST /v1/boxes -d '{"name":"changes-the-list"}'
req GET /v1/boxes -H "If-None-Match: $ETAG"
expect 'changed list' 200
# --- a box deleted between two pages does not make the next page skip one ---
req GET '/v1/boxes?pageSize=1000'
ALL=$(jq -r '[.boxes[].box_id] | join(" ")' "$TMP/body")
req GET '/v1/boxes?pageSize=5'
TOKEN=$(jq -r .next_page_token "$TMP/body")
FIRST=$(jq -r '.boxes[0].box_id' "$TMP/body")
req DELETE "/v1/boxes/$FIRST?force=true"
req GET "/v1/boxes?pageSize=5&pageToken=$TOKEN"
field 'next page starts at the sixth box' '.boxes[0].box_id' "$(echo "$ALL" | cut -d' ' -f6)"
stop_sim "$BOXES_PID" boxes
check 'state dir kept when given' test -d "$STATE"

# --- --strict-stopped and the paused state ---
start_sim strict --port 0 --seed 1 --strict-stopped --disk-size 1M
STRICT_PID=$PID
req POST /v1/boxes/web-1/start
for what in snapshots clone export; do
	req POST "/v1/boxes/web-1/$what" -d '{"name":"x1"}'
	error_is "strict $what of a running box" 409 InvalidStateError invalid_state
done
req POST /v1/boxes/web-1/stop
req POST /v1/boxes/web-1/snapshots -d '{"name":"x1"}'
expect 'strict snapshot of a stopped box' 201
stop_sim "$STRICT_PID" strict

start_sim paused --port 0 --seed 1 --disk-size 4M --rate 2M
PAUSED_PID=$PID
req POST /v1/boxes/web-1/start
curl -s -X POST -o "$TMP/slow.boxlite" "$URL/v1/boxes/web-1/export" &
SLOW=$!
seen=""
# look while the export runs (about 2 s at 2M/s), not a fixed number of times:
# the pause is short and a loaded machine may start the export late
deadline=$(($(date +%s) + 15))
while kill -0 "$SLOW" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do
	curl -s "$URL/v1/boxes/web-1" | grep -q '"status": *"paused"' && seen=yes && break
done
check 'a running box shows paused while exported' test "$seen" = yes
wait "$SLOW"
check 'throttled export is complete' archive_check "$TMP/slow.boxlite"
req GET /v1/boxes/web-1
field 'running again after export' .status running
stop_sim "$PAUSED_PID" paused

# --- 413 over file_transfer_max_bytes ---
start_sim small --port 0 --transfer-max 64K
SMALL_PID=$PID
req GET /v1/config
field 'transfer max advertised' .capabilities.file_transfer_max_bytes 65536
head -c 200000 /dev/zero >"$TMP/big"
req POST /v1/boxes/import --data-binary "@$TMP/big"
error_is 'import over the limit' 413 PayloadTooLargeError payload_too_large
stop_sim "$SMALL_PID" small

# --- --no-etag: a server without ETags answers every GET in full ---
start_sim noetag --port 0 --no-etag
NOETAG_PID=$PID
req GET /v1/boxes
expect 'no-etag list' 200
check 'no ETag header' bash -c "! grep -qi '^etag:' '$TMP/hdr'"
req GET /v1/boxes -H 'If-None-Match: *'
expect 'If-None-Match ignored' 200
field 'the whole list again' '.boxes | length' 24
stop_sim "$NOETAG_PID" noetag

# --- the serve flavor: boxlite serve's shapes ---
start_sim serve --port 0 --flavor serve --disk-size 1M
SERVE_PID=$PID
req GET /v1/me
field 'serve me prefix' .prefix default
field 'serve me has no path_prefix' 'has("path_prefix")' false
decodes principal 'serve me'
req GET /v1/config
field 'serve config only capabilities' 'keys | join(",")' capabilities
decodes config 'serve config'
req GET '/v1/boxes?pageSize=2'
field 'serve does not page' '.boxes | length' 24
field 'serve sends no token' 'has("next_page_token")' false
req DELETE /v1/boxes/web-1
expect 'serve delete forces by default' 204
fetch /v1/boxes/web-2/export "$TMP/serve.boxlite"
expect 'serve export' 200
check 'serve export has a length (built whole)' grep -qi '^content-length: ' "$TMP/hdr"
check 'serve export valid' archive_check "$TMP/serve.boxlite"
stop_sim "$SERVE_PID" serve
start_sim serve --port 0 --flavor serve --disk-size 1M --export-chunked
SERVE_PID=$PID
fetch /v1/boxes/web-2/export "$TMP/serve.boxlite"
check 'serve --export-chunked export is chunked' grep -qi '^transfer-encoding: chunked' "$TMP/hdr"
check 'serve --export-chunked export valid' archive_check "$TMP/serve.boxlite"
stop_sim "$SERVE_PID" serve

# --- the cloud flavor under a base path ---
start_sim cloud --port 0 --flavor cloud --base-path /api --prefix org/team \
	--fault 'GET /api/v1/org/team/metrics:status=429,retry_after=3,count=1'
CLOUD_PID=$PID
req GET /v1/config
expect 'no route outside the base path' 404
req GET /api/v1/config
expect 'config under the base path' 200
req GET /api/v1/org/team/boxes
expect 'boxes under base path and prefix' 200
decodes box_list 'cloud list'
req GET /api/v1/org/team/metrics
expect 'cloud 429' 429
field 'flat body statusCode' .statusCode 429
field 'flat body error' .error 'Too Many Requests'
field 'flat body code' .code resource_exhausted
check 'cloud 429 Retry-After' grep -qi '^retry-after: 3' "$TMP/hdr"
decodes api_error 'cloud flat error'
req GET /api/v1/org/team/metrics
expect 'fault fired once' 200
req GET /api/v1/org/team/boxes/nope
error_is 'cloud 404 stays an envelope' 404 NotFoundError not_found
stop_sim "$CLOUD_PID" cloud

# --- transfers cut mid-way: the client sees an error, the server keeps nothing ---
STATE="$TMP/state-drop"
start_sim drop --port 0 --disk-size 4M --control --state-dir "$STATE" \
	--fault 'POST /v1/boxes/web-2/export:drop_after=100000,count=1' \
	--fault 'POST /v1/boxes/import:drop_after=50000,count=1'
DROP_PID=$PID
curl -s -X POST -o "$TMP/cut.boxlite" "$URL/v1/boxes/web-2/export"
rc=$?
check 'dropped export is an error for the client' test "$rc" -ne 0
check 'dropped export stopped at the cut' test "$(stat -c %s "$TMP/cut.boxlite")" -le 100000
fetch /v1/boxes/web-2/export "$TMP/whole.boxlite"
check 'next export is whole' archive_check "$TMP/whole.boxlite"
req GET '/v1/boxes?pageSize=1000'
BEFORE=$(jq '.boxes | length' "$TMP/body")
curl -s -X POST --data-binary "@$TMP/whole.boxlite" -o /dev/null "$URL/v1/boxes/import?name=cut"
rc=$?
check 'dropped import is an error for the client' test "$rc" -ne 0
# the simulator removes it once libmicrohttpd closes the request, maybe after curl exits
no_upload() { test -z "$(find "$STATE" -name 'upload-*')"; }
check 'dropped import leaves no upload' poll 5 no_upload
check 'dropped import leaves no disk' test -z "$(find "$STATE" -name 'disk-*')"
req GET '/v1/boxes?pageSize=1000'
field 'dropped import made no box' '.boxes | length' "$BEFORE"
req POST '/v1/boxes/import?name=whole' --data-binary "@$TMP/whole.boxlite"
expect 'next import works' 201
req POST /_sim/faults -d '{"method":"GET","path":"/v1/boxes/web-3","drip_ms":5,"count":1}'
expect 'drip rule' 201
req GET /v1/boxes/web-3
expect 'dripped body arrives' 200
decodes box 'dripped box'
req POST /_sim/faults -d '{"method":"GET","path":"/v1/metrics","pad_bytes":1000000,"count":1}'
req GET /v1/metrics
check 'padded body is over a megabyte' test "$(stat -c %s "$TMP/body")" -gt 1000000
decodes runtime_metrics 'padded metrics still decode'
stop_sim "$DROP_PID" drop

# --- SIGTERM with a throttled export and a slow request in flight: a prompt, clean exit ---
start_sim busy --port 0 --rate 100K --disk-size 8M --fault 'GET /v1/metrics:latency_ms=60000'
BUSY_PID=$PID
curl -s -X POST -o /dev/null "$URL/v1/boxes/web-2/export" &
curl -s -o /dev/null "$URL/v1/metrics" &
sleep 0.5
stop_sim "$BUSY_PID" busy
wait

# --- many clients at once: every one answered, the server still fine ---
start_sim crowd --port 0 --boxes 500
CROWD_PID=$PID
seq 200 | xargs -P 50 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 \
	"$URL/v1/boxes?pageSize=100" >"$TMP/crowd"
check '200 concurrent lists all answered 200' test "$(grep -c '^200$' "$TMP/crowd")" -eq 200
seq 40 | xargs -P 20 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -X POST \
	-d '{"name":"c{}"}' "$URL/v1/boxes" >"$TMP/crowd2"
check '40 concurrent creates all 201' test "$(grep -c '^201$' "$TMP/crowd2")" -eq 40
req GET '/v1/boxes?pageSize=1000'
field 'every concurrent create is there' '.boxes | length' 540
stop_sim "$CROWD_PID" crowd
