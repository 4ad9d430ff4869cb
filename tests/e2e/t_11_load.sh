# Load on the server: with 300 boxes, the dashboard asks each refresh for
# the list, the runtime metrics, the metrics of the running boxes on screen
# (and the selected one), and the selected box's snapshots; never the metrics
# of every running box. Counted by the simulator (GET /_sim/requests).

# l11_count ROUTE: how many requests the tally holds for GET ROUTE.
l11_count() {
	sim_get /_sim/requests | jq --arg r "$1" \
		'[.routes[] | select(.method == "GET" and .route == $r) | .count] | add // 0'
}
l11_lists_at_least() { [ "$(l11_count /v1/boxes)" -ge "$1" ]; }

case_load() {
	local rows running fleet_running lists metrics
	start_sim load --port 0 --seed 1 --boxes 300 --control || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	sleep 1 # the first refreshes, the images and the config behind
	rows=$(table_rows)
	running=$(screen | grep -Ec ' running( |$)')
	fleet_running=$(sim_get '/v1/boxes?pageSize=1000' | jq '[.boxes[] | select(.status == "running")] | length')
	check "more boxes run ($fleet_running) than fit on screen ($rows)" test "$fleet_running" -gt $((rows + 1))
	curl -s --max-time 5 -X DELETE "$URL/_sim/requests" >/dev/null
	check 'four refreshes counted' poll 15 l11_lists_at_least 4
	lists=$(l11_count /v1/boxes)
	metrics=$(l11_count '/v1/boxes/*/metrics')
	check "box metrics per refresh ($metrics in $lists) at most the running rows on screen ($running) + the selected" \
		test "$metrics" -le $((lists * (running + 1) + running + 1))
	check "and at least the running rows on screen" test "$metrics" -ge $(((lists - 1) * running))
	is 'runtime metrics once a refresh (give or take the one in flight)' \
		"$(($(l11_count /v1/metrics) - lists <= 1 && lists - $(l11_count /v1/metrics) <= 1))" 1
	keys q
	see_exit 'q quits' 0
}

run_case 'load: only the metrics the screen shows' case_load
