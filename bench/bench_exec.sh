#!/bin/bash
# exec, shell and logs benchmark (issue 14), against a local boxlite-sim:
#
#  1. keystroke to echo: `boxtop shell web-1` in a pty driven by bench/ptyecho.c
#     (one letter, time until it comes back, DEL; KEYS keystrokes, default
#     200), beside the floor of the same measurement against a local `cat`
#     (the kernel's echo); min, median, p99, max;
#  2. `boxtop exec web-1 -- yes | head -c BYTES` (default 256 MiB) beside the
#     official Node SDK's box.exec reading stdout until BYTES (bench/sdk_exec.mjs):
#     throughput (BYTES over the client's wall time, start-up included) and peak
#     RSS of each client process (GNU time), medians of RUNS (default 3);
#     a client still running after LIMIT s (default 120) is stopped (timeout)
#     and reported short;
#  3. logs at 10 MB/s: boxlite-sim --log-rate 1000 --log-line-bytes LINE
#     (default 10000), the dashboard in a private tmux server at 120x40 with
#     web-1's Logs view open (log_mib = LOG_MIB, default 8) for FLOOD_SECS
#     (default 60): boxtop's VmRSS every second, its CPU, and every 4 s the
#     time from `w` (wrap on/off) to the heading showing it; beside it the
#     same send-keys and polling against a plain `cat`.
#
# SIM=path uses another simulator binary (e.g. one with a fix under test);
# NODE= (empty) leaves the SDK out. The simulator's own cost is not counted.
# Usage: bench_exec.sh [BUILD_DIR]   (default build)
set -eu
. "$(dirname "$0")/common.bash"
HERE=$(cd "$(dirname "$0")" && pwd)
arg=${1:-build}
if [ -f "$arg" ]; then BUILD=$(dirname "$arg"); else BUILD=$arg; fi
BOXTOP=$(cd "$BUILD" && pwd)/boxtop
SIM=${SIM:-$(cd "$BUILD" && pwd)/boxlite-sim}
KEYS=${KEYS:-200}
BYTES=${BYTES:-268435456}
RUNS=${RUNS:-3}
LINE=${LINE:-10000}
LOG_MIB=${LOG_MIB:-8}
FLOOD_SECS=${FLOOD_SECS:-60}
LIMIT=${LIMIT:-120} # seconds a client of part 2 gets before it is stopped
NODE=${NODE-$(command -v node || true)}
SDK_DIR=$HERE/../tests/conformance/node_modules/@boxlite-ai/boxlite
[ -d "$SDK_DIR" ] || NODE=""
[ -x /usr/bin/time ] || { echo "bench_exec: GNU time (/usr/bin/time) is needed" >&2; exit 1; }
bench_init "$SIM"
BOXTOP=$(cd "$BUILD" && pwd)/boxtop
[ -x "$BOXTOP" ] || { echo "bench_exec: $BOXTOP not built (make all)" >&2; exit 1; }
SOCK=""
tmux_cleanup() {
	[ -z "$SOCK" ] || tmux -S "$SOCK" kill-server 2>/dev/null || true
	bench_cleanup
}
trap tmux_cleanup EXIT

