/* ops_lock: one run at a time. flock(2) locks belong to the open file
 * description, so a second open in the same process conflicts too. */
#include "ops_lock.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "unit.h"

static char *tmp;

static char *
path(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", tmp, rel);
	return p;
}

static void
test_in_process(void)
{
	struct ops_lock a = OPS_LOCK_INIT, b = OPS_LOCK_INIT, c = OPS_LOCK_INIT;
	struct ops_err err = OPS_ERR_INIT;
	struct stat st;
	int flags;

	EQ_INT(ops_lock_acquire(&a, tmp, "backup", &err), 0);
	EQ_STR(err.msg, "");
	CHECK(a.fd >= 0);
	CHECK(stat(path(".ops"), &st) == 0 && S_ISDIR(st.st_mode) &&
	    (st.st_mode & 0777) == 0700);
	CHECK(stat(path(".ops/backup.lock"), &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 0777) == 0600);

	/* close-on-exec: never inherited by what we start */
	flags = fcntl(a.fd, F_GETFD);
	CHECK(flags >= 0 && (flags & FD_CLOEXEC));

	/* a second holder is refused with OPS_E_LOCKED (exit 75) */
	EQ_INT(ops_lock_acquire(&b, tmp, "backup", &err), -1);
	EQ_INT(err.code, OPS_E_LOCKED);
	EQ_INT(ops_err_exit_code(&err), 75);
	EQ_STR(err.msg, "another run holds '.ops/backup.lock'");
	EQ_INT(b.fd, -1);

	/* another name is another lock */
	ops_err_clear(&err);
	EQ_INT(ops_lock_acquire(&c, tmp, "rotate", &err), 0);
	ops_lock_release(&c);
	EQ_INT(c.fd, -1);

	/* release, then it can be taken again */
	ops_lock_release(&a);
	EQ_INT(a.fd, -1);
	EQ_INT(ops_lock_acquire(&b, tmp, "backup", &err), 0);
	EQ_INT(ops_lock_acquire(&a, tmp, "backup", &err), -1);
	ops_lock_release(&b);
	EQ_INT(ops_lock_acquire(&a, tmp, "backup", &err), 0);
	ops_lock_release(&a);
	ops_lock_release(&a);	/* twice: harmless */
	ops_lock_release(NULL);
}

/* Held by another process; dropped by the kernel when it exits. */
static void
test_other_process(void)
{
	struct ops_lock lk = OPS_LOCK_INIT;
	struct ops_err err = OPS_ERR_INIT;
	int ready[2], go[2], status = 0;
	char c;
	pid_t pid;

	CHECK(pipe(ready) == 0 && pipe(go) == 0);
	pid = fork();
	if (pid == 0) {
		struct ops_lock mine = OPS_LOCK_INIT;

		close(ready[0]);
		close(go[1]);
		c = ops_lock_acquire(&mine, tmp, "health", NULL) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(2);
		_exit(0);	/* exit without releasing */
	}
	close(ready[1]);
	close(go[0]);
	CHECK(read(ready[0], &c, 1) == 1 && c == 'y');
	EQ_INT(ops_lock_acquire(&lk, tmp, "health", &err), -1);
	EQ_INT(err.code, OPS_E_LOCKED);
	close(go[1]);		/* let the child exit */
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	close(ready[0]);
	EQ_INT(ops_lock_acquire(&lk, tmp, "health", &err), 0);
	ops_lock_release(&lk);
}

static void
test_refusals(void)
{
	struct ops_lock lk = OPS_LOCK_INIT;
	struct ops_err err = OPS_ERR_INIT;

	/* the lock file is never opened through a symlink */
	unit_write(path("victim"), "keep");
	CHECK(symlink(path("victim"), path(".ops/alert.lock")) == 0);
	EQ_INT(ops_lock_acquire(&lk, tmp, "alert", &err), -1);
	EQ_INT(err.code, OPS_E_FAIL);
	HAS_STR(err.msg, "alert.lock");
	EQ_INT(lk.fd, -1);

	/* .ops and missing parents are created; a file in the way fails */
	ops_err_clear(&err);
	EQ_INT(ops_lock_acquire(&lk, path("nohome/x"), "alert", &err), 0);
	ops_lock_release(&lk);
	unit_write(path("afile"), "");
	EQ_INT(ops_lock_acquire(&lk, path("afile"), "alert", &err), -1);
	EQ_INT(lk.fd, -1);
}

int
main(void)
{
	tmp = unit_tmpdir();
	test_in_process();
	test_other_process();
	test_refusals();
	unit_cleanup(tmp);
	return unit_done();
}
