#!/bin/bash
# A truncated or garbage state database is set aside and replaced; what
# was sent before is lost, so the run sends at most one alert naming
# everything active, and the runs after it nothing new.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
now=$(date +%s)
for how in truncated garbage empty-wal; do
	H=$T/home-$how
	mkhome "$H"
	alert_config "$H"	# dead PID and no backup: two types fire
	: > "$REC"
	expect_rc 0 alert_at "$now" --home "$H"
	[ "$(deliveries)" = 2 ] || fail "$how: first run delivered $(deliveries)"
	db=$H/.ops/state.db
	case $how in
	truncated)
		sqlite3 "$db" 'pragma wal_checkpoint(truncate)' >/dev/null
		truncate -s 100 "$db" ;;
	garbage)
		head -c 40000 /dev/urandom > "$db" ;;
	empty-wal)
		printf 'SQLite format 3\000garbage' > "$db"
		head -c 5000 /dev/urandom > "$db-wal" ;;
	esac
	expect_rc 0 alert_at $((now + 60)) --home "$H"
	expect_match "unreadable state database moved to '.*state\.db\.corrupt-" "$ERR"
	ls "$H/.ops/" | grep -q '^state\.db\.corrupt-' || fail "$how: nothing set aside"
	# exactly one: not a storm, and not silence either
	n=$(deliveries)
	[ "$n" = 3 ] || fail "$how: the recovered run sent $((n - 2)) alerts, expected 1"
	expect_match '^ENV daemon_critical\|CRITICAL\|.*the alert state was unreadable and was reset; also active: backup_stale' \
		"$(grep '^ENV ' "$REC" | tail -1)"
	for i in 2 3 4 5; do
		expect_rc 0 alert_at $((now + i * 60)) --home "$H"
	done
	[ "$(deliveries)" = "$n" ] || fail "$how: runs after the recovery sent more"
	sqlite3 "$db" 'pragma integrity_check' | grep -qx ok || fail "$how: new state.db not ok"
done
echo ok
