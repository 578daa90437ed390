#include "ops_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_DEPTH = 64 };

/* Callback per entry of an open directory: name, its stat, the parent fd.
 * A directory is visited after its contents (post-order). */
typedef int (*visit_fn)(int parent, const char *name, const struct stat *st,
    void *ctx, struct ops_err *err);

static int
walk(int dfd, const char *where, int depth, visit_fn fn, void *ctx,
    struct ops_err *err)
{
	DIR *d;
	int rc = 0;

	if (depth > MAX_DEPTH)
		return ops_err_set(err, OPS_E_FAIL, "'%s': too deep", where);
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return ops_err_sys(err, errno, "unable to read '%s'", where);
	}
	while (rc == 0) {
		struct dirent *de;
		struct stat st;

		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				rc = ops_err_sys(err, errno, "unable to read '%s'", where);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			rc = ops_err_sys(err, errno, "unable to stat '%s/%s'", where, de->d_name);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				rc = ops_err_sys(err, errno, "unable to open '%s/%s'", where,
				    de->d_name);
				break;
			}
			rc = walk(sub, de->d_name, depth + 1, fn, ctx, err);
			if (rc < 0)
				break;
		}
		rc = fn(dirfd(d), de->d_name, &st, ctx, err);
	}
	closedir(d);
	return rc;
}

static int
remove_one(int parent, const char *name, const struct stat *st, void *ctx,
    struct ops_err *err)
{
	(void)ctx;
	if (unlinkat(parent, name, S_ISDIR(st->st_mode) ? AT_REMOVEDIR : 0) < 0 &&
	    errno != ENOENT)
		return ops_err_sys(err, errno, "unable to remove '%s'", name);
	return 0;
}

int
ops_tree_remove(const char *path, struct ops_err *err)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : ops_err_sys(err, errno, "unable to stat '%s'", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return ops_err_sys(err, errno, "unable to remove '%s'", path);
		return 0;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", path);
	if (walk(fd, path, 0, remove_one, NULL, err) < 0)
		return -1;
	if (rmdir(path) < 0 && errno != ENOENT)
		return ops_err_sys(err, errno, "unable to remove '%s'", path);
	return 0;
}

static int
fsync_one(int parent, const char *name, const struct stat *st, void *ctx,
    struct ops_err *err)
{
	int fd;

	(void)ctx;
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
		return 0;
	fd = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", name);
	if (fsync(fd) < 0 && errno != EINVAL) {
		int e = errno;

		close(fd);
		return ops_err_sys(err, e, "unable to fsync '%s'", name);
	}
	close(fd);
	return 0;
}

int
ops_tree_fsync(const char *dir, struct ops_err *err)
{
	int fd, top;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", dir);
	top = dup(fd);
	if (top < 0) {
		close(fd);
		return ops_err_sys(err, errno, "unable to open '%s'", dir);
	}
	if (walk(fd, dir, 0, fsync_one, NULL, err) < 0) {
		close(top);
		return -1;
	}
	if (fsync(top) < 0 && errno != EINVAL) {
		int e = errno;

		close(top);
		return ops_err_sys(err, e, "unable to fsync '%s'", dir);
	}
	close(top);
	return 0;
}

struct usage {
	uint64_t files, bytes;
};

static int
count_one(int parent, const char *name, const struct stat *st, void *ctx,
    struct ops_err *err)
{
	struct usage *u = ctx;

	(void)parent;
	(void)name;
	(void)err;
	if (S_ISREG(st->st_mode)) {
		u->files++;
		u->bytes += (uint64_t)st->st_size;
	}
	return 0;
}

int
ops_tree_usage(const char *dir, uint64_t *files, uint64_t *bytes,
    struct ops_err *err)
{
	struct usage u = { 0, 0 };
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", dir);
	if (walk(fd, dir, 0, count_one, &u, err) < 0)
		return -1;
	*files = u.files;
	*bytes = u.bytes;
	return 0;
}
