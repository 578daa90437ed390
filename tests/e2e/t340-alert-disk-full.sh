#!/bin/bash
# The alert path needs no free disk space: with the home's filesystem
# 100 % full (a small tmpfs), ops-alert still records its run and sends
# disk_critical, using the reserve it keeps in .ops/alert.reserve; with
# room again the reserve is made anew. The integrity check on a full disk
# is UNKNOWN (it could not run), never a false CRITICAL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
mkdir "$T/fs"
mount -t tmpfs -o size=16m tmpfs "$T/fs" 2>/dev/null || skip "cannot mount a tmpfs here"
trap 'r=$?; umount "$T/fs" 2>/dev/null; (exit $r); _cleanup' EXIT
H=$T/fs/home
mkhome "$H"
fresh_backup "$H"
alert_config "$H" '{"disk_warn": "4M", "disk_crit": "3M"}'
expect_rc 0 ops-alert --home "$H"
[ -f "$H/.ops/alert.reserve" ] || fail "no reserve made"
: > "$REC"
rm -f "$H"/memory/*-shm	# SQLite must make them again to read the databases
head -c "$(df -B1 --output=avail "$T/fs" | tail -1)" /dev/zero > "$T/fs/filler" 2>/dev/null || true
[ "$(df -B1 --output=avail "$T/fs" | tail -1)" -lt 65536 ] || fail "the filesystem is not full"
expect_rc 0 env DHARMIC_OPS_NOW=$(( $(date +%s) + 7200 )) ops-alert --home "$H"
expect_match "filesystem is full.*used the reserve" "$ERR"
grep -q '"type":"disk_critical"' "$REC" || fail "disk_critical not sent on a full disk: $(cat "$REC")"
[ ! -e "$H/.ops/alert.reserve" ] || fail "the reserve is still there"
# the integrity check cannot run without room for a -shm: UNKNOWN, never
# a false CRITICAL
rm -f "$H"/memory/*-shm
head -c "$(df -B1 --output=avail "$T/fs" | tail -1)" /dev/zero > "$T/fs/filler2" 2>/dev/null || true
expect_rc 3 ops-health --home "$H" --check integrity --full --no-record
expect_match "not checked: its filesystem is full" "$OUT"
rm "$T/fs/filler" "$T/fs/filler2"
expect_rc 0 env DHARMIC_OPS_NOW=$(( $(date +%s) + 9000 )) ops-alert --home "$H"
[ -f "$H/.ops/alert.reserve" ] || fail "the reserve was not made again"
echo ok
