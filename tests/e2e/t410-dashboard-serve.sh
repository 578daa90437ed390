#!/bin/bash
# ops-dashboard serve: every route answers as documented, /health follows
# the recorded runs (200 -> 503 when the agent dies, 503 when stale), only
# GET and HEAD, access control (token, htpasswd, loopback only without
# them), TLS, and hostile clients (a 1 MB header, 500 idle connections,
# ".." in the path) refused without the server stopping.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servelib.sh"
command -v curl >/dev/null || skip "curl is not installed"
H=$T/home
healthy_home "$H"
ops-health --home "$H" >/dev/null || fail "the home is not healthy"
start_serve "$H"
expect_match '^http://127\.0\.0\.1:[0-9]+/$' "$URL"

# Routes, content types, JSON bodies.
[ "$(http_code "${URL}health")" = 200 ] || fail "/health: $(cat "$T/body")"
python3 - "$T/body" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
assert h["status"] == "ok" and h["state"] == "OK" and h["stale"] is False, h
assert {c["name"] for c in h["checks"]} >= {"daemon", "heartbeat", "disk"}, h
PY
for p in api/v1/status api/v1/checks api/v1/alerts api/v1/backups \
    'api/v1/history?since=1h' 'api/v1/history?check=daemon&since=0'; do
	[ "$(http_code "$URL$p")" = 200 ] || fail "/$p: $(cat "$T/body")"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/body" || fail "/$p: not JSON"
done
python3 - "$T/body" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
assert h["check"] == "daemon" and h["results"][-1]["state"] == "OK", h
PY
[ "$(http_code "${URL}api/v1/history?check=a/../b")" = 400 ] || fail "bad check name accepted"
[ "$(http_code "${URL}api/v1/history?since=yesterday-ish")" = 400 ] || fail "bad since accepted"
ct=$(curl -s -o "$T/metrics" -w '%{content_type}' "${URL}metrics")
[ "$ct" = "text/plain; version=0.0.4; charset=utf-8" ] || fail "content type $ct"
grep -q '^dharmic_up 1$' "$T/metrics" || fail "no dharmic_up 1"
grep -q '^# TYPE dharmic_restarts_total counter$' "$T/metrics" || fail "no restart counter"
grep -q '^dharmic_alerts_sent_total [0-9]' "$T/metrics" || fail "no alerts counter"
grep -q '^dharmic_backups_made_total [0-9]' "$T/metrics" || fail "no backups counter"
if command -v promtool >/dev/null; then
	promtool check metrics < "$T/metrics" || fail "promtool check metrics"
fi
[ "$(http_code "$URL")" = 200 ] || fail "/"
grep -q 'DHARMIC-OPS' "$T/body" || fail "/ is not the page"
grep -q 'id="stale"' "$T/body" && fail "fresh page says STALE"

# Only GET and HEAD; nothing else, and no path reaches the filesystem.
[ "$(http_code "${URL}health" -X POST -d x=1)" = 405 ] || fail "POST not refused"
curl -s -D "$T/hdr" -o /dev/null -X DELETE "${URL}health"
grep -qi '^Allow: GET, HEAD' "$T/hdr" || fail "no Allow header"
[ "$(http_code "${URL}health" -I)" = 200 ] || fail "HEAD"
[ "$(http_code "${URL}../../../etc/passwd" --path-as-is)" = 404 ] || fail ".. served"
[ "$(http_code "${URL}%2e%2e/%2e%2e/etc/passwd" --path-as-is)" = 404 ] || fail "%2e%2e served"
[ "$(http_code "${URL}api/v1/../../metrics" --path-as-is)" = 404 ] || fail "dot segments followed"
grep -q root: "$T/body" && fail "a file leaked"

# Hostile clients: a 1 MB header, then 500 idle connections.
port=${URL##*:}; port=${port%/}
python3 - "$port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
try:
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1048576 + b"\r\n\r\n")
except OSError:
    pass  # the server may close before the whole header is sent
try:
    answer = s.recv(200)
except OSError:
    answer = b""
line = answer.split(b"\r\n")[0]
assert line == b"" or line.split()[1] in (b"431", b"413", b"400"), line
PY
kill -0 "$SERVE_PID" || fail "server died on a 1 MB header"
[ "$(http_code "${URL}health")" = 200 ] || fail "/health after the 1 MB header"
python3 - "$port" "$URL" <<'PY'
import socket, sys, time, urllib.request
port, url = int(sys.argv[1]), sys.argv[2]
socks = []
for _ in range(500):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        socks.append(s)
    except OSError:
        pass
