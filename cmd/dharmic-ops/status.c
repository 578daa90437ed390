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

/* The copies of memory/ ops-restore set aside, when there are any. */
static void
aside_line(const struct ops_config *cfg, struct ops_buf *out)
{
	struct ops_aside_list l = OPS_ASIDE_LIST_INIT;
	struct ops_err e = OPS_ERR_INIT;
	double now = ops_time_now();
	size_t old;

	if (ops_aside_scan(cfg, now, &l, &e) < 0) {
		ops_buf_printf(out, "aside     unable to list memory.pre-restore.*: %s\n", e.msg);
	} else if (l.n > 0) {
		ops_buf_puts(out, "aside     ");
		ops_aside_summary(&l, now, out);
		old = ops_aside_count(&l, OPS_ASIDE_PRUNE);
		if (old > 0)
			ops_buf_printf(out, "; %zu older than restore.keep_aside", old);
		ops_buf_puts(out, "\n");
	}
	ops_aside_list_release(&l);
}

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
	rc = ops_dashboard_status(&c.cfg, &st, &c.out, &c.err);
	if (rc == 0)
		aside_line(&c.cfg, &c.out);
	return finish(&c, rc);
}
