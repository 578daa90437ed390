#!/bin/bash
# A check's "remedy" names an action: troubleshoot and the alert text then
# suggest that exact command; a remedy that is not an action is a config
# error.
. "$(dirname "$0")/lib.sh"

H=$T/home
mkdir -p "$H/logs"
write_config "$H" '"alert": {"desktop": false}' \
	'"health": {"checks": [{"name": "probe", "command": ["false"], "remedy": "fixit"}]}' \
	'"actions": [{"name": "fixit", "command": ["true"], "description": "fix the probe"}]'
expect_rc 1 dharmic-ops troubleshoot --home "$H"
expect_match '^PROBLEM \[probe\] check probe' "$OUT"
expect_match "^    fix: dharmic-ops act fixit --home '?$H" "$OUT"
ops-health --home "$H" >/dev/null || true
expect_rc 0 ops-alert run --home "$H"
expect_match 'Check Failed: probe .*\(remedy: dharmic-ops act fixit\)' "$(cat "$H/logs/alerts.log")"

write_config "$H" '"health": {"checks": [{"name": "probe", "command": ["false"], "remedy": "nothing"}]}' \
	'"actions": [{"name": "fixit", "command": ["true"]}]'
expect_rc 2 dharmic-ops act --home "$H"
expect_match "check 'probe': remedy 'nothing' is not in actions" "$ERR"
for bad in '"actions": [{"name": "a/b", "command": ["true"]}]' \
    '"actions": [{"name": "x", "command": "true"}]' \
    '"actions": [{"name": "x", "command": []}]' \
    '"actions": [{"name": "x", "command": ["true"], "shell": true}]' \
    '"actions": [{"name": "x", "command": ["true"], "timeout": 0}]' \
    '"actions": [{"name": "x", "command": ["true"]}, {"name": "x", "command": ["true"]}]'; do
	write_config "$H" "$bad"
	expect_rc 2 dharmic-ops act --home "$H"
	expect_match "ops.json: .*action" "$ERR"
done
echo "ok"
