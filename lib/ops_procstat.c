#include "ops_procstat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops_time.h"
#include "ops_units.h"

const char *const ops_procstat_checks[] = {
	"cpu", "rss", "fds", "host_memory", "load", NULL
};

enum { C_CPU, C_RSS, C_FDS, C_MEM, C_LOAD };

/* ---- reading /proc --------------------------------------------------- */

static ssize_t
read_small(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Fields of /proc/PID/stat from field 3 on (the command name, field 2,
 * may hold spaces and parentheses: parse from the last ')'). */
struct pstat {
	pid_t ppid;
	unsigned long long utime, stime, cutime, cstime, starttime;
};

static int
read_pstat(pid_t pid, struct pstat *ps)
{
	char path[64], buf[1024], *p, *tok, *save = NULL;
	unsigned long long f[23];
	int i = 3;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return -1;
	/* fields 3 (state, a letter) to 22 (starttime) */
	for (tok = strtok_r(p + 2, " ", &save); tok && i <= 22;
	    tok = strtok_r(NULL, " ", &save), i++)
		f[i] = i == 3 ? 0 : strtoull(tok, NULL, 10);
	if (i <= 22)
		return -1;
	ps->ppid = (pid_t)f[4];
	ps->utime = f[14];
	ps->stime = f[15];
	/* cutime/cstime: children the process has waited for */
	ps->cutime = f[16];
	ps->cstime = f[17];
	ps->starttime = f[22];
	return 0;
}

static double
boot_time(void)
{
	char buf[8192], *p;

	if (read_small("/proc/stat", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "\nbtime ");
	return p ? strtod(p + 7, NULL) : -1;
}

/* CPU seconds of pid's live descendants: one pass over /proc collects
 * (pid, ppid, ticks); then the tree under pid is summed. A child reaped
 * by the agent is already in its cutime/cstime. */
static double
descendants_cpu(pid_t root, double hz)
{
	struct node { pid_t pid, ppid; unsigned long long ticks; } *v = NULL, *nv;
	size_t n = 0, cap = 0;
	struct dirent *de;
	unsigned long long sum = 0;
	DIR *d = opendir("/proc");
	pid_t *queue = NULL;
	size_t qn = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct pstat ps;
		char *end;
		long p = strtol(de->d_name, &end, 10);

		if (*end != '\0' || p <= 1 || p == root || read_pstat((pid_t)p, &ps) < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL)
				goto out;
			v = nv;
		}
		v[n].pid = (pid_t)p;
		v[n].ppid = ps.ppid;
		v[n].ticks = ps.utime + ps.stime + ps.cutime + ps.cstime;
		n++;
	}
	queue = malloc((n + 1) * sizeof(*queue));
	if (queue == NULL)
		goto out;
	queue[qn++] = root;
	/* Breadth first; each process has one parent, so each is queued at
	 * most once. */
	for (size_t q = 0; q < qn; q++)
		for (size_t i = 0; i < n; i++)
			if (v[i].ppid == queue[q] && qn <= n) {
				queue[qn++] = v[i].pid;
				sum += v[i].ticks;
			}
out:
	free(queue);
	free(v);
	closedir(d);
	return (double)sum / hz;
}

static long
count_fds(pid_t pid)
{
	char path[64];
	struct dirent *de;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static long
fd_limit(pid_t pid)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "Max open files");
	if (p == NULL)
		return -1;
	p += strlen("Max open files");
	while (*p == ' ')
		p++;
	if (strncmp(p, "unlimited", 9) == 0)
		return -1;
	return strtol(p, NULL, 10);
}

int
ops_procstat_read(pid_t pid, int children, struct ops_procsample *s,
    struct ops_err *err)
{
	char path[64], buf[256];
	double hz = (double)sysconf(_SC_CLK_TCK), bt;
	unsigned long long pages = 0;
	struct pstat ps;

