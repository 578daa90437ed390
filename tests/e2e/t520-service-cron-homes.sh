#!/bin/bash
# Many homes under one user: each home's cron-install adds its own block
# (the markers name the home) and leaves the other's alone; a block from
# before the markers named the home is migrated by that home's next
# cron-install; cron-uninstall removes only its home's; troubleshoot lists
# the homes that have a schedule.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
A=$T/a
B=$T/b
svc_home "$A"
svc_home "$B"
fake_crontab
TABLE=$T/crontab.table
count() { grep -c "^# BEGIN dharmic-ops" "$TABLE" || true; }

expect_rc 0 dharmic-ops cron-install --home "$A"
expect_rc 0 dharmic-ops cron-install --home "$B"
[ "$(count)" = 2 ] || fail "expected two blocks: $(cat "$TABLE")"
grep -qx "# BEGIN dharmic-ops $A" "$TABLE" || fail "no block for A"
grep -qx "# END dharmic-ops $B" "$TABLE" || fail "no block for B"
[ "$(grep -c "DHARMIC_HOME=$A " "$TABLE")" = 7 ] || fail "A's entries"
[ "$(grep -c "DHARMIC_HOME=$B " "$TABLE")" = 7 ] || fail "B's entries"
# again for A: nothing changes
cp "$TABLE" "$T/before"
expect_rc 0 dharmic-ops cron-install --home "$A"
expect_match "nothing changed" "$OUT"
cmp -s "$T/before" "$TABLE" || fail "A's second install changed the table"
# --print for each shows its own block
expect_rc 0 dharmic-ops cron-install --print --home "$B"
[ "$(printf '%s\n' "$OUT" | head -1)" = "# BEGIN dharmic-ops $B" ] || fail "B's print"

# troubleshoot names both homes
set +e
dharmic-ops troubleshoot --home "$A" > "$T/trouble" 2>&1
set -e
grep -q "dharmic-ops schedule for 2 homes: $A, $B" "$T/trouble" ||
	fail "troubleshoot: $(grep -i cron "$T/trouble")"

# uninstall A: B's block stays
expect_rc 0 dharmic-ops cron-uninstall --home "$A"
[ "$(count)" = 1 ] || fail "uninstall A: $(cat "$TABLE")"
grep -qx "# BEGIN dharmic-ops $B" "$TABLE" || fail "B's block gone"

# A block with bare markers (written before) for A: migrated in place
{
	printf '# mine\n# BEGIN dharmic-ops\n'
	printf '*/5 * * * * DHARMIC_HOME=%s /old/ops-health\n' "$A"
	printf '# END dharmic-ops\n0 1 * * * after\n'
	cat "$TABLE"
} > "$T/t" && mv "$T/t" "$TABLE"
expect_rc 0 dharmic-ops cron-install --home "$A"
grep -q '^# BEGIN dharmic-ops$' "$TABLE" && fail "the bare block was not migrated"
grep -q '/old/ops-health' "$TABLE" && fail "the old entries are left"
[ "$(count)" = 2 ] || fail "after migration: $(cat "$TABLE")"
[ "$(sed -n 2p "$TABLE")" = "# BEGIN dharmic-ops $A" ] || fail "not migrated in place"
grep -qx '0 1 \* \* \* after' "$TABLE" || fail "the user's entry lost"
grep -qx '# mine' "$TABLE" || fail "the user's comment lost"
echo ok
