#!/bin/bash
# Restarts logged in logs/restart.log within restarts_window: more than
# restarts_max is WARNING (a restart loop). Older lines, lines stamped in
# the future and lines that are not restarts are not counted.
. "$(dirname "$0")/lib.sh"
H=$T/home
healthy_home "$H"
RL=$H/logs/restart.log
stamp() { date -d "@$(($(date +%s) - $1))" '+%Y-%m-%d %H:%M:%S'; }

{
	echo "[$(stamp 7200)] [INFO] restart: two hours ago"
	echo "[$(stamp 4000)] [INFO] restart: just outside the hour"
	echo "[$(stamp 600)] [WARNING] restart: daemon restarted"
	echo "[$(stamp 300)] [WARNING] restart: daemon restarted"
	echo "not a log line"
	echo "[$(stamp 120)] [WARNING] restart: daemon restarted"
	echo "[$(stamp -3600)] [WARNING] restart: from the future"
} > "$RL"
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^restarts: OK - 3 restarts in the last 1h 0m$' "$OUT"
expect_match "'restarts'=3;3;;0" "$(first_line)"

echo "[$(stamp 10)] [WARNING] restart: daemon restarted" >> "$RL"
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^DHARMIC-OPS WARNING - restarts: 4 restarts in the last 1h 0m \(restart loop\?\) \(9/10 checks ok\)' "$(first_line)"

# a wider window takes in the older ones; a higher limit tolerates them
write_config "$H" '"health": {"restarts_window": "3h"}'
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^restarts: WARNING - 6 restarts in the last 3h 0m \(restart loop\?\)$' "$OUT"
write_config "$H" '"health": {"restarts_window": "3h", "restarts_max": 6}'
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^restarts: OK - 6 restarts in the last 3h 0m$' "$OUT"

# a limit of 0: any restart in the window warns
write_config "$H" '"health": {"restarts_max": 0, "restarts_window": "1m"}'
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^restarts: WARNING - 1 restart in the last 1m 0s \(restart loop\?\)$' "$OUT"

# no restart log at all
write_config "$H"
rm "$RL"
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^restarts: OK - 0 restarts in the last 1h 0m$' "$OUT"
echo ok
