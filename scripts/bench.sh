#!/bin/sh
# Runs every benchmark binary in BUILDDIR/bench; each prints its own table.
set -eu
dir=$1/bench
for b in "$dir"/*; do
	[ -x "$b" ] || continue
	echo "== bench: $(basename "$b")"
	"$b"
done
