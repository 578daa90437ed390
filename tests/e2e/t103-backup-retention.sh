#!/bin/bash
# Retention on 400 backups spanning two years, at a fixed "now", against a
# table of survivors computed here independently (python3). Files the tool
# did not name, symlinks and directories are never touched.
. "$(dirname "$0")/lib.sh"
export TZ=UTC
H=$T/home
mkhome "$H"
D=$H/backups/memory
NOW=1781524800	# 2026-06-15 12:00:00 UTC
export DHARMIC_OPS_NOW=$NOW
python3 - "$D" "$NOW" "$T/expected" <<'PY'
import datetime as dt, os, random, sys
d, now, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(42)
names = set()
while len(names) < 400:
    t = now - rng.randrange(0, 2 * 366 * 86400)
    ext = rng.choice([".tar.zst", ".tar.zst", ".tar.gz", ".tar"])
    names.add(dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y%m%d_%H%M%S") + ext)
# a few on the band edges
for age in (7 * 86400, 7 * 86400 - 1, 30 * 86400, 365 * 86400, 365 * 86400 - 1):
    names.add(dt.datetime.fromtimestamp(now - age, dt.timezone.utc).strftime("%Y%m%d_%H%M%S") + ".tar.zst")
names = sorted(names)
for n in names:
    open(os.path.join(d, n), "w").close()
# `latest` names an old one, which must survive
old = [n for n in names if now - dt.datetime.strptime(n[:15], "%Y%m%d_%H%M%S").replace(
    tzinfo=dt.timezone.utc).timestamp() > 400 * 86400]
latest = old[len(old) // 2]
with open(os.path.join(d, "latest"), "w") as f:
    f.write(os.path.join(d, latest) + "\n")

def when(n):
    return dt.datetime.strptime(n[:15], "%Y%m%d_%H%M%S").replace(tzinfo=dt.timezone.utc)

order = sorted(names, key=lambda n: (when(n).timestamp(), n), reverse=True)
seen_week, seen_month, table = set(), set(), []
for i, n in enumerate(order):
    w = when(n)
    age = now - w.timestamp()
    if age < 7 * 86400:
        band, key = "all", None
    elif age < 30 * 86400:
        band, key = "week", w.isocalendar()[:2]
    elif age < 365 * 86400:
        band, key = "month", (w.year, w.month)
    else:
        band, key = "old", None
    first = False
    if band == "week" and key not in seen_week:
        seen_week.add(key); first = True
    if band == "month" and key not in seen_month:
        seen_month.add(key); first = True
    keep = i == 0 or n == latest or band == "all" or first
    table.append("%s %s" % (n, "keep" if keep else "delete"))
open(out, "w").write("\n".join(sorted(table)) + "\n")
kept = sum(1 for l in table if l.endswith("keep"))
assert 20 < kept < 40, kept	# a sanity check of the table itself
PY
# what the tool must leave alone
echo keep > "$T/outside"
ln -s "$T/outside" "$D/20240101_000000.tar.zst"
mkdir "$D/20240102_000000.tar.zst"
touch "$D/notes.txt" "$D/20240103_000000.tar.zst.part" "$D/2024-01-04.tar.zst" "$D/20240230_000000.tar.zst"
before=$(ls "$D" | wc -l)

expect_rc 0 ops-backup --home "$H" prune --dry-run
[ "$(ls "$D" | wc -l)" = "$before" ] || fail "dry run deleted something"
[ "$(printf '%s\n' "$OUT" | wc -l)" = 405 ] || fail "dry run should list 405 backups, listed $(printf '%s\n' "$OUT" | wc -l)"
printf '%s\n' "$OUT" | awk '{print $1, $2}' | sort > "$T/got"
diff -u "$T/expected" "$T/got" || fail "dry run disagrees with the expected table"
# each line says the rule
expect_match '^[0-9_]+\.tar(\.zst|\.gz)? +keep +newest: ' "$(printf '%s\n' "$OUT" | head -1)"
expect_match ' keep +latest: ' "$OUT"
expect_match ' keep +keep_all: younger than 7d' "$OUT"
expect_match ' keep +keep_weekly: newest of week 2026-W[0-9]{2}' "$OUT"
expect_match ' keep +keep_monthly: newest of month 2026-0[1-5]' "$OUT"
expect_match ' delete +keep_weekly: a newer backup of week ' "$OUT"
expect_match ' delete +keep_monthly: a newer backup of month ' "$OUT"
expect_match ' delete +older than keep_monthly \(365d\)' "$OUT"

expect_rc 0 ops-backup --home "$H" prune
grep ' keep$' "$T/expected" | awk '{print $1}' > "$T/want_left"
ls "$D" | grep -E '^[0-9]{8}_[0-9]{6}\.tar' | grep -v '^2024010[1-3]_\|^20240230' | sort > "$T/left"
diff -u "$T/want_left" "$T/left" || fail "survivors differ from the expected table"
[ -L "$D/20240101_000000.tar.zst" ] && [ "$(cat "$T/outside")" = keep ] || fail "symlink touched"
[ -d "$D/20240102_000000.tar.zst" ] || fail "directory touched"
for f in notes.txt 20240103_000000.tar.zst.part 2024-01-04.tar.zst 20240230_000000.tar.zst latest; do
	[ -e "$D/$f" ] || fail "$f was deleted"
done
expect_match '\[INFO\] pruned [0-9_]+\.tar' "$(tail -1 "$H/logs/backup.log")"
# a second prune has nothing left to do
expect_rc 0 ops-backup --home "$H" -v prune
expect_no_match ' deleted ' "$OUT"

# create applies retention too: a backup at a later "now" prunes by it
export DHARMIC_OPS_NOW=$((NOW + 40 * 86400))
expect_rc 0 ops-backup --home "$H" -v
expect_match "pruned\)$" "$OUT"
n=$(printf '%s\n' "$OUT" | sed -n 's/.*; \([0-9]*\) pruned)$/\1/p')
[ "$n" -gt 0 ] || fail "create pruned nothing 40 days later: $OUT"
expect_match '^backup complete: backups/memory/20260725_120000\.tar\.zst' "$OUT"
echo ok
