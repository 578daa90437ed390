#!/bin/bash
# ops-dashboard json on a tiny home in known states: a dead PID with a
# recorded health history (ops-health run at chosen times), then a live
# agent.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"

# Four recorded runs, 20 h, 12 h, 6 h and 1 h before T0. The heartbeat is
# written fresh for all but the 12 h run, where it is 3 h stale (WARNING).
T0=$(( $(date +%s) / 900 * 900 + 450 ))
status() { # status EPOCH-OF-HEARTBEAT CHECKS-PASSED
	python3 - "$H/logs/daemon_status.json" "$1" "${2:-4}" <<'EOF'
import datetime, json, sys
hb = datetime.datetime.fromtimestamp(int(sys.argv[2])).isoformat()
json.dump({"status": "running", "timestamp": hb, "pid": "999999",
           "heartbeat_interval": 3600,
           "details": {"last_heartbeat": hb, "checks_passed": int(sys.argv[3]),
                       "total_checks": 4}},
          open(sys.argv[1], "w"))
EOF
}
for ago in 72000 43200 21600 3600; do
	t=$((T0 - ago))
	if [ "$ago" = 43200 ]; then status $((t - 3 * 3600)); else status $((t - 60)); fi
	DHARMIC_OPS_NOW=$t ops-health --home "$H" >/dev/null || true
done
[ "$(sqlite3 "$H/.ops/state.db" 'select count(*) from runs')" = 4 ] || fail "history not recorded"
status $((T0 - 90)) 3
printf '[2026-01-01 10:00:00] [CRITICAL] Daemon Down - pid 999999 gone\n' >> "$H/logs/alerts.log"
printf 'garbage line\n' >> "$H/logs/alerts.log"

export DHARMIC_OPS_NOW=$T0
expect_rc 0 ops-dashboard --home "$H" json
printf '%s' "$OUT" > "$T/dead.json"
python3 - "$T/dead.json" "$T0" "$H" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
t0, home = int(sys.argv[2]), sys.argv[3]
checks = {c["name"]: c for c in d["checks"]}
assert [c["name"] for c in d["checks"]] == ["daemon", "heartbeat", "integrity", "disk",
    "email", "restarts", "backup"], d["checks"]
# the verdict: a dead agent is CRITICAL and named first
assert d["state"] == "CRITICAL" and d["code"] == 2, d["state"]
assert d["summary"].startswith("daemon: not running"), d["summary"]
assert d["home"] == home
# daemon_status.json fields, as the agent wrote them
assert d["status"] == "running" and d["pid"] == "999999", d
assert d["heartbeat_interval"] == 3600 and d["details"]["checks_passed"] == 3
assert d["daemon"]["running"] is False and d["daemon"]["pid"] == 999999
assert d["daemon"]["uptime_seconds"] is None and "not running" in d["daemon"]["reason"]
hb = d["heartbeat"]
assert hb["present"] and hb["age_seconds"] == 90 and hb["interval_seconds"] == 3600, hb
assert hb["checks_passed"] == 3 and hb["total_checks"] == 4
assert checks["heartbeat"]["state"] == "WARNING", "agent reports 3/4: " + str(checks["heartbeat"])
# memory: mkhome tiny makes memory.db + aux_0.db and one jsonl
m = d["memory"]
assert m["database_count"] == 2 and m["database_bytes"] > 100000, m
assert sorted(x["name"] for x in m["databases"]) == ["memory/aux_0.db", "memory/memory.db"]
assert all(x["integrity"]["result"] == "ok" for x in m["databases"]), m
assert m["jsonl_files"] == 1 and m["jsonl_bytes"] > 400000
# integrity comes from the record, never run by the dashboard
i = checks["integrity"]
assert i["source"] == "recorded" and i["state"] == "OK", i
assert i["checked"] is not None
assert checks["disk"]["source"] == "live" and d["disk"]["free_bytes"] > 0
assert d["logs"]["files"] >= 10 and d["logs"]["bytes"] > 0
assert d["email"]["log"].startswith("logs/email_") and d["email"]["errors"] >= 0
assert d["email"]["window_lines"] == 100
assert d["backups"]["count"] == 0 and d["backups"]["latest"] is None
assert checks["backup"]["state"] == "WARNING"
# alerts: the last ones, oldest first, the garbage line skipped
a = d["alerts"]
assert 1 <= len(a) <= 5 and a[-1]["severity"] == "CRITICAL", a
assert a[-1]["title"] == "Daemon Down" and a[-1]["message"] == "pid 999999 gone", a[-1]
# history: 4 runs; the heartbeat WARNING 12 h ago in its slot, OK at 1 h
h = d["history"]
assert h["available"] and h["runs"] == 4 and h["slot_seconds"] == 900, h
frm = (t0 // 900 + 1) * 900 - 96 * 900
slot = lambda ago: (t0 - ago - frm) // 900
hh = checks["heartbeat"]["history"]
assert len(hh) == 96
assert hh[slot(43200)] == 1, hh
assert hh[slot(72000)] == 0 and hh[slot(21600)] == 0 and hh[slot(3600)] == 0, hh
assert sum(x is not None for x in hh) == 4, hh
assert all(x == 2 for x in checks["daemon"]["history"] if x is not None)
assert h["overall"][slot(3600)] == 2 and h["overall"][slot(43200)] == 2
assert h["overall"][0] is None
EOF

# A live agent: running, its PID and uptime; dharmic-ops dashboard execs it.
unset DHARMIC_OPS_NOW
start_agent "$H"
mkdir -p "$H/backups/memory"
: > "$H/backups/memory/20260101_000000.tar.zst"
b=$(date +%Y%m%d_%H%M%S).tar.zst
printf 'backup data' > "$H/backups/memory/$b"
printf '%s\n' "$H/backups/memory/$b" > "$H/backups/memory/latest"
expect_rc 0 dharmic-ops dashboard --home "$H" json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
pid = int(sys.argv[1])
assert d["daemon"]["running"] is True and d["daemon"]["pid"] == pid, d["daemon"]
assert d["daemon"]["uptime_seconds"] >= 0 and d["daemon"]["started"]
assert "agent-sim" in d["daemon"]["cmdline"]
assert d["pid"] == str(pid), d["pid"]
c = {x["name"]: x for x in d["checks"]}
assert c["daemon"]["state"] == "OK" and c["daemon"]["source"] == "live"
b = d["backups"]
assert b["count"] == 2 and b["latest"] == sys.argv[2] and b["latest_bytes"] == 11, b
assert b["latest_path"].endswith(sys.argv[2]) and b["verified"] is not None
assert b["latest_age_seconds"] < 60
' "$AGENT_PID" "$b"
echo ok
