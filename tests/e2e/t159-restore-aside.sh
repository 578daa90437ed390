#!/bin/bash
# memory.pre-restore.* copies are bounded (restore.keep_aside, 7d): a
# restore prunes the old ones when it ends, ops-rotate on its run; the
# newest and the one the restore journal names always stay; a symlink with
# a copy's name (pointing out of the home) and other names are never
# touched; dharmic-ops status and troubleshoot list them.
. "$(dirname "$0")/lib.sh"
mkdir "$T/home"
H=$(realpath -e "$T/home")
mkhome "$H"
expect_rc 0 ops-backup --home "$H"
now=$(date +%s)
stamp() { date -d "@$((now - $1 * 86400))" +%Y%m%d_%H%M%S; }
aside() { mkdir "$H/memory.pre-restore.$1" && echo data > "$H/memory.pre-restore.$1/memory.db"; }

# a restore 20 days ago, then one now: the 20-day-old copy goes at its end
DHARMIC_OPS_NOW=$((now - 20 * 86400)) expect_rc 0 ops-restore --home "$H" --yes
old=$(cd "$H" && ls -d memory.pre-restore.* )
[ "$old" = "memory.pre-restore.$(stamp 20)" ] || fail "first copy: '$old'"
expect_rc 0 ops-restore --home "$H" --yes
expect_match "^removed $old \(older than restore.keep_aside\)" "$OUT"
[ -e "$H/$old" ] && fail "$old was kept"
newest=$(cd "$H" && ls -d memory.pre-restore.*)
case $newest in memory.pre-restore.[0-9]*_[0-9]*) ;; *) fail "newest: '$newest'" ;; esac
grep -q "\[INFO\] aside: removed $old" "$H/logs/backup.log" || fail "no removal in backup.log"

# copies made by hand with ops-restore's names, and things that are not copies
a30=$(stamp 30); a9=$(stamp 9); a2=$(stamp 2)
aside "$a30"; aside "$a9"; aside "$a2"
mkdir "$T/outside" && echo precious > "$T/outside/memory.db"
ln -s "$T/outside" "$H/memory.pre-restore.$(stamp 40)"
mkdir "$H/memory.pre-restore.old" && touch -d '2020-01-01' "$H/memory.pre-restore.old"
echo file > "$H/memory.pre-restore.$(stamp 50)-2x"

# status and troubleshoot list them: 4 copies, 2 older than keep_aside
expect_rc 0 dharmic-ops status --home "$H"
expect_match "^aside +4 copies of memory/ set aside, newest $newest \(.* ago\), .* in all; 2 older than restore.keep_aside$" "$OUT"
set +e; dharmic-ops troubleshoot --home "$H" > "$T/tr" 2>&1; set -e
grep -Eq "^PROBLEM \[aside\] 4 copies of memory/ set aside.*2 older than restore.keep_aside \(7d" "$T/tr" ||
	fail "troubleshoot: $(cat "$T/tr")"
grep -A1 '^PROBLEM \[aside\]' "$T/tr" | grep -Eq "^ +fix: dharmic-ops rotate --home '?$H'?$" ||
	fail "no fix in: $(cat "$T/tr")"

# a restore journal (an unfinished restore) naming the 30-day-old copy
python3 - "$H" "$a30" <<'PY'
import json, os, sys
h, a = sys.argv[1], sys.argv[2]
j = {"mode": "restore", "phase": "extract", "archive": h + "/backups/memory/x.tar",
     "staging": h + "/.memory.restore", "aside": h + "/memory.pre-restore." + a,
     "was_running": False, "dev": str(os.stat(h).st_dev), "new_ino": "0",
     "old_ino": "0", "staging_ino": "0"}
open(h + "/.ops/restore.journal", "w").write(json.dumps(j))
PY
expect_rc 0 ops-rotate --home "$H" --dry-run
expect_match "^would remove memory.pre-restore.$a9 " "$OUT"
expect_no_match "would remove memory.pre-restore.$a30" "$OUT"
[ -d "$H/memory.pre-restore.$a9" ] || fail "--dry-run removed a copy"
expect_rc 0 ops-rotate --home "$H"
[ -d "$H/memory.pre-restore.$a30" ] || fail "the journal's copy was removed"
[ -e "$H/memory.pre-restore.$a9" ] && fail "the 9-day-old copy was kept"
[ -d "$H/memory.pre-restore.$a2" ] || fail "the 2-day-old copy was removed"
[ -d "$H/$newest" ] || fail "the newest copy was removed"
grep -q "\[INFO\] aside: removed memory.pre-restore.$a9" "$H/logs/rotation.log" ||
	fail "no removal in rotation.log"

# a journal that is not one ops-restore wrote: nothing is removed
echo '{"mode": "restore"}' > "$H/.ops/restore.journal"
expect_rc 0 ops-rotate --home "$H" --verbose
expect_match "none removed: the restore journal" "$OUT"
[ -d "$H/memory.pre-restore.$a30" ] || fail "removed under a foreign journal"

# no journal: the 30-day-old copy goes too; the rest stays as it was
rm "$H/.ops/restore.journal"
expect_rc 0 ops-rotate --home "$H"
[ -e "$H/memory.pre-restore.$a30" ] && fail "the 30-day-old copy was kept"
[ -d "$H/memory.pre-restore.$a2" ] && [ -d "$H/$newest" ] || fail "young copies removed"
[ -L "$H/memory.pre-restore.$(stamp 40)" ] || fail "the symlink was removed"
[ "$(cat "$T/outside/memory.db")" = precious ] || fail "the symlink's target was touched"
[ -d "$H/memory.pre-restore.old" ] || fail "memory.pre-restore.old was removed"
[ -f "$H/memory.pre-restore.$(stamp 50)-2x" ] || fail "a file with another name was removed"
expect_rc 0 dharmic-ops status --home "$H"
expect_match "^aside +2 copies of memory/ set aside, newest $newest " "$OUT"
expect_no_match "older than" "$OUT"
echo ok
