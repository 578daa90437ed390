/* ops_daemon: env files, start, status, stop (only ever the agent),
 * waiting for a heartbeat, the restart record. The "agent" is sleep(1)
 * under a command line of our choosing. */
#include "ops_daemon.h"

#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "ops_fs.h"
#include "ops_state.h"
#include "ops_time.h"
#include "unit.h"

static char *tmp;

static char *
path(const char *rel)
{
	static char buf[8][PATH_MAX];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, PATH_MAX, "%s/%s", tmp, rel);
	return p;
}

static void
test_env_parse(void)
{
	static const struct {
		const char *line;
		int rc;
		const char *want;
	} cases[] = {
		{ "KEY=value\n", 1, "KEY=value" },
		{ "KEY=value", 1, "KEY=value" },
		{ "KEY=value\r\n", 1, "KEY=value" },
		{ "export KEY=value\n", 1, "KEY=value" },
		{ "  export   KEY=v\n", 1, "KEY=v" },
		{ "KEY=\"quoted value\"\n", 1, "KEY=quoted value" },
		{ "KEY='single # not a comment'\n", 1, "KEY=single # not a comment" },
		{ "KEY=\"unbalanced'\n", 1, "KEY=\"unbalanced'" },
		{ "KEY=\"\"\n", 1, "KEY=" },
		{ "KEY=\n", 1, "KEY=" },
		{ "KEY=a=b\n", 1, "KEY=a=b" },
		{ "_K9=x", 1, "_K9=x" },
		{ "\n", 0, NULL },
		{ "", 0, NULL },
		{ "   \t\n", 0, NULL },
		{ "# a comment\n", 0, NULL },
		{ "   # indented comment\n", 0, NULL },
		{ "KEY value\n", -1, NULL },
		{ "KEY = value\n", -1, NULL },
		{ "=value\n", -1, NULL },
		{ "9KEY=x\n", -1, NULL },
		{ "KE-Y=x\n", -1, NULL },
		{ "export\n", -1, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = (char *)"sentinel";

		unit_case("env line '%s'", cases[i].line);
		EQ_INT(ops_env_parse_line(cases[i].line, &out), cases[i].rc);
		EQ_STR(out, cases[i].want);
		free(out);
	}
	unit_case("%s", "");
}

/* A config whose agent is `sh -c 'SCRIPT; exec sleep 19.MARK'`: the
 * odd duration names it in the command line, so match can find it. */
static int
config(struct ops_config *cfg, const char *script, const char *mark,
    const char *extra)
{
	struct ops_err err = OPS_ERR_INIT;
	char text[2048];
	int rc;

	snprintf(text, sizeof(text),
	    "{\"daemon\": {\"command\": [\"sh\", \"-c\", \"%s exec sleep 19.%s\"],"
	    " \"match\": \"sleep 19.%s\", \"start_timeout\": \"5s\","
	    " \"stop_timeout\": 2 %s}}", script, mark, mark, extra ? extra : "");
	rc = ops_config_load_text(cfg, tmp, text, strlen(text), "t.json", &err);
	if (rc < 0)
		fprintf(stderr, "config: %s\n", err.msg);
	return rc;
}

static int
is_comm(pid_t pid, const char *name)
{
	char p[64], buf[64] = "";
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/comm", (int)pid);
	f = fopen(p, "r");
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return strcmp(buf, name) == 0;
}

static int
alive(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, WNOHANG) == pid)
		return 0;
	return kill(pid, 0) == 0;
}

