#!/bin/bash
# Each operation of ops-backup, ops-restore and ops-alert leaves exactly one
# audit entry with the right actor: a backup made from the real crontab
# line (env -i, no terminal: cron), verify good and bad, each archive
# pruned, the offsite copy, a restore refused / planned / done, a silence
# set and cleared, an automatic restart with its reason (auto-restart).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
. "$(dirname "$0")/service.sh"
H=$T/home
mkhome "$H"
alert_config "$H" '' '{"auto_restart": true}'
fake_crontab
DB=$H/.ops/state.db
count() { sqlite3 "$DB" "SELECT count(*) FROM audit" 2>/dev/null || echo 0; }
# rows N: the newest N entries, oldest first, as "program|verb|outcome|via|detail"
rows() { sqlite3 "$DB" "SELECT program, verb, outcome, via, detail FROM (SELECT * FROM audit ORDER BY seq DESC LIMIT $1) ORDER BY seq"; }
n=0
# expect_new K: exactly K more entries since the last call
expect_new() {
	n=$((n + $1))
	[ "$(count)" -eq "$n" ] || fail "$(count) entries, expected $n: $(rows 5)"
}

# a backup from the crontab's own line, run as cron runs it
dharmic-ops cron-install --home "$H" > /dev/null
expect_new 1
line=$(grep '/ops-backup create' "$T/crontab.table")
cmd=$(printf '%s\n' "$line" | cut -d' ' -f6-)
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$T" setsid sh -c "$cmd" < /dev/null ||
	fail "the crontab's backup line failed: $(cat "$H/logs/cron.log")"
expect_new 1
expect_match '^ops-backup\|backup.create\|done\|cron\|backups/memory/[0-9_]+\.tar\.zst$' "$(rows 1)"

expect_rc 0 ops-backup verify --home "$H" < /dev/null
expect_new 1
expect_match '^ops-backup\|backup.verify\|good\|none\|backups/memory/' "$(rows 1)"
good=$(ls "$H"/backups/memory/*.tar.zst | head -1)
head -c 100 "$good" > "$T/bad.tar.zst"
expect_rc 1 ops-backup verify "$T/bad.tar.zst" --home "$H" < /dev/null
expect_new 1
expect_match '^ops-backup\|backup.verify\|bad\|none\|' "$(rows 1)"

# prune: one entry per archive deleted
for d in 800 801 802; do
	: > "$H/backups/memory/$(date -d "@$(($(date +%s) - d * 86400))" +%Y%m%d_%H%M%S).tar.zst"
done
expect_rc 0 ops-backup prune --home "$H" < /dev/null
expect_new 3
[ "$(rows 3 | grep -c '^ops-backup|backup.prune|done|none|deleted [0-9_]*\.tar\.zst')" -eq 3 ] ||
	fail "prune entries: $(rows 3)"

# the offsite copy, and its failure
mkdir -p "$T/offsite"
python3 - "$H/ops.json" "$T/offsite" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["backup"] = {"offsite_command": ["cp", "-t", sys.argv[2]]}
json.dump(c, open(sys.argv[1], "w"))
PY
sleep 1
expect_rc 0 ops-backup create --home "$H" < /dev/null
expect_new 2
expect_match 'backup.offsite\|done\|none\|copied backups/memory/' "$(rows 2 | head -1)"
expect_match 'backup.create\|done' "$(rows 1)"

# restore: refused without a terminal, planned, done
expect_rc 2 ops-restore latest --home "$H" < /dev/null
expect_new 1
expect_match '^ops-restore\|restore\|refused\|none\|latest: no terminal' "$(rows 1)"
expect_rc 0 ops-restore --dry-run latest --home "$H" < /dev/null
expect_new 1
expect_match '^ops-restore\|restore\|planned\|' "$(rows 1)"
expect_rc 0 env SUDO_USER=carol ops-restore --yes latest --home "$H" < /dev/null
expect_new 1
expect_match '^ops-restore\|restore\|done\|none\|.*the previous memory is at ' "$(rows 1)"
[ "$(sqlite3 "$DB" "SELECT sudo_user FROM audit ORDER BY seq DESC LIMIT 1")" = carol ] ||
	fail "SUDO_USER not recorded"

# silence set and cleared
expect_rc 0 ops-alert silence disk_critical 2h --home "$H" < /dev/null
expect_new 1
expect_match '^ops-alert\|silence\|done\|none\|disk_critical for 2h$' "$(rows 1)"
expect_rc 0 ops-alert silence --clear disk_critical --home "$H" < /dev/null
expect_new 1
expect_match '^ops-alert\|silence.clear\|done\|none\|disk_critical$' "$(rows 1)"

# an automatic restart, with its reason, under cron
start_agent "$H"
kill -9 "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
env -i PATH="$PATH" DHARMIC_HOME="$H" DHARMIC_OPS_ACTOR=cron setsid ops-alert run < /dev/null \
	> /dev/null 2>&1 || fail "ops-alert run failed"
new=$(cat "$H/logs/daemon.pid")
_pids="$_pids $new"
expect_new 1
expect_match '^ops-alert\|restart\|done\|auto-restart\|automatic, because Process not running.*: started the agent \(pid '"$new"'\)$' "$(rows 1)"

expect_rc 0 dharmic-ops audit --verify --home "$H"
echo "ok"
