# shellcheck shell=bash
# `boxtop -b` and `boxtop --json` against a live simulator: the table and
# the documents hold what the API holds (boxes, counts, metrics exactly for
# running boxes, rates from the second refresh), --filter, -n, a server that
# is down or answers errors (exit 1 and one line on stderr, later refreshes
# still made), server text with escape sequences, a closed pipe, signals and
# an unwritable stdout; 3,000 boxes in one document; then prefix discovery
# and a refused key. Then `boxtop --demo` (tui/demo): its own simulator,
# found beside the binary, stopped and its directory removed on the way
# out, gone with a killed boxtop too; no simulator, one that exits, one
# that never answers.
# Sourced by run.sh (ok, bad, check, start_sim, stop_sim, req, TMP); BOXTOP
# is the binary. No check depends on how fast the machine is: waits are
# bounded polls, intervals only need to be longer than zero (the demo's own
# 5 s start-up limit aside).

BOXTOP=${BOXTOP:-build/boxtop}
TB=$TMP/batch
mkdir -p "$TB/home"

# tb ARGS...: runs boxtop (TB_BIN, default BOXTOP) with a scratch HOME and
# no BOXLITE_* from the caller (TB_ENV adds some), at most 60 s; sets RC,
# output in $TB/out, $TB/err.
TB_ENV=()
TB_BIN=
TB_TIMEOUT=$(command -v timeout) # a test may empty PATH
# tb_cmd: TB_CMD is the env(1) command line that gives boxtop that environment
# (an array rather than a function, so `&` runs boxtop itself, not a subshell).
tb_cmd() {
	TB_CMD=(env -u BOXLITE_REST_URL -u BOXLITE_API_KEY -u BOXLITE_PROFILE -u BOXLITE_HOME
		-u BOXLITE_REST_PATH_PREFIX HOME="$TB/home" ${TB_ENV[@]+"${TB_ENV[@]}"})
}
tb() {
	tb_cmd
	"${TB_CMD[@]}" "$TB_TIMEOUT" 60 "${TB_BIN:-$BOXTOP}" "$@" >"$TB/out" 2>"$TB/err" </dev/null
	RC=$?
}
# tb_bg ARGS...: starts boxtop in the background (BPID) and waits (10 s at
# most) for its first table. $TB/out goes first: a stale table must not be
# taken for this one's, or a signal sent before the exec would reach a copy
# of this shell.
tb_bg() {
	local i
	rm -f "$TB/out"
	tb_cmd
	"${TB_CMD[@]}" "$BOXTOP" "$@" >"$TB/out" 2>"$TB/err" </dev/null &
	BPID=$!
	for i in $(seq 200); do
		grep -q '^NAME ' "$TB/out" 2>/dev/null && return 0
		sleep 0.05
	done
}
# tb_gone PID: true once PID has exited (10 s at most).
tb_gone() {
	local i
	for i in $(seq 200); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}
tb_rc() {
	if [ "$RC" = "$2" ]; then ok; else bad "$1: exit $RC, want $2 ($(head -c 300 "$TB/err"))"; fi
}
# tb_has DESC FILE REGEX / tb_hasnt DESC FILE REGEX: a line of FILE matches (or none does).
tb_has() {
	if grep -Eq -- "$3" "$2"; then ok; else bad "$1: no /$3/ in: $(head -c 400 "$2")"; fi
}
tb_hasnt() {
	if grep -Eq -- "$3" "$2"; then bad "$1: /$3/ in: $(head -c 400 "$2")"; else ok; fi
}
# tb_eq DESC GOT WANT
tb_eq() {
	if [ "$2" = "$3" ]; then ok; else bad "$1: '$2', want '$3'"; fi
}
# tb_rows FILE: the table rows (after the NAME line) of the first table.
tb_rows() { awk '/^NAME /{t++; next} /^$/{if (t) exit} t == 1' "$1"; }
# tb_jq DESC FILTER WANT: the filter over the first document of $TB/out.
tb_jq() { tb_eq "$1" "$(head -n 1 "$TB/out" | jq -r "$2" 2>&1)" "$3"; }
tb_post() { curl -s --max-time 5 -X POST "$B_URL$1" -d "$2" >/dev/null; }
tb_clear_faults() { curl -s --max-time 5 -X DELETE "$B_URL/_sim/faults" >/dev/null; }

