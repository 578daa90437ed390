#!/bin/bash
# ENOSPC on a small tmpfs, at several points of a backup (snapshots, the
# archive, `latest`): the run fails with 1, the previous backup and
# `latest` are intact, no file with a final name is partial, nothing
# temporary is left; with room again, backups work.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
mkdir "$T/bk"
mount -t tmpfs -o size=8m tmpfs "$T/bk" 2>/dev/null || skip "cannot mount a tmpfs here"
trap 'r=$?; umount "$T/bk" 2>/dev/null; (exit $r); _cleanup' EXIT
D=$T/bk/memory
printf '{"daemon": {"match": "agent-sim"}, "backup": {"dir": "%s"}}\n' "$D" > "$H/ops.json"
expect_rc 0 ops-backup --home "$H"
first=$(cat "$D/latest")
sum=$(sha256sum < "$first")
avail() { df -B1 --output=avail "$T/bk" | tail -1; }
for free in 200000 1000000 1700000 1800000 1900000 1930000 1960000 1990000 2200000; do
	rm -f "$T/bk/filler"
	fill=$(( $(avail) - free ))
	[ "$fill" -gt 0 ] && head -c "$fill" /dev/zero > "$T/bk/filler"
	set +e; ops-backup --home "$H" >"$T/.out" 2>"$T/.bkerr"; rc=$?; set -e
	if [ $rc -ne 0 ]; then
		[ $rc -eq 1 ] || fail "free $free: exit $rc"
		expect_match "No space left on device|disk is full" "$(cat "$T/.bkerr")"
		expect_match '\[ERROR\] backup failed: ' "$(tail -1 "$H/logs/backup.log")"
	fi
	# whatever happened: latest names a complete archive, every final
	# name verifies, nothing temporary is left
	l=$(cat "$D/latest")
	[ $rc -ne 0 ] && [ "$l" != "$first" ] && fail "free $free: latest moved on a failed run"
	[ "$(sha256sum < "$first")" = "$sum" ] || fail "free $free: the previous backup changed"
	rm -f "$T/bk/filler"
	for f in "$D"/[0-9]*_[0-9]*.tar*; do
		expect_rc 0 ops-backup --home "$H" verify "$f"
	done
	ls -a "$D" | grep -q '^\.ops-backup-\|^latest\.tmp' && fail "free $free: temporary files left: $(ls -a "$D")"
	[ -z "$(ls "$T/bk" | grep -v '^memory$')" ] || fail "free $free: stray files: $(ls "$T/bk")"
	echo "free $free: exit $rc $(cat "$T/.bkerr")" >&2
done
# with room, it works again and retention keeps the first
expect_rc 0 ops-backup --home "$H"
[ -f "$first" ] || fail "the first backup is gone"
echo ok
