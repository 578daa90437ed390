#!/bin/bash
# alert.alertmanager: a real Alertmanager on 127.0.0.1 with a webhook
# receiver run here. A dead agent gives one notification carrying the
# labels (alertname severity instance home check), runs while it stays
# dead do not repeat it (Alertmanager deduplicates the re-sent alert), and
# the agent back gives a resolved notification; the firing one carries
# the incident's log context (annotations context, context_source).
# `ops-alert test` reaches the receiver too, as an alert that ends by
# itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
. "$(dirname "$0")/servelib.sh"
AM=$(command -v prometheus-alertmanager || command -v alertmanager || true)
[ -n "$AM" ] || skip "prometheus-alertmanager is not installed (tests/install-deps.sh --tests)"
command -v curl >/dev/null || skip "curl is not installed"

# The receiver: one line of JSON per notification.
WP=$(free_port)
cat > "$T/receiver.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[2], "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
: > "$T/notifications"
python3 "$T/receiver.py" "$WP" "$T/notifications" &
_pids="$_pids $!"

AP=$(free_port)
cat > "$T/am.yml" <<EOY
route:
  receiver: hook
  group_by: ['alertname', 'home']
  group_wait: 100ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: 'http://127.0.0.1:$WP/'
        send_resolved: true
EOY
"$AM" --config.file="$T/am.yml" --storage.path="$T/am-data" \
	--web.listen-address="127.0.0.1:$AP" --cluster.listen-address= \
	>"$T/am.log" 2>&1 &
_pids="$_pids $!"
wait_for 30 curl -sf "http://127.0.0.1:$AP/-/ready" -o /dev/null

H=$T/home
healthy_home "$H"
# the daemon's log context, with a secret from .env in it
printf 'AGENT_TOKEN=tok-5e6f7a8b9c\n' > "$H/.env"
chmod 600 "$H/.env"
printf 'boot\nloading memory\nfatal: upstream refused tok-5e6f7a8b9c \033[31mbye\n' > "$H/logs/crash.log"
alert_config "$H" '{"context": {"daemon": {"file": "logs/crash.log", "max_lines": 2}}}' \
	"{\"alertmanager\": [\"http://127.0.0.1:$AP/\"]}"
expect_rc 0 ops-alert --home "$H" run
sleep 1
[ ! -s "$T/notifications" ] || fail "notified while healthy: $(cat "$T/notifications")"

kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true
rm -f "$H/logs/daemon.pid"
expect_rc 0 ops-alert --home "$H" run
firing() { grep -c '"status":"firing"' "$T/notifications"; }
wait_for 20 sh -c "grep -q '\"status\":\"firing\"' '$T/notifications'"
# Re-sent while firing: Alertmanager keeps one alert and says nothing new.
expect_rc 0 ops-alert --home "$H" run
sleep 2
[ "$(firing)" = 1 ] || fail "expected one firing notification: $(cat "$T/notifications")"
python3 - "$T/notifications" "$H" "$(hostname)" "http://127.0.0.1:9731/" <<'PY'
import json, sys
path, home, host, gen = sys.argv[1:5]
n = [json.loads(l) for l in open(path) if l.strip()]
assert len(n) == 1 and n[0]["status"] == "firing", n
alerts = {a["labels"]["alertname"]: a for a in n[0]["alerts"]}
a = alerts["daemon_critical"]
assert a["labels"] == {"alertname": "daemon_critical", "severity": "critical",
                       "instance": host, "home": home, "check": "daemon"}, a["labels"]
assert a["annotations"]["summary"] and "not running" in a["annotations"]["description"], a
assert a["generatorURL"] == gen, a["generatorURL"]
# the incident's log context: the last lines, the secret redacted, no escape
assert a["annotations"]["context"] == "loading memory\nfatal: upstream refused [redacted] ?[31mbye", a
assert a["annotations"]["context_source"] == "logs/crash.log", a
raw = open(path).read()
assert "tok-5e6f" not in raw and "\\u001b" not in raw, raw
PY

# The agent back: a resolved notification.
start_agent "$H"
expect_rc 0 ops-alert --home "$H" run
wait_for 20 sh -c "grep -q '\"status\":\"resolved\"' '$T/notifications'"
python3 - "$T/notifications" <<'PY'
import json, sys
n = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = [x for x in n if x["status"] == "resolved"]
assert len(r) == 1, n
assert r[0]["alerts"][0]["labels"]["alertname"] == "daemon_critical", r
assert r[0]["alerts"][0]["status"] == "resolved", r
PY

# ops-alert test goes to Alertmanager too: one notification at the
# receiver (alertname test, severity info), and an alert that ends by
# itself 5 minutes on (Alertmanager's view of it), so it never stays firing.
expect_rc 0 ops-alert --home "$H" test
expect_match "^alertmanager http://127\.0\.0\.1:$AP/ delivered" "$OUT"
wait_for 20 sh -c "grep -q '\"alertname\":\"test\"' '$T/notifications'"
curl -sf "http://127.0.0.1:$AP/api/v2/alerts" -o "$T/am-alerts.json"
python3 - "$T/notifications" "$T/am-alerts.json" "$H" "$(hostname)" <<'PY'
import datetime, json, sys
path, api, home, host = sys.argv[1:5]
n = [json.loads(l) for l in open(path) if l.strip()]
t = [a for x in n for a in x["alerts"] if a["labels"]["alertname"] == "test"]
assert len(t) == 1 and t[0]["status"] == "firing", t
assert t[0]["labels"] == {"alertname": "test", "severity": "info", "instance": host,
                          "home": home, "check": "test"}, t[0]["labels"]
assert "a test alert from ops-alert" in t[0]["annotations"]["description"], t[0]
a = [a for a in json.load(open(api)) if a["labels"]["alertname"] == "test"]
assert len(a) == 1, a
ends = datetime.datetime.fromisoformat(a[0]["endsAt"].replace("Z", "+00:00"))
left = (ends - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
assert 200 < left <= 301, left
PY

# An Alertmanager that does not answer: the run says so and exits 1; the
# direct channels still work.
alert_config "$H" '' "{\"alertmanager\": [\"http://127.0.0.1:$(free_port)\"]}"
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true
rm -f "$H/logs/daemon.pid"
expect_rc 1 ops-alert --home "$H" run
expect_match 'alertmanager http://127\.0\.0\.1:[0-9]+: ' "$ERR"
grep -q daemon_critical "$REC" || fail "the command channel did not get the alert"
# and ops-alert test names it as failed (exit 1), the command channel
# delivered all the same
expect_rc 1 ops-alert --home "$H" test
expect_match '^alertmanager http://127\.0\.0\.1:[0-9]+ FAILED: ' "$OUT"
expect_match '^command +delivered' "$OUT"
echo ok
