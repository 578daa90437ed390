# Helpers for the rotate tests that cut a log while agent-sim writes to it.
# Source after lib.sh. (Not a test itself: the e2e glob is t*.sh.)

# mount_cleanup: unmount $T/mnt (after stopping our processes) before
# lib.sh's cleanup removes $T.
_rotate_umount() {
	for p in $_pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if mountpoint -q "$T/mnt" 2>/dev/null; then
		umount "$T/mnt" 2>/dev/null || umount -l "$T/mnt" 2>/dev/null || true
	fi
}
trap '_rc=$?; _rotate_umount; (exit $_rc); _cleanup' EXIT

# wait_size FILE BYTES: until FILE is larger than BYTES (10 s at most).
wait_size() {
	for _ in $(seq 200); do
		[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -gt "$2" ] && return 0
		sleep 0.05
	done
	fail "$1 did not grow past $2 bytes"
}

# live_start DIR [agent-sim args]: a home in DIR/home whose today's daemon
# log gets 5000 lines a second from agent-sim (one fd for its life).
# Sets H, LIVE_LOG, LIVE_PID.
live_start() {
	live_dir=$1; shift
	H=$live_dir/home
	mkdir -p "$H/logs"
	printf '{"daemon": {"match": "agent-sim"}, "rotate": {"max_size": "256K", "keep_lines": 1000}}\n' \
		> "$H/ops.json"
	LIVE_LOG=$H/logs/daemon_$(date +%Y%m%d).log
	"$AGENT_SIM" --home "$H" --interval 0.2 --log-rate 5000 \
		--log-file "logs/$(basename "$LIVE_LOG")" --verbose "$@" > "$live_dir/sim.out" 2>&1 &
	LIVE_PID=$!
	_pids="$_pids $LIVE_PID"
	wait_size "$LIVE_LOG" 600000
}

# live_stop: stop the writer; LIVE_TOTAL is the number of seq= lines it wrote.
live_stop() {
	kill -TERM "$LIVE_PID"
	wait "$LIVE_PID" || fail "agent-sim failed: $(cat "$live_dir/sim.out")"
	LIVE_TOTAL=$(sed -n 's/.*stopped after [0-9]* ticks, \([0-9]*\) rate lines.*/\1/p' \
		"$live_dir/sim.out")
	[ -n "$LIVE_TOTAL" ] || fail "no line count from agent-sim: $(tail -2 "$live_dir/sim.out")"
}

# live_cut_twice: two ops-rotate runs while the writer writes; both must cut.
live_cut_twice() {
	expect_rc 0 ops-rotate --home "$H"
	wait_size "$LIVE_LOG" 300000
	expect_rc 0 ops-rotate --home "$H"
	sleep 0.3
	[ "$(grep -c 'rotation: cut logs/daemon_' "$H/logs/rotation.log")" = 2 ] ||
		fail "expected two cuts: $(cat "$H/logs/rotation.log")"
}

# check_lines FILE TOTAL strict|lossy: no NUL byte, every line whole (the
# first may be the cut marker), seq= increasing up to TOTAL; strict: no
# seq missing from the first kept one to the end. Prints what it saw.
check_lines() {
	python3 - "$@" <<'PYEOF'
import re, sys
path, total, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = open(path, "rb").read()
assert b"\0" not in data, "NUL bytes in %s at %d" % (path, data.index(b"\0"))
assert data.endswith(b"\n"), "last line not whole"
lines = data.split(b"\n")[:-1]
line_re = re.compile(rb"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[INFO\] daemon: "
                     rb"(seq=(\d+) padding=[0-9A-Za-z]{62}|tick \d+)$")
seqs = []
for i, l in enumerate(lines):
    m = line_re.match(l)
    if m is None:
        # the line the block boundary cut, overwritten by the marker
        marker = b"[ops-rotate] cut: earlier lines removed"
        is_marker = marker.startswith(l) or (l.startswith(marker) and
                                             l[len(marker):].strip(b" ") == b"")
        assert i == 0 and is_marker, "line %d not whole: %r" % (i + 1, l[:120])
        continue
    if m.group(2):
        seqs.append(int(m.group(2)))
assert seqs, "no seq lines kept"
assert all(b > a for a, b in zip(seqs, seqs[1:])), "seq not increasing"
assert seqs[-1] == total, "last seq %d, the writer wrote %d" % (seqs[-1], total)
missing = (seqs[-1] - seqs[0] + 1) - len(seqs)
print("kept seq %d..%d (%d lines), %d missing" % (seqs[0], seqs[-1], len(seqs), missing))
assert seqs[0] > 1, "nothing was cut"
if mode == "strict":
    assert missing == 0, "%d lines lost after the cut" % missing
PYEOF
}
