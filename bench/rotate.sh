#!/bin/bash
# bench/rotate.sh: ops-rotate against what a user would run instead, on
# the logs of a medium home (40 days of daily logs, ~165 MB):
#   - logrotate with an equivalent config (compress, rotate, maxage), its
#     state file in the work directory, forced (-f) since it is fresh;
#   - ls ... | xargs -P$(nproc) -n 1 gzip -6 (the fastest shell way).
# Every tool gets a fresh copy of the same logs (page cache warm for all)
# and compresses the same set: every daily log but today's (the retention
# is set past 40 days so nothing is deleted and the work is equal). Each
# is run REPS times (default 3); the median wall time and the peak RSS
# (/usr/bin/time -v) are printed, then ops-rotate with the default 30-day
# retention for reference.
# Targets (issue 4): ops-rotate <= 1.2x the parallel gzip, faster than
# logrotate, peak RSS <= 16 MB.
#
# usage: bench/rotate.sh [BUILD_DIR]     (default: build)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
REPS=${REPS:-3}
OPS_ROTATE=$BUILD/ops-rotate
MKHOME=$SRC/../shared/workload/mkhome.py
[ -f "$MKHOME" ] || MKHOME=$SRC/tests/workload/mkhome.py
[ -x "$OPS_ROTATE" ] || { echo "bench: build first: $OPS_ROTATE missing" >&2; exit 2; }
command -v logrotate >/dev/null || { echo "bench: logrotate is not installed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is not installed" >&2; exit 2; }

W=$(mktemp -d "${TMPDIR:-/tmp}/ops-bench-rotate.XXXXXX")
trap 'rm -rf "$W"' EXIT
NCPU=$(nproc)
NOW=$(date +%s)
TODAY=$(date -d "@$NOW" +%Y%m%d)

echo "== building a medium home (once) in $W"
python3 "$MKHOME" "$W/src" --scale medium --now "$NOW" >/dev/null
find "$W/src/logs" -name '*_????????.log' ! -name "*_$TODAY.log" | sort > "$W/list"
nfiles=$(wc -l < "$W/list")
bytes=$(xargs cat < "$W/list" | wc -c)
echo "   $nfiles daily logs to compress, $((bytes / 1048576)) MiB; $NCPU cores; $REPS runs each"

# fresh NAME: a new copy of the logs in $W/NAME/home/logs, read once so
# that every tool starts with a warm page cache.
fresh() {
	rm -rf "${W:?}/$1"
	mkdir -p "$W/$1/home"
	cp -a "$W/src/logs" "$W/$1/home/logs"
	cat "$W/$1/home/logs/"* > /dev/null
	sync
}

# measure NAME CMD...: run CMD under /usr/bin/time -v; append "secs rss_kb"
# to $W/NAME.times.
measure() {
	name=$1; shift
	/usr/bin/time -v -o "$W/$name.tv" "$@" > "$W/$name.out" 2>&1 ||
		{ echo "bench: $name failed:"; cat "$W/$name.out" "$W/$name.tv"; exit 1; } >&2
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + t[i]; secs = s }
		/User time \(seconds\)|System time \(seconds\)/ { cpu += $2 }
		/Maximum resident set size/ { rss = $2 }
		END { print secs, rss, cpu }' "$W/$name.tv" >> "$W/$name.times"
}

# check NAME: every log compressed, the original gone, and the bytes back.
check() {
	dir=$W/$1/home/logs
	while read -r f; do
		b=$(basename "$f")
		gz=$dir/$b.gz
		[ -f "$gz" ] || gz=$dir/$b.1.gz	# logrotate's name
		[ -f "$gz" ] && [ ! -e "$dir/$b" ] || { echo "bench: $1 left $b" >&2; exit 1; }
	done < "$W/list"
	f=$(head -1 "$W/list")
	b=$(basename "$f")
	gz=$dir/$b.gz
	[ -f "$gz" ] || gz=$dir/$b.1.gz
	cmp -s <(gzip -dc "$gz") "$f" || { echo "bench: $1: $b.gz differs" >&2; exit 1; }
	find "$dir" -name '*.gz' -printf '%s\n' | awk '{ s += $1 } END { print s }' > "$W/$1.gzbytes"
}

