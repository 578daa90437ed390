#!/bin/bash
# A small home (14 days of logs) at a fixed "now": exactly the right files
# are compressed, deleted and kept (the expected lists computed here from
# the names and mtimes); every .gz gives back the original bytes, keeps the
# mtime and is 0600; the history log over its limit is cut to its tail;
# rotation.log gets one line per action and a summary. Then again 3 days
# later.
#
# The cut is in place (FALLOC_FL_COLLAPSE_RANGE) only on a filesystem that
# can collapse ranges: the home goes on a loop-mounted ext4 image when this
# test may mount one (root); otherwise wherever $TMPDIR is, and the test
# asserts whichever documented path that filesystem takes (tmpfs, the
# default /tmp of Debian 13 and of most containers: copy-and-truncate).
. "$(dirname "$0")/lib.sh"
export TZ=UTC
NOW=1767268800			# 2026-01-01 12:00:00 UTC
H=$T/home
CUT=any
if command -v mkfs.ext4 >/dev/null && truncate -s 64M "$T/ext4.img" &&
    mkfs.ext4 -q -F -b 4096 "$T/ext4.img" >/dev/null 2>&1 && mkdir "$T/mnt" &&
    mount -o loop "$T/ext4.img" "$T/mnt" 2>/dev/null; then
	trap '_rc=$?; umount "$T/mnt" 2>/dev/null || umount -l "$T/mnt" 2>/dev/null; (exit $_rc); _cleanup' EXIT
	H=$T/mnt/home
	CUT=inplace
else
	echo "note: no loop-mounted ext4 (not root, or no mkfs.ext4): the cut is checked on $(stat -f -c %T "$T")" >&2
fi
L=$H/logs
python3 "$MKHOME" "$H" --scale small --now "$NOW" >/dev/null
printf '{"rotate": {"delete_after": "10d"}}\n' > "$H/ops.json"
# no date in the name: the mtime decides
printf 'undated\n' > "$L/extra_notadate.log"; touch -d "@$((NOW - 5 * 86400))" "$L/extra_notadate.log"
printf 'recent\n' > "$L/other_abcdefgh.log"; touch -d "@$((NOW - 3600))" "$L/other_abcdefgh.log"
printf 'late\n' > "$L/late_yyyyyyyy.log"; touch -d "@$((NOW - 13 * 3600))" "$L/late_yyyyyyyy.log"
# compressed logs of earlier runs, one expired, one not; files of no pattern
printf 'old\n' | gzip > "$L/old_20251201.log.gz"
printf 'young\n' | gzip > "$L/young_20251230.log.gz"
printf 'notes\n' > "$L/notes.txt"; touch -d "@$((NOW - 90 * 86400))" "$L/notes.txt"

# expect NOW: "compress|delete|keep NAME" for every file a daily pattern
# (logs/*_????????.log and its .gz) matches; the policy restated.
expect() {
	python3 - "$L" "$1" <<'PY'
import calendar, datetime, os, re, sys
logs, now = sys.argv[1], int(sys.argv[2])
DAY = 86400
today = now - now % DAY
def name_time(name):
    t = None
    for run in re.findall(r"\d+", name[:-3] if name.endswith(".gz") else name):
        try:
            d = datetime.date(int(run[:4]), int(run[4:6]), int(run[6:]))
        except ValueError:
            continue
        if len(run) == 8 and d.year >= 1970:
            t = calendar.timegm(d.timetuple())
    return t
for name in sorted(os.listdir(logs)):
    if not re.fullmatch(r"[^.][^/]*_[^/]{8}\.log(\.gz)?", name):
        continue
    t = name_time(name)
    if t is None:
        t = int(os.stat(os.path.join(logs, name)).st_mtime)
    if t >= today:
        kind = "keep"
    elif now - t > 10 * DAY:
        kind = "delete"
    elif not name.endswith(".gz") and now - t > DAY:
        kind = "compress"
    else:
        kind = "keep"
    print(kind, name)
PY
}

# snapshot: checksums and mtimes of every file in logs/
snapshot() {
	(cd "$L" && sha256sum -- * > "$T/before.sha" && stat -c '%n %Y' -- * > "$T/before.mtime")
}

# check_run EXPECTFILE: what the run left matches the expectation.
check_run() {
	nc=0 nd=0
	while read -r kind name; do
		case $kind in
		compress)
			nc=$((nc + 1))
			[ ! -e "$L/$name" ] || fail "$name not removed after compression"
			[ -f "$L/$name.gz" ] || fail "$name.gz missing"
			want=$(grep " $name\$" "$T/before.sha" | cut -d' ' -f1)
			got=$(gzip -dc "$L/$name.gz" | sha256sum | cut -d' ' -f1)
			[ "$got" = "$want" ] || fail "$name.gz does not give back the original bytes"
			[ "$(stat -c %a "$L/$name.gz")" = 600 ] || fail "$name.gz not 0600"
			[ "$(stat -c %Y "$L/$name.gz")" = "$(grep "^$name " "$T/before.mtime" | cut -d' ' -f2)" ] ||
				fail "$name.gz lost the mtime"
			;;
		delete)
			nd=$((nd + 1))
			[ ! -e "$L/$name" ] && [ ! -e "$L/$name.gz" ] || fail "$name not deleted"
			;;
		keep)
			[ -f "$L/$name" ] || fail "$name was not kept"
			[ ! -e "$L/$name.gz" ] || [ "${name%.gz}" != "$name" ] || fail "$name compressed"
			grep -q "^$(sha256sum < "$L/$name" | cut -d' ' -f1)  $name\$" "$T/before.sha" ||
				fail "$name changed"
			;;
		esac
	done < "$1"
	# nothing else appeared or vanished
	(cd "$L" && ls) > "$T/after.ls"
	python3 - "$1" "$T/before.sha" "$T/after.ls" <<'PY'
