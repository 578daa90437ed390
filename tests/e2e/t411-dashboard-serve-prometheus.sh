#!/bin/bash
# A real Prometheus scrapes ops-dashboard serve's /metrics every second:
# the target is up and the dharmic_ series are in its database.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servelib.sh"
command -v prometheus >/dev/null || skip "prometheus is not installed (tests/install-deps.sh --tests)"
command -v curl >/dev/null || skip "curl is not installed"
H=$T/home
healthy_home "$H"
ops-health --home "$H" >/dev/null || fail "the home is not healthy"
start_serve "$H"
target=${URL#http://}; target=${target%/}
cat > "$T/prometheus.yml" <<EOY
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: dharmic
    static_configs:
      - targets: ['$target']
EOY
PP=$(free_port)
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom-data" \
	--web.listen-address="127.0.0.1:$PP" >"$T/prometheus.log" 2>&1 &
_pids="$_pids $!"
q() { curl -s --max-time 5 --data-urlencode "query=$1" "http://127.0.0.1:$PP/api/v1/query"; }
up_is_1() { q 'up{job="dharmic"}' | grep -q '"value":\[[0-9.]*,"1"\]'; }
wait_for 40 up_is_1 || fail "Prometheus: up != 1: $(q up) $(tail -5 "$T/prometheus.log")"
series() { q 'dharmic_health_state{job="dharmic"}' | grep -q '"value":\[[0-9.]*,"0"\]'; }
wait_for 20 series || fail "no dharmic_health_state series: $(q dharmic_health_state)"
counter() { q 'dharmic_restarts_total' | grep -q '"result":\[{'; }
wait_for 10 counter || fail "no dharmic_restarts_total series"
# Scrape health as Prometheus saw it: no sample errors.
wait_for 10 sh -c "curl -s 'http://127.0.0.1:$PP/api/v1/targets' | grep -q '\"lastError\":\"\"'" ||
	fail "target error: $(curl -s "http://127.0.0.1:$PP/api/v1/targets")"
curl -s "${URL}metrics" | promtool check metrics || fail "promtool check metrics"
echo ok
