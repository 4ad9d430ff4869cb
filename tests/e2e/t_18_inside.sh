# Inside a box (issue 14): ! opens a shell in the selected box on the whole
# terminal (the simulator's built-in shell, prompt HOST:CWD# ), l the Logs
# view (a read-only attach to the box's main session). The shell: its
# output, stty size equal to the pane's and following a resize, exit N back
# to the dashboard with the status; Ctrl-C reaching the command; ~. after
# Enter detaching and the next ! attaching to the same shell (what it wrote
# meanwhile replayed, a variable still set); the server killed mid-shell
# (an error flash, the dashboard, q quits, the pane not left raw); a box the
# server will not run a shell in (no execution, no boot or resume); and
# --readonly. The Logs view: lines arriving, hostile lines kept off the
# pane title and the screen, / with n and N, o saving through a .part, and
# one attach of ours, ended when the view is left (a second client is
# refused while it is shown, taken once it is not).

# i18_prompt: the built-in shell's prompt at the end of a screen line.
I18_PROMPT=':/root# ?$'

# i18_filter NAME: the table filtered to the box NAME, its row selected.
i18_filter() {
	keys Escape
	wait_for '^NAME' 3
	keys / C-u
	type_text "name:$1"
	keys Enter
	see "the table shows $1" "^$(re "$1") +[0-9A-Z]{12} "
	keys g
}
# i18_run TEXT: TEXT typed into the shell, then Enter.
i18_run() {
	type_text "$1"
	keys Enter
}
# i18_count METHOD ROUTE: how often the simulator answered that route.
i18_count() {
	sim_get /_sim/requests |
		jq "[.routes[] | select(.method == \"$1\" and .route == \"$2\") | .count] | add // 0"
}
i18_execs() { i18_count POST '/v1/boxes/*/exec'; }
# i18_shell_size ROWS COLS: stty size in the shell says so (asked again a few
# times: the resize may still be on its way).
i18_shell_size() {
	local _
	for _ in 1 2 3; do
		i18_run 'stty size'
		wait_for "^$1 $2\$" 4 && return 0
	done
	return 1
}
# i18_last_line: the last non-blank line of the screen.
i18_last_line() { screen | sed '/^ *$/d' | tail -1; }
i18_prompt_last() { i18_last_line | grep -Eq -- "$I18_PROMPT"; }
# i18_heading_lines: the line count in the Logs view's heading.
i18_heading_lines() { screen | sed -n 's/^LOG .*  \([0-9][0-9]*\) lines.*/\1/p' | head -1; }
i18_more_lines() { [ "$(i18_heading_lines)" -gt "$1" ] 2>/dev/null; }
# i18_logs_cli BOX: `boxtop logs BOX` as another client; sets I18_RC.
i18_logs_cli() {
	env -u BOXLITE_REST_URL -u BOXLITE_API_KEY -u BOXLITE_PROFILE -u BOXLITE_HOME \
		-u BOXLITE_REST_PATH_PREFIX HOME="$TMP/home" timeout 20 "$BOXTOP" --url "$URL" \
		logs "$1" >"$TMP/i18-logs.out" 2>"$TMP/i18-logs.err" </dev/null
	I18_RC=$?
}
i18_logs_taken() { i18_logs_cli "$1" && [ -s "$TMP/i18-logs.out" ]; }
i18_logs_refused() {
	i18_logs_cli "$1"
	[ "$I18_RC" = 1 ] && grep -q '(409)' "$TMP/i18-logs.err"
}
# i18_dashboard DESC: the dashboard is drawn whole again.
i18_dashboard() {
	see "$1: the header" '^ boxtop connected '
	see "$1: the tab bar" '^ 1 Boxes   2 Detail   3 Images   4 Jobs   5 Events   6 Logs'
	see "$1: the hint bar" '^j/k move down / up'
	unseen "$1: nothing of the shell left" "$I18_PROMPT"
	is "$1: curses has the screen again" "$(pane '#{alternate_on}')" 1
}

case_shell_exit() {
	start_sim shell --port 0 --control || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	i18_filter web-1
	keys '!'
	see 'the shell says where it is' '^boxtop: a shell in web-1 \(~\. after Enter'
	see 'the prompt' "$I18_PROMPT"
	is 'one execution made' "$(i18_execs)" 1
	i18_run 'echo hi'
	see 'echo hi' '^hi$'
	check "stty size is the pane's ($ROWS $COLS)" i18_shell_size "$ROWS" "$COLS"
	T resize-window -t e2e -x 100 -y 30
	check 'stty size follows the window (30 100)' i18_shell_size 30 100
	T resize-window -t e2e -x "$COLS" -y "$ROWS"
	check "and back ($ROWS $COLS)" i18_shell_size "$ROWS" "$COLS"
	i18_run 'exit 3'
	see 'the status-3 flash' '^the shell in web-1 exited with status 3'
	i18_dashboard 'after exit 3'
	see 'the box list again' '^web-1 +[0-9A-Z]{12} . running'
	see 'the filter kept' 'filter: name:web-1 \(1 of [0-9]+\)'
	keys q
	see_exit 'q quits' 0
}

