#!/bin/bash
# bench/audit.sh: the cost of one audit entry (issue 15: <= 1 ms per
# operation), from the unit bench (tests/unit/test_ops_audit --bench N):
# an append on an open state database, unsigned and signed (Ed25519), and
# what a command-level hook pays (open the state database, append,
# close). For comparison, what a user would do instead: one
# `sqlite3 state.db "INSERT ..."` process per entry (no chain, no log).
#
# usage: bench/audit.sh [BUILD_DIR]     (default: build; N=2000 entries)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
N=${N:-2000}
T=$BUILD/tests/test_ops_audit
[ -x "$T" ] || { echo "bench: build first: $T missing" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 is not installed" >&2; exit 2; }

W=$(mktemp -d "${TMPDIR:-/tmp}/ops-bench-audit.XXXXXX")
trap 'rm -rf "$W"' EXIT
out=$("$T" --bench "$N")
echo "$out"
ours=$(echo "$out" | awk '/open database/ { print $5 }')

sqlite3 "$W/s.db" "PRAGMA journal_mode=WAL; CREATE TABLE a(ts REAL, what TEXT)" >/dev/null
m=$((N / 10))
start=$(date +%s%N)
for ((i = 0; i < m; i++)); do
	sqlite3 "$W/s.db" "INSERT INTO a VALUES(julianday('now'), 'entry $i')"
done
end=$(date +%s%N)
cli=$(awk -v ns=$((end - start)) -v m="$m" 'BEGIN { printf "%.3f", ns / 1e6 / m }')
echo "sqlite3 CLI insert per entry:     $cli ms per entry ($m entries)"
awk -v a="$ours" -v b="$cli" 'BEGIN { printf "ratio (audit append / sqlite3 CLI): %.3f\n", a / b }'
