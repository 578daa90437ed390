#!/bin/bash
# A truncated or garbage state database, or one with a damaged table page
# that SQLite only finds when it reads it, is set aside and replaced; what
# was sent before is lost, so the run sends one alert naming everything
# active (not a storm, not silence), and the runs after it nothing new.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
now=$(date +%s)
for how in truncated garbage bad-wal damaged-page; do
	H=$T/home-$how
	mkhome "$H"
	alert_config "$H"	# dead PID and no backup: two types fire
	: > "$REC"
	expect_rc 0 alert_at "$now" --home "$H"
	[ "$(deliveries)" = 2 ] || fail "$how: first run delivered $(deliveries)"
	db=$H/.ops/state.db
	sqlite3 "$db" 'pragma wal_checkpoint(truncate)' >/dev/null
	rm -f "$db-wal" "$db-shm"
	case $how in
	truncated)
		truncate -s 100 "$db" ;;
	garbage)
		head -c 40000 /dev/urandom > "$db" ;;
	bad-wal)
		printf 'SQLite format 3\000garbage' > "$db"
		head -c 5000 /dev/urandom > "$db-wal" ;;
	damaged-page)
		page=$(sqlite3 "$db" "select rootpage from sqlite_master where name='alert_state'")
		size=$(sqlite3 "$db" 'pragma page_size')
		head -c "$size" /dev/urandom |
			dd of="$db" bs="$size" seek=$((page - 1)) conv=notrunc status=none ;;
	esac
	expect_rc 0 alert_at $((now + 60)) --home "$H"
	expect_match "unreadable state database moved to '.*state\.db\.corrupt-" "$ERR"
	if [ "$how" = damaged-page ]; then	# found while reading, not at open
		expect_match 'state database: unable to .*malformed' "$ERR"
	fi
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
