# Actions, each from the key press to the simulator's state (or the file on
# disk): snapshot, restore (stop first on a running box), delete snapshot,
# clone, export, import (Tab completes the path), start, stop, delete box;
# then the Jobs view. And the confirmations' default: Cancel.

# see_job STATE KIND WHO: the Jobs view shows KIND WHO in STATE.
see_job() {
	see "job $2 $3 $1" "^$1 +$(re "$2") +$(re "$3")"
}

case_actions() {
	local id snap exp f sum want
	exp=$TMP/actions-exports
	mkdir -p "$exp"
	start_sim actions --port 0 --seed 1 --disk-size 1M --control || return
	start_boxtop --url "$URL" -d 0.5 --export-dir "$exp"
	ready || return
	id=$(box_id web-1)
	is 'web-1 runs' "$(sim_jq /v1/boxes/web-1 .status)" running

	# S: a snapshot with the default name
	select_box web-1
	keys S
	see 'snapshot prompt' 'Snapshot web-1: name'
	see 'a default name' 'snap-[0-9]{8}-[0-9]{6}'
	snap=$(screen | grep -Eo 'snap-[0-9]{8}-[0-9]{6}' | head -1)
	keys Enter
	unseen 'the prompt closes' 'Snapshot web-1: name'
	api_wait 'S made the snapshot' "/v1/boxes/$id/snapshots" "[.snapshots[].name] == [\"$snap\"]"
	see 'the detail lists it' "^ +$(re "$snap") "
	see 'snapshots (1)' '^ snapshots \(1, asked'
	# a second one with a typed name, for d
	keys S
	see 'snapshot prompt again' 'Snapshot web-1: name'
	keys C-u
	type_text e2e-snap-2
	keys Enter
	api_wait 'S with a typed name' "/v1/boxes/$id/snapshots" '[.snapshots[].name] | index("e2e-snap-2") != null'
	see 'snapshots (2)' '^ snapshots \(2, asked'

	# R: pick the default-named snapshot; web-1 runs, so the flow stops it first
	keys R
	see 'restore pick' 'Restore which snapshot of web-1\?'
	see 'the pick lists both' "│ +e2e-snap-2 +│"
	pick 'Restore which snapshot of web-1' "$snap"
	see 'restore confirmation' "Restore web-1 to $(re "$snap")\\?"
	see 'offers stop then restore' 'It is running: stop it first, then restore'
	see 'the confirmation defaults to no' 'y yes   n/Esc/Enter no'
	keys y
	api_wait 'restore stopped web-1' /v1/boxes/web-1 '.status == "stopped"'
	keys 4
	see_job succeeded stop web-1
	see_job succeeded restore web-1
	keys 2
	see 'the detail shows it stopped' '^ status +. stopped *$'
	# the disk now comes from the snapshot: the server refuses to delete it
	is 'restored: its snapshot is in use' "$(sim_code DELETE "/v1/boxes/$id/snapshots/$snap")" 409

	# d: delete a snapshot, its name typed out
	keys d
	see 'delete-snapshot pick' 'Delete which snapshot of web-1\?'
	pick 'Delete which snapshot of web-1' e2e-snap-2
	see 'delete-snapshot confirmation' 'Delete snapshot e2e-snap-2 of web-1\?'
	see 'asks for the name' 'type e2e-snap-2 and Enter to confirm'
	type_text e2e-snap-2
	keys Enter
	code_wait 'd deleted the snapshot' GET "/v1/boxes/$id/snapshots/e2e-snap-2" 404
	is 'the restored snapshot stays' "$(sim_code GET "/v1/boxes/$id/snapshots/$snap")" 200
	see 'snapshots (1) again' '^ snapshots \(1, asked'

	# c: clone with a typed name
	keys c
	see 'clone prompt' 'Clone web-1: name of the new box'
	see 'clone default name' 'web-1-clone'
	keys C-u
	type_text e2e-clone
	keys Enter
	code_wait 'c made the clone' GET /v1/boxes/e2e-clone 200
	keys Escape
	see 'back to the table' '^NAME'
	keys Escape
	see 'the clone is listed' '^e2e-clone +[0-9A-Z]{12} '

	# e: export to a typed path
	select_box web-1
	keys e
	see 'export prompt' 'Export web-1 to'
	see 'the default name' '/web-1-[0-9]{8}-[0-9]{6}\.boxlite +│'
	see 'the prompt completes paths' 'Tab complete'
	keys C-a
	see 'the default is in --export-dir' "│ $(re "$exp")/web-1-"
	keys C-k
	f=$exp/web-1.boxlite
	type_text "$f"
	keys Enter
	# one message line: a fast export may have finished before the screen is read
	see 'export queued (or done already)' 'export web-1 (queued|succeeded)'
	if poll "$WAIT" test -s "$f"; then ok; else bad "no $f"; fi
	see 'export succeeded' 'export web-1 succeeded'
	no_part "$exp" 'after the export'
	check 'the export is a valid zstd stream' zstd -tq "$f"
	check 'the archive holds manifest.json' eval "tar --zstd -tf '$f' | grep -qx manifest.json"
	is 'the manifest names the box' "$(tar --zstd -xOf "$f" manifest.json 2>/dev/null | jq -r .box_name)" web-1
	sum=$(tar --zstd -xOf "$f" disk.qcow2 2>/dev/null | sha256sum | cut -c1-64)
	want=$(tar --zstd -xOf "$f" manifest.json 2>/dev/null | jq -r .container_disk_checksum)
	is 'the archive is complete (disk checksum as in the manifest)' "sha256:$sum" "$want"
	check 'the file is private' test "$(stat -c %a "$f")" = 600

	# i: import it back, the path completed with Tab
	keys i
	see 'import prompt' 'Import a .boxlite archive from'
	type_text "$exp/we"
	keys Tab
	see 'Tab completed the path' "│ +$(re "$f") +│"
	keys Enter
	see 'import name prompt' 'Import: name of the new box'
	type_text e2e-imported
	keys Enter
	code_wait 'i made the box' GET /v1/boxes/e2e-imported 200
	see 'import succeeded' 'import .* succeeded'
	keys Escape
	see 'back to the table after the import' '^NAME'
	keys Escape
	see 'the imported box is listed' '^e2e-imported +[0-9A-Z]{12} '

	# s: start the (stopped) clone, then stop it after y
	is 'the clone is stopped' "$(sim_jq /v1/boxes/e2e-clone .status)" stopped
	select_box e2e-clone
	see 'its detail says stopped' '^ status +. stopped *$'
	keys s
	api_wait 's started it' /v1/boxes/e2e-clone '.status == "running"'
	see 'the detail shows it running' '^ status +. running *$'
	keys s
	see 'stop asks' 'Stop e2e-clone\?'
	keys y
	api_wait 's then y stopped it' /v1/boxes/e2e-clone '.status == "stopped"'
	see 'the detail shows it stopped again' '^ status +. stopped *$'

	# D: the wrong name refuses, the right one deletes
	select_box e2e-imported
	keys D
	see 'delete asks' 'Delete box e2e-imported\?'
	see 'asks for the name' 'type e2e-imported and Enter to confirm'
	type_text e2e-importe
	keys Enter
	see 'a wrong name is refused' 'that is not e2e-imported'
	is 'still there after a wrong name' "$(sim_code GET /v1/boxes/e2e-imported)" 200
	keys C-u
	type_text e2e-imported
	keys Enter
	code_wait 'D deleted it' GET /v1/boxes/e2e-imported 404
	keys Escape
	see 'back to the table after the delete' '^NAME'
	keys Escape
	unseen 'the deleted box leaves the table' '^e2e-imported '

	# the Jobs view: every job succeeded
	keys 4
	see 'jobs view' '^STATE +JOB'
	see_job succeeded snapshot web-1
	see_job succeeded stop web-1
	see_job succeeded restore web-1
	see_job succeeded 'delete snapshot' web-1
	see_job succeeded clone web-1
	see_job succeeded export web-1
	see 'job import succeeded' '^succeeded +import +/.* made e2e-imported '
	see_job succeeded start e2e-clone
	see_job succeeded stop e2e-clone
	see_job succeeded delete e2e-imported
	is 'eleven jobs, all succeeded' "$(screen | grep -Ec '^succeeded ')" 11
	unseen 'no job failed' '^(failed|cancelled|running|queued) '
	keys q
	see_exit 'q quits' 0
}

