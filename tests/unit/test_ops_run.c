/* ops_run: run a command with a time limit, capture its output. */
#include "ops_run.h"

#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include "unit.h"

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run argv (NULL-terminated list) with a 10 s bound and 64 KiB of output. */
#define RUN(res, input, ...) \
	ops_run((char *const[]){ __VA_ARGS__, NULL }, NULL, (input), 10, 65536, \
	    (res), &err)

static void
test_exit_and_output(void)
{
	struct ops_run_result res;
	struct ops_err err = OPS_ERR_INIT;

	EQ_INT(RUN(&res, NULL, "echo", "hello", "world"), 0);
	EQ_INT(res.exited, 1);
	EQ_INT(res.status, 0);
	EQ_INT(res.timed_out, 0);
	EQ_STR(res.output, "hello world\n");
	EQ_INT(res.output_len, 12);
	ops_run_result_release(&res);
	CHECK(res.output == NULL);

	EQ_INT(RUN(&res, NULL, "sh", "-c", "exit 3"), 0);
	EQ_INT(res.exited, 1);
	EQ_INT(res.status, 3);
	EQ_STR(res.output, "");
	ops_run_result_release(&res);

	/* stdout and stderr, in one stream */
	EQ_INT(RUN(&res, NULL, "sh", "-c", "echo out; echo err >&2; exit 1"), 0);
	EQ_INT(res.status, 1);
	EQ_STR(res.output, "out\nerr\n");
	ops_run_result_release(&res);

	/* killed by a signal: not exited, the signal number */
	EQ_INT(RUN(&res, NULL, "sh", "-c", "kill -TERM $$"), 0);
	EQ_INT(res.exited, 0);
	EQ_INT(res.status, SIGTERM);
	EQ_INT(res.timed_out, 0);
	ops_run_result_release(&res);

	/* arguments are passed as they are, never through a shell */
	EQ_INT(RUN(&res, NULL, "echo", "$HOME; `id`", "*"), 0);
	EQ_STR(res.output, "$HOME; `id` *\n");
	ops_run_result_release(&res);
	ops_run_result_release(NULL);
}

static void
test_truncation(void)
{
	struct ops_run_result res;
	struct ops_err err = OPS_ERR_INIT;
	char *const argv[] = { "sh", "-c", "i=0; while [ $i -lt 20000 ]; do echo y; i=$((i+1)); done",
		NULL };

	/* 40000 bytes written, 10 kept; the child is not blocked by a full pipe */
	EQ_INT(ops_run(argv, NULL, NULL, 10, 10, &res, &err), 0);
	EQ_INT(res.exited, 1);
	EQ_INT(res.status, 0);
	EQ_INT(res.timed_out, 0);
	EQ_INT(res.output_len, 10);
	EQ_STR(res.output, "y\ny\ny\ny\ny\n");
	ops_run_result_release(&res);

	EQ_INT(ops_run(argv, NULL, NULL, 10, 0, &res, &err), 0);
	EQ_INT(res.output_len, 0);
	EQ_STR(res.output, "");
	EQ_INT(res.status, 0);
	ops_run_result_release(&res);
}

static void
test_timeout(void)
{
	struct ops_run_result res;
	struct ops_err err = OPS_ERR_INIT;
	char *const sleeper[] = { "sleep", "10", NULL };
	/* a grandchild holding the output pipe: the whole group is killed */
	char *const group[] = { "sh", "-c", "sleep 10 & sleep 10", NULL };
	/* closes its output, then keeps running */
	char *const quiet[] = { "sh", "-c", "exec >/dev/null 2>&1; sleep 10", NULL };
	char *const *cases[] = { sleeper, group, quiet };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double t0 = mono(), took;

		unit_case("timeout: %s %s", cases[i][0], cases[i][1]);
		EQ_INT(ops_run(cases[i], NULL, NULL, 0.3, 1024, &res, &err), 0);
		took = mono() - t0;
		EQ_INT(res.timed_out, 1);
		EQ_INT(res.exited, 0);
		EQ_INT(res.status, SIGKILL);
		CHECK(took >= 0.29 && took < 2.0);
		ops_run_result_release(&res);
	}
	unit_case("%s", "");

	/* output written before the timeout is kept */
	{
		char *const argv[] = { "sh", "-c", "echo partial; sleep 10", NULL };

		EQ_INT(ops_run(argv, NULL, NULL, 0.3, 1024, &res, &err), 0);
		EQ_INT(res.timed_out, 1);
		EQ_STR(res.output, "partial\n");
		ops_run_result_release(&res);
	}
}

static void
test_not_found(void)
{
	struct ops_run_result res;
	struct ops_err err = OPS_ERR_INIT;
	char *tmp = unit_tmpdir(), noexec[PATH_MAX];

	EQ_INT(RUN(&res, NULL, "ops-no-such-command-here"), 0);
	EQ_INT(res.exited, 1);
	EQ_INT(res.status, 127);
	ops_run_result_release(&res);
	EQ_INT(RUN(&res, NULL, "/nonexistent/bin/x"), 0);
	EQ_INT(res.status, 127);
	ops_run_result_release(&res);

	/* there but not executable: 126 */
	snprintf(noexec, sizeof(noexec), "%s/script", tmp);
	unit_write(noexec, "#!/bin/sh\necho hi\n");
	chmod(noexec, 0600);
	if (geteuid() != 0 || access(noexec, X_OK) < 0) {
		EQ_INT(RUN(&res, NULL, noexec), 0);
		EQ_INT(res.exited, 1);
		EQ_INT(res.status, 126);
		ops_run_result_release(&res);
	}
	unit_cleanup(tmp);
}

