#!/bin/bash
# stop and restart never signal what the PID file names unless it is the
# agent: -1, 0, 1, garbage, an unrelated process, a process that took a
# recycled PID after the file was written. Canary processes survive.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
H=$T/home
svc_home "$H"
P=$H/logs/daemon.pid

sleep 300 &
canary=$!
_pids="$_pids $canary"
# a canary whose command line matches daemon.match but that started after
# the PID file was written: a recycled PID
bash -c 'exec -a agent-sim-impostor sleep 300' &
impostor=$!
_pids="$_pids $impostor"
sleep 0.2

restarts=$(wc -l < "$H/logs/restart.log")
for content in -1 0 1 garbage "12ab" "" "99999999999"; do
	printf '%s\n' "$content" > "$P"
	before=$(cat "$P")
	expect_rc 1 dharmic-ops stop --home "$H"
	expect_match "not stopping anything: PID file holds" "$ERR"
	[ "$(cat "$P")" = "$before" ] || fail "PID file '$content' changed"
	expect_rc 1 dharmic-ops restart --home "$H"
	[ "$(wc -l < "$H/logs/restart.log")" = "$restarts" ] || fail "a refused restart was logged"
	alive "$canary" || fail "canary killed with PID file '$content'"
	alive "$impostor" || fail "impostor killed with PID file '$content'"
done

# an unrelated process: the file is stale, removed, nothing signalled
echo "$canary" > "$P"
expect_rc 0 dharmic-ops stop --home "$H"
expect_match "the agent was not running \(PID $canary is not the agent: 'sleep 300' does not match 'agent-sim'\); removed the stale PID file logs/daemon.pid" "$OUT"
[ -e "$P" ] && fail "stale PID file kept"
alive "$canary" || fail "canary killed"

# a recycled PID: matches, but started after the PID file was written
echo "$impostor" > "$P"
touch -d '1 hour ago' "$P"
expect_rc 0 dharmic-ops stop --home "$H"
expect_match "started after the PID file was written" "$OUT"
alive "$impostor" || fail "impostor with a recycled PID killed"

# a symlinked PID file is not followed
echo "$canary" > "$T/elsewhere.pid"
ln -s "$T/elsewhere.pid" "$P"
expect_rc 1 dharmic-ops stop --home "$H"
expect_match "symlink" "$ERR"
alive "$canary" || fail "canary killed through a symlinked PID file"
rm -f "$P"

# start over a stale PID file works and the canaries are still untouched
echo "$canary" > "$P"
expect_rc 0 dharmic-ops start --home "$H"
track "$H"
[ "$(cat "$P")" != "$canary" ] || fail "start kept the stale PID"
expect_rc 0 dharmic-ops stop --home "$H"
alive "$canary" && alive "$impostor" || fail "a canary died"
echo ok
