/* Unit tests for the pure parts of ops_rotate and ops_logcut: the date in
 * a log's name, the plan's decisions for a given "now" and mtimes, and the
 * line boundary of a cut. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops.h"
#include "unit.h"

/* CHECK with the case named in the message. */
#define CHECKM(cond, ...) do {						\
	unit_case(__VA_ARGS__);						\
	CHECK(cond);							\
	unit_case("%s", "");						\
} while (0)

static void
test_name_date(void)
{
	static const struct {
		const char *path;
		int found, y, m, d;
	} cases[] = {
		{ "logs/daemon_20260101.log", 1, 2026, 1, 1 },
		{ "/h/logs/email_20251231.log.gz", 1, 2025, 12, 31 },
		{ "logs/x_20240229.log", 1, 2024, 2, 29 },	/* leap day */
		{ "logs/x_20230229.log", 0, 0, 0, 0 },		/* not a leap year */
		{ "logs/x_20261340.log", 0, 0, 0, 0 },		/* month 13 */
		{ "logs/x_20260100.log", 0, 0, 0, 0 },		/* day 0 */
		{ "logs/daemon_notadate.log", 0, 0, 0, 0 },
		{ "logs/x_202601011.log", 0, 0, 0, 0 },		/* 9 digits */
		{ "logs/x_2026010.log", 0, 0, 0, 0 },		/* 7 digits */
		{ "logs/a_20250101_20250102.log", 1, 2025, 1, 2 },	/* the last */
		{ "logs/a_20250101_99999999.log", 1, 2025, 1, 1 },	/* last valid */
		{ "d_20250101/x.log", 0, 0, 0, 0 },		/* base name only */
		{ "logs/x_19691231.log", 0, 0, 0, 0 },		/* before the epoch */
		{ "", 0, 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int y = 0, m = 0, d = 0;
		int f = ops_rotate_name_date(cases[i].path, &y, &m, &d);

		CHECKM(f == cases[i].found, "'%s': found %d", cases[i].path, f);
		if (f && cases[i].found)
			CHECKM(y == cases[i].y && m == cases[i].m && d == cases[i].d,
			    "'%s': %04d-%02d-%02d", cases[i].path, y, m, d);
	}
}

#define DAY 86400.0
#define NOW 1767268800.0	/* 2026-01-01 12:00:00 UTC */

static void
load(struct ops_config *cfg, const char *json)
{
	struct ops_err err = OPS_ERR_INIT;

	memset(cfg, 0, sizeof(*cfg));
	if (ops_config_load_text(cfg, "/h", json, strlen(json), "test", &err) < 0) {
		fprintf(stderr, "config: %s\n", err.msg);
		exit(1);
	}
}

static void
test_decide(void)
{
	struct ops_config cfg, cfg2;
	static const struct {
		const char *path;
		double mtime;
		uint64_t size;
		enum ops_rot_kind want, want2;	/* default policy; compress_after 2d */
	} cases[] = {
		/* today's: never compressed, cut only when over max_size */
		{ "/h/logs/daemon_20260101.log", NOW, 10, OPS_ROT_KEEP, OPS_ROT_KEEP },
		{ "/h/logs/daemon_20260101.log", NOW, 200u << 20, OPS_ROT_CUT, OPS_ROT_CUT },
		/* an old name wins over a recent mtime */
		{ "/h/logs/daemon_20251231.log", NOW, 10, OPS_ROT_COMPRESS, OPS_ROT_KEEP },
		{ "/h/logs/daemon_20251230.log", NOW, 10, OPS_ROT_COMPRESS, OPS_ROT_COMPRESS },
		{ "/h/logs/daemon_20251203.log", NOW, 10, OPS_ROT_COMPRESS, OPS_ROT_COMPRESS },
		/* 2025-12-02 00:00 is 30.5 days before now */
		{ "/h/logs/daemon_20251202.log", NOW, 10, OPS_ROT_DELETE, OPS_ROT_DELETE },
		{ "/h/logs/daemon_20251101.log", NOW, 10, OPS_ROT_DELETE, OPS_ROT_DELETE },
		/* a future day is current, whatever its mtime */
		{ "/h/logs/daemon_20260105.log", NOW - 40 * DAY, 10, OPS_ROT_KEEP, OPS_ROT_KEEP },
		/* no date in the name: the mtime decides */
		{ "/h/logs/x_notadate.log", NOW - 3 * DAY, 10, OPS_ROT_COMPRESS, OPS_ROT_COMPRESS },
		{ "/h/logs/x_notadate.log", NOW - 3600, 10, OPS_ROT_KEEP, OPS_ROT_KEEP },
		{ "/h/logs/x_notadate.log", NOW - 13 * 3600, 10, OPS_ROT_KEEP, OPS_ROT_KEEP },
		{ "/h/logs/x_notadate.log", NOW - 31 * DAY, 10, OPS_ROT_DELETE, OPS_ROT_DELETE },
		/* yesterday by mtime but younger than 1d: kept */
		{ "/h/logs/x_20261340.log", NOW - 20 * 3600, 10, OPS_ROT_KEEP, OPS_ROT_KEEP },
		{ "/h/logs/x_20261340.log", NOW - 20 * 3600, 200u << 20, OPS_ROT_CUT, OPS_ROT_CUT },
		/* weekly reports stay plain for 5 weeks (rotate.plain_logs,
		 * plain_for), and are not deleted before then */
		{ "/h/logs/weekly_health_20251225.log", NOW, 10, OPS_ROT_KEEP, OPS_ROT_KEEP },
		{ "/h/logs/daily_health_20251225.log", NOW, 10, OPS_ROT_COMPRESS,
		  OPS_ROT_COMPRESS },
		{ "/h/logs/weekly_health_20251130.log", NOW, 10, OPS_ROT_KEEP, OPS_ROT_KEEP },
		{ "/h/logs/daily_health_20251130.log", NOW, 10, OPS_ROT_DELETE, OPS_ROT_DELETE },
		{ "/h/logs/weekly_health_20251120.log", NOW, 10, OPS_ROT_DELETE, OPS_ROT_DELETE },
	};
	static const struct {
		const char *path;
		double mtime;
		enum ops_rot_kind want;
	} gz[] = {
		{ "/h/logs/daemon_20251201.log.gz", NOW, OPS_ROT_DELETE },
		{ "/h/logs/daemon_20251215.log.gz", NOW - 100 * DAY, OPS_ROT_KEEP },
		{ "/h/logs/daemon_20251203.log.gz", NOW, OPS_ROT_KEEP },
		{ "/h/logs/x_notadate.log.gz", NOW - 31 * DAY, OPS_ROT_DELETE },
		{ "/h/logs/x_notadate.log.gz", NOW - 29 * DAY, OPS_ROT_KEEP },
		{ "/h/logs/daemon_20260101.log.gz", NOW - 100 * DAY, OPS_ROT_KEEP },
	};

	load(&cfg, "{}");
	load(&cfg2, "{\"rotate\": {\"compress_after\": \"2d\"}}");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ops_rot_kind k = ops_rotate_decide_daily(&cfg, cases[i].path,
		    cases[i].mtime, cases[i].size, NOW);
		enum ops_rot_kind k2 = ops_rotate_decide_daily(&cfg2, cases[i].path,
		    cases[i].mtime, cases[i].size, NOW);

		CHECKM(k == cases[i].want, "case %zu '%s': %d, want %d", i,
		    cases[i].path, k, cases[i].want);
		CHECKM(k2 == cases[i].want2, "case %zu '%s' (2d): %d, want %d", i,
		    cases[i].path, k2, cases[i].want2);
	}
	for (size_t i = 0; i < sizeof(gz) / sizeof(gz[0]); i++) {
		enum ops_rot_kind k = ops_rotate_decide_gz(&cfg, gz[i].path, gz[i].mtime, NOW);

		CHECKM(k == gz[i].want, "gz '%s': %d, want %d", gz[i].path, k, gz[i].want);
	}
	CHECKM(ops_rotate_is_current(NOW - 12 * 3600, NOW), "midnight is today");
	CHECKM(!ops_rotate_is_current(NOW - 12 * 3600 - 1, NOW), "23:59:59 is yesterday");
	CHECKM(ops_rotate_log_time("/h/logs/d_20260101.log", 5) == NOW - 12 * 3600,
	    "the day's start");
	CHECKM(ops_rotate_log_time("/h/logs/d.log", 5) == 5, "mtime");
	ops_config_release(&cfg);
	ops_config_release(&cfg2);
}

