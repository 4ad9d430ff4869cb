# Row 14: a fleet of 10,000 boxes (boxlite-sim --boxes 10000, ten pages of
# 1000). The dashboard shows its first screen (a generous bound: speed is
# the benchmark's business), G reaches the last box and g the first, a
# filter narrows the table and Esc widens it again, the keys keep answering
# and q quits; batch mode (--json and -b, -n 1) prints all 10,000 boxes.
# Nothing here is timed.

# f14_names: every box name on the simulator, following the page tokens.
f14_names() {
	local tok="" page
	while :; do
		page=$(sim_get "/v1/boxes?pageSize=1000${tok:+&pageToken=$tok}") || return 1
		jq -r '.boxes[].name' <<<"$page"
		tok=$(jq -r '.next_page_token // empty' <<<"$page")
		[ -n "$tok" ] || return 0
	done
}
# f14_detail NAME: Enter opens NAME's detail, Esc goes back.
f14_detail() {
	keys Enter
	see "the detail of $1" "^ name +$(re "$1") *$"
	keys Escape
	see 'back to the table' '^NAME'
}

case_big_list() {
	local dir=$TMP/big14 first last want running name
	mkdir -p "$dir"
	start_sim big14 --port 0 --boxes 10000 --seed 3 || return
	f14_names >"$dir/names"
	is 'the simulator has 10000 boxes' "$(wc -l <"$dir/names")" 10000
	is 'with unique names' "$(sort -u "$dir/names" | wc -l)" 10000

	# batch: one JSON document with every box, in the dashboard's name order
	"$BOXTOP" --url "$URL" --json -n 1 >"$dir/json" 2>"$dir/json.err" </dev/null
	is 'batch --json -n 1: exit status' "$?" 0
	is 'one document' "$(wc -l <"$dir/json")" 1
	is 'it has 10000 boxes' "$(jq '.boxes | length' "$dir/json")" 10000
	is 'the same names as the simulator' "$(jq -r '.boxes[].name' "$dir/json" | sort | md5sum)" "$(sort "$dir/names" | md5sum)"
	is 'connected' "$(jq -r .connection.status "$dir/json")" connected
	first=$(jq -r '.boxes[0].name' "$dir/json")
	last=$(jq -r '.boxes[-1].name' "$dir/json")
	running=$(jq '[.boxes[] | select(.status == "running")] | length' "$dir/json")
	"$BOXTOP" --url "$URL" -b -n 1 >"$dir/text" 2>"$dir/text.err" </dev/null
	is 'batch -b -n 1: exit status' "$?" 0
	check 'the text says 10000 total' grep -q "^boxes: $running running, 10000 total$" "$dir/text"
	is 'a row for every box' "$(grep -Ec '^[^ ]+ +[0-9A-Z]{12}  ' "$dir/text")" 10000

	# the dashboard
	start_boxtop --url "$URL" -d 0.5
	see 'the first screen comes' '^ boxtop connected ' 60
	see 'the header counts every box' "^ boxes $running/10000 running " 60
	see 'the first box heads the table' "^$(re "$first") +[0-9A-Z]{12} " 60
	see_rows 'the table fills the screen' $((ROWS - 6))
	f14_detail "$first"
	keys G
	see 'G goes to the last box' "^$(re "$last") +[0-9A-Z]{12} "
	f14_detail "$last"
	keys g
	see 'g goes back to the first' "^$(re "$first") +[0-9A-Z]{12} "
	f14_detail "$first"
	want=$(grep -c 'web-3-41' "$dir/names")
	keys /
	type_text web-3-41
	keys Enter
	see 'the filter narrows the table' "filter: web-3-41 \\($want of 10000\\)"
	see_rows "to $want rows" "$want"
	while read -r name; do
		see "$name is in it" "^$(re "$name") +[0-9A-Z]{12} "
	done < <(grep 'web-3-41' "$dir/names")
	keys G
	f14_detail "$(jq -r '[.boxes[].name | select(contains("web-3-41"))][-1]' "$dir/json")"
	keys Escape
	unseen 'Esc clears the filter' 'filter: web-3-41'
	see_rows 'the whole table again' $((ROWS - 6))
	keys 4
	see_tab 'the keys answer: 4' '4 Jobs'
	keys 1
	see_tab 'and 1' '1 Boxes'
	check 'boxtop is alive' bt_alive
	keys q
	see_exit 'q quits with status 0' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
}

run_case 'a fleet of 10,000 boxes' case_big_list
