# Load on the server: with 300 boxes in a short pane (a handful of rows),
# filtered to the running ones (so the box just below the screen runs too),
# the dashboard asks each refresh for the list, the runtime metrics, the
# metrics of the running boxes on screen (and of the selected one, for the
# detail view, even when it is stopped) and the selected box's snapshots;
# never the metrics of a box off screen. Counted by the simulator
# (GET /_sim/requests) over enough refreshes that one extra box a refresh
# shows past the two partial refreshes at the ends of the window.

# l11_snap: takes the simulator's request tally once, into L11_TALLY. Counts
# compared with each other must come from one snapshot: boxtop keeps polling
# between two reads of the tally.
l11_snap() { L11_TALLY=$(sim_get /_sim/requests); }
# l11_of ROUTE [FIELD]: FIELD (count) of GET ROUTE in the last snapshot.
l11_of() {
	jq --arg r "$1" --arg f "${2:-count}" \
		'[.routes[] | select(.method == "GET" and .route == $r) | .[$f]] | add // 0' <<<"$L11_TALLY"
}
# l11_count ROUTE: how many requests the tally holds for GET ROUTE now.
l11_count() {
	l11_snap
	l11_of "$1"
}
l11_lists_at_least() { [ "$(l11_count /v1/boxes)" -ge "$1" ]; }
# The table's rows: only they say which boxes are on screen (the header
# line says "running" too).
l11_rows() { screen | grep -E '^[^ ].*  ([0-9A-Z]{12} )?[^ ] (configured|running|paused|stopping|stopped|failed|unknown)( |$)'; }

case_load() {
	local rows running sel_extra need fleet_running lists metrics runtime saved_rows=$ROWS
	start_sim load --port 0 --seed 1 --boxes 300 --control || return
	ROWS=14
	start_boxtop --url "$URL" -d 0.3 --filter status:running
	ROWS=$saved_rows
	ready || return
	see '--filter starts the dashboard filtered' 'filter: status:running \([0-9]+ of 300\)'
	sleep 1 # the first refreshes, the images and the config behind
	rows=$(l11_rows | wc -l)
	running=$(l11_rows | grep -Ec ' running( |$)')
	# The selected row is the first (no key pressed): one more when it is not running.
	sel_extra=$(l11_rows | head -1 | grep -Ec ' running( |$)' | awk '{print 1 - $1}')
	need=$((running + sel_extra))
	fleet_running=$(sim_get '/v1/boxes?pageSize=1000' | jq '[.boxes[] | select(.status == "running")] | length')
	check "more boxes run ($fleet_running) than fit on screen ($rows rows)" test "$fleet_running" -gt $((rows + 1))
	check "some rows on screen ($rows), all running ($running)" test "$rows" -ge 3 -a "$running" -eq "$rows"
	curl -s --max-time 5 -X DELETE "$URL/_sim/requests" >/dev/null
	# More refreshes than twice the boxes needed: then one box too many a
	# refresh is more than the two partial refreshes can hide.
	check 'enough refreshes counted' poll 40 l11_lists_at_least $((2 * need + 3))
	l11_snap
	lists=$(l11_of /v1/boxes)
	metrics=$(l11_of '/v1/boxes/*/metrics')
	runtime=$(l11_of /v1/metrics)
	check "box metrics ($metrics in $lists refreshes) at most $need a refresh ($running running rows + $sel_extra)" \
		test "$metrics" -le $((lists * need + need))
	check "and at least that" test "$metrics" -ge $(((lists - 1) * need))
	is 'runtime metrics once a refresh (give or take the one in flight)' \
		"$((runtime - lists <= 1 && lists - runtime <= 1))" 1
	keys q
	see_exit 'q quits' 0
}

run_case 'load: only the metrics the screen shows' case_load

# A list of three pages: while nothing changes every list request comes back
# 304 (each page asked with its ETag); a box on the last page changing state
# behind boxtop's back shows on screen, with its page alone coming in whole.
l11_not_modified() { l11_of /v1/boxes not_modified; }

case_pages() {
	local token name id lists nm
	start_sim pages --port 0 --seed 1 --boxes 2500 --control || return
	token=$(sim_jq '/v1/boxes?pageSize=1000' .next_page_token)
	token=$(sim_jq "/v1/boxes?pageSize=1000&pageToken=$token" .next_page_token)
	name=$(sim_jq "/v1/boxes?pageSize=1000&pageToken=$token" '[.boxes[] | select(.status == "running")][0].name')
	id=$(box_id "$name")
	check "a running box on the third page ($name)" test -n "$id" -a "$id" != null
	start_boxtop --url "$URL" -d 0.3 --filter "id:$id"
	ready || return
	see_rows 'the box alone on screen' 1
	see 'running' "^$(re "$name") .* running( |\$)"
	sleep 1
	curl -s --max-time 5 -X DELETE "$URL/_sim/requests" >/dev/null
	check 'refreshes go on' poll 20 l11_lists_at_least 9
	l11_snap
	lists=$(l11_of /v1/boxes)
	nm=$(l11_not_modified)
	check "unchanged: the list requests are 304s ($nm of $lists, one may be in flight)" \
		test "$nm" -ge $((lists - 1))
	curl -s --max-time 5 -X DELETE "$URL/_sim/requests" >/dev/null
	sim_post "/_sim/boxes/$id/state" '{"status":"stopped"}' >/dev/null
	see 'its new state on screen' "^$(re "$name") .* stopped( |\$)"
	l11_snap
	lists=$(l11_of /v1/boxes)
	nm=$(l11_not_modified)
	is "the changed page alone came whole ($nm 304s of $lists)" $((lists - nm)) 1
	curl -s --max-time 5 -X DELETE "$URL/_sim/requests" >/dev/null
	check 'refreshes go on after the change' poll 20 l11_lists_at_least 9
	l11_snap
	lists=$(l11_of /v1/boxes)
	nm=$(l11_not_modified)
	check "and 304s again ($nm of $lists)" test "$nm" -ge $((lists - 1))
	keys q
	see_exit 'q quits' 0
}

run_case 'a list of three pages: 304s while unchanged, a change shows' case_pages
