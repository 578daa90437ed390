#include "ops_rotate.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ops_confine.h"
#include "ops_fs.h"
#include "ops_gzip.h"
#include "ops_logcut.h"
#include "ops_strv.h"
#include "ops_time.h"
#include "ops_units.h"

#define GZIP_LEVEL 6

/* --- pure policy ------------------------------------------------------------ */

int
ops_rotate_name_date(const char *path, int *y, int *m, int *d)
{
	const char *base = strrchr(path, '/'), *p, *run;
	int found = 0;

	base = base ? base + 1 : path;
	for (p = base; *p; ) {
		int yy = 0, mm = 0, dd = 0;

		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		for (run = p; isdigit((unsigned char)*p); p++)
			;
		if (p - run != 8)
			continue;
		for (int i = 0; i < 4; i++)
			yy = yy * 10 + (run[i] - '0');
		mm = (run[4] - '0') * 10 + (run[5] - '0');
		dd = (run[6] - '0') * 10 + (run[7] - '0');
		if (yy < 1970 || mm < 1 || mm > 12 || dd < 1 || dd > ops_time_days_in_month(yy, mm))
			continue;
		*y = yy;
		*m = mm;
		*d = dd;
		found = 1;
	}
	return found;
}

static double
local_midnight(int y, int m, int d)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	return (double)mktime(&tm);
}

double
ops_rotate_log_time(const char *path, double mtime)
{
	int y, m, d;

	if (ops_rotate_name_date(path, &y, &m, &d))
		return local_midnight(y, m, d);
	return mtime;
}

int
ops_rotate_is_current(double t, double now)
{
	time_t tt = (time_t)now;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 1;
	return t >= local_midnight(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int
ops_rotate_is_plain(const struct ops_config *cfg, const char *path)
{
	const char *rel = ops_fs_rel(cfg->home, path);

	for (size_t i = 0; i < cfg->rotate.plain_logs.n; i++)
		if (fnmatch(cfg->rotate.plain_logs.v[i], rel, FNM_PATHNAME | FNM_PERIOD) == 0)
			return 1;
	return 0;
}

enum ops_rot_kind
ops_rotate_decide_daily(const struct ops_config *cfg, const char *path,
    double mtime, uint64_t size, double now)
{
	double t = ops_rotate_log_time(path, mtime);
	double compress_after = cfg->rotate.compress_after;
	double delete_after = cfg->rotate.delete_after;

	/* a log people read as it is (cat weekly_health_*.log) stays plain
	 * for plain_for, and is not deleted before then either */
	if (ops_rotate_is_plain(cfg, path)) {
		compress_after = fmax(compress_after, cfg->rotate.plain_for);
		delete_after = fmax(delete_after, cfg->rotate.plain_for);
	}
	if (!ops_rotate_is_current(t, now)) {
		if (now - t > delete_after)
			return OPS_ROT_DELETE;
		if (now - t > compress_after)
			return OPS_ROT_COMPRESS;
	}
	return size > cfg->rotate.max_size ? OPS_ROT_CUT : OPS_ROT_KEEP;
}

enum ops_rot_kind
ops_rotate_decide_gz(const struct ops_config *cfg, const char *path,
    double mtime, double now)
{
	char name[PATH_MAX];
	size_t n = strlen(path);
	double t;

	if (n >= 3 && n < sizeof(name) && strcmp(path + n - 3, ".gz") == 0) {
		memcpy(name, path, n - 3);
		name[n - 3] = '\0';
		t = ops_rotate_log_time(name, mtime);
	} else {
		t = mtime;
	}
	if (!ops_rotate_is_current(t, now) && now - t > cfg->rotate.delete_after)
		return OPS_ROT_DELETE;
	return OPS_ROT_KEEP;
}

/* --- plan --------------------------------------------------------------------- */

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static struct ops_rot_action *
add(struct ops_rot_plan *plan, enum ops_rot_kind kind, const char *path,
    const struct stat *st)
{
	struct ops_rot_action *v, *a;

	v = realloc(plan->v, (plan->n + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	plan->v = v;
	a = &v[plan->n];
	memset(a, 0, sizeof(*a));
	a->path = strdup(path);
	if (a->path == NULL)
		return NULL;
	plan->n++;
	a->kind = kind;
	if (st != NULL) {
		a->size = (uint64_t)st->st_size;
		a->time = (double)st->st_mtim.tv_sec;
		a->dev = st->st_dev;
		a->ino = st->st_ino;
	}
	return a;
}

static int
seen(const struct ops_strv *sv, const char *path)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], path) == 0)
			return 1;
	return 0;
}

