# Row 15: hostile names and labels. Boxes whose names carry a CSI (clear
# screen, colours), an OSC 0 and an OSC 2 (window title; BEL- and
# ST-terminated), an OSC 52 (set the clipboard), an 8-bit C1 CSI (U+009B),
# bidi overrides and isolates (U+202E, U+2066), invalid UTF-8, and 4,000
# characters; labels with escapes and a 4,000-character value. Everywhere
# boxtop shows them (the table, the detail, a dialog's title, the Jobs and
# Events views, batch text) they are sanitized: no ESC, BEL or C1 byte
# reaches the terminal, the pane's title and tmux's paste buffers stay as
# they were, and the layout holds (every other row, the header, the columns
# aligned). --json keeps the exact strings.
#
# Staging: the JSON control API cannot carry invalid UTF-8 as \u escapes
# (a lone surrogate such as "\ud800" is refused with 400), but
# boxlite-sim takes raw invalid bytes in the body and serves them back
# raw, so those are sent raw. It also caps a name at 256 bytes (its
# NAME_MAX_BYTES), so the 4,000-character name is staged by a small proxy
# (perl) in front of the simulator that puts it in place of a placeholder
# name in every answer.

# f15_post JSON: adds a box behind the API's back; prints its id.
f15_post() {
	curl -s --max-time 5 -X POST -H 'Content-Type: application/json' --data-binary "$1" \
		"$URL/_sim/boxes" | jq -r .box_id
}

# f15_proxy WHAT WITH: starts the rewriting proxy in front of $URL; sets F15_URL.
f15_proxy() {
	local i
	cat >"$TMP/proxy15.pl" <<'PERL'
# Forwards HTTP to the simulator, a fork per connection, with WITH in place
# of WHAT in every answer's body (Content-Length fixed, Connection: close).
# perl proxy15.pl SIM-PORT PORT-FILE WHAT WITH
use strict;
use warnings;
use IO::Socket::INET;
my ($sim, $portfile, $what, $with) = @ARGV;
my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 64,
	ReuseAddr => 1) or die "listen: $!";
open(my $pf, '>', "$portfile.tmp") or die "$portfile: $!";
print $pf $l->sockport, "\n";
close $pf;
rename "$portfile.tmp", $portfile;
$SIG{CHLD} = 'IGNORE';
while (my $c = $l->accept) {
	if (fork) { close $c; next; }
	close $l;
	my $req = '';
	while ($req !~ /\r\n\r\n/) { sysread($c, $req, 65536, length $req) or exit 0; }
	my ($head, $body) = split /\r\n\r\n/, $req, 2;
	my $len = $head =~ /^Content-Length:\s*(\d+)/mi ? $1 : 0;
	while (length $body < $len) { sysread($c, $body, 65536, length $body) or last; }
	$head =~ s/^(Connection|Accept-Encoding|Keep-Alive):.*\r?\n?//mgi;
	$head =~ s/\r?\n?$//;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $sim) or exit 0;
	print $s "$head\r\nConnection: close\r\n\r\n$body";
	my $resp = '';
	while (sysread($s, $resp, 65536, length $resp)) { }
	my ($rh, $rb) = split /\r\n\r\n/, $resp, 2;
	$rb //= '';
	if (index($rb, $what) >= 0 && $rh !~ /^Transfer-Encoding:/mi) {
		$rb =~ s/\Q$what\E/$with/g;
		$rh =~ s/^Content-Length:.*$/"Content-Length: " . length($rb) . "\r"/mie;
	}
	$rh =~ s/^(Connection|Keep-Alive):.*\r?\n?//mgi;
	$rh =~ s/\r?\n?$//;
	print $c "$rh\r\nConnection: close\r\n\r\n$rb";
	close $c;
	exit 0;
}
PERL
	rm -f "$TMP/proxy15.port"
	perl "$TMP/proxy15.pl" "$PORT" "$TMP/proxy15.port" "$1" "$2" 2>"$TMP/proxy15.err" &
	F15_PROXY=$!
	EXTRA_PIDS+=("$F15_PROXY")
	for ((i = 0; i < 50; i++)); do
		[ -s "$TMP/proxy15.port" ] && break
		sleep 0.1
	done
	F15_URL=http://127.0.0.1:$(cat "$TMP/proxy15.port" 2>/dev/null)
	f15_api_true "$F15_URL" /v1/boxes '.boxes | length > 0'
}
f15_api_true() { curl -s --max-time 5 "$1$2" | jq -e "$3" >/dev/null 2>&1; }

