/* dharmic-ops troubleshoot: look for known problems, say how to fix each. */
#include "builtin.h"

int
cmd_troubleshoot(int argc, char **argv)
{
	struct ctx c = CTX("usage: dharmic-ops troubleshoot" COMMON_USAGE);
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
