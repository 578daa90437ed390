#include "ops_weekly.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops_daemon.h"
#include "ops_fs.h"
#include "ops_retention.h"
#include "ops_time.h"
#include "ops_units.h"

#define WEEK (OPS_WEEK_DAYS * 86400.0)

static int
dberr(struct ops_err *err, sqlite3 *db)
{
	return ops_err_set(err, OPS_E_FAIL, "state database: unable to read the history: %s",
	    sqlite3_errmsg(db));
}

/* SELECT count(*), total(state=0) ... with the window bound to ?1, ?2. */
static int
count_ok(sqlite3 *db, const char *sql, double from, double to, int64_t *total,
    int64_t *ok, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return dberr(err, db);
	sqlite3_bind_double(s, 1, from);
	sqlite3_bind_double(s, 2, to);
	if (sqlite3_step(s) != SQLITE_ROW) {
		dberr(err, db);
		goto out;
	}
	*total = sqlite3_column_int64(s, 0);
	if (ok)
		*ok = sqlite3_column_int64(s, 1);
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* Free space from the disk check's message: "41.2 GiB free of ...". */
static int
disk_free(const char *msg, uint64_t *out)
{
	char num[32];
	size_t j = 0;
	const char *end = msg ? strstr(msg, " free of ") : NULL;

	if (end == NULL || end - msg >= (long)sizeof(num))
		return -1;
	for (const char *p = msg; p < end; p++)
		if (*p != ' ')
			num[j++] = *p;
	num[j] = '\0';
	return ops_size_parse(num, out, NULL);
}

static int
disk_trend(sqlite3 *db, struct ops_weekly *w, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	uint64_t v;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT message FROM check_results WHERE name='disk'"
	    " AND ts>=?1 AND ts<=?2 ORDER BY ts", -1, &s, NULL) != SQLITE_OK)
		return dberr(err, db);
	sqlite3_bind_double(s, 1, w->from);
	sqlite3_bind_double(s, 2, w->to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (disk_free((const char *)sqlite3_column_text(s, 0), &v) < 0)
			continue;
		if (w->disk_samples++ == 0)
			w->disk_first = w->disk_min = v;
		if (v < w->disk_min)
			w->disk_min = v;
		w->disk_last = v;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : dberr(err, db);
}

