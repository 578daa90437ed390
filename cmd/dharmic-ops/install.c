/* dharmic-ops install: run the agent as a systemd user unit or LaunchAgent. */
#include "builtin.h"

static const struct ops_cli_opt opts[] = {
	{ "print", 'p', 0, NULL, "print the unit instead of installing it" },
	{ "serve", 's', 0, NULL, "the unit of `ops-dashboard serve` instead of the agent's" },
	{ "format", 'F', 0, "systemd|launchd", "the service manager (default: this "
	  "system's)" },
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops install",
	.synopsis = "[--serve] [--print] [--format systemd|launchd]\n " COMMON_SYNOPSIS,
	.about = "Run the agent as a systemd user unit (macOS: a LaunchAgent), restarted\n"
	    "when it fails.",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

int
cmd_install(int argc, char **argv)
{
	return unit(argc, argv, &cli, 1);
}
