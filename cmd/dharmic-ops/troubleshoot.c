/* dharmic-ops troubleshoot: look for known problems, say how to fix each. */
#include "builtin.h"

static const struct ops_cli_opt opts[] = {
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops troubleshoot",
	.synopsis = "" COMMON_SYNOPSIS,
	.about = "Look for known problems in the home and the setup and say how to fix\n"
	    "each. Exits 1 when it found a problem.",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

int
cmd_troubleshoot(int argc, char **argv)
{
	struct ctx c = CTX(&cli);
	struct ops_findings f = OPS_FINDINGS_INIT;
	int rc;

	if ((rc = plain(&c, argc, argv)) >= 0)
		return rc;
	struct ops_trouble_opts to = { c.home };
	rc = ops_trouble_run(&c.cfg, &to, &f, &c.err);
	if (rc == 0)
		ops_findings_format(&c.out, &f);
	rc = finish(&c, rc);
	if (rc == 0 && ops_findings_problems(&f) > 0)
		rc = 1;
	ops_findings_release(&f);
	return rc;
}