run_ops() {
	fresh ops
	printf '{"rotate": {"delete_after": "60d"}}\n' > "$W/ops/home/ops.json"
	measure ops "$OPS_ROTATE" --home "$W/ops/home"
	check ops
}

run_gzip() {
	fresh gzip
	sed "s|^$W/src/|$W/gzip/home/|" "$W/list" > "$W/gzip.list"
	measure gzip sh -c "xargs -P$NCPU -n 1 gzip -6 < '$W/gzip.list'"
	check gzip
}

run_logrotate() {
	fresh lr
	{
		sed "s|^$W/src/|$W/lr/home/|" "$W/list" | tr '\n' ' '
		printf '{\n\trotate 1\n\tmaxage 60\n\tcompress\n\tcompressoptions -6\n'
		printf '\tnodelaycompress\n\tnocreate\n\tmissingok\n\tifempty\n\tnomail\n}\n'
	} > "$W/lr/logrotate.conf"
	chmod 644 "$W/lr/logrotate.conf"
	rm -f "$W/lr.state"
	measure lr logrotate -f -s "$W/lr.state" "$W/lr/logrotate.conf"
	check lr
}

for _ in $(seq "$REPS"); do
	run_ops
	run_gzip
	run_logrotate
done
# reference: the default retention (30 days: older logs deleted outright)
fresh ops30
measure ops30 "$OPS_ROTATE" --home "$W/ops30/home"

median() { sort -n -k1,1 "$W/$1.times" | awk '{ t[NR] = $1; r[NR] = $2 }
	END { m = int((NR + 1) / 2); printf "%.2f %d\n", t[m], r[m] }'; }
cpu() { sort -n -k3,3 "$W/$1.times" | awk '{ c[NR] = $3 }
	END { printf "%.2f", c[int((NR + 1) / 2)] }'; }
peak() { sort -n -k2,2 "$W/$1.times" | tail -1 | awk '{ print $2 }'; }
read -r t_ops _ < <(median ops)
read -r t_gz _ < <(median gzip)
read -r t_lr _ < <(median lr)
read -r t_30 _ < <(median ops30)
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo
printf '%-34s %8s %8s %10s %12s %9s\n' "tool" "wall s" "cpu s" "vs gzip" "peak RSS MB" "out MiB"
row() { printf '%-34s %8.2f %8s %9.2fx %12s %9s\n' "$1" "$2" "$(cpu "$5")" \
	"$(awk -v a="$2" -v b="$t_gz" 'BEGIN { print a / b }')" "$(mb "$3")" "$4"; }
out() { awk '{ printf "%.1f", $1 / 1048576 }' "$W/$1.gzbytes"; }
row "ops-rotate (-j $NCPU)" "$t_ops" "$(peak ops)" "$(out ops)" ops
row "xargs -P$NCPU gzip -6" "$t_gz" "$(peak gzip)" "$(out gzip)" gzip
row "logrotate (compress, maxage)" "$t_lr" "$(peak lr)" "$(out lr)" lr
row "ops-rotate, 30-day retention" "$t_30" "$(peak ops30)" "-" ops30
echo "(wall: median of $REPS runs; cpu: user + system, median; the host is shared,"
echo " so wall times carry its load: compare cpu too)"
echo
ok=1
r=$(awk -v a="$t_ops" -v b="$t_gz" 'BEGIN { printf "%.2f", a / b }')
if awk -v r="$r" 'BEGIN { exit !(r <= 1.2) }'; then echo "target ops-rotate <= 1.2x parallel gzip: met (${r}x)"
else echo "target ops-rotate <= 1.2x parallel gzip: MISSED (${r}x)"; ok=0; fi
if awk -v a="$t_ops" -v b="$t_lr" 'BEGIN { exit !(a < b) }'; then
	echo "target faster than logrotate: met ($(awk -v a="$t_lr" -v b="$t_ops" 'BEGIN { printf "%.1f", a / b }')x faster)"
else echo "target faster than logrotate: MISSED"; ok=0; fi
if [ "$(peak ops)" -le 16384 ]; then echo "target peak RSS <= 16 MB: met ($(mb "$(peak ops)") MB)"
else echo "target peak RSS <= 16 MB: MISSED ($(mb "$(peak ops)") MB)"; ok=0; fi
[ "$ok" = 1 ]
