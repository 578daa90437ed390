/* dharmic-ops report: the weekly health report. */
#include "builtin.h"

#include <limits.h>

static const struct ops_cli_opt opts[] = {
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops report",
	.synopsis = "" COMMON_SYNOPSIS,
	.about = "Write the weekly health report (reports/weekly_health_DATE.log)\n"
	    "against the success metrics, and print it.",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

int
cmd_report(int argc, char **argv)
{
	struct ctx c = CTX(&cli);
	char path[PATH_MAX];
	int rc;

	if ((rc = plain(&c, argc, argv)) >= 0)
		return rc;
	return finish(&c, ops_weekly_report(&c.cfg, ops_time_now(), &c.out, path,
	    sizeof(path), &c.err));
}