case_shell_ctrl_c() {
	start_sim ctrlc --port 0 --control || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	i18_filter web-2
	keys '!'
	see 'the prompt' "$I18_PROMPT"
	i18_run yes
	see 'yes runs' '^y$'
	check 'yes keeps writing (no prompt at the end)' poll 3 eval '! i18_prompt_last'
	keys C-c
	check 'C-c: the prompt comes back' poll "$WAIT" i18_prompt_last
	see 'the shell echoed ^C' '\^C$'
	i18_run 'echo still-here'
	see 'the shell survived' '^still-here$'
	check 'boxtop is still running' bt_alive
	# the window changes while the shell has it: the dashboard comes back in the new size
	T resize-window -t e2e -x 100 -y 30
	check 'stty size follows (30 100)' i18_shell_size 30 100
	i18_run 'exit 0'
	see 'exit 0 flashes' '^the shell in web-2 exited with status 0'
	i18_dashboard 'after exit 0'
	check 'the hint bar on the last of 30 rows' poll "$WAIT" eval "line 30 | grep -q '^j/k move down / up'"
	check 'the flash above it' poll "$WAIT" eval "line 29 | grep -q '^the shell in web-2 exited'"
	T resize-window -t e2e -x "$COLS" -y "$ROWS"
	check "the hint bar on the last of $ROWS rows again" poll "$WAIT" eval "line $ROWS | grep -q '^j/k move down / up'"
}

case_shell_detach() {
	start_sim detach --port 0 --control || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	i18_filter web-1
	keys '!'
	see 'the prompt' "$I18_PROMPT"
	i18_run 'X=42'
	i18_run 'echo marker-1'
	see 'marker-1' '^marker-1$'
	# written while nobody is attached: it can only come back by the replay
	i18_run 'sleep 1; echo late-marker'
	type_text '~.'
	see 'the detach flash' '^detached from the shell in web-1: ! attaches again'
	i18_dashboard 'detached'
	see 'the box list' '^web-1 +[0-9A-Z]{12} . running'
	sleep 3 # late-marker is written while nobody is attached
	check 'late-marker not shown before the reattach' off_screen '^late-marker$'
	keys '!'
	see 'reattached: marker-1 replayed' '^marker-1$'
	see 'reattached: what came while detached replayed' '^late-marker$'
	see 'the prompt' "$I18_PROMPT"
	# shellcheck disable=SC2016 # $X is the box shell's
	i18_run 'echo "X=$X"'
	see 'the same shell: X is still set' '^X=42$'
	is 'still one execution' "$(i18_execs)" 1
	is 'two attaches to it' "$(i18_count GET '/v1/boxes/*/executions/*/attach')" 2
	i18_run 'exit 0'
	see 'exit flashes' '^the shell in web-1 exited with status 0'
	keys q
	see_exit 'q quits' 0
}

case_shell_server_killed() {
	local tty
	start_sim killed --port 0 --control || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	tty=$(pane '#{pane_tty}')
	i18_filter web-1
	keys '!'
	see 'the prompt' "$I18_PROMPT"
	i18_run 'echo before-kill'
	see 'the shell answers' '^before-kill$'
	check 'raw mode in the shell' eval "stty -F '$tty' -a | grep -q -- '-icanon'"
	kill -9 "$PID"
	see 'an error flash' '^the shell in web-1 ended: .+'
	see 'the header (the server is down)' '^ (boxtop down|SERVER DOWN)'
	see 'the tab bar' '^ 1 Boxes   2 Detail   3 Images   4 Jobs   5 Events   6 Logs'
	see 'the last rows kept' '^web-1 +[0-9A-Z]{12} '
	see 'the hint bar' '^j/k move down / up'
	unseen 'nothing of the shell left' "$I18_PROMPT"
	keys q
	# the shell's screen comes back under the pane's own shell: EXIT= may
	# land in the middle of its last line
	see 'q quits with status 0' 'EXIT=0'
	check 'the pane is back in canonical mode' eval "stty -F '$tty' -a | grep -Eq -- '(^| )icanon( |$)'"
	check 'the pane echoes again' eval "stty -F '$tty' -a | grep -Eq -- '(^| )echo( |$)'"
	type_text 'typed-after-boxtop'
	see 'typed text is echoed' 'typed-after-boxtop'
}

