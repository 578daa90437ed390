#!/bin/bash
# Health history: each run goes to .ops/state.db (runs, check_results,
# check_current with since and changed) and adds one line to
# logs/health_check.log; 30 days are kept; --no-record records nothing; a
# garbage state.db is set aside (never overwritten) and the run still works.
. "$(dirname "$0")/lib.sh"
H=$T/home
healthy_home "$H"
DB=$H/.ops/state.db
LOG=$H/logs/health_check.log
q() { sqlite3 "$DB" "$1"; }
n0=$(wc -l < "$LOG")
now=$(date +%s)
at() { DHARMIC_OPS_NOW=$((now + $1)) expect_rc "$2" ops-health --home "$H" "${@:3}"; }

# run 1: every check new
at 0 0 --json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert all(c["changed"] is True for c in d["checks"]), d
' || fail "first run: not all changed"
[ "$(q 'SELECT count(*) FROM runs')" = 1 ] || fail "run 1 not recorded"
[ "$(q "SELECT program, state FROM runs")" = "ops-health|0" ] || fail "runs row: $(q 'SELECT * FROM runs')"
[ "$(q "SELECT count(*) FROM check_results WHERE ts=$now AND since=$now")" = 10 ] || fail "check_results of run 1"
[ "$(q "SELECT count(*) FROM check_current WHERE since=$now AND last=$now")" = 10 ] || fail "check_current of run 1"
[ "$(wc -l < "$LOG")" -eq $((n0 + 1)) ] || fail "run 1 not logged"
expect_match "^\\[$(date -d "@$now" '+%Y-%m-%d %H:%M:%S')\\] \\[OK\\] health: 10/10 checks ok\$" "$(tail -1 "$LOG")"

# run 2, a minute later: ongoing, since kept
at 60 0 --json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert all(c["changed"] is False for c in d["checks"]), d
' || fail "second run: something changed"
[ "$(q "SELECT since, last FROM check_current WHERE name='disk'")" = "$now.0|$((now + 60)).0" ] ||
	fail "disk since/last: $(q "SELECT * FROM check_current WHERE name='disk'")"

# run 3: the daemon goes CRITICAL: a new state, since now
echo garbage > "$H/logs/daemon.pid"
at 120 2
expect_match '^\[CRITICAL\] health: daemon: not running: PID file holds garbage, not a PID \(logs/daemon\.pid\) \(6/7 checks ok\)$' \
	"$(tail -1 "$LOG" | cut -d' ' -f3-)"
[ "$(q "SELECT state, since FROM check_current WHERE name='daemon'")" = "2|$((now + 120)).0" ] ||
	fail "daemon not new CRITICAL: $(q "SELECT * FROM check_current WHERE name='daemon'")"
[ "$(q "SELECT since FROM check_current WHERE name='disk'")" = "$now.0" ] || fail "disk since moved"
[ "$(q "SELECT state FROM runs ORDER BY id DESC LIMIT 1")" = 2 ] || fail "run 3 state"
# run 4: still CRITICAL, since kept, changed false
at 180 2 --json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = [c for c in d["checks"] if c["name"] == "daemon"][0]
assert c["state"] == "CRITICAL" and c["changed"] is False, c
' || fail "fourth run: daemon"
[ "$(q "SELECT since FROM check_current WHERE name='daemon'")" = "$((now + 120)).0" ] || fail "daemon since moved"
[ "$(q "SELECT group_concat(state, '') FROM (SELECT state FROM check_results WHERE name='daemon' ORDER BY ts)")" = 0022 ] ||
	fail "daemon history: $(q "SELECT * FROM check_results WHERE name='daemon'")"
[ "$(q 'SELECT count(*) FROM check_results')" = 34 ] || fail "check_results: $(q 'SELECT count(*) FROM check_results')"
[ "$(wc -l < "$LOG")" -eq $((n0 + 4)) ] || fail "not one log line per run"

# --no-record: neither the database nor the log
at 200 2 --no-record
[ "$(q 'SELECT count(*) FROM runs')" = 4 ] || fail "--no-record recorded a run"
[ "$(wc -l < "$LOG")" -eq $((n0 + 4)) ] || fail "--no-record logged a line"

# 31 days later the first four runs are pruned
echo "$AGENT_PID" > "$H/logs/daemon.pid"
at $((31 * 86400)) 0 --check disk
[ "$(q 'SELECT count(*) FROM runs')" = 1 ] || fail "old runs not pruned: $(q 'SELECT count(*) FROM runs')"
[ "$(q 'SELECT count(*) FROM check_results')" = 1 ] || fail "old results not pruned"

# a garbage state.db: set aside with a warning, a fresh one made, the run
# itself unaffected
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true
rm -f "$DB-wal" "$DB-shm"
head -c 8192 /dev/urandom > "$DB"
cp "$DB" "$T/garbage1"
expect_rc 0 ops-health --home "$H" --check disk
expect_match '^DHARMIC-OPS OK - 1/1 checks ok' "$(first_line)"
expect_match "^ops-health: warning: unreadable state database moved to '$DB\\.corrupt-[0-9]{8}_[0-9]{6}'\$" "$ERR"
aside1=$(printf '%s' "$ERR" | sed "s/.*moved to '\\(.*\\)'/\\1/")
cmp -s "$aside1" "$T/garbage1" || fail "the set-aside copy differs from the garbage"
[ "$(q 'SELECT count(*) FROM runs')" = 1 ] || fail "the fresh state.db did not record the run"
[ "$(stat -c %a "$DB")" = 600 ] || fail "fresh state.db not 0600"
# again at once (same second): a second copy, the first kept
printf 'SQLite format 3\000 and then garbage' > "$DB"
cp "$DB" "$T/garbage2"
expect_rc 0 ops-health --home "$H" --check disk
aside2=$(printf '%s' "$ERR" | sed "s/.*moved to '\\(.*\\)'/\\1/")
[ "$aside2" != "$aside1" ] || fail "second copy set aside over the first"
cmp -s "$aside1" "$T/garbage1" || fail "the first set-aside copy was overwritten"
cmp -s "$aside2" "$T/garbage2" || fail "the second set-aside copy differs"
copies=("$H"/.ops/state.db.corrupt-*)
[ "${#copies[@]}" -eq 2 ] || fail "expected two copies: ${copies[*]}"
# an unusable .ops (a file, not a directory): the checks still run
rm -rf "$H/.ops"
: > "$H/.ops"
expect_rc 0 ops-health --home "$H" --check disk
expect_match '^DHARMIC-OPS OK - 1/1 checks ok' "$(first_line)"
expect_match '^ops-health: warning: ' "$ERR"
echo ok
