#!/bin/bash
# "auto": true: ops-alert runs a failing check's remedy by itself, through
# the restart policy (daemon.restart_backoff, restart_burst, restart_window)
# over that action's earlier automatic runs; each run, and each decision
# not to run (once, not every run), is in the audit trail as auto-remedy.
# An action without "auto" is only ever suggested.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
M=$T/marker
alert_config "$H" '{"checks": [{"name": "probe", "command": ["false"], "remedy": "fixit"},
	{"name": "other", "command": ["false"], "remedy": "manual"}]}'
python3 - "$H/ops.json" "$M" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["daemon"].update({"restart_backoff": "60s", "restart_burst": 2, "restart_window": "1h"})
c["actions"] = [
    {"name": "fixit", "command": ["sh", "-c", "echo fixed >> " + sys.argv[2]], "auto": True},
    {"name": "manual", "command": ["sh", "-c", "echo manual >> " + sys.argv[2]]}]
json.dump(c, open(sys.argv[1], "w"))
PY
DB=$H/.ops/state.db
runs() { [ -f "$M" ] && grep -c fixed "$M" || echo 0; }
rows() { sqlite3 "$DB" "SELECT outcome || '|' || via || '|' || detail FROM audit WHERE verb='act' ORDER BY seq"; }
t0=$(date +%s)

alert_at "$t0" run --home "$H" > "$T/out" 2>&1 || fail "ops-alert: $(cat "$T/out")"
[ "$(runs)" = 1 ] || fail "the remedy did not run: $(runs)"
expect_match '^done\|auto-remedy\|fixit \(for alert check_probe\): exit 0 ' "$(rows)"
# inside the back-off: held, recorded once however many runs
alert_at $((t0 + 10)) run --home "$H" > /dev/null 2>&1
alert_at $((t0 + 20)) run --home "$H" > /dev/null 2>&1
[ "$(runs)" = 1 ] || fail "ran inside the back-off"
[ "$(rows | grep -c '^deferred|auto-remedy|fixit (for alert check_probe): backing off')" = 1 ] ||
	fail "deferrals: $(rows)"
# back-off passed: the second run of the burst
alert_at $((t0 + 70)) run --home "$H" > /dev/null 2>&1
[ "$(runs)" = 2 ] || fail "not run after the back-off: $(runs)"
# burst spent: refused, once
alert_at $((t0 + 400)) run --home "$H" > /dev/null 2>&1
alert_at $((t0 + 500)) run --home "$H" > /dev/null 2>&1
[ "$(runs)" = 2 ] || fail "ran past the burst"
[ "$(rows | grep -c '^refused|auto-remedy|fixit (for alert check_probe): burst spent')" = 1 ] ||
	fail "refusals: $(rows)"
# the window clears: allowed again
alert_at $((t0 + 4000)) run --home "$H" > /dev/null 2>&1
[ "$(runs)" = 3 ] || fail "not run once the window cleared: $(runs)"
# the action without "auto" never ran
grep -q manual "$M" && fail "an action without \"auto\" was run by ops-alert"
expect_match 'remedy: dharmic-ops act manual' "$(cat "$H/logs/alerts.log")"
expect_rc 0 dharmic-ops audit --verify --home "$H"
echo "ok"
