#!/bin/bash
# The integrity cache: a database unchanged since its last clean check is
# not read again; any write to it (or to its WAL) invalidates the entry;
# --full always checks, with integrity_check; no state database, no cache.
. "$(dirname "$0")/lib.sh"
H=$T/home
healthy_home "$H"
integ() { printf '%s\n' "$OUT" | grep '^integrity: '; }
# wait for the agent's next tick (it commits to memory.db, then appends a
# line to strange_loop.jsonl)
next_tick() {
	n=$(wc -l < "$H/memory/strange_loop.jsonl")
	grown() { [ "$(wc -l < "$H/memory/strange_loop.jsonl")" -gt "$n" ]; }
	wait_for 5 grown
}

# first run: nothing cached yet
expect_rc 0 ops-health --home "$H"
expect_match '^integrity: OK - 2 databases ok \(quick_check, 0 unchanged since their last check\)$' "$(integ)"
[ "$(sqlite3 "$H/.ops/state.db" "SELECT count(*) FROM integrity_cache WHERE result='ok'")" = 2 ] ||
	fail "the clean checks were not cached"
# second run: aux_0.db (which no one writes) comes from the cache; the live
# agent has written memory.db's WAL in between, so that one is read again
next_tick
expect_rc 0 ops-health --home "$H"
expect_match '^integrity: OK - 2 databases ok \(quick_check, 1 unchanged since their last check\)$' "$(integ)"

# with the agent stopped both are unchanged from the second run on
kill "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
rm -f "$H/logs/daemon.pid"
expect_rc 2 ops-health --home "$H" --check integrity --check daemon
expect_rc 0 ops-health --home "$H" --check integrity
expect_match '^integrity: OK - 2 databases ok \(quick_check, 2 unchanged since their last check\)$' "$(integ)"
expect_rc 0 ops-health --home "$H" --check integrity
expect_match '2 unchanged since their last check' "$(integ)"

# a write invalidates the entry of that database only
sqlite3 "$H/memory/aux_0.db" 'CREATE TABLE touched(x); INSERT INTO touched VALUES(1);'
expect_rc 0 ops-health --home "$H" --check integrity
expect_match '\(quick_check, 1 unchanged since their last check\)$' "$(integ)"
expect_rc 0 ops-health --home "$H" --check integrity
expect_match '\(quick_check, 2 unchanged since their last check\)$' "$(integ)"

# damage in an unchanged-looking file is still found once the fingerprint
# moves: a rewrite that keeps the size changes the mtime
cp -p "$H/memory/aux_0.db" "$T/aux_0.good"
psize=$(sqlite3 "$H/memory/aux_0.db" 'PRAGMA page_size')
head -c "$psize" /dev/zero | tr '\000' '\377' |
	dd of="$H/memory/aux_0.db" bs="$psize" seek=3 count=1 conv=notrunc status=none
expect_rc 2 ops-health --home "$H" --check integrity
expect_match '^integrity: CRITICAL - memory/aux_0\.db: corrupt: ' "$(integ)"
# a failed check is never cached
expect_rc 2 ops-health --home "$H" --check integrity
expect_match '^integrity: CRITICAL - memory/aux_0\.db: corrupt: ' "$(integ)"
cp -p "$T/aux_0.good" "$H/memory/aux_0.db"
touch "$H/memory/aux_0.db"
expect_rc 0 ops-health --home "$H" --check integrity

# --full: integrity_check on every database, whatever the cache says ...
expect_rc 0 ops-health --home "$H" --check integrity --full
expect_match '^integrity: OK - 2 databases ok \(integrity_check, 0 unchanged since their last check\)$' "$(integ)"
[ "$(sqlite3 "$H/.ops/state.db" "SELECT count(*) FROM integrity_cache WHERE mode='full'")" = 2 ] ||
	fail "--full results not cached as full"
expect_rc 0 ops-health --home "$H" --check integrity --full
expect_match '\(integrity_check, 0 unchanged' "$(integ)"
# ... and a full check also answers for the quick one
expect_rc 0 ops-health --home "$H" --check integrity
expect_match '\(quick_check, 2 unchanged since their last check\)$' "$(integ)"
# "integrity": "full" in the config does not take a quick result as enough
sqlite3 "$H/memory/aux_0.db" 'INSERT INTO touched VALUES(2);'
expect_rc 0 ops-health --home "$H" --check integrity
write_config "$H" '"health": {"integrity": "full"}'
expect_rc 0 ops-health --home "$H" --check integrity
expect_match '\(integrity_check, 1 unchanged since their last check\)$' "$(integ)"
echo ok
