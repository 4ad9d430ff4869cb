# Slow exports (--rate 256K, --disk-size 16M: the archive takes tens of
# seconds): x cancels one in the Jobs view; Ctrl-C, SIGTERM and SIGHUP end
# boxtop with 128+N, the terminal restored and no .part left; q with a job
# running asks first. boxlite serve's silence while it builds an archive
# is shown as a wait, with its time, and the export then finishes.

# slow_export DIR FILE: from the detail of web-1, exports to DIR/FILE and
# waits until DIR/FILE.part is being written.
slow_export() {
	select_box web-1
	keys e
	see 'export prompt' 'Export web-1 to'
	keys C-u
	type_text "$1/$2"
	keys Enter
	see 'export queued' 'export web-1 queued'
	if poll "$WAIT" test -e "$1/$2.part"; then ok; else bad "no $1/$2.part: the export did not start"; fi
}

case_cancel_export() {
	local dir=$TMP/cancel
	mkdir -p "$dir"
	start_sim cancel --port 0 --boxes 2 --seed 7 --rate 256K --disk-size 16M || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	slow_export "$dir" slow.boxlite
	keys 4
	see 'the export runs in the Jobs view' '^running +export +web-1 '
	see 'with its progress' '^running +export +web-1 .*[0-9.]+ [KMG]?i?B/[0-9.]+ MiB'
	keys x
	see 'x cancels it' '^cancelled +export +web-1 '
	unseen 'no job runs' '^running '
	if poll "$WAIT" eval "! ls '$dir'/*.part >/dev/null 2>&1"; then ok; else bad "a .part remains: $(ls "$dir")"; fi
	check 'no file either' test ! -e "$dir/slow.boxlite"
	is 'the directory is empty' "$(ls -A "$dir")" ""
	see 'the header counts no active job' '\| jobs 0 active'
	keys q
	see_exit 'q quits without asking once the job is over' 0
}

case_signals() {
	local dir=$TMP/signals sig want
	mkdir -p "$dir"
	start_sim signals --port 0 --boxes 2 --seed 7 --rate 256K --disk-size 16M || return
	for sig in INT TERM HUP; do
		start_boxtop --url "$URL" -d 0.5
		ready || return
		slow_export "$dir" "sig-$sig.boxlite"
		if [ "$sig" = INT ]; then
			keys C-c
		else
			kill -"$sig" "$(bt_pid)"
		fi
		want=$((128 + $(kill -l "$sig")))
		see_exit "SIG$sig during an export: exit status" "$want"
		is "SIG$sig: the alternate screen is left" "$(pane '#{alternate_on}')" 0
		is "SIG$sig: the cursor is visible again" "$(pane '#{cursor_flag}')" 1
		see "SIG$sig: the shell's screen is back" '^EXIT='
		unseen "SIG$sig: the dashboard is gone" '^ boxtop connected '
		see "SIG$sig: says the job was cancelled" '^boxtop: cancelled 1 unfinished job$'
		no_part "$dir" "SIG$sig"
		check "SIG$sig: no file" test ! -e "$dir/sig-$sig.boxlite"
		check "SIG$sig: boxtop is gone" eval '! bt_alive'
	done
}

case_quit_running() {
	local dir=$TMP/quit
	mkdir -p "$dir"
	start_sim quit --port 0 --boxes 2 --seed 7 --rate 256K --disk-size 16M || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	slow_export "$dir" quit.boxlite
	keys q
	see 'q asks' 'Quit boxtop\?'
	see 'says a job runs' '1 job is still queued or running\.'
	see 'offers wait, cancel, back' 'w wait for them  c cancel them and quit  Esc back'
	keys Escape
	unseen 'Esc goes back' 'Quit boxtop\?'
	see 'the dashboard is still there' '^ boxtop connected '
	keys 4
	see 'the export still runs' '^running +export +web-1 '
	check 'its .part is still there' test -e "$dir/quit.boxlite.part"
	keys q
	see 'q asks again' 'Quit boxtop\?'
	keys c
	see_exit 'c cancels and quits' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
	see 'says the job was cancelled' '^boxtop: cancelled 1 unfinished job$'
	no_part "$dir" 'after c'
	check 'no file after c' test ! -e "$dir/quit.boxlite"
}

case_silent_export() {
	local dir=$TMP/silent
	mkdir -p "$dir"
	start_sim silent --port 0 --flavor serve --boxes 2 --disk-size 1M --export-delay 6000 || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	select_box web-2
	keys e
	see 'export prompt' 'Export web-2 to'
	keys C-u
	type_text "$dir/built.boxlite"
	keys Enter
	keys 4
	see 'the silence is a wait, with its time' '^running +export +web-2 +waiting for the server [0-9]+s'
	see 'then the export finishes' '^succeeded +export +web-2 '
	check 'the file is whole' zstd -tq "$dir/built.boxlite"
	no_part "$dir" 'after the wait'
}

run_case 'cancel an export with x in the Jobs view' case_cancel_export
run_case 'Ctrl-C, SIGTERM, SIGHUP during an export' case_signals
run_case 'quit with a running job: q, Esc, q, c' case_quit_running
run_case 'serve builds the archive first: a wait, not a stall' case_silent_export