static void
test_start_stop(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_procinfo pi;
	struct stat st;
	pid_t pid = 0;
	char *text = NULL;
	int was = -1;

	/* the env file reaches the agent, DHARMIC_HOME too; the output goes
	 * to logs/daemon_stdout.log */
	unit_write(path(".env"), "# secrets\nexport SECRET_X=\"s3cr3t\"\n\nOTHER=1\n");
	CHECK(config(&cfg, "echo \\\"$SECRET_X/$OTHER/$DHARMIC_HOME\\\"; echo oops >&2;",
	    "1", NULL) == 0);
	EQ_INT(ops_daemon_status(&cfg, &pi, &err), 0);
	EQ_STR(err.msg, "no PID file");

	ops_err_clear(&err);
	EQ_INT(ops_daemon_start(&cfg, NULL, &pid, &err), 0);
	EQ_STR(err.msg, "");
	CHECK(pid > 0);
	CHECK(alive(pid));
	EQ_INT(ops_daemon_status(&cfg, &pi, &err), 1);
	EQ_STR(err.msg, "");
	EQ_INT(pi.pid, pid);
	CHECK(stat(path("logs/daemon.pid"), &st) == 0 && (st.st_mode & 0777) == 0600);
	/* in its own session */
	EQ_INT(getsid(pid), pid);

	/* a second start is refused, the first agent untouched */
	{
		pid_t again = 0;

		ops_err_clear(&err);
		EQ_INT(ops_daemon_start(&cfg, NULL, &again, &err), -1);
		HAS_STR(err.msg, "already running");
		EQ_INT(again, 0);
		CHECK(alive(pid));
	}

	/* the heartbeat: none yet, then a fresh one */
	ops_err_clear(&err);
	EQ_INT(ops_daemon_wait_healthy(&cfg, ops_time_now(), 0.2, &err), -1);
	HAS_STR(err.msg, "has not written a heartbeat");
	{
		char ts[64], status[256];

		snprintf(status, sizeof(status), "{\"details\":{\"last_heartbeat\":\"%s\"}}",
		    ops_time_iso(ops_time_now() + 1, ts, sizeof(ts)));
		unit_write(path("logs/daemon_status.json"), status);
		EQ_INT(ops_daemon_wait_healthy(&cfg, ops_time_now(), 0.2, &err), 0);
	}

	/* stop: SIGTERM, the process gone, the PID file removed */
	EQ_INT(ops_daemon_stop(&cfg, 0, &was, &err), 0);
	EQ_INT(was, 1);
	CHECK(!alive(pid));
	CHECK(access(path("logs/daemon.pid"), F_OK) < 0);
	EQ_INT(ops_daemon_status(&cfg, &pi, &err), 0);

	/* nothing to stop */
	was = -1;
	EQ_INT(ops_daemon_stop(&cfg, 0, &was, &err), 0);
	EQ_INT(was, 0);

	/* what the agent saw and wrote; 0600 logs */
	EQ_INT(ops_fs_read_file(path("logs/daemon_stdout.log"), 4096, &text, NULL, &err), 0);
	{
		char want[PATH_MAX + 32];

		snprintf(want, sizeof(want), "s3cr3t/1/%s\n", cfg.home);
		EQ_STR(text, want);
	}
	free(text);
	EQ_INT(ops_fs_read_file(path("logs/daemon_stderr.log"), 4096, &text, NULL, &err), 0);
	EQ_STR(text, "oops\n");
	free(text);
	CHECK(stat(path("logs/daemon_stdout.log"), &st) == 0 && (st.st_mode & 0777) == 0600);
	ops_config_release(&cfg);
}

static void
test_start_failures(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	pid_t pid = 0;

	/* a malformed env file: the line number, never its contents */
	unit_write(path(".env"), "GOOD=1\nPASSWORD hunter2\n");
	CHECK(config(&cfg, "", "2", NULL) == 0);
	EQ_INT(ops_daemon_start(&cfg, NULL, &pid, &err), -1);
	HAS_STR(err.msg, ".env: malformed line 2");
	CHECK(strstr(err.msg, "hunter2") == NULL);
	CHECK(access(path("logs/daemon.pid"), F_OK) < 0);
	ops_config_release(&cfg);
	unlink(path(".env"));

	/* a command that is not there */
	{
		const char *text = "{\"daemon\": {\"command\": [\"/nonexistent/agent\"],"
		    " \"match\": \"agent\"}}";

		CHECK(ops_config_load_text(&cfg, tmp, text, strlen(text), "t.json", &err) == 0);
		ops_err_clear(&err);
		EQ_INT(ops_daemon_start(&cfg, NULL, &pid, &err), -1);
		HAS_STR(err.msg, "unable to run /nonexistent/agent");
		CHECK(access(path("logs/daemon.pid"), F_OK) < 0);
		ops_config_release(&cfg);
	}

	/* an agent that exits at once */
	CHECK(config(&cfg, "exit 3;", "3", NULL) == 0);
	ops_err_clear(&err);
	EQ_INT(ops_daemon_start(&cfg, NULL, &pid, &err), -1);
	HAS_STR(err.msg, "exited at once (status 3)");
	CHECK(access(path("logs/daemon.pid"), F_OK) < 0);
	ops_config_release(&cfg);

	/* a missing working directory */
	CHECK(config(&cfg, "", "4", ", \"workdir\": \"nodir\"") == 0);
	ops_err_clear(&err);
	EQ_INT(ops_daemon_start(&cfg, NULL, &pid, &err), -1);
	HAS_STR(err.msg, "enter the working directory");
	ops_config_release(&cfg);
}

