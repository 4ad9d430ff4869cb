#!/bin/sh
# Runs every benchmark binary in BUILDDIR/bench, then every bench/*.sh with
# the simulator of the default build; each prints its own table.
set -eu
dir=$1/bench
for b in "$dir"/*; do
	[ -x "$b" ] || continue
	echo "== bench: $(basename "$b")"
	"$b"
done
for b in bench/*.sh; do
	[ -f "$b" ] || continue
	echo "== bench: $(basename "$b")"
	bash "$b" build/boxlite-sim
done
