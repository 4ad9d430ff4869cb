#!/bin/bash
# What one refresh of 1,000 boxes costs, boxlite-sim on loopback (seed 1):
#
#  1. CPU time per refresh of `boxtop --json` beside fetching the same URLs
#     (the list, the runtime metrics and the metrics of every running box,
#     which is what --json prints) with curl in one process per refresh, and
#     with curl piped into jq building one document of them. boxtop's figure
#     is the difference between -n $((REFRESHES + 1)) and -n 1 over REFRESHES,
#     so start-up is not counted; curl's is REFRESHES runs in one timed loop.
#     user+sys of the whole process tree (GNU time), medians of RUNS.
#  2. Requests per refresh that the dashboard sends with 1,000 boxes and 40
#     rows on screen (tmux, 120x46, -d 1, WINDOW seconds, the simulator's
#     request tally: GET /_sim/requests), beside what that screen needs: the
#     list, the runtime metrics, the metrics of the running boxes on screen,
#     the selected box's snapshots, the images and their cache usage every
#     30 s (the Images view and the header); and beside --json,
#     which needs every running box's metrics.
#
# Usage: bench_poll.sh [SIM]   env: RUNS (5), REFRESHES (20), WINDOW (30)
set -eu -o pipefail
. "$(dirname "$0")/common.bash"
bench_init "${1:-build/boxlite-sim}"
RUNS=${RUNS:-5}
REFRESHES=${REFRESHES:-20}
WINDOW=${WINDOW:-30}
for tool in curl jq /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench_poll: needs $tool" >&2; exit 1; }
done

start_sim --boxes 1000 --control
echo "== boxtop: poll cost, 1,000 boxes"
bench_machine

# The URLs of one --json refresh, in a curl config file (one process).
curl -sf "$URL/v1/boxes?pageSize=1000" >"$TMP/list"
{
	echo "url = \"$URL/v1/boxes?pageSize=1000\""
	echo "url = \"$URL/v1/metrics\""
	jq -r --arg u "$URL" '.boxes[] | select(.status == "running") |
		"url = \"\($u)/v1/boxes/\(.box_id)/metrics\""' "$TMP/list"
} >"$TMP/urls"
NURLS=$(wc -l <"$TMP/urls")

# cpu CMD...: user+sys seconds of CMD and everything it waited for.
cpu() {
	/usr/bin/time -f '%U %S' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/err" || {
		echo "bench_poll: $* failed:" >&2
		cat "$TMP/err" >&2
		exit 1
	}
	awk '{print $1 + $2}' "$TMP/time"
}
JQ='{boxes: .[0].boxes, runtime: .[1], metrics: .[2:]}'
export URLS=$TMP/urls JQ N=$REFRESHES
for _ in $(seq "$RUNS"); do
	a=$(cpu "$BOXTOP" --url "$URL" --json -n 1)
	b=$(cpu "$BOXTOP" --url "$URL" --json -n $((REFRESHES + 1)) -d 0.1)
	awk -v a="$a" -v b="$b" -v n="$REFRESHES" 'BEGIN {print (b - a) / n * 1000}' >>"$TMP/boxtop"
	cpu sh -c 'i=0; while [ $i -lt $N ]; do curl -s -K "$URLS"; i=$((i + 1)); done' |
		awk -v n="$REFRESHES" '{print $1 / n * 1000}' >>"$TMP/curl"
	cpu sh -c 'i=0; while [ $i -lt $N ]; do curl -s -K "$URLS" | jq -cs "$JQ"; i=$((i + 1)); done' |
		awk -v n="$REFRESHES" '{print $1 / n * 1000}' >>"$TMP/jq"
done
curl -sf -X DELETE "$URL/_sim/requests"
"$BOXTOP" --url "$URL" --json -n 1 >"$TMP/one.json"
BT_REQS=$(curl -sf "$URL/_sim/requests" | jq '[.routes[] | select(.route != "/v1/me") | .count] | add')
jq -e '.boxes | length == 1000' "$TMP/one.json" >/dev/null ||
	{ echo "bench_poll: boxtop --json did not print 1,000 boxes" >&2; exit 1; }