/* A PID file that does not name the agent never leads to a signal. */
static void
test_stop_refusals(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	char text[32];
	pid_t other;
	int was = -1, status;

	CHECK(config(&cfg, "", "5", NULL) == 0);
	mkdir(path("logs"), 0700);

	/* a live process that is not the agent: left alone, stale file removed */
	other = fork();
	if (other == 0) {
		execlp("sleep", "sleep", "20", (char *)NULL);
		_exit(127);
	}
	snprintf(text, sizeof(text), "%d\n", (int)other);
	unit_write(path("logs/daemon.pid"), text);
	usleep(100000);
	EQ_INT(ops_daemon_stop(&cfg, 1, &was, &err), 0);
	EQ_INT(was, 0);
	CHECK(alive(other));
	CHECK(access(path("logs/daemon.pid"), F_OK) < 0);
	kill(other, SIGKILL);
	waitpid(other, &status, 0);

	/* garbage: nothing signalled, the file kept for the operator */
	unit_write(path("logs/daemon.pid"), "1\n");
	ops_err_clear(&err);
	EQ_INT(ops_daemon_stop(&cfg, 1, &was, &err), -1);
	HAS_STR(err.msg, "not stopping anything: PID file holds PID 1");
	CHECK(access(path("logs/daemon.pid"), F_OK) == 0);
	unlink(path("logs/daemon.pid"));
	ops_config_release(&cfg);
}

/* An agent that ignores SIGTERM: an error without --force, killed with it. */
static void
test_stop_force(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	pid_t pid = 0;
	int was = -1;
	double t0;

	CHECK(config(&cfg, "trap '' TERM;", "6",
	    ", \"stop_timeout\": 0.3") == 0);
	EQ_INT(ops_daemon_start(&cfg, NULL, &pid, &err), 0);
	/* The match is already in sh's own command line: wait until sh has
	 * set its trap and exec'd sleep, or SIGTERM may arrive before it. */
	for (int i = 0; i < 200 && !is_comm(pid, "sleep"); i++)
		usleep(10000);
	ops_err_clear(&err);
	t0 = ops_time_now();
	EQ_INT(ops_daemon_stop(&cfg, 0, &was, &err), -1);
	CHECK(ops_time_now() - t0 < 3);
	HAS_STR(err.msg, "did not stop within");
	HAS_STR(err.msg, "--force");
	EQ_INT(was, 1);
	CHECK(alive(pid));
	CHECK(access(path("logs/daemon.pid"), F_OK) == 0);
	EQ_INT(ops_daemon_stop(&cfg, 1, &was, &err), 0);
	CHECK(!alive(pid));
	CHECK(access(path("logs/daemon.pid"), F_OK) < 0);
	if (pid > 0 && alive(pid))
		kill(pid, SIGKILL);
	ops_config_release(&cfg);
}

static void
test_log_restart(void)
{
	struct ops_config cfg;
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_err err = OPS_ERR_INIT;
	char *text = NULL;
	int64_t n = 0;

	setenv("TZ", "UTC0", 1);
	tzset();
	setenv("DHARMIC_OPS_NOW", "1770074241", 1);
	CHECK(config(&cfg, "", "7", NULL) == 0);
	EQ_INT(ops_daemon_log_restart(&cfg, "manual", &err), 0);
	EQ_INT(ops_daemon_log_restart(&cfg, "auto", &err), 0);
	EQ_INT(ops_fs_read_file(path("logs/restart.log"), 4096, &text, NULL, &err), 0);
	EQ_STR(text, "[2026-02-02 23:17:21] [INFO] restart: manual\n"
	    "[2026-02-02 23:17:21] [INFO] restart: auto\n");
	free(text);
	EQ_INT(ops_state_open(&st, tmp, &err), 0);
	EQ_INT(ops_state_count_events(&st, "restart", 1770074241, &n, &err), 0);
	EQ_INT(n, 2);
	ops_state_close(&st);
	unsetenv("DHARMIC_OPS_NOW");
	ops_config_release(&cfg);
}

int
main(void)
{
	tmp = unit_tmpdir();
	test_env_parse();
	test_start_stop();
	test_start_failures();
	test_stop_refusals();
	test_stop_force();
	test_log_restart();
	unit_cleanup(tmp);
	return unit_done();
}
