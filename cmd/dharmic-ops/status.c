/* dharmic-ops status: the short form of ops-dashboard. */
#include "builtin.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
cmd_status(int argc, char **argv)
{
	struct ctx c = CTX("usage: dharmic-ops status" COMMON_USAGE);
	struct ops_dash_style st = { 0 };
	const char *nc = getenv("NO_COLOR");
	int rc;

	if ((rc = plain(&c, argc, argv)) >= 0)
		return rc;
	setlocale(LC_CTYPE, "");
	st.color = isatty(STDOUT_FILENO) && !(nc && *nc);
	st.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	return finish(&c, ops_dashboard_status(&c.cfg, &st, &c.out, &c.err));
}
