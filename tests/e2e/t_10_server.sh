# The server: killed, the banner and the last data; restarted on the same
# port with another fleet, the banner goes and the new data comes. And a
# hostile box name: escape sequences and a bidi override reach the screen
# only as replacement characters. And a login renewed or expired mid-session.

case_server_restart() {
	local first_port old_total
	reserve_port || return
	start_sim first --port "$RPORT" --seed 1 || return
	first_port=$PORT # set by start_sim
	start_boxtop --url "$URL" -d 0.5
	ready || return
	old_total=$(sim_jq /v1/boxes '.boxes | length')
	see 'the first fleet' "^ boxes [0-9]+/$old_total running"
	stop_sim "$PID"
	see 'a SERVER DOWN banner' '^ SERVER DOWN \(showing the last data\): '
	see 'the banner says why' 'SERVER DOWN .*: .*127\.0\.0\.1'
	see 'the header says down' '^ boxtop down'
	see_rows 'the last rows stay' "$old_total"
	see 'api-gateway stays listed' '^api-gateway +[0-9A-Z]{12} '
	start_sim second --port "$first_port" --boxes 3 --seed 5 || return
	is 'the second simulator has the same port' "$PORT" "$first_port"
	# the poller retries 1 s, 2 s, 4 s... apart: a longer bound for this one wait
	see 'connected again' '^ boxtop connected ' 30
	unseen 'the banner goes' 'SERVER DOWN'
	see 'the new fleet is counted' '^ boxes [0-9]+/3 running'
	see_rows 'the new rows' 3
	unseen 'the old rows go' '^api-gateway '
	for name in $(sorted_names); do
		see "the new fleet's $name is listed" "^$(re "$name") +[0-9A-Z]{12} "
	done
	keys q
	see_exit 'q quits' 0
}

case_hostile_name() {
	local title total evil
	start_sim hostile --port 0 --seed 1 --control || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	title=$(pane '#{pane_title}')
	evil='evil\u001b]0;pwned\u0007x\u001b[2Jy\u202ez-box'
	sim_post /_sim/boxes "{\"name\":\"$evil\",\"status\":\"running\"}" >/dev/null
	check 'the simulator took the name' api_true /v1/boxes '[.boxes[].name | select(startswith("evil\u001b"))] | length == 1'
	total=$(sim_jq /v1/boxes '.boxes | length')
	see 'the name is shown with replacement characters' '^evil�+x�+y�+z-box +[0-9A-Z]{12} '
	unseen 'no pwned on the screen' 'pwned'
	is 'the pane title is unchanged' "$(pane '#{pane_title}')" "$title"
	see 'the header is intact' '^ boxtop connected '
	see 'the runtime line is intact' "^ boxes [0-9]+/$total running "
	see 'the tab bar is intact' '^ 1 Boxes   2 Detail   3 Images   4 Jobs   5 Events'
	see_rows 'every row is still there' "$total"
	see 'the row after it is still there' '^etl-nightly +[0-9A-Z]{12} '
	see 'the hint bar is intact' '^j/k move down / up'
	keys / C-u
	type_text evil
	keys Enter
	see 'filtered to it' "filter: evil \\(1 of $total\\)"
	keys Enter
	see 'its detail shows the name sanitized' '^ name +evil�+x�+y�+z-box *$'
	is 'the pane title is still unchanged' "$(pane '#{pane_title}')" "$title"
	see 'the detail is intact' '^ id +[0-9A-Z]{26} *$'
	keys D
	see 'a modal title with it sanitized' 'Delete box evil�+x�+y�+z-box\?'
	keys Escape
	unseen 'the modal closes' 'Delete box evil'
	keys q
	see_exit 'q quits' 0
}

# A login renewed while boxtop runs, as a user started it: no arguments, the
# profile in $BOXLITE_HOME/credentials.toml. Its key is refused (AUTH FAILED);
# a new login writes the right one and boxtop connects with no restart (well
# before its 30 s retry), and a stop runs with the new key. Then the token
# expires in place and the server refuses it: "login expired: run boxlite
# auth login"; one more login and it is back. The keys are obvious fakes,
# passed to curl in a header file, never on a command line.
l10_login() { # l10_login LINE...: credentials.toml written anew and renamed over
	printf '%s\n' "[profiles.default]" "url = '$URL'" "$@" >"$TMP/login-home/credentials.toml.new"
	chmod 600 "$TMP/login-home/credentials.toml.new"
	mv "$TMP/login-home/credentials.toml.new" "$TMP/login-home/credentials.toml"
}
l10_api() { curl -s --max-time 5 -H @"$TMP/login.hdr" "$@"; }
l10_status() { l10_api "$URL/v1/boxes/$1" | jq -r .status; }

case_login() {
	local expiry
	mkdir -p "$TMP/login-home"
	chmod 700 "$TMP/login-home"
	printf 'test-e2e-renewed-key\n' >"$TMP/login.key"
	printf 'Authorization: Bearer test-e2e-renewed-key\n' >"$TMP/login.hdr"
	start_sim login --port 0 --seed 1 --control --api-key-file "$TMP/login.key" || return
	l10_login "api_key = 'test-e2e-stale-key'"
	start_boxtop --env "BOXLITE_HOME=$TMP/login-home" -d 0.5
	see 'the stale key is refused' '^ AUTH FAILED \(no data yet\): .*401'
	l10_login "api_key = 'test-e2e-renewed-key'"
	ready || return
	unseen 'the banner goes' 'AUTH FAILED'
	is 'web-1 runs' "$(l10_status web-1)" running
	select_box web-1
	keys s
	see 'stop asks' 'Stop web-1\?'
	keys y
	check 'the stop ran with the new key' poll "$WAIT" eval '[ "$(l10_status web-1)" = stopped ]'
	see 'the detail shows it stopped' '^ status +. stopped *$'
	# an OIDC token, the same string as far as the server knows, valid 2 s more
	expiry=$(($(date +%s) + 2))
	l10_login "access_token = 'test-e2e-renewed-key'" "expires_at = '$(date -u -d "@$expiry" +%Y-%m-%dT%H:%M:%SZ)'"
	while [ "$(date +%s)" -le $((expiry + 1)) ]; do sleep 0.2; done
	is 'the server refuses the key from now' "$(l10_api -o /dev/null -w '%{http_code}' -X POST "$URL/_sim/key/expire")" 204
	see 'login expired, and what to do' '^ AUTH FAILED \(showing the last data\): login expired: run boxlite auth login'
	see 'the last data stays' '^ status +. stopped *$'
	l10_api -o /dev/null -X POST "$URL/_sim/key/restore"
	l10_login "access_token = 'test-e2e-renewed-key'" "expires_at = '$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)'"
	see 'logged in again: connected' '^ boxtop connected '
	unseen 'no banner' 'AUTH FAILED'
	keys q
	see_exit 'q quits' 0
}

run_case 'server killed and restarted on the same port' case_server_restart
run_case 'a box name with escape sequences and a bidi override' case_hostile_name
run_case 'a login renewed, then expired, then renewed: no restart' case_login
