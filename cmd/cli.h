/* cli.h: printing the help and usage errors of an ops_cli table, shared by
 * every program in cmd/ (a header, as every cmd/NAME.c is a program). The one error
 * prefix of a program is its ops_cli prog: "ops-health: ...",
 * "dharmic-ops status: ...". */
#ifndef OPS_CMD_CLI_H
#define OPS_CMD_CLI_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "ops.h"

/* Set up c or die: a bad table is a programming error. */
static inline void
cli_init(struct ops_cli *c)
{
	struct ops_err err = OPS_ERR_INIT;

	if (ops_cli_init(c, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		abort();
	}
}

/* --help: the full screen on stdout; the exit code. */
static inline int
cli_help(const struct ops_cli *c)
{
	struct ops_buf b = OPS_BUF_INIT;

	ops_cli_help(&b, c);
	fputs(ops_buf_str(&b), stdout);
	ops_buf_release(&b);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

/* "PROG: what was wrong", the synopsis and where to read more, on
 * stderr; returns code. */
static inline int __attribute__((format(printf, 3, 4)))
cli_error(const struct ops_cli *c, int code, const char *fmt, ...)
{
	struct ops_buf b = OPS_BUF_INIT;
	va_list ap;

	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ops_cli_usage(&b, c);
	fputs(ops_buf_str(&b), stderr);
	ops_buf_release(&b);
	return code;
}

#endif
