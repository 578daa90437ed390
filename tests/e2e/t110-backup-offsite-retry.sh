#!/bin/bash
# Offsite copies are retried and tracked: a failing offsite_command leaves
# each archive pending in the catalog with the command's stderr tail in
# logs/backup.log; after backup.offsite_max_failures (2) failures in a row
# the backup check warns and ops-alert raises offsite_failed; the next
# succeeding run copies every pending archive, oldest first, and the alert
# resolves. `ops-backup offsite --retry` does the same without a backup.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
D=$H/backups/memory
mkdir "$T/remote"
cat > "$T/copy.sh" <<SH
#!/bin/sh
if [ -e "$T/down" ]; then
	echo "connecting to remote..." >&2
	echo "ERROR : \$1: Failed to copy: 503 Service Unavailable" >&2
	exit 5
fi
cp "\$1" "$T/remote/"
SH
chmod 700 "$T/copy.sh"
alert_config "$H"
python3 - "$H/ops.json" "$T/copy.sh" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["backup"] = {"offsite_command": [sys.argv[2]]}
json.dump(c, open(sys.argv[1], "w"))
PY
touch "$T/down"
expect_rc 1 ops-backup --home "$H"
expect_match "offsite copy failed: '$T/copy.sh' exited with status 5: ERROR : .*503 Service Unavailable" "$ERR"
expect_match '\[ERROR\] [0-9_]+\.tar\.zst: offsite copy failed: .*; output: connecting to remote\.\.\. \| ERROR : .*503' \
	"$(tail -1 "$H/logs/backup.log")"
expect_rc 0 ops-health --home "$H" --check backup
expect_match '^backup: OK - newest backup .*; no offsite copy yet \(1 pending\)$' "$OUT"
sleep 1
expect_rc 1 ops-backup --home "$H"
expect_rc 1 ops-health --home "$H" --check backup
expect_match '^backup: WARNING - newest backup .*; offsite copy failed 2 times in a row: .*503' "$OUT"
expect_match '(2 pending)' "$OUT"
expect_rc 0 ops-alert --home "$H"
[ "$(grep -c '^ENV offsite_failed|WARNING|Offsite Copy Failed|' "$REC")" = 1 ] ||
	fail "offsite_failed not delivered: $(grep '^ENV' "$REC")"
grep -q '^ENV backup_' "$REC" && fail "a backup alert fired too: $(grep '^ENV' "$REC")"
[ -z "$(ls "$T/remote")" ] || fail "copied while down"
# up again: the third run copies all three
rm "$T/down"
sleep 1
expect_rc 0 ops-backup --home "$H"
[ "$(ls "$T/remote" | wc -l)" = 3 ] || fail "not every pending archive was copied: $(ls "$T/remote")"
for f in "$T/remote"/*; do cmp "$f" "$D/$(basename "$f")" || fail "offsite copy of $f differs"; done
[ "$(sqlite3 "$H/.ops/state.db" "SELECT count(*) FROM backups WHERE offsite > 0")" = 3 ] ||
	fail "the catalog does not record the copies"
expect_rc 0 ops-health --home "$H" --check backup
expect_match "^backup: OK - newest backup ([0-9_]+\.tar\.zst) is .* old; newest offsite copy \1 is .* old$" "$OUT"
expect_rc 0 ops-alert --home "$H"
grep -q '^ENV offsite_failed|.*|resolved' "$REC" || fail "offsite_failed did not resolve: $(grep '^ENV' "$REC")"
# the dashboard shows the newest good archive and the newest offsite copy
newest=$(basename "$(cat "$D/latest")")
expect_rc 0 ops-dashboard --home "$H" json
printf '%s' "$OUT" | python3 -c '
import json, sys
b = json.load(sys.stdin)["backups"]
assert b["good"] == sys.argv[1] and b["offsite"] == sys.argv[1], b
assert b["offsite_failures"] == 0 and b["offsite_copied"] and b["drill_time"] is None, b
' "$newest" || fail "dashboard json: $OUT"
expect_rc 0 ops-dashboard --home "$H" prom
expect_match '^dharmic_backup_offsite_timestamp_seconds [0-9]+$' "$OUT"
expect_match '^dharmic_backup_last_good_timestamp_seconds [0-9]+$' "$OUT"
expect_match '^dharmic_backup_offsite_failures 0$' "$OUT"
# --retry: nothing pending, then one pending after a failure
expect_rc 0 ops-backup --home "$H" -v offsite --retry
expect_match '^offsite: 0 archives copied$' "$OUT"
touch "$T/down"
sleep 1
expect_rc 1 ops-backup --home "$H"
rm "$T/down"
expect_rc 0 ops-backup --home "$H" -v offsite --retry
expect_match '^offsite: 1 archive copied$' "$OUT"
[ "$(ls "$T/remote" | wc -l)" = 4 ] || fail "--retry did not copy: $(ls "$T/remote")"
expect_rc 2 ops-backup --home "$H" offsite
write_config "$H"
expect_rc 2 ops-backup --home "$H" offsite --retry
expect_match 'no backup.offsite_command' "$ERR"
echo ok
