#!/bin/bash
# ops-backup verify on the bad day: a damaged archive is bad (exit 1,
# "bad" in the catalog); on a full backup filesystem the scratch space
# falls back to $TMPDIR (still good); with no room anywhere the archive
# could not be checked (exit 3, "unchecked" in the catalog), never "bad".
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
mkdir "$T/bk" "$T/tmp2"
mount -t tmpfs -o size=8m tmpfs "$T/bk" 2>/dev/null || skip "cannot mount a tmpfs here"
trap 'r=$?; umount "$T/bk" 2>/dev/null; (exit $r); _cleanup' EXIT
D=$T/bk/memory
write_config "$H" "\"backup\": {\"dir\": \"$D\"}"
state() { sqlite3 "$H/.ops/state.db" "SELECT state FROM backups WHERE name='$1'"; }
expect_rc 0 ops-backup --home "$H"
a=$(basename "$(cat "$D/latest")")
[ "$(state "$a")" = good ] || fail "a new archive is not good: $(state "$a")"
# the backup filesystem full
fill=$(( $(df -B1 --output=avail "$T/bk" | tail -1) ))
head -c "$fill" /dev/zero > "$T/bk/filler" 2>/dev/null || true
# scratch falls back to $TMPDIR
TMPDIR=$T/tmp2 expect_rc 0 ops-backup --home "$H" -v verify
expect_match "^ok backups|^ok .*$a: .* 2 databases pass integrity_check" "$OUT"
[ "$(state "$a")" = good ] || fail "verified with fallback scratch but $(state "$a")"
[ -z "$(ls -A "$T/tmp2")" ] || fail "scratch left in TMPDIR: $(ls -A "$T/tmp2")"
# no room anywhere: could not check
TMPDIR=$T/bk expect_rc 3 ops-backup --home "$H" verify
expect_match "^ops-backup: verify could not check latest: .*(No space left on device|disk is full)" "$ERR"
[ "$(state "$a")" = unchecked ] || fail "state after a check that could not be made: $(state "$a")"
expect_match 'unchecked: ' "$(sqlite3 "$H/.ops/state.db" "SELECT 'unchecked: ' || verify_msg FROM backups WHERE name='$a'")"
expect_rc 0 ops-backup --home "$H" list
expect_match "$a .* unchecked: .*No space left" "$OUT"
# --all: 3 when the worst is "could not check"
TMPDIR=$T/bk expect_rc 3 ops-backup --home "$H" verify --all
rm -f "$T/bk/filler"
# a damaged archive is bad: exit 1
expect_rc 0 ops-backup --home "$H" verify
[ "$(state "$a")" = good ] || fail "not good again after a clean verify"
python3 - "$D/$a" <<'PY'
import os, sys
p = sys.argv[1]
n = os.path.getsize(p)
with open(p, "r+b") as f:
    f.seek(n // 2)
    b = f.read(64)
    f.seek(n // 2)
    f.write(bytes(x ^ 0xff for x in b))
PY
expect_rc 1 ops-backup --home "$H" verify "$a"
expect_match "^ops-backup: verify failed: $a: " "$ERR"
[ "$(state "$a")" = bad ] || fail "a damaged archive is $(state "$a")"
expect_rc 0 ops-backup --home "$H" list
expect_match "$a .* bad: " "$OUT"
# the failed drill: health warns (backup_unverified) and, the newest
# archive being bad, is CRITICAL; the dashboard shows the drill
expect_rc 2 ops-health --home "$H" --check backup
expect_match "^backup: CRITICAL - newest backup $a is bad: .*; last restore drill \(verify $a\) failed: " "$OUT"
expect_match "'backup_unverified'=1" "$OUT"
expect_rc 0 ops-dashboard --home "$H" json
printf '%s' "$OUT" | python3 -c '
import json, sys
b = json.load(sys.stdin)["backups"]
assert b["drill_time"] and b["drill_ok"] is False and b["good"] is None, b
' || fail "dashboard json: $OUT"
expect_rc 0 ops-dashboard --home "$H" prom
expect_match '^dharmic_backup_drill_ok 0$' "$OUT"
[ "$(sqlite3 "$H/.ops/state.db" "SELECT group_concat(ok) FROM backup_runs WHERE kind='verify'")" = "1,0,0,1,0" ] ||
	fail "drills: $(sqlite3 "$H/.ops/state.db" "SELECT group_concat(ok) FROM backup_runs WHERE kind='verify'")"
echo ok
