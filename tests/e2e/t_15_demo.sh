# boxtop --demo: its own boxlite-sim on a free port, a connected dashboard
# with the demo fleet; q quits and the simulator goes with it.

case_demo() {
	local sims demo_url total p
	start_boxtop --demo -d 0.5
	ready || return
	see 'a loopback URL in the header' '^ boxtop connected +http://127\.0\.0\.1:[0-9]+ '
	demo_url=$(screen | sed -n 1p | grep -Eo 'http://127\.0\.0\.1:[0-9]+' | head -1)
	sims=$(ps -o pid=,comm= --ppid "$(bt_pid)" | awk '$2 == "boxlite-sim" { print $1 }')
	for p in $sims; do EXTRA_PIDS+=("$p"); done
	is 'one boxlite-sim child of boxtop' "$(echo "$sims" | grep -c .)" 1
	total=$(curl -s --max-time 5 "$demo_url/v1/boxes" | jq -r '.boxes | length')
	check 'the demo simulator answers' test -n "$total"
	check 'a fleet of some boxes' test "${total:-0}" -gt 0
	see 'the header counts them' "^ boxes [0-9]+/$total running "
	see_rows 'the table lists them' "$total"
	keys 5
	see 'the events view names the server' "started; server $(re "$demo_url")\$"
	keys q
	see_exit 'q quits' 0
	for p in $sims; do
		if poll "$WAIT" eval "! kill -0 $p"; then ok; else bad "boxlite-sim $p still runs after q"; fi
	done
	check 'nothing answers on the demo port any more' eval "! curl -s --max-time 2 -o /dev/null '$demo_url/v1/config'"
}

run_case '--demo: a connected dashboard, q leaves no simulator' case_demo
