/* ops_dashboard: gathering the model. The renderers are in
 * ops_dashboard_text.c, ops_dashboard_html.c and ops_dashboard_export.c. */
#include "ops_dashboard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "ops_backup_status.h"
#include "ops_context.h"
#include "ops_fs.h"
#include "ops_health.h"
#include "ops_proc.h"
#include "ops_retention.h"
#include "ops_state.h"
#include "ops_time.h"

/* The checks that cost a stat or a short read: evaluated on every view. */
static const char *const live_checks[] = {
	"daemon", "heartbeat", "disk", "email", "restarts", "backup",
};
#define NLIVE (sizeof(live_checks) / sizeof(live_checks[0]))

static int
rank(int s)
{
	switch (s) {
	case OPS_OK: return 0;
	case OPS_UNKNOWN: return 1;
	case OPS_WARNING: return 2;
	case OPS_CRITICAL: return 3;
	default: return -1;
	}
}

int
ops_dash_slot_worst(int a, int b)
{
	return rank(a) >= rank(b) ? a : b;
}

static char *
dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int
oom(struct ops_err *err)
{
	return ops_err_sys(err, ENOMEM, "unable to gather the dashboard");
}

/* ---- the state database ------------------------------------------------ */

static int
table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *s = NULL;
	int yes = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table'"
	    " AND name=?", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		yes = sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	return yes;
}

static struct ops_dash_check *
find_check(struct ops_dashboard *d, const char *name)
{
	for (size_t i = 0; i < d->nchecks; i++)
		if (strcmp(d->checks[i].name, name) == 0)
			return &d->checks[i];
	return NULL;
}

static struct ops_dash_check *
add_check(struct ops_dashboard *d, const char *name)
{
	struct ops_dash_check *v, *c;

	if ((c = find_check(d, name)) != NULL)
		return c;
	v = realloc(d->checks, (d->nchecks + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	d->checks = v;
	c = &v[d->nchecks];
	memset(c, 0, sizeof(*c));
	memset(c->hist, -1, sizeof(c->hist));
	c->state = OPS_UNKNOWN;
	if ((c->name = strdup(name)) == NULL)
		return NULL;
	d->nchecks++;
	return c;
}

static int
set_msg(struct ops_dash_check *c, const char *msg)
{
	char *m = strdup(msg ? msg : "");

	if (m == NULL)
		return -1;
	free(c->message);
	c->message = m;
	return 0;
}

/* The last recorded state of every check (check_current). */
static int
read_current(struct ops_dashboard *d, sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT name, state, since, last, message"
	    " FROM check_current ORDER BY rowid", -1, &s, NULL) != SQLITE_OK)
		return 0;	/* an older or foreign schema: no history */
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		double last = sqlite3_column_double(s, 3);
		struct ops_dash_check *c;

		if (name == NULL)
			continue;
		/* A check dropped from the config more than a day ago is gone. */
		if (find_check(d, name) == NULL && last < d->now - OPS_DASH_HOURS * 3600.0)
			continue;
		if ((c = add_check(d, name)) == NULL ||
		    set_msg(c, (const char *)sqlite3_column_text(s, 4)) < 0) {
			rc = -1;
			break;
		}
		c->state = (enum ops_state)sqlite3_column_int(s, 1);
		if ((unsigned)c->state > OPS_UNKNOWN)
			c->state = OPS_UNKNOWN;
		c->since = sqlite3_column_double(s, 2);
		c->checked = last;
	}
	sqlite3_finalize(s);
	return rc;
}

/* 24 h of history, aggregated by SQLite: the worst state per check and
 * slot (ranks 0 OK, 1 UNKNOWN, 2 WARNING, 3 CRITICAL). */
