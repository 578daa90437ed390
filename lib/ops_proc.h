/* ops_proc: is the PID in the PID file our agent?
 *
 * Nothing here sends a signal. A PID is the agent only when its process
 * exists, is not a zombie, its command line contains daemon.match, and it
 * started no later than the PID file was written (a PID reused by a later
 * process fails that test). Linux: /proc. */
#ifndef OPS_PROC_H
#define OPS_PROC_H

#include <sys/types.h>

#include "ops_err.h"

/* Read a PID file: one decimal PID > 1, optional surrounding white space.
 * -1 with the reason ("garbage", "PID 1", ...) otherwise. *mtime gets the
 * file's modification time. */
int ops_pidfile_read(const char *path, pid_t *pid, double *mtime,
    struct ops_err *err);

/* Parse the text of a PID file (also used by the fuzzer). */
int ops_pid_parse(const char *text, pid_t *pid, struct ops_err *err);

struct ops_procinfo {
	pid_t pid;
	double start;		/* process start, epoch seconds */
	char cmdline[512];	/* argv joined by spaces, truncated */
};

/* 1: pid is the agent (info filled); 0: it is not, err says why
 * ("no process", "a zombie", "'sleep 100' does not match 'daemon.py'",
 * "started after the PID file was written"); -1: could not tell.
 * not_after <= 0 skips the start-time test. */
int ops_proc_identify(pid_t pid, const char *match, double not_after,
    struct ops_procinfo *info, struct ops_err *err);

#endif
