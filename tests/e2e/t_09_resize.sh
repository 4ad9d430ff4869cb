# Resizing the tmux window: 50x12 and back redraws the table; 30x6 says the
# terminal is too small and q still quits.

pane_size_is() { [ "$(pane '#{pane_width}x#{pane_height}')" = "$1" ]; }
# resize COLS ROWS: the window, and a check that the pane follows.
resize() {
	T resize-window -t e2e -x "$1" -y "$2"
	if poll "$WAIT" pane_size_is "$1x$2"; then
		ok
	else
		bad "the pane is $(pane '#{pane_width}x#{pane_height}'), want $1x$2"
	fi
}

case_resize() {
	local total
	start_sim resize --port 0 --seed 1 || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	total=$(sim_jq /v1/boxes '.boxes | length')
	see_rows 'every row at 140x40' "$total"
	resize 50 12
	see 'the table redraws narrow: NAME and STATUS stay' '^NAME▲ +STATUS'
	unseen 'the labels column is dropped' 'LABELS'
	see_rows 'as many rows as fit at 50x12' 6
	see 'the header is still there' '^ boxtop '
	see 'the header still shows the connection state' '^ boxtop connected'
	check 'boxtop is alive at 50x12' bt_alive
	resize 140 40
	see 'LABELS is back' 'LABELS$'
	see_rows 'every row again at 140x40' "$total"
	resize 30 6
	see 'too small' 'terminal too small'
	see 'says what it needs' 'needs 40x8; q quits'
	check 'boxtop is alive at 30x6' bt_alive
	keys q
	see_exit 'q quits at 30x6' 0
}

run_case 'resize: 50x12, back, 30x6' case_resize
