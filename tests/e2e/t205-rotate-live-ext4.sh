#!/bin/bash
# A writer appending 5000 lines a second while its log is cut twice, on an
# ext4 loop image (COLLAPSE_RANGE): no line written after the cut is lost,
# no NUL byte appears, every line stays whole. Needs root (mount -o loop).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rotate_live.sh"
command -v mkfs.ext4 >/dev/null || skip "no mkfs.ext4"
truncate -s 48M "$T/ext4.img"
mkfs.ext4 -q -F -b 4096 "$T/ext4.img" >/dev/null 2>&1 || skip "mkfs.ext4 failed"
mkdir "$T/mnt"
mount -o loop "$T/ext4.img" "$T/mnt" 2>/dev/null || skip "cannot mount a loop image (not root?)"
live_start "$T/mnt"
live_cut_twice
live_stop
expect_match 'cut logs/daemon_[0-9]{8}\.log to its last 1000 lines \(removed [0-9.]+ [KM]iB in place\)' \
	"$(cat "$H/logs/rotation.log")"
expect_no_match 'copy-and-truncate' "$(cat "$H/logs/rotation.log")"
check_lines "$LIVE_LOG" "$LIVE_TOTAL" strict
echo ok
