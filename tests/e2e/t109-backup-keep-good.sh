#!/bin/bash
# Retention never lets a run of bad backups push out the last good ones:
# 400 daily archives, the newest 10 bad in the catalog, the rest good, all
# older than every band: the newest (bad, always kept), `latest` and the 3
# newest good ones (backup.keep_good) survive. A bad archive never holds a
# weekly or monthly band's slot (the newest good one of the period does).
. "$(dirname "$0")/lib.sh"
export TZ=UTC
H=$T/home
mkhome "$H"
D=$H/backups/memory
NOW=1781524800	# 2026-06-15 12:00:00 UTC
export DHARMIC_OPS_NOW=$NOW
write_config "$H" '"backup": {"keep_all": "1d", "keep_weekly": "1d", "keep_monthly": "1d"}'
expect_rc 0 ops-backup --home "$H" list	# the state database, migrated
python3 - "$D" "$NOW" "$H/.ops/state.db" <<'PY'
import datetime as dt, os, sqlite3, sys
d, now, db = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = sqlite3.connect(db)
names = []
for i in range(400):
    t = now - 2 * 86400 - i * 86400
    n = dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y%m%d_%H%M%S") + ".tar.zst"
    open(os.path.join(d, n), "w").close()
    good = i >= 10
    c.execute("INSERT INTO backups(name,created,size,files,data_size,verified,verify_ok,"
              "verify_msg,state,good_at) VALUES(?,?,0,0,0,?,?,?,?,?)",
              (n, t, t, int(good), "ok" if good else "quick_check failed",
               "good" if good else "bad", t if good else None))
    names.append(n)
c.commit()
# `latest` names the newest good one, as ops-backup leaves it
with open(os.path.join(d, "latest"), "w") as f:
    f.write(os.path.join(d, names[10]) + "\n")
with open(os.path.join(d, "../names"), "w") as f:
    f.write("\n".join(names) + "\n")
PY
mapfile -t N < "$H/backups/names"
expect_rc 0 ops-backup --home "$H" prune --dry-run
expect_match "^${N[11]} +keep +keep_good: one of the newest 3 good backups" "$OUT"
expect_match "^${N[13]} +delete " "$OUT"
expect_rc 0 ops-backup --home "$H" prune
left=$(ls "$D" | grep -c '^[0-9]')
[ "$left" = 4 ] || fail "$left archives left, expected 4: $(ls "$D")"
for i in 0 10 11 12; do
	[ -f "$D/${N[$i]}" ] || fail "archive $i (${N[$i]}) was deleted"
done
[ "$(sqlite3 "$H/.ops/state.db" "SELECT count(*) FROM backups")" = 4 ] ||
	fail "the catalog still lists deleted archives"
# keep_good must be 1 or more
write_config "$H" '"backup": {"keep_all": "1d", "keep_weekly": "1d", "keep_monthly": "1d", "keep_good": 0}'
expect_rc 2 ops-backup --home "$H" prune --dry-run
expect_match 'backup.keep_good' "$ERR"
# A bad archive never holds a weekly or monthly slot: the band keeps the
# newest good archive of its week or month, and the bad newer one goes.
rm -f "$D"/[0-9]*
write_config "$H" '"backup": {"keep_all": "1d", "keep_weekly": "60d", "keep_monthly": "400d", "keep_good": 1}'
python3 - "$D" "$H/.ops/state.db" <<'PY'
import calendar, os, sqlite3, sys
d, db = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
c.execute("DELETE FROM backups")
for n, state in (("20260615_110000", "good"), ("20260613_030000", "bad"),
                 ("20260612_030000", "good"), ("20260131_030000", "bad"),
                 ("20260115_030000", "good")):
    t = calendar.timegm((int(n[:4]), int(n[4:6]), int(n[6:8]), int(n[9:11]), 0, 0))
    open(os.path.join(d, n + ".tar.zst"), "w").close()
    c.execute("INSERT INTO backups(name,created,size,files,data_size,verified,verify_ok,"
              "verify_msg,state,good_at) VALUES(?,?,0,0,0,?,?,?,?,?)",
              (n + ".tar.zst", t, t, int(state == "good"), state, state,
               t if state == "good" else None))
c.commit()
with open(os.path.join(d, "latest"), "w") as f:
    f.write(os.path.join(d, "20260615_110000.tar.zst") + "\n")
PY
expect_rc 0 ops-backup --home "$H" prune
expect_match "^20260613_030000\.tar\.zst +deleted +keep_weekly: bad, never the backup of week 2026-W24" "$OUT"
expect_match "^20260131_030000\.tar\.zst +deleted +keep_monthly: bad, never the backup of month 2026-01" "$OUT"
[ "$(ls "$D" | grep '^[0-9]' | tr '\n' ' ')" = \
	"20260115_030000.tar.zst 20260612_030000.tar.zst 20260615_110000.tar.zst " ] ||
	fail "the bands kept the wrong archives: $(ls "$D")"
echo ok
