# Watching without touching (api.md: on boxlite serve a metrics read starts
# a box that is not running, and any other request under a box keeps it
# awake). Against each flavor, with the simulator's effects log
# (GET /_sim/effects: boots, resumes, idle-clock stamps, each with its
# request's User-Agent): the dashboard with a stopped box selected, its
# Detail open, the restore pick, ^R; a running box nobody uses, auto_stop
# 3 s, that stops on schedule while its Detail is shown; then -b and --json.
# boxtop boots and resumes nothing, asks no metrics of a box that is not
# running (a fault rule on that box's metrics counts the requests), and
# stamps a box's clock once per look, never on a timer.

# w16_by_boxtop KIND: effects of KIND that boxtop's requests caused.
w16_by_boxtop() {
	sim_get /_sim/effects |
		jq "[.effects[] | select(.kind == \"$1\" and ((.user_agent // \"\") | startswith(\"boxtop/\")))] | length"
}
# w16_stamps_of NAME: boxtop's stamps on the box NAME.
w16_stamps_of() {
	sim_get /_sim/effects |
		jq "[.effects[] | select(.kind == \"stamp\" and .box_name == \"$1\" and ((.user_agent // \"\") | startswith(\"boxtop/\")))] | length"
}
# w16_fired: requests for the stopped box's metrics (the first fault rule's count).
w16_fired() { sim_jq /_sim/faults '.faults[0].fired'; }
w16_bt() {
	env -u BOXLITE_REST_URL -u BOXLITE_API_KEY -u BOXLITE_PROFILE -u BOXLITE_HOME \
		-u BOXLITE_REST_PATH_PREFIX HOME="$TMP/home" timeout 60 "$BOXTOP" "$@" \
		>"$TMP/w16.out" 2>"$TMP/w16.err" </dev/null
}
w16_stopped() { [ "$(sim_jq /v1/boxes/idle .status)" = stopped ]; }

w16_watch() {
	local fl=$1 id3
	start_sim "w16-$fl" --port 0 --flavor "$fl" --control --tick 200 --auto-stop 0 || return
	id3=$(box_id web-3)
	is "$fl: web-3 is stopped" "$(sim_jq /v1/boxes/web-3 .status)" stopped
	# a rule that only counts: every request for web-3's metrics
	sim_post /_sim/faults "{\"spec\":\"GET /v1/boxes/$id3/metrics:latency_ms=1\"}" >/dev/null
	# a snapshot for the pick (made by curl, which boxtop's counts leave out)
	sim_post "/v1/boxes/$id3/snapshots" '{"name":"w16-snap"}' >/dev/null
	start_boxtop --url "$URL" -d 0.5
	ready || return
	select_box web-3
	see "$fl: the detail lists the snapshot" '^ snapshots \(1, asked'
	see "$fl: says why no metrics" 'boxtop does not ask a box that is not running'
	is "$fl: opening the detail is one look" "$(w16_stamps_of web-3)" 1
	sleep 3
	is "$fl: six rounds later, still one" "$(w16_stamps_of web-3)" 1
	keys R
	pick 'Restore which snapshot of web-3' w16-snap
	see "$fl: the restore confirmation" 'Restore web-3 to w16-snap\?'
	keys n
	is "$fl: the pick is one more look" "$(w16_stamps_of web-3)" 2
	keys C-r
	see "$fl: ^R says so" "asking again, web-3's snapshots too"
	poll 10 test "$(w16_stamps_of web-3)" = 3
	is "$fl: ^R is one more look" "$(w16_stamps_of web-3)" 3
	sleep 2
	is "$fl: and nothing on a timer" "$(w16_stamps_of web-3)" 3
	is "$fl: web-3's metrics were never asked" "$(w16_fired)" 0
	is "$fl: web-3 is still stopped" "$(sim_jq /v1/boxes/web-3 .status)" stopped
	# a running box nobody uses stops on schedule while its detail is shown
	sim_post /_sim/boxes '{"name":"idle","status":"running","auto_stop":3}' >/dev/null
	select_box idle
	see "$fl: its metrics are watched" '^ cpu +[0-9.]+%'
	check "$fl: AutoStop stops it while it is watched" poll 30 w16_stopped
	see "$fl: the detail shows it stopped" '^ status +. stopped *$'
	is "$fl: the only use was opening its detail" "$(w16_stamps_of idle)" 1
	keys q
	see_exit "$fl: q quits" 0
	# batch and --json: the same rule
	w16_bt --url "$URL" -b -n 3 -d 0.3
	w16_bt --url "$URL" --json -n 3 -d 0.3
	is "$fl: batch and --json asked no stopped box" "$(w16_fired)" 0
	is "$fl: nothing booted by boxtop" "$(w16_by_boxtop boot)" 0
	is "$fl: nothing resumed by boxtop" "$(w16_by_boxtop resume)" 0
	is "$fl: every stamp was a look" "$(w16_by_boxtop stamp)" 4
	is "$fl: nothing booted at all" "$(sim_jq /_sim/effects .counts.boot)" 0
	stop_case_sims
}

case_watch_serve() { w16_watch serve; }
case_watch_spec() { w16_watch spec; }
case_watch_cloud() { w16_watch cloud; }

run_case 'watching boxlite serve changes nothing it watches' case_watch_serve
run_case 'watching the spec flavor changes nothing it watches' case_watch_spec
run_case 'watching the cloud flavor changes nothing it watches' case_watch_cloud
