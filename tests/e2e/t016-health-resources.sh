#!/bin/bash
# Resource checks (health.resources): an agent burning CPU for longer than
# cpu_for is WARNING, a shorter burst is OK; an agent whose RSS grows
# steadily (samples at DHARMIC_OPS_NOW hours apart) gets a leak WARNING
# naming the projected date; fds and host_memory against their limits; no
# agent is UNKNOWN. The limit is 20%: a polling stand-in agent on a loaded
# 2-core host idles at a few per cent.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
add_backup "$H"

# A stand-in agent: while $T/burn exists, two children of it burn a core
# each (the agent's CPU counts its children); each SIGUSR1 makes it keep
# 20 MiB more (written, so resident) and note the count.
cat > "$T/fake-agent.py" <<'PY'
import os, signal, subprocess, sys, time
home, t = sys.argv[1], sys.argv[2]
hoard = []
def grow(*a):
    hoard.append(b"x" * (20 << 20))
    with open(t + "/grown.tmp", "w") as f:
        f.write(str(len(hoard)))
    os.rename(t + "/grown.tmp", t + "/grown")
signal.signal(signal.SIGUSR1, grow)
with open(home + "/logs/daemon.pid.tmp", "w") as f:
    f.write(str(os.getpid()))
os.rename(home + "/logs/daemon.pid.tmp", home + "/logs/daemon.pid")
# a child stops with the burn file, when the agent dies, or after 30 s
BURN = ("import os, time\n"
        "ppid, stop = os.getppid(), time.time() + 30\n"
        "while os.path.exists(%r) and os.getppid() == ppid and time.time() < stop:\n"
        "    end = time.time() + 0.02\n"
        "    while time.time() < end: pass\n" % (t + "/burn"))
kids = []
while True:
    if os.path.exists(t + "/burn") and not kids:
        kids = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(2)]
    kids = [k for k in kids if k.poll() is None]
    time.sleep(0.1)
PY
rm -f "$H/logs/daemon.pid"
python3 "$T/fake-agent.py" "$H" "$T" fake-agent &
agent=$!
_pids="$_pids $agent"
wait_for 10 test -s "$H/logs/daemon.pid"

res='"resources": ["cpu", "rss", "fds", "host_memory", "load"]'
write_config "$H" "\"daemon\": {\"match\": \"fake-agent\"}"
# write_config puts its own daemon section first; the second one wins
cfg() { write_config "$H" "\"daemon\": {\"match\": \"fake-agent\"}" "\"health\": {$res, $1}"; }

# --- cpu: sustained vs burst -------------------------------------------
cfg '"cpu_warn": 20, "cpu_crit": 0, "cpu_for": "2s"'
expect_rc 0 ops-health --home "$H" --check cpu
expect_match '^cpu: OK - agent CPU: first sample, measured from the next run$' "$OUT"
sleep 0.5
expect_rc 0 ops-health --home "$H" --check cpu
expect_match "^cpu: OK - agent at [0-9]+% CPU over the last [0-9]+s\$" "$OUT"
expect_match "\\| 'cpu'=[0-9.]+%;20;;0\$" "$(first_line)"
# a burst of about a second: above the limit, but not for cpu_for
touch "$T/burn"
sleep 1
expect_rc 0 ops-health --home "$H" --check cpu
expect_match '^cpu: OK - agent at [0-9]+% CPU over the last [0-9]s, above 20% for [0-9]s \(limit 2s\)$' "$OUT"
rm "$T/burn"
sleep 2
expect_rc 0 ops-health --home "$H" --check cpu
expect_match "^cpu: OK - agent at [0-9]+% CPU over the last [0-9]+s\$" "$OUT"
# burning for longer than cpu_for, over two runs
touch "$T/burn"
sleep 1
expect_rc 0 ops-health --home "$H" --check cpu
sleep 1.5
expect_rc 1 ops-health --home "$H" --check cpu
expect_match '^cpu: WARNING - agent at [0-9]+% CPU over the last [0-9]s, above 20% for [2-9]s \(stuck\?\)$' "$OUT"
# one long busy interval is as sustained as several short ones
sleep 2.5
expect_rc 1 ops-health --home "$H" --check cpu
rm "$T/burn"
sleep 2
expect_rc 0 ops-health --home "$H" --check cpu

# --- rss: a steady leak, samples an hour apart (DHARMIC_OPS_NOW) --------
cfg '"rss_warn": "1G", "rss_crit": "400M", "rss_trend_window": "6h", "rss_trend_horizon": "7d"'
base=1800000000
grow() {
	kill -USR1 "$agent"
	wait_for 10 grep -qx "$1" "$T/grown"
}
for k in 1 2 3; do
	grow $k
	DHARMIC_OPS_NOW=$((base + k * 3600)) expect_rc 0 ops-health --home "$H" --check rss --no-record
