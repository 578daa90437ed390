#!/bin/bash
# Daemon check faults, each alone on an otherwise healthy home: a dead PID,
# a garbage PID file, an unrelated process, a reused PID, no PID file.
# Each is CRITICAL (exit 2) and says why; the other six checks stay OK.
. "$(dirname "$0")/lib.sh"
H=$T/home
healthy_home "$H"
PIDF=$H/logs/daemon.pid

# daemon_critical REGEX: the run is CRITICAL because of the daemon alone.
daemon_critical() {
	expect_rc 2 ops-health --home "$H" --no-record
	expect_match "^DHARMIC-OPS CRITICAL - daemon: not running: $1 \(logs/daemon\.pid\) \(6/7 checks ok\)" "$(first_line)"
	expect_match "^daemon: CRITICAL - not running: $1 \(logs/daemon\.pid\)\$" "$OUT"
	expect_match '^heartbeat: OK - ' "$OUT"
}

expect_rc 0 ops-health --home "$H" --no-record
expect_match "^daemon: OK - running \(pid $AGENT_PID, up " "$OUT"

# a PID whose process has exited
sh -c 'exit 0' & dead=$!
wait "$dead" || true
echo "$dead" > "$PIDF"
daemon_critical "PID $dead is not running"

# a PID file holding garbage, or nothing
echo 'not-a-pid' > "$PIDF"
daemon_critical 'PID file holds garbage, not a PID'
: > "$PIDF"
daemon_critical 'PID file holds garbage, not a PID'
echo 1 > "$PIDF"
daemon_critical 'PID file holds PID 1'

# the PID of a live process that is not the agent
sleep 60 & other=$!
_pids="$_pids $other"
# (until the fork has exec'd, its command line is this script's)
for _ in $(seq 100); do
	[ "$(tr '\0' ' ' < "/proc/$other/cmdline")" = "sleep 60 " ] && break
	sleep 0.02
done
echo "$other" > "$PIDF"
daemon_critical "PID $other is not the agent: 'sleep 60' does not match 'agent-sim'"
kill "$other"

# a PID file older than the process it names: the PID was reused
echo "$AGENT_PID" > "$PIDF"
touch -d '1 hour ago' "$PIDF"
daemon_critical "PID $AGENT_PID was reused: its process started after the PID file was written"

# no PID file
rm "$PIDF"
daemon_critical 'no PID file'

# and back: the agent's own PID file, written after it started
echo "$AGENT_PID" > "$PIDF"
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^DHARMIC-OPS OK - 10/10 checks ok' "$(first_line)"
echo ok
