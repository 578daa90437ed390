#!/bin/bash
# Backups: the newest YYYYMMDD_HHMMSS.tar(.zst|.gz) in backups/memory must
# be younger than backup_max_age; none, a missing directory or a stale one
# is WARNING. Other names in the directory are ignored.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
start_agent "$H"
B=$H/backups/memory
name() { date -d "@$(($(date +%s) - $1))" +%Y%m%d_%H%M%S; }

# an empty directory (mkhome makes it)
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^DHARMIC-OPS WARNING - backup: no backup in backups/memory \(9/10 checks ok\)' "$(first_line)"
# names that are not backups
: > "$B/notes.txt"
: > "$B/$(name 60).tar.bz2"
: > "$B/$(name 60)"
ln -s nowhere "$B/latest"
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^backup: WARNING - no backup in backups/memory$' "$OUT"

# 27 hours old: past the default 26 h
old=$(name $((27 * 3600)))
: > "$B/$old.tar.gz"
expect_rc 1 ops-health --home "$H" --no-record
expect_match "^DHARMIC-OPS WARNING - backup: stale: newest backup $old\\.tar\\.gz is 1d 3h old \\(limit 1d 2h\\) \\(9/10 checks ok\\)" "$(first_line)"
expect_match "'backup_age'=9720[0-9]s;93600;;0" "$(first_line)"
write_config "$H" '"health": {"backup_max_age": "2d"}'
expect_rc 0 ops-health --home "$H" --no-record
expect_match "^backup: OK - newest backup $old\\.tar\\.gz is 1d 3h old\$" "$OUT"
# 0 turns the age limit off (a backup must still exist)
write_config "$H" '"health": {"backup_max_age": 0}'
expect_rc 0 ops-health --home "$H" --no-record
expect_match "^backup: OK - newest backup $old\\.tar\\.gz is 1d 3h old\$" "$OUT"
write_config "$H"

# a fresh one (any of the three forms) is the newest and OK
new=$(name 120)
: > "$B/$new.tar"
expect_rc 0 ops-health --home "$H" --no-record
expect_match "^backup: OK - newest backup $new\\.tar is 2m [0-9]+s old\$" "$OUT"
expect_match '^DHARMIC-OPS OK - 10/10 checks ok' "$(first_line)"

# no directory at all
rm -rf "$H/backups"
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^backup: WARNING - no backups \(backups/memory: No such file or directory\)$' "$OUT"
[ ! -e "$H/backups" ] || fail "the check created the backup directory"
echo ok
