#!/bin/bash
# The webhook: a JSON POST to a local HTTP server with every field; a 500
# is a failed delivery, retried on the next run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
fresh_backup "$H"
# Answers 500 to the first POST and 200 to the next, saves each body and
# Content-Type; exits after two requests or 20 s, whichever comes first.
python3 - "$T" <<'EOF_PY' &
import http.server, os, sys, time
d = sys.argv[1]
n = 0
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global n
        n += 1
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(os.path.join(d, "hook.%d" % n), "wb") as f:
            f.write(self.headers.get("Content-Type", "").encode() + b"\n" + body)
        self.send_response(500 if n == 1 else 200)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
s.timeout = 0.5
with open(os.path.join(d, "port.tmp"), "w") as f:
    f.write(str(s.server_address[1]))
os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
end = time.time() + 20
while n < 2 and time.time() < end:
    s.handle_request()
EOF_PY
srv=$!
_pids="$_pids $srv"
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || fail "the test server did not start"
alert_config "$H" '' "{\"webhook\": \"http://127.0.0.1:$(cat "$T/port")/hook\", \"command\": []}"
now=$(date +%s)
expect_rc 1 alert_at "$now" --home "$H"
expect_match 'daemon_critical: webhook: delivery failed: webhook: HTTP 500' "$ERR"
expect_rc 0 alert_at $((now + 60)) --home "$H"
[ -s "$T/hook.2" ] || fail "no second POST"
python3 - "$T/hook.2" <<'EOF_PY'
import json, sys
ctype, body = open(sys.argv[1]).read().split("\n", 1)
assert ctype == "application/json", ctype
d = json.loads(body)
for k in ("type", "severity", "title", "message", "host", "timestamp", "state"):
    assert isinstance(d[k], str) and d[k], (k, d)
assert d["type"] == "daemon_critical" and d["severity"] == "CRITICAL", d
assert d["title"] == "Daemon Critical Failure" and d["state"] == "firing", d
assert d["message"].startswith("Process not running"), d
assert d["timestamp"][:4].isdigit() and "T" in d["timestamp"], d
EOF_PY
expect_match '\[CRITICAL\] Daemon Critical Failure' "$(tail -1 "$H/logs/alerts.log")"
# the server is gone: a refused connection is a reported failure
wait "$srv"
expect_rc 1 ops-alert --home "$H" test
expect_match '^webhook +FAILED: webhook: ' "$OUT"
expect_match '^command +not configured' "$OUT"
echo ok
