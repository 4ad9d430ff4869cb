# Fault matrix, row 4: the API key revoked mid-session (a simulator with
# --api-key-file, then POST /_sim/key/expire: every API route answers 401
# until /_sim/key/restore). boxtop gets the key only through --api-key-file.
# The dashboard shows AUTH FAILED over the last data, an action (S) fails
# with a message and changes nothing, and once the key is restored the
# dashboard recovers by itself; `boxtop export` and `boxtop -b` while the
# key is refused end with status 1, an "unauthenticated" message and no
# file. The key itself is never on the screen, in any output, or on a
# command line.

F04=$TMP/f04
mkdir -p "$F04/home" "$F04/dl"
F04_KEY=f04-key-$RANDOM$RANDOM-$$-never-shown
(umask 077 && printf '%s\n' "$F04_KEY" >"$F04/key" &&
	printf 'Authorization: Bearer %s\n' "$F04_KEY" >"$F04/auth")

# f04_api METHOD PATH: a request with the key (curl reads the header from a
# file, so the key is on no command line); the body on stdout.
f04_api() { curl -s --max-time 5 -H "@$F04/auth" -X "$1" "$URL$2"; }
# f04_no_key DESC FILE...: none of the files holds the key.
f04_no_key() {
	local desc=$1
	shift
	if grep -qF -- "$F04_KEY" "$@" 2>/dev/null; then bad "$desc: the key is in $(grep -lF -- "$F04_KEY" "$@")"; else ok; fi
}
# f04_screen_no_key DESC: the pane (and its scrollback) does not show the key.
f04_screen_no_key() {
	T capture-pane -p -S - -t e2e >"$F04/screen"
	f04_no_key "$1" "$F04/screen"
}
# f04_run ARGS...: boxtop with the key file, outside the terminal, in
# $F04/dl, scratch HOME, no BOXLITE_* variables, at most 60 s; RC, out, err.
f04_run() {
	(cd "$F04/dl" && env -u BOXLITE_REST_URL -u BOXLITE_API_KEY -u BOXLITE_PROFILE \
		-u BOXLITE_HOME -u BOXLITE_REST_PATH_PREFIX HOME="$F04/home" \
		timeout 60 "$BOXTOP" --url "$URL" --api-key-file "$F04/key" "$@" \
		>"$F04/out" 2>"$F04/err" </dev/null)
	RC=$?
}
f04_err() {
	if grep -Eq -- "$2" "$F04/err"; then ok; else bad "$1: no /$2/ in: $(head -c 400 "$F04/err")"; fi
}
f04_snapshots() { f04_api GET /v1/boxes/web-1/snapshots | jq -r '.snapshots | length'; }

