#!/bin/bash
# A live agent on a fresh tiny home: every check but backup is OK.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
start_agent "$H"
mkdir -p "$H/backups/memory" && : > "$H/backups/memory/$(date +%Y%m%d_%H%M%S).tar.zst"
expect_rc 0 ops-health --home "$H"
expect_match '^DHARMIC-OPS OK - 10/10 checks ok \| ' "$(printf '%s\n' "$OUT" | head -1)"
expect_match "^daemon: OK - running \(pid $AGENT_PID" "$OUT"
# perfdata grammar: 'label'=value[UOM];[warn];[crit];[min];[max], warn and
# crit as ranges ([@][start:][end], ~ for minus infinity)
perf=$(printf '%s\n' "$OUT" | head -1 | sed 's/^[^|]*| //')
for item in $perf; do
	printf '%s\n' "$item" | grep -Eq "^'[^'=]+'=-?[0-9.]+(s|B|%|c|KB|MB|GB|TB|us|ms)?(;@?((~|-?[0-9.]+)?:)?(-?[0-9.]*)){0,2}(;-?[0-9.]*){0,2}$" ||
		fail "bad perfdata item: $item"
done
# the run is recorded and logged
expect_match '\[OK\] health: 10/10 checks ok' "$(tail -1 "$H/logs/health_check.log")"
[ "$(sqlite3 "$H/.ops/state.db" 'select count(*) from runs')" = 1 ] || fail "run not recorded"
[ "$(stat -c %a "$H/.ops")" = 700 ] || fail ".ops not 0700"
[ "$(stat -c %a "$H/.ops/state.db")" = 600 ] || fail "state.db not 0600"
# JSON form carries the same verdict
expect_rc 0 ops-health --home "$H" --json
printf '%s' "$OUT" | python3 -c '
import json,sys
d=json.load(sys.stdin)
assert d["state"]=="OK" and d["code"]==0, d
names=[c["name"] for c in d["checks"]]
assert names==["daemon","heartbeat","integrity","disk","email","restarts","backup","cpu","rss","fds"], names
assert all(c["changed"] is False for c in d["checks"]), "second run should be ongoing"
'
echo ok
