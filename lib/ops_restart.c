#include "ops_restart.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops_fs.h"
#include "ops_run.h"
#include "ops_service.h"
#include "ops_time.h"

/* The reasons (event details) that are crashes. */
#define CRASH_REASONS "('auto','stale','systemd','launchd')"

void
ops_restart_policy_from(const struct ops_config *cfg, struct ops_restart_policy *p)
{
	p->backoff = cfg->daemon.restart_backoff;
	p->backoff_max = OPS_RESTART_BACKOFF_MAX;
	p->window = cfg->daemon.restart_window;
	p->burst = cfg->daemon.restart_burst;
}

void
ops_restart_decide(const struct ops_restart_policy *p, const double *times, size_t n,
    double now, struct ops_restart_decision *d)
{
	double delay;

	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < n; i++) {
		if (times[i] <= now - p->window || times[i] > now)
			continue;
		d->recent++;
		if (times[i] > d->last)
			d->last = times[i];
	}
	if (d->recent == 0) {
		d->verdict = OPS_RESTART_NOW;
		return;
	}
	if (d->recent >= p->burst) {
		d->verdict = OPS_RESTART_SPENT;
		return;
	}
	delay = p->backoff;
	for (int64_t k = 1; k < d->recent && delay < p->backoff_max; k++)
		delay *= 2;
	if (delay > p->backoff_max)
		delay = p->backoff_max;
	d->next_at = d->last + delay;
	d->verdict = now >= d->next_at ? OPS_RESTART_NOW : OPS_RESTART_WAIT;
}

int
ops_restart_check(const struct ops_config *cfg, struct ops_statedb *st, double now,
    struct ops_restart_decision *d, struct ops_err *err)
{
	struct ops_restart_policy p;
	sqlite3_stmt *s = NULL;
	double *t = NULL;
	size_t n = 0, cap = 0;
	int step, rc = -1;

	ops_restart_policy_from(cfg, &p);
	if (ops_state_prepare(st, "SELECT ts FROM events WHERE kind='restart' AND detail IN "
	    CRASH_REASONS " AND ts > ? AND ts <= ? ORDER BY ts DESC LIMIT 1000", &s, err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, now - p.window);
	sqlite3_bind_double(s, 2, now);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			double *nt = realloc(t, ncap * sizeof(*nt));

			if (nt == NULL) {
				ops_err_sys(err, ENOMEM, "unable to count restarts");
				goto out;
			}
			t = nt;
			cap = ncap;
		}
		t[n++] = sqlite3_column_double(s, 0);
	}
	if (step != SQLITE_DONE) {
		ops_state_error(err, st, "count restarts");
		goto out;
	}
	ops_restart_decide(&p, t, n, now, d);
	rc = 0;
out:
	sqlite3_finalize(s);
	free(t);
	return rc;
}

int
ops_restart_parse_count(const char *text, const char *key, int64_t *n)
{
	size_t kl = strlen(key);

	for (const char *line = text; line && *line; line = strchr(line, '\n'),
	    line = line ? line + 1 : NULL) {
		const char *p = line;
		char *end;
		long long v;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, key, kl) != 0)
			continue;
		p += kl;
		while (*p == ' ')
			p++;
		if (*p++ != '=')
			continue;
		while (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			continue;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno != 0 || (*end != '\0' && *end != '\n' && *end != '\r' && *end != ' '))
			continue;
		*n = v;
		return 0;
	}
	return -1;
}

/* The manager's counter now: 1 read, 0 none to read, -1 error. */
static int
read_counter(const struct ops_unit *u, int64_t *count, struct ops_err *err)
{
	enum ops_manager m = u->m;
	struct ops_run_result r;
	char service[192];
	char *argv[8];
	const char *key;
	int rc = -1;

	if (m == OPS_MGR_SYSTEMD) {
		argv[0] = "systemctl";
		argv[1] = "--user";
		argv[2] = "show";
		argv[3] = "--property=NRestarts";
		argv[4] = (char *)u->name;
		argv[5] = NULL;
		key = "NRestarts";
	} else if (m == OPS_MGR_LAUNCHD) {
		snprintf(service, sizeof(service), "gui/%u/%s", (unsigned)getuid(), u->name);
		argv[0] = "launchctl";
		argv[1] = "print";
		argv[2] = service;
		argv[3] = NULL;
		key = "runs";
	} else {
		return 0;
	}
	if (ops_run(argv, NULL, NULL, 10, 65536, &r, err) < 0)
		return -1;
	if (!r.exited || r.status != 0 || r.output == NULL ||
	    ops_restart_parse_count(r.output, key, count) < 0)
		ops_err_set(err, OPS_E_FAIL, "unable to read the restart count of %s",
		    u->name);
	else
		rc = 1;
	ops_run_result_release(&r);
	return rc;
}

int
ops_restart_sample(const struct ops_config *cfg, struct ops_statedb *st, double now,
    int64_t *added, struct ops_err *err)
{
	struct ops_unit u;
	enum ops_manager m = ops_service_manager(cfg->home, &u);
	const char *name = m == OPS_MGR_SYSTEMD ? "systemd" : "launchd";
	sqlite3_stmt *s = NULL;
	int64_t cur = 0, prev = -1, add;
	int got;

	*added = 0;
	if ((got = read_counter(&u, &cur, err)) <= 0)
		return got;
	if (ops_state_prepare(st, "SELECT count FROM restart_supervisor WHERE manager=?",
	    &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		prev = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	/* First sample: the baseline. A counter that went down was reset
	 * (the unit reloaded): what it counts now is new. */
	add = prev < 0 ? 0 : cur >= prev ? cur - prev : cur;
	if (add > 100)
		add = 100;	/* one sample never floods the events */
	if (ops_state_prepare(st, "INSERT OR REPLACE INTO restart_supervisor(manager,count,ts)"
	    " VALUES(?,?,?)", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, cur);
	sqlite3_bind_double(s, 3, now);
	if (ops_state_step_done(st, s, "record the restart count", err) < 0)
		return -1;
	/* Through st (the caller's connection, maybe in a transaction, must
	 * see them at once) and a line each in logs/restart.log, as
	 * ops_daemon_log_restart writes. */
	for (int64_t i = 0; i < add; i++) {
		char path[PATH_MAX], ts[32], line[128];

		snprintf(line, sizeof(line), "[%s] [INFO] restart: %s",
		    ops_time_log(now, ts, sizeof(ts)), name);
		if (ops_state_add_event(st, now, "restart", name, err) < 0 ||
		    ops_config_path(cfg, "logs/restart.log", path, sizeof(path), err) < 0 ||
		    ops_fs_append_line(path, line, err) < 0)
			return -1;
	}
	*added = add;
	return 0;
}
