#!/bin/bash
# Disk thresholds against the real free space of the home's file system:
# below disk_warn is WARNING, below disk_crit CRITICAL, with the free space
# and the threshold in the message and the perfdata.
. "$(dirname "$0")/lib.sh"
H=$T/home
healthy_home "$H"
free=$(df -B1 --output=avail "$H" | tail -1 | tr -d ' ')
[ "$free" -lt $((1000 * 1024 ** 4)) ] || skip "more than 1000 TiB free"

# thresholds far below the free space: OK
write_config "$H" '"health": {"disk_warn": "1K", "disk_crit": "1K"}'
expect_rc 0 ops-health --home "$H" --no-record
expect_match '^disk: OK - [0-9.]+ [KMGT]?i?B free of [0-9.]+ [KMGT]?i?B$' "$OUT"
expect_match "'disk_free'=[0-9]+B;1024:;1024:;0;[0-9]+" "$(first_line)"

# warn above the free space
write_config "$H" '"health": {"disk_warn": "1000T", "disk_crit": "1K"}'
expect_rc 1 ops-health --home "$H" --no-record
expect_match '^DHARMIC-OPS WARNING - disk: [0-9.]+ [KMGT]?i?B free of [0-9.]+ [KMGT]?i?B \(below 1000\.0 TiB\) \(9/10 checks ok\)' "$(first_line)"
expect_match '^disk: WARNING - ' "$OUT"

# crit above the free space too
write_config "$H" '"health": {"disk_warn": "1000T", "disk_crit": "999T"}'
expect_rc 2 ops-health --home "$H" --no-record
expect_match '^DHARMIC-OPS CRITICAL - disk: .* free of .* \(below 999\.0 TiB\) \(9/10 checks ok\)' "$(first_line)"
expect_match "'disk_free'=[0-9]+B;1099511627776000:;1098412116148224:;0;" "$(first_line)"

# plain byte counts work as well as suffixes
write_config "$H" "\"health\": {\"disk_warn\": $((free * 4)), \"disk_crit\": 0}"
expect_rc 1 ops-health --home "$H" --no-record --check disk
expect_match '^disk: WARNING - ' "$OUT"
echo ok
