# boxtop's config file and --print-config: values in effect and where they
# came from, flags over the file, every bad file refused with its path, and
# the key never printed. Sourced by run.sh (ok, bad, check, TMP); BOXTOP.

BOXTOP=${BOXTOP:-build/boxtop}
CFG=$TMP/cfg
mkdir -p "$CFG/xdg/boxtop" "$CFG/home"

# pc ARGS...: boxtop --print-config with the scratch config; RC, $CFG/out, $CFG/err.
pc() {
	env -u BOXLITE_REST_URL -u BOXLITE_PROFILE -u BOXLITE_HOME -u BOXLITE_REST_PATH_PREFIX \
		HOME="$CFG/home" XDG_CONFIG_HOME="$CFG/xdg" ${PC_ENV[@]+"${PC_ENV[@]}"} \
		"$BOXTOP" --print-config "$@" >"$CFG/out" 2>"$CFG/err" </dev/null
	RC=$?
}
PC_ENV=()
line_is() {
	local got
	got=$(sed -n "s/^$2  *//p" "$CFG/out")
	if [ "$got" = "$3" ]; then ok; else bad "$1: '$2' is '$got', want '$3'"; fi
}

pc
check 'no config file: exit 0' test "$RC" = 0
line_is 'defaults' 'config file' "$CFG/xdg/boxtop/config.toml (not there: defaults)"
line_is 'default refresh' refresh '2.0 s'
line_is 'default workers' workers 4
line_is 'default url' url 'http://localhost:8100'
line_is 'prefix asked' 'path prefix' '(asked of the server: GET /v1/me)'
line_is 'default log scrollback' 'log scrollback' '10000 lines, 8 MiB'
line_is 'default shell' shell /bin/sh

cat >"$CFG/xdg/boxtop/config.toml" <<'TOML'
# an operator's settings
refresh = 0.5
workers = 8
export_dir = "~/exports"
readonly = true
color = false
columns = "name,status,cpu,mem_used"
log_lines = 500
log_mib = 2
shell = "/bin/bash -l"
TOML
pc
line_is 'file read' 'config file' "$CFG/xdg/boxtop/config.toml (read)"
line_is 'refresh from the file' refresh '0.5 s'
line_is 'workers from the file' workers 8
line_is '~ expanded' 'export dir' "$CFG/home/exports"
line_is 'readonly from the file' readonly yes
line_is 'color from the file' color no
line_is 'columns from the file' columns 'name,status,cpu,mem_used'
line_is 'log scrollback from the file' 'log scrollback' '500 lines, 2 MiB'
line_is 'shell from the file' shell '/bin/bash -l'
pc -d 3 --workers 2 --export-dir /srv/x --url http://example.test:9 --path-prefix team-1
line_is 'flag wins: -d' refresh '3.0 s'
line_is 'flag wins: --workers' workers 2
line_is 'flag wins: --export-dir' 'export dir' /srv/x
line_is 'flag: --url' url 'http://example.test:9'
line_is 'flag: --path-prefix' 'path prefix' team-1
PC_ENV=(BOXLITE_API_KEY=made-up-test-key)
pc
line_is 'credential named, not shown' credential 'api key from BOXLITE_API_KEY'
if grep -q made-up-test-key "$CFG/out" "$CFG/err"; then bad 'the key was printed'; else ok; fi
PC_ENV=()

# every bad file: exit 1, the path and what is wrong
bad_cfg() {
	printf '%s\n' "$2" >"$CFG/xdg/boxtop/config.toml"
	pc
	check "$1: exit 1" test "$RC" = 1
	if grep -q -- "config.toml: $3" "$CFG/err"; then ok; else bad "$1: $(cat "$CFG/err")"; fi
}
bad_cfg 'unknown key' 'refesh = 2' 'unknown key "refesh"'
bad_cfg 'refresh out of range' 'refresh = 0' 'refresh: expected seconds'
bad_cfg 'workers out of range' 'workers = 65' 'workers: expected a number from 1 to 64'
bad_cfg 'not a boolean' 'readonly = "yes"' 'readonly: expected true or false'
bad_cfg 'bad column' 'columns = "name,bogus"' 'columns: unknown column "bogus"'
bad_cfg 'log_lines out of range' 'log_lines = 0' 'log_lines: expected a number of lines from 1 to 1000000'
bad_cfg 'log_mib out of range' 'log_mib = 4096' 'log_mib: expected a number of MiB from 1 to 1024'
bad_cfg 'an empty shell' 'shell = ""' 'shell: expected a command'
bad_cfg 'a table' '[ui]' 'tables are not used here'
bad_cfg 'TOML syntax' 'refresh = 2 3' 'line 1'
bad_cfg 'an array' 'columns = ["name"]' 'line 1: arrays are not supported'
rm -f "$CFG/xdg/boxtop/config.toml"
