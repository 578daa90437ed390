/* ops-alert: turn the agent's health into alerts a person gets once (ops-alert(1)). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops.h"
#include "cli.h"

static const struct ops_cli_opt opts[] = {
	OPS_CLI_HOME(1),
	OPS_CLI_CONFIG(1),
	{ "from-json", 'j', 1, "FILE", "run: read ops-health --json output from FILE "
	  "(- for stdin) instead of running ops-health" },
	{ "timeout", 't', 1, "SECONDS", "run: bound the health run (default: "
	  "health.timeout)" },
	{ "verbose", 'v', 1, NULL, "run: print what was sent (default on a terminal)" },
	{ "clear", 'C', 0, NULL, "silence: lift the silence on TYPE" },
	{ "check", 'k', 0, "NAME", "run: run only this check of ops-health (repeatable; "
	  "the cron crash check runs daemon, heartbeat and restarts)" },
	OPS_CLI_HELP,
	OPS_CLI_VERSION,
	OPS_CLI_END,
};

static struct ops_cli cli = {
	.prog = "ops-alert",
	.synopsis = "[--home DIR] [--config FILE] [run] [--from-json FILE|-]\n"
	    " [--check NAME]... [-t SECONDS] [-v]\n"
	    "[--home DIR] [--config FILE] test | status\n"
	    "[--home DIR] [--config FILE] silence TYPE DURATION\n"
	    "[--home DIR] [--config FILE] silence --clear TYPE",
	.about = "Turn the agent's health into alerts a person gets once: a cooldown per\n"
	    "alert type, an hourly cap, a resolved notice, delivered to\n"
	    "logs/alerts.log and the channels of alert.channels.\n"
	    "Verbs: run (the default; takes the alert lock), test (one test alert\n"
	    "to every channel), status, silence.",
	.extra = OPS_CLI_EXIT_CODES,
	.page = "ops-alert(1), dharmic-ops.json(5)",
	.opts = opts,
};

static int
bad_usage(const char *what, const char *arg)
{
	if (arg)
		return cli_error(&cli, 2, "%s '%s'", what, arg);
	return cli_error(&cli, 2, "%s", what);
}

static void
print_lines(FILE *f, const struct ops_buf *b, const char *prefix)
{
	const char *p = ops_buf_str(b), *nl;

	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		fprintf(f, "%s%.*s\n", prefix, (int)(nl - p), p);
		if (*nl == '\0')
			break;
	}
}

/* One audit entry for a silence set (for DURATION) or cleared (NULL). */
static void
audit_silence(const struct ops_config *cfg, const char *type, const char *dur, int rc,
    const struct ops_err *err)
{
	struct ops_err aerr = OPS_ERR_INIT;

	if (ops_audit_record(cfg, NULL, "ops-alert", dur ? "silence" : "silence.clear",
	    rc < 0 ? "failed" : "done", &aerr, "%s%s%s%s%s", type, dur ? " for " : "",
	    dur ? dur : "", rc < 0 ? ": " : "", rc < 0 ? err->msg : "") < 0)
		fprintf(stderr, "ops-alert: %s\n", aerr.msg);
}

int
main(int argc, char **argv)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_lock lk = OPS_LOCK_INIT;
	struct ops_buf out = OPS_BUF_INIT, warn = OPS_BUF_INIT;
	struct ops_alert_run_opts o = { NULL, 0, NULL, 0 };
	const char *only[32];
	const char *home = NULL, *config = NULL, *verb = "run";
	int verbose = 0, clear = 0, ch, nargs, rc, code = 2;
	double dur = 0;
	char *end;

	memset(&cfg, 0, sizeof(cfg));
	/* A channel command that exits without reading its input must fail
	 * that delivery, not kill us (children get SIGPIPE back). */
	signal(SIGPIPE, SIG_IGN);
	cli_init(&cli);
	while ((ch = ops_cli_next(&cli, argc, argv, &err)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'c': config = optarg; break;
		case 'j': o.from_json = optarg; break;
		case 'v': verbose = 1; break;
		case 'C': clear = 1; break;
		case 'k':
			if (o.nonly == sizeof(only) / sizeof(only[0]))
				return bad_usage("too many --check", optarg);
			only[o.nonly++] = optarg;
			o.only = only;
			break;
		case 't':
			o.timeout = strtod(optarg, &end);
			if (*end != '\0' || !(o.timeout > 0) || o.timeout > 86400)
				return bad_usage("invalid timeout", optarg);
			break;
		case 'h': return cli_help(&cli);
		case 'V': puts("ops-alert " OPS_VERSION); return fflush(stdout) == 0 ? 0 : 1;
		default: return bad_usage(err.msg, NULL);
		}
	}
	if (optind < argc)
		verb = argv[optind++];
	nargs = argc - optind;
	if (strcmp(verb, "run") != 0 && (o.from_json || o.timeout > 0 || o.nonly))
		return bad_usage("--from-json, --check and --timeout go with run, not", verb);
	if (o.from_json && o.nonly)
		return bad_usage("--check does not go with --from-json", NULL);
	if (clear && strcmp(verb, "silence") != 0)
		return bad_usage("--clear goes with silence, not", verb);
	if (strcmp(verb, "silence") == 0) {
		if (nargs != (clear ? 1 : 2))
			return bad_usage(clear ? "silence --clear takes one argument, TYPE" :
			    "silence takes two arguments, TYPE DURATION", NULL);
		if (!clear && (ops_duration_parse(argv[optind + 1], &dur, &err) < 0 ||
		    !(dur > 0)))
			return bad_usage("invalid duration", argv[optind + 1]);
	} else if (strcmp(verb, "run") && strcmp(verb, "test") && strcmp(verb, "status")) {
		return bad_usage("unknown command", verb);
	} else if (nargs != 0) {
		return bad_usage("unexpected argument", argv[optind]);
	}
	if (ops_config_load(&cfg, home, config, &err) < 0)
		goto fail;
	if (strcmp(verb, "run") == 0) {
		if (ops_lock_acquire(&lk, cfg.home, "alert", &err) < 0)
			goto fail;
		rc = ops_alert_run(&cfg, &o, &out, &warn, &err);
		if (verbose || isatty(1))
			print_lines(stdout, &out, "");
	} else if (strcmp(verb, "test") == 0) {
		rc = ops_alert_test(&cfg, &out, &warn, &err);
		fputs(ops_buf_str(&out), stdout);
	} else if (strcmp(verb, "status") == 0) {
		rc = ops_alert_status(&cfg, &out, &err);
		fputs(ops_buf_str(&out), stdout);
	} else {
		rc = ops_alert_silence(&cfg, argv[optind], dur, &out, &err);
		fputs(ops_buf_str(&out), stdout);
		audit_silence(&cfg, argv[optind], clear ? NULL : argv[optind + 1], rc, &err);
	}
	print_lines(stderr, &warn, "ops-alert: ");
	if (rc < 0)
		goto fail;
	code = rc;
	if (fflush(stdout) != 0 || ferror(stdout))
		code = 1;
	goto out;
fail:
	fprintf(stderr, "ops-alert: %s\n", err.msg);
	code = ops_err_exit_code(&err);
out:
	ops_lock_release(&lk);
	ops_buf_release(&out);
	ops_buf_release(&warn);
	ops_config_release(&cfg);
	return code;
}