static void
read_history(struct ops_dashboard *d, sqlite3 *db)
{
	static const int unrank[] = { OPS_OK, OPS_UNKNOWN, OPS_WARNING, OPS_CRITICAL };
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db,
	    "SELECT name, CAST((ts - ?1) / ?2 AS INTEGER) AS slot,"
	    " max(CASE state WHEN 2 THEN 3 WHEN 1 THEN 2 WHEN 3 THEN 1 ELSE 0 END)"
	    " FROM check_results WHERE ts >= ?1 AND ts < ?3 GROUP BY name, slot",
	    -1, &s, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_double(s, 1, d->history.from);
	sqlite3_bind_double(s, 2, d->history.slot);
	sqlite3_bind_double(s, 3, d->history.from + OPS_DASH_SLOTS * d->history.slot);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		int slot = sqlite3_column_int(s, 1), r = sqlite3_column_int(s, 2);
		struct ops_dash_check *c;

		if (name == NULL || slot < 0 || slot >= OPS_DASH_SLOTS || r < 0 || r > 3)
			continue;
		d->history.overall[slot] = (signed char)ops_dash_slot_worst(
		    d->history.overall[slot], unrank[r]);
		if ((c = find_check(d, name)) != NULL)
			c->hist[slot] = (signed char)unrank[r];
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM runs WHERE ts >= ?1"
	    " AND ts <= ?2), (SELECT max(ts) FROM runs WHERE ts <= ?2)", -1, &s,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_double(s, 1, d->history.from);
		sqlite3_bind_double(s, 2, d->now);
		if (sqlite3_step(s) == SQLITE_ROW) {
			d->history.runs = (size_t)sqlite3_column_int64(s, 0);
			d->history.last_run = sqlite3_column_double(s, 1);
		}
	}
	sqlite3_finalize(s);
}

/* ---- daemon and heartbeat ------------------------------------------------ */

static int
gather_daemon(const struct ops_config *cfg, struct ops_dashboard *d)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_procinfo pi;
	char path[PATH_MAX];
	double mtime = 0;
	pid_t pid = 0;
	int id = -1;

	memset(&pi, 0, sizeof(pi));
	if (ops_config_path(cfg, cfg->daemon.pid_file, path, sizeof(path), &e) == 0 &&
	    ops_pidfile_read(path, &pid, &mtime, &e) == 0) {
		d->daemon.pid = (long)pid;
		id = ops_proc_identify(pid, cfg->daemon.match, mtime, &pi, &e);
	}
	if (id == 1) {
		d->daemon.running = 1;
		d->daemon.start = pi.start;
		return (d->daemon.cmdline = strdup(pi.cmdline)) ? 0 : -1;
	}
	return (d->daemon.reason = strdup(e.msg)) ? 0 : -1;
}

static int
gather_agent(const struct ops_config *cfg, struct ops_dashboard *d)
{
	struct ops_err e = OPS_ERR_INIT;
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;

	d->agent.interval = 3600;
	if (ops_config_path(cfg, cfg->daemon.status_file, path, sizeof(path), &e) < 0 ||
	    ops_fs_read_file(path, 64 << 10, &text, &len, &e) < 0 ||
	    ops_status_parse(text, len, &d->agent.st, &e) < 0) {
		free(text);
		return (d->agent.error = strdup(e.msg)) ? 0 : -1;
	}
	d->agent.present = 1;
	d->agent.raw = text;
	if (d->agent.st.heartbeat_interval > 0)
		d->agent.interval = d->agent.st.heartbeat_interval;
	d->agent.age = d->now - d->agent.st.last_heartbeat;
	return 0;
}

/* ---- memory, email, disk, logs ----------------------------------------- */

static uint64_t
file_size(const char *path, struct stat *out)
{
	struct stat st;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (out)
		*out = st;
	return (uint64_t)st.st_size;
}

/* The integrity cache row for path, if any; changed when the database or
 * its -wal no longer has the fingerprint it had when checked. */
static int
db_integrity(sqlite3 *db, const char *path, const struct stat *st,
    struct ops_dash_db *out)
{
	sqlite3_stmt *s = NULL;
	char wal[PATH_MAX];
	struct stat ws;
	int64_t wsize = 0, wmt = 0, mt;
	int rc = 0;

