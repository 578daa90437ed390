#!/bin/bash
# Endpoints that mean it: expect_status (list, range), expect_body
# (substring, regex), expect_json (200 {"status":"degraded"} is CRITICAL),
# response-time limits, and an https certificate's days left, served by
# openssl s_server with a self-signed certificate valid for 2 days.
. "$(dirname "$0")/lib.sh"
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
command -v openssl >/dev/null || skip "openssl not installed"
H=$T/home
healthy_home "$H"

cat > "$T/server.py" <<'PY'
import http.server, sys, time
ANSWERS = {
    "/ok": (200, b'{"status": "ok", "checks": [{"db": "ok"}]}'),
    "/degraded": (200, b'{"status": "degraded", "checks": [{"db": "down\\u001b[2J"}]}'),
    "/text": (200, b"all systems go\n"),
    "/created": (201, b"made"),
    "/teapot": (418, b"short and stout"),
    "/big": (200, b"x" * (2 << 20)),
}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/slow":
            time.sleep(0.4)
        code, body = ANSWERS.get(self.path, (200, b"ok"))
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
s.daemon_threads = True
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PY
python3 "$T/server.py" "$T/port" &
_pids="$_pids $!"
wait_for 10 test -s "$T/port"
port=$(cat "$T/port")
u="http://127.0.0.1:$port"

ep() { write_config "$H" "\"health\": {\"endpoints\": [$1]}"; }

# expect_json: 200 with a degraded status is CRITICAL, naming what it got
ep "{\"name\": \"api\", \"url\": \"$u/degraded\", \"expect_json\": {\"path\": \"status\", \"equals\": \"ok\"}}"
expect_rc 2 ops-health --home "$H" --no-record --check api
expect_match "^api: CRITICAL - $u/degraded: HTTP 200, but status is \"degraded\", expected \"ok\"\$" "$OUT"
ep "{\"name\": \"api\", \"url\": \"$u/ok\", \"expect_json\": {\"path\": \"status\", \"equals\": \"ok\"}}"
expect_rc 0 ops-health --home "$H" --no-record --check api
expect_match "^api: OK - $u/ok up in [0-9]+ ms\$" "$OUT"
# a path into an array; a control sequence from the answer never reaches the output
ep "{\"name\": \"api\", \"url\": \"$u/degraded\", \"expect_json\": {\"path\": \"checks.0.db\", \"equals\": \"ok\"}}"
expect_rc 2 ops-health --home "$H" --no-record --check api
expect_match "^api: CRITICAL - $u/degraded: HTTP 200, but checks\\.0\\.db is \"down\\\\u001b\\[2J\", expected \"ok\"\$" "$OUT"
printf '%s' "$OUT" | grep -q "$(printf '\033')" && fail "an escape character reached the output"
ep "{\"name\": \"api\", \"url\": \"$u/text\", \"expect_json\": {\"path\": \"status\", \"equals\": \"ok\"}}"
expect_rc 2 ops-health --home "$H" --no-record --check api
expect_match "^api: CRITICAL - $u/text: HTTP 200, but the answer is not JSON\$" "$OUT"
ep "{\"name\": \"api\", \"url\": \"$u/ok\", \"expect_json\": {\"path\": \"version\", \"equals\": 2}}"
expect_rc 2 ops-health --home "$H" --no-record --check api
expect_match "^api: CRITICAL - $u/ok: HTTP 200, but no 'version' in the answer\$" "$OUT"

# expect_body: substring and regex; a body larger than 1 MiB is refused
ep "{\"name\": \"web\", \"url\": \"$u/text\", \"expect_body\": \"systems go\"}"
expect_rc 0 ops-health --home "$H" --no-record --check web
ep "{\"name\": \"web\", \"url\": \"$u/text\", \"expect_body\": \"systems down\"}"
expect_rc 2 ops-health --home "$H" --no-record --check web
expect_match "^web: CRITICAL - $u/text: HTTP 200, but the answer does not contain 'systems down'\$" "$OUT"
ep "{\"name\": \"web\", \"url\": \"$u/text\", \"expect_body\": {\"regex\": \"^all (systems|hands) go\$\"}}"
expect_rc 0 ops-health --home "$H" --no-record --check web
ep "{\"name\": \"web\", \"url\": \"$u/text\", \"expect_body\": {\"regex\": \"^go\"}}"
expect_rc 2 ops-health --home "$H" --no-record --check web
expect_match "^web: CRITICAL - $u/text: HTTP 200, but the answer does not match /\\^go/\$" "$OUT"
ep "{\"name\": \"web\", \"url\": \"$u/big\", \"expect_body\": \"x\"}"
expect_rc 2 ops-health --home "$H" --no-record --check web
expect_match "^web: CRITICAL - $u/big: answer larger than 1048576 bytes\$" "$OUT"
ep "{\"name\": \"web\", \"url\": \"$u/big\"}"
expect_rc 0 ops-health --home "$H" --no-record --check web
ep "{\"name\": \"web\", \"url\": \"$u/text\", \"expect_body\": {\"regex\": \"(\"}}"
expect_rc 3 ops-health --home "$H" --no-record --check web
expect_match "health.endpoints\\[0\\].expect_body': expected a valid POSIX extended regex" "$OUT"

