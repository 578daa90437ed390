#!/bin/bash
# start / stop / restart cycles with agent-sim as daemon.command: PID file,
# refusals, restart records, --wait-heartbeat, --force, bad commands.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
H=$T/home
svc_home "$H"

for cycle in 1 2 3; do
	expect_rc 0 dharmic-ops start --home "$H"
	track "$H"
	pid=$(cat "$H/logs/daemon.pid")
	expect_match "^started the agent \(pid $pid\)" "$OUT"
	alive "$pid" || fail "cycle $cycle: agent $pid not running"
	tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q agent-sim || fail "pid $pid is not agent-sim"
	# a second start is refused and leaves the agent alone
	expect_rc 1 dharmic-ops start --home "$H"
	expect_match "already running \(pid $pid\)" "$ERR"
	[ "$(cat "$H/logs/daemon.pid")" = "$pid" ] || fail "second start touched the PID file"
	expect_rc 0 dharmic-ops restart --home "$H"
	track "$H"
	new=$(cat "$H/logs/daemon.pid")
	[ "$new" != "$pid" ] || fail "restart kept pid $pid"
	alive "$pid" && fail "old agent $pid survived the restart"
	alive "$new" || fail "restarted agent $new not running"
	expect_match "stopped the agent \(pid $pid\)" "$OUT"
	expect_match "started the agent \(pid $new\)" "$OUT"
	expect_rc 0 dharmic-ops stop --home "$H"
	expect_match "^stopped the agent \(pid $new\)" "$OUT"
	alive "$new" && fail "agent $new survived stop"
	[ -e "$H/logs/daemon.pid" ] && fail "PID file left after stop"
	expect_rc 0 dharmic-ops stop --home "$H"
	expect_match "^the agent was not running$" "$OUT"
done

# each restart is one line of logs/restart.log and one event, which the
# restarts health check counts
[ "$(grep -c '\] \[INFO\] restart: manual$' "$H/logs/restart.log")" -ge 3 ] ||
	fail "restarts not logged: $(cat "$H/logs/restart.log")"
[ "$(sqlite3 "$H/.ops/state.db" "select count(*) from events where kind='restart' and detail='manual'")" = 3 ] ||
	fail "restart events not recorded"
expect_rc 0 ops-health --home "$H" --check restarts
expect_match '^restarts: OK - 3 restarts in the last 1h' "$OUT"

# --wait-heartbeat: the status file's heartbeat is newer than the start
expect_rc 0 dharmic-ops start --wait-heartbeat --home "$H"
track "$H"
expect_match 'heartbeat seen' "$OUT"
expect_rc 0 dharmic-ops stop --home "$H"

# the agent's output goes to the daemon logs, appended
[ -f "$H/logs/daemon_stdout.log" ] && [ -f "$H/logs/daemon_stderr.log" ] ||
	fail "daemon output logs missing"
[ "$(stat -c %a "$H/logs/daemon_stdout.log")" = 600 ] || fail "daemon_stdout.log not 0600"

# an agent that ignores SIGTERM: stop fails after stop_timeout and leaves it
# running; --force kills it
cat > "$H/ops.json" <<EOF
{"daemon": {"command": ["bash", "-c", "trap '' TERM; exec -a agent-sim-stubborn sleep 300"],
 "match": "agent-sim", "start_timeout": "5s", "stop_timeout": "1s"}}
EOF
expect_rc 0 dharmic-ops start --home "$H"
track "$H"
pid=$(cat "$H/logs/daemon.pid")
expect_rc 1 dharmic-ops stop --home "$H"
expect_match "did not stop within 1s \(use --force" "$ERR"
alive "$pid" || fail "stop without --force killed the agent"
[ -e "$H/logs/daemon.pid" ] || fail "failed stop removed the PID file"
expect_rc 0 dharmic-ops stop --force --home "$H"
alive "$pid" && fail "stop --force left the agent running"
[ -e "$H/logs/daemon.pid" ] && fail "PID file left after stop --force"

# a command that exits at once, one that cannot run, and one whose command
# line does not match daemon.match (stopped, not left behind)
printf '{"daemon": {"command": ["false"], "match": "false"}}\n' > "$H/ops.json"
expect_rc 1 dharmic-ops start --home "$H"
expect_match 'exited at once \(status 1\)' "$ERR"
[ -e "$H/logs/daemon.pid" ] && fail "PID file left by a failed start"
printf '{"daemon": {"command": ["%s/no-such-agent"], "match": "x"}}\n' "$T" > "$H/ops.json"
expect_rc 1 dharmic-ops start --home "$H"
expect_match 'unable to run .*no-such-agent: No such file' "$ERR"
printf '{"daemon": {"command": ["sleep", "301"], "match": "agent-sim", "start_timeout": "1s"}}\n' > "$H/ops.json"
expect_rc 1 dharmic-ops start --home "$H"
expect_match "did not come up within 1s: .*does not match.*stopped it" "$ERR"
pgrep -f '^sleep 301$' >/dev/null && fail "unidentified child left running"
# bad usage
expect_rc 2 dharmic-ops stop --wait-heartbeat --home "$H"
expect_rc 2 dharmic-ops start extra --home "$H"
echo ok
