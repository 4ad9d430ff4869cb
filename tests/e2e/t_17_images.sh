# The Images view: the cache's list and, under it, the selected image's
# detail (curated, tags, each version with its digest shortened as docker
# shows it, its source and size), following the selection, a name with a
# '/' included; a detail the server cannot give says why instead of
# waiting; D deletes the selected image once its name is typed: the job
# succeeds and the image leaves the list and the server.

# e17_row REFERENCE: its row in the simulator's list (the view's order).
e17_row() { sim_jq /v1/images "[.images[].reference] | index(\"$1\")"; }
# e17_select REFERENCE: moves the Images view's selection to it.
e17_select() {
	local k row
	row=$(e17_row "$1")
	keys g
	for ((k = 0; k < row; k++)); do keys j; done
}

case_images() {
	local digest
	start_sim images --port 0 --seed 1 --control || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	keys 3
	see_tab 'the Images view' '3 Images'
	see 'the list' '^REFERENCE +TAG +DIGEST'
	see 'the first image, selected' '^alpine:3\.20 '
	see 'the detail of the selected image' '^IMAGE +alpine *$'
	see 'an official image is curated' '^ curated +yes *$'
	see 'its tags, newest first' '^ tags +latest, 3\.20 *$'
	digest=$(sim_jq /v1/images/alpine '.versions[0].digest[7:19]')
	see 'its newest version: digest shortened, source' "^ $digest +alpine:latest +[0-9]+[smhdy] +[0-9.]+ [KMG]iB *$"
	digest=$(sim_jq /v1/images/alpine '.versions[1].digest[7:19]')
	see 'its older version' "^ $digest +alpine:3\\.20 "

	# a name with a '/': the detail follows the selection
	e17_select ghcr.io/acme/worker:1.4.2
	see 'the detail follows the selection' '^IMAGE +ghcr\.io/acme/worker *$'
	see 'a registry image is not curated' '^ curated +no *$'
	see 'both its tags' '^ tags +1\.3\.0, 1\.4\.2 *$'
	see 'both its versions' '^ [0-9a-f]{12} +ghcr\.io/acme/worker:1\.4\.2 '

	# a detail the server does not give: why, not a spinner
	sim_post /_sim/faults '{"spec":"GET /v1/images/debian:status=404"}' >/dev/null
	e17_select debian:12
	see 'an unreadable detail says why' '^ no detail: not_found \(404\): '
	sim_code DELETE /_sim/faults >/dev/null

	# D on an image no box runs
	e17_select busybox:1.36
	see 'busybox selected' '^IMAGE +busybox *$'
	is 'busybox is cached' "$(sim_code GET /v1/images/busybox)" 200
	keys D
	see 'D asks' 'Delete image busybox\?'
	see 'D asks for the name' 'type busybox and Enter to confirm'
	type_text busybox
	keys Enter
	code_wait 'D deleted it on the server' GET /v1/images/busybox 404
	api_wait 'and from its list' /v1/images '[.images[].repository] | index("busybox") == null'
	see 'the job succeeded' 'delete image busybox succeeded'
	unseen 'busybox left the list on screen' '^busybox:1\.36 '
	keys 4
	see 'the Jobs view has it' '^succeeded +delete image busybox'
	keys q
	see_exit 'q quits' 0
}

run_case 'images: the detail under the list, D deletes an unused image' case_images
