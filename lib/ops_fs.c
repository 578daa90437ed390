#include "ops_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_buf.h"
#include "ops_confine.h"
#include "ops_sanitize.h"

int
ops_path_join(char *buf, size_t len, const char *a, const char *b,
    struct ops_err *err)
{
	int n;

	if (b[0] == '/' || a == NULL || a[0] == '\0')
		n = snprintf(buf, len, "%s", b);
	else if (a[strlen(a) - 1] == '/')
		n = snprintf(buf, len, "%s%s", a, b);
	else
		n = snprintf(buf, len, "%s/%s", a, b);
	if (n < 0 || (size_t)n >= len)
		return ops_err_set(err, OPS_E_FAIL, "path too long: '%s/%s'", a, b);
	return 0;
}

int
ops_fs_mkdirs(const char *dir, struct ops_err *err)
{
	char path[PATH_MAX];
	struct stat st;
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", dir);
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return ops_err_sys(err, errno, "unable to create '%s'", path);
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return ops_err_sys(err, errno, "unable to create '%s'", path);
	if (lstat(path, &st) < 0)
		return ops_err_sys(err, errno, "unable to stat '%s'", path);
	if (!S_ISDIR(st.st_mode))
		return ops_err_set(err, OPS_E_FAIL, "'%s' is not a directory%s",
		    path, S_ISLNK(st.st_mode) ? " (a symlink)" : "");
	return 0;
}

