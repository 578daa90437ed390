#!/bin/bash
# The outputs added after ops_sanitize go through it too: a plugin printing
# invalid UTF-8, escape sequences, C1 controls and a bidi override still
# gives valid UTF-8 JSON from every serve API route, a /metrics promtool
# accepts, and an HTML page (file and served) that is valid UTF-8 with no
# control characters, whatever the home holds (a check name that is not
# UTF-8 recorded in the state database too), and the terminal outputs
# that show them hold no escape sequence.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
. "$(dirname "$0")/servelib.sh"
command -v curl >/dev/null || skip "curl is not installed"
H=$T/home
healthy_home "$H"
printf '#!/bin/sh\nprintf "bad \\377\\376 \\033[31mred\\033[0m \\302\\233""2J\\342\\200\\256txt \\001\\177 <b>\\n"\nexit 1\n' > "$T/plugin"
chmod +x "$T/plugin"
alert_config "$H" "{\"checks\": [{\"name\": \"bytes\", \"command\": [\"$T/plugin\"]}]}"
ops-health --home "$H" >/dev/null 2>&1 || true
ops-alert --home "$H" >/dev/null 2>&1 || true
sqlite3 "$H/.ops/state.db" "INSERT INTO check_current(name,state,since,last,message)
  VALUES(CAST(X'6e616d65ff1b5b316d' AS TEXT), 1, strftime('%s','now'), strftime('%s','now'),
  CAST(X'6d7367ff1b5d303b78079bc280' AS TEXT))"

strict_json() {
	python3 -c 'import json, sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))' "$1"
}
# clean_text FILE: valid UTF-8, no control character but newline and tab,
# no C1 control, no bidi override.
clean_text() {
	python3 - "$1" <<'PY'
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "strict")
bad = [c for c in t if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f
       or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069]
assert not bad, "control characters: %r" % bad
PY
}

expect_rc 0 ops-dashboard --home "$H" html -o "$T/page.html"
clean_text "$T/page.html" || fail "the HTML file holds invalid UTF-8 or control characters"
grep -q 'red' "$T/page.html" || fail "the plugin's message is not on the page"
grep -q '&lt;b&gt;' "$T/page.html" || fail "the plugin's markup is not escaped on the page"

# terminal outputs that show the plugin's message or the recorded name
for cmd in "ops-dashboard show" "ops-dashboard status" "dharmic-ops status" \
    "ops-alert status" "dharmic-ops troubleshoot"; do
	set -- $cmd
	"$@" --home "$H" > "$T/term.txt" 2>&1 || true
	clean_text "$T/term.txt" || fail "$cmd passes invalid UTF-8 or control characters"
done

start_serve "$H"
for p in api/v1/status api/v1/checks api/v1/alerts api/v1/backups health \
    'api/v1/history?since=0' 'api/v1/history?check=bytes&since=0'; do
	code=$(http_code "$URL$p")
	case $code in 200|503) ;; *) fail "/$p: $code $(cat "$T/body")" ;; esac
	strict_json "$T/body" || fail "/$p: not valid UTF-8 JSON"
done
grep -q 'red' "$T/body" || fail "the history lost the plugin's message"
[ "$(http_code "${URL}")" = 200 ] || fail "/: $(cat "$T/body")"
clean_text "$T/body" || fail "the served page holds invalid UTF-8 or control characters"
[ "$(http_code "${URL}metrics")" = 200 ] || fail "/metrics: $(cat "$T/body")"
python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8", "strict")' "$T/body" ||
	fail "/metrics is not valid UTF-8"
if command -v promtool >/dev/null; then
	promtool check metrics < "$T/body" || fail "promtool rejects /metrics"
fi

# ops-backup list --json: archive paths are bytes from the disk (a home
# whose name is not UTF-8); dharmic-ops audit --json: an entry written
# into the database by hand, not through the recorder that cleans it.
H2="$T/bad$(printf '\377\033')[2Jhome"
mkhome "$H2"
add_backup "$H2" 60
expect_rc 0 ops-backup --home "$H2" list --json
printf '%s\n' "$OUT" > "$T/list.json"
strict_json "$T/list.json" || fail "ops-backup list --json is not valid UTF-8 JSON"
sqlite3 "$H/.ops/state.db" "INSERT INTO audit(ts,program,verb,outcome,detail,uid,user,sudo_user,tty,via,prev,hash)
  VALUES(strftime('%s','now'),'x','act','done',CAST(X'64ff1b5b324a' AS TEXT),0,'u','','','cli','','')"
dharmic-ops audit --json --home "$H" > "$T/audit.json" || true
grep -q '"act"' "$T/audit.json" || fail "the audit entry is not listed: $(cat "$T/audit.json")"
strict_json "$T/audit.json" || fail "dharmic-ops audit --json is not valid UTF-8 JSON"
echo ok
