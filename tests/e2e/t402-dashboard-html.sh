#!/bin/bash
# ops-dashboard html: one self-contained page, written atomically to
# logs/dashboard.html, rendered by headless Chromium: the DOM holds the
# daemon's state and every check, and hostile text stays text.
. "$(dirname "$0")/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "chromium is not installed"
H=$T/home
mkhome "$H"
cat > "$H/ops.json" <<EOF
{"daemon": {"match": "agent-sim", "command": ["$AGENT_SIM", "--home", "$H"]},
 "health": {"checks": [{"name": "proton_bridge", "command": ["true"]}]}}
EOF
start_agent "$H"
ops-health --home "$H" >/dev/null || true
printf '[%s] [CRITICAL] <script>document.title="pwned"</script> - a & b "c"\n' \
	"$(date '+%Y-%m-%d %H:%M:%S')" >> "$H/logs/alerts.log"

dom() { # dom FILE: the DOM after Chromium has loaded and laid out the page
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$(mktemp -d "$T/chromium.XXXXXX")" \
		--dump-dom "file://$1" 2>"$T/chromium.err"
}

expect_rc 0 ops-dashboard --home "$H" html
[ -z "$OUT" ] || fail "html printed: $OUT"
P=$H/logs/dashboard.html
[ -f "$P" ] && [ "$(stat -c %a "$P")" = 600 ] || fail "$P missing or not 0600"
grep -q '<meta http-equiv="refresh" content="10">' "$P" || fail "no meta refresh"
grep -q 'name="viewport"' "$P" || fail "no viewport meta (phones)"
grep -Eqi '<script|<link|src=|@import|url\(' "$P" && fail "the page loads or runs something"
grep -qF '&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;' "$P" ||
	fail "alert text not escaped"

dom "$P" > "$T/dom.html" || { cat "$T/chromium.err" >&2; fail "chromium failed"; }
python3 - "$T/dom.html" "$AGENT_PID" <<'EOF'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.checks, self.tags, self.stack, self.text = {}, [], [], [], {}
        self.svgs, self.title = 0, ""
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "svg": self.svgs += 1
        if "data-check" in a: self.checks.append(a["data-check"])
        if "id" in a: self.ids[a["id"]] = a
        self.stack.append(a.get("id"))
    def handle_endtag(self, tag):
        if self.stack: self.stack.pop()
    def handle_data(self, data):
        for i in self.stack:
            if i: self.text[i] = self.text.get(i, "") + data
        if self.tags and self.tags[-1] == "title" and not self.title: self.title = data
p = P()
p.feed(open(sys.argv[1]).read())
want = ["daemon", "heartbeat", "integrity", "disk", "email", "restarts", "backup", "proton_bridge", "cpu", "rss", "fds"]
assert p.checks == want, p.checks
assert p.svgs == len(want), "one SVG timeline per check: %d" % p.svgs
assert p.ids["daemon-text"]["data-running"] == "true", p.ids["daemon-text"]
assert p.text["daemon-text"].startswith("running, pid " + sys.argv[2]), p.text["daemon-text"]
assert p.text["daemon-state"] == "OK"
assert p.text["verdict"] in ("OK", "WARNING"), p.text["verdict"]   # no backup: WARNING
assert "script" not in p.tags, "a script element made it into the DOM"
assert "pwned" not in p.title, p.title
assert '<script>document.title="pwned"</script>' in p.text["alerts"], p.text["alerts"]
EOF

# A dead agent shows as not running; -o writes elsewhere; web prints a URL.
kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true
expect_rc 0 ops-dashboard --home "$H" html -o "$T/dead page.html"
dom "$T/dead page.html" > "$T/dom2.html" || fail "chromium failed"
grep -q 'data-running="false"' "$T/dom2.html" || fail "dead agent not shown"
grep -Eq 'id="verdict">CRITICAL<' "$T/dom2.html" || fail "verdict not CRITICAL"
expect_rc 0 ops-dashboard --home "$H" web -o "$T/dead page.html"
[ "$OUT" = "file://$T/dead%20page.html" ] || fail "web printed '$OUT'"
echo ok
