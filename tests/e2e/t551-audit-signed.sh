#!/bin/bash
# audit.signing_key: `dharmic-ops audit keygen` makes the pair (key 0600,
# never over an existing one); every entry is signed; rewriting the whole
# chain consistently (hashes recomputed, by the tool itself) passes a plain
# --verify but fails --verify --pubkey, unsigned or signed with another key.
. "$(dirname "$0")/lib.sh"

H=$T/home
mkdir -p "$H/logs" "$T/keys"
ACT='"actions": [{"name": "noop", "command": ["true"], "confirm": false}]'
write_config "$H" "$ACT"

expect_rc 0 dharmic-ops audit keygen --out "$T/keys/audit.pem" --home "$H"
expect_match "wrote the signing key $T/keys/audit.pem \(mode 0600\) and its public key $T/keys/audit.pub" "$OUT"
[ "$(stat -c %a "$T/keys/audit.pem")" = 600 ] || fail "key mode $(stat -c %a "$T/keys/audit.pem")"
grep -q 'BEGIN PRIVATE KEY' "$T/keys/audit.pem" || fail "not a PEM private key"
grep -q 'BEGIN PUBLIC KEY' "$T/keys/audit.pub" || fail "not a PEM public key"
openssl pkey -in "$T/keys/audit.pem" -noout -text 2>/dev/null | grep -q ED25519 ||
	fail "not an Ed25519 key"
before=$(sha256sum < "$T/keys/audit.pem")
expect_rc 1 dharmic-ops audit keygen --out "$T/keys/audit.pem" --home "$H"
expect_match 'File exists' "$ERR"
[ "$(sha256sum < "$T/keys/audit.pem")" = "$before" ] || fail "keygen replaced a key"
# the default place, in the home
expect_rc 0 dharmic-ops audit keygen --home "$H"
[ -f "$H/.ops/audit-signing.pem" ] && [ -f "$H/.ops/audit-signing.pub" ] ||
	fail "no default key pair"
expect_rc 0 dharmic-ops audit keygen --out "$T/keys/evil.pem" --home "$H"

write_config "$H" "$ACT" '"audit": {"signing_key": "'"$T/keys/audit.pem"'"}'
rm -rf "$H/.ops/state.db"* "$H/logs/audit.log"
for _ in 1 2 3 4; do dharmic-ops act noop --home "$H" >/dev/null; done
n=$(sqlite3 "$H/.ops/state.db" "SELECT count(*) FROM audit WHERE length(sig)=128")
[ "$n" -eq 4 ] || fail "$n of 4 entries signed"
expect_rc 0 dharmic-ops audit --verify --pubkey "$T/keys/audit.pub" --home "$H"
expect_match 'audit trail intact: 4 entries' "$OUT"
expect_match 'signatures good: 4 signed entries' "$OUT"
expect_rc 1 dharmic-ops audit --verify --pubkey "$T/keys/evil.pub" --home "$H"
expect_match 'entry 1 .*signature does not verify' "$ERR"
expect_rc 2 dharmic-ops audit --pubkey "$T/keys/audit.pub" --home "$H"

# a key others can read is not used: the entry is kept, unsigned, and said
chmod 644 "$T/keys/audit.pem"
expect_rc 0 dharmic-ops act noop --home "$H"
expect_match 'entry 5 left unsigned: refusing the signing key .* readable by others' "$ERR"
chmod 600 "$T/keys/audit.pem"
expect_rc 1 dharmic-ops audit --verify --pubkey "$T/keys/audit.pub" --home "$H"
expect_match 'entry 5 \(the newest\) is not signed' "$ERR"
dharmic-ops act noop --home "$H" >/dev/null
expect_rc 0 dharmic-ops audit --verify --pubkey "$T/keys/audit.pub" --home "$H"

# an attacker who can write the state database and the logs but cannot
# read the key rewrites the whole chain consistently: unsigned ...
rewrite() {
	sqlite3 "$H/.ops/state.db" "DELETE FROM audit"
	rm -f "$H/logs/audit.log"
	for _ in 1 2 3; do dharmic-ops act noop --home "$H" >/dev/null 2>&1; done
}
write_config "$H" "$ACT"
rewrite
expect_rc 0 dharmic-ops audit --verify --home "$H"
expect_rc 1 dharmic-ops audit --verify --pubkey "$T/keys/audit.pub" --home "$H"
expect_match 'entry 3 \(the newest\) is not signed' "$ERR"
# ... or signed with a key of their own
write_config "$H" "$ACT" '"audit": {"signing_key": "'"$T/keys/evil.pem"'"}'
rewrite
expect_rc 0 dharmic-ops audit --verify --home "$H"
expect_rc 1 dharmic-ops audit --verify --pubkey "$T/keys/audit.pub" --home "$H"
expect_match 'entry 1 .*signature does not verify' "$ERR"
# ... or signatures copied from the real chain onto other content
write_config "$H" "$ACT" '"audit": {"signing_key": "'"$T/keys/audit.pem"'"}'
rewrite
sig=$(sqlite3 "$H/.ops/state.db" "SELECT sig FROM audit WHERE seq=3")
sqlite3 "$H/.ops/state.db" "DROP TRIGGER audit_append_only; UPDATE audit SET sig='$sig' WHERE seq=2"
expect_rc 1 dharmic-ops audit --verify --pubkey "$T/keys/audit.pub" --home "$H"
expect_match 'entry 2 .*signature does not verify' "$ERR"
echo "ok"
