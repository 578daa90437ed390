#!/bin/bash
# The whole home (issue 12): backup.include may name files outside memory/.
# Files that hold secrets (.env, keys/, *.pem, *token*, ...) are only backed
# up into an encrypted archive: otherwise a configuration error (exit 2)
# naming the entry, before anything is written. Hostile entries are
# refused: '..', absolute paths, a symlink (file or directory) leading out
# of the home, ops' own files, the backups themselves.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
D=$H/backups/memory
mkdir -p "$H/keys" "$H/notes"
echo "API_KEY=s3cret" > "$H/.env"
echo "key-a" > "$H/keys/a.key"
echo "hello" > "$H/notes/a.md"
echo "t0k3n" > "$H/notes/api_token.txt"
none_made() {	# WHAT
	[ -z "$(ls "$D" 2>/dev/null | grep '^[0-9]\{8\}_')" ] || fail "$1: a backup was made: $(ls "$D")"
}
inc() {	# INCLUDE-JSON-LIST [MORE-MEMBERS]
	write_config "$H" "\"backup\": {\"include\": [\"memory/*.db\", $1]${2:+, $2}}"
}

# secrets without encryption: exit 2 naming the entry
inc '".env"'
expect_rc 2 ops-backup --home "$H"
expect_match "backup.include: '\.env' names files that hold secrets: they are only backed up into an encrypted archive" "$ERR"
none_made ".env"
inc '"keys/*.key"'
expect_rc 2 ops-backup --home "$H"
expect_match "backup.include: 'keys/\*\.key' names files that hold secrets" "$ERR"
none_made "keys"
# a pattern that does not show it: the file it matches does
inc '"notes/*"'
expect_rc 2 ops-backup --home "$H"
expect_match "backup.include: 'notes/\*' matches 'notes/api_token\.txt', a file that holds secrets" "$ERR"
none_made "notes/*"
# the configured secret files count too
inc '"notes/a.md"' '"identity_file": "notes/a.md"'
expect_rc 2 ops-backup --home "$H"
expect_match "'notes/a\.md' names files that hold secrets" "$ERR"

# hostile entries: refused at load (exit 2) or before anything is read
inc '"../x"'
expect_rc 2 ops-backup --home "$H"
expect_match "'\.\./x' leaves the home" "$ERR"
inc '"/etc/passwd"'
expect_rc 2 ops-backup --home "$H"
expect_match "'/etc/passwd' is absolute" "$ERR"
inc '"notes/../../x"'
expect_rc 2 ops-backup --home "$H"
expect_match "leaves the home" "$ERR"
ln -s /etc/hostname "$H/notes/link.md"
inc '"notes/*.md"'
expect_rc 1 ops-backup --home "$H"
expect_match "refusing to back up 'notes/link\.md': it is a symlink" "$ERR"
none_made "symlinked file"
rm "$H/notes/link.md"
ln -s /etc "$H/conf"
inc '"conf/hostname"'
expect_rc 1 ops-backup --home "$H"
expect_match "backup.include: 'conf/hostname' reaches 'conf/hostname' through a symlink" "$ERR"
inc '"conf/*"'
expect_rc 1 ops-backup --home "$H"
expect_match "through a symlink" "$ERR"
none_made "symlinked directory"
rm "$H/conf"
inc '".ops/state.db"'
expect_rc 2 ops-backup --home "$H"
expect_match "'\.ops/state\.db' is ops' own" "$ERR"
inc '"backups/memory/*"'
expect_rc 2 ops-backup --home "$H"
expect_match "lies under backup.dir" "$ERR"
inc '"memory.pre-restore.20260101_000000/*"'
expect_rc 2 ops-backup --home "$H"
expect_match "is ops' own" "$ERR"
none_made "hostile"

# a plain file of the home, no secret: backed up unencrypted, listed, hashed
inc '"notes/a.md", "ops.json"'
expect_rc 0 ops-backup --home "$H"
latest=$(cat "$D/latest")
expect_rc 0 ops-restore --home "$H" --list
expect_match ' notes/a\.md$' "$OUT"
expect_match ' ops\.json$' "$OUT"
mkdir "$T/x"
tar -x --zstd -C "$T/x" -f "$latest"
(cd "$T/x" && sha256sum --quiet -c MANIFEST.sha256) || fail "sha256sum -c failed"
cmp "$T/x/notes/a.md" "$H/notes/a.md" || fail "notes/a.md differs"
grep -q '"name": *"notes/a.md"' "$T/x/MANIFEST.json" || fail "not in MANIFEST.json"
expect_rc 0 ops-backup --home "$H" verify
echo "all ok"
