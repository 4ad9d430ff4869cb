# The filter: `/` filters as it is typed ("filter: web (3 of N)" in the tab
# bar), Enter keeps it, Esc in the boxes view clears it, Esc while typing
# drops it; status:running.

case_filter() {
	local total web running
	start_sim filter --port 0 --seed 1 || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	total=$(sim_jq /v1/boxes '.boxes | length')
	# free text is a case-insensitive substring of the name, the id or the image
	web=$(sim_jq /v1/boxes '[.boxes[] | select((.name + " " + .box_id + " " + (.image // "")) | ascii_downcase | contains("web"))] | length')
	is 'the fleet has three web boxes' "$web" 3
	running=$(sim_jq /v1/boxes '[.boxes[] | select(.status == "running")] | length')

	keys /
	see 'the filter line opens' "^/ *$"
	type_text web
	see 'filter count while typing' "filter: web \\($web of $total\\)"
	see 'the filter line shows the text' '^/web *$'
	see_rows 'only the web boxes while typing' "$web"
	unseen 'api-gateway is filtered out' '^api-gateway '
	keys Enter
	unseen 'Enter closes the filter line' '^/web'
	see 'Enter keeps the filter' "filter: web \\($web of $total\\)"
	see_rows 'still only the web boxes' "$web"
	for n in web-1 web-2 web-3; do
		see "$n is listed" "^$n +[0-9A-Z]{12} "
	done
	keys G Enter
	see 'navigation within the filter: G is the last web box' '^ name +web-3 *$'
	keys Escape
	see 'back to the table' '^NAME'
	see 'the filter survives the detail view' "filter: web \\($web of $total\\)"
	keys Escape
	see 'Esc in the boxes view clears the filter' 'filter cleared'
	unseen 'no filter in the tab bar' 'filter: '
	see_rows 'every box again' "$total"

	keys /
	see 'the filter line opens again' "^/ *$"
	type_text status:running
	keys Enter
	see 'status filter' "filter: status:running \\($running of $total\\)"
	see_rows 'running boxes only' "$running"
	if screen | grep -E '^[^ ].* [0-9A-Z]{12} ' | grep -Eqv ' running '; then
		bad 'a row that is not running is shown'
	else
		ok
	fi
	keys Escape
	unseen 'status filter cleared' 'filter: '
	see_rows 'every box after the status filter' "$total"

	keys /
	type_text zzz-nothing
	see 'no match' "filter: zzz-nothing \\(0 of $total\\)"
	see 'says no box matches' 'no box matches the filter'
	keys Escape
	unseen 'Esc while typing drops the filter' 'filter: '
	unseen 'the filter line closes' '^/zzz'
	see_rows 'every box after Esc while typing' "$total"
	keys q
	see_exit 'q quits' 0
}

run_case 'filter: text, Enter keeps, Esc clears, status:running' case_filter
