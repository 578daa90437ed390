/* dharmic-ops act: list or run a whitelisted remediation action
 * (ops_action.h). */
#include "builtin.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct ops_cli_opt opts[] = {
	{ "dry-run", 'n', 0, NULL, "print the command the action would run, run nothing" },
	{ "yes", 'y', 0, NULL, "run an action that asks for confirmation without asking" },
	COMMON_OPTS,
};

static struct ops_cli cli = {
	.prog = "dharmic-ops act",
	.synopsis = "[NAME [--dry-run] [--yes]] " COMMON_SYNOPSIS,
	.about = "Without NAME, list the remediation actions of the config (\"actions\");\n"
	    "with it, run that one (whitelisted commands only), recorded in the\n"
	    "audit trail.",
	.extra = VERB_EXIT_CODES,
	.page = VERB_PAGE,
	.opts = opts,
};

/* Ask on the terminal; 1 when the answer is yes. */
static int
confirmed(const char *name)
{
	char line[64];

	fprintf(stderr, "run the action %s? [y/N] ", name);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 ||
	    strcmp(line, "yes") == 0;
}

static void
record(struct ctx *c, const char *name, const char *outcome, const char *why)
{
	struct ops_err aerr = OPS_ERR_INIT;

	if (ops_action_record_refusal(&c->cfg, "dharmic-ops", name, outcome, why,
	    &aerr) < 0)
		fprintf(stderr, "%s: %s\n", cli.prog, aerr.msg);
}

int
cmd_act(int argc, char **argv)
{
	struct ctx c = CTX(&cli);
	struct ops_err aerr = OPS_ERR_INIT;
	const struct ops_action_cfg *a;
	char exe[PATH_MAX];
	int ch, rc, dry = 0, yes = 0;

	while ((ch = next(&c, argc, argv)) != -1) {
		if (ch == 'n')
			dry = 1;
		else if (ch == 'y')
			yes = 1;
		else if ((rc = common(&c, ch)) >= 0)
			return rc;
	}
	if (optind == argc) {
		if (dry || yes)
			return cli_error(&cli, 2, "--dry-run and --yes go with an action's "
			    "name");
		if ((rc = setup(&c, argc, argv, 0)) >= 0)
			return rc;
		ops_action_list(&c.cfg, &c.out);
		return finish(&c, 0);
	}
	/* exactly one name: an action takes no arguments of the caller's */
	if ((rc = setup(&c, argc, argv, 1)) >= 0)
		return rc;
	a = ops_action_find(&c.cfg, argv[optind]);
	if (a == NULL) {
		record(&c, argv[optind], "refused", "not a configured action");
		ops_err_set(&c.err, OPS_E_USAGE, "unknown action '%s' (not in \"actions\" "
		    "in the config; 'dharmic-ops act' lists them)", ops_audit_sanitize(exe,
		    80, argv[optind]));
		return finish(&c, -1);
	}
	if (ops_action_command(&c.cfg, a, &c.out, exe, sizeof(exe), &c.err) < 0) {
		record(&c, a->name, "failed", c.err.msg);
		return finish(&c, -1);
	}
	printf("action %s: %s (timeout %gs)\n", a->name, ops_buf_str(&c.out), a->timeout);
	ops_buf_reset(&c.out);
	if (dry) {
		ops_buf_puts(&c.out, "dry run: nothing was run\n");
		return finish(&c, 0);
	}
	if (a->confirm && !yes) {
		if (!isatty(STDIN_FILENO)) {
			record(&c, a->name, "refused", "needs confirmation and there is no "
			    "terminal (use --yes)");
			ops_err_set(&c.err, OPS_E_USAGE, "action %s needs confirmation: run "
			    "it on a terminal or with --yes", a->name);
			return finish(&c, -1);
		}
		fflush(stdout);
		if (!confirmed(a->name)) {
			record(&c, a->name, "declined", "not confirmed on the terminal");
			ops_buf_puts(&c.out, "not run\n");
			rc = finish(&c, 0);
			return rc ? rc : 1;
		}
	}
	fflush(stdout);
	rc = ops_action_run(&c.cfg, a, "dharmic-ops", NULL, a->confirm ? (yes ?
	    "confirmed with --yes" : "confirmed on the terminal") : NULL, &c.out, &aerr,
	    &c.err);
	if (aerr.code != OPS_E_NONE)
		fprintf(stderr, "%s: %s\n", cli.prog, aerr.msg);
	if (rc == 1) {
		rc = finish(&c, 0);
		return rc ? rc : 1;
	}
	return finish(&c, rc);
}
