# Exec and attach (api.md, "Exec and attach"): POST .../exec with curl,
# the attach WebSocket with tests/integration/wsclient.mjs (node's global
# WebSocket), the executions routes, the main session's log, the single
# client rule, read-only attach, backlog replay, reaping and kill. Sourced
# by run.sh (ok, bad, check, req, expect, field, start_sim, stop_sim, TMP).

if ! node --experimental-websocket -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' \
	2>/dev/null; then
	skipped 't_exec.sh: exec and attach: no node with --experimental-websocket'
	return 0
fi

WSCLIENT=tests/integration/wsclient.mjs
start_sim exec --port 0 --flavor serve --control --reap-grace 5 --log-rate 20
EXEC_PID=$PID
WS=${URL/http:/ws:}

# ws NAME PATH [STEP...]: attaches to PATH, runs the steps; the client's
# JSON result in $TMP/NAME.ws.
ws() {
	local name=$1 path=$2
	shift 2
	WS_TIMEOUT_MS=${WS_TIMEOUT_MS:-8000} timeout 20 node --experimental-websocket "$WSCLIENT" \
		"$WS$path" "$@" >"$TMP/$name.ws" 2>"$TMP/$name.wserr" || echo '{}' >"$TMP/$name.ws"
}
# wsfield DESC NAME JQ WANT: a field of the client's result.
wsfield() {
	local got
	got=$(jq -r "$3" "$TMP/$2.ws" 2>/dev/null)
	if [ "$got" = "$4" ]; then ok; else bad "$1: $3 = '$got', want '$4' ($(head -c 400 "$TMP/$2.ws"))"; fi
}
# run_exec BODY: POST .../exec of $BOX; EID set.
run_exec() {
	req POST "/v1/boxes/$BOX/exec" -H 'Content-Type: application/json' -d "$1"
	EID=$(jq -r '.execution_id // empty' "$TMP/body" 2>/dev/null)
}
# handshake PATH: a WebSocket handshake with curl (no frames read); headers in $TMP/hdr.
handshake() {
	CODE=$(curl -s --max-time 2 -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' \
		-H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
		-H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "$URL$1")
}

req GET /v1/boxes
BOX=$(jq -r '[.boxes[] | select(.status == "running")][0].box_id' "$TMP/body")

# --- exec, output, exit status --------------------------------------------------
run_exec '{"command":"echo","args":["hello","exec"]}'
expect 'exec echo' 201
check 'exec echo: an execution id' test -n "$EID"
ws echo "/v1/boxes/$BOX/executions/$EID/attach"
wsfield 'echo: stdout' echo '.out == "hello exec\n"' true
wsfield 'echo: exit frame' echo '.texts[-1] | "\(.type) \(.exit_code)"' 'exit 0'
wsfield 'echo: close without status' echo .close 1005
req GET "/v1/boxes/$BOX/executions/$EID"
expect 'execution completed' 200
field 'execution completed: status' .status completed
field 'execution completed: exit_code' .exit_code 0

run_exec '{"command":"sh","args":["-c","echo to-out; echo to-err >&2; exit 3"]}'
ws status3 "/v1/boxes/$BOX/executions/$EID/attach"
wsfield 'exit 3' status3 '.texts[-1].exit_code' 3
wsfield 'stdout apart' status3 '.out == "to-out\n"' true
wsfield 'stderr on 0x02' status3 '.err == "to-err\n"' true

run_exec '{"command":"no-such-command"}'
expect 'unknown command: 201' 201
ws unknown "/v1/boxes/$BOX/executions/$EID/attach"
wsfield 'unknown command: 127' unknown '.texts[-1].exit_code' 127
wsfield 'unknown command: why on stderr' unknown '.err | test("not found")' true

run_exec '{"command":"cat","stdin":"given on stdin\n"}'
ws stdin "/v1/boxes/$BOX/executions/$EID/attach"
wsfield 'stdin field: read by cat' stdin '.out == "given on stdin\n"' true

