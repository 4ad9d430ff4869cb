#!/bin/bash
# boxtop dashboard benchmark, in private tmux servers at 120x40 (LANG=C.UTF-8,
# TERM=tmux-256color, no tmux status line):
#
#  1. idle cost, 500 boxes, -d 2: CPU time (utime+stime of the whole process,
#     /proc/PID/stat) over IDLE_SECS (default 60) after SETTLE s (default 5),
#     beside `htop -d 20` over the same window when htop is installed;
#  2. bytes written to the terminal over the same window (tmux pipe-pane);
#  3. 10,000 boxes: start to the first screen of box rows (RUNS runs, default
#     3), peak RSS (VmHWM) 30 s after start, and the time from a key to the
#     screen answering it: G (selection moves to the last row) and /web (the
#     header says "filter: web"), TRIES tries each (default 7);
#  4. 10,000 boxes from a server that sends no ETag (boxlite-sim --no-etag):
#     CPU from 10 s to 30 s after start and peak RSS.
#
# The simulator's own cost is not counted anywhere. Medians throughout.
# Usage: bench_tui.sh [BUILD_DIR]   (default build; a path to a binary in
# BUILD_DIR, as scripts/bench.sh passes, is taken as its directory)
set -eu
. "$(dirname "$0")/common.bash"
arg=${1:-build}
if [ -f "$arg" ]; then BUILD=$(dirname "$arg"); else BUILD=$arg; fi
BOXTOP=$(cd "$BUILD" && pwd)/boxtop
SIM=$(cd "$BUILD" && pwd)/boxlite-sim
RUNS=${RUNS:-3}
IDLE_RUNS=${IDLE_RUNS:-3}
IDLE_SECS=${IDLE_SECS:-60}
SETTLE=${SETTLE:-5}
TRIES=${TRIES:-7}
for b in "$BOXTOP" "$SIM"; do
	[ -x "$b" ] || { echo "bench_tui: $b not built (make all)" >&2; exit 1; }
done
command -v tmux >/dev/null || { echo "bench_tui: tmux is not installed, skipped"; exit 0; }
# HTOP= (empty) leaves htop out even when it is installed.
HTOP=${HTOP-$(command -v htop || true)}

TMP=$(mktemp -d /tmp/bench_tui.XXXXXX)
SIMPID=""
NAPPID=""
SOCKS=()
cleanup() {
	local s
	[ -z "$NAPPID" ] || kill "$NAPPID" 2>/dev/null || true
	for s in "${SOCKS[@]}"; do tmux -S "$s" kill-server 2>/dev/null || true; done
	if [ -n "$SIMPID" ]; then kill "$SIMPID" 2>/dev/null || true; wait "$SIMPID" 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$TMP/cfg" "$TMP/boxlite"
printf 'set -g status off\nset -g default-terminal tmux-256color\nset -g remain-on-exit on\n' >"$TMP/tmux.conf"
# No user settings, credentials or colour switches leak into the runs.
ENVS="LANG=C.UTF-8 LC_ALL= TERM=tmux-256color XDG_CONFIG_HOME=$TMP/cfg BOXLITE_HOME=$TMP/boxlite HOME=$TMP NO_COLOR="
CLK_TCK=$(getconf CLK_TCK)

now() { echo "$EPOCHREALTIME"; }
# nap SECS: a sleep that a signal interrupts at once (traps run), unlike a
# foreground one.
nap() { sleep "$1" & NAPPID=$!; wait "$NAPPID"; NAPPID=""; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f\n", (b - a) * 1000}'; }


# server NAME: a private tmux server at 120x40 holding a placeholder pane.
server() {
	local s="$TMP/$1.sock"
	SOCKS+=("$s")
	tmux -S "$s" -f "$TMP/tmux.conf" new-session -d -s b -x 120 -y 40 'exec sleep 100000'
}
tx() { local s="$TMP/$1.sock"; shift; tmux -S "$s" "$@"; }
# run NAME CMD...: replaces the pane's program; prints its pid once exec'd.
run() {
	local n=$1 pid comm
	shift
	tx "$n" respawn-pane -k -t b "exec env $ENVS $*"
	for _ in $(seq 500); do
		pid=$(tx "$n" display -p -t b '#{pane_pid}')
		comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
		case $comm in env | sleep | sh | bash | "") sleep 0.002 ;; *) echo "$pid"; return ;; esac
	done
	echo "bench_tui: $* did not start" >&2
	exit 1
}
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# Context switches of every thread: how often the process wakes up.
wakeups() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {n += $2} END {print n + 0}'; }
# pct TICKS: CPU ticks as % of one core over $el seconds.
pct() { awk -v t="$1" -v hz="$CLK_TCK" -v el="$el" 'BEGIN {printf "%.3f\n", t / hz / el * 100}'; }
kib() { awk -v k="$2" '$1 == k ":" {print $2}' "/proc/$1/status"; }