/* A regular file or a SKIP action: 1 regular, 0 not (recorded), -1 error. */
static int
regular(struct ops_rot_plan *plan, const char *path, struct stat *st,
    struct ops_err *err)
{
	struct ops_rot_action *a;

	if (lstat(path, st) < 0) {
		if (errno == ENOENT)
			return 0;
		return ops_err_sys(err, errno, "unable to stat '%s'", path);
	}
	if (S_ISREG(st->st_mode))
		return 1;
	a = add(plan, OPS_ROT_SKIP, path, NULL);
	if (a == NULL)
		return ops_err_sys(err, ENOMEM, "unable to plan");
	a->status = OPS_ROT_SKIPPED;
	snprintf(a->msg, sizeof(a->msg), "%s", S_ISLNK(st->st_mode) ?
	    "a symlink (never followed)" : "not a regular file");
	return 0;
}

/* Cut offset of path for keep lines; 1 when at least one block would go. */
static int
worth_cutting(const char *path, const struct stat *st, int64_t keep,
    struct ops_err *err)
{
	uint64_t off;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", path);
	rc = ops_logcut_offset(fd, (uint64_t)st->st_size, (uint64_t)keep, &off, err);
	close(fd);
	if (rc < 0)
		return ops_err_prefix(err, "'%s'", path);
	return off > 0 && off >= (uint64_t)(st->st_blksize > 0 ? st->st_blksize : 1);
}

/* ops_confine_glob, where a directory of the pattern that does not exist
 * is no match rather than an error; a match reached through a symlinked
 * directory (logs/ -> elsewhere) is a SKIP action, never touched. */
static int
glob_paths(const char *home, const char *pattern, struct ops_strv *out,
    struct ops_rot_plan *plan, struct ops_err *err)
{
	struct ops_strv refused = OPS_STRV_INIT;
	struct ops_rot_action *a;
	int rc;

	char dir[PATH_MAX];
	const char *slash = strrchr(pattern, '/');
	struct stat st;

	if (slash != NULL && (size_t)(slash - pattern) < sizeof(dir)) {
		memcpy(dir, pattern, (size_t)(slash - pattern));
		dir[slash - pattern] = '\0';
		if (strpbrk(dir, "*?[") == NULL) {
			char full[PATH_MAX];

			if (ops_path_join(full, sizeof(full), home, dir[0] ? dir : "/", err) < 0)
				return -1;
			if (stat(full, &st) < 0 && errno == ENOENT)
				return 0;
		}
	}
	rc = ops_confine_glob(home, pattern, out, &refused, err);
	for (size_t i = 0; rc == 0 && i < refused.n; i++) {
		if ((a = add(plan, OPS_ROT_SKIP, refused.v[i], NULL)) == NULL) {
			rc = ops_err_sys(err, ENOMEM, "unable to plan");
			break;
		}
		a->status = OPS_ROT_SKIPPED;
		snprintf(a->msg, sizeof(a->msg), "%s",
		    "under a symlinked directory (never followed out of the home)");
	}
	ops_strv_release(&refused);
	return rc;
}

static int
plan_daily(const struct ops_config *cfg, const char *pattern, double now,
    struct ops_rot_plan *plan, struct ops_strv *done, struct ops_err *err)
{
	struct ops_strv paths = OPS_STRV_INIT;
	struct ops_rot_action *a;
	struct stat st;
	char pat[PATH_MAX];
	int rc = -1, r;

	/* temporary files of an interrupted run (we hold the lock) */
	if (snprintf(pat, sizeof(pat), "%s.gz" OPS_GZIP_TMP_GLOB, pattern) >= (int)sizeof(pat))
		return ops_err_set(err, OPS_E_USAGE, "pattern too long: '%s'", pattern);
	if (glob_paths(cfg->home, pat, &paths, plan, err) < 0)
		goto out;
	for (size_t i = 0; i < paths.n; i++) {
		if (lstat(paths.v[i], &st) < 0 || !S_ISREG(st.st_mode) || seen(done, paths.v[i]))
			continue;
		if (ops_strv_push(done, paths.v[i]) < 0 ||
		    add(plan, OPS_ROT_CLEAN, paths.v[i], &st) == NULL)
			goto oom;
	}
	ops_strv_release(&paths);

