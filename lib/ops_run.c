#include "ops_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* write(2) to the child's stdin without dying of SIGPIPE when it has
 * exited or closed its input: block the signal for the call and take back
 * the one the write raised (one already pending is left alone). */
static ssize_t
write_nosigpipe(int fd, const void *buf, size_t len)
{
	sigset_t pipe_set, old, pending;
	struct timespec zero = { 0, 0 };
	int was_pending, e;
	ssize_t n;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	n = write(fd, buf, len);
	e = errno;
	if (n < 0 && e == EPIPE && !was_pending)
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return n;
}

static void
child(char *const argv[], char *const env[], int in_fd, int out_fd)
{
	sigset_t none;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(127);
	for (size_t i = 0; env && env[i]; i++)
		putenv(env[i]);
	execvp(argv[0], argv);
	_exit(errno == ENOENT ? 127 : 126);
}

/* How long output is still read once the child has exited: what it wrote
 * just before exiting is in the pipe; a background process it left
 * holding the pipe does not make it "still running". */
#define DRAIN_SECONDS 0.25

static void
take(struct ops_run_result *res, char *buf, size_t max_output, const char *tmp,
    size_t n)
{
	if (res->output_len < max_output) {
		if (n > max_output - res->output_len)
			n = max_output - res->output_len;
		memcpy(buf + res->output_len, tmp, n);
		res->output_len += n;
	}
}

int
ops_run_ex(char *const argv[], char *const env[], const char *input,
    double timeout, size_t max_output, int flags, struct ops_run_result *res,
    struct ops_err *err)
{
	int out[2] = { -1, -1 }, in[2] = { -1, -1 }, wstatus = 0, rc = -1;
	int reaped = 0;
	size_t in_len = input ? strlen(input) : 0, in_off = 0;
	double deadline = mono() + timeout, drain_end = 0;
	char *buf = NULL;
	pid_t pid = -1;

	memset(res, 0, sizeof(*res));
	buf = malloc(max_output + 1);
	if (buf == NULL)
		return ops_err_sys(err, errno, "unable to run '%s'", argv[0]);
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(in, O_CLOEXEC) < 0) {
		ops_err_sys(err, errno, "unable to run '%s'", argv[0]);
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		ops_err_sys(err, errno, "unable to run '%s'", argv[0]);
		goto out;
	}
	if (pid == 0)
		child(argv, env, in[0], out[1]);
	setpgid(pid, pid);	/* also in the parent: no race with the kill below */
	close(out[1]);
	close(in[0]);
	out[1] = in[0] = -1;
	if (in_len == 0) {
		close(in[1]);
		in[1] = -1;
	} else {
		fcntl(in[1], F_SETFL, O_NONBLOCK);
	}
	/* Done is the child's exit status, not the pipe's end: a plugin that
	 * exits 0 leaving a background child on its stdout is done. */
	while (out[0] >= 0) {
		struct pollfd pfd[2];
		double now = mono(), left;
		int nfds = 0;

		if (!reaped && waitpid(pid, &wstatus, WNOHANG) == pid) {
			reaped = 1;
			drain_end = now + DRAIN_SECONDS;
			if (in[1] >= 0) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (reaped && now >= drain_end)
			break;
		if (!reaped && now >= deadline) {
			res->timed_out = 1;
			kill(-pid, SIGKILL);
			break;
		}
		left = reaped ? drain_end - now : deadline - now;
		if (!reaped && left > 0.02)
			left = 0.02;	/* look at the child's status this often */
		pfd[nfds++] = (struct pollfd){ .fd = out[0], .events = POLLIN };
		if (in[1] >= 0)
			pfd[nfds++] = (struct pollfd){ .fd = in[1], .events = POLLOUT };
		if (poll(pfd, (nfds_t)nfds, (int)(left * 1000) + 1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (nfds == 2 && pfd[1].revents) {
			ssize_t n = write_nosigpipe(in[1], input + in_off, in_len - in_off);

			if (n > 0)
				in_off += (size_t)n;
			if (n < 0 || in_off == in_len) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (pfd[0].revents) {
			char tmp[4096];
			ssize_t n = read(out[0], tmp, sizeof(tmp));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(out[0]);
				out[0] = -1;
				break;
			}
			take(res, buf, max_output, tmp, (size_t)n);
		}
	}
	/* Output closed: the child may still run (it closed stdout); wait
	 * for it within the same deadline. */
	while (!reaped) {
		pid_t w = waitpid(pid, &wstatus, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (!res->timed_out && mono() >= deadline) {
			res->timed_out = 1;
			kill(-pid, SIGKILL);
		}
		if (res->timed_out) {
			waitpid(pid, &wstatus, 0);
			break;
		}
		usleep(2000);
	}
	/* The group is ours (setpgid above): what the child left behind in it
	 * goes with it, unless the caller launches something meant to stay. */
	if (!(flags & OPS_RUN_LEAVE_GROUP))
		kill(-pid, SIGKILL);
	if (WIFEXITED(wstatus)) {
		res->exited = 1;
		res->status = WEXITSTATUS(wstatus);
	} else if (WIFSIGNALED(wstatus)) {
		res->status = WTERMSIG(wstatus);
	}
	buf[res->output_len] = '\0';
	res->output = buf;
	buf = NULL;
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (in[i] >= 0)
			close(in[i]);
	}
	free(buf);
	return rc;
}

int
ops_run(char *const argv[], char *const env[], const char *input,
    double timeout, size_t max_output, struct ops_run_result *res,
    struct ops_err *err)
{
	return ops_run_ex(argv, env, input, timeout, max_output, 0, res, err);
}

void
ops_run_result_release(struct ops_run_result *res)
{
	if (res == NULL)
		return;
	free(res->output);
	res->output = NULL;
}