# expect_status: a list with a range; the default is 2xx
ep "{\"name\": \"web\", \"url\": \"$u/teapot\"}"
expect_rc 2 ops-health --home "$H" --no-record --check web
expect_match "^web: CRITICAL - $u/teapot: HTTP 418\$" "$OUT"
ep "{\"name\": \"web\", \"url\": \"$u/teapot\", \"expect_status\": [200, \"410-418\"]}"
expect_rc 0 ops-health --home "$H" --no-record --check web
ep "{\"name\": \"web\", \"url\": \"$u/created\", \"expect_status\": [200, \"410-418\"]}"
expect_rc 2 ops-health --home "$H" --no-record --check web
expect_match "^web: CRITICAL - $u/created: HTTP 201 \\(expected 200, 410-418\\)\$" "$OUT"
ep "{\"name\": \"web\", \"url\": \"$u/created\", \"expect_status\": \"2xx\"}"
expect_rc 0 ops-health --home "$H" --no-record --check web
ep "{\"name\": \"web\", \"url\": \"$u/created\", \"expect_status\": \"299-200\"}"
expect_rc 3 ops-health --home "$H" --no-record --check web

# response time
ep "{\"name\": \"web\", \"url\": \"$u/slow\", \"time_warn\": 0.1, \"time_crit\": \"5s\"}"
expect_rc 1 ops-health --home "$H" --no-record --check web
expect_match "^web: WARNING - $u/slow: slow: answered in [0-9]+ ms \\(limit 100 ms\\)\$" "$OUT"
expect_match "'web_time'=[0-9.]+s;0\\.1;5;0;5" "$(first_line)"

# --- https: a self-signed certificate valid for 2 days -------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$H/cert.pem" \
	-days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
tport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
openssl s_server -quiet -www -accept "127.0.0.1:$tport" -cert "$H/cert.pem" -key "$T/key.pem" \
	</dev/null >/dev/null 2>&1 &
_pids="$_pids $!"
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$tport"
tls="{\"name\": \"tls\", \"url\": \"https://127.0.0.1:$tport/\", \"ca_file\": \"cert.pem\"}"
ep "$tls"
expect_rc 2 ops-health --home "$H" --no-record --check tls
expect_match "^tls: CRITICAL - https://127\\.0\\.0\\.1:$tport/: certificate expires in 1d 23h \\([0-9]{4}-[0-9]{2}-[0-9]{2}\\)\$" "$OUT"
expect_match "'tls_cert_days'=1\\.9;14:;3:\$" "$(first_line)"
# ten days earlier: 12 days left is a WARNING; a month earlier OK
now=$(date +%s)
DHARMIC_OPS_NOW=$((now - 10 * 86400)) expect_rc 1 ops-health --home "$H" --no-record --check tls
expect_match "^tls: WARNING - https://127\\.0\\.0\\.1:$tport/: certificate expires in (11d 23h|12d 0h)" "$OUT"
DHARMIC_OPS_NOW=$((now - 30 * 86400)) expect_rc 0 ops-health --home "$H" --no-record --check tls
expect_match "^tls: OK - https://127\\.0\\.0\\.1:$tport/ up in [0-9]+ ms, certificate expires in (31d 23h|32d 0h)" "$OUT"
DHARMIC_OPS_NOW=$((now + 3 * 86400)) expect_rc 2 ops-health --home "$H" --no-record --check tls
expect_match "^tls: CRITICAL - https://127\\.0\\.0\\.1:$tport/: certificate expired on " "$OUT"
# the limits are the endpoint's own
ep "{\"name\": \"tls\", \"url\": \"https://127.0.0.1:$tport/\", \"ca_file\": \"cert.pem\", \"cert_warn\": \"1d\", \"cert_crit\": \"1h\"}"
expect_rc 0 ops-health --home "$H" --no-record --check tls
# not trusted without its CA: CRITICAL from the TLS layer
ep "{\"name\": \"tls\", \"url\": \"https://127.0.0.1:$tport/\"}"
expect_rc 2 ops-health --home "$H" --no-record --check tls
expect_match "^tls: CRITICAL - https://127\\.0\\.0\\.1:$tport/: .*(certificate|SSL)" "$OUT"
echo ok
