#!/bin/bash
# One run at a time: while another holds .ops/rotate.lock a run exits 75
# and touches nothing (a dry run still answers); bad usage and bad config
# exit 2; --help and --version exit 0; a home without logs/ is no error.
. "$(dirname "$0")/lib.sh"
export TZ=UTC
NOW=1767268800
H=$T/home
mkhome "$H" --now "$NOW"
export DHARMIC_OPS_NOW=$NOW
mkdir -p -m 700 "$H/.ops"
# this shell holds the lock, as a first run would (flock(2) on the file)
exec 9>"$H/.ops/rotate.lock"
flock -n 9 || fail "test setup: cannot take the lock"
before=$(cd "$H/logs" && ls -l --time-style=+%s)
expect_rc 75 ops-rotate --home "$H"
expect_match "^ops-rotate: another run holds '\.ops/rotate\.lock'$" "$ERR"
[ "$(cd "$H/logs" && ls -l --time-style=+%s)" = "$before" ] || fail "a locked-out run changed logs/"
expect_rc 0 ops-rotate --home "$H" --dry-run
expect_match '^would compress logs/daemon_' "$OUT"
expect_rc 75 dharmic-ops rotate --home "$H"
exec 9>&-
expect_rc 0 ops-rotate --home "$H"
ls "$H/logs" | grep -q '^daemon_.*\.log\.gz$' || fail "nothing compressed once the lock was free"

# a home without logs/: nothing to do, quietly
mkdir "$T/empty"
expect_rc 0 ops-rotate --home "$T/empty"
[ -z "$OUT$ERR" ] || fail "an empty home is not quiet: $OUT$ERR"

# usage and configuration errors: 2
expect_rc 2 ops-rotate --home "$H" -j 0
expect_match "invalid job count '0'" "$ERR"
expect_rc 2 ops-rotate --home "$H" -j many
expect_rc 2 ops-rotate --home "$H" --bogus
expect_rc 2 ops-rotate --home "$H" extra
expect_rc 2 ops-rotate --home "$T/nonexistent"
printf '{"rotate": {"keep_lines": 0}}\n' > "$T/bad.json"
expect_rc 2 ops-rotate --home "$H" --config "$T/bad.json"
expect_match 'rotate\.keep_lines must be at least 1' "$ERR"
printf '{"rotate": {"max_size": "lots"}}\n' > "$T/bad.json"
expect_rc 2 ops-rotate --home "$H" --config "$T/bad.json"
expect_match 'max_size' "$ERR"
expect_rc 0 ops-rotate --help
expect_match '^usage: ops-rotate ' "$OUT"
expect_rc 0 ops-rotate --version
expect_match '^ops-rotate [0-9]+\.[0-9]+\.[0-9]+$' "$OUT"
echo ok
