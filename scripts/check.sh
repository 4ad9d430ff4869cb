#!/bin/bash
# make check's scheduler. The builds run one after another, each with make
# -j (CHECK_JOBS, default the number of cores); a suite starts as soon as
# the build it needs is done, up to CHECK_PAR suites at a time (default 4:
# most of a suite's time is spent waiting on a screen, a simulator or a
# timeout, not on a core), longest first. Every suite starts its own
# simulators on port 0 (a restart on the same port takes a reserved one,
# tests/support/port.h) and its own mktemp -d scratch, so suites do not meet.
#
# Each suite's output goes to $CHECK_LOGS/SUITE.log (default build/check),
# each build's to build-NAME.log. At the end: a table of every suite's
# result and wall time, the tail of each failed log, and a non-zero status
# when anything failed.
#
# Usage: check.sh SUITE...   (make targets, listed in the table below)
set -u

MAKE=${MAKE:-make}
JOBS=${CHECK_JOBS:-$(nproc 2>/dev/null || echo 2)}
PAR=${CHECK_PAR:-4}
LOGS=${CHECK_LOGS:-build/check}
TAIL=${CHECK_TAIL:-40}

# suite -> the build it needs (a make target; "-" for none). The order is
# the start order when several are ready: the longest first.
build_of() {
	case $1 in
	check-layers | check-format) echo - ;;
	asan-*) echo asan-bins ;;
	tsan-*) echo tsan-bins ;;
	fuzz-run) echo fuzz ;;
	*) echo test-bins ;;
	esac
}
ORDER="check-layers check-format asan-faults soak asan-integration-sh integration-sh asan-e2e e2e
	fuzz-run tsan-nettest asan-nettest nettest tsan-unit asan-unit conformance unit"
BUILD_ORDER="test-bins asan-bins tsan-bins fuzz"

if [ $# -eq 0 ]; then
	echo "usage: check.sh SUITE..." >&2
	exit 2
fi
suites=()
for s in $ORDER; do
	for want in "$@"; do [ "$want" = "$s" ] && suites+=("$s"); done
done
for want in "$@"; do
	case " $(echo $ORDER) " in *" $want "*) ;; *)
		echo "check: no suite $want" >&2
		exit 2
		;;
	esac
done
builds=()
for b in $BUILD_ORDER; do
	for s in "${suites[@]}"; do
		if [ "$(build_of "$s")" = "$b" ]; then
			builds+=("$b")
			break
		fi
	done
done

rm -rf "$LOGS"
mkdir -p "$LOGS"
T0=$(date +%s)
now() { echo $(($(date +%s) - T0)); }

set -m # every job in a process group of its own, so cleanup ends all of it
# The build lane: one build after another; NAME.rc tells the scheduler.
(
	for b in ${builds[@]+"${builds[@]}"}; do
		s=$(date +%s)
		$MAKE -j"$JOBS" "$b" >"$LOGS/build-$b.log" 2>&1
		echo $? >"$LOGS/build-$b.rc.tmp"
		echo $(($(date +%s) - s)) >"$LOGS/build-$b.time"
		mv "$LOGS/build-$b.rc.tmp" "$LOGS/build-$b.rc"
	done
) &
LANE=$!

declare -A PID START END RC
PIDS=()
cleanup() {
	local p
	for p in "$LANE" ${PIDS[@]+"${PIDS[@]}"}; do kill -TERM -- "-$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ready SUITE: 0 when its build is done and passed, 1 while it runs, 2 failed.
ready() {
	local b
	b=$(build_of "$1")
	[ "$b" = - ] && return 0
	[ -f "$LOGS/build-$b.rc" ] || return 1
	[ "$(cat "$LOGS/build-$b.rc")" = 0 ] && return 0
	return 2
}

echo "check: ${#suites[@]} suites, builds with make -j$JOBS, up to $PAR suites at once; logs in $LOGS/"
left=${#suites[@]}
while [ "$left" -gt 0 ]; do
	running=0
	for s in "${suites[@]}"; do
		[ -n "${PID[$s]:-}" ] && [ -z "${RC[$s]:-}" ] || continue
		if [ -f "$LOGS/$s.rc" ]; then
			RC[$s]=$(cat "$LOGS/$s.rc")
			END[$s]=$(now)
			left=$((left - 1))
			wait "${PID[$s]}" 2>/dev/null
			if [ "${RC[$s]}" = 0 ]; then r=ok; else r=FAILED; fi
			printf 'check: %-19s %-6s %4d s  (at %d s)\n' "$s" "$r" $((END[$s] - START[$s])) "${END[$s]}"
		else
			running=$((running + 1))
		fi
	done
	for s in "${suites[@]}"; do
		[ -z "${PID[$s]:-}" ] && [ -z "${RC[$s]:-}" ] || continue
		ready "$s"
		case $? in
		2)
			RC[$s]=build
			START[$s]=$(now)
			END[$s]=${START[$s]}
			left=$((left - 1))
			printf 'check: %-19s not run: build %s failed\n' "$s" "$(build_of "$s")"
			continue
			;;
		1) continue ;;
		esac
		[ "$running" -lt "$PAR" ] || continue
		START[$s]=$(now)
		(
			$MAKE "$s" >"$LOGS/$s.log" 2>&1
			echo $? >"$LOGS/$s.rc.tmp"
			mv "$LOGS/$s.rc.tmp" "$LOGS/$s.rc"
		) &
		PID[$s]=$!
		PIDS+=("$!")
		running=$((running + 1))
		echo "check: $s started (at ${START[$s]} s)"
	done
	[ "$left" -gt 0 ] && sleep 0.5
done
wait "$LANE"
set +m

total=$(now)
failed=0
echo
[ "${#builds[@]}" -eq 0 ] || echo "check: the builds (make -j$JOBS, one after another)"
for b in ${builds[@]+"${builds[@]}"}; do
	t=$(cat "$LOGS/build-$b.time" 2>/dev/null || echo "?")
	if [ "$(cat "$LOGS/build-$b.rc" 2>/dev/null)" = 0 ]; then r=ok; else r=FAILED; fi
	printf '  %-19s %-7s %5s s\n' "$b" "$r" "$t"
	if [ "$r" != ok ]; then
		# the compiler's and make's complaints, not the long command lines around them
		failed=$((failed + 1))
		echo "---- the errors in $LOGS/build-$b.log ----"
		grep -E -A2 ': (fatal )?error|undefined reference|\*\*\*' "$LOGS/build-$b.log" | tail -n "$TAIL"
		echo "----"
	fi
done
echo "check: the suites"
printf '  %-19s %-7s %7s %7s %7s\n' suite result start end wall
for s in "${suites[@]}"; do
	case ${RC[$s]} in
	0) r=ok ;;
	build) r="no build" ;;
	*) r=FAILED ;;
	esac
	printf '  %-19s %-7s %5d s %5d s %5d s\n' "$s" "$r" "${START[$s]}" "${END[$s]}" \
		$((END[$s] - START[$s]))
done
for s in "${suites[@]}"; do
	case ${RC[$s]} in 0 | build) continue ;; esac
	failed=$((failed + 1))
	echo
	echo "---- $s failed (exit ${RC[$s]}): the end of $LOGS/$s.log ----"
	tail -n "$TAIL" "$LOGS/$s.log"
	echo "----"
done
echo
if [ "$failed" -eq 0 ]; then
	echo "check: every suite passed in $total s"
else
	echo "check: $failed failed, $total s in all"
fi
[ "$failed" -eq 0 ]
