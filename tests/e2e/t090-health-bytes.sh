#!/bin/bash
# Bytes from outside are sanitised in one place (ops_sanitize) before every
# output format: a plugin printing invalid UTF-8 and escape sequences, and
# a check name that is not UTF-8, still give valid JSON (--json, the alert
# command's JSON), a Prometheus file promtool accepts, a terminal report
# without escape sequences; a newline in a log file name cannot forge a
# line in rotation.log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
healthy_home "$H"
printf '#!/bin/sh\nprintf "bad \\377\\376 \\033[31mred\\033[0m \\302\\233""2J\\342\\200\\256txt\\n"\nexit 1\n' > "$T/plugin"
chmod +x "$T/plugin"
alert_config "$H" "{\"checks\": [{\"name\": \"bytes\", \"command\": [\"$T/plugin\"]}]}"

strict_json() {
	python3 -c 'import json, sys; json.loads(sys.stdin.buffer.read().decode("utf-8", "strict"))'
}
no_escapes() {
	python3 -c '
import sys
b = sys.stdin.buffer.read()
t = b.decode("utf-8", "strict")
bad = [c for c in t if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f or 0x202a <= ord(c) <= 0x202e]
assert not bad, "control characters reach the terminal: %r" % bad'
}

ops-health --home "$H" --check bytes --json > "$T/health.json" || true
strict_json < "$T/health.json" || fail "ops-health --json is not valid UTF-8 JSON"
grep -q 'red' "$T/health.json" || fail "the message was lost"
ops-health --home "$H" --check bytes > "$T/health.txt" || true
no_escapes < "$T/health.txt" || fail "ops-health text output passes escape sequences"

# the alert command channel gets the same JSON the webhook would
ops-alert --home "$H" >/dev/null 2>&1 || true
grep -q 'bytes' "$REC" || fail "no alert for the plugin: $(cat "$REC")"
grep '^{' "$REC" | head -1 | strict_json || fail "the alert JSON is not valid UTF-8 JSON"
no_escapes < "$H/logs/alerts.log" || fail "alerts.log holds escape sequences"

# Prometheus: a recorded check name that is not UTF-8 (state from an
# older version, or a hand edit) still gives a file promtool accepts
sqlite3 "$H/.ops/state.db" "INSERT INTO check_current(name,state,since,last,message)
  VALUES(CAST(X'6e616d65ff1b5b316d' AS TEXT), 1, strftime('%s','now'), strftime('%s','now'), 'm')"
expect_rc 0 ops-dashboard --home "$H" prom -o "$T/metrics.prom"
python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8", "strict")' "$T/metrics.prom" ||
	fail "the Prometheus file is not valid UTF-8"
if command -v promtool >/dev/null; then
	promtool check metrics < "$T/metrics.prom" || fail "promtool rejects the metrics"
fi
ops-dashboard --home "$H" json > "$T/dash.json" || true
strict_json < "$T/dash.json" || fail "ops-dashboard json is not valid UTF-8 JSON"

# rotation.log: one line per action, whatever the file name holds
old=$(date -d '-40 days' +%Y%m%d)
name="$H/logs/evil
[2020-01-01 00:00:00] [INFO] rotation: deleted forged_$old.log"
echo x > "$name"
touch -d '-40 days' "$name"
expect_rc 0 ops-rotate --home "$H"
[ ! -e "$name" ] || fail "the old log was not deleted"
if grep -q '^\[2020-01-01' "$H/logs/rotation.log"; then
	fail "a file name forged a line in rotation.log: $(cat "$H/logs/rotation.log")"
fi
grep -q 'evil?\[2020' "$H/logs/rotation.log" || fail "rotation.log does not name the file: $(cat "$H/logs/rotation.log")"
echo ok
