# `boxtop exec`, `boxtop shell` and `boxtop logs` against a live simulator,
# in each flavor (spec, serve, cloud): output and exit status, stdout and
# stderr apart, -e, -w, -i (a 5 MB stdin byte for byte), stdin left unread
# without -i, an unknown command (127), `| head` (141, the execution
# killed), SIGINT and SIGTERM forwarded (130, 143); then on the spec flavor:
# a stopped box that does not resume refused without booting it, logs (raw
# to a pipe, sanitized on a terminal, -f follows and ends on SIGINT with 0),
# a second attach refused (409), and a shell on a terminal (`script`).
# Sourced by run.sh (ok, bad, check, poll, start_sim, stop_sim, TMP);
# BOXTOP is the binary.

EXC_BOXTOP=${BOXTOP:-build/boxtop}
EXC=$TMP/execcli
mkdir -p "$EXC/home"

# What every boxtop here runs under: none of the user's BoxLite settings, a
# clean HOME (a command prefix, so a signal to a background one reaches it).
EXC_ENV=(env -u BOXLITE_REST_URL -u BOXLITE_API_KEY -u BOXLITE_PROFILE -u BOXLITE_HOME
	-u BOXLITE_REST_PATH_PREFIX HOME="$EXC/home")
# exc ARGS...: boxtop --url EXC_URL ARGS with stdin from EXC_IN (default
# /dev/null), bounded by 30 s; sets RC, output in $EXC/out and $EXC/err.
exc() {
	"${EXC_ENV[@]}" timeout 30 "$EXC_BOXTOP" \
		--url "$EXC_URL" "$@" >"$EXC/out" 2>"$EXC/err" <"${EXC_IN:-/dev/null}"
	RC=$?
}
# exc_bg NAME ARGS...: the same in the background, output in $EXC/NAME.out
# and .err; EXC_BG is its pid.
exc_bg() {
	local name=$1
	shift
	"${EXC_ENV[@]}" "$EXC_BOXTOP" \
		--url "$EXC_URL" "$@" >"$EXC/$name.out" 2>"$EXC/$name.err" </dev/null &
	EXC_BG=$!
}
# exc_wait PID SECONDS: WRC is its exit status, or 124 (and it is killed)
# when it outlived SECONDS.
exc_wait() {
	local i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1"
		wait "$1" 2>/dev/null
		WRC=124
		return
	fi
	wait "$1"
	WRC=$?
}
exc_rc() {
	if [ "$RC" = "$2" ]; then ok; else bad "$1: exit $RC, want $2 ($(head -c 300 "$EXC/err"))"; fi
}
exc_is() {
	if [ "$2" = "$3" ]; then ok; else bad "$1: '$2', want '$3'"; fi
}
exc_saw() {
	if grep -Eq -- "$3" "$2"; then ok; else bad "$1: no /$3/ in: $(head -c 400 "$2")"; fi
}
# exc_more_lines FILE N: FILE has more than N lines.
exc_more_lines() { [ "$(wc -l <"$1")" -gt "$2" ]; }
exc_api() { curl -s --max-time 5 "$EXC_URL$1" | jq -r "$2"; }
exc_post() {
	curl -s --max-time 5 -X POST -H 'Content-Type: application/json' -d "$2" "$EXC_URL$1"
}

head -c 5000000 /dev/urandom >"$EXC/big"
printf 'left for the next reader\n' >"$EXC/unread"