	if (glob_paths(cfg->home, pattern, &paths, plan, err) < 0)
		goto out;
	for (size_t i = 0; i < paths.n; i++) {
		const char *p = paths.v[i];
		enum ops_rot_kind k;

		if (ends_with(p, ".gz") || strstr(p, ".gz.tmp.") != NULL || seen(done, p))
			continue;
		if (ops_strv_push(done, p) < 0)
			goto oom;
		if ((r = regular(plan, p, &st, err)) <= 0) {
			if (r < 0)
				goto out;
			continue;
		}
		k = ops_rotate_decide_daily(cfg, p, (double)st.st_mtim.tv_sec,
		    (uint64_t)st.st_size, now);
		if (k == OPS_ROT_CUT) {
			if ((r = worth_cutting(p, &st, cfg->rotate.keep_lines, err)) < 0)
				goto out;
			if (r == 0)
				k = OPS_ROT_KEEP;
		}
		if (k == OPS_ROT_KEEP)
			continue;
		if ((a = add(plan, k, p, &st)) == NULL)
			goto oom;
		a->time = ops_rotate_log_time(p, (double)st.st_mtim.tv_sec);
		a->keep = cfg->rotate.keep_lines;
	}
	ops_strv_release(&paths);

	if (snprintf(pat, sizeof(pat), "%s.gz", pattern) >= (int)sizeof(pat))
		return ops_err_set(err, OPS_E_USAGE, "pattern too long: '%s'", pattern);
	if (glob_paths(cfg->home, pat, &paths, plan, err) < 0)
		goto out;
	for (size_t i = 0; i < paths.n; i++) {
		const char *p = paths.v[i];

		if (seen(done, p))
			continue;
		if (ops_strv_push(done, p) < 0)
			goto oom;
		if ((r = regular(plan, p, &st, err)) <= 0) {
			if (r < 0)
				goto out;
			continue;
		}
		if (ops_rotate_decide_gz(cfg, p, (double)st.st_mtim.tv_sec, now) != OPS_ROT_DELETE)
			continue;
		if ((a = add(plan, OPS_ROT_DELETE, p, &st)) == NULL)
			goto oom;
		a->time = ops_rotate_log_time(p, (double)st.st_mtim.tv_sec);
	}
	rc = 0;
	goto out;
oom:
	ops_err_sys(err, ENOMEM, "unable to plan");
out:
	ops_strv_release(&paths);
	return rc;
}

static int
plan_history(const struct ops_config *cfg, const char *pattern,
    struct ops_rot_plan *plan, struct ops_strv *done, struct ops_err *err)
{
	struct ops_strv paths = OPS_STRV_INIT;
	struct ops_rot_action *a;
	struct stat st;
	int rc = -1, r;

	if (glob_paths(cfg->home, pattern, &paths, plan, err) < 0)
		return -1;
	for (size_t i = 0; i < paths.n; i++) {
		const char *p = paths.v[i];

		if (seen(done, p))
			continue;
		if (ops_strv_push(done, p) < 0)
			goto oom;
		if ((r = regular(plan, p, &st, err)) <= 0) {
			if (r < 0)
				goto out;
			continue;
		}
		if ((r = worth_cutting(p, &st, cfg->rotate.history_lines, err)) < 0)
			goto out;
		if (r == 0)
			continue;
		if ((a = add(plan, OPS_ROT_CUT, p, &st)) == NULL)
			goto oom;
		a->keep = cfg->rotate.history_lines;
		a->history = 1;
	}
	rc = 0;
	goto out;
oom:
	ops_err_sys(err, ENOMEM, "unable to plan");
out:
	ops_strv_release(&paths);
	return rc;
}

