/* dharmic-ops: one command for every verb (dharmic-ops(1)).
 *
 * One static table drives dispatch and `help`, so no user string ever
 * reaches an exec path: a verb runs ops-VERB from the directory holding
 * this binary (then the install directory), exit status passed through. */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops.h"

struct verb {
	const char *name;
	const char *program;	/* exec'd with the remaining arguments */
	const char *summary;
};

static const struct verb verbs[] = {
	{ "alert", "ops-alert", "turn health into alerts (cooldown, hourly cap, channels)" },
	{ "dashboard", "ops-dashboard",
	  "the agent's state at a glance: terminal, HTML, JSON, Prometheus" },
	{ "health", "ops-health", "check the agent's health (Nagios exit codes)" },
	{ "rotate", "ops-rotate", "compress old logs, delete expired ones, cut big ones" },
	{ "help", NULL, "list the verbs" },
	{ "status", NULL, "short status: the verdict and one line per area" },
	{ "version", NULL, "print the version" },
};

/* Aliases kept from the original scripts. */
static const struct { const char *alias, *verb; } aliases[] = {
	{ "rotate-logs", "rotate" },
};

static void
help(FILE *f)
{
	fputs("usage: dharmic-ops VERB [ARGS]\n\nverbs:\n", f);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-12s %s\n", verbs[i].name, verbs[i].summary);
	fputs("\n'dharmic-ops VERB --help' and the ops-VERB(1) pages say more.\n", f);
}

/* status: the short form of ops-dashboard, from the library. */
static int
status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] = "usage: dharmic-ops status [--home DIR] [--config FILE]\n";
	struct ops_config cfg;
	struct ops_dash_style st = { 0 };
	struct ops_err err = OPS_ERR_INIT;
	struct ops_buf out = OPS_BUF_INIT;
	const char *home = NULL, *config = NULL, *nc = getenv("NO_COLOR");
	int ch, code = 2;

	memset(&cfg, 0, sizeof(cfg));
	while ((ch = getopt_long(argc, argv, "H:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'c': config = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dharmic-ops: unexpected argument '%s'\n%s", argv[optind], usage);
		return 2;
	}
	setlocale(LC_CTYPE, "");
	st.color = isatty(STDOUT_FILENO) && !(nc && *nc);
	st.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (ops_config_load(&cfg, home, config, &err) < 0 ||
	    ops_dashboard_status(&cfg, &st, &out, &err) < 0) {
		fprintf(stderr, "dharmic-ops: %s\n", err.msg);
		code = ops_err_exit_code(&err);
	} else {
		fputs(ops_buf_str(&out), stdout);
		code = fflush(stdout) == 0 ? 0 : 1;
	}
	ops_buf_release(&out);
	ops_config_release(&cfg);
	return code;
}

static int
exec_program(const char *program, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX], *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			if (snprintf(path, sizeof(path), "%s/%s", self, program) <
			    (int)sizeof(path) && access(path, X_OK) == 0)
				execv(path, argv);
		}
	}
	if (snprintf(path, sizeof(path), "%s/%s", OPS_LIBEXECDIR, program) <
	    (int)sizeof(path))
		execv(path, argv);
	fprintf(stderr, "dharmic-ops: unable to run %s: %s\n", program, strerror(errno));
	return 127;
}

int
main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		help(stderr);
		return 2;
	}
	name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		name = "version";
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(name, aliases[i].alias) == 0)
			name = aliases[i].verb;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(name, verbs[i].name) != 0)
			continue;
		if (verbs[i].program != NULL) {
			argv[1] = (char *)verbs[i].program;
			return exec_program(verbs[i].program, argv + 1);
		}
		if (strcmp(name, "status") == 0)
			return status(argc - 1, argv + 1);
		if (strcmp(name, "help") == 0) {
			help(stdout);
			return fflush(stdout) == 0 ? 0 : 1;
		}
		puts("dharmic-ops " OPS_VERSION);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	fprintf(stderr, "dharmic-ops: unknown verb '%s'\n", argv[1]);
	help(stderr);
	return 2;
}
