#!/bin/bash
# The live page of ops-dashboard serve, rendered by headless Chromium: no
# STALE banner while health runs are recent, a visible one once the
# history is older than dashboard.stale_after.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servelib.sh"
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || skip "chromium is not installed (tests/install-deps.sh --tests)"
H=$T/home
healthy_home "$H"
ops-health --home "$H" >/dev/null || fail "the home is not healthy"
start_serve "$H"
dom() {
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--no-first-run --user-data-dir="$T/chrome" --virtual-time-budget=2000 \
		--dump-dom "$URL" 2>"$T/chrome.log"
}
dom > "$T/fresh.html" || fail "chromium failed: $(tail -5 "$T/chrome.log")"
grep -q 'id="verdict">OK<' "$T/fresh.html" || fail "page not rendered: $(head -c 500 "$T/fresh.html")"
grep -q 'id="stale"' "$T/fresh.html" && fail "a fresh page says STALE"
# Cron stopped an hour ago (the default stale_after is 15m).
sqlite3 "$H/.ops/state.db" "UPDATE runs SET ts = ts - 3600; UPDATE check_results SET ts = ts - 3600"
# The server answers from its last model and gathers a new one when it is
# over a second old: the banner shows within a request or two.
wait_for 10 sh -c "curl -s '$URL' | grep -q 'id=\"stale\"'"
dom > "$T/stale.html" || fail "chromium failed: $(tail -5 "$T/chrome.log")"
grep -Eq 'id="stale"[^>]*>STALE: the last health run was 1h 0m ago' "$T/stale.html" ||
	fail "no STALE banner: $(grep -o '<header.*</header>' "$T/stale.html" | head -c 600)"
echo ok
