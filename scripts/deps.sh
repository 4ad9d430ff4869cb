#!/bin/sh
# Installs the Debian packages boxtop needs to build, test and fuzz, when any
# is missing. As root it runs apt-get; otherwise through `sudo -n` when that
# works without a password; otherwise it prints the exact command and fails.
set -eu

# python3: the fault matrix's wrong-shape proxy (tests/faults/t_08);
# clang-format: make check-format. Under CI=true a test skipped for want of
# a tool fails, so everything a test needs is here.
PKGS="make gcc pkg-config libncurses-dev libcurl4-openssl-dev libcjson-dev \
libcmocka-dev libmicrohttpd-dev libarchive-dev libzstd-dev libssl-dev libwslay-dev \
clang libclang-rt-dev clang-format tmux zstd curl jq time python3"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: not a Debian system; install the equivalents of: $PKGS" >&2
	exit 0
fi

missing=""
for p in $PKGS; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
# The SDK conformance test needs Node.js and npm; a node installed some other
# way (nodesource bundles npm) counts, so these go by command, not package.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo="sudo -n"
else
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root:  apt-get update && $cmd" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo $cmd