	if (db == NULL || sqlite3_prepare_v2(db, "SELECT size, mtime_ns, inode,"
	    " wal_size, wal_mtime_ns, mode, result, checked FROM integrity_cache"
	    " WHERE path=?", -1, &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW)
		goto out;
	if (snprintf(wal, sizeof(wal), "%s-wal", path) < (int)sizeof(wal) &&
	    lstat(wal, &ws) == 0 && ws.st_size > 0) {
		wsize = (int64_t)ws.st_size;
		wmt = (int64_t)ws.st_mtim.tv_sec * 1000000000 + ws.st_mtim.tv_nsec;
	}
	mt = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	out->changed = sqlite3_column_int64(s, 0) != (int64_t)st->st_size ||
	    sqlite3_column_int64(s, 1) != mt ||
	    sqlite3_column_int64(s, 2) != (int64_t)st->st_ino ||
	    (sqlite3_column_int64(s, 3) != wsize && wsize > 0) ||
	    (sqlite3_column_int64(s, 4) != wmt && wsize > 0);
	out->mode = dupstr((const char *)sqlite3_column_text(s, 5));
	out->result = dupstr((const char *)sqlite3_column_text(s, 6));
	out->checked = sqlite3_column_double(s, 7);
	if (out->mode == NULL || out->result == NULL)
		rc = -1;
out:
	sqlite3_finalize(s);
	return rc;
}

static int
gather_memory(const struct ops_config *cfg, struct ops_dashboard *d, sqlite3 *db)
{
	struct ops_strv dbs = OPS_STRV_INIT, jl = OPS_STRV_INIT;
	struct ops_err e = OPS_ERR_INIT;
	char wal[PATH_MAX];
	int rc = -1;

	for (size_t i = 0; i < cfg->health.databases.n; i++)
		ops_fs_glob(cfg->home, cfg->health.databases.v[i], &dbs, &e);
	if (dbs.n > 0 && (d->memory.v = calloc(dbs.n, sizeof(*d->memory.v))) == NULL)
		goto out;
	for (size_t i = 0; i < dbs.n; i++) {
		struct ops_dash_db *m = &d->memory.v[d->memory.n++];
		struct stat st;

		memset(&st, 0, sizeof(st));
		if ((m->name = strdup(ops_fs_rel(cfg->home, dbs.v[i]))) == NULL)
			goto out;
		m->bytes = file_size(dbs.v[i], &st);
		if (snprintf(wal, sizeof(wal), "%s-wal", dbs.v[i]) < (int)sizeof(wal))
			m->bytes += file_size(wal, NULL);
		d->memory.bytes += m->bytes;
		if (m->bytes > 0 && db_integrity(db, dbs.v[i], &st, m) < 0)
			goto out;
	}
	ops_fs_glob(cfg->home, "memory/*.jsonl", &jl, &e);
	for (size_t i = 0; i < jl.n; i++) {
		d->memory.jsonl_files++;
		d->memory.jsonl_bytes += file_size(jl.v[i], NULL);
	}
	rc = 0;
out:
	ops_strv_release(&dbs);
	ops_strv_release(&jl);
	return rc;
}

static int
gather_email(const struct ops_config *cfg, struct ops_dashboard *d,
    const struct ops_report *live)
{
	struct ops_strv logs = OPS_STRV_INIT;
	struct ops_err e = OPS_ERR_INIT;
	struct stat st;
	int rc = 0;

	d->email.errors = -1;
	d->email.window = cfg->health.email_window;
	if (ops_fs_glob(cfg->home, cfg->health.email_log, &logs, &e) == 0 && logs.n > 0) {
		const char *newest = logs.v[logs.n - 1];

		if (lstat(newest, &st) == 0)
			d->email.last_activity = (double)st.st_mtim.tv_sec +
			    st.st_mtim.tv_nsec / 1e9;
		if ((d->email.log = strdup(ops_fs_rel(cfg->home, newest))) == NULL)
			rc = -1;
	}
	/* The count is the email check's, so the two never disagree. */
	for (size_t i = 0; i < live->n; i++)
		for (size_t k = 0; k < live->v[i].nperf; k++)
			if (strcmp(live->v[i].perf[k].label, "email_errors") == 0)
				d->email.errors = (int64_t)live->v[i].perf[k].value;
	ops_strv_release(&logs);
	return rc;
}

static void
gather_disk(const struct ops_config *cfg, struct ops_dashboard *d)
{
	struct statvfs vfs;

	if (statvfs(cfg->home, &vfs) < 0)
		return;
	d->disk.known = 1;
	d->disk.free = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	d->disk.total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
}

/* Apparent size of a directory tree, not following symlinks. */
static void
du(int dfd, int depth, size_t *files, uint64_t *bytes)
{
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int fd;

	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode)) {
			(*files)++;
			*bytes += (uint64_t)st.st_size;
		} else if (S_ISDIR(st.st_mode) && depth < 4 &&
		    (fd = openat(dirfd(dir), de->d_name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
			du(fd, depth + 1, files, bytes);
		}
	}
	closedir(dir);
}

