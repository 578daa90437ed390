#!/bin/bash
# A bad configuration is UNKNOWN (exit 3) with ONE line naming the file and
# the key (or the line, for invalid JSON), and no check is run.
. "$(dirname "$0")/lib.sh"
H=$T/home
healthy_home "$H"
C=$H/ops.json
lines0=$(wc -l < "$H/logs/health_check.log")

# bad_config REGEX: ops-health refuses the current ops.json with that message
bad_config() {
	expect_rc 3 ops-health --home "$H"
	[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] || fail "not one line: $OUT"
	expect_match "^DHARMIC-OPS UNKNOWN - $(printf '%s' "$C" | sed 's/[.[\*^$]/\\&/g'): $1\$" "$OUT"
	[ -z "$ERR" ] || fail "unexpected stderr: $ERR"
}
cfg() { printf '%s\n' "$1" > "$C"; chmod 600 "$C"; }

cfg '{"health": {"disk_wran": "5G"}}'
bad_config "unknown key 'health\\.disk_wran'"
cfg '{"helth": {}}'
bad_config "unknown key 'helth'"
cfg '{"health": {"disk_warn": "5Q"}}'
bad_config "'health\\.disk_warn': expected a size such as \"100M\" or \"5G\""
cfg '{"health": {"disk_warn": true}}'
bad_config "'health\\.disk_warn': expected a size such as \"100M\" or \"5G\""
cfg '{"health": {"restarts_max": "3"}}'
bad_config "'health\\.restarts_max': expected a whole number, 0 or more"
cfg '{"health": {"restarts_max": 2.5}}'
bad_config "'health\\.restarts_max': expected a whole number, 0 or more"
cfg '{"health": {"backup_max_age": "26 hours"}}'
bad_config "'health\\.backup_max_age': expected a duration such as .*"
cfg '{"health": {"databases": "memory/*.db"}}'
bad_config "'health\\.databases': expected an array of strings"
cfg '{"health": {"integrity": "thorough"}}'
bad_config "'health\\.integrity': expected \"quick\", \"full\" or \"off\""
cfg '{"health": {"disk_warn": "1G", "disk_crit": "2G"}}'
bad_config "'health\\.disk_crit': expected a size no larger than health\\.disk_warn"
cfg '{"health": []}'
bad_config "'health': expected an object"
cfg '[1, 2]'
bad_config "expected a JSON object"
cfg '{"health": {"checks": [{"name": "x", "command": ["true"], "timout": "1s"}]}}'
bad_config "unknown key 'health\\.checks\\[0\\]\\.timout'"
cfg '{"health": {"checks": [{"name": "x y", "command": ["true"]}]}}'
bad_config "'health\\.checks\\[0\\]': expected a \"name\" of letters, digits, '_' and '-'"
cfg '{"health": {"checks": [{"name": "x", "command": []}]}}'
bad_config "'health\\.checks\\[0\\]\\.command': expected a non-empty array of strings"
cfg '{"health": {"checks": [{"name": "disk", "command": ["true"]}]}}'
bad_config "check name 'disk' is the name of a built-in check"
cfg '{"health": {"checks": [{"name": "a", "command": ["true"]}], "endpoints": [{"name": "a", "url": "tcp://127.0.0.1:1"}]}}'
bad_config "check name 'a' is used twice"
cfg '{"health": {"checks": [{"name": "a", "command": ["true"]}, {"name": "a", "command": ["false"]}]}}'
bad_config "check name 'a' is used twice"
cfg '{"health": {"endpoints": [{"name": "e", "url": "ftp://example.org/"}]}}'
bad_config "'health\\.endpoints\\[0\\]\\.url': expected an http://, https:// or tcp://HOST:PORT URL"
# --json: the same refusal as a JSON answer
cfg '{"health": {"disk_warn": "5Q"}}'
expect_rc 3 ops-health --home "$H" --json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["state"] == "UNKNOWN" and d["code"] == 3, d
assert len(d["checks"]) == 1, d
m = d["checks"][0]["message"]
assert m.endswith("ops.json: '"'"'health.disk_warn'"'"': expected a size such as \"100M\" or \"5G\""), m
' || fail "--json with a bad config: $OUT"
# invalid JSON: the file and the line
printf '{\n  "health": {\n    "disk_warn": "5G",\n  }\n}\n' > "$C"
bad_config "invalid JSON near line 4"
printf '{\n  "health": {\n    "disk_warn": 5G\n  }\n}\n' > "$C"
bad_config "invalid JSON near line 3"
cfg '{"health": {}} trailing'
bad_config "invalid JSON near line 1"
# a file others may write to names commands we would run: refused
cfg '{}'
chmod 606 "$C"
bad_config "refusing a config file writable by others \\(chmod o-w\\)"
# an explicit --config that does not exist is an error; a missing default
# ops.json means the defaults
expect_rc 3 ops-health --home "$H" --config "$T/none.json"
expect_match "^DHARMIC-OPS UNKNOWN - unable to open '$T/none\\.json': No such file or directory\$" "$OUT"
DHARMIC_OPS_CONFIG=$T/none.json expect_rc 3 ops-health --home "$H"
expect_match "^DHARMIC-OPS UNKNOWN - unable to open '$T/none\\.json'" "$OUT"

# none of these runs ran or recorded anything
[ "$(wc -l < "$H/logs/health_check.log")" -eq "$lines0" ] || fail "a refused run was logged"
[ ! -e "$H/.ops/state.db" ] || [ "$(sqlite3 "$H/.ops/state.db" 'SELECT count(*) FROM runs')" = 0 ] ||
	fail "a refused run was recorded"

# the good file again, then --config elsewhere wins over the home's file
write_config "$H"
expect_rc 0 ops-health --home "$H"
printf '{"daemon": {"match": "no-such-agent"}}\n' > "$T/other.json"
chmod 600 "$T/other.json"
expect_rc 2 ops-health --home "$H" --config "$T/other.json"
expect_match "^daemon: CRITICAL - not running: PID $AGENT_PID is not the agent: .* does not match 'no-such-agent' \\(logs/daemon\\.pid\\)\$" "$OUT"
DHARMIC_OPS_CONFIG=$T/other.json expect_rc 2 ops-health --home "$H"
DHARMIC_OPS_CONFIG=$T/other.json expect_rc 0 ops-health --home "$H" --config "$C"
echo ok
