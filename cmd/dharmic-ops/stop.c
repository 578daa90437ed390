/* dharmic-ops stop: stop the agent. */
#include "builtin.h"

static const struct ops_cli_opt opts[] = {
	{ "force", 'f', 0, NULL, "SIGKILL the agent if it is still running after daemon.stop_timeout" },
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops stop",
	.synopsis = "[--force] " COMMON_SYNOPSIS,
	.about = "Stop the agent: SIGTERM, then wait daemon.stop_timeout.",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

int
cmd_stop(int argc, char **argv)
{
	return service(argc, argv, "stop", &cli, ops_service_stop);
}
