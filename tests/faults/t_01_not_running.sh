# Fault matrix, row 1: no server at the URL when boxtop starts. Batch mode
# (-b and --json) and `boxtop export` end with status 1 and a message that
# names the URL and the reason, and export writes nothing; the dashboard
# opens anyway with the SERVER DOWN (no data yet) banner and a retry
# countdown, answers its keys, quits with 0 and the terminal restored, and
# connects by itself once a simulator starts listening on that port.

F01=$TMP/f01
mkdir -p "$F01/home" "$F01/dl"

# f01_port: sets F01_PORT to a port nothing listens on and no other suite's
# simulator can take meanwhile (reserve_port), and F01_URL to it.
f01_port() {
	reserve_port || return 1
	F01_PORT=$RPORT
	F01_URL=http://127.0.0.1:$RPORT
}

# f01_run ARGS...: boxtop ARGS outside the terminal, in $F01/dl (where a
# default-named export would land), scratch HOME, no BOXLITE_* variables, at
# most 60 s; RC, $F01/out, $F01/err.
f01_run() {
	(cd "$F01/dl" && env -u BOXLITE_REST_URL -u BOXLITE_API_KEY -u BOXLITE_PROFILE \
		-u BOXLITE_HOME -u BOXLITE_REST_PATH_PREFIX HOME="$F01/home" \
		timeout 60 "$BOXTOP" "$@" >"$F01/out" 2>"$F01/err" </dev/null)
	RC=$?
}
# f01_err DESC REGEX: boxtop's stderr has a line matching REGEX.
f01_err() {
	if grep -Eq -- "$2" "$F01/err"; then ok; else bad "$1: no /$2/ in: $(head -c 400 "$F01/err")"; fi
}

case_f01_cli() {
	local reason='(Couldn.t connect to server|[Cc]onnection refused)'
	f01_port || return
	f01_run --url "$F01_URL" -b -n 1
	is 'batch -n 1 without a server: exit status' "$RC" 1
	f01_err 'batch names the URL and the reason' "cannot reach $(re "$F01_URL"): .*$reason"
	is 'batch prints no table' "$(cat "$F01/out")" ""
	f01_run --url "$F01_URL" --json
	is '--json without a server: exit status' "$RC" 1
	f01_err '--json names the URL and the reason' "cannot reach $(re "$F01_URL"): .*$reason"
	is '--json prints no document' "$(cat "$F01/out")" ""
	is '--json: one line on stderr' "$(wc -l <"$F01/err")" 1
	f01_run --url "$F01_URL" export web-1
	is 'export without a server: exit status' "$RC" 1
	f01_err 'export names the URL and the reason' "$(re "$F01_URL")/v1/.*: .*$reason"
	is 'export prints no path' "$(cat "$F01/out")" ""
	is 'export: no file at all' "$(ls -A "$F01/dl")" ""
	f01_run --url "$F01_URL" export web-1 -o "$F01/dl/x.boxlite"
	is 'export -o without a server: exit status' "$RC" 1
	check 'export -o: no file' test ! -e "$F01/dl/x.boxlite"
	no_part "$F01/dl" 'export without a server'
}

# f01_retry: the countdown's number in the header ("down, retry in 4s").
f01_retry() { screen | sed -n 's/^ boxtop down, retry in \([0-9]*\)s .*/\1/p'; }
f01_retry_moved() {
	local now
	now=$(f01_retry)
	[ -n "$now" ] && [ "$now" != "$1" ]
}

# f01_down_dashboard: the checks on a dashboard that never had data.
f01_down_dashboard() {
	local first
	see 'the banner says SERVER DOWN, no data yet' '^ SERVER DOWN \(no data yet\): '
	see 'the banner names the URL' "^ SERVER DOWN \\(no data yet\\): .*127\\.0\\.0\\.1.*$F01_PORT"
	see 'the banner gives the reason' '^ SERVER DOWN .*(Couldn.t connect|refused)'
	see 'the header counts down to the next try' '^ boxtop down, retry in [0-9]+s '
	see 'no data, no age' ' data - old '
	first=$(f01_retry)
	if poll "$WAIT" f01_retry_moved "$first"; then ok; else bad "the countdown stays at '$first'"; fi
	see_rows 'an empty table' 0
	keys 4
	see_tab '4 goes to the Jobs view' '4 Jobs'
	keys 1
	see_tab '1 comes back to the boxes' '1 Boxes'
	keys S
	see 'S without a box says why' 'snapshot the box: no box selected'
	keys '?'
	see '? opens the help' 'keys \(any key closes\)'
	keys Escape
	unseen 'Esc closes the help' 'keys \(any key closes\)'
	see 'the banner is still there' '^ SERVER DOWN \(no data yet\): '
}

case_f01_dashboard_quit() {
	f01_port || return
	start_boxtop --url "$F01_URL" -d 0.5
	f01_down_dashboard
	check 'boxtop still runs' bt_alive
	keys q
	see_exit 'q quits while the server is down' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
	is 'the cursor is visible again' "$(pane '#{cursor_flag}')" 1
	unseen 'the banner is gone with the dashboard' 'SERVER DOWN'
}

case_f01_dashboard_connects() {
	local name
	f01_port || return
	start_boxtop --url "$F01_URL" -d 0.5
	see 'the banner while nothing listens' '^ SERVER DOWN \(no data yet\): '
	start_sim f01-late --port "$F01_PORT" --boxes 5 --seed 3 || return
	is 'the simulator took that port' "$PORT" "$F01_PORT"
	# the poller retries 1 s, 2 s, 4 s... apart: a longer bound for this one wait
	see 'it connects by itself' '^ boxtop connected ' 30
	unseen 'the banner goes' 'SERVER DOWN'
	see 'the fleet is counted' '^ boxes [0-9]+/5 running'
	see_rows 'five rows' 5
	for name in $(sorted_names); do
		see "$name is listed" "^$(re "$name") +[0-9A-Z]{12} "
	done
	see 'the data has an age now' ' data [0-9]+s old '
	keys Enter
	see 'Enter opens the first box' "^ name +$(re "$(sorted_names | head -1)") *$"
	keys q
	see_exit 'q quits' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
}

run_case 'no server: batch, --json and export exit 1' case_f01_cli
run_case 'no server: the dashboard waits, answers keys, q quits' case_f01_dashboard_quit
run_case 'no server: the dashboard connects when one starts' case_f01_dashboard_connects
