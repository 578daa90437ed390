#include "ops_retention.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops_time.h"
#include "ops_units.h"

static int
num(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

int
ops_backup_name_parse(const char *name, struct ops_backup_name *bn)
{
	static const char *const exts[] = { ".tar.zst", ".tar.gz", ".tar",
		".tar.zst.age", ".tar.gz.age", ".tar.age" };
	const char *ext;
	size_t i;

	if (strlen(name) < 15 || name[8] != '_')
		return -1;
	bn->year = num(name, 4);
	bn->month = num(name + 4, 2);
	bn->day = num(name + 6, 2);
	bn->hour = num(name + 9, 2);
	bn->min = num(name + 11, 2);
	bn->sec = num(name + 13, 2);
	if (bn->year < 1970 || bn->month < 1 || bn->month > 12 || bn->day < 1 ||
	    bn->day > ops_time_days_in_month(bn->year, bn->month) || bn->hour < 0 ||
	    bn->hour > 23 || bn->min < 0 || bn->min > 59 || bn->sec < 0 || bn->sec > 60)
		return -1;
	ext = name + 15;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (strcmp(ext, exts[i]) == 0) {
			bn->ext = exts[i];
			return 0;
		}
	}
	return -1;
}

double
ops_backup_name_time(const struct ops_backup_name *bn)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = bn->year - 1900;
	tm.tm_mon = bn->month - 1;
	tm.tm_mday = bn->day;
	tm.tm_hour = bn->hour;
	tm.tm_min = bn->min;
	tm.tm_sec = bn->sec;
	tm.tm_isdst = -1;
	return (double)mktime(&tm);
}

