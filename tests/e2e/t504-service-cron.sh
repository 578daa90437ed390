#!/bin/bash
# cron-install / cron-uninstall against a fake crontab(1): no crontab, user
# entries kept byte for byte, idempotence, a failing `crontab -l`, broken
# markers, '%' escaping, and the installed entries running as cron runs them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
H=$T/home
svc_home "$H"
fake_crontab
TABLE=$T/crontab.table
CALLS=$T/crontab.calls
BEGIN="# BEGIN dharmic-ops $H"
END="# END dharmic-ops $H"
writes() { grep -cx -- - "$CALLS" || true; }

# --print: the block only, the crontab not even read
expect_rc 0 dharmic-ops cron-install --print --home "$H"
[ ! -e "$CALLS" ] || fail "--print ran crontab"
block=$OUT
[ "$(printf '%s\n' "$block" | head -1)" = "$BEGIN" ] || fail "block does not start with BEGIN"
[ "$(printf '%s\n' "$block" | tail -1)" = "$END" ] || fail "block does not end with END"
entries=$(printf '%s\n' "$block" | grep -v '^#' | grep -v '^$')
[ "$(printf '%s\n' "$entries" | wc -l)" = 7 ] || fail "expected 7 entries: $entries"
printf '%s\n' "$entries" | while IFS= read -r e; do
	case "$e" in
	*"DHARMIC_HOME=$H DHARMIC_OPS_ACTOR=cron $OPS_BUILD/"*">> $H/logs/cron.log 2>&1") ;;
	*) fail "entry without absolute paths or cron.log: $e" ;;
	esac
done || exit 1
expect_match "^\*/5 \* \* \* \* .*/ops-health .*/ops-alert run " "$entries"
expect_match "^0 0 \* \* \* .*/ops-rotate " "$entries"
expect_match "^0 2 \* \* \* .*/ops-backup create " "$entries"
expect_match "^0 3 \* \* 0 .*/ops-backup verify " "$entries"
# the crash check every minute the full run does not take
expect_match "^1-4,6-9,[0-9,-]*,56-59 \* \* \* \* .*/ops-alert run --check daemon --check heartbeat --check restarts " "$entries"
expect_match "^\* \* \* \* \* .*/ops-dashboard html " "$entries"
expect_match "^0 9 \* \* 0 .*/dharmic-ops report " "$entries"
expect_no_match "@BINDIR@|@DHARMIC_HOME@|^##" "$block"

# 1. no crontab at all ("no crontab for USER", exit 1): installed alone
expect_rc 0 dharmic-ops cron-install --home "$H"
expect_match "^installed the dharmic-ops schedule" "$OUT"
[ "$(cat "$TABLE")" = "$block" ] || fail "new crontab is not the block"
# 2. twice: nothing changes, nothing written
w=$(writes)
expect_rc 0 dharmic-ops cron-install --home "$H"
expect_match "already in your crontab; nothing changed" "$OUT"
[ "$(writes)" = "$w" ] || fail "second install rewrote the crontab"
# uninstall leaves an empty table
expect_rc 0 dharmic-ops cron-uninstall --home "$H"
[ ! -s "$TABLE" ] || fail "uninstall left: $(cat "$TABLE")"

