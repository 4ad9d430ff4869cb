# Row 16, an answer lost on boxlite serve (no idempotency announced): the
# server carries the mutation out, then cuts the connection (`lost`), or
# cuts it before doing anything (`cut`). boxtop must not send it again
# blindly: it looks (is the snapshot there? a box with the clone's or the
# import's name?), says what it found, and sends it again only when nothing
# happened. Afterwards there is exactly one snapshot, one clone, one
# imported box. The dashboard (S, c with no name: boxtop names the clone so
# it can be found) and `boxtop import`.

F16_FOUND='the server.s answer was lost; boxtop looked and found'

# f16_count PATH JQ: a number from the simulator.
f16_count() { sim_get "$1" | jq "$2"; }
f16_import() {
	env -u BOXLITE_REST_URL -u BOXLITE_API_KEY HOME="$TMP/home" timeout 60 "$BOXTOP" --url "$URL" \
		import "$@" >"$TMP/f16.out" 2>"$TMP/f16.err" </dev/null
	echo $? >"$TMP/f16.rc"
}

case_lost_dashboard() {
	local id
	start_sim l16 --port 0 --flavor serve --boxes 4 --seed 5 --control --disk-size 1M \
		--fault 'POST /v1/boxes/*/snapshots:lost=1,count=1' \
		--fault 'POST /v1/boxes/*/clone:lost=1,count=1' || return
	id=$(box_id web-3)
	COLS=220 start_boxtop --url "$URL" -d 0.5
	ready || return
	select_box web-3
	keys S
	see 'S asks for a name' 'Snapshot web-3: name'
	keys C-u
	type_text lost-snap
	keys Enter
	keys 4
	see 'the snapshot job succeeded, saying what it found' \
		"^succeeded +snapshot +web-3 .*$F16_FOUND the snapshot lost-snap"
	is 'the lost answer: the rule fired' "$(sim_jq /_sim/faults '.faults[0].fired')" 1
	is 'exactly one snapshot' "$(f16_count "/v1/boxes/$id/snapshots" '.snapshots | length')" 1
	keys 2
	see 'the detail lists it' '^ +lost-snap '
	keys c
	see 'c asks for a name' 'Clone web-3: name of the new box'
	keys C-u Enter
	keys 4
	see 'the clone job succeeded, saying what it found' \
		"^succeeded +clone +web-3 .*made web-3-clone-[0-9]{8}-[0-9]{6} .*answer was lost; boxtop looked"
	keys 5
	see 'the Events view has the whole message' "clone web-3 succeeded: made web-3-clone-[0-9]{8}-[0-9]{6} .*$F16_FOUND the clone by its name"
	is 'exactly one clone' "$(f16_count /v1/boxes '[.boxes[].name | select(startswith("web-3-clone"))] | length')" 1
	keys q
	see_exit 'q quits' 0
}

case_lost_import() {
	local dir=$TMP/lost-import
	mkdir -p "$dir"
	start_sim l16i --port 0 --flavor serve --boxes 4 --seed 5 --control --disk-size 1M || return
	sim_post /v1/boxes/web-2/export '{}' >"$dir/web-2.boxlite"
	check 'an archive to import' tar --zstd -tf "$dir/web-2.boxlite"
	sim_post /_sim/faults '{"spec":"POST /v1/boxes/import:lost=1,count=1"}' >/dev/null
	f16_import "$dir/web-2.boxlite" --name back
	is 'import with the answer lost: exit 0' "$(cat "$TMP/f16.rc")" 0
	check 'it says what it found' grep -Eq "$F16_FOUND a box named back" "$TMP/f16.err"
	is 'stdout is the new box id' "$(cat "$TMP/f16.out")" "$(box_id back)"
	is 'exactly one box named back' "$(f16_count /v1/boxes '[.boxes[] | select(.name == "back")] | length')" 1
	# cut before anything was done: looked, nothing there, sent again
	sim_post /_sim/faults '{"spec":"POST /v1/boxes/import:cut=1,count=1"}' >/dev/null
	f16_import "$dir/web-2.boxlite" --name again
	is 'import cut before anything: exit 0' "$(cat "$TMP/f16.rc")" 0
	check 'no lost answer to speak of' bash -c "! grep -q 'was lost' '$TMP/f16.err'"
	is 'exactly one box named again' "$(f16_count /v1/boxes '[.boxes[] | select(.name == "again")] | length')" 1
	# no name: the archive's (web-2 is taken, so web-2-2), looked for by it
	sim_post /_sim/faults '{"spec":"POST /v1/boxes/import:lost=1,count=1"}' >/dev/null
	f16_import "$dir/web-2.boxlite"
	is 'unnamed import with the answer lost: exit 0' "$(cat "$TMP/f16.rc")" 0
	check 'found under the name boxtop gave it' grep -Eq "$F16_FOUND a box named web-2-2" "$TMP/f16.err"
	is 'exactly one web-2-2' "$(f16_count /v1/boxes '[.boxes[] | select(.name == "web-2-2")] | length')" 1
	# a name taken: refused before a byte is sent
	f16_import "$dir/web-2.boxlite" --name back
	is 'import onto a taken name: exit 1' "$(cat "$TMP/f16.rc")" 1
	check 'says the name is taken' grep -q 'a box named back exists already' "$TMP/f16.err"
	is 'still one box named back' "$(f16_count /v1/boxes '[.boxes[] | select(.name == "back")] | length')" 1
}

run_case 'lost answers on serve: S and an unnamed c in the dashboard' case_lost_dashboard
run_case 'lost answers on serve: boxtop import' case_lost_import