/* Who holds the planned files open for writing. */
static int
plan_writers(struct ops_rot_plan *plan, struct ops_err *err)
{
	struct ops_writers w = OPS_WRITERS_INIT;
	const struct ops_writer *wr;
	dev_t scanned[8];
	size_t nscanned = 0;

	for (size_t i = 0; i < plan->n; i++) {
		struct ops_rot_action *a = &plan->v[i];
		int have = 0;

		if (a->kind != OPS_ROT_COMPRESS && a->kind != OPS_ROT_DELETE &&
		    a->kind != OPS_ROT_CUT)
			continue;
		for (size_t j = 0; j < nscanned; j++)
			have |= scanned[j] == a->dev;
		if (!have) {
			struct ops_writers more = OPS_WRITERS_INIT;
			struct ops_writer *v;

			if (ops_writers_scan(a->dev, &more, err) < 0)
				goto fail;
			v = more.n ? realloc(w.v, (w.n + more.n) * sizeof(*v)) : w.v;
			if (more.n && v == NULL) {
				ops_writers_release(&more);
				ops_err_sys(err, ENOMEM, "unable to plan");
				goto fail;
			}
			if (more.n) {
				memcpy(v + w.n, more.v, more.n * sizeof(*v));
				w.v = v;
				w.n += more.n;
			}
			ops_writers_release(&more);
			if (nscanned < sizeof(scanned) / sizeof(scanned[0]))
				scanned[nscanned++] = a->dev;
		}
		if (a->kind == OPS_ROT_CUT) {
			wr = ops_writers_find(&w, a->dev, a->ino, 1);
			if (wr == NULL)
				continue;
			a->status = OPS_ROT_FAILED;
			snprintf(a->msg, sizeof(a->msg), "open for writing without O_APPEND "
			    "by PID %ld (%s, fd %d): cutting it would leave NUL bytes",
			    (long)wr->pid, wr->comm, wr->fd);
		} else if ((wr = ops_writers_find(&w, a->dev, a->ino, 0)) != NULL) {
			a->status = OPS_ROT_SKIPPED;
			snprintf(a->msg, sizeof(a->msg), "still open for writing by PID %ld "
			    "(%s, fd %d): left for a later run", (long)wr->pid, wr->comm, wr->fd);
		}
	}
	ops_writers_release(&w);
	return 0;
fail:
	ops_writers_release(&w);
	return -1;
}

static int
rank(const struct ops_rot_action *a)
{
	switch (a->kind) {
	case OPS_ROT_CLEAN: return 0;
	case OPS_ROT_DELETE: return 1;
	case OPS_ROT_COMPRESS: return 2;
	case OPS_ROT_CUT: return a->history ? 4 : 3;
	default: return 5;
	}
}

static int
cmp_action(const void *x, const void *y)
{
	const struct ops_rot_action *a = x, *b = y;

	if (rank(a) != rank(b))
		return rank(a) - rank(b);
	return strcmp(a->path, b->path);
}

int
ops_rotate_plan(const struct ops_config *cfg, double now,
    struct ops_rot_plan *plan, struct ops_err *err)
{
	struct ops_strv done = OPS_STRV_INIT;
	int rc = -1;

	plan->v = NULL;
	plan->n = 0;
	plan->now = now;
	if (cfg->rotate.keep_lines < 1)
		return ops_err_set(err, OPS_E_USAGE, "rotate.keep_lines must be at least 1");
	if (cfg->rotate.history_lines < 1)
		return ops_err_set(err, OPS_E_USAGE, "rotate.history_lines must be at least 1");
	for (size_t i = 0; i < cfg->rotate.daily_logs.n; i++)
		if (plan_daily(cfg, cfg->rotate.daily_logs.v[i], now, plan, &done, err) < 0)
			goto out;
	for (size_t i = 0; i < cfg->rotate.history_logs.n; i++)
		if (plan_history(cfg, cfg->rotate.history_logs.v[i], plan, &done, err) < 0)
			goto out;
	if (plan_writers(plan, err) < 0)
		goto out;
	if (plan->n > 1)
		qsort(plan->v, plan->n, sizeof(plan->v[0]), cmp_action);
	rc = 0;
out:
	ops_strv_release(&done);
	return rc;
}

void
ops_rotate_plan_release(struct ops_rot_plan *plan)
{
	if (plan == NULL)
		return;
	for (size_t i = 0; i < plan->n; i++)
		free(plan->v[i].path);
	free(plan->v);
	plan->v = NULL;
	plan->n = 0;
}

size_t
ops_rotate_count(const struct ops_rot_plan *plan, enum ops_rot_status status)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n; i++)
		n += plan->v[i].status == status;
	return n;
}

