# bash completion for ops-backup(1): options (from its --help), verbs and
# names. Installed as share/bash-completion/completions/ops-backup; the
# helpers are dharmic-ops's, in the same directory.
_dharmic_ops_dir=${BASH_SOURCE[0]%/*}
if ! declare -F _dharmic_ops_program >/dev/null; then
	if [ -f "$_dharmic_ops_dir/dharmic-ops" ]; then
		. "$_dharmic_ops_dir/dharmic-ops"
	elif [ -f "$_dharmic_ops_dir/dharmic-ops.bash" ]; then
		. "$_dharmic_ops_dir/dharmic-ops.bash"
	fi
fi
unset _dharmic_ops_dir
complete -F _dharmic_ops_program ops-backup