int
ops_fs_fsync_dir(const char *path, int is_dir, struct ops_err *err)
{
	char dir[PATH_MAX];
	const char *slash;
	int fd, rc = -1;

	if (is_dir) {
		if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
			return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", path);
	} else if ((slash = strrchr(path, '/')) == NULL) {
		strcpy(dir, ".");
	} else if (slash == path) {
		strcpy(dir, "/");
	} else {
		if ((size_t)(slash - path) >= sizeof(dir))
			return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", path);
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open directory '%s'", dir);
	if (fsync(fd) < 0 && errno != EINVAL) {
		ops_err_sys(err, errno, "unable to fsync directory '%s'", dir);
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* All of data, OPS_FS_WRITE_MAX at a time: at the file offset when at is
 * 0, with pwrite at off when 1. */
static int
put_all(int fd, const char *p, size_t len, int at, uint64_t off)
{
	while (len > 0) {
		size_t k = len < OPS_FS_WRITE_MAX ? len : OPS_FS_WRITE_MAX;
		ssize_t n = at ? pwrite(fd, p, k, (off_t)off) : write(fd, p, k);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int
ops_fs_write_all(int fd, const void *data, size_t len)
{
	return put_all(fd, data, len, 0, 0);
}

int
ops_fs_pwrite_all(int fd, const void *data, size_t len, uint64_t off)
{
	return put_all(fd, data, len, 1, off);
}

int
ops_fs_write_atomic(const char *path, const void *data, size_t len,
    struct ops_err *err)
{
	return ops_fs_write_atomic_mode(path, data, len, 0600, err);
}

int
ops_fs_write_atomic_mode(const char *path, const void *data, size_t len,
    mode_t mode, struct ops_err *err)
{
	char tmp[PATH_MAX];
	int fd = -1, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", path);
	fd = mkostemp(tmp, O_CLOEXEC);	/* mkostemp creates 0600 */
	if (fd < 0) {
		tmp[0] = '\0';
		ops_err_sys(err, errno, "unable to create a temporary file for '%s'", path);
		goto out;
	}
	/* Set before the rename, so the file never appears with other bits. */
	if (mode != 0600 && fchmod(fd, mode & 0777) < 0) {
		ops_err_sys(err, errno, "unable to set the mode of '%s'", tmp);
		goto out;
	}
	if (ops_fs_write_all(fd, data, len) < 0) {
		ops_err_sys(err, errno, "unable to write '%s'", tmp);
		goto out;
	}
	if (fsync(fd) < 0) {
		ops_err_sys(err, errno, "unable to fsync '%s'", tmp);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		ops_err_sys(err, errno, "unable to close '%s'", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		ops_err_sys(err, errno, "unable to rename '%s' to '%s'", tmp, path);
		goto out;
	}
	tmp[0] = '\0';
	rc = ops_fs_fsync_dir(path, 0, err);
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0] != '\0')
		unlink(tmp);
	return rc;
}

int
ops_fs_read_full(int fd, const char *path, char *buf, size_t size, size_t *got,
    struct ops_err *err)
{
	*got = 0;
	while (*got < size) {
		ssize_t n = read(fd, buf + *got, size - *got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ops_err_sys(err, errno, "unable to read '%s'", path);
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}

int
ops_fs_read_file(const char *path, size_t max, char **out, size_t *outlen,
    struct ops_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = -1;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ops_err_sys(err, errno == ELOOP ? 0 : errno,
		    errno == ELOOP ? "refusing to read '%s': it is a symlink" :
		    "unable to open '%s'", path);
	if (fstat(fd, &st) < 0) {
		ops_err_sys(err, errno, "unable to stat '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ops_err_set(err, OPS_E_FAIL, "'%s' is not a regular file", path);
		goto out;
	}
	if ((size_t)st.st_size > max) {
		ops_err_set(err, OPS_E_FAIL, "'%s' is too large (%lld bytes, limit %zu)",
		    path, (long long)st.st_size, max);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		ops_err_sys(err, errno, "unable to read '%s'", path);
		goto out;
	}
	if (ops_fs_read_full(fd, path, buf, (size_t)st.st_size, &got, err) < 0)
		goto out;
	buf[got] = '\0';
	*out = buf;
	buf = NULL;
	if (outlen)
		*outlen = got;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int
ops_fs_append_line(const char *path, const char *line, struct ops_err *err)
{
	struct ops_buf b = OPS_BUF_INIT;
	size_t n;
	char *buf;
	int fd, rc = -1;

	/* Lines carry file names and plugin output: a newline or an escape
	 * sequence in them must not forge a line or reach a terminal. */
	ops_san_puts(&b, line, OPS_SAN_LINE);
	ops_buf_puts(&b, "\n");
	if (b.oom) {
		ops_buf_release(&b);
		return ops_err_sys(err, ENOMEM, "unable to append to '%s'", path);
	}
	buf = b.s;
	n = b.len - 1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ops_err_sys(err, errno, "unable to open '%s'", path);
		goto out;
	}
	if (ops_fs_write_all(fd, buf, n + 1) < 0) {
		ops_err_sys(err, errno, "unable to append to '%s'", path);
		close(fd);
		goto out;
	}
	if (close(fd) < 0) {
		ops_err_sys(err, errno, "unable to close '%s'", path);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* Read the last want bytes of fd into a new buffer. */
static char *
read_end(int fd, off_t size, size_t want, size_t *got)
{
	off_t from = size - (off_t)want;
	char *buf = malloc(want + 1);

	*got = 0;
	if (buf == NULL)
		return NULL;
	while (*got < want) {
		ssize_t n = pread(fd, buf + *got, want - *got, from + (off_t)*got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	buf[*got] = '\0';
	return buf;
}

int
ops_fs_tail_fd(int fd, off_t end, size_t nlines, size_t maxbytes, char **out,
    const char *path, struct ops_err *err)
{
	char *buf = NULL, *start = NULL;
	size_t limit, want = 64 << 10, got = 0;

	*out = NULL;
	limit = (size_t)end < maxbytes ? (size_t)end : maxbytes;
	if (nlines == 0)
		limit = 0;	/* no lines wanted: an empty string */
	/* Logs are large and we want their end: read a growing window from
	 * the end until it holds nlines lines or the limit is reached. */
	for (;;) {
		size_t seen = 0;

		if (want > limit)
			want = limit;
		free(buf);
		buf = read_end(fd, end, want, &got);
		if (buf == NULL)
			return ops_err_sys(err, errno, "unable to read '%s'", path);
		start = NULL;
		/* The nlines-th line end from the back, not counting a final one. */
		for (size_t i = got; i > 0; i--) {
			if (buf[i - 1] != '\n' || i == got)
				continue;
			if (++seen == nlines) {
				start = buf + i;
				break;
			}
		}
		if (start != NULL || want >= limit)
			break;
		want *= 2;
	}
	if (start == NULL) {
		start = buf;
		/* The window starts inside a line unless the byte before it
		 * ends one: drop that partial line. */
		if ((off_t)got < end && nlines > 0) {
			char *nl = strchr(buf, '\n'), before = 0;

			if (pread(fd, &before, 1, end - (off_t)got - 1) != 1 ||
			    before != '\n')
				start = nl ? nl + 1 : buf + got;
		}
	}
	memmove(buf, start, got - (size_t)(start - buf) + 1);
	*out = buf;
	return 0;
}

int
ops_fs_tail(const char *path, size_t nlines, size_t maxbytes, char **out,
    struct ops_err *err)
{
	struct stat st;
	int fd, rc = -1;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		ops_err_set(err, OPS_E_FAIL, "'%s' is not a regular file", path);
	else
		rc = ops_fs_tail_fd(fd, st.st_size, nlines, maxbytes, out, path, err);
	close(fd);
	return rc;
}

int
ops_fs_glob(const char *base, const char *pattern, struct ops_strv *out,
    struct ops_err *err)
{
	return ops_confine_glob(base, pattern, out, NULL, err);
}

const char *
ops_fs_rel(const char *base, const char *path)
{
	size_t n = strlen(base);

	if (n > 0 && strncmp(base, path, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}
