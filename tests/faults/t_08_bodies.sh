# Row 8, bad bodies: truncated JSON, an HTML page instead of JSON (with 200
# and with 502), JSON of the wrong shape (the simulator cannot make one: a
# small python3 proxy in front of it answers GET /v1/boxes with [],
# {"boxes": 5}, {"boxes": [5, "x"]} or a box whose fields have the wrong
# types, and relays everything else; skipped without python3), a 50 MB body
# (valid JSON padded with spaces: under boxtop's HTTP_BODY_MAX, so taken)
# and one past HTTP_BODY_MAX (refused), and a body dripped one byte a
# second (boxtop gives up after its 30 s API timeout; run once, in batch
# mode, on the box metrics, which are read once a refresh: a dripped box
# list is read API_READ_TRIES times, 30 s each). Batch mode exits 1 naming
# what was wrong; the dashboard shows SERVER DOWN (the box list) or degraded
# (the runtime metrics) with the same words, keeps answering keys, and is
# connected again once the fault is cleared.
#
# The dashboard asks for the list with If-None-Match, and the simulator
# answers 304 (no body to mangle) while the list is unchanged: a box is
# added behind its back with each list fault, so the next list is a 200.

F08_MAX=$(($(sed -n 's/^#define HTTP_BODY_MAX (\([0-9u *]*\)).*/\1/p' "$ROOT/net/http.h" | tr -d u)))

# f08_batch NAME ARGS...: boxtop ARGS outside tmux, 60 s at most; NAME.rc/.out/.err in $TMP/b08.
f08_batch() {
	local base=$TMP/b08/$1
	shift
	env -u BOXLITE_REST_URL -u BOXLITE_API_KEY HOME="$TMP/home" timeout 60 "$BOXTOP" "$@" \
		>"$base.out" 2>"$base.err" </dev/null
	echo $? >"$base.rc"
}
# f08_failed NAME REGEX: run NAME exited 1, printed nothing, and said REGEX in one line.
f08_failed() {
	local base=$TMP/b08/$1
	is "$1: exit status" "$(cat "$base.rc")" 1
	check "$1: nothing on stdout" test ! -s "$base.out"
	is "$1: one line on stderr" "$(wc -l <"$base.err")" 1
	if grep -Eq -- "$2" "$base.err"; then ok; else bad "$1: no /$2/ in: $(head -c 300 "$base.err")"; fi
}
f08_fault() { sim_post /_sim/faults "$1" >/dev/null; }
f08_clear() { curl -s --max-time 5 -X DELETE "$URL/_sim/faults" >/dev/null; }

# f08_proxy UPSTREAM: starts the wrong-shape proxy (python3) in front of
# UPSTREAM; sets PROXY (its URL); its mode file is $TMP/f08.mode ("ok" relays).
f08_proxy() {
	local i
	echo ok >"$TMP/f08.mode"
	cat >"$TMP/f08_proxy.py" <<'EOF'
import http.server, sys, urllib.request, urllib.error
upstream, modefile = sys.argv[1], sys.argv[2]
SHAPES = {"array": b"[]", "number": b'{"boxes": 5}', "items": b'{"boxes": [5, "x"]}',
          "fields": b'{"boxes": [{"box_id": 7, "name": ["web"], "status": {}}]}'}
class H(http.server.BaseHTTPRequestHandler):
    def relay(self):
        with open(modefile) as f:
            mode = f.read().strip()
        if self.path.split("?")[0] == "/v1/boxes" and mode in SHAPES:
            self.answer(200, {"Content-Type": "application/json"}, SHAPES[mode])
            return
        n = int(self.headers.get("Content-Length") or 0)
        req = urllib.request.Request(upstream + self.path, data=self.rfile.read(n) if n else None,
                                     method=self.command)
        for k in ("Authorization", "Content-Type", "Idempotency-Key"):
            if k in self.headers:
                req.add_header(k, self.headers[k])
        try:
            r = urllib.request.urlopen(req, timeout=30)
            status, hdrs, body = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, body = e.code, e.headers, e.read()
        self.answer(status, hdrs, body)
    def answer(self, status, hdrs, body):
        self.send_response(status)
        for k in ("Content-Type", "X-Request-Id", "Retry-After"):
            if hdrs.get(k):
                self.send_header(k, hdrs[k])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = do_DELETE = relay
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print("listening on http://127.0.0.1:%d" % srv.server_address[1], flush=True)
srv.serve_forever()
EOF
	python3 "$TMP/f08_proxy.py" "$1" "$TMP/f08.mode" >"$TMP/f08_proxy.out" 2>"$TMP/f08_proxy.err" &
	F08_PROXY_PID=$!
	EXTRA_PIDS+=("$F08_PROXY_PID")
	PROXY=""
	for ((i = 0; i < 50; i++)); do
		PROXY=$(sed -n 's/^listening on //p' "$TMP/f08_proxy.out")
		[ -n "$PROXY" ] && return 0
		sleep 0.1
	done
	bad "the python3 proxy did not start: $(head -c 300 "$TMP/f08_proxy.err")"
	return 1
}
f08_proxy_stop() {
	kill "$F08_PROXY_PID" 2>/dev/null
	wait "$F08_PROXY_PID" 2>/dev/null
}