/* Each line of a history log stamped inside the window. */
static void
each_line(const struct ops_config *cfg, const char *rel, const struct ops_weekly *w,
    void (*fn)(const char *line, void *arg), void *arg)
{
	struct ops_err e = OPS_ERR_INIT;
	char path[PATH_MAX], *tail = NULL, *line, *save = NULL;
	double t;

	if (ops_config_path(cfg, rel, path, sizeof(path), &e) < 0 ||
	    ops_fs_tail(path, 100000, 16 << 20, &tail, &e) < 0)
		return;
	for (line = strtok_r(tail, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (ops_time_log_line(line, &t) == 0 && t >= w->from && t <= w->to)
			fn(line, arg);
	free(tail);
}

static void
count_alert(const char *line, void *arg)
{
	if (strncmp(line + 21, " [WARNING]", 10) == 0 ||
	    strncmp(line + 21, " [CRITICAL]", 11) == 0)
		++*(int64_t *)arg;
}

/* Archives made in the window: YYYYMMDD_HHMMSS.tar[.zst|.gz]. */
struct archives {
	struct ops_strv names;
	int day[OPS_WEEK_DAYS];
};

/* A backup.log line naming an archive of the week, without an error, is
 * the word that it was made and verified (ops-backup logs a backup only
 * once `latest` points at it, after it verified). */
static void
count_verified(const char *line, void *arg)
{
	struct archives *a = arg;

	if (strstr(line, "[ERROR]") || strstr(line, "[CRITICAL]") ||
	    strstr(line, "[WARNING]") || strstr(line, "fail"))
		return;
	for (size_t i = 0; i < a->names.n; i++)
		if (a->names.v[i][0] != '\0' && strstr(line, a->names.v[i]) != NULL)
			a->names.v[i][0] = '\0';	/* counted once */
}

static int
backups(const struct ops_config *cfg, struct ops_weekly *w, struct ops_err *err)
{
	struct archives a = { OPS_STRV_INIT, { 0 } };
	char dir[PATH_MAX];
	double t;
	DIR *d;

	if (ops_config_path(cfg, cfg->backup.dir, dir, sizeof(dir), err) < 0)
		return -1;
	if ((d = opendir(dir)) != NULL) {
		struct dirent *de;

		while ((de = readdir(d)) != NULL) {
			if (ops_backup_name_epoch(de->d_name, &t) < 0 || t < w->from || t > w->to)
				continue;
			w->backups++;
			a.day[(int)((w->to - t) / 86400) < OPS_WEEK_DAYS ?
			    (int)((w->to - t) / 86400) : OPS_WEEK_DAYS - 1] = 1;
			if (ops_strv_push(&a.names, de->d_name) < 0) {
				closedir(d);
				ops_strv_release(&a.names);
				return ops_err_sys(err, ENOMEM, "unable to list the backups");
			}
		}
		closedir(d);
	}
	each_line(cfg, "logs/backup.log", w, count_verified, &a);
	for (size_t i = 0; i < a.names.n; i++)
		w->verified += a.names.v[i][0] == '\0';
	for (int i = 0; i < OPS_WEEK_DAYS; i++)
		w->backup_days += a.day[i];
	ops_strv_release(&a.names);
	return 0;
}

int
ops_weekly_gather(const struct ops_config *cfg, struct ops_statedb *st, double now,
    struct ops_weekly *w, struct ops_err *err)
{
	memset(w, 0, sizeof(*w));
	w->from = now - WEEK;
	w->to = now;
	if (count_ok(st->db, "SELECT count(*) FROM runs WHERE ts>=?1 AND ts<=?2",
	    w->from, w->to, &w->runs, NULL, err) < 0 ||
	    count_ok(st->db, "SELECT count(*), total(state=0) FROM check_results"
	    " WHERE name='daemon' AND ts>=?1 AND ts<=?2", w->from, w->to,
	    &w->daemon_total, &w->daemon_ok, err) < 0 ||
	    count_ok(st->db, "SELECT count(*), total(state=0) FROM check_results"
	    " WHERE ts>=?1 AND ts<=?2", w->from, w->to, &w->checks_total,
	    &w->checks_ok, err) < 0 ||
	    disk_trend(st->db, w, err) < 0 ||
	    ops_daemon_count_restarts(cfg, st, w->from, w->to, &w->restarts, err) < 0 ||
	    backups(cfg, w, err) < 0 ||
	    ops_audit_actions(st, w->from, w->to, &w->actions, err) < 0)
		return -1;
	each_line(cfg, "logs/alerts.log", w, count_alert, &w->alerts);
	return 0;
}

/* One metric: "name  value  (detail)  target  verdict". */
static int
row(struct ops_buf *b, const char *name, const char *value, const char *target, int met)
{
	ops_buf_printf(b, "%-16s %-44s %-12s %s\n", name, value, target,
	    met ? "met" : "NOT MET");
	return met;
}

/* "99.50% (199 of 200 runs)" into buf and the percentage, or "no data"
 * and -1. */
static double
share(char *buf, size_t len, int64_t ok, int64_t total, const char *what)
{
	double pct;

	if (total <= 0) {
		snprintf(buf, len, "no data (no health runs recorded)");
		return -1;
	}
	pct = 100.0 * (double)ok / (double)total;
	snprintf(buf, len, "%.2f%% (%lld of %lld %s)", pct, (long long)ok,
	    (long long)total, what);
	return pct;
}

int
ops_weekly_format(const struct ops_weekly *w, const char *home, struct ops_buf *b)
{
	char f[32], t[32], v[128];
	double up, pass, per_day = (double)w->alerts / OPS_WEEK_DAYS;
	int met = 0;

	ops_time_log(w->from, f, sizeof(f));
	ops_time_log(w->to, t, sizeof(t));
	ops_buf_printf(b, "dharmic-ops weekly health report\nhome:   %s\nperiod: %.16s to "
	    "%.16s\nhealth runs recorded: %lld\n\n", home, f, t, (long long)w->runs);
	up = share(v, sizeof(v), w->daemon_ok, w->daemon_total, "runs");
	met += row(b, "daemon uptime", v, "> 99%", up > 99);
	pass = share(v, sizeof(v), w->checks_ok, w->checks_total, "results");
	met += row(b, "checks passing", v, "> 95%", pass > 95);
	snprintf(v, sizeof(v), "%lld made, %lld verified, %d of %d days",
	    (long long)w->backups, (long long)w->verified, w->backup_days, OPS_WEEK_DAYS);
	met += row(b, "backups", v, "daily", w->backup_days == OPS_WEEK_DAYS);
	snprintf(v, sizeof(v), "%lld (%.1f a day)", (long long)w->alerts, per_day);
	met += row(b, "alerts", v, "< 5 a day", per_day < 5);
	snprintf(v, sizeof(v), "%lld", (long long)w->restarts);
	met += row(b, "restarts", v, "< 1 a week", w->restarts < 1);
	if (w->disk_samples > 0) {
		int64_t d = (int64_t)w->disk_last - (int64_t)w->disk_first;
		char s1[32], s2[32], s3[32], s4[32];

		ops_buf_printf(b, "%-16s %s -> %s (%s%s over the week; lowest %s)\n",
		    "disk free", ops_size_format(w->disk_first, s1, sizeof(s1)),
		    ops_size_format(w->disk_last, s2, sizeof(s2)), d < 0 ? "-" : "+",
		    ops_size_format((uint64_t)(d < 0 ? -d : d), s3, sizeof(s3)),
		    ops_size_format(w->disk_min, s4, sizeof(s4)));
	} else {
		ops_buf_printf(b, "%-16s no data\n", "disk free");
	}
	ops_buf_printf(b, "%-16s %lld taken (%lld done)%s\n", "actions",
	    (long long)w->actions.taken, (long long)w->actions.ok,
	    w->actions.taken ? ":" : "");
	ops_audit_actions_format(&w->actions, b);
	ops_buf_printf(b, "\n%d of 5 targets met\n", met);
	return met;
}

int
ops_weekly_report(const struct ops_config *cfg, double now, struct ops_buf *out,
    char *path, size_t pathlen, struct ops_err *err)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_weekly w;
	char stamp[32], rel[64], logs[PATH_MAX];
	int rc = -1;

	if (ops_state_open(&st, cfg->home, err) < 0 ||
	    ops_weekly_gather(cfg, &st, now, &w, err) < 0)
		goto out;
	ops_weekly_format(&w, cfg->home, out);
	if (out->oom) {
		ops_err_sys(err, ENOMEM, "unable to write the report");
		goto out;
	}
	ops_time_stamp(now, stamp, sizeof(stamp));
	snprintf(rel, sizeof(rel), "logs/weekly_health_%.8s.log", stamp);
	if (ops_config_path(cfg, "logs", logs, sizeof(logs), err) < 0 ||
	    ops_fs_mkdirs(logs, err) < 0 ||
	    ops_config_path(cfg, rel, path, pathlen, err) < 0 ||
	    ops_fs_write_atomic(path, out->s, out->len, err) < 0)
		goto out;
	rc = 0;
out:
	ops_state_close(&st);
	return rc;
}
