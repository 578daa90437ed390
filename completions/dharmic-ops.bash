# bash completion for dharmic-ops(1): verbs and their arguments.
# Installed as share/bash-completion/completions/dharmic-ops.

_dharmic_ops_verbs()
{
	# The verbs come from `dharmic-ops help` (the table the program
	# dispatches from), so they cannot drift; the list is the fallback.
	local v
	v=$("${1:-dharmic-ops}" help 2>/dev/null | awk '/^  [a-z]/ { print $1 }')
	printf '%s\n' "${v:-alert backup cron-install cron-uninstall dashboard health help
install logs report restart restore rotate start stop troubleshoot uninstall version}"
}

_dharmic_ops()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local verb="" i words opts="--home --config --help"

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--home|--config) ((i++)) ;;
		-*) ;;
		*) verb=${COMP_WORDS[i]}; break ;;
		esac
	done
	COMPREPLY=()
	case $prev in
	--home|--to)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--config|--template|-o)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--format)
		COMPREPLY=($(compgen -W "systemd launchd" -- "$cur")); return ;;
	--check)
		COMPREPLY=($(compgen -W "daemon heartbeat integrity disk email restarts backup" \
			-- "$cur")); return ;;
	-n|--lines|-t|--timeout|-j)
		return ;;
	esac
	if [ -z "$verb" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_dharmic_ops_verbs "${COMP_WORDS[0]}")" -- "$cur"))
		fi
		return
	fi
	case $verb in
	start) opts="$opts --wait-heartbeat" ;;
	stop) opts="$opts --force" ;;
	restart) opts="$opts --force --wait-heartbeat" ;;
	logs)
		opts="$opts -f --follow -n --lines"
		words="daemon runtime email alerts health backup rotation restart cron" ;;
	install) opts="$opts --print --format" ;;
	uninstall) opts="$opts --format" ;;
	cron-install) opts="$opts --print --template" ;;
	health) opts="$opts --json --full --check --timeout --no-record" ;;
	backup)
		opts="$opts --verbose --all --json --dry-run --allow-corrupt --retry"
		words="create verify list prune offsite" ;;
	restore)
		opts="$opts --yes --dry-run --list --to"
		words="latest" ;;
	rotate | rotate-logs) opts="$opts --dry-run -j" ;;
	alert)
		opts="$opts --clear"
		words="run test status silence"
		if [ "$prev" = silence ] || [ "$prev" = --clear ]; then
			words="daemon_critical daemon_degraded disk_critical disk_low email_errors
memory_corrupt restart_loop backup_stale backup_failed backup_unverified offsite_failed"
		fi ;;
	dashboard)
		opts="$opts -o"
		words="show watch html web json prom" ;;
	help | version) opts="" ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	else
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		if [ "$verb" = restore ] && [[ $cur != l* ]]; then
			COMPREPLY+=($(compgen -f -- "$cur"))
		fi
	fi
}
complete -F _dharmic_ops dharmic-ops
