# Row 5, server errors: 500, 502, 503 with Retry-After and 429, in each
# flavor's error body (spec: the envelope with a request_id; serve: the
# envelope without one, the id a UUID in the X-Request-Id header; cloud: the
# gateway's flat {"statusCode","error","message","code"} for 429, 502 and
# 503, the request id only in the X-Request-Id header).
#
# Reads: `boxtop --json` with the fault on the runtime metrics (degraded,
# the kind, the status and the request id in the message, exit 1; the rule
# fired once for 500, API_READ_TRIES times for the others), then one 503
# with Retry-After that is retried and succeeds; the dashboard with the
# fault on the box list ("SERVER DOWN" with the same words, keys answered,
# back to "connected" when the rule is cleared) and on the metrics
# ("degraded"). Mutations: S in the dashboard with a 503 + Retry-After once
# (retried, succeeds, the rule fired exactly its count), a persistent 500
# (fails at once with the server's words, nothing made), in cloud a
# persistent 503 (API_MUTATION_TRIES tries), in serve a 429 twice on s
# (start); `boxtop export` with a 503 once and a persistent 500.

F05_READ_TRIES=$(sed -n 's/^#define API_READ_TRIES *\([0-9]*\).*/\1/p' "$ROOT/net/api.h")
F05_MUT_TRIES=$(sed -n 's/^#define API_MUTATION_TRIES *\([0-9]*\).*/\1/p' "$ROOT/net/api.h")
F05_REQ='\[request (sim-[0-9a-f]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\]'

# f05_kind STATUS: the kind boxtop names for STATUS (model/api_error.c).
f05_kind() {
	case $1 in
	500) echo internal ;; 429) echo resource_exhausted ;; *) echo unavailable ;;
	esac
}
# f05_rule METHOD PATH STATUS [EXTRA]: POSTs a fault rule (503 gets Retry-After: 1).
f05_rule() {
	local ra=""
	[ "$3" = 503 ] && ra=',"retry_after":1'
	sim_post /_sim/faults "{\"method\":\"$1\",\"path\":\"$2\",\"status\":$3$ra${4:-}}" >/dev/null
}
f05_clear() { curl -s --max-time 5 -X DELETE "$URL/_sim/faults" >/dev/null; }
# f05_fired: how often the first rule fired (GET /_sim/faults).
f05_fired() { sim_jq /_sim/faults '.faults[0].fired'; }
# f05_bt BASE ARGS...: boxtop ARGS outside tmux (no BOXLITE_*, empty HOME,
# 60 s at most); the exit status in BASE.rc, the output in BASE.out/.err.
f05_bt() {
	local base=$1
	shift
	env -u BOXLITE_REST_URL -u BOXLITE_API_KEY -u BOXLITE_PROFILE -u BOXLITE_HOME \
		-u BOXLITE_REST_PATH_PREFIX HOME="$TMP/home" timeout 60 "$BOXTOP" "$@" \
		>"$base.out" 2>"$base.err" </dev/null
	echo $? >"$base.rc"
}

# f05_batch_reads FLAVOR DIR: in the background (one simulator per flavor,
# so the three run at once), one `--json` refresh per status with the rule
# on GET /v1/metrics; DIR/STATUS.{rc,out,err,fired}.
f05_batch_reads() {
	local st
	for st in 500 502 503 429; do
		f05_clear
		f05_rule GET /v1/metrics "$st"
		f05_bt "$2/$st" --url "$URL" --json
		f05_fired >"$2/$st.fired"
	done
	f05_clear
}

