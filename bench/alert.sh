#!/bin/bash
# bench/alert.sh: one ops-alert run on a medium home (mkhome.py --scale
# medium) with the integrity cache warm (ops-health ran once) and a command
# channel. Targets: <= 20 ms wall, <= 16 MB peak RSS.
#   steady:  a cron run inside the cooldown (the usual case: nothing to send)
#   deliver: a run that sends daemon_critical through the command channel
# Usage: bench/alert.sh [BUILD_DIR]   (needs hyperfine, /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
B=$(cd "${1:-build}" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/ops-bench-alert.XXXXXX")
trap 'rm -rf "$W"' EXIT
H=$W/home
echo "== building a medium home in $W"
python3 tests/workload/mkhome.py "$H" --scale medium >/dev/null
du -sh "$H/memory" | sed 's/^/   memory: /'
cat > "$W/channel.sh" <<EOS
#!/bin/sh
cat >> "$W/received"
EOS
chmod 700 "$W/channel.sh"
printf '{"alert": {"command": ["%s"], "desktop": false, "auto_restart": false}}\n' \
	"$W/channel.sh" > "$H/ops.json"
chmod 600 "$H/ops.json"
"$B/ops-health" --home "$H" >/dev/null || true		# warm the integrity cache
"$B/ops-alert" --home "$H"				# first alerts go out
run="$B/ops-alert --home $H"
reset="sqlite3 $H/.ops/state.db \"update alert_state set last_sent=0, notified=0; delete from alert_sent\""
echo "== wall time (hyperfine)"
hyperfine -N --warmup 5 --runs 100 -n steady "$run"
hyperfine --warmup 3 --runs 50 --prepare "$reset" -n deliver "$run"
echo "== peak RSS (/usr/bin/time -v)"
/usr/bin/time -v $run 2>&1 | awk -F': ' '/Maximum resident/ { printf "   steady:  %.1f MB\n", $2 / 1024 }'
eval "$reset"
/usr/bin/time -v $run 2>&1 | awk -F': ' '/Maximum resident/ { printf "   deliver: %.1f MB\n", $2 / 1024 }'
echo "== deliveries received by the command channel: $(grep -c '"type"' "$W/received")"
