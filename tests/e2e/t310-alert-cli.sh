#!/bin/bash
# --from-json reads ops-health --json (a file or -); bad input is a clear
# error; `test` reports each channel; the lock gives 75; dharmic-ops alert
# runs ops-alert.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
alert_config "$H"
fresh_backup "$H"
set +e; ops-health --home "$H" --json > "$T/health.json"; set -e
expect_rc 0 ops-alert --home "$H" --from-json - < "$T/health.json"
[ "$(deliveries)" = 1 ] || fail "from-json: $(deliveries) alerts"
expect_match '^ENV daemon_critical\|' "$(cat "$REC")"
# a report where the daemon is fine resolves it (from a file this time)
python3 - "$T/health.json" > "$T/ok.json" <<'EOF_PY'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["checks"]:
    c["state"], c["message"] = "OK", "fine"
print(json.dumps(d))
EOF_PY
expect_rc 0 ops-alert --home "$H" --from-json "$T/ok.json"
expect_match '\|resolved$' "$(grep '^ENV ' "$REC" | tail -1)"
# bad input: one line, exit 1, state untouched
echo 'DHARMIC-OPS UNKNOWN - timed out' > "$T/bad.json"
expect_rc 1 ops-alert --home "$H" --from-json "$T/bad.json"
expect_match "^ops-alert: $T/bad.json: not ops-health --json output: malformed JSON$" "$ERR"
echo '{"checks":[{"name":"daemon"}]}' > "$T/nostate.json"
expect_rc 1 ops-alert --home "$H" --from-json - < "$T/nostate.json"
expect_match "check 'daemon' has no valid state" "$ERR"
expect_rc 1 ops-alert --home "$H" --from-json "$T/missing.json"
# usage
expect_rc 2 ops-alert --home "$H" frobnicate
expect_match "unknown command 'frobnicate'" "$ERR"
expect_rc 2 ops-alert --home "$H" status --from-json -
expect_rc 2 ops-alert --home "$H" run extra
expect_rc 0 ops-alert --help
expect_match '^usage: ops-alert' "$OUT"
echo '{"alert": {"cooldown": "soon"}}' > "$T/bad-config.json"
expect_rc 2 ops-alert --home "$H" --config "$T/bad-config.json"
expect_match 'alert.cooldown' "$ERR"
# test: every configured channel, each result
expect_rc 0 ops-alert --home "$H" test
expect_match '^command +delivered$' "$OUT"
expect_match '^desktop +not configured$' "$OUT"
expect_match '^ENV test\|INFO\|Test Alert\|a test alert from ops-alert' "$(grep '^ENV ' "$REC" | tail -1)"
expect_match '\[INFO\] Test Alert - ' "$(tail -1 "$H/logs/alerts.log")"
touch "$T/fail"
expect_rc 1 ops-alert --home "$H" test
expect_match '^command +FAILED: .*exited 1' "$OUT"
rm "$T/fail"
alert_config "$H" '' '{"command": []}'
expect_rc 1 ops-alert --home "$H" test
expect_match 'no alert channel is configured' "$ERR"
alert_config "$H"
# the lock: another run holds it
python3 - "$H/.ops/alert.lock" "$T/locked" <<'EOF_PY' &
import fcntl, os, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(3)
EOF_PY
holder=$!
_pids="$_pids $holder"
for _ in $(seq 100); do [ -e "$T/locked" ] && break; sleep 0.05; done
expect_rc 75 ops-alert --home "$H"
expect_match "^ops-alert: another run holds '.ops/alert.lock'" "$ERR"
# status and silence do not need the lock
expect_rc 0 ops-alert --home "$H" status
kill "$holder"; wait "$holder" 2>/dev/null || true
# the multiplexer
expect_rc 0 dharmic-ops alert --home "$H" status
expect_match '^TYPE +STATE' "$OUT"
expect_rc 0 dharmic-ops help
expect_match '^  alert ' "$OUT"
echo ok
