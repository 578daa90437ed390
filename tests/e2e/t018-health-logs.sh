#!/bin/bash
# health.logs: error lines (regex, default ERROR|CRITICAL|Traceback) among
# the last window lines of a glob's newest file, warn/crit counts, a log
# that stopped growing (stale_after); a log named "email" replaces the
# built-in email check's settings.
. "$(dirname "$0")/lib.sh"
H=$T/home
healthy_home "$H"

# 100 lines, 8 of them ERROR, in the newest file; an older file full of
# errors, even one last in name order, is not read
lines() { # N_OK N_ERR
	for i in $(seq "$1"); do echo "2026-12-01 10:00:$i [INFO] fine $i"; done
	for i in $(seq "$2"); do echo "2026-12-01 10:01:$i [ERROR] broken $i"; done
}
for i in $(seq 50); do echo "[ERROR] old"; done > "$H/logs/app-1.log"
cp "$H/logs/app-1.log" "$H/logs/app-9.log"
touch -d '2 days ago' "$H/logs/app-1.log" "$H/logs/app-9.log"
{ lines 46 4; lines 46 4; } > "$H/logs/app-5.log"

logs() { write_config "$H" "\"health\": {\"logs\": [$1]}"; }
logs '{"name": "app", "path": "logs/app-*.log"}'
expect_rc 1 ops-health --home "$H" --no-record --check app
expect_match '^app: WARNING - 8 errors in the last 100 lines of logs/app-5\.log$' "$OUT"
expect_match "\\| 'app_errors'=8;5;;0;100\$" "$(first_line)"
# a critical count, a smaller window, another pattern
logs '{"name": "app", "path": "logs/app-*.log", "crit": 7}'
expect_rc 2 ops-health --home "$H" --no-record --check app
expect_match '^app: CRITICAL - 8 errors in the last 100 lines' "$OUT"
logs '{"name": "app", "path": "logs/app-*.log", "window": 30}'
expect_rc 0 ops-health --home "$H" --no-record --check app
expect_match '^app: OK - 4 errors in the last 30 lines of logs/app-5\.log$' "$OUT"
echo 'Traceback (most recent call last):' >> "$H/logs/app-5.log"
echo '2026-12-01 10:02:00 [CRITICAL] worse' >> "$H/logs/app-5.log"
logs '{"name": "app", "path": "logs/app-*.log", "window": 32}'
expect_rc 1 ops-health --home "$H" --no-record --check app
expect_match '^app: WARNING - 6 errors in the last 32 lines' "$OUT"
logs '{"name": "app", "path": "logs/app-*.log", "pattern": "^[^ ]+ [^ ]+ \\[INFO\\]", "warn": 89, "crit": 90}'
expect_rc 1 ops-health --home "$H" --no-record --check app
expect_match '^app: WARNING - 90 errors in the last 100 lines' "$OUT"

# a log that stopped growing
now=$(date +%s)
logs '{"name": "app", "path": "logs/app-*.log", "stale_after": "1h", "warn": 50}'
expect_rc 0 ops-health --home "$H" --no-record --check app
DHARMIC_OPS_NOW=$((now + 3 * 3600)) expect_rc 1 ops-health --home "$H" --no-record --check app
expect_match '^app: WARNING - [0-9]+ errors in the last 100 lines of logs/app-5\.log, not written for (2h 59m|3h 0m) \(stale after 1h 0m\)$' "$OUT"
logs '{"name": "app", "path": "logs/nothing-*.log", "stale_after": "1h"}'
expect_rc 1 ops-health --home "$H" --no-record --check app
expect_match '^app: WARNING - no app log \(logs/nothing-\*\.log\)$' "$OUT"
logs '{"name": "app", "path": "logs/nothing-*.log"}'
expect_rc 0 ops-health --home "$H" --no-record --check app
expect_match '^app: OK - no app log' "$OUT"

# a log entry named email: the email check with these settings
for i in $(seq 3); do echo "x FAILED to send"; done > "$H/logs/email_29990101.log"
logs '{"name": "email", "path": "logs/email_*.log", "pattern": "FAILED", "warn": 2}'
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^email: WARNING - 3 errors in the last 3 lines of logs/email_29990101\.log$' "$OUT"
expect_match '\(9/10 checks ok\)' "$(first_line)"
# every check: the logs come after the endpoints
logs '{"name": "app", "path": "logs/app-*.log", "warn": 50}'
expect_rc 0 ops-health --home "$H" --no-record
[ "$(printf '%s\n' "$OUT" | sed -n '2,$p' | cut -d: -f1 | tr '\n' ' ')" = \
	"daemon heartbeat integrity disk email restarts backup cpu rss fds app " ] || fail "order: $OUT"

# configuration errors name the key
logs '{"name": "app", "path": "/var/log/syslog"}'
expect_rc 3 ops-health --home "$H" --no-record
expect_match "health\\.logs\\[0\\]\\.path" "$OUT"
logs '{"name": "app", "path": "../outside/*.log"}'
expect_rc 3 ops-health --home "$H" --no-record
expect_match "health\\.logs\\[0\\]\\.path" "$OUT"
logs '{"name": "disk", "path": "logs/a.log"}'
expect_rc 3 ops-health --home "$H" --no-record
expect_match "check name 'disk' is the name of a built-in check" "$OUT"
logs '{"name": "app", "path": "logs/a.log", "pattern": "("}'
expect_rc 3 ops-health --home "$H" --no-record
expect_match "health\\.logs\\[0\\]\\.pattern': expected a valid POSIX extended regex" "$OUT"
logs '{"name": "app", "path": "logs/a.log", "window": 0}'
expect_rc 3 ops-health --home "$H" --no-record
logs '{"name": "app", "path": "logs/a.log", "lines": 5}'
expect_rc 3 ops-health --home "$H" --no-record
expect_match "unknown key 'health\\.logs\\[0\\]\\.lines'" "$OUT"
# a symlinked logs directory is not followed
mkdir "$T/elsewhere"
lines 0 20 > "$T/elsewhere/app-7.log"
mkdir "$H/logs2" && ln -s "$T/elsewhere" "$H/logs2/sub"
logs '{"name": "app", "path": "logs2/sub/app-*.log", "stale_after": "1h"}'
expect_rc 1 ops-health --home "$H" --no-record --check app
expect_match '^app: WARNING - no app log' "$OUT"
echo ok
