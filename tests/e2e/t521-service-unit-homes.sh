#!/bin/bash
# Many homes under one user, the unit side: each home's install writes its
# own unit (dharmic-agent-HASH.service, HASH from the home's path; the
# LaunchAgent and the --serve unit likewise) and leaves the other's alone;
# the one unit per user from before (dharmic-agent.service) is migrated by
# the install of the home it runs and left alone by another's; uninstall
# removes only its home's; troubleshoot lists the homes with a unit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"
A="$T/a home"	# a space: the unit quotes it, reading it back unquotes
B=$T/b
svc_home "$A"
svc_home "$B"
export HOME=$T/user
unset XDG_CONFIG_HOME
DIR=$HOME/.config/systemd/user
mkdir -p "$DIR"
NA=dharmic-agent-$(unit_hash "$A").service
NB=dharmic-agent-$(unit_hash "$B").service
[ "$NA" != "$NB" ] || fail "two homes, one name: $NA"

# --print: each home's unit names it; the name is stable
expect_rc 0 dharmic-ops install --print --home "$A"
printf '%s\n' "$OUT" > "$T/a.print"
head -1 "$T/a.print" | grep -qF "# $NA: written by" || fail "A's header: $(head -1 "$T/a.print")"
grep -qxF "Description=Dharmic agent daemon of $A" "$T/a.print" || fail "A's description"
grep -qxF "Environment=\"DHARMIC_HOME=$A\"" "$T/a.print" || fail "A's environment"
expect_rc 0 dharmic-ops install --print --home "$B"
printf '%s\n' "$OUT" > "$T/b.print"
head -1 "$T/b.print" | grep -qF "# $NB: written by" || fail "B's header"
grep -qxF "Environment=DHARMIC_HOME=$B" "$T/b.print" || fail "B's environment"
expect_rc 0 dharmic-ops install --print --home "$B/../b"
[ "$OUT" = "$(cat "$T/b.print")" ] || fail "the name depends on how the home was spelled"
for kind in "" --serve; do
	for h in "$A" "$B"; do
		expect_rc 0 dharmic-ops install $kind --print --format launchd --home "$h"
		printf '%s\n' "$OUT" | python3 -c 'import plistlib, sys; print(plistlib.loads(sys.stdin.buffer.read())["Label"])'
	done
done > "$T/labels"
printf 'com.dharmic.agent.%s\ncom.dharmic.agent.%s\ncom.dharmic.dashboard.%s\ncom.dharmic.dashboard.%s\n' \
	"$(unit_hash "$A")" "$(unit_hash "$B")" "$(unit_hash "$A")" "$(unit_hash "$B")" |
	diff -u - "$T/labels" || fail "launchd labels"
expect_rc 0 dharmic-ops install --serve --print --home "$B"
expect_match "^# dharmic-dashboard-$(unit_hash "$B")\\.service: written by" "$OUT"
[ ! -e "$DIR/$NA" ] && [ ! -e "$DIR/$NB" ] || fail "--print wrote a unit"

# A systemctl --user that keeps the set of enabled units in $T/enabled.
mkdir -p "$T/bin"
cat > "$T/bin/systemctl" <<EOF
#!/bin/sh
echo "\$*" >> "$T/calls"
[ "\$1" = --user ] || exit 2
shift
case "\$1" in
daemon-reload) ;;
enable) [ "\$2" = --now ] && shift; echo "\$2" >> "$T/enabled" ;;
disable) [ "\$2" = --now ] && shift; grep -vxF "\$2" "$T/enabled" > "$T/enabled.new"
	mv "$T/enabled.new" "$T/enabled" ;;
show) echo 0 ;;
*) echo "fake systemctl: unsupported: \$*" >&2; exit 2 ;;
esac
EOF
chmod +x "$T/bin/systemctl"
PATH="$T/bin:$PATH"
trouble() {
	set +e
	dharmic-ops troubleshoot --home "$1" > "$T/trouble" 2>&1
	set -e
}

# the unit from before, running A (what install wrote then)
sed 's/^# dharmic-agent-[0-9a-f]*\.service:/# dharmic-agent.service:/' "$T/a.print" > "$DIR/dharmic-agent.service"
cp "$DIR/dharmic-agent.service" "$T/legacy"
echo dharmic-agent.service > "$T/enabled"

