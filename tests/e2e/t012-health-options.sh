#!/bin/bash
# Command line: --check runs only the named checks (an unknown name is
# UNKNOWN, exit 3); -t bounds the whole run; --json is one JSON object with
# the same verdict; --help/--version; bad usage exits 3.
. "$(dirname "$0")/lib.sh"
H=$T/home
healthy_home "$H"
P=$T/sleeper
printf '#!/bin/sh\nsleep 30\n' > "$P"
chmod +x "$P"
write_config "$H" "\"health\": {\"checks\": [{\"name\": \"sleeper\", \"command\": [\"$P\"], \"timeout\": \"60s\"}]}"

# --check: only those, in the documented order whatever the argument order
expect_rc 0 ops-health --home "$H" --no-record --check disk
expect_match '^DHARMIC-OPS OK - 1/1 checks ok \| '"'"'disk_free'"'"'=[0-9]+B;[0-9;:]+$' "$(first_line)"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 2 ] || fail "more than the disk check ran:
$OUT"
expect_rc 0 ops-health --home "$H" --no-record --check backup --check daemon
[ "$(printf '%s\n' "$OUT" | sed 1d | cut -d: -f1 | tr '\n' ' ')" = "daemon backup " ] ||
	fail "--check daemon --check backup: $OUT"
expect_rc 3 ops-health --home "$H" --no-record --check disk --check nosuch
expect_match "^DHARMIC-OPS UNKNOWN - no check named 'nosuch' \\(built-in: daemon heartbeat integrity disk email restarts backup" "$OUT"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] || fail "an unknown --check ran checks: $OUT"

# -t 1 with a plugin that sleeps 30 s (its own timeout 60 s): back in
# about a second, the plugin UNKNOWN, everything else still checked
start=$(date +%s%N)
expect_rc 3 ops-health --home "$H" --no-record -t 1
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -lt 4000 ] || fail "-t 1 took $ms ms"
expect_match '^DHARMIC-OPS UNKNOWN - sleeper: timed out after 1s \(10/11 checks ok\)' "$(first_line)"
expect_match '^sleeper: UNKNOWN - timed out after 1s$' "$OUT"
expect_rc 3 ops-health --home "$H" --no-record --timeout 0.5 --check sleeper
expect_match '^sleeper: UNKNOWN - timed out after 0.5s$' "$OUT"
pgrep -f "$P" >/dev/null && fail "the sleeper plugin was left running"
for bad in 0 -1 abc 1x 100000; do
	expect_rc 3 ops-health --home "$H" --no-record -t "$bad"
	[ -z "$OUT" ] || fail "-t $bad printed a status: $OUT"
	expect_match "^ops-health: invalid timeout '$bad'" "$ERR"
done

# --json: the same verdict as one object; the exit code does not change
expect_rc 3 ops-health --home "$H" -t 1 --json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["state"] == "UNKNOWN" and d["code"] == 3, d
assert d["summary"].startswith("sleeper: timed out"), d["summary"]
names = [c["name"] for c in d["checks"]]
assert names == ["daemon", "heartbeat", "integrity", "disk", "email", "restarts", "backup", "cpu", "rss", "fds", "sleeper"], names
for c in d["checks"]:
    assert set(c) >= {"name", "state", "code", "message", "perfdata", "since", "changed"}, c
    assert c["state"] == ["OK", "WARNING", "CRITICAL", "UNKNOWN"][c["code"]], c
disk = [c for c in d["checks"] if c["name"] == "disk"][0]
assert disk["perfdata"].startswith("'"'"'disk_free'"'"'="), disk
m = disk["metrics"][0]
assert m["label"] == "disk_free" and m["uom"] == "B" and m["value"] > 0, m
' || fail "bad --json output: $OUT"
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] || fail "--json is not one line"

# help, version, usage errors (exit 3, usage on stderr, nothing on stdout)
expect_rc 0 ops-health --help
expect_match '^usage: ops-health ' "$OUT"
expect_rc 0 ops-health --version
expect_match '^ops-health [0-9]+\.[0-9]+' "$OUT"
expect_rc 3 ops-health --home "$H" --bogus
[ -z "$OUT" ] || fail "usage error printed on stdout"
expect_match '^usage: ops-health ' "$ERR"
# no short -H/-c/-w: they mean host, critical, warning to Nagios users
for opt in -H -c -w; do
	expect_rc 3 ops-health "$opt" "$H"
	[ -z "$OUT" ] || fail "$opt printed a status: $OUT"
	expect_match '^usage: ops-health ' "$ERR"
done
expect_rc 3 ops-health --home "$H" extra
expect_match "unexpected argument 'extra'" "$ERR"
expect_rc 3 ops-health --home "$T/nowhere"
expect_match "^DHARMIC-OPS UNKNOWN - unable to use home '$T/nowhere': No such file or directory\$" "$OUT"
# the home from the environment
DHARMIC_HOME=$H expect_rc 3 ops-health --no-record --check sleeper -t 0.2
expect_match '^sleeper: UNKNOWN - timed out' "$OUT"
echo ok
