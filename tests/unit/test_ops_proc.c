/* ops_proc: PID files and telling the agent from whatever holds its PID. */
#include "ops_proc.h"

#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "unit.h"

static char *tmp;
static const char *argv0;

static void
test_pid_parse(void)
{
	static const struct {
		const char *in;
		int ok;
		pid_t pid;
		const char *why;
	} cases[] = {
		{ "123", 1, 123, NULL },
		{ " 42\n", 1, 42, NULL },
		{ "\t76581\r\n", 1, 76581, NULL },
		{ "2", 1, 2, NULL },
		{ "007", 1, 7, NULL },
		{ "2147483647", 1, 2147483647, NULL },
		{ "0", 0, 0, "PID 0" },
		{ "1", 0, 0, "PID 1" },
		{ "-1", 0, 0, "negative" },
		{ " -5", 0, 0, "negative" },
		{ "abc", 0, 0, "garbage" },
		{ "12abc", 0, 0, "garbage" },
		{ "12 34", 0, 0, "garbage" },
		{ "+12", 0, 0, "garbage" },
		{ "0x10", 0, 0, "garbage" },
		{ "", 0, 0, "garbage" },
		{ "   \n", 0, 0, "garbage" },
		{ "99999999999", 0, 0, "out-of-range" },
		{ "2147483648", 0, 0, "out-of-range" },
		{ "999999999999999999999999", 0, 0, "out-of-range" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		pid_t pid = -77;

		unit_case("pid '%s'", cases[i].in);
		EQ_INT(ops_pid_parse(cases[i].in, &pid, &err), cases[i].ok ? 0 : -1);
		EQ_INT(pid, cases[i].ok ? cases[i].pid : -77);
		if (!cases[i].ok)
			HAS_STR(err.msg, cases[i].why);
	}
	unit_case("%s", "");
}

static void
test_pidfile(void)
{
	struct ops_err err = OPS_ERR_INIT;
	char p[PATH_MAX], l[PATH_MAX];
	double mtime = 0;
	struct stat st;
	pid_t pid = 0;

	snprintf(p, sizeof(p), "%s/daemon.pid", tmp);
	snprintf(l, sizeof(l), "%s/link.pid", tmp);
	unit_write(p, "4242\n");
	EQ_INT(ops_pidfile_read(p, &pid, &mtime, &err), 0);
	EQ_INT(pid, 4242);
	CHECK(stat(p, &st) == 0);
	EQ_DBL(mtime, (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9, 1e-6);
	EQ_INT(ops_pidfile_read(p, &pid, NULL, &err), 0);

	unit_write(p, "garbage");
	EQ_INT(ops_pidfile_read(p, &pid, &mtime, &err), -1);
	HAS_STR(err.msg, "garbage");

	/* too big to be a PID file */
	unit_write(p, "4242                                                                  \n");
	EQ_INT(ops_pidfile_read(p, &pid, &mtime, &err), -1);

	ops_err_clear(&err);
	EQ_INT(ops_pidfile_read(l, &pid, &mtime, &err), -1);
	EQ_INT(err.code, OPS_E_NOENT);
	EQ_STR(err.msg, "no PID file");

	unit_write(p, "4242\n");
	CHECK(symlink(p, l) == 0);
	EQ_INT(ops_pidfile_read(l, &pid, &mtime, &err), -1);
	HAS_STR(err.msg, "symlink");
}

static void
test_identify(void)
{
	struct ops_procinfo info;
	struct ops_err err = OPS_ERR_INIT;
	const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
	int status;
	pid_t child;

	/* ourselves, by our program name */
	memset(&info, 0, sizeof(info));
	EQ_INT(ops_proc_identify(getpid(), base, 0, &info, &err), 1);
	EQ_INT(info.pid, getpid());
	HAS_STR(info.cmdline, base);
	CHECK(info.start > 1e9 && info.start <= (double)time(NULL) + 1);
	/* ... with a PID file written now: not after */
	EQ_INT(ops_proc_identify(getpid(), base, (double)time(NULL), NULL, &err), 1);
	/* argv is joined with spaces */
	EQ_INT(ops_proc_identify(getpid(), "--marker", 0, &info, &err), 1);
	HAS_STR(info.cmdline, " --marker");

	/* a match that is not in the command line */
	ops_err_clear(&err);
	EQ_INT(ops_proc_identify(getpid(), "daemon.py", 0, &info, &err), 0);
	HAS_STR(err.msg, "does not match 'daemon.py'");
	HAS_STR(err.msg, base);

	/* a PID file older than the process: the PID was reused */
	ops_err_clear(&err);
	EQ_INT(ops_proc_identify(getpid(), base, (double)time(NULL) - 3600, NULL,
	    &err), 0);
	HAS_STR(err.msg, "reused");

	/* a zombie: exited, not yet reaped */
	child = fork();
	if (child == 0)
		_exit(0);
	CHECK(child > 0);
	for (int i = 0; i < 500; i++) {	/* until it is a zombie */
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)child, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == child)
			break;
		usleep(10000);
	}
	ops_err_clear(&err);
	EQ_INT(ops_proc_identify(child, base, 0, NULL, &err), 0);
	HAS_STR(err.msg, "zombie");

	/* reaped: not running */
	CHECK(waitpid(child, &status, 0) == child);
	ops_err_clear(&err);
	EQ_INT(ops_proc_identify(child, base, 0, NULL, &err), 0);
	HAS_STR(err.msg, "not running");

	/* a live process that is something else */
	child = fork();
	if (child == 0) {
		execlp("sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {	/* until the exec is done */
		if (ops_proc_identify(child, "sleep", 0, NULL, NULL) == 1)
			break;
		usleep(10000);
	}
	ops_err_clear(&err);
	EQ_INT(ops_proc_identify(child, "daemon.py", 0, NULL, &err), 0);
	HAS_STR(err.msg, "'sleep 30' does not match 'daemon.py'");
	EQ_INT(ops_proc_identify(child, "sleep 30", 0, &info, &err), 1);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);

}

int
main(int argc, char **argv)
{
	/* Re-exec with a marker argument so the command line has two words. */
	if (argc < 2 || strcmp(argv[1], "--marker") != 0) {
		execl("/proc/self/exe", argv[0], "--marker", (char *)NULL);
		fprintf(stderr, "unable to re-exec: %s\n", strerror(errno));
		return 2;
	}
	argv0 = argv[0];
	tmp = unit_tmpdir();
	test_pid_parse();
	test_pidfile();
	test_identify();
	unit_cleanup(tmp);
	return unit_done();
}
