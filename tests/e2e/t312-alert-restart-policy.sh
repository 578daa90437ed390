#!/bin/bash
# The restart policy, not the alert cooldown: an agent that crashes 2 s
# after each start, checked once a minute (the clock moved by
# $DHARMIC_OPS_NOW), is restarted at the first check after each of its
# first 3 crashes (at once, then after daemon.restart_backoff 20s, then
# 40s), then no more (daemon.restart_burst 3 in daemon.restart_window);
# restart_loop goes CRITICAL and is delivered by email (a fake sendmail).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
cat > "$T/sendmail" <<EOS
#!/bin/sh
cat > "$T/mail.\$\$"
EOS
chmod 700 "$T/sendmail"
alert_config "$H" '' "{\"auto_restart\": true, \"email\": \"ops@example.org\", \"sendmail\": \"$T/sendmail\"}"
python3 - "$H/ops.json" "$AGENT_SIM" "$H" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["daemon"]["command"] = [sys.argv[2], "--home", sys.argv[3], "--interval", "0.2",
                          "--crash-after", "10"]
c["daemon"]["restart_backoff"] = "20s"
json.dump(c, open(sys.argv[1], "w"))
PY
fresh_backup "$H"
start_agent "$H" --crash-after 10
dead() { ! kill -0 "$(cat "$H/logs/daemon.pid")" 2>/dev/null; }
T0=$(date +%s)
restarts() { grep -c 'restart: auto$' "$H/logs/restart.log" || true; }
for minute in 0 1 2 3 4; do
	wait_for 10 dead		# crashed (2 s after its start)
	pid=$(cat "$H/logs/daemon.pid")
	DHARMIC_OPS_NOW=$((T0 + 60 * minute)) expect_rc 0 ops-alert --home "$H" -v
	new=$(cat "$H/logs/daemon.pid")
	if [ "$minute" -lt 3 ]; then
		[ "$new" != "$pid" ] && kill -0 "$new" 2>/dev/null ||
			fail "minute $minute: not restarted: $OUT $ERR"
		_pids="$_pids $new"
		[ "$(restarts)" = $((minute + 1)) ] || fail "minute $minute: $(restarts) restarts logged"
	else
		[ "$new" = "$pid" ] || fail "minute $minute: restarted past the burst"
		expect_match 'not restarting: 3 crash restarts' "$OUT"
	fi
done
[ "$(restarts)" = 3 ] || fail "$(restarts) automatic restarts, expected 3"
DHARMIC_OPS_NOW=$((T0 + 300)) expect_rc 2 ops-health --home "$H" --check restarts
expect_match '^restarts: CRITICAL - restart loop: 3 crash restarts in the last 1h( 0m)? \(daemon.restart_burst 3\), not restarting$' "$OUT"
# restart_loop CRITICAL, by email (escalated), once
grep -l '^Subject: .*Restart Loop' "$T"/mail.* > "$T/loop" || fail "no Restart Loop mail: $(grep -h '^Subject' "$T"/mail.*)"
[ "$(wc -l < "$T/loop")" = 1 ] || fail "restart_loop mailed $(wc -l < "$T/loop") times"
grep -q 'CRITICAL' "$(cat "$T/loop")" || fail "restart_loop is not CRITICAL: $(cat "$(cat "$T/loop")")"
grep -q '^ENV restart_loop|CRITICAL|Restart Loop|' "$REC" || fail "restart_loop not CRITICAL: $(grep '^ENV' "$REC")"
# a window later the policy restarts again
DHARMIC_OPS_NOW=$((T0 + 3600 + 180)) expect_rc 0 ops-alert --home "$H"
_pids="$_pids $(cat "$H/logs/daemon.pid")"
[ "$(restarts)" = 4 ] || fail "not restarted once the window cleared"
echo ok
