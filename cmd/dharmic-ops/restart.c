/* dharmic-ops restart: stop and start the agent. */
#include "builtin.h"

int
cmd_restart(int argc, char **argv)
{
	return service(argc, argv, "restart", "usage: dharmic-ops restart [--force] "
	    "[--wait-heartbeat]" COMMON_USAGE, ops_service_restart);
}
