#!/bin/bash
# Screen tests: the real boxtop in tmux against boxlite-sim, like tmux's own
# regress/ suite. Every case starts its own simulators (--port 0, "listening
# on URL" read from stdout) and its own tmux server (tmux -S $TMP/sock.N,
# COLSxROWS, status line off), types with send-keys and reads the screen with
# capture-pane -p. A wait polls the screen (or the simulator) every 0.1 s up
# to a bound (E2E_WAIT, default 10 s): nothing is asserted about durations,
# only text, the simulator's state and files. Every tmux server, boxtop and
# simulator started is ended on exit. Ends with "e2e: N passed, M failed"
# (checks) after one line per case; the status is non-zero when a check
# failed. SUITE=tests/e2e/t_x.sh runs one file; CASE=REGEX only the cases
# whose name matches; E2E_KEEP=1 keeps $TMP (the panes' logs and exports).
#
# BOXTOP and SIM are the binaries (default build/boxtop, build/boxlite-sim).
# SUITE_DIR and SUITE_NAME let another suite reuse this harness: the fault
# matrix (tests/faults/run.sh) runs its own t_*.sh with it.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }
BOXTOP=$(abspath "${BOXTOP:-build/boxtop}")
SIM=$(abspath "${SIM:-build/boxlite-sim}")
# shellcheck disable=SC2034 # used by the t_*.sh files
COLS=${E2E_COLS:-140}
ROWS=${E2E_ROWS:-40}
WAIT=${E2E_WAIT:-10}
export TERM=xterm-256color # the terminal tmux itself pretends to run in
export LC_ALL=C.UTF-8      # tmux's own locale: UTF-8 capable

for tool in tmux curl jq zstd tar perl; do
	if ! command -v "$tool" >/dev/null; then
		echo "e2e: $tool is needed" >&2
		exit 1
	fi
done
for bin in "$BOXTOP" "$SIM"; do
	if [ ! -x "$bin" ]; then
		echo "e2e: $bin is not built (make all)" >&2
		exit 1
	fi
done

SUITE_DIR=${SUITE_DIR:-$ROOT/tests/e2e}
SUITE_NAME=${SUITE_NAME:-e2e}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/boxtop-$SUITE_NAME.XXXXXX")
SIM_PIDS=()   # every simulator started, ended on exit
SOCKS=()      # every tmux server started, killed on exit
EXTRA_PIDS=() # other processes a case found (the demo's simulator)
pass=0
fail=0
CASE_NAME=""
CASE_FAILS=0
CASE_CHECKS=0
CASE_LIST=()
N=0 # a counter for unique names
SOCK=""
BT_PIDFILE=""

cleanup() {
	local s p
	for s in ${SOCKS[@]+"${SOCKS[@]}"}; do
		tmux -S "$s" kill-server 2>/dev/null
	done
	for p in ${SIM_PIDS[@]+"${SIM_PIDS[@]}"} ${EXTRA_PIDS[@]+"${EXTRA_PIDS[@]}"}; do
		kill "$p" 2>/dev/null
	done
	[ -z "${HELD_PORTS+x}" ] || release_ports
	if [ -n "${E2E_KEEP:-}" ]; then
		echo "e2e: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- results ----------------------------------------------------------------

ok() {
	pass=$((pass + 1))
	CASE_CHECKS=$((CASE_CHECKS + 1))
}
# bad DESC: a failed check, with the screen of the current pane when there is one.
bad() {
	fail=$((fail + 1))
	CASE_FAILS=$((CASE_FAILS + 1))
	CASE_CHECKS=$((CASE_CHECKS + 1))
	echo "FAIL [$CASE_NAME]: $*" >&2
	if [ -n "$SOCK" ] && [ -S "$SOCK" ]; then
		local now
		now=$(screen 2>/dev/null)
		if [ "$now" != "$LAST_DUMP" ]; then
			echo "  screen:" >&2
			printf '  | %s\n' "${now//$'\n'/$'\n'  | }" >&2
			LAST_DUMP=$now
		else
			echo "  (the screen is as above)" >&2
		fi
	fi
}
LAST_DUMP=""
# check DESC COMMAND...: passes when the command succeeds.
check() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then ok; else bad "$desc"; fi
}
# is DESC GOT WANT
is() {
	if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}

