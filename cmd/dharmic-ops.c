/* dharmic-ops: one command for every verb (dharmic-ops(1)).
 *
 * One sorted static table drives dispatch and `help`, so no user string
 * ever reaches an exec path: a verb either runs ops-VERB from the
 * directory holding this binary (then the install directory), exit status
 * passed through, or is a built-in: a handler that parses its own options
 * and makes one library call. */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops.h"

/* ---- what every built-in shares -------------------------------------- */

struct ctx {
	const char *usage;
	const char *home, *config;	/* --home, --config */
	struct ops_config cfg;
	struct ops_buf out;		/* what the library says, for stdout */
	struct ops_err err;
};

#define CTX(usage) { usage, NULL, NULL, { 0 }, OPS_BUF_INIT, OPS_ERR_INIT }
#define COMMON_SHORT "h"
#define COMMON_LONG \
	{ "home", required_argument, NULL, 'H' }, \
	{ "config", required_argument, NULL, 'c' }, \
	{ "help", no_argument, NULL, 'h' }
#define COMMON_USAGE " [--home DIR] [--config FILE]\n"

/* An option every built-in takes: -1 to go on, else the exit code. */
static int
common(struct ctx *c, int ch)
{
	switch (ch) {
	case 'H': c->home = optarg; return -1;
	case 'c': c->config = optarg; return -1;
	case 'h': fputs(c->usage, stdout); return fflush(stdout) == 0 ? 0 : 1;
	default: fputs(c->usage, stderr); return 2;
	}
}

/* After the options: exactly npos arguments left, then the config. */
static int
setup(struct ctx *c, int argc, char **argv, int npos)
{
	if (argc - optind != npos) {
		if (argc - optind > npos)
			fprintf(stderr, "dharmic-ops: unexpected argument '%s'\n",
			    argv[optind + npos]);
		fputs(c->usage, stderr);
		return 2;
	}
	if (ops_config_load(&c->cfg, c->home, c->config, &c->err) < 0) {
		fprintf(stderr, "dharmic-ops: %s\n", c->err.msg);
		ops_config_release(&c->cfg);
		return ops_err_exit_code(&c->err);
	}
	return -1;
}

/* A verb with only the common options and no arguments: parse and load
 * the config; -1 to go on, else the exit code. */
static int
plain(struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = { COMMON_LONG, { NULL, 0, NULL, 0 } };
	int ch, rc;

	while ((ch = getopt_long(argc, argv, COMMON_SHORT, lo, NULL)) != -1)
		if ((rc = common(c, ch)) >= 0)
			return rc;
	return setup(c, argc, argv, 0);
}

/* Print what the library said, or its error; the exit code. */
static int
finish(struct ctx *c, int rc)
{
	int code = rc < 0 ? ops_err_exit_code(&c->err) : 0;

	if (rc < 0 && code == 0)
		code = 1;
	fputs(ops_buf_str(&c->out), stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "dharmic-ops: unable to write the output: %s\n",
		    strerror(errno));
		code = code ? code : 1;
	}
	if (rc < 0)
		fprintf(stderr, "dharmic-ops: %s\n", c->err.msg);
	ops_buf_release(&c->out);
	ops_config_release(&c->cfg);
	return code;
}

/* The directory holding this binary. */
static int
self_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	return 0;
}

/* ---- start, stop, restart -------------------------------------------- */

static int
service(int argc, char **argv, const char *usage,
    int (*fn)(const struct ops_config *, const struct ops_service_opts *,
    struct ops_buf *, struct ops_err *))
{
	static const struct option lo[] = { COMMON_LONG,
		{ "force", no_argument, NULL, 'f' },
		{ "wait-heartbeat", no_argument, NULL, 'w' }, { NULL, 0, NULL, 0 } };
	struct ctx c = CTX(usage);
	struct ops_service_opts so = { 0, 0, "manual" };
	int ch, rc;

