#!/bin/bash
# bench/health.sh: ops-health against what a user would run instead.
#
#   (a) cold ops-health (integrity cache cleared before each run) vs
#       `sqlite3 DB 'PRAGMA quick_check'` over the same databases
#                                                        target <= 1.3x
#       and the same for a first run (.ops/state.db removed: made anew)
#   (b) warm ops-health (cache filled) vs one check_disk  target <= 10 ms
#                                                        and <= 5x
#   (c) peak RSS of a cold ops-health (/usr/bin/time -v)  target <= 16 MB
#   (d) Monit's XML status of 200 services parsed (the unit test's figure,
#       tests/test_ops_monit)                              target <= 20 ms
#
# On a medium home from mkhome.py (made in a temporary directory, or
# $BENCH_HOME reused or created there; its ops.json is replaced) with a
# live agent-sim, so the daemon and heartbeat checks are real. The agent
# writes no rows (--rows-per-tick 0): a database written between two runs
# is read again, which is what the cache is for, and would make "warm" a
# mix of both. Times are medians of $BENCH_RUNS (20) runs.
#
# usage: bench/health.sh [BUILD_DIR]      (default: build, or $OPS_BUILD)
# needs: hyperfine, sqlite3, python3, /usr/bin/time, check_disk
# (monitoring-plugins-basic)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-${OPS_BUILD:-$SRC/build}}" && pwd)
HEALTH=$BUILD/ops-health
AGENT=$BUILD/tests/agent-sim
CHECK_DISK=${CHECK_DISK:-/usr/lib/nagios/plugins/check_disk}
RUNS=${BENCH_RUNS:-20}
for tool in hyperfine sqlite3 python3 /usr/bin/time "$CHECK_DISK" "$HEALTH" "$AGENT"; do
	command -v "$tool" >/dev/null || { echo "bench/health.sh: missing $tool" >&2; exit 2; }
done
MKHOME=${OPS_MKHOME:-}
for m in "$SRC/tests/workload/mkhome.py" "$SRC/../shared/workload/mkhome.py" \
    "$SRC/../../shared/workload/mkhome.py"; do
	[ -n "$MKHOME" ] && break
	[ -f "$m" ] && MKHOME=$m
done
[ -n "$MKHOME" ] || { echo "bench/health.sh: mkhome.py not found (set OPS_MKHOME)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ops-bench.XXXXXX")
agent=""
cleanup() {
	[ -z "$agent" ] || { kill "$agent" 2>/dev/null; wait "$agent" 2>/dev/null || true; }
	rm -rf "$WORK"
}
trap cleanup EXIT
if [ -n "${BENCH_HOME:-}" ]; then
	H=$BENCH_HOME
else
	H=$WORK/home
fi
if [ ! -d "$H/memory" ]; then
	echo "== building a medium home in $H (mkhome.py --scale medium)" >&2
	python3 "$MKHOME" "$H" --scale medium >/dev/null
fi
H=$(cd "$H" && pwd)
# The resource checks on (cpu rss fds host_memory load); the load's limits
# off, as a shared benchmark machine is busier than a healthy host.
printf '{"daemon": {"match": "agent-sim"}, "health": {"resources": ["cpu", "rss",
  "fds", "host_memory", "load"], "load_warn": 0, "load_crit": 0}}\n' > "$H/ops.json"
chmod 600 "$H/ops.json"
mkdir -p "$H/backups/memory"
: > "$H/backups/memory/$(date +%Y%m%d_%H%M%S).tar.zst"

"$AGENT" --home "$H" --interval 1 --rows-per-tick 0 2>/dev/null &
agent=$!
for _ in $(seq 100); do
	[ "$(cat "$H/logs/daemon.pid" 2>/dev/null)" = "$agent" ] && break
	sleep 0.05
done
sleep 0.3
rc=0
"$HEALTH" --home "$H" > "$WORK/first" || rc=$?
[ "$rc" -eq 0 ] || { echo "bench/health.sh: the home is not healthy (exit $rc):" >&2; cat "$WORK/first" >&2; exit 1; }