# run_case NAME FUNCTION: runs one case (a function of the t_*.sh file),
# unless CASE=REGEX is set and NAME does not match it. Every tmux server and
# simulator the case started is ended after it.
run_case() {
	if [ -n "${CASE:-}" ] && ! [[ $1 =~ $CASE ]]; then
		return 0
	fi
	CASE_NAME=$1
	CASE_FAILS=0
	CASE_CHECKS=0
	"$2"
	stop_boxtop
	stop_case_sims
	if [ "$CASE_FAILS" -eq 0 ]; then
		CASE_LIST+=("ok    $CASE_NAME ($CASE_CHECKS checks)")
	else
		CASE_LIST+=("FAIL  $CASE_NAME ($CASE_FAILS of $CASE_CHECKS checks failed)")
	fi
	CASE_NAME=""
}
# skip NAME WHY: a case this machine cannot run (a tool or a privilege it
# lacks), listed as skipped; under CI=true it is a failure instead, since CI
# installs what every case needs (scripts/deps.sh) and runs as root.
skip() {
	if [ -n "${CASE:-}" ] && ! [[ $1 =~ $CASE ]]; then
		return 0
	fi
	case ${CI:-} in
	'' | false | 0) CASE_LIST+=("skip  $1: $2") ;;
	*)
		fail=$((fail + 1))
		echo "FAIL [$1]: skipped under CI=true: $2" >&2
		CASE_LIST+=("FAIL  $1: skipped under CI=true: $2")
		;;
	esac
}

# ---- waiting ----------------------------------------------------------------

# poll SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds, at most SECONDS.
poll() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@" >/dev/null 2>&1
}

# ---- the simulator ----------------------------------------------------------

