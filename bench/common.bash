# Shared by the bench/*.sh scripts (sourced; not a benchmark itself):
# bench_init SIM sets SIM, BOXTOP (next to SIM) and a scratch TMP removed on
# exit; start_sim ARGS... starts boxlite-sim on a free port (seed 1) and sets
# URL and SIMPID; stop_sim; median (of numbers on stdin); bench_machine.

bench_init() {
	SIM=$1
	[ -x "$SIM" ] || { echo "bench: $SIM not built (make all)" >&2; exit 1; }
	BOXTOP=${BOXTOP:-$(dirname "$SIM")/boxtop}
	TMP=$(mktemp -d /tmp/bench.XXXXXX)
	SIMPID=""
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

bench_cleanup() {
	[ -z "$SIMPID" ] || stop_sim
	rm -rf "$TMP"
}

start_sim() {
	rm -f "$TMP/sim.out" # never the last simulator's address
	"$SIM" --port 0 --seed 1 "$@" >"$TMP/sim.out" 2>"$TMP/sim.err" &
	SIMPID=$!
	until grep -q '^listening' "$TMP/sim.out" 2>/dev/null; do
		kill -0 "$SIMPID" 2>/dev/null || { cat "$TMP/sim.err" >&2; exit 1; }
		sleep 0.002
	done
	URL=$(sed -n 's/^listening on //p' "$TMP/sim.out")
}

stop_sim() {
	kill "$SIMPID" 2>/dev/null || true
	wait "$SIMPID" 2>/dev/null || true
	SIMPID=""
}

median() { sort -g | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'; }

bench_machine() {
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
		"$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(uname -sr);" \
		"load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}
