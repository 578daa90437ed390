/* dharmic-ops report: the weekly health report. */
#include "builtin.h"

#include <limits.h>

int
cmd_report(int argc, char **argv)
{
	struct ctx c = CTX("usage: dharmic-ops report" COMMON_USAGE);
	char path[PATH_MAX];
	int rc;

	if ((rc = plain(&c, argc, argv)) >= 0)
		return rc;
	return finish(&c, ops_weekly_report(&c.cfg, ops_time_now(), &c.out, path,
	    sizeof(path), &c.err));
}
