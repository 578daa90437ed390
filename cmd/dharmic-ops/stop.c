/* dharmic-ops stop: stop the agent. */
#include "builtin.h"

int
cmd_stop(int argc, char **argv)
{
	return service(argc, argv, "stop", "usage: dharmic-ops stop [--force]" COMMON_USAGE,
	    ops_service_stop);
}
