#!/bin/bash
# The started agent inherits nothing of dharmic-ops: no fd but 0-2 (and the
# agent's own SQLite files), its own session, stdin /dev/null, output to the
# daemon logs, the env file loaded without its values being shown anywhere.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
H=$T/home
svc_home "$H"
printf '# secrets\nexport API_TOKEN="s3cr3t-value-42"\nOTHER=plain\n' > "$H/.env"
chmod 600 "$H/.env"

# dharmic-ops itself runs with extra fds open, inherited without
# close-on-exec, as a cron job or a careless shell would leave them
: > "$T/leak"
expect_rc 0 dharmic-ops start --home "$H" 5>"$T/leak" 7<"$T/leak" 9<>"$T/leak"
track "$H"
pid=$(cat "$H/logs/daemon.pid")
sleep 0.5	# a few ticks: the agent has opened its database
for fd in /proc/"$pid"/fd/*; do
	n=${fd##*/}
	target=$(readlink "$fd")
	case "$n:$target" in
	0:/dev/null) ;;
	1:"$H/logs/daemon_stdout.log") ;;
	2:"$H/logs/daemon_stderr.log") ;;
	*:"$H/memory/memory.db"|*:"$H/memory/memory.db-wal"|*:"$H/memory/memory.db-shm") ;;
	*) fail "fd $n of the agent is '$target'" ;;
	esac
done
[ -e "/proc/$pid/fd/3" ] || fail "the agent has not opened its database (the check above saw nothing)"

# its own session, not our process group
sid=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f4)
[ "$sid" = "$pid" ] || fail "agent session $sid, expected its own ($pid)"

# environment: the env file and DHARMIC_HOME
env=$(tr '\0' '\n' < "/proc/$pid/environ")
expect_match '^API_TOKEN=s3cr3t-value-42$' "$env"
expect_match '^OTHER=plain$' "$env"
expect_match "^DHARMIC_HOME=$H\$" "$env"
grep -r s3cr3t "$H/logs" "$H/.ops" 2>/dev/null && fail "a secret reached a log"
printf '%s%s' "$OUT" "$ERR" | grep -q s3cr3t && fail "a secret reached the output"

# a malformed env file is refused by line number, the value not shown
expect_rc 0 dharmic-ops stop --home "$H"
printf 'GOOD=1\nthis is s3cr3t garbage\n' > "$H/.env"
expect_rc 1 dharmic-ops start --home "$H"
expect_match "\.env: malformed line 2" "$ERR"
printf '%s' "$ERR" | grep -q s3cr3t && fail "a secret reached the error message"
[ -e "$H/logs/daemon.pid" ] && fail "PID file left by a failed start"
echo ok
