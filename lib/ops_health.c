#include "ops_health.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "ops_backup_status.h"
#include "ops_buf.h"
#include "ops_context.h"
#include "ops_daemon.h"
#include "ops_endpoint.h"
#include "ops_fs.h"
#include "ops_logcheck.h"
#include "ops_monit.h"
#include "ops_net.h"
#include "ops_proc.h"
#include "ops_procstat.h"
#include "ops_restart.h"
#include "ops_retention.h"
#include "ops_run.h"
#include "ops_status.h"
#include "ops_time.h"
#include "ops_units.h"

const char *const ops_health_builtin[] = {
	"daemon", "heartbeat", "integrity", "disk", "email", "restarts", "backup",
	NULL
};

struct ctx {
	const struct ops_config *cfg;
	const struct ops_health_opts *o;
	struct ops_statedb *st;
	struct ops_report *r;
	double now, deadline;	/* wall clock now; monotonic deadline */
	pid_t agent;		/* the agent's PID as the daemon check found it */
	int agent_known;	/* the daemon check ran */
};

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *
rel(const struct ctx *c, const char *path)
{
	return ops_fs_rel(c->cfg->home, path);
}

/* ---- daemon ---------------------------------------------------------- */

static void
check_daemon(struct ctx *c)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_procinfo pi;
	struct ops_result *res;
	char dur[32];

	c->agent_known = 1;
	switch (ops_daemon_status(c->cfg, &pi, &e)) {
	case 1:
		c->agent = pi.pid;
		res = ops_report_add(c->r, "daemon", OPS_OK, "running (pid %d, up %s)",
		    (int)pi.pid, ops_duration_format(c->now - pi.start, dur, sizeof(dur)));
		if (res)
			ops_result_perf(res, "uptime", floor(c->now - pi.start), "s",
			    NAN, NAN, 0, NAN);
		break;
	case 0:
		ops_report_add(c->r, "daemon", OPS_CRITICAL, "not running: %s (%s)",
		    e.msg, c->cfg->daemon.pid_file);
		break;
	default:
		ops_report_add(c->r, "daemon", OPS_UNKNOWN, "%s", e.msg);
	}
}

/* ---- heartbeat ------------------------------------------------------- */

static void
check_heartbeat(struct ctx *c)
{
	const struct ops_config *cfg = c->cfg;
	struct ops_err e = OPS_ERR_INIT;
	struct ops_agent_status as;
	char path[PATH_MAX], d1[32], d2[32];
	double interval, age, warn, crit;
	struct ops_result *res;
	enum ops_state s;

	if (ops_config_path(cfg, cfg->daemon.status_file, path, sizeof(path), &e) < 0) {
		ops_report_add(c->r, "heartbeat", OPS_UNKNOWN, "%s", e.msg);
		return;
	}
	if (ops_status_load(path, &as, &e) < 0) {
		ops_report_add(c->r, "heartbeat", OPS_WARNING, "status file %s: %s",
		    e.code == OPS_E_NOENT ? "missing" : "unusable", e.msg);
		return;
	}
	interval = as.heartbeat_interval > 0 ? as.heartbeat_interval : 3600;
	age = c->now - as.last_heartbeat;
	warn = cfg->health.heartbeat_warn * interval;
	crit = cfg->health.heartbeat_crit * interval;
	/* A heartbeat from the future means a clock is wrong: every age we
	 * compute is then meaningless, which is worth a warning by itself. */
	if (age < -300) {
		ops_report_add(c->r, "heartbeat", OPS_WARNING,
		    "last heartbeat is %s in the future (clock skew?)",
		    ops_duration_format(-age, d1, sizeof(d1)));
		return;
	}
	if (age < 0)
		age = 0;
	s = ops_threshold_high(age, warn, crit);
	if (s != OPS_OK)
		res = ops_report_add(c->r, "heartbeat", s,
		    "stale: last heartbeat %s ago (interval %s)",
		    ops_duration_format(age, d1, sizeof(d1)),
		    ops_duration_format(interval, d2, sizeof(d2)));
	else if (as.status[0] != '\0' && strcmp(as.status, "running") != 0)
		res = ops_report_add(c->r, "heartbeat", OPS_WARNING,
		    "agent reports status '%s'", as.status);
	else if (as.total_checks > 0 && as.checks_passed < as.total_checks)
		res = ops_report_add(c->r, "heartbeat", OPS_WARNING,
		    "agent reports %d/%d of its own checks passed", as.checks_passed,
		    as.total_checks);
	else
		res = ops_report_add(c->r, "heartbeat", OPS_OK,
		    "last heartbeat %s ago (interval %s)",
		    ops_duration_format(age, d1, sizeof(d1)),
		    ops_duration_format(interval, d2, sizeof(d2)));
	if (res)
		ops_result_perf(res, "heartbeat_age", floor(age), "s", warn,
		    crit > 0 ? crit : NAN, 0, NAN);
}

