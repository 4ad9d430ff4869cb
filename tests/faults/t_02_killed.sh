# Fault matrix, row 2: the server killed (SIGKILL) while boxtop uses it, then
# restarted on the same port. tests/e2e/t_10_server.sh has the plain case
# (SIGTERM between polls); here the kill lands while a request is in flight
# (a latency_ms fault holds GET /v1/boxes), during an export (the dashboard's
# job and `boxtop export`), and between the refreshes of `boxtop -b -n 5`.
# The dashboard keeps the last rows, dimmed, under the banner while the
# data's age grows, and recovers by itself; a transfer fails with a message
# and leaves no file and no .part; batch mode reports each failed refresh on
# stderr, prints again once the server is back, and ends with status 1.

F02=$TMP/f02
mkdir -p "$F02/home" "$F02/dl"

# f02_kill: SIGKILL to the current simulator ($PID), and a bounded wait.
f02_kill() {
	disown "$PID" 2>/dev/null # no "Killed" notice from the shell
	kill -KILL "$PID" 2>/dev/null
	poll 5 eval "! kill -0 $PID"
	wait "$PID" 2>/dev/null
}
# f02_age: the data's age in seconds from the header (" data 12s old ").
f02_age() { screen | sed -n 's/^ boxtop .* data \([0-9]*\)s old .*/\1/p' | head -1; }
# f02_age_is gt|lt N: the age is greater (less) than N.
f02_age_is() {
	local a
	a=$(f02_age)
	[ -n "$a" ] || return 1
	if [ "$1" = gt ]; then [ "$a" -gt "$2" ]; else [ "$a" -lt "$2" ]; fi
}
# f02_dimmed NAME: the row of NAME is drawn dim (SGR 2).
f02_dimmed() {
	screen_e | NAME=$1 perl -ne 'BEGIN { $n = quotemeta $ENV{NAME} } $f = 1 if /\e\[(?:[0-9;]*;)?2(?:;[0-9;]*)?m(?:\e\[[0-9;]*m)*$n /; END { exit !$f }'
}
# f02_part_grows DIR: a .part in DIR has bytes.
f02_part_grows() { find "$1" -name '*.part' -size +0 | grep -q .; }
# f02_fired: how often the simulator's first fault rule fired.
f02_fired() { sim_jq /_sim/faults '.faults[0].fired // 0'; }
f02_fired_once() { [ "$(f02_fired)" -ge 1 ]; }

case_f02_in_flight() {
	local port total age grown
	reserve_port || return
	start_sim f02-a --port "$RPORT" --seed 1 --control || return
	port=${PORT:?}
	total=$(sim_jq /v1/boxes '.boxes | length')
	start_boxtop --url "$URL" -d 0.5
	ready || return
	see 'the whole fleet' "^ boxes [0-9]+/$total running"
	check 'rows are not dim while connected' eval '! f02_dimmed api-gateway'
	sim_post /_sim/faults '{"method":"GET","path":"/v1/boxes","latency_ms":20000}' >/dev/null
	if poll "$WAIT" f02_fired_once; then ok; else bad "the latency fault never fired: $(sim_get /_sim/faults)"; fi
	f02_kill
	see 'a SERVER DOWN banner' '^ SERVER DOWN \(showing the last data\): '
	see 'the banner names the server' 'SERVER DOWN .*127\.0\.0\.1'
	see 'the header says down with a countdown' '^ boxtop down, retry in [0-9]+s '
	see_rows 'the last rows stay' "$total"
	if poll "$WAIT" f02_dimmed api-gateway; then ok; else bad 'the kept rows are not dimmed'; fi
	age=$(f02_age)
	if [ -n "$age" ] && poll 15 f02_age_is gt "$age"; then ok; else bad "the data's age does not grow from '$age'"; fi
	grown=$(f02_age)
	keys 5
	see 'the Events view names the request that failed' 'server down: GET [^ ]*/v1/boxes[^ ]*: .*(connect|Empty reply|reset|closed)'
	keys 4
	see_tab 'keys still answer: 4' '4 Jobs'
	keys 1
	see_tab 'keys still answer: 1' '1 Boxes'
	start_sim f02-b --port "$port" --seed 1 || return
	is 'the new simulator has the same port' "$PORT" "$port"
	# the poller retries 1 s, 2 s, 4 s... apart: a longer bound for this one wait
	see 'connected again by itself' '^ boxtop connected ' 30
	unseen 'the banner goes' 'SERVER DOWN'
	see 'the fleet is counted again' "^ boxes [0-9]+/$total running"
	if poll "$WAIT" eval '! f02_dimmed api-gateway'; then ok; else bad 'the rows stay dimmed after the reconnect'; fi
	if poll "$WAIT" f02_age_is lt "${grown:-0}"; then ok; else bad "the data's age stays at $(f02_age)s, not under ${grown}s"; fi
	keys q
	see_exit 'q quits' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
}