static void
gather_logs(const struct ops_config *cfg, struct ops_dashboard *d)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/logs", cfg->home) >= (int)sizeof(path))
		return;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		du(fd, 0, &d->logs.files, &d->logs.bytes);
}

/* ---- alerts ------------------------------------------------------------ */

int
ops_dash_parse_alert(const char *line, struct ops_dash_alert *a)
{
	struct ops_err e = OPS_ERR_INIT;
	const char *p, *sev, *dash;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (line[0] != '[' || strlen(line) < 24 || line[20] != ']' || line[21] != ' ' ||
	    line[22] != '[')
		return -1;
	memcpy(a->stamp, line + 1, 19);
	a->stamp[19] = '\0';
	if (ops_time_parse_iso(a->stamp, &a->ts, &e) < 0)
		return -1;
	sev = line + 23;
	if ((p = strchr(sev, ']')) == NULL || (n = (size_t)(p - sev)) == 0 ||
	    n >= sizeof(a->severity))
		return -1;
	memcpy(a->severity, sev, n);
	a->severity[n] = '\0';
	p++;
	while (*p == ' ')
		p++;
	dash = strstr(p, " - ");
	a->title = dash ? strndup(p, (size_t)(dash - p)) : strdup(p);
	a->message = strdup(dash ? dash + 3 : "");
	if (a->title == NULL || a->message == NULL) {
		free(a->title);
		free(a->message);
		a->title = a->message = NULL;
		return -1;
	}
	return 0;
}

