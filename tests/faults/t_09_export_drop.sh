# Row 9: an export whose connection is cut (drop_after) at 0 %, 50 % and
# 99 % of the archive. `boxtop export` exits 1 and says the transfer was
# cut, with no file and no .part; the dashboard's job fails with the same
# words; and the same export without the fault then succeeds, so nothing
# was left stuck (a .part, a busy box, a hung worker).

# f09_cli ARGS...: boxtop as a command, no terminal; sets RC, output in $TMP/f09_cli.{out,err}.
f09_cli() {
	"$BOXTOP" "$@" >"$TMP/f09_cli.out" 2>"$TMP/f09_cli.err" </dev/null
	RC=$?
}
# f09_verified FILE: a complete archive whose disk has the manifest's checksum.
f09_verified() {
	local want
	want=$(tar --zstd -xOf "$1" manifest.json | jq -r .container_disk_checksum) || return 1
	tar --zstd -tf "$1" | grep -qx disk.qcow2 &&
		[ "sha256:$(tar --zstd -xOf "$1" disk.qcow2 | sha256sum | cut -c1-64)" = "$want" ]
}
# f09_drop BYTES: the next export (only that one) is cut after BYTES bytes.
f09_drop() {
	curl -s -X DELETE "$URL/_sim/faults" >/dev/null
	sim_post /_sim/faults "{\"method\":\"POST\",\"path\":\"*/export\",\"drop_after\":$1,\"count\":1}" >/dev/null
}
f09_fired() { sim_jq /_sim/faults '[.faults[].fired] | add // 0'; }
# f09_size: the archive's size, from a plain export of web-1 by curl.
f09_size() { curl -s --max-time 30 -X POST -d '{}' -o /dev/null -w '%{size_download}' "$URL/v1/boxes/web-1/export"; }

case_drop_cli() {
	local dir=$TMP/drop9 size at pct boxes
	mkdir -p "$dir"
	start_sim drop9 --port 0 --boxes 3 --seed 7 --disk-size 4M --control || return
	size=$(f09_size)
	check "the archive has a size ($size)" test "$size" -gt 100000
	boxes=$(sim_get /v1/boxes | jq -c '[.boxes[] | {name, status}]')
	for pct in 0 50 99; do
		at=$((size * pct / 100))
		f09_drop "$at"
		f09_cli --url "$URL" export web-1 -o "$dir/cut-$pct.boxlite"
		is "cut at $pct% ($at of $size bytes): exit status" "$RC" 1
		is "cut at $pct%: the fault fired" "$(f09_fired)" 1
		if grep -Eq '^boxtop: export failed: .*transfer closed with [0-9]+ bytes remaining' "$TMP/f09_cli.err"; then
			ok
		else
			bad "cut at $pct%: no clear message: $(head -c 300 "$TMP/f09_cli.err")"
		fi
		is "cut at $pct%: nothing on stdout" "$(cat "$TMP/f09_cli.out")" ""
		check "cut at $pct%: no file" test ! -e "$dir/cut-$pct.boxlite"
		no_part "$dir" "cut at $pct%"
	done
	is 'the directory is empty after three cut exports' "$(ls -A "$dir")" ""
	is 'the boxes are as before' "$(sim_get /v1/boxes | jq -c '[.boxes[] | {name, status}]')" "$boxes"
	curl -s -X DELETE "$URL/_sim/faults" >/dev/null
	f09_cli --url "$URL" export web-1 -o "$dir/cut-99.boxlite"
	is 'the same export without the fault: exit status' "$RC" 0
	is 'it prints the path' "$(cat "$TMP/f09_cli.out")" "$dir/cut-99.boxlite"
	check 'the file is complete and verified' f09_verified "$dir/cut-99.boxlite"
	is 'the file has the whole archive' "$(stat -c %s "$dir/cut-99.boxlite")" "$size"
	no_part "$dir" 'after the good export'
}

# f09_export PATH: from the detail of web-1, queues an export to PATH.
f09_export() {
	select_box web-1
	keys e
	see 'the export prompt' 'Export web-1 to'
	keys C-u
	type_text "$1"
	keys Enter
}

case_drop_dashboard() {
	local dir=$TMP/dash9 size
	mkdir -p "$dir"
	start_sim dash9 --port 0 --boxes 3 --seed 7 --disk-size 4M --control || return
	size=$(f09_size)
	f09_drop $((size / 2))
	start_boxtop --url "$URL" -d 0.5
	ready || return
	f09_export "$dir/half.boxlite"
	see 'the failure is on the message line' 'export web-1 failed: .*transfer closed with [0-9]+ bytes remaining'
	is 'the fault fired' "$(f09_fired)" 1
	keys 4
	see 'the Jobs view shows the job failed' '^failed +export +web-1 '
	see 'and its message is the reason, not the URL' '^failed +export +web-1 .* transfer closed with [0-9]+ bytes'
	check 'no URL in the Jobs view' off_screen '^failed +export +web-1 .* POST http'
	keys 5
	see 'the Events view has the whole reason' 'export web-1 failed: POST .*/export: transfer closed with [0-9]+ bytes remaining'
	keys 4
	see 'the header counts no active job' '\| jobs 0 active'
	check 'no file' test ! -e "$dir/half.boxlite"
	no_part "$dir" 'after the cut export'
	keys 1
	see_tab 'the dashboard still answers keys' '1 Boxes'
	keys 4
	see_tab 'and back to the jobs' '4 Jobs'
	# t retries the failed job: the same export, now without the fault
	keys t
	see 'the retry succeeds' '^succeeded +export +web-1 '
	check 'the retried export is complete and verified' f09_verified "$dir/half.boxlite"
	is 'the file has the whole archive' "$(stat -c %s "$dir/half.boxlite" 2>/dev/null)" "$size"
	no_part "$dir" 'after the retry'
	keys q
	see_exit 'q quits' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
}

run_case 'export cut at 0%, 50%, 99% (boxtop export)' case_drop_cli
run_case 'export cut at 50% in the dashboard, then retried' case_drop_dashboard