import sys
plan = [l.split() for l in open(sys.argv[1])]
before = {l.split()[1] for l in open(sys.argv[2])}
after = {l.strip() for l in open(sys.argv[3])}
want = set(before)
for kind, name in plan:
    if kind in ("compress", "delete"):
        want.discard(name)
    if kind == "compress":
        want.add(name + ".gz")
want.add("rotation.log")
assert after == want, "unexpected: %s; missing: %s" % (sorted(after - want), sorted(want - after))
PY
}

expect "$NOW" > "$T/expect1"
grep -q '^compress extra_notadate.log$' "$T/expect1" || fail "test setup: undated log"
grep -q '^delete old_20251201.log.gz$' "$T/expect1" || fail "test setup: old .gz"
[ "$(grep -c '^compress ' "$T/expect1")" -ge 20 ] && [ "$(grep -c '^delete ' "$T/expect1")" -ge 10 ] ||
	fail "test setup: expected lists too short: $(cat "$T/expect1")"
snapshot
hist_before=$(tail -n 1000 "$L/health_check.log")
[ "$(wc -l < "$L/health_check.log")" -gt 2000 ] || fail "test setup: health_check.log too short"
alerts_before=$(sha256sum < "$L/alerts.log")

DHARMIC_OPS_NOW=$NOW expect_rc 0 ops-rotate --home "$H"
[ -z "$OUT" ] || fail "not quiet under cron: $OUT"
check_run "$T/expect1"
# the history log: its last 1000 lines, and at most a block more
[ "$(tail -n 1000 "$L/health_check.log")" = "$hist_before" ] || fail "health_check.log lost its tail"
n=$(wc -l < "$L/health_check.log")
[ "$n" -ge 1000 ] && [ "$n" -le 1100 ] || fail "health_check.log has $n lines"
[ "$(sha256sum < "$L/alerts.log")" = "$alerts_before" ] || fail "alerts.log (short) changed"
# rotation.log: one line per action, then the summary
log=$(cat "$L/rotation.log")
[ "$(grep -c '\] \[INFO\] rotation: compressed logs/' <<< "$log")" = "$nc" ] || fail "compress lines: $log"
[ "$(grep -c '\] \[INFO\] rotation: deleted logs/' <<< "$log")" = "$nd" ] || fail "delete lines: $log"
inplace='^\[2026-01-01 12:00:00\] \[INFO\] rotation: cut logs/health_check.log to its last 1000 lines \(removed [0-9.]+ KiB in place\)$'
copy='^\[2026-01-01 12:00:00\] \[WARNING\] rotation: cut logs/health_check.log to its last 1000 lines \(removed [0-9.]+ KiB by copy-and-truncate: this filesystem cannot collapse ranges; about [0-9]+ bytes may have been lost: .*\)$'
case $CUT in
inplace) expect_match "$inplace" "$log" ;;
*)
	# the filesystem decides; tmpfs certainly cannot collapse ranges
	if [ "$(stat -f -c %T "$H")" = tmpfs ]; then
		expect_match "$copy" "$log"
	else
		printf '%s\n' "$log" | grep -Eq -- "$inplace|$copy" ||
			fail "the cut is neither in place nor copy-and-truncate: $log"
	fi
	;;
esac
[ "$(tail -1 "$L/rotation.log")" = "[2026-01-01 12:00:00] [INFO] rotation: compressed $nc logs, deleted $nd, cut 1, cleaned 0, skipped 0, failed 0" ] ||
	fail "summary: $(tail -1 "$L/rotation.log")"

# at once again: nothing left to do
snapshot
DHARMIC_OPS_NOW=$NOW expect_rc 0 ops-rotate --home "$H" -v
expect_match '^rotation: compressed 0 logs, deleted 0, cut 0, cleaned 0, skipped 0, failed 0$' "$OUT"

# three days later, one job at a time: yesterday's logs compressed, the
# .gz that crossed delete_after deleted
NOW2=$((NOW + 3 * 86400))
expect "$NOW2" > "$T/expect2"
grep -q '^delete daemon_20251223.log.gz$' "$T/expect2" || fail "test setup: expect2"
grep -q '^compress daemon_20260101.log$' "$T/expect2" || fail "test setup: expect2"
snapshot
DHARMIC_OPS_NOW=$NOW2 expect_rc 0 ops-rotate --home "$H" -j 1
check_run "$T/expect2"
echo ok
