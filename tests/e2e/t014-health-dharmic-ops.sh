#!/bin/bash
# dharmic-ops: 'health' runs ops-health with the remaining arguments and
# passes its exit code through unchanged (0, 1, 2, 3); help lists the
# verbs; an unknown verb is exit 2 with the usage on stderr; version.
. "$(dirname "$0")/lib.sh"
H=$T/home
# the agent writes its status twice, then never again: removing the file
# below must not race with its next tick (a slow, instrumented run lost)
healthy_home "$H" --stop-heartbeat-after 1
wait_for 10 test -s "$H/logs/daemon_status.json"
sleep 0.5

expect_rc 0 dharmic-ops health --home "$H" --no-record
expect_match '^DHARMIC-OPS OK - 10/10 checks ok' "$(first_line)"
rm "$H/logs/daemon_status.json"
expect_rc 1 dharmic-ops health --home "$H" --no-record
expect_match '^DHARMIC-OPS WARNING - heartbeat: status file missing' "$(first_line)"
echo garbage > "$H/logs/daemon.pid"
expect_rc 2 dharmic-ops health --home "$H" --no-record
expect_match '^DHARMIC-OPS CRITICAL - daemon: not running: PID file holds garbage' "$(first_line)"
expect_rc 3 dharmic-ops health --home "$H" --no-record --check nosuch
expect_match "^DHARMIC-OPS UNKNOWN - no check named 'nosuch'" "$OUT"
# arguments reach ops-health untouched, --json included
expect_rc 2 dharmic-ops health --home "$H" --no-record --check daemon --json
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["code"]==2 and [c["name"] for c in d["checks"]]==["daemon"], d' ||
	fail "dharmic-ops health --json: $OUT"
# found next to dharmic-ops, whatever PATH says
PATH=/usr/bin:/bin expect_rc 2 "$OPS_BUILD/dharmic-ops" health --home "$H" --no-record --check daemon
expect_rc 0 dharmic-ops health --help
expect_match '^usage: ops-health ' "$OUT"

# help and version
for h in help --help -h; do
	expect_rc 0 dharmic-ops "$h"
	expect_match '^usage: dharmic-ops VERB \[ARGS\]' "$OUT"
	expect_match '^  health +check the agent' "$OUT"
	expect_match '^  help +' "$OUT"
	expect_match '^  version +' "$OUT"
	[ -z "$ERR" ] || fail "help wrote to stderr: $ERR"
done
for v in version --version -V; do
	expect_rc 0 dharmic-ops "$v"
	expect_match '^dharmic-ops [0-9]+\.[0-9]+\.[0-9]+$' "$OUT"
done
[ "$OUT" = "dharmic-ops $(ops-health --version | cut -d' ' -f2)" ] || fail "versions differ"

# unknown verbs, and no verb: exit 2, usage on stderr, nothing on stdout
for verb in frobnicate ../ops-health ops-health HEALTH ''; do
	expect_rc 2 dharmic-ops "$verb"
	[ -z "$OUT" ] || fail "'$verb' wrote to stdout: $OUT"
	expect_match "^dharmic-ops: unknown verb '$(printf '%s' "$verb" | sed 's/[.]/\\./g')'\$" "$ERR"
	expect_match '^usage: dharmic-ops VERB' "$ERR"
done
expect_rc 2 dharmic-ops
[ -z "$OUT" ] || fail "no verb wrote to stdout"
expect_match '^usage: dharmic-ops VERB' "$ERR"
echo ok