# The hostile boxes: F15_ID[k] is the id, F15_SHOW[k] the regex of the name as
# the table shows it (a replacement character for each control sequence).
F15_ID=()
F15_SHOW=()
F15_LONG=""
f15_hostile() {
	local raw
	F15_ID=() F15_SHOW=()
	F15_ID+=("$(f15_post '{"name":"csi\u001b[2J\u001b[31mred\u001b[0m-box"}')")
	F15_SHOW+=('csi�+red�+-box')
	F15_ID+=("$(f15_post '{"name":"osc\u001b]0;pwned-title\u0007-box"}')")
	F15_SHOW+=('osc�+-box')
	F15_ID+=("$(f15_post '{"name":"st\u001b]2;pwned-st\u001b\\-box"}')")
	F15_SHOW+=('st�+-box')
	F15_ID+=("$(f15_post '{"name":"clip\u001b]52;c;cHduZWQ=\u0007-box"}')")
	F15_SHOW+=('clip�+-box')
	F15_ID+=("$(f15_post '{"name":"c1\u009b2Jx-box"}')")
	F15_SHOW+=('c1�+x-box')
	F15_ID+=("$(f15_post '{"name":"bidi\u202eevil\u202c-box"}')")
	F15_SHOW+=('bidi�+evil�+-box')
	F15_ID+=("$(f15_post '{"name":"iso\u2066x\u2069-box"}')")
	F15_SHOW+=('iso�+x�+-box')
	raw=$(printf '{"name":"bad\377\376-utf\303x-box"}')
	F15_ID+=("$(f15_post "$raw")")
	F15_SHOW+=('bad�+-utf�+x-box')
	# labels: escapes in a key and a value, and a 4,000-character value
	F15_ID+=("$(f15_post "{\"name\":\"lab-box\",\"labels\":{\"t\\u001b[2Jk\":\"v\\u001b]0;pwned-label\\u0007\",\"long\":\"\\u202e$(printf 'L%.0s' {1..3999})\"}}")")
	F15_SHOW+=('lab-box')
	# the 4,000-character name, through the proxy
	F15_LONG=long-$(printf 'abcdefghij%.0s' {1..400} | head -c 3995)
	F15_ID+=("$(f15_post '{"name":"F15_LONG-PLACEHOLDER"}')")
	# cut to whatever width NAME gets (at least 14: 13 characters and the ellipsis)
	F15_SHOW+=('long-abcdefgh[a-j]*…')
}

# f15_pane_clean DESC TITLE: the pane holds no escape but SGR, no BEL, no
# "pwned"; its title is TITLE; tmux got no paste buffer (OSC 52).
f15_pane_clean() {
	local odd
	odd=$(screen_e | LC_ALL=C perl -ne 'while (/\e(\[[0-?]*[ -\/]*[@-~]|.)/g) { print "$&\n" unless $& =~ /^\e\[[0-9;:]*m$/ } print "BEL\n" if /\a/; print "C1\n" if /\xc2[\x80-\x9f]/' | sort -u | cat -v)
	is "$1: only colour sequences in the pane" "$odd" ""
	if screen | grep -q pwned; then bad "$1: pwned on the screen"; else ok; fi
	is "$1: the pane title is unchanged" "$(pane '#{pane_title}')" "$2"
	is "$1: no paste buffer (OSC 52)" "$(T list-buffers)" ""
}
# f15_aligned: every table row has its 12-character id under the ID heading.
f15_aligned() {
	screen | perl -CSD -ne '
		if (/^NAME/) { $c = index($_, " ID ") + 1; next }
		next unless defined $c && /^\S.* ([0-9A-Z]{12}) /;
		$bad++ if index($_, $1) != $c; $n++;
		END { exit(($n // 0) > 0 && !$bad ? 0 : 1) }'
}
# f15_rows: the table's rows (a name, one space or more, a 12-character id,
# a status); see_rows wants two spaces after the name, and a name cut to
# the column's width ends in "…" and one space.
f15_rows() { screen | grep -Ec '^[^ ].* [0-9A-Z]{12} [^ ] (configured|running|paused|stopping|stopped|failed|unknown)( |$)'; }
f15_rows_are() { [ "$(f15_rows)" = "$1" ]; }
f15_see_rows() {
	if poll "$WAIT" f15_rows_are "$2"; then ok; else bad "$1: $(f15_rows) table rows, want $2"; fi
}
# f15_detail ID REGEX: the detail of the box ID (filtered by its id) shows the name as REGEX.
f15_detail() {
	keys Escape Escape / C-u
	type_text "$1"
	keys Enter
	wait_for "filter: $1 \\(1 of" 5
	keys g Enter
	see "the detail shows $2" "^ name +$2 *$"
	see "the detail is of $1" "^ id +$1 *$"
	see 'the detail goes on below the name' '^ lifecycle +auto-stop '
}

case_dashboard() {
	local title total i name benign
	start_sim hostile15 --port 0 --boxes 12 --seed 1 --control || return
	benign=$(sorted_names)
	start_boxtop --url "$URL" -d 0.5 # a first run only to read tmux's default pane title
	ready || return
	title=$(pane '#{pane_title}')
	stop_boxtop
	f15_hostile
	f15_proxy F15_LONG-PLACEHOLDER "$F15_LONG" || { bad "the proxy did not start: $(cat "$TMP/proxy15.err")"; return; }
	start_boxtop --url "$F15_URL" -d 0.5
	T set -g set-clipboard on
	keys C-l # a full repaint now that tmux takes OSC 52
	ready || return
	total=$(sim_jq /v1/boxes '.boxes | length')
	is 'twelve boxes and ten hostile ones' "$total" 22
	f15_see_rows 'every row is there' "$total"
	for ((i = 0; i < ${#F15_ID[@]}; i++)); do
		see "the table shows ${F15_SHOW[i]}" "^${F15_SHOW[i]} +${F15_ID[i]:0:12} "
	done
	for name in $benign; do
		see "$name is in its place" "^$(re "$name") +[0-9A-Z]{12} "
	done
	see 'the labels column is sanitized' '^lab-box +.* (t�+k=v�+|long=�+L+)'
	check 'the columns are aligned' f15_aligned
	see 'the header is intact' '^ boxtop connected  http://127\.0\.0\.1:[0-9]+  '
	see 'the runtime line is intact' "^ boxes [0-9]+/$total running \\| "
	see 'the tab bar is intact' '^ 1 Boxes   2 Detail   3 Images   4 Jobs   5 Events'
	see 'the hint bar is intact' '^j/k move down / up .* \? help  q quit$'
	f15_pane_clean 'the table' "$title"

	for ((i = 0; i < ${#F15_ID[@]}; i++)); do
		f15_detail "${F15_ID[i]}" "${F15_SHOW[i]}"
	done
	f15_pane_clean 'the details' "$title"
	f15_detail "${F15_ID[8]}" "${F15_SHOW[8]}"
	see 'the labels are sanitized and cut on one line' '^ labels +(t�+k=v�+,long=�+L+|long=�+L+,t�+k=v�+)…$'
	see 'the graphs are under them' '^ cpu +[0-9.]+%'

	# a dialog's title: D on the OSC box, then on the long one
	f15_detail "${F15_ID[1]}" "${F15_SHOW[1]}"
	keys D
	see 'the delete dialog names it sanitized' '┌ Delete box osc�+-box\? ─+┐'
	see 'and asks for the name, sanitized' 'type osc�+-box and Enter to confirm'
	f15_pane_clean 'the dialog' "$title"
	keys Escape
	unseen 'Esc closes it' 'Delete box osc'
	f15_detail "${F15_ID[9]}" "${F15_SHOW[9]}"
	keys D
	see 'the long name is cut in the dialog title, the border whole' '┌ Delete box long-abcdefghij[a-j]*… ─+┐'
	keys Escape
	unseen 'Esc closes it' 'Delete box long'

	# the Jobs view: a snapshot of each of the two
	for i in 1 9; do
		f15_detail "${F15_ID[i]}" "${F15_SHOW[i]}"
		keys S
		see "the snapshot dialog names ${F15_SHOW[i]}" "┌ Snapshot ${F15_SHOW[i]}"
		keys Enter
		api_wait "the snapshot of ${F15_ID[i]} is made" "/v1/boxes/${F15_ID[i]}/snapshots" '.snapshots | length == 1'
	done
	keys 4
	see 'the Jobs view shows the OSC box sanitized' '^succeeded snapshot +osc�+-box '
	see 'and the long one cut' '^succeeded snapshot +long-abcdefghij[a-j]*… '
	f15_pane_clean 'the Jobs view' "$title"
	keys 5
	see 'the Events view too' '^[0-9:]{8}  snapshot osc�+-box succeeded'
	see 'the long one there too' '^[0-9:]{8}  snapshot long-abcdefghij[a-j]*'
	f15_pane_clean 'the Events view' "$title"
	keys 1 Escape
	f15_see_rows 'back in the table: every row' "$total"
	keys q
	see_exit 'q quits' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
	is 'the pane title is still unchanged' "$(pane '#{pane_title}')" "$title"
	kill "$F15_PROXY" 2>/dev/null
}

# f15_bytes FILE: no ESC, BEL, C1, bidi control or invalid UTF-8 in FILE.
f15_bytes() {
	LC_ALL=C perl -ne 'exit 1 if /[\x1b\x07]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]/' "$1" &&
		iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}

case_batch() {
	local dir=$TMP/batch15 i id want got
	mkdir -p "$dir"
	start_sim bhostile15 --port 0 --boxes 12 --seed 1 --control || return
	f15_hostile
	f15_proxy F15_LONG-PLACEHOLDER "$F15_LONG" || { bad "the proxy did not start: $(cat "$TMP/proxy15.err")"; return; }
	"$BOXTOP" --url "$F15_URL" -b -n 1 >"$dir/text" 2>"$dir/text.err" </dev/null
	is 'batch text: exit status' "$?" 0
	check 'batch text: no ESC, BEL, C1, bidi control or invalid UTF-8' f15_bytes "$dir/text"
	check 'batch text: nothing on stderr' test ! -s "$dir/text.err"
	for ((i = 0; i < ${#F15_ID[@]} - 1; i++)); do
		if grep -Eq "^${F15_SHOW[i]} +${F15_ID[i]:0:12} " "$dir/text"; then ok; else bad "batch text: no row /${F15_SHOW[i]}/"; fi
	done
	# the long name: whole, or visibly cut (as the dashboard does, with "…")
	if grep -Fq "$F15_LONG  ${F15_ID[9]:0:12}  " "$dir/text" ||
		grep -Eq "^${F15_SHOW[9]} +${F15_ID[9]:0:12}  " "$dir/text"; then
		ok
	else
		bad "batch text: the 4,000-character name is neither whole nor cut with …: $(grep -ao '^long-[a-j]*' "$dir/text" | tr -d '\n' | wc -c) bytes: $(grep -a '^long-' "$dir/text" | cut -c990-1040)"
	fi
	is 'batch text: a row for every box' "$(grep -Ec '^[^ ].* [0-9A-Z]{12}  ' "$dir/text")" 22
	is 'batch text: the ids line up' \
		"$(perl -CSD -ne 'print index($_, $1), "\n" if /^\S.* ([0-9A-Z]{12})  /' "$dir/text" | sort -u | wc -l)" 1

	"$BOXTOP" --url "$F15_URL" --json -n 1 >"$dir/json" 2>"$dir/json.err" </dev/null
	is '--json: exit status' "$?" 0
	for ((i = 0; i < ${#F15_ID[@]} - 1; i++)); do
		id=${F15_ID[i]}
		want=$(sim_get "/v1/boxes/$id" | jq -c '{name, labels}')
		got=$(jq -c --arg id "$id" '.boxes[] | select(.box_id == $id) | {name, labels}' "$dir/json")
		if [ "$got" = "$want" ]; then ok; else bad "--json changed $id's name or labels: got '${got:0:200}', want '${want:0:200}'"; fi
	done
	got=$(jq -r --arg id "${F15_ID[9]}" '.boxes[] | select(.box_id == $id) | .name' "$dir/json")
	check '--json keeps the 4,000-character name' test "$got" = "$F15_LONG"
	is 'it is 4,000 characters' "${#F15_LONG}" 4000
	is "--json keeps the label's 4,000 characters" \
		"$(jq -r --arg id "${F15_ID[8]}" '.boxes[] | select(.box_id == $id) | .labels.long | length' "$dir/json")" 4000
	# jq reads invalid UTF-8 as U+FFFD on both sides: the raw bytes as well
	check '--json passes the invalid UTF-8 bytes through as the server sent them' \
		eval "LC_ALL=C grep -aq \$'\"name\":\"bad\\377\\376-utf\\303x-box\"' '$dir/json'"
	kill "$F15_PROXY" 2>/dev/null
}

run_case 'hostile names and labels in the dashboard' case_dashboard
run_case 'hostile names and labels in batch text and --json' case_batch
