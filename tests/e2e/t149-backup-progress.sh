#!/bin/bash
# On a terminal ops-backup shows a progress line, and clears it before
# anything else is printed: "backup complete" starts a clean line, never
# "archive  100%backup complete". Likewise ops-restore's.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || skip "script(1) is not installed"
H=$T/home
mkhome "$H"
SHELL=/bin/sh timeout 60 script -qfc "ops-backup --home '$H' create" "$T/tty" </dev/null >/dev/null ||
	fail "ops-backup create under script failed: $(cat "$T/tty")"
python3 - "$T/tty" <<'PY'
import re, sys
raw = open(sys.argv[1], "rb").read()
assert b"backup complete:" in raw, raw[-400:]
assert re.search(rb"ops-backup: \w+ +\d+%", raw), "no progress line shown"
# each run of progress ends with the line cleared before the next text
for m in re.finditer(rb"\d+%(?!\r)", raw):
    rest = raw[m.end():]
    assert rest.startswith(b"\r"), "text right after a percentage: %r" % raw[m.start():m.end() + 40]
before = raw[:raw.index(b"backup complete:")]
assert before.endswith(b"\r\x1b[K"), "progress not cleared before the result: %r" % before[-60:]
PY
SHELL=/bin/sh timeout 60 script -qfc "ops-restore --home '$H' --yes --to '$T/out'" "$T/tty2" </dev/null >/dev/null ||
	fail "ops-restore --to under script failed: $(cat "$T/tty2")"
python3 - "$T/tty2" <<'PY'
import re, sys
raw = open(sys.argv[1], "rb").read()
for m in re.finditer(rb"extract +\d+%", raw):
    assert raw[m.end():].startswith(b"\r"), "text right after a percentage: %r" % raw[m.start():m.end() + 40]
PY
echo ok
