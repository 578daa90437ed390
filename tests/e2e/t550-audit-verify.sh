#!/bin/bash
# dharmic-ops audit: listing (--since, -n, --json) and --verify, which
# exits 1 naming the first entry changed, removed or reordered by hand with
# sqlite3(1), and notices the newest entries removed (logs/audit.log).
. "$(dirname "$0")/lib.sh"

H=$T/home
mkdir -p "$H/logs"
write_config "$H" '"actions": [{"name": "noop", "command": ["true"], "confirm": false}]'
DB=$H/.ops/state.db
# a fresh trail of five entries in a copy of the home
trail() {
	rm -rf "$H/.ops" "$H/logs/audit.log"
	for _ in 1 2 3 4 5; do dharmic-ops act noop --home "$H" >/dev/null; done
}

trail
expect_rc 0 dharmic-ops audit --home "$H"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 5 ] || fail "5 entries expected: $OUT"
expect_match '^#1 [0-9-]+ [0-9:]+ dharmic-ops act done by .* \(uid [0-9]+\) via ' "$OUT"
expect_rc 0 dharmic-ops audit -n 2 --home "$H"
expect_match '^#4 ' "$OUT"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 2 ] || fail "-n 2: $OUT"
expect_rc 0 dharmic-ops audit --json --home "$H"
printf '%s' "$OUT" | python3 -c '
import json, sys
a = json.load(sys.stdin)
assert len(a) == 5 and a[0]["seq"] == 1 and a[4]["verb"] == "act", a
assert a[1]["prev"] == a[0]["hash"] and a[0]["actor"]["uid"] >= 0, a
' || fail "--json: $OUT"
expect_rc 0 dharmic-ops audit --since 1h --home "$H"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 5 ] || fail "--since 1h: $OUT"
expect_rc 0 dharmic-ops audit --since 2099-01-01T00:00:00 --home "$H"
[ -z "$OUT" ] || fail "--since the future: $OUT"
expect_rc 2 dharmic-ops audit --since yesterday --home "$H"
expect_rc 2 dharmic-ops audit --verify --json --home "$H"
expect_rc 0 dharmic-ops audit --verify --home "$H"
expect_match '^audit trail intact: 5 entries \(1-5\)' "$OUT"
[ "$(wc -l < "$H/logs/audit.log")" -eq 5 ] || fail "audit.log: $(cat "$H/logs/audit.log")"

# the table refuses updates by mistake
sqlite3 "$DB" "UPDATE audit SET outcome='failed' WHERE seq=3" 2>/dev/null &&
	fail "an update went through the append-only trigger"

# changed
sqlite3 "$DB" "DROP TRIGGER audit_append_only; UPDATE audit SET outcome='failed' WHERE seq=3"
expect_rc 1 dharmic-ops audit --verify --home "$H"
expect_match 'audit trail broken: entry 3 \(.* act\) was changed' "$ERR"

# the actor changed
trail
sqlite3 "$DB" "DROP TRIGGER audit_append_only; UPDATE audit SET user='nobody' WHERE seq=2"
expect_rc 1 dharmic-ops audit --verify --home "$H"
expect_match 'entry 2 .*was changed' "$ERR"

# removed
trail
sqlite3 "$DB" "DELETE FROM audit WHERE seq=4"
expect_rc 1 dharmic-ops audit --verify --home "$H"
expect_match 'entry 4 was removed' "$ERR"

# removed, the rest renumbered to hide the gap
trail
sqlite3 "$DB" "DROP TRIGGER audit_append_only; DELETE FROM audit WHERE seq=2;
	UPDATE audit SET seq=seq-1 WHERE seq>2"
expect_rc 1 dharmic-ops audit --verify --home "$H"
expect_match 'entry 2 .*does not follow entry 1' "$ERR"

# swapped
trail
sqlite3 "$DB" "DROP TRIGGER audit_append_only; UPDATE audit SET seq=-1 WHERE seq=3;
	UPDATE audit SET seq=3 WHERE seq=4; UPDATE audit SET seq=4 WHERE seq=-1"
expect_rc 1 dharmic-ops audit --verify --home "$H"
expect_match 'entry 3 .*does not follow entry 2' "$ERR"

# the newest removed (logs/audit.log still has them)
trail
sqlite3 "$DB" "DELETE FROM audit WHERE seq=5"
expect_rc 1 dharmic-ops audit --verify --home "$H"
expect_match 'entry 5 was removed: logs/audit.log records entry 5' "$ERR"

# the first removed
trail
sqlite3 "$DB" "DELETE FROM audit WHERE seq=1"
expect_rc 1 dharmic-ops audit --verify --home "$H"
expect_match 'entry 1 was removed' "$ERR"

# retention: 400 days by default; the prune is an entry and the chain
# verifies from its new start
trail
DHARMIC_OPS_NOW=$(($(date +%s) + 401 * 86400)) dharmic-ops act noop --home "$H" >/dev/null
expect_rc 0 dharmic-ops audit --home "$H"
expect_match '^#6 .* audit.prune done .*removed 5 entries older than .*the chain starts at entry 6 after' "$OUT"
expect_match '^#7 .* act done' "$OUT"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 2 ] || fail "after the prune: $OUT"
expect_rc 0 dharmic-ops audit --verify --home "$H"
expect_match 'audit trail intact: 2 entries \(6-7\)' "$OUT"
echo "ok"