/* ---- integrity ------------------------------------------------------- */

static int
progress(void *arg)
{
	return mono() > *(double *)arg;	/* nonzero interrupts the statement */
}

static void
fingerprint(const struct stat *db, const char *path, struct ops_fingerprint *fp)
{
	char wal[PATH_MAX];
	struct stat st;

	memset(fp, 0, sizeof(*fp));
	fp->size = (int64_t)db->st_size;
	fp->mtime_ns = (int64_t)db->st_mtim.tv_sec * 1000000000 + db->st_mtim.tv_nsec;
	fp->inode = (int64_t)db->st_ino;
	/* In WAL mode a commit only touches the -wal file. An empty -wal holds
	 * nothing, and our own read-only open creates one where there was
	 * none: count it as absent, or the check would always defeat the
	 * cache of the next run. */
	if (snprintf(wal, sizeof(wal), "%s-wal", path) < (int)sizeof(wal) &&
	    lstat(wal, &st) == 0 && st.st_size > 0) {
		fp->wal_size = (int64_t)st.st_size;
		fp->wal_mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
		    st.st_mtim.tv_nsec;
	}
}

/* 1 when the filesystem holding path has (next to) no room left. */
static int
fs_full(const char *path)
{
	struct statvfs v;

	return statvfs(path, &v) == 0 &&
	    (unsigned long long)v.f_bavail * v.f_frsize < 1024 * 1024;
}

/* Check one database; returns its state and writes a message into msg. */
static enum ops_state
check_db(struct ctx *c, const char *path, int full, int *cached, char *msg,
    size_t msglen)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_fingerprint fp;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	struct stat st;
	enum ops_state state = OPS_UNKNOWN;
	double left = c->deadline - mono();
	int rc;

	*cached = 0;
	if (lstat(path, &st) < 0) {
		snprintf(msg, msglen, "%s: missing", rel(c, path));
		return OPS_CRITICAL;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(msg, msglen, "%s: is a symlink, not checked", rel(c, path));
		return OPS_WARNING;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(msg, msglen, "%s: not a regular file", rel(c, path));
		return OPS_CRITICAL;
	}
	if (strcmp(c->cfg->health.integrity, "off") == 0 && !full) {
		snprintf(msg, msglen, "%s: present", rel(c, path));
		return OPS_OK;
	}
	fingerprint(&st, path, &fp);
	if (c->st != NULL && !c->o->full &&
	    ops_state_integrity_cached(c->st, path, &fp, full, &e) == 1) {
		*cached = 1;
		snprintf(msg, msglen, "%s: ok (unchanged)", rel(c, path));
		return OPS_OK;
	}
	if (left <= 0) {
		snprintf(msg, msglen, "%s: not checked, out of time", rel(c, path));
		return OPS_UNKNOWN;
	}
	/* Read-only and without O_CREAT: a missing database must never be
	 * replaced by an empty new one. */
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		snprintf(msg, msglen, "%s: unable to open: %s", rel(c, path),
		    db ? sqlite3_errmsg(db) : "out of memory");
		state = OPS_CRITICAL;
		goto out;
	}
	sqlite3_extended_result_codes(db, 1);
	/* 16 pages: the check reads each page once or twice, in order, and
	 * SQLite's default 2 MB cache only moves them through more memory
	 * (15% more CPU; as ops_snapshot's checks). It reads the schema: set
	 * before the busy timeout, a busy database keeps the default at once
	 * instead of waiting twice. */
	sqlite3_exec(db, "PRAGMA cache_size=16", NULL, NULL, NULL);
	sqlite3_busy_timeout(db, (int)(fmin(left, 5.0) * 1000));
	sqlite3_progress_handler(db, 1000, progress, &c->deadline);
	rc = sqlite3_prepare_v2(db, full ? "PRAGMA integrity_check(20)" :
	    "PRAGMA quick_check(20)", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *first = (const char *)sqlite3_column_text(s, 0);

		if (first != NULL && strcmp(first, "ok") == 0) {
			snprintf(msg, msglen, "%s: ok", rel(c, path));
			state = OPS_OK;
			if (c->st != NULL)
				ops_state_integrity_store(c->st, path, &fp,
				    full ? "full" : "quick", "ok", c->now, &e);
		} else {
			snprintf(msg, msglen, "%s: corrupt: %.200s", rel(c, path),
			    first ? first : "(no detail)");
			state = OPS_CRITICAL;
		}
		goto out;
	}
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		snprintf(msg, msglen, "%s: busy (locked by another process), not checked",
		    rel(c, path));
		state = OPS_WARNING;
		break;
	case SQLITE_INTERRUPT:
		snprintf(msg, msglen, "%s: not checked, out of time", rel(c, path));
		state = OPS_UNKNOWN;
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		snprintf(msg, msglen, "%s: corrupt: %s", rel(c, path), sqlite3_errmsg(db));
		state = OPS_CRITICAL;
		break;
	default:
		snprintf(msg, msglen, "%s: unable to check: %s", rel(c, path),
		    sqlite3_errmsg(db));
		state = OPS_CRITICAL;
	}