case_f04_dashboard() {
	local total pid
	start_sim f04 --port 0 --boxes 6 --seed 4 --disk-size 1M --control --api-key-file "$F04/key" || return
	is 'the simulator wants the key' "$(sim_code GET /v1/boxes)" 401
	total=$(f04_api GET /v1/boxes | jq '.boxes | length')
	start_boxtop --url "$URL" --api-key-file "$F04/key" -d 0.5
	ready || return
	see_rows 'the fleet' "$total"
	pid=$(bt_pid)
	f04_no_key "boxtop's command line" "/proc/$pid/cmdline"
	is 'web-1 has no snapshot yet' "$(f04_snapshots)" 0

	f04_api POST /_sim/key/expire >/dev/null
	is 'the key is refused now' "$(curl -s -o /dev/null -w '%{http_code}' -H "@$F04/auth" "$URL/v1/boxes")" 401
	see 'an AUTH FAILED banner over the last data' '^ AUTH FAILED \(showing the last data\): '
	see 'the banner says unauthenticated' '^ AUTH FAILED .*(unauthenticated|401|bearer token)'
	see_rows 'the last rows stay' "$total"
	see 'web-1 stays listed' '^web-1 +[0-9A-Z]{12} '
	f04_screen_no_key 'the banner'

	select_box web-1
	keys S
	see 'the snapshot prompt' 'Snapshot web-1'
	keys Enter
	see 'the snapshot fails with a message' 'snapshot web-1 failed: .*(unauthenticated|401)'
	keys 5
	see 'the Events view says why' 'snapshot web-1 failed: .*unauthenticated \(401\)'
	f04_screen_no_key 'the failed action'
	keys 4
	see 'the Jobs view lists it failed' '^failed +snapshot +web-1 '
	is 'no snapshot was made while revoked' "$(f04_snapshots)" 0
	keys 1 Escape

	f04_api POST /_sim/key/restore >/dev/null
	# the poller tries again 30 s after a refused key: a longer bound for this one wait
	see 'connected again by itself' '^ boxtop connected ' 45
	unseen 'the banner goes' 'AUTH FAILED'
	see 'the fleet is counted again' "^ boxes [0-9]+/$total running"
	is 'still no snapshot: the failed job was not replayed' "$(f04_snapshots)" 0
	f04_screen_no_key 'after the recovery'
	keys q
	see_exit 'q quits' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
	f04_screen_no_key 'the shell after boxtop'
	f04_no_key "boxtop's stderr" "$TMP"/boxtop.*.err
}

case_f04_cli() {
	start_sim f04-cli --port 0 --boxes 3 --seed 4 --disk-size 1M --control --api-key-file "$F04/key" || return
	f04_run -b -n 1
	is 'batch works with the key' "$RC" 0
	f04_api POST /_sim/key/expire >/dev/null
	f04_run export web-1 -o "$F04/dl/revoked.boxlite"
	is 'export while revoked: exit status' "$RC" 1
	f04_err 'export says unauthenticated' 'unauthenticated \(401\)'
	is 'export prints no path' "$(cat "$F04/out")" ""
	check 'export: no file' test ! -e "$F04/dl/revoked.boxlite"
	no_part "$F04/dl" 'export while revoked'
	f04_no_key 'export output' "$F04/out" "$F04/err"
	f04_run export web-1
	is 'export to the default name while revoked: exit status' "$RC" 1
	is 'no file in the directory' "$(ls -A "$F04/dl")" ""
	f04_run -b -n 1
	is 'batch while revoked: exit status' "$RC" 1
	f04_err 'batch names the URL and says unauthenticated' "^boxtop: $(re "$URL"): unauthenticated \\(401\\)"
	f04_no_key 'batch output' "$F04/out" "$F04/err"
	f04_run --json
	is '--json while revoked: exit status' "$RC" 1
	f04_err '--json says unauthenticated' 'unauthenticated \(401\)'
	f04_run --print-config
	is '--print-config: exit status' "$RC" 0
	if grep -Eq -- '^credential +api key from --api-key-file' "$F04/out"; then ok; else bad "--print-config does not say where the key is from: $(head -c 400 "$F04/out")"; fi
	f04_no_key '--print-config' "$F04/out" "$F04/err"
	f04_api POST /_sim/key/restore >/dev/null
	f04_run export web-1 -o "$F04/dl/restored.boxlite"
	is 'export after the restore' "$RC" 0
	check 'the file is a zstd tar with a manifest' eval "tar --zstd -tf '$F04/dl/restored.boxlite' | grep -qx manifest.json"
	is 'its disk matches the manifest' \
		"$(tar --zstd -xOf "$F04/dl/restored.boxlite" disk.qcow2 | sha256sum | cut -c1-64)" \
		"$(tar --zstd -xOf "$F04/dl/restored.boxlite" manifest.json | jq -r .container_disk_checksum | sed 's/^sha256://')"
	f04_no_key 'export output' "$F04/out" "$F04/err"
}

run_case 'key revoked: AUTH FAILED, S fails, recovers on restore' case_f04_dashboard
run_case 'key revoked: export, -b, --json exit 1; no key shown' case_f04_cli
