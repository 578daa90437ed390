#!/bin/bash
# A full disk while compressing: exit 1 naming the failure, the original
# logs untouched (bytes and mtime), no .gz under a final name, no temporary
# file left. With space again, the next run compresses them. Needs root
# (mount -t tmpfs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rotate_live.sh"	# for the unmount on exit
export TZ=UTC
NOW=1767268800
mkdir "$T/mnt"
mount -t tmpfs -o size=2M,mode=0700 tmpfs "$T/mnt" 2>/dev/null || skip "cannot mount tmpfs (not root?)"
H=$T/mnt/home
mkdir -p "$H/logs"
for d in 20251225 20251226 20251227; do
	python3 -c '
import random, sys
r = random.Random(sys.argv[1])
for i in range(3000):
    print("2025-12-25 10:00:%02d [INFO] daemon: event %d %x" % (i % 60, i, r.getrandbits(64)))
' "$d" > "$H/logs/daemon_$d.log"
	touch -d "@$((NOW - 5 * 86400))" "$H/logs/daemon_$d.log"
done
(cd "$H/logs" && sha256sum ./* && stat -c '%n %Y %s' ./*) > "$T/before"
dd if=/dev/zero of="$T/mnt/filler" bs=4096 2>/dev/null || true
[ "$(df --output=avail "$T/mnt" | tail -1)" -le 4 ] || fail "test setup: the tmpfs is not full"
export DHARMIC_OPS_NOW=$NOW
expect_rc 1 ops-rotate --home "$H"
expect_match 'failed to compress logs/daemon_20251225\.log: .*No space left on device' "$ERR"
(cd "$H/logs" && sha256sum ./daemon_* && stat -c '%n %Y %s' ./daemon_*) > "$T/after"
diff -u "$T/before" "$T/after" >&2 || fail "the original logs changed"
ls -a "$H/logs" | grep -q '\.gz' && fail "a .gz or its temporary file was left: $(ls -a "$H/logs")"
# space again: compressed, and the bytes come back
rm "$T/mnt/filler"
expect_rc 0 ops-rotate --home "$H"
for d in 20251225 20251226 20251227; do
	[ ! -e "$H/logs/daemon_$d.log" ] || fail "daemon_$d.log still there"
	want=$(grep "daemon_$d.log\$" "$T/before" | head -1 | cut -d' ' -f1)
	[ "$(gzip -dc "$H/logs/daemon_$d.log.gz" | sha256sum | cut -d' ' -f1)" = "$want" ] ||
		fail "daemon_$d.log.gz does not give back the original"
done
echo ok
