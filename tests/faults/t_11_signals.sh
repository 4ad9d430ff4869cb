# Row 11: SIGINT, SIGTERM and SIGHUP in the middle of a transfer, against a
# slow simulator (--rate 256K, a 16 MiB disk: an archive of about 8 MiB
# takes half a minute either way). `boxtop export` and `boxtop import`,
# both at once, end with 128+N, no file, no .part, and the simulator gets
# no new box (and drops its half upload); the dashboard with an export and
# an import running does the same, with the terminal restored.
# (tests/integration/t_cli.sh signals a lone export; tests/e2e/t_05 signals
# the dashboard during a lone export.)

# f11_archive NAME FILE: an archive of web-1 (16 MiB disk) from a fast
# simulator NAME (a name used once: start_sim may read a previous
# simulator's stale NAME.out before the new one truncates it).
f11_archive() {
	local name=$1 got
	shift
	start_sim "$name" --port 0 --boxes 3 --seed 7 --disk-size 16M || return 1
	got=$(curl -s --max-time 60 -X POST -d '{}' -o "$1" -w '%{http_code} %{size_download} %{errormsg}' \
		"$URL/v1/boxes/web-1/export")
	stop_case_sims
	if tar --zstd -tf "$1" >/dev/null 2>&1; then return 0; fi
	bad "no archive to import: curl: $got; the simulator: $(head -c 300 "$TMP/$name.err")"
	return 1
}
f11_count() { sim_jq /v1/boxes '.boxes | length'; }
# f11_uploading NAME: simulator NAME holds a half-received upload.
f11_uploading() { ls "$TMP"/state."$1".*/upload-*.part >/dev/null 2>&1; }
# f11_started DESC COMMAND...: waits until COMMAND succeeds (the transfer runs).
f11_started() {
	local desc=$1
	shift
	if poll "$WAIT" "$@"; then ok; else bad "$desc: the transfer did not start"; fi
}
# f11_no_box SIM COUNT PREFIX: once SIM has read what the kernel had buffered
# of the cancelled uploads (megabytes, at --rate: a long bound), it drops
# them and has COUNT boxes, none named PREFIX-*.
f11_no_box() {
	if poll 60 eval "! f11_uploading $1"; then ok; else bad "$1 keeps a half upload"; fi
	is 'no new box' "$(f11_count)" "$2"
	is "no box named $3-*" "$(sim_jq /v1/boxes "[.boxes[].name | select(startswith(\"$3-\"))] | length")" 0
}
# f11_sig_rc SIG: 128 + the signal's number.
f11_sig_rc() { echo $((128 + $(kill -l "$1"))); }

# f11_setup NAME DIR: DIR/web-1.boxlite to import, DIR/out for exports, and
# the slow simulator NAME; F11_BEFORE is its box count.
f11_setup() {
	mkdir -p "$2/out"
	f11_archive "src-$1" "$2/web-1.boxlite" || return 1
	start_sim "$1" --port 0 --boxes 3 --seed 7 --disk-size 16M --rate 256K || return 1
	F11_BEFORE=$(f11_count)
}

case_cli_signals() {
	local dir=$TMP/cli11 sig want epid ipid erc irc
	f11_setup slow11 "$dir" || return
	for sig in INT TERM HUP; do
		want=$(f11_sig_rc "$sig")
		# the last round's cancelled upload is still being read by the simulator:
		# until it is gone, f11_uploading would see it and signal a boxtop that
		# has not started yet (and not yet set its handlers)
		if poll 60 eval "! f11_uploading slow11"; then ok; else bad 'slow11 keeps a half upload'; fi
		"$BOXTOP" --url "$URL" export web-1 -o "$dir/out/e-$sig.boxlite" \
			>"$dir/e.out" 2>"$dir/e.err" </dev/null &
		epid=$!
		"$BOXTOP" --url "$URL" import "$dir/web-1.boxlite" --name "imp-$sig" \
			>"$dir/i.out" 2>"$dir/i.err" </dev/null &
		ipid=$!
		f11_started "SIG$sig: export" test -e "$dir/out/e-$sig.boxlite.part"
		f11_started "SIG$sig: import" f11_uploading slow11
		kill -"$sig" "$epid" "$ipid"
		wait "$epid"
		erc=$?
		wait "$ipid"
		irc=$?
		is "SIG$sig during an export: exit status" "$erc" "$want"
		is "SIG$sig during an import: exit status" "$irc" "$want"
		is "SIG$sig: the export says so" "$(cat "$dir/e.err")" 'boxtop: export cancelled; nothing saved'
		is "SIG$sig: the import says so" "$(cat "$dir/i.err")" 'boxtop: import cancelled'
		is "SIG$sig: nothing on stdout" "$(cat "$dir/e.out" "$dir/i.out")" ""
		check "SIG$sig: no exported file" test ! -e "$dir/out/e-$sig.boxlite"
		no_part "$dir/out" "SIG$sig"
		check "SIG$sig: the archive to import is untouched" tar --zstd -tf "$dir/web-1.boxlite"
	done
	is 'the directory is empty' "$(ls -A "$dir/out")" ""
	f11_no_box slow11 "$F11_BEFORE" imp
}

# f11_queue KEY PROMPT TEXT...: KEY, then each TEXT typed into the next prompt.
f11_queue() {
	local key=$1 prompt=$2 text
	shift 2
	keys "$key"
	see "$key prompt" "$prompt"
	for text in "$@"; do
		keys C-u
		type_text "$text"
		keys Enter
	done
}

case_dashboard_signals() {
	local dir=$TMP/dash11 sig want
	f11_setup dslow11 "$dir" || return
	for sig in INT TERM HUP; do
		want=$(f11_sig_rc "$sig")
		if poll 60 eval "! f11_uploading dslow11"; then ok; else bad 'dslow11 keeps a half upload'; fi
		start_boxtop --url "$URL" -d 0.5
		ready || return
		select_box web-1
		f11_queue e 'Export web-1 to' "$dir/out/d-$sig.boxlite"
		f11_queue i 'Import a \.boxlite archive from' "$dir/web-1.boxlite" "dimp-$sig"
		f11_started "SIG$sig: the dashboard's export" test -e "$dir/out/d-$sig.boxlite.part"
		f11_started "SIG$sig: the dashboard's import" f11_uploading dslow11
		keys 4
		see "SIG$sig: two jobs run" '\| jobs 2 active'
		if [ "$sig" = INT ]; then keys C-c; else kill -"$sig" "$(bt_pid)"; fi
		see_exit "SIG$sig in the dashboard: exit status" "$want"
		is "SIG$sig: the alternate screen is left" "$(pane '#{alternate_on}')" 0
		is "SIG$sig: the cursor is visible" "$(pane '#{cursor_flag}')" 1
		unseen "SIG$sig: the dashboard is gone" '^ boxtop connected '
		see "SIG$sig: says both jobs were cancelled" '^boxtop: cancelled 2 unfinished jobs$'
		check "SIG$sig: boxtop is gone" eval '! bt_alive'
		check "SIG$sig: no exported file" test ! -e "$dir/out/d-$sig.boxlite"
		no_part "$dir/out" "SIG$sig in the dashboard"
	done
	f11_no_box dslow11 "$F11_BEFORE" dimp
}

run_case 'SIGINT, SIGTERM, SIGHUP: boxtop export and import' case_cli_signals
run_case 'SIGINT, SIGTERM, SIGHUP: the dashboard exporting and importing' case_dashboard_signals
