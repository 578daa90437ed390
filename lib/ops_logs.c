#include "ops_logs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ops_fs.h"
#include "ops_strv.h"

const char *const ops_logs_kinds[] = {
	"daemon", "runtime", "email",
	"alerts", "health", "backup", "rotation", "restart", "cron", NULL
};

#define NDAILY 3

static const char *const history_files[] = {
	"logs/alerts.log", "logs/health_check.log", "logs/backup.log",
	"logs/rotation.log", "logs/restart.log", "logs/cron.log",
};

static int
kind_index(const char *kind)
{
	for (int i = 0; ops_logs_kinds[i]; i++)
		if (strcmp(ops_logs_kinds[i], kind) == 0)
			return i;
	return -1;
}

/* KIND_YYYYMMDD.log exactly (the glob also matches compressed names'
 * cousins such as KIND_2026ABCD.log). */
static int
daily_name(const char *path, const char *kind)
{
	const char *base = strrchr(path, '/');
	size_t k = strlen(kind);

	base = base ? base + 1 : path;
	if (strncmp(base, kind, k) != 0 || base[k] != '_' || strlen(base) != k + 13 ||
	    strcmp(base + k + 9, ".log") != 0)
		return 0;
	for (size_t i = k + 1; i < k + 9; i++)
		if (base[i] < '0' || base[i] > '9')
			return 0;
	return 1;
}

int
ops_logs_path(const struct ops_config *cfg, const char *kind, char *buf,
    size_t len, struct ops_err *err)
{
	struct ops_strv found = OPS_STRV_INIT;
	char pattern[64];
	int i = kind_index(kind), rc = -1;

	if (i < 0)
		return ops_err_set(err, OPS_E_USAGE, "unknown log '%s' (daemon runtime email "
		    "alerts health backup rotation restart cron)", kind);
	if (i >= NDAILY)
		return ops_config_path(cfg, history_files[i - NDAILY], buf, len, err);
	snprintf(pattern, sizeof(pattern), "logs/%s_????????.log", kind);
	if (ops_fs_glob(cfg->home, pattern, &found, err) < 0)
		return -1;
	/* sorted: the last valid name is the newest day */
	for (size_t j = found.n; j-- > 0; ) {
		if (!daily_name(found.v[j], kind))
			continue;
		if (strlen(found.v[j]) >= len) {
			ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", found.v[j]);
			goto out;
		}
		strcpy(buf, found.v[j]);
		rc = 0;
		goto out;
	}
	ops_err_set(err, OPS_E_NOENT, "no %s log yet (logs/%s_YYYYMMDD.log)", kind, kind);
out:
	ops_strv_release(&found);
	return rc;
}

static void
nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
open_log(const char *path, struct stat *st, struct ops_err *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", path);
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return ops_err_set(err, OPS_E_FAIL, "'%s' is not a regular file", path);
	}
	return fd;
}

static int
emit_failed(struct ops_err *err)
{
	return ops_err_set(err, OPS_E_FAIL, "unable to write the log out");
}

/* The last n lines before end, widening the window until it holds them. */
static int
show_tail(int fd, off_t end, size_t n, const char *path, ops_logs_emit emit,
    void *arg, struct ops_err *err)
{
	size_t window = n * 512 > 65536 ? n * 512 : 65536;
	char *text = NULL;
	int rc;

	for (;;) {
		if (ops_fs_tail_fd(fd, end, n, window, &text, path, err) < 0)
			return -1;
		size_t lines = 0;

		for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
			lines++;
		if (lines >= n || (off_t)window >= end || window >= (64u << 20))
			break;
		free(text);
		window *= 4;
	}
	rc = text[0] && emit(arg, text, strlen(text)) < 0 ? emit_failed(err) : 0;
	free(text);
	return rc;
}

/* Emit what lies between *off and the end of fd. */
static int
drain(int fd, off_t *off, ops_logs_emit emit, void *arg, struct ops_err *err)
{
	char buf[65536];
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), *off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ops_err_sys(err, errno, "unable to read the log");
		}
		if (emit(arg, buf, (size_t)n) < 0)
			return emit_failed(err);
		*off += n;
	}
	return 0;
}

/* Has the log moved on: a newer day's file for a daily kind, or the file
 * at path replaced (rotation renames a new one over it)? next gets the
 * file to go on with. */
static int
moved_on(const struct ops_config *cfg, const char *kind, int daily, const char *path,
    const struct stat *st, char *next, size_t len)
{
	struct stat now;

	if (daily && ops_logs_path(cfg, kind, next, len, NULL) == 0 &&
	    strcmp(next, path) > 0)
		return 1;
	if (stat(path, &now) < 0 || (now.st_ino == st->st_ino && now.st_dev == st->st_dev))
		return 0;
	snprintf(next, len, "%s", path);
	return 1;
}

int
ops_logs_show(const struct ops_config *cfg, const char *kind,
    const struct ops_logs_opts *o, ops_logs_emit emit, void *arg,
    struct ops_err *err)
{
	char path[PATH_MAX], next[PATH_MAX];
	double poll = o->poll > 0 ? o->poll : 0.25;
	int daily = kind_index(kind) >= 0 && kind_index(kind) < NDAILY, fd, rc = -1;
	struct stat st;
	off_t off;

	if (ops_logs_path(cfg, kind, path, sizeof(path), err) < 0)
		return -1;
	if ((fd = open_log(path, &st, err)) < 0)
		return -1;
	off = st.st_size;
	if (o->lines > 0 && show_tail(fd, off, o->lines, path, emit, arg, err) < 0)
		goto out;
	while (o->follow) {
		if (drain(fd, &off, emit, arg, err) < 0)
			goto out;
		if (fstat(fd, &st) == 0 && st.st_size < off)
			off = 0;	/* truncated in place: start over */
		if (moved_on(cfg, kind, daily, path, &st, next, sizeof(next))) {
			int nfd;

			if (drain(fd, &off, emit, arg, err) < 0)
				goto out;
			if ((nfd = open_log(next, &st, NULL)) >= 0) {
				close(fd);
				fd = nfd;
				off = 0;
				snprintf(path, sizeof(path), "%s", next);
				continue;
			}
		}
		nap(poll);
	}
	rc = 0;
out:
	close(fd);
	return rc;
}
