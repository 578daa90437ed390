#!/bin/bash
# A .gz that already exists is never overwritten: with different content
# both files stay as they are and the run exits 1 naming it; with the same
# content (a run interrupted after the rename) the original is removed.
# Temporary files of an interrupted run are removed; a symlink named like
# one is not. A log still open for writing is left for a later run.
. "$(dirname "$0")/lib.sh"
export TZ=UTC
NOW=1767268800
H=$T/home
L=$H/logs
mkhome "$H" --now "$NOW"
printf 'something else\n' | gzip > "$L/daemon_20251230.log.gz"
gzip -c "$L/runtime_20251230.log" > "$L/runtime_20251230.log.gz"
printf 'partial' > "$L/email_20251230.log.gz.tmp.AbC123"
ln -s "$T/elsewhere" "$L/email_20251231.log.gz.tmp.XyZ789"
# an old log some process (this shell) still holds open for writing
exec 8>>"$L/email_20251229.log"
sums() { (cd "$L" && sha256sum daemon_20251230.log daemon_20251230.log.gz runtime_20251230.log.gz); }
before=$(sums)
export DHARMIC_OPS_NOW=$NOW
expect_rc 1 ops-rotate --home "$H"
expect_match "failed to compress logs/daemon_20251230\.log: 'logs/daemon_20251230\.log\.gz' already exists with different content; both kept" "$ERR"
[ "$(sums)" = "$before" ] || fail "an existing file changed"
[ ! -e "$L/runtime_20251230.log" ] || fail "the already compressed original was kept"
expect_match '\[INFO\] rotation: removed logs/runtime_20251230\.log \(already compressed as runtime_20251230\.log\.gz\)' \
	"$(cat "$L/rotation.log")"
[ ! -e "$L/email_20251230.log.gz.tmp.AbC123" ] || fail "stale temporary file kept"
[ -L "$L/email_20251231.log.gz.tmp.XyZ789" ] || fail "a symlink named like a temporary file was removed"
[ -f "$L/email_20251230.log.gz" ] && [ -f "$L/daemon_20251231.log.gz" ] || fail "the other logs were not rotated"
[ -f "$L/email_20251229.log" ] && [ ! -e "$L/email_20251229.log.gz" ] || fail "an open log was compressed"
expect_match "\[WARNING\] rotation: skipped logs/email_20251229\.log: still open for writing by PID $$ \(bash, fd 8\): left for a later run" \
	"$(cat "$L/rotation.log")"
expect_match 'cleaned 1, skipped 1, failed 1$' "$(tail -1 "$L/rotation.log")"
exec 8>&-
expect_match '\[ERROR\] rotation: compressed' "$(tail -1 "$L/rotation.log")"
echo ok