int
ops_rotate_ncpu(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* --- describe --------------------------------------------------------------- */

/* A duration as configured: "30d", "36h", "90m", "45s". */
static const char *
fmt_duration(double secs, char *buf, size_t len)
{
	static const struct { double unit; const char *suffix; } u[] = {
		{ 86400, "d" }, { 3600, "h" }, { 60, "m" },
	};
	long long s = (long long)secs;

	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (s > 0 && s % (long long)u[i].unit == 0) {
			snprintf(buf, len, "%lld%s", s / (long long)u[i].unit, u[i].suffix);
			return buf;
		}
	snprintf(buf, len, "%llds", s);
	return buf;
}

/* msg with the home's absolute prefix dropped from the paths in it. */
static void
add_msg(struct ops_buf *out, const char *home, const char *msg)
{
	size_t n = strlen(home);
	const char *p;

	while (n > 1 && (p = strstr(msg, home)) != NULL && p[n] == '/') {
		ops_buf_add(out, msg, (size_t)(p - msg));
		msg = p + n + 1;
	}
	ops_buf_puts(out, msg);
}

void
ops_rotate_describe(const struct ops_config *cfg, const struct ops_rot_action *a,
    int dry, struct ops_buf *out)
{
	const char *rel = ops_fs_rel(cfg->home, a->path);
	char s1[32], s2[32], d[32];

	if (a->status == OPS_ROT_FAILED) {
		static const char *verb[] = { "keep", "compress", "delete", "cut",
			"remove", "skip" };

		ops_buf_printf(out, "%s %s %s", dry ? "would fail to" : "failed to",
		    verb[a->kind], rel);
		ops_buf_puts(out, ": ");
		add_msg(out, cfg->home, a->msg);
		return;
	}
	if (a->status == OPS_ROT_SKIPPED) {
		ops_buf_printf(out, "skipped %s: ", rel);
		add_msg(out, cfg->home, a->msg);
		return;
	}
	if (dry)
		ops_buf_puts(out, "would ");
	ops_size_format(a->size, s1, sizeof(s1));
	switch (a->kind) {
	case OPS_ROT_COMPRESS:
		if (!dry && a->msg[0] != '\0') {
			ops_buf_printf(out, "removed %s (%s)", rel, a->msg);
			break;
		}
		ops_buf_printf(out, "%s %s (%s", dry ? "compress" : "compressed", rel, s1);
		if (!dry)
			ops_buf_printf(out, " -> %s", ops_size_format(a->out_bytes, s2, sizeof(s2)));
		ops_buf_puts(out, ")");
		break;
	case OPS_ROT_DELETE:
		fmt_duration(cfg->rotate.delete_after, d, sizeof(d));
		ops_buf_printf(out, "%s %s (%s, older than %s)", dry ? "delete" : "deleted",
		    rel, s1, d);
		break;
	case OPS_ROT_CLEAN:
		ops_buf_printf(out, "%s %s (left by an interrupted run)",
		    dry ? "remove" : "removed", rel);
		break;
	case OPS_ROT_CUT:
		ops_buf_printf(out, "cut %s to its last %lld lines", rel, (long long)a->keep);
		if (dry) {
			ops_buf_printf(out, " (%s, over %s)", s1, a->history ?
			    "the history limit" : ops_size_format(cfg->rotate.max_size, s2,
			    sizeof(s2)));
			break;
		}
		ops_size_format(a->out_bytes, s2, sizeof(s2));
		if (a->cut_method == OPS_CUT_COLLAPSE)
			ops_buf_printf(out, " (removed %s in place)", s2);
		else if (a->cut_method == OPS_CUT_COPY)
			ops_buf_printf(out, " (removed %s by copy-and-truncate: this filesystem "
			    "cannot collapse ranges; about %llu bytes may have been lost: what "
			    "the writer appended in the final %.0f us, at %s/s)", s2,
			    (unsigned long long)a->maybe_lost, a->window * 1e6,
			    ops_size_format((uint64_t)a->rate, d, sizeof(d)));
		else
			ops_buf_puts(out, " (nothing to remove: less than a block)");
		break;
	case OPS_ROT_SKIP:
	case OPS_ROT_KEEP:
		ops_buf_printf(out, "keep %s", rel);
		break;
	}
}

void
ops_rotate_summary(const struct ops_rot_plan *plan, int dry, struct ops_buf *out)
{
	size_t n[6] = { 0 }, skipped = 0, failed = 0;

	for (size_t i = 0; i < plan->n; i++) {
		const struct ops_rot_action *a = &plan->v[i];

		if (a->status == OPS_ROT_FAILED)
			failed++;
		else if (a->status == OPS_ROT_SKIPPED)
			skipped++;
		else if (dry || a->status == OPS_ROT_DONE)
			n[a->kind]++;
	}
	ops_buf_printf(out, "%scompressed %zu logs, deleted %zu, cut %zu, "
	    "cleaned %zu, skipped %zu, failed %zu", dry ? "dry run: would have " : "",
	    n[OPS_ROT_COMPRESS], n[OPS_ROT_DELETE], n[OPS_ROT_CUT], n[OPS_ROT_CLEAN],
	    skipped, failed);
}

/* --- run ---------------------------------------------------------------------- */

struct runctx {
	const struct ops_config *cfg;
	struct ops_rot_plan *plan;
	const struct ops_rotate_opts *o;
	pthread_mutex_t mu;
	size_t next;
	char logpath[PATH_MAX];
	struct ops_err logerr;
};

static void
log_line(struct runctx *c, const char *level, const char *text)
{
	struct ops_buf b = OPS_BUF_INIT;
	struct ops_err e = OPS_ERR_INIT;
	char ts[32];

	if (c->logpath[0] == '\0')
		return;	/* refused: c->logerr says why */
	ops_buf_printf(&b, "[%s] [%s] rotation: %s",
	    ops_time_log(ops_time_now(), ts, sizeof(ts)), level, text);
	if (b.oom)
		ops_err_sys(&e, ENOMEM, "unable to write '%s'", c->logpath);
	else
		ops_fs_append_line(c->logpath, ops_buf_str(&b), &e);
	if (e.code != OPS_E_NONE && c->logerr.code == OPS_E_NONE)
		c->logerr = e;
	ops_buf_release(&b);
}

/* An action is over: log it and report progress, one at a time. */
static void
finish(struct runctx *c, struct ops_rot_action *a)
{
	struct ops_buf b = OPS_BUF_INIT;
	const char *level = "INFO";

	pthread_mutex_lock(&c->mu);
	ops_rotate_describe(c->cfg, a, 0, &b);
	if (a->status == OPS_ROT_FAILED)
		level = "ERROR";
	else if (a->status == OPS_ROT_SKIPPED ||
	    (a->kind == OPS_ROT_CUT && a->cut_method == OPS_CUT_COPY))
		level = "WARNING";
	if (a->kind != OPS_ROT_SKIP)
		log_line(c, level, b.oom ? "out of memory" : ops_buf_str(&b));
	if (c->o != NULL && c->o->progress != NULL)
		c->o->progress(a, c->o->arg);
	pthread_mutex_unlock(&c->mu);
	ops_buf_release(&b);
}

static void
set_failed(struct ops_rot_action *a, const struct ops_err *e)
{
	a->status = OPS_ROT_FAILED;
	snprintf(a->msg, sizeof(a->msg), "%s", e->msg);
}

/* Remove path if it is still the regular file that was planned or made. */
static int
unlink_same(const char *path, dev_t dev, ino_t ino, const struct stat *want,
    struct ops_err *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return ops_err_sys(err, errno, "unable to stat '%s'", path);
	if (!S_ISREG(st.st_mode) || st.st_dev != dev || st.st_ino != ino)
		return ops_err_set(err, OPS_E_FAIL, "'%s' was replaced meanwhile; left alone", path);
	if (want != NULL && (st.st_size != want->st_size ||
	    st.st_mtim.tv_sec != want->st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != want->st_mtim.tv_nsec))
		return ops_err_set(err, OPS_E_FAIL, "'%s' changed after it was compressed; "
		    "left alone", path);
	if (unlink(path) < 0)
		return ops_err_sys(err, errno, "unable to remove '%s'", path);
	return 0;
}

static void
do_remove(struct ops_rot_action *a)
{
	struct ops_err e = OPS_ERR_INIT;

	if (unlink_same(a->path, a->dev, a->ino, NULL, &e) < 0)
		set_failed(a, &e);
	else
		a->status = OPS_ROT_DONE;
}

/* Compress one log. 1: the .gz is in place (not yet made durable in its
 * directory) and the original waits for flush(); 0: the action is over
 * (done, skipped or failed). */
static int
do_compress(struct ops_rot_action *a, struct stat *src)
{
	struct ops_gzip_info info;
	struct ops_err e = OPS_ERR_INIT;
	char gz[PATH_MAX];
	struct stat st;
	int same;

	if (snprintf(gz, sizeof(gz), "%s.gz", a->path) >= (int)sizeof(gz)) {
		ops_err_set(&e, OPS_E_FAIL, "path too long: '%s.gz'", a->path);
		goto fail;
	}
	if (lstat(gz, &st) == 0) {
		/* A run interrupted between the rename and the removal leaves
		 * both: the original goes only if the .gz holds its bytes. */
		if (!S_ISREG(st.st_mode)) {
			ops_err_set(&e, OPS_E_FAIL, "'%s' exists and is not a regular file", gz);
			goto fail;
		}
		same = ops_gzip_same(gz, a->path, &e);
		if (same < 0)
			goto fail;
		if (same == 0) {
			ops_err_set(&e, OPS_E_FAIL, "'%s' already exists with different "
			    "content; both kept", gz);
			goto fail;
		}
		if (ops_fs_fsync_dir(gz, 0, &e) < 0 ||
		    unlink_same(a->path, a->dev, a->ino, NULL, &e) < 0)
			goto fail;
		a->out_bytes = (uint64_t)st.st_size;
		snprintf(a->msg, sizeof(a->msg), "already compressed as %s.gz",
		    strrchr(a->path, '/') ? strrchr(a->path, '/') + 1 : a->path);
		a->status = OPS_ROT_DONE;
		return 0;
	}
	if (ops_gzip_file(a->path, gz, GZIP_LEVEL, OPS_GZIP_NO_DIRSYNC, &info, &e) < 0) {
		if (info.changed) {
			a->status = OPS_ROT_SKIPPED;
			snprintf(a->msg, sizeof(a->msg), "still being written: left for "
			    "a later run");
			return 0;
		}
		goto fail;
	}
	a->out_bytes = info.out_bytes;
	a->size = (uint64_t)info.src.st_size;
	*src = info.src;
	return 1;
fail:
	set_failed(a, &e);
	return 0;
}

#define BATCH 8

struct pending {
	struct ops_rot_action *a;
	struct stat src;	/* the original as compressed */
};

static size_t
dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? (size_t)(slash - path) : 0;
}

