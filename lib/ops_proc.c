#include "ops_proc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ops_fs.h"

int
ops_pid_parse(const char *text, pid_t *pid, struct ops_err *err)
{
	const char *p = text;
	long long v = 0;
	int digits = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-')
		return ops_err_set(err, OPS_E_FAIL, "PID file holds a negative PID");
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p++ - '0');
		if (v > INT_MAX)
			return ops_err_set(err, OPS_E_FAIL, "PID file holds an out-of-range PID");
		digits++;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (digits == 0 || *p != '\0')
		return ops_err_set(err, OPS_E_FAIL, "PID file holds garbage, not a PID");
	if (v <= 1)
		return ops_err_set(err, OPS_E_FAIL, "PID file holds PID %lld", v);
	*pid = (pid_t)v;
	return 0;
}

int
ops_pidfile_read(const char *path, pid_t *pid, double *mtime, struct ops_err *err)
{
	struct stat st;
	char *text = NULL;
	int rc = -1;

	if (ops_fs_read_file(path, 64, &text, NULL, err) < 0) {
		if (err && err->code == OPS_E_NOENT)
			ops_err_set(err, OPS_E_NOENT, "no PID file");
		goto out;
	}
	if (lstat(path, &st) < 0) {
		ops_err_sys(err, errno, "unable to stat '%s'", path);
		goto out;
	}
	if (mtime)
		*mtime = (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
	rc = ops_pid_parse(text, pid, err);
out:
	free(text);
	return rc;
}

static double
boot_time(void)
{
	char line[256];
	double bt = -1;
	FILE *f = fopen("/proc/stat", "re");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "btime ", 6) == 0) {
			bt = strtod(line + 6, NULL);
			break;
		}
	fclose(f);
	return bt;
}

/* State and start time from /proc/PID/stat. The command name (field 2)
 * may hold spaces and parentheses: parse from the last ')'. */
static int
read_stat(pid_t pid, char *state, double *start)
{
	char path[64], buf[1024], *p;
	unsigned long long ticks;
	ssize_t n;
	int fd, field;
	double bt;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return -1;
	p += 2;
	*state = *p;
	/* p is at field 3; starttime is field 22 */
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p == NULL)
		return -1;
	ticks = strtoull(p, NULL, 10);
	bt = boot_time();
	if (bt < 0)
		return -1;
	*start = bt + (double)ticks / (double)sysconf(_SC_CLK_TCK);
	return 0;
}

static int
read_cmdline(pid_t pid, char *out, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, out, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	out[n] = '\0';
	while (n > 0 && out[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (out[i] == '\0')
			out[i] = ' ';
	return 0;
}

int
ops_proc_identify(pid_t pid, const char *match, double not_after,
    struct ops_procinfo *info, struct ops_err *err)
{
	struct ops_procinfo tmp;
	char state;

	memset(&tmp, 0, sizeof(tmp));
	tmp.pid = pid;
	if (read_stat(pid, &state, &tmp.start) < 0) {
		if (errno == ENOENT || errno == ESRCH || errno == 0) {
			ops_err_set(err, OPS_E_FAIL, "PID %d is not running", (int)pid);
			return 0;
		}
		return ops_err_sys(err, errno, "unable to read /proc/%d/stat", (int)pid);
	}
	if (state == 'Z' || state == 'X') {
		ops_err_set(err, OPS_E_FAIL, "PID %d is a zombie (the agent has exited)",
		    (int)pid);
		return 0;
	}
	/* A process in the middle of execve(2) shows an empty command line
	 * for a moment; only a kernel thread has none for good. Look again
	 * for up to 100 ms before judging. */
	for (int tries = 0;; tries++) {
		if (read_cmdline(pid, tmp.cmdline, sizeof(tmp.cmdline)) < 0) {
			ops_err_set(err, OPS_E_FAIL, "PID %d is not running", (int)pid);
			return 0;
		}
		if (tmp.cmdline[0] != '\0' || tries == 20)
			break;
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
	if (strstr(tmp.cmdline, match) == NULL) {
		ops_err_set(err, OPS_E_FAIL,
		    "PID %d is not the agent: '%.80s' does not match '%s'", (int)pid,
		    tmp.cmdline[0] ? tmp.cmdline : "(kernel thread)", match);
		return 0;
	}
	/* Start times come in clock ticks against a whole-second boot time:
	 * allow a second of slack. */
	if (not_after > 0 && tmp.start > not_after + 1.0) {
		ops_err_set(err, OPS_E_FAIL,
		    "PID %d was reused: its process started after the PID file was written",
		    (int)pid);
		return 0;
	}
	if (info)
		*info = tmp;
	return 1;
}
