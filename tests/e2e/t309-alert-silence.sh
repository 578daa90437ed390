#!/bin/bash
# silence TYPE DURATION holds a type's alerts (and its auto-restart) until
# it ends or is cleared; --clear restores it at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
alert_config "$H" '' '{"auto_restart": true}'
fresh_backup "$H"
now=$(date +%s)
expect_rc 0 alert_at "$now" --home "$H" silence daemon_critical 2h
expect_match '^daemon_critical silenced until [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}$' "$OUT"
for i in 0 1 2; do
	expect_rc 0 alert_at $((now + i * 300)) --home "$H"
done
[ "$(deliveries)" = 0 ] || fail "a silenced type was delivered"
[ "$(grep -c 'restart: auto' "$H/logs/restart.log")" = 0 ] || fail "restarted while silenced"
expect_rc 0 alert_at $((now + 600)) --home "$H" status
expect_match '^daemon_critical +active +CRITICAL .* 0 +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}$' "$OUT"
expect_rc 0 alert_at $((now + 600)) --home "$H" silence --clear daemon_critical
expect_match '^daemon_critical: silence cleared$' "$OUT"
expect_rc 0 alert_at $((now + 600)) --home "$H" silence --clear daemon_critical
expect_match 'was not silenced' "$OUT"
# auto-restart is off for the rest: the real clock would be needed
alert_config "$H"
expect_rc 0 alert_at $((now + 660)) --home "$H"
[ "$(deliveries)" = 1 ] || fail "--clear did not restore the alert"
# a silence runs out by itself; "all" covers every type
expect_rc 0 alert_at $((now + 700)) --home "$H" silence all 30m
rm "$H/backups/memory/"*		# backup_stale now fires too
expect_rc 0 alert_at $((now + 800)) --home "$H"
expect_rc 0 alert_at $((now + 2499)) --home "$H"
[ "$(deliveries)" = 1 ] || fail "'silence all' let an alert through"
expect_rc 0 alert_at $((now + 2501)) --home "$H"
[ "$(deliveries)" = 3 ] || fail "expected both types after the silence ran out, got $(deliveries)"
# bad input: exit 2, nothing stored
expect_rc 2 ops-alert --home "$H" silence no_such_type 1h
expect_match "unknown alert type 'no_such_type'" "$ERR"
expect_rc 2 ops-alert --home "$H" silence disk_low soon
expect_match "invalid duration 'soon'" "$ERR"
expect_rc 2 ops-alert --home "$H" silence disk_low
expect_rc 2 ops-alert --home "$H" status --clear
[ "$(sqlite3 "$H/.ops/state.db" "select count(*) from alert_silence where type!='all'")" = 0 ] ||
	fail "a bad silence was stored"
echo ok
