#!/bin/bash
# bench/dashboard.sh: ops-dashboard on a medium home with 30 days of
# recorded health history.
#
#   (a) json, html, prom: wall time (hyperfine, median) target <= 20 ms each
#   (b) the same: peak RSS (/usr/bin/time -v)            target <= 16 MB each
#   (c) watch at the default interval (1 s) in a pty:
#       CPU (utime+stime from /proc/PID/stat) over 30 s  target <= 1% of a core
#   (d) serve: /metrics and /health at 200 requests/s for 30 s each
#       (bench/httpload.py, open loop, latency from the due time)
#                                  target median <= 2 ms, p99 <= 10 ms
#       server RSS after the load (VmHWM)            target <= 8 MB
#       (with its private part, and the largest mappings)
#       idle CPU over 10 s                           target ~0 (<= 0.1% of a core)
#       against the textfile route: one `ops-dashboard prom` process per
#       scrape (what node_exporter's textfile needs cron to do)
#
# The old scripts this replaces redrew with bash and jq every second at
# about 2% of a core.
#
# The home comes from mkhome.py --scale medium (in a temporary directory,
# or $BENCH_HOME reused/created) with a live agent-sim. The history is
# generated straight into .ops/state.db in ops-health's schema: a run every
# 5 minutes for 30 days, 7 checks each (60480 check results), with a few
# WARNING and CRITICAL stretches.
#
# usage: bench/dashboard.sh [BUILD_DIR]   (default: build, or $OPS_BUILD)
# env:   BENCH_RUNS (hyperfine runs, 50), BENCH_WATCH_SECONDS (30),
#        BENCH_SERVE_SECONDS (30), BENCH_SERVE_RATE (200), BENCH_SERVE_ONLY
# needs: hyperfine, sqlite3, python3, /usr/bin/time, script (util-linux)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-${OPS_BUILD:-$SRC/build}}" && pwd)
DASH=$BUILD/ops-dashboard
HEALTH=$BUILD/ops-health
AGENT=$BUILD/tests/agent-sim
RUNS=${BENCH_RUNS:-50}
WATCH_SECONDS=${BENCH_WATCH_SECONDS:-30}
for tool in hyperfine sqlite3 python3 /usr/bin/time script "$DASH" "$HEALTH" "$AGENT"; do
	command -v "$tool" >/dev/null || { echo "bench/dashboard.sh: missing $tool" >&2; exit 2; }
done
MKHOME=${OPS_MKHOME:-}
for m in "$SRC/../shared/workload/mkhome.py" "$SRC/../../shared/workload/mkhome.py" \
    "$SRC/tests/workload/mkhome.py"; do
	[ -n "$MKHOME" ] && break
	[ -f "$m" ] && MKHOME=$m
done
[ -n "$MKHOME" ] || { echo "bench/dashboard.sh: mkhome.py not found (set OPS_MKHOME)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ops-bench.XXXXXX")
agent="" watcher="" server=""
cleanup() {
	for p in $server $watcher $agent; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
H=${BENCH_HOME:-$WORK/home}
if [ ! -d "$H/memory" ]; then
	echo "== building a medium home in $H (mkhome.py --scale medium)" >&2
	python3 "$MKHOME" "$H" --scale medium >/dev/null
fi
H=$(cd "$H" && pwd)
printf '{"daemon": {"match": "agent-sim"}}\n' > "$H/ops.json"
chmod 600 "$H/ops.json"
mkdir -p "$H/backups/memory"
b=$(date +%Y%m%d_%H%M%S).tar.zst
head -c 1048576 /dev/urandom > "$H/backups/memory/$b"
printf '%s\n' "$H/backups/memory/$b" > "$H/backups/memory/latest"

"$AGENT" --home "$H" --interval 1 --rows-per-tick 1 2>/dev/null &
agent=$!
for _ in $(seq 100); do
	[ "$(cat "$H/logs/daemon.pid" 2>/dev/null)" = "$agent" ] && break
	sleep 0.05
done

echo "== one ops-health run (schema, integrity cache), then 30 days of history" >&2
"$HEALTH" --home "$H" >/dev/null || true
now=$(date +%s)
sqlite3 "$H/.ops/state.db" <<EOF
BEGIN;
DELETE FROM runs; DELETE FROM check_results;
WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM t WHERE i < 30 * 288 - 1)
INSERT INTO runs(id, ts, program, state, summary)
  SELECT i + 1, $now - (30 * 288 - i) * 300, 'ops-health', 0, NULL FROM t;
