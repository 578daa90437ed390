#!/bin/bash
# kill -9 at random points of ops-restore under a live agent: memory/ is
# always entirely the old or entirely the new one (three markers agree),
# and the next run says what it found, finishes or rolls back, leaves no
# staging directory or journal, and the agent runs.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
printf '{"daemon": {"match": "agent-sim", "command": ["%s", "--home", "%s", "--interval", "0.05", "--rows-per-tick", "20"], "start_timeout": "5s"}}\n' \
	"$AGENT_SIM" "$H" > "$H/ops.json"
# Agents started by a killed restore may have no PID file yet: find ours
# by their unique home path and end them by PID.
kill_agents() {
	for d in /proc/[0-9]*; do
		{ tr '\0' ' ' < "$d/cmdline"; } 2>/dev/null | grep -q -- "agent-sim --home $H " &&
			kill "${d#/proc/}" 2>/dev/null
	done
	return 0
}
trap 'r=$?; kill_agents; (exit $r); _cleanup' EXIT
mark() {	# VALUE: set the three markers
	printf '{"marker": "%s"}\n' "$1" > "$H/memory/identity_core.json"
	for db in memory.db aux_0.db; do
		sqlite3 "$H/memory/$db" "pragma busy_timeout=5000; create table if not exists marker(v);
			delete from marker; insert into marker values('$1')" >/dev/null
	done
}
state() {	# prints A, B, or MIXED
	i=$(sed -n 's/.*"marker": "\(.\)".*/\1/p' "$H/memory/identity_core.json")
	m=$(sqlite3 "$H/memory/memory.db" 'pragma busy_timeout=5000; select v from marker' | tail -1)
	a=$(sqlite3 "$H/memory/aux_0.db" 'pragma busy_timeout=5000; select v from marker' | tail -1)
	if [ "$i" = "$m" ] && [ "$m" = "$a" ]; then echo "$i"; else echo "MIXED($i$m$a)"; fi
}
start_agent "$H" --interval 0.05 --rows-per-tick 20
mark A; expect_rc 0 ops-backup --home "$H"; archA=$(cat "$H/backups/memory/latest")
sleep 1
mark B; expect_rc 0 ops-backup --home "$H"; archB=$(cat "$H/backups/memory/latest")
[ "$archA" != "$archB" ] || fail "same archive twice"
# How long a restore takes here, to aim the kills inside one.
t0=$(date +%s%N)
expect_rc 0 ops-restore --home "$H" --yes "$archB"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -gt 0 ] || ms=1
cur=B killed=0 recovered=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	if [ "$cur" = A ]; then target=B arch=$archB; else target=A arch=$archA; fi
	ops-restore --home "$H" --yes "$arch" >/dev/null 2>&1 & pid=$!
	d=$((RANDOM % ms)); sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null || true
	[ -d "$H/memory" ] || fail "run $i: no memory/ after the kill"
	s=$(state)
	case $s in A|B) ;; *) fail "run $i: memory is a mix: $s" ;; esac
	had_journal=0; [ -e "$H/.ops/restore.journal" ] && had_journal=1
	expect_rc 0 ops-restore --home "$H" --yes "$arch"
	if [ $had_journal = 1 ]; then
		expect_match 'ops-restore: an interrupted (restore|roll-back)' "$ERR"
		recovered=$((recovered + 1))
	fi
	[ "$(state)" = "$target" ] || fail "run $i: memory is $(state), expected $target"
	[ -e "$H/.memory.restore" ] && fail "run $i: staging left"
	[ -e "$H/.ops/restore.journal" ] && fail "run $i: journal left"
	p=$(cat "$H/logs/daemon.pid") && kill -0 "$p" || fail "run $i: the agent is not running"
	expect_rc 0 ops-health --home "$H" --check daemon --check heartbeat --no-record
	cur=$target
done
[ "$killed" -ge 3 ] || fail "only $killed restores were killed mid-way"
echo "ok ($killed killed, $recovered recovered from a journal; a restore takes ${ms}ms)"
