#!/bin/bash
# Broken and hostile encrypted archives are refused by restore and verify,
# the agent untouched (still running, memory as it was, nothing set aside):
# truncated (mid-file, last chunk cut, one byte short), a flipped byte in
# the header, in the payload, in the last chunk, data appended; the wrong
# identity; a passphrase file others can read. A passphrase backup (scrypt)
# restores with the same passphrase from the environment.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
expect_rc 0 ops-backup keygen -o "$T/k1"
PUB=$OUT
expect_rc 0 ops-backup keygen -o "$T/k2"
write_config "$H" "\"backup\": {\"encrypt_to\": [\"$PUB\"]}"
# enough data for several 64 KiB chunks
python3 -c 'import os, sys; open(sys.argv[1], "w").write("{\"pad\": \"" + os.urandom(200000).hex() + "\"}")' \
	"$H/memory/identity_core.json"
expect_rc 0 ops-backup --home "$H"
good=$(cat "$H/backups/memory/latest")
size=$(stat -c %s "$good")
[ "$size" -gt 200000 ] || fail "archive too small for the test: $size"
start_agent "$H"
cp -a "$H/memory" "$T/before"

untouched() {
	kill -0 "$AGENT_PID" 2>/dev/null || fail "$1: the agent was stopped"
	[ "$(cat "$H/logs/daemon.pid")" = "$AGENT_PID" ] || fail "$1: the agent was replaced"
	cmp -s "$T/before/identity_core.json" "$H/memory/identity_core.json" ||
		fail "$1: memory changed"
	ls "$H" | grep -q 'pre-restore' && fail "$1: memory was set aside"
	return 0
}
# bad CASE: a copy of the good archive, altered by the commands on stdin
n=0
bad() {
	n=$((n + 1))
	f=$H/backups/memory/2020010${n}_000000.tar.zst.age
	cp "$good" "$f"
	F=$f sh -e
	expect_rc 1 ops-restore --home "$H" --identity "$T/k1" --yes "$(basename "$f")"
	expect_match "refused|decrypt" "$ERR"
	untouched "$1"
	# verify: bad (1); or, for an altered recipient stanza in a copy the
	# catalog has no hash of, "no identity matches": could not check (3)
	set +e
	ops-backup --home "$H" --identity "$T/k1" verify "$(basename "$f")" 2>"$T/.err"
	rc=$?
	set -e
	[ "$rc" = 1 ] || { [ "$rc" = 3 ] && grep -q "no identity matches" "$T/.err"; } ||
		fail "$1: verify exited $rc: $(cat "$T/.err")"
	rm -f "$f"
}
flip() {	# FILE OFFSET
	python3 - "$1" "$2" <<'PY'
import sys
f, off = sys.argv[1], int(sys.argv[2])
with open(f, "r+b") as h:
    h.seek(off); b = h.read(1); h.seek(off); h.write(bytes([b[0] ^ 0x01]))
PY
}
bad "truncated mid-file" <<EOF2
truncate -s $((size / 2)) "\$F"
EOF2
bad "last chunk cut" <<EOF2
truncate -s $((size - 100)) "\$F"
EOF2
bad "one byte short" <<EOF2
truncate -s $((size - 1)) "\$F"
EOF2
for off in 30 120 $((size / 2)) $((size - 5)); do
	flip_off=$off
	bad "flipped byte at $off" <<EOF2
python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek($flip_off); b=f.read(1); f.seek($flip_off); f.write(bytes([b[0]^1]))' "\$F"
EOF2
done
bad "data appended" <<EOF2
printf x >> "\$F"
EOF2
expect_match "age payload" "$ERR"
# the wrong identity
expect_rc 1 ops-restore --home "$H" --identity "$T/k2" --yes latest
expect_match "no identity matches" "$ERR"
untouched "wrong identity"
# which says nothing about the archive: verify could not check it (3),
# the archive is not bad (unchecked, still good for retention: good_at)
expect_rc 3 ops-backup --home "$H" --identity "$T/k2" verify
expect_match "no identity matches" "$ERR"
[ "$(sqlite3 "$H/.ops/state.db" "select state || ' ' || (good_at > 0) from backups where name='$(basename "$good")'")" = "unchecked 1" ] ||
	fail "the wrong key changed the archive's standing: $(sqlite3 "$H/.ops/state.db" "select state, good_at from backups")"
# no identity at all
expect_rc 1 ops-restore --home "$H" --yes latest
expect_match "needs the identity" "$ERR"
untouched "no identity"
# an altered recipient stanza in a catalogued archive: bad, not "wrong key"
cp "$good" "$T/good.bak"
python3 - "$good" <<'PY'
import sys
# another valid base64 character in the X25519 share (bytes 32..74)
with open(sys.argv[1], "r+b") as h:
    h.seek(40); b = h.read(1); h.seek(40); h.write(b"A" if b != b"A" else b"B")
PY
expect_rc 1 ops-backup --home "$H" --identity "$T/k1" verify
expect_match "sha256 mismatch" "$ERR"
[ "$(sqlite3 "$H/.ops/state.db" "select state from backups where name='$(basename "$good")'")" = bad ] ||
	fail "the altered stanza is not recorded bad"
cp "$T/good.bak" "$good"
expect_rc 0 ops-backup --home "$H" --identity "$T/k1" verify
# the altered file fails verify without the identity too (catalog hash)
flip "$good" 1000
expect_rc 1 ops-backup --home "$H" verify
expect_match "sha256 mismatch.*changed since it was written" "$ERR"
[ "$(sqlite3 "$H/.ops/state.db" "select state from backups where name='$(basename "$good")'")" = bad ] ||
	fail "the altered archive is not recorded bad"
flip "$good" 1000

# passphrase (scrypt): a file others can read is refused, for backup and
# restore alike
printf 'correct horse battery staple\n' > "$T/pass"
chmod 644 "$T/pass"
write_config "$H" "\"backup\": {\"passphrase_file\": \"$T/pass\"}"
expect_rc 2 ops-backup --home "$H"
expect_match "refusing the passphrase file .*mode 0644" "$ERR"
expect_rc 2 ops-restore --home "$H" --yes latest
expect_match "refusing the passphrase file" "$ERR"
untouched "passphrase readable by others"
chmod 600 "$T/pass"
expect_rc 0 ops-backup --home "$H"
p=$(cat "$H/backups/memory/latest")
grep -q -- '-> scrypt ' "$p" || fail "no scrypt stanza in $p"
# the same passphrase from the environment opens it; another does not
write_config "$H"
DHARMIC_OPS_PASSPHRASE=wrong expect_rc 1 ops-restore --home "$H" --yes latest
expect_match "no identity matches" "$ERR"
untouched "wrong passphrase"
echo '{"name": "changed"}' > "$H/memory/identity_core.json"
DHARMIC_OPS_PASSPHRASE='correct horse battery staple' expect_rc 0 ops-restore --home "$H" --yes latest
cmp -s "$T/before/identity_core.json" "$H/memory/identity_core.json" || fail "passphrase restore"
