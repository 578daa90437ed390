#include "ops_logcut.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ops_fs.h"

#define CHUNK (64 * 1024)
#define COPYBUF (256 * 1024)

static const char marker[] = "[ops-rotate] cut: earlier lines removed";

/* --- writers ------------------------------------------------------------ */

static int
read_small(int dirfd, const char *name, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int
push_writer(struct ops_writers *w, const struct ops_writer *one)
{
	struct ops_writer *v;

	v = realloc(w->v, (w->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	w->v = v;
	w->v[w->n++] = *one;
	return 0;
}

/* Writers among one process's descriptors. A process that is gone or not
 * ours to inspect is skipped. */
static int
scan_pid(int procfd, const char *pid, dev_t dev, struct ops_writers *w)
{
	char path[64], info[512], comm[32] = "?";
	struct ops_writer one;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int pidfd, fddir, rc = 0;

	pidfd = openat(procfd, pid, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pidfd < 0)
		return 0;
	fddir = openat(pidfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fddir < 0 || (d = fdopendir(fddir)) == NULL) {
		if (fddir >= 0)
			close(fddir);
		close(pidfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		const char *p;
		unsigned long flags;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		/* stat through the magic link: the open file itself */
		if (fstatat(fddir, de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode) ||
		    st.st_dev != dev)
			continue;
		if (snprintf(path, sizeof(path), "fdinfo/%s", de->d_name) >= (int)sizeof(path) ||
		    read_small(pidfd, path, info, sizeof(info)) < 0)
			continue;
		p = strstr(info, "flags:");
		if (p == NULL)
			continue;
		flags = strtoul(p + 6, NULL, 8);
		if ((flags & O_ACCMODE) == O_RDONLY)
			continue;
		if (comm[0] == '?' && read_small(pidfd, "comm", comm, sizeof(comm)) == 0)
			comm[strcspn(comm, "\n")] = '\0';
		memset(&one, 0, sizeof(one));
		one.pid = (pid_t)atol(pid);
		one.fd = atoi(de->d_name);
		one.append = (flags & O_APPEND) != 0;
		one.dev = st.st_dev;
		one.ino = st.st_ino;
		snprintf(one.comm, sizeof(one.comm), "%s", comm);
		if (push_writer(w, &one) < 0) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	close(pidfd);
	return rc;
}

int
ops_writers_scan(dev_t dev, struct ops_writers *w, struct ops_err *err)
{
	struct dirent *de;
	char self[32];
	DIR *proc;
	int procfd;

	w->v = NULL;
	w->n = 0;
	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return 0;
	proc = fdopendir(procfd);
	if (proc == NULL) {
		close(procfd);
		return 0;
	}
	snprintf(self, sizeof(self), "%ld", (long)getpid());
	while ((de = readdir(proc)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]) || strcmp(de->d_name, self) == 0)
			continue;
		if (scan_pid(procfd, de->d_name, dev, w) < 0) {
			closedir(proc);
			ops_writers_release(w);
			return ops_err_sys(err, ENOMEM, "unable to list the writers of open files");
		}
	}
	closedir(proc);
	return 0;
}

const struct ops_writer *
ops_writers_find(const struct ops_writers *w, dev_t dev, ino_t ino, int nonappend)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].dev == dev && w->v[i].ino == ino &&
		    (!nonappend || !w->v[i].append))
			return &w->v[i];
	return NULL;
}

