# `boxtop cp` against a live simulator: a file and a tree copied into a box
# and out again, byte-compared (cmp, diff -r); into a directory, as a new
# name, a directory's "/." contents; the errors (a stopped box's 409, a
# missing path, a DEST that cannot be written, a usage error); and no
# partial file under its final name, nor a temporary directory, after a
# transfer cut by the simulator (drop_after) or by a full disk, or a tar
# damaged in its header (corrupt_at); a flipped content byte gets through.
# Sourced by run.sh (ok, bad, check, start_sim, TMP); BOXTOP is the binary.

BOXTOP=${BOXTOP:-build/boxtop}
CP=$TMP/cp
mkdir -p "$CP/home" "$CP/out"

# bt ARGS...: boxtop with a scratch HOME; sets RC, output in $CP/stdout and $CP/stderr.
bt() {
	env -u BOXLITE_REST_URL -u BOXLITE_API_KEY -u BOXLITE_PROFILE -u BOXLITE_HOME \
		-u BOXLITE_REST_PATH_PREFIX HOME="$CP/home" "$BOXTOP" --url "$CP_URL" "$@" \
		>"$CP/stdout" 2>"$CP/stderr" </dev/null
	RC=$?
}
cp_rc() {
	if [ "$RC" = "$2" ]; then ok; else bad "$1: exit $RC, want $2 ($(head -c 300 "$CP/stderr"))"; fi
}
cp_saw() {
	if grep -Eq -- "$3" "$2"; then ok; else bad "$1: no /$3/ in: $(head -c 400 "$2")"; fi
}
# no_temps DIR DESC: no .boxtop-cp-* directory was left in DIR.
no_temps() {
	if ls -a "$1" | grep -q '^\.boxtop-cp-'; then bad "$2: temporary left in $1"; else ok; fi
}

start_sim cp --port 0 --boxes 4 --seed 7 --control
CP_URL=$URL
CP_PID=$PID

# a file, a tree with a subdirectory, an empty file and a symlink
head -c 1500000 /dev/urandom >"$CP/big.bin"
mkdir -p "$CP/tree/sub/deeper"
head -c 70000 /dev/urandom >"$CP/tree/sub/deeper/data"
printf 'hello\n' >"$CP/tree/sub/a.txt"
: >"$CP/tree/empty"
ln -s sub/a.txt "$CP/tree/link"

# --- a file in and out ---------------------------------------------------------
bt cp "$CP/big.bin" web-1:/tmp/big.bin
cp_rc 'cp a file in' 0
cp_saw 'cp in prints where it went' "$CP/stdout" '^/tmp/big\.bin$'
bt cp web-1:/tmp/big.bin "$CP/out/back.bin"
cp_rc 'cp a file out as a new name' 0
cp_saw 'cp out prints the path' "$CP/stdout" "^$CP/out/back\.bin$"
check 'the file came back byte for byte' cmp "$CP/big.bin" "$CP/out/back.bin"
bt cp web-1:/tmp/big.bin "$CP/out"
cp_rc 'cp a file into a directory' 0
check 'into a directory: DEST/name' cmp "$CP/big.bin" "$CP/out/big.bin"
bt --json cp web-1:/tmp/big.bin "$CP/out/j.bin"
cp_rc 'cp --json' 0
check 'cp --json is the job' test "$(jq -r '.kind + " " + .state' "$CP/stdout")" = "copy-from succeeded"

# --- a tree in and out ---------------------------------------------------------
bt cp "$CP/tree" web-2:/srv/app
cp_rc 'cp a tree in' 0
bt cp web-2:/srv/app "$CP/out/app"
cp_rc 'cp a tree out as a new name' 0
check 'the tree came back (diff -r)' diff -r "$CP/tree" "$CP/out/app"
check 'the symlink stayed a symlink' test "$(readlink "$CP/out/app/link")" = sub/a.txt
mkdir -p "$CP/out/into"
bt cp web-2:/srv/app/ "$CP/out/into"
cp_rc 'cp a tree into a directory' 0
check 'into a directory: DEST/name' diff -r "$CP/tree" "$CP/out/into/app"
bt cp web-2:/srv/app/. "$CP/out/contents"
cp_rc 'cp a directory'"'"'s /. contents' 0
check '/. copies the contents' diff -r "$CP/tree" "$CP/out/contents"
bt cp "$CP/tree/." web-2:/flat
cp_rc 'cp /. contents in' 0
bt cp web-2:/flat "$CP/out/flat"
check '/. in: the contents land in PATH' diff -r "$CP/tree" "$CP/out/flat"
bt cp "$CP/tree" web-2:/srv/app
cp_rc 'cp a tree onto an existing directory' 0
cp_saw 'it goes inside it' "$CP/stdout" '^/srv/app/tree$'
no_temps "$CP/out" 'after the copies'

