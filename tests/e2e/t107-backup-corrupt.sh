#!/bin/bash
# One overwritten page of memory/aux_0.db: ops-backup checks every
# database copy before the archive is final, exits 1 naming the database
# and the error, keeps no final-named archive, leaves `latest` on the last
# good archive and records the failed run; --allow-corrupt keeps a
# forensic archive under a name retention, list and `latest` never
# consider. backup.check "full" runs integrity_check instead. (This test
# fails if the check of the copy is skipped.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
D=$H/backups/memory
expect_rc 0 ops-backup --home "$H"
good=$(cat "$D/latest")
# page 6 of aux_0.db (a b-tree page, not the header) overwritten
python3 - "$H/memory/aux_0.db" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(4096 * 5)
    f.write(b"\xa5" * 4096)
PY
sleep 1	# a new second: a new archive would get a new name
expect_rc 1 ops-backup --home "$H"
expect_match "^ops-backup: 'memory/aux_0.db' is corrupt, no backup made: quick_check of 'memory/aux_0.db' failed: " "$ERR"
[ "$(cat "$D/latest")" = "$good" ] || fail "latest moved: $(cat "$D/latest")"
[ "$(ls "$D" | grep -c '^[0-9]')" = 1 ] || fail "a new archive appeared: $(ls "$D")"
ls -a "$D" | grep -q '^\.ops-backup-' && fail "temporary files left: $(ls -a "$D")"
expect_match '\[ERROR\] backup failed: .memory/aux_0.db. is corrupt' "$(tail -1 "$H/logs/backup.log")"
[ "$(sqlite3 "$H/.ops/state.db" "SELECT ok FROM backup_runs WHERE kind='create' ORDER BY id DESC LIMIT 1")" = 0 ] ||
	fail "the failed run is not in the catalog"
# health: the backup check is CRITICAL and says why; backup_failed is
# delivered once (and memory_corrupt, from the live database's check)
expect_rc 2 ops-health --home "$H" --check backup
expect_match "^backup: CRITICAL - last backup failed [0-9]+s ago: 'memory/aux_0.db' is corrupt" "$OUT"
expect_match "'backup_failed'=1;;;0;1" "$OUT"
cp "$H/ops.json" "$T/ops.json.saved"
alert_config "$H"
expect_rc 0 ops-alert --home "$H"
expect_rc 0 ops-alert --home "$H"
[ "$(grep -c '^ENV backup_failed|CRITICAL|Backup Failed|' "$REC")" = 1 ] ||
	fail "backup_failed not delivered once: $(grep '^ENV' "$REC")"
grep -q '^ENV memory_corrupt|CRITICAL|' "$REC" || fail "memory_corrupt not raised: $(grep '^ENV' "$REC")"
grep -q '^ENV backup_stale|' "$REC" && fail "backup_stale raised too: $(grep '^ENV' "$REC")"
cp "$T/ops.json.saved" "$H/ops.json"
# backup.check full: integrity_check names it too
write_config "$H" '"backup": {"check": "full"}'
expect_rc 1 ops-backup --home "$H"
expect_match "integrity_check of 'memory/aux_0.db' failed: " "$ERR"
write_config "$H" '"backup": {"check": "fast"}'
expect_rc 2 ops-backup --home "$H"
expect_match 'backup.check' "$ERR"
write_config "$H"
# --allow-corrupt: a forensic archive, never latest, bad in the catalog
expect_rc 1 ops-backup --home "$H" create --allow-corrupt
expect_match "forensic archive kept as 'backups/memory/[0-9]{8}_[0-9]{6}\.corrupt\.tar\.zst'" "$ERR"
forensic=$(ls "$D" | grep '\.corrupt\.tar\.zst$')
[ -n "$forensic" ] || fail "no forensic archive: $(ls "$D")"
[ "$(cat "$D/latest")" = "$good" ] || fail "latest moved to the forensic archive"
tar -tf "$D/$forensic" | grep -q '^memory/aux_0.db$' || fail "the forensic archive lacks aux_0.db"
[ "$(sqlite3 "$H/.ops/state.db" "SELECT state FROM backups WHERE name='$forensic'")" = bad ] ||
	fail "the forensic archive is not bad in the catalog"
expect_rc 0 ops-backup --home "$H" list
expect_no_match 'corrupt' "$OUT"
expect_rc 0 ops-backup --home "$H" prune --dry-run
expect_no_match 'corrupt' "$OUT"
expect_rc 2 ops-backup --home "$H" list --allow-corrupt
# backup.check "off" (benchmarks, very large homes): the archive is named
# and latest moves, but it is recorded unchecked, said on stderr and never
# good: a restore with no argument verifies it, skips it and takes the
# good one.
write_config "$H" '"backup": {"check": "off"}'
sleep 1
expect_rc 0 ops-backup --home "$H"
expect_match "^ops-backup: warning: backups/memory/[0-9]{8}_[0-9]{6}\.tar\.zst is unchecked: the databases were not checked \(backup.check \"off\"\)" "$ERR"
off=$(basename "$(cat "$D/latest")")
[ "$off" != "$(basename "$good")" ] || fail "no archive made with the check off"
[ "$(sqlite3 "$H/.ops/state.db" "SELECT state || ': ' || verify_msg || ' ' || ifnull(good_at, 'never') FROM backups WHERE name='$off'")" = \
	"unchecked: check disabled (backup.check off) never" ] ||
	fail "not unchecked in the catalog: $(sqlite3 "$H/.ops/state.db" "SELECT * FROM backups WHERE name='$off'")"
expect_rc 0 ops-backup --home "$H" list
expect_match "^$off .* unchecked: check disabled \(backup.check off\)$" "$OUT"
expect_match 'WARNING\] backup complete: .*; unchecked: check disabled' "$(tail -1 "$H/logs/backup.log")"
expect_rc 0 ops-restore --home "$H" --dry-run
expect_match "skipped $off: bad: " "$ERR"
expect_match "$(basename "$good")" "$OUT"
rm -f "$D/$off"
printf '%s\n' "$good" > "$D/latest"
write_config "$H"
# repaired: backups work again
python3 - "$H/memory/aux_0.db" <<'PY'
import os, sqlite3, sys
os.unlink(sys.argv[1])
c = sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE t(x)"); c.commit()
PY
rm -f "$H/memory/aux_0.db-wal" "$H/memory/aux_0.db-shm"
sleep 1
expect_rc 0 ops-backup --home "$H"
[ "$(cat "$D/latest")" != "$good" ] || fail "latest did not move after the repair"
echo ok
