#!/bin/bash
# report: the weekly health report from a week of recorded history, against
# the success metrics, on stdout and in logs/weekly_health_YYYYMMDD.log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
H=$T/home
svc_home "$H"
NOW=$(date -d '2026-03-08 09:00:00' +%s)	# a Sunday, 09:00 (the cron time)
export DHARMIC_OPS_NOW=$NOW
FILE=$H/logs/weekly_health_20260308.log
: > "$H/logs/alerts.log"
: > "$H/logs/restart.log"
: > "$H/logs/backup.log"

# no history yet: said, and not counted as met
expect_rc 0 dharmic-ops report --home "$H"
expect_match '^daemon uptime +no data \(no health runs recorded\) +> 99% +NOT MET$' "$OUT"
expect_match '^checks passing +no data' "$OUT"
expect_match '^backups +0 made, 0 verified, 0 of 7 days +daily +NOT MET$' "$OUT"
expect_match '^disk free +no data$' "$OUT"
expect_match '^2 of 5 targets met$' "$OUT"

# week ONE: a good week. 200 health runs (the first and last just inside
# the week), one run outside it; every daemon check OK, 10 of 1400 results
# WARNING; disk from 50 GiB down to 48.5 GiB; a backup at 02:00 each day,
# each logged complete; 10 alerts, 3 resolved notices, alerts from before.
python3 - "$H" "$NOW" <<'EOF'
import sqlite3, sys, time, os
home, now = sys.argv[1], float(sys.argv[2])
week = 7 * 86400
db = sqlite3.connect(home + "/.ops/state.db")
names = ["daemon", "heartbeat", "integrity", "disk", "email", "restarts", "backup"]
def run(ts, bad=()):
    cur = db.execute("insert into runs(ts,program,state,summary) values(?,?,?,NULL)",
                     (ts, "ops-health", 1 if bad else 0))
    for n in names:
        state = 1 if n in bad else 0
        msg = "%.1f GiB free of 100.0 GiB" % (50 - 1.5 * (ts - (now - week)) / week) \
            if n == "disk" else "fine"
        db.execute("insert into check_results(run_id,ts,name,state,since,message)"
                   " values(?,?,?,?,?,?)", (cur.lastrowid, ts, n, state, ts, msg))
run(now - week - 600, bad=("daemon",))          # outside the week
for i in range(200):
    ts = now - week + i * (week / 199)
    run(ts, bad=("email",) if i % 20 == 0 else ())
db.commit()
def stamp(t): return time.strftime("[%Y-%m-%d %H:%M:%S]", time.localtime(t))
os.makedirs(home + "/backups/memory", exist_ok=True)
with open(home + "/logs/backup.log", "w") as bl:
    for d in range(7):
        day = time.localtime(now - 86400 * d)
        t = time.mktime((day.tm_year, day.tm_mon, day.tm_mday, 2, 0, 0, 0, 0, -1))
        name = time.strftime("%Y%m%d_%H%M%S", time.localtime(t)) + ".tar.zst"
        open(home + "/backups/memory/" + name, "w").close()
        bl.write("%s [INFO] backup complete: backups/memory/%s\n" % (stamp(t + 60), name))
with open(home + "/logs/alerts.log", "w") as al:
    al.write("%s [CRITICAL] Old - before the week\n" % stamp(now - week - 100))
    for i in range(10):
        al.write("%s [WARNING] Disk Low - 4 GB free\n" % stamp(now - 3600 * (i + 1)))
    for i in range(3):
        al.write("%s [RESOLVED] Disk Low - resolved\n" % stamp(now - 1800 * (i + 1)))