# Confirmations default to Cancel: Enter alone deletes nothing, stops nothing.
case_confirm_default() {
	start_sim confirm --port 0 --seed 1 --disk-size 1M --control || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	select_box web-1
	keys D
	see 'delete asks' 'Delete box web-1\?'
	keys Enter
	see 'Enter without the name is refused' 'that is not web-1'
	keys Escape
	unseen 'Esc closes it' 'Delete box web-1\?'
	is 'web-1 is still there' "$(sim_code GET /v1/boxes/web-1)" 200
	keys s
	see 'stop asks' 'Stop web-1\?'
	keys Enter
	unseen 'Enter closes the question' 'Stop web-1\?'
	is 'web-1 still runs' "$(sim_jq /v1/boxes/web-1 .status)" running
	keys s
	see 'stop asks again' 'Stop web-1\?'
	keys n
	unseen 'n closes the question' 'Stop web-1\?'
	keys 4
	see 'no job was queued' 'no jobs yet'
	is 'web-1 still runs after n' "$(sim_jq /v1/boxes/web-1 .status)" running
	is 'web-1 is still there at the end' "$(sim_code GET /v1/boxes/web-1)" 200
	keys q
	see_exit 'q quits' 0
}

run_case 'actions: S R d c e i s D, then the Jobs view' case_actions
run_case 'confirmations default to Cancel' case_confirm_default
