/* ops_weekly: the weekly health report (`dharmic-ops report`).
 *
 * Seven days of history, ending now, measured against the original
 * success metrics: daemon uptime > 99% (share of health runs whose daemon
 * check was OK), checks passing > 95% (share of all check results that
 * were OK), a backup every day, fewer than 5 alerts a day (WARNING and
 * CRITICAL lines of logs/alerts.log), fewer than 1 restart a week. Also
 * the disk trend (free space read from the disk check's recorded
 * messages). Sources: the state database (runs, check_results, events),
 * logs/alerts.log, logs/restart.log, logs/backup.log and the backup
 * directory. */
#ifndef OPS_WEEKLY_H
#define OPS_WEEKLY_H

#include <stddef.h>
#include <stdint.h>

#include "ops_audit.h"
#include "ops_buf.h"
#include "ops_config.h"
#include "ops_err.h"
#include "ops_state.h"

#define OPS_WEEK_DAYS 7

struct ops_weekly {
	double from, to;
	int64_t runs;
	int64_t daemon_ok, daemon_total;
	int64_t checks_ok, checks_total;
	int64_t alerts;
	int64_t backups, verified;	/* archives made in the week; logged done */
	int backup_days;		/* of the 7 days ending now, with a backup */
	int64_t restarts;
	int disk_samples;
	uint64_t disk_first, disk_last, disk_min;
	struct ops_audit_actions actions;	/* taken in the week (ops_audit.h) */
};

/* Gather the week ending at now. */
int ops_weekly_gather(const struct ops_config *cfg, struct ops_statedb *st,
    double now, struct ops_weekly *w, struct ops_err *err);

/* The report text; returns how many of the 5 targets were met. */
int ops_weekly_format(const struct ops_weekly *w, const char *home,
    struct ops_buf *b);

/* Gather, format into out and write it atomically to
 * logs/weekly_health_YYYYMMDD.log (the date of now); path gets the file. */
int ops_weekly_report(const struct ops_config *cfg, double now, struct ops_buf *out,
    char *path, size_t pathlen, struct ops_err *err);

#endif