/* Make the renames of a batch durable with one fsync per directory, then
 * remove the originals (only if unchanged) and report each action. */
static void
flush(struct runctx *c, struct pending *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ops_err e = OPS_ERR_INIT;
		size_t dlen = dir_len(p[i].a->path);
		int synced = 0;

		for (size_t j = 0; j < i && !synced; j++)	/* its directory done? */
			synced = p[j].a->status == OPS_ROT_DONE &&
			    dir_len(p[j].a->path) == dlen &&
			    strncmp(p[j].a->path, p[i].a->path, dlen) == 0;
		if (!synced && ops_fs_fsync_dir(p[i].a->path, 0, &e) < 0)
			set_failed(p[i].a, &e);
		else if (p[i].src.st_dev != p[i].a->dev || p[i].src.st_ino != p[i].a->ino) {
			/* replaced since planning: both kept; the next run sees a
			 * .gz with the same content and removes the original */
			ops_err_set(&e, OPS_E_FAIL, "'%s' was replaced meanwhile; left alone",
			    p[i].a->path);
			set_failed(p[i].a, &e);
		} else if (unlink_same(p[i].a->path, p[i].a->dev, p[i].a->ino, &p[i].src, &e) < 0)
			set_failed(p[i].a, &e);
		else
			p[i].a->status = OPS_ROT_DONE;
		finish(c, p[i].a);
	}
}