out:
	/* A check that could not run because the filesystem is full (SQLite
	 * cannot create the -shm it needs to read a WAL database) says
	 * nothing about the database: UNKNOWN, not a false CRITICAL; the disk
	 * check reports the full disk. */
	if (state == OPS_CRITICAL && strstr(msg, ": corrupt") == NULL &&
	    fs_full(path)) {
		snprintf(msg, msglen, "%s: not checked: its filesystem is full", rel(c, path));
		state = OPS_UNKNOWN;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return state;
}

static int
has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static void
check_integrity(struct ctx *c)
{
	const struct ops_config *cfg = c->cfg;
	int full = c->o->full || strcmp(cfg->health.integrity, "full") == 0;
	struct ops_strv dbs = OPS_STRV_INIT;
	struct ops_buf bad = OPS_BUF_INIT;
	struct ops_err e = OPS_ERR_INIT;
	enum ops_state worst = OPS_OK;
	size_t ncached = 0, nok = 0;
	struct ops_result *res;
	char msg[512], path[PATH_MAX];
	int cached;

	for (size_t i = 0; i < cfg->health.databases.n; i++) {
		const char *pat = cfg->health.databases.v[i];
		size_t before = dbs.n;

		if (ops_fs_glob(cfg->home, pat, &dbs, &e) < 0) {
			ops_buf_printf(&bad, "%s%s", bad.len ? "; " : "", e.msg);
			worst = ops_state_worst(worst, OPS_UNKNOWN);
			continue;
		}
		if (dbs.n == before) {
			/* Nothing there is the worst news, not "nothing to check". */
			if (ops_config_path(cfg, pat, path, sizeof(path), &e) == 0)
				ops_buf_printf(&bad, "%s%s: %s", bad.len ? "; " : "",
				    rel(c, path), has_glob(pat) ? "no database matches" :
				    "missing");
			worst = OPS_CRITICAL;
		}
	}
	for (size_t i = 0; i < dbs.n; i++) {
		enum ops_state s = check_db(c, dbs.v[i], full, &cached, msg, sizeof(msg));

		ncached += (size_t)cached;
		if (s == OPS_OK) {
			nok++;
			continue;
		}
		worst = ops_state_worst(worst, s);
		ops_buf_printf(&bad, "%s%s", bad.len ? "; " : "", msg);
	}
	if (worst == OPS_OK)
		res = ops_report_add(c->r, "integrity", OPS_OK,
		    "%zu database%s ok (%s, %zu unchanged since their last check)", nok,
		    nok == 1 ? "" : "s", strcmp(cfg->health.integrity, "off") == 0 &&
		    !c->o->full ? "checks off" : full ? "integrity_check" : "quick_check",
		    ncached);
	else
		res = ops_report_add(c->r, "integrity", worst, "%s", ops_buf_str(&bad));
	if (res)
		ops_result_perf(res, "databases_ok", (double)nok, "", NAN, NAN, 0,
		    (double)dbs.n);
	ops_buf_release(&bad);
	ops_strv_release(&dbs);
}