void
ops_writers_release(struct ops_writers *w)
{
	if (w == NULL)
		return;
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

/* --- line boundaries ---------------------------------------------------- */

long
ops_linescan_back(struct ops_linescan *s, const char *buf, size_t n, int at_end)
{
	for (size_t i = n; i > 0; i--) {
		if (buf[i - 1] != '\n' || (at_end && i == n))
			continue;
		if (++s->seen == s->keep)
			return (long)i;
	}
	return -1;
}

static int
pread_all(int fd, char *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;	/* shrank under us */
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int
ops_logcut_offset(int fd, uint64_t size, uint64_t keep, uint64_t *off,
    struct ops_err *err)
{
	struct ops_linescan s = OPS_LINESCAN_INIT(keep);
	uint64_t end = size;
	char *buf;
	long at;

	*off = 0;
	if (keep == 0)
		return ops_err_set(err, OPS_E_USAGE, "lines to keep must be at least 1");
	buf = malloc(CHUNK);
	if (buf == NULL)
		return ops_err_sys(err, ENOMEM, "unable to scan lines");
	while (end > 0) {
		size_t n = end < CHUNK ? (size_t)end : CHUNK;

		if (pread_all(fd, buf, n, end - n) < 0) {
			free(buf);
			return ops_err_sys(err, errno, "unable to read");
		}
		at = ops_linescan_back(&s, buf, n, end == size);
		if (at >= 0) {
			*off = end - n + (uint64_t)at;
			break;
		}
		end -= n;
	}
	free(buf);
	return 0;
}

size_t
ops_logcut_fragment(const char *head, size_t len)
{
	if (len == 0 || head[0] == '\n')
		return 0;
	for (size_t j = 1; j < len; j++)
		if (head[j] == '\n')
			return j;
	return len - 1;
}

/* --- the cut -------------------------------------------------------------- */

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Overwrite the line fragment left at the new head (frag bytes, ending
 * in '\n') by a marker of the same length, padded with spaces. */
static int
mark_fragment(int fd, const char *path, size_t frag, struct ops_err *err)
{
	size_t n = frag - 1, m = sizeof(marker) - 1;
	char *buf;
	int rc = 0;

	if (frag <= 1)
		return 0;
	buf = malloc(n);
	if (buf == NULL)
		return ops_err_sys(err, ENOMEM, "unable to write '%s'", path);
	memset(buf, ' ', n);
	memcpy(buf, marker, m < n ? m : n);
	if (ops_fs_pwrite_all(fd, buf, n, 0) < 0)
		rc = ops_err_sys(err, errno, "unable to write '%s'", path);
	free(buf);
	return rc;
}

/* Copy [from, EOF) down to 0, catching up with the writer for at least
 * COPY_OBSERVE seconds (to measure its rate), then truncate right after a
 * check that nothing is left to copy. */
#define COPY_OBSERVE 0.1

static int
cut_copy(int fd, const char *path, uint64_t from, struct ops_cut_result *res,
    struct ops_err *err)
{
	static const struct timespec pause = { 0, 10 * 1000 * 1000 };
	uint64_t src = from, dst = 0;
	double t0 = mono(), t1, t2;
	struct stat st;
	char *buf;
	int rc = -1;

	buf = malloc(COPYBUF);
	if (buf == NULL)
		return ops_err_sys(err, ENOMEM, "unable to cut '%s'", path);
	for (;;) {
		ssize_t n = pread(fd, buf, COPYBUF, (off_t)src);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ops_err_sys(err, errno, "unable to read '%s'", path);
			goto out;
		}
		if (n > 0) {
			if (ops_fs_pwrite_all(fd, buf, (size_t)n, dst) < 0) {
				ops_err_sys(err, errno, "unable to write '%s'", path);
				goto out;
			}
			src += (uint64_t)n;
			dst += (uint64_t)n;
			continue;
		}
		if (mono() - t0 < COPY_OBSERVE) {
			nanosleep(&pause, NULL);
			continue;
		}
		t1 = mono();
		if (fstat(fd, &st) < 0) {
			ops_err_sys(err, errno, "unable to stat '%s'", path);
			goto out;
		}
		if ((uint64_t)st.st_size > src)
			continue;	/* the writer got in: catch up again */
		if (ftruncate(fd, (off_t)dst) < 0) {
			ops_err_sys(err, errno, "unable to truncate '%s'", path);
			goto out;
		}
		t2 = mono();
		break;
	}
	res->appended = src - res->before;
	res->window = t2 - t1;
	res->rate = (double)res->appended / (t1 - t0);
	res->maybe_lost = (uint64_t)ceil(res->rate * res->window);
	res->removed = from;
	rc = 0;
out:
	free(buf);
	return rc;
}

int
ops_logcut(const char *path, uint64_t keep, int flags,
    struct ops_cut_result *res, struct ops_err *err)
{
	struct ops_writers w = OPS_WRITERS_INIT;
	const struct ops_writer *bad;
	struct stat st;
	uint64_t l, b, size;
	char *head = NULL;
	size_t frag;
	int fd, rc = -1;

	memset(res, 0, sizeof(*res));
	fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ops_err_sys(err, errno, errno == ELOOP ?
		    "refusing to cut '%s' (a symlink)" : "unable to open '%s'", path);
	if (fstat(fd, &st) < 0) {
		ops_err_sys(err, errno, "unable to stat '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ops_err_set(err, OPS_E_FAIL, "'%s' is not a regular file", path);
		goto out;
	}
	if (ops_writers_scan(st.st_dev, &w, err) < 0)
		goto out;
	bad = ops_writers_find(&w, st.st_dev, st.st_ino, 1);
	if (bad != NULL) {
		res->refused = 1;
		ops_err_set(err, OPS_E_FAIL, "open for writing without O_APPEND "
		    "by PID %ld (%s, fd %d): cutting it would leave NUL bytes",
		    (long)bad->pid, bad->comm, bad->fd);
		goto out;
	}
	size = (uint64_t)st.st_size;
	res->before = size;
	if (ops_logcut_offset(fd, size, keep, &l, err) < 0) {
		ops_err_prefix(err, "'%s'", path);
		goto out;
	}
	b = st.st_blksize > 0 ? l - l % (uint64_t)st.st_blksize : l;
	if (b == 0) {
		rc = 0;		/* less than a block to remove */
		goto out;
	}
	if (!(flags & OPS_CUT_FORCE_COPY)) {
		head = malloc((size_t)(l - b + 1));
		if (head == NULL) {
			ops_err_sys(err, ENOMEM, "unable to cut '%s'", path);
			goto out;
		}
		if (pread_all(fd, head, (size_t)(l - b + 1), b - 1) < 0) {
			ops_err_sys(err, errno, "unable to read '%s'", path);
			goto out;
		}
		frag = ops_logcut_fragment(head, (size_t)(l - b + 1));
#ifdef FALLOC_FL_COLLAPSE_RANGE
		if (fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, (off_t)b) == 0) {
			res->method = OPS_CUT_COLLAPSE;
			res->removed = b;
			if (fstat(fd, &st) == 0 && (uint64_t)st.st_size + b > size)
				res->appended = (uint64_t)st.st_size + b - size;
			if (mark_fragment(fd, path, frag, err) < 0)
				goto out;
			if (fdatasync(fd) < 0) {
				ops_err_sys(err, errno, "unable to fsync '%s'", path);
				goto out;
			}
			rc = 0;
			goto out;
		}
		if ((errno != EOPNOTSUPP && errno != EINVAL && errno != ENOSYS) ||
		    (flags & OPS_CUT_NO_COPY)) {
			ops_err_sys(err, errno, "unable to collapse '%s'", path);
			goto out;
		}
#else
		(void)frag;
		if (flags & OPS_CUT_NO_COPY) {
			ops_err_sys(err, EOPNOTSUPP, "unable to collapse '%s'", path);
			goto out;
		}
#endif
	}
	if (cut_copy(fd, path, l, res, err) < 0)
		goto out;
	res->method = OPS_CUT_COPY;
	if (fdatasync(fd) < 0) {
		ops_err_sys(err, errno, "unable to fsync '%s'", path);
		goto out;
	}
	rc = 0;
out:
	free(head);
	ops_writers_release(&w);
	close(fd);
	return rc;
}
