#!/bin/bash
# install / uninstall: the systemd user unit (checked by systemd-analyze
# verify when present), the LaunchAgent plist, and start/stop/restart going
# through `systemctl --user` once the unit is installed (a fake systemctl).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
H=$T/home
svc_home "$H"
export HOME=$T/user
unset XDG_CONFIG_HOME
mkdir -p "$HOME"
NAME=dharmic-agent-$(unit_hash "$H").service
UNIT=$HOME/.config/systemd/user/$NAME

# --print: the unit on stdout, nothing written
expect_rc 0 dharmic-ops install --print --home "$H"
unit=$OUT
[ ! -e "$UNIT" ] || fail "--print wrote the unit"
for want in '^\[Service\]$' "^ExecStart=$AGENT_SIM --interval 0\\.2\$" \
    "^WorkingDirectory=$H\$" "^EnvironmentFile=-$H/\\.env\$" \
    "^Environment=DHARMIC_HOME=$H\$" "^Description=Dharmic agent daemon of $H\$" \
    "^# $NAME: written by" '^Restart=on-failure$' '^RestartSec=60$' \
    '^StartLimitIntervalSec=[0-9]+$' '^StartLimitBurst=[0-9]+$' '^TimeoutStopSec=3$' \
    "^StandardOutput=append:$H/logs/daemon_stdout\\.log\$" \
    "^StandardError=append:$H/logs/daemon_stderr\\.log\$" '^WantedBy=default\.target$'; do
	expect_match "$want" "$unit"
done
# absolute paths: the program from PATH, a relative file argument resolved
: > "$H/daemon.py"
printf '{"daemon": {"command": ["python3", "daemon.py", "--flag", "x y"]}}\n' > "$T/py.json"
expect_rc 0 dharmic-ops install --print --home "$H" --config "$T/py.json"
expect_match "^ExecStart=/[^ ]*/python3 $H/daemon\\.py --flag \"x y\"\$" "$OUT"
printf '{"daemon": {"command": ["no-such-agent-binary"]}}\n' > "$T/bad.json"
expect_rc 2 dharmic-ops install --print --home "$H" --config "$T/bad.json"
expect_match "'no-such-agent-binary' not found in PATH" "$ERR"

# systemd-analyze verify accepts it (and rejects a broken one, so the
# check can fail); also for a home with spaces and '%' (a specifier)
if command -v systemd-analyze >/dev/null && systemd-analyze verify --man=no /dev/null 2>&1 |
    grep -qv 'unrecognized option'; then
	H2="$T/odd home%n"
	svc_home "$H2"
	for h in "$H" "$H2"; do
		mkdir -p "$T/verify"
		dharmic-ops install --print --home "$h" > "$T/verify/dharmic-agent.service"
		systemd-analyze verify --man=no "$T/verify/dharmic-agent.service" ||
			fail "systemd-analyze verify rejected the unit for $h"
	done
	expect_match 'Environment="DHARMIC_HOME=.*/odd home%%n"' "$(cat "$T/verify/dharmic-agent.service")"
	sed 's|^ExecStart=.*|ExecStart=relative/agent|' "$T/verify/dharmic-agent.service" > "$T/verify/x.service"
	mv "$T/verify/x.service" "$T/verify/dharmic-agent.service"
	systemd-analyze verify --man=no "$T/verify/dharmic-agent.service" 2>/dev/null &&
		fail "systemd-analyze verify accepts anything"
else
	echo "systemd-analyze not present: unit not verified" >&2
fi

# the LaunchAgent, parsed as a plist
expect_rc 0 dharmic-ops install --print --format launchd --home "$H"
printf '%s\n' "$OUT" | python3 -c '
import plistlib, sys
p = plistlib.loads(sys.stdin.buffer.read())
home, sim = sys.argv[1], sys.argv[2]
assert p["Label"] == "com.dharmic.agent." + sys.argv[3], p
assert p["KeepAlive"] is True and p["ThrottleInterval"] == 60, p
assert p["ProgramArguments"][-3:] == [sim, "--interval", "0.2"], p
assert p["ProgramArguments"][4] == home + "/.env", p
assert p["EnvironmentVariables"] == {"DHARMIC_HOME": home}, p
assert p["WorkingDirectory"] == home, p
assert p["StandardErrorPath"] == home + "/logs/daemon_stderr.log", p
' "$H" "$AGENT_SIM" "$(unit_hash "$H")" || fail "bad plist"

