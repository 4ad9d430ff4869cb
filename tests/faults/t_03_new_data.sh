# Fault matrix, row 3: the server restarted on the same port with other
# data (another --boxes, another --seed). Boxes that vanished leave the
# table, new ones appear; the selection stays on its box when that box is
# still there (a box is its id), else it stays on the same row (the last
# one when the table got shorter); the detail view of a box that vanished
# goes back to the table; boxtop never crashes and keeps answering keys.
#
# --seed 1 with --boxes N seeds the same first boxes (same ids) whatever N
# is, so --boxes 24 -> 30 -> 24 -> 12 keeps some boxes and adds or drops
# others; boxes added with POST /_sim/boxes exist only in that simulator.

F03_PORT=""

# f03_restart ARGS...: stops the current simulator and starts one with ARGS
# on the same port; waits until boxtop is connected to it and shows its
# boxes (the poller retries 1 s, 2 s, ... apart: a longer bound).
f03_restart() {
	local n
	stop_sim "$PID"
	start_sim "f03-$N-$RANDOM" --port "$F03_PORT" "$@" || return 1
	is 'the new simulator has the same port' "$PORT" "$F03_PORT"
	n=$(sim_jq /v1/boxes?pageSize=1000 '.boxes | length')
	see 'connected to the new simulator' '^ boxtop connected ' 30
	see "its $n boxes are counted" "^ boxes [0-9]+/$n running" 30
}
# f03_row NAME: the 0-based row of NAME in the table (name order).
f03_row() { sorted_names | grep -nxF -- "$1" | cut -d: -f1 | awk '{print $1 - 1}'; }
# f03_detail_is DESC NAME: Enter opens NAME's detail (name and id), Esc goes back.
f03_detail_is() {
	keys Enter
	see "$1: the detail's name" "^ name +$(re "$2") *$"
	see "$1: the detail's id" "^ id +$(box_id "$2") *$"
	keys Escape
	see_tab "$1: Esc goes back" '1 Boxes'
}
# f03_go ROW: selects the table's ROW (g, then j ROW times) in the boxes view
# and checks, through its detail, that the box there is the simulator's.
f03_go() {
	local i
	keys 1 g
	for ((i = 0; i < $1; i++)); do keys j; done
	f03_detail_is "row $1 selected" "$(sorted_names | sed -n "$(($1 + 1))p")"
}
# f03_rows see|unseen DESC NAME...: every NAME has a row (see), or none has (unseen).
f03_rows() {
	local how=$1 desc=$2 name
	shift 2
	for name in "$@"; do
		"$how" "$desc: $name" "^$(re "$name") +[0-9A-Z]{12} "
	done
}

case_f03_fleet() {
	local old_id old_row row want n
	reserve_port || return
	start_sim f03-a --port "$RPORT" --seed 1 --boxes 24 --control || return
	F03_PORT=$PORT
	sim_post /_sim/boxes '{"name":"gone-a","status":"running"}' >/dev/null
	sim_post /_sim/boxes '{"name":"gone-b","status":"stopped"}' >/dev/null
	start_boxtop --url "$URL" -d 0.5
	ready || return
	see_rows 'the first fleet' 26
	f03_rows see 'boxes only the first simulator has' gone-a gone-b

	# web-3 is in every fleet but moves down when the new boxes come in
	old_id=$(box_id web-3)
	old_row=$(f03_row web-3)
	f03_go "$old_row"
	f03_restart --seed 1 --boxes 30 --control || return
	is 'web-3 kept its id in the new simulator' "$(box_id web-3)" "$old_id"
	see_rows 'the new fleet' 30
	f03_rows unseen 'the vanished boxes leave' gone-a gone-b
	f03_rows see 'the new boxes come' api-gateway-1 auth-svc-1 billing-1 web-1-1 web-2-1 web-3-1
	check "web-3 moved from row $old_row" test "$(f03_row web-3)" != "$old_row"
	f03_detail_is 'the selection stayed on web-3' web-3

	# billing-1 goes away: the selection stays on its row
	row=$(f03_row billing-1)
	f03_go "$row"
	f03_restart --seed 1 --boxes 24 --control || return
	see_rows 'the fleet of 24 again' 24
	f03_rows unseen 'the boxes past 24 leave' web-1-1 web-2-1 web-3-1 billing-1
	want=$(sorted_names | sed -n "$((row + 1))p")
	check "billing-1's row $row is in the shorter table" test -n "$want"
	f03_detail_is "the selection stayed on row $row" "$want"

	# the last row's box goes away and the table gets shorter: the last row
	f03_go 23
	f03_restart --seed 1 --boxes 12 --control || return
	see_rows 'a fleet of 12' 12
	f03_detail_is 'the selection went to the last row' "$(sorted_names | tail -1)"

	# the box whose detail is open goes away
	n=$(sim_jq /v1/boxes '.boxes | length')
	f03_go "$(f03_row postgres-main)"
	keys Enter
	see 'the detail of postgres-main' '^ name +postgres-main *$'
	f03_restart --seed 1 --boxes 6 --control || return
	see_tab 'the detail of a vanished box goes back to the table' '1 Boxes'
	unseen 'postgres-main is gone' '^ *(name +)?postgres-main '
	keys 1
	see_rows 'the fleet of 6' 6
	check "$n boxes were there before" test "$n" -eq 12
	keys 4
	see_tab 'keys still answer: 4' '4 Jobs'
	keys 1
	see_tab 'keys still answer: 1' '1 Boxes'
	check 'boxtop still runs' bt_alive
	keys q
	see_exit 'q quits' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
}

# f03_ids: the 12-character ids in the table, sorted.
f03_ids() { screen | grep -Eo '^[^ ].*  [0-9A-Z]{12} ' | grep -Eo '[0-9A-Z]{12} $' | sort | tr -d ' '; }
f03_ids_are() { [ "$(f03_ids)" = "$1" ]; }

case_f03_seed() {
	local want
	reserve_port || return
	start_sim f03-s1 --port "$RPORT" --seed 1 --boxes 6 || return
	F03_PORT=$PORT
	start_boxtop --url "$URL" -d 0.5
	ready || return
	see_rows 'six boxes' 6
	keys G
	f03_restart --seed 2 --boxes 4 || return
	see_rows 'four boxes with the same names' 4
	want=$(sim_jq /v1/boxes '[.boxes[].box_id[0:12]] | sort | .[]')
	if poll "$WAIT" f03_ids_are "$want"; then ok; else bad "the table's ids are not the new ones: $(f03_ids | tr '\n' ' ')"; fi
	f03_detail_is 'a new box on the last row, its new id' "$(sorted_names | tail -1)"
	keys q
	see_exit 'q quits' 0
}

run_case 'restarted with more, fewer and other boxes' case_f03_fleet
run_case 'restarted with another seed: every id new' case_f03_seed
