#!/bin/bash
# dharmic-ops act: only a configured action runs, by its exact name; confirm
# refuses without a terminal and asks on one; --dry-run runs nothing; a
# hanging action is killed at its timeout with its process group; every
# run and refusal is one entry in the audit trail.
. "$(dirname "$0")/lib.sh"

H=$T/home
mkdir -p "$H/logs"
M=$H/marker
write_config "$H" '"actions": [
 {"name": "mark", "command": ["sh", "-c", "echo ran >> '"$M"'; echo marked"], "confirm": false,
  "description": "append to the marker"},
 {"name": "careful", "command": ["sh", "-c", "echo careful >> '"$M"'"], "timeout": "5s",
  "confirm": true},
 {"name": "hang", "command": ["sh", "-c", "sleep 300 & echo $! > '"$H"'/bg.pid; sleep 300"],
  "timeout": "1s", "confirm": false}]'
entries() { sqlite3 "$H/.ops/state.db" "SELECT count(*) FROM audit" 2>/dev/null || echo 0; }
last() { sqlite3 "$H/.ops/state.db" "SELECT outcome || ' ' || detail FROM audit ORDER BY seq DESC LIMIT 1"; }

# the list
expect_rc 0 dharmic-ops act --home "$H"
expect_match '^mark \(timeout 30s\): append to the marker' "$OUT"
expect_match "^    sh -c 'echo ran" "$OUT"
expect_match '^careful \[confirm\]' "$OUT"

# nothing that is not in the list runs, by any spelling
n=0
for name in ../mark ./mark mark/ /bin/sh sh MARK 'mark ' ' mark' 'mark;id' \
    "$H/../home/mark" 'ma*' '' mark/../mark; do
	expect_rc 2 dharmic-ops act "$name" --yes --home "$H"
	expect_match 'unknown action' "$ERR"
	n=$((n + 1))
	[ "$(entries)" -eq "$n" ] || fail "'$name': $(entries) entries, expected $n"
	expect_match '^refused .*not a configured action' "$(last)"
done
# extra arguments are not passed on: refused as usage
expect_rc 2 dharmic-ops act mark extra --home "$H"
expect_match "unexpected argument 'extra'" "$ERR"
expect_rc 2 dharmic-ops act mark -- -c id --home "$H"
[ ! -e "$M" ] || fail "something ran: $(cat "$M")"
[ "$(entries)" -eq "$n" ] || fail "usage errors left entries"

# --dry-run shows the exact command and runs nothing, records nothing
expect_rc 0 dharmic-ops act mark --dry-run --home "$H"
expect_match "^action mark: /[^ ]*/sh -c 'echo ran >> " "$OUT"
expect_match 'dry run: nothing was run' "$OUT"
[ ! -e "$M" ] || fail "--dry-run ran the action"
[ "$(entries)" -eq "$n" ] || fail "--dry-run left an entry"

# a plain run: output printed, one entry with the status and output
expect_rc 0 dharmic-ops act mark --home "$H"
expect_match '^marked$' "$OUT"
expect_match 'action mark: done \(exit 0' "$OUT"
[ "$(cat "$M")" = ran ] || fail "marker: $(cat "$M")"
n=$((n + 1)); [ "$(entries)" -eq "$n" ] || fail "run: $(entries) entries"
expect_match '^done mark: exit 0 .*; output: marked$' "$(last)"

# confirm: refused with no terminal (cron-like: env -i, stdin not a tty)
: > "$M"
expect_rc 2 env -i PATH="$PATH" HOME="$HOME" dharmic-ops act careful --home "$H" </dev/null
expect_match 'needs confirmation' "$ERR"
[ ! -s "$M" ] || fail "confirm without a terminal ran the action"
n=$((n + 1)); [ "$(entries)" -eq "$n" ] || fail "refusal: $(entries) entries"
expect_match '^refused careful: needs confirmation' "$(last)"
# --yes without a terminal runs it
expect_rc 0 dharmic-ops act careful --yes --home "$H" </dev/null
[ "$(cat "$M")" = careful ] || fail "--yes did not run it"
n=$((n + 1))
expect_match '^done careful \(confirmed with --yes\)' "$(last)"
# on a terminal (a pty through script(1)): "n" declines, "y" runs
: > "$M"
set +e
printf 'n\n' | timeout --foreground 20 script -qec \
	"dharmic-ops act careful --home '$H'" /dev/null > "$T/pty.out" 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "declined on a pty: exit $rc: $(cat "$T/pty.out")"
grep -q 'run the action careful? \[y/N\]' "$T/pty.out" || fail "no prompt: $(cat "$T/pty.out")"
[ ! -s "$M" ] || fail "declined but ran"
n=$((n + 1)); expect_match '^declined careful' "$(last)"
printf 'y\n' | timeout --foreground 20 script -qec \
	"dharmic-ops act careful --home '$H'" /dev/null > "$T/pty.out" 2>&1 ||
	fail "confirmed on a pty: $(cat "$T/pty.out")"
[ "$(cat "$M")" = careful ] || fail "confirmed but did not run"
n=$((n + 1))
expect_match '^done careful \(confirmed on the terminal\)' "$(last)"
via=$(sqlite3 "$H/.ops/state.db" "SELECT via || ' ' || tty FROM audit ORDER BY seq DESC LIMIT 1")
expect_match '^terminal /dev/pts/' "$via"

# a hanging action is killed at its timeout, with its process group
start=$(date +%s)
expect_rc 1 dharmic-ops act hang --home "$H"
[ $(($(date +%s) - start)) -le 5 ] || fail "the hang was not cut at its timeout"
expect_match 'action hang: timed-out \(killed with its process group after 1s\)' "$OUT"
bg=$(cat "$H/bg.pid")
for _ in $(seq 50); do kill -0 "$bg" 2>/dev/null || break; sleep 0.1; done
kill -0 "$bg" 2>/dev/null && { kill "$bg"; fail "the action's background child survived"; }
n=$((n + 1)); [ "$(entries)" -eq "$n" ] || fail "hang: $(entries) entries"
expect_match '^timed-out hang: killed with its process group after 1s' "$(last)"

# and the trail is intact
expect_rc 0 dharmic-ops audit --verify --home "$H"
expect_match "audit trail intact: $n entries" "$OUT"
echo "ok"