fake_systemctl "$H"
CALLS=$T/systemctl.calls

# no user bus: the unit is written (0600, atomically), how to enable it said
FAKE_SYSTEMCTL_NOBUS=1 expect_rc 0 dharmic-ops install --home "$H"
[ "$(cat "$UNIT")" = "$unit" ] || fail "installed unit differs from --print"
[ "$(stat -c %a "$UNIT")" = 600 ] || fail "unit not 0600"
expect_match "systemctl --user is not available here \(.*Failed to connect to bus" "$OUT"
expect_match "systemctl --user enable --now $NAME" "$OUT"
[ -e "/var/lib/systemd/linger/$(id -un)" ] || expect_match "loginctl enable-linger $(id -un)" "$OUT"
ls "$(dirname "$UNIT")" | grep -vx "$NAME" && fail "temporary file left"

# a working systemctl: daemon-reload, enable --now; the agent runs
rm "$UNIT" "$CALLS"
expect_rc 0 dharmic-ops install --home "$H"
expect_match "enabled and started $NAME" "$OUT"
printf -- '--user daemon-reload\n--user enable --now %s\n' "$NAME" | diff -u - "$CALLS" ||
	fail "install calls"
main=$(cat "$T/systemd.mainpid")
_pids="$_pids $main"
alive "$main" || fail "enable --now did not start the agent"

# start/stop/restart go through systemctl; the PID file comes from MainPID
: > "$CALLS"
expect_rc 0 dharmic-ops stop --home "$H"
expect_match "^stopped the agent \(pid $main\) \(systemd user unit $NAME\)" "$OUT"
alive "$main" && fail "stop left the agent"
grep -qx -- "--user stop $NAME" "$CALLS" || fail "stop did not use systemctl"
expect_rc 0 dharmic-ops start --home "$H"
main=$(cat "$T/systemd.mainpid")
_pids="$_pids $main"
grep -qx -- "--user start $NAME" "$CALLS" || fail "start did not use systemctl"
[ "$(cat "$H/logs/daemon.pid")" = "$main" ] || fail "PID file not written from MainPID"
expect_match "^started the agent \(pid $main\) \(systemd" "$OUT"
expect_rc 1 dharmic-ops start --home "$H"
expect_match "already running" "$ERR"
expect_rc 0 dharmic-ops restart --home "$H"
new=$(cat "$T/systemd.mainpid")
_pids="$_pids $new"
[ "$new" != "$main" ] && alive "$new" && ! alive "$main" || fail "restart through systemctl"
expect_match 'restart: manual$' "$(tail -1 "$H/logs/restart.log")"

# uninstall: disable --now, the file removed, daemon-reload
: > "$CALLS"
expect_rc 0 dharmic-ops uninstall --home "$H"
printf -- '--user disable --now %s\n--user daemon-reload\n' "$NAME" | diff -u - "$CALLS" ||
	fail "uninstall calls"
[ -e "$UNIT" ] && fail "unit left"
alive "$new" && fail "uninstall left the unit's agent running"
expect_rc 0 dharmic-ops uninstall --home "$H"
expect_match "no unit installed" "$OUT"

# without the unit start is direct again; installing next to a running
# agent enables without --now (no second agent)
: > "$CALLS"
expect_rc 0 dharmic-ops start --home "$H"
track "$H"
[ -s "$CALLS" ] && fail "start without a unit used systemctl"
expect_rc 0 dharmic-ops install --home "$H"
expect_match "runs outside systemd: .dharmic-ops restart. hands it over" "$OUT"
grep -qx -- "--user enable $NAME" "$CALLS" || fail "enable without --now expected"
[ -s "$T/systemd.mainpid" ] && alive "$(cat "$T/systemd.mainpid")" && fail "a second agent was started"
expect_rc 0 dharmic-ops stop --home "$H"
expect_rc 0 dharmic-ops uninstall --home "$H"
echo ok
