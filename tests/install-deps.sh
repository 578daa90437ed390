#!/bin/bash
# Install the Debian 12 packages needed to build dharmic-ops (as root), and
# with --tests also what its tests use. Installs only what is missing.
set -euo pipefail
DEPS="build-essential cmake pkg-config libsqlite3-dev sqlite3 libarchive-dev
libcjson-dev libcurl4-openssl-dev libssl-dev python3 procps
libmicrohttpd-dev libcrypt-dev nettle-dev
libexpat1-dev"
if [ "${1:-}" = "--tests" ]; then
	DEPS="$DEPS cppcheck clang groff-base man-db zstd faketime tmux chromium age
	monitoring-plugins-basic
	prometheus prometheus-alertmanager prometheus-node-exporter curl openssl
	monit"
	# mandoc -Tlint in ci.sh; util-linux for script(1), flock(1), mount
	DEPS="$DEPS mandoc util-linux"
	# issue 12 step 3: offsite through rclone (t121, its local backend)
	DEPS="$DEPS rclone"
fi
missing=""
for p in $DEPS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
echo "== installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (or install:$missing)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing >/dev/null
