/* dharmic-ops cron-install: put the schedule in the user's crontab. */
#include "builtin.h"

#include <limits.h>
#include <stdio.h>

int
cmd_cron_install(int argc, char **argv)
{
	static const struct option lo[] = { COMMON_LONG,
		{ "print", no_argument, NULL, 'p' },
		{ "template", required_argument, NULL, 't' }, { NULL, 0, NULL, 0 } };
	struct ctx c = CTX("usage: dharmic-ops cron-install [--print] [--template FILE]"
	    COMMON_USAGE);
	struct ops_crontab_opts co = { NULL, NULL, NULL, 0 };
	char bindir[PATH_MAX];
	int ch, rc, changed = 0;

	while ((ch = getopt_long(argc, argv, COMMON_SHORT, lo, NULL)) != -1) {
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
		fprintf(stderr, "dharmic-ops: unable to find the program directory\n");
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
