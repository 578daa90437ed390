#!/bin/bash
# The whole home back (issue 12): an encrypted backup with keys/*.key,
# .env and ops.json; they are altered, deleted; ops-restore --dry-run says
# what becomes of each, --to DIR puts them under DIR at their relative
# paths, a restore puts them back in place with each replaced one kept as
# home.pre-restore.STAMP/REL (same stamp as memory.pre-restore.STAMP), a
# file the archive does not hold is left alone. A roll-back (the agent
# refuses the restored memory) puts the files back as they were; the
# journal finishes or rolls back an interrupted restore of them; the
# copies set aside are pruned by restore.keep_aside like memory's.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
K=$T/key.txt
expect_rc 0 ops-backup keygen -o "$K"
PUB=$OUT
CONF="\"backup\": {\"encrypt_to\": [\"$PUB\"], \"include\": [\"memory/*.db\", \"memory/*.jsonl\", \"memory/identity_core.json\", \"keys/*.key\", \".env\", \"ops.json\"]}"
# The agent as restore starts it: refuses a memory marked "poisoned".
cat > "$T/agent.sh" <<SH
#!/bin/sh
grep -q poisoned "$H/memory/identity_core.json" && exit 1
exec "$AGENT_SIM" --home "$H" --interval 0.2
SH
chmod +x "$T/agent.sh"
conf() {	# [MORE-MEMBERS]
	printf '{"daemon": {"match": "agent-sim", "command": ["%s"], "start_timeout": "5s"}, %s%s}\n' \
	    "$T/agent.sh" "$CONF" "${1:+, $1}" > "$H/ops.json"
	chmod 600 "$H/ops.json"
}
agent_pid() { cat "$H/logs/daemon.pid" 2>/dev/null; }
cleanup_agents() { p=$(agent_pid); [ -n "$p" ] && kill "$p" 2>/dev/null; return 0; }
trap 'r=$?; cleanup_agents; (exit $r); _cleanup' EXIT
conf
mkdir -p "$H/keys"
echo "key-a" > "$H/keys/a.key"
echo "key-b" > "$H/keys/b.key"
echo "API_KEY=one" > "$H/.env"
start_agent "$H"
expect_rc 0 ops-backup --home "$H"
latest=$(cat "$H/backups/memory/latest")
orig_conf=$(sha256sum < "$H/ops.json")

# the bad day: a key altered, one deleted, .env changed, a new key added
echo "key-a-ALTERED" > "$H/keys/a.key"
rm "$H/keys/b.key"
echo "API_KEY=two" > "$H/.env"
echo "key-c" > "$H/keys/c.notakey"

# the archive lists them (it is encrypted: the identity opens it)
expect_rc 0 ops-restore --home "$H" --identity "$K" --list
expect_match ' keys/a\.key$' "$OUT"
expect_match ' \.env$' "$OUT"

# --dry-run says what becomes of each, changes nothing
expect_rc 0 ops-restore --home "$H" --identity "$K" --dry-run
expect_match '^files of the home: 4, put in place$' "$OUT"
expect_match '^  keys/a\.key: replaced, the current one set aside as home\.pre-restore\.[0-9]{8}_[0-9]{6}/keys/a\.key$' "$OUT"
expect_match '^  keys/b\.key: new$' "$OUT"
expect_match '^  \.env: replaced' "$OUT"
expect_match '^  ops\.json: replaced' "$OUT"
grep -q ALTERED "$H/keys/a.key" || fail "dry run changed keys/a.key"
[ -e "$H/keys/b.key" ] && fail "dry run restored keys/b.key"
ls -d "$H"/home.pre-restore.* 2>/dev/null && fail "dry run set files aside"

