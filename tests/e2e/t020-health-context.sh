#!/bin/bash
# Log context (health.context): when a check becomes non-OK the last lines
# of its context file are captured once, stored with the incident, and
# travel with the alert: the email body and the webhook and command JSON
# ("context": {"source", "lines"}), with a secret from .env redacted and
# control characters made harmless.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
H=$T/home
healthy_home "$H"
printf 'OPENAI_API_KEY="sk-live-9f8e7d6c5b4a"\nDEBUG=1\n' > "$H/.env"
chmod 600 "$H/.env"
{
	for i in $(seq 20); do echo "2026-12-01 10:00:$i [INFO] working $i"; done
	echo "2026-12-01 10:01:00 [ERROR] upstream refused key sk-live-9f8e7d6c5b4a"
	printf '2026-12-01 10:01:01 [ERROR] bad bytes \033[31mred\033[0m\n'
	echo "2026-12-01 10:01:02 [INFO] retrying"
} > "$H/logs/app.log"

cat > "$T/sendmail" <<EOS
#!/bin/sh
cat > "$T/mail.\$\$"
EOS
chmod 700 "$T/sendmail"
python3 - "$T" <<'EOF_PY' &
import http.server, os, sys, time
d = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(os.path.join(d, "hook.json"), "wb") as f:
            f.write(body)
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
s.timeout = 0.5
with open(os.path.join(d, "port.tmp"), "w") as f:
    f.write(str(s.server_address[1]))
os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
end = time.time() + 30
while time.time() < end and not os.path.exists(os.path.join(d, "hook.json")):
    s.handle_request()
EOF_PY
_pids="$_pids $!"
wait_for 10 test -s "$T/port"

alert_config "$H" '{"logs": [{"name": "app", "path": "logs/app.log", "warn": 0, "crit": 1}],
	"context": {"app": {"file": "logs/app.log", "max_lines": 3}}}' \
	"{\"sendmail\": \"$T/sendmail\", \"email\": \"ops@example.org\",
	  \"webhook\": \"http://127.0.0.1:$(cat "$T/port")/hook\"}"
# (CRITICAL, so that it is emailed too)
expect_rc 2 ops-health --home "$H"
expect_match '^app: CRITICAL - 2 errors in the last 23 lines of logs/app\.log$' "$OUT"
[ "$(sqlite3 "$H/.ops/state.db" 'SELECT count(*) FROM incident_context')" = 1 ] ||
	fail "the context was not captured once"
# ongoing: not captured again
echo "2026-12-01 10:02:00 [INFO] later" >> "$H/logs/app.log"
expect_rc 2 ops-health --home "$H"
[ "$(sqlite3 "$H/.ops/state.db" 'SELECT count(*) FROM incident_context')" = 1 ] ||
	fail "the context was captured again for the same incident"
sqlite3 "$H/.ops/state.db" 'SELECT lines FROM incident_context' | grep -q 'sk-live' &&
	fail "the secret was stored"

expect_rc 0 ops-alert --home "$H" run
wait_for 10 test -s "$T/hook.json"
python3 - "$T" <<'EOF_PY'
import glob, json, sys
d = sys.argv[1]
want = ["2026-12-01 10:01:00 [ERROR] upstream refused key [redacted]",
        "2026-12-01 10:01:01 [ERROR] bad bytes ?[31mred?[0m",
        "2026-12-01 10:01:02 [INFO] retrying"]
hook = json.load(open(d + "/hook.json"))
assert hook["type"] == "check_app", hook
assert hook["context"] == {"source": "logs/app.log", "lines": want}, hook["context"]
rec = open(d + "/received.txt").read()
cmd = [json.loads(l) for l in rec.splitlines() if l.startswith("{")]
assert cmd and cmd[0]["context"]["lines"] == want, rec
mails = glob.glob(d + "/mail.*")
assert len(mails) == 1, mails
mail = open(mails[0]).read()
assert "Log context, from logs/app.log:\n" + "\n".join(want) + "\n" in mail, mail
for text in (open(d + "/hook.json").read(), rec, mail):
    assert "sk-live" not in text and "\033" not in text, text
EOF_PY

# troubleshoot CHECK: the state and the lines of the incident
expect_rc 1 dharmic-ops troubleshoot --home "$H" app
expect_match '^app: CRITICAL since [0-9-]+ [0-9:]+ - 2 errors in the last 2[34] lines of logs/app\.log$' "$OUT"
expect_match '^Log context captured [0-9-]+ [0-9:]+ from logs/app\.log:$' "$OUT"
expect_match '^2026-12-01 10:01:00 \[ERROR\] upstream refused key \[redacted\]$' "$OUT"
expect_rc 0 dharmic-ops troubleshoot --home "$H" disk
expect_match '^No log context configured' "$OUT"
expect_rc 2 dharmic-ops troubleshoot --home "$H" nosuch
expect_match "no check named 'nosuch'" "$ERR"

