/* ops_retention: backup names, ISO weeks, and which backups are kept. */
#include "ops_retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures;

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK(%s) failed\n", \
	__FILE__, __LINE__, #c); failures++; } } while (0)

static void
names(void)
{
	static const struct { const char *name; int ok; } cases[] = {
		{ "20260301_030000.tar.zst", 1 },
		{ "20260301_030000.tar.gz", 1 },
		{ "20260301_030000.tar", 1 },
		{ "20240229_235959.tar.zst", 1 },	/* leap day */
		{ "20230229_000000.tar.zst", 0 },	/* not a leap year */
		{ "20260301_030000.tar.zst.tmp", 0 },
		{ "20260301_030000.zip", 0 },
		{ "20260301-030000.tar.zst", 0 },
		{ "2026031_030000.tar.zst", 0 },
		{ "20261301_030000.tar.zst", 0 },
		{ "20260100_030000.tar.zst", 0 },
		{ "20260301_240000.tar.zst", 0 },
		{ "20260301_236000.tar.zst", 0 },
		{ "latest", 0 },
		{ ".ops-backup-tmp.AbC123", 0 },
		{ "x20260301_030000.tar.zst", 0 },
		{ "", 0 },
	};
	struct ops_backup_name bn;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if ((ops_backup_name_parse(cases[i].name, &bn) == 0) != cases[i].ok) {
			fprintf(stderr, "name case %zu '%s'\n", i, cases[i].name);
			failures++;
		}
	}
	CHECK(ops_backup_name_parse("20260301_030405.tar.gz", &bn) == 0);
	CHECK(bn.year == 2026 && bn.month == 3 && bn.day == 1 && bn.hour == 3 &&
	    bn.min == 4 && bn.sec == 5 && strcmp(bn.ext, ".tar.gz") == 0);
	CHECK(ops_backup_name_time(&bn) == 1772334245.0);	/* TZ=UTC */
}

static void
weeks(void)
{
	static const struct { int y, m, d, iy, w; } cases[] = {
		{ 2021, 1, 3, 2020, 53 }, { 2021, 1, 4, 2021, 1 }, { 2024, 12, 30, 2025, 1 },
		{ 2026, 1, 1, 2026, 1 }, { 2027, 1, 1, 2026, 53 }, { 2026, 2, 22, 2026, 8 },
		{ 2026, 2, 23, 2026, 9 }, { 2008, 12, 29, 2009, 1 }, { 2010, 1, 3, 2009, 53 },
		{ 1970, 1, 1, 1970, 1 }, { 2000, 2, 29, 2000, 9 }, { 2026, 12, 31, 2026, 53 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int iy, w;

		ops_iso_week(cases[i].y, cases[i].m, cases[i].d, &iy, &w);
		if (iy != cases[i].iy || w != cases[i].w) {
			fprintf(stderr, "week case %zu: %d-W%02d\n", i, iy, w);
			failures++;
		}
	}
	/* every day of 2000..2030 against strftime's %G/%V */
	for (time_t t = 946684800; t < 1924992000; t += 86400) {
		struct tm tm;
		char want[16], got[16];
		int iy, w;

		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%G-%V", &tm);
		ops_iso_week(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &iy, &w);
		snprintf(got, sizeof(got), "%04d-%02d", iy, w);
		if (strcmp(want, got) != 0) {
			fprintf(stderr, "week of %s: %s\n", want, got);
			failures++;
			break;
		}
	}
}

static void
decide(void)
{
	static const struct { const char *name; int keep; enum ops_retention_rule rule; } want[] = {
		{ "20260301_030000.tar.zst", 1, OPS_KEEP_NEWEST },
		{ "20260226_030000.tar.zst", 1, OPS_KEEP_ALL },
		{ "20260222_120001.tar.zst", 1, OPS_KEEP_ALL },	/* 1s short of 7d */
		{ "20260222_030000.tar.zst", 1, OPS_KEEP_WEEKLY },	/* Sunday of W08 */
		{ "20260218_030000.tar.gz", 0, OPS_DROP_WEEKLY },
		{ "20260216_030000.tar.zst", 0, OPS_DROP_WEEKLY },	/* Monday of W08 */
		{ "20260215_030000.tar.zst", 1, OPS_KEEP_WEEKLY },	/* Sunday of W07 */
		{ "20260125_030000.tar.zst", 1, OPS_KEEP_MONTHLY },
		{ "20260110_030000.tar.zst", 0, OPS_DROP_MONTHLY },
		{ "20250401_030000.tar.zst", 1, OPS_KEEP_MONTHLY },
		{ "20250301_120000.tar.zst", 0, OPS_DROP_OLD },	/* 365d exactly */
		{ "20250228_030000.tar.zst", 0, OPS_DROP_OLD },
		{ "20240101_000000.tar.zst", 1, OPS_KEEP_LATEST },
		{ "20231231_000000.tar", 0, OPS_DROP_OLD },
	};
	enum { N = sizeof(want) / sizeof(want[0]) };
	struct ops_retention_policy p = { 7 * 86400.0, 30 * 86400.0, 365 * 86400.0, 0 };
	struct ops_retention_item v[N];
	double now = 1772366400;	/* 2026-03-01 12:00:00 UTC */
	char why[160];

	/* given in a shuffled order: decide sorts newest first */
	for (size_t i = 0; i < N; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].name = want[(i * 5) % N].name;
	}
	ops_retention_decide(v, N, &p, now, "20240101_000000.tar.zst");
	for (size_t i = 0; i < N; i++) {
		if (strcmp(v[i].name, want[i].name) != 0 || v[i].keep != want[i].keep ||
		    v[i].rule != want[i].rule) {
			fprintf(stderr, "decide %zu: %s keep %d rule %d (want %s %d %d)\n", i,
			    v[i].name, v[i].keep, v[i].rule, want[i].name, want[i].keep,
			    want[i].rule);
			failures++;
		}
	}
	CHECK(strcmp(ops_retention_why(&v[3], &p, why, sizeof(why)),
	    "keep_weekly: newest of week 2026-W08") == 0);
	CHECK(strcmp(ops_retention_why(&v[8], &p, why, sizeof(why)),
	    "keep_monthly: a newer backup of month 2026-01 is kept") == 0);
	CHECK(strstr(ops_retention_why(&v[1], &p, why, sizeof(why)), "keep_all") != NULL);

	/* the only backup, however old, is kept; so is the newest of many old */
	{
		struct ops_retention_item one[2];

		memset(one, 0, sizeof(one));
		one[0].name = "20100101_000000.tar.zst";
		one[1].name = "20100102_000000.tar.zst";
		ops_retention_decide(one, 2, &p, now, NULL);
		CHECK(one[0].keep && one[0].rule == OPS_KEEP_NEWEST &&
		    strcmp(one[0].name, "20100102_000000.tar.zst") == 0);
		CHECK(!one[1].keep && one[1].rule == OPS_DROP_OLD);
	}
	/* exactly keep_all old is no longer young: the weekly band */
	{
		struct ops_retention_item b[2];

		memset(b, 0, sizeof(b));
		b[0].name = "20260301_120000.tar.zst";
		b[1].name = "20260222_120000.tar.zst";
		ops_retention_decide(b, 2, &p, now, NULL);
		CHECK(b[1].keep && b[1].rule == OPS_KEEP_WEEKLY);
	}
	/* a backup in the future (clock stepped back) is young */
	{
		struct ops_retention_item f[2];

		memset(f, 0, sizeof(f));
		f[0].name = "20300101_000000.tar.zst";
		f[1].name = "20260301_000000.tar.zst";
		ops_retention_decide(f, 2, &p, now, NULL);
		CHECK(f[0].keep && f[1].keep && f[1].rule == OPS_KEEP_ALL);
	}
	ops_retention_decide(NULL, 0, &p, now, NULL);
}