# The same databases as ops-health checks (health.databases: memory/*.db).
dbs=("$H"/memory/*.db)
quick="for db in ${dbs[*]}; do sqlite3 \"\$db\" 'PRAGMA quick_check' >/dev/null; done"
total=$(du -cb "${dbs[@]}" | tail -1 | cut -f1)
echo "== home: $H (${#dbs[@]} databases, $((total / 1048576)) MiB)" >&2

hf() { hyperfine --style none --warmup 2 --runs "$RUNS" --export-json "$@" >/dev/null 2>&1; }
hf "$WORK/a.json" \
	--prepare "sqlite3 '$H/.ops/state.db' 'DELETE FROM integrity_cache'" -n cold "$HEALTH --home '$H'" \
	--prepare "rm -f '$H'/.ops/state.db '$H'/.ops/state.db-wal '$H'/.ops/state.db-shm" \
	-n first "$HEALTH --home '$H'" \
	--prepare true -n quick_check "$quick"
"$HEALTH" --home "$H" >/dev/null	# fill the cache
hf "$WORK/b.json" -N -n warm "$HEALTH --home $H" -n check_disk "$CHECK_DISK -w 10% -c 5% -p $H"

"$HEALTH" --home "$H" >/dev/null
sqlite3 "$H/.ops/state.db" 'DELETE FROM integrity_cache'
rss_cold=$(/usr/bin/time -v "$HEALTH" --home "$H" 2>&1 >/dev/null |
	awk -F': ' '/Maximum resident set size/ { print $2 }')
rss_warm=$(/usr/bin/time -v "$HEALTH" --home "$H" 2>&1 >/dev/null |
	awk -F': ' '/Maximum resident set size/ { print $2 }')
rss_disk=$(/usr/bin/time -v "$CHECK_DISK" -w 10% -c 5% -p "$H" 2>&1 >/dev/null |
	awk -F': ' '/Maximum resident set size/ { print $2 }')

python3 - "$WORK/a.json" "$WORK/b.json" "$rss_cold" "$rss_warm" "$rss_disk" <<'PY'
import json, sys
def load(p):
    return {r["command"]: r for r in json.load(open(p))["results"]}
a, b = load(sys.argv[1]), load(sys.argv[2])
rss_cold, rss_warm, rss_disk = (int(x) / 1024 for x in sys.argv[3:6])
# The median, not the mean: on a shared machine a few runs that waited for
# the CPU or the disk would decide the mean. min and max are shown too.
med = lambda r: r["median"] * 1000
def t(r, d):
    return "%.*f ms [%.*f-%.*f]" % (d, med(r), d, r["min"] * 1000, d, r["max"] * 1000)
ok = lambda c: "ok" if c else "MISSED"
ra = med(a["cold"]) / med(a["quick_check"])
rf = med(a["first"]) / med(a["quick_check"])
rb = med(b["warm"]) / med(b["check_disk"])
rows = [
    ("(a) ops-health cold", t(a["cold"], 1), "sum of sqlite3 quick_check",
     t(a["quick_check"], 1), "%.2fx" % ra, "<= 1.3x", ok(ra <= 1.3)),
    ("    first run, no state.db", t(a["first"], 1), "", "", "%.2fx" % rf, "<= 1.3x",
     ok(rf <= 1.3)),
    ("(b) ops-health warm", t(b["warm"], 2), "check_disk -w 10% -c 5%",
     t(b["check_disk"], 2), "%.2fx" % rb, "<= 10 ms, <= 5x",
     ok(rb <= 5 and med(b["warm"]) <= 10)),
    ("(c) peak RSS, cold", "%.1f MiB" % rss_cold, "warm / check_disk",
     "%.1f / %.1f MiB" % (rss_warm, rss_disk), "", "<= 16 MB", ok(rss_cold <= 16)),
]
head = ("measure", "ops-health median [min-max]", "baseline", "baseline median [min-max]",
        "ratio", "target", "")
w = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
for r in [head] + rows:
    print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip())
PY
# (d) Monit's status of 200 services, as the unit test times it
if [ -x "$BUILD/tests/test_ops_monit" ]; then
	ms=$("$BUILD/tests/test_ops_monit" | sed -n 's/^monit: .* parsed in \([0-9.]*\) ms.*/\1/p')
	[ -n "$ms" ] && printf '(d) Monit status, 200 services  %s ms  target <= 20 ms  %s\n' "$ms" \
		"$(awk -v m="$ms" 'BEGIN { print (m <= 20) ? "ok" : "MISSED" }')"
fi
