/* dharmic-ops uninstall: remove the systemd user unit or LaunchAgent. */
#include "builtin.h"

int
cmd_uninstall(int argc, char **argv)
{
	return unit(argc, argv, 0);
}
