#!/bin/bash
# bash completion for all seven programs: one file each, loadable alone
# (bash-completion's lazy loading sources only the file named for the
# command), installed by CMake without the .bash suffix. Options come from
# each program's --help; verbs, check names, alert types, log kinds and
# archive names complete; the lists agree with the sources.
. "$(dirname "$0")/lib.sh"
D=$OPS_SRC/completions
for f in "$D"/*.bash; do bash -n "$f" || fail "$f does not parse"; done
[ "$(cd "$D" && ls | sort | tr '\n' ' ')" = "dharmic-ops.bash ops-alert.bash ops-backup.bash ops-dashboard.bash ops-health.bash ops-restore.bash ops-rotate.bash " ] ||
	fail "completion files: $(ls "$D")"
# comp FILE WORDS...: source FILE alone in a fresh shell, complete the last
# word (may be empty) of the command line, print the sorted candidates.
comp() {
	file=$1; shift
	bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		fn=$(complete -p "$1" | sed "s/.*-F \([^ ]*\) .*/\1/")
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"
	' comp "$D/$file.bash" "$@"
}
# expect_comp WANT FILE WORDS...
expect_comp() {
	want=$1; shift
	got=$(comp "$@")
	[ "$got" = "$want" ] || fail "completing '${*:2}': got '$got', want '$want'"
}

# dharmic-ops: the verbs from `dharmic-ops help`; nothing but --help and
# --version before the verb (the program takes no option there)
verbs=$(dharmic-ops help | awk '/^  [a-z]/ { print $1 }' | sort | tr '\n' ' ' | sed 's/ $//')
expect_comp "$verbs" dharmic-ops dharmic-ops ''
expect_comp "--help --version" dharmic-ops dharmic-ops --
expect_comp "cron-install cron-uninstall" dharmic-ops dharmic-ops cr
expect_comp "alerts backup cron daemon email health restart rotation runtime" dharmic-ops dharmic-ops logs ''
expect_comp "daemon" dharmic-ops dharmic-ops logs --home /tmp d
expect_comp "--config --force --help --home" dharmic-ops dharmic-ops stop --
expect_comp "--force" dharmic-ops dharmic-ops restart --f
expect_comp "--wait-heartbeat" dharmic-ops dharmic-ops start --w
expect_comp "launchd systemd" dharmic-ops dharmic-ops install --format ''
expect_comp "--print" dharmic-ops dharmic-ops install --p
expect_comp "--config --help --home --print --template" dharmic-ops dharmic-ops cron-install --
expect_comp "daemon disk" dharmic-ops dharmic-ops health --check d
expect_comp "disk_critical disk_low" dharmic-ops dharmic-ops alert silence disk_
expect_comp "prom" dharmic-ops dharmic-ops dashboard p
expect_comp "keygen" dharmic-ops dharmic-ops audit k
mkdir "$T/dir-a"
expect_comp "$T/dir-a" dharmic-ops dharmic-ops report --home "$T/dir-"
# every option a verb's --help lists, and no other
for v in start logs audit act; do
	want=$(dharmic-ops "$v" --help | grep -oE '^  (-., )? *--[a-z-]+' | grep -oE -- '--[a-z-]+' | sort | tr '\n' ' ' | sed 's/ $//')
	expect_comp "$want" dharmic-ops dharmic-ops "$v" --
done

# each ops-* program from its own file
H=$T/home
mkhome "$H"
mkdir -p "$H/backups/memory"
: > "$H/backups/memory/20260101_120000.tar.zst"
: > "$H/backups/memory/20260102_120000.tar.zst"
for p in ops-health ops-backup ops-restore ops-rotate ops-alert ops-dashboard; do
	want=$("$p" --help | grep -oE '^  (-., )? *--[a-z-]+' | grep -oE -- '--[a-z-]+' | sort | tr '\n' ' ' | sed 's/ $//')
	[ -n "$want" ] || fail "$p --help lists no option"
	expect_comp "$want" "$p" "$p" --
done
expect_comp "--timeout" ops-health ops-health --ti
expect_comp "-t" ops-health ops-health -t
expect_comp "" ops-health ops-health -t ''		# a number: nothing offered
expect_comp "backup" ops-health ops-health --check ba
expect_comp "cpu" ops-health ops-health --check cp
expect_comp "create list offsite prune verify" ops-backup ops-backup ''
expect_comp "20260101_120000.tar.zst 20260102_120000.tar.zst" ops-backup ops-backup --home "$H" verify ''
expect_comp "20260102_120000.tar.zst" ops-restore ops-restore --home "$H" 20260102
expect_comp "latest" ops-restore ops-restore --home "$H" la
expect_comp "$T/dir-a" ops-restore ops-restore --to "$T/dir-"
expect_comp "run silence status test" ops-alert ops-alert ''
expect_comp "backup_failed backup_stale backup_unverified" ops-alert ops-alert silence backup_
expect_comp "email_errors" ops-alert ops-alert silence --clear em
expect_comp "html json prom serve show status watch web" ops-dashboard ops-dashboard ''
expect_comp "--jobs" ops-rotate ops-rotate --jo
expect_comp "" ops-rotate ops-rotate ''

# the lists agree with the sources
src_list() { sed -n "/$1/,/NULL/p" "$OPS_SRC/$2" | grep -oE '"[a-z_]+"' | tr -d '"' | sort | tr '\n' ' ' | sed 's/ $//'; }
expect_comp "$(src_list 'ops_alert_builtin\[\] = ' lib/ops_alert.c)" ops-alert ops-alert silence ''
expect_comp "$(src_list 'ops_logs_kinds\[\] = ' lib/ops_logs.c)" dharmic-ops dharmic-ops logs ''

# installed: one file per program, named as the program, each loadable alone
# (the build's install manifest is shared: one install at a time)
flock "$OPS_BUILD/.install.lock" cmake --install "$OPS_BUILD" --prefix "$T/inst" >/dev/null
I=$T/inst/share/bash-completion/completions
[ "$(ls "$I" | sort | tr '\n' ' ')" = "dharmic-ops ops-alert ops-backup ops-dashboard ops-health ops-restore ops-rotate " ] ||
	fail "installed completions: $(ls "$I")"
got=$(bash -c '. "$1"; COMP_WORDS=(ops-alert silence disk_l); COMP_CWORD=2; _dharmic_ops_program; echo "${COMPREPLY[*]}"' x "$I/ops-alert")
[ "$got" = disk_low ] || fail "installed ops-alert completion: '$got'"
echo ok