echo "$NURLS URLs per refresh (boxtop --json sent $BT_REQS, not counting GET /v1/me at start);"
echo "CPU time per refresh, median of $RUNS runs of $REFRESHES refreshes:"
echo
echo "| client | CPU per refresh |"
echo "|---|---:|"
printf '| boxtop --json | %.1f ms |\n' "$(median <"$TMP/boxtop")"
printf '| curl, one process, output to /dev/null | %.1f ms |\n' "$(median <"$TMP/curl")"
printf '| curl \\| jq -s (one document) | %.1f ms |\n' "$(median <"$TMP/jq")"

# --- 2: requests per refresh of the dashboard ------------------------------
echo
echo "== boxtop: requests per refresh, dashboard, 1,000 boxes, 40 rows, -d 1, ${WINDOW} s"
if ! command -v tmux >/dev/null; then
	echo "tmux is not installed: skipped"
	exit 0
fi
printf 'set -g status off\nset -g default-terminal tmux-256color\nset -g remain-on-exit on\n' >"$TMP/tmux.conf"
SOCK=$TMP/tmux.sock
tx() { tmux -S "$SOCK" "$@"; }
trap 'tx kill-server 2>/dev/null || true; bench_cleanup' EXIT
mkdir -p "$TMP/home"
ENVS="LANG=C.UTF-8 LC_ALL= TERM=tmux-256color XDG_CONFIG_HOME=$TMP/home HOME=$TMP/home BOXLITE_HOME=$TMP/home"
tx -f "$TMP/tmux.conf" new-session -d -s b -x 120 -y 46 "exec env $ENVS $BOXTOP --url $URL -d 1"
ROW='^[^ ]+ +[^ ]+ (running|stopped|configured|paused|failed|unknown) '
for _ in $(seq 100); do
	[ "$(tx capture-pane -p -t b | grep -Ec "$ROW")" -ge 40 ] && break
	sleep 0.1
done
if [ "$(tx capture-pane -p -t b | grep -Ec "$ROW")" -lt 40 ]; then
	echo "bench_poll: the dashboard shows no 40 box rows:" >&2
	tx capture-pane -p -t b >&2
	exit 1
fi
sleep 3 # past start-up: the first images and config fetches
curl -sf -X DELETE "$URL/_sim/requests"
sleep "$WINDOW"
curl -sf "$URL/_sim/requests" >"$TMP/tally"
tx capture-pane -p -t b >"$TMP/screen"
ROWS=$(grep -Ec "$ROW" "$TMP/screen")
RUNNING=$(grep -E "$ROW" "$TMP/screen" | grep -Ec ' running ')
# The selected box (the first row: no key was pressed) has its metrics
# fetched for the detail view even when it is not running (boot timing,
# totals): one more when it is not among the running.
SEL_EXTRA=$(grep -Em1 "$ROW" "$TMP/screen" | grep -Ec ' running ' | awk '{print 1 - $1}')
LISTS=$(jq '[.routes[] | select(.method == "GET" and .route == "/v1/boxes") | .count] | add // 0' "$TMP/tally")
[ "$LISTS" -gt 0 ] || { echo "bench_poll: the dashboard did not poll" >&2; exit 1; }
echo "$ROWS box rows on screen, $RUNNING of them running, the selected one $([ "$SEL_EXTRA" = 1 ] && echo not running || echo running);"
echo "$LISTS refreshes in ${WINDOW} s"
echo
echo "| request | sent per refresh | the screen needs |"
echo "|---|---:|---:|"
jq -r --argjson n "$LISTS" --argjson run $((RUNNING + SEL_EXTRA)) --argjson d 1 '.routes[] |
	[.method + " " + .route, (.count / $n),
	 (if .route == "/v1/boxes" or .route == "/v1/metrics" then 1
	  elif .route == "/v1/boxes/*/metrics" then $run
	  elif .route == "/v1/boxes/*/snapshots" then 1
	  elif .route == "/v1/images" or .route == "/v1/images/usage" then $d / 30
	  else 0 end)] |
	"| \(.[0]) | \(.[1] * 100 | round / 100) | \(.[2] * 100 | round / 100) |"' "$TMP/tally"
TOTAL=$(jq --argjson n "$LISTS" '.total / $n * 100 | round / 100' "$TMP/tally")
NEED=$(awk -v r=$((RUNNING + SEL_EXTRA)) 'BEGIN {printf "%.2f", 1 + 1 + r + 1 + 2 / 30}')
echo "| all | $TOTAL | $NEED |"
echo
echo "(--json, which prints every running box's metrics, needs $NURLS per refresh.)"
