#!/bin/bash
# Email errors: the newest email_*.log is read (its last email_window
# lines); more than email_errors lines with ERROR is WARNING. No email log
# at all is OK, and says so.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
add_backup "$H"
rm -f "$H"/logs/email_*.log
# the agent writes 10 errors to today's email log as it starts
start_agent "$H" --email-errors 10
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^DHARMIC-OPS WARNING - email: 10 errors in the last 10 lines of logs/email_[0-9]{8}\.log \(9/10 checks ok\)' "$(first_line)"
expect_match "'email_errors'=10;5;;0;100" "$(first_line)"
kill "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true

# five is the limit, not over it
rm -f "$H"/logs/email_*.log
start_agent "$H" --email-errors 5 --email-ok 3
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^email: OK - 5 errors in the last 8 lines of logs/email_[0-9]{8}\.log$' "$OUT"
# only the last email_window lines count
write_config "$H" '"health": {"email_window": 4, "email_errors": 1}'
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^email: OK - 1 error in the last 4 lines' "$OUT"
write_config "$H" '"health": {"email_window": 5, "email_errors": 1}'
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^email: WARNING - 2 errors in the last 5 lines' "$OUT"
# a limit of 0: any error warns
write_config "$H" '"health": {"email_window": 3, "email_errors": 0}'
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^email: OK - 0 errors in the last 3 lines' "$OUT"
write_config "$H" '"health": {"email_window": 4, "email_errors": 0}'
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^email: WARNING - 1 error in the last 4 lines' "$OUT"
# the newest log is the one read: an older day full of errors is ignored
write_config "$H"
for _ in $(seq 20); do echo "2020-01-01 00:00:00 [ERROR] email: old"; done > "$H/logs/email_20200101.log"
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^email: OK - 5 errors in the last 8 lines of logs/email_2' "$OUT"
expect_no_match 'email_20200101' "$OUT"

# no email log at all
rm -f "$H"/logs/email_*.log
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^email: OK - no email log \(logs/email_\*\.log\)$' "$OUT"
expect_match '^DHARMIC-OPS OK - 10/10 checks ok' "$(first_line)"
echo ok
