# bash completion for dharmic-ops(1) and, through the helpers here, for
# every ops-* program (their files in this directory source this one).
# Installed as share/bash-completion/completions/dharmic-ops, loaded by
# bash-completion when `dharmic-ops` is first completed.
#
# Options come from the program's own --help (the table that parses
# them), so completion cannot drift from the program; verbs from
# `dharmic-ops help`. The static lists are the fallback.

# The options PROG [VERB] takes, one "OPTION ARG" a line (ARG "-" for a
# flag), from its --help; cached for the shell's life.
declare -gA _dharmic_ops_optcache 2>/dev/null || true
_dharmic_ops_options()
{
	local key="$*" out
	if [ -z "${_dharmic_ops_optcache[$key]+x}" ]; then
		out=$("$@" --help 2>/dev/null | sed -n \
			's/^  \(-\(.\), \)\{0,1\} *--\([a-z-]*\)\( \([^ ]*\)\)\{0,1\}\(  .*\)\{0,1\}$/\2 \3 \5/p' |
			while read -r a b c; do
				# "t timeout SECONDS", "timeout SECONDS" or "json"
				if [ -n "$c" ]; then echo "-$a $c"; echo "--$b $c"
				elif [ -n "$b" ] && [ "${#a}" = 1 ]; then
					case $b in [A-Z]*) echo "--$a $b" ;; *) echo "-$a -"; echo "--$b -" ;; esac
				elif [ -n "$b" ]; then echo "--$a $b"
				else echo "--$a -"; fi
			done)
		_dharmic_ops_optcache[$key]=$out
	fi
	printf '%s\n' "${_dharmic_ops_optcache[$key]}"
}

# The home the command line names (--home/-H), else as the programs find it.
_dharmic_ops_home()
{
	local i w
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		--home|-H)
			# (a leading ~ as the shell would expand it; nothing is eval'd)
			w=${COMP_WORDS[i+1]}
			printf '%s\n' "${w/#\~/$HOME}"
			return ;;
		--home=*) printf '%s\n' "${COMP_WORDS[i]#--home=}"; return ;;
		esac
	done
	printf '%s\n' "${DHARMIC_HOME:-$HOME/DHARMIC_GODEL_CLAW}"
}

# The backup archives of that home, newest last.
_dharmic_ops_archives()
{
	local d f
	d="$(_dharmic_ops_home)/backups/memory"
	for f in "$d"/*.tar.zst "$d"/*.tar.zst.age; do
		[ -e "$f" ] && printf '%s\n' "${f##*/}"
	done
}

_dharmic_ops_checks="daemon heartbeat integrity disk email restarts backup cpu rss fds
host_memory load"
_dharmic_ops_alert_types="daemon_critical memory_corrupt disk_critical daemon_degraded
restart_loop disk_low email_errors backup_stale backup_failed backup_unverified
offsite_failed"
_dharmic_ops_log_kinds="daemon runtime email alerts health backup rotation restart cron"

# _dharmic_ops_complete START CMD...: complete COMP_WORDS[COMP_CWORD] for the
# command CMD (a program, or dharmic-ops and a built-in verb) whose own
# words begin at index START.
_dharmic_ops_complete()
{
	local start=$1; shift
	local cur=${COMP_WORDS[COMP_CWORD]} prev="" opts arg words="" i w verb="" sub=""
	local prog=${1##*/}
	[ "$COMP_CWORD" -gt "$start" ] && prev=${COMP_WORDS[COMP_CWORD-1]}
	opts=$(_dharmic_ops_options "$@")
	# the argument of an option
	if [ -n "$prev" ] && [[ $prev == -* ]]; then
		arg=$(awk -v o="$prev" '$1 == o { print $2; exit }' <<< "$opts")
		case $arg in
		DIR) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		FILE|FILE\|-) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		*\|*) COMPREPLY=($(compgen -W "${arg//|/ }" -- "$cur")); return ;;
		NAME) COMPREPLY=($(compgen -W "$_dharmic_ops_checks" -- "$cur")); return ;;
		TYPE) COMPREPLY=($(compgen -W "$_dharmic_ops_alert_types" -- "$cur")); return ;;
		''|-) ;;
		*) return ;;	# a number, a time, an address: nothing to offer
		esac
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(awk '{ print $1 }' <<< "$opts")" -- "$cur"))
		return
	fi
	# the positional words so far (skipping options and their arguments)
	for ((i = start; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -* ]]; then
			arg=$(awk -v o="$w" '$1 == o { print $2; exit }' <<< "$opts")
			[ -n "$arg" ] && [ "$arg" != - ] && ((i++))
			[ "$w" = --clear ] && sub=silence
			continue
		fi
		if [ -z "$verb" ]; then verb=$w; else sub=$w; fi
	done
	case $prog:$verb in
	ops-backup:) words="create verify list prune offsite" ;;
	ops-backup:verify) [ -z "$sub" ] && words=$(_dharmic_ops_archives) ;;
	ops-restore:) words="latest $(_dharmic_ops_archives)" ;;
	ops-alert:) words="run test status silence" ;;
	ops-alert:silence) [ -z "$sub" ] || [ "$sub" = silence ] &&
		words=$_dharmic_ops_alert_types ;;
	ops-dashboard:) words="show status watch html web json prom serve" ;;
	esac
	# (dharmic-ops VERB: the verb is the program for this table)
	if [ "$prog" = dharmic-ops ] && [ $# -ge 2 ]; then
		case $2:$verb in
		logs:) words=$_dharmic_ops_log_kinds ;;
		audit:) words="keygen" ;;
		esac
	fi
	COMPREPLY=($(compgen -W "$words" -- "$cur"))
}

_dharmic_ops_verbs()
{
	# The verbs come from `dharmic-ops help` (the table the program
	# dispatches from), so they cannot drift; the list is the fallback.
	local v
	v=$("${1:-dharmic-ops}" help 2>/dev/null | awk '/^  [a-z]/ { print $1 }')
	printf '%s\n' "${v:-act alert audit backup cron-install cron-uninstall dashboard
health help install logs report restart restore rotate start stop troubleshoot
uninstall version}"
}

_dharmic_ops()
{
	local cur=${COMP_WORDS[COMP_CWORD]} self=${COMP_WORDS[0]} verb
	COMPREPLY=()
	# the verb comes first: options before it are not taken
	if [ "$COMP_CWORD" -eq 1 ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_dharmic_ops_verbs "$self")" -- "$cur"))
		fi
		return
	fi
	verb=${COMP_WORDS[1]}
	case $verb in
	health|backup|restore|rotate|alert|dashboard)
		_dharmic_ops_complete 2 "$(dirname "$(command -v "$self" 2>/dev/null || echo .)")/ops-$verb" ;;
	rotate-logs)
		_dharmic_ops_complete 2 "$(dirname "$(command -v "$self" 2>/dev/null || echo .)")/ops-rotate" ;;
	help|version) ;;
	*) _dharmic_ops_complete 2 "$self" "$verb" ;;
	esac
}

# The ops-* programs: each file sources this one and names its program.
_dharmic_ops_program()
{
	COMPREPLY=()
	_dharmic_ops_complete 1 "${COMP_WORDS[0]}"
}

complete -F _dharmic_ops dharmic-ops