static void *
worker(void *arg)
{
	struct runctx *c = arg;
	struct pending p[BATCH];
	size_t np = 0;

	for (;;) {
		struct ops_rot_action *a = NULL;

		pthread_mutex_lock(&c->mu);
		while (c->next < c->plan->n) {
			struct ops_rot_action *x = &c->plan->v[c->next++];

			if (x->kind == OPS_ROT_COMPRESS && x->status == OPS_ROT_PLANNED) {
				a = x;
				break;
			}
		}
		pthread_mutex_unlock(&c->mu);
		if (a == NULL)
			break;
		p[np].a = a;
		if (do_compress(a, &p[np].src) == 0)
			finish(c, a);
		else if (++np == BATCH) {
			flush(c, p, np);
			np = 0;
		}
	}
	flush(c, p, np);
	return NULL;
}

static void
do_cut(struct ops_rot_action *a)
{
	struct ops_cut_result res;
	struct ops_err e = OPS_ERR_INIT;

	if (ops_logcut(a->path, (uint64_t)a->keep, 0, &res, &e) < 0) {
		set_failed(a, &e);
		return;
	}
	a->cut_method = (int)res.method;
	a->out_bytes = res.removed;
	a->size = res.before;
	a->maybe_lost = res.maybe_lost;
	a->window = res.window;
	a->rate = res.rate;
	a->status = OPS_ROT_DONE;
}

