# ASCII: with --ascii (in a UTF-8 locale), and in the C locale without it,
# no byte above 0x7f reaches the screen: table, status symbols, sparklines,
# the boot bar, modal borders, the help, job progress bars, a non-ASCII box
# name. A run in UTF-8 first shows the check does see UTF-8.

# ascii_screen DESC: the screen holds only ASCII.
ascii_screen() {
	if screen_ascii; then
		ok
	else
		bad "$1: bytes above 0x7f on the screen: $(screen | LC_ALL=C grep -n '[^[:print:][:space:]]' | head -3)"
	fi
}

# ascii_views LABEL DIR: walks the views and checks each screen.
ascii_views() {
	local label=$1 dir=$2
	see "$label: the non-ASCII name as ?" '^na\?ve-caf\? +[0-9A-Z]{12} '
	see "$label: ASCII status symbols" '^web-1 +[0-9A-Z]{12} \* running '
	see "$label: a stopped box" '^web-3 +[0-9A-Z]{12} \. stopped '
	see "$label: ASCII sparklines in the table" '^web-1 .* [_.:=+*#-]{2,} '
	see "$label: the sort mark" 'NAME\^'
	ascii_screen "$label: boxes view"
	select_box web-1
	see "$label: the cpu sparkline" '^ cpu +[0-9.]+% +[_.:=+*#-]{2,}'
	see "$label: the boot bar" '^ boot +[0-9]+ ms +a+b+'
	see "$label: the boot legend, cut with ~" '^ +a guest_boot [0-9]+ms, .*~$'
	is "$label: the line before the snapshots is blank (nothing spilled into it)" \
		"$(screen | grep -B1 '^ snapshots (' | head -1)" ""
	ascii_screen "$label: detail view"
	keys S
	see "$label: a modal" '^ *.* \+ Snapshot web-1: name -+\+'
	ascii_screen "$label: modal border"
	keys Escape
	unseen "$label: the modal closes" 'Snapshot web-1: name'
	keys '?'
	see "$label: the help" '\+ keys \(any key closes\) -+\+'
	ascii_screen "$label: help overlay"
	keys x
	unseen "$label: the help closes" 'keys \(any key closes\)'
	keys e
	see "$label: export prompt" 'Export web-1 to'
	keys C-u
	type_text "$dir/a.boxlite"
	keys Enter
	keys 4
	see "$label: the export succeeded" '^succeeded +export +web-1 +#+ '
	ascii_screen "$label: jobs view with a progress bar"
	keys 5
	see "$label: events view" '^TIME +EVENT'
	ascii_screen "$label: events view"
	keys 3
	see "$label: images view" '^REFERENCE'
	ascii_screen "$label: images view"
	keys q
	see_exit "$label: q quits" 0
}

case_ascii() {
	mkdir -p "$TMP/ascii1" "$TMP/ascii2"
	start_sim ascii --port 0 --seed 1 --disk-size 1M --control || return
	sim_post /_sim/boxes '{"name":"naïve-café","status":"running"}' >/dev/null

	start_boxtop --url "$URL" -d 0.5
	ready || return
	see 'UTF-8: the name as it is' '^naïve-café +[0-9A-Z]{12} '
	if screen_ascii; then bad 'the check misses UTF-8 on the screen'; else ok; fi

	start_boxtop --url "$URL" -d 0.5 --ascii
	ready || return
	ascii_views '--ascii' "$TMP/ascii1"

	start_boxtop --env LANG=C --env LC_ALL=C --url "$URL" -d 0.5
	ready || return
	ascii_views 'C locale' "$TMP/ascii2"
}

run_case '--ascii and the C locale: ASCII only' case_ascii
