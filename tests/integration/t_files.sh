# Sourced by run.sh: a box's files, PUT and GET .../files with tar bodies.
# A tree made with tar(1) goes in and comes back byte for byte (diff -r,
# links and a hard link among it); a lone file lands under a new name;
# "/." gives a directory's contents; the refusals: 404 for a missing path
# or box, 409 for a stopped box and for overwrite=false, 400 for a body
# that is not a tar and for "..", 413 past --files-max; a 20 MiB file goes
# round trip with the simulator's memory bounded; serve brings a stopped
# box up for a copy (effect "resume").

# fl_put PATH-AND-QUERY FILE: PUT the file as a tar body; sets CODE.
fl_put() {
	req PUT "/v1/boxes/$FL_BOX/files?path=$1" -H 'Content-Type: application/x-tar' \
		--data-binary "@$2"
}
# fl_get PATH-AND-QUERY: GET into $TMP/body; sets CODE.
fl_get() { req GET "/v1/boxes/$FL_BOX/files?path=$1"; }
# fl_rss [FIELD]: the simulator's resident set in KiB (VmHWM: its peak so far).
fl_rss() { awk -v f="${1:-VmRSS}:" '$1 == f {print $2}' "/proc/$FL_PID/status"; }
fl_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: '$2', want '$3'"; fi; }

FL=$TMP/files
mkdir -p "$FL/src/app/sub" "$FL/out"
printf 'hello\n' >"$FL/src/app/a.txt"
head -c 70000 /dev/urandom >"$FL/src/app/sub/random.bin"
printf '' >"$FL/src/app/empty"
ln -s a.txt "$FL/src/app/link"
ln "$FL/src/app/a.txt" "$FL/src/app/hard.txt"
tar cf "$FL/app.tar" -C "$FL/src" app

start_sim files --port 0 --seed 1 --files-max 1M --state-dir "$TMP"
FL_PID=$PID
FL_BOX=web-1

# --- the seeded files ----------------------------------------------------------
fl_get /etc/hostname
expect 'get a seeded file' 200
check 'a tar' grep -qi '^content-type: application/x-tar' "$TMP/hdr"
fl_eq 'one member named by its last component' "$(tar tf "$TMP/body")" hostname
fl_eq 'the hostname is the box name' "$(tar xOf "$TMP/body" hostname)" web-1

# --- a tree round trip -----------------------------------------------------------
fl_put /srv "$FL/app.tar"
expect 'upload a tree' 204
fl_get /srv/app
expect 'download the tree' 200
mkdir "$FL/out/tree"
check 'the answer unpacks' tar xf "$TMP/body" -C "$FL/out/tree"
check 'byte for byte' diff -r "$FL/src/app" "$FL/out/tree/app"
check 'the link is a link' test -L "$FL/out/tree/app/link"
fl_get /srv/app/.
expect 'contents only' 200
fl_eq 'contents only: no app/ prefix' "$(tar tf "$TMP/body" | sort | head -1)" a.txt
fl_get /srv/app/link
fl_eq 'a link is sent as a link' "$(tar tvf "$TMP/body" | cut -c1)" l
fl_get '/srv/app/link&follow_symlinks=true'
fl_eq 'follow_symlinks sends the target' "$(tar xOf "$TMP/body")" hello

# --- one file under a new name -------------------------------------------------
printf 'renamed\n' >"$FL/one.txt"
tar cf "$FL/one.tar" -C "$FL" one.txt
fl_put /root/notes.txt "$FL/one.tar"
expect 'a lone file to a new name' 204
fl_get /root/notes.txt
fl_eq 'it is there under that name' "$(tar xOf "$TMP/body" notes.txt)" renamed
fl_put /root "$FL/one.tar"
expect 'a lone file into a directory' 204
fl_get /root/.
fl_eq 'it keeps its name there' "$(tar tf "$TMP/body" | grep -c '^one.txt$')" 1

