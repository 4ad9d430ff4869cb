# Row 12: two exports to the same path at the same time. The .part name is
# fixed (PATH.part, opened O_EXCL), so the second one to start finds the
# first's .part and fails at once, saying so, without touching it; the first
# completes to a verified file; no .part is left. Against a slow simulator
# (--rate 1M, a 4 MiB disk: seconds an export). The dashboard, asked
# twice for the same path, does the same: one job succeeds, the other fails
# with a clear message.

# f12_verified FILE: a complete archive whose disk has the manifest's checksum.
f12_verified() {
	local want
	want=$(tar --zstd -xOf "$1" manifest.json | jq -r .container_disk_checksum) || return 1
	tar --zstd -tf "$1" | grep -qx disk.qcow2 &&
		[ "sha256:$(tar --zstd -xOf "$1" disk.qcow2 | sha256sum | cut -c1-64)" = "$want" ]
}
# f12_box FILE: the box name in FILE's manifest.
f12_box() { tar --zstd -xOf "$1" manifest.json 2>/dev/null | jq -r .box_name; }
# f12_collided ERR-FILE PATH: the loser's message: the winner's .part is
# there (or, on a machine so slow that the winner was done before the loser
# began, the finished file is).
f12_collided() {
	grep -Eq "^boxtop: export failed: $(re "$2")(\.part exists: another export to $(re "$2") is running| exists; not replacing it)" "$1"
}

case_cli_same_path() {
	local dir=$TMP/same12 f=$TMP/same12/same.boxlite a b rca rcb round win lose
	mkdir -p "$dir"
	start_sim same12 --port 0 --boxes 3 --seed 7 --disk-size 4M --rate 1M || return
	for round in 1 2 3; do
		rm -f "$f"
		"$BOXTOP" --url "$URL" export web-1 -o "$f" >"$dir/a.out" 2>"$dir/a.err" </dev/null &
		a=$!
		"$BOXTOP" --url "$URL" export web-1 -o "$f" >"$dir/b.out" 2>"$dir/b.err" </dev/null &
		b=$!
		wait "$a"
		rca=$?
		wait "$b"
		rcb=$?
		is "round $round: one succeeds, one fails (exit statuses)" "$(printf '%s\n' "$rca" "$rcb" | sort | tr '\n' ' ')" '0 1 '
		if [ "$rca" = 0 ]; then
			win=a lose=b
		else
			win=b lose=a
		fi
		is "round $round: the winner prints the path" "$(cat "$dir/$win.out")" "$f"
		is "round $round: the loser prints nothing" "$(cat "$dir/$lose.out")" ""
		if f12_collided "$dir/$lose.err" "$f"; then
			ok
		else
			bad "round $round: the loser does not say why: $(head -c 300 "$dir/$lose.err")"
		fi
		check "round $round: the file is complete and verified" f12_verified "$f"
		is "round $round: of web-1" "$(f12_box "$f")" web-1
		no_part "$dir" "round $round"
	done
	# a third export to the same path after both: refused, the file kept
	cp "$f" "$dir/keep"
	"$BOXTOP" --url "$URL" export web-2 -o "$f" >"$dir/c.out" 2>"$dir/c.err" </dev/null
	is 'an export onto the finished file: exit status' "$?" 1
	check 'it will not replace it' grep -q 'exists; not replacing it (use --force)' "$dir/c.err"
	check 'the file is untouched' cmp -s "$f" "$dir/keep"
	no_part "$dir" 'after the refused export'
}

# f12_export BOX PATH: from BOX's detail, queues an export to PATH.
f12_export() {
	select_box "$1"
	keys e
	see "the export prompt for $1" "Export $1 to"
	keys C-u
	type_text "$2"
	keys Enter
	see "export of $1 queued (or already over)" "export $1 (queued|failed|succeeded)"
}

# f12_jobs S F: the Jobs view shows S exports of web-1 succeeded and F failed.
f12_jobs() {
	[ "$(screen | grep -Ec '^succeeded +export +web-1 ')" = "$1" ] &&
		[ "$(screen | grep -Ec '^failed +export +web-1 ')" = "$2" ]
}

case_dashboard_same_path() {
	local dir=$TMP/dsame12 f=$TMP/dsame12/same.boxlite g=$TMP/dsame12/other.boxlite
	mkdir -p "$dir"
	start_sim dsame12 --port 0 --boxes 3 --seed 7 --disk-size 4M --rate 1M || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	# web-1 and web-2 run on two workers at once: the second finds the first's .part
	f12_export web-1 "$f"
	if poll "$WAIT" test -e "$f.part"; then ok; else bad 'the first export did not start'; fi
	f12_export web-2 "$f"
	keys 5
	# (the .part collision; on a machine so slow that web-1 was done first, the file)
	see 'the second fails at once, saying why' \
		'export web-2 failed: /.*/same\.boxlite(\.part exists: another export to /| exists; not replacing it)'
	keys 4
	see 'the Jobs view: the second failed' '^failed +export +web-2 '
	see 'the first succeeds' '^succeeded +export +web-1 ' 30
	check 'the file is complete and verified' f12_verified "$f"
	is 'it is web-1' "$(f12_box "$f")" web-1
	no_part "$dir" 'two boxes to one path'
	# the same box twice: its jobs run one after the other, and the second
	# finds the first's finished file
	f12_export web-1 "$g"
	f12_export web-1 "$g"
	keys 4
	if poll 30 f12_jobs 2 1; then ok; else bad 'the Jobs view: want web-1 exported twice, one failed'; fi
	keys 5
	see 'saying it will not replace the file' "export web-1 failed: $(re "$g") exists; not replacing it \\(use --force\\)"
	check 'that file is complete and verified' f12_verified "$g"
	no_part "$dir" 'one box twice to one path'
	see 'the header counts no active job' '\| jobs 0 active'
	keys q
	see_exit 'q quits' 0
	is 'the directory has the two files' "$(ls -A "$dir" | tr '\n' ' ')" 'other.boxlite same.boxlite '
}

run_case 'two boxtop export to one path at once' case_cli_same_path
run_case 'the dashboard: two exports to one path' case_dashboard_same_path
