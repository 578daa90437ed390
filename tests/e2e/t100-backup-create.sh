#!/bin/bash
# ops-backup on a quiet home: a verified archive with its manifests, 0600
# in a 0700 directory, `latest` naming it, the catalog and the log updated,
# silent under cron, one run at a time.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
chmod 755 "$H/backups/memory"	# what an old setup left: made private
expect_rc 0 ops-backup --home "$H"
[ -z "$OUT$ERR" ] || fail "not silent without a terminal: $OUT $ERR"
D=$H/backups/memory
[ "$(stat -c %a "$D")" = 700 ] || fail "backup dir not 0700"
latest=$(cat "$D/latest")
case $latest in /*) ;; *) fail "latest is not absolute: $latest" ;; esac
name=$(basename "$latest")
expect_match '^[0-9]{8}_[0-9]{6}\.tar\.zst$' "$name"
[ -f "$D/$name" ] && [ "$(stat -c %a "$D/$name")" = 600 ] || fail "archive not 0600"
[ "$(stat -c %a "$D/latest")" = 600 ] || fail "latest not 0600"
ls -a "$D" | grep -q '^\.ops-backup-' && fail "temporary files left"
# tar reads it; MANIFEST.json comes first, MANIFEST.sha256 last, and
# sha256sum -c passes
tar -tf "$(cat "$D/latest")" > "$T/list"
[ "$(head -2 "$T/list" | tr '\n' ' ')" = "MANIFEST.json memory/ " ] ||
	fail "unexpected layout: $(head -2 "$T/list")"
[ "$(tail -1 "$T/list")" = MANIFEST.sha256 ] || fail "MANIFEST.sha256 is not last"
mkdir "$T/x" && tar -xf "$latest" -C "$T/x"
(cd "$T/x" && sha256sum --quiet -c MANIFEST.sha256) || fail "sha256sum -c failed"
for f in memory.db aux_0.db strange_loop.jsonl identity_core.json; do
	grep -q "  memory/$f\$" "$T/x/MANIFEST.sha256" || fail "$f not in the manifest"
done
python3 - "$T/x" <<'PY'
import json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "MANIFEST.json")))
kinds = {f["name"]: f["kind"] for f in m["files"]}
assert kinds == {"memory/memory.db": "sqlite", "memory/aux_0.db": "sqlite",
                 "memory/strange_loop.jsonl": "jsonl",
                 "memory/identity_core.json": "file"}, kinds
for f in m["files"]:
    assert os.path.getsize(os.path.join(d, f["name"])) == f["size"], f
assert m["total_size"] == sum(f["size"] for f in m["files"])
# a line per file
lines = open(os.path.join(d, "MANIFEST.json")).read().splitlines()
assert sum(1 for l in lines if '"name"' in l) == 4, lines
PY
# the databases are the live ones, page for page in content
for db in memory.db aux_0.db; do
	[ "$(sqlite3 "$T/x/memory/$db" 'pragma integrity_check')" = ok ] || fail "$db not ok"
	sqlite3 "$H/memory/$db" .dump > "$T/a.sql"
	sqlite3 "$T/x/memory/$db" .dump > "$T/b.sql"
	cmp -s "$T/a.sql" "$T/b.sql" || fail "$db differs from the live database"
done
cmp "$H/memory/strange_loop.jsonl" "$T/x/memory/strange_loop.jsonl" || fail "jsonl differs"
cmp "$H/memory/identity_core.json" "$T/x/memory/identity_core.json" || fail "identity differs"
ls "$T/x/memory" | grep -q -- '-wal$\|-shm$' && fail "sqlite side files archived"
# log line, catalog
expect_match "^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\] \[INFO\] backup complete: backups/memory/$name \(4 files, " \
	"$(tail -1 "$H/logs/backup.log")"
[ "$(sqlite3 "$H/.ops/state.db" "select files||' '||verify_ok from backups where name='$name'")" = "4 1" ] ||
	fail "catalog row missing"
# verify and list
expect_rc 0 ops-backup --home "$H" verify
expect_rc 0 ops-backup --home "$H" -v verify "$name"
expect_match "^ok backups/memory/$name: 4 files, 2 databases pass integrity_check" "$OUT"
expect_rc 0 ops-backup --home "$H" list
expect_match "^$name +[0-9-]+ [0-9:]+ +[0-9.]+ [KM]iB +4 +" "$OUT"
expect_rc 0 ops-backup --home "$H" list --json
printf '%s' "$OUT" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert len(v) == 1 and v[0]["files"] == 4 and v[0]["verify_ok"] is True, v'
# gzip and none; names do not collide within a second
printf '{"daemon": {"match": "agent-sim"}, "backup": {"compression": "gzip"}}\n' > "$H/ops.json"
expect_rc 0 ops-backup --home "$H"
expect_match '\.tar\.gz$' "$(cat "$D/latest")"
gzip -t "$(cat "$D/latest")" || fail "not gzip"
printf '{"daemon": {"match": "agent-sim"}, "backup": {"compression": "none"}}\n' > "$H/ops.json"
expect_rc 0 ops-backup --home "$H"
expect_match '[0-9]\.tar$' "$(cat "$D/latest")"
expect_rc 0 ops-backup --home "$H" verify --all
[ "$(ls "$D" | grep -c '^[0-9]\{8\}_[0-9]\{6\}\.tar')" = 3 ] || fail "expected 3 backups: $(ls "$D")"
# one run at a time: 75 while the lock is held, for create, verify, prune
flock -o "$H/.ops/backup.lock" sleep 3 & lockpid=$!; _pids="$_pids $lockpid"
sleep 0.3
expect_rc 75 ops-backup --home "$H"
expect_match 'another run holds' "$ERR"
expect_rc 75 ops-backup --home "$H" verify
expect_rc 75 ops-backup --home "$H" prune --dry-run
expect_rc 0 ops-backup --home "$H" list	# list does not lock
kill $(pgrep -P $lockpid) $lockpid 2>/dev/null; wait $lockpid 2>/dev/null || true
# usage errors
expect_rc 2 ops-backup --home "$H" frobnicate
expect_rc 2 ops-backup --home "$H" list --dry-run
expect_rc 2 ops-backup --home "$H" verify --all some.tar.zst
expect_rc 2 ops-backup --home "$H" --bogus
expect_rc 0 dharmic-ops backup --home "$H" list
echo ok