# --- request checks --------------------------------------------------------------
req POST "/v1/boxes/$BOX/exec" -d '{"command":"echo"}'
expect 'exec without a JSON Content-Type: 415' 415
req POST "/v1/boxes/$BOX/exec" -H 'Content-Type: application/json' -d '{"args":[]}'
expect 'exec without a command: 422' 422
req POST /v1/boxes/no-such-box/exec -H 'Content-Type: application/json' -d '{"command":"echo"}'
expect 'exec on a missing box' 404
field 'exec on a missing box: message' .error.message 'box not found: no-such-box'
req GET "/v1/boxes/$BOX/executions/exec-nope"
expect 'missing execution' 404
field 'missing execution: message' .error.message 'execution not found: exec-nope'
field 'missing execution: code' .error.code not_found

# --- a TTY shell: input, resize, signal -------------------------------------------
run_exec '{"command":"sh","tty":true}'
ws tty "/v1/boxes/$BOX/executions/$EID/attach" sleep:200 'bin:echo hi\r' 'wait:hi\r?\n' \
	'text:{"type":"resize","cols":101,"rows":33}' sleep:200 'bin:stty size\r' 'wait:33 101' \
	'bin:exit 4\r'
wsfield 'tty: echo hi' tty '.out | test("echo hi\r?\nhi\r?\n")' true
wsfield 'tty: stty size after resize' tty '.out | test("33 101")' true
wsfield 'tty: exit 4' tty '.texts[-1].exit_code' 4

run_exec '{"command":"yes"}'
ws yes "/v1/boxes/$BOX/executions/$EID/attach" 'wait:y\ny\ny\n' sleep:300 \
	'text:{"type":"signal","sig":2}'
wsfield 'yes: interrupted by INT (130)' yes '.texts[-1].exit_code' 130
wsfield 'yes: wrote a lot' yes '.outLen > 65536' true

run_exec '{"command":"sleep","args":["30"]}'
req POST "/v1/boxes/$BOX/executions/$EID/signal" -H 'Content-Type: application/json' -d '{"signal":9}'
expect 'signal 9 refused' 400
field 'signal 9 refused: code' .error.code invalid_argument
req POST "/v1/boxes/$BOX/executions/$EID/resize" -H 'Content-Type: application/json' \
	-d '{"cols":80,"rows":24}'
expect 'resize' 204
req GET "/v1/boxes/$BOX/executions/$EID"
field 'sleep: running' .status running
field 'sleep: no exit_code while running' 'has("exit_code")' false
req POST "/v1/boxes/$BOX/executions/$EID/signal" -H 'Content-Type: application/json' -d '{"signal":15}'
expect 'signal TERM' 204
check 'TERM: exit 143' poll 5 sh -c "curl -s '$URL/v1/boxes/$BOX/executions/$EID' | jq -e '.exit_code == 143' >/dev/null"

# --- one client at a time, read-only, replay --------------------------------------
run_exec '{"command":"cat"}'
CAT=$EID
ws first "/v1/boxes/$BOX/executions/$CAT/attach" 'bin:first input\n' 'wait:first input' \
	sleep:1500 exit &
WSPID=$!
sleep 0.7
handshake "/v1/boxes/$BOX/executions/$CAT/attach"
check 'second attach: 409' test "$CODE" = 409
field 'second attach: invalid_state' .error.code invalid_state
wait "$WSPID"
wsfield 'first attach: its input echoed by cat' first '.out == "first input\n"' true
sleep 0.3
ws again "/v1/boxes/$BOX/executions/$CAT/attach" sleep:300 exit
wsfield 'reattach: backlog replayed' again '.out == "first input\n"' true
ws ro "/v1/boxes/$BOX/executions/$CAT/attach?stdin=0" 'text:{"type":"resize","cols":9,"rows":9}' \
	'waittext:error' 'bin:refused'
