#!/bin/bash
# ops-dashboard watch in a real terminal (tmux, 80x24): the verdict on top,
# redrawn in place, q / Ctrl-C / SIGTERM exit 0 and give the terminal back
# (alternate screen left, cursor shown). show: colour only on a terminal
# and never with NO_COLOR. Ctrl-Z stops it and gives the terminal back.
. "$(dirname "$0")/lib.sh"
# The terminal type is the test's own: a colour terminal, whatever TERM the
# suite was run with (TERM=dumb under cron, CI and `env -i`).
export TERM=xterm-256color
command -v tmux >/dev/null || skip "tmux is not installed"
command -v script >/dev/null || skip "script is not installed"
H=$T/home
mkhome "$H"
ops-health --home "$H" >/dev/null || true
DASH=$(command -v ops-dashboard)
S=ops-e2e-$$
# Every step that waits on a terminal is bounded: a program stuck on one
# fails this test in seconds instead of hanging the suite.
tm() { timeout 10 tmux -L "$S" -f /dev/null "$@"; }
trap '_rc=$?; tmux -L "$S" kill-server 2>/dev/null; (exit $_rc); _cleanup' EXIT

# wait_for SESSION REGEX: poll capture-pane until the screen matches.
wait_for() {
	for _ in $(seq 100); do
		tm capture-pane -p -t "$1" 2>/dev/null | grep -Eq -- "$2" && return 0
		sleep 0.05
	done
	fail "screen of $1 never matched /$2/:
$(tm capture-pane -p -t "$1")"
}
# start SESSION: watch in an 80x24 terminal; the shell stays to report.
start() {
	tm new-session -d -s "$1" -x 80 -y 24 \
		"env LC_ALL=C '$DASH' --home '$H' watch -n 1; echo EXIT=\$?; sleep 60"
	wait_for "$1" '^DHARMIC-OPS CRITICAL - daemon: not running'
	[ "$(tm display -p -t "$1" '#{alternate_on} #{cursor_flag}')" = "1 0" ] ||
		fail "watch is not on the alternate screen with the cursor hidden"
}
# finished SESSION: the program is gone, exited 0, terminal restored.
finished() {
	wait_for "$1" '^EXIT=0$'
	[ "$(tm display -p -t "$1" '#{alternate_on} #{cursor_flag}')" = "0 1" ] ||
		fail "terminal not restored: $(tm display -p -t "$1" '#{alternate_on} #{cursor_flag}')"
	tm capture-pane -p -t "$1" | grep -q 'DHARMIC-OPS' &&
		fail "the dashboard was left on the main screen"
	return 0
}

start q
screen=$(tm capture-pane -p -t q)
expect_match '^daemon +CRITICAL +not running' "$screen"
expect_match '^disk +OK ' "$screen"
expect_match '^backup +WARNING +[._=#?]{47}=' "$screen"	# ASCII sparkline, C locale
[ "$(printf '%s\n' "$screen" | awk '{ if (length($0) > 80) n++ } END { print n+0 }')" = 0 ] ||
	fail "a line is wider than 80 columns"
# it redraws: a new alert shows up within the interval
printf '[%s] [WARNING] Fresh Alert - from the test\n' "$(date '+%Y-%m-%d %H:%M:%S')" \
	>> "$H/logs/alerts.log"
wait_for q 'WARNING Fresh Alert - from the test'
# a narrower terminal (SIGWINCH): every line fits
tm resize-window -t q -x 60 -y 24
sleep 0.3
wait_for q '^DHARMIC-OPS'
[ "$(tm capture-pane -p -t q | awk '{ if (length($0) > 60) n++ } END { print n+0 }')" = 0 ] ||
	fail "lines wider than 60 columns after a resize:
$(tm capture-pane -p -t q)"
tm send-keys -t q q
finished q

start c
tm send-keys -t c C-c
finished c

start t
pid=$(pgrep -P "$(tm display -p -t t '#{pane_pid}')" -x ops-dashboard)
kill -TERM "$pid"
finished t

