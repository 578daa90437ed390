#include "ops_daemon.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ops_agentid.h"
#include "ops_fs.h"
#include "ops_state.h"
#include "ops_status.h"
#include "ops_time.h"
#include "ops_units.h"

/* How long a started agent must stay identified to count as up. */
#define START_SETTLE 0.5

static void
nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Stop a child we started that never became the agent: it is ours and not
 * reaped, so its PID cannot have been reused. */
static void
reap_child(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	for (int i = 0; i < 40; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		nap(0.05);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static int
pid_path(const struct ops_config *cfg, char *buf, size_t len, struct ops_err *err)
{
	return ops_config_path(cfg, cfg->daemon.pid_file, buf, len, err);
}

int
ops_daemon_status(const struct ops_config *cfg, struct ops_procinfo *pi,
    struct ops_err *err)
{
	char path[PATH_MAX];
	double mtime = 0;
	pid_t pid;

	struct ops_agent_found f;
	struct ops_err e2 = OPS_ERR_INIT;
	int r;

	if (pid_path(cfg, path, sizeof(path), err) < 0)
		return -1;
	if (ops_pidfile_read(path, &pid, &mtime, err) < 0)
		r = 0;
	else
		r = ops_proc_identify(pid, cfg->daemon.match, mtime, pi, err);
	if (r != 0)
		return r;
	/* The PID file is not the last word: an agent running in its working
	 * directory is the agent, whatever the file says (garbage, stale, a
	 * recycled PID, an old mtime). */
	if (ops_agent_find(cfg, OPS_AGENT_BY_CWD, &f, &e2) == 1 &&
	    ops_proc_identify(f.pid, cfg->daemon.match, 0, pi, &e2) == 1)
		return 1;
	return 0;
}

/* ---- start ----------------------------------------------------------- */

int
ops_env_parse_line(const char *line, char **out)
{
	const char *p = line, *key, *eq, *v;
	size_t klen, vlen;
	char *s;

	*out = NULL;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	if (strncmp(p, "export ", 7) == 0)
		p += 7;
	while (isspace((unsigned char)*p))
		p++;
	key = p;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	eq = p;
	if (eq == key || *eq != '=' || isdigit((unsigned char)*key))
		return -1;
	klen = (size_t)(eq - key);
	v = eq + 1;
	vlen = strlen(v);
	while (vlen > 0 && (v[vlen - 1] == '\n' || v[vlen - 1] == '\r'))
		vlen--;
	if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
		v++;
		vlen -= 2;
	}
	s = malloc(klen + vlen + 2);
	if (s == NULL)
		return -1;
	memcpy(s, key, klen);
	s[klen] = '=';
	memcpy(s + klen + 1, v, vlen);
	s[klen + 1 + vlen] = '\0';
	*out = s;
	return 1;
}

/* In the child, before exec: load the env file. Its values are secrets:
 * they are never printed, and a bad line is reported by number only. */
static int
load_env(const char *path, int *badline)
{
	char line[8192], *kv;
	FILE *f;
	int n = 0, rc;

	f = fopen(path, "re");
	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		n++;
		rc = ops_env_parse_line(line, &kv);
		if (rc < 0) {
			*badline = n;
			fclose(f);
			return -1;
		}
		if (rc == 1 && putenv(kv) != 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* Close every fd from 3 up but keep (the close-on-exec report pipe). */
static void
close_from(int lowfd, int keep)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (d == NULL) {
		for (int fd = lowfd; fd < 1024; fd++)
			if (fd != keep)
				close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (fd >= lowfd && fd != keep && fd != dirfd(d))
			close(fd);
	}
	closedir(d);
}

/* Runs in the child: never returns. Failures go to the parent as
 * "stage errno" through the close-on-exec pipe. */
static void
child(const struct ops_config *cfg, const char *workdir, const char *envfile,
    const char *out, const char *errlog, int report)
{
	sigset_t none;
	int fd, badline = 0, stage = 0;

	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	umask(077);
	stage = 1;
	if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) < 0)
		goto fail;
	stage = 2;
	if ((fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0600)) < 0 ||
	    dup2(fd, 1) < 0)
		goto fail;
	if ((fd = open(errlog, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0600)) < 0 ||
	    dup2(fd, 2) < 0)
		goto fail;
	stage = 3;
	if (chdir(workdir) < 0)
		goto fail;
	stage = 4;
	if (load_env(envfile, &badline) < 0)
		goto fail;
	setenv("DHARMIC_HOME", cfg->home, 1);
	/* Nothing of ours (locks, state database) may leak into the agent;
	 * the report pipe is close-on-exec. */
	close_from(3, report);
	stage = 5;
	execvp(cfg->daemon.command.v[0], cfg->daemon.command.v);