static void
test_input(void)
{
	struct ops_run_result res;
	struct ops_err err = OPS_ERR_INIT;
	char *big;
	size_t n = 1 << 20;

	EQ_INT(RUN(&res, "line one\nline two\n", "cat"), 0);
	EQ_INT(res.status, 0);
	EQ_STR(res.output, "line one\nline two\n");
	ops_run_result_release(&res);

	/* no input: stdin is /dev/null, cat ends at once */
	EQ_INT(RUN(&res, NULL, "cat"), 0);
	EQ_INT(res.timed_out, 0);
	EQ_STR(res.output, "");
	ops_run_result_release(&res);

	/* more input than a pipe holds, while the output is read */
	big = malloc(n + 1);
	CHECK(big != NULL);
	if (big == NULL)
		return;
	memset(big, 'z', n);
	big[n] = '\0';
	EQ_INT(RUN(&res, big, "wc", "-c"), 0);
	EQ_INT(res.status, 0);
	EQ_INT(strtol(res.output, NULL, 10), (long)n);
	ops_run_result_release(&res);
	EQ_INT(RUN(&res, big, "cat"), 0);
	EQ_INT(res.status, 0);
	EQ_INT(res.output_len, 65536);
	ops_run_result_release(&res);

	/* a command that does not read its input: no SIGPIPE for us */
	EQ_INT(RUN(&res, big, "true"), 0);
	EQ_INT(res.exited, 1);
	EQ_INT(res.status, 0);
	ops_run_result_release(&res);
	EQ_INT(RUN(&res, big, "sh", "-c", "exec 0<&-; sleep 0.1; echo done"), 0);
	EQ_STR(res.output, "done\n");
	ops_run_result_release(&res);
	free(big);
}

static void
test_env(void)
{
	struct ops_run_result res;
	struct ops_err err = OPS_ERR_INIT;
	char *const env[] = { "X=42", "OPS_Y=two words", NULL };
	char *const argv[] = { "sh", "-c", "echo \"$X/$OPS_Y/$OPS_UNIT_PARENT\"", NULL };

	setenv("OPS_UNIT_PARENT", "inherited", 1);
	EQ_INT(ops_run(argv, env, NULL, 10, 1024, &res, &err), 0);
	EQ_STR(res.output, "42/two words/inherited\n");
	ops_run_result_release(&res);
	/* the entries were for the child only */
	CHECK(getenv("X") == NULL);
	/* NULL env */
	EQ_INT(ops_run(argv, NULL, NULL, 10, 1024, &res, &err), 0);
	EQ_STR(res.output, "//inherited\n");
	ops_run_result_release(&res);
	unsetenv("OPS_UNIT_PARENT");
}

/* 1 when pid is gone or a zombie (killed, waiting for init to reap it). */
static int
dead(long pid)
{
	char path[64], stat[256];
	FILE *f;
	const char *rp;
	int gone = 1;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 1;
	if (fgets(stat, sizeof(stat), f) != NULL && (rp = strrchr(stat, ')')) != NULL)
		gone = rp[2] == 'Z' || rp[2] == 'X';
	fclose(f);
	return gone;
}

/* Done means exited: a child that exits 0 leaving a background process on
 * its stdout is done (not timed out), and that process is killed with its
 * group. */
static void
test_background_child(void)
{
	struct ops_run_result res;
	struct ops_err err = OPS_ERR_INIT;
	char *const argv[] = { "sh", "-c", "sleep 30 & echo $!; exit 0", NULL };
	double t0 = mono(), t1;
	long bg = 0;

	EQ_INT(ops_run(argv, NULL, NULL, 3, 4096, &res, &err), 0);
	t1 = mono() - t0;
	EQ_INT(res.exited, 1);
	EQ_INT(res.status, 0);
	EQ_INT(res.timed_out, 0);
	CHECK(t1 < 1.5);
	bg = strtol(res.output ? res.output : "0", NULL, 10);
	CHECK(bg > 0);
	if (bg > 0) {
		for (int i = 0; i < 100 && !dead(bg); i++)
			usleep(10000);
		CHECK(dead(bg));
	}
	ops_run_result_release(&res);

	/* OPS_RUN_LEAVE_GROUP: an opener's browser stays */
	EQ_INT(ops_run_ex(argv, NULL, NULL, 3, 4096, OPS_RUN_LEAVE_GROUP, &res, &err), 0);
	EQ_INT(res.timed_out, 0);
	bg = strtol(res.output ? res.output : "0", NULL, 10);
	CHECK(bg > 0 && !dead(bg));
	if (bg > 0)
		kill((pid_t)bg, SIGKILL);
	ops_run_result_release(&res);
}

int
main(void)
{
	test_exit_and_output();
	test_truncation();
	test_timeout();
	test_not_found();
	test_input();
	test_env();
	test_background_child();
	return unit_done();
}
