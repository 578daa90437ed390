#include "ops_confine.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_fs.h"

int
ops_confine_pattern(const char *pattern, const char *file, const char *key,
    struct ops_err *err)
{
	const char *p = pattern;

	if (*p == '\0')
		return ops_err_set(err, OPS_E_USAGE, "%s: '%s': expected a path in the home",
		    file, key);
	if (*p == '/')
		return ops_err_set(err, OPS_E_USAGE,
		    "%s: '%s': '%s' is absolute: expected a path relative to the home",
		    file, key, pattern);
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return ops_err_set(err, OPS_E_USAGE,
			    "%s: '%s': '%s' leaves the home ('..'): expected a path inside it",
			    file, key, pattern);
		p += n;
		p += *p == '/';
	}
	return 0;
}

/* Walk rel's directories from dirfd without following symlinks; returns
 * a descriptor on the last directory (dirfd itself is consumed), or -1:
 * errno ELOOP (symlink), ENOTDIR, ENOENT, or another. *bad is the
 * component that failed. */
static int
walk(int dirfd, char *rel, int create, char **leaf, char **bad)
{
	char *comp = rel, *slash;
	int fd;

	while ((slash = strchr(comp, '/')) != NULL) {
		*slash = '\0';
		if (comp[0] == '\0' || strcmp(comp, ".") == 0) {
			comp = slash + 1;
			continue;
		}
		if (strcmp(comp, "..") == 0) {
			close(dirfd);
			*bad = comp;
			errno = EXDEV;
			return -1;
		}
		fd = openat(dirfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		/* a missing directory made here is a real one: the walk goes on
		 * through it without following anything */
		if (fd < 0 && errno == ENOENT && create &&
		    (mkdirat(dirfd, comp, 0700) == 0 || errno == EEXIST))
			fd = openat(dirfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			struct stat st;

			/* O_PATH|O_NOFOLLOW on a symlink fails with ENOTDIR:
			 * say which it was. */
			if (fstatat(dirfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				e = ELOOP;
			close(dirfd);
			*bad = comp;
			errno = e;
			return -1;
		}
		close(dirfd);
		dirfd = fd;
		comp = slash + 1;
	}
	*leaf = comp;
	return dirfd;
}

static int
walk_from_home(const char *home, const char *rel, int create, char *copy, size_t len,
    char **leaf, char **bad, struct ops_err *err)
{
	int dirfd;

	if (snprintf(copy, len, "%s", rel) >= (int)len)
		return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", rel);
	dirfd = open(home, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return ops_err_sys(err, errno, "unable to open the home '%s'", home);
	return walk(dirfd, copy, create, leaf, bad);
}

static int
refusal(struct ops_err *err, int e, const char *shown, const char *bad)
{
	if (e == ELOOP)
		return ops_err_set(err, OPS_E_FAIL,
		    "'%s': '%s' is a symlink: refusing to follow it out of the home",
		    shown, bad);
	if (e == ENOTDIR)
		return ops_err_set(err, OPS_E_FAIL, "'%s': '%s' is not a directory", shown, bad);
	if (e == EXDEV)
		return ops_err_set(err, OPS_E_FAIL, "'%s': '..' leaves the home", shown);
	return ops_err_sys(err, e, "'%s': unable to open '%s'", shown, bad);
}

int
ops_confine_path(const char *home, const char *path, struct ops_err *err)
{
	struct ops_err e = OPS_ERR_INIT;
	char copy[PATH_MAX], *leaf = NULL, *bad = NULL;
	size_t hl = strlen(home);
	int fd;

	while (hl > 1 && home[hl - 1] == '/')
		hl--;
	if (strncmp(path, home, hl) != 0 || path[hl] != '/' || path[hl + 1] == '\0') {
		ops_err_set(err, OPS_E_FAIL, "'%s' is outside the home", path);
		return 0;
	}
	fd = walk_from_home(home, path + hl + 1, 0, copy, sizeof(copy), &leaf, &bad, &e);
	if (fd >= 0) {
		close(fd);
		if (strcmp(leaf, "..") == 0) {
			refusal(err, EXDEV, ops_fs_rel(home, path), leaf);
			return 0;
		}
		return 1;
	}
	if (bad == NULL && e.sys_errno == ENOENT)
		return 1;	/* no home yet (a unit file rendered for later) */
	if (bad == NULL) {
		if (err != NULL)
			*err = e;
		return -1;
	}
	if (errno == ENOENT)
		return 1;
	if (errno == ELOOP || errno == ENOTDIR || errno == EXDEV) {
		refusal(err, errno, ops_fs_rel(home, path), bad);
		return 0;
	}
	refusal(err, errno, ops_fs_rel(home, path), bad);
	return -1;
}

static int
confine_parent(const char *home, const char *rel, int create, const char **leaf,
    struct ops_err *err)
{
	char copy[PATH_MAX], *l = NULL, *bad = NULL;
	int fd;

	if (ops_confine_pattern(rel, "path", rel, err) < 0)
		return -1;
	fd = walk_from_home(home, rel, create, copy, sizeof(copy), &l, &bad, err);
	if (fd < 0) {
		if (bad != NULL)
			refusal(err, errno, rel, bad);
		return -1;
	}
	*leaf = rel + (l - copy);
	return fd;
}

int
ops_confine_parent(const char *home, const char *rel, const char **leaf,
    struct ops_err *err)
{
	return confine_parent(home, rel, 0, leaf, err);
}

int
ops_confine_parent_make(const char *home, const char *rel, const char **leaf,
    struct ops_err *err)
{
	return confine_parent(home, rel, 1, leaf, err);
}

/* A directory that does not exist is no match; one that cannot be read
 * (EACCES, EIO) is an error. */
static int
glob_error(const char *path, int errnum)
{
	(void)path;
	return errnum != ENOENT && errnum != ENOTDIR;
}

int
ops_confine_glob(const char *home, const char *pattern, struct ops_strv *out,
    struct ops_strv *refused, struct ops_err *err)
{
	struct ops_err e2 = OPS_ERR_INIT;
	char full[PATH_MAX];
	glob_t g;
	int rc = -1, r;

	if (ops_confine_pattern(pattern, "pattern", pattern, err) < 0)
		return -1;
	if (ops_path_join(full, sizeof(full), home, pattern, err) < 0)
		return -1;
	memset(&g, 0, sizeof(g));
	r = glob(full, 0, glob_error, &g);
	if (r == GLOB_NOMATCH) {
		rc = 0;
		goto out;
	}
	if (r != 0) {
		ops_err_set(err, OPS_E_FAIL, "unable to expand '%s'", pattern);
		goto out;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct ops_strv *to = out;

		r = ops_confine_path(home, g.gl_pathv[i], &e2);
		if (r != 1 && refused == NULL)
			continue;
		if (r != 1)
			to = refused;
		if (ops_strv_push(to, g.gl_pathv[i]) < 0) {
			ops_err_sys(err, ENOMEM, "unable to expand '%s'", pattern);
			goto out;
		}
	}
	ops_strv_sort(out);
	rc = 0;
out:
	globfree(&g);
	return rc;
}
