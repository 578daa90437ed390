/* dharmic-ops cron-install: put the schedule in the user's crontab. */
#include "builtin.h"

#include <limits.h>
#include <stdio.h>

static const struct ops_cli_opt opts[] = {
	{ "print", 'p', 0, NULL, "print the crontab it would install, change nothing" },
	{ "template", 't', 0, "FILE", "the schedule to install (default: the installed "
	  "dharmic-ops.crontab)" },
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops cron-install",
	.synopsis = "[--print] [--template FILE]\n " COMMON_SYNOPSIS,
	.about = "Put the schedule of checks, alerts, backups, rotation and the weekly\n"
	    "report in your crontab, replacing an earlier dharmic-ops block.",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

int
cmd_cron_install(int argc, char **argv)
{
	struct ctx c = CTX(&cli);
	struct ops_crontab_opts co = { NULL, NULL, NULL, 0 };
	char bindir[PATH_MAX];
	int ch, rc, changed = 0;

	while ((ch = next(&c, argc, argv)) != -1) {
		if (ch == 'p')
			co.print = 1;
		else if (ch == 't')
			co.tmpl = optarg;
		else if ((rc = common(&c, ch)) >= 0)
			return rc;
	}
	if ((rc = setup(&c, argc, argv, 0)) >= 0)
		return rc;
	if (self_dir(bindir, sizeof(bindir)) < 0) {
		fprintf(stderr, "%s: unable to find the program directory\n", cli.prog);
		ops_config_release(&c.cfg);
		return 1;
	}
	co.home = c.cfg.home;
	co.bindir = bindir;
	rc = ops_crontab_install(&co, &c.out, &changed, &c.err);
	if (rc == 0 && !co.print) {
		ops_buf_reset(&c.out);
		ops_buf_puts(&c.out, changed ? "installed the dharmic-ops schedule in your "
		    "crontab\n" : "the dharmic-ops schedule is already in your crontab; "
		    "nothing changed\n");
	}
	if (!co.print)
		audit_verb(&c, "cron-install", rc, NULL);
	return finish(&c, rc);
}
