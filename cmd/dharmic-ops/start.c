/* dharmic-ops start: start the agent. */
#include "builtin.h"

int
cmd_start(int argc, char **argv)
{
	return service(argc, argv, "start", "usage: dharmic-ops start [--wait-heartbeat]"
	    COMMON_USAGE, ops_service_start);
}
