#!/bin/bash
# A channel that fails does not arm the cooldown: the next run tries again.
# When one channel delivers and another fails, only the failed one is
# retried (from the queue), the other gets no duplicate.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
alert_config "$H"
fresh_backup "$H"
now=$(date +%s)
before=$(wc -l < "$H/logs/alerts.log")
touch "$T/fail"
expect_rc 1 alert_at "$now" --home "$H"
expect_match '^ops-alert: daemon_critical: command: delivery failed: .*exited 1: recorder told to fail' "$ERR"
[ "$(wc -l < "$H/logs/alerts.log")" = "$before" ] || fail "an undelivered alert was logged"
expect_rc 0 alert_at "$now" --home "$H" status
expect_match '^daemon_critical +active +CRITICAL +[0-9-]+ [0-9:]+ +- ' "$OUT"
expect_match '^sent in the last hour: 0 of 5' "$OUT"
# still failing a minute later: tried again, still not armed
expect_rc 1 alert_at $((now + 60)) --home "$H"
rm "$T/fail"
# well inside the cooldown, it goes out now that the channel works
expect_rc 0 alert_at $((now + 120)) --home "$H"
[ "$(deliveries)" = 1 ] || fail "the retry delivered $(deliveries)"
[ "$(wc -l < "$H/logs/alerts.log")" = $((before + 1)) ] || fail "alerts.log"
# and now the cooldown is armed
expect_rc 0 alert_at $((now + 180)) --home "$H"
[ "$(deliveries)" = 1 ] || fail "delivered again inside the cooldown"

# Two channels: the command delivers, sendmail fails. The command is not
# sent again; sendmail is retried from the queue on the next run.
H2=$T/home2
mkhome "$H2"
cat > "$T/sendmail" <<EOS
#!/bin/sh
[ -e "$T/mailfail" ] && { echo "mail system down"; exit 75; }
cat > "$T/mail.\$\$"
EOS
chmod 700 "$T/sendmail"
alert_config "$H2" '' "{\"email\": \"ops@example.org\", \"sendmail\": \"$T/sendmail\"}"
fresh_backup "$H2"
: > "$REC"
touch "$T/mailfail"
expect_rc 1 alert_at "$now" --home "$H2"
expect_match 'daemon_critical: email: delivery failed: .*exited 75: mail system down' "$ERR"
[ "$(deliveries)" = 1 ] || fail "the command channel did not deliver"
[ "$(sqlite3 "$H2/.ops/state.db" 'select count(*) from alert_queue')" = 1 ] || fail "nothing queued"
expect_rc 0 alert_at $((now + 60)) --home "$H2" status
expect_match '^deliveries queued for retry: 1' "$OUT"
rm "$T/mailfail"
expect_rc 0 alert_at $((now + 300)) --home "$H2"
[ "$(deliveries)" = 1 ] || fail "the command got a duplicate"
[ "$(ls "$T"/mail.* | wc -l)" = 1 ] || fail "sendmail did not get the retry"
grep -q '^Subject: \[dharmic-ops\] CRITICAL: Daemon Critical Failure' "$T"/mail.* || fail "mail subject"
[ "$(sqlite3 "$H2/.ops/state.db" 'select count(*) from alert_queue')" = 0 ] || fail "queue not emptied"
expect_rc 0 alert_at $((now + 360)) --home "$H2"
[ "$(ls "$T"/mail.* | wc -l)" = 1 ] || fail "sendmail got a duplicate"
echo ok
