#!/bin/bash
# On tmpfs (no COLLAPSE_RANGE) the copy-and-truncate fallback: no NUL byte,
# lines whole, the writer's last line there, and rotation.log says how many
# bytes may have been lost. Needs root (mount -t tmpfs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rotate_live.sh"
mkdir "$T/mnt"
mount -t tmpfs -o size=32M,mode=0700 tmpfs "$T/mnt" 2>/dev/null || skip "cannot mount tmpfs (not root?)"
live_start "$T/mnt"
live_cut_twice
live_stop
log=$(cat "$H/logs/rotation.log")
expect_match '\[WARNING\] rotation: cut logs/daemon_[0-9]{8}\.log to its last 1000 lines \(removed [0-9.]+ [KM]iB by copy-and-truncate: this filesystem cannot collapse ranges; about [0-9]+ bytes may have been lost: what the writer appended in the final [0-9]+ us, at [0-9.]+ [KM]iB/s\)' "$log"
expect_no_match 'in place' "$log"
check_lines "$LIVE_LOG" "$LIVE_TOTAL" lossy
echo ok