case_shell_refused() {
	start_sim refused --port 0 --control || return
	is 'web-3 is stopped' "$(sim_jq /v1/boxes/web-3 .status)" stopped
	# the simulator always resumes on use (auto_resume true): the server's
	# refusal (409 invalid_state, as for auto_resume false) is a fault rule
	sim_post /_sim/faults '{"spec":"POST /v1/boxes/*/exec:status=409"}' >/dev/null
	start_boxtop --url "$URL" -d 0.5
	ready || return
	i18_filter web-3
	keys '!'
	see 'a flash says no shell' '^no shell in web-3: .*invalid_state'
	i18_dashboard 'refused'
	see 'web-3 still listed stopped' '^web-3 +[0-9A-Z]{12} . stopped'
	is 'the exec was asked once' "$(sim_jq /_sim/faults '.faults[0].fired')" 1
	is 'no execution made' "$(i18_execs)" 0
	is 'no attach' "$(i18_count GET '/v1/boxes/*/executions/*/attach')" 0
	is 'no boot' "$(sim_jq /_sim/effects .counts.boot)" 0
	is 'no resume' "$(sim_jq /_sim/effects .counts.resume)" 0
	is 'web-3 is still stopped' "$(sim_jq /v1/boxes/web-3 .status)" stopped
	check 'boxtop is still running' bt_alive
}

case_logs_view() {
	local title n1 first next saved dir=$TMP/i18-saved
	mkdir -p "$dir"
	start_sim logs --port 0 --control --log-rate 2 || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	title=$(pane '#{pane_title}')
	i18_filter web-1
	keys l
	see 'the heading: attached, following' '^LOG web-1  attached  following  wrap on  [0-9]+ lines'
	see_tab 'the Logs tab' '6 Logs'
	see 'log lines' '^20[0-9-]+T[0-9:.]+Z (INFO|WARN|ERROR) app: '
	n1=$(i18_heading_lines)
	check "lines keep coming (more than $n1)" poll "$WAIT" i18_more_lines "$n1"
	is 'the pane title is unchanged' "$(pane '#{pane_title}')" "$title"
	unseen 'the title text is not shown raw' 'pwned'
	see 'the header stays' '^ boxtop connected '
	see 'the tab bar stays' '^ 1 Boxes   2 Detail   3 Images   4 Jobs   5 Events   6 Logs'
	check 'a second attach is refused (409) while the view follows' i18_logs_refused web-1
	# search
	keys /
	type_text 'slow query'
	keys Enter
	see 'the search is shown' 'search: slow query'
	see 'a search stays put' '^LOG web-1  attached  paused'
	first=$(line 5)
	check "the match is the first line: $first" eval "grep -q 'WARN app: slow query' <<<\"\$first\""
	keys n
	check 'n moves to another match' poll "$WAIT" eval "[ \"\$(line 5)\" != \"\$first\" ]"
	next=$(line 5)
	check "n's line matches too: $next" eval "grep -q 'WARN app: slow query' <<<\"\$next\""
	keys N
	check 'N comes back' poll "$WAIT" eval "[ \"\$(line 5)\" = \"\$first\" ]"
	# save
	keys o
	see 'the save prompt' 'Save the log to'
	keys C-a C-k
	type_text "$dir/web-1.log"
	keys Enter
	see 'saved' "saved [0-9]+ lines to $(re "$dir")/web-1\.log"
	check 'the file exists' test -s "$dir/web-1.log"
	saved=$(screen | sed -n 's/^saved \([0-9]*\) lines to .*/\1/p' | tail -1)
	check "it saved more than the first $n1 lines ($saved)" test "${saved:-0}" -gt "$n1"
	is 'the file has as many lines' "$(wc -l <"$dir/web-1.log")" "$saved"
	check 'the file has the log lines' grep -q 'INFO app: request [0-9]* GET' "$dir/web-1.log"
	check 'the file has the title line' grep -q 'title set by a log line' "$dir/web-1.log"
	check 'the file has the clearing line' grep -q 'screen cleared by a log line' "$dir/web-1.log"
	no_part "$dir" 'after saving the log'
	is 'the pane title is still unchanged' "$(pane '#{pane_title}')" "$title"
	# leaving stops the follower
	keys 1
	see_tab 'the Boxes tab' '1 Boxes'
	check 'left: another client can attach' poll "$WAIT" i18_logs_taken web-1
	keys 6
	see 'the view says it is not followed' 'not followed since the view was left'
	check 'shown again but not followed: still free' i18_logs_taken web-1
	keys 1
	keys l
	see 'l follows again' '^LOG web-1  attached  following'
	check 'and a second attach is refused again' i18_logs_refused web-1
	keys q
	see_exit 'q quits' 0
}

case_shell_readonly() {
	start_sim readonly --port 0 --control || return
	start_boxtop --url "$URL" -d 0.5 --readonly
	ready || return
	i18_filter web-1
	keys '!'
	see 'refused: read-only' 'read-only'
	unseen 'no shell' "$I18_PROMPT"
	i18_dashboard 'refused'
	is 'no execution made' "$(i18_execs)" 0
	check 'boxtop is still running' bt_alive
}

run_case 'shell: output, stty size, resize, exit 3' case_shell_exit
run_case 'shell: C-c reaches the command' case_shell_ctrl_c
run_case 'shell: ~. detaches, ! reattaches' case_shell_detach
run_case 'shell: the server killed mid-shell' case_shell_server_killed
run_case 'shell: refused by the server for a stopped box' case_shell_refused
run_case 'logs: follow, hostile lines, search, save, one attach' case_logs_view
run_case 'shell: --readonly refuses' case_shell_readonly