screen() { tx "$1" capture-pane -p -t b; }
ROW='^[^ ]+ +[^ ]+ (running|stopped|configured|paused|failed|unknown) '
# The selected row: the table line drawn in reverse video (SGR 7).
selected() {
	tx "$1" capture-pane -p -e -t b | perl -ne \
		'if (/^((?:\e\[[0-9;]*m)*)([^ \e]+) /) { my ($a, $n) = ($1, $2); if ($a =~ /\e\[(?:[0-9]*;)*7(?:;[0-9]*)*m/) { print "$n\n"; exit } }'
}

echo "== boxtop: machine"
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
	"$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tmux $(tmux -V | cut -d' ' -f2), $([ -n "$HTOP" ] && "$HTOP" --version | head -1 ||
	echo 'htop not installed (or HTOP= given): its column is skipped')"

# --- 1 and 2: idle cost and terminal output, 500 boxes ---------------------
# For each program P (boxtop, htop), over the same window: P.cpu (% of one
# core), P.bytes (B/s written to the terminal), P.wake (context switches/s of
# all its threads), P.rss (KiB), P.tmux (% of a core used by P's own tmux
# server, the terminal that parses what P writes).
echo "== boxtop: idle, 500 boxes, -d 2, 120x40, ${IDLE_SECS} s after ${SETTLE} s settling, $IDLE_RUNS runs"
PROGS="boxtop${HTOP:+ htop}"
start_sim --boxes 500
for p in $PROGS; do server "$p"; done
declare -A PID TPID T0 W0 S0
for r in $(seq "$IDLE_RUNS"); do
	PID[boxtop]=$(run boxtop "$BOXTOP" --url "$URL" -d 2)
	[ -z "$HTOP" ] || PID[htop]=$(run htop "$HTOP" -d 20)
	nap "$SETTLE"
	for p in $PROGS; do
		: >"$TMP/$p.out"
		tx "$p" pipe-pane -o -t b "cat >>$TMP/$p.out"
		TPID[$p]=$(tx "$p" display -p '#{pid}')
	done
	t0=$(now)
	for p in $PROGS; do
		T0[$p]=$(ticks "${PID[$p]}")
		W0[$p]=$(wakeups "${PID[$p]}")
		S0[$p]=$(ticks "${TPID[$p]}")
	done
	nap "$IDLE_SECS"
	line="run $r:"
	el=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {print b - a}')
	for p in $PROGS; do
		pct "$(($(ticks "${PID[$p]}") - T0[$p]))" >>"$TMP/$p.cpu"
		pct "$(($(ticks "${TPID[$p]}") - S0[$p]))" >>"$TMP/$p.tmux"
		awk -v n="$(($(wakeups "${PID[$p]}") - W0[$p]))" -v el="$el" 'BEGIN {printf "%.1f\n", n / el}' >>"$TMP/$p.wake"
		tx "$p" pipe-pane -t b
		kib "${PID[$p]}" VmRSS >>"$TMP/$p.rss"
	done
	sleep 0.2
	for p in $PROGS; do
		awk -v n="$(stat -c %s "$TMP/$p.out")" -v el="$el" 'BEGIN {printf "%.0f\n", n / el}' >>"$TMP/$p.bytes"
		line="$line $p $(tail -1 "$TMP/$p.cpu")% of a core, $(tail -1 "$TMP/$p.bytes") B/s,"
		line="$line $(tail -1 "$TMP/$p.wake") wakeups/s;"
	done
	echo "${line%;}"
