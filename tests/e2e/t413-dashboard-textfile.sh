#!/bin/bash
# ops-dashboard prom -o writes the textfile with the documented mode (0644
# by default, dashboard.prom_mode, --mode), so node_exporter running as the
# prometheus user reads it: node_textfile_scrape_error 0 and dharmic_ series.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servelib.sh"
NE=$(command -v prometheus-node-exporter || command -v node_exporter || true)
[ -n "$NE" ] || skip "prometheus-node-exporter is not installed (tests/install-deps.sh --tests)"
[ "$(id -u)" -eq 0 ] || skip "running node_exporter as user prometheus needs root"
id prometheus >/dev/null 2>&1 || skip "no user prometheus (installed with prometheus-node-exporter)"
command -v setpriv >/dev/null || skip "setpriv is not installed"
H=$T/home
healthy_home "$H"
ops-health --home "$H" >/dev/null || fail "the home is not healthy"
# Like /var/lib/prometheus/node-exporter: a directory the reader can search.
D=$T/node-exporter
mkdir -p "$D"; chmod 755 "$D"; chmod 711 "$T"
expect_rc 0 ops-dashboard --home "$H" prom -o "$D/dharmic.prom"
[ "$(stat -c %a "$D/dharmic.prom")" = 644 ] || fail "default mode $(stat -c %a "$D/dharmic.prom")"
NP=$(free_port)
setpriv --reuid=prometheus --regid=prometheus --clear-groups "$NE" \
	--web.listen-address="127.0.0.1:$NP" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$D" >"$T/ne.log" 2>&1 &
_pids="$_pids $!"
scrape() { curl -s --max-time 5 "http://127.0.0.1:$NP/metrics" > "$T/ne.prom" && grep -q '^node_textfile_scrape_error' "$T/ne.prom"; }
wait_for 20 scrape || fail "node_exporter did not answer: $(tail -5 "$T/ne.log")"
grep -q '^node_textfile_scrape_error 0$' "$T/ne.prom" || fail "scrape error: $(grep textfile "$T/ne.prom") $(tail -3 "$T/ne.log")"
grep -q '^dharmic_up 1$' "$T/ne.prom" || fail "no dharmic_up via node_exporter"
# The same file private (--mode 0600): node_exporter cannot read it, which
# is what the mode is for.
expect_rc 0 ops-dashboard --home "$H" prom -o "$D/dharmic.prom" --mode 0600
[ "$(stat -c %a "$D/dharmic.prom")" = 600 ] || fail "--mode 0600 gave $(stat -c %a "$D/dharmic.prom")"
scrape || fail "node_exporter stopped answering"
grep -q '^node_textfile_scrape_error 1$' "$T/ne.prom" || fail "a private file read by node_exporter?"
# dashboard.prom_mode in the config; --mode refuses world-writable.
write_config "$H" '"dashboard": {"prom_mode": "0640"}'
expect_rc 0 ops-dashboard --home "$H" prom -o "$D/dharmic.prom"
[ "$(stat -c %a "$D/dharmic.prom")" = 640 ] || fail "prom_mode 0640 gave $(stat -c %a "$D/dharmic.prom")"
expect_rc 2 ops-dashboard --home "$H" prom -o "$D/dharmic.prom" --mode 0666
write_config "$H" '"dashboard": {"prom_mode": "0646"}'
expect_rc 2 ops-dashboard --home "$H" prom
expect_match 'dashboard.prom_mode' "$ERR"
echo ok
