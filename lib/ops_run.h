/* ops_run: run a command (argv, never a shell) with a time limit.
 *
 * The child gets stdin from /dev/null (or the given input), its own
 * process group (so a timeout kills the whole group, a group we created),
 * and no fd of ours but 0-2: ours are all close-on-exec. */
#ifndef OPS_RUN_H
#define OPS_RUN_H

#include <stddef.h>

#include "ops_err.h"

struct ops_run_result {
	int exited;		/* 1: exited normally, code in status */
	int status;		/* exit code, or the signal number */
	int timed_out;
	char *output;		/* stdout+stderr, first max_output bytes; caller frees */
	size_t output_len;
};

/* Run argv[0] (searched in PATH) with extra environment entries env
 * ("K=V", NULL-terminated, may be NULL) and input on its stdin (may be
 * NULL). -1 only when it could not be started.
 *
 * The run is over when the child exits (reaped, its exit status is the
 * result), not when its output closes: output is read until then and for
 * a short drain (0.25 s) after, then the child's process group is killed
 * (SIGKILL), so a background process it left holding stdout neither makes
 * it "timed out" nor outlives it. Past timeout the group is killed and
 * the result is timed_out. */
int ops_run(char *const argv[], char *const env[], const char *input,
    double timeout, size_t max_output, struct ops_run_result *res,
    struct ops_err *err);

/* flags for ops_run_ex */
#define OPS_RUN_LEAVE_GROUP 1	/* do not kill the group after the exit:
				 * the command starts something meant to
				 * stay (a browser, systemctl start) */

int ops_run_ex(char *const argv[], char *const env[], const char *input,
    double timeout, size_t max_output, int flags, struct ops_run_result *res,
    struct ops_err *err);
void ops_run_result_release(struct ops_run_result *res);

#endif
