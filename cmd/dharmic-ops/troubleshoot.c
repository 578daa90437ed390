/* dharmic-ops troubleshoot [CHECK]: look for known problems, say how to fix
 * each; with a check's name, its state and the log context of its
 * incident (ops_context.h). */
#include "builtin.h"

static const struct ops_cli_opt opts[] = {
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops troubleshoot",
	.synopsis = "" COMMON_SYNOPSIS " [CHECK]",
	.about = "Look for known problems in the home and the setup and say how to fix\n"
	    "each. Exits 1 when it found a problem. With CHECK: that check's last\n"
	    "state and the log lines captured when it failed (its context).",
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

	int ch;

	while ((ch = next(&c, argc, argv)) != -1)
		if ((rc = common(&c, ch)) >= 0)
			return rc;
	if ((rc = setup(&c, argc, argv, argc - optind > 0 ? 1 : 0)) >= 0)
		return rc;
	if (argc > optind) {
		rc = ops_context_show(&c.cfg, argv[optind], &c.out, &c.err);
		return rc < 0 ? finish(&c, rc) : finish(&c, 0) == 0 ? rc : 1;
	}
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
