#!/bin/bash
# The shipped cron order runs ops-health before ops-alert. When ops-health
# is the one that finds the state database unreadable and replaces it,
# ops-alert must still know the alert state was lost: one notice naming
# everything active (not one per active type), and nothing new after it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
now=$(date +%s)
# cron's pair: ops-health (its report to /dev/null), then ops-alert run
cron_pair() {
	DHARMIC_OPS_NOW=$1 ops-health --home "$H" > /dev/null 2>> "$T/cron.err" || true
	alert_at "$1" run --home "$H"
}
for how in truncated garbage; do
	H=$T/home-$how
	mkhome "$H"
	alert_config "$H"	# dead PID and no backup: two types fire
	: > "$REC"
	expect_rc 0 cron_pair "$now"
	[ "$(deliveries)" = 2 ] || fail "$how: first run delivered $(deliveries)"
	db=$H/.ops/state.db
	sqlite3 "$db" 'pragma wal_checkpoint(truncate)' >/dev/null
	rm -f "$db-wal" "$db-shm"
	case $how in
	truncated)
		truncate -s 100 "$db" ;;
	garbage)
		head -c 40000 /dev/urandom > "$db" ;;
	esac
	expect_rc 0 cron_pair $((now + 300))
	ls "$H/.ops/" | grep -q '^state\.db\.corrupt-' || fail "$how: nothing set aside"
	n=$(deliveries)
	[ "$n" = 3 ] || fail "$how: the recovered run sent $((n - 2)) alerts, expected 1"
	expect_match '^ENV daemon_critical\|CRITICAL\|.*the alert state was unreadable and was reset; also active: backup_stale' \
		"$(grep '^ENV ' "$REC" | tail -1)"
	for i in 2 3 4; do
		expect_rc 0 cron_pair $((now + i * 300))
	done
	[ "$(deliveries)" = "$n" ] || fail "$how: runs after the recovery sent more"
done
echo ok