done
# three samples over 2 h: too short a stretch of the 6 h window to judge
expect_match '^rss: OK - agent resident memory [0-9.]+ MiB$' "$OUT"
grow 4
DHARMIC_OPS_NOW=$((base + 4 * 3600)) expect_rc 1 ops-health --home "$H" --check rss --no-record
# 20 MiB an hour from about 80 MiB: 400 MiB in about 16 h
expect_match "^rss: WARNING - agent resident memory [0-9.]+ MiB growing 4[0-9]{2}\\.[0-9] MiB/day \\(leak\\?\\): would reach 400\\.0 MiB around 2027-01-1[56] [0-9]{2}:[0-9]{2} \\(in 1[0-9]h [0-9]+m\\)\$" "$OUT"
# over the limit itself: the limit, not the trend
cfg '"rss_warn": "50M", "rss_crit": "4G"'
DHARMIC_OPS_NOW=$((base + 7 * 3600)) expect_rc 1 ops-health --home "$H" --check rss --no-record
expect_match '^rss: WARNING - agent resident memory [0-9.]+ MiB \(above 50\.0 MiB\)$' "$OUT"
expect_match "\\| 'rss'=[0-9]+B;52428800;4294967296;0\$" "$(first_line)"

# --- fds, host_memory, load --------------------------------------------
cfg '"fds_warn": 0.001'
expect_rc 1 ops-health --home "$H" --check fds --no-record
expect_match '^fds: WARNING - agent has [0-9]+ open files of [0-9]+ allowed \(0%\) \(descriptor leak\?\)$' "$OUT"
cfg '"mem_warn": 100, "mem_crit": 0'
expect_rc 1 ops-health --home "$H" --check host_memory --no-record
expect_match '^host_memory: WARNING - [0-9.]+ [KMGT]iB available of [0-9.]+ [KMGT]iB \([0-9]+%\)' "$OUT"
cfg '"load_warn": 1000, "load_crit": 0'
expect_rc 0 ops-health --home "$H" --check load --json --no-record
expect_match '"name":"load","state":"OK","code":0,"message":"load [0-9.]+ [0-9.]+ [0-9.]+ on [0-9]+ cores? \([0-9.]+ per core\)","perfdata":"'"'"'load_per_core'"'"'=[0-9.]+;1000;;0"' "$OUT"

# all of them with the rest; by default the agent's three, after the
# built-in checks; [] turns them all off
cfg '"rss_warn": "4G", "rss_crit": "8G", "mem_warn": 0, "mem_crit": 0, "swap_warn": 0, "swap_crit": 0, "load_warn": 0, "load_crit": 0'
expect_rc 0 ops-health --home "$H" --no-record --check cpu --check rss --check fds --check host_memory --check load
[ "$(printf '%s\n' "$OUT" | sed -n '2,$p' | cut -d: -f1 | tr '\n' ' ')" = "cpu rss fds host_memory load " ] ||
	fail "resource checks out of order: $OUT"
write_config "$H" "\"daemon\": {\"match\": \"fake-agent\"}"
expect_rc 0 ops-health --home "$H" --no-record
[ "$(printf '%s\n' "$OUT" | sed -n '2,$p' | cut -d: -f1 | tr '\n' ' ')" = \
	"daemon heartbeat integrity disk email restarts backup cpu rss fds " ] ||
	fail "default resource checks: $OUT"
expect_match "'rss'=[0-9]+B;1073741824;2147483648;0 'fds'=[0-9]+;" "$(first_line)"
write_config "$H" "\"daemon\": {\"match\": \"fake-agent\"}" '"health": {"resources": []}'
expect_rc 0 ops-health --home "$H" --no-record
expect_no_match '^(cpu|rss|fds|host_memory|load):' "$OUT"
expect_match '^DHARMIC-OPS OK - 7/7 checks ok' "$(first_line)"
write_config "$H" "\"daemon\": {\"match\": \"fake-agent\"}" '"health": {"resources": ["cpu", "swap"]}'
expect_rc 3 ops-health --home "$H" --no-record
expect_match "health.resources': expected names among" "$OUT"

# no agent: the daemon check says so once, the agent's checks are left
# out of a full run (no UNKNOWN noise), UNKNOWN when asked for; the
# host's still run
kill "$agent"
wait "$agent" 2>/dev/null || true
cfg '"mem_warn": 0, "mem_crit": 0, "load_warn": 0, "load_crit": 0'
expect_rc 2 ops-health --home "$H" --no-record
expect_match '^daemon: CRITICAL - not running' "$OUT"
expect_no_match '^(cpu|rss|fds):' "$OUT"
expect_match '^host_memory: OK - ' "$OUT"
expect_match '^load: OK - ' "$OUT"
expect_rc 3 ops-health --home "$H" --no-record --check cpu --check rss --check fds --check host_memory
expect_match '^cpu: UNKNOWN - agent not running \(see the daemon check\)$' "$OUT"
expect_match '^fds: UNKNOWN - agent not running' "$OUT"
expect_match '^host_memory: OK - ' "$OUT"
echo ok