	memset(s, 0, sizeof(*s));
	if (read_pstat(pid, &ps) < 0)
		return ops_err_sys(err, errno ? errno : ESRCH,
		    "unable to read /proc/%d/stat", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%*u %llu", &pages) != 1)
		return ops_err_sys(err, errno ? errno : EIO, "unable to read %s", path);
	bt = boot_time();
	if (bt < 0 || hz <= 0)
		return ops_err_set(err, OPS_E_FAIL, "unable to read the boot time");
	s->pid = pid;
	s->start = bt + (double)ps.starttime / hz;
	s->cpu = (double)(ps.utime + ps.stime + ps.cutime + ps.cstime) / hz +
	    (children ? descendants_cpu(pid, hz) : 0);
	s->rss = (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
	s->fds = count_fds(pid);
	s->fd_limit = fd_limit(pid);
	return 0;
}

int
ops_meminfo_parse(const char *text, struct ops_meminfo *m, struct ops_err *err)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "MemTotal:", offsetof(struct ops_meminfo, total) },
		{ "MemAvailable:", offsetof(struct ops_meminfo, available) },
		{ "SwapTotal:", offsetof(struct ops_meminfo, swap_total) },
		{ "SwapFree:", offsetof(struct ops_meminfo, swap_free) },
	};
	unsigned found = 0;

	memset(m, 0, sizeof(*m));
	for (const char *line = text; line && *line; line = strchr(line, '\n'),
	    line = line ? line + 1 : NULL)
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t kl = strlen(keys[i].key);
			unsigned long long kb;
			char *end;

			if (strncmp(line, keys[i].key, kl) != 0)
				continue;
			errno = 0;
			kb = strtoull(line + kl, &end, 10);
			if (end == line + kl || errno != 0 || kb > UINT64_MAX / 1024)
				return ops_err_set(err, OPS_E_FAIL,
				    "/proc/meminfo: bad %s value", keys[i].key);
			*(uint64_t *)((char *)m + keys[i].off) = (uint64_t)kb * 1024;
			found |= 1u << i;
		}
	/* MemAvailable exists since Linux 3.14; nothing to judge without it. */
	if ((found & 3) != 3 || m->total == 0)
		return ops_err_set(err, OPS_E_FAIL,
		    "/proc/meminfo: no MemTotal/MemAvailable");
	return 0;
}

int
ops_procstat_slope(const double *x, const double *y, size_t n, double *slope)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0;

	if (n < 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	if (!(sxx > 0))
		return -1;
	*slope = sxy / sxx;
	return 0;
}

/* ---- the samples in the state database ------------------------------- */

struct prev {
	int have;
	double ts, cpu, warn_since, crit_since;	/* since: 0 when not above */
};

static int
load_prev(struct ops_statedb *st, const struct ops_procsample *s, double now,
    struct prev *p, struct ops_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	if (ops_state_prepare(st, "SELECT ts, cpu, warn_since, crit_since"
	    " FROM proc_samples WHERE pid=? AND start BETWEEN ? AND ? AND ts<?"
	    " ORDER BY ts DESC LIMIT 1", &q, err) < 0)
		return -1;
	/* start comes from clock ticks and the boot time: allow rounding */
	sqlite3_bind_int64(q, 1, s->pid);
	sqlite3_bind_double(q, 2, s->start - 1);
	sqlite3_bind_double(q, 3, s->start + 1);
	sqlite3_bind_double(q, 4, now);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		p->have = 1;
		p->ts = sqlite3_column_double(q, 0);
		p->cpu = sqlite3_column_double(q, 1);
		p->warn_since = sqlite3_column_double(q, 2);
		p->crit_since = sqlite3_column_double(q, 3);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ops_state_error(err, st, "read the process samples");
	return 0;
}

static int
store_sample(struct ops_statedb *st, const struct ops_procsample *s, double now,
    double warn_since, double crit_since, double keep, struct ops_err *err)
{
	struct ops_err e2 = OPS_ERR_INIT;
	sqlite3_stmt *q = NULL;

	/* one commit for the sample and the pruning */
	if (ops_state_exec(st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (ops_state_prepare(st, "INSERT INTO proc_samples(ts, pid, start, cpu, rss,"
	    " warn_since, crit_since) VALUES(?,?,?,?,?,?,?)", &q, err) < 0)
		goto fail;
	sqlite3_bind_double(q, 1, now);
	sqlite3_bind_int64(q, 2, s->pid);
	sqlite3_bind_double(q, 3, s->start);
	sqlite3_bind_double(q, 4, s->cpu);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)s->rss);
	sqlite3_bind_double(q, 6, warn_since);
	sqlite3_bind_double(q, 7, crit_since);
	if (ops_state_step_done(st, q, "store a process sample", err) < 0)
		goto fail;
	if (ops_state_prepare(st, "DELETE FROM proc_samples WHERE ts<?", &q, err) < 0)
		goto fail;
	sqlite3_bind_double(q, 1, now - keep);
	if (ops_state_step_done(st, q, "prune the process samples", err) < 0)
		goto fail;
	return ops_state_exec(st, "COMMIT", err);
fail:
	(void)ops_state_exec(st, "ROLLBACK", &e2);
	return -1;
}

/* The (ts, rss) samples of this process within the window, oldest first,
 * into x/y (caller frees); *n their number. */
