#!/bin/bash
# Endpoints (health.endpoints) on loopback: http 2xx is OK, 503 CRITICAL
# with the status; tcp:// connect is OK, a closed port CRITICAL; a server
# that accepts and never answers is CRITICAL after the endpoint's timeout.
. "$(dirname "$0")/lib.sh"
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
H=$T/home
healthy_home "$H"

# /ok answers 200, /down 503, /hang accepts and says nothing; prints its port
cat > "$T/server.py" <<'PY'
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/hang":
            time.sleep(30)
            return
        code = 200 if self.path == "/ok" else 503
        self.send_response(code)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"hi\n")
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
# a port nothing listens on: bind one, note it, let it go
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

endpoints="\"health\": {\"endpoints\": [
	{\"name\": \"web\", \"url\": \"http://127.0.0.1:$port/ok\"},
	{\"name\": \"web_down\", \"url\": \"http://127.0.0.1:$port/down\"},
	{\"name\": \"web_hang\", \"url\": \"http://127.0.0.1:$port/hang\", \"timeout\": \"1s\"},
	{\"name\": \"imap\", \"url\": \"tcp://127.0.0.1:$port\"},
	{\"name\": \"imap_closed\", \"url\": \"tcp://127.0.0.1:$closed\"},
	{\"name\": \"web_closed\", \"url\": \"http://127.0.0.1:$closed/\"}]}"
write_config "$H" "$endpoints"

expect_rc 0 ops-health --home "$H" --no-record --check web
expect_match "^DHARMIC-OPS OK - 1/1 checks ok \\| 'web_time'=[0-9.]+s;;;0;5\$" "$(first_line)"
expect_match "^web: OK - http://127\\.0\\.0\\.1:$port/ok up in [0-9]+ ms\$" "$OUT"
expect_rc 2 ops-health --home "$H" --no-record --check web_down
expect_match "^web_down: CRITICAL - http://127\\.0\\.0\\.1:$port/down: HTTP 503\$" "$OUT"
expect_rc 0 ops-health --home "$H" --no-record --check imap
expect_match "^imap: OK - tcp://127\\.0\\.0\\.1:$port up in [0-9]+ ms\$" "$OUT"
expect_rc 2 ops-health --home "$H" --no-record --check imap_closed
expect_match "^imap_closed: CRITICAL - tcp://127\\.0\\.0\\.1:$closed: connect: Connection refused\$" "$OUT"
expect_rc 2 ops-health --home "$H" --no-record --check web_closed
expect_match "^web_closed: CRITICAL - http://127\\.0\\.0\\.1:$closed/: " "$OUT"
start=$(date +%s%N)
expect_rc 2 ops-health --home "$H" --no-record --check web_hang
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -lt 4000 ] || fail "a hanging endpoint held the run for $ms ms"
expect_match "^web_hang: CRITICAL - http://127\\.0\\.0\\.1:$port/hang: .*[Tt]ime" "$OUT"

# cut short by the run's -t rather than by its own timeout: UNKNOWN
write_config "$H" "\"health\": {\"endpoints\": [
	{\"name\": \"web_hang\", \"url\": \"http://127.0.0.1:$port/hang\", \"timeout\": \"10s\"}]}"
expect_rc 3 ops-health --home "$H" --no-record --check web_hang -t 1
expect_match "^web_hang: UNKNOWN - http://127\\.0\\.0\\.1:$port/hang: not answered before the run's time limit\$" "$OUT"
write_config "$H" "$endpoints"

# everything at once: the built-in checks first, then the endpoints in order
expect_rc 2 ops-health --home "$H" --no-record
expect_match '\(12/16 checks ok\)' "$(first_line)"
[ "$(printf '%s\n' "$OUT" | sed -n '2,$p' | cut -d: -f1 | tr '\n' ' ')" = \
	"daemon heartbeat integrity disk email restarts backup cpu rss fds web web_down web_hang imap imap_closed web_closed " ] ||
	fail "checks out of order:
$OUT"
echo ok
