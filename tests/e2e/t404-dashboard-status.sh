#!/bin/bash
# dharmic-ops status (the short form) and ops-dashboard's usage errors,
# bad homes and a state database it must not create or change.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"

# No state database yet: the dashboard says so and does not create one.
expect_rc 0 dharmic-ops status --home "$H"
[ -e "$H/.ops" ] && fail "status created .ops/"
first=$(printf '%s\n' "$OUT" | head -1)
expect_match '^DHARMIC-OPS CRITICAL - daemon: not running' "$first"
labels=$(printf '%s\n' "$OUT" | tail -n +2 | awk '{ print $1 }' | tr '\n' ' ')
[ "$labels" = "daemon heartbeat memory email disk backups history alerts actions " ] ||
	fail "areas: '$labels'"
expect_match '^memory +UNKNOWN .*integrity never checked' "$OUT"
expect_match '^history +no runs recorded' "$OUT"
expect_match '^alerts +last .* ago: \[WARNING\] Disk Low - 4 GB free' "$OUT"
expect_rc 0 ops-dashboard --home "$H" json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = {x["name"]: x for x in d["checks"]}
assert d["history"]["available"] is False and d["history"]["runs"] == 0
assert c["integrity"]["state"] == "UNKNOWN" and "no state database" in c["integrity"]["message"]
'

# With a live agent and a recorded run: the same lines, now healthy.
start_agent "$H"
ops-health --home "$H" >/dev/null || true
before=$(sqlite3 "$H/.ops/state.db" 'select count(*) from runs; select count(*) from check_current')
DHARMIC_HOME=$H expect_rc 0 dharmic-ops status
expect_match "^daemon +OK +running, pid $AGENT_PID, up " "$OUT"
expect_match '^memory +OK +2 databases .*integrity ok ' "$OUT"
expect_match '^history +1 run in 24 h, last ' "$OUT"
[ "$(printf '%s\n' "$OUT" | wc -l)" = 10 ] || fail "status is not 10 lines"
[ "$(sqlite3 "$H/.ops/state.db" 'select count(*) from runs; select count(*) from check_current')" = "$before" ] ||
	fail "the dashboard changed the state database"
expect_rc 0 ops-dashboard --home "$H" status
expect_match '^DHARMIC-OPS (OK|WARNING) - ' "$OUT"

# Usage and configuration errors: exit 2, one line naming the problem.
expect_rc 2 ops-dashboard --home "$H" frobnicate
expect_match "unknown verb 'frobnicate'" "$ERR"
expect_rc 2 ops-dashboard --home "$H" json -o "$T/x"
expect_match '^ops-dashboard: -o goes with html, web and prom, not ' "$ERR"
expect_rc 2 ops-dashboard --home "$H" watch -n 0
expect_match "invalid interval '0'" "$ERR"
expect_rc 2 ops-dashboard --home "$H" json extra
expect_match "unexpected argument 'extra'" "$ERR"
expect_rc 2 dharmic-ops status --bogus
printf '{"health": {"nope": 1}}' > "$T/bad.json"
expect_rc 2 ops-dashboard --home "$H" --config "$T/bad.json" json
expect_match 'nope' "$ERR"
expect_rc 2 dharmic-ops status --home "$H" --config "$T/bad.json"
expect_match '^dharmic-ops status: .*nope' "$ERR"
expect_rc 0 ops-dashboard --help
expect_match '^usage: ops-dashboard' "$OUT"

# A garbage status file and state database are shown, not fatal.
# (the agent is stopped first: it would rewrite the status file)
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true
printf 'not json' > "$H/logs/daemon_status.json"
cp "$H/.ops/state.db" "$T/state.keep"
printf 'garbage' > "$H/.ops/state.db"
rm -f "$H/.ops/state.db-wal" "$H/.ops/state.db-shm"
expect_rc 0 ops-dashboard --home "$H" json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["heartbeat"]["present"] is False and "malformed" in d["heartbeat"]["error"], d["heartbeat"]
assert "status" not in d and d["history"]["available"] is False
'
[ "$(cat "$H/.ops/state.db")" = garbage ] || fail "the dashboard replaced the state database"

# status on a terminal: the dashboard's rules for colour (TERM=dumb and
# NO_COLOR turn it off) and for the width (every line fits)
if command -v script >/dev/null; then
	st() { TERM=$1 timeout 20 script -qfc "stty cols 50; ${2:-} dharmic-ops status --home '$H'" "$T/tty" </dev/null >/dev/null; }
	st xterm-256color
	grep -q $'\033\\[' "$T/tty" || fail "status has no colour on a terminal"
	grep -v '^Script ' "$T/tty" | tr -d '\r' | sed 's/\x1b\[[0-9;]*m//g; s/…/~/g' | awk 'length($0) > 50 { bad++ } END { exit bad > 0 }' ||
		fail "status lines wider than the 50-column terminal: $(cat "$T/tty")"
	st dumb
	grep -q 'DHARMIC-OPS' "$T/tty" || fail "status printed nothing under TERM=dumb"
	grep -q $'\033' "$T/tty" && fail "status wrote escape codes under TERM=dumb"
	st xterm-256color "NO_COLOR=1"
	grep -q $'\033' "$T/tty" && fail "status wrote escape codes under NO_COLOR"
else
	echo "note: no script(1): status on a terminal not checked" >&2
fi
echo ok
