#!/bin/bash
# A custom check that fires and is then removed from the configuration:
# its alert resolves ("no longer configured") instead of firing for ever,
# and once quiet it is no longer listed by status. A check still
# configured is untouched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
start_agent "$H"
fresh_backup "$H"
printf '#!/bin/sh\necho "CRITICAL - broken"\nexit 2\n' > "$T/bad.sh"
printf '#!/bin/sh\necho "WARNING - meh"\nexit 1\n' > "$T/meh.sh"
chmod 755 "$T/bad.sh" "$T/meh.sh"
both='{"checks": [{"name": "bridge", "command": ["'$T/bad.sh'"]},
                  {"name": "other", "command": ["'$T/meh.sh'"]}]}'
alert_config "$H" "$both"
now=$(date +%s)
expect_rc 0 alert_at "$now" --home "$H"
expect_match '^ENV check_bridge\|CRITICAL\|.*\|firing$' "$(grep '^ENV ' "$REC")"
expect_match '^ENV check_other\|WARNING\|.*\|firing$' "$(grep '^ENV ' "$REC")"
n=$(deliveries)

# bridge removed: one resolved notice for it, nothing for other
alert_config "$H" '{"checks": [{"name": "other", "command": ["'$T/meh.sh'"]}]}'
expect_rc 0 alert_at $((now + 300)) --home "$H"
[ "$(deliveries)" = $((n + 1)) ] || fail "expected one resolved notice, got $(($(deliveries) - n))"
expect_match '^ENV check_bridge\|CRITICAL\|Check Failed: bridge\|resolved after 5m 0s: no longer configured\|resolved$' "$(grep '^ENV ' "$REC" | tail -1)"
expect_rc 0 alert_at $((now + 600)) --home "$H" status
expect_match '^check_other +active +WARNING ' "$OUT"

# the next run forgets it: status no longer lists it, no more notices
expect_rc 0 alert_at $((now + 900)) --home "$H"
[ "$(deliveries)" = $((n + 1)) ] || fail "a removed check still sends notices"
expect_rc 0 alert_at $((now + 900)) --home "$H" status
expect_no_match 'check_bridge' "$OUT"
expect_match '^check_other +active +WARNING ' "$OUT"
echo ok
