#!/bin/bash
# Backups taken while agent-sim writes 50 rows every 50 ms: every restored
# database passes integrity_check and holds every row committed before the
# backup started; the JSONL ends on a complete line.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
start_agent "$H" --rows-per-tick 50 --interval 0.05
sleep 0.3
D=$H/backups/memory
for i in 1 2 3; do
	before=$(sqlite3 "$H/memory/memory.db" 'pragma busy_timeout=5000; select max(id) from memories' | tail -1)
	count_before=$(sqlite3 "$H/memory/memory.db" "pragma busy_timeout=5000; select count(*) from memories where id <= $before" | tail -1)
	expect_rc 0 ops-backup --home "$H"
	latest=$(cat "$D/latest")
	rm -rf "$T/x" && mkdir "$T/x" && tar -xf "$latest" -C "$T/x"
	(cd "$T/x" && sha256sum --quiet -c MANIFEST.sha256) || fail "run $i: sha256sum -c failed"
	for db in memory.db aux_0.db; do
		[ "$(sqlite3 "$T/x/memory/$db" 'pragma integrity_check')" = ok ] ||
			fail "run $i: $db fails integrity_check"
	done
	after=$(sqlite3 "$T/x/memory/memory.db" 'select max(id) from memories')
	[ "$after" -ge "$before" ] || fail "run $i: rows lost: max id $after < $before"
	got=$(sqlite3 "$T/x/memory/memory.db" "select count(*) from memories where id <= $before")
	[ "$got" = "$count_before" ] || fail "run $i: $got rows up to id $before, expected $count_before"
	tail -c 1 "$T/x/memory/strange_loop.jsonl" | od -c | grep -q '\\n' ||
		fail "run $i: jsonl does not end with a complete line"
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' \
		"$T/x/memory/strange_loop.jsonl" || fail "run $i: a JSONL line does not parse"
	ls "$T/x/memory" | grep -q -- '-wal$\|-shm$' && fail "run $i: sqlite side files archived"
	sleep 0.2
done
kill -0 "$AGENT_PID" || fail "the agent died during the backups"
expect_rc 0 ops-backup --home "$H" verify --all
echo ok
