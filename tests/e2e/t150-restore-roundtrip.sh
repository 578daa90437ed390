#!/bin/bash
# backup -> change everything -> restore: memory/ is the backup again (file
# contents; databases compared with sqlite3 .dump), the changed memory is
# kept aside; --dry-run, --list and --to change nothing of the home; no
# terminal and no --yes refuses with 2.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
expect_rc 0 ops-backup --home "$H"
archive=$(cat "$H/backups/memory/latest")
cp -a "$H/memory" "$T/orig"
dump() { sqlite3 "$1" .dump; }
# change everything
echo '{"name": "changed"}' > "$H/memory/identity_core.json"
echo '{"id": -1}' >> "$H/memory/strange_loop.jsonl"
sqlite3 "$H/memory/memory.db" "insert into memories(area,text,created_at) values('x','new','now')"
rm "$H/memory/aux_0.db"
echo extra > "$H/memory/extra.txt"
cp -a "$H/memory" "$T/changed"
same_as() {	# DIR: memory/ holds exactly what DIR holds
	(cd "$1" && find . -type f ! -name '*-wal' ! -name '*-shm' | sort) > "$T/want"
	(cd "$H/memory" && find . -type f ! -name '*-wal' ! -name '*-shm' | sort) > "$T/have"
	diff -u "$T/want" "$T/have" || fail "memory/ has other files than $1"
	for f in $(cat "$T/want"); do
		case $f in
		*.db) [ "$(dump "$1/$f")" = "$(dump "$H/memory/$f")" ] || fail "$f differs from $1" ;;
		*) cmp -s "$1/$f" "$H/memory/$f" || fail "$f differs from $1" ;;
		esac
	done
}

# no terminal, no --yes: refused before anything
expect_rc 2 ops-restore --home "$H" </dev/null
expect_match 'use --yes' "$ERR"
same_as "$T/changed"
# --list reads the manifest
expect_rc 0 ops-restore --home "$H" --list
expect_match "^backups/memory/$(basename "$archive"): taken .*, 4 files" "$OUT"
expect_match ' sqlite +memory/memory\.db$' "$OUT"
expect_match ' jsonl +memory/strange_loop\.jsonl$' "$OUT"
# --dry-run verifies and plans, changes nothing
expect_rc 0 ops-restore --home "$H" --dry-run latest
expect_match '2 databases pass integrity_check' "$OUT"
expect_match 'memory/: [0-9]+ files, .* to be set aside as memory\.pre-restore\.[0-9]{8}_[0-9]{6}' "$OUT"
expect_match 'agent: not running' "$OUT"
expect_match 'dry run: nothing was changed' "$OUT"
same_as "$T/changed"
ls -a "$H" | grep -q 'pre-restore\|\.memory\.restore' && fail "dry run left something: $(ls -a "$H")"
# on a terminal it asks; "n" changes nothing
cat > "$T/onterm.py" <<'PY'
import os, pty, sys
answer = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out = b""
while b"[y/N]" not in out:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.write(fd, answer + b"\n")
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
expect_rc 1 python3 "$T/onterm.py" n ops-restore --home "$H"
expect_match 'to be set aside as memory\.pre-restore' "$OUT"
expect_match 'Restore\? \[y/N\]' "$OUT"
expect_match 'restore cancelled: nothing was changed' "$OUT"
same_as "$T/changed"
ls -a "$H" | grep -q 'pre-restore\|\.memory\.restore' && fail "a cancelled restore left something"
# the restore
ino=$(stat -c %i "$H/memory")
expect_rc 0 ops-restore --home "$H" --yes
expect_match "^restored memory/ from backups/memory/$(basename "$archive") \(4 files\); previous memory in memory\.pre-restore\.[0-9_]+$" "$OUT"
same_as "$T/orig"
aside=$(ls -d "$H"/memory.pre-restore.*)
[ "$(stat -c %i "$aside")" = "$ino" ] || fail "the previous memory/ was not kept whole"
H_saved=$H; H=$(dirname "$aside"); mv "$H/memory" "$T/restored"; mv "$aside" "$H/memory"
same_as "$T/changed"; mv "$H/memory" "$aside"; mv "$T/restored" "$H/memory"; H=$H_saved
[ "$(stat -c %a "$H/memory")" = 700 ] || fail "memory/ not 0700"
[ "$(stat -c %a "$H/memory/memory.db")" = 600 ] || fail "files not 0600"
[ -e "$H/.memory.restore" ] && fail "staging left"
[ -e "$H/.ops/restore.journal" ] && fail "journal left"
expect_match '\[INFO\] restore complete: memory/ from backups/memory/' "$(tail -1 "$H/logs/backup.log")"
# by name, by path, through dharmic-ops
expect_rc 0 ops-restore --home "$H" --yes "$(basename "$archive")"
expect_rc 0 dharmic-ops restore --home "$H" --yes "$archive"
same_as "$T/orig"
[ "$(ls -d "$H"/memory.pre-restore.* | wc -l)" = 3 ] || fail "expected 3 kept memories"
# --to: a verified copy elsewhere, the home untouched; never over an existing memory/
expect_rc 0 ops-restore --home "$H" --to "$T/out"
expect_match "into $T/out/memory" "$OUT"
H_saved=$H; H=$T/out; same_as "$T/orig"; H=$H_saved
ls -a "$T/out" | grep -q '\.memory\.restore' && fail "--to left its staging directory"
expect_rc 1 ops-restore --home "$H" --to "$T/out"
expect_match 'already exists' "$ERR"
expect_rc 1 ops-restore --home "$H" --to "$H"
# one at a time, and never during a backup: the lock is ops-backup's
flock -o "$H/.ops/backup.lock" sleep 3 & lockpid=$!; _pids="$_pids $lockpid"
sleep 0.3
expect_rc 75 ops-restore --home "$H" --yes
expect_match 'another run holds' "$ERR"
expect_rc 75 ops-restore --home "$H" --dry-run
expect_rc 0 ops-restore --home "$H" --list	# reads only, no lock
kill $(pgrep -P $lockpid) $lockpid 2>/dev/null; wait $lockpid 2>/dev/null || true
# usage
expect_rc 2 ops-restore --home "$H" --list --dry-run
expect_match '^ops-restore: --list and --dry-run do not go together$' "$ERR"
expect_rc 2 ops-restore --home "$H" --dry-run --to "$T/o2"
expect_match '^ops-restore: --dry-run and --to do not go together$' "$ERR"
expect_rc 2 ops-restore --home "$H" a b
expect_match "^ops-restore: unexpected argument 'b'" "$ERR"
expect_rc 2 ops-restore --home "$H" --frobnicate
expect_match "^ops-restore: unknown option '--frobnicate'$" "$ERR"
# --yes is harmless with --to: accepted
expect_rc 0 ops-restore --home "$H" --yes --to "$T/o2"
[ -d "$T/o2/memory" ] || fail "--to --yes extracted nothing"
expect_rc 1 ops-restore --home "$H" --yes "$T/nonexistent.tar.zst"
echo ok