F08_SHAPES=(array number items fields)
F08_SAID=("box list: expected an object" "box list: field 'boxes': expected an array"
	"boxes\\[0\\]: expected an object" "boxes\\[0\\]: field 'box_id': expected a string")

case_batch_bodies() {
	local drip_url drip_pid total i
	mkdir -p "$TMP/b08"
	# the drip first, in the background, on a simulator of its own: it takes the 30 s
	start_sim drip08 --port 0 --boxes 2 --seed 5 --control --disk-size 1M || return
	drip_url=$URL
	f08_fault '{"method":"GET","path":"/v1/boxes/*/metrics","drip_ms":1000}'
	f08_batch drip --url "$drip_url" --json &
	drip_pid=$!

	start_sim b08 --port 0 --boxes 3 --seed 5 --control --disk-size 1M || return
	total=$(sim_jq /v1/boxes '.boxes | length')
	f08_fault '{"method":"GET","path":"/v1/boxes","truncate":1}'
	f08_batch truncated --url "$URL" -b -n 1
	f08_failed truncated 'box list: not valid JSON \[request sim-[0-9a-f]+\]$'
	f08_clear
	f08_fault '{"method":"GET","path":"/v1/boxes","not_json":1}'
	f08_batch html --url "$URL" -b -n 1
	f08_failed html 'box list: not valid JSON'
	f08_clear
	f08_fault '{"method":"GET","path":"/v1/boxes","not_json":1,"status":502,"count":4}'
	f08_batch html502 --url "$URL" --json
	f08_failed html502 'unavailable \(502\): <html>.*502 Bad Gateway.* \[request sim-[0-9a-f]+\]$'
	f08_clear
	f08_fault '{"method":"GET","path":"/v1/metrics","truncate":1}'
	f08_batch metrics --url "$URL" --json
	is 'truncated metrics: exit 1' "$(cat "$TMP/b08/metrics.rc")" 1
	is 'truncated metrics: degraded' "$(jq -r .connection.status "$TMP/b08/metrics.out" 2>&1)" degraded
	check 'truncated metrics: why' grep -q 'runtime metrics: not valid JSON' "$TMP/b08/metrics.err"
	is 'truncated metrics: the boxes are all there' "$(jq '.boxes | length' "$TMP/b08/metrics.out" 2>&1)" "$total"
	f08_clear

	f08_fault '{"method":"GET","path":"/v1/boxes","pad_bytes":50000000}'
	f08_batch pad50 --url "$URL" --json
	is '50 MB of valid JSON: taken (exit 0)' "$(cat "$TMP/b08/pad50.rc")" 0
	is '50 MB: every box' "$(jq '.boxes | length' "$TMP/b08/pad50.out" 2>&1)" "$total"
	is '50 MB: the padding was sent' "$(sim_jq /_sim/faults '.faults[0].fired')" 1
	f08_clear
	f08_fault "{\"method\":\"GET\",\"path\":\"/v1/boxes\",\"pad_bytes\":$((F08_MAX + 1000000))}"
	f08_batch huge --url "$URL" -b -n 1
	f08_failed huge "answer larger than $F08_MAX bytes\$"
	f08_clear

	if command -v python3 >/dev/null; then
		f08_proxy "$URL" || return
		for i in "${!F08_SHAPES[@]}"; do
			echo "${F08_SHAPES[$i]}" >"$TMP/f08.mode"
			f08_batch "shape-${F08_SHAPES[$i]}" --url "$PROXY" -b -n 1
			f08_failed "shape-${F08_SHAPES[$i]}" "GET $(re "$PROXY")/v1/boxes.*: ${F08_SAID[$i]}\$"
		done
		echo ok >"$TMP/f08.mode"
		f08_batch shape-ok --url "$PROXY" -b -n 1
		is 'through the proxy, the right shape: exit 0' "$(cat "$TMP/b08/shape-ok.rc")" 0
		f08_proxy_stop
	fi

	wait "$drip_pid"
	is 'dripped metrics: exit 1' "$(cat "$TMP/b08/drip.rc")" 1
	check 'dripped metrics: says it timed out after 30 s' \
		grep -Eq '^boxtop: metrics of 2 boxes: .*timed out after 3[0-9]{4} milliseconds' "$TMP/b08/drip.err"
	is 'dripped metrics: degraded' "$(jq -r .connection.status "$TMP/b08/drip.out" 2>&1)" degraded
	is 'dripped metrics: the boxes are there' "$(jq '.boxes | length' "$TMP/b08/drip.out" 2>&1)" 2
}

