/* dharmic-ops version: print the version. */
#include "builtin.h"

#include <stdio.h>

int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	puts("dharmic-ops " OPS_VERSION);
	return fflush(stdout) == 0 ? 0 : 1;
}
