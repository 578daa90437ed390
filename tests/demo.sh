#!/bin/bash
# The README's first command: install what is needed, build, start the
# stand-in agent (tests/agent-sim) in a temporary home and run the toolkit's
# main job on it. Leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/install-deps.sh
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/demo -j "$(nproc)" >/dev/null
B=$PWD/build/demo

home=$(mktemp -d /tmp/dharmic-demo.XXXXXX)
trap '"$B/dharmic-ops" stop --home "$home" >/dev/null 2>&1 || kill "$(cat "$home/logs/daemon.pid" 2>/dev/null)" 2>/dev/null || true' EXIT
cat > "$home/ops.json" <<JSON
{ "daemon": { "command": ["$B/tests/agent-sim", "--interval", "1"], "match": "agent-sim" } }
JSON
chmod 600 "$home/ops.json"
export DHARMIC_HOME=$home
echo "== demo home: $home"
"$B/tests/agent-sim" --interval 1 --email-ok 20 &
sleep 1.5
run() {
	echo "== dharmic-ops $*"
	set +e
	"$B/dharmic-ops" "$@"
	rc=$?
	set -e
	echo "== exit code: $rc"
}
run health                  # WARNING: no backup yet
run backup                  # a verified snapshot of the live memory
run backup verify latest    # the restore drill
run backup list
run health                  # OK now
run status