/* The example of ops-backup(1): daily backups at 03:00 for 500 days, at
 * 2026-03-01 12:00 with the defaults. */
static void
man_example(void)
{
	enum { N = 500 };
	static char bnames[N][32];
	struct ops_retention_policy p = { 7 * 86400.0, 30 * 86400.0, 365 * 86400.0, 0 };
	struct ops_retention_item v[N];
	static const char *const want[] = {
		"20260301", "20260228", "20260227", "20260226", "20260225", "20260224",
		"20260223", "20260222", "20260215", "20260208", "20260201", "20260130",
		"20251231", "20251130", "20251031", "20250930", "20250831", "20250731",
		"20250630", "20250531", "20250430", "20250331",
	};
	size_t k = 0;

	for (int i = 0; i < N; i++) {
		time_t t = (time_t)1772334000 - (time_t)i * 86400;	/* 2026-03-01 03:00 */
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(bnames[i], sizeof(bnames[i]), "%Y%m%d_%H%M%S.tar.zst", &tm);
		memset(&v[i], 0, sizeof(v[i]));
		v[i].name = bnames[i];
	}
	ops_retention_decide(v, N, &p, 1772366400, NULL);
	for (int i = 0; i < N; i++) {
		if (!v[i].keep)
			continue;
		if (k >= sizeof(want) / sizeof(want[0]) ||
		    strncmp(v[i].name, want[k], 8) != 0) {
			fprintf(stderr, "man example: kept %s (expected %s)\n", v[i].name,
			    k < sizeof(want) / sizeof(want[0]) ? want[k] : "nothing more");
			failures++;
			return;
		}
		k++;
	}
	CHECK(k == sizeof(want) / sizeof(want[0]));
}

/* 400 daily backups, the newest 10 bad, the rest good: the 3 newest
 * good ones are kept though older than keep_all would keep; a good one
 * beyond keep_good and the rules is not. */