start_sim batch --port 0 --boxes 12 --seed 5 --control
B_PID=$PID
B_URL=$URL
req GET /v1/boxes
cp "$TMP/body" "$TB/list"
TB_TOTAL=$(jq '.boxes | length' "$TB/list")
TB_RUNNING=$(jq '[.boxes[] | select(.status == "running")] | length' "$TB/list")
check 'the fleet has running and other boxes' test "$TB_RUNNING" -gt 0 -a "$TB_RUNNING" -lt "$TB_TOTAL"

# --- text, one refresh -------------------------------------------------------
tb --url "$B_URL" -b -n 1
tb_rc 'text -n 1' 0
check 'text: nothing on stderr' test ! -s "$TB/err"
tb_has 'text: header with UTC time and endpoint' "$TB/out" \
	"^boxtop  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC  $B_URL  prefix: none$"
tb_has 'text: running and total' "$TB/out" "^boxes: $TB_RUNNING running, $TB_TOTAL total$"
tb_has 'text: runtime line' "$TB/out" "^runtime: $TB_TOTAL created, .* $TB_RUNNING running, [0-9]+ commands"
tb_has 'text: column titles' "$TB/out" \
	'^NAME +ID +STATUS +IMAGE +CPUS +MEM +CPU% +MEM-USED +RX/s +TX/s +AGE$'
tb_eq 'text: one row per box' "$(tb_rows "$TB/out" | wc -l)" "$TB_TOTAL"
tb_eq 'text: one table' "$(grep -c '^NAME ' "$TB/out")" 1
tb_hasnt 'text: no trailing blanks' "$TB/out" ' $'
missing=0
while IFS=$'\t' read -r name id status; do
	grep -Eq "^$name +${id:0:12} +$status " "$TB/out" || missing=$((missing + 1))
done < <(jq -r '.boxes[] | [.name, .box_id, .status] | @tsv' "$TB/list")
tb_eq 'text: every box with its short id and status' "$missing" 0
tb_eq 'text: no rates on the first refresh' \
	"$(tb_rows "$TB/out" | grep -c ' running .*/s ')" 0
tb_eq 'text: CPU% for each running box' "$(tb_rows "$TB/out" | grep -Ec ' running .* [0-9.]+% ')" \
	"$TB_RUNNING"

# --- JSON --------------------------------------------------------------------
tb --url "$B_URL" --json
tb_rc '--json' 0
tb_eq '--json without -n: one document' "$(wc -l <"$TB/out")" 1
tb_jq '--json: box count' '.boxes | length' "$TB_TOTAL"
tb_jq '--json: the same ids' '[.boxes[].box_id] | sort | join(",")' \
	"$(jq -r '[.boxes[].box_id] | sort | join(",")' "$TB/list")"
tb_jq '--json: metrics for every running box' \
	'[.boxes[] | select(.status == "running") | has("metrics") and has("rates")] | all' true
tb_jq '--json: metrics for no other box' '[.boxes[] | select(.status != "running") | has("metrics")] | any' false
tb_jq '--json: metrics hold a cpu_percent' \
	'[.boxes[] | select(has("metrics")) | .metrics.cpu_percent | type == "number"] | all' true
tb_jq '--json: no rates from one sample' '[.boxes[] | select(has("rates")) | .rates[] == null] | all' true
tb_jq '--json: time' '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")' true
tb_jq '--json: endpoint' '.endpoint | "\(.url) \(.prefix)"' "$B_URL null"
tb_jq '--json: connected' '.connection.status' connected
tb_jq '--json: runtime' '.runtime.boxes_created_total' "$TB_TOTAL"
tb_jq '--json: boxes as the API writes them' \
	'[.boxes[] | has("created_at") and has("memory_mib") and has("labels")] | all' true

