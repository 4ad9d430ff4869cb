# Row 10: archives that must not be kept or sent. An export with one byte
# flipped (corrupt_at: complete, but the disk's checksum no longer matches
# the manifest) is refused with no file and no .part, by `boxtop export`
# and in the dashboard; an export into a full file system (a 2 MiB tmpfs) says
# "No space left on device" and leaves the tmpfs empty; an import of a
# corrupt file is refused and the simulator gets no new box.

# f10_cli ARGS...: boxtop as a command; sets RC, output in $TMP/f10_cli.{out,err}.
f10_cli() {
	"$BOXTOP" "$@" >"$TMP/f10_cli.out" 2>"$TMP/f10_cli.err" </dev/null
	RC=$?
}
# f10_said DESC REGEX: boxtop's stderr has a line matching REGEX.
f10_said() {
	if grep -Eq -- "$2" "$TMP/f10_cli.err"; then ok; else bad "$1: no /$2/ in: $(head -c 400 "$TMP/f10_cli.err")"; fi
}
f10_count() { sim_jq /v1/boxes '.boxes | length'; }
# f10_fault JSON-FIELDS: replaces the simulator's fault rules with one.
f10_fault() {
	curl -s -X DELETE "$URL/_sim/faults" >/dev/null
	sim_post /_sim/faults "{$1}" >/dev/null
}
f10_fired() { sim_jq /_sim/faults '[.faults[].fired] | add // 0'; }

case_corrupt_export() {
	local dir=$TMP/corrupt10 size at
	mkdir -p "$dir"
	start_sim corrupt10 --port 0 --boxes 3 --seed 7 --disk-size 4M --control || return
	size=$(curl -s --max-time 30 -X POST -d '{}' -o /dev/null -w '%{size_download}' "$URL/v1/boxes/web-1/export")
	for at in 5000 $((size / 2)) $((size - 200)); do
		f10_fault "\"method\":\"POST\",\"path\":\"*/export\",\"corrupt_at\":$at,\"count\":1"
		f10_cli --url "$URL" export web-1 -o "$dir/bad.boxlite"
		is "byte $at of $size flipped: exit status" "$RC" 1
		is "byte $at flipped: the fault fired" "$(f10_fired)" 1
		f10_said "byte $at flipped: says the checksum does not match" \
			'^boxtop: export failed: the exported archive does not verify: checksum mismatch: manifest says sha256:[0-9a-f]+\.*, disk\.qcow2 is sha256:'
		check "byte $at flipped: no file" test ! -e "$dir/bad.boxlite"
		no_part "$dir" "byte $at flipped"
	done
	# and in the dashboard: the job fails with the same words
	f10_fault "\"method\":\"POST\",\"path\":\"*/export\",\"corrupt_at\":$((size / 2)),\"count\":1"
	start_boxtop --url "$URL" -d 0.5
	ready || return
	select_box web-1
	keys e
	see 'the export prompt' 'Export web-1 to'
	keys C-u
	type_text "$dir/dash.boxlite"
	keys Enter
	see 'the dashboard: the export fails as not verified' 'export web-1 failed: the exported archive does not verify: checksum mismatch'
	keys 4
	see 'the job is failed' '^failed +export +web-1 '
	check 'the dashboard: no file' test ! -e "$dir/dash.boxlite"
	no_part "$dir" 'the dashboard'
	keys q
	see_exit 'q quits' 0
	is 'the directory is empty' "$(ls -A "$dir")" ""
}

F10_MNT=$TMP/full10
# f10_mount: a 2 MiB tmpfs at F10_MNT (unmounted on exit too); fails without the privilege.
f10_mount() {
	mkdir -p "$F10_MNT"
	mount -t tmpfs -o size=2m tmpfs "$F10_MNT" 2>"$TMP/f10_mount.err" || return 1
	trap 'f10_umount; cleanup' EXIT
}
f10_umount() {
	if mountpoint -q "$F10_MNT"; then umount "$F10_MNT" || umount -l "$F10_MNT"; fi
	trap cleanup EXIT
}

