#!/bin/bash
# logs KIND [-n N] [-f]: the newest daily file, the history logs, and
# following across the midnight switch to the next day's file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
H=$T/home
svc_home "$H"
L=$H/logs

# the newest daily file, last N lines (default 50)
newest=$(ls "$L"/daemon_????????.log | sort | tail -1)
expect_rc 0 dharmic-ops logs daemon -n 3 --home "$H"
[ "$OUT" = "$(tail -n 3 "$newest")" ] || fail "logs daemon -n 3 is not the tail of $newest"
expect_rc 0 dharmic-ops logs email --home "$H"
[ "$OUT" = "$(tail -n 50 "$(ls "$L"/email_????????.log | sort | tail -1)")" ] || fail "default is not 50 lines"
expect_rc 0 dharmic-ops logs runtime -n 0 --home "$H"
[ -z "$OUT" ] || fail "-n 0 printed lines"
# compressed and odd names are not daily files
: > "$L/daemon_29991231.log.gz"
: > "$L/daemon_2999XXXX.log"
expect_rc 0 dharmic-ops logs daemon -n 1 --home "$H"
[ "$OUT" = "$(tail -n 1 "$newest")" ] || fail "a non-daily file was taken for the newest"
# history logs
for kind in alerts:alerts health:health_check backup:backup rotation:rotation \
    restart:restart cron:cron; do
	expect_rc 0 dharmic-ops logs "${kind%%:*}" -n 2 --home "$H"
	[ "$OUT" = "$(tail -n 2 "$L/${kind#*:}.log")" ] || fail "logs ${kind%%:*}"
done
# a long line and a file without a final newline
head -c 300000 /dev/zero | tr '\0' x > "$L/cron.log"
printf '\nlast line without newline' >> "$L/cron.log"
expect_rc 0 dharmic-ops logs cron -n 2 --home "$H"
[ "$OUT" = "$(tail -n 2 "$L/cron.log")" ] || fail "long lines cut"
# usage and missing files
expect_rc 2 dharmic-ops logs nosuch --home "$H"
expect_match "unknown log 'nosuch'" "$ERR"
expect_rc 2 dharmic-ops logs --home "$H"
expect_rc 2 dharmic-ops logs daemon -n -3 --home "$H"
rm "$L"/runtime_*.log
expect_rc 1 dharmic-ops logs runtime --home "$H"
expect_match "no runtime log yet" "$ERR"

# -f follows today's file, drains it, then moves to the next day's file
today=$L/daemon_30000101.log
tomorrow=$L/daemon_30000102.log
printf 'day1 line1\nday1 line2\n' > "$today"
timeout 10 dharmic-ops logs daemon -f -n 1 --home "$H" > "$T/follow" 2>&1 &
fpid=$!
_pids="$_pids $fpid"
wait_for() {	# wait_for TEXT: until the follower printed TEXT
	for _ in $(seq 100); do
		grep -qx -- "$1" "$T/follow" && return 0
		sleep 0.05
	done
	fail "follower did not print '$1'; it printed: $(cat "$T/follow")"
}
wait_for "day1 line2"
echo "day1 line3" >> "$today"
wait_for "day1 line3"
# the last line of the old day lands just before the new file appears
echo "day1 late" >> "$today"
printf 'day2 line1\n' > "$tomorrow"
wait_for "day2 line1"
echo "day2 line2" >> "$tomorrow"
wait_for "day2 line2"
echo "day1 after switch" >> "$today"
sleep 0.6
kill "$fpid"
wait "$fpid" 2>/dev/null || true
printf 'day1 line2\nday1 line3\nday1 late\nday2 line1\nday2 line2\n' > "$T/want"
diff -u "$T/want" "$T/follow" || fail "follow output differs"

# -f on a history log that rotation replaces (rename over it)
printf 'old\n' > "$L/alerts.log"
timeout 10 dharmic-ops logs alerts -f -n 5 --home "$H" > "$T/follow" 2>&1 &
fpid=$!
_pids="$_pids $fpid"
wait_for "old"
printf 'kept\nnew alert\n' > "$L/alerts.log.tmp"
mv "$L/alerts.log.tmp" "$L/alerts.log"
wait_for "new alert"
kill "$fpid"
wait "$fpid" 2>/dev/null || true
printf 'old\nkept\nnew alert\n' > "$T/want"
diff -u "$T/want" "$T/follow" || fail "follow across a replaced history log differs"
echo ok