done
for p in $PROGS; do tx "$p" respawn-pane -k -t b 'exec sleep 100000'; done
stop_sim
col() { if [ -s "$TMP/$1.$2" ]; then median <"$TMP/$1.$2"; else echo -; fi; }
printf '%-36s %10s %10s  %s\n' "medians of $IDLE_RUNS runs" boxtop htop target
printf '%-36s %10s %10s  %s\n' "CPU, % of one core" "$(col boxtop cpu)" "$(col htop cpu)" "<= 0.5"
printf '%-36s %10s %10s  %s\n' "terminal output, B/s" "$(col boxtop bytes)" "$(col htop bytes)" "< 2048"
printf '%-36s %10s %10s\n' "wakeups/s (all threads)" "$(col boxtop wake)" "$(col htop wake)"
printf '%-36s %10s %10s\n' "RSS, KiB" "$(col boxtop rss)" "$(col htop rss)"
printf '%-36s %10s %10s\n' "its tmux server's CPU, % of a core" "$(col boxtop tmux)" "$(col htop tmux)"

# --- 3: 10,000 boxes -------------------------------------------------------
echo "== boxtop: 10,000 boxes, -d 2, 120x40"
start_sim --boxes 10000
server big
for r in $(seq "$RUNS"); do
	t0=$(now)
	tx big respawn-pane -k -t b "exec env $ENVS $BOXTOP --url $URL -d 2"
	trows="" tall=""
	while :; do
		s=$(screen big)
		t=$(now)
		if [ -z "$trows" ] && [ "$(grep -Ec "$ROW" <<<"$s")" -ge 20 ]; then trows=$(ms "$t0" "$t"); fi
		if [ -z "$tall" ] && grep -q '/10000 running' <<<"$s"; then tall=$(ms "$t0" "$t"); fi
		[ -n "$trows" ] && [ -n "$tall" ] && break
		if awk -v a="$t0" -v b="$t" 'BEGIN {exit !(b - a > 20)}'; then break; fi
		sleep 0.02
	done
	if [ -z "$trows" ]; then
		echo "run $r: no box rows in 20 s; pane dead: $(tx big display -p -t b '#{pane_dead} #{pane_dead_status}'), screen:" >&2
		screen big | head -8 >&2
	fi
	echo "${trows:-20000}" >>"$TMP/trows"
	echo "${tall:-20000}" >>"$TMP/tall"
	echo "run $r: box rows on screen after ${trows:-'(not in 20 s)'} ms; header counts all 10000 after ${tall:-'(not in 20 s)'} ms"
done
# steady PID T0: sets steady (CPU, % of a core, from 10 s to 30 s after T0),
# hwm and rss (KiB, at 30 s) of PID.
steady() {
	local c0 c1 tc0 tc1
	nap "$(awk -v a="$2" -v b="$(now)" 'BEGIN {d = 10 - (b - a); print (d > 0 ? d : 0)}')"
	c0=$(ticks "$1")
	tc0=$(now)
	nap "$(awk -v a="$2" -v b="$(now)" 'BEGIN {d = 30 - (b - a); print (d > 0 ? d : 0)}')"
	c1=$(ticks "$1")
	tc1=$(now)
	hwm=$(kib "$1" VmHWM)
	rss=$(kib "$1" VmRSS)
	steady=$(awk -v t="$((c1 - c0))" -v hz="$CLK_TCK" -v a="$tc0" -v b="$tc1" 'BEGIN {printf "%.2f", t / hz / (b - a) * 100}')
}
# The last run goes on: its peak RSS at 30 s, its CPU from 10 s to 30 s.
steady "$(tx big display -p -t b '#{pane_pid}')" "$t0"