fail:
	{
		int msg[3] = { stage, errno, badline };

		if (report >= 0)
			(void)!write(report, msg, sizeof(msg));
	}
	_exit(127);
}

/* Remove the PID file only if it still names pid (the agent may have been
 * restarted by someone else meanwhile). */
static void
remove_pidfile(const char *path, pid_t pid)
{
	struct ops_err e = OPS_ERR_INIT;
	pid_t now;

	if (ops_pidfile_read(path, &now, NULL, &e) == 0 && now == pid)
		unlink(path);
}

static const char *const stage_what[] = {
	"start", "open /dev/null", "open the daemon's log files",
	"enter the working directory", "load the env file", "run",
};

int
ops_daemon_start(const struct ops_config *cfg,
    const struct ops_daemon_start_opts *o, pid_t *pidp, struct ops_err *err)
{
	char pidfile[PATH_MAX], workdir[PATH_MAX], envfile[PATH_MAX], out[PATH_MAX];
	char errlog[PATH_MAX], logs[PATH_MAX], text[32];
	struct ops_procinfo pi;
	struct ops_err e2 = OPS_ERR_INIT;
	double timeout = o && o->timeout > 0 ? o->timeout : cfg->daemon.start_timeout;
	double started, deadline, up_since = -1;
	int pipefd[2] = { -1, -1 }, msg[3], status, id, rc = -1;
	ssize_t n;
	pid_t pid;

	{
		struct ops_agent_found f;

		/* never a second agent: nor beside a process holding memory */
		if (ops_agent_find(cfg, OPS_AGENT_BY_DB, &f, &e2) == 1)
			return ops_err_set(err, OPS_E_FAIL, "not starting a second agent: %s",
			    f.what);
	}
	if (ops_daemon_status(cfg, &pi, &e2) == 1)
		return ops_err_set(err, OPS_E_FAIL, "the agent is already running (pid %d)",
		    (int)pi.pid);
	if (pid_path(cfg, pidfile, sizeof(pidfile), err) < 0 ||
	    ops_config_path(cfg, cfg->daemon.workdir, workdir, sizeof(workdir), err) < 0 ||
	    ops_config_path(cfg, cfg->daemon.env_file, envfile, sizeof(envfile), err) < 0 ||
	    ops_config_path(cfg, "logs", logs, sizeof(logs), err) < 0 ||
	    ops_path_join(out, sizeof(out), logs, "daemon_stdout.log", err) < 0 ||
	    ops_path_join(errlog, sizeof(errlog), logs, "daemon_stderr.log", err) < 0 ||
	    ops_fs_mkdirs(logs, err) < 0)
		return -1;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ops_err_sys(err, errno, "unable to start the agent");
	/* Deadlines on the monotonic clock (ops_time_now() may be pinned by
	 * $DHARMIC_OPS_NOW); heartbeats compared with the real clock. */
	started = ops_time_real();
	deadline = ops_time_mono() + timeout;
	pid = fork();
	if (pid < 0) {
		ops_err_sys(err, errno, "unable to start the agent");
		goto out;
	}
	if (pid == 0)
		child(cfg, workdir, envfile, out, errlog, pipefd[1]);
	close(pipefd[1]);
	pipefd[1] = -1;
	/* EOF means exec succeeded (the pipe was close-on-exec). */
	while ((n = read(pipefd[0], msg, sizeof(msg))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(msg)) {
		waitpid(pid, &status, 0);
		if (msg[0] == 4 && msg[2] > 0)
			ops_err_set(err, OPS_E_FAIL,
			    "unable to start the agent: %s: malformed line %d",
			    ops_fs_rel(cfg->home, envfile), msg[2]);
		else
			ops_err_sys(err, msg[1], "unable to start the agent: unable to %s%s%s",
			    stage_what[msg[0] < 6 && msg[0] >= 0 ? msg[0] : 0],
			    msg[0] == 5 ? " " : "", msg[0] == 5 ? cfg->daemon.command.v[0] : "");
		goto out;
	}
	snprintf(text, sizeof(text), "%d\n", (int)pid);
	if (ops_fs_write_atomic(pidfile, text, strlen(text), err) < 0)
		goto out;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			ops_err_set(err, OPS_E_FAIL,
			    "the agent exited at once (%s %d); see logs/daemon_stderr.log",
			    WIFEXITED(status) ? "status" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			unlink(pidfile);
			goto out;
		}
		id = ops_proc_identify(pid, cfg->daemon.match, 0, &pi, &e2);
		/* "Up" means identified and still there a moment later: an
		 * agent that dies on a bad config within its first half second
		 * is reported here, not by the next health run. */
		if (id != 1)
			up_since = -1;
		else if (up_since < 0)
			up_since = ops_time_mono();
		if (id == 1 && (ops_time_mono() - up_since >= START_SETTLE ||
		    ops_time_mono() >= deadline) &&
		    (o == NULL || !o->wait_heartbeat ||
		    ops_daemon_wait_healthy(cfg, started, 0, &e2) == 0))
			break;
		if (ops_time_mono() >= deadline) {
			ops_err_set(err, OPS_E_FAIL,
			    "the agent (pid %d) did not come up within %.0fs: %s%s", (int)pid,
			    timeout, e2.msg, id == 1 ? "" : "; stopped it (check daemon.match)");
			if (id != 1) {
				reap_child(pid);
				remove_pidfile(pidfile, pid);
			}
			goto out;
		}
		nap(0.05);
	}
	if (pidp)
		*pidp = pid;
	rc = 0;
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return rc;
}

