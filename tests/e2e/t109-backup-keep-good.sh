#!/bin/bash
# Retention never lets a run of bad backups push out the last good ones:
# 400 daily archives, the newest 10 bad in the catalog, the rest good, all
# older than every band: the newest (bad, always kept), `latest` and the 3
# newest good ones (backup.keep_good) survive.
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
echo ok
