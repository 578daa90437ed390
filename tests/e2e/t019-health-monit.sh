#!/bin/bash
# Monit as a source (health.monit), against a real Monit started here on
# 127.0.0.1 with its own control file: each Monit service is a check
# monit_NAME; a failure flipped by the test (a file removed, a process
# killed) is CRITICAL and becomes an alert with its log context; a wrong
# password or Monit stopped is one UNKNOWN check, not one per service.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
MONIT=$(command -v monit || true)
[ -n "$MONIT" ] || [ ! -x /usr/bin/monit ] || MONIT=/usr/bin/monit
[ -n "$MONIT" ] || skip "monit not installed (tests/install-deps.sh --tests)"
H=$T/home
healthy_home "$H"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
M=$T/monit
mkdir "$M"
touch "$M/flag"
sleep 300 &
sleeper=$!
_pids="$_pids $sleeper"
echo "$sleeper" > "$M/sleeper.pid"
cat > "$M/monitrc" <<EOF
set daemon 1
set pidfile $M/monit.pid
set statefile $M/monit.state
set idfile $M/monit.id
set logfile $M/monit.log
set httpd port $port address 127.0.0.1
    allow admin:hunter2
check file flag with path $M/flag
check process sleeper with pidfile $M/sleeper.pid
check file other.log with path $M/flag
EOF
chmod 600 "$M/monitrc"
"$MONIT" -c "$M/monitrc" -I >/dev/null 2>&1 &
monit=$!
_pids="$_pids $monit"

url="http://127.0.0.1:$port/_status?format=xml&level=full"
mcfg() { # HEALTH_EXTRA
	alert_config "$H" "{\"monit\": {\"url\": \"$url\", \"user\": \"admin\"$1}}" \
		'{"cooldown": "0s"}'
}
mcfg ''
export MONIT_PASSWORD=hunter2
monit_ok() { ops-health --home "$H" --no-record --check monit >/dev/null 2>&1; }
wait_for 20 monit_ok
expect_rc 0 ops-health --home "$H" --no-record --check monit
# three services and Monit's own host (a "system" service)
expect_match '^DHARMIC-OPS OK - 4/4 checks ok' "$(first_line)"
expect_match '^monit_[A-Za-z0-9_-]+: OK - Monit: system [^ ]+: ok$' "$OUT"
expect_match "^monit_sleeper: OK - Monit: process sleeper: ok \\(pid $sleeper(, cpu [0-9.]+%)?, memory [0-9.]+ [KM]iB\\)\$" "$OUT"
expect_match '^monit_flag: OK - Monit: file flag: ok$' "$OUT"
# a name a check cannot hold is made one
expect_match '^monit_other_log: OK - Monit: file other.log: ok$' "$OUT"
expect_match "'monit_sleeper_memory'=[0-9]+B;;;0" "$(first_line)"
# one service by its check name; --json has it
expect_rc 0 ops-health --home "$H" --no-record --check monit_flag --json
expect_match '"checks":\[\{"name":"monit_flag","state":"OK"' "$OUT"
# after the built-in checks in a full run
expect_rc 0 ops-health --home "$H" --no-record
case "$(printf '%s\n' "$OUT" | sed -n '2,$p' | cut -d: -f1 | tr '\n' ' ')" in
"daemon heartbeat integrity disk email restarts backup cpu rss fds monit_flag monit_sleeper monit_other_log monit_"*) ;;
*) fail "order: $OUT" ;;
esac
# health.monit.services selects
mcfg ', "services": ["fl*"]'
expect_rc 0 ops-health --home "$H" --no-record --check monit
expect_match '^DHARMIC-OPS OK - 1/1 checks ok' "$(first_line)"

# flip them: the file goes, the process dies (log context by Monit's
# service name, "*" for the others: health.monit.context)
printf 'flag 1\nflag 2\nflag 3\n' > "$H/logs/flag.log"
printf 'any 1\n' > "$H/logs/any.log"
mcfg ', "context": {"flag": {"file": "logs/flag.log", "max_lines": 2}, "*": {"file": "logs/any.log"}}'
rm "$M/flag"
kill "$sleeper"
monit_bad() {
	ops-health --home "$H" --no-record --check monit_flag --check monit_sleeper > "$T/bad.out" 2>&1
	[ "$(grep -c ': CRITICAL - ' "$T/bad.out")" = 2 ]
}
wait_for 20 monit_bad
expect_rc 2 ops-health --home "$H" --no-record --check monit
expect_match '^monit_flag: CRITICAL - Monit: file flag: does not exist$' "$OUT"
expect_match '^monit_sleeper: CRITICAL - Monit: process sleeper: does not exist' "$OUT"
# the failure is an alert like any check's
expect_rc 2 ops-health --home "$H"
expect_rc 0 ops-alert --home "$H" run
grep -q '^ENV check_monit_flag|CRITICAL|' "$REC" || fail "no alert for monit_flag:
$(cat "$REC")"
grep -q 'Monit: file flag: does not exist' "$REC" || fail "alert without Monit's reason"
python3 - "$REC" <<'EOF_PY' || fail "Monit alerts without their context: $(cat "$REC")"
import json, sys
cmd = {c["type"]: c for c in (json.loads(l) for l in open(sys.argv[1]) if l.startswith("{"))}
assert cmd["check_monit_flag"]["context"] == {"source": "logs/flag.log",
                                              "lines": ["flag 2", "flag 3"]}, cmd
assert cmd["check_monit_sleeper"]["context"]["lines"] == ["any 1"], cmd
EOF_PY

# a wrong password: one UNKNOWN
MONIT_PASSWORD=wrong expect_rc 3 ops-health --home "$H" --no-record --check monit
expect_match "^monit: UNKNOWN - Monit at http://127\\.0\\.0\\.1:$port/_status\\?format=xml&level=full answered HTTP 401 \\(user or password wrong\\?\\)\$" "$OUT"
[ "$(printf '%s\n' "$OUT" | grep -c '^monit')" = 1 ] || fail "more than one Monit result: $OUT"

# Monit stopped: one UNKNOWN, not one per service
kill "$monit"
wait "$monit" 2>/dev/null || true
expect_rc 3 ops-health --home "$H" --no-record --check monit
expect_match "^monit: UNKNOWN - Monit unreachable at http://127\\.0\\.0\\.1:$port/" "$OUT"
[ "$(printf '%s\n' "$OUT" | grep -c '^monit')" = 1 ] || fail "more than one Monit result: $OUT"
expect_rc 3 ops-health --home "$H" --no-record
expect_match '^monit: UNKNOWN - ' "$OUT"
expect_no_match '^monit_' "$OUT"

# configuration
alert_config "$H" '{"monit": {"url": "ftp://x/"}}'
expect_rc 3 ops-health --home "$H" --no-record
expect_match "health\\.monit\\.url': expected an http:// or https:// URL" "$OUT"
alert_config "$H" '{"monit": {"uri": "http://x/"}}'
expect_rc 3 ops-health --home "$H" --no-record
expect_match "unknown key 'health\\.monit\\.uri'" "$OUT"
alert_config "$H" '{"checks": [{"name": "monit_x", "command": ["true"]}]}'
expect_rc 3 ops-health --home "$H" --no-record
expect_match "names monit and monit_\\* are Monit's" "$OUT"
echo ok
