/* dharmic-ops cron-uninstall: take the schedule out of the crontab. */
#include "builtin.h"

static const struct ops_cli_opt opts[] = {
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops cron-uninstall",
	.synopsis = "" COMMON_SYNOPSIS,
	.about = "Take the dharmic-ops schedule out of your crontab.",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

int
cmd_cron_uninstall(int argc, char **argv)
{
	struct ctx c = CTX(&cli);
	int rc, removed = 0;

	if ((rc = plain(&c, argc, argv)) >= 0)
		return rc;
	rc = ops_crontab_uninstall(c.cfg.home, &removed, &c.err);
	if (rc == 0)
		ops_buf_puts(&c.out, removed ? "removed the dharmic-ops schedule from your "
		    "crontab\n" : "no dharmic-ops schedule in your crontab; nothing changed\n");
	audit_verb(&c, "cron-uninstall", rc, NULL);
	return finish(&c, rc);
}