	while ((ch = getopt_long(argc, argv, COMMON_SHORT, lo, NULL)) != -1) {
		/* each verb takes only the options its usage names */
		if (ch == 'f' && strstr(usage, "--force"))
			so.force = 1;
		else if (ch == 'w' && strstr(usage, "--wait-heartbeat"))
			so.wait_heartbeat = 1;
		else if ((rc = common(&c, ch == 'f' || ch == 'w' ? '?' : ch)) >= 0)
			return rc;
	}
	if ((rc = setup(&c, argc, argv, 0)) >= 0)
		return rc;
	return finish(&c, fn(&c.cfg, &so, &c.out, &c.err));
}

static int
cmd_start(int argc, char **argv)
{
	return service(argc, argv, "usage: dharmic-ops start [--wait-heartbeat]"
	    COMMON_USAGE, ops_service_start);
}

static int
cmd_stop(int argc, char **argv)
{
	return service(argc, argv, "usage: dharmic-ops stop [--force]" COMMON_USAGE,
	    ops_service_stop);
}

static int
cmd_restart(int argc, char **argv)
{
	return service(argc, argv, "usage: dharmic-ops restart [--force] "
	    "[--wait-heartbeat]" COMMON_USAGE, ops_service_restart);
}

/* ---- logs ------------------------------------------------------------ */

static int
emit(void *arg, const char *data, size_t len)
{
	(void)arg;
	return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
}

static int
cmd_logs(int argc, char **argv)
{
	static const struct option lo[] = { COMMON_LONG,
		{ "follow", no_argument, NULL, 'f' },
		{ "lines", required_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	struct ctx c = CTX("usage: dharmic-ops logs KIND [-f] [-n N]" COMMON_USAGE
	    "kinds: daemon runtime email (today's file), alerts health backup rotation "
	    "restart cron\n");
	struct ops_logs_opts lo_ = { 50, 0, 0 };
	char *end;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "fn:" COMMON_SHORT, lo, NULL)) != -1) {
		if (ch == 'f') {
			lo_.follow = 1;
		} else if (ch == 'n') {
			errno = 0;
			lo_.lines = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-') {
				fprintf(stderr, "dharmic-ops: invalid line count '%s'\n", optarg);
				return 2;
			}
		} else if ((rc = common(&c, ch)) >= 0) {
			return rc;
		}
	}
	if ((rc = setup(&c, argc, argv, 1)) >= 0)
		return rc;
	return finish(&c, ops_logs_show(&c.cfg, argv[optind], &lo_, emit, NULL, &c.err));
}

/* ---- status, troubleshoot, report ------------------------------------ */

/* The short form of ops-dashboard. */
static int
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

static int
cmd_troubleshoot(int argc, char **argv)
{
	struct ctx c = CTX("usage: dharmic-ops troubleshoot" COMMON_USAGE);
	struct ops_findings f = OPS_FINDINGS_INIT;
	int rc;

	if ((rc = plain(&c, argc, argv)) >= 0)
		return rc;
	struct ops_trouble_opts to = { c.home };
	rc = ops_trouble_run(&c.cfg, &to, &f, &c.err);
	if (rc == 0)
		ops_findings_format(&c.out, &f);
	rc = finish(&c, rc);
	if (rc == 0 && ops_findings_problems(&f) > 0)
		rc = 1;
	ops_findings_release(&f);
	return rc;
}

static int
cmd_report(int argc, char **argv)
{
	struct ctx c = CTX("usage: dharmic-ops report" COMMON_USAGE);
	char path[PATH_MAX];
	int rc;

	if ((rc = plain(&c, argc, argv)) >= 0)
		return rc;
	return finish(&c, ops_weekly_report(&c.cfg, ops_time_now(), &c.out, path,
	    sizeof(path), &c.err));
}

/* ---- install, uninstall ---------------------------------------------- */

