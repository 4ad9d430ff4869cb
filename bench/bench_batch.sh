#!/bin/bash
# Batch output at 10,000 boxes: one boxlite-sim --boxes 10000 (seed 1, the
# spec flavor: 10 pages of 1,000) on loopback.
#
#  1. Wall time of `boxtop -b -n 1` beside curl fetching the same URLs with
#     the same parallelism (`curl --parallel --parallel-max 8 -K urls`): the
#     10 list pages (their tokens read beforehand, so curl need not follow
#     them one by one as boxtop must), /v1/metrics and the metrics of every
#     running box. Minimum, median and maximum of RUNS, taken round-robin so
#     drift hits every client alike.
#  2. Peak RSS (GNU time's %M, the largest of RSS_RUNS) of `boxtop -b -n 1
#     --json` and `boxtop -b -n 1`.
# BEFORE=path/to/an/older/boxtop adds it to both tables (built from an
# earlier commit, e.g. `git archive COMMIT | tar -x -C DIR && make -C DIR all`).
#
# Usage: bench_batch.sh [SIM]   env: RUNS (10), RSS_RUNS (3), BOXES (10000), BEFORE
set -eu -o pipefail
. "$(dirname "$0")/common.bash"
bench_init "${1:-build/boxlite-sim}"
RUNS=${RUNS:-10}
RSS_RUNS=${RSS_RUNS:-3}
BOXES=${BOXES:-10000}
BEFORE=${BEFORE:-}
for tool in curl jq /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench_batch: needs $tool" >&2; exit 1; }
done
[ -z "$BEFORE" ] || [ -x "$BEFORE" ] || { echo "bench_batch: BEFORE=$BEFORE is not a program" >&2; exit 1; }

start_sim --boxes "$BOXES"
echo "== boxtop -b at $BOXES boxes"
bench_machine

# The URLs of one refresh, in a curl config file: the pages in order, then
# the runtime metrics and every running box's.
token=""
: >"$TMP/running"
for _ in $(seq 1000); do
	page="$URL/v1/boxes?pageSize=1000${token:+&pageToken=$token}"
	echo "url = \"$page\"" >>"$TMP/urls"
	curl -sf "$page" >"$TMP/page"
	jq -r '.boxes[] | select(.status == "running") | .box_id' "$TMP/page" >>"$TMP/running"
	token=$(jq -r '.next_page_token // empty' "$TMP/page")
	[ -n "$token" ] || break
done
PAGES=$(wc -l <"$TMP/urls")
echo "url = \"$URL/v1/metrics\"" >>"$TMP/urls"
sed "s|.*|url = \"$URL/v1/boxes/&/metrics\"|" "$TMP/running" >>"$TMP/urls"
NURLS=$(wc -l <"$TMP/urls")

# Every client prints what it should before anything is timed.
"$BOXTOP" --url "$URL" -b -n 1 --json >"$TMP/one.json"
jq -e --argjson n "$BOXES" '.boxes | length == $n' "$TMP/one.json" >/dev/null ||
	{ echo "bench_batch: boxtop --json did not print $BOXES boxes" >&2; exit 1; }
curl -s --no-progress-meter --parallel --parallel-max 8 -K "$TMP/urls" | grep -o '"cpu_percent"' | wc -l >"$TMP/n"
[ "$(cat "$TMP/n")" -ge "$(wc -l <"$TMP/running")" ] ||
	{ echo "bench_batch: curl got $(cat "$TMP/n") box metrics of $(wc -l <"$TMP/running")" >&2; exit 1; }

# wall FILE CMD...: CMD's wall time in seconds appended to FILE, output thrown away.
wall() {
	local file=$1 t0
	shift
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>"$TMP/err" || { echo "bench_batch: $* failed:" >&2; cat "$TMP/err" >&2; exit 1; }
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.3f\n", b - a}' >>"$file"
}
# stats FILE: "min | median | max" of the numbers in FILE.
stats() {
	printf '%.2f s | %.2f s | %.2f s' "$(sort -g "$1" | head -1)" "$(median <"$1")" "$(sort -g "$1" | tail -1)"
}
for _ in $(seq "$RUNS"); do
	wall "$TMP/t.boxtop" "$BOXTOP" --url "$URL" -b -n 1
	wall "$TMP/t.curl" curl -s --no-progress-meter --parallel --parallel-max 8 -K "$TMP/urls"
	[ -z "$BEFORE" ] || wall "$TMP/t.before" "$BEFORE" --url "$URL" -b -n 1
done

echo "$NURLS URLs a refresh: $PAGES list pages, /v1/metrics, $(wc -l <"$TMP/running") running boxes' metrics;"
echo "wall time of $RUNS runs each, taken in turn:"
echo
echo "| client | min | median | max |"
echo "|---|---:|---:|---:|"
echo "| curl --parallel --parallel-max 8 -K urls | $(stats "$TMP/t.curl") |"
echo "| boxtop -b -n 1 | $(stats "$TMP/t.boxtop") |"
[ -z "$BEFORE" ] || echo "| boxtop -b -n 1, BEFORE | $(stats "$TMP/t.before") |"
awk -v b="$(sort -g "$TMP/t.boxtop" | tail -1)" -v c="$(sort -g "$TMP/t.curl" | tail -1)" \
	'BEGIN {printf "\nboxtop max / curl max: %.2f (target: at most 1.5)\n", b / c}'

# peak CMD...: the largest peak RSS (MiB) of RSS_RUNS runs of CMD.
peak() {
	for _ in $(seq "$RSS_RUNS"); do
		/usr/bin/time -f '%M' -o "$TMP/rss" "$@" >/dev/null 2>"$TMP/err" ||
			{ echo "bench_batch: $* failed:" >&2; cat "$TMP/err" >&2; exit 1; }
		cat "$TMP/rss"
	done | sort -g | tail -1 | awk '{printf "%.1f MiB", $1 / 1024}'
}
echo
echo "peak RSS, the largest of $RSS_RUNS runs:"
echo
if [ -n "$BEFORE" ]; then
	echo "| command | before | now | target |"
	echo "|---|---:|---:|---:|"
	echo "| boxtop -b -n 1 --json | $(peak "$BEFORE" --url "$URL" -b -n 1 --json) | $(peak "$BOXTOP" --url "$URL" -b -n 1 --json) | 40 MiB |"
	echo "| boxtop -b -n 1 | $(peak "$BEFORE" --url "$URL" -b -n 1) | $(peak "$BOXTOP" --url "$URL" -b -n 1) | |"
	echo "| boxtop --version (the floor: shared libraries) | | $(RSS_RUNS=1 peak "$BOXTOP" --version) | |"
else
	echo "| command | peak RSS | target |"
	echo "|---|---:|---:|"
	echo "| boxtop -b -n 1 --json | $(peak "$BOXTOP" --url "$URL" -b -n 1 --json) | 40 MiB |"
	echo "| boxtop -b -n 1 | $(peak "$BOXTOP" --url "$URL" -b -n 1) | |"
	echo "| boxtop --version (the floor: shared libraries) | $(RSS_RUNS=1 peak "$BOXTOP" --version) | |"
fi
