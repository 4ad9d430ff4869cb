#!/bin/sh
# `make demo`: the dashboard against its own simulator (boxtop --demo starts
# boxlite-sim on a free loopback port and stops it on exit).
set -eu
exec "$1/boxtop" --demo
