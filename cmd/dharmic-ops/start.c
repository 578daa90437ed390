/* dharmic-ops start: start the agent. */
#include "builtin.h"

static const struct ops_cli_opt opts[] = {
	{ "wait-heartbeat", 'w', 0, NULL, "wait until the agent has written its first heartbeat (daemon.start_timeout)" },
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops start",
	.synopsis = "[--wait-heartbeat] " COMMON_SYNOPSIS,
	.about = "Start the agent (daemon.command) in its own session, its output in\n"
	    "logs/daemon_stdout.log and logs/daemon_stderr.log, unless it runs.",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

int
cmd_start(int argc, char **argv)
{
	return service(argc, argv, "start", &cli, ops_service_start);
}
