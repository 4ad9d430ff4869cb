# Row 13: a terminal resized a hundred times in about a second, sizes from
# 1x1 to 300x90 with no pause between them (SIGWINCH after SIGWINCH while
# boxtop draws), once in the boxes view and once in the detail view with a
# modal open. boxtop stays alive, and at 140x40 the screen is whole again:
# the header, the tab bar, every row, the hint bar; keys answer; q quits
# with status 0 and the terminal is restored.

# f13_storm N: N resize-window calls with varied sizes, tiny ones among them, no sleeps.
f13_storm() {
	local i sizes=(1x1 300x90 20x4 80x24 2x50 200x3 39x7 40x8 140x40 10x100 160x12 50x12 7x7 120x1)
	local n=${#sizes[@]} s
	for ((i = 0; i < $1; i++)); do
		s=${sizes[$(((i * 5 + i / n) % n))]}
		T resize-window -t e2e -x "${s%x*}" -y "${s#*x}" 2>/dev/null
	done
}
f13_size() { [ "$(pane '#{pane_width}x#{pane_height}')" = "$1" ]; }
# f13_whole TOTAL: at 140x40 the dashboard's boxes view is complete.
f13_whole() {
	T resize-window -t e2e -x 140 -y 40
	if poll "$WAIT" f13_size 140x40; then ok; else bad "the pane is $(pane '#{pane_width}x#{pane_height}')"; fi
	see 'the header is whole' '^ boxtop connected  http://127\.0\.0\.1:[0-9]+ '
	see 'the runtime line is whole' "^ boxes [0-9]+/$1 running \\| "
	see 'the tab bar is whole' '^ 1 Boxes   2 Detail   3 Images   4 Jobs   5 Events'
	see 'the table heading is whole' '^NAME.* STATUS .*LABELS$'
	see_rows 'every row is back' "$1"
	see 'the hint bar is whole' '^j/k move down / up .* \? help  q quit$'
	unseen 'no "too small" left over' 'terminal too small'
}

case_resize_storm() {
	local total name
	start_sim storm13 --port 0 --seed 1 || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	total=$(sim_jq /v1/boxes '.boxes | length')
	f13_storm 100
	check 'boxtop is alive after 100 resizes' bt_alive
	f13_whole "$total"
	for name in $(sorted_names); do
		see "$name is listed" "^$(re "$name") +[0-9A-Z]{12} "
	done
	# keys answer: a tab and back, then the detail of web-1
	keys 4
	see_tab '4 answers' '4 Jobs'
	keys 1
	see_tab '1 answers' '1 Boxes'
	select_box web-1
	# the detail view with a modal open (the export prompt), then another storm
	keys e
	see 'the export prompt opens' 'Export web-1 to'
	f13_storm 100
	check 'boxtop is alive after 100 more resizes' bt_alive
	T resize-window -t e2e -x 140 -y 40
	see 'the prompt is still there at 140x40' 'Export web-1 to'
	see 'the detail is under it' '^ name +web-1 *$'
	keys Escape
	unseen 'Esc closes the prompt' 'Export web-1 to'
	keys Escape
	keys / C-u Enter Escape
	f13_whole "$total"
	keys q
	see_exit 'q quits with status 0' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
	is 'the cursor is visible' "$(pane '#{cursor_flag}')" 1
	if grep -Eq 'Sanitizer|runtime error|Assertion' "$TMP"/boxtop.*.err; then bad "boxtop's stderr: $(cat "$TMP"/boxtop.*.err)"; else ok; fi
}

run_case 'a hundred resizes in a second, twice' case_resize_storm