/* ---- disk ------------------------------------------------------------ */

static void
check_disk(struct ctx *c)
{
	const struct ops_config *cfg = c->cfg;
	struct statvfs vfs;
	char f[32], w[32], k[32];
	double avail, total;
	struct ops_result *res;
	enum ops_state s;

	if (statvfs(cfg->home, &vfs) < 0) {
		ops_report_add(c->r, "disk", OPS_UNKNOWN, "unable to statvfs '%s': %s",
		    cfg->home, strerror(errno));
		return;
	}
	/* f_bavail: what the agent (not root) can still write. */
	avail = (double)vfs.f_bavail * (double)vfs.f_frsize;
	total = (double)vfs.f_blocks * (double)vfs.f_frsize;
	s = ops_threshold_low(avail, (double)cfg->health.disk_warn,
	    (double)cfg->health.disk_crit);
	ops_size_format((uint64_t)avail, f, sizeof(f));
	ops_size_format(s == OPS_CRITICAL ? cfg->health.disk_crit :
	    cfg->health.disk_warn, w, sizeof(w));
	ops_size_format((uint64_t)total, k, sizeof(k));
	if (s == OPS_OK)
		res = ops_report_add(c->r, "disk", s, "%s free of %s", f, k);
	else
		res = ops_report_add(c->r, "disk", s, "%s free of %s (below %s)", f, k, w);
	if (res)
		ops_result_perf_low(res, "disk_free", avail, "B",
		    (double)cfg->health.disk_warn, (double)cfg->health.disk_crit, 0, total);
}

/* ---- email ----------------------------------------------------------- */

static void
check_email(struct ctx *c)
{
	struct ops_logcheck_cfg lc;

	ops_logcheck_email(c->cfg, &lc);
	ops_logcheck_run(c->cfg, &lc, c->now, c->r);
}

/* ---- restarts -------------------------------------------------------- */

static void
check_restarts(struct ctx *c)
{
	const struct ops_config *cfg = c->cfg;
	struct ops_err e = OPS_ERR_INIT;
	struct ops_result *res;
	struct ops_restart_decision d;
	struct ops_procinfo pi;
	int64_t n = 0, added = 0;
	char w[32], w2[32];
	enum ops_state s;

	/* Restarts a service manager made count too (a failed read of its
	 * counter says nothing about the agent: not an error here). Not on a
	 * read-only view (the dashboard, serve): the sample could not be
	 * recorded, and serve must run no command on a request. */
	if (c->st != NULL && sqlite3_db_readonly(c->st->db, "main") == 0)
		ops_restart_sample(cfg, c->st, c->now, &added, NULL);
	if (ops_daemon_count_restarts(cfg, c->st, c->now - cfg->health.restarts_window,
	    c->now, &n, &e) < 0) {
		ops_report_add(c->r, "restarts", OPS_UNKNOWN, "%s", e.msg);
		return;
	}
	/* A count limit of 0 means any restart warns. */
	s = n > cfg->health.restarts_max ? OPS_WARNING : OPS_OK;
	ops_duration_format(cfg->health.restarts_window, w, sizeof(w));
	/* The restart policy gave up (its burst of crash restarts is spent)
	 * and the agent is down: nothing will bring it back. */
	if (cfg->alert.auto_restart && c->st != NULL &&
	    ops_restart_check(cfg, c->st, c->now, &d, NULL) == 0 &&
	    d.verdict == OPS_RESTART_SPENT && ops_daemon_status(cfg, &pi, NULL) == 0) {
		ops_duration_format(cfg->daemon.restart_window, w2, sizeof(w2));
		res = ops_report_add(c->r, "restarts", OPS_CRITICAL, "restart loop: %lld crash "
		    "restart%s in the last %s (daemon.restart_burst %lld), not restarting",
		    (long long)d.recent, d.recent == 1 ? "" : "s", w2,
		    (long long)cfg->daemon.restart_burst);
	} else {
		res = ops_report_add(c->r, "restarts", s, "%lld restart%s in the last %s%s",
		    (long long)n, n == 1 ? "" : "s", w, s != OPS_OK ? " (restart loop?)" : "");
	}
	if (res)
		ops_result_perf(res, "restarts", (double)n, "",
		    (double)cfg->health.restarts_max, NAN, 0, NAN);
}

