#!/bin/bash
# backup.offsite.keep as an object: the remote's own retention, with the
# local retention's keys and rules, over what the remote lists (Debian's
# rclone, local backend in $T). Of two archives of one old week (or month)
# the newer stays; older than keep_monthly goes; the newest archive and the
# newest good ones always stay; each deletion takes its catalog line; a
# file that is not an archive is never touched; local archives are not
# affected, and the remote keeps what local retention deletes. Config
# errors in the object are refused at load.
. "$(dirname "$0")/lib.sh"
command -v rclone >/dev/null || skip "rclone is not installed (tests/install-deps.sh --tests)"
H=$T/home
mkhome "$H"
R=$T/remote
D=$H/backups/memory
DB=$H/.ops/state.db
printf '[off]\ntype = local\n' > "$T/rclone.conf"
conf() {	# KEEP-JSON
	write_config "$H" "\"backup\": {\"offsite\": {\"remote\": \"off:$R\", \"config\": \"$T/rclone.conf\", \"keep\": $1}}"
}
for bad in '{"keep_daily": 7}' '{"keep_all": "soon"}' '{"keep_good": 0}' '{"keep_good": 1.5}' '7' '"gfs"'; do
	conf "$bad"
	expect_rc 2 ops-backup --home "$H" list
	expect_match "backup\.offsite\.keep" "$ERR"
done
conf '{"keep_all": "1d", "keep_weekly": "30d", "keep_monthly": "365d", "keep_good": 1}'
expect_rc 0 ops-backup --home "$H"
name=$(basename "$(cat "$D/latest")")
[ -f "$R/$name" ] && [ -f "$R/$name.catalog" ] || fail "not copied: $(ls "$R")"

# old copies on the remote only, named for their days (local time)
at() {	# DAYS-AGO HH
	date -d "$(date -d "-$1 days" +%F) $2:00:00" +%Y%m%d_%H%M%S.tar.zst
}
for a in "$(at 10 01)" "$(at 10 02)" "$(at 100 01)" "$(at 100 02)" "$(at 400 01)"; do
	cp "$D/$name" "$R/$a"
	printf '{"format": 1, "name": "%s", "size": 1, "sha256": "%064d"}\n' "$a" 0 > "$R/$a.catalog"
done
echo "not ours" > "$R/notes.txt"
# a local archive older than local retention, copied: local retention
# deletes it here, the remote keeps it (keep is not "same")
lold=$(at 3 04)
cp "$D/$name" "$D/$lold"
cp "$D/$name" "$R/$lold"
expect_rc 0 ops-backup --home "$H" prune
[ -e "$R/$(at 10 02)" ] || fail "weekly: the newest of its week was deleted"
[ -e "$R/$(at 10 01)" ] && fail "weekly: an older one of the same week kept"
[ -e "$R/$(at 10 01).catalog" ] && fail "its catalog line kept"
[ -e "$R/$(at 100 02)" ] || fail "monthly: the newest of its month was deleted"
[ -e "$R/$(at 100 01)" ] && fail "monthly: an older one of the same month kept"
[ -e "$R/$(at 400 01)" ] && fail "older than keep_monthly kept"
[ -e "$R/$(at 400 01).catalog" ] && fail "its catalog line kept"
[ -e "$R/$name" ] && [ -e "$R/$name.catalog" ] || fail "the newest archive deleted"
[ -e "$R/$lold" ] || fail "the remote lost what only local retention deleted"
[ "$(cat "$R/notes.txt")" = "not ours" ] || fail "a file that is not an archive was touched"
[ -e "$D/$name" ] || fail "local archive touched"
expect_match "pruned $(at 400 01) on the remote \(" "$(cat "$H/logs/backup.log")"

# the newest good copy is never deleted, whatever its age: only old
# archives on the remote, the newest of them good in the catalog
rm -f "$R"/*
old1=$(at 500 01); old2=$(at 600 01)
cp "$D/$name" "$R/$old1"
cp "$D/$name" "$R/$old2"
sqlite3 "$DB" "create temp table t as select * from backups where name='$name';
    update t set name='$old2'; insert into backups select * from t" || fail "catalog insert"
conf '{"keep_all": "1d", "keep_weekly": "2d", "keep_monthly": "3d", "keep_good": 1}'
rm -f "$D"/*.tar.zst
expect_rc 0 ops-backup --home "$H" prune
[ -e "$R/$old2" ] || fail "the newest good copy was deleted"
[ -e "$R/$old1" ] || fail "the newest copy was deleted"
cp "$R/$old1" "$R/$(at 700 01)"
expect_rc 0 ops-backup --home "$H" prune
[ -e "$R/$(at 700 01)" ] && fail "an old copy neither newest nor good kept"

# a failing remote: prune still succeeds, the failure is logged
write_config "$H" "\"backup\": {\"offsite\": {\"remote\": \"nosuch:$R\", \"config\": \"$T/rclone.conf\", \"keep\": {}}}"
expect_rc 0 ops-backup --home "$H" prune
expect_match "WARNING\] remote retention not applied" "$(tail -3 "$H/logs/backup.log")"
echo ok
