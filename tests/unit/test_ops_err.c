/* ops_err: messages, codes and exit statuses. */
#include "ops_err.h"

#include "unit.h"

int
main(void)
{
	struct ops_err err = OPS_ERR_INIT;
	char long_name[2000];

	EQ_INT(err.code, OPS_E_NONE);
	EQ_INT(ops_err_exit_code(&err), 0);

	EQ_INT(ops_err_set(&err, OPS_E_USAGE, "%s: '%s': expected %s", "ops.json",
	    "health.disk_warn", "a size"), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	EQ_INT(err.sys_errno, 0);
	EQ_STR(err.msg, "ops.json: 'health.disk_warn': expected a size");
	EQ_INT(ops_err_exit_code(&err), 2);

	EQ_INT(ops_err_sys(&err, EACCES, "unable to open '%s'", "memory/memory.db"), -1);
	EQ_INT(err.code, OPS_E_FAIL);
	EQ_INT(err.sys_errno, EACCES);
	EQ_STR(err.msg, "unable to open 'memory/memory.db': Permission denied");
	EQ_INT(ops_err_exit_code(&err), 1);

	/* ENOENT is its own code, still exit 1 */
	EQ_INT(ops_err_sys(&err, ENOENT, "unable to open '%s'", "x"), -1);
	EQ_INT(err.code, OPS_E_NOENT);
	EQ_STR(err.msg, "unable to open 'x': No such file or directory");
	EQ_INT(ops_err_exit_code(&err), 1);
	/* errno 0: no strerror */
	EQ_INT(ops_err_sys(&err, 0, "plain"), -1);
	EQ_STR(err.msg, "plain");

	EQ_INT(ops_err_set(&err, OPS_E_LOCKED, "another run holds '%s'", ".ops/x.lock"), -1);
	EQ_INT(ops_err_exit_code(&err), 75);

	/* prefix keeps the code */
	EQ_INT(ops_err_prefix(&err, "backup %s", "create"), -1);
	EQ_STR(err.msg, "backup create: another run holds '.ops/x.lock'");
	EQ_INT(err.code, OPS_E_LOCKED);

	ops_err_clear(&err);
	EQ_INT(err.code, OPS_E_NONE);
	EQ_STR(err.msg, "");
	EQ_INT(err.sys_errno, 0);

	/* too long: cut, NUL-terminated */
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	ops_err_sys(&err, EIO, "unable to read '%s'", long_name);
	EQ_INT(strlen(err.msg), sizeof(err.msg) - 1);
	ops_err_prefix(&err, "%s", long_name);
	EQ_INT(strlen(err.msg), sizeof(err.msg) - 1);

	/* NULL is allowed everywhere */
	EQ_INT(ops_err_set(NULL, OPS_E_FAIL, "x"), -1);
	EQ_INT(ops_err_sys(NULL, EIO, "x"), -1);
	EQ_INT(ops_err_prefix(NULL, "x"), -1);
	ops_err_clear(NULL);
	return unit_done();
}