/* ---- backup ---------------------------------------------------------- */

/* Where the backups stand (ops_backup_status.h): CRITICAL when the last
 * backup run failed or the newest archive is bad; WARNING when there is
 * no good archive younger than backup_max_age, when the last restore
 * drill failed or is older than backup.verify_max_age, or when the
 * offsite copy failed backup.offsite_max_failures times in a row. The
 * 0/1 perfdata backup_failed, backup_stale, backup_unverified and
 * offsite_failed say which, for ops-alert's types of the same names. */
static void
check_backup(struct ctx *c)
{
	const struct ops_config *cfg = c->cfg;
	struct ops_err e = OPS_ERR_INIT;
	struct ops_backup_status bs;
	struct ops_buf msg = OPS_BUF_INIT;
	enum ops_state s = OPS_OK;
	char dir[PATH_MAX], a[32], m[32];
	double age = NAN, ref;
	int failed = 0, stale = 0, unverified = 0, offsite_failed = 0;
	struct ops_result *res;

	if (ops_config_path(cfg, cfg->backup.dir, dir, sizeof(dir), &e) < 0 ||
	    ops_backup_status_get(cfg, c->st, &bs, &e) < 0) {
		ops_report_add(c->r, "backup", OPS_UNKNOWN, "%s", e.msg);
		return;
	}
	/* Problems first, worst first. */
	if (bs.run_ts > 0 && !bs.run_ok) {
		failed = 1;
		ops_buf_printf(&msg, "last backup failed %s ago: %s",
		    ops_duration_format(fmax(0, c->now - bs.run_ts), a, sizeof(a)), bs.run_msg);
	}
	if (bs.newest[0] && bs.newest_state == OPS_ARCHIVE_BAD) {
		failed = 1;
		ops_buf_printf(&msg, "%snewest backup %s is bad: %s", msg.len ? "; " : "",
		    bs.newest, bs.newest_why);
	}
	ops_duration_format(cfg->health.backup_max_age, m, sizeof(m));
	if (bs.archives == 0) {
		stale = 1;
		if (bs.dir_errno)
			ops_buf_printf(&msg, "%sno backups (%s: %s)", msg.len ? "; " : "",
			    rel(c, dir), strerror(bs.dir_errno));
		else
			ops_buf_printf(&msg, "%sno backup in %s", msg.len ? "; " : "", rel(c, dir));
	} else if (bs.good[0] == '\0') {
		stale = 1;
		ops_buf_printf(&msg, "%sno good backup (newest %s is %s)", msg.len ? "; " : "",
		    bs.newest, ops_archive_state_name(bs.newest_state));
	} else {
		const char *which = strcmp(bs.good, bs.newest) == 0 ? "" : " good";

		age = fmax(0, c->now - bs.good_time);
		ops_duration_format(age, a, sizeof(a));
		if (cfg->health.backup_max_age > 0 && age > cfg->health.backup_max_age) {
			stale = 1;
			ops_buf_printf(&msg, "%sstale: newest%s backup %s is %s old (limit %s)",
			    msg.len ? "; " : "", which, bs.good, a, m);
		} else {
			ops_buf_printf(&msg, "%snewest%s backup %s is %s old", msg.len ? "; " : "",
			    which, bs.good, a);
		}
	}
	/* The drill: the last one failed, or none for too long (counted
	 * from the first recorded backup when there never was one). */
	ref = bs.drill_good_ts > 0 ? bs.drill_good_ts : bs.first_run_ts;
	if (bs.drill_ts > 0 && !bs.drill_ok) {
		unverified = 1;
		ops_buf_printf(&msg, "; last restore drill (verify %s) failed: %s",
		    bs.drill_archive, bs.drill_msg);
	} else if (cfg->backup.verify_max_age > 0 && ref > 0 &&
	    c->now - ref > cfg->backup.verify_max_age) {
		unverified = 1;
		ops_duration_format(cfg->backup.verify_max_age, m, sizeof(m));
		if (bs.drill_good_ts > 0)
			ops_buf_printf(&msg, "; last restore drill %s ago (limit %s)",
			    ops_duration_format(c->now - ref, a, sizeof(a)), m);
		else
			ops_buf_printf(&msg, "; no restore drill yet (ops-backup verify; limit %s)",
			    m);
	}
	if (cfg->backup.offsite_command.n > 0 || cfg->backup.offsite.enabled) {
		if (bs.offsite_failures >= cfg->backup.offsite_max_failures) {
			offsite_failed = 1;
			ops_buf_printf(&msg, "; offsite copy failed %lld times in a row: %s",
			    (long long)bs.offsite_failures, bs.offsite_msg);
		}
		if (bs.offsite[0])
			ops_buf_printf(&msg, "; newest offsite copy %s is %s old", bs.offsite,
			    ops_duration_format(fmax(0, c->now - bs.offsite_time), a, sizeof(a)));
		else
			ops_buf_puts(&msg, "; no offsite copy yet");
		if (bs.offsite_pending > 0)
			ops_buf_printf(&msg, " (%zu pending)", bs.offsite_pending);
	}
	if (failed)
		s = OPS_CRITICAL;
	else if (stale || unverified || offsite_failed)
		s = OPS_WARNING;
	res = ops_report_add(c->r, "backup", s, "%s", msg.oom ? "out of memory" :
	    ops_buf_str(&msg));
	if (res) {
		if (!isnan(age))
			ops_result_perf(res, "backup_age", floor(age), "s",
			    cfg->health.backup_max_age, NAN, 0, NAN);
		if (bs.drill_good_ts > 0)
			ops_result_perf(res, "drill_age", floor(fmax(0, c->now - bs.drill_good_ts)),
			    "s", cfg->backup.verify_max_age, NAN, 0, NAN);
		if (bs.offsite[0])
			ops_result_perf(res, "offsite_age",
			    floor(fmax(0, c->now - bs.offsite_time)), "s", NAN, NAN, 0, NAN);
		ops_result_perf(res, "backup_failed", failed, "", NAN, NAN, 0, 1);
		ops_result_perf(res, "backup_stale", stale, "", NAN, NAN, 0, 1);
		ops_result_perf(res, "backup_unverified", unverified, "", NAN, NAN, 0, 1);
		ops_result_perf(res, "offsite_failed", offsite_failed, "", NAN, NAN, 0, 1);
	}
	ops_buf_release(&msg);
}

