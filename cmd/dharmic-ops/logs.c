/* dharmic-ops logs: show or follow a log. */
#include "builtin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int
emit(void *arg, const char *data, size_t len)
{
	(void)arg;
	return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
}

int
cmd_logs(int argc, char **argv)
{
	static const struct option lo[] = { COMMON_LONG,
		{ "follow", no_argument, NULL, 'f' },
		{ "lines", required_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	struct ctx c = CTX("usage: dharmic-ops logs KIND [-f] [-n N]" COMMON_USAGE
	    "kinds: daemon runtime email (today's file), alerts health backup rotation "
	    "restart cron\n");
	struct ops_logs_opts lo_ = { 50, 0, 0 };
	char *end;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "fn:" COMMON_SHORT, lo, NULL)) != -1) {
		if (ch == 'f') {
			lo_.follow = 1;
		} else if (ch == 'n') {
			errno = 0;
			lo_.lines = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-') {
				fprintf(stderr, "dharmic-ops: invalid line count '%s'\n", optarg);
				return 2;
			}
		} else if ((rc = common(&c, ch)) >= 0) {
			return rc;
		}
	}
	if ((rc = setup(&c, argc, argv, 1)) >= 0)
		return rc;
	return finish(&c, ops_logs_show(&c.cfg, argv[optind], &lo_, emit, NULL, &c.err));
}
