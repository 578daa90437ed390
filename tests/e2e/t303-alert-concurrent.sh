#!/bin/bash
# 20 runs at once over seven firing types: each runs or exits 75 (locked),
# and together they deliver no more than max_per_hour.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/alertlib.sh"
H=$T/home
mkhome "$H"
alert_config "$H" '{"disk_warn": "1000T", "disk_crit": "900T",
  "checks": [{"name": "a", "command": ["sh", "-c", "exit 1"]},
             {"name": "b", "command": ["sh", "-c", "exit 2"]},
             {"name": "c", "command": ["sh", "-c", "exit 2"]}]}' '{"max_per_hour": 5}'
now=$(( $(date +%s) + 3 * 3600 ))
pids=""
for i in $(seq 20); do
	( rc=0; DHARMIC_OPS_NOW=$((now + i)) ops-alert --home "$H" >"$T/out.$i" 2>&1 || rc=$?
	  echo "$rc" > "$T/rc.$i" ) &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
ran=0
for i in $(seq 20); do
	rc=$(cat "$T/rc.$i")
	case $rc in
	0) ran=$((ran + 1)) ;;
	75) expect_match 'another run holds' "$(cat "$T/out.$i")" ;;
	*) fail "run $i exited $rc: $(cat "$T/out.$i")" ;;
	esac
done
[ "$ran" -ge 1 ] || fail "no run got the lock"
n=$(deliveries)
[ "$n" -le 5 ] || fail "20 concurrent runs delivered $n alerts, cap is 5"
[ "$n" -ge 1 ] || fail "nothing delivered"
sent=$(sqlite3 "$H/.ops/state.db" 'select count(*) from alert_sent')
[ "$sent" = "$n" ] || fail "alert_sent has $sent rows, $n delivered"
echo "ran=$ran delivered=$n"
echo ok
