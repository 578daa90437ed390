#!/bin/bash
# backup.offsite_command runs with the archive's path appended after a
# good backup; its failure is exit 1 with the local backup kept and
# `latest` naming it.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
mkdir "$T/offsite"
D=$H/backups/memory
printf '{"daemon": {"match": "agent-sim"}, "backup": {"offsite_command": ["cp", "-t", "%s"]}}\n' \
	"$T/offsite" > "$H/ops.json"
expect_rc 0 ops-backup --home "$H"
name=$(basename "$(cat "$D/latest")")
cmp "$D/$name" "$T/offsite/$name" || fail "offsite copy differs"
expect_match "\[INFO\] offsite copy done: backups/memory/$name" "$(tail -1 "$H/logs/backup.log")"
# a failing command
cat > "$T/fail.sh" <<'SH'
#!/bin/sh
echo "remote: quota exceeded for $1" >&2
exit 3
SH
chmod +x "$T/fail.sh"
printf '{"daemon": {"match": "agent-sim"}, "backup": {"offsite_command": ["%s"]}}\n' \
	"$T/fail.sh" > "$H/ops.json"
sleep 1
expect_rc 1 ops-backup --home "$H"
expect_match "offsite copy failed: '$T/fail.sh' exited with status 3: remote: quota exceeded for $D/" "$ERR"
expect_match "backup complete \(backups/memory/[0-9_]+\.tar\.zst, kept\)" "$ERR"
new=$(cat "$D/latest")
[ "$(basename "$new")" != "$name" ] || fail "latest not updated"
expect_rc 0 ops-backup --home "$H" verify "$new"
expect_match '\[ERROR\] .*offsite copy failed' "$(tail -1 "$H/logs/backup.log")"
# a command that cannot run at all
printf '{"daemon": {"match": "agent-sim"}, "backup": {"offsite_command": ["%s/nope"]}}\n' \
	"$T" > "$H/ops.json"
expect_rc 1 ops-backup --home "$H"
expect_match 'offsite copy failed' "$ERR"
[ "$(ls "$D" | grep -c '^[0-9]\{8\}_')" = 3 ] || fail "local backups not all kept: $(ls "$D")"
# include patterns naming ops' own files are a configuration error
# (files outside memory/ are otherwise allowed: issue 12, t122); symlinks
# are refused
printf '{"daemon": {"match": "agent-sim"}, "backup": {"include": ["memory/*.db", ".ops/*"]}}\n' > "$H/ops.json"
expect_rc 2 ops-backup --home "$H"
expect_match "backup.include: '.ops/\*' is ops' own" "$ERR"
printf '{"daemon": {"match": "agent-sim"}}\n' > "$H/ops.json"
ln -s /etc/hostname "$H/memory/evil.jsonl"
expect_rc 1 ops-backup --home "$H"
expect_match "refusing to back up 'memory/evil.jsonl': it is a symlink" "$ERR"
# The archive's threads run at nice + 10; the caller's thread, and what it
# runs afterwards (the offsite command), keep the caller's priority.
cat > "$T/nice.sh" <<SH
#!/bin/sh
nice > "$T/niceness"
SH
chmod +x "$T/nice.sh"
rm "$H/memory/evil.jsonl"
printf '{"daemon": {"match": "agent-sim"}, "backup": {"offsite_command": ["%s"]}}\n' \
	"$T/nice.sh" > "$H/ops.json"
sleep 1
# Relative to the test's own niceness: the suite may itself run under nice.
base=$(nice)
nice_want=$((base + 3 > 19 ? 19 : base + 3))
expect_rc 0 nice -n 3 ops-backup --home "$H"
[ "$(cat "$T/niceness")" = "$nice_want" ] || fail "offsite command ran at niceness $(cat "$T/niceness"), expected $nice_want"
echo ok