mkdir -p "$TMP/cfg/boxtop" "$TMP/boxlite"
printf 'log_mib = %s\n' "$LOG_MIB" >"$TMP/cfg/boxtop/config.toml"
export HOME=$TMP XDG_CONFIG_HOME=$TMP/cfg BOXLITE_HOME=$TMP/boxlite LANG=C.UTF-8 LC_ALL='' NO_COLOR=''
cc -std=c11 -O2 -o "$TMP/ptyecho" "$HERE/ptyecho.c" -lutil
now() { echo "$EPOCHREALTIME"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f\n", (b - a) * 1000}'; }
kib() { awk -v k="$2" '$1 == k ":" {print $2}' "/proc/$1/status"; }
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

echo "== exec: machine"
bench_machine
echo "boxtop $BOXTOP, simulator $SIM${NODE:+, $("$NODE" --version)}"

# --- 1: keystroke to echo --------------------------------------------------
echo "== exec: keystroke to echo, $KEYS keys, ms"
start_sim
printf '%-28s %s\n' "local cat (floor)" "$(TERM=xterm "$TMP/ptyecho" "$KEYS" cat)"
printf '%-28s %s\n' "boxtop shell web-1" \
	"$(TERM=xterm "$TMP/ptyecho" "$KEYS" "$BOXTOP" --url "$URL" shell web-1)"

# --- 2: yes | head -c BYTES ------------------------------------------------
echo "== exec: yes | head -c $BYTES, $RUNS runs (MB/s over the client's wall time, peak RSS)"
: >"$TMP/boxtop.runs"
: >"$TMP/sdk.runs"
for r in $(seq "$RUNS"); do
	/usr/bin/time -o "$TMP/t" -f '%e %M' timeout "$LIMIT" "$BOXTOP" --url "$URL" exec web-1 -- yes |
		head -c "$BYTES" >"$TMP/got" || true
	got=$(stat -c %s "$TMP/got")
	read -r secs rss <<<"$(tail -1 "$TMP/t")"
	[ "$got" = "$BYTES" ] || echo "run $r: boxtop gave $got bytes, not $BYTES" >&2
	echo "$secs $rss $got" >>"$TMP/boxtop.runs"
	line="run $r: boxtop ${secs} s, ${rss} KiB"
	if [ -n "$NODE" ]; then
		/usr/bin/time -o "$TMP/t" -f '%e %M' timeout "$LIMIT" \
			"$NODE" "$HERE/sdk_exec.mjs" "$URL" web-1 "$BYTES" \
			>"$TMP/sdk.out" || echo "run $r: the SDK ended short (bytes, s): $(cat "$TMP/sdk.out")" >&2
		read -r secs rss <<<"$(tail -1 "$TMP/t")"
		got=$(cut -s -d' ' -f1 "$TMP/sdk.out")
		echo "$secs $rss ${got:-0}" >>"$TMP/sdk.runs"
		line="$line; node SDK ${secs} s (from its exec call: $(cut -d' ' -f2 "$TMP/sdk.out") s), ${rss} KiB"
	fi
	echo "$line"
done
stop_sim
row() {
	local s k
	# MB/s of each run (the bytes it really got: a stopped one got fewer)
	s=$(cut -d' ' -f1 "$TMP/$1.runs" | median)
	k=$(cut -d' ' -f2 "$TMP/$1.runs" | median)
	printf '%-12s %8.1f MB/s %8.2f s %8.1f MiB\n' "$2" \
		"$(awk '{print $3 / 1e6 / $1}' "$TMP/$1.runs" | median)" "$s" \
		"$(awk -v k="$k" 'BEGIN {print k / 1024}')"
}
row boxtop boxtop
[ -z "$NODE" ] || row sdk "node SDK"

# --- 3: the Logs view under 10 MB/s ------------------------------------------
command -v tmux >/dev/null || { echo "bench_exec: tmux is not installed, the Logs part skipped"; exit 0; }
echo "== exec: Logs view of web-1, --log-rate 1000 --log-line-bytes $LINE, log_mib $LOG_MIB, ${FLOOD_SECS} s"
start_sim --log-rate 1000 --log-line-bytes "$LINE"
SOCK=$TMP/tmux.sock
printf 'set -g status off\nset -g default-terminal tmux-256color\nset -g remain-on-exit on\n' >"$TMP/tmux.conf"
tx() { tmux -S "$SOCK" "$@"; }
screen() { tx capture-pane -p -t b; }
heading() { screen | grep -m1 '^LOG '; }
tx -f "$TMP/tmux.conf" new-session -d -s b -x 120 -y 40 \
	"exec env TERM=tmux-256color $BOXTOP --url $URL -d 2"
until screen | grep -q '^web-1 '; do sleep 0.05; done
tx send-keys -t b -l /web-1
tx send-keys -t b Enter
sleep 0.5
tx send-keys -t b l
until heading | grep -q 'attached'; do sleep 0.05; done
PID=$(tx display -p -t b '#{pane_pid}')
# The rate the simulator really sends: a second follower, 5 s.
timeout 5 "$BOXTOP" --url "$URL" logs -f web-2 >"$TMP/rate.out" 2>/dev/null || true
echo "a second follower (boxtop logs -f web-2) read $(awk -v n="$(stat -c %s "$TMP/rate.out")" \
	'BEGIN {printf "%.1f", n / 5e6}') MB/s"
: >"$TMP/rss"
: >"$TMP/w"
c0=$(ticks "$PID")
t0=$(now)
for i in $(seq "$FLOOD_SECS"); do
	kib "$PID" VmRSS >>"$TMP/rss"
	if [ $((i % 4)) = 0 ]; then
		was=$(heading | grep -o 'wrap o[nf]*')
		k0=$(now)
		tx send-keys -t b w
		while :; do
			h=$(heading | grep -o 'wrap o[nf]*' || true)
			if [ -n "$h" ] && [ "$h" != "$was" ]; then ms "$k0" "$(now)" >>"$TMP/w"; break; fi
			if awk -v a="$k0" -v b="$(now)" 'BEGIN {exit !(b - a > 5)}'; then
				echo "w: no answer within 5 s" >&2
				echo 5000 >>"$TMP/w"
				break
			fi
			sleep 0.005
		done
	fi
	sleep "$(awk -v t0="$t0" -v i="$i" -v n="$(now)" 'BEGIN {d = t0 + i - n; print (d > 0 ? d : 0)}')"
done
cpu=$(awk -v t="$(($(ticks "$PID") - c0))" -v hz="$(getconf CLK_TCK)" -v el="$(awk -v a="$t0" -v b="$(now)" 'BEGIN {print b - a}')" \
	'BEGIN {printf "%.0f", t / hz / el * 100}')
hwm=$(kib "$PID" VmHWM)
echo "heading at the end: $(heading)"
tx respawn-pane -k -t b 'exec cat'
sleep 0.3
: >"$TMP/floor"
for i in $(seq 15); do
	k0=$(now)
	tx send-keys -t b -l "m$i."
	until screen | grep -q "m$i\."; do sleep 0.005; done
	ms "$k0" "$(now)" >>"$TMP/floor"
done
stop_sim
printf 'boxtop VmRSS, KiB, every 10 s:  %s\n' "$(awk 'NR % 10 == 1' "$TMP/rss" | paste -sd' ')"
printf 'VmRSS first 10 s max %s, last 10 s max %s, VmHWM %s KiB\n' \
	"$(head -10 "$TMP/rss" | sort -n | tail -1)" "$(tail -10 "$TMP/rss" | sort -n | tail -1)" "$hwm"
printf 'boxtop CPU over the flood: %s%% of one core\n' "$cpu"
printf 'w to the heading showing it (median of %d): %s ms  [%s]\n' "$(wc -l <"$TMP/w")" \
	"$(median <"$TMP/w")" "$(paste -sd' ' "$TMP/w")"
printf 'floor, send-keys to cat echoing (median of 15): %s ms\n' "$(median <"$TMP/floor")"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
