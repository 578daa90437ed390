#!/bin/bash
# --help of every program and built-in verb: a full screen (synopsis, every
# option with its argument, exit codes, the manual) that fits 80 columns;
# every option it lists is accepted (the same table parses them); usage
# errors carry the program's one prefix and say what was wrong.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"

# check_help PROG...: the help screen of PROG
check_help() {
	expect_rc 0 "$@" --help
	help=$OUT
	name="$*"
	expect_match "^usage: $name " "$help"
	expect_match '^Options:$' "$help"
	expect_match '^  -h, --help +show this help' "$help"
	expect_match '^(  -H, |      )--home DIR ' "$help"
	expect_match '^Exit codes' "$help"
	expect_match '^The manual: [a-z.-]+\([15]\)' "$help"
	[ "$(printf '%s\n' "$help" | awk 'length($0) > 79' | wc -l)" = 0 ] ||
		fail "$name --help is wider than 79 columns"
	# every option listed is accepted (with a plausible argument) before
	# --help; an unknown one would be a usage error instead
	printf '%s\n' "$help" | sed -n 's/^  \(-., \)\{0,1\} *--\([a-z-]*\)\( [^ ]*\)\{0,1\}\(  .*\)\{0,1\}$/\2\3/p' |
	while read -r opt arg; do
		case $arg in
		'') a=() ;;
		systemd*) a=(systemd) ;;
		*) a=(1) ;;
		esac
		"$@" "--$opt" "${a[@]}" --help >/dev/null 2>"$T/err" ||
			fail "$name --$opt ${a[*]} --help: $(cat "$T/err")"
	done
	# an unknown option: this program's prefix, the option named, no path
	expect_rc "$bad" "$@" --frobnicate
	[ "$(head -1 <<< "$ERR")" = "$name: unknown option '--frobnicate'" ] ||
		fail "$name --frobnicate: $ERR"
	expect_match "^Try '$name --help' for more\.$" "$ERR"
}

bad=3 check_help ops-health
for p in ops-backup ops-restore ops-rotate ops-alert ops-dashboard; do
	bad=2 check_help "$p"
done
for v in start stop restart logs status troubleshoot report install uninstall act audit \
    cron-install cron-uninstall; do
	bad=2 check_help dharmic-ops "$v"
done
# the options parsed and those shown are one table
expect_rc 0 ops-health --help
expect_match '^  -t, --timeout SECONDS +bound the whole run' "$OUT"
expect_match '^      --check NAME ' "$OUT"
expect_match '^  3  UNKNOWN ' "$OUT"

# usage errors say what was wrong
expect_rc 2 dharmic-ops start --force
[ "$(head -1 <<< "$ERR")" = "dharmic-ops start: unknown option '--force'" ] || fail "start --force: $ERR"
expect_rc 0 dharmic-ops stop --force --help
expect_rc 2 dharmic-ops logs --home "$H"
expect_match '^dharmic-ops logs: which log\?' "$ERR"
expect_rc 2 dharmic-ops logs -n many daemon
expect_match "^dharmic-ops logs: invalid line count 'many'" "$ERR"
expect_rc 2 dharmic-ops install --format upstart
expect_match "^dharmic-ops install: unknown format 'upstart' \(systemd or launchd\)" "$ERR"
expect_rc 3 ops-health -t
expect_match "^ops-health: option '-t' needs an argument \(SECONDS\)$" "$ERR"
expect_rc 3 ops-health --json=yes
expect_match "^ops-health: option '--json' takes no argument$" "$ERR"
expect_rc 2 ops-backup --home "$H" frobnicate
expect_match "^ops-backup: unknown verb 'frobnicate' \(create, verify, list, prune, offsite, keygen\)$" "$ERR"
expect_rc 2 ops-backup --home "$H" list --dry-run
expect_match '^ops-backup: --dry-run goes with prune, not list$' "$ERR"
expect_rc 2 ops-backup --home "$H" verify --all some.tar.zst
expect_match '^ops-backup: verify takes an archive or --all, not both$' "$ERR"
expect_rc 2 ops-rotate --home "$H" -j 0
expect_match "^ops-rotate: invalid job count '0' \(1 to 64\)$" "$ERR"
expect_rc 2 ops-alert --home "$H" silence disk_low
expect_match '^ops-alert: silence takes two arguments, TYPE DURATION$' "$ERR"
expect_rc 2 ops-dashboard --home "$H" json -o "$T/x"
expect_match '^ops-dashboard: -o goes with html, web and prom, not json$' "$ERR"
# no program prints its path as the prefix (getopt's own messages are off)
for p in ops-health ops-backup ops-restore ops-rotate ops-alert ops-dashboard; do
	set +e; "$p" --nope 2>&1 >/dev/null | grep -q "$OPS_BUILD" && fail "$p prints its path"; set -e
done
echo ok
