#!/bin/bash
# Encrypted backups (age): keygen writes a 0600 identity and prints its
# public key; a backup to that recipient is YYYYMMDD_HHMMSS.tar.zst.age with
# no clear text anywhere on disk; Debian's age decrypts it and tar + sha256sum
# -c check it; age's own output (age -r, and age -p with a passphrase typed
# on a pty) opens with our reader; ours to a passphrase opens with age -d
# typed the same passphrase; verify
# without the identity checks the file against the catalog's hash and says
# the drill needs the identity, with it runs the drill; restore decrypts.
. "$(dirname "$0")/lib.sh"
command -v age >/dev/null || skip "age is not installed (tests/install-deps.sh --tests)"
H=$T/home
mkhome "$H"
K=$T/key.txt
# keygen: to a file (0600, never replaced), the public key on stdout
expect_rc 0 ops-backup keygen -o "$K"
PUB=$OUT
expect_match '^age1[02-9ac-hj-np-z]{58}$' "$PUB"
[ "$(stat -c %a "$K")" = 600 ] || fail "identity not 0600"
grep -q '^AGE-SECRET-KEY-1[0-9A-Z]*$' "$K" || fail "no secret key in $K"
[ "$(age-keygen -y "$K")" = "$PUB" ] || fail "age-keygen -y disagrees: $(age-keygen -y "$K")"
expect_rc 1 ops-backup keygen -o "$K"
expect_match 'unable to create' "$ERR"
# keygen to stdout, like age-keygen
expect_rc 0 ops-backup keygen
expect_match '^# public key: age1' "$OUT"
expect_match '^Public key: age1' "$ERR"

write_config "$H" "\"backup\": {\"encrypt_to\": [\"$PUB\"]}"
expect_rc 0 ops-backup --home "$H" -v
D=$H/backups/memory
latest=$(cat "$D/latest")
name=$(basename "$latest")
expect_match '^[0-9]{8}_[0-9]{6}\.tar\.zst\.age$' "$name"
[ "$(stat -c %a "$latest")" = 600 ] || fail "archive not 0600"
head -c 22 "$latest" | grep -q '^age-encryption.org/v1$' || fail "not an age file"
# nothing in clear: no tar or zstd magic, no member name in the file
grep -q 'MANIFEST' "$latest" && fail "clear text in the archive"
ls -a "$D" | grep -q '^\.ops-backup-' && fail "temporary files left"
# the catalog has the file's hash
[ "$(sqlite3 "$H/.ops/state.db" "select sha256 from backups where name='$name'")" = \
	"$(sha256sum "$latest" | cut -d' ' -f1)" ] || fail "catalog sha256 is not the file's"

# Debian's age opens it; tar and sha256sum -c check it
mkdir "$T/x"
age -d -i "$K" "$latest" | tar -x --zstd -C "$T/x" || fail "age -d | tar -x failed"
(cd "$T/x" && sha256sum --quiet -c MANIFEST.sha256) || fail "sha256sum -c failed"
cmp "$H/memory/identity_core.json" "$T/x/memory/identity_core.json" || fail "identity differs"

# age's own encryption opens with our reader: verify a file age -r wrote
age -d -i "$K" "$latest" > "$T/plain.tar.zst"
age -r "$PUB" -o "$D/20200101_000000.tar.zst.age" "$T/plain.tar.zst"
expect_rc 0 ops-backup --home "$H" -v --identity "$K" verify 20200101_000000.tar.zst.age
expect_match '^ok backups/memory/20200101_000000\.tar\.zst\.age: 4 files, 2 databases pass integrity_check' "$OUT"
rm "$D/20200101_000000.tar.zst.age"

