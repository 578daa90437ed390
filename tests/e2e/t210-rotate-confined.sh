#!/bin/bash
# Paths are confined to the home (ops_confine): a symlinked logs/
# directory is never followed (its old logs outside the home are not
# deleted, compressed or cut: each is reported as skipped), and an
# absolute or '..' pattern in rotate.* (or a pid_file outside the home) is
# refused when the configuration is loaded, naming the key.
. "$(dirname "$0")/lib.sh"
export TZ=UTC
NOW=1767268800
H=$T/home
mkhome "$H" --now "$NOW"
O=$T/outside
mkdir "$O"
echo secret > "$O/old_20251001.log"
echo secret > "$O/mid_20251230.log"
seq 1 5000 | sed 's/^/[2025-12-01 00:00:00] [OK] health /' > "$O/health_check.log"
touch -d "@$((NOW - 60 * 86400))" "$O"/*
mv "$H/logs" "$H/logs.real"
ln -s "$O" "$H/logs"
snap() { (cd "$O" && find . -printf '%p %s %T@ %m\n' | sort && sha256sum ./*); }
snap > "$T/before"
export DHARMIC_OPS_NOW=$NOW
expect_rc 0 ops-rotate --home "$H" --dry-run
expect_match 'skipped logs/old_20251001.log: under a symlinked directory' "$OUT"
# rotation.log is not written through the link either: that is the error
expect_rc 1 ops-rotate --home "$H" -v
expect_match "'logs/rotation.log': 'logs' is a symlink" "$ERR"
expect_match 'skipped logs/old_20251001.log: under a symlinked directory' "$OUT"
expect_match 'skipped logs/health_check.log: under a symlinked directory' "$OUT"
snap > "$T/after"
diff -u "$T/before" "$T/after" || fail "ops-rotate changed files outside the home"
rm "$H/logs"
mv "$H/logs.real" "$H/logs"

# patterns and paths leaving the home: refused at load, key named
for cfg in '"rotate": {"daily_logs": ["/etc/*.log"]}' \
	'"rotate": {"daily_logs": ["logs/../../*.log"]}' \
	'"rotate": {"history_logs": ["../outside/health_check.log"]}'; do
	write_config "$H" "$cfg"
	expect_rc 2 ops-rotate --home "$H" --dry-run
	expect_match "'rotate\\.(daily|history)_logs'" "$ERR"
done
printf '{"daemon": {"match": "agent-sim", "pid_file": "%s/victim.pid"}}\n' "$O" > "$H/ops.json"
echo keep > "$O/victim.pid"
expect_rc 2 dharmic-ops stop --home "$H"
expect_match "'daemon\\.pid_file'.*absolute" "$ERR"
[ "$(cat "$O/victim.pid")" = keep ] || fail "a pid_file outside the home was touched"
echo ok
