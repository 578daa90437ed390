/* ops-health: Nagios-compatible health check of the agent (ops-health(1)). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops.h"
#include "cli.h"

/* No short forms for --home, --config, --check: -H, -c and -w mean host,
 * critical and warning to every Nagios user. */
static const struct ops_cli_opt opts[] = {
	OPS_CLI_HOME(0),
	OPS_CLI_CONFIG(0),
	{ "json", 'j', 0, NULL, "print the result as one JSON object" },
	{ "full", 'f', 0, NULL, "PRAGMA integrity_check instead of quick_check" },
	{ "check", 'C', 0, "NAME", "run only this check (repeatable; default: all)" },
	{ "timeout", 't', 1, "SECONDS", "bound the whole run (default: health.timeout, 30)" },
	{ "no-record", 'n', 0, NULL, "record no history and no log line" },
	OPS_CLI_HELP,
	OPS_CLI_VERSION,
	OPS_CLI_END,
};

static struct ops_cli cli = {
	.prog = "ops-health",
	.synopsis = "[--home DIR] [--config FILE] [--json] [--full]\n"
	    " [--check NAME]... [-t SECONDS] [--no-record]",
	.about = "Check the agent daemon and its home as a Nagios plugin: one line\n"
	    "with the verdict and perfdata, then one line per check.\n"
	    "Checks: daemon heartbeat integrity disk email restarts backup, the\n"
	    "resource checks of health.resources (cpu rss fds host_memory load),\n"
	    "then each entry of health.checks and health.endpoints.",
	.extra = "Exit codes (Nagios):\n"
	    "  0  OK        every check passed\n"
	    "  1  WARNING   the worst check is WARNING\n"
	    "  2  CRITICAL  the worst check is CRITICAL\n"
	    "  3  UNKNOWN   the worst check is UNKNOWN; a configuration error (the\n"
	    "               reason on stdout, where a monitor reads it); a usage\n"
	    "               error (on stderr)\n",
	.page = "ops-health(1), dharmic-ops.json(5)",
	.opts = opts,
};

static unsigned alarm_seconds;

/* Last resort when a check ignores its deadline: a monitor must get an
 * answer. Only async-signal-safe calls here. */
static void
on_alarm(int sig)
{
	static const char msg[] = "DHARMIC-OPS UNKNOWN - timed out\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(OPS_UNKNOWN);
}

/* An answer a monitor can parse even when no check could run. */
static int
unknown(int json, const char *msg)
{
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_buf b = OPS_BUF_INIT;

	if (json) {
		ops_report_add(&r, "ops-health", OPS_UNKNOWN, "%s", msg);
		ops_report_json(&b, &r);
		fputs(ops_buf_str(&b), stdout);
		ops_buf_release(&b);
		ops_report_release(&r);
	} else {
		printf("DHARMIC-OPS UNKNOWN - %s\n", msg);
	}
	return OPS_UNKNOWN;
}

int
main(int argc, char **argv)
{
	struct ops_config cfg;
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_health_opts o = { 0 };
	struct ops_err err = OPS_ERR_INIT, werr = OPS_ERR_INIT;
	struct ops_buf out = OPS_BUF_INIT;
	const char *home = NULL, *config = NULL, **only;
	int json = 0, record = 1, ch, code = OPS_UNKNOWN;
	char *end;

	umask(077);
	only = calloc((size_t)argc, sizeof(*only));
	if (only == NULL)
		return unknown(0, "out of memory");
	memset(&cfg, 0, sizeof(cfg));
	cli_init(&cli);
	while ((ch = ops_cli_next(&cli, argc, argv, &err)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'c': config = optarg; break;
		case 'j': json = 1; break;
		case 'f': o.full = 1; break;
		case 'C': only[o.nonly++] = optarg; break;
		case 'n': record = 0; break;
		case 't':
			o.timeout = strtod(optarg, &end);
			if (*end != '\0' || !(o.timeout > 0) || o.timeout > 86400) {
				cli_error(&cli, 0, "invalid timeout '%s' (seconds, "
				    "more than 0 and at most 86400)", optarg);
				goto out;
			}
			break;
		case 'h': code = cli_help(&cli) ? OPS_UNKNOWN : OPS_OK; goto out;
		case 'V': puts("ops-health " OPS_VERSION); code = OPS_OK; goto out;
		default: cli_error(&cli, 0, "%s", err.msg); goto out;
		}
	}
	if (optind != argc) {
		cli_error(&cli, 0, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	o.only = only;
	if (ops_config_load(&cfg, home, config, &err) < 0) {
		code = unknown(json, err.msg);
		goto out;
	}
	if (o.timeout <= 0)
		o.timeout = cfg.health.timeout;
	alarm_seconds = (unsigned)o.timeout + 5;
	signal(SIGALRM, on_alarm);
	alarm(alarm_seconds);
	/* Without a state database we still check, just without the cache. */
	if (ops_state_open(&st, cfg.home, &werr) < 0)
		fprintf(stderr, "ops-health: warning: %s\n", werr.msg);
	else if (st.recovered)
		fprintf(stderr, "ops-health: warning: unreadable state database moved to '%s'\n",
		    st.recovered);
	if (ops_health_run(&cfg, &o, st.db ? &st : NULL, &r, &err) < 0) {
		code = unknown(json, err.msg);
		goto out;
	}
	ops_err_clear(&werr);
	if (record && ops_health_record(&cfg, st.db ? &st : NULL, &r, ops_time_now(),
	    &werr) < 0)
		fprintf(stderr, "ops-health: warning: unable to record the run: %s\n", werr.msg);
	alarm(0);
	code = ops_report_worst(&r);
	if (json)
		ops_report_json(&out, &r);
	else
		ops_report_nagios(&out, &r, "DHARMIC-OPS");
	if (out.oom) {
		code = unknown(json, "out of memory");
		goto out;
	}
	fputs(ops_buf_str(&out), stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		code = OPS_UNKNOWN;
out:
	ops_buf_release(&out);
	ops_report_release(&r);
	ops_state_close(&st);
	ops_config_release(&cfg);
	free(only);
	return code;
}
