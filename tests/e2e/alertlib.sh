# Helpers for the ops-alert tests (t3NN-alert-*.sh). Source after lib.sh.
#
# A "recorder" is the command channel: a script that appends, per call,
# one "ENV type|severity|title|message|state" line and the JSON it got on
# stdin to $REC. It exits 1 while $T/fail exists.

REC=$T/received.txt
cat > "$T/recorder.sh" <<EOF
#!/bin/sh
[ -e "$T/fail" ] && { echo "recorder told to fail"; exit 1; }
printf 'ENV %s|%s|%s|%s|%s\n' "\$ALERT_TYPE" "\$ALERT_SEVERITY" "\$ALERT_TITLE" \
	"\$ALERT_MESSAGE" "\$ALERT_STATE" >> "$REC"
cat >> "$REC"
EOF
chmod 700 "$T/recorder.sh"
: > "$REC"

# alert_config HOME [HEALTH_JSON] [ALERT_JSON]: ops.json with the agent-sim
# daemon, the recorder as command channel, no desktop, no auto-restart;
# the JSON objects given are merged into "health" and "alert".
alert_config() {
	python3 - "$1" "$AGENT_SIM" "$T/recorder.sh" "${2:-}" "${3:-}" <<'EOF'
import json, os, sys
home, sim, rec, health, alert = sys.argv[1:6]
cfg = {"daemon": {"match": "agent-sim", "command": [sim, "--home", home]},
       "health": json.loads(health or "{}"),
       "alert": {"desktop": False, "auto_restart": False, "command": [rec]}}
cfg["alert"].update(json.loads(alert or "{}"))
path = os.path.join(home, "ops.json")
with open(path, "w") as f:
    json.dump(cfg, f)
os.chmod(path, 0o600)
EOF
}

# fresh_backup HOME: a backup stamped now, so backup_stale stays quiet.
fresh_backup() {
	mkdir -p "$1/backups/memory"
	: > "$1/backups/memory/$(date +%Y%m%d_%H%M%S).tar.zst"
}

# deliveries: how many alerts the recorder got.
deliveries() { grep -c '^ENV ' "$REC" || true; }

# alert_at EPOCH ARGS...: ops-alert with the clock set to EPOCH.
alert_at() {
	at=$1; shift
	DHARMIC_OPS_NOW=$at ops-alert "$@"
}