tb --url "$B_URL" --json -n 2 -d 0.2
tb_rc '--json -n 2' 0
tb_eq '--json -n 2: two lines' "$(wc -l <"$TB/out")" 2
tb_eq '--json -n 2: rates from the second' \
	"$(tail -n 1 "$TB/out" | jq '[.boxes[] | select(.status == "running") | .rates[] | type == "number"] | all')" \
	true

# --- --filter and -n ---------------------------------------------------------
tb --url "$B_URL" -b -n 1 --filter status:running
tb_rc '--filter' 0
tb_eq '--filter: only running rows' "$(tb_rows "$TB/out" | grep -c ' running ')" "$TB_RUNNING"
tb_eq '--filter: no other rows' "$(tb_rows "$TB/out" | wc -l)" "$TB_RUNNING"
tb_has '--filter: header says so' "$TB/out" \
	"^boxes: $TB_RUNNING running, $TB_TOTAL total; $TB_RUNNING match \"status:running\"$"
tb --url "$B_URL" --json --filter '!status:running'
tb_jq '--json --filter' '[.boxes[] | .status != "running"] | all' true
tb_jq '--json --filter count' '.boxes | length' "$((TB_TOTAL - TB_RUNNING))"
tb --url "$B_URL" -b -n 1 --filter no-such-box-anywhere
tb_rc '--filter matching nothing' 0
tb_eq '--filter matching nothing: no rows' "$(tb_rows "$TB/out" | wc -l)" 0

tb --url "$B_URL" -b -n 3 -d 0.1
tb_rc '-n 3' 0
tb_eq '-n 3: three tables' "$(grep -c '^NAME ' "$TB/out")" 3
tb_eq '-n 3: three header blocks' "$(grep -c '^boxtop  ' "$TB/out")" 3
tb_eq '-n 3: blank lines inside and between' "$(grep -c '^$' "$TB/out")" 5
tb_eq '-n 3: every table whole' "$(wc -l <"$TB/out")" $((3 * (TB_TOTAL + 5) + 2))

# --- a server that is down or answers errors ---------------------------------
for mode in -b --json; do
	tb --url http://127.0.0.1:9 "$mode" -n 1
	tb_rc "server down ($mode)" 1
	check "server down ($mode): nothing on stdout" test ! -s "$TB/out"
	tb_eq "server down ($mode): one line" "$(wc -l <"$TB/err")" 1
	tb_has "server down ($mode): says so" "$TB/err" '^boxtop: cannot reach http://127\.0\.0\.1:9: .'
done

tb_post /_sim/faults '{"method":"GET","path":"/v1/boxes*","status":500}'
tb --url "$B_URL" -b -n 1
tb_rc 'box list fails' 1
check 'box list fails: nothing on stdout' test ! -s "$TB/out"
tb_has 'box list fails: the server error' "$TB/err" "^boxtop: $B_URL: internal \(500\): .*\[request sim-"
tb_clear_faults

tb_post /_sim/faults '{"method":"GET","path":"/v1/metrics","status":500}'
tb --url "$B_URL" -b -n 1
tb_rc 'runtime metrics fail' 1
tb_has 'runtime metrics fail: table still printed' "$TB/out" '^runtime: unavailable$'
tb_eq 'runtime metrics fail: all rows' "$(tb_rows "$TB/out" | wc -l)" "$TB_TOTAL"
tb_has 'runtime metrics fail: said' "$TB/err" '^boxtop: runtime metrics: .*internal \(500\)'
tb --url "$B_URL" --json
tb_rc 'runtime metrics fail (--json)' 1
tb_jq 'runtime metrics fail: degraded' '.connection.status' degraded
tb_jq 'runtime metrics fail: why' '.connection.message | test("^runtime metrics: .*500")' true
tb_jq 'runtime metrics fail: runtime null' '.runtime' null
tb_clear_faults

