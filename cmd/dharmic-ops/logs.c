/* dharmic-ops logs: show or follow a log. */
#include "builtin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static const struct ops_cli_opt opts[] = {
	{ "follow", 'f', 1, NULL, "keep printing what is appended (Ctrl-C stops)" },
	{ "lines", 'n', 1, "N", "print the last N lines (default: 50)" },
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops logs",
	.synopsis = "KIND [-f] [-n N] " COMMON_SYNOPSIS,
	.about = "Show or follow one of the agent's logs. KIND: daemon runtime email\n"
	    "(today's file), alerts health backup rotation restart cron.",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

static int
emit(void *arg, const char *data, size_t len)
{
	(void)arg;
	return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
}

int
cmd_logs(int argc, char **argv)
{
	struct ctx c = CTX(&cli);
	struct ops_logs_opts lo_ = { 50, 0, 0 };
	char *end;
	int ch, rc;

	while ((ch = next(&c, argc, argv)) != -1) {
		if (ch == 'f') {
			lo_.follow = 1;
		} else if (ch == 'n') {
			errno = 0;
			lo_.lines = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-')
				return cli_error(&cli, 2, "invalid line count '%s' (a number "
				    "of lines)", optarg);
		} else if ((rc = common(&c, ch)) >= 0) {
			return rc;
		}
	}
	if (argc - optind < 1)
		return cli_error(&cli, 2, "which log? (daemon runtime email alerts health "
		    "backup rotation restart cron)");
	if ((rc = setup(&c, argc, argv, 1)) >= 0)
		return rc;
	return finish(&c, ops_logs_show(&c.cfg, argv[optind], &lo_, emit, NULL, &c.err));
}
