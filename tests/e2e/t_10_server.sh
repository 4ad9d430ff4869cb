# The server: killed, the banner and the last data; restarted on the same
# port with another fleet, the banner goes and the new data comes. And a
# hostile box name: escape sequences and a bidi override reach the screen
# only as replacement characters.

case_server_restart() {
	local first_port old_total
	start_sim first --port 0 --seed 1 || return
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

run_case 'server killed and restarted on the same port' case_server_restart
run_case 'a box name with escape sequences and a bidi override' case_hostile_name