static void
compress_all(struct runctx *c)
{
	pthread_t tid[64];
	size_t todo = 0, started = 0, jobs;

	for (size_t i = 0; i < c->plan->n; i++)
		todo += c->plan->v[i].kind == OPS_ROT_COMPRESS &&
		    c->plan->v[i].status == OPS_ROT_PLANNED;
	jobs = (size_t)(c->o != NULL && c->o->jobs > 0 ? c->o->jobs : ops_rotate_ncpu());
	if (jobs > todo)
		jobs = todo;
	if (jobs > sizeof(tid) / sizeof(tid[0]))
		jobs = sizeof(tid) / sizeof(tid[0]);
	c->next = 0;
	/* jobs - 1 threads plus this one */
	for (size_t i = 0; i + 1 < jobs; i++)
		if (pthread_create(&tid[started], NULL, worker, c) == 0)
			started++;
	worker(c);
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}

int
ops_rotate_run(const struct ops_config *cfg, struct ops_rot_plan *plan,
    const struct ops_rotate_opts *opts, struct ops_err *err)
{
	struct runctx c;
	struct ops_buf b = OPS_BUF_INIT;
	size_t nfailed;

	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.plan = plan;
	c.o = opts;
	if (ops_path_join(c.logpath, sizeof(c.logpath), cfg->home, "logs/rotation.log", err) < 0)
		return -1;
	if (plan->n == 0 && access(c.logpath, F_OK) < 0 && errno == ENOENT) {
		char *slash = strrchr(c.logpath, '/');
		int gone;

		*slash = '\0';
		gone = access(c.logpath, F_OK) < 0 && errno == ENOENT;
		*slash = '/';
		if (gone)
			return 0;	/* no logs/ at all: nothing to do or say */
	}
	/* rotation.log is written in the home or not at all */
	if (ops_confine_path(cfg->home, c.logpath, &c.logerr) != 1) {
		if (c.logerr.code == OPS_E_NONE)
			ops_err_set(&c.logerr, OPS_E_FAIL, "'logs/rotation.log' is not in the home");
		c.logpath[0] = '\0';
	}
	pthread_mutex_init(&c.mu, NULL);
	/* skips and refusals found while planning are reported first */
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].status != OPS_ROT_PLANNED)
			finish(&c, &plan->v[i]);
	for (size_t i = 0; i < plan->n; i++) {
		struct ops_rot_action *a = &plan->v[i];

		if (a->status != OPS_ROT_PLANNED ||
		    (a->kind != OPS_ROT_CLEAN && a->kind != OPS_ROT_DELETE))
			continue;
		do_remove(a);
		finish(&c, a);
	}
	compress_all(&c);
	for (size_t i = 0; i < plan->n; i++) {
		struct ops_rot_action *a = &plan->v[i];

		if (a->status != OPS_ROT_PLANNED || a->kind != OPS_ROT_CUT)
			continue;
		do_cut(a);
		finish(&c, a);
	}
	nfailed = ops_rotate_count(plan, OPS_ROT_FAILED);
	ops_rotate_summary(plan, 0, &b);
	log_line(&c, nfailed ? "ERROR" : "INFO", b.oom ? "out of memory" : ops_buf_str(&b));
	ops_buf_release(&b);
	pthread_mutex_destroy(&c.mu);
	if (nfailed > 0)
		return ops_err_set(err, OPS_E_FAIL, "%zu of %zu actions failed", nfailed,
		    plan->n);
	if (c.logerr.code != OPS_E_NONE) {
		*err = c.logerr;
		return -1;
	}
	return 0;
}