# 3. a user's table: comments, MAILTO, '%' entries, no final newline
printf '# my jobs\nMAILTO=me@example.org\nSHELL=/bin/bash\n\n0 3 * * * date +%%Y-%%m-%%d >> /tmp/d\n*/10 * * * * echo "a\\%%b"  # trailing' > "$TABLE"
cp "$TABLE" "$T/orig"
expect_rc 0 dharmic-ops cron-install --home "$H"
{ cat "$T/orig"; printf '\n%s\n' "$block"; } > "$T/want"
cmp "$T/want" "$TABLE" || { diff -u "$T/want" "$TABLE"; fail "user table not kept byte for byte"; }
# our block replaced in place, the text after it kept
printf '0 5 * * * after-the-block\n' >> "$TABLE"
cp "$TABLE" "$T/with-after"
expect_rc 0 dharmic-ops cron-install --home "$H"
cmp "$T/with-after" "$TABLE" || fail "reinstall moved or changed something"
# uninstall removes only the block
expect_rc 0 dharmic-ops cron-uninstall --home "$H"
expect_match "^removed the dharmic-ops schedule" "$OUT"
{ cat "$T/orig"; printf '\n0 5 * * * after-the-block\n'; } > "$T/want"
cmp "$T/want" "$TABLE" || { diff -u "$T/want" "$TABLE"; fail "uninstall touched user lines"; }
w=$(writes)
expect_rc 0 dharmic-ops cron-uninstall --home "$H"
expect_match "no dharmic-ops schedule in your crontab; nothing changed" "$OUT"
[ "$(writes)" = "$w" ] || fail "uninstall without a block wrote the crontab"

# 4. `crontab -l` failing for any other reason: refused, never clobbered
cp "$TABLE" "$T/before"
w=$(writes)
for code in 1 2 126; do
	FAKE_CRONTAB_FAIL=$code expect_rc 1 dharmic-ops cron-install --home "$H"
	expect_match "crontab -l failed \(exit $code\): crontab: cannot open your crontab: Permission denied; not touching" "$ERR"
	FAKE_CRONTAB_FAIL=$code expect_rc 1 dharmic-ops cron-uninstall --home "$H"
done
cmp "$T/before" "$TABLE" || fail "a failing crontab -l led to a rewrite"
[ "$(writes)" = "$w" ] || fail "a failing crontab -l led to crontab -"

# 5. a BEGIN without END (or END alone, or two blocks): refused, untouched
for broken in "x\n$BEGIN\n* * * * * mine\n" "$END\nx\n" "$BEGIN\n$END\n$BEGIN\n$END\n"; do
	printf "$broken" > "$TABLE"
	cp "$TABLE" "$T/before"
	expect_rc 1 dharmic-ops cron-install --home "$H"
	expect_match "fix it by hand" "$ERR"
	expect_rc 1 dharmic-ops cron-uninstall --home "$H"
	cmp "$T/before" "$TABLE" || fail "broken markers: crontab changed"
done
[ "$(writes)" = "$w" ] || fail "broken markers led to crontab -"

# 6. an awkward home: spaces, a quote and '%' (cron's newline); the
# entries, run the way cron runs them, still work
H2="$T/agent home's 100%"
svc_home "$H2"
rm -f "$TABLE"
expect_rc 0 dharmic-ops cron-install --home "$H2"
expect_match "\\\\%" "$(cat "$TABLE")"
line=$(grep 'ops-health' "$TABLE")
# cron: the first five fields are the schedule, '\%' becomes '%', an
# unescaped '%' would end the command
cmd=$(printf '%s\n' "$line" | sed -E 's/^([^ ]+ +){5}//')
case "$(printf '%s' "$cmd" | sed 's/\\%//g')" in *%*) fail "unescaped % in: $line" ;; esac
cmd=$(printf '%s' "$cmd" | sed 's/\\%/%/g')
: > "$H2/logs/cron.log"
: > "$H2/logs/health_check.log"
sh -c "$cmd" || true
# the verdict is one line in health_check.log; cron.log gets no report
grep -q '\] health: ' "$H2/logs/health_check.log" ||
	fail "health entry did not run: $(cat "$H2/logs/health_check.log")"
grep -q 'DHARMIC-OPS' "$H2/logs/cron.log" && fail "the health report was appended to cron.log"
sqlite3 "$H2/.ops/state.db" 'select count(*) from runs' | grep -qx 1 || fail "health entry ran on another home"

# 7. no crontab program at all (PATH holds nothing: a real crontab must
# never be reached from a test)
rm "$T/bin/crontab"
expect_rc 1 env PATH="$T/bin" "$OPS_BUILD/dharmic-ops" cron-install --home "$H"
expect_match "crontab not found" "$ERR"
echo ok
