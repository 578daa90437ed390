#!/bin/bash
# Actions taken in the weekly report and the dashboard (status, terminal,
# JSON, HTML), each linked to the alert that preceded it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
alert_config "$H" '{"checks": [{"name": "probe", "command": ["false"], "remedy": "fixit"}]}'
python3 - "$H/ops.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["actions"] = [{"name": "fixit", "command": ["true"], "confirm": True}]
json.dump(c, open(sys.argv[1], "w"))
PY
expect_rc 0 dharmic-ops report --home "$H"
expect_match '^actions +0 taken \(0 done\)$' "$OUT"
expect_rc 0 dharmic-ops status --home "$H"
expect_match '^actions +none in 24 h$' "$OUT"

ops-health --home "$H" > /dev/null || true
expect_rc 0 ops-alert run --home "$H"
expect_match '^ENV check_probe\|' "$(cat "$REC")"
expect_rc 0 dharmic-ops act fixit --yes --home "$H" < /dev/null
# a refused one is not an action taken
expect_rc 2 dharmic-ops act fixit --home "$H" < /dev/null

expect_rc 0 dharmic-ops report --home "$H"
expect_match '^actions +1 taken \(1 done\):$' "$OUT"
expect_match '^  [0-9-]+ [0-9:]+ act fixit done, after alert check_probe \([0-9-]+ [0-9:]+\)$' "$OUT"
expect_rc 0 dharmic-ops status --home "$H"
expect_match '^actions +1 in 24 h \(1 done\); last: act fixit done .* ago, after alert check_p' "$OUT"
expect_rc 0 ops-dashboard --home "$H" show
expect_match 'act fixit done .* ago, after alert check_probe' "$OUT"
expect_rc 0 ops-dashboard --home "$H" json
printf '%s' "$OUT" | python3 -c '
import json, sys
a = json.load(sys.stdin)["actions"]
assert len(a) == 1 and a[0]["what"] == "act fixit" and a[0]["outcome"] == "done", a
assert a[0]["alert"] == "check_probe" and a[0]["alert_time"], a
' || fail "dashboard json actions"
expect_rc 0 ops-dashboard --home "$H" html -o "$T/page.html"
grep -q '<h2>Actions taken</h2>' "$T/page.html" || fail "no actions on the page"
grep -q 'after alert <a href="#alerts">check_probe</a>' "$T/page.html" || fail "no link to the alert"
echo "ok"
