# Row 18, `boxtop exec` when the server misbehaves mid-session: the
# simulator SIGKILLed while a command runs on a terminal (255, the lost
# connection named, the terminal restored), an attach that ends without the
# exit frame (the `hangup` fault: 255, "ended the session without an exit
# status"), a server gone silent (SIGSTOP: the client's 45 s silence rule,
# 255, "no answer"), and the attach refused with 409 (exit 1, another client
# explained).

# f18_exec NAME ARGS...: boxtop --url URL ARGS in the background, bounded by
# 90 s; output in $TMP/NAME.out and .err, F18_BG its pid.
f18_exec() {
	local name=$1
	shift
	env -u BOXLITE_REST_URL -u BOXLITE_API_KEY HOME="$TMP/home" timeout 90 "$BOXTOP" \
		--url "$URL" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null &
	F18_BG=$!
}
# f18_wait PID SECONDS: F18_RC is its status, 124 when it outlived SECONDS (then killed).
f18_wait() {
	poll "$2" eval "! kill -0 $1"
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1"
		wait "$1" 2>/dev/null
		F18_RC=124
		return
	fi
	wait "$1"
	F18_RC=$?
}
# f18_attached: the simulator has answered an attach.
f18_attached() {
	[ "$(sim_jq /_sim/requests '[.routes[] | select(.route | test("attach")) | .count] | add // 0')" -ge 1 ]
}

case_exec_killed() {
	local box sim
	start_sim k18 --port 0 --control || return
	sim=$PID
	box=$(sim_jq /v1/boxes '[.boxes[] | select(.status == "running")][0].name')
	# on a terminal (-t puts it in raw mode); afterwards stty says how it was left
	env -u BOXLITE_REST_URL HOME="$TMP/home" timeout 60 script -qec \
		"$BOXTOP --url $URL exec -t $box -- sleep 100; echo EXIT=\$?; stty -a" /dev/null \
		>"$TMP/f18k.tty" </dev/null &
	F18_BG=$!
	check 'the exec attached' poll 10 f18_attached
	kill -KILL "$sim"
	f18_wait "$F18_BG" 30
	is 'script ended' "$F18_RC" 0
	check 'killed mid-exec: exit 255' grep -q 'EXIT=255' "$TMP/f18k.tty"
	check 'the lost connection named' grep -q "boxtop: .*closed the connection" "$TMP/f18k.tty"
	check 'the terminal restored: icanon' grep -Eq '(^| )icanon' "$TMP/f18k.tty"
	check 'the terminal restored: echo' grep -Eq '(^| )echo( |$)' "$TMP/f18k.tty"
}

case_exec_hangup() {
	local box
	start_sim h18 --port 0 --control \
		--fault 'GET /v1/boxes/*/executions/*/attach:hangup=1,count=1' || return
	box=$(sim_jq /v1/boxes '[.boxes[] | select(.status == "running")][0].name')
	f18_exec f18h exec "$box" -- echo before the end
	f18_wait "$F18_BG" 20
	is 'no exit frame: 255' "$F18_RC" 255
	is 'the output still came' "$(cat "$TMP/f18h.out")" 'before the end'
	check 'says the session ended without a status' \
		grep -q 'ended the session without an exit status' "$TMP/f18h.err"
	is 'the rule fired' "$(sim_jq /_sim/faults '.faults[0].fired')" 1
	f18_exec f18h2 exec "$box" -- echo again
	f18_wait "$F18_BG" 20
	is 'the next exec (no fault): 0' "$F18_RC" 0
}

case_exec_silent() {
	local box sim
	start_sim s18 --port 0 --control || return
	sim=$PID
	box=$(sim_jq /v1/boxes '[.boxes[] | select(.status == "running")][0].name')
	f18_exec f18s exec "$box" -- sleep 200
	check 'the exec attached' poll 10 f18_attached
	kill -STOP "$sim"
	f18_wait "$F18_BG" 75
	kill -CONT "$sim"
	is 'a silent server: 255 (after the 45 s silence rule)' "$F18_RC" 255
	check 'says no answer' grep -q 'no answer' "$TMP/f18s.err"
}

case_exec_conflict() {
	local box
	start_sim c18 --port 0 --control \
		--fault 'GET /v1/boxes/*/executions/*/attach:status=409' || return
	box=$(sim_jq /v1/boxes '[.boxes[] | select(.status == "running")][0].name')
	f18_exec f18c exec "$box" -- echo never
	f18_wait "$F18_BG" 20
	is 'attach refused (409): exit 1' "$F18_RC" 1
	check 'another client explained' grep -Eq '409.*another client' "$TMP/f18c.err"
	is 'nothing on stdout' "$(wc -c <"$TMP/f18c.out")" 0
}

mkdir -p "$TMP/home"
run_case 'exec: the simulator killed mid-exec on a terminal' case_exec_killed
run_case 'exec: an attach closed without the exit frame' case_exec_hangup
run_case 'exec: an attach refused with 409' case_exec_conflict
run_case 'exec: a silent server (about 50 s)' case_exec_silent