/* ---- configured checks and endpoints --------------------------------- */

static void
check_plugin(struct ctx *c, const struct ops_check_cfg *pc)
{
	struct ops_run_result rr;
	struct ops_err e = OPS_ERR_INIT;
	double left = c->deadline - mono(), limit = fmin(pc->timeout, left);
	struct ops_result *res;
	char *line, *bar, *nl;
	enum ops_state s;

	if (limit <= 0) {
		ops_report_add(c->r, pc->name, OPS_UNKNOWN, "not run: out of time");
		return;
	}
	if (ops_run(pc->command.v, NULL, NULL, limit, 8192, &rr, &e) < 0) {
		ops_report_add(c->r, pc->name, OPS_UNKNOWN, "%s", e.msg);
		return;
	}
	line = rr.output;
	nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	bar = strchr(line, '|');
	if (bar)
		*bar++ = '\0';
	while (*line == ' ')
		line++;
	for (size_t n = strlen(line); n > 0 && line[n - 1] == ' '; n--)
		line[n - 1] = '\0';
	if (rr.timed_out)
		ops_report_add(c->r, pc->name, OPS_UNKNOWN, "timed out after %.*fs",
		    limit < 0.95 ? 1 : 0, limit);
	else if (!rr.exited)
		ops_report_add(c->r, pc->name, OPS_UNKNOWN, "%s killed by signal %d",
		    pc->command.v[0], rr.status);
	else if (rr.status == 127 || rr.status == 126)
		ops_report_add(c->r, pc->name, OPS_UNKNOWN, "unable to run '%s'%s%s",
		    pc->command.v[0], *line ? ": " : "", line);
	else {
		s = rr.status <= 3 ? (enum ops_state)rr.status : OPS_UNKNOWN;
		res = ops_report_add(c->r, pc->name, s, "%s", *line ? line :
		    "(no output)");
		if (res && rr.status > 3)
			ops_result_set(res, OPS_UNKNOWN, "exit code %d: %s", rr.status,
			    *line ? line : "(no output)");
		if (res && bar) {
			/* labels prefixed NAME:: so a plugin cannot shadow a
			 * built-in label (check_multi's convention) */
			struct ops_buf pb = OPS_BUF_INIT;

			ops_perf_prefix(&pb, pc->name, bar);
			if (!pb.oom && pb.len > 0)
				res->perf_raw = strdup(ops_buf_str(&pb));
			ops_buf_release(&pb);
		}
	}
	ops_run_result_release(&rr);
}

