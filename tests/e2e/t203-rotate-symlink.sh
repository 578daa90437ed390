#!/bin/bash
# Symlinked logs pointing outside logs/ (a daily log, an expired .gz, a
# history log) are never followed, changed or deleted: the links stay, the
# targets are untouched; the regular logs around them are still rotated.
. "$(dirname "$0")/lib.sh"
export TZ=UTC
NOW=1767268800
H=$T/home
mkhome "$H" --now "$NOW"
O=$T/outside
mkdir "$O"
seq 1 5000 | sed 's/^/secret line /' > "$O/secret.log"
gzip -c "$O/secret.log" > "$O/secret.log.gz"
seq 1 5000 | sed 's/^/[2025-12-01 00:00:00] [OK] health /' > "$O/hist.log"
touch -d "@$((NOW - 60 * 86400))" "$O"/*
ln -s "$O/secret.log" "$H/logs/link_20251201.log"		# would be deleted
ln -s "$O/secret.log" "$H/logs/link_20251230.log"		# would be compressed
ln -s "$O/secret.log.gz" "$H/logs/link_20251101.log.gz"	# would be deleted
rm "$H/logs/health_check.log"
ln -s "$O/hist.log" "$H/logs/health_check.log"			# would be cut
ln -s "$O/secret.log" "$H/logs/today_$(date -u -d "@$NOW" +%Y%m%d).log"	# over max_size? no: kept
snap() {
	(cd "$O" && find . -printf '%p %s %T@ %m\n' | sort && sha256sum ./*)
	(cd "$H/logs" && find . -type l -printf '%p -> %l\n' | sort)
}
snap > "$T/before"
export DHARMIC_OPS_NOW=$NOW
expect_rc 0 ops-rotate --home "$H" --dry-run
for l in link_20251201.log link_20251230.log link_20251101.log.gz health_check.log; do
	expect_match "^skipped logs/$l: a symlink \(never followed\)$" "$OUT"
done
expect_no_match 'would (compress|delete|cut) logs/(link_|health_check)' "$OUT"
expect_rc 0 ops-rotate --home "$H" -v
expect_match '^skipped logs/link_20251230\.log: a symlink' "$OUT"
snap > "$T/after"
diff -u "$T/before" "$T/after" >&2 || fail "a symlink or its target changed"
for l in link_20251201.log link_20251230.log; do
	[ ! -e "$H/logs/$l.gz" ] || fail "a .gz was made through the symlink $l"
done
[ -L "$H/logs/link_20251101.log.gz" ] || fail "the symlinked .gz was deleted"
[ -f "$H/logs/daemon_20251231.log.gz" ] || fail "the regular logs were not rotated"
grep -q 'link_\|health_check' "$H/logs/rotation.log" && fail "rotation.log mentions a symlink"
echo ok
