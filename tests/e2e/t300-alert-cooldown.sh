#!/bin/bash
# 50 cron runs inside the cooldown deliver one alert; the cooldown's end
# brings one reminder. Quiet under cron; one alerts.log line per delivery.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
alert_config "$H"
fresh_backup "$H"			# only daemon_critical (dead PID) fires
now=$(date +%s)
before=$(wc -l < "$H/logs/alerts.log")
for i in $(seq 0 49); do
	expect_rc 0 alert_at $((now + i * 30)) --home "$H"
	[ -z "$OUT$ERR" ] || fail "run $i was not quiet: $OUT$ERR"
done
[ "$(deliveries)" = 1 ] || fail "50 runs in the cooldown delivered $(deliveries) alerts"
expect_match '^ENV daemon_critical\|CRITICAL\|Daemon Critical Failure\|Process not running: PID 999999 is not running' "$(cat "$REC")"
# the JSON on stdin carries the same, with every field
grep -v '^ENV ' "$REC" | python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
for k in ("type", "severity", "title", "message", "host", "timestamp", "state"):
    assert isinstance(d[k], str) and d[k], k
assert d["type"] == "daemon_critical" and d["state"] == "firing", d
'
after=$(wc -l < "$H/logs/alerts.log")
[ $((after - before)) = 1 ] || fail "alerts.log got $((after - before)) lines"
expect_match '^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\] \[CRITICAL\] Daemon Critical Failure - Process not running' \
	"$(tail -1 "$H/logs/alerts.log")"
# one second short of the cooldown: nothing; at its end: a reminder
expect_rc 0 alert_at $((now + 1799)) --home "$H"
[ "$(deliveries)" = 1 ] || fail "delivered inside the cooldown"
expect_rc 0 alert_at $((now + 1800)) --home "$H"
[ "$(deliveries)" = 2 ] || fail "no reminder after the cooldown"
expect_match 'ongoing since' "$(grep '^ENV ' "$REC" | tail -1)"
# a last_sent far in the future (clock went back) does not silence forever
sqlite3 "$H/.ops/state.db" "update alert_state set last_sent=$((now + 86400 * 365)) where type='daemon_critical'"
expect_rc 0 alert_at $((now + 1860)) --home "$H"
[ "$(deliveries)" = 3 ] || fail "a future last_sent silenced the alert"
expect_rc 0 alert_at $((now + 1920)) --home "$H"
[ "$(deliveries)" = 3 ] || fail "cooldown not re-armed after the future last_sent"
# on a terminal (-v here) it says what it did
expect_rc 0 alert_at $((now + 3700)) --home "$H" -v
expect_match '^sent daemon_critical firing \[CRITICAL\]' "$OUT"
echo ok
