#!/bin/bash
# alert.auto_restart: a killed agent is started again (once per cooldown)
# through the shared start module; the restart is in logs/restart.log and
# the state database, and the next ops-health counts it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
alert_config "$H" '' '{"auto_restart": true}'
fresh_backup "$H"
start_agent "$H"
expect_rc 0 ops-health --home "$H" --check restarts
expect_match '^DHARMIC-OPS OK' "$OUT"
kill -9 "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
[ -s "$H/logs/daemon.pid" ] || fail "the crash should leave the PID file"
# real clock here: starting the agent waits on it
expect_rc 0 ops-alert --home "$H"
new=$(cat "$H/logs/daemon.pid")
_pids="$_pids $new"
[ "$new" != "$AGENT_PID" ] || fail "PID file unchanged"
kill -0 "$new" || fail "the restarted agent is not running"
grep -q agent-sim "/proc/$new/cmdline" || fail "PID $new is not agent-sim"
expect_match '^\[.*\] \[CRITICAL\] Daemon Critical Failure - Process not running: .*; restarted automatically \(pid '"$new"'\)' \
	"$(tail -1 "$H/logs/alerts.log")"
expect_match '^\[.*\] \[INFO\] restart: auto$' "$(tail -1 "$H/logs/restart.log")"
[ "$(sqlite3 "$H/.ops/state.db" "select count(*) from events where kind='restart' and detail='auto'")" = 1 ] ||
	fail "restart not in the events"
expect_rc 0 ops-health --home "$H" --check daemon --check restarts
expect_match "^daemon: OK - running \(pid $new" "$OUT"
expect_match '^restarts: OK - 1 restart in the last' "$OUT"
# the next run sees it up: one resolved notice
expect_rc 0 ops-alert --home "$H"
expect_match '\|resolved$' "$(grep '^ENV ' "$REC" | tail -1)"
# killed again inside the cooldown: alerted, not restarted a second time
kill -9 "$new"
for _ in $(seq 100); do kill -0 "$new" 2>/dev/null || break; sleep 0.05; done
expect_rc 0 ops-alert --home "$H"
[ "$(cat "$H/logs/daemon.pid")" = "$new" ] || fail "restarted twice inside the cooldown"
[ "$(grep -c 'restart: auto' "$H/logs/restart.log")" = 1 ] || fail "second restart logged"
expect_rc 0 ops-alert --home "$H" status
expect_match '^last automatic restart: [0-9]{4}-' "$OUT"
# stopped on purpose (no PID file): alerted, never restarted
rm -f "$H/logs/daemon.pid"
sqlite3 "$H/.ops/state.db" "update alert_meta set value=0 where key='last_restart'"
expect_rc 0 ops-alert --home "$H"
[ ! -e "$H/logs/daemon.pid" ] || fail "restarted an agent stopped on purpose"
echo ok