# Ctrl-Z in a shell with job control: the terminal is given back while
# stopped, and fg brings the dashboard back.
tm new-session -d -s z -x 80 -y 24 "env -i PATH=/usr/bin:/bin TERM=screen PS1='PROMPT> ' bash --norc --noprofile -i"
wait_for z '^PROMPT>'
tm send-keys -t z "LC_ALL=C '$DASH' --home '$H' watch" Enter
wait_for z '^DHARMIC-OPS CRITICAL'
tm send-keys -t z C-z
wait_for z 'Stopped'
[ "$(tm display -p -t z '#{alternate_on} #{cursor_flag}')" = "0 1" ] ||
	fail "terminal not given back on Ctrl-Z"
tm send-keys -t z fg Enter
wait_for z '^DHARMIC-OPS CRITICAL'
[ "$(tm display -p -t z '#{alternate_on}')" = 1 ] || fail "fg did not bring the dashboard back"
tm send-keys -t z q
for _ in $(seq 100); do
	[ "$(tm display -p -t z '#{alternate_on}')" = 0 ] && break
	sleep 0.05
done
tm send-keys -t z 'echo EXIT=$?' Enter
wait_for z '^EXIT=0$'

# The raw bytes of a watch: the screen is cleared once, then each frame
# goes home and overwrites in place (no flicker), then the terminal is
# given back.
# --foreground: timeout must not move the dashboard out of the terminal's
# foreground process group (script runs the command through $SHELL or
# /bin/sh; dash forks), where its tcsetattr would stop it with SIGTTOU.
SHELL=/bin/sh timeout -k 2 20 script -qfc \
	"env LC_ALL=C timeout --foreground -k 2 -s INT 2.5 '$DASH' --home '$H' watch -n 0.5" \
	"$T/typescript" </dev/null >/dev/null || fail "watch under script did not end on SIGINT"
python3 - "$T/typescript" <<'EOF'
import sys
raw = open(sys.argv[1], "rb").read()
raw = raw[raw.index(b"\n") + 1:]   # script's own header line
assert raw.count(b"\x1b[2J") == 1, "the screen is cleared on every frame"
assert b"\x00" not in raw, "a NUL byte written to the terminal"
assert raw.count(b"\x1b[?1049h") == 1 and raw.count(b"\x1b[?1049l") == 1
assert raw.index(b"\x1b[?1049h") < raw.index(b"\x1b[H") < raw.rindex(b"\x1b[?1049l")
assert raw.rindex(b"\x1b[?25h") > raw.rindex(b"\x1b[H"), "cursor not shown at the end"
EOF

# show: colour on a terminal, none with NO_COLOR or into a pipe.
timeout 20 script -qfc "'$DASH' --home '$H' show" "$T/color" </dev/null >/dev/null
grep -q $'\033\\[1;31mCRITICAL' "$T/color" || fail "no colour on a terminal"
NO_COLOR=1 timeout 20 script -qfc "'$DASH' --home '$H' show" "$T/nocolor" </dev/null >/dev/null
grep -q 'DHARMIC-OPS CRITICAL' "$T/nocolor" || fail "show printed nothing under NO_COLOR"
grep -q $'\033' "$T/nocolor" && fail "escape codes despite NO_COLOR"
TERM=dumb timeout 20 script -qfc "'$DASH' --home '$H' show" "$T/dumb" </dev/null >/dev/null
grep -q 'DHARMIC-OPS CRITICAL' "$T/dumb" || fail "show printed nothing under TERM=dumb"
grep -q $'\033' "$T/dumb" && fail "escape codes despite TERM=dumb"
ops-dashboard --home "$H" show | cat > "$T/pipe"
grep -q 'DHARMIC-OPS CRITICAL' "$T/pipe" || fail "show printed nothing into a pipe"
grep -q $'\033' "$T/pipe" && fail "escape codes into a pipe"
expect_rc 2 ops-dashboard --home "$H" watch
expect_match 'needs a terminal' "$ERR"
echo ok
