#!/bin/bash
# One "resolved" notice when a delivered alert clears, none when nothing
# was delivered for it (it was silenced), none twice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
alert_config "$H"
now=$(date +%s)
expect_rc 0 ops-alert --home "$H" silence backup_stale 1h
expect_rc 0 alert_at "$now" --home "$H"
[ "$(deliveries)" = 1 ] || fail "expected daemon_critical only, got $(deliveries)"
# both clear: the agent runs, a backup appears
start_agent "$H"
fresh_backup "$H"
expect_rc 0 alert_at $((now + 300)) --home "$H"
[ "$(deliveries)" = 2 ] || fail "expected one resolved notice, got $(($(deliveries) - 1))"
expect_match '^ENV daemon_critical\|CRITICAL\|Daemon Critical Failure\|resolved after 5m 0s: running \(pid [0-9]+.*\|resolved$' \
	"$(grep '^ENV ' "$REC" | tail -1)"
grep -v '^ENV ' "$REC" | tail -1 | python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
assert d["state"] == "resolved" and d["type"] == "daemon_critical", d
assert d["since"], d
'
expect_match '^\[.*\] \[RESOLVED\] Daemon Critical Failure - resolved after 5m 0s: running' \
	"$(tail -1 "$H/logs/alerts.log")"
expect_no_match 'backup_stale' "$(cat "$REC")"
# once
expect_rc 0 alert_at $((now + 600)) --home "$H"
[ "$(deliveries)" = 2 ] || fail "resolved notice sent twice"
expect_rc 0 alert_at $((now + 600)) --home "$H" status
expect_match '^daemon_critical +ok ' "$OUT"
expect_match '^backup_stale +ok ' "$OUT"
echo ok
