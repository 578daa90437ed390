#!/bin/bash
# kill -9 at random points of ops-backup: no file with a final name is ever
# partial, `latest` always names an archive that verifies, and the next run
# removes what the killed one left.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
# enough data for a backup to take a while
python3 - "$H/memory/big.jsonl" <<'PY'
import json, os, sys
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        f.write(json.dumps({"id": i, "noise": os.urandom(96).hex()}) + "\n")
PY
D=$H/backups/memory
t0=$(date +%s%N)
expect_rc 0 ops-backup --home "$H"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))	# aim the kills inside a run
[ "$ms" -gt 0 ] || ms=1
first=$(cat "$D/latest")
killed=0
# 8 runs, more (16 at most) until 3 were killed mid-way: a run that ends
# before its random kill time (a slow first run under ASan) is not a kill
for i in $(seq 16); do
	[ "$i" -gt 8 ] && [ "$killed" -ge 3 ] && break
	ops-backup --home "$H" >/dev/null 2>&1 & pid=$!
	d=$((RANDOM % ms)); sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null || true
	# every archive with a final name verifies; latest names one of them
	for f in "$D"/[0-9]*_[0-9]*.tar*; do
		expect_rc 0 ops-backup --home "$H" verify "$f"
	done
	l=$(cat "$D/latest")
	[ -f "$l" ] || fail "run $i: latest names a missing archive: $l"
	case $(basename "$l") in [0-9]*_[0-9]*.tar.zst) ;; *) fail "run $i: latest is '$l'" ;; esac
done
[ "$killed" -ge 3 ] || fail "only $killed runs were killed mid-way"
[ -f "$first" ] || fail "the first backup is gone"
expect_rc 0 ops-backup --home "$H"
ls -a "$D" | grep -q '^\.ops-backup-\|^latest\.tmp\.' && fail "leftovers after the next run: $(ls -a "$D")"
expect_rc 0 ops-backup --home "$H" verify --all
echo ok