static void
gather_alerts(const struct ops_config *cfg, struct ops_dashboard *d)
{
	struct ops_err e = OPS_ERR_INIT;
	char path[PATH_MAX], *tail = NULL, *line, *save = NULL;
	struct ops_dash_alert a;

	if (ops_config_path(cfg, "logs/alerts.log", path, sizeof(path), &e) < 0 ||
	    ops_fs_tail(path, 64, 64 << 10, &tail, &e) < 0)
		return;
	for (line = strtok_r(tail, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (ops_dash_parse_alert(line, &a) < 0)
			continue;
		if (d->alerts.n == OPS_DASH_ALERTS) {
			free(d->alerts.v[0].title);
			free(d->alerts.v[0].message);
			memmove(&d->alerts.v[0], &d->alerts.v[1],
			    (OPS_DASH_ALERTS - 1) * sizeof(a));
			d->alerts.n--;
		}
		d->alerts.v[d->alerts.n++] = a;
	}
	free(tail);
}

/* ---- backups ----------------------------------------------------------- */

/* The last successful verification in ops-backup's catalog (the backups
 * table of lib/ops_state.c's migrations); 0 when there is none. The
 * dashboard opens the state database read-only and never migrates it, so
 * an older database may not have the table yet. */
static double
catalog_verified(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	double t = 0;

	if (db == NULL || !table_exists(db, "backups"))
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT max(verified) FROM backups WHERE verify_ok=1",
	    -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		t = sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return t;
}

/* The newest good archive, the last drill and offsite copy, as
 * ops-health's backup check sees them. */
static void
gather_backup_status(const struct ops_config *cfg, struct ops_dashboard *d, sqlite3 *db)
{
	struct ops_statedb st = { db, NULL };
	struct ops_backup_status bs;

	if (ops_backup_status_get(cfg, db ? &st : NULL, &bs, NULL) < 0)
		return;
	snprintf(d->backups.good, sizeof(d->backups.good), "%s", bs.good);
	d->backups.good_ts = bs.good_time;
	d->backups.drill_ts = bs.drill_ts;
	d->backups.drill_ok = bs.drill_ok;
	d->backups.offsite_on = (cfg->backup.offsite_command.n > 0 || cfg->backup.offsite.enabled);
	snprintf(d->backups.offsite, sizeof(d->backups.offsite), "%s", bs.offsite);
	d->backups.offsite_ts = bs.offsite_time;
	d->backups.offsite_copied = bs.offsite_ts;
	d->backups.offsite_failures = bs.offsite_failures;
}

static int
gather_backups(const struct ops_config *cfg, struct ops_dashboard *d, sqlite3 *db)
{
	struct ops_err e = OPS_ERR_INIT;
	char dir[PATH_MAX], path[PATH_MAX], *text = NULL, *named = NULL, newest[256] = "";
	double best = -1, t, verified;
	uint64_t best_bytes = 0;
	struct dirent *de;
	struct stat st;
	DIR *dp;
	int rc = -1;

	if (ops_config_path(cfg, cfg->backup.dir, dir, sizeof(dir), &e) < 0 ||
	    (dp = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL) {
		if (ops_backup_name_epoch(de->d_name, &t) < 0 ||
		    fstatat(dirfd(dp), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		d->backups.count++;
		d->backups.bytes += (uint64_t)st.st_size;
		if (t > best || (t == best && strcmp(de->d_name, newest) > 0)) {
			best = t;
			best_bytes = (uint64_t)st.st_size;
			snprintf(newest, sizeof(newest), "%s", de->d_name);
		}
	}
	closedir(dp);
	/* `latest` names the newest archive that verified: it is written only
	 * after verification, so its mtime is a verification time too. */
	if (snprintf(path, sizeof(path), "%s/latest", dir) < (int)sizeof(path) &&
	    ops_fs_read_file(path, 4096, &text, NULL, &e) == 0) {
		text[strcspn(text, "\r\n")] = '\0';
		if (text[0] != '\0') {
			if ((d->backups.latest_path = strdup(text)) == NULL)
				goto out;
			named = strrchr(text, '/');
			named = named ? named + 1 : text;
			if (lstat(path, &st) == 0)
				d->backups.verified = (double)st.st_mtim.tv_sec;
		}
	}
	if (named != NULL && ops_backup_name_epoch(named, &t) == 0 &&
	    snprintf(path, sizeof(path), "%s/%s", dir, named) < (int)sizeof(path) &&
	    lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		best = t;
		best_bytes = (uint64_t)st.st_size;
		snprintf(newest, sizeof(newest), "%s", named);
	}
	if (best >= 0) {
		d->backups.latest_ts = best;
		d->backups.latest_bytes = best_bytes;
		if ((d->backups.latest = strdup(newest)) == NULL)
			goto out;
	}
	verified = catalog_verified(db);
	if (verified > d->backups.verified)
		d->backups.verified = verified;
	gather_backup_status(cfg, d, db);
	rc = 0;
out:
	free(text);
	return rc;
}

/* ---- checks and the verdict -------------------------------------------- */

/* Live results override the recorded ones; since carries over from the
 * record when the state is unchanged. */
static int
merge_live(struct ops_dashboard *d, const struct ops_report *live)
{
	for (size_t i = 0; i < live->n; i++) {
		const struct ops_result *r = &live->v[i];
		struct ops_dash_check *c = add_check(d, r->name);
		int same;

		if (c == NULL)
			return -1;
		same = c->message != NULL && c->state == r->state && c->since > 0 &&
		    c->since <= d->now;
		if (!same)
			c->since = d->now;
		c->state = r->state;
		c->checked = d->now;
		c->live = 1;
		if (set_msg(c, r->message) < 0)
			return -1;
	}
	return 0;
}

static int
verdict(struct ops_dashboard *d)
{
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_buf b = OPS_BUF_INIT;
	int rc = -1;

	for (size_t i = 0; i < d->nchecks; i++) {
		struct ops_dash_check *c = &d->checks[i];

		if (c->message == NULL && set_msg(c, d->history.available ?
		    "no recorded result (run ops-health)" :
		    "no state database (run ops-health)") < 0)
			goto out;
		ops_report_add(&r, c->name, c->state, "%s", c->message);
	}
	d->state = ops_report_worst(&r);
	ops_report_summary(&b, &r);
	if (r.oom || b.oom || (d->summary = strdup(ops_buf_str(&b))) == NULL)
		goto out;
	rc = 0;
out:
	ops_buf_release(&b);
	ops_report_release(&r);
	return rc;
}

int
ops_dashboard_gather(const struct ops_config *cfg, struct ops_dashboard *d,
    struct ops_err *err)
{
	struct ops_health_opts o = { 0 };
	struct ops_report live = OPS_REPORT_INIT;
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_err e = OPS_ERR_INIT;
	sqlite3 *db = NULL;
	int rc = -1;

	ops_dashboard_release(d);
	memset(d, 0, sizeof(*d));
	d->now = ops_time_now();
	memset(d->history.overall, -1, sizeof(d->history.overall));
	d->history.slot = OPS_DASH_HOURS * 3600.0 / OPS_DASH_SLOTS;
	/* Slots on round boundaries, the last one holding now. */
	d->history.from = (floor(d->now / d->history.slot) + 1) * d->history.slot -
	    OPS_DASH_SLOTS * d->history.slot;
	if ((d->home = strdup(cfg->home)) == NULL)
		goto oom;
	/* The order the checks are shown in: built-in, configured, others. */
	for (size_t i = 0; ops_health_builtin[i]; i++)
		if (add_check(d, ops_health_builtin[i]) == NULL)
			goto oom;
	for (size_t i = 0; i < cfg->health.nchecks; i++)
		if (add_check(d, cfg->health.checks[i].name) == NULL)
			goto oom;
	for (size_t i = 0; i < cfg->health.nendpoints; i++)
		if (add_check(d, cfg->health.endpoints[i].name) == NULL)
			goto oom;
	db = ops_state_open_view(cfg->home);
	if (db != NULL && table_exists(db, "check_current")) {
		d->history.available = 1;
		if (read_current(d, db) < 0)
			goto oom;
		read_history(d, db);
	}
	st.db = db;
	o.only = live_checks;
	o.nonly = NLIVE;
	if (ops_health_run(cfg, &o, d->history.available ? &st : NULL, &live, &e) < 0) {
		ops_err_set(err, e.code, "%s", e.msg);
		goto out;
	}
	if (live.oom || merge_live(d, &live) < 0 ||
	    gather_daemon(cfg, d) < 0 || gather_agent(cfg, d) < 0 ||
	    gather_memory(cfg, d, db) < 0 || gather_email(cfg, d, &live) < 0 ||
	    gather_backups(cfg, d, db) < 0)
		goto oom;
	gather_disk(cfg, d);
	gather_logs(cfg, d);
	gather_alerts(cfg, d);
	if (db != NULL && table_exists(db, "audit") && table_exists(db, "alert_sent"))
		ops_audit_actions(&st, d->now - 86400, d->now, &d->actions, &e);
	/* the log lines of each failing check's incident, as captured */
	for (size_t i = 0; db != NULL && table_exists(db, "incident_context") &&
	    i < d->nchecks; i++) {
		struct ops_dash_check *c = &d->checks[i];
		double ts;

		if (c->state != OPS_OK && ops_context_get(cfg, &st, c->name,
		    c->since > 0 ? c->since : 0, 0, 0, &c->context_source, &c->context,
		    &ts, &e) < 0)
			ops_err_clear(&e);
	}
	/* Cron may have died: a page that reads healthy must say how old that is. */
	d->history.stale = d->history.last_run <= 0 ||
	    d->now - d->history.last_run > cfg->dashboard.stale_after;
	if (verdict(d) < 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	oom(err);
out:
	sqlite3_close(db);
	ops_report_release(&live);
	return rc;
}

void
ops_dashboard_release(struct ops_dashboard *d)
{
	if (d == NULL)
		return;
	free(d->home);
	free(d->summary);
	free(d->daemon.reason);
	free(d->daemon.cmdline);
	free(d->agent.error);
	free(d->agent.raw);
	for (size_t i = 0; i < d->memory.n; i++) {
		free(d->memory.v[i].name);
		free(d->memory.v[i].result);
		free(d->memory.v[i].mode);
	}
	free(d->memory.v);
	free(d->email.log);
	for (size_t i = 0; i < d->alerts.n; i++) {
		free(d->alerts.v[i].title);
		free(d->alerts.v[i].message);
	}
	free(d->backups.latest);
	free(d->backups.latest_path);
	for (size_t i = 0; i < d->nchecks; i++) {
		free(d->checks[i].name);
		free(d->checks[i].message);
		free(d->checks[i].context_source);
		free(d->checks[i].context);
	}
	free(d->checks);
	memset(d, 0, sizeof(*d));
}
