/* dharmic-ops: one command for every verb (dharmic-ops(1)).
 *
 * One sorted static table drives dispatch and `help`, so no user string
 * ever reaches an exec path: a verb either runs ops-VERB from the
 * directory holding this binary (then the install directory), exit status
 * passed through, or is a built-in: a handler in cmd/dharmic-ops/VERB.c
 * that parses its own options and makes one library call. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dharmic-ops/builtin.h"

/* ---- the table ------------------------------------------------------- */

static int cmd_help(int argc, char **argv);

struct verb {
	const char *name;
	const char *summary;
	const char *program;			/* exec'd with the remaining arguments */
	int (*run)(int argc, char **argv);	/* or a built-in */
};

static const struct verb verbs[] = {
	{ "act", "list or run a whitelisted remediation action [NAME]", NULL, cmd_act },
	{ "alert", "turn health into alerts (cooldown, hourly cap, channels)", "ops-alert",
	  NULL },
	{ "audit", "who did what: show or --verify the tamper-evident audit trail", NULL,
	  cmd_audit },
	{ "backup", "back up the agent's memory: create, verify, list, prune", "ops-backup",
	  NULL },
	{ "cron-install", "put the schedule of checks, backups and rotation in your "
	  "crontab", NULL, cmd_cron_install },
	{ "cron-uninstall", "take the schedule out of your crontab", NULL,
	  cmd_cron_uninstall },
	{ "dashboard", "the agent's state at a glance: terminal, HTML, JSON, Prometheus",
	  "ops-dashboard", NULL },
	{ "health", "check the agent's health (Nagios exit codes)", "ops-health", NULL },
	{ "help", "list the verbs", NULL, cmd_help },
	{ "install", "run the agent as a systemd user unit (macOS: a LaunchAgent)", NULL,
	  cmd_install },
	{ "logs", "show or follow a log: logs KIND [-f] [-n N]", NULL, cmd_logs },
	{ "report", "the weekly health report against the success metrics", NULL,
	  cmd_report },
	{ "restart", "stop and start the agent [--force]", NULL, cmd_restart },
	{ "restore", "restore the agent's memory from a backup, reversibly", "ops-restore",
	  NULL },
	{ "rotate", "compress old logs, delete expired ones, cut big ones", "ops-rotate",
	  NULL },
	{ "start", "start the agent [--wait-heartbeat]", NULL, cmd_start },
	{ "status", "short status: the verdict and one line per area", NULL, cmd_status },
	{ "stop", "stop the agent [--force]", NULL, cmd_stop },
	{ "troubleshoot", "look for known problems and say how to fix each", NULL,
	  cmd_troubleshoot },
	{ "uninstall", "remove the systemd user unit (macOS: the LaunchAgent)", NULL,
	  cmd_uninstall },
	{ "version", "print the version", NULL, cmd_version },
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

/* Aliases kept from the original scripts. */
static const struct { const char *alias, *verb; } aliases[] = {
	{ "rotate-logs", "rotate" },
};

static void
help(FILE *f)
{
	fputs("usage: dharmic-ops VERB [ARGS]\n\nverbs:\n", f);
	for (size_t i = 0; i < NVERBS; i++)
		fprintf(f, "  %-15s %s\n", verbs[i].name, verbs[i].summary);
	fputs("\n'dharmic-ops VERB --help', dharmic-ops(1) and the ops-VERB(1) pages\n"
	    "say more.\n", f);
}

static int
cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	help(stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
exec_program(const char *program, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX];

	if (self_dir(dir, sizeof(dir)) == 0 &&
	    snprintf(path, sizeof(path), "%s/%s", dir, program) < (int)sizeof(path) &&
	    access(path, X_OK) == 0)
		execv(path, argv);
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
	for (size_t i = 0; i < NVERBS; i++) {
		if (strcmp(name, verbs[i].name) != 0)
			continue;
		if (verbs[i].program != NULL) {
			argv[1] = (char *)verbs[i].program;
			return exec_program(verbs[i].program, argv + 1);
		}
		return verbs[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "dharmic-ops: unknown verb '%s'\n", argv[1]);
	help(stderr);
	return 2;
}