wsfield 'read-only: a control write refused' ro '.texts[0].code' read_only_attach
wsfield 'read-only: stdin closes with 1008' ro .close 1008
wsfield 'read-only: replay still came' ro '.out == "first input\n"' true
req GET "/v1/boxes/$BOX/executions/$CAT/attach?stdin=maybe"
expect 'stdin=maybe: 400' 400
ws eof "/v1/boxes/$BOX/executions/$CAT/attach" 'bin:more\n' 'wait:more' 'text:{"type":"stdin_eof"}'
wsfield 'stdin_eof ends cat' eof '.texts[-1].exit_code' 0

# --- reaping (--reap-grace 5: a slow machine still reads a finished one) and kill ---
run_exec '{"command":"echo","args":["short"]}'
check 'a finished execution is still read before the grace' \
	poll 5 sh -c "curl -s '$URL/v1/boxes/$BOX/executions/$EID' | jq -e '.status == \"completed\"' >/dev/null"
check 'reaped after the grace' \
	poll 15 sh -c "curl -s -o /dev/null -w '%{http_code}' '$URL/v1/boxes/$BOX/executions/$EID' | grep -q 404"

run_exec '{"command":"sleep","args":["60"]}'
ws killed "/v1/boxes/$BOX/executions/$EID/attach" &
WSPID=$!
sleep 2 # node starts and attaches
req DELETE "/v1/boxes/$BOX/executions/$EID"
expect 'kill' 204
wait "$WSPID"
wsfield 'kill: the attached client sees 137' killed '.texts[-1].exit_code' 137
req GET "/v1/boxes/$BOX/executions/$EID"
expect 'killed execution forgotten' 404

# --- the main session ----------------------------------------------------------------
handshake "/v1/boxes/$BOX/attach?stdin=0"
check 'main attach: 101' test "$CODE" = 101
check 'main attach: x-boxlite-execution-id' grep -qi '^x-boxlite-execution-id: exec-' "$TMP/hdr"
MAIN=$(sed -n 's/^x-boxlite-execution-id: *\([^[:space:]]*\).*/\1/Ip' "$TMP/hdr")
sleep 0.3
ws main "/v1/boxes/$BOX/attach" 'wait:ERROR' exit
wsfield 'main session: timestamped log lines' main \
	'.out | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z INFO app: ")' true
wsfield 'main session: SGR colours' main '.out | test("\u001b\\[31mERROR\u001b\\[0m")' true
req GET "/v1/boxes/$BOX/executions/$MAIN"
field 'main session: an execution' .status running
run_exec '{"command":"sleep","args":["60"]}'
req POST "/v1/boxes/$BOX/stop"
check 'stopping the box ends its executions (137)' \
	poll 5 sh -c "curl -s '$URL/v1/boxes/$BOX/executions/$EID' | jq -e '.exit_code == 137' >/dev/null"
handshake "/v1/boxes/$BOX/attach"
check 'main attach of a stopped box: 409' test "$CODE" = 409
field 'main attach of a stopped box: invalid_state' .error.code invalid_state

# --- exec boots a stopped box (auto_resume), which counts as use -------------------
req DELETE /_sim/effects
run_exec '{"command":"echo"}'
expect 'exec on a stopped box boots it' 201
req GET "/v1/boxes/$BOX"
field 'booted by exec' .status running
req GET /_sim/effects
field 'exec boot recorded as a resume' .counts.resume 1
field 'exec counted as use' '.counts.stamp >= 1' true

# the upgrade stamps once (a request under the box); each stdin frame with bytes once more
run_exec '{"command":"cat"}'
req DELETE /_sim/effects
ws stamps "/v1/boxes/$BOX/executions/$EID/attach" 'bin:a' 'bin:b' 'wait:ab' 'text:{"type":"stdin_eof"}'
req GET /_sim/effects
field 'attach frames count as use' .counts.stamp 3

stop_sim "$EXEC_PID" exec
