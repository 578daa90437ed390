#include "ops_trouble.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_aside.h"
#include "ops_check.h"
#include "ops_crontab.h"
#include "ops_daemon.h"
#include "ops_fs.h"
#include "ops_health.h"
#include "ops_proc.h"
#include "ops_service.h"
#include "ops_time.h"
#include "ops_units.h"

struct ctx {
	const struct ops_config *cfg;
	const struct ops_trouble_opts *o;
	struct ops_findings *f;
	struct ops_buf fix;	/* the fix of the finding being built */
};

static void
add(struct ctx *c, int problem, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
add(struct ctx *c, int problem, const char *name, const char *fmt, ...)
{
	struct ops_findings *f = c->f;
	struct ops_finding *v;
	va_list ap;
	char *text = NULL;
	int n;

	v = realloc(f->v, (f->n + 1) * sizeof(*v));
	if (v == NULL) {
		f->oom = 1;
		goto out;
	}
	f->v = v;
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	/* one line per finding, whatever a message it quotes holds */
	for (char *p = n < 0 ? NULL : text; p && *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	v = &f->v[f->n];
	v->name = strdup(name);
	v->fix = strdup(ops_buf_str(&c->fix));
	v->text = n < 0 ? NULL : text;
	v->problem = problem;
	if (v->name == NULL || v->fix == NULL || v->text == NULL || c->fix.oom) {
		free(v->name);
		free(v->fix);
		free(v->text);
		f->oom = 1;
		goto out;
	}
	f->n++;
out:
	ops_buf_reset(&c->fix);
}

/* Fixes: "dharmic-ops VERB" (with the --home given), shell commands on
 * paths quoted. */
static void
fix_ops(struct ctx *c, const char *verb)
{
	if (c->fix.len)
		ops_buf_puts(&c->fix, " && ");
	ops_buf_printf(&c->fix, "dharmic-ops %s", verb);
	if (c->o->home_arg) {
		ops_buf_puts(&c->fix, " --home ");
		ops_buf_shquote(&c->fix, c->o->home_arg);
	}
}

static void
fix_sh(struct ctx *c, const char *cmd, const char *path)
{
	if (c->fix.len)
		ops_buf_puts(&c->fix, " && ");
	ops_buf_puts(&c->fix, cmd);
	if (path) {
		ops_buf_add(&c->fix, " ", 1);
		ops_buf_shquote(&c->fix, path);
	}
}

static const char *
rel(const struct ctx *c, const char *path)
{
	return ops_fs_rel(c->cfg->home, path);
}

/* ---- the agent ------------------------------------------------------- */

static int
check_agent(struct ctx *c)
{
	const struct ops_config *cfg = c->cfg;
	struct ops_err e = OPS_ERR_INIT;
	struct ops_procinfo pi;
	char path[PATH_MAX];
	int st;

	if (ops_config_path(cfg, cfg->daemon.pid_file, path, sizeof(path), &e) < 0) {
		add(c, 1, "daemon", "%s", e.msg);
		return 0;
	}
	st = ops_daemon_status(cfg, &pi, &e);
	if (st == 1)
		return 1;
	if (st < 0) {
		fix_ops(c, "health --check daemon");
		add(c, 1, "daemon", "unable to tell whether the agent runs: %s", e.msg);
		return 0;
	}
	if (access(path, F_OK) == 0) {
		fix_sh(c, "rm", path);
		add(c, 1, "pid", "stale PID file %s: %s", rel(c, path), e.msg);
	}
	fix_ops(c, "start");
	add(c, 1, "daemon", "the agent is not running (%s)", e.msg);
	return 0;
}

/* The health checks that answer rows of the matrix. */
static void
check_health(struct ctx *c, int running)
{
	static const char *const only[] = { "heartbeat", "integrity", "disk", "email",
		"restarts", "backup" };
	struct ops_health_opts ho = { 0, only, sizeof(only) / sizeof(only[0]), 0 };
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_err e = OPS_ERR_INIT;

	if (ops_health_run(c->cfg, &ho, NULL, &r, &e) < 0) {
		add(c, 1, "health", "%s", e.msg);
		return;
	}
	for (size_t i = 0; i < r.n; i++) {
		const struct ops_result *res = &r.v[i];
		const char *what = res->name;

		if (res->state == OPS_OK)
			continue;
		if (strcmp(res->name, "heartbeat") == 0) {
			if (!running)
				continue;	/* follows from the agent being down */
			what = "heartbeat stalled";
			fix_ops(c, "restart");
		} else if (strcmp(res->name, "integrity") == 0) {
			what = "SQLite integrity";
			fix_ops(c, "stop");
			fix_ops(c, "restore latest");
		} else if (strcmp(res->name, "disk") == 0) {
			what = "disk low";
			fix_ops(c, "rotate");
			fix_ops(c, "backup prune");
		} else if (strcmp(res->name, "email") == 0) {
			what = "email errors";
			fix_ops(c, "logs email");
		} else if (strcmp(res->name, "restarts") == 0) {
			what = "restart loop";
			fix_ops(c, "logs daemon");
		} else {
			what = "backups stale";
			fix_ops(c, "backup");
		}
		add(c, 1, res->name, "%s: %s", what, res->message);
	}
	ops_report_release(&r);
}

/* Configured checks that name a remedy (an action): when failing, the fix
 * is that exact action (dharmic-ops act NAME). */
static void
check_remedies(struct ctx *c)
{
	const char *only[64];
	struct ops_health_opts ho = { 0, only, 0, 0 };
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_err e = OPS_ERR_INIT;
	char verb[128];

	for (size_t i = 0; i < c->cfg->health.nchecks && ho.nonly < 64; i++)
		if (c->cfg->health.checks[i].remedy != NULL)
			only[ho.nonly++] = c->cfg->health.checks[i].name;
	if (ho.nonly == 0)
		return;
	if (ops_health_run(c->cfg, &ho, NULL, &r, &e) < 0) {
		add(c, 1, "health", "%s", e.msg);
		return;
	}
	for (size_t i = 0; i < r.n; i++) {
		const struct ops_result *res = &r.v[i];

		for (size_t k = 0; k < c->cfg->health.nchecks; k++) {
			const struct ops_check_cfg *cc = &c->cfg->health.checks[k];

			if (res->state == OPS_OK || cc->remedy == NULL ||
			    strcmp(cc->name, res->name) != 0)
				continue;
			snprintf(verb, sizeof(verb), "act %s", cc->remedy);
			fix_ops(c, verb);
			add(c, 1, res->name, "check %s: %s", res->name, res->message);
		}
	}
	ops_report_release(&r);
}

/* The last line of logs/backup.log says whether the last backup failed. */
static void
check_backup_log(struct ctx *c)
{
	struct ops_err e = OPS_ERR_INIT;
	char path[PATH_MAX], *tail = NULL;
	size_t n;

	if (ops_config_path(c->cfg, "logs/backup.log", path, sizeof(path), &e) < 0 ||
	    ops_fs_tail(path, 1, 64 << 10, &tail, &e) < 0)
		return;
	n = strlen(tail);
	while (n > 0 && tail[n - 1] == '\n')
		tail[--n] = '\0';
	if (strstr(tail, "[ERROR]") || strstr(tail, "[CRITICAL]") ||
	    strstr(tail, "failed") || strstr(tail, "FAILED")) {
		fix_ops(c, "logs backup");
		fix_ops(c, "backup");
		add(c, 1, "backup", "backups failing: the last line of logs/backup.log is "
		    "'%.300s'", tail);
	}
	free(tail);
}

/* ---- files ----------------------------------------------------------- */

static void
check_rotation(struct ctx *c)
{
	const struct ops_config *cfg = c->cfg;
	struct ops_strv logs = OPS_STRV_INIT;
	struct ops_err e = OPS_ERR_INIT;
	const char *oldest = NULL;
	double t = 0, now = ops_time_now();
	/* rotation runs daily: a log may wait a day past compress_after */
	double limit = cfg->rotate.compress_after + 86400;
	struct stat st;

	for (size_t i = 0; i < cfg->rotate.daily_logs.n; i++)
		if (ops_fs_glob(cfg->home, cfg->rotate.daily_logs.v[i], &logs, &e) < 0)
			break;
	for (size_t i = 0; i < logs.n; i++) {
		size_t len = strlen(logs.v[i]);

		if (len < 4 || strcmp(logs.v[i] + len - 4, ".log") != 0 ||
		    lstat(logs.v[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (oldest == NULL || (double)st.st_mtime < t) {
			oldest = logs.v[i];
			t = (double)st.st_mtime;
		}
	}
	if (oldest != NULL && now - t > limit) {
		char a[32], l[32];

		fix_ops(c, "rotate");
		add(c, 1, "rotation", "logs not rotating: the oldest uncompressed daily log "
		    "%s was last written %s ago (compress_after %s)", rel(c, oldest),
		    ops_duration_format(now - t, a, sizeof(a)),
		    ops_duration_format(cfg->rotate.compress_after, l, sizeof(l)));
	}
	ops_strv_release(&logs);
}

/* The state database (alert state, history), opened read-only: unlike
 * ops_state_open this never sets anything aside. */
static void
check_state(struct ctx *c)
{
	struct ops_strv aside = OPS_STRV_INIT;
	struct ops_err e = OPS_ERR_INIT;
	char path[PATH_MAX];
	const char *bad = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	if (ops_config_path(c->cfg, ".ops/state.db", path, sizeof(path), &e) < 0)
		return;
	if (access(path, F_OK) == 0) {
		if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW,
		    NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL) != SQLITE_OK ||
		    sqlite3_step(s) != SQLITE_ROW)
			bad = db ? sqlite3_errmsg(db) : "out of memory";
		else if (strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0)
			bad = (const char *)sqlite3_column_text(s, 0);
		if (bad != NULL) {
			fix_ops(c, "alert status");
			add(c, 1, "state", "alert state unreadable: %s: %.200s (the next run "
			    "sets it aside and starts a new one)", rel(c, path), bad);
		}
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
	if (ops_fs_glob(c->cfg->home, ".ops/state.db.corrupt-*", &aside, &e) == 0 &&
	    aside.n > 0) {
		fix_sh(c, "ls -l", NULL);
		for (size_t i = 0; i < aside.n; i++) {
			ops_buf_add(&c->fix, " ", 1);
			ops_buf_shquote(&c->fix, aside.v[i]);
		}
		fix_sh(c, "rm", NULL);
		for (size_t i = 0; i < aside.n; i++) {
			ops_buf_add(&c->fix, " ", 1);
			ops_buf_shquote(&c->fix, aside.v[i]);
		}
		add(c, 1, "state", "alert state was lost: %zu unreadable state database%s set "
		    "aside (%s%s)", aside.n, aside.n == 1 ? "" : "s", rel(c, aside.v[0]),
		    aside.n > 1 ? ", ..." : "");
	}
	ops_strv_release(&aside);
}

/* The copies of memory/ ops-restore set aside (ops_aside.h): listed; a
 * problem when some are older than restore.keep_aside, fixed by the
 * rotation, which prunes only what ops_aside allows. */
static void
check_aside(struct ctx *c)
{
	struct ops_aside_list l = OPS_ASIDE_LIST_INIT;
	struct ops_err e = OPS_ERR_INIT;
	struct ops_buf what = OPS_BUF_INIT;
	double now = ops_time_now();
	size_t old, blocked;
	char keep[32];

	if (ops_aside_scan(c->cfg, now, &l, &e) < 0) {
		add(c, 1, "aside", "unable to list memory.pre-restore.*: %s", e.msg);
		goto out;
	}
	if (l.n == 0)
		goto out;
	ops_aside_summary(&l, now, &what);
	old = ops_aside_count(&l, OPS_ASIDE_PRUNE);
	blocked = ops_aside_count(&l, OPS_ASIDE_BLOCKED);
	ops_duration_format(c->cfg->restore.keep_aside, keep, sizeof(keep));
	if (old > 0) {
		fix_ops(c, "rotate");
		add(c, 1, "aside", "%s; %zu older than restore.keep_aside (%s) not yet removed "
		    "(the rotation removes them, keeping the newest and any a restore still "
		    "needs)", ops_buf_str(&what), old, keep);
	} else if (blocked > 0) {
		add(c, 1, "aside", "%s; none can be removed: %s", ops_buf_str(&what), l.blocked);
	} else {
		add(c, 0, "aside", "%s (restore.keep_aside %s)", ops_buf_str(&what), keep);
	}
out:
	ops_buf_release(&what);
	ops_aside_list_release(&l);
}

static void
check_modes(struct ctx *c)
{
	static const char *const dirs[] = { ".", "memory", "logs", "backups", ".ops" };
	const struct ops_config *cfg = c->cfg;
	struct ops_err e = OPS_ERR_INIT;
	char path[PATH_MAX];
	struct stat st;

	if (ops_config_path(cfg, cfg->daemon.env_file, path, sizeof(path), &e) == 0 &&
	    stat(path, &st) == 0 && (st.st_mode & 077) != 0) {
		fix_sh(c, "chmod 600", path);
		add(c, 1, "env", "%s holds secrets and is open to others (mode %04o)",
		    rel(c, path), (unsigned)(st.st_mode & 07777));
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) + 1; i++) {
		const char *p = i < sizeof(dirs) / sizeof(dirs[0]) ? dirs[i] : cfg->file;

		if (p == NULL || ops_config_path(cfg, p, path, sizeof(path), &e) < 0 ||
		    lstat(path, &st) < 0 || S_ISLNK(st.st_mode) || (st.st_mode & 022) == 0)
			continue;
		fix_sh(c, "chmod go-w", path);
		add(c, 1, "permissions", "%s is writable by %s (mode %04o)",
		    i == 0 ? "the home" : rel(c, path),
		    (st.st_mode & 022) == 022 ? "group and others" :
		    (st.st_mode & 020) ? "the group" : "others",
		    (unsigned)(st.st_mode & 07777));
	}
}

/* ---- the system ------------------------------------------------------ */

static void
check_cron(struct ctx *c)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_cron_block *v = NULL;
	struct ops_buf homes = OPS_BUF_INIT;
	char *table = NULL;
	size_t len = 0, b, end, n = 0;

	if (ops_crontab_read(&table, &len, &e) < 0) {
		if (e.code == OPS_E_NOENT)
			fix_sh(c, "apt install cron", NULL);
		else
			fix_sh(c, "crontab -l", NULL);
		add(c, 1, "cron", "cron not installed: %s", e.msg);
		return;
	}
	switch (ops_crontab_find(table, len, c->cfg->home, &b, &end, &e)) {
	case 1:
		break;
	case 0:
		fix_ops(c, "cron-install");
		add(c, 1, "cron", "cron not installed: the crontab has no dharmic-ops "
		    "schedule for this home, so nothing checks, rotates or backs up on "
		    "its own");
		break;
	default:
		fix_sh(c, "crontab -e", NULL);
		add(c, 1, "cron", "the dharmic-ops block in the crontab is broken: %s", e.msg);
		goto out;
	}
	/* The homes with a schedule in this user's crontab. */
	if ((v = calloc(OPS_CRON_BLOCKS_MAX, sizeof(*v))) != NULL &&
	    ops_crontab_blocks(table, len, v, OPS_CRON_BLOCKS_MAX, &n, &e) == 0 && n > 0) {
		for (size_t i = 0; i < n; i++)
			ops_buf_printf(&homes, "%s%s", i ? ", " : "", v[i].home[0] ? v[i].home :
			    "(a block from before homes were named; cron-install migrates it)");
		ops_buf_reset(&c->fix);
		add(c, 0, "cron", "the crontab has a dharmic-ops schedule for %zu home%s: %s",
		    n, n == 1 ? "" : "s", ops_buf_str(&homes));
	}
out:
	ops_buf_release(&homes);
	free(v);
	free(table);
}

/* The homes with an agent unit installed: each home has its own
 * (ops_service_unit), as each has its own cron block. */
static void
check_units(struct ctx *c)
{
	enum ops_manager m = ops_service_native();
	struct ops_strv homes = OPS_STRV_INIT;
	struct ops_buf list = OPS_BUF_INIT;
	struct ops_unit legacy;
	char named[PATH_MAX];

	if (ops_service_homes(m, &homes, NULL) == 0 && homes.n > 0) {
		for (size_t i = 0; i < homes.n; i++)
			ops_buf_printf(&list, "%s%s", i ? ", " : "", homes.v[i]);
		ops_buf_reset(&c->fix);
		add(c, 0, "service", "%s is installed for %zu home%s: %s",
		    m == OPS_MGR_LAUNCHD ? "a LaunchAgent" : "a systemd user unit", homes.n,
		    homes.n == 1 ? "" : "s", ops_buf_str(&list));
	}
	if (ops_service_legacy_unit(m, &legacy, NULL) == 0 &&
	    ops_service_unit_home(&legacy, named, sizeof(named), NULL) == 1 &&
	    strcmp(named, c->cfg->home) == 0) {
		fix_ops(c, "install");
		add(c, 0, "service", "%s runs this home under the one name per user from "
		    "before each home had its own unit; install migrates it", legacy.name);
	}
	ops_buf_release(&list);
	ops_strv_release(&homes);
}

static int
in_path(const char *prog)
{
	const char *p = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(prog, '/') != NULL)
		return access(prog, X_OK) == 0;
	while (p != NULL && *p) {
		size_t n = strcspn(p, ":");

		if (n > 0 && snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, prog) <
		    (int)sizeof(buf) && access(buf, X_OK) == 0)
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

static void
check_tools(struct ctx *c)
{
	const struct ops_config *cfg = c->cfg;
	int mail = cfg->alert.email != NULL && cfg->alert.email[0] != '\0';

	if (!in_path(cfg->alert.sendmail)) {
		fix_sh(c, "apt install msmtp-mta", NULL);
		add(c, mail, "tools", "%s not found: %s", cfg->alert.sendmail, mail ?
		    "email alerts cannot be sent" : "no email alerts (alert.email is not set)");
	}
#ifdef __APPLE__
	if (cfg->alert.desktop && !in_path("osascript")) {
		fix_sh(c, "xcode-select --install", NULL);
		add(c, 0, "tools", "osascript not found: desktop alerts are skipped");
	}
#else
	if (cfg->alert.desktop && !in_path("notify-send")) {
		fix_sh(c, "apt install libnotify-bin", NULL);
		add(c, 0, "tools", "notify-send not found: desktop alerts are skipped");
	}
	if (!in_path("systemctl")) {
		fix_ops(c, "cron-install");
		add(c, 0, "tools", "systemctl not found: `dharmic-ops install` cannot hand the "
		    "agent to systemd; cron's health and alert runs restart it instead");
	}
#endif
}

int
ops_trouble_run(const struct ops_config *cfg, const struct ops_trouble_opts *o,
    struct ops_findings *f, struct ops_err *err)
{
	struct ctx c = { cfg, o, f, OPS_BUF_INIT };
	int running = check_agent(&c);

	check_health(&c, running);
	check_remedies(&c);
	check_backup_log(&c);
	check_rotation(&c);
	check_state(&c);
	check_aside(&c);
	check_modes(&c);
	check_cron(&c);
	check_units(&c);
	check_tools(&c);
	ops_buf_release(&c.fix);
	if (f->oom)
		return ops_err_sys(err, ENOMEM, "unable to troubleshoot");
	return 0;
}

size_t
ops_findings_problems(const struct ops_findings *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].problem != 0;
	return n;
}

void
ops_findings_format(struct ops_buf *b, const struct ops_findings *f)
{
	size_t problems = ops_findings_problems(f);

	for (int pass = 1; pass >= 0; pass--)
		for (size_t i = 0; i < f->n; i++) {
			if (f->v[i].problem != pass)
				continue;
			ops_buf_printf(b, "%s [%s] %s\n", pass ? "PROBLEM" : "note",
			    f->v[i].name, f->v[i].text);
			if (f->v[i].fix[0])
				ops_buf_printf(b, "    fix: %s\n", f->v[i].fix);
		}
	if (problems == 0)
		ops_buf_puts(b, "no problems found\n");
	else
		ops_buf_printf(b, "%zu problem%s found\n", problems, problems == 1 ? "" : "s");
}

void
ops_findings_release(struct ops_findings *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].text);
		free(f->v[i].fix);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}
