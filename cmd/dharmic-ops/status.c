/* dharmic-ops status: the short form of ops-dashboard. */
#include "builtin.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct ops_cli_opt opts[] = {
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops status",
	.synopsis = "" COMMON_SYNOPSIS,
	.about = "The short form of ops-dashboard: the verdict and one line per area.",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

int
cmd_status(int argc, char **argv)
{
	struct ctx c = CTX(&cli);
	struct ops_dash_style st;
	int rc;

	if ((rc = plain(&c, argc, argv)) >= 0)
		return rc;
	/* the dashboard's width, colour, NO_COLOR and TERM=dumb rules */
	setlocale(LC_CTYPE, "");
	ops_dash_style_for(&st, STDOUT_FILENO);
	st.height = 0;	/* a status is short: never cut to the screen */
	return finish(&c, ops_dashboard_status(&c.cfg, &st, &c.out, &c.err));
}