case_f02_export_job() {
	local dir=$F02/job
	mkdir -p "$dir"
	start_sim f02-job --port 0 --boxes 3 --seed 7 --rate 256K --disk-size 16M || return
	start_boxtop --url "$URL" -d 0.5 --export-dir "$dir"
	ready || return
	select_box web-1
	keys e
	see 'the export prompt' 'Export web-1 to'
	see 'it offers a file in the export directory' "$(re "$dir")/web-1-[0-9]{8}-[0-9]{6}\\.boxlite"
	keys Enter
	see 'the export is queued' 'export web-1 queued'
	if poll "$WAIT" f02_part_grows "$dir"; then ok; else bad "the export never started: $(ls -A "$dir")"; fi
	f02_kill
	keys 4
	see 'the export job fails' '^failed +export +web-1 '
	keys 5
	see 'the Events view says why' 'export web-1 failed: POST .*/export: .*(Empty reply|reset|closed|connect)'
	keys 4
	unseen 'no job runs' '^running '
	if poll "$WAIT" eval "! ls '$dir'/*.part >/dev/null 2>&1"; then ok; else bad "a .part remains: $(ls "$dir")"; fi
	is 'the directory is empty' "$(ls -A "$dir")" ""
	see 'the dashboard says the server is down' '^ SERVER DOWN \(showing the last data\): '
	keys q
	see_exit 'q quits: no job left to ask about' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
	is 'still nothing in the directory after q' "$(ls -A "$dir")" ""
}

case_f02_export_cli() {
	local dir=$F02/cli bpid
	mkdir -p "$dir"
	start_sim f02-cli --port 0 --boxes 3 --seed 7 --rate 256K --disk-size 16M || return
	env -u BOXLITE_REST_URL -u BOXLITE_API_KEY -u BOXLITE_PROFILE -u BOXLITE_HOME \
		-u BOXLITE_REST_PATH_PREFIX HOME="$F02/home" \
		"$BOXTOP" --url "$URL" export web-1 -o "$dir/cli.boxlite" >"$F02/out" 2>"$F02/err" </dev/null &
	bpid=$!
	EXTRA_PIDS+=("$bpid")
	if poll "$WAIT" test -s "$dir/cli.boxlite.part"; then ok; else bad 'the export never started'; fi
	f02_kill
	if poll 60 eval "! kill -0 $bpid"; then ok; else bad 'boxtop export still runs after the server died'; fi
	wait "$bpid"
	is 'export with the server killed: exit status' "$?" 1
	if grep -Eq '^boxtop: export failed: POST .*/export: .*(Empty reply|reset|closed|connect)' "$F02/err"; then ok; else bad "no clear message: $(head -c 400 "$F02/err")"; fi
	is 'no path on stdout' "$(cat "$F02/out")" ""
	check 'no file under the final name' test ! -e "$dir/cli.boxlite"
	no_part "$dir" 'export with the server killed'
}

# f02_tables: how many tables batch mode has printed.
f02_tables() { grep -c '^NAME ' "$F02/bout" 2>/dev/null || echo 0; }
f02_tables_above() { [ "$(f02_tables)" -gt "$1" ]; }
f02_errors() { grep -c '^boxtop: ' "$F02/berr" 2>/dev/null || echo 0; }
f02_errors_above() { [ "$(f02_errors)" -gt "$1" ]; }

# Batch mode is stopped (SIGSTOP) while the server is killed and while it is
# started again, so each change lands between two refreshes whatever the
# machine's speed.
case_f02_batch() {
	local port bpid before rc
	reserve_port || return
	start_sim f02-batch --port "$RPORT" --boxes 4 --seed 2 || return
	port=${PORT:?}
	env -u BOXLITE_REST_URL -u BOXLITE_API_KEY -u BOXLITE_PROFILE -u BOXLITE_HOME \
		-u BOXLITE_REST_PATH_PREFIX HOME="$F02/home" \
		"$BOXTOP" --url "$URL" -b -n 20 -d 0.5 >"$F02/bout" 2>"$F02/berr" </dev/null &
	bpid=$!
	EXTRA_PIDS+=("$bpid")
	if poll "$WAIT" f02_tables_above 0; then ok; else bad 'no first table'; fi
	kill -STOP "$bpid"
	f02_kill
	before=$(f02_tables)
	kill -CONT "$bpid"
	if poll "$WAIT" f02_errors_above 0; then ok; else bad "no error on stderr for the failed refresh"; fi
	kill -STOP "$bpid"
	start_sim f02-batch2 --port "$port" --boxes 4 --seed 2 || return
	is 'the new simulator has the same port' "$PORT" "$port"
	kill -CONT "$bpid"
	if poll 30 eval "! kill -0 $bpid"; then ok; else bad 'batch mode did not end'; fi
	wait "$bpid"
	rc=$?
	is 'a failed refresh makes the exit status 1' "$rc" 1
	if grep -Eq "^boxtop: cannot reach $(re "$URL"): " "$F02/berr"; then ok; else bad "stderr does not name the URL: $(head -c 400 "$F02/berr")"; fi
	is 'every line on stderr is an error naming the server' \
		"$(grep -vc "^boxtop: .*$(re "${URL#http://}")" "$F02/berr")" 0
	check 'output resumes after the restart' f02_tables_above "$before"
	check 'twenty refreshes at most' test "$(f02_tables)" -le 20
	is 'the last table is complete' "$(awk '/^NAME /{n = 0; next} /^$/{next} {n++} END {print n}' "$F02/bout")" 4
}

run_case 'server SIGKILLed with a request in flight, restarted' case_f02_in_flight
run_case 'server SIGKILLed during an export job' case_f02_export_job
run_case 'server SIGKILLed during boxtop export' case_f02_export_cli
run_case 'server SIGKILLed between refreshes of -b -n 20' case_f02_batch