static int
unit(int argc, char **argv, int install)
{
	static const struct option lo[] = { COMMON_LONG,
		{ "print", no_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'F' }, { NULL, 0, NULL, 0 } };
	struct ctx c = CTX(install ?
	    "usage: dharmic-ops install [--print] [--format systemd|launchd]" COMMON_USAGE :
	    "usage: dharmic-ops uninstall [--format systemd|launchd]" COMMON_USAGE);
	enum ops_manager m = ops_service_native();
	int ch, rc, print = 0;

	while ((ch = getopt_long(argc, argv, COMMON_SHORT, lo, NULL)) != -1) {
		if (ch == 'p' && install) {
			print = 1;
		} else if (ch == 'F' && (!strcmp(optarg, "systemd") ||
		    !strcmp(optarg, "launchd"))) {
			m = optarg[0] == 's' ? OPS_MGR_SYSTEMD : OPS_MGR_LAUNCHD;
		} else if (ch == 'F') {
			fprintf(stderr, "dharmic-ops: unknown format '%s'\n", optarg);
			return 2;
		} else if ((rc = common(&c, ch == 'p' ? '?' : ch)) >= 0) {
			return rc;
		}
	}
	if ((rc = setup(&c, argc, argv, 0)) >= 0)
		return rc;
	return finish(&c, install ? ops_service_install(&c.cfg, m, print, &c.out, &c.err) :
	    ops_service_uninstall(&c.cfg, m, &c.out, &c.err));
}

static int
cmd_install(int argc, char **argv)
{
	return unit(argc, argv, 1);
}

static int
cmd_uninstall(int argc, char **argv)
{
	return unit(argc, argv, 0);
}

/* ---- cron-install, cron-uninstall ------------------------------------ */

static int
cmd_cron_install(int argc, char **argv)
{
	static const struct option lo[] = { COMMON_LONG,
		{ "print", no_argument, NULL, 'p' },
		{ "template", required_argument, NULL, 't' }, { NULL, 0, NULL, 0 } };
	struct ctx c = CTX("usage: dharmic-ops cron-install [--print] [--template FILE]"
	    COMMON_USAGE);
	struct ops_crontab_opts co = { NULL, NULL, NULL, 0 };
	char bindir[PATH_MAX];
	int ch, rc, changed = 0;

	while ((ch = getopt_long(argc, argv, COMMON_SHORT, lo, NULL)) != -1) {
		if (ch == 'p')
			co.print = 1;
		else if (ch == 't')
			co.tmpl = optarg;
		else if ((rc = common(&c, ch)) >= 0)
			return rc;
	}
	if ((rc = setup(&c, argc, argv, 0)) >= 0)
		return rc;
	if (self_dir(bindir, sizeof(bindir)) < 0) {
		fprintf(stderr, "dharmic-ops: unable to find the program directory\n");
		ops_config_release(&c.cfg);
		return 1;
	}
	co.home = c.cfg.home;
	co.bindir = bindir;
	rc = ops_crontab_install(&co, &c.out, &changed, &c.err);
	if (rc == 0 && !co.print) {
		ops_buf_reset(&c.out);
		ops_buf_puts(&c.out, changed ? "installed the dharmic-ops schedule in your "
		    "crontab\n" : "the dharmic-ops schedule is already in your crontab; "
		    "nothing changed\n");
	}
	return finish(&c, rc);
}

static int
cmd_cron_uninstall(int argc, char **argv)
{
	struct ctx c = CTX("usage: dharmic-ops cron-uninstall" COMMON_USAGE);
	int rc, removed = 0;

	if ((rc = plain(&c, argc, argv)) >= 0)
		return rc;
	rc = ops_crontab_uninstall(&removed, &c.err);
	if (rc == 0)
		ops_buf_puts(&c.out, removed ? "removed the dharmic-ops schedule from your "
		    "crontab\n" : "no dharmic-ops schedule in your crontab; nothing changed\n");
	return finish(&c, rc);
}

/* ---- the table ------------------------------------------------------- */

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

struct verb {
	const char *name;
	const char *summary;
	const char *program;			/* exec'd with the remaining arguments */
	int (*run)(int argc, char **argv);	/* or a built-in */
};

static const struct verb verbs[] = {
	{ "alert", "turn health into alerts (cooldown, hourly cap, channels)", "ops-alert",
	  NULL },
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
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	puts("dharmic-ops " OPS_VERSION);
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