/* ---- stop ------------------------------------------------------------ */

#ifdef SYS_pidfd_open
static int
pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int
pidfd_signal_(int fd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
}
#endif

/* Identify, then signal through a pidfd opened before the check, so the
 * signal cannot reach a process that took the PID in between. Returns 1
 * signalled, 0 not the agent (err says why), -1 error. */
static int
signal_agent(const struct ops_config *cfg, pid_t pid, double mtime, int sig,
    struct ops_err *err)
{
	struct ops_procinfo pi;
	int fd = -1, id, rc = -1;

#ifdef SYS_pidfd_open
	fd = pidfd_open_(pid);
	if (fd < 0 && errno == ESRCH) {
		ops_err_set(err, OPS_E_FAIL, "PID %d is not running", (int)pid);
		return 0;
	}
#endif
	id = ops_proc_identify(pid, cfg->daemon.match, mtime, &pi, err);
	if (id != 1) {
		rc = id;
		goto out;
	}
#ifdef SYS_pidfd_open
	if (fd >= 0) {
		if (pidfd_signal_(fd, sig) < 0) {
			ops_err_sys(err, errno, "unable to signal PID %d", (int)pid);
			goto out;
		}
		rc = 1;
		goto out;
	}
#endif
	if (kill(pid, sig) < 0) {
		ops_err_sys(err, errno, "unable to signal PID %d", (int)pid);
		goto out;
	}
	rc = 1;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static int
wait_gone(const struct ops_config *cfg, pid_t pid, double mtime, double timeout)
{
	struct ops_err e = OPS_ERR_INIT;
	double deadline = ops_time_mono() + timeout;

	do {
		waitpid(pid, NULL, WNOHANG);	/* reap it if it is our child */
		if (ops_proc_identify(pid, cfg->daemon.match, mtime, NULL, &e) != 1)
			return 1;
		nap(0.05);
	} while (ops_time_mono() < deadline);
	return 0;
}

int
ops_daemon_stop(const struct ops_config *cfg, int force, int *was_running,
    struct ops_err *err)
{
	char path[PATH_MAX], d[32];
	struct ops_err why = OPS_ERR_INIT;
	double mtime = 0;
	pid_t pid;
	int s;

