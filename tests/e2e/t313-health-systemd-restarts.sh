#!/bin/bash
# Restarts systemd made count: with the user unit installed, the restarts
# check reads `systemctl --user show --property=NRestarts
# dharmic-agent-HASH.service` (the home's unit; a stub here), records what the counter added
# since its last reading as crash restarts ("restart: systemd" in
# logs/restart.log), never twice; the restart policy counts them, so a
# burst spent under systemd is a restart loop too (CRITICAL).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
H=$T/home
mkhome "$H"
export XDG_CONFIG_HOME=$T/xdg
mkdir -p "$XDG_CONFIG_HOME/systemd/user" "$T/bin"
NAME=dharmic-agent-$(unit_hash "$H").service
: > "$XDG_CONFIG_HOME/systemd/user/$NAME"
cat > "$T/bin/systemctl" <<SH
#!/bin/sh
echo "\$*" >> "$T/systemctl.calls"
case "\$*" in
*NRestarts*) echo "NRestarts=\$(cat "$T/n")" ;;
*) exit 1 ;;
esac
SH
chmod 700 "$T/bin/systemctl"
export PATH="$T/bin:$PATH"
systemd() { grep -c 'restart: systemd$' "$H/logs/restart.log" 2>/dev/null || true; }
echo 5 > "$T/n"
expect_rc 0 ops-health --home "$H" --check restarts
expect_match '^restarts: OK - 0 restarts in the last' "$OUT"	# the baseline
grep -qx -- "--user show --property=NRestarts $NAME" "$T/systemctl.calls" ||
	fail "systemctl not asked: $(cat "$T/systemctl.calls")"
echo 7 > "$T/n"
expect_rc 0 ops-health --home "$H" --check restarts
expect_match '^restarts: OK - 2 restarts in the last' "$OUT"
[ "$(systemd)" = 2 ] || fail "$(systemd) systemd restarts logged, expected 2"
expect_rc 0 ops-health --home "$H" --check restarts
[ "$(systemd)" = 2 ] || fail "counted twice: $(systemd)"
# The dashboard (and serve) read a read-only view: no sample taken, no
# systemctl run (serve runs no command on a request), the count as recorded.
rm "$T/systemctl.calls"
echo 9 > "$T/n"
expect_rc 0 ops-dashboard --home "$H" json
[ ! -e "$T/systemctl.calls" ] || fail "the dashboard asked systemctl: $(cat "$T/systemctl.calls")"
[ "$(systemd)" = 2 ] || fail "the dashboard recorded restarts: $(systemd)"
echo 7 > "$T/n"
# a third within the window: the burst (3) is spent and the agent is down
echo 8 > "$T/n"
expect_rc 2 ops-health --home "$H" --check restarts
expect_match '^restarts: CRITICAL - restart loop: 3 crash restarts' "$OUT"
# a counter that went down (the unit was reloaded) counts from 0
echo 1 > "$T/n"
expect_rc 2 ops-health --home "$H" --check restarts
[ "$(systemd)" = 4 ] || fail "after a reset: $(systemd)"
# systemctl failing is not an error of the check
echo garbage > "$T/n"
expect_rc 2 ops-health --home "$H" --check restarts
[ "$(systemd)" = 4 ] || fail "garbage counted: $(systemd)"
# without the unit, systemctl is never asked
# (nor with only another home's unit, legacy or not)
rm "$XDG_CONFIG_HOME/systemd/user/$NAME" "$T/systemctl.calls"
printf '[Service]\nEnvironment=DHARMIC_HOME=%s\n' "$T/other" > "$XDG_CONFIG_HOME/systemd/user/dharmic-agent.service"
: > "$XDG_CONFIG_HOME/systemd/user/dharmic-agent-0123456789.service"
expect_rc 2 ops-health --home "$H" --check restarts
[ ! -e "$T/systemctl.calls" ] || fail "systemctl asked without a unit: $(cat "$T/systemctl.calls")"
# a unit from before units were named per home, running this home: its name
printf '[Service]\nEnvironment=DHARMIC_HOME=%s\n' "$(cd "$H" && pwd -P)" > "$XDG_CONFIG_HOME/systemd/user/dharmic-agent.service"
expect_rc 2 ops-health --home "$H" --check restarts
grep -qx -- '--user show --property=NRestarts dharmic-agent.service' "$T/systemctl.calls" ||
	fail "the legacy unit not asked: $(cat "$T/systemctl.calls" 2>/dev/null)"
echo ok
