#!/bin/bash
# dharmic-ops install --serve: a second user unit, dharmic-dashboard-HASH.service,
# running ops-dashboard serve for the home (systemd-analyze verify when
# present, the LaunchAgent as a plist); installing it enables and starts it
# (a fake systemctl that runs the unit's ExecStart) and leaves the agent's
# unit alone; uninstall --serve stops and removes only it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
. "$(dirname "$0")/servelib.sh"
command -v curl >/dev/null || skip "curl is not installed"
H=$T/home
svc_home "$H"
export HOME=$T/user
unset XDG_CONFIG_HOME
mkdir -p "$HOME"
DIR=$HOME/.config/systemd/user
HASH=$(unit_hash "$H")
DASH=dharmic-dashboard-$HASH.service
PORT=$(free_port)
printf '{"daemon": {"command": ["%s", "--interval", "0.2"], "match": "agent-sim"}, "serve": {"listen": "127.0.0.1:%s"}}\n' \
	"$AGENT_SIM" "$PORT" > "$H/ops.json"

expect_rc 0 dharmic-ops install --serve --print --home "$H"
unit=$OUT
[ ! -e "$DIR/$DASH" ] || fail "--print wrote the unit"
for want in '^\[Service\]$' "^ExecStart=$OPS_BUILD/ops-dashboard --home $H serve\$" \
    "^Environment=DHARMIC_HOME=$H\$" "^Description=.* of $H\$" '^Restart=on-failure$' '^NoNewPrivileges=yes$' \
    '^WantedBy=default\.target$'; do
	expect_match "$want" "$unit"
done
if command -v systemd-analyze >/dev/null && systemd-analyze verify --man=no /dev/null 2>&1 |
    grep -qv 'unrecognized option'; then
	mkdir -p "$T/verify"
	printf '%s\n' "$unit" > "$T/verify/$DASH"
	systemd-analyze verify --man=no "$T/verify/$DASH" ||
		fail "systemd-analyze verify rejected the unit"
fi
expect_rc 0 dharmic-ops install --serve --print --format launchd --home "$H"
printf '%s\n' "$OUT" | python3 -c '
import plistlib, sys
p = plistlib.loads(sys.stdin.buffer.read())
assert p["Label"] == "com.dharmic.dashboard." + sys.argv[2], p
assert p["ProgramArguments"][1:] == ["--home", sys.argv[1], "serve"], p
assert p["ProgramArguments"][0].endswith("/ops-dashboard"), p' "$H" "$HASH" || fail "bad plist"

# Installed: a fake systemctl starts the unit's ExecStart.
mkdir -p "$T/bin"
cat > "$T/bin/systemctl" <<EOF
#!/bin/sh
echo "\$*" >> "$T/systemctl.calls"
[ "\$1" = --user ] || exit 2
shift
case "\$1 \$2 \$3" in
"daemon-reload  ") ;;
"enable --now $DASH")
	cmd=\$(sed -n 's/^ExecStart=//p' "$DIR/$DASH")
	setsid \$cmd </dev/null >/dev/null 2>&1 &
	echo \$! > "$T/serve.pid"
	# ops_run kills what is left in its process group: wait for setsid
	sleep 0.5 ;;
"disable --now $DASH") kill "\$(cat "$T/serve.pid")" ;;
*) echo "fake systemctl: unsupported: \$*" >&2; exit 2 ;;
esac
EOF
chmod +x "$T/bin/systemctl"
PATH="$T/bin:$PATH"
mkdir -p "$DIR"
printf 'the agent unit\n' > "$DIR/dharmic-agent.service"
expect_rc 0 dharmic-ops install --serve --home "$H"
expect_match "wrote $DIR/$DASH" "$OUT"
expect_match "enabled and started $DASH" "$OUT"
[ "$(stat -c %a "$DIR/$DASH")" = 600 ] || fail "unit mode"
_pids="$_pids $(cat "$T/serve.pid")"
wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$PORT/metrics"
[ "$(cat "$DIR/dharmic-agent.service")" = "the agent unit" ] || fail "the agent's unit changed"
grep -qx -- '--user daemon-reload' "$T/systemctl.calls" || fail "no daemon-reload"

expect_rc 0 dharmic-ops uninstall --serve --home "$H"
expect_match "removed $DIR/$DASH" "$OUT"
[ ! -e "$DIR/$DASH" ] || fail "unit left behind"
[ -e "$DIR/dharmic-agent.service" ] || fail "the agent's unit removed"
wait_for 10 sh -c "! curl -sf -o /dev/null http://127.0.0.1:$PORT/metrics"
expect_rc 0 dharmic-ops uninstall --serve --home "$H"
expect_match 'no unit installed' "$OUT"
echo ok