WITH c(k, name) AS (VALUES (0,'daemon'),(1,'heartbeat'),(2,'integrity'),(3,'disk'),
                           (4,'email'),(5,'restarts'),(6,'backup'))
INSERT INTO check_results(run_id, ts, name, state, since, message)
  SELECT r.id, r.ts, c.name,
         CASE WHEN c.k = 1 AND r.id % 97 < 6 THEN 1
              WHEN c.k = 0 AND r.id % 331 < 3 THEN 2
              WHEN c.k = 6 AND r.id % 288 < 12 THEN 1 ELSE 0 END,
         r.ts, 'generated'
  FROM runs r CROSS JOIN c;
UPDATE runs SET state = (SELECT max(state) FROM check_results WHERE run_id = runs.id);
COMMIT;
ANALYZE;
EOF
echo "   $(sqlite3 "$H/.ops/state.db" 'select count(*) from runs') runs," \
	"$(sqlite3 "$H/.ops/state.db" 'select count(*) from check_results') check results," \
	"$(du -sh "$H/memory" | cut -f1) of memory, $(du -sh "$H/logs" | cut -f1) of logs" >&2
"$DASH" --home "$H" json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert 280 <= d["history"]["runs"] <= 290, d["history"]["runs"]
assert d["daemon"]["running"], d["daemon"]'

fail=0
verdict() { # verdict VALUE LIMIT: PASS when VALUE <= LIMIT
	if python3 -c "import sys; sys.exit(0 if float('$1') <= float('$2') else 1)"; then
		echo PASS
	else
		echo FAIL
		fail=1
	fi
}
hz=$(getconf CLK_TCK)
# BENCH_SERVE_ONLY=1: only (d).
if [ -z "${BENCH_SERVE_ONLY:-}" ]; then
echo
printf '%-6s %10s %10s %10s %10s %14s\n' verb "mean ms" "median ms" "min ms" "stddev ms" \
	"peak RSS MB"
for verb in json html prom; do
	args="--home $H $verb"
	[ "$verb" = html ] && args="$args -o $WORK/dashboard.html"
	# shellcheck disable=SC2086
	hyperfine -N --warmup 5 --runs "$RUNS" --export-json "$WORK/$verb.json" \
		"$DASH $args" >/dev/null 2>&1
	read -r mean median min sd < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.2f %.2f %.2f %.2f" % tuple(r[k] * 1000 for k in ("mean", "median", "min", "stddev")))' \
		"$WORK/$verb.json")
	# shellcheck disable=SC2086
	rss=$( { /usr/bin/time -v "$DASH" $args >/dev/null; } 2>&1 |
		awk -F: '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }')
	# The median: the machine may be shared, and a neighbour's burst is
	# not ours. The mean is printed too.
	printf '%-6s %10s %10s %10s %10s %14s   wall %s, RSS %s\n' "$verb" "$mean" "$median" \
		"$min" "$sd" "$rss" "$(verdict "$median" 20)" "$(verdict "$rss" 16)"
done

# watch in a pseudo-terminal (script), 80x24, default interval.
script -qfc "stty cols 80 rows 24; exec '$DASH' --home '$H' watch" /dev/null \
	</dev/null >/dev/null 2>&1 &
watcher=$!
pid=""
for _ in $(seq 100); do
	pid=$(pgrep -P "$watcher" -x ops-dashboard || true)
	[ -n "$pid" ] && break
	sleep 0.05