case_batch_reads() {
	local fl st dir urls=() pids=() i=0 kind total
	for fl in spec serve cloud; do
		start_sim "b05-$fl" --port 0 --boxes 3 --seed 5 --control --flavor "$fl" --disk-size 1M || return
		urls+=("$URL")
	done
	total=$(sim_jq /v1/boxes '.boxes | length')
	# the shapes really differ: a 503 in cloud is flat, in spec an envelope
	f05_rule GET /v1/metrics 503 ',"count":1'
	check 'cloud: a 503 body is flat' eval "sim_get /v1/metrics | jq -e '.statusCode == 503 and (.error | type) == \"string\"'"
	URL=${urls[0]}
	f05_rule GET /v1/metrics 503 ',"count":1'
	check 'spec: a 503 body is an envelope with a request_id' eval "sim_get /v1/metrics | jq -e '.error.request_id | startswith(\"sim-\")'"
	for fl in spec serve cloud; do
		URL=${urls[$i]}
		mkdir -p "$TMP/b05/$fl"
		f05_batch_reads "$fl" "$TMP/b05/$fl" &
		pids+=($!)
		i=$((i + 1))
	done
	wait "${pids[@]}"
	for fl in spec serve cloud; do
		dir=$TMP/b05/$fl
		for st in 500 502 503 429; do
			kind=$(f05_kind "$st")
			is "$fl $st: exit status" "$(cat "$dir/$st.rc")" 1
			is "$fl $st: degraded" "$(jq -r .connection.status "$dir/$st.out" 2>&1)" degraded
			check "$fl $st: the message has the kind, status and request id" \
				grep -Eq "^runtime metrics: .*$kind \\($st\\): simulated failure $F05_REQ\$" \
				<(jq -r .connection.message "$dir/$st.out")
			is "$fl $st: every box still listed" "$(jq '.boxes | length' "$dir/$st.out" 2>&1)" "$total"
			is "$fl $st: runtime null" "$(jq -c .runtime "$dir/$st.out" 2>&1)" null
			check "$fl $st: said on stderr" grep -Eq "^boxtop: runtime metrics: .*$kind \\($st\\): simulated failure $F05_REQ" "$dir/$st.err"
			if [ "$st" = 500 ]; then
				is "$fl 500: not retried (the rule fired once)" "$(cat "$dir/$st.fired")" 1
			else
				is "$fl $st: retried (the rule fired API_READ_TRIES times)" "$(cat "$dir/$st.fired")" "$F05_READ_TRIES"
			fi
		done
	done
	# a 503 with Retry-After once on the box list: retried, then it succeeds
	URL=${urls[2]}
	f05_clear
	sim_post /_sim/faults '{"method":"GET","path":"/v1/boxes","status":503,"retry_after":1,"count":1}' >/dev/null
	f05_bt "$TMP/b05/once" --url "$URL" --json
	is 'cloud 503 once: retried, exit 0' "$(cat "$TMP/b05/once.rc")" 0
	is 'cloud 503 once: connected' "$(jq -r .connection.status "$TMP/b05/once.out" 2>&1)" connected
	is 'cloud 503 once: all boxes' "$(jq '.boxes | length' "$TMP/b05/once.out" 2>&1)" "$total"
	is 'cloud 503 once: the rule fired its count' "$(f05_fired)" 1
}

# f05_newest_job DESC REGEX [SECONDS]: the Jobs view's first row (the newest job) matches.
f05_line5() { line 5 | grep -Eq -- "$1"; }
f05_newest_job() {
	keys 4
	if poll "${3:-$WAIT}" f05_line5 "$2"; then ok; else bad "$1: newest job: $(line 5)"; fi
}
# f05_snapshot NAME DESC REGEX: S on the selected box, NAME typed; the
# message line then matches REGEX (before its 5 s are up).
f05_snapshot() {
	keys S
	see 'snapshot prompt' 'Snapshot web-1: name'
	keys C-u
	type_text "$1"
	keys Enter
	see "$2" "$3" 20
}
f05_has_snap() { api_true "/v1/boxes/$1/snapshots" "[.snapshots[].name] | index(\"$2\") != null"; }

# f05_dash_reads FLAVOR: the box list answers each status: the banner says
# it, the keys still work, clearing the rule brings "connected" back (C-l
# asks for a round at once); then the metrics fail: degraded.
f05_dash_reads() {
	local fl=$1 st kind
	for st in 500 502 503 429; do
		kind=$(f05_kind "$st")
		f05_rule GET '/v1/boxes*' "$st"
		keys C-l
		see "$fl $st: SERVER DOWN with kind, status, request id" \
			"^ SERVER DOWN \\(showing the last data\\): $kind \\($st\\): simulated failure $F05_REQ"
		see "$fl $st: header says down" '^ boxtop down'
		keys 4
		see_tab "$fl $st: 4 still answers" '4 Jobs'
		keys 1
		see_tab "$fl $st: 1 still answers" '1 Boxes'
		see_rows "$fl $st: the last rows stay" 3
		f05_clear
		keys C-l
		see "$fl $st: connected again once cleared" '^ boxtop connected ' 15
		unseen "$fl $st: the banner goes" 'SERVER DOWN'
	done
	f05_rule GET /v1/metrics 503
	see "$fl: metrics failing: degraded" '^ boxtop degraded '
	keys 5
	see "$fl: the Events view says degraded" 'server degraded'
	if [ "$fl" = spec ]; then
		# what failed and why, as batch mode says it: the dashboard only says
		# "1 request failed in the last round" (net/poller.c drops the error)
		see "$fl: the degraded event names the status" 'server degraded: .*\(503\)' 2
	fi
	f05_clear
	keys C-l
	see "$fl: connected once the metrics answer" '^ boxtop connected ' 15
	keys 1
}

