#!/bin/bash
# Seven types fire at once; max_per_hour 5 lets five through, every
# CRITICAL among them; the two held back are counted once and reported in
# the next alert that goes out; nothing more goes out inside the hour.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
# disk thresholds above any free space: disk_critical; a dead PID:
# daemon_critical; three hours on the heartbeat is stale: daemon_degraded;
# no backup: backup_stale; plugins: check_b and check_c CRITICAL, check_a WARNING
alert_config "$H" '{"disk_warn": "1000T", "disk_crit": "900T",
  "checks": [{"name": "a", "command": ["sh", "-c", "echo a is slow; exit 1"]},
             {"name": "b", "command": ["sh", "-c", "echo b is down; exit 2"]},
             {"name": "c", "command": ["sh", "-c", "echo c is down; exit 2"]}]}' \
	'{"max_per_hour": 5}'
now=$(( $(date +%s) + 3 * 3600 ))
expect_rc 0 alert_at "$now" --home "$H"
[ "$(deliveries)" = 5 ] || fail "delivered $(deliveries), expected the cap of 5"
got=$(grep '^ENV ' "$REC" | cut -d'|' -f1,2 | sed 's/^ENV //')
for t in daemon_critical disk_critical check_b check_c; do
	expect_match "^$t\|CRITICAL$" "$got"
done
[ "$(printf '%s\n' "$got" | grep -c 'WARNING$')" = 1 ] || fail "expected 1 WARNING: $got"
expect_rc 0 alert_at "$now" --home "$H" status
expect_match '^sent in the last hour: 5 of 5' "$OUT"
expect_match '^suppressed, not yet reported: 2' "$OUT"
# each held-back type shows its count
[ "$(printf '%s\n' "$OUT" | awk '$2 == "active" && $(NF-1) == 1' | wc -l)" = 2 ] ||
	fail "expected two types with 1 suppressed:
$OUT"
# inside the hour: nothing more, and the held ones are not counted again
for i in 1 2 3 4 5; do
	expect_rc 0 alert_at $((now + i * 300)) --home "$H"
done
[ "$(deliveries)" = 5 ] || fail "the cap let more through inside the hour"
expect_rc 0 alert_at $((now + 1500)) --home "$H" status
expect_match '^suppressed, not yet reported: 2' "$OUT"
# an hour on: CRITICALs first again, the first one reports the 2
expect_rc 0 alert_at $((now + 3601)) --home "$H"
[ "$(deliveries)" = 10 ] || fail "expected 5 more after the hour, got $(deliveries)"
grep -v '^ENV ' "$REC" | sed -n 6p | python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
assert d["severity"] == "CRITICAL" and d["suppressed"] == 2, d
'
expect_match '\(\+2 suppressed by the rate limit\)' "$(grep -F '[CRITICAL]' "$H/logs/alerts.log" | tail -4 | head -1)"
# the alert log got one line per delivery
[ "$(grep -c '^\[.*\] \[\(CRITICAL\|WARNING\)\] ' "$H/logs/alerts.log")" -ge 10 ] || fail "alerts.log"
echo ok