static void
check_endpoint(struct ctx *c, const struct ops_endpoint_cfg *ep)
{
	double left = c->deadline - mono(), limit = fmin(ep->timeout, left);

	if (limit <= 0) {
		ops_report_add(c->r, ep->name, OPS_UNKNOWN, "not run: out of time");
		return;
	}
	ops_endpoint_check(c->cfg, ep, limit, c->now, c->r);
}

static int wanted(const struct ops_health_opts *o, const char *name);

/* ---- resources (ops_procstat.h) -------------------------------------- */

/* The resource checks named in health.resources, or asked for by --check
 * even when not configured; one pass reads the agent once for all. */
static void
check_resources(struct ctx *c)
{
	const struct ops_config *cfg = c->cfg;
	struct ops_err e = OPS_ERR_INIT;
	struct ops_procinfo pi;
	int asked = c->o->only != NULL && c->o->nonly > 0;
	unsigned want = 0;

	for (size_t i = 0; ops_procstat_checks[i]; i++) {
		int on = 0;

		for (size_t j = 0; j < cfg->health.resources.n; j++)
			on |= strcmp(cfg->health.resources.v[j], ops_procstat_checks[i]) == 0;
		if (asked)
			on = wanted(c->o, ops_procstat_checks[i]);
		if (on)
			want |= 1u << i;
	}
	/* The daemon check found no agent and says so: cpu rss fds would
	 * only repeat it, and each of their UNKNOWNs would be an alert of its
	 * own. They are left out then, unless asked for by --check. */
	if (c->agent_known && c->agent <= 0 && !asked)
		want &= ~7u;
	if (want == 0)
		return;
	/* the agent as the daemon check found it; else find it (only the
	 * agent's checks need it: cpu rss fds, the first three bits) */
	pi.pid = c->agent;
	if (!c->agent_known && (want & 7u) != 0 && ops_daemon_status(cfg, &pi, &e) != 1)
		pi.pid = 0;
	ops_procstat_run(cfg, c->st, pi.pid, c->now, want, c->r);
}

/* ---- the run --------------------------------------------------------- */

static int
wanted(const struct ops_health_opts *o, const char *name)
{
	if (o->only == NULL || o->nonly == 0)
		return 1;
	for (size_t i = 0; i < o->nonly; i++)
		if (strcmp(o->only[i], name) == 0)
			return 1;
	return 0;
}

/* "monit" (all of Monit's services) or one, "monit_NAME" */
static int
is_monit(const char *name)
{
	return strncmp(name, "monit", 5) == 0 && (name[5] == '\0' || name[5] == '_');
}

static void
check_monit(struct ctx *c)
{
	double left = c->deadline - mono();
	int any = c->o->only == NULL || c->o->nonly == 0;

	for (size_t i = 0; !any && i < c->o->nonly; i++)
		any = is_monit(c->o->only[i]);
	if (!c->cfg->health.monit.enabled || !any)
		return;
	if (left <= 0) {
		ops_report_add(c->r, "monit", OPS_UNKNOWN, "not run: out of time");
		return;
	}
	ops_monit_check(c->cfg, fmin(c->cfg->health.monit.timeout, left), c->o->only,
	    c->o->nonly, c->r);
}

static int
known(const struct ops_config *cfg, const char *name)
{
	for (size_t i = 0; ops_health_builtin[i]; i++)
		if (strcmp(ops_health_builtin[i], name) == 0)
			return 1;
	for (size_t i = 0; ops_procstat_checks[i]; i++)
		if (strcmp(ops_procstat_checks[i], name) == 0)
			return 1;
	for (size_t i = 0; i < cfg->health.nchecks; i++)
		if (strcmp(cfg->health.checks[i].name, name) == 0)
			return 1;
	for (size_t i = 0; i < cfg->health.nendpoints; i++)
		if (strcmp(cfg->health.endpoints[i].name, name) == 0)
			return 1;
	for (size_t i = 0; i < cfg->health.nlogs; i++)
		if (strcmp(cfg->health.logs[i].name, name) == 0)
			return 1;
	if (cfg->health.monit.enabled && is_monit(name))
		return 1;
	return 0;
}

