#!/bin/bash
# The same live cut on the default filesystem of $TMPDIR, whichever way it
# cuts: in place (then nothing may be lost) or by copy-and-truncate (then
# the loss must be reported in rotation.log). No NUL, whole lines always.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rotate_live.sh"
live_start "$T"
live_cut_twice
live_stop
if grep -q 'copy-and-truncate' "$H/logs/rotation.log"; then
	expect_match '\[WARNING\] rotation: cut .*about [0-9]+ bytes may have been lost' \
		"$(cat "$H/logs/rotation.log")"
	check_lines "$LIVE_LOG" "$LIVE_TOTAL" lossy
else
	expect_match 'removed [0-9.]+ [KM]iB in place' "$(cat "$H/logs/rotation.log")"
	check_lines "$LIVE_LOG" "$LIVE_TOTAL" strict
fi
echo ok