static int
load_trend(struct ops_statedb *st, const struct ops_procsample *s, double from,
    double now, double **x, double **y, size_t *n, struct ops_err *err)
{
	sqlite3_stmt *q = NULL;
	size_t cap = 0;
	double *nx, *ny;
	int rc;

	*x = *y = NULL;
	*n = 0;
	if (ops_state_prepare(st, "SELECT ts, rss FROM proc_samples WHERE pid=?"
	    " AND start BETWEEN ? AND ? AND ts>=? AND ts<? ORDER BY ts", &q, err) < 0)
		return -1;
	sqlite3_bind_int64(q, 1, s->pid);
	sqlite3_bind_double(q, 2, s->start - 1);
	sqlite3_bind_double(q, 3, s->start + 1);
	sqlite3_bind_double(q, 4, from);
	sqlite3_bind_double(q, 5, now);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			nx = realloc(*x, (cap + 1) * sizeof(**x));
			if (nx)
				*x = nx;
			ny = realloc(*y, (cap + 1) * sizeof(**y));
			if (ny)
				*y = ny;
			if (nx == NULL || ny == NULL) {
				sqlite3_finalize(q);
				return ops_err_sys(err, ENOMEM, "unable to read the samples");
			}
		}
		(*x)[*n] = sqlite3_column_double(q, 0);
		(*y)[*n] = sqlite3_column_double(q, 1);
		(*n)++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return ops_state_error(err, st, "read the process samples");
	return 0;
}

/* ---- the checks ------------------------------------------------------ */

static void
check_cpu(const struct ops_config *cfg, const struct ops_procsample *s,
    const struct prev *p, double now, double *warn_since, double *crit_since,
    struct ops_report *r)
{
	const double wl = cfg->health.cpu_warn, cl = cfg->health.cpu_crit;
	double dt = now - p->ts, pct, streak;
	char d1[32], d2[32], d3[32];
	struct ops_result *res;
	enum ops_state state = OPS_OK;

	*warn_since = *crit_since = 0;
	if (!p->have || dt <= 0) {
		ops_report_add(r, "cpu", OPS_OK,
		    "agent CPU: first sample, measured from the next run");
		return;
	}
	pct = (s->cpu - p->cpu) / dt * 100;
	if (pct < 0)
		pct = 0;
	/* A streak above a limit starts where the first busy interval
	 * began: one long busy interval is as sustained as many short ones. */
	if (wl > 0 && pct > wl)
		*warn_since = p->warn_since > 0 ? p->warn_since : p->ts;
	if (cl > 0 && pct > cl)
		*crit_since = p->crit_since > 0 ? p->crit_since : p->ts;
	if (*crit_since > 0 && now - *crit_since >= cfg->health.cpu_for)
		state = OPS_CRITICAL;
	else if (*warn_since > 0 && now - *warn_since >= cfg->health.cpu_for)
		state = OPS_WARNING;
	ops_duration_format(dt, d1, sizeof(d1));
	streak = now - (*crit_since > 0 && state == OPS_CRITICAL ? *crit_since :
	    *warn_since);
	ops_duration_format(streak, d2, sizeof(d2));
	ops_duration_format(cfg->health.cpu_for, d3, sizeof(d3));
	if (state != OPS_OK)
		res = ops_report_add(r, "cpu", state,
		    "agent at %.0f%% CPU over the last %s, above %.0f%% for %s (stuck?)",
		    pct, d1, state == OPS_CRITICAL ? cl : wl, d2);
	else if (*warn_since > 0)
		res = ops_report_add(r, "cpu", OPS_OK,
		    "agent at %.0f%% CPU over the last %s, above %.0f%% for %s (limit %s)",
		    pct, d1, wl, d2, d3);
	else
		res = ops_report_add(r, "cpu", OPS_OK, "agent at %.0f%% CPU over the last %s",
		    pct, d1);
	if (res)
		ops_result_perf(res, "cpu", round(pct * 10) / 10, "%", wl > 0 ? wl : NAN,
		    cl > 0 ? cl : NAN, 0, NAN);
}