# key LATENCY_NAME KEYS CHECK RESET: TRIES times, the ms from send-keys to
# CHECK succeeding; RESET restores the start state between tries.
key() {
	local name=$1 keys=$2 check=$3 reset=$4 t0 t
	for _ in $(seq "$TRIES"); do
		t0=$(now)
		tx big send-keys -t b -l "$keys"
		while :; do
			if $check; then t=$(now); ms "$t0" "$t" >>"$TMP/$name"; break; fi
			if awk -v a="$t0" -v b="$(now)" 'BEGIN {exit !(b - a > 5)}'; then
				echo "$name: no answer within 5 s" >&2
				break
			fi
			sleep 0.005
		done
		$reset
	done
}
first=$(selected big)
moved() { local s; s=$(selected big); [ -n "$s" ] && [ "$s" != "$first" ]; }
# settle CMD...: until CMD succeeds (5 s at most), then a pause.
settle() {
	for _ in $(seq 250); do "$@" && break; sleep 0.02; done
	sleep 0.3
}
at_top() { [ "$(selected big)" = "$first" ]; }
back() { tx big send-keys -t b g; settle at_top; }
filtered() { screen big | head -5 | grep -q 'filter: web'; }
unfilter() {
	tx big send-keys -t b Enter
	sleep 0.1
	tx big send-keys -t b Escape
	settle unfiltered
}
unfiltered() { ! screen big | head -5 | grep -q 'filter:'; }
: >"$TMP/G"
: >"$TMP/filter"
if [ -n "$first" ]; then
	key G G moved back
	last=$( (tx big send-keys -t b G; sleep 0.5; selected big))
	key filter /web filtered unfilter
else
	echo "(no selected row found in the screen: key latencies skipped)"
fi
# The harness's own floor: the same send-keys and polling against the tty's
# echo of a plain `cat`, no application drawing anything.
: >"$TMP/floor"
marked() { screen big | grep -q 'floor-mark'; }
fresh_cat() { tx big respawn-pane -k -t b 'exec cat'; sleep 0.3; }
fresh_cat
key floor floor-mark marked fresh_cat
tx big respawn-pane -k -t b 'exec sleep 100000'
stop_sim
big_steady=$steady big_hwm=$hwm big_rss=$rss

# --- 4: 10,000 boxes from a server that sends no ETag ------------------------
# Every refresh downloads the 10 pages whole; boxtop hashes each and decodes
# only those whose bytes changed.
start_sim --boxes 10000 --no-etag
t0=$(now)
steady "$(run big "$BOXTOP" --url "$URL" -d 2)" "$t0"
tx big respawn-pane -k -t b 'exec sleep 100000'
stop_sim

printf 'box rows on screen after start (median of %d) %8.1f ms  (target <= 1000)\n' "$RUNS" "$(median <"$TMP/trows")"
printf 'header counts all 10,000 boxes (median)        %8.1f ms\n' "$(median <"$TMP/tall")"
printf 'peak RSS (VmHWM) 30 s after start              %8.1f MiB (target < 40; VmRSS %.1f MiB)\n' \
	"$(awk -v k="$big_hwm" 'BEGIN {print k / 1024}')" "$(awk -v k="$big_rss" 'BEGIN {print k / 1024}')"
printf 'CPU from 10 s to 30 s after start              %8s%% of one core\n' "$big_steady"
printf 'the same, from a server without ETags          %8s%% of one core (VmHWM %.1f MiB)\n' \
	"$steady" "$(awk -v k="$hwm" 'BEGIN {print k / 1024}')"
if [ -s "$TMP/G" ]; then
	printf 'G: selection moves %s -> %s (median of %d)  %8s ms  [%s]\n' "$first" "${last:-?}" "$TRIES" \
		"$(grep . "$TMP/G" | median)" "$(paste -sd' ' "$TMP/G")"
	printf '/web: header shows "filter: web" (median)     %8s ms  [%s]\n' \
		"$(grep . "$TMP/filter" | median)" "$(paste -sd' ' "$TMP/filter")"
fi
printf 'floor: send-keys to a plain cat echoing it    %8s ms  [%s]\n' \
	"$(grep . "$TMP/floor" | median)" "$(paste -sd' ' "$TMP/floor")"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