/* Move the result at index from (if there is one) to index to, shifting
 * those in between up by one. */
static void
move_result(struct ops_report *r, size_t from, size_t to)
{
	struct ops_result res;

	if (from >= r->n || to >= from)
		return;
	res = r->v[from];
	memmove(&r->v[to + 1], &r->v[to], (from - to) * sizeof(r->v[0]));
	r->v[to] = res;
}

static void
run_builtin(struct ctx *c, size_t i)
{
	static void (*const builtin[])(struct ctx *) = {
		check_daemon, check_heartbeat, check_integrity, check_disk,
		check_email, check_restarts, check_backup,
	};

	if (!wanted(c->o, ops_health_builtin[i]))
		return;
	if (mono() >= c->deadline)
		ops_report_add(c->r, ops_health_builtin[i], OPS_UNKNOWN,
		    "not run: out of time");
	else
		builtin[i](c);
}

int
ops_health_run(const struct ops_config *cfg, const struct ops_health_opts *o,
    struct ops_statedb *st, struct ops_report *r, struct ops_err *err)
{
	struct ctx c = { cfg, o, st, r, ops_time_now(), 0, 0, 0 };
	size_t at, last;

	for (size_t i = 0; i < o->nonly; i++)
		if (!known(cfg, o->only[i]))
			return ops_err_set(err, OPS_E_USAGE,
			    "no check named '%s' (built-in: daemon heartbeat integrity disk "
			    "email restarts backup, resources: cpu rss fds host_memory load, "
			    "monit_NAME, or one from health.checks/endpoints/logs)",
			    o->only[i]);
	c.deadline = mono() + (o->timeout > 0 ? o->timeout : cfg->health.timeout);
	/* The integrity check runs after the other built-in ones: a busy or
	 * large database may use up the time left, and must not leave the
	 * quick checks unrun. Its result then moves back to its place in the
	 * documented order. */
	run_builtin(&c, 0);
	run_builtin(&c, 1);
	at = r->n;
	for (size_t i = 3; ops_health_builtin[i]; i++)
		run_builtin(&c, i);
	last = r->n;
	run_builtin(&c, 2);
	move_result(r, last, at);
	if (mono() < c.deadline)
		check_resources(&c);
	for (size_t i = 0; i < cfg->health.nchecks; i++)
		if (wanted(o, cfg->health.checks[i].name))
			check_plugin(&c, &cfg->health.checks[i]);
	for (size_t i = 0; i < cfg->health.nendpoints; i++)
		if (wanted(o, cfg->health.endpoints[i].name))
			check_endpoint(&c, &cfg->health.endpoints[i]);
	for (size_t i = 0; i < cfg->health.nlogs; i++) {
		const struct ops_logcheck_cfg *lc = &cfg->health.logs[i];

		/* "email" is the built-in check's settings, run in its place */
		if (strcmp(lc->name, "email") == 0 || !wanted(o, lc->name))
			continue;
		if (mono() >= c.deadline)
			ops_report_add(r, lc->name, OPS_UNKNOWN, "not run: out of time");
		else
			ops_logcheck_run(cfg, lc, c.now, r);
	}
	check_monit(&c);
	return 0;
}

int
ops_health_record(const struct ops_config *cfg, struct ops_statedb *st,
    struct ops_report *r, double now, struct ops_err *err)
{
	struct ops_buf line = OPS_BUF_INIT;
	char path[PATH_MAX], ts[32];
	int rc = -1;

	if (st != NULL &&
	    ops_state_record_run(st, "ops-health", now, r, 30 * 86400.0, err) < 0)
		goto out;
	/* the log lines that explain each new failure, captured once */
	if (st != NULL && ops_context_record(cfg, st, r, now, err) < 0)
		goto out;
	ops_buf_printf(&line, "[%s] [%s] health: ", ops_time_log(now, ts, sizeof(ts)),
	    ops_state_name(ops_report_worst(r)));
	ops_report_summary(&line, r);
	if (line.oom) {
		ops_err_sys(err, ENOMEM, "unable to write the health log");
		goto out;
	}
	if (ops_config_path(cfg, "logs/health_check.log", path, sizeof(path), err) < 0 ||
	    ops_fs_append_line(path, ops_buf_str(&line), err) < 0)
		goto out;
	rc = 0;
out:
	ops_buf_release(&line);
	return rc;
}
