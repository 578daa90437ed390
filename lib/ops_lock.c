#include "ops_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "ops_fs.h"

int
ops_lock_acquire(struct ops_lock *lk, const char *home, const char *name,
    struct ops_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int fd;

	if (ops_path_join(dir, sizeof(dir), home, ".ops", err) < 0 ||
	    ops_fs_mkdirs(dir, err) < 0)
		return -1;
	if (snprintf(path, sizeof(path), "%s/%s.lock", dir, name) >= (int)sizeof(path))
		return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", dir);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open lock '%s'", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK)
			return ops_err_set(err, OPS_E_LOCKED,
			    "another run holds '%s'", ops_fs_rel(home, path));
		return ops_err_sys(err, e, "unable to lock '%s'", path);
	}
	lk->fd = fd;
	return 0;
}

void
ops_lock_release(struct ops_lock *lk)
{
	if (lk == NULL || lk->fd < 0)
		return;
	close(lk->fd);
	lk->fd = -1;
}
