#!/bin/bash
# Heartbeat faults with a live agent: a heartbeat that stops (WARNING at
# heartbeat_warn x interval, CRITICAL only when heartbeat_crit is set), one
# from the future (clock skew), a malformed or missing status file, an agent
# reporting trouble. Each is named in the message; the daemon stays OK.
. "$(dirname "$0")/lib.sh"
H=$T/home
ST=$H/logs/daemon_status.json

# The agent beats once (interval 1 s) and then stops: stale after 2 s.
mkhome "$H"
add_backup "$H"
start_agent "$H" --heartbeat-interval 1 --stop-heartbeat-after 1
stale() {
	ops-health --home "$H" --no-record --check heartbeat >/dev/null
	[ $? -eq 1 ]
}
wait_for 10 stale
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^DHARMIC-OPS WARNING - heartbeat: stale: last heartbeat [0-9]+s ago \(interval 1s\) \(9/10 checks ok\)' "$(first_line)"
expect_match "'heartbeat_age'=[0-9]+s;2;;0" "$(first_line)"
expect_match '^daemon: OK - running' "$OUT"

# status_at OFFSET [STATUS]: rewrite the status file with a heartbeat
# OFFSET seconds from now (local time, like the agent) and a 1 h interval.
status_at() {
	t=$(date -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%S.000000)
	printf '{"status":"%s","timestamp":"%s","pid":"%s","heartbeat_interval":3600,"details":{"last_heartbeat":"%s","checks_passed":4,"total_checks":4}}\n' \
		"${2:-running}" "$t" "$AGENT_PID" "$t" > "$ST"
}

status_at -60
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^heartbeat: OK - last heartbeat 1m [0-9]s ago \(interval 1h 0m\)$' "$OUT"

# 3 h old with a 1 h interval: past 2 x interval
status_at -10800
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^heartbeat: WARNING - stale: last heartbeat 3h 0m ago \(interval 1h 0m\)$' "$OUT"
# heartbeat_crit: 0 (the default) never CRITICAL, even 10 days late;
# otherwise CRITICAL past heartbeat_crit x interval
write_config "$H" '"health": {"heartbeat_warn": 1, "heartbeat_crit": 4}'
expect_rc 1 ops-health --home "$H" --no-record
write_config "$H" '"health": {"heartbeat_warn": 1, "heartbeat_crit": 2.5}'
expect_rc 2 ops-health --home "$H" --no-record
expect_match '^DHARMIC-OPS CRITICAL - heartbeat: stale: last heartbeat 3h 0m ago .*\(9/10 checks ok\)' "$(first_line)"
expect_match "'heartbeat_age'=1080[0-9]s;3600;9000;0" "$(first_line)"
write_config "$H"
status_at -864000
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^heartbeat: WARNING - stale: last heartbeat 10d' "$OUT"

# two hours in the future: a clock is wrong
status_at 7200
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^heartbeat: WARNING - last heartbeat is 1h 59m in the future \(clock skew\?\)$' "$OUT"
# a few seconds ahead is tolerated
status_at 5
expect_rc 0 ops-health --home "$H" --no-record

# the agent itself reports trouble
status_at -10 degraded
expect_rc 1 ops-health --home "$H" --no-record
expect_match "^heartbeat: WARNING - agent reports status 'degraded'\$" "$OUT"

# malformed: not JSON, then JSON without the heartbeat
printf '{"status": "running", "details": {' > "$ST"
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^DHARMIC-OPS WARNING - heartbeat: status file unusable: malformed: not valid JSON \(9/10 checks ok\)' "$(first_line)"
printf '{"status": "running", "details": {}}' > "$ST"
expect_rc 1 ops-health --home "$H" --no-record
expect_match "^heartbeat: WARNING - status file unusable: malformed: 'last_heartbeat' is missing\$" "$OUT"
printf '{"status": "running", "details": {"last_heartbeat": "yesterday"}}' > "$ST"
expect_rc 1 ops-health --home "$H" --no-record
expect_match "^heartbeat: WARNING - status file unusable: malformed: 'last_heartbeat': " "$OUT"

# missing
rm "$ST"
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^heartbeat: WARNING - status file missing: .*daemon_status\.json' "$OUT"
expect_match '^daemon: OK - running' "$OUT"
echo ok