static void
keep_good(void)
{
	enum { N = 400 };
	static char bnames[N][32];
	struct ops_retention_policy p = { 1 * 86400.0, 0, 0, 3 };
	struct ops_retention_item v[N];
	int kept = 0, good_kept = 0;

	for (int i = 0; i < N; i++) {
		time_t t = (time_t)1772334000 - (time_t)i * 86400;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(bnames[i], sizeof(bnames[i]), "%Y%m%d_%H%M%S.tar.zst", &tm);
		memset(&v[i], 0, sizeof(v[i]));
		v[i].name = bnames[i];
		v[i].good = i >= 10;
	}
	ops_retention_decide(v, N, &p, 1772366400, NULL);
	for (int i = 0; i < N; i++) {
		kept += v[i].keep;
		if (v[i].keep && v[i].good) {
			good_kept++;
			CHECK(i >= 10 && i <= 12 && v[i].rule == OPS_KEEP_GOOD);
		}
	}
	CHECK(good_kept == 3);
	CHECK(v[0].keep && v[0].rule == OPS_KEEP_NEWEST);
	CHECK(kept == 3 + 1);	/* newest, and nothing younger than 1d but it */
	CHECK(!v[13].keep);
	/* keep_good 0: no such rule */
	p.keep_good = 0;
	ops_retention_decide(v, N, &p, 1772366400, NULL);
	CHECK(!v[10].keep);
}

/* The weekly and monthly bands keep the newest good backup of their
 * period, never a bad one; a period without a good one keeps its newest
 * one not found bad, and one with only bad ones keeps none. */
static void
bands_good(void)
{
	/* good, bad as the caller knows them */
	static const struct {
		const char *name;
		int good, bad, keep;
		enum ops_retention_rule rule;
	} want[] = {
		{ "20260301_030000.tar.zst", 1, 0, 1, OPS_KEEP_NEWEST },
		{ "20260222_030000.tar.zst", 0, 1, 0, OPS_DROP_BAD_WEEKLY },	/* W08 */
		{ "20260221_030000.tar.zst", 1, 0, 1, OPS_KEEP_WEEKLY },
		{ "20260220_030000.tar.zst", 1, 0, 0, OPS_DROP_WEEKLY },
		{ "20260215_030000.tar.zst", 0, 0, 0, OPS_DROP_GOOD_WEEKLY },	/* W07 */
		{ "20260214_030000.tar.zst", 1, 0, 1, OPS_KEEP_WEEKLY },
		{ "20260208_030000.tar.zst", 0, 1, 0, OPS_DROP_BAD_WEEKLY },	/* W06 */
		{ "20260207_030000.tar.zst", 0, 0, 1, OPS_KEEP_WEEKLY },
		{ "20260125_030000.tar.zst", 0, 1, 0, OPS_DROP_BAD_MONTHLY },	/* 2026-01 */
		{ "20260120_030000.tar.zst", 1, 0, 1, OPS_KEEP_MONTHLY },
		{ "20260110_030000.tar.zst", 1, 0, 0, OPS_DROP_MONTHLY },
		{ "20251231_030000.tar.zst", 0, 1, 0, OPS_DROP_BAD_MONTHLY },	/* 2025-12 */
		{ "20251215_030000.tar.zst", 0, 1, 0, OPS_DROP_BAD_MONTHLY },
		{ "20251130_030000.tar.zst", 0, 0, 0, OPS_DROP_GOOD_MONTHLY },	/* 2025-11 */
		{ "20251101_030000.tar.zst", 1, 0, 1, OPS_KEEP_MONTHLY },
	};
	enum { N = sizeof(want) / sizeof(want[0]) };
	struct ops_retention_policy p = { 7 * 86400.0, 30 * 86400.0, 365 * 86400.0, 0 };
	struct ops_retention_item v[N];
	char why[160];

	for (size_t i = 0; i < N; i++) {
		size_t k = (i * 7) % N;	/* shuffled */

		memset(&v[i], 0, sizeof(v[i]));
		v[i].name = want[k].name;
		v[i].good = want[k].good;
		v[i].bad = want[k].bad;
	}
	ops_retention_decide(v, N, &p, 1772366400, NULL);
	for (size_t i = 0; i < N; i++) {
		if (strcmp(v[i].name, want[i].name) != 0 || v[i].keep != want[i].keep ||
		    v[i].rule != want[i].rule) {
			fprintf(stderr, "bands_good %zu: %s keep %d rule %d (want %s %d %d)\n", i,
			    v[i].name, v[i].keep, v[i].rule, want[i].name, want[i].keep,
			    want[i].rule);
			failures++;
		}
	}
	CHECK(strcmp(ops_retention_why(&v[1], &p, why, sizeof(why)),
	    "keep_weekly: bad, never the backup of week 2026-W08") == 0);
	CHECK(strcmp(ops_retention_why(&v[4], &p, why, sizeof(why)),
	    "keep_weekly: an older, good backup of week 2026-W07 is kept") == 0);
	CHECK(strcmp(ops_retention_why(&v[8], &p, why, sizeof(why)),
	    "keep_monthly: bad, never the backup of month 2026-01") == 0);
	CHECK(strcmp(ops_retention_why(&v[13], &p, why, sizeof(why)),
	    "keep_monthly: an older, good backup of month 2025-11 is kept") == 0);
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	names();
	weeks();
	decide();
	man_example();
	keep_good();
	bands_good();
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	return failures != 0;
}
