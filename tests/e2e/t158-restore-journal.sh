#!/bin/bash
# The restore journal is validated against what ops-restore itself writes
# before anything is done with it: a forged or damaged journal naming a
# directory outside the home, memory/ itself, or names it never makes is
# set aside (.ops/restore.journal.invalid-*) and reported, never acted on;
# --dry-run changes nothing at all, even with a journal present.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
start_agent "$H"
expect_rc 0 ops-backup --home "$H"
V=$T/victim
mkdir -p "$V/sub" && echo precious > "$V/sub/file"
ino=$(stat -c %i "$H/memory")
dev=$(stat -c %d "$H")
identity=$(sha256sum < "$H/memory/identity_core.json")
J=$H/.ops/restore.journal
intact() {	# WHAT
	[ -f "$V/sub/file" ] || fail "$1: the victim directory was touched"
	[ "$(stat -c %i "$H/memory")" = "$ino" ] || fail "$1: memory/ replaced"
	[ "$(sha256sum < "$H/memory/identity_core.json")" = "$identity" ] || fail "$1: memory changed"
	[ "$(cat "$H/logs/daemon.pid")" = "$AGENT_PID" ] && kill -0 "$AGENT_PID" || fail "$1: agent touched"
}
journal() {	# MODE PHASE STAGING ASIDE NEW_INO OLD_INO STAGING_INO
	printf '{"mode": "%s", "phase": "%s", "archive": "%s", "staging": "%s", "aside": "%s",
	"was_running": false, "dev": "%s", "new_ino": "%s", "old_ino": "%s", "staging_ino": "%s"}\n' \
	    "$1" "$2" "$H/backups/memory/x.tar.zst" "$3" "$4" "$dev" "$5" "$6" "${7:-0}" > "$J"
}
vino=$(stat -c %i "$V")
n=0
for forged in \
	"to extract $V '' 0 0 $vino" \
	"restore swapped $H/.memory.restore $V $ino 1" \
	"restore swapped $H/.memory.restore $H/memory $vino $ino" \
	"restore rollback $V $H/memory.pre-restore.20260101_000000 $ino $vino" \
	"restore swapping $H/.memory.restore $H/../victim $vino $ino" \
	"restore extract $H/.memory.restore $H/memory.pre-restore.20260101_000000 $ino 0" \
	"garbage"; do
	n=$((n + 1))
	if [ "$forged" = garbage ]; then
		printf '{"mode": "restore", "phase":' > "$J"
	else
		eval "journal $forged"
	fi
	# --dry-run: refused, nothing changed, not even the journal
	cp "$J" "$T/journal.copy"
	expect_rc 1 ops-restore --home "$H" --dry-run
	expect_match "not one ops-restore wrote" "$ERR"
	cmp -s "$J" "$T/journal.copy" || fail "forged $n: --dry-run changed the journal"
	intact "forged $n (dry run)"
	# a real run: set aside and reported, nothing acted on
	expect_rc 1 ops-restore --home "$H" --yes
	expect_match "not one ops-restore wrote .*set aside as '\.ops/restore\.journal\.invalid-" "$ERR"
	[ ! -e "$J" ] || fail "forged $n: journal not set aside"
	ls "$H"/.ops/restore.journal.invalid-* >/dev/null || fail "forged $n: no invalid-* copy"
	intact "forged $n"
	rm -f "$H"/.ops/restore.journal.invalid-*
done

# a --to journal of the right shape whose staging name is a symlink to
# the victim (or any directory but the one recorded): left alone
ln -s "$V" "$T/.memory.restore-AbC123"
journal to extract "$T/.memory.restore-AbC123" '' 0 0 "$vino"
expect_rc 0 ops-restore --home "$H" --to "$T/out3"
expect_match "is not the directory it made \(left alone\)" "$ERR$OUT"
[ -L "$T/.memory.restore-AbC123" ] || fail "the symlink was removed"
intact "symlinked staging"
[ ! -e "$J" ] || fail "journal left"

# a genuine journal (a --to killed during extraction) under --dry-run is
# reported, left as it is, its staging directory kept
mkdir "$T/out"
st=$T/out/.memory.restore-Zz9876
mkdir "$st"
dev_st=$(stat -c %d "$st")
printf '{"mode": "to", "phase": "extract", "archive": "%s", "staging": "%s", "aside": "",
"was_running": false, "dev": "%s", "new_ino": "0", "old_ino": "0", "staging_ino": "%s"}\n' \
    "$H/backups/memory/x.tar.zst" "$st" "$dev_st" "$(stat -c %i "$st")" > "$J"
expect_rc 0 ops-restore --home "$H" --dry-run
expect_match "a run without --dry-run finishes or rolls it back first" "$ERR$OUT"
[ -d "$st" ] && [ -e "$J" ] || fail "--dry-run acted on a genuine journal"
[ ! -e "$H/.memory.restore" ] || fail "--dry-run left a staging directory in the home"
intact "genuine, dry run"
# the real run removes exactly that directory, then goes on (no confirmation
# without a terminal: refused after recovery)
expect_rc 0 ops-restore --home "$H" --to "$T/out2"
[ ! -e "$st" ] || fail "the genuine --to staging directory was not removed"
[ ! -e "$J" ] || fail "the genuine journal was not removed"
intact "genuine"
echo ok