# f05_dash_mutations FLAVOR: S with a 503 once (retried, made), S with a
# persistent 500 (failed, nothing made); cloud: a persistent 503 (tried
# API_MUTATION_TRIES times); serve: s (start) with a 429 twice.
f05_dash_mutations() {
	local fl=$1 id
	id=$(box_id web-1)
	select_box web-1
	f05_rule POST "/v1/boxes/$id/snapshots" 503 ',"count":1'
	f05_snapshot "once-$fl" "$fl 503 once: the message line says succeeded" '^snapshot web-1 succeeded'
	f05_newest_job "$fl 503 once: the snapshot succeeded" '^succeeded +snapshot +web-1 '
	check "$fl 503 once: made on the server" f05_has_snap "$id" "once-$fl"
	is "$fl 503 once: the rule fired its count, then the retry went through" "$(f05_fired)" 1
	f05_clear
	keys 2
	f05_rule POST "/v1/boxes/$id/snapshots" 500
	f05_snapshot "p500-$fl" "$fl 500: the message line says why" \
		"^snapshot web-1 failed: internal \\(500\\): simulated failure $F05_REQ"
	f05_newest_job "$fl 500: the snapshot failed" "^failed +snapshot +web-1 +.*internal \\(500\\)"
	is "$fl 500: not retried" "$(f05_fired)" 1
	check "$fl 500: nothing made" eval "! f05_has_snap $id p500-$fl"
	f05_clear
	keys 2
	if [ "$fl" = cloud ]; then
		f05_rule POST "/v1/boxes/$id/snapshots" 503
		f05_snapshot p503 'cloud persistent 503: flat body, request id from the header' \
			"^snapshot web-1 failed: unavailable \\(503\\): simulated failure $F05_REQ"
		f05_newest_job 'cloud persistent 503: failed' '^failed +snapshot +web-1 +.*unavailable \(503\)'
		is 'cloud persistent 503: tried API_MUTATION_TRIES times' "$(f05_fired)" "$F05_MUT_TRIES"
		check 'cloud persistent 503: nothing made' eval "! f05_has_snap $id p503"
		f05_clear
	fi
	if [ "$fl" = serve ]; then
		sim_post /v1/boxes/web-3/stop '{}' >/dev/null
		select_box web-3
		see 'serve: web-3 is seen stopped' '^ status +. stopped *$'
		f05_rule POST '/v1/boxes/*/start' 429 ',"count":2'
		keys s
		f05_newest_job 'serve 429 twice: the start succeeded' '^succeeded +start +web-3 '
		is 'serve 429 twice: web-3 runs' "$(sim_jq /v1/boxes/web-3 .status)" running
		is 'serve 429 twice: the rule fired its count' "$(f05_fired)" 2
		f05_clear
	fi
}

case_dashboard() {
	local fl
	for fl in spec serve cloud; do
		start_sim "d05-$fl" --port 0 --boxes 3 --seed 5 --control --flavor "$fl" --disk-size 1M || return
		start_boxtop --url "$URL" -d 0.5
		ready || return
		see_rows "$fl: three rows" 3
		f05_dash_reads "$fl"
		f05_dash_mutations "$fl"
		keys q
		see_exit "$fl: q quits" 0
		is "$fl: the alternate screen is left" "$(pane '#{alternate_on}')" 0
		stop_case_sims
	done
}

# f05_archive_ok FILE: a complete archive: zstd tar, the disk's sha256 as in the manifest.
f05_archive_ok() {
	local sum want
	tar --zstd -tf "$1" >/dev/null 2>&1 || return 1
	sum=$(tar --zstd -xOf "$1" disk.qcow2 | sha256sum | cut -c1-64)
	want=$(tar --zstd -xOf "$1" manifest.json | jq -r .container_disk_checksum)
	[ "sha256:$sum" = "$want" ]
}

case_export() {
	local dir=$TMP/e05
	mkdir -p "$dir"
	start_sim e05 --port 0 --boxes 3 --seed 5 --control --disk-size 1M || return
	# an export is a POST like the other actions, which are retried on 503:
	# this one is not (net/xfer.c calls http_download, not api_send)
	f05_rule POST '/v1/boxes/*/export' 503 ',"count":1'
	f05_bt "$dir/once" --url "$URL" export web-1 -o "$dir/once.boxlite"
	is '503 once: the rule fired its count' "$(f05_fired)" 1
	is '503 once: the export is retried and succeeds (exit 0)' "$(cat "$dir/once.rc")" 0
	if [ -e "$dir/once.boxlite" ]; then
		check '503 once: the file is complete and verified' f05_archive_ok "$dir/once.boxlite"
	fi
	f05_clear
	f05_rule POST '/v1/boxes/*/export' 500
	f05_bt "$dir/p500" --url "$URL" export web-1 -o "$dir/p500.boxlite"
	is 'persistent 500: exit 1' "$(cat "$dir/p500.rc")" 1
	check 'persistent 500: the server words, status and request id' \
		grep -Eq "^boxtop: export failed: internal \\(500\\): simulated failure $F05_REQ\$" "$dir/p500.err"
	check 'persistent 500: no file' test ! -e "$dir/p500.boxlite"
	is 'persistent 500: tried once' "$(f05_fired)" 1
	no_part "$dir" 'after the failed exports'
	f05_clear
}

run_case 'status 5xx/429 in batch --json, three body shapes' case_batch_reads
run_case 'status 5xx/429 in the dashboard: reads and S/s' case_dashboard
run_case 'status 503 once and 500 on boxtop export' case_export
