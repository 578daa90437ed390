/* dharmic-ops install: run the agent as a systemd user unit or LaunchAgent. */
#include "builtin.h"

int
cmd_install(int argc, char **argv)
{
	return unit(argc, argv, 1);
}
