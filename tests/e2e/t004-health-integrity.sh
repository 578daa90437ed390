#!/bin/bash
# Integrity faults: a corrupted page (CRITICAL naming the database), a
# configured database that is missing (CRITICAL, and never created), a
# pattern that matches nothing, a database held under an exclusive lock by
# another process (WARNING "busy", not a hang).
. "$(dirname "$0")/lib.sh"
H=$T/home
healthy_home "$H"
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^integrity: OK - 2 databases ok \(quick_check, ' "$OUT"

# a missing database named in the config
write_config "$H" '"health": {"databases": ["memory/memory.db", "memory/gone.db"]}'
expect_rc 2 ops-health --home "$H" --no-record
expect_match '^DHARMIC-OPS CRITICAL - integrity: memory/gone\.db: missing \(9/10 checks ok\)' "$(first_line)"
expect_match '^integrity: CRITICAL - memory/gone\.db: missing$' "$OUT"
[ ! -e "$H/memory/gone.db" ] || fail "the check created memory/gone.db"
for f in "$H"/memory/gone*; do [ ! -e "$f" ] || fail "the check left $f"; done
# a pattern that matches no file at all
write_config "$H" '"health": {"databases": ["memory/*.db", "memory/old_*.db"]}'
expect_rc 2 ops-health --home "$H" --no-record
expect_match '^integrity: CRITICAL - memory/old_\*\.db: no database matches$' "$OUT"
write_config "$H"

# a busy database: a rollback-journal database under an exclusive lock
sqlite3 "$H/memory/plain.db" 'PRAGMA journal_mode=DELETE; CREATE TABLE t(x); INSERT INTO t VALUES(1);' >/dev/null
python3 - "$H/memory/plain.db" "$T/locked" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
db.execute("INSERT INTO t VALUES(2)")
open(sys.argv[2], "w").close()
time.sleep(60)
PY
locker=$!
_pids="$_pids $locker"
wait_for 10 test -e "$T/locked"
start=$(date +%s)
expect_rc 1 ops-health --home "$H" --no-record
[ $(($(date +%s) - start)) -le 8 ] || fail "a busy database held the run too long"
expect_match '^DHARMIC-OPS WARNING - integrity: memory/plain\.db: busy \(locked by another process\), not checked \(9/10 checks ok\)' "$(first_line)"
expect_match "'databases_ok'=2;;;0;3" "$(first_line)"
# with -t the wait for the lock is shorter, and the quick checks still run
expect_rc 1 ops-health --home "$H" --no-record -t 1
expect_match '^integrity: WARNING - memory/plain\.db: busy' "$OUT"
expect_match '^disk: OK - ' "$OUT"
expect_match '^backup: OK - ' "$OUT"
kill "$locker"
wait "$locker" 2>/dev/null || true
[ "$(sqlite3 "$H/memory/plain.db" 'SELECT count(*) FROM t')" = 1 ] || fail "plain.db changed"
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^integrity: OK - 3 databases ok' "$OUT"

# a page in the middle of memory.db (a leaf of the memories table, which the
# live agent's appends never touch) overwritten with garbage
pages=$(sqlite3 "$H/memory/memory.db" 'PRAGMA page_count')
psize=$(sqlite3 "$H/memory/memory.db" 'PRAGMA page_size')
[ "$pages" -gt 20 ] || fail "memory.db too small to damage ($pages pages)"
head -c "$psize" /dev/zero | tr '\000' '\377' > "$T/garbage"
dd if="$T/garbage" of="$H/memory/memory.db" bs="$psize" seek=$((pages / 2)) count=1 \
	conv=notrunc status=none
expect_rc 2 ops-health --home "$H" --no-record
expect_match '^DHARMIC-OPS CRITICAL - integrity: memory/memory\.db: corrupt: .+ \(9/10 checks ok\)' "$(first_line)"
expect_match '^integrity: CRITICAL - memory/memory\.db: corrupt: .+' "$OUT"
expect_match "'databases_ok'=2;;;0;3" "$(first_line)"
expect_match '^daemon: OK - running' "$OUT"
expect_no_match 'aux_0' "$OUT"
# --full (integrity_check) says the same; the check writes nothing
kill "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
cp "$H/memory/memory.db" "$T/damaged.db"
expect_rc 2 ops-health --home "$H" --no-record --check integrity --full
expect_match '^DHARMIC-OPS CRITICAL - integrity: memory/memory\.db: corrupt: ' "$(first_line)"
cmp -s "$H/memory/memory.db" "$T/damaged.db" || fail "the check modified the damaged database"
echo ok