for flavor in spec serve cloud; do
	start_sim "exec-$flavor" --port 0 --flavor "$flavor" --control --reap-grace 1 --log-rate 20
	EXC_PID=$PID
	EXC_URL=$URL
	EXC_IN=
	BOX=$(exc_api /v1/boxes '[.boxes[] | select(.status == "running")][0].name')

	exc exec "$BOX" -- echo hello exec
	exc_rc "$flavor: exec echo" 0
	exc_is "$flavor: exec echo: stdout" "$(od -An -c "$EXC/out" | tr -s ' ')" \
		"$(printf 'hello exec\n' | od -An -c | tr -s ' ')"
	exc_is "$flavor: exec echo: nothing on stderr" "$(wc -c <"$EXC/err")" 0

	exc exec "$BOX" -- sh -c 'echo out; echo err >&2; exit 3'
	exc_rc "$flavor: the command's status" 3
	exc_is "$flavor: stdout only out" "$(cat "$EXC/out")" out
	exc_is "$flavor: stderr has err" "$(cat "$EXC/err")" err

	exc exec -e A=1 -e 'B=two words' "$BOX" -- env
	exc_rc "$flavor: -e" 0
	exc_saw "$flavor: -e A=1" "$EXC/out" '^A=1$'
	exc_saw "$flavor: -e with a space" "$EXC/out" '^B=two words$'

	exc exec -w /tmp "$BOX" -- pwd
	exc_rc "$flavor: -w" 0
	exc_is "$flavor: -w /tmp" "$(cat "$EXC/out")" /tmp

	printf 'a\nb\n' >"$EXC/ab"
	EXC_IN=$EXC/ab exc exec -i "$BOX" -- cat
	exc_rc "$flavor: -i cat" 0
	check "$flavor: -i cat: exact" cmp -s "$EXC/ab" "$EXC/out"
	EXC_IN=$EXC/big exc exec -i "$BOX" -- cat
	exc_rc "$flavor: 5 MB through cat" 0
	check "$flavor: 5 MB through cat: byte for byte" cmp -s "$EXC/big" "$EXC/out"

	# without -i stdin is not read: what boxtop was given is there for the next reader
	{
		"${EXC_ENV[@]}" timeout 30 "$EXC_BOXTOP" --url "$EXC_URL" \
			exec "$BOX" -- echo no-stdin >"$EXC/out" 2>"$EXC/err"
		echo $? >"$EXC/rc"
		cat >"$EXC/rest"
	} <"$EXC/unread"
	exc_is "$flavor: without -i: exit 0" "$(cat "$EXC/rc")" 0
	exc_is "$flavor: without -i: output" "$(cat "$EXC/out")" no-stdin
	check "$flavor: without -i: stdin left unread" cmp -s "$EXC/unread" "$EXC/rest"

	exc exec "$BOX" -- no-such-command
	exc_rc "$flavor: unknown command" 127
	exc_saw "$flavor: unknown command: why on stderr" "$EXC/err" 'no-such-command.*not found'

	# | head: 141 at once, and the execution killed (DELETE), not left running
	curl -s -o /dev/null -X DELETE "$EXC_URL/_sim/requests"
	"${EXC_ENV[@]}" timeout 30 "$EXC_BOXTOP" --url "$EXC_URL" \
		exec "$BOX" -- yes 2>"$EXC/err" </dev/null | head -c 1000000 >"$EXC/out"
	RC=${PIPESTATUS[0]}
	exc_rc "$flavor: | head: SIGPIPE's status" 141
	exc_is "$flavor: | head: head had its bytes" "$(wc -c <"$EXC/out")" 1000000
	exc_is "$flavor: | head: the execution killed" \
		"$(exc_api /_sim/requests '[.routes[] | select(.method == "DELETE" and
			(.route | test("executions"))) | .count] | add')" 1

	# signals: forwarded in-band, the command's status back
	exc_bg int exec "$BOX" -- sleep 100
	sleep 1
	kill -INT "$EXC_BG"
	exc_wait "$EXC_BG" 10
	exc_is "$flavor: SIGINT forwarded: 130" "$WRC" 130
	exc_bg term exec "$BOX" -- sleep 100
	sleep 1
	kill -TERM "$EXC_BG"
	exc_wait "$EXC_BG" 10
	exc_is "$flavor: SIGTERM forwarded: 143" "$WRC" 143

	[ "$flavor" = spec ] || {
		stop_sim "$EXC_PID" "exec-$flavor"
		continue
	}

	# --- a stopped box that does not resume: refused, not booted ------------------
	exc_post /_sim/boxes '{"name":"manual","status":"stopped","auto_resume":false}' >/dev/null
	curl -s -o /dev/null -X DELETE "$EXC_URL/_sim/effects"
	exc exec manual -- echo hi
	exc_rc 'stopped, no auto_resume: exec refused' 1
	exc_saw 'stopped, no auto_resume: says start it first' "$EXC/err" 'start it first'
	exc logs manual
	exc_rc 'stopped: logs refused' 1
	exc_saw 'stopped: logs says why' "$EXC/err" 'does not start a box'
	exc logs web-3
	exc_rc 'stopped (auto_resume): logs refused too' 1
	exc_is 'stopped: no boot, no resume caused' \
		"$(exc_api /_sim/effects '.counts.boot + .counts.resume')" 0
	exc_is 'stopped: still stopped' "$(exc_api /v1/boxes/manual .status)" stopped

	# --- logs ------------------------------------------------------------------------
	exc logs "$BOX"
	exc_rc 'logs' 0
	exc_saw 'logs: timestamped lines' "$EXC/out" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z (INFO|WARN|ERROR|DEBUG)'
	check 'logs to a pipe: raw (an SGR ESC)' grep -q $'\e\\[3[0-9]m' "$EXC/out"
	"${EXC_ENV[@]}" timeout 30 script -qec \
		"$EXC_BOXTOP --url $EXC_URL logs $BOX" /dev/null >"$EXC/tty" </dev/null
	exc_is 'logs on a terminal: exit 0' $? 0
	exc_saw 'logs on a terminal: lines' "$EXC/tty" 'Z INFO app: '
	check 'logs on a terminal: sanitized (no ESC at all)' bash -c "! grep -q $'\e' '$EXC/tty'"

	# -f follows; a second attach meanwhile is refused (409); SIGINT ends it with 0
	exc_bg follow logs -f "$BOX"
	poll 10 test -s "$EXC/follow.out"
	n=$(wc -l <"$EXC/follow.out")
	exc logs "$BOX"
	exc_rc 'a second attach: exit 1' 1
	exc_saw 'a second attach: 409 explained' "$EXC/err" '409.*another client'
	check 'logs -f: new lines follow' poll 10 exc_more_lines "$EXC/follow.out" $((n + 5))
	kill -INT "$EXC_BG"
	exc_wait "$EXC_BG" 10
	exc_is 'logs -f: SIGINT ends it with 0' "$WRC" 0

	# --- a shell on a terminal --------------------------------------------------------
	(
		sleep 1
		printf 'echo hi\n'
		sleep 1
		printf 'exit 4\n'
		sleep 3
	) | "${EXC_ENV[@]}" timeout 30 script -qec \
		"$EXC_BOXTOP --url $EXC_URL shell $BOX" /dev/null >"$EXC/shell"
	RC=$?
	exc_rc 'shell: the shell exit status' 4
	exc_saw 'shell: echo hi ran' "$EXC/shell" '^hi'

	stop_sim "$EXC_PID" "exec-$flavor"
done
