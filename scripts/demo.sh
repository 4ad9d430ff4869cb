#!/bin/sh
# `make demo`: runs boxtop against boxlite-sim. Until the simulator and the
# dashboard exist (they are the next stages of the project), it shows what
# this build holds instead of pretending.
build=$1
if "$build/boxtop" --help 2>/dev/null | grep -q -- '--demo'; then
	exec "$build/boxtop" --demo
fi
"$build/boxtop" --version
echo
echo "This build holds boxtop's data model (decoders, sanitizer, formatting,"
echo "filter/sort, state store) and its tests: see 'make check'."
echo "The simulator and the dashboard that 'make demo' runs are not built yet."