# B first: its own unit; A's old one left alone
expect_rc 0 dharmic-ops install --home "$B"
expect_match "enabled and started $NB" "$OUT"
expect_no_match "migrat" "$OUT"
cmp -s "$DIR/dharmic-agent.service" "$T/legacy" || fail "B's install touched A's old unit"
cmp -s "$DIR/$NB" "$T/b.print" || fail "B's unit differs from its --print"
printf 'dharmic-agent.service\n%s\n' "$NB" | diff -u - "$T/enabled" || fail "enabled after B"
trouble "$B"
grep -qF "a systemd user unit is installed for 2 homes: $A, $B" "$T/trouble" ||
	fail "troubleshoot (B): $(grep -i unit "$T/trouble")"
grep -q "install migrates it" "$T/trouble" && fail "B told to migrate A's unit"
trouble "$A"
grep -qF "dharmic-agent.service runs this home under the one name per user" "$T/trouble" ||
	fail "troubleshoot (A) says nothing of the old unit: $(grep -i unit "$T/trouble")"
# until it is migrated, A's agent is run through its old unit
: > "$T/calls"
expect_rc 0 dharmic-ops stop --home "$A"
grep -qx -- '--user stop dharmic-agent.service' "$T/calls" || fail "stop A: $(cat "$T/calls")"

# A's install migrates its old unit: disabled and removed, its own written
cp "$DIR/$NB" "$T/b.before"
: > "$T/calls"
expect_rc 0 dharmic-ops install --home "$A"
expect_match "^migrating dharmic-agent\\.service" "$OUT"
expect_match "removed .*/dharmic-agent\\.service" "$OUT"
expect_match "enabled and started $NA" "$OUT"
[ ! -e "$DIR/dharmic-agent.service" ] || fail "the old unit is left"
cmp -s "$DIR/$NA" "$T/a.print" || fail "A's unit differs from its --print"
cmp -s "$DIR/$NB" "$T/b.before" || fail "A's install changed B's unit"
[ "$(grep -nx -- '--user disable --now dharmic-agent.service' "$T/calls" | cut -d: -f1)" -lt \
  "$(grep -nx -- "--user enable --now $NA" "$T/calls" | cut -d: -f1)" ] ||
	fail "not disabled before the new unit was enabled: $(cat "$T/calls")"
printf '%s\n%s\n' "$NB" "$NA" | diff -u - "$T/enabled" || fail "enabled after A"
[ "$(ls "$DIR" | sort)" = "$(printf '%s\n%s\n' "$NA" "$NB" | sort)" ] || fail "unit dir: $(ls "$DIR")"
trouble "$A"
grep -qF "a systemd user unit is installed for 2 homes: $A, $B" "$T/trouble" ||
	fail "troubleshoot after the migration: $(grep -i unit "$T/trouble")"
grep -q "install migrates it" "$T/trouble" && fail "still told to migrate"
# again: the same unit, nothing else
expect_rc 0 dharmic-ops install --home "$A"
expect_no_match "migrat" "$OUT"
cmp -s "$DIR/$NA" "$T/a.print" || fail "A's second install"
# A's agent now goes through A's unit
: > "$T/calls"
expect_rc 0 dharmic-ops stop --home "$A"
grep -qx -- "--user stop $NA" "$T/calls" || fail "stop A: $(cat "$T/calls")"

# uninstall A: only A's unit goes
: > "$T/calls"
expect_rc 0 dharmic-ops uninstall --home "$A"
expect_match "removed $DIR/$NA" "$OUT"
[ ! -e "$DIR/$NA" ] || fail "A's unit left"
cmp -s "$DIR/$NB" "$T/b.before" || fail "A's uninstall changed B's unit"
printf '%s\n' "$NB" | diff -u - "$T/enabled" || fail "enabled after uninstall A"
grep -qF "$NB" "$T/calls" && fail "A's uninstall spoke of B's unit"
expect_rc 0 dharmic-ops uninstall --home "$A"
expect_match "no unit installed" "$OUT"
trouble "$B"
grep -qF "a systemd user unit is installed for 1 home: $B" "$T/trouble" ||
	fail "troubleshoot after uninstall: $(grep -i unit "$T/trouble")"
expect_rc 0 dharmic-ops uninstall --home "$B"
[ -z "$(ls "$DIR")" ] || fail "units left: $(ls "$DIR")"
echo ok
