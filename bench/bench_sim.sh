#!/bin/bash
# boxlite-sim benchmark: start-up time, the 10,000-box list, and export and
# import throughput of a 1 GiB disk over loopback, with the simulator's peak
# RSS. Medians of RUNS runs (default 5). Usage: bench_sim.sh SIM_BINARY
set -eu
. "$(dirname "$0")/common.bash"
bench_init "${1:-build/boxlite-sim}"
RUNS=${RUNS:-5}

# start ARGS...: start_sim, printing the seconds it took to be ready.
start() {
	local t0 t1
	t0=$(date +%s.%N)
	start_sim "$@"
	t1=$(date +%s.%N)
	awk "BEGIN {print $t1 - $t0}"
}
stop() { stop_sim; }

echo "== boxlite-sim: start-up (demo fleet, --port 0)"
for i in $(seq "$RUNS"); do start >>"$TMP/startup" 2>/dev/null; stop; done
printf 'median %.1f ms\n' "$(median <"$TMP/startup" | awk '{print $1*1000}')"

echo "== boxlite-sim: 10,000-box list"
start --boxes 10000 >"$TMP/startup10k"
printf 'start-up with 10,000 boxes: %.1f ms\n' "$(awk '{print $1*1000}' "$TMP/startup10k")"
for i in $(seq "$RUNS"); do
	# Every page of 1000, following the tokens: the sum of curl's own times.
	tok=""
	bytes=0
	total=0
	while :; do
		q="pageSize=1000"
		[ -n "$tok" ] && q="$q&pageToken=$tok"
		t=$(curl -s -o "$TMP/page" -w '%{time_total}' "$URL/v1/boxes?$q")
		total=$(awk "BEGIN {print $total + $t}")
		bytes=$((bytes + $(stat -c %s "$TMP/page")))
		tok=$(jq -r '.next_page_token // empty' "$TMP/page")
		[ -z "$tok" ] && break
	done
	echo "$total" >>"$TMP/paged"
	curl -s -o /dev/null -w '%{time_total}\n' "$URL/v1/boxes?pageSize=1000" >>"$TMP/page1"
done
stop
start --boxes 10000 --flavor serve >/dev/null
for i in $(seq "$RUNS"); do
	curl -s -o "$TMP/all" -w '%{time_total}\n' "$URL/v1/boxes" >>"$TMP/one"
done
stop
printf 'one page of 1,000 (server + curl):         %6.1f ms\n' "$(median <"$TMP/page1" | awk '{print $1*1000}')"
printf 'all 10 pages, following the tokens:         %6.1f ms (%d KiB)\n' \
	"$(median <"$TMP/paged" | awk '{print $1*1000}')" $((bytes / 1024))
printf 'serve flavor, 10,000 in one answer:         %6.1f ms (%d KiB)\n' \
	"$(median <"$TMP/one" | awk '{print $1*1000}')" $(($(stat -c %s "$TMP/all") / 1024))

echo "== boxlite-sim: export and import of a 1 GiB disk"
start --boxes 4 --disk-size 1G --state-dir "$TMP/state" >/dev/null
box=$(curl -s "$URL/v1/boxes" | jq -r '.boxes[0].box_id')
curl -s -X POST "$URL/v1/boxes/$box/stop" -o /dev/null
curl -s -X POST -o "$TMP/a.boxlite" -w '%{time_total}\n' "$URL/v1/boxes/$box/export" >"$TMP/build"
for i in $(seq "$RUNS"); do
	curl -s -X POST -o /dev/null -w '%{speed_download}\n' "$URL/v1/boxes/$box/export" >>"$TMP/export"
	curl -s -X POST --data-binary "@$TMP/a.boxlite" -H 'Content-Type: application/octet-stream' \
		-o "$TMP/imp" -w '%{time_total} %{size_upload}\n' "$URL/v1/boxes/import" >>"$TMP/import"
	curl -s -X DELETE -o /dev/null "$URL/v1/boxes/$(jq -r .box_id "$TMP/imp")?force=true"
done
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SIMPID/status")
stop
size=$(stat -c %s "$TMP/a.boxlite")
printf 'archive: %d MiB (disk 1024 MiB); first export (builds it): %.2f s\n' \
	$((size / 1048576)) "$(cat "$TMP/build")"
printf 'export (cached archive streamed):  %7.0f MB/s\n' "$(median <"$TMP/export" | awk '{print $1/1e6}')"
printf 'import (upload + verify + extract): %6.0f MB/s of archive, %.2f s\n' \
	"$(awk '{print $2/$1/1e6}' "$TMP/import" | median)" "$(awk '{print $1}' "$TMP/import" | median)"
printf 'simulator peak RSS over the run: %d MiB\n' $((hwm / 1024))
