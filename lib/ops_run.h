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
 * NULL). -1 only when it could not be started. */
int ops_run(char *const argv[], char *const env[], const char *input,
    double timeout, size_t max_output, struct ops_run_result *res,
    struct ops_err *err);
void ops_run_result_release(struct ops_run_result *res);

#endif
