# `boxtop export` and `boxtop import` against a live simulator: results,
# exit statuses, no file under a final name unless complete, no .part left,
# a signal during a transfer, the progress line on a terminal; every other
# action of the table as a command (its result, --json, its question on a
# terminal or --yes), --help and the man page against the table; and the
# connection settings as boxtop resolves them (flags, environment,
# credentials.toml, --api-key-file). Sourced by run.sh (ok, bad, start_sim,
# stop_sim, TMP); BOXTOP is the binary.

BOXTOP=${BOXTOP:-build/boxtop}
CLI=$TMP/cli
mkdir -p "$CLI"

# bt ARGS...: runs boxtop with a scratch HOME (no stray credentials) and no
# BOXLITE_* from the caller; sets RC, output in $CLI/out and $CLI/err.
bt() {
	env -u BOXLITE_REST_URL -u BOXLITE_API_KEY -u BOXLITE_PROFILE -u BOXLITE_HOME \
		-u BOXLITE_REST_PATH_PREFIX HOME="$CLI/home" ${BT_ENV[@]+"${BT_ENV[@]}"} \
		"$BOXTOP" "$@" >"$CLI/out" 2>"$CLI/err" </dev/null
	RC=$?
}
BT_ENV=()
# saw DESC FILE REGEX: FILE has a line matching REGEX.
saw() {
	if grep -Eq -- "$3" "$2"; then ok; else bad "$1: no /$3/ in: $(head -c 400 "$2")"; fi
}
rc_is() {
	if [ "$RC" = "$2" ]; then ok; else bad "$1: exit $RC, want $2 ($(head -c 300 "$CLI/err"))"; fi
}
no_part() {
	if ls "$1"/*.part >/dev/null 2>&1; then bad "$2: .part left: $(ls "$1")"; else ok; fi
}
mkdir -p "$CLI/home" "$CLI/dl"

start_sim cli --port 0 --boxes 4 --seed 7 --disk-size 4M --control
CLI_PID=$PID
CLI_URL=$URL

# --- export: default name, -o, a directory, refusal to overwrite, --force ----
(cd "$CLI/dl" && env -u BOXLITE_REST_URL HOME="$CLI/home" "$OLDPWD/$BOXTOP" --url "$CLI_URL" \
	export web-1 >"$CLI/out" 2>"$CLI/err")
RC=$?
rc_is 'export default name' 0
saw 'export prints the path' "$CLI/out" '^\./web-1-[0-9]{8}-[0-9]{6}\.boxlite$'
saw 'export says so on stderr' "$CLI/err" '^boxtop: saved \./web-1-'
f=$(ls "$CLI/dl"/web-1-*.boxlite 2>/dev/null | head -1)
check 'default-named file is there' test -s "$f"
check 'exported file is private' test "$(stat -c %a "$f")" = 600
sum=$(curl -s -X POST -d '{}' "$CLI_URL/v1/boxes/web-1/export" | tar --zstd -xOf - disk.qcow2 | sha256sum | cut -c1-64)
check 'exported disk matches the server' test "$(tar --zstd -xOf "$f" disk.qcow2 | sha256sum | cut -c1-64)" = "$sum"

bt --url "$CLI_URL" export web-1 -o "$CLI/dl/a.boxlite"
rc_is 'export -o' 0
saw 'export -o prints the path' "$CLI/out" "^$CLI/dl/a\.boxlite$"
check 'no progress line when stderr is not a terminal' test "$(cat "$CLI/err")" = "boxtop: saved $CLI/dl/a.boxlite"
cp "$CLI/dl/a.boxlite" "$CLI/a.orig"
bt --url "$CLI_URL" export web-1 -o "$CLI/dl/a.boxlite"
rc_is 'export onto an existing file' 1
saw 'says it will not replace' "$CLI/err" 'exists; not replacing it \(use --force\)'
check 'existing file untouched' cmp -s "$CLI/dl/a.boxlite" "$CLI/a.orig"
bt --url "$CLI_URL" export web-2 -o "$CLI/dl/a.boxlite" --force
rc_is 'export --force' 0
check '--force replaced it' test "$(tar --zstd -xOf "$CLI/dl/a.boxlite" manifest.json | jq -r .box_name)" = web-2
mkdir -p "$CLI/dl/sub"
bt --url "$CLI_URL" export web-2 -o "$CLI/dl/sub"
rc_is 'export -o DIR' 0
saw 'export into a directory' "$CLI/out" "^$CLI/dl/sub/web-2-[0-9]{8}-[0-9]{6}\.boxlite$"
bt --url "$CLI_URL" export no-such-box
rc_is 'export of a missing box' 1
saw 'missing box named' "$CLI/err" 'box not found: no-such-box'
no_part "$CLI/dl" 'after exports'

# --- import: round trip, a name, a file that is not an archive --------------
bt --url "$CLI_URL" import "$CLI/dl/a.boxlite" --name restored-2
rc_is 'import' 0
saw 'import prints the new id' "$CLI/out" '^[0-9A-Z]{26}$'
saw 'import names the box on stderr' "$CLI/err" '^boxtop: made restored-2 \([0-9A-Z]{26}\)$'
URL=$CLI_URL req GET "/v1/boxes/$(cat "$CLI/out")"
expect 'the printed id is the imported box' 200
field 'the printed id is the imported box' .name restored-2
bt --url "$CLI_URL" export restored-2 -o "$CLI/dl/rt.boxlite"
check 'round trip is byte-identical' test \
	"$(tar --zstd -xOf "$CLI/dl/rt.boxlite" disk.qcow2 | sha256sum)" = \
	"$(tar --zstd -xOf "$CLI/dl/a.boxlite" disk.qcow2 | sha256sum)"
# a 503 with Retry-After on the upload: sent again from the file's start, with the same key
curl -s -X POST "$CLI_URL/_sim/faults" -d '{"method":"POST","path":"*/import*","status":503,"retry_after":1,"count":1}' >/dev/null
bt --url "$CLI_URL" import "$CLI/dl/a.boxlite" --name restored-3
rc_is 'import retried after a 503' 0
check 'the 503 fired once' test "$(curl -s "$CLI_URL/_sim/faults" | jq '[.. | .fired? // empty] | add')" = 1
URL=$CLI_URL req GET /v1/boxes/restored-3
expect 'the retried import made its box' 200
curl -s -X DELETE "$CLI_URL/_sim/faults" >/dev/null
echo 'not an archive' >"$CLI/junk.boxlite"
bt --url "$CLI_URL" import "$CLI/junk.boxlite"
rc_is 'import of junk' 1
saw 'junk refused before sending' "$CLI/err" 'is not a \.boxlite archive'
bt --url "$CLI_URL" import "$CLI/nothing-here.boxlite"
rc_is 'import of a missing file' 1
saw 'missing file named' "$CLI/err" 'nothing-here\.boxlite'

# --- usage errors are status 2 ----------------------------------------------
bt export
rc_is 'export without a box' 2
bt --name x export web-1
rc_is '--name with export' 2
bt -o x
rc_is '-o without export' 2
bt --api-key secret-on-the-command-line
rc_is 'no --api-key option' 2

# --- every other action of the table, as a command ---------------------------
# jq FILTER over GET PATH of the cli simulator
api() { curl -s "$CLI_URL$1" | jq -r "$2"; }
state() { curl -s -o /dev/null -X POST "$CLI_URL/_sim/boxes/$(api "/v1/boxes/$1" .box_id)/state" -d "{\"status\":\"$2\"}"; }
state web-1 running
bt --url "$CLI_URL" snapshot web-1 --name s1
rc_is 'snapshot --name' 0
check 'snapshot prints its name' test "$(cat "$CLI/out")" = s1
check 'the snapshot is on the server' test "$(api /v1/boxes/web-1/snapshots '[.snapshots[].name] | index("s1") != null')" = true
bt --url "$CLI_URL" snapshot web-1
rc_is 'snapshot without a name' 0
saw 'the default name' "$CLI/out" '^snap-[0-9]{8}-[0-9]{6}$'
snap=$(cat "$CLI/out")
bt --url "$CLI_URL" snapshot web-1 --name s1
rc_is 'a snapshot name taken' 1
saw 'the failure says why' "$CLI/err" '^boxtop: snapshot failed: .*s1'
bt --url "$CLI_URL" clone web-1 --name web-1-copy --json
rc_is 'clone --json' 0
check 'clone --json: the job, succeeded' test "$(jq -r '.kind + " " + .state + " " + .arg' "$CLI/out")" = "clone succeeded web-1-copy"
check 'its result is the new box' test "$(jq -r .result "$CLI/out")" = "$(api /v1/boxes/web-1-copy .box_id)"
bt --url "$CLI_URL" stop web-1
rc_is 'stop asks first: no terminal, no --yes' 2
saw 'says to add --yes' "$CLI/err" 'stop asks first and there is no terminal to ask on: add --yes'
check 'nothing was stopped' test "$(api /v1/boxes/web-1 .status)" = running
bt --url "$CLI_URL" stop web-1 --yes
rc_is 'stop --yes' 0
check 'web-1 stopped' test "$(api /v1/boxes/web-1 .status)" = stopped
bt --url "$CLI_URL" start web-1
rc_is 'start' 0
check 'web-1 runs again' test "$(api /v1/boxes/web-1 .status)" = running
bt --url "$CLI_URL" restore web-1 s1 --yes
rc_is 'restore of a running box' 0
saw 'it is stopped first' "$CLI/err" '^boxtop: web-1 is running: it is stopped first$'
check 'restored, and stopped' test "$(api /v1/boxes/web-1 .status)" = stopped
bt --url "$CLI_URL" delete-snapshot web-1 s1 --yes
rc_is 'delete-snapshot of the one the disk now hangs on' 1
saw 'the server says why' "$CLI/err" 'current disk depends on this snapshot'
bt --url "$CLI_URL" delete-snapshot web-1 "$snap" --yes
rc_is 'delete-snapshot' 0
check "$snap is gone" test "$(api /v1/boxes/web-1/snapshots "[.snapshots[].name] | index(\"$snap\")")" = null
bt --url "$CLI_URL" delete web-1-copy --yes
rc_is 'delete' 0
check 'the clone is gone' test "$(curl -s -o /dev/null -w '%{http_code}' "$CLI_URL/v1/boxes/web-1-copy")" = 404
used=$(api /v1/boxes '.boxes[0].image | split(":")[0]')
unused=$(curl -s "$CLI_URL/v1/images" | jq -r --argjson b "$(curl -s "$CLI_URL/v1/boxes" | jq '[.boxes[].image | split(":")[0]]')" \
	'[.images[].repository | select(. as $r | $b | index($r) | not)][0]')
bt --url "$CLI_URL" delete-image "$unused" --yes
rc_is "delete-image $unused (no box uses it)" 0
check "$unused is gone" test "$(curl -s -o /dev/null -w '%{http_code}' "$CLI_URL/v1/images/$unused")" = 404
bt --url "$CLI_URL" delete-image "$used" --yes
rc_is "delete-image $used (a box uses it)" 1
saw 'says a box runs it' "$CLI/err" 'a box runs this image'
bt --url "$CLI_URL" start no-such-box
rc_is 'an action on a box that is not there' 1
saw 'says so' "$CLI/err" 'no-such-box'

# --- the question on a terminal (tmux): y/N for stop, the name for delete ---
if command -v tmux >/dev/null; then
	state web-2 running
	ask() { # ask ARGS...: runs boxtop ARGS in tmux; the screen is in $CLI/screen at the question
		sock=$CLI/ask.sock
		tmux -S "$sock" kill-server 2>/dev/null
		tmux -S "$sock" new-session -d -x 120 -y 10 \
			"env HOME=$CLI/home $BOXTOP --url $CLI_URL $*; echo EXIT=\$?; sleep 30"
		for i in $(seq 50); do
			tmux -S "$sock" capture-pane -p | grep -Eq '(\[y/N\]|to confirm:) *$' && break
			sleep 0.1
		done
	}
	answered() { # answered KEYS...: types them, waits for the exit status line
		tmux -S "$sock" send-keys "$@"
		for i in $(seq 100); do
			tmux -S "$sock" capture-pane -p | grep -q '^EXIT=' && break
			sleep 0.1
		done
		tmux -S "$sock" capture-pane -p >"$CLI/screen"
		tmux -S "$sock" kill-server 2>/dev/null
	}
	ask stop web-2
	answered n Enter
	saw 'stop asks y/N with its warning' "$CLI/screen" '^Stop web-2\? Its processes are ended\.$'
	saw 'n: not confirmed' "$CLI/screen" '^boxtop: not confirmed; nothing was done$'
	saw 'n: exit 1' "$CLI/screen" '^EXIT=1$'
	check 'n: web-2 still runs' test "$(api /v1/boxes/web-2 .status)" = running
	ask delete web-2
	answered web-1 Enter
	saw 'delete asks for the name' "$CLI/screen" '^Type web-2 to confirm: web-1$'
	saw 'a wrong name: exit 1' "$CLI/screen" '^EXIT=1$'
	check 'a wrong name: web-2 is still there' test "$(api /v1/boxes/web-2 .name)" = web-2
	ask delete web-2
	answered web-2 Enter
	saw 'the right name: exit 0' "$CLI/screen" '^EXIT=0$'
	check 'the right name: web-2 is gone' test "$(curl -s -o /dev/null -w '%{http_code}' "$CLI_URL/v1/boxes/web-2")" = 404
else
	skipped 'the question on a terminal: no tmux'
fi

# --- --help and the man page list every action of the table -----------------
MAN=${BASH_SOURCE[0]%/*}/../../docs/boxtop.1
"$BOXTOP" --help | awk -F '  +' '/^        [a-z][a-z-]* [A-Z]/ { print $2 }' >"$CLI/usages"
check 'the help lists twelve actions' test "$(wc -l <"$CLI/usages")" = 12
while read -r u; do
	if sed 's/\\-/-/g' "$MAN" | grep -qxF ".B boxtop $u"; then ok; else bad "boxtop.1 has no '.B boxtop $u'"; fi
done <"$CLI/usages"

# --- an unreachable server, a dropped and a corrupt transfer -----------------
bt --url http://127.0.0.1:9 export web-1 -o "$CLI/dl/x.boxlite"
rc_is 'server down' 1
saw 'says it cannot connect' "$CLI/err" "127\.0\.0\.1:9.*(connect|refused)"
check 'nothing saved when the server is down' test ! -e "$CLI/dl/x.boxlite"
curl -s -X POST "$CLI_URL/_sim/faults" -d '{"method":"POST","path":"*/export","drop_after":100000,"count":1}' >/dev/null
bt --url "$CLI_URL" export web-1 -o "$CLI/dl/drop.boxlite"
rc_is 'dropped export' 1
check 'dropped export saved nothing' test ! -e "$CLI/dl/drop.boxlite"
curl -s -X POST "$CLI_URL/_sim/faults" -d '{"method":"POST","path":"*/export","corrupt_at":5000,"count":1}' >/dev/null
bt --url "$CLI_URL" export web-1 -o "$CLI/dl/bad.boxlite"
rc_is 'corrupt export' 1
check 'corrupt export saved nothing' test ! -e "$CLI/dl/bad.boxlite"
curl -s -X DELETE "$CLI_URL/_sim/faults" >/dev/null
no_part "$CLI/dl" 'after failed exports'

curl -s -X DELETE "$CLI_URL/_sim/faults" >/dev/null
stop_sim "$CLI_PID" cli

# --- SIGTERM and SIGINT during a slow export: 128+N, no file, no .part -------
start_sim slow --port 0 --boxes 2 --seed 7 --disk-size 16M --rate 256K
SLOW_PID=$PID
CLI_URL=$URL
for sig in TERM INT HUP; do
	"$BOXTOP" --url "$CLI_URL" export web-1 -o "$CLI/dl/sig.boxlite" >"$CLI/out" 2>"$CLI/err" </dev/null &
	bpid=$!
	for i in $(seq 100); do
		ls "$CLI/dl"/sig.boxlite.part >/dev/null 2>&1 && break
		sleep 0.1
	done
	kill -"$sig" "$bpid"
	wait "$bpid"
	RC=$?
	want=$((128 + $(kill -l "$sig")))
	rc_is "SIG$sig during export" "$want"
	saw "SIG$sig says cancelled" "$CLI/err" 'export cancelled; nothing saved'
	check "SIG$sig: no file" test ! -e "$CLI/dl/sig.boxlite"
	no_part "$CLI/dl" "SIG$sig"
done

# --- the progress line, on a terminal (tmux) ---------------------------------
if command -v tmux >/dev/null; then
	sock=$CLI/tmux.sock
	tmux -S "$sock" new-session -d -x 120 -y 10 \
		"env HOME=$CLI/home $BOXTOP --url $CLI_URL export web-1 -o $CLI/dl/tty.boxlite; echo EXIT=\$?; sleep 30"
	seen=""
	for i in $(seq 100); do
		if tmux -S "$sock" capture-pane -p | grep -Eq '^export web-1: [0-9.]+ [KMG]?i?B of [0-9.]+ [KMG]iB \([0-9]+%\) .*/s +ETA'; then
			seen=yes
			break
		fi
		sleep 0.1
	done
	if [ -n "$seen" ]; then ok; else bad "no progress line on a tty: $(tmux -S "$sock" capture-pane -p)"; fi
	tmux -S "$sock" send-keys C-c
	for i in $(seq 50); do
		tmux -S "$sock" capture-pane -p | grep -q '^EXIT=' && break
		sleep 0.1
	done
	saw 'Ctrl-C on a tty' <(tmux -S "$sock" capture-pane -p) '^EXIT=130$'
	check 'Ctrl-C on a tty: no file' test ! -e "$CLI/dl/tty.boxlite"
	no_part "$CLI/dl" 'Ctrl-C on a tty'
	tmux -S "$sock" kill-server 2>/dev/null
fi
stop_sim "$SLOW_PID" slow

# --- connection settings against a keyed, prefixed, cloud-shaped simulator ---
# The key is a test value, made up here; it never appears on a command line.
KEY=test-key-$RANDOM
printf '%s\n' "$KEY" >"$CLI/key"
chmod 600 "$CLI/key"
BOXLITE_SERVE_API_KEY=$KEY start_sim keyed --port 0 --boxes 2 --flavor cloud \
	--prefix us-east/team-42 --base-path /api --disk-size 1M
KEYED_PID=$PID
KEYED=$URL/api
bt --url "$KEYED" export web-1 -o "$CLI/dl/k.boxlite"
rc_is 'no key' 1
saw 'no key: says unauthenticated' "$CLI/err" '401'
BT_ENV=(BOXLITE_API_KEY="$KEY")
bt --url "$KEYED" export web-1 -o "$CLI/dl/k.boxlite"
rc_is 'key from BOXLITE_API_KEY, prefix from /v1/me' 0
BT_ENV=(BOXLITE_API_KEY="$KEY" BOXLITE_REST_PATH_PREFIX=other/team)
bt --url "$KEYED" export web-1 -o "$CLI/dl/k2.boxlite"
rc_is 'a wrong BOXLITE_REST_PATH_PREFIX wins over /v1/me' 1
BT_ENV=()
bt --url "$KEYED" --api-key-file "$CLI/key" --path-prefix us-east/team-42 export web-1 -o "$CLI/dl/k3.boxlite"
rc_is '--api-key-file and --path-prefix' 0
env -u BOXLITE_API_KEY HOME="$CLI/home" "$BOXTOP" --url "$KEYED" --api-key-file - \
	export web-1 -o "$CLI/dl/k4.boxlite" <"$CLI/key" >"$CLI/out" 2>"$CLI/err"
RC=$?
rc_is '--api-key-file - (stdin)' 0
chmod 644 "$CLI/key"
bt --url "$KEYED" --api-key-file "$CLI/key" export web-1 -o "$CLI/dl/k5.boxlite"
rc_is 'key file readable by others still works' 0
saw 'key file readable by others: warned' "$CLI/err" '^boxtop: warning: .*readable by other users'
chmod 600 "$CLI/key"
if grep -q -- "$KEY" "$CLI/out" "$CLI/err"; then bad 'the key was printed'; else ok; fi

# credentials.toml: a user who ran `boxlite auth login` passes no arguments.
mkdir -p "$CLI/home/.boxlite"
chmod 700 "$CLI/home/.boxlite"
cat >"$CLI/home/.boxlite/credentials.toml" <<TOML
# written by the test, like boxlite auth login would
[profiles.default]
url = "$KEYED"
api_key = "$KEY"

[profiles.expired]
url = "$KEYED"
access_token = "made-up-token"
expires_at = "2001-01-01T00:00:00Z"
TOML
chmod 600 "$CLI/home/.boxlite/credentials.toml"
bt export web-2 -o "$CLI/dl/p.boxlite"
rc_is 'credentials.toml default profile, no arguments' 0
check 'no warnings for a private credentials file' test "$(grep -c warning "$CLI/err")" = 0
bt --profile expired export web-2 -o "$CLI/dl/p2.boxlite"
rc_is 'expired login' 1
saw 'expired login message' "$CLI/err" 'login expired: run boxlite auth login'
BT_ENV=(BOXLITE_PROFILE=missing)
bt export web-2 -o "$CLI/dl/p3.boxlite"
rc_is 'a named profile that does not exist' 1
saw 'missing profile named' "$CLI/err" 'profile "missing" not found'
BT_ENV=()
chmod 644 "$CLI/home/.boxlite/credentials.toml"
bt export web-2 -o "$CLI/dl/p4.boxlite"
rc_is 'credentials readable by others still work' 0
saw 'credentials readable by others: warned with chmod' "$CLI/err" 'chmod'
chmod 600 "$CLI/home/.boxlite/credentials.toml"
printf '[profiles.default]\nurl = 5\n' >"$CLI/home/.boxlite/credentials.toml"
bt export web-2 -o "$CLI/dl/p5.boxlite"
rc_is 'malformed credentials.toml' 1
saw 'malformed file: line number' "$CLI/err" 'credentials\.toml: line 2'
rm -rf "$CLI/home/.boxlite"
BT_ENV=(BOXLITE_API_KEY="$KEY")
bt --url "$KEYED" --insecure export web-1 -o "$CLI/dl/i.boxlite"
saw '--insecure is warned about' "$CLI/err" '^boxtop: warning: --insecure'
BT_ENV=()
no_part "$CLI/dl" 'after the settings tests'
stop_sim "$KEYED_PID" keyed
