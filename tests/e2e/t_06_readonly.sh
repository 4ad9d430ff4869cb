# --readonly: every mutating key is refused on the message line before a
# prompt opens, and nothing reaches the server. Capabilities the server's
# /v1/config turns off (boxlite-sim --disable) are refused the same way.

case_readonly() {
	local id before
	start_sim readonly --port 0 --seed 1 --disk-size 1M --control || return
	start_boxtop --url "$URL" -d 0.5 --readonly
	ready || return
	see 'the header says read-only' '\| read-only'
	id=$(box_id web-1)
	before=$(sim_jq /v1/boxes '.boxes | length')
	select_box web-1
	keys S
	see 'S is refused on the message line' 'snapshot the box: read-only mode \(--readonly\)'
	if [[ $(message_line) == *read-only* ]]; then ok; else bad "the message line is '$(message_line)'"; fi
	unseen 'no snapshot prompt' 'Snapshot web-1: name'
	keys c
	see 'c is refused' 'clone the box: read-only mode'
	keys e
	see 'e is refused' 'export to a \.boxlite file: read-only mode'
	keys s
	see 's is refused' 'start / stop the box: read-only mode'
	keys D
	see 'D is refused' 'delete the box: read-only mode'
	keys i
	see 'i is refused' 'import a \.boxlite file: read-only mode'
	unseen 'no modal opened' '(Clone|Export|Stop|Delete box|Import)'
	keys 3
	see 'the Images view' '^REFERENCE +TAG'
	keys D
	see 'D in the Images view is refused' 'delete the image: read-only mode'
	unseen 'no image delete asked' 'Delete image'
	keys 2
	keys '?'
	see 'the help marks S off' 'S      snapshot the box  \[off: read-only mode \(--readonly\)\]'
	keys x
	unseen 'the help closes' 'keys \(any key closes\)'
	keys 4
	see 'no job was queued' 'no jobs yet'
	is 'no snapshot on the server' "$(sim_jq "/v1/boxes/$id/snapshots" '.snapshots | length')" 0
	is 'no box added or removed' "$(sim_jq /v1/boxes '.boxes | length')" "$before"
	is 'web-1 still runs' "$(sim_jq /v1/boxes/web-1 .status)" running
	keys q
	see_exit 'q quits' 0
}

run_case 'read-only: S refused, nothing created' case_readonly
case_capabilities() {
	local id before
	start_sim caps --port 0 --seed 1 --disk-size 1M --disable snapshots,clone,import || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	id=$(box_id web-1)
	before=$(sim_jq /v1/boxes '.boxes | length')
	select_box web-1
	keys S
	see 'S says the server does not support it' 'snapshot the box: this server does not support snapshot'
	unseen 'no snapshot prompt' 'Snapshot web-1: name'
	keys R
	see 'R too' 'restore a snapshot: this server does not support snapshot'
	keys c
	see 'c says so' 'clone the box: this server does not support clon'
	keys i
	see 'i says so' 'import a \.boxlite file: this server does not support import'
	keys e
	see 'e, which the server allows, opens its prompt' 'Export web-1 to'
	keys Escape
	wait_gone 'Export web-1 to'
	keys '?'
	see 'the help marks S off with the reason' 'S +snapshot the box +\[off: this server does not support snapshot\]'
	unseen 'the help leaves e on' 'e +export to a \.boxlite file +\[off'
	keys x
	is 'no snapshot on the server' "$(sim_jq "/v1/boxes/$id/snapshots" '.snapshots | length')" 0
	is 'no box added' "$(sim_jq /v1/boxes '.boxes | length')" "$before"
	keys q
	see_exit 'q quits' 0
}

run_case 'capabilities the server turns off are refused and explained' case_capabilities
