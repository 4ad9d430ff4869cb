#!/bin/sh
# The architecture as a check: arrows point tui -> net -> model, never back,
# and nothing but sim/ reaches into sim/ (STYLE.md, "Folders are the
# architecture"). Reads every #include of the C files in ROOT's top-level
# folders (ROOT defaults to the repository) and fails, naming file and line,
# when
#   - model/ includes from net/, tui/ or sim/, or curses, libcurl,
#     libmicrohttpd or pthread headers (model is pure data: the store's lock
#     is the one exception, in model/store.c);
#   - net/ includes from tui/ or sim/, or curses;
#   - tui/ includes from sim/, or curses anywhere but tui/curses.h;
#   - any other folder but sim/ and tests/ (bench/, a new one) includes
#     from sim/;
#   - a quoted include names a file that is not there (a typo, or a header
#     reached through -I. from the wrong folder).
# Usage: check-layers.sh [ROOT]
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
bad=0

# say FILE:LINE: TEXT -- one violation.
say() {
	echo "check-layers: $1" >&2
	bad=1
}

# includes DIR: "file:line:header" for each #include of DIR's .c and .h files.
includes() {
	for f in "$root/$1"/*.c "$root/$1"/*.h; do
		[ -e "$f" ] || continue
		grep -n '^[[:space:]]*#[[:space:]]*include' "$f" | while IFS= read -r l; do
			printf '%s:%s\n' "${f#"$root"/}" "$l"
		done
	done
}

check_dir() {
	dir=$1
	forbidden=$2 # an extended regex of what DIR must not include
	includes "$dir" >"$tmp" || return
	while IFS= read -r l; do
		file=${l%%:*}
		rest=${l#*:}
		line=${rest%%:*}
		inc=${rest#*:}
		if printf '%s\n' "$inc" | grep -Eq "$forbidden"; then
			case "$file:$inc" in
			model/store.c:*pthread.h*) continue ;;
			tui/curses.h:*curses.h*) continue ;;
			esac
			say "$file:$line: $dir/ must not include this: $inc"
			continue
		fi
		name=$(printf '%s\n' "$inc" | sed -n 's/.*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p')
		[ -n "$name" ] || continue
		if [ ! -e "$root/$dir/$name" ] && [ ! -e "$root/$name" ]; then
			say "$file:$line: no such header: $name"
		fi
	done <"$tmp"
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# A folder named anywhere in a quoted path ("../net/x.h" too).
layer_re() { printf '"([^"]*/)?(%s)/' "$1"; }
check_dir model "$(layer_re 'net|tui|sim')"'|[<"](n?curses|curl/|microhttpd|pthread)'
check_dir net "$(layer_re 'tui|sim')"'|[<"]n?curses'
check_dir tui "$(layer_re sim)"'|<n?curses'
for d in "$root"/*/; do
	d=$(basename "$d")
	case $d in model | net | tui | sim | tests | build) continue ;; esac
	check_dir "$d" "$(layer_re sim)"
done
if [ "$bad" -ne 0 ]; then
	echo "check-layers: the layers are broken (tui -> net -> model; sim/ alone)" >&2
	exit 1
fi
echo "check-layers: model, net and tui keep their arrows; only sim/ and tests/ include sim/"