# age -p (scrypt) both ways. age reads a passphrase only from a terminal:
# it runs on a pty made by script(1) (util-linux), which passes it what we
# type on its standard input.
PW='correct horse battery staple'
command -v script >/dev/null || fail "script(1) is missing (util-linux, bsdutils)"
pty() {	# INPUT COMMAND: COMMAND on a pty, INPUT typed into it
	printf '%s' "$1" | timeout 60 script -qec "$2" /dev/null >"$T/pty.out" 2>&1
}
pty "$PW
$PW
" "age -p -o $D/20200102_000000.tar.zst.age $T/plain.tar.zst" || fail "age -p failed: $(cat "$T/pty.out")"
sed -n 2p "$D/20200102_000000.tar.zst.age" | grep -q '^-> scrypt ' || fail "age -p wrote no scrypt stanza"
DHARMIC_OPS_PASSPHRASE="$PW" expect_rc 0 ops-backup --home "$H" -v verify 20200102_000000.tar.zst.age
expect_match '^ok backups/memory/20200102_000000\.tar\.zst\.age: 4 files, 2 databases pass integrity_check' "$OUT"
DHARMIC_OPS_PASSPHRASE=wrong expect_rc 3 ops-backup --home "$H" verify 20200102_000000.tar.zst.age
rm "$D/20200102_000000.tar.zst.age"
# and ours to a passphrase opens with age -d typed the same passphrase
printf '%s\n' "$PW" > "$T/pw"; chmod 600 "$T/pw"
write_config "$H" "\"backup\": {\"passphrase_file\": \"$T/pw\"}"
cp "$D/latest" "$T/latest.saved"
sleep 1	# a name of its own
expect_rc 0 ops-backup --home "$H"
pwarch=$(cat "$D/latest")
pty "$PW
" "age -d -o $T/pw.tar.zst $pwarch" || fail "age -d with the passphrase failed: $(cat "$T/pty.out")"
mkdir "$T/xp"
tar -x --zstd -C "$T/xp" -f "$T/pw.tar.zst" || fail "tar -x of age -d's output failed"
(cd "$T/xp" && sha256sum --quiet -c MANIFEST.sha256) || fail "sha256sum -c failed (passphrase)"
cmp "$H/memory/identity_core.json" "$T/xp/memory/identity_core.json" || fail "identity differs (passphrase)"
rm "$pwarch"
cp "$T/latest.saved" "$D/latest"
write_config "$H" "\"backup\": {\"encrypt_to\": [\"$PUB\"]}"

# verify without the identity: the file is the one written, not a drill
expect_rc 0 ops-backup --home "$H" verify
expect_match "^ok backups/memory/$name: encrypted file intact .*needs the identity" "$OUT"
# with it: the full drill
expect_rc 0 ops-backup --home "$H" -v --identity "$K" verify
expect_match "^ok backups/memory/$name: 4 files, 2 databases pass integrity_check" "$OUT"
# or from the configuration, relative to the home
cp -p "$K" "$H/.ops/key.txt"
write_config "$H" "\"backup\": {\"encrypt_to\": [\"$PUB\"], \"identity_file\": \".ops/key.txt\"}"
expect_rc 0 ops-backup --home "$H" -v verify
expect_match "databases pass integrity_check" "$OUT"
# an identity others can read is refused, not used
chmod 644 "$H/.ops/key.txt"
expect_rc 2 ops-backup --home "$H" -v verify
expect_match "refusing the identity file .*mode 0644 .*chmod 600" "$ERR"
chmod 600 "$H/.ops/key.txt"
# list knows it from the catalog
expect_rc 0 ops-backup --home "$H" list
expect_match "$name" "$OUT"

# restore decrypts (the memory comes back)
echo '{"name": "changed"}' > "$H/memory/identity_core.json"
expect_rc 0 ops-restore --home "$H" --yes latest
cmp "$T/x/memory/identity_core.json" "$H/memory/identity_core.json" || fail "not restored"
# --list and --to with --identity on the command line
write_config "$H" "\"backup\": {\"encrypt_to\": [\"$PUB\"]}"
expect_rc 1 ops-restore --home "$H" --list
expect_match "is encrypted \(age\): reading it needs the identity" "$ERR"
expect_rc 0 ops-restore --home "$H" --identity "$K" --list
expect_match ' sqlite +memory/memory\.db$' "$OUT"
expect_rc 0 ops-restore --home "$H" --identity "$K" --to "$T/out"
cmp "$T/x/memory/identity_core.json" "$T/out/memory/identity_core.json" || fail "--to differs"

# configuration errors: not a key; a passphrase with recipients
write_config "$H" '"backup": {"encrypt_to": ["age1notakey"]}'
expect_rc 2 ops-backup --home "$H"
expect_match "backup.encrypt_to.*age X25519 public keys" "$ERR"
echo secret > "$T/pass"; chmod 600 "$T/pass"
write_config "$H" "\"backup\": {\"encrypt_to\": [\"$PUB\"], \"passphrase_file\": \"$T/pass\"}"
expect_rc 2 ops-backup --home "$H"
expect_match "passphrase_file" "$ERR"