# --- errors --------------------------------------------------------------------
curl -s -X POST "$CP_URL/v1/boxes/web-3/stop" >/dev/null
check 'web-3 is stopped' test "$(curl -s "$CP_URL/v1/boxes/web-3" | jq -r .status)" = stopped
bt cp web-3:/etc "$CP/out/stopped"
cp_rc 'cp from a stopped box' 1
cp_saw 'refused before asking: it would start the box' "$CP/stderr" 'not running.*start it first'
check 'nothing saved from a stopped box' test ! -e "$CP/out/stopped"
check 'web-3 still stopped' test "$(curl -s "$CP_URL/v1/boxes/web-3" | jq -r .status)" = stopped
bt cp "$CP/big.bin" web-3:/tmp/x
cp_rc 'cp into a stopped box' 1
cp_saw 'says the box must run (in)' "$CP/stderr" 'must be running'
bt cp web-1:/no/such/path "$CP/out/missing"
cp_rc 'cp of a missing path' 1
cp_saw 'says it is not found' "$CP/stderr" '404'
check 'nothing saved for a missing path' test ! -e "$CP/out/missing"
bt cp "$CP/no-such-file" web-1:/tmp/x
cp_rc 'cp of a missing local file' 1
cp_saw 'says the local file is missing' "$CP/stderr" 'No such file or directory'
bt cp web-1:/tmp/big.bin "$CP/big.bin/under-a-file"
cp_rc 'cp to a DEST under a file' 1
cp_saw 'says it cannot write there' "$CP/stderr" 'cannot (write in|use) .*Not a directory'
if [ "$(id -u)" != 0 ]; then
	mkdir -p "$CP/ro" && chmod 555 "$CP/ro"
	bt cp web-1:/tmp/big.bin "$CP/ro/x"
	cp_rc 'cp to a read-only directory' 1
	check 'nothing in the read-only directory' test -z "$(ls -A "$CP/ro")"
	chmod 755 "$CP/ro"
fi
bt cp "$CP/big.bin" "$CP/out/x"
cp_rc 'cp with no BOX:PATH side is a usage error' 2
cp_saw 'says one side must be BOX:PATH' "$CP/stderr" 'one side must be BOX:PATH'
bt cp web-1:/a web-2:/b
cp_rc 'cp between boxes is a usage error' 2

# --- no partial file: a full disk, a cut transfer -------------------------------
(
	trap '' XFSZ
	ulimit -f 200 # 100 KiB: the 1.5 MB file cannot fit
	bt cp web-1:/tmp/big.bin "$CP/out/full.bin"
	echo "$RC" >"$CP/rc"
)
RC=$(cat "$CP/rc")
cp_rc 'cp out onto a full disk' 1
check 'full disk: nothing under the final name' test ! -e "$CP/out/full.bin"
no_temps "$CP/out" 'full disk'
# fault FIELDS: one GET .../files rule that fires once, with FIELDS ("drop_after":N).
fault() {
	curl -s -X DELETE "$CP_URL/_sim/faults" >/dev/null
	curl -s -X POST "$CP_URL/_sim/faults" \
		-d '{"method":"GET","path":"*/files","count":1,'"$1"'}' >/dev/null
}
# fired: the rule fired (so the row tested the fault, not a clean copy).
fired() { [ "$(curl -s "$CP_URL/_sim/faults" | jq '.faults[0].fired')" = 1 ]; }
fault '"drop_after":300000'
bt cp web-1:/tmp/big.bin "$CP/out/cut.bin"
cp_rc 'cp out cut half way' 1
check 'the cut fired' fired
check 'cut: nothing under the final name' test ! -e "$CP/out/cut.bin"
cp_saw 'cut: says the copy failed and why' "$CP/stderr" \
	'copy-from failed: .*(transfer closed|connection|cut)'
no_temps "$CP/out" 'cut transfer'
# a flipped byte in the first tar header (its mode; the checksum then fails)
fault '"corrupt_at":100'
bt cp web-1:/tmp/big.bin "$CP/out/corrupt.bin"
cp_rc 'cp out of a damaged tar' 1
check 'the corruption fired' fired
check 'damaged tar: nothing under the final name' test ! -e "$CP/out/corrupt.bin"
cp_saw 'damaged tar: says so' "$CP/stderr" 'copy-from failed: .*(not a tar|damaged)'
no_temps "$CP/out" 'damaged tar'
# a flipped byte of content: tar has no checksum for it, the copy is whole but differs
fault '"corrupt_at":5000'
bt cp web-1:/tmp/big.bin "$CP/out/flipped.bin"
cp_rc 'cp out with a flipped content byte' 0
check 'the flipped byte arrives (the fault reaches the content)' \
	test "$(cmp "$CP/big.bin" "$CP/out/flipped.bin" 2>&1 | grep -c differ)" = 1
curl -s -X DELETE "$CP_URL/_sim/faults" >/dev/null
bt cp web-1:/tmp/big.bin "$CP/out/after.bin"
check 'with the faults cleared, a copy is whole again' cmp "$CP/big.bin" "$CP/out/after.bin"
stop_sim "$CP_PID" cp
