#!/bin/bash
# Restore picks what works: with no archive named (or "latest"),
# ops-restore restores the newest archive that verifies, saying which newer
# ones it skipped and why; --dry-run shows the choice and changes nothing.
# Here two damaged archives were forced in as the newest (one already
# known bad, `latest` naming it): the previous good one is restored.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
D=$H/backups/memory
id() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$H/memory/identity_core.json"; }
setid() { python3 - "$H/memory/identity_core.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["name"] = sys.argv[2]
json.dump(d, open(sys.argv[1], "w"))
PY
}
setid first
expect_rc 0 ops-backup --home "$H"
sleep 1
setid good
expect_rc 0 ops-backup --home "$H"
good=$(basename "$(cat "$D/latest")")
setid changed
# two damaged copies with newer names, the newest known bad and `latest`
damage() { python3 - "$1" <<'PY'
import os, sys
p = sys.argv[1]; n = os.path.getsize(p)
with open(p, "r+b") as f:
    f.seek(n // 2); b = f.read(32); f.seek(n // 2); f.write(bytes(x ^ 0x5a for x in b))
PY
}
c1=$(date -d '+1 hour' +%Y%m%d_%H%M%S).tar.zst
c2=$(date -d '+2 hours' +%Y%m%d_%H%M%S).tar.zst
cp "$D/$good" "$D/$c1"; damage "$D/$c1"
cp "$D/$good" "$D/$c2"; damage "$D/$c2"
expect_rc 1 ops-backup --home "$H" verify "$c2"
echo "$D/$c2" > "$D/latest"
# the plan: the good one, the two skipped and why
expect_rc 0 ops-restore --home "$H" --dry-run
expect_match "^ops-restore: skipped $c2: bad: " "$ERR"
expect_match "^ops-restore: skipped $c1: bad: " "$ERR"
expect_match "$good" "$OUT"
expect_no_match "$c1|$c2" "$OUT"
[ "$(id)" = changed ] || fail "--dry-run changed memory/"
[ "$(sqlite3 "$H/.ops/state.db" "SELECT state FROM backups WHERE name='$c1'")" = bad ] ||
	fail "the skipped archive is not recorded bad"
# the restore itself ("latest" the same)
expect_rc 0 ops-restore --home "$H" --yes latest
expect_match "restored memory/ from backups/memory/$good " "$OUT"
[ "$(id)" = good ] || fail "restored $(id), expected the good archive"
_pids="$_pids $(cat "$H/logs/daemon.pid" 2>/dev/null || true)"
# nothing verifies: a clear error, nothing changed
for f in "$D"/2*.tar.zst; do truncate -s 1000 "$f"; done
sqlite3 "$H/.ops/state.db" "UPDATE backups SET state=NULL, verified=NULL, good_at=NULL"
expect_rc 1 ops-restore --home "$H" --yes
expect_match 'no backup verifies \(4 tried\)' "$ERR"
[ "$(id)" = good ] || fail "memory/ changed though nothing verified"
echo ok
