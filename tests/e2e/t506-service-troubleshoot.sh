#!/bin/bash
# troubleshoot: a healthy home gives exit 0 ("no problems found"; notes for
# optional tools the configuration does not need are allowed); each planted
# problem alone gives exit 1, its finding and the command that fixes it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
H=$T/home
svc_home "$H"
fake_crontab
DAEMON=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["daemon"]))' "$H/ops.json")
# config EXTRA: the daemon section plus more top-level members
config() { printf '{"daemon": %s, "health": {"disk_warn": "1K", "disk_crit": "1K"}%s}\n' "$DAEMON" "${1:-}" > "$H/ops.json"; }
config

# a healthy home: agent running, a fresh backup, fresh logs, the schedule
# in the crontab, .env private, a quiet email log
expect_rc 0 dharmic-ops start --home "$H"
track "$H"
mkdir -p "$H/backups/memory"
touch "$H/backups/memory/$(date +%Y%m%d_%H%M%S).tar.zst"
touch "$H"/logs/*_????????.log
sed -i '/ERROR/d' "$H"/logs/email_*.log
printf 'TOKEN=x\n' > "$H/.env"
chmod 600 "$H/.env"
expect_rc 0 dharmic-ops cron-install --home "$H"

clean() {
	expect_rc 0 dharmic-ops troubleshoot --home "$H"
	expect_match '^no problems found$' "$OUT"
	expect_no_match '^PROBLEM' "$OUT"
}
# finds NAME TEXT [FIX]: exit 1, "PROBLEM [NAME] TEXT", the fix on the next line
finds() {
	expect_rc 1 dharmic-ops troubleshoot --home "$H"
	expect_match "^PROBLEM \\[$1\\] $2" "$OUT"
	[ -z "${3:-}" ] || printf '%s\n' "$OUT" | grep -A1 -E "^PROBLEM \\[$1\\] $2" |
		grep -Eq -- "^    fix: $3" || fail "no fix /$3/ for $1 in:
$OUT"
	expect_match '^[0-9]+ problems? found$' "$OUT"
}
clean
# optional tools this configuration does not need are notes, not problems
command -v notify-send >/dev/null || expect_match '^note \[tools\] notify-send not found' "$OUT"
[ -x /usr/sbin/sendmail ] || expect_match '^note \[tools\] /usr/sbin/sendmail not found' "$OUT"
home=$(printf '%s' "$H" | sed 's/[.]/\\./g')

# the agent: stopped, a stale PID file (an unrelated process, garbage)
pid=$(cat "$H/logs/daemon.pid")
expect_rc 0 dharmic-ops stop --home "$H"
finds daemon "the agent is not running \\(no PID file\\)" "dharmic-ops start --home $home\$"
sleep 300 &
canary=$!
_pids="$_pids $canary"
echo "$canary" > "$H/logs/daemon.pid"
finds pid "stale PID file logs/daemon.pid: PID $canary is not the agent" "rm $home/logs/daemon\\.pid\$"
expect_match '^PROBLEM \[daemon\] the agent is not running' "$OUT"
echo garbage > "$H/logs/daemon.pid"
finds pid "stale PID file logs/daemon.pid: PID file holds garbage"
alive "$canary" || fail "troubleshoot signalled something"
rm "$H/logs/daemon.pid"
expect_rc 0 dharmic-ops start --home "$H"
track "$H"
clean

# heartbeat stalled while the agent runs
expect_rc 0 dharmic-ops stop --home "$H"
DAEMON0=$DAEMON
DAEMON=$(printf '%s' "$DAEMON" | sed 's/"0.2"/"0.2", "--heartbeat-interval", "1", "--stop-heartbeat-after", "1"/')
config
expect_rc 0 dharmic-ops start --home "$H"
track "$H"
sleep 3
finds heartbeat "heartbeat stalled: stale: last heartbeat" "dharmic-ops restart"
expect_rc 0 dharmic-ops stop --home "$H"
DAEMON=$DAEMON0
config
expect_rc 0 dharmic-ops start --home "$H"
track "$H"

# disk low
printf '{"daemon": %s, "health": {"disk_warn": "1000T", "disk_crit": "1K"}}\n' "$DAEMON" > "$H/ops.json"
finds disk "disk low: .* free of .* \\(below 1000\\.0 TiB\\)" "dharmic-ops rotate"
config

# SQLite integrity: a corrupted page in a memory database
cp "$H/memory/aux_0.db" "$T/aux_0.db"
dd if=/dev/urandom of="$H/memory/aux_0.db" bs=4096 seek=1 count=2 conv=notrunc 2>/dev/null
finds integrity "SQLite integrity: .*aux_0\\.db" "dharmic-ops stop .* && dharmic-ops restore latest"
cp "$T/aux_0.db" "$H/memory/aux_0.db"

# a restart loop
for i in 1 2 3 4; do echo "[$(date '+%Y-%m-%d %H:%M:%S')] [INFO] restart: auto" >> "$H/logs/restart.log"; done
finds restarts "restart loop: 4 restarts in the last 1h"
sed -i '/restart: auto$/d' "$H/logs/restart.log"

# backups stale, then failing
mv "$H/backups/memory" "$T/backups"
finds backup "backups stale: no backups" "dharmic-ops backup"
mv "$T/backups" "$H/backups/memory"
cp "$H/logs/backup.log" "$T/backup.log"
echo "[$(date '+%Y-%m-%d %H:%M:%S')] [ERROR] backup failed: No space left on device" >> "$H/logs/backup.log"
finds backup "backups failing: the last line of logs/backup.log is '.*No space left" "dharmic-ops logs backup"
cp "$T/backup.log" "$H/logs/backup.log"

# logs not rotating
touch -d '3 days ago' "$H/logs/runtime_20000101.log"
finds rotation "logs not rotating: the oldest uncompressed daily log logs/runtime_20000101\\.log" "dharmic-ops rotate"
rm "$H/logs/runtime_20000101.log"

# alert state: an unreadable state database, then one set aside
mkdir -p "$H/.ops"
# (the WAL of the entries the verbs above wrote to the audit trail goes too:
# it would hold a good first page over the garbage)
rm -f "$H/.ops/state.db-wal" "$H/.ops/state.db-shm"
head -c 8192 /dev/urandom > "$H/.ops/state.db"
finds state "alert state unreadable: \\.ops/state\\.db" "dharmic-ops alert status"
[ "$(ls "$H/.ops" | grep -c corrupt)" = 0 ] || fail "troubleshoot set the database aside"
rm "$H/.ops/state.db"
touch "$H/.ops/state.db.corrupt-20260101_000000"
finds state "alert state was lost: 1 unreadable state database set aside" "ls -l"
rm "$H/.ops/state.db.corrupt-20260101_000000"

# .env open to others, then writable directories
chmod 644 "$H/.env"
finds env "\\.env holds secrets and is open to others \\(mode 0644\\)" "chmod 600 $home/\\.env\$"
chmod 600 "$H/.env"
chmod 775 "$H/logs"
finds permissions "logs is writable by the group \\(mode 0775\\)" "chmod go-w $home/logs\$"
chmod 755 "$H/logs"
chmod 757 "$H"
finds permissions "the home is writable by others \\(mode 0757\\)"
chmod 755 "$H"

# cron: the schedule missing, then crontab -l failing
expect_rc 0 dharmic-ops cron-uninstall --home "$H"
finds cron "cron not installed: the crontab has no dharmic-ops schedule" "dharmic-ops cron-install"
expect_rc 0 dharmic-ops cron-install --home "$H"
FAKE_CRONTAB_FAIL=2 finds cron "cron not installed: crontab -l failed \\(exit 2\\)"

# a tool the configuration needs: email alerts without sendmail
config ', "alert": {"email": "ops@example.org", "sendmail": "/nonexistent/sendmail"}'
finds tools "/nonexistent/sendmail not found: email alerts cannot be sent"
config

# all mended: clean again
clean
expect_rc 0 dharmic-ops stop --home "$H"
expect_rc 2 dharmic-ops troubleshoot extra --home "$H"
echo ok
