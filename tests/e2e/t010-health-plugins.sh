#!/bin/bash
# Configured plugin checks (health.checks): the exit code is the state
# (0-3, anything else UNKNOWN), the first output line the message, and
# perfdata after '|' passes through, each label prefixed with the check's
# name (NAME::label) so none can shadow a built-in one. A plugin past its timeout is killed
# (with its children) and UNKNOWN; one that cannot run is UNKNOWN.
. "$(dirname "$0")/lib.sh"
H=$T/home
healthy_home "$H"
P=$T/plugins
mkdir "$P"
for code in 0 1 2 3 4; do
	printf '#!/bin/sh\necho "plugin says %s | '"'"'p%s'"'"'=%s;1;2;0 q%s=7s"\necho "second line"\nexit %s\n' \
		"$code" "$code" "$code" "$code" "$code" > "$P/exit$code"
done
printf '#!/bin/sh\nexit 0\n' > "$P/quiet"
printf '#!/bin/sh\n(sleep 30; echo late) &\necho started; sleep 30\n' > "$P/slow"
printf '#!/bin/sh\nkill -9 $$\n' > "$P/killed"
chmod +x "$P"/*
checks=""
for code in 0 1 2 3 4; do checks="$checks{\"name\": \"c$code\", \"command\": [\"$P/exit$code\"]}, "; done
write_config "$H" "\"health\": {\"checks\": [$checks
	{\"name\": \"quiet\", \"command\": [\"$P/quiet\"]},
	{\"name\": \"slow\", \"command\": [\"$P/slow\"], \"timeout\": \"1s\"},
	{\"name\": \"killed\", \"command\": [\"$P/killed\"]},
	{\"name\": \"absent\", \"command\": [\"$P/no-such-plugin\"]},
	{\"name\": \"argv\", \"command\": [\"sh\", \"-c\", \"echo \\\"\$0 and \$1\\\"\", \"one word\", \"\$HOME;\"]}]}"

# each alone: state and exit code, message, perfdata passed through
for code in 0 1 2 3; do
	expect_rc "$code" ops-health --home "$H" --no-record --check "c$code"
	state=$(echo OK WARNING CRITICAL UNKNOWN | cut -d' ' -f$((code + 1)))
	expect_match "^c$code: $state - plugin says $code\$" "$OUT"
	expect_match "^DHARMIC-OPS $state - .*\\| 'c$code::p$code'=$code;1;2;0 'c$code::q$code'=7s\$" "$(first_line)"
	expect_no_match 'second line' "$OUT"
done
expect_rc 3 ops-health --home "$H" --no-record --check c4
expect_match '^c4: UNKNOWN - exit code 4: plugin says 4$' "$OUT"
expect_rc 0 ops-health --home "$H" --no-record --check quiet
expect_match '^quiet: OK - \(no output\)$' "$OUT"
expect_rc 3 ops-health --home "$H" --no-record --check killed
expect_match "^killed: UNKNOWN - $P/killed killed by signal 9\$" "$OUT"
expect_rc 3 ops-health --home "$H" --no-record --check absent
expect_match "^absent: UNKNOWN - unable to run '$P/no-such-plugin'" "$OUT"
# argv is passed as is: no shell, no expansion
expect_rc 0 ops-health --home "$H" --no-record --check argv
expect_match '^argv: OK - one word and \$HOME;$' "$OUT"

# the timeout: UNKNOWN after about a second, and nothing left running
start=$(date +%s%N)
expect_rc 3 ops-health --home "$H" --no-record --check slow
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -lt 4000 ] || fail "slow plugin held the run for $ms ms"
expect_match '^slow: UNKNOWN - timed out after 1s$' "$OUT"
pgrep -f "$P/slow" >/dev/null && fail "the timed-out plugin is still running"

# all together: the worst wins (CRITICAL), every perfdata item is kept
expect_rc 2 ops-health --home "$H" --no-record
expect_match '^DHARMIC-OPS CRITICAL - c2: plugin says 2, c1: plugin says 1, ' "$(first_line)"
expect_match '\(13/20 checks ok\)' "$(first_line)"
for code in 0 1 2 3 4; do expect_match "'c$code::p$code'=$code;1;2;0 'c$code::q$code'=7s" "$(first_line)"; done
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 21 ] || fail "expected 21 lines:
$OUT"
# a plugin's 'uptime' next to the built-in one: two labels, not one twice
printf '#!/bin/sh\necho "up | uptime=5s"\n' > "$P/uptime"
chmod +x "$P/uptime"
write_config "$H" "\"health\": {\"checks\": [{\"name\": \"up\", \"command\": [\"$P/uptime\"]}]}"
expect_rc 0 ops-health --home "$H" --no-record --check daemon --check up
expect_match "'uptime'=[0-9]+s;;;0 'up::uptime'=5s\$" "$(first_line)"
[ "$(first_line | grep -o "'uptime'=" | wc -l)" = 1 ] || fail "two 'uptime' labels: $(first_line)"
echo ok