static void
check_rss(const struct ops_config *cfg, struct ops_statedb *st,
    const struct ops_procsample *s, double now, struct ops_report *r)
{
	const double wl = (double)cfg->health.rss_warn, cl = (double)cfg->health.rss_crit;
	const double win = cfg->health.rss_trend_window;
	struct ops_err e = OPS_ERR_INIT;
	double *x = NULL, *y = NULL, slope = 0, eta;
	char a[32], b[32], c[32], d[32], when[32];
	struct ops_result *res;
	enum ops_state state;
	size_t n = 0;

	state = ops_threshold_high((double)s->rss, wl, cl);
	ops_size_format(s->rss, a, sizeof(a));
	if (state != OPS_OK) {
		ops_size_format((uint64_t)(state == OPS_CRITICAL ? cl : wl), b, sizeof(b));
		res = ops_report_add(r, "rss", state, "agent resident memory %s (above %s)",
		    a, b);
		goto perf;
	}
	if (st != NULL && win > 0 && cl > 0 &&
	    load_trend(st, s, now - win, now, &x, &y, &n, &e) == 0 && n >= 2) {
		x[n] = now;
		y[n] = (double)s->rss;
		n++;
		/* Half a window of samples at least: an agent filling its
		 * caches after a start is not leaking. */
		if (x[n - 1] - x[0] >= win / 2 && ops_procstat_slope(x, y, n, &slope) == 0 &&
		    slope > 0) {
			eta = (cl - (double)s->rss) / slope;
			if (eta <= cfg->health.rss_trend_horizon) {
				ops_size_format((uint64_t)(slope * 86400), b, sizeof(b));
				ops_size_format((uint64_t)cl, c, sizeof(c));
				ops_duration_format(eta, d, sizeof(d));
				ops_time_log(now + eta, when, sizeof(when));
				when[16] = '\0';	/* to the minute */
				res = ops_report_add(r, "rss", OPS_WARNING,
				    "agent resident memory %s growing %s/day (leak?): "
				    "would reach %s around %s (in %s)", a, b, c, when, d);
				goto perf;
			}
		}
	}
	if (slope > 0) {
		ops_size_format((uint64_t)(slope * 86400), b, sizeof(b));
		res = ops_report_add(r, "rss", OPS_OK, "agent resident memory %s (%s/day)",
		    a, b);
	} else {
		res = ops_report_add(r, "rss", OPS_OK, "agent resident memory %s", a);
	}
perf:
	if (res)
		ops_result_perf(res, "rss", (double)s->rss, "B", wl > 0 ? wl : NAN,
		    cl > 0 ? cl : NAN, 0, NAN);
	free(x);
	free(y);
}

static void
check_fds(const struct ops_config *cfg, const struct ops_procsample *s,
    struct ops_report *r)
{
	struct ops_result *res;
	double pct;
	enum ops_state state;

	if (s->fds < 0) {
		ops_report_add(r, "fds", OPS_UNKNOWN,
		    "unable to list /proc/%d/fd (another user's process?)", (int)s->pid);
		return;
	}
	if (s->fd_limit <= 0) {
		res = ops_report_add(r, "fds", OPS_OK, "agent has %ld open files (no limit)",
		    s->fds);
		if (res)
			ops_result_perf(res, "fds", (double)s->fds, "", NAN, NAN, 0, NAN);
		return;
	}
	pct = 100.0 * (double)s->fds / (double)s->fd_limit;
	state = ops_threshold_high(pct, cfg->health.fds_warn, cfg->health.fds_crit);
	res = ops_report_add(r, "fds", state,
	    "agent has %ld open files of %ld allowed (%.0f%%)%s", s->fds, s->fd_limit, pct, state != OPS_OK ? " (descriptor leak?)" : "");
	if (res)
		ops_result_perf(res, "fds", (double)s->fds, "",
		    cfg->health.fds_warn > 0 ? floor(cfg->health.fds_warn / 100 *
		    (double)s->fd_limit) : NAN, cfg->health.fds_crit > 0 ?
		    floor(cfg->health.fds_crit / 100 * (double)s->fd_limit) : NAN, 0,
		    (double)s->fd_limit);
}