time.sleep(0.5)
for s in socks:
    s.close()
# The server keeps answering once they are gone (bounded wait).
deadline = time.time() + 15
while True:
    try:
        with urllib.request.urlopen(url + "health", timeout=2) as r:
            assert r.status == 200
            break
    except Exception as e:
        if time.time() > deadline:
            sys.exit("no answer after the idle connections: %s" % e)
        time.sleep(0.2)
PY
kill -0 "$SERVE_PID" || fail "server died on 500 idle connections"

# /health flips to 503 when the agent dies and the next run records it.
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true
[ "$(http_code "${URL}health")" = 200 ] || fail "/health changed before a run recorded it"
ops-health --home "$H" >/dev/null && fail "ops-health OK without the agent"
[ "$(http_code "${URL}health")" = 503 ] || fail "/health did not flip: $(cat "$T/body")"
expect_match '"state":"CRITICAL"' "$(cat "$T/body")"
start_agent "$H"
ops-health --home "$H" >/dev/null || fail "not healthy again"
[ "$(http_code "${URL}health")" = 200 ] || fail "/health did not come back"
# Aged history: stale, 503.
sqlite3 "$H/.ops/state.db" "UPDATE runs SET ts = ts - 3600"
[ "$(http_code "${URL}health")" = 503 ] || fail "stale /health answered 200"
expect_match '"stale":true' "$(cat "$T/body")"
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true

# Any address but loopback needs a token or htpasswd.
expect_rc 2 ops-dashboard --home "$H" serve --listen 0.0.0.0:0
expect_match 'refusing to listen on 0\.0\.0\.0:0' "$ERR"
expect_rc 2 ops-dashboard --home "$H" serve --listen localhost:80
expect_rc 2 ops-dashboard --home "$H" health --listen 127.0.0.1:1

# Bearer token: wrong -> 401, right -> 200; the token file must be private.
printf 'correct-horse-battery-staple-42\n' > "$T/token"; chmod 600 "$T/token"
printf 'pw\n' | openssl passwd -6 -stdin | sed 's/^/ops:/' > "$T/htpasswd"; chmod 600 "$T/htpasswd"
write_config "$H" "\"serve\": {\"token_file\": \"$T/token\", \"htpasswd\": \"$T/htpasswd\"}"
start_serve "$H"
[ "$(http_code "${URL}metrics")" = 401 ] || fail "no token accepted"
[ "$(http_code "${URL}metrics" -H 'Authorization: Bearer wrong-token-wrong-token')" = 401 ] ||
	fail "wrong token accepted"
[ "$(http_code "${URL}metrics" -H 'Authorization: Bearer correct-horse-battery-staple-4')" = 401 ] ||
	fail "token prefix accepted"
[ "$(http_code "${URL}metrics" -H 'Authorization: Bearer correct-horse-battery-staple-42')" = 200 ] ||
	fail "right token refused"
[ "$(http_code "${URL}metrics" -u ops:wrong)" = 401 ] || fail "wrong password accepted"
[ "$(http_code "${URL}metrics" -u nobody:pw)" = 401 ] || fail "unknown user accepted"
[ "$(http_code "${URL}metrics" -u ops:pw)" = 200 ] || fail "htpasswd user refused"
# Answered (token, password, gathering) without OpenSSL: libcrypto costs
# the server more than a megabyte resident just by being mapped.
if [ -r "/proc/$SERVE_PID/maps" ] && grep -q 'libcrypto' "/proc/$SERVE_PID/maps"; then
	fail "the server maps libcrypto"
fi
kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
chmod 644 "$T/token"
expect_rc 2 ops-dashboard --home "$H" serve --listen 127.0.0.1:0
expect_match 'readable by others' "$ERR"
chmod 600 "$T/token"

# TLS.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 1 \
	-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
chmod 600 "$T/key.pem"
write_config "$H" "\"serve\": {\"tls_cert\": \"$T/cert.pem\", \"tls_key\": \"$T/key.pem\"}"
start_serve "$H"
expect_match '^https://127\.0\.0\.1:' "$URL"
[ "$(http_code "${URL}metrics" --cacert "$T/cert.pem")" = 200 ] || fail "TLS /metrics"
[ "$(http_code "${URL/https/http}metrics")" = 200 ] && fail "plain HTTP on the TLS port"
kill -0 "$SERVE_PID" || fail "TLS server died"
echo ok
