#!/bin/bash
# Offsite through rclone (backup.offsite) with Debian's rclone and its
# `local` backend in $T: an encrypted backup is copied and read back
# (size, sha256) and recorded in the catalog; `offsite list` shows it; a
# failing remote (a remote name the config lacks) leaves the local backup
# good and pending, and the next run copies every pending archive; keep
# "same" deletes remotely what retention deletes here, and nothing else;
# with backups/ gone, `ops-restore --from-offsite latest --identity K`
# brings the agent back with its memory; a remote copy altered in place is
# refused before anything is touched.
. "$(dirname "$0")/lib.sh"
command -v rclone >/dev/null || skip "rclone is not installed (tests/install-deps.sh --tests)"
H=$T/home
mkhome "$H"
K=$T/key.txt
R=$T/remote
D=$H/backups/memory
DB=$H/.ops/state.db
expect_rc 0 ops-backup keygen -o "$K"
PUB=$OUT
printf '[off]\ntype = local\n' > "$T/rclone.conf"
conf() {	# conf REMOTE
	write_config "$H" "\"backup\": {\"encrypt_to\": [\"$PUB\"], \"offsite\":
	    {\"remote\": \"$1\", \"config\": \"$T/rclone.conf\", \"keep\": \"same\"}}"
}
conf "off:$R"
# configuration errors are refused at load
for bad in '"remote": "nocolon"' '"remote": "-x:y"' '"remote": "off:x", "keep": "gfs"' \
    '"remote": "off:x", "bogus": 1' '"remote": 7'; do
	write_config "$H" "\"backup\": {\"offsite\": {$bad}}"
	expect_rc 2 ops-backup --home "$H" list
	expect_match "backup\.offsite" "$ERR"
done
write_config "$H" "\"backup\": {\"offsite_command\": [\"true\"], \"offsite\": {\"remote\": \"off:x\"}}"
expect_rc 2 ops-backup --home "$H" list
expect_match "one way offsite" "$ERR"
conf "off:$R"

start_agent "$H" --rows-per-tick 20 --interval 0.05
agent_pid() { cat "$H/logs/daemon.pid" 2>/dev/null; }
trap 'r=$?; p=$(agent_pid); [ -n "$p" ] && kill "$p" 2>/dev/null; (exit $r); _cleanup' EXIT
sleep 0.3
expect_rc 0 ops-backup --home "$H"
name=$(basename "$(cat "$D/latest")")
expect_match '\.tar\.zst\.age$' "$name"
cmp "$D/$name" "$R/$name" || fail "remote copy differs"
# its catalog line beside it: name, size, sha256 of the file
[ -f "$R/$name.catalog" ] || fail "no catalog line uploaded: $(ls "$R")"
expect_match "^\{\"format\": 1, \"name\": \"$name\", \"size\": $(stat -c %s "$D/$name"), \"sha256\": \"$(sha256sum < "$D/$name" | cut -d' ' -f1)\"" "$(cat "$R/$name.catalog")"
[ "$(sqlite3 "$DB" "select offsite > 0, offsite_msg from backups where name='$name'")" = "1|" ] ||
	fail "catalog: $(sqlite3 "$DB" "select offsite, offsite_msg from backups")"
expect_match "offsite copy done: backups/memory/$name" "$(cat "$H/logs/backup.log")"
expect_rc 0 ops-backup --home "$H" offsite list
expect_match "^$name +[0-9.]+ ?[KMG]?i?B? +20[0-9-]+T" "$OUT"
expect_no_match "catalog" "$OUT"
expect_rc 2 ops-backup --home "$H" offsite
expect_rc 2 ops-backup --home "$H" offsite nonsense

# a failing remote: the local backup stays good, pending, retried later
conf "nosuch:$R"
sleep 1
expect_rc 1 ops-backup --home "$H"
expect_match "backup complete \(backups/memory/[0-9_]+\.tar\.zst\.age, kept\) but: offsite copy failed: 'rclone copyto' exited with status [0-9]+: .*nosuch" "$ERR"
p1=$(basename "$(cat "$D/latest")")
[ "$(sqlite3 "$DB" "select state from backups where name='$p1'")" = good ] || fail "local backup not good"
sleep 1
expect_rc 1 ops-backup --home "$H"
[ "$(sqlite3 "$DB" "select count(*) from backups where coalesce(offsite, 0) = 0 and offsite_msg != ''")" = 2 ] ||
	fail "expected 2 pending: $(sqlite3 "$DB" "select name, offsite, offsite_msg from backups")"
expect_rc 1 ops-health --home "$H" --check backup
expect_match '^backup: WARNING - .*offsite copy failed 2 times in a row: .*rclone copyto.*\(2 pending\)' "$OUT"
[ "$(ls "$R" | wc -l)" = 2 ] || fail "copied while failing: $(ls "$R")"
conf "off:$R"
expect_rc 0 ops-backup --home "$H" -v offsite --retry
expect_match '^offsite: 2 archives copied$' "$OUT"
for f in "$D"/*.age; do
	cmp "$f" "$R/$(basename "$f")" || fail "$f not copied"
	[ -f "$R/$(basename "$f").catalog" ] || fail "$f: no catalog line"
done
[ "$(sqlite3 "$DB" "select count(*) from backups where offsite > 0")" = 3 ] || fail "catalog after retry"

# keep "same": what local retention deletes goes remotely too, nothing else
old=20200101_000000.tar.zst.age
cp "$D/$name" "$D/$old"
cp "$R/$name" "$R/$old"
cp "$R/$name" "$R/20190101_000000.tar.zst.age"	# only on the remote
sqlite3 "$DB" "create temp table t as select * from backups where name='$name';
    update t set name='$old'; insert into backups select * from t" 2>"$T/sqlerr" ||
	fail "catalog insert: $(cat "$T/sqlerr")"
expect_rc 0 ops-backup --home "$H" prune
[ -e "$D/$old" ] && fail "retention kept $old"
[ -e "$R/$old" ] && fail "keep same: remote $old not deleted"
[ -e "$R/$old.catalog" ] && fail "keep same: remote $old.catalog not deleted"
[ -e "$R/20190101_000000.tar.zst.age" ] || fail "keep same deleted a remote-only archive"
[ "$(ls "$R" | grep -c '^2026\|^20[2-9][1-9]')" -ge 3 ] || fail "remote lost current archives: $(ls "$R")"
rm "$R/20190101_000000.tar.zst.age"

# the host loses its backups: restore from the remote
newest=$(ls "$R" | grep -v '\.catalog$' | sort | tail -1)
cp "$H/memory/identity_core.json" "$T/identity.saved"
max=$(sqlite3 "$H/memory/memory.db" 'pragma busy_timeout=5000; select max(id) from memories' | tail -1)
rm -rf "$H/backups"
# an altered remote copy (same size) is refused, nothing touched
cp "$R/$newest" "$T/good.age"
printf 'X' | dd of="$R/$newest" bs=1 seek=2000 conv=notrunc 2>/dev/null
before=$(agent_pid)
expect_rc 1 ops-restore --home "$H" --from-offsite latest --identity "$K" --yes
expect_match "fetched $newest: not the archive written here \(its sha256 is not the catalog's\)" "$ERR"
ls -a "$H/backups/memory" | grep -q '^\.offsite' && fail "refused download left behind"
[ "$(agent_pid)" = "$before" ] || fail "agent touched by a refused restore"
ls -d "$H"/memory.pre-restore.* 2>/dev/null && fail "memory set aside by a refused restore"
# a fresh host (no catalog of its own): the catalog line catches it
cp "$DB" "$T/state.saved"
sqlite3 "$DB" "delete from backups"
expect_rc 1 ops-restore --home "$H" --from-offsite latest --identity "$K" --yes
expect_match "fetched $newest: its sha256 is not the one its catalog line records" "$ERR"
[ "$(agent_pid)" = "$before" ] || fail "agent touched by a refused restore"
cp "$T/good.age" "$R/$newest"
# a catalog line that is not ours refuses the archive it names
cp "$R/$newest.catalog" "$T/line.saved"
sed "s/\"name\": \"[^\"]*\"/\"name\": \"20000101_000000.tar.zst.age\"/" "$T/line.saved" > "$R/$newest.catalog"
expect_rc 1 ops-restore --home "$H" --from-offsite latest --identity "$K" --list
expect_match "$newest\.catalog names another archive" "$ERR"
printf 'garbage\n' > "$R/$newest.catalog"
expect_rc 1 ops-restore --home "$H" --from-offsite latest --identity "$K" --list
expect_match "catalog line: not a JSON object" "$ERR"
head -c 5000 /dev/zero > "$R/$newest.catalog"
expect_rc 1 ops-restore --home "$H" --from-offsite latest --identity "$K" --list
expect_match "5000 bytes: not one ops-backup wrote" "$ERR"
# a remote from before catalog lines (none): still restorable
rm "$R/$newest.catalog"
expect_rc 0 ops-restore --home "$H" --from-offsite latest --identity "$K" --list
expect_match "/$newest: taken" "$OUT"
cp "$T/line.saved" "$R/$newest.catalog"
cp "$T/state.saved" "$DB"
ls -a "$H/backups/memory" | grep -q '^\.offsite' && fail "download left behind"
expect_rc 1 ops-restore --home "$H" --from-offsite 20000101_000000.tar.zst.age --identity "$K" --yes
expect_match "no archive named" "$ERR"
# the identity is needed
expect_rc 1 ops-restore --home "$H" --from-offsite latest --yes
expect_match "identity" "$ERR"
[ "$(agent_pid)" = "$before" ] || fail "agent touched without identity"
# the restore
expect_rc 0 ops-restore --home "$H" --from-offsite latest --identity "$K" --yes
expect_match "^restored memory/ from .*$newest" "$OUT"
cmp "$H/memory/identity_core.json" "$T/identity.saved" || fail "identity differs after restore"
n=$(sqlite3 "$H/memory/memory.db" "pragma busy_timeout=5000; select count(*) from memories where id <= $max" | tail -1)
[ "$n" -ge 1 ] || fail "no memory rows after the restore"
kill -0 "$(agent_pid)" || fail "agent not running after the restore"
[ "$(agent_pid)" != "$before" ] || fail "agent not restarted"
ls -a "$H/backups/memory" | grep -q '^\.offsite' && fail "download left behind: $(ls -a "$H/backups/memory")"
echo ok