CASE_SIMS=()
# start_sim NAME ARGS...: starts boxlite-sim; sets URL, PORT and PID. Retries
# a few times (a --port N just freed may still be taken). Returns 1 when it
# never listened.
start_sim() {
	local name=$1 try i
	shift
	for try in 1 2 3 4 5; do
		"$SIM" --state-dir "$TMP/state.$name.$try" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
		PID=$!
		SIM_PIDS+=("$PID")
		CASE_SIMS+=("$PID")
		URL=""
		for ((i = 0; i < 50; i++)); do
			if grep -q '^listening on http://' "$TMP/$name.out" 2>/dev/null; then
				URL=$(sed -n 's/^listening on //p' "$TMP/$name.out")
				# shellcheck disable=SC2034 # used by the t_*.sh files
				PORT=${URL##*:}
				return 0
			fi
			kill -0 "$PID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
		sleep 0.5
	done
	bad "simulator $name did not start: $(head -c 300 "$TMP/$name.err")"
	return 1
}
# stop_sim PID: SIGTERM and a bounded wait.
stop_sim() {
	kill -TERM "$1" 2>/dev/null
	poll 5 eval "! kill -0 $1"
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
stop_case_sims() {
	local p
	for p in ${CASE_SIMS[@]+"${CASE_SIMS[@]}"}; do
		stop_sim "$p"
	done
	CASE_SIMS=()
}

# reserve_port: sets RPORT to a loopback port nothing listens on, for a case
# that stops a simulator and starts another on the same port (a server
# restart) or points boxtop at a dead port. A --port 0 simulator gets its
# port from the kernel's ephemeral range, where a port freed by one suite
# could go to another suite's simulator running in parallel; these ports
# are outside that range, each locked by mkdir of $PORT_LOCKS/PORT (the lock
# tests/support/port.c takes too) until this run exits. A lock a killed run
# left is skipped, not taken back.
PORT_LOCKS=/tmp/boxtop-ports
HELD_PORTS=()
reserve_port() {
	local lo=32768 hi=60999 base=-1 p i
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null
	for p in 20000 10000; do
		if [ $((p + 1000)) -le "$lo" ] || [ "$p" -gt "$hi" ]; then
			base=$p
			break
		fi
	done
	[ "$base" -ge 0 ] || [ $((hi + 1000)) -gt 65535 ] || base=$((hi + 1))
	mkdir -p -m 1777 "$PORT_LOCKS" 2>/dev/null
	for ((i = 0; base >= 0 && i < 1000; i++)); do
		p=$((base + ($$ + i) % 1000))
		mkdir "$PORT_LOCKS/$p" 2>/dev/null || continue
		echo $$ >"$PORT_LOCKS/$p/pid"
		HELD_PORTS+=("$p")
		# something outside the tests listens there: keep it locked, try the next
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
		RPORT=$p
		return 0
	done
	bad "no port to reserve outside the ephemeral range $lo-$hi"
	return 1
}
release_ports() {
	local p
	for p in ${HELD_PORTS[@]+"${HELD_PORTS[@]}"}; do
		rm -f "$PORT_LOCKS/$p/pid"
		rmdir "$PORT_LOCKS/$p" 2>/dev/null
	done
}

# sim_get PATH: the body of GET URL/PATH on stdout.
sim_get() { curl -s --max-time 5 "$URL$1"; }
# sim_code METHOD PATH [CURL ARGS...]: the status code.
sim_code() {
	local m=$1 p=$2
	shift 2
	curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X "$m" "$@" "$URL$p"
}
# sim_post PATH JSON: POST, body on stdout.
sim_post() { curl -s --max-time 5 -X POST -H 'Content-Type: application/json' -d "$2" "$URL$1"; }
# box_id NAME
box_id() { sim_get "/v1/boxes/$1" | jq -r .box_id; }
# sim_jq PATH FILTER: the filter's raw output on GET PATH.
sim_jq() { sim_get "$1" | jq -r "$2"; }
# api_true PATH FILTER: the filter is true of GET PATH.
api_true() { sim_get "$1" | jq -e "$2" >/dev/null 2>&1; }
# api_wait DESC PATH FILTER: waits until the filter is true of GET PATH.
api_wait() {
	if poll "$WAIT" api_true "$2" "$3"; then
		ok
	else
		bad "$1: $3 never true of GET $2: $(sim_get "$2" | head -c 300)"
	fi
}
# code_wait DESC METHOD PATH WANT: waits until the status is WANT.
code_is() { [ "$(sim_code "$1" "$2")" = "$3" ]; }
code_wait() {
	if poll "$WAIT" code_is "$2" "$3" "$4"; then
		ok
	else
		bad "$1: $2 $3 is $(sim_code "$2" "$3"), want $4"
	fi
}
# sorted_names: the simulator's box names, one a line, in byte order.
sorted_names() { sim_get /v1/boxes?pageSize=1000 | jq -r '.boxes[].name' | LC_ALL=C sort; }

# ---- tmux and boxtop --------------------------------------------------------

TERMINFO_NAME=screen
for t in tmux-256color screen-256color; do
	if infocmp "$t" >/dev/null 2>&1; then
		TERMINFO_NAME=$t
		break
	fi
done
cat >"$TMP/tmux.conf" <<EOF
set -g default-terminal $TERMINFO_NAME
set -g status off
set -g history-limit 100
EOF
mkdir -p "$TMP/home"

T() { tmux -S "$SOCK" "$@"; }

# start_boxtop [--env VAR=VALUE]... ARGS...: boxtop with ARGS in a fresh tmux
# server of COLSxROWS, UTF-8 locale (an --env LANG=C... overrides it), HOME
# empty, no BOXLITE_* variables. Its pid is in $BT_PIDFILE (read it with
# bt_pid); when it ends the shell prints EXIT=<status> and waits.
start_boxtop() {
	local envs=() runner q a
	while [ "${1:-}" = --env ]; do
		envs+=("$2")
		shift 2
	done
	stop_boxtop
	N=$((N + 1))
	SOCK=$TMP/sock.$N
	SOCKS+=("$SOCK")
	BT_PIDFILE=$TMP/boxtop.$N.pid
	runner=$TMP/run.$N.sh
	q=""
	for a in "$BOXTOP" "$@"; do
		q+=$(printf '%q ' "$a")
	done
	{
		echo "cd $(printf '%q' "$TMP")"
		echo "unset BOXLITE_REST_URL BOXLITE_API_KEY BOXLITE_PROFILE BOXLITE_HOME BOXLITE_REST_PATH_PREFIX NO_COLOR LC_ALL LANGUAGE"
		echo "export HOME=$(printf '%q' "$TMP/home") LANG=C.UTF-8 LC_ALL=C.UTF-8"
		echo "export PATH=$(printf '%q' "$(dirname "$SIM"):$PATH")"
		for a in ${envs[@]+"${envs[@]}"}; do
			echo "export $(printf '%q' "$a")"
		done
		echo "bash -c 'echo \$\$ >\"\$0\"; exec \"\$@\"' $(printf '%q' "$BT_PIDFILE") $q 2>$(printf '%q' "$TMP/boxtop.$N.err")"
		echo 'echo "EXIT=$?"'
		echo "cat $(printf '%q' "$TMP/boxtop.$N.err")"
		echo 'exec sleep 3600'
	} >"$runner"
	tmux -S "$SOCK" -f "$TMP/tmux.conf" new-session -d -s e2e -x "$COLS" -y "$ROWS" "bash $runner"
	poll 5 test -s "$BT_PIDFILE"
}
# bt_pid: boxtop's pid (empty before it started).
bt_pid() { cat "$BT_PIDFILE" 2>/dev/null; }
bt_alive() {
	local p
	p=$(bt_pid)
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null
}
# stop_boxtop: kills the current tmux server (SIGHUP to the pane) and waits for boxtop.
stop_boxtop() {
	local p
	[ -n "$SOCK" ] || return 0
	p=$(bt_pid)
	tmux -S "$SOCK" kill-server 2>/dev/null
	if [ -n "$p" ]; then
		poll 5 eval "! kill -0 $p"
		kill -KILL "$p" 2>/dev/null
	fi
	SOCK=""
}

# keys KEY...: tmux send-keys (key names: Enter, Escape, Tab, BTab, C-c, ...).
keys() { T send-keys -t e2e "$@"; }
# type_text TEXT: TEXT typed literally.
type_text() { T send-keys -t e2e -l -- "$1"; }
# screen: the visible pane as text.
screen() { T capture-pane -p -t e2e; }
# screen_e: the same with the attributes as escape sequences.
screen_e() { T capture-pane -p -e -t e2e; }
# line N: screen line N (1-based).
line() { screen | sed -n "${1}p"; }
# pane FORMAT: a tmux format of the pane, e.g. '#{pane_title}'.
pane() { T display -p -t e2e "$1"; }

on_screen() { screen | grep -Eq -- "$1"; }
# wait_for REGEX [SECONDS]: waits until a screen line matches (grep -E).
wait_for() { poll "${2:-$WAIT}" on_screen "$1"; }
off_screen() { ! on_screen "$1"; }
# wait_gone REGEX [SECONDS]: waits until no screen line matches.
wait_gone() { poll "${2:-$WAIT}" off_screen "$1"; }
# see DESC REGEX [SECONDS]: a check that the text comes.
see() {
	if wait_for "$2" "${3:-$WAIT}"; then ok; else bad "$1: no /$2/ on the screen"; fi
}
# unseen DESC REGEX [SECONDS]: a check that the text goes (or is not there).
unseen() {
	if wait_gone "$2" "${3:-$WAIT}"; then ok; else bad "$1: /$2/ still on the screen"; fi
}
# re TEXT: TEXT quoted for grep -E.
re() { printf '%s' "$1" | sed 's/[][\.*^$/+?(){}|]/\\&/g'; }
# active_tab: the text of the highlighted tab ("3 Images").
active_tab() {
	screen_e | sed -n 3p | perl -ne 'if (/\e\[(?:[0-9;]*;)?(?:7|4[0-7])m([^\e]*)/) { $t = $1; $t =~ s/^\s+|\s+$//g; print "$t\n"; }'
}
tab_is() { [ "$(active_tab)" = "$1" ]; }
# see_tab DESC TAB: waits until TAB is the highlighted tab.
see_tab() {
	if poll "$WAIT" tab_is "$2"; then ok; else bad "$1: active tab is '$(active_tab)', want '$2'"; fi
}
# table_rows: the boxes table's rows (a name, maybe a 12-character id, a
# status symbol and name).
table_rows() {
	screen | grep -Ec '^[^ ].*  ([0-9A-Z]{12} )?[^ ] (configured|running|paused|stopping|stopped|failed|unknown)( |$)'
}
rows_are() { [ "$(table_rows)" = "$1" ]; }
# see_rows DESC N: waits until the table shows N rows.
see_rows() {
	if poll "$WAIT" rows_are "$2"; then ok; else bad "$1: $(table_rows) table rows, want $2"; fi
}
# message_line: the line above the hint bar.
message_line() { line $((ROWS - 1)); }
hint_line() { line "$ROWS"; }
# see_exit DESC STATUS: boxtop ended and the shell printed EXIT=STATUS.
see_exit() {
	if wait_for '^EXIT=[0-9]+$'; then
		is "$1" "$(screen | sed -n 's/^EXIT=\([0-9]*\)$/\1/p' | tail -1)" "$2"
	else
		bad "$1: boxtop did not exit"
	fi
}
# ready: boxtop is connected and the table shows rows.
ready() {
	see 'connected' '^ boxtop connected ' &&
		see 'the table has rows' '^[^ ].* [0-9A-Z]{12} '
}
# select_box NAME: filters the table to NAME, opens its detail view and checks it.
select_box() {
	keys Escape
	wait_for '^NAME' 3
	keys / C-u
	type_text "name:$1"
	keys Enter
	wait_for "^$(re "$1") " 5
	keys g Enter
	see "detail of $1" "^ name +$(re "$1") *$"
}
# pick TITLE-REGEX ITEM: in an open pick list under TITLE, moves to ITEM
# (by its row under the title) and chooses it with Enter.
pick() {
	local t i k
	wait_for "$(re "$2")" 5
	t=$(screen | grep -nE -- "$1" | head -1 | cut -d: -f1)
	i=$(screen | grep -nE -- "│ +$(re "$2") +│" | head -1 | cut -d: -f1)
	if [ -z "$t" ] || [ -z "$i" ]; then
		bad "no '$2' in the pick list"
		return 1
	fi
	for ((k = t + 3; k < i; k++)); do keys j; done
	keys Enter
}
# no_part DIR DESC: no .part file in DIR.
no_part() {
	if ls "$1"/*.part >/dev/null 2>&1; then bad "$2: .part left: $(ls "$1")"; else ok; fi
}
# screen_ascii: the screen holds no byte above 0x7f.
screen_ascii() { screen | LC_ALL=C perl -ne 'exit 1 if /[\x80-\xff]/'; }

# ---- the cases --------------------------------------------------------------

run_file() {
	# shellcheck source=/dev/null
	. "$1"
}

start=$(date +%s)
if [ -n "${SUITE:-}" ]; then
	run_file "$SUITE"
else
	for suite in "$SUITE_DIR"/t_*.sh; do
		[ -e "$suite" ] || continue
		run_file "$suite"
	done
fi
for c in ${CASE_LIST[@]+"${CASE_LIST[@]}"}; do
	echo "  $c"
done
echo "$SUITE_NAME: $pass passed, $fail failed ($(($(date +%s) - start)) s)"
[ "$fail" -eq 0 ]
