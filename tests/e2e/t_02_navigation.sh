# Navigation: j/k/G/g move the selection (checked in the detail view, which
# shows the selected box's name and id), Tab, Shift-Tab and 1-5 switch
# views, and the selection stays on its box through a refresh that adds a
# row above it and through re-sorts.

# detail_is NAME: Enter shows NAME's detail with its id; Esc goes back.
detail_is() {
	local id
	id=$(box_id "$1")
	keys Enter
	see "detail of $1" "^ name +$(re "$1") *$"
	see "detail id of $1" "^ id +$id *$"
	keys Escape
	see 'Esc goes back to the table' '^NAME'
}
# table_names: the names in the table, top to bottom.
table_names() { screen | grep -E '^[^ ].* [0-9A-Z]{12} ' | awk '{print $1}'; }

case_navigation() {
	local names first second third last idx
	start_sim nav --port 0 --seed 1 --control || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	names=$(sorted_names)
	first=$(sed -n 1p <<<"$names")
	second=$(sed -n 2p <<<"$names")
	third=$(sed -n 3p <<<"$names")
	last=$(tail -1 <<<"$names")
	detail_is "$first"
	keys j j
	detail_is "$third"
	keys k
	detail_is "$second"
	keys G
	detail_is "$last"
	keys j # past the end: stays
	detail_is "$last"
	keys g
	detail_is "$first"
	keys k # before the start: stays
	detail_is "$first"

	# views: Tab, Shift-Tab, 1-5 (6, the Logs view, in t_18); the tab bar highlights the current one
	see_tab 'Boxes first' '1 Boxes'
	keys Tab
	see_tab 'Tab: Detail' '2 Detail'
	see 'Detail view' "^ name +$(re "$first") *$"
	keys Tab
	see_tab 'Tab: Images' '3 Images'
	see 'Images view' '^REFERENCE +TAG +DIGEST'
	keys Tab
	see_tab 'Tab: Jobs' '4 Jobs'
	see 'Jobs view' '^STATE +JOB +PROGRESS'
	keys Tab
	see_tab 'Tab: Events' '5 Events'
	see 'Events view' '^TIME +EVENT \(newest first\)'
	keys Tab
	see_tab 'Tab: Logs' '6 Logs'
	see 'Logs view, nothing followed' 'l on a box follows its log'
	keys Tab
	see_tab 'Tab wraps to Boxes' '1 Boxes'
	keys BTab
	see_tab 'Shift-Tab: Logs' '6 Logs'
	keys BTab
	see_tab 'Shift-Tab: Events' '5 Events'
	keys 3
	see_tab '3: Images' '3 Images'
	see '3 shows images' '^REFERENCE'
	keys 2
	see_tab '2: Detail' '2 Detail'
	keys 4
	see_tab '4: Jobs' '4 Jobs'
	see '4 shows the jobs' 'no jobs yet'
	keys 5
	see_tab '5: Events' '5 Events'
	see '5 shows the events' 'server connected'
	keys 1
	see_tab '1: Boxes' '1 Boxes'
	see '1 shows the table' '^NAME'

	# the selection is a box: it survives a refresh that adds a row above it
	idx=$(grep -nx web-1 <<<"$names" | cut -d: -f1)
	keys g
	for ((i = 1; i < idx; i++)); do keys j; done
	detail_is web-1
	sim_post /_sim/boxes '{"name":"aaa-e2e-new","status":"stopped"}' >/dev/null
	see 'a box added behind the API shows after a refresh' '^aaa-e2e-new +[0-9A-Z]{12} '
	detail_is web-1
	# ... and re-sorts
	keys '>'
	see 'sorted by status' 'STATUS▲'
	see 'flash: sorted by' 'sorted by status'
	if [ "$(table_names)" != "$( (echo aaa-e2e-new; echo "$names") | LC_ALL=C sort)" ]; then ok; else bad 'the status sort did not reorder the table'; fi
	detail_is web-1
	keys r
	see 'r reverses' 'STATUS▼'
	detail_is web-1
	keys '<'
	see '< goes back to the name sort' 'NAME▲'
	is 'name order again' "$(table_names)" "$( (echo aaa-e2e-new; echo "$names") | LC_ALL=C sort)"
	detail_is web-1
	keys q
	see_exit 'q quits' 0
}

run_case 'navigation: j/k/G/g, views, selection through refresh and sort' case_navigation
