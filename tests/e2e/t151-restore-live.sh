#!/bin/bash
# Restore under a live agent: the agent is stopped, memory/ exchanged, the
# agent started again on the restored memory and heartbeating; the rows
# committed before the backup are there. An agent that does not come up on
# the restored memory gets the previous memory back and is restarted on it.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
# The agent as restore starts it: refuses a memory marked "poisoned".
cat > "$T/agent.sh" <<SH
#!/bin/sh
grep -q poisoned "$H/memory/identity_core.json" && exit 1
exec "$AGENT_SIM" --home "$H" --interval 0.05 --rows-per-tick 50
SH
chmod +x "$T/agent.sh"
printf '{"daemon": {"match": "agent-sim", "command": ["%s"], "start_timeout": "5s"}}\n' \
	"$T/agent.sh" > "$H/ops.json"
agent_pid() { cat "$H/logs/daemon.pid" 2>/dev/null; }
cleanup_agents() { p=$(agent_pid); [ -n "$p" ] && kill "$p" 2>/dev/null; return 0; }
trap 'r=$?; cleanup_agents; (exit $r); _cleanup' EXIT

start_agent "$H" --rows-per-tick 50 --interval 0.05
sleep 0.3
max=$(sqlite3 "$H/memory/memory.db" 'pragma busy_timeout=5000; select max(id) from memories' | tail -1)
expect_rc 0 ops-backup --home "$H"
sleep 0.3
old=$AGENT_PID
expect_rc 0 ops-restore --home "$H" --yes
new=$(agent_pid)
expect_match "agent restarted \(pid $new\)$" "$OUT"
[ "$new" != "$old" ] || fail "the agent was not restarted"
kill -0 "$old" 2>/dev/null && fail "the old agent still runs"
kill -0 "$new" || fail "the new agent is not running"
expect_rc 0 ops-health --home "$H" --check daemon --check heartbeat --no-record
# the restored database: integrity, every row committed before the backup
[ "$(sqlite3 "$H/memory/memory.db" 'pragma busy_timeout=5000; pragma integrity_check' | tail -1)" = ok ] ||
	fail "restored database fails integrity_check"
n=$(sqlite3 "$H/memory/memory.db" "pragma busy_timeout=5000; select count(*) from memories where id <= $max" | tail -1)
[ "$n" = "$max" ] || fail "$n rows up to id $max after the restore"
expect_match '\[INFO\] restart: restore' "$(tail -1 "$H/logs/restart.log")"
[ "$(sqlite3 "$H/.ops/state.db" "select count(*) from events where kind='restart' and detail='restore'")" = 1 ] ||
	fail "restart not recorded"

# roll-back: the backup is poisoned, the agent refuses it
printf '{"name": "dharmic-agent", "poisoned": true}\n' > "$H/memory/identity_core.json"
expect_rc 0 ops-backup --home "$H"
printf '{"name": "dharmic-agent", "good": true}\n' > "$H/memory/identity_core.json"
ino=$(stat -c %i "$H/memory")
before=$(agent_pid)
expect_rc 1 ops-restore --home "$H" --yes
expect_match 'the agent did not come up on the restored memory' "$ERR"
expect_match 'restore rolled back, the previous memory is in place' "$ERR"
[ "$(stat -c %i "$H/memory")" = "$ino" ] || fail "memory/ is not the previous one"
grep -q good "$H/memory/identity_core.json" || fail "identity is not the previous one"
after=$(agent_pid)
[ -n "$after" ] && [ "$after" != "$before" ] && kill -0 "$after" || fail "agent not restarted on the previous memory"
expect_rc 0 ops-health --home "$H" --check daemon --check heartbeat --no-record
[ "$(ls -d "$H"/memory.pre-restore.* | wc -l)" = 1 ] || fail "the roll-back left a pre-restore copy: $(ls -d "$H"/memory.pre-restore.*)"
[ -e "$H/.memory.restore" ] && fail "staging left"
[ -e "$H/.ops/restore.journal" ] && fail "journal left"
expect_match '\[ERROR\] .*restore rolled back' "$(tail -1 "$H/logs/backup.log")"
echo ok
