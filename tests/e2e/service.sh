# Helpers for the service-control tests (t5NN-service-*.sh); source after
# lib.sh.

# svc_home DIR [JSON]: a tiny home whose daemon.command is agent-sim (it
# finds the home through $DHARMIC_HOME, which start sets); JSON is more
# members for the "daemon" object, starting with a comma.
svc_home() {
	mkhome "$1"
	printf '{"daemon": {"command": ["%s", "--interval", "0.2"], "match": "agent-sim", "start_timeout": "5s", "stop_timeout": "3s"%s}}\n' \
		"$AGENT_SIM" "${2:-}" > "$1/ops.json"
}

# track HOME: the agent named by HOME's PID file is killed when the test
# ends, whatever happens.
track() {
	_p=$(cat "$1/logs/daemon.pid" 2>/dev/null) || return 0
	_pids="$_pids $_p"
}

# alive PID: the process exists and is not a zombie.
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	[ "$(sed 's/.*) //' "/proc/$1/stat" | cut -c1)" != Z ]
}

# fake_crontab: a crontab(1) first on PATH that keeps the table in
# $T/crontab.table and logs each call's arguments to $T/crontab.calls.
# FAKE_CRONTAB_FAIL=N makes `crontab -l` fail with exit N.
fake_crontab() {
	mkdir -p "$T/bin"
	cat > "$T/bin/crontab" <<EOF
#!/bin/sh
table="$T/crontab.table"
echo "\$*" >> "$T/crontab.calls"
case "\$1" in
-l)	if [ -n "\${FAKE_CRONTAB_FAIL:-}" ]; then
		echo "crontab: cannot open your crontab: Permission denied" >&2
		exit "\$FAKE_CRONTAB_FAIL"
	fi
	if [ ! -f "\$table" ]; then echo "no crontab for \$(id -un)" >&2; exit 1; fi
	cat "\$table";;
-)	cat > "\$table.new" && mv "\$table.new" "\$table";;
*)	echo "fake crontab: unsupported: \$*" >&2; exit 2;;
esac
EOF
	chmod +x "$T/bin/crontab"
	PATH="$T/bin:$PATH"
	export PATH
}

# fake_systemctl HOME: a `systemctl --user` first on PATH that runs
# agent-sim for HOME as the unit's main process (without a PID file, as an
# agent may) and logs each call's arguments to $T/systemctl.calls.
# FAKE_SYSTEMCTL_NOBUS=1 makes every call fail as without a user bus.
fake_systemctl() {
	mkdir -p "$T/bin"
	cat > "$T/bin/systemctl" <<EOF
#!/bin/sh
echo "\$*" >> "$T/systemctl.calls"
if [ -n "\${FAKE_SYSTEMCTL_NOBUS:-}" ]; then
	echo "Failed to connect to bus: No medium found" >&2; exit 1
fi
[ "\$1" = --user ] || { echo "fake systemctl: --user only" >&2; exit 2; }
shift
main="$T/systemd.mainpid"
# alive and not a zombie (an orphan may wait a while to be reaped)
running() {
	[ -s "\$main" ] && [ -r "/proc/\$(cat "\$main")/stat" ] &&
		[ "\$(sed 's/.*) //' "/proc/\$(cat "\$main")/stat" | cut -c1)" != Z ]
}
start() {
	running && return 0
	DHARMIC_HOME="$1" setsid "$AGENT_SIM" --interval 0.2 --no-pid-file \\
		</dev/null >/dev/null 2>&1 &
	echo \$! > "\$main"
}
stop() {
	running || return 0
	kill "\$(cat "\$main")"
	while running; do sleep 0.05; done
	: > "\$main"
}
case "\$1" in
daemon-reload) ;;
enable) if [ "\$2" = --now ]; then start; fi ;;
disable) if [ "\$2" = --now ]; then stop; fi ;;
start) start ;;
stop) stop ;;
kill) kill -9 "\$(cat "\$main")" ;;
show) if running; then cat "\$main"; else echo 0; fi ;;
*) echo "fake systemctl: unsupported: \$*" >&2; exit 2 ;;
esac
EOF
	chmod +x "$T/bin/systemctl"
	PATH="$T/bin:$PATH"
	export PATH
}

# unit_hash HOME: the tag of HOME's units (ops_service_unit): the first 10
# hex digits of the SHA-256 of its canonical path.
unit_hash() {
	printf '%s' "$(cd "$1" && pwd -P)" | sha256sum | cut -c1-10
}
