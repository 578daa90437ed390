#!/bin/bash
# A writer without O_APPEND is found in /proc and its log left alone, with
# the reason (and the PID) printed and logged; exit 1. Once the writer is
# gone the log is cut.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rotate_live.sh"
live_start "$T" --no-append
head_before=$(head -c 4096 "$LIVE_LOG" | sha256sum)
size_before=$(stat -c %s "$LIVE_LOG")
expect_rc 1 ops-rotate --home "$H"
expect_match "failed to cut logs/daemon_[0-9]{8}\.log: open for writing without O_APPEND by PID $LIVE_PID \(agent-sim, fd [0-9]+\): cutting it would leave NUL bytes" "$ERR"
expect_match '\[ERROR\] rotation: failed to cut .*without O_APPEND' "$(cat "$H/logs/rotation.log")"
expect_match 'failed 1$' "$(tail -1 "$H/logs/rotation.log")"
# the dry run sees it too
expect_rc 1 ops-rotate --home "$H" --dry-run
expect_match "would fail to cut logs/daemon_[0-9]{8}\.log: open for writing without O_APPEND by PID $LIVE_PID" "$OUT"
live_stop
[ "$(head -c 4096 "$LIVE_LOG" | sha256sum)" = "$head_before" ] || fail "the head of the log changed"
[ "$(stat -c %s "$LIVE_LOG")" -ge "$size_before" ] || fail "the log shrank"
python3 - "$LIVE_LOG" "$LIVE_TOTAL" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
assert b"\0" not in data, "NUL bytes"
seqs = [int(x) for x in re.findall(rb"seq=(\d+) ", data)]
assert seqs == list(range(1, int(sys.argv[2]) + 1)), "lines lost or reordered"
PY
# no writer any more: now it is cut
expect_rc 0 ops-rotate --home "$H"
expect_match 'rotation: cut logs/daemon_' "$(tail -2 "$H/logs/rotation.log")"
[ "$(stat -c %s "$LIVE_LOG")" -lt "$size_before" ] || fail "not cut once the writer was gone"
echo ok