done
[ -n "$pid" ] || { echo "bench/dashboard.sh: watch did not start" >&2; exit 1; }
sleep 2
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
t0=$(ticks)
sleep "$WATCH_SECONDS"
t1=$(ticks)
kill -TERM "$pid"
wait "$watcher" 2>/dev/null || true
watcher=""
hz=$(getconf CLK_TCK)
cpu=$(python3 -c "print('%.2f' % (($t1 - $t0) / $hz / $WATCH_SECONDS * 100))")
echo
echo "watch: $((t1 - t0)) ticks of CPU in ${WATCH_SECONDS} s = ${cpu}% of a core   $(verdict "$cpu" 1)"
fi

# serve: a steady scrape rate, then idle.
SERVE_SECONDS=${BENCH_SERVE_SECONDS:-30}
SERVE_RATE=${BENCH_SERVE_RATE:-200}
"$DASH" --home "$H" serve --listen 127.0.0.1:0 </dev/null >/dev/null 2>"$WORK/serve.err" &
server=$!
for _ in $(seq 100); do
	grep -q 'serving ' "$WORK/serve.err" 2>/dev/null && break
	sleep 0.05
done
url=$(sed -n 's/^ops-dashboard: serving //p' "$WORK/serve.err")
[ -n "$url" ] || { echo "bench/dashboard.sh: serve did not start" >&2; exit 1; }
echo
printf '%-9s %7s %7s %9s %9s %9s %9s %9s %5s\n' path sent "req/s" "median ms" "p90 ms" \
	"p99 ms" "p99.9 ms" "max ms" "!200"
for path in metrics health; do
	read -r sent rate med p90 p99 p999 max bad < <(python3 "$SRC/bench/httpload.py" \
		"$url$path" "$SERVE_RATE" "$SERVE_SECONDS")
	printf '%-9s %7s %7s %9s %9s %9s %9s %9s %5s   median %s, p99 %s\n' "/$path" "$sent" \
		"$rate" "$med" "$p90" "$p99" "$p999" "$max" "$bad" "$(verdict "$med" 2)" \
		"$(verdict "$p99" 10)"
	[ "$path" = metrics ] && metrics_med=$med
done
hwm=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$server/status")
rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$server/status")
# Private: pages no other process maps (Private_Clean + Private_Dirty,
# smaps_rollup). The rest is shared library pages (libc, libcrypto,
# SQLite, GnuTLS under libmicrohttpd) that any other process using them
# shares; which of them count as private depends on what else runs.
priv=$(awk '/^Private_(Clean|Dirty):/ { s += $2 } END { printf "%.1f", s / 1024 }' \
	"/proc/$server/smaps_rollup")
echo "serve RSS: ${rss} MB now, ${hwm} MB peak, ${priv} MB of it private   $(verdict "$hwm" 8)"
# Where it goes, by mapping (KiB resident): what to work on next.
awk '/^[0-9a-f]+-[0-9a-f]+ / { n = NF >= 6 ? $6 : "[anon]"; sub(/.*\//, "", n) }
	/^Rss:/ { r[n] += $2 }
	END { for (n in r) if (r[n] >= 64) printf "%6d %s\n", r[n], n }' \
	"/proc/$server/smaps" | sort -rn | head -12 | awk '{ printf "  %s KiB %s\n", $1, $2 }'
sticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
sleep 1
t0=$(sticks)
sleep 10
t1=$(sticks)
idle=$(python3 -c "print('%.2f' % (($t1 - $t0) / $hz / 10 * 100))")
echo "serve idle: $((t1 - t0)) ticks of CPU in 10 s = ${idle}% of a core   $(verdict "$idle" 0.1)"
hyperfine -N --warmup 5 --runs "$RUNS" --export-json "$WORK/prom1.json" \
	"$DASH --home $H prom" >/dev/null 2>&1
prom_med=$(python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$WORK/prom1.json")
echo "one scrape: serve /metrics median ${metrics_med} ms vs. an ops-dashboard prom process ${prom_med} ms ($(python3 -c "print('%.1f' % ($prom_med / max($metrics_med, 0.001)))")x)"
exit $fail
