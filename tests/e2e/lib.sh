# Shared helpers for end-to-end tests. Source it first:
#   . "$(dirname "$0")/lib.sh"
# Each test runs in its own temporary directory ($T), removed on success and
# kept on failure (its path is printed) so the evidence can be read.
set -eu

: "${OPS_BUILD:?OPS_BUILD must name the build directory}"
: "${OPS_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
# mkhome.py: $OPS_MKHOME, else the copy in the tree, else the shared
# workload next to the checkout (or next to the worktree directory).
MKHOME=${OPS_MKHOME:-}
for _m in "$OPS_SRC/tests/workload/mkhome.py" "$OPS_SRC/../shared/workload/mkhome.py" \
    "$OPS_SRC/../../shared/workload/mkhome.py"; do
	[ -n "$MKHOME" ] && break
	[ -f "$_m" ] && MKHOME=$_m
done
AGENT_SIM="$OPS_BUILD/tests/agent-sim"
PATH="$OPS_BUILD:$PATH"
export PATH
unset DHARMIC_HOME DHARMIC_OPS_CONFIG ALERT_EMAIL DHARMIC_OPS_NOW NO_COLOR

T=$(mktemp -d "${TMPDIR:-/tmp}/ops-e2e.XXXXXX")
_pids=""
_cleanup() {
	rc=$?
	for p in $_pids; do kill "$p" 2>/dev/null || true; done
	# agents started by the programs under test (dharmic-ops start, an
	# auto-restart) run in their own session, in a home under $T: a test
	# that fails before stopping them must not leave them running
	for p in $(pgrep -x agent-sim 2>/dev/null); do
		case "$(readlink "/proc/$p/cwd" 2>/dev/null)" in
		"$T"/*) kill "$p" 2>/dev/null || true ;;
		esac
	done
	wait 2>/dev/null || true
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
		rm -rf "$T"
	else
		echo "FAILED ($rc): work directory kept: $T" >&2
	fi
}
trap _cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# mkhome DIR [mkhome.py args...]: a tiny agent home with a config matching
# agent-sim, no live daemon yet.
mkhome() {
	dir=$1; shift
	python3 "$MKHOME" "$dir" --scale tiny "$@" >/dev/null
	write_config "$dir"
}

# write_config HOME [MEMBER...]: HOME/ops.json (0600) with the agent-sim
# daemon section and the given top-level members, each a JSON text such as
# '"health": {"restarts_max": 1}'.
write_config() {
	home=$1; shift
	{
		printf '{"daemon": {"match": "agent-sim", "command": ["%s", "--home", "%s"]}' \
			"$AGENT_SIM" "$home"
		for m in "$@"; do printf ', %s' "$m"; done
		printf '}\n'
	} > "$home/ops.json"
	chmod 600 "$home/ops.json"
}

# add_backup HOME [SECONDS_AGO]: an (empty) backup archive named for that time.
add_backup() {
	mkdir -p "$1/backups/memory"
	: > "$1/backups/memory/$(date -d "@$(($(date +%s) - ${2:-0}))" +%Y%m%d_%H%M%S).tar.zst"
}

# healthy_home DIR [agent-sim args...]: a tiny home, a fresh backup and a
# live agent: every built-in check is OK.
healthy_home() {
	dir=$1; shift
	mkhome "$dir"
	add_backup "$dir"
	start_agent "$dir" "$@"
}

# start_agent HOME [agent-sim args...]: run agent-sim in the background and
# wait for its PID file and first heartbeat.
start_agent() {
	home=$1; shift
	rm -f "$home/logs/daemon.pid"
	"$AGENT_SIM" --home "$home" --interval 0.2 "$@" &
	AGENT_PID=$!
	_pids="$_pids $AGENT_PID"
	# started: its PID file, then its first status (heartbeat), which it
	# writes just after; a check run in between saw the home's old status
	# (t314 failed that way once in some forty runs)
	for _ in $(seq 100); do
		[ -s "$home/logs/daemon.pid" ] && [ "$(cat "$home/logs/daemon.pid")" = "$AGENT_PID" ] &&
			grep -qs "\"pid\":\"$AGENT_PID\"" "$home/logs/daemon_status.json" && return 0
		sleep 0.05
	done
	fail "agent-sim did not start"
}

# expect_rc WANT CMD...: run CMD, capture stdout in $OUT and stderr in $ERR,
# fail unless it exits WANT.
expect_rc() {
	want=$1; shift
	set +e
	"$@" >"$T/.out" 2>"$T/.err"
	got=$?
	set -e
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
	[ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want
stdout: $OUT
stderr: $ERR"
}

# expect_match REGEX TEXT: extended regex match.
expect_match() {
	printf '%s\n' "$2" | grep -Eq -- "$1" || fail "expected /$1/ in:
$2"
}
expect_no_match() {
	printf '%s\n' "$2" | grep -Eq -- "$1" && fail "unexpected /$1/ in:
$2"
	return 0
}

# first_line: the first line of $OUT (the Nagios status line).
first_line() { printf '%s\n' "$OUT" | head -1; }

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds; fail
# after SECONDS.
wait_for() {
	_n=$(($1 * 10)); shift
	while ! "$@" 2>/dev/null; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || fail "timed out waiting for: $*"
		sleep 0.1
	done
}