# --to DIR: at their relative paths under DIR
expect_rc 0 ops-restore --home "$H" --identity "$K" --to "$T/out" "$latest"
expect_match "and $T/out/keys/b\.key" "$OUT"
[ "$(cat "$T/out/keys/a.key")" = key-a ] || fail "--to: keys/a.key"
[ "$(cat "$T/out/keys/b.key")" = key-b ] || fail "--to: keys/b.key"
[ "$(cat "$T/out/.env")" = API_KEY=one ] || fail "--to: .env"
[ -f "$T/out/memory/identity_core.json" ] || fail "--to: memory"
ls -a "$T/out" | grep -q '^\.memory\.restore' && fail "--to left its staging directory"
# a file already in DIR is never replaced, and nothing is moved then
mkdir -p "$T/out2/keys" && echo mine > "$T/out2/keys/b.key"
expect_rc 1 ops-restore --home "$H" --identity "$K" --to "$T/out2" "$latest"
expect_match "'$T/out2/keys/b\.key' already exists: not replacing it" "$ERR"
[ "$(cat "$T/out2/keys/b.key")" = mine ] || fail "--to replaced a file"
[ -e "$T/out2/memory" ] && fail "--to moved memory/ though it refused"

# the restore: everything back in place, the replaced ones kept aside
expect_rc 0 ops-restore --home "$H" --identity "$K" --yes "$latest"
expect_match '4 files of the home put in place \(3 replaced ones in home\.pre-restore\.[0-9_]+\)' "$OUT"
[ "$(cat "$H/keys/a.key")" = key-a ] || fail "keys/a.key not restored"
[ "$(cat "$H/keys/b.key")" = key-b ] || fail "keys/b.key not restored"
[ "$(cat "$H/.env")" = API_KEY=one ] || fail ".env not restored"
[ "$(cat "$H/keys/c.notakey")" = key-c ] || fail "keys/c.notakey (not in the archive) touched"
[ "$(sha256sum < "$H/ops.json")" = "$orig_conf" ] || fail "ops.json not restored"
[ "$(stat -c %a "$H/keys/a.key")" = 600 ] || fail "restored key not 0600"
mem_aside=$(ls -d "$H"/memory.pre-restore.*)
home_aside=$(ls -d "$H"/home.pre-restore.*)
[ "${home_aside#$H/home.}" = "${mem_aside#$H/memory.}" ] || fail "asides have different stamps: $mem_aside $home_aside"
[ "$(cat "$home_aside/keys/a.key")" = key-a-ALTERED ] || fail "altered key not kept aside"
[ "$(cat "$home_aside/.env")" = API_KEY=two ] || fail ".env not kept aside"
[ -e "$home_aside/keys/b.key" ] && fail "a file that was not there has a copy aside"
[ -e "$H/.memory.restore" ] && fail "staging left"
[ -e "$H/.ops/restore.journal" ] && fail "journal left"
expect_match 'restore complete: .*4 outside memory/, 3 of them replaced' "$(grep 'restore complete' "$H/logs/backup.log" | tail -1)"

# roll-back: the agent refuses the restored memory; the files go back
printf '{"name": "dharmic-agent", "poisoned": true}\n' > "$H/memory/identity_core.json"
expect_rc 0 ops-backup --home "$H"
poisoned=$(cat "$H/backups/memory/latest")
printf '{"name": "dharmic-agent", "good": true}\n' > "$H/memory/identity_core.json"
echo "key-a-NOW" > "$H/keys/a.key"
rm "$H/keys/b.key"
n_aside=$(ls -d "$H"/home.pre-restore.* | wc -l)
expect_rc 1 ops-restore --home "$H" --identity "$K" --yes "$poisoned"
expect_match 'restore rolled back, the previous memory is in place' "$ERR"
[ "$(cat "$H/keys/a.key")" = key-a-NOW ] || fail "roll-back: keys/a.key is not the previous one"
[ -e "$H/keys/b.key" ] && fail "roll-back: keys/b.key (absent before) left in place"
[ "$(ls -d "$H"/home.pre-restore.* | wc -l)" = "$n_aside" ] || fail "roll-back left a home.pre-restore copy"
grep -q good "$H/memory/identity_core.json" || fail "roll-back: memory"