int
ops_backup_name_epoch(const char *name, double *t)
{
	struct ops_backup_name bn;

	if (ops_backup_name_parse(name, &bn) < 0)
		return -1;
	*t = ops_backup_name_time(&bn);
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long
days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
ops_iso_week(int year, int month, int day, int *iso_year, int *week)
{
	long days = days_from_civil(year, month, day);
	long wd = ((days % 7) + 7 + 3) % 7;	/* 0 = Monday; 1970-01-01 was a Thursday */
	long thu = days - wd + 3;		/* the Thursday of this week */
	int y = year + 1;

	/* The ISO year is the calendar year of that Thursday. */
	while (days_from_civil(y, 1, 1) > thu)
		y--;
	*iso_year = y;
	*week = (int)((thu - days_from_civil(y, 1, 1)) / 7 + 1);
}

static int
newest_first(const void *a, const void *b)
{
	const struct ops_retention_item *x = a, *y = b;

	if (x->t != y->t)
		return x->t > y->t ? -1 : 1;
	return -strcmp(x->name, y->name);
}

/* The backup v[i]'s band keeps for its group (week or month): the newest
 * good one, else the newest not found bad (one the catalog never judged,
 * a home without a catalog); n when every one of them is bad. A bad
 * archive never holds a band's slot: the band would keep it in place of
 * an older good one, which retention would then delete. */
static size_t
band_pick(const struct ops_retention_item *v, size_t n, size_t i, const int *bands)
{
	size_t any = n;

	for (size_t j = 0; j < n; j++) {
		if (bands[j] != bands[i] || strcmp(v[j].group, v[i].group) != 0)
			continue;
		if (v[j].good && !v[j].bad)
			return j;
		if (!v[j].bad && any == n)
			any = j;
	}
	return any;
}

void
ops_retention_decide(struct ops_retention_item *v, size_t n,
    const struct ops_retention_policy *p, double now, const char *latest)
{
	int *bands;

	for (size_t i = 0; i < n; i++) {
		if (ops_backup_name_parse(v[i].name, &v[i].bn) < 0) {
			v[i].t = now;
			memset(&v[i].bn, 0, sizeof(v[i].bn));
		} else {
			v[i].t = ops_backup_name_time(&v[i].bn);
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(v[0]), newest_first);
	bands = calloc(n ? n : 1, sizeof(*bands));
	for (size_t i = 0; i < n; i++) {
		struct ops_retention_item *it = &v[i];
		double age = now - it->t;
		int iy, wk;

		it->group[0] = '\0';
		/* bands: 0 keep_all, 1 weekly, 2 monthly, 3 too old */
		if (it->bn.year == 0 || age < p->keep_all) {
			if (bands)
				bands[i] = 0;
		} else if (age < p->keep_weekly) {
			ops_iso_week(it->bn.year, it->bn.month, it->bn.day, &iy, &wk);
			snprintf(it->group, sizeof(it->group), "%04d-W%02d", iy, wk);
			if (bands)
				bands[i] = 1;
		} else if (age < p->keep_monthly) {
			snprintf(it->group, sizeof(it->group), "%04d-%02d", it->bn.year,
			    it->bn.month);
			if (bands)
				bands[i] = 2;
		} else if (bands) {
			bands[i] = 3;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct ops_retention_item *it = &v[i];
		/* Without memory for the bands, keep everything: never delete
		 * on a guess. */
		int band = bands ? bands[i] : 0;

		it->keep = 1;
		if (i == 0)
			it->rule = OPS_KEEP_NEWEST;
		else if (latest && strcmp(it->name, latest) == 0)
			it->rule = OPS_KEEP_LATEST;
		else if (band == 0)
			it->rule = OPS_KEEP_ALL;
		else if (band == 3) {
			it->keep = 0;
			it->rule = OPS_DROP_OLD;
		} else {
			size_t k = band_pick(v, n, i, bands);

			it->keep = k == i;
			if (k == i)
				it->rule = band == 1 ? OPS_KEEP_WEEKLY : OPS_KEEP_MONTHLY;
			else if (k < i)
				it->rule = band == 1 ? OPS_DROP_WEEKLY : OPS_DROP_MONTHLY;
			else if (it->bad)
				it->rule = band == 1 ? OPS_DROP_BAD_WEEKLY : OPS_DROP_BAD_MONTHLY;
			else
				it->rule = band == 1 ? OPS_DROP_GOOD_WEEKLY : OPS_DROP_GOOD_MONTHLY;
		}
	}
	/* Whatever their age, the newest keep_good good archives stay: a
	 * run of bad backups never pushes the last good ones out. */
	for (size_t i = 0, good = 0; i < n && good < p->keep_good; i++) {
		if (!v[i].good)
			continue;
		good++;
		if (!v[i].keep) {
			v[i].keep = 1;
			v[i].rule = OPS_KEEP_GOOD;
		}
	}
	free(bands);
}

/* Durations as configured: "7d", "36h", else the general form. */
static const char *
dur(double s, char *buf, size_t len)
{
	if (s > 0 && s == (double)(long long)s && (long long)s % 86400 == 0)
		snprintf(buf, len, "%lldd", (long long)s / 86400);
	else if (s > 0 && s == (double)(long long)s && (long long)s % 3600 == 0)
		snprintf(buf, len, "%lldh", (long long)s / 3600);
	else
		ops_duration_format(s, buf, len);
	return buf;
}

const char *
ops_retention_why(const struct ops_retention_item *it,
    const struct ops_retention_policy *p, char *buf, size_t len)
{
	char d[32];

	switch (it->rule) {
	case OPS_KEEP_NEWEST:
		snprintf(buf, len, "newest: the newest backup is always kept");
		break;
	case OPS_KEEP_LATEST:
		snprintf(buf, len, "latest: named by 'latest'");
		break;
	case OPS_KEEP_ALL:
		snprintf(buf, len, "keep_all: younger than %s",
		    dur(p->keep_all, d, sizeof(d)));
		break;
	case OPS_KEEP_WEEKLY:
		snprintf(buf, len, "keep_weekly: newest of week %s", it->group);
		break;
	case OPS_KEEP_MONTHLY:
		snprintf(buf, len, "keep_monthly: newest of month %s", it->group);
		break;
	case OPS_KEEP_GOOD:
		snprintf(buf, len, "keep_good: one of the newest %zu good backups",
		    p->keep_good);
		break;
	case OPS_DROP_WEEKLY:
		snprintf(buf, len, "keep_weekly: a newer backup of week %s is kept", it->group);
		break;
	case OPS_DROP_MONTHLY:
		snprintf(buf, len, "keep_monthly: a newer backup of month %s is kept",
		    it->group);
		break;
	case OPS_DROP_BAD_WEEKLY:
		snprintf(buf, len, "keep_weekly: bad, never the backup of week %s", it->group);
		break;
	case OPS_DROP_BAD_MONTHLY:
		snprintf(buf, len, "keep_monthly: bad, never the backup of month %s",
		    it->group);
		break;
	case OPS_DROP_GOOD_WEEKLY:
		snprintf(buf, len, "keep_weekly: an older, good backup of week %s is kept",
		    it->group);
		break;
	case OPS_DROP_GOOD_MONTHLY:
		snprintf(buf, len, "keep_monthly: an older, good backup of month %s is kept",
		    it->group);
		break;
	case OPS_DROP_OLD:
		snprintf(buf, len, "older than keep_monthly (%s)",
		    dur(p->keep_monthly, d, sizeof(d)));
		break;
	}
	return buf;
}
