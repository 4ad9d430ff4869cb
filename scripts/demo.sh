#!/bin/sh
# `make demo`: runs boxtop against boxlite-sim. Until the dashboard exists
# (the next stages of the project), it gives a short tour of the simulator
# the dashboard will run against, instead of pretending.
set -eu
build=$1
if "$build/boxtop" --help 2>/dev/null | grep -q -- '^ *--demo'; then
	exec "$build/boxtop" --demo
fi
tmp=$(mktemp -d)
"$build/boxlite-sim" --port 0 --disk-size 16M >"$tmp/out" 2>"$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
i=0
until grep -q '^listening' "$tmp/out"; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$tmp/err" >&2; exit 1; }
	sleep 0.05
done
url=$(sed -n 's/^listening on //p' "$tmp/out")
say() { printf '\n$ %s\n' "$*"; }

echo "boxtop's dashboard is not built yet (see README: where the project stands)."
echo "This is the simulator it will run against, boxlite-sim, at $url:"
say "curl $url/v1/boxes | jq  (name, status, image)"
curl -s "$url/v1/boxes" | jq -r '.boxes[] | "\(.name) \(.status) \(.image)"' | awk '{printf "%-15s %-11s %s\n", $1, $2, $3}' | head -12
echo "... 24 boxes in all"
say "curl -X POST $url/v1/boxes/web-1/snapshots -d '{\"name\":\"before-upgrade\"}'"
curl -s -X POST "$url/v1/boxes/web-1/snapshots" -d '{"name":"before-upgrade"}' | jq -c .
say "curl -X POST $url/v1/boxes/web-1/export -o web-1.boxlite"
curl -s -X POST "$url/v1/boxes/web-1/export" -o "$tmp/web-1.boxlite"
ls -l "$tmp/web-1.boxlite" | awk '{print $5 " bytes, a zstd tar of:"}'
zstd -dc "$tmp/web-1.boxlite" | tar tf -
say "curl -X POST --data-binary @web-1.boxlite '$url/v1/boxes/import?name=web-1-copy'"
curl -s -X POST --data-binary "@$tmp/web-1.boxlite" "$url/v1/boxes/import?name=web-1-copy" | jq -c '{name, status, image}'
printf '\nMore: boxlite-sim --help, docs/sim.md; every test: make check\n'
