#!/bin/bash
# daemon.restart_on_stale: an agent alive but hung (heartbeat older than
# health.heartbeat_crit intervals) is stopped and started through the
# restart policy ("restart: stale", a crash restart); off by default.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
alert_config "$H" '{"heartbeat_crit": 2}' '{"auto_restart": true}'
fresh_backup "$H"
start_agent "$H" --heartbeat-interval 10
old=$AGENT_PID
# 60 s later by the clock: the heartbeat is 6 intervals old
later=$(( $(date +%s) + 60 ))
DHARMIC_OPS_NOW=$later expect_rc 0 ops-alert --home "$H"
grep -q '^ENV daemon_degraded|CRITICAL|' "$REC" || fail "no CRITICAL daemon_degraded: $(grep '^ENV' "$REC")"
[ "$(cat "$H/logs/daemon.pid")" = "$old" ] || fail "restarted with restart_on_stale off"
python3 - "$H/ops.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["daemon"]["restart_on_stale"] = True
json.dump(c, open(sys.argv[1], "w"))
PY
DHARMIC_OPS_NOW=$later expect_rc 0 ops-alert --home "$H" -v
expect_match 'hung agent restarted' "$OUT"
new=$(cat "$H/logs/daemon.pid")
_pids="$_pids $new"
[ "$new" != "$old" ] || fail "the hung agent was not restarted"
kill -0 "$old" 2>/dev/null && fail "the hung agent still runs"
kill -0 "$new" || fail "the new agent is not running"
expect_match '\[INFO\] restart: stale$' "$(tail -1 "$H/logs/restart.log")"
[ "$(sqlite3 "$H/.ops/state.db" "SELECT count(*) FROM events WHERE kind='restart' AND detail='stale'")" = 1 ] ||
	fail "the stale restart is not a recorded event"
echo ok
