/* ops_retention: which backups to keep.
 *
 * Only names ops-backup makes count as backups: YYYYMMDD_HHMMSS.tar,
 * .tar.zst or .tar.gz with a valid local date and time. Anything else in
 * the directory is never touched.
 *
 * Anchored at now, each backup falls in a band by its age:
 *   age < keep_all                  kept
 *   keep_all <= age < keep_weekly   the newest good backup of each ISO week
 *                                   among the backups in this band is kept
 *   keep_weekly <= age < keep_monthly  the newest good one of each calendar
 *                                   month among the backups in this band
 *   age >= keep_monthly             deleted
 * where a week or month without a good backup keeps its newest one not
 * found bad (a bad one never takes a band's place), and whatever its age,
 * the newest backup, the one `latest` names and the newest keep_good good
 * ones (verified good, ops_catalog.h) are kept. Weeks and months are those
 * of the local date in the name.
 * Pure functions: no I/O. */
#ifndef OPS_RETENTION_H
#define OPS_RETENTION_H

#include <stddef.h>

struct ops_backup_name {
	int year, month, day, hour, min, sec;
	const char *ext;	/* ".tar", ".tar.zst" or ".tar.gz", each maybe
				   followed by ".age" (encrypted) */
};

/* 0 when name is one ops-backup makes, else -1. */
int ops_backup_name_parse(const char *name, struct ops_backup_name *bn);
/* The name's local time as epoch seconds. */
double ops_backup_name_time(const struct ops_backup_name *bn);
/* Both at once, for callers that only want the time: 0 and *t, or -1 when
 * name is not one ops-backup makes. */
int ops_backup_name_epoch(const char *name, double *t);

/* ISO 8601 week of a date: *iso_year and *week (1..53). */
void ops_iso_week(int year, int month, int day, int *iso_year, int *week);

enum ops_retention_rule {
	OPS_KEEP_NEWEST,
	OPS_KEEP_LATEST,
	OPS_KEEP_ALL,		/* younger than keep_all (or in the future) */
	OPS_KEEP_WEEKLY,
	OPS_KEEP_MONTHLY,
	OPS_KEEP_GOOD,		/* one of the newest keep_good good archives */
	OPS_DROP_WEEKLY,	/* a newer backup of the same week is kept */
	OPS_DROP_MONTHLY,	/* a newer backup of the same month is kept */
	OPS_DROP_BAD_WEEKLY,	/* bad, and no other backup of its week kept */
	OPS_DROP_BAD_MONTHLY,
	OPS_DROP_GOOD_WEEKLY,	/* not good: an older good one of its week is kept */
	OPS_DROP_GOOD_MONTHLY,
	OPS_DROP_OLD,		/* older than keep_monthly */
};

struct ops_retention_policy {
	double keep_all, keep_weekly, keep_monthly;	/* seconds */
	size_t keep_good;	/* 0: no such rule */
};

struct ops_retention_item {
	const char *name;	/* the caller's */
	int good;		/* the caller's: verified good */
	int bad;		/* the caller's: found bad (never a band's pick) */
	double t;		/* filled by ops_retention_decide */
	struct ops_backup_name bn;
	int keep;
	enum ops_retention_rule rule;
	char group[16];		/* "2025-W03" or "2025-01" for the banded rules */
};

/* Decide for every item (names must parse; items that do not are marked
 * kept with OPS_KEEP_ALL and should not have been passed). Sorts v newest
 * first. latest may be NULL. */
void ops_retention_decide(struct ops_retention_item *v, size_t n,
    const struct ops_retention_policy *p, double now, const char *latest);

/* "keep_all: younger than 7d", "weekly: newest of 2025-W03", ... */
const char *ops_retention_why(const struct ops_retention_item *it,
    const struct ops_retention_policy *p, char *buf, size_t len);

#endif
