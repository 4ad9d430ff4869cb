# Row 6, a box deleted between the list and the action (404). The
# dashboard runs with -d 3600, so after its first round it keeps showing web-1
# while DELETE /_sim/boxes/{id} removes it behind its back (Ctrl-L asks for
# a round when the test wants one): S (accepting the default name), e and c
# on the vanished box each fail with "not found" in the Jobs view and on the
# message line, the export leaves no file and no .part, nothing else on the
# server changes, the keys keep answering, and the next round drops the
# row. `boxtop export` of a deleted box (by name, by id, and one deleted
# while the export request waits in the server: a fault's latency_ms holds
# it after the lookup) exits 1, saying so, with no file and no .part.

F06_REQ='\[request sim-[0-9a-f]+\]'

# f06_failed KIND REGEX: the message line, then the Jobs view's newest row,
# say that KIND on web-1 failed with REGEX (the flash lasts 5 s: it is read first).
f06_failed() {
	see "$1: the message line says not found" "^$1 web-1 failed: $2"
	keys 4
	see_tab "$1: the Jobs view" '4 Jobs'
	if poll "$WAIT" f06_newest "^failed +$1 +web-1 +.*not_found \\(404\\)"; then ok; else
		bad "$1: the newest job is not a failed $1 of web-1: $(line 5)"
	fi
	keys 2
}
f06_newest() { line 5 | grep -Eq -- "$1"; }

case_vanished_dashboard() {
	local id dir=$TMP/vanished before nf
	mkdir -p "$dir"
	start_sim v06 --port 0 --boxes 3 --seed 5 --control --disk-size 1M || return
	start_boxtop --url "$URL" -d 3600 --export-dir "$dir"
	ready || return
	id=$(box_id web-1)
	select_box web-1
	# opening the detail asks its snapshots in a round of its own: let it end first
	see 'the detail asked its snapshots' '^ snapshots \(0, asked'
	before=$(sorted_names | grep -vx web-1)
	is 'the control API deletes web-1' "$(sim_code DELETE "/_sim/boxes/$id")" 204
	is 'web-1 is gone from the server' "$(sim_code GET "/v1/boxes/$id")" 404
	see 'the dashboard still shows web-1 (no round yet)' '^ name +web-1 *$'
	nf="not_found \\(404\\): box not found: $id $F06_REQ"

	keys S
	see 'S asks for a name' 'Snapshot web-1: name'
	see 'with the default' 'snap-[0-9]{8}-[0-9]{6}'
	keys Enter
	f06_failed snapshot "$nf"

	keys e
	see 'e asks for a path' 'Export web-1 to'
	keys C-u
	type_text "$dir/gone.boxlite"
	keys Enter
	f06_failed export "$nf"
	check 'export: no file' test ! -e "$dir/gone.boxlite"
	no_part "$dir" 'export of a vanished box'
	is 'export: the directory is empty' "$(ls -A "$dir")" ""

	keys c
	see 'c asks for a name' 'Clone web-1: name of the new box'
	keys Enter
	f06_failed clone "$nf"

	is 'nothing else changed on the server' "$(sorted_names)" "$before"
	is 'no snapshot, export or clone brought web-1 back' "$(sim_code GET /v1/boxes/web-1)" 404
	see 'the header counts no active job' '\| jobs 0 active'
	keys 5
	see_tab 'the keys still answer: 5' '5 Events'
	see 'the Events view has the three failures' "export web-1 failed: $nf"
	keys 1
	see_tab 'the keys still answer: 1' '1 Boxes'
	keys Escape C-l
	see_rows 'the next round drops the row' 2
	unseen 'web-1 is no longer listed' '^web-1 '
	see 'still connected' '^ boxtop connected '
	keys 2
	see_tab 'the Detail view still opens' '2 Detail'
	unseen 'without the vanished box' '^ name +web-1 *$'
	keys 1
	see_tab 'and back' '1 Boxes'
	keys q
	see_exit 'q quits' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
}

# f06_export BASE ARGS...: boxtop ARGS (export ...) outside tmux; BASE.rc/.out/.err.
f06_export() {
	local base=$1
	shift
	env -u BOXLITE_REST_URL -u BOXLITE_API_KEY HOME="$TMP/home" timeout 60 "$BOXTOP" --url "$URL" "$@" \
		>"$base.out" 2>"$base.err" </dev/null
	echo $? >"$base.rc"
}
# f06_said DESC FILE REGEX
f06_said() {
	if grep -Eq -- "$3" "$2"; then ok; else bad "$1: no /$3/ in: $(head -c 300 "$2")"; fi
}

case_vanished_cli() {
	local dir=$TMP/vanished-cli id2 id3 pid
	mkdir -p "$dir"
	start_sim v06c --port 0 --boxes 3 --seed 5 --control --disk-size 1M || return
	id2=$(box_id web-2)
	id3=$(box_id web-3)
	is 'web-2 deleted behind the back' "$(sim_code DELETE "/_sim/boxes/$id2")" 204
	f06_export "$dir/name" export web-2 -o "$dir/by-name.boxlite"
	is 'export <deleted name>: exit 1' "$(cat "$dir/name.rc")" 1
	f06_said 'export <deleted name>: says not found' "$dir/name.err" "^boxtop: not_found \\(404\\): box not found: web-2 $F06_REQ\$"
	check 'export <deleted name>: no file' test ! -e "$dir/by-name.boxlite"
	f06_export "$dir/id" export "$id2" -o "$dir/by-id.boxlite"
	is 'export <deleted id>: exit 1' "$(cat "$dir/id.rc")" 1
	f06_said 'export <deleted id>: says not found' "$dir/id.err" "^boxtop: not_found \\(404\\): box not found: $id2 $F06_REQ\$"
	check 'export <deleted id>: no file' test ! -e "$dir/by-id.boxlite"

	# found, then gone before the export is served: the export request
	# waits 2 s in the server (fired at once), the box is deleted meanwhile
	sim_post /_sim/faults '{"method":"POST","path":"*/export","latency_ms":2000,"count":1}' >/dev/null
	f06_export "$dir/race" export web-3 -o "$dir/race.boxlite" &
	pid=$!
	if poll "$WAIT" api_true /_sim/faults '.faults[0].fired == 1'; then ok; else bad 'the export never reached the server'; fi
	is 'web-3 deleted while its export waits' "$(sim_code DELETE "/_sim/boxes/$id3")" 204
	wait "$pid"
	is 'export of a box deleted meanwhile: exit 1' "$(cat "$dir/race.rc")" 1
	f06_said 'export of a box deleted meanwhile: not found, with the request id' "$dir/race.err" \
		"^boxtop: export failed: not_found \\(404\\): box not found: $id3 $F06_REQ\$"
	check 'export of a box deleted meanwhile: no file' test ! -e "$dir/race.boxlite"
	check 'stdout is empty' test ! -s "$dir/race.out"
	no_part "$dir" 'after the exports of vanished boxes'
	is 'web-1 is untouched' "$(sim_jq /v1/boxes?pageSize=1000 '[.boxes[].name] | join(",")')" web-1
}

run_case 'vanished box: S, e, c in the dashboard fail with not found' case_vanished_dashboard
run_case 'vanished box: boxtop export exits 1' case_vanished_cli
