/* dharmic-ops restart: stop and start the agent. */
#include "builtin.h"

static const struct ops_cli_opt opts[] = {
	{ "force", 'f', 0, NULL, "SIGKILL the agent if it is still running after daemon.stop_timeout" },
	{ "wait-heartbeat", 'w', 0, NULL, "wait until the agent has written its first heartbeat (daemon.start_timeout)" },
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops restart",
	.synopsis = "[--force] [--wait-heartbeat]\n " COMMON_SYNOPSIS,
	.about = "Stop the agent, then start it (see dharmic-ops stop and start).",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

int
cmd_restart(int argc, char **argv)
{
	return service(argc, argv, "restart", &cli, ops_service_restart);
}