tb_post /_sim/faults '{"method":"GET","path":"/v1/boxes/*/metrics","status":500}'
tb --url "$B_URL" --json
tb_rc 'box metrics fail' 1
tb_has 'box metrics fail: counted' "$TB/err" "^boxtop: metrics of $TB_RUNNING box(es)?: .*500"
tb_jq 'box metrics fail: no metrics' '[.boxes[] | has("metrics")] | any' false
tb_jq 'box metrics fail: still every box' '.boxes | length' "$TB_TOTAL"
tb_clear_faults

# A failed refresh does not end the run; the status says one failed.
tb_post /_sim/faults '{"method":"GET","path":"/v1/boxes*","status":500,"count":1}'
tb --url "$B_URL" -b -n 2 -d 0.1
tb_rc 'one refresh of two fails' 1
tb_eq 'one refresh of two fails: one table' "$(grep -c '^NAME ' "$TB/out")" 1
tb_eq 'one refresh of two fails: one error line' "$(wc -l <"$TB/err")" 1
tb_clear_faults

# --- server text with escape sequences ---------------------------------------
TB_EVIL=$(printf 'evil\033[31mred\033]0;pwned\007-x')
tb_post /_sim/boxes "$(jq -nc --arg n "$TB_EVIL" '{name: $n, image: "img\u001b[2Jwipe", status: "running"}')"
tb --url "$B_URL" -b -n 1
tb_rc 'escape sequences' 0
if LC_ALL=C grep -q $'[\x1b\x07\x9b]' "$TB/out"; then bad 'an ESC, BEL or CSI byte reached stdout'; else ok; fi
tb_has 'the box is listed, defanged' "$TB/out" '^evil.*red.*-x .* running .*img.*wipe '
tb_eq 'the table grew by one' "$(tb_rows "$TB/out" | wc -l)" $((TB_TOTAL + 1))
tb --url "$B_URL" --json
tb_eq 'JSON keeps the name exactly' \
	"$(head -n 1 "$TB/out" | jq -r --arg n "$TB_EVIL" '[.boxes[] | select(.name == $n)] | length')" 1

# --- stdout closed, signals, stdout full -------------------------------------
tb_cmd
"${TB_CMD[@]}" timeout 60 "$BOXTOP" --url "$B_URL" -b -d 0.1 </dev/null 2>"$TB/err" | head -n 2 >/dev/null
tb_eq 'stdout closed (| head): status 0' "${PIPESTATUS[0]}" 0
check 'stdout closed: nothing on stderr' test ! -s "$TB/err"

for sig in INT TERM; do
	tb_bg --url "$B_URL" -b -d 600
	kill -"$sig" "$BPID"
	tb_gone "$BPID" || { bad "SIG$sig: still running 10 s later"; kill -KILL "$BPID"; }
	wait "$BPID"
	RC=$?
	tb_rc "SIG$sig during the wait" $((128 + $(kill -l "$sig")))
	tb_eq "SIG$sig: the table was out" "$(grep -c '^NAME ' "$TB/out")" 1
done

if [ -w /dev/full ]; then
	tb_cmd
	"${TB_CMD[@]}" timeout 60 "$BOXTOP" --url "$B_URL" -b -n 1 >/dev/full 2>"$TB/err" </dev/null
	RC=$?
	tb_rc 'stdout full' 1
	tb_has 'stdout full: said' "$TB/err" '^boxtop: cannot write the output: '
fi
stop_sim "$B_PID" batch

# --- a larger fleet: the document written a box at a time --------------------
# 3,000 boxes: each line is far longer than stdio's buffer (it leaves in many
# writes), and the running boxes' metrics take more than one of batchfetch's
# windows of 1,024.
start_sim batchbig --port 0 --boxes 3000 --seed 5
BB_PID=$PID
tb --url "$URL" --json -n 2 -d 0.2
tb_rc '3,000 boxes: --json -n 2' 0
check '3,000 boxes: nothing on stderr' test ! -s "$TB/err"
tb_eq '3,000 boxes: two lines' "$(wc -l <"$TB/out")" 2
tb_eq '3,000 boxes: every box in each' "$(jq -s -c 'map(.boxes | length)' "$TB/out")" '[3000,3000]'
tb_eq '3,000 boxes: metrics from more than one window' \
	"$(tail -n 1 "$TB/out" | jq '[.boxes[] | select(has("metrics"))] | length > 1024')" true
tb_eq '3,000 boxes: rates on the second for every box with metrics' \
	"$(tail -n 1 "$TB/out" | jq '[.boxes[] | select(has("metrics")) | .rates[] | type == "number"] | all')" true
stop_sim "$BB_PID" batchbig

# --- a prefixed server with a key: prefix discovery, a refused key -----------
# The key is a test value, made up here; it never appears on a command line.
TB_KEY=batch-key-$RANDOM
BOXLITE_SERVE_API_KEY=$TB_KEY start_sim batchkey --port 0 --boxes 3 --prefix team/x-1
BK_PID=$PID
TB_ENV=(BOXLITE_API_KEY="$TB_KEY")
tb --url "$URL" --json
tb_rc 'prefix from /v1/me' 0
tb_jq 'prefix from /v1/me: endpoint' '.endpoint.prefix' team/x-1
tb_jq 'prefix from /v1/me: boxes' '.boxes | length' 3
tb --url "$URL" -b -n 1
tb_has 'prefix in the text header' "$TB/out" '  prefix: team/x-1$'
TB_ENV=(BOXLITE_API_KEY=wrong-key-0)
tb --url "$URL" -b -n 1
tb_rc 'refused key' 1
tb_has 'refused key: said' "$TB/err" '^boxtop: .*unauthenticated \(401\)'
TB_ENV=()
if grep -q -- "$TB_KEY" "$TB/out" "$TB/err"; then bad 'the key was printed'; else ok; fi
stop_sim "$BK_PID" batchkey

# --- --demo, in batch mode ---------------------------------------------------
DEMO_TMP=$TB/demo-tmp # boxtop's TMPDIR: its demo directories show up here
mkdir -p "$DEMO_TMP"
TB_ENV=(TMPDIR="$DEMO_TMP")
# tb_clean DESC: no demo directory and no simulator of ours is left.
tb_clean() {
	tb_eq "$1: state directory removed" "$(ls -A "$DEMO_TMP")" ""
	if pgrep -f -- "$DEMO_TMP" >/dev/null; then bad "$1: a simulator is still running"; else ok; fi
}

tb --demo -b -n 1
tb_rc '--demo -b -n 1' 0
check '--demo: nothing on stderr (the simulator logs to its file)' test ! -s "$TB/err"
tb_has '--demo: a loopback URL, no prefix' "$TB/out" \
	'^boxtop  .* UTC  http://127\.0\.0\.1:[0-9]+  prefix: none$'
tb_has '--demo: a dozen boxes, some running' "$TB/out" '^boxes: [1-9][0-9]* running, 12 total$'
tb_eq '--demo: twelve rows' "$(tb_rows "$TB/out" | wc -l)" 12
tb_clean '--demo -b'

tb --demo --json
tb_rc '--demo --json' 0
tb_jq '--demo --json: not all running, metrics exactly for those that are' \
	'([.boxes[] | select(.status == "running")] | length) as $r |
	 ([.boxes[] | select(has("metrics"))] | length) as $m |
	 $r > 0 and $r < 12 and $m == $r and (.boxes | length) == 12' true
tb_clean '--demo --json'

# Two demos at once get two ports.
cp "$TB/out" "$TB/demo1"
tb_cmd
"${TB_CMD[@]}" timeout 60 "$BOXTOP" --demo --json >"$TB/demo2" 2>&1 </dev/null &
apid=$!
tb --demo --json
wait "$apid"
check 'two demos at once: both ran' test "$RC" = 0 -a -s "$TB/demo2"
check 'two demos at once: two ports' \
	test "$(jq -r .endpoint.url "$TB/demo2")" != "$(jq -r .endpoint.url "$TB/out")"
tb_clean 'two demos at once'

# Stopping: SIGINT cleans up; a killed boxtop still takes its simulator along.
tb_bg --demo -b -d 600
kill -INT "$BPID"
tb_gone "$BPID" || { bad '--demo: SIGINT did not end boxtop'; kill -KILL "$BPID"; }
wait "$BPID"
RC=$?
tb_rc '--demo, SIGINT' 130
tb_clean '--demo, SIGINT'

tb_bg --demo -b -d 600
spid=$(pgrep -f -- "--state-dir $DEMO_TMP/" | head -n 1)
check '--demo: the simulator is found running' test -n "$spid"
kill -KILL "$BPID"
wait "$BPID" 2>/dev/null
if [ -n "$spid" ] && tb_gone "$spid"; then ok; else
	bad '--demo: the simulator outlived a killed boxtop'
	[ -n "$spid" ] && kill -KILL "$spid" 2>/dev/null
fi
rm -rf "${DEMO_TMP:?}"/*

# Failures: no simulator, one that exits at once, one that never answers.
# Each is a copy of boxtop in a directory of its own, with a made-up
# boxlite-sim beside it (or none).
for d in nosim dies mute; do
	mkdir -p "$TB/$d"
	cp "$BOXTOP" "$TB/$d/boxtop"
done
TB_BIN=$TB/nosim/boxtop
TB_ENV=(TMPDIR="$DEMO_TMP" PATH=/nonexistent-for-the-test)
tb --demo -b -n 1
tb_rc 'no simulator' 1
tb_has 'no simulator: said' "$TB/err" '^boxtop: .*boxlite-sim not found'
TB_ENV=(TMPDIR="$DEMO_TMP")
tb_clean 'no simulator'

printf '#!/bin/sh\necho "boxlite-sim: cannot bind: made-up failure" >&2\nexit 3\n' >"$TB/dies/boxlite-sim"
chmod +x "$TB/dies/boxlite-sim"
TB_BIN=$TB/dies/boxtop
tb --demo -b -n 1
tb_rc 'simulator exits' 1
tb_has 'simulator exits: status and log named' "$TB/err" \
	"boxlite-sim exited with status 3 before it was ready \(log: $DEMO_TMP/boxtop-demo-[^/]+/sim\.log\)"
log=$(sed -n 's/.*(log: \(.*\))$/\1/p' "$TB/err")
tb_has 'simulator exits: its stderr is in the log' "${log:-/dev/null}" 'made-up failure'
rm -rf "${DEMO_TMP:?}"/*

printf '#!/bin/sh\necho $$ >"%s"\nexec sleep 600\n' "$TB/mute.pid" >"$TB/mute/boxlite-sim"
chmod +x "$TB/mute/boxlite-sim"
TB_BIN=$TB/mute/boxtop
tb --demo -b -n 1
tb_rc 'simulator never answers' 1
tb_has 'simulator never answers: said' "$TB/err" 'boxlite-sim did not answer within 5 s \(log: '
mpid=$(cat "$TB/mute.pid" 2>/dev/null)
if [ -n "$mpid" ] && ! kill -0 "$mpid" 2>/dev/null; then ok; else
	bad 'simulator never answers: it was left running'
	[ -n "$mpid" ] && kill -KILL "$mpid" 2>/dev/null
fi
TB_BIN=
TB_ENV=()
rm -rf "${DEMO_TMP:?}"/*