# an interrupted restore, recovered by the next run from the journal:
# (1) memory/ not replaced, a file already put in place -> rolled back
dev=$(stat -c %d "$H")
stamp=20260101_000000
mkdir -p "$H/.memory.restore/memory" "$H/home.pre-restore.$stamp/keys"
echo "key-a-NOW" > "$H/home.pre-restore.$stamp/keys/a.key"
echo "key-a-RESTORED" > "$H/keys/a.key.new" && mv "$H/keys/a.key.new" "$H/keys/a.key"
printf '{"mode": "restore", "phase": "swapping", "archive": "%s", "staging": "%s", "aside": "%s", "was_running": false, "dev": "%s", "new_ino": "%s", "old_ino": "%s", "staging_ino": "0", "files": [{"name": "keys/a.key", "new_ino": "%s"}]}\n' \
	"$latest" "$H/.memory.restore" "$H/memory.pre-restore.$stamp" "$dev" \
	"$(stat -c %i "$H/.memory.restore/memory")" "$(stat -c %i "$H/memory")" \
	"$(stat -c %i "$H/keys/a.key")" > "$H/.ops/restore.journal"
expect_rc 0 ops-restore --home "$H" --identity "$K" --to "$T/out3" "$latest"
expect_match 'had not replaced memory/: rolled back' "$ERR$OUT"
[ "$(cat "$H/keys/a.key")" = key-a-NOW ] || fail "recovery did not roll keys/a.key back"
[ -e "$H/home.pre-restore.$stamp" ] && fail "recovery left the emptied aside"
[ -e "$H/.ops/restore.journal" ] && fail "journal left"
# (2) memory/ replaced, the file still in staging -> finished
mkdir -p "$H/.memory.restore/keys"
echo "key-a-STAGED" > "$H/.memory.restore/keys/a.key"
printf '{"mode": "restore", "phase": "swapped", "archive": "%s", "staging": "%s", "aside": "%s", "was_running": false, "dev": "%s", "new_ino": "%s", "old_ino": "0", "staging_ino": "0", "files": [{"name": "keys/a.key", "new_ino": "%s"}]}\n' \
	"$latest" "$H/.memory.restore" "$H/memory.pre-restore.$stamp" "$dev" \
	"$(stat -c %i "$H/memory")" "$(stat -c %i "$H/.memory.restore/keys/a.key")" > "$H/.ops/restore.journal"
expect_rc 0 ops-restore --home "$H" --identity "$K" --to "$T/out4" "$latest"
expect_match 'had put it in place: finished' "$ERR$OUT"
[ "$(cat "$H/keys/a.key")" = key-a-STAGED ] || fail "recovery did not put keys/a.key in place"
[ "$(cat "$H/home.pre-restore.$stamp/keys/a.key")" = key-a-NOW ] || fail "recovery did not keep keys/a.key aside"
[ -e "$H/.memory.restore" ] && fail "staging left"
# a forged journal naming a file outside the home is set aside, never acted on
printf '{"mode": "restore", "phase": "swapped", "archive": "%s", "staging": "%s", "aside": "%s", "was_running": false, "dev": "%s", "new_ino": "%s", "old_ino": "0", "staging_ino": "0", "files": [{"name": "../victim", "new_ino": "1"}]}\n' \
	"$latest" "$H/.memory.restore" "$H/memory.pre-restore.$stamp" "$dev" \
	"$(stat -c %i "$H/memory")" > "$H/.ops/restore.journal"
echo precious > "$T/victim"
expect_rc 1 ops-restore --home "$H" --identity "$K" --to "$T/out5" "$latest"
expect_match "not one ops-restore wrote .*'\.\.' component" "$ERR"
[ "$(cat "$T/victim")" = precious ] || fail "forged journal acted on"
rm -f "$H"/.ops/restore.journal.invalid-*

# retention: home.pre-restore.* pruned like memory.pre-restore.* (newest kept)
conf '"restore": {"keep_aside": "1s"}'
sleep 1.1
expect_rc 0 ops-restore --home "$H" --identity "$K" --yes "$latest"
[ "$(ls -d "$H"/home.pre-restore.* | wc -l)" = 1 ] || fail "home.pre-restore.* not pruned: $(ls -d "$H"/home.pre-restore.*)"
[ "$(ls -d "$H"/memory.pre-restore.* | wc -l)" = 1 ] || fail "memory.pre-restore.* not pruned"
echo "all ok"