static void
check_mem(const struct ops_config *cfg, struct ops_report *r)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_meminfo m;
	struct ops_result *res;
	char buf[4096], a[32], t[32];
	double avail_pct, swap_pct = 0;
	enum ops_state sa, ss = OPS_OK;

	if (read_small("/proc/meminfo", buf, sizeof(buf)) <= 0) {
		ops_report_add(r, "host_memory", OPS_UNKNOWN, "unable to read /proc/meminfo: %s",
		    strerror(errno));
		return;
	}
	if (ops_meminfo_parse(buf, &m, &e) < 0) {
		ops_report_add(r, "host_memory", OPS_UNKNOWN, "%s", e.msg);
		return;
	}
	avail_pct = 100.0 * (double)m.available / (double)m.total;
	sa = ops_threshold_low(avail_pct, cfg->health.mem_warn, cfg->health.mem_crit);
	if (m.swap_total > 0) {
		swap_pct = 100.0 * (double)(m.swap_total - (m.swap_free < m.swap_total ?
		    m.swap_free : m.swap_total)) / (double)m.swap_total;
		ss = ops_threshold_high(swap_pct, cfg->health.swap_warn, cfg->health.swap_crit);
	}
	ops_size_format(m.available, a, sizeof(a));
	ops_size_format(m.total, t, sizeof(t));
	if (m.swap_total > 0)
		res = ops_report_add(r, "host_memory", ops_state_worst(sa, ss),
		    "%s available of %s (%.0f%%), swap %.0f%% used", a, t, avail_pct,
		    swap_pct);
	else
		res = ops_report_add(r, "host_memory", sa, "%s available of %s (%.0f%%), no swap",
		    a, t, avail_pct);
	if (res) {
		ops_result_perf_low(res, "mem_available", (double)m.available, "B",
		    cfg->health.mem_warn > 0 ? floor(cfg->health.mem_warn / 100 *
		    (double)m.total) : NAN, cfg->health.mem_crit > 0 ?
		    floor(cfg->health.mem_crit / 100 * (double)m.total) : NAN, 0,
		    (double)m.total);
		if (m.swap_total > 0)
			ops_result_perf(res, "swap_used", round(swap_pct * 10) / 10, "%",
			    cfg->health.swap_warn > 0 ? cfg->health.swap_warn : NAN,
			    cfg->health.swap_crit > 0 ? cfg->health.swap_crit : NAN, 0, 100);
	}
}

static void
check_load(const struct ops_config *cfg, struct ops_report *r)
{
	double l1, l5, l15, per;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct ops_result *res;
	char buf[256];

	if (read_small("/proc/loadavg", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%lf %lf %lf", &l1, &l5, &l15) != 3) {
		ops_report_add(r, "load", OPS_UNKNOWN, "unable to read /proc/loadavg");
		return;
	}
	if (ncpu < 1)
		ncpu = 1;
	/* The 5-minute average: the 1-minute one jumps with every cron job. */
	per = l5 / (double)ncpu;
	res = ops_report_add(r, "load", ops_threshold_high(per, cfg->health.load_warn,
	    cfg->health.load_crit), "load %.2f %.2f %.2f on %ld core%s (%.2f per core)",
	    l1, l5, l15, ncpu, ncpu == 1 ? "" : "s", per);
	if (res)
		ops_result_perf(res, "load_per_core", round(per * 100) / 100, "",
		    cfg->health.load_warn > 0 ? cfg->health.load_warn : NAN,
		    cfg->health.load_crit > 0 ? cfg->health.load_crit : NAN, 0, NAN);
}

void
ops_procstat_run(const struct ops_config *cfg, struct ops_statedb *st, pid_t pid,
    double now, unsigned want, struct ops_report *r)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_procsample s;
	struct prev p;
	double ws = 0, cs = 0, keep;
	int have = 0;

	if (want & ((1u << C_CPU) | (1u << C_RSS) | (1u << C_FDS))) {
		if (pid <= 0)
			ops_err_set(&e, OPS_E_FAIL, "agent not running (see the daemon check)");
		else if (ops_procstat_read(pid, (want & (1u << C_CPU)) != 0, &s, &e) == 0)
			have = 1;
	}
	if (want & (1u << C_CPU)) {
		if (!have)
			ops_report_add(r, "cpu", OPS_UNKNOWN, "%s", e.msg);
		else if (st == NULL)
			ops_report_add(r, "cpu", OPS_UNKNOWN,
			    "no state database: no earlier sample to compare with");
		else if (load_prev(st, &s, now, &p, &e) < 0)
			ops_report_add(r, "cpu", OPS_UNKNOWN, "%s", e.msg);
		else
			check_cpu(cfg, &s, &p, now, &ws, &cs, r);
	}
	if (want & (1u << C_RSS)) {
		if (!have)
			ops_report_add(r, "rss", OPS_UNKNOWN, "%s", e.msg);
		else
			check_rss(cfg, st, &s, now, r);
	}
	if (want & (1u << C_FDS)) {
		if (!have)
			ops_report_add(r, "fds", OPS_UNKNOWN, "%s", e.msg);
		else
			check_fds(cfg, &s, r);
	}
	if (want & (1u << C_MEM))
		check_mem(cfg, r);
	if (want & (1u << C_LOAD))
		check_load(cfg, r);
	/* One sample per run that looked at the agent; kept as long as the
	 * trend and the cpu streak need, a day more for changes of mind. */
	if (have && st != NULL && (want & ((1u << C_CPU) | (1u << C_RSS)))) {
		keep = fmax(cfg->health.rss_trend_window, cfg->health.cpu_for) + 86400;
		/* a failure to store costs the next run its comparison only */
		(void)store_sample(st, &s, now, ws, cs, keep, &e);
	}
}
