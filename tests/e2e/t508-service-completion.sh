#!/bin/bash
# bash completion: every verb of `dharmic-ops help`, and each verb's
# arguments.
. "$(dirname "$0")/lib.sh"
C=$OPS_SRC/completions/dharmic-ops.bash
bash -n "$C" || fail "completion script does not parse"
. "$C"
# comp WORDS...: complete the last word (may be empty) of the command line
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_dharmic_ops
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
verbs=$(dharmic-ops help | awk '/^  [a-z]/ { print $1 }' | sort | tr '\n' ' ' | sed 's/ $//')
[ "$(comp dharmic-ops '')" = "$verbs" ] || fail "verbs: '$(comp dharmic-ops '')' vs '$verbs'"
[ "$(comp dharmic-ops cr)" = "cron-install cron-uninstall" ] || fail "cr"
[ "$(comp dharmic-ops logs '')" = "alerts backup cron daemon email health restart rotation runtime" ] ||
	fail "logs kinds: $(comp dharmic-ops logs '')"
[ "$(comp dharmic-ops --home /tmp logs d)" = "daemon" ] || fail "after --home"
[ "$(comp dharmic-ops stop --)" = "--config --force --help --home" ] || fail "stop options: $(comp dharmic-ops stop --)"
[ "$(comp dharmic-ops restart --f)" = "--force" ] || fail "restart --f"
[ "$(comp dharmic-ops start --w)" = "--wait-heartbeat" ] || fail "start --w"
[ "$(comp dharmic-ops install --format '')" = "launchd systemd" ] || fail "--format"
[ "$(comp dharmic-ops install --p)" = "--print" ] || fail "install --p"
[ "$(comp dharmic-ops cron-install --)" = "--config --help --home --print --template" ] || fail "cron-install"
[ "$(comp dharmic-ops health --check d)" = "daemon disk" ] || fail "--check"
[ "$(comp dharmic-ops alert silence disk_)" = "disk_critical disk_low" ] || fail "silence TYPE"
[ "$(comp dharmic-ops dashboard p)" = "prom" ] || fail "dashboard"
mkdir "$T/dir-a"
[ "$(comp dharmic-ops report --home "$T/dir-")" = "$T/dir-a" ] || fail "--home DIR"
echo ok
