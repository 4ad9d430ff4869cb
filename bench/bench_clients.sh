#!/bin/bash
# Side by side: export and import of the same archive from boxlite-sim on
# loopback by three real clients, each its own process:
#   curl      curl -X POST -o FILE .../export; curl -X POST -T FILE .../import
#             (-T streams the file; --data-binary @FILE reads it into memory
#             first and refuses files over 1 GiB: "out of memory")
#   curl + sync  the same, then sync FILE (fsync): the file is on the disk,
#             which boxtop's export also waits for before it renames
#   boxtop    the boxtop binary: boxtop export (verifies the archive, fsyncs,
#             renames) and boxtop import (checks the file, streams it up);
#             "boxtop -nv" is boxtop export --no-verify
#   node SDK  the official BoxLite Node SDK's REST client (bench/sdk_xfer.mjs:
#             box.export(FILE), runtime.importBox(FILE, NAME))
# Throughput is the archive's size over the client's wall time (median of
# RUNS, default 5, taken round-robin in a rotating order so drift hits every
# client alike, with a sync before each); peak
# RSS is the largest of the runs (GNU time's %M). Every export is checked
# byte for byte against the reference copy, outside the timing.
# Usage: bench_clients.sh [SIM]   env: RUNS (5), DISK (2G: a ~1 GiB archive)
set -eu
. "$(dirname "$0")/common.bash"
bench_init "${1:-build/boxlite-sim}"
RUNS=${RUNS:-5}
DISK=${DISK:-2G}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for tool in curl jq node /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench_clients: needs $tool" >&2; exit 1; }
done
if [ ! -d "$ROOT/tests/conformance/node_modules/@boxlite-ai/boxlite" ]; then
	echo "bench_clients: installing the pinned SDK (npm ci in tests/conformance)"
	(cd "$ROOT/tests/conformance" && npm ci --no-audit --no-fund --loglevel=error)
fi

start_sim --boxes 3 --disk-size "$DISK"

# The reference archive (this also makes the simulator build and cache it).
curl -sf -X POST -o "$TMP/ref.boxlite" "$URL/v1/boxes/web-2/export"
SIZE=$(stat -c %s "$TMP/ref.boxlite")

# timed CLIENT OP CMD...: runs CMD under GNU time, records "CLIENT OP s KiB",
# and leaves CMD's stdout in $TMP/stdout.
timed() {
	local who=$1 op=$2
	shift 2
	if ! /usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >"$TMP/stdout" 2>"$TMP/stderr"; then
		echo "bench_clients: $who $op failed:" >&2
		cat "$TMP/stderr" >&2
		exit 1
	fi
	echo "$who|$op|$(cat "$TMP/time")" >>"$TMP/results"
}

# exported CLIENT: the file the client wrote is the reference archive.
exported() {
	cmp -s "$TMP/out.boxlite" "$TMP/ref.boxlite" || {
		echo "bench_clients: $1's export differs from the reference" >&2
		exit 1
	}
	rm -f "$TMP/out.boxlite"
}

# imported CLIENT ID: the new box exists; it is deleted (with its upload).
imported() {
	[ -n "$2" ] && curl -sf -o /dev/null "$URL/v1/boxes/$2" || {
		echo "bench_clients: $1's import made no box ('$2')" >&2
		exit 1
	}
	curl -sf -o /dev/null -X DELETE "$URL/v1/boxes/$2?force=true"
}

# One export or import by one client, checked (outside the timing) and
# cleaned up, so every run starts from the same state: the page cache
# flushed (sync) so one client's writeback is not charged to the next.
export_by() {
	sync
	case $1 in
	curl) timed curl export curl -sf -X POST -o "$TMP/out.boxlite" "$URL/v1/boxes/web-2/export" ;;
	'curl + sync')
		timed 'curl + sync' export sh -c 'curl -sf -X POST -o "$0" "$1" && sync "$0"' \
			"$TMP/out.boxlite" "$URL/v1/boxes/web-2/export" ;;
	boxtop) timed boxtop export "$BOXTOP" --url "$URL" export web-2 -o "$TMP/out.boxlite" ;;
	'boxtop -nv')
		timed 'boxtop -nv' export "$BOXTOP" --url "$URL" export web-2 -o "$TMP/out.boxlite" \
			--no-verify ;;
	'node SDK') timed 'node SDK' export node "$ROOT/bench/sdk_xfer.mjs" export "$URL" web-2 "$TMP/out.boxlite" ;;
	esac
	exported "$1"
}
import_by() {
	sync
	case $1 in
	curl)
		timed curl import curl -sf -X POST -H 'Content-Type: application/octet-stream' \
			-T "$TMP/ref.boxlite" "$URL/v1/boxes/import?name=c$2"
		imported curl "$(jq -r '.box_id // empty' "$TMP/stdout")" ;;
	boxtop)
		timed boxtop import "$BOXTOP" --url "$URL" import "$TMP/ref.boxlite" --name "b$2"
		imported boxtop "$(cat "$TMP/stdout")" ;;
	'node SDK')
		timed 'node SDK' import node "$ROOT/bench/sdk_xfer.mjs" import "$URL" "$TMP/ref.boxlite" "n$2"
		imported 'node SDK' "$(cat "$TMP/stdout")" ;;
	esac
}

# Round-robin, the order rotated each run: no client always follows the same one.
EXPORTERS=(curl 'curl + sync' boxtop 'boxtop -nv' 'node SDK')
IMPORTERS=(curl boxtop 'node SDK')
for run in $(seq "$RUNS"); do
	for i in "${!EXPORTERS[@]}"; do
		export_by "${EXPORTERS[$(((i + run) % ${#EXPORTERS[@]}))]}"
	done
	for i in "${!IMPORTERS[@]}"; do
		import_by "${IMPORTERS[$(((i + run) % ${#IMPORTERS[@]}))]}" "$run"
	done
done

echo "export and import of one archive, boxlite-sim on loopback, $RUNS runs each"
echo "disk $DISK, archive $(awk "BEGIN {printf \"%.1f MiB (%d bytes)\", $SIZE / 1048576, $SIZE}")"
bench_machine
echo
echo "| what | client | throughput | median time | peak RSS |"
echo "|---|---|---:|---:|---:|"
for op in export import; do
	for who in curl 'curl + sync' boxtop 'boxtop -nv' 'node SDK'; do
		grep -F "$who|$op|" "$TMP/results" >"$TMP/rows" || continue
		med=$(cut -d'|' -f3 "$TMP/rows" | cut -d' ' -f1 | median)
		rss=$(cut -d'|' -f3 "$TMP/rows" | cut -d' ' -f2 | sort -g | tail -1)
		awk -v op="$op" -v who="$who" -v s="$SIZE" -v t="$med" -v r="$rss" 'BEGIN {
			printf "| %s | %s | %.0f MB/s | %.2f s | %.1f MiB |\n", op, who,
				(t > 0 ? s / t / 1e6 : 0), t, r / 1024 }'
	done
done