# the dashboard's check detail, JSON and HTML
expect_rc 0 ops-dashboard --home "$H" json
printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = [x for x in d["checks"] if x["name"] == "app"][0]
assert c["context"]["source"] == "logs/app.log", c
assert c["context"]["lines"][0].endswith("upstream refused key [redacted]"), c
assert "sk-live" not in json.dumps(d)' || fail "no context in the dashboard JSON: $OUT"
ops-dashboard --home "$H" html -o "$T/dash.html" >/dev/null 2>&1 || ops-dashboard --home "$H" html > "$T/dash.html"
grep -q '<summary>Log context, from logs/app.log</summary><pre>' "$T/dash.html" ||
	fail "no context in the dashboard page"
grep -q 'sk-live' "$T/dash.html" && fail "the secret is on the page"

# A check's own "context" key: an endpoint that is down carries the last
# lines of its own log with the alert (the secret redacted); its key wins
# over a health.context entry for the same check.
printf 'web 1\nweb 2 token sk-live-9f8e7d6c5b4a\nweb 3 \033[2Jcleared\n' > "$H/logs/web.log"
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
: > "$REC"
alert_config "$H" "{\"endpoints\": [{\"name\": \"web\", \"url\": \"tcp://127.0.0.1:$closed\",
	\"context\": {\"file\": \"logs/web.log\", \"max_lines\": 2}}],
	\"context\": {\"web\": {\"file\": \"logs/app.log\"}}}"
expect_rc 2 ops-health --home "$H"
expect_match '^web: CRITICAL - ' "$OUT"
[ "$(sqlite3 "$H/.ops/state.db" "SELECT source FROM incident_context WHERE name='web'")" = logs/web.log ] ||
	fail "the endpoint's own context was not the one captured"
expect_rc 0 ops-alert --home "$H" run
python3 - "$REC" <<'EOF_PY'
import json, sys
rec = open(sys.argv[1]).read()
cmd = [json.loads(l) for l in rec.splitlines() if l.startswith("{")]
web = [c for c in cmd if c["type"] == "check_web"]
assert len(web) == 1, rec
assert web[0]["context"] == {"source": "logs/web.log",
                             "lines": ["web 2 token [redacted]", "web 3 ?[2Jcleared"]}, web[0]
assert "sk-live" not in rec and "\033" not in rec, rec
EOF_PY
expect_rc 1 dharmic-ops troubleshoot --home "$H" web
expect_match '^Log context captured [0-9-]+ [0-9:]+ from logs/web\.log:$' "$OUT"
# the same for a plugin and a log entry: their own key is read
alert_config "$H" '{"checks": [{"name": "p", "command": ["false"],
	"context": {"newest": "logs/we*.log", "max_lines": 1}}]}'
expect_rc 1 ops-health --home "$H" --check p
[ "$(sqlite3 "$H/.ops/state.db" "SELECT lines FROM incident_context WHERE name='p'")" = 'web 3 ?[2Jcleared' ] ||
	fail "the plugin's own context: $(sqlite3 "$H/.ops/state.db" "SELECT * FROM incident_context WHERE name='p'")"

# the configuration: one source, max_lines capped, paths in the home
for bad in '{"app": {"file": "a.log", "journal": "x"}}' '{"app": {"file": "a.log", "max_lines": 501}}' \
    '{"app": {"file": "/etc/passwd"}}' '{"app": {"newest": "../*.log"}}' '{"app": {"tail": "a.log"}}' \
    '{"app": {"journal": "--root=/"}}'; do
	alert_config "$H" "{\"context\": $bad}"
	expect_rc 3 ops-health --home "$H" --no-record
	expect_match "health\\.context\\.app" "$OUT"
done
# the same rules for a check's own key
for bad in '{"file": "a.log", "journal": "x"}' '{"file": "a.log", "max_lines": 501}' \
    '{"file": "/etc/passwd"}' '{"newest": "../*.log"}' '{"tail": "a.log"}' '{"journal": "--root=/"}' \
    '"logs/a.log"' '{}'; do
	alert_config "$H" "{\"logs\": [{\"name\": \"app\", \"path\": \"logs/app.log\", \"context\": $bad}]}"
	expect_rc 3 ops-health --home "$H" --no-record
	expect_match "health\\.logs\\[0\\]\\.context" "$OUT"
done
echo ok
