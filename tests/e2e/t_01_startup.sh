# Start-up: the header, the table against the simulator's list, the hint
# bar, and the help overlay against `boxtop keys` (the same key tables,
# printed by view).

# help_table: the Boxes view's rows as `boxtop keys` prints them ("LABEL  HELP").
help_table() {
	"$BOXTOP" keys | sed -n '/^1 Boxes$/,/^$/p' | sed -n 's/^  //p'
}
# overlay_lines: the non-blank text between the help box's side borders.
overlay_lines() {
	screen | perl -CS -Mutf8 -ne 'print "$1\n" if /│ (\S.*?)\s*│/'
}

case_startup() {
	local names total running n screen_now label help found missing=""
	start_sim startup --port 0 --seed 1 --control || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	see 'header names the URL' "^ boxtop connected +$(re "$URL") "
	total=$(sim_jq /v1/boxes '.boxes | length')
	running=$(sim_jq /v1/boxes '[.boxes[] | select(.status == "running")] | length')
	see 'header counts the boxes' "^ boxes $running/$total running "
	names=$(sorted_names)
	see 'the last box is listed' "^$(re "$(echo "$names" | tail -1)") +[0-9A-Z]{12} "
	screen_now=$(screen)
	n=0
	while read -r name; do
		if grep -Eq "^$(re "$name") +[0-9A-Z]{12} " <<<"$screen_now"; then
			n=$((n + 1))
		else
			missing+=" $name"
		fi
	done <<<"$names"
	is "every box of GET /v1/boxes is listed (missing:$missing)" "$n" "$total"
	see_rows 'no other rows' "$total"
	is 'the table is in name order' \
		"$(screen | grep -E '^[^ ].* [0-9A-Z]{12} ' | awk '{print $1}')" "$names"
	see 'hint bar: Enter' 'Enter box detail'
	if [[ $(hint_line) == *"q quit"* ]]; then ok; else bad "the hint bar has no 'q quit': '$(hint_line)'"; fi
	if [[ $(hint_line) == *"? help"* ]]; then ok; else bad "the hint bar has no '? help': '$(hint_line)'"; fi

	keys '?'
	see 'help overlay' 'keys \(any key closes\)'
	n=0
	missing=""
	screen_now=$(overlay_lines)
	while IFS= read -r found; do
		n=$((n + 1))
		grep -qxF -- "$found" <<<"$screen_now" || missing+=" [$found]"
	done < <(help_table)
	check 'the key table has rows' test "$n" -gt 20
	is "the help lists every key boxtop keys lists for Boxes (missing:$missing)" "$missing" ""
	is 'the help lists nothing else' "$(overlay_lines | wc -l)" "$n"
	keys q # any key closes it, q included: it does not quit
	unseen 'any key closes the help' 'keys \(any key closes\)'
	see 'boxtop still runs after q in the help' '^ boxtop connected '
	check 'boxtop process alive' bt_alive
	keys '?'
	see 'help again' 'keys \(any key closes\)'
	keys x
	unseen 'x closes the help' 'keys \(any key closes\)'
	keys q
	see_exit 'q quits' 0
}

run_case 'start-up: header, table, hints, help' case_startup