EOF
expect_rc 0 dharmic-ops report --home "$H"
good=$OUT
expect_match '^period: 2026-03-01 09:00 to 2026-03-08 09:00$' "$OUT"
expect_match '^health runs recorded: 200$' "$OUT"
expect_match '^daemon uptime +100\.00% \(200 of 200 runs\) +> 99% +met$' "$OUT"
expect_match '^checks passing +99\.29% \(1390 of 1400 results\) +> 95% +met$' "$OUT"
expect_match '^backups +7 made, 7 verified, 7 of 7 days +daily +met$' "$OUT"
expect_match '^alerts +10 \(1\.4 a day\) +< 5 a day +met$' "$OUT"
expect_match '^restarts +0 +< 1 a week +met$' "$OUT"
expect_match '^disk free +50\.0 GiB -> 48\.5 GiB \(-1\.5 GiB over the week; lowest 48\.5 GiB\)$' "$OUT"
expect_match '^5 of 5 targets met$' "$OUT"
[ "$(cat "$FILE")" = "$OUT" ] || fail "report file differs from stdout"
[ "$(stat -c %a "$FILE")" = 600 ] || fail "report file not 0600"
ls "$H/logs" | grep -q 'weekly_health_.*tmp' && fail "temporary file left"

# week TWO: everything missed. 3 daemon failures (98.5%), a day without a
# backup and one not logged as verified, 40 alerts, a restart (in both the
# events table and restart.log: counted once)
python3 - "$H" "$NOW" <<'EOF'
import sqlite3, sys, time, os, glob
home, now = sys.argv[1], float(sys.argv[2])
db = sqlite3.connect(home + "/.ops/state.db")
ids = [r[0] for r in db.execute("select run_id from check_results where name='daemon'"
                                " and ts>=? order by ts limit 3", (now - 7 * 86400,))]
db.executemany("update check_results set state=2 where name='daemon' and run_id=?",
               [(i,) for i in ids])
db.execute("update check_results set state=1 where name in ('heartbeat','backup')")
db.execute("insert into events(ts,kind,detail) values(?, 'restart', 'auto')", (now - 7200,))
db.execute("insert into events(ts,kind,detail) values(?, 'restart', 'auto')", (now - 8 * 86400,))
db.commit()
def stamp(t): return time.strftime("[%Y-%m-%d %H:%M:%S]", time.localtime(t))
with open(home + "/logs/restart.log", "a") as f:
    f.write("%s [INFO] restart: auto\n" % stamp(now - 7200))
archives = sorted(glob.glob(home + "/backups/memory/*.tar.zst"))
os.unlink(archives[0])                         # the oldest day: no backup
os.rename(archives[1], archives[1][:-8] + ".tar.gz")   # made, never logged
with open(home + "/logs/alerts.log", "a") as al:
    for i in range(30):
        al.write("%s [CRITICAL] Daemon Critical Failure - Process not running\n"
                 % stamp(now - 600 * (i + 1)))
EOF
expect_rc 0 dharmic-ops report --home "$H"
expect_match '^daemon uptime +98\.50% \(197 of 200 runs\) +> 99% +NOT MET$' "$OUT"
expect_match '^checks passing +70\.50% \(987 of 1400 results\) +> 95% +NOT MET$' "$OUT"
expect_match '^backups +6 made, 5 verified, 6 of 7 days +daily +NOT MET$' "$OUT"
expect_match '^alerts +40 \(5\.7 a day\) +< 5 a day +NOT MET$' "$OUT"
expect_match '^restarts +1 +< 1 a week +NOT MET$' "$OUT"
expect_match '^0 of 5 targets met$' "$OUT"
[ "$(cat "$FILE")" = "$OUT" ] || fail "report file not replaced"
[ "$OUT" != "$good" ] || fail "report did not change"

# the report is for the week ending at "now": a week later, nothing is left
DHARMIC_OPS_NOW=$((NOW + 8 * 86400)) expect_rc 0 dharmic-ops report --home "$H"
expect_match '^health runs recorded: 0$' "$OUT"
[ -f "$H/logs/weekly_health_20260316.log" ] || fail "dated report file missing"
echo ok
