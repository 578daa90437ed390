#include "ops_err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ops_sanitize.h"

void
ops_err_clear(struct ops_err *err)
{
	if (err == NULL)
		return;
	err->code = OPS_E_NONE;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}

static void vset(struct ops_err *err, enum ops_errcode code, int errnum,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void
vset(struct ops_err *err, enum ops_errcode code, int errnum, const char *fmt,
    va_list ap)
{
	size_t len;

	err->code = code;
	err->sys_errno = errnum;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (errnum != 0) {
		len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
		    strerror(errnum));
	}
	/* Messages quote file and member names from outside: one line, no
	 * escape sequence, whatever the name holds. */
	ops_san_inplace(err->msg, OPS_SAN_LINE);
}

int
ops_err_set(struct ops_err *err, enum ops_errcode code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vset(err, code, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int
ops_err_sys(struct ops_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vset(err, errnum == ENOENT ? OPS_E_NOENT : OPS_E_FAIL, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int
ops_err_prefix(struct ops_err *err, const char *fmt, ...)
{
	struct ops_err old;
	size_t len;
	va_list ap;

	if (err == NULL)
		return -1;
	old = *err;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", old.msg);
	ops_san_inplace(err->msg, OPS_SAN_LINE);
	return -1;
}

int
ops_err_exit_code(const struct ops_err *err)
{
	switch (err->code) {
	case OPS_E_NONE:
		return 0;
	case OPS_E_USAGE:
		return 2;
	case OPS_E_LOCKED:
		return 75;
	case OPS_E_FAIL:
	case OPS_E_NOENT:
		break;
	}
	return 1;
}
