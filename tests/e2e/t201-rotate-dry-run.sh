#!/bin/bash
# --dry-run changes nothing anywhere in the home (not even .ops/) and
# prints every action the real run then takes, through ops-rotate and
# through `dharmic-ops rotate-logs`.
. "$(dirname "$0")/lib.sh"
export TZ=UTC
NOW=1767268800
H=$T/home
python3 "$MKHOME" "$H" --scale small --now "$NOW" >/dev/null
printf '{"rotate": {"delete_after": "10d"}}\n' > "$H/ops.json"
printf 'x\n' > "$T/outside.log"
ln -s "$T/outside.log" "$H/logs/link_20251201.log"
: > "$H/logs/email_20251225.log.gz.tmp.Ab12Cd"

snap() {
	(cd "$1" && find . -printf '%p %y %s %T@ %m %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort)
}
snap "$H" > "$T/before"
cp -a "$H" "$T/copy"
export DHARMIC_OPS_NOW=$NOW
expect_rc 0 ops-rotate --home "$H" --dry-run
dry=$OUT
snap "$H" > "$T/after"
diff -u "$T/before" "$T/after" >&2 || fail "--dry-run changed the home"
[ ! -e "$H/.ops" ] || fail "--dry-run created .ops"
expect_match '^would compress logs/daemon_20251231\.log \([0-9.]+ KiB\)$' "$dry"
expect_match '^would delete logs/daemon_20251218\.log \([0-9.]+ KiB, older than 10d\)$' "$dry"
expect_match '^would cut logs/health_check\.log to its last 1000 lines \([0-9.]+ KiB, over the history limit\)$' "$dry"
expect_match '^would remove logs/email_20251225\.log\.gz\.tmp\.Ab12Cd \(left by an interrupted run\)$' "$dry"
expect_match '^skipped logs/link_20251201\.log: a symlink \(never followed\)$' "$dry"
expect_match '^dry run: would have compressed 27 logs, deleted 15, cut 1, cleaned 1, skipped 1, failed 0$' "$dry"

# the multiplexer's alias says the same
expect_rc 0 dharmic-ops rotate-logs --home "$H" --dry-run
[ "$OUT" = "$dry" ] || fail "dharmic-ops rotate-logs differs"

# the real run on the copy does exactly what was announced
expect_rc 0 ops-rotate --home "$T/copy" -v
norm() {
	sed -E -e 's/^would //' -e 's/^(compress|delete|cut|remove)(ed|d)? /\1 /' \
		-e 's/^(cut [^ ]+ to its last [0-9]+ lines).*/\1/' -e 's/ \(.*\)$//' |
		grep -Ev '^(dry run|rotation):' | sort
}
diff -u <(printf '%s\n' "$dry" | norm) <(printf '%s\n' "$OUT" | norm) >&2 ||
	fail "the run did not do what the dry run announced"
echo ok