case_full_disk() {
	local before
	# 16 MiB of disk: an archive of about 8 MiB into 2 MiB
	start_sim full10 --port 0 --boxes 3 --seed 7 --disk-size 16M || return
	before=$(f10_count)
	f10_cli --url "$URL" export web-1 -o "$F10_MNT/big.boxlite"
	is 'an export into a full file system: exit status' "$RC" 1
	f10_said 'says the disk is full' '^boxtop: export failed: .*No space left on device'
	check 'no file on the full file system' test ! -e "$F10_MNT/big.boxlite"
	no_part "$F10_MNT" 'the full file system'
	is 'the tmpfs is empty afterwards' "$(ls -A "$F10_MNT")" ""
	is 'the tmpfs has its space back' "$(df --output=used -k "$F10_MNT" | tail -1 | tr -d ' ')" 0
	is 'the simulator is as before' "$(f10_count)" "$before"
	# a small box still fits: the failure left nothing behind that blocks the next one
	stop_case_sims
	start_sim small10 --port 0 --boxes 3 --seed 7 --disk-size 1M || return
	f10_cli --url "$URL" export web-1 -o "$F10_MNT/small.boxlite"
	is 'a small export onto the same tmpfs: exit status' "$RC" 0
	check 'it is there and complete' tar --zstd -tf "$F10_MNT/small.boxlite"
	no_part "$F10_MNT" 'after the small export'
	f10_umount
	check 'the tmpfs is unmounted' eval "! mountpoint -q '$F10_MNT'"
}

case_corrupt_import() {
	local dir=$TMP/imp10 before
	mkdir -p "$dir/x"
	start_sim imp10 --port 0 --boxes 3 --seed 7 --disk-size 4M --control || return
	curl -s -X POST -d '{}' -o "$dir/good.boxlite" "$URL/v1/boxes/web-1/export"
	check 'a good archive to spoil' tar --zstd -tf "$dir/good.boxlite"
	before=$(f10_count)
	# watch every upload: a rule that only delays POST */import counts them
	f10_fault '"method":"POST","path":"*/import*","latency_ms":1'
	# cut short: the manifest's frame never ends
	head -c 1000 "$dir/good.boxlite" >"$dir/short.boxlite"
	f10_cli --url "$URL" import "$dir/short.boxlite"
	is 'a truncated file: exit status' "$RC" 1
	f10_said 'a truncated file: refused as not an archive' 'short\.boxlite is not a \.boxlite archive'
	# the zstd magic broken
	cp "$dir/good.boxlite" "$dir/magic.boxlite"
	printf '\377\377\377\377' | dd of="$dir/magic.boxlite" bs=1 seek=0 conv=notrunc 2>/dev/null
	f10_cli --url "$URL" import "$dir/magic.boxlite"
	is 'a broken header: exit status' "$RC" 1
	f10_said 'a broken header: refused as not an archive' 'magic\.boxlite is not a \.boxlite archive'
	is 'neither was uploaded' "$(f10_fired)" 0
	is 'no new box' "$(f10_count)" "$before"
	# a disk that does not match the manifest's checksum, repacked as a
	# valid zstd tar: only hashing the disk can tell. boxtop checks the
	# manifest before sending (a peek, not a second read of a multi-GB
	# file: net/archive.h) and leaves the disk's hash to the server, which
	# refuses it; what matters is that nothing is made of it.
	tar --zstd -xf "$dir/good.boxlite" -C "$dir/x"
	printf 'XXXX' | dd of="$dir/x/disk.qcow2" bs=1 seek=4096 conv=notrunc 2>/dev/null
	tar --zstd -cf "$dir/mismatch.boxlite" -C "$dir/x" manifest.json disk.qcow2
	f10_cli --url "$URL" import "$dir/mismatch.boxlite" --name spoiled
	is 'a checksum mismatch: exit status' "$RC" 1
	f10_said 'a checksum mismatch: says so' 'import failed: .*checksum mismatch'
	is 'a checksum mismatch: uploaded once, refused by the server' "$(f10_fired)" 1
	is 'no new box after the mismatch' "$(f10_count)" "$before"
	code_wait 'no box named spoiled' GET /v1/boxes/spoiled 404
	is 'nothing on stdout' "$(cat "$TMP/f10_cli.out")" ""
	check 'the simulator keeps no upload' eval "! ls '$TMP'/state.imp10.*/upload-* >/dev/null 2>&1"
}

run_case 'an export with a flipped byte (corrupt_at)' case_corrupt_export
if f10_mount; then
	run_case 'an export into a full tmpfs' case_full_disk
	f10_umount
else
	echo "faults: t_10: the full-disk case is skipped: mount -t tmpfs failed: $(head -c 200 "$TMP/f10_mount.err")" >&2
	skip 'an export into a full tmpfs' "mount -t tmpfs failed (no privilege?): $(head -c 120 "$TMP/f10_mount.err")"
fi
run_case 'an import of a corrupt file' case_corrupt_import
