/* dharmic-ops cron-uninstall: take the schedule out of the crontab. */
#include "builtin.h"

int
cmd_cron_uninstall(int argc, char **argv)
{
	struct ctx c = CTX("usage: dharmic-ops cron-uninstall" COMMON_USAGE);
	int rc, removed = 0;

	if ((rc = plain(&c, argc, argv)) >= 0)
		return rc;
	rc = ops_crontab_uninstall(&removed, &c.err);
	if (rc == 0)
		ops_buf_puts(&c.out, removed ? "removed the dharmic-ops schedule from your "
		    "crontab\n" : "no dharmic-ops schedule in your crontab; nothing changed\n");
	audit_verb(&c, "cron-uninstall", rc, NULL);
	return finish(&c, rc);
}
