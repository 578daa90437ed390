/* dharmic-ops uninstall: remove the systemd user unit or LaunchAgent. */
#include "builtin.h"

static const struct ops_cli_opt opts[] = {
	{ "serve", 's', 0, NULL, "the unit of `ops-dashboard serve` instead of the agent's" },
	{ "format", 'F', 0, "systemd|launchd", "the service manager (default: this "
	  "system's)" },
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops uninstall",
	.synopsis = "[--serve] [--format systemd|launchd]\n " COMMON_SYNOPSIS,
	.about = "Remove the systemd user unit (macOS: the LaunchAgent) that install\n"
	    "wrote.",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

int
cmd_uninstall(int argc, char **argv)
{
	return unit(argc, argv, &cli, 0);
}