/* The start of the last keep lines, computed the obvious way. */
static size_t
naive_cut(const char *s, size_t n, size_t keep)
{
	size_t seen = 0;

	for (size_t i = n; i > 0; i--) {
		if (s[i - 1] != '\n' || i == n)
			continue;
		if (++seen == keep)
			return i;
	}
	return 0;
}

static size_t
chunked_cut(const char *s, size_t n, size_t keep, size_t chunk)
{
	struct ops_linescan sc = OPS_LINESCAN_INIT(keep);
	size_t end = n;

	while (end > 0) {
		size_t len = end < chunk ? end : chunk;
		long at = ops_linescan_back(&sc, s + end - len, len, end == n);

		if (at >= 0)
			return end - len + (size_t)at;
		end -= len;
	}
	return 0;
}

static void
test_linescan(void)
{
	static const char *texts[] = {
		"",
		"\n",
		"a",
		"a\n",
		"a\nb\nc\n",
		"a\nb\nc",		/* unterminated last line counts */
		"\n\n\n\n",
		"line one\nline two\n\nline four\nfive\n",
		"x\ny\nz\nw\nv\nu\nt\n",
	};
	static const size_t chunks[] = { 1, 2, 3, 7, 64 };

	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		size_t n = strlen(texts[t]);

		for (size_t keep = 1; keep <= 8; keep++) {
			size_t want = naive_cut(texts[t], n, keep);

			for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
				size_t got = chunked_cut(texts[t], n, keep, chunks[c]);

				CHECKM(got == want, "text %zu keep %zu chunk %zu: %zu, want %zu",
				    t, keep, chunks[c], got, want);
			}
		}
	}
	/* explicit expectations, so the oracle itself is checked */
	CHECKM(naive_cut("a\nb\nc\n", 6, 2) == 2, "last 2 of 3 lines start at 'b'");
	CHECKM(naive_cut("a\nb\nc", 5, 1) == 4, "unterminated last line");
	CHECKM(naive_cut("a\nb\nc\n", 6, 3) == 0, "3 lines of 3: nothing to cut");
	CHECKM(naive_cut("a\nb\nc\n", 6, 1) == 4, "the last line");

	/* fragment at a block boundary: head = bytes [B-1, L) */
	CHECKM(ops_logcut_fragment("\nabc\n", 5) == 0, "B is a line start");
	CHECKM(ops_logcut_fragment("xabc\nde\n", 8) == 4, "fragment 'abc\\n'");
	CHECKM(ops_logcut_fragment("x\n", 2) == 1, "fragment '\\n' only");
	CHECKM(ops_logcut_fragment("", 0) == 0, "empty");
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_name_date();
	test_decide();
	test_linescan();
	return unit_done();
}
