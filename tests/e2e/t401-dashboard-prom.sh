#!/bin/bash
# ops-dashboard prom: Prometheus text exposition format 0.0.4, checked by a
# strict parser (and by promtool when it is installed), with the expected
# values, escaped label values, and -o written atomically.
. "$(dirname "$0")/lib.sh"
H=$T/home
mkhome "$H"
start_agent "$H"
ops-health --home "$H" >/dev/null || true
# A check name from the state database that needs escaping in a label.
sqlite3 "$H/.ops/state.db" "INSERT INTO check_current(name,state,since,last,message)
  VALUES('we\"ird\\name' || char(10) || 'x', 1, strftime('%s','now'), strftime('%s','now'), 'm')"

expect_rc 0 ops-dashboard --home "$H" prom
printf '%s\n' "$OUT" > "$T/metrics.prom"

python3 - "$T/metrics.prom" "$AGENT_PID" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LNAME = r'[a-zA-Z_][a-zA-Z0-9_]*'
LVAL = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r'^(' + NAME + r')(?:\{((?:' + LNAME + '=' + LVAL + r'(?:,' + LNAME +
                    '=' + LVAL + r')*,?)?)\})? (\S+)(?: (-?[0-9]+))?$')
FLOAT = re.compile(r'^(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|[+-]Inf)$')
assert text.endswith("\n") and not text.endswith("\n\n\n"), "must end with one newline"
types, helps, seen_series, done, current = {}, {}, set(), set(), None
samples = {}
def unescape(v):
    return re.sub(r'\\(.)', lambda m: {'n': '\n'}.get(m.group(1), m.group(1)), v[1:-1])
for n, line in enumerate(text.rstrip("\n").split("\n"), 1):
    where = "line %d: %r" % (n, line)
    if line.startswith("#"):
        m = re.match(r'^# (HELP|TYPE) (' + NAME + r') (.*)$', line)
        if not m:
            continue  # a plain comment
        kind, name, rest = m.groups()
        assert name not in done, "family reopened: " + where
        if kind == "TYPE":
            assert name not in types, "TYPE twice: " + where
            assert name not in samples, "TYPE after samples: " + where
            assert rest in ("counter", "gauge", "histogram", "summary", "untyped"), where
            types[name] = rest
        else:
            assert name not in helps, "HELP twice: " + where
            assert re.match(r'^(?:[^\\]|\\[\\n])*$', rest), "bad HELP escape: " + where
            helps[name] = rest
        if current and current != name:
            done.add(current)
        current = name
        continue
    assert line.strip(), "blank line: " + where
    m = SAMPLE.match(line)
    assert m, "not a sample: " + where
    name, labels, value, ts = m.groups()
    assert FLOAT.match(value), "bad value: " + where
    if current and current != name:
        done.add(current)
    assert name not in done, "family not contiguous: " + where
    current = name
    lab = tuple(sorted((k, unescape(v)) for k, v in
                       re.findall('(' + LNAME + ')=(' + LVAL + ')', labels or "")))
    assert len(set(k for k, _ in lab)) == len(lab), "label twice: " + where
    assert (name, lab) not in seen_series, "duplicate series: " + where
    seen_series.add((name, lab))
    samples.setdefault(name, {})[lab] = float(value)
# our own rules: every family documented and typed, named dharmic_*
for name in samples:
    assert name.startswith("dharmic_"), name
    assert name in types and name in helps, "no HELP/TYPE for " + name
    assert not re.search(r'_(count|sum|bucket|total)$', name), "reserved suffix: " + name
one = lambda name, lab=(): samples[name][lab]
pid = int(sys.argv[2])
assert one("dharmic_up") == 1
assert one("dharmic_daemon_uptime_seconds") >= 0
assert 0 <= one("dharmic_heartbeat_age_seconds") < 60
assert one("dharmic_heartbeat_interval_seconds") > 0
assert one("dharmic_disk_free_bytes") > 0 and one("dharmic_disk_size_bytes") >= one("dharmic_disk_free_bytes")
assert one("dharmic_check_state", (("check", "disk"),)) == 0
assert one("dharmic_check_state", (("check", "daemon"),)) == 0
assert one("dharmic_check_state", (("check", 'we"ird\\name\nx'),)) == 1, samples["dharmic_check_state"]
assert one("dharmic_database_bytes", (("db", "memory.db"),)) > 100000
assert one("dharmic_database_integrity_ok", (("db", "memory.db"),)) == 1
assert one("dharmic_databases") == 2
assert one("dharmic_health_runs") == 1
assert one("dharmic_backups") == 0
assert "dharmic_backup_last_success_timestamp_seconds" not in samples  # no backup yet
assert one("dharmic_jsonl_bytes") > 0 and one("dharmic_logs_bytes") > 0
assert all(t == "gauge" for t in types.values())
EOF
# the escaped label, as bytes
grep -qF 'dharmic_check_state{check="we\"ird\\name\nx"} 1' "$T/metrics.prom" ||
	fail "label value not escaped: $(grep weird "$T/metrics.prom")"

if command -v promtool >/dev/null; then
	promtool check metrics < "$T/metrics.prom" || fail "promtool rejects the metrics"
fi

# A backup appears as its timestamp.
mkdir -p "$H/backups/memory"
printf 'x' > "$H/backups/memory/20260102_030405.tar.zst"
bts=$(date -d '2026-01-02 03:04:05' +%s)
expect_rc 1 ops-dashboard --home "$H" prom -o "$T/out/x.prom"
mkdir "$T/out"
expect_rc 0 ops-dashboard --home "$H" prom -o "$T/out/x.prom"
[ -z "$OUT" ] || fail "prom -o printed: $OUT"
# 0644 by default (dashboard.prom_mode): node_exporter reads it as another user.
[ "$(stat -c %a "$T/out/x.prom")" = 644 ] || fail "metrics file not 0644"
grep -qx "dharmic_backup_last_success_timestamp_seconds $bts" "$T/out/x.prom" ||
	fail "backup timestamp: $(grep backup_last "$T/out/x.prom")"
grep -qx 'dharmic_backups 1' "$T/out/x.prom" || fail "backup count"
ls "$T/out" | grep -v '^x.prom$' && fail "temporary file left behind"
echo ok
