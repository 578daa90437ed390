#!/bin/bash
# Each dharmic-ops operation leaves exactly one audit entry, with the
# right actor: no terminal (none), cron (env -i and the crontab's
# DHARMIC_OPS_ACTOR=cron, no terminal), systemd ($INVOCATION_ID), a pty
# (script(1)), SUDO_USER; start, stop, restart (forced), cron-install,
# cron-uninstall, install, uninstall.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
H=$T/home
svc_home "$H"
fake_crontab
export HOME=$T/user
mkdir -p "$HOME"
DB=$H/.ops/state.db
count() { sqlite3 "$DB" "SELECT count(*) FROM audit" 2>/dev/null || echo 0; }
# row: the newest entry as "verb|outcome|user|sudo_user|tty|via|detail"
row() { sqlite3 "$DB" "SELECT verb, outcome, user, sudo_user, tty, via, detail FROM audit ORDER BY seq DESC LIMIT 1"; }
me=$(id -un)
n=0
# one VERB...: run it, expect exactly one more entry
one() {
	"$@" < /dev/null > "$T/one.out" 2>&1 || fail "'$*': $(cat "$T/one.out")"
	n=$((n + 1))
	[ "$(count)" -eq "$n" ] || fail "'$*' left $(($(count) - n + 1)) entries, expected 1"
	R=$(row)
}

# no terminal, SUDO_USER set
one env SUDO_USER=alice dharmic-ops start --home "$H"
track "$H"
expect_match "^start\\|done\\|$me\\|alice\\|\\|none\\|started the agent \\(pid [0-9]+\\)\$" "$R"

# cron: a clean environment, no terminal, the marker the crontab sets
one dharmic-ops cron-install --home "$H"
expect_match '^cron-install\|done\|' "$R"
line=$(grep 'DHARMIC_OPS_ACTOR=cron' "$T/crontab.table" | head -1)
[ -n "$line" ] || fail "the crontab entries do not set DHARMIC_OPS_ACTOR=cron"
one env -i PATH="$PATH" DHARMIC_HOME="$H" DHARMIC_OPS_ACTOR=cron setsid dharmic-ops stop
expect_match "^stop\\|done\\|$me\\|\\|\\|cron\\|stopped the agent" "$R"

# systemd, a forced restart
one env -i PATH="$PATH" INVOCATION_ID=0123456789abcdef setsid dharmic-ops restart --force --home "$H"
track "$H"
expect_match '^restart\|done\|[^|]*\|\|\|systemd\|manual, forced: ' "$R"

# a terminal (a pty through script(1))
timeout --foreground 30 script -qec "dharmic-ops restart --home '$H'" /dev/null \
	< /dev/null > "$T/pty.out" 2>&1 || fail "restart on a pty: $(cat "$T/pty.out")"
track "$H"
n=$((n + 1))
[ "$(count)" -eq "$n" ] || fail "restart on a pty: $(count) entries, expected $n"
expect_match '^restart\|done\|[^|]*\|\|/dev/pts/[0-9]+\|terminal\|manual: ' "$(row)"

# a failure is recorded as failed, once
one dharmic-ops stop --home "$H"
if dharmic-ops start --home "$H" --config /nonexistent.json > /dev/null 2>&1; then
	fail "start with a missing config succeeded"
fi
[ "$(count)" -eq "$n" ] || fail "a config error left an entry"
printf '{"daemon": {"command": ["/nonexistent/agent"], "start_timeout": "1s"}}\n' > "$T/bad.json"
set +e
dharmic-ops start --home "$H" --config "$T/bad.json" < /dev/null > /dev/null 2>&1
set -e
n=$((n + 1))
[ "$(count)" -eq "$n" ] || fail "a failed start: $(count) entries, expected $n"
expect_match '^start\|failed\|' "$(row)"

one dharmic-ops cron-uninstall --home "$H"
expect_match '^cron-uninstall\|done\|.*removed the dharmic-ops schedule' "$R"
# install/uninstall as a LaunchAgent file (no service manager needed)
dharmic-ops install --print --format launchd --home "$H" > /dev/null
[ "$(count)" -eq "$n" ] || fail "install --print left an entry"
if dharmic-ops install --format launchd --home "$H" < /dev/null > "$T/inst.out" 2>&1; then
	out=done
else
	out=failed
fi
n=$((n + 1))
[ "$(count)" -eq "$n" ] || fail "install: $(count) entries, expected $n"
expect_match "^install\\|$out\\|" "$(row)"

expect_rc 0 dharmic-ops audit --verify --home "$H"
[ "$(wc -l < "$H/logs/audit.log")" -eq "$n" ] || fail "audit.log: $(cat "$H/logs/audit.log")"
echo "ok"