# f08_down DESC REGEX: the banner says REGEX, the header down, and the keys answer.
f08_down() {
	keys C-l
	see "$1: SERVER DOWN" "^ SERVER DOWN \\(showing the last data\\): .*$2"
	see "$1: the header says down" '^ boxtop down'
	keys 4
	see_tab "$1: 4 answers" '4 Jobs'
	keys 1
	see_tab "$1: 1 answers" '1 Boxes'
}
# f08_back DESC ROWS: after the cause is gone, connected with ROWS rows.
f08_back() {
	keys C-l
	see "$1: connected again" '^ boxtop connected ' 15
	unseen "$1: the banner goes" 'SERVER DOWN'
	see_rows "$1: the rows" "$2"
}

case_dashboard_bodies() {
	local n=3 what i
	start_sim d08 --port 0 --boxes 3 --seed 5 --control --disk-size 1M || return
	start_boxtop --url "$URL" -d 0.5
	ready || return
	for what in '"truncate":1' '"not_json":1' '"not_json":1,"status":502' "\"pad_bytes\":$((F08_MAX + 1000000))"; do
		f08_fault "{\"method\":\"GET\",\"path\":\"/v1/boxes\",$what}"
		n=$((n + 1))
		sim_post /_sim/boxes "{\"name\":\"added-$n\",\"status\":\"stopped\"}" >/dev/null
		case $what in
		*502*) f08_down "$what" 'unavailable \(502\): <html>' ;;
		*pad*) f08_down "$what" "answer larger than $F08_MAX bytes" ;;
		*) f08_down "$what" 'box list: not valid JSON' ;;
		esac
		f08_clear
		f08_back "$what cleared" "$n"
	done
	f08_fault '{"method":"GET","path":"/v1/metrics","truncate":1}'
	keys C-l
	see 'truncated metrics: degraded' '^ boxtop degraded '
	see_rows 'truncated metrics: the rows stay' "$n"
	keys 5
	see_tab 'degraded: 5 answers' '5 Events'
	f08_clear
	keys 1 C-l
	see 'metrics back: connected' '^ boxtop connected ' 15

	if command -v python3 >/dev/null; then
		f08_proxy "$URL" || return
		start_boxtop --url "$PROXY" -d 0.5
		ready || return
		for i in "${!F08_SHAPES[@]}"; do
			echo "${F08_SHAPES[$i]}" >"$TMP/f08.mode"
			f08_down "shape ${F08_SHAPES[$i]}" "${F08_SAID[$i]}"
			echo ok >"$TMP/f08.mode"
			f08_back "shape ${F08_SHAPES[$i]} gone" "$n"
		done
	fi
	keys q
	see_exit 'q quits' 0
	is 'the alternate screen is left' "$(pane '#{alternate_on}')" 0
	if [ -n "${F08_PROXY_PID:-}" ]; then f08_proxy_stop; fi
}

run_case 'bodies in batch mode: truncated, HTML, wrong shape, 50 MB, past the cap, dripped' case_batch_bodies
run_case 'bodies in the dashboard: down, keys, back when cleared' case_dashboard_bodies
if ! command -v python3 >/dev/null; then
	skip 'wrong-shape JSON (batch and dashboard)' 'no python3 for the proxy that answers it'
fi
