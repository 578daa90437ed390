#!/bin/bash
# The agent is identified without taking its PID file at its word: with a
# garbage, stale or recycled PID file while the agent runs, `ops-alert`
# (auto_restart) and `dharmic-ops start` never start a second agent, and
# ops-restore never swaps memory/ under it (a process holding the
# home's databases counts too).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
H=$T/home
svc_home "$H"
expect_rc 0 dharmic-ops start --home "$H"
track "$H"
agent=$(cat "$H/logs/daemon.pid")
expect_rc 0 ops-backup --home "$H"
agents() {	# agent-sim processes running in the home
	n=0
	for p in $(pgrep -x agent-sim); do
		[ "$(readlink "/proc/$p/cwd")" = "$H" ] && n=$((n + 1))
	done
	echo "$n"
}
[ "$(agents)" = 1 ] || fail "expected one agent, found $(agents)"
sleep 300 &
canary=$!
_pids="$_pids $canary"
ino=$(stat -c %i "$H/memory")
python3 - "$H/ops.json" "$T" <<'PY'
import json, sys
p, t = sys.argv[1], sys.argv[2]
c = json.load(open(p))
c["alert"] = {"desktop": False, "auto_restart": True, "cooldown": 0, "command": ["true"]}
json.dump(c, open(p, "w"))
PY
for content in garbage "$canary" 99999999; do
	printf '%s\n' "$content" > "$H/logs/daemon.pid"
	touch -d '-2 days' "$H/logs/daemon.pid"
	ops-alert --home "$H" >/dev/null 2>&1 || true
	[ "$(agents)" = 1 ] || fail "PID file '$content': ops-alert started a second agent ($(agents))"
	expect_rc 1 dharmic-ops start --home "$H"
	expect_match "already running|second agent" "$ERR"
	[ "$(agents)" = 1 ] || fail "PID file '$content': start started a second agent"
	expect_rc 1 ops-restore --home "$H" --yes
	[ "$(stat -c %i "$H/memory")" = "$ino" ] || fail "PID file '$content': memory/ swapped under the agent"
	ls -d "$H"/memory.pre-restore.* 2>/dev/null && fail "PID file '$content': memory set aside"
	kill -0 "$agent" || fail "PID file '$content': the agent was killed"
	alive "$canary" || fail "PID file '$content': the canary was signalled"
done
# a process that holds the agent's database open, whatever it is called,
# also blocks a restore and a start
printf '%s\n' "$agent" > "$H/logs/daemon.pid"
expect_rc 0 dharmic-ops stop --home "$H"
[ "$(agents)" = 0 ] || fail "the agent did not stop"
python3 -c 'import sys, time; f = open(sys.argv[1], "rb"); open(sys.argv[2], "w").close(); time.sleep(60)' \
	"$H/memory/memory.db" "$T/holding" &
holder=$!
_pids="$_pids $holder"
wait_for 10 test -e "$T/holding"
expect_rc 1 dharmic-ops start --home "$H"
expect_match "not starting a second agent: PID $holder has 'memory/memory.db' open" "$ERR"
[ "$(agents)" = 0 ] || fail "an agent was started beside a process holding memory"
kill "$holder"
echo ok
