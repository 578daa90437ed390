/* ops_err: the error every libops function fills instead of printing.
 *
 * A function that fails returns -1 (or NULL) and leaves a one-line message
 * in its struct ops_err, lowercase, naming what failed first:
 *   unable to open 'memory/memory.db': disk I/O error
 * cmd/ prints err.msg once and maps err.code to an exit status. */
#ifndef OPS_ERR_H
#define OPS_ERR_H

#include <stddef.h>

enum ops_errcode {
	OPS_E_NONE = 0,
	OPS_E_FAIL,	/* the operation failed (I/O, a dependency, bad data) */
	OPS_E_USAGE,	/* bad usage or bad configuration */
	OPS_E_LOCKED,	/* another run holds the lock */
	OPS_E_NOENT,	/* something that should exist does not */
};

struct ops_err {
	enum ops_errcode code;
	int sys_errno;		/* errno at the failure, 0 when none */
	char msg[1024];
};

#define OPS_ERR_INIT { OPS_E_NONE, 0, { 0 } }

void ops_err_clear(struct ops_err *err);

/* Set code and message; returns -1 so callers can `return ops_err_set(...)`.
 * err may be NULL (the message is dropped). */
int ops_err_set(struct ops_err *err, enum ops_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like ops_err_set with OPS_E_FAIL, appending ": strerror(errnum)". */
int ops_err_sys(struct ops_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix the existing message with context: "CONTEXT: old message". */
int ops_err_prefix(struct ops_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Map an error to the exit codes of SPEC §5 for programs other than
 * ops-health: 1 failed, 2 usage/config, 75 locked. */
int ops_err_exit_code(const struct ops_err *err);

#endif