	if (was_running)
		*was_running = 0;
	if (pid_path(cfg, path, sizeof(path), err) < 0)
		return -1;
	if (ops_pidfile_read(path, &pid, &mtime, &why) < 0) {
		if (why.code == OPS_E_NOENT)
			return 0;
		/* Garbage, 0, 1, negative: nothing to signal; leave the file
		 * for the operator to look at, and say so. */
		return ops_err_set(err, OPS_E_FAIL, "not stopping anything: %s (%s)",
		    why.msg, ops_fs_rel(cfg->home, path));
	}
	s = signal_agent(cfg, pid, mtime, SIGTERM, &why);
	if (s < 0) {
		if (err)
			*err = why;
		return -1;
	}
	if (s == 0) {
		/* Not the agent: a stale file. Never signal; remove it. */
		remove_pidfile(path, pid);
		return 0;
	}
	if (was_running)
		*was_running = 1;
	if (wait_gone(cfg, pid, mtime, cfg->daemon.stop_timeout)) {
		remove_pidfile(path, pid);
		return 0;
	}
	if (!force)
		return ops_err_set(err, OPS_E_FAIL,
		    "the agent (pid %d) did not stop within %s (use --force to kill it)",
		    (int)pid, ops_duration_format(cfg->daemon.stop_timeout, d, sizeof(d)));
	s = signal_agent(cfg, pid, mtime, SIGKILL, &why);
	if (s < 0) {
		if (err)
			*err = why;
		return -1;
	}
	if (s == 1 && !wait_gone(cfg, pid, mtime, 5))
		return ops_err_set(err, OPS_E_FAIL, "the agent (pid %d) survived SIGKILL",
		    (int)pid);
	remove_pidfile(path, pid);
	return 0;
}

int
ops_daemon_wait_healthy(const struct ops_config *cfg, double since,
    double timeout, struct ops_err *err)
{
	char path[PATH_MAX];
	struct ops_agent_status as;
	struct ops_procinfo pi;
	double deadline = ops_time_mono() + timeout;

	if (ops_config_path(cfg, cfg->daemon.status_file, path, sizeof(path), err) < 0)
		return -1;
	for (;;) {
		struct ops_err e = OPS_ERR_INIT;
		int alive = ops_daemon_status(cfg, &pi, &e) == 1;

		/* Heartbeat stamps have whole-second precision at worst. */
		if (alive && ops_status_load(path, &as, &e) == 0 &&
		    as.last_heartbeat >= since - 1)
			return 0;
		if (ops_time_mono() >= deadline) {
			if (alive)
				return ops_err_set(err, OPS_E_FAIL,
				    "the agent runs but has not written a heartbeat since it started");
			return ops_err_set(err, OPS_E_FAIL, "the agent is not running: %s", e.msg);
		}
		nap(0.1);
	}
}

int
ops_daemon_log_restart(const struct ops_config *cfg, const char *reason,
    struct ops_err *err)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	char path[PATH_MAX], ts[32], line[256];
	double now = ops_time_now();
	int rc = -1;

	if (ops_state_open(&st, cfg->home, err) < 0 ||
	    ops_state_add_event(&st, now, "restart", reason, err) < 0)
		goto out;
	snprintf(line, sizeof(line), "[%s] [INFO] restart: %s",
	    ops_time_log(now, ts, sizeof(ts)), reason);
	if (ops_config_path(cfg, "logs/restart.log", path, sizeof(path), err) < 0 ||
	    ops_fs_append_line(path, line, err) < 0)
		goto out;
	rc = 0;
out:
	ops_state_close(&st);
	return rc;
}

int
ops_daemon_count_restarts(const struct ops_config *cfg, struct ops_statedb *st,
    double since, double until, int64_t *count, struct ops_err *err)
{
	struct ops_err e = OPS_ERR_INIT;
	char path[PATH_MAX], *tail = NULL;
	int64_t events = 0, logged = 0, after = 0;

	if (st != NULL && (ops_state_count_events(st, "restart", since, &events, err) < 0 ||
	    ops_state_count_events(st, "restart", until, &after, err) < 0))
		return -1;
	events -= after;	/* count_events counts from a time on */
	if (ops_config_path(cfg, "logs/restart.log", path, sizeof(path), err) < 0)
		return -1;
	if (ops_fs_tail(path, 10000, 1 << 20, &tail, &e) == 0) {
		char *line, *save = NULL;
		double t;

		for (line = strtok_r(tail, "\n", &save); line;
		    line = strtok_r(NULL, "\n", &save))
			if (ops_time_log_line(line, &t) == 0 && t >= since && t <= until)
				logged++;
		free(tail);
	}
	*count = events > logged ? events : logged;
	return 0;
}
