#!/bin/bash
# The fault matrix (issue: proof): one t_*.sh per row, each driving the real
# boxtop (batch mode, boxtop export/import, or the dashboard in tmux)
# against boxlite-sim with a fault switched on at the right moment, and
# asserting on the exit status, the screen, the simulator's state and the
# files on disk. It runs on the screen tests' harness (tests/e2e/run.sh:
# start_sim, start_boxtop, keys, see, ...), which README.md describes.
exec env SUITE_DIR="$(cd "$(dirname "$0")" && pwd)" SUITE_NAME=faults \
	bash "$(dirname "$0")/../e2e/run.sh" "$@"