# --- refusals --------------------------------------------------------------------
fl_get /no/such/path
error_is 'missing path' 404 NotFoundError not_found
FL_BOX=no-such-box fl_get /etc
error_is 'missing box' 404 NotFoundError not_found
FL_BOX=web-3 fl_get /etc
error_is 'a stopped box' 409 InvalidStateError invalid_state
FL_BOX=web-3 fl_put /srv "$FL/one.tar"
error_is 'upload to a stopped box' 409 InvalidStateError invalid_state
fl_put '/root/notes.txt&overwrite=false' "$FL/one.tar"
error_is 'overwrite=false and a file in the way' 409 ConflictError conflict
fl_get /root/notes.txt
fl_eq 'the file is unchanged' "$(tar xOf "$TMP/body" notes.txt)" renamed
printf 'this is not a tar archive at all\n' >"$FL/not.tar"
fl_put /srv "$FL/not.tar"
error_is 'not a tar' 400 InvalidArgumentError invalid_argument
req PUT "/v1/boxes/$FL_BOX/files" --data-binary "@$FL/app.tar"
error_is 'no path' 400 InvalidArgumentError invalid_argument
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
	tar cf "$FL/dotdot.tar" -C "$FL/src" --transform 's,^app/a.txt,../escape.txt,' app/a.txt
	fl_put /srv "$FL/dotdot.tar"
	error_is 'a ".." name' 400 InvalidArgumentError invalid_argument
	fl_get /escape.txt
	expect 'nothing escaped' 404
else
	skipped 'GNU tar (--transform) for the ".." archive'
fi
head -c 1200000 /dev/urandom >"$FL/big.bin"
tar cf "$FL/big.tar" -C "$FL" big.bin
fl_put /srv/big "$FL/big.tar"
error_is 'over --files-max' 413 PayloadTooLargeError payload_too_large
fl_get /srv/big
expect 'nothing of it landed' 404
fl_get /srv/app/a.txt
expect 'what was there stays' 200
stop_sim "$FL_PID" files

# --- 20 MiB round trip, memory bounded --------------------------------------------
start_sim files20 --port 0 --seed 1 --state-dir "$TMP"
FL_PID=$PID
FL_BOX=web-1
head -c $((20 << 20)) /dev/urandom >"$FL/huge.bin"
tar cf "$FL/huge.tar" -C "$FL" huge.bin
FL_RSS0=$(fl_rss)
CODE=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' -X PUT --data-binary "@$FL/huge.tar" \
	"$URL/v1/boxes/web-1/files?path=/data/")
fl_eq '20 MiB upload' "$CODE" 204
mkdir "$FL/out/huge"
curl -s --max-time 60 "$URL/v1/boxes/web-1/files?path=/data/huge.bin" | tar xf - -C "$FL/out/huge"
check '20 MiB back byte for byte' cmp "$FL/huge.bin" "$FL/out/huge/huge.bin"
FL_RSS1=$(fl_rss VmHWM)
# the file itself lives in memory (20 MiB); at their peak neither the upload
# nor the download may hold another copy of it
check "memory peaked under 2x the file ($FL_RSS0 -> $FL_RSS1 KiB)" \
	test $((FL_RSS1 - FL_RSS0)) -lt $((2 * 20 * 1024 + 8192))
stop_sim "$FL_PID" files20

# --- serve: a copy brings a stopped box up -----------------------------------------
start_sim files_serve --port 0 --seed 1 --flavor serve --control --state-dir "$TMP"
FL_PID=$PID
FL_BOX=web-3
fl_get /etc/hostname
expect 'serve: a stopped box is brought up' 200
fl_eq 'serve: it runs now' "$(curl -s "$URL/v1/boxes/web-3" | jq -r .status)" running
fl_eq 'serve: recorded as resume' "$(curl -s "$URL/_sim/effects" | jq -r '.counts.resume')" 1
fl_put '/root/one.txt' "$FL/one.tar"
fl_put '/root/one.txt&overwrite=false' "$FL/one.tar"
expect 'serve ignores overwrite' 204
stop_sim "$FL_PID" files_serve
