/* ops-rotate: compress, expire and cut the agent's logs (ops-rotate(1)). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops.h"
#include "cli.h"

static const struct ops_cli_opt opts[] = {
	OPS_CLI_HOME(1),
	OPS_CLI_CONFIG(1),
	{ "dry-run", 'n', 1, NULL, "print what would be done, change nothing" },
	{ "jobs", 'j', 1, "N", "compress N files at once, 1 to 64 (default: the "
	  "processors this process may run on)" },
	{ "verbose", 'v', 1, NULL, "print each action (default on a terminal)" },
	OPS_CLI_HELP,
	OPS_CLI_VERSION,
	OPS_CLI_END,
};

static struct ops_cli cli = {
	.prog = "ops-rotate",
	.synopsis = "[--home DIR] [--config FILE] [--dry-run] [-j N] [-v]",
	.about = "Compress the agent's daily logs older than a day (rotate.compress_after),\n"
	    "delete those older than rotate.delete_after, cut a log over\n"
	    "rotate.max_size to its last lines, each action logged in\n"
	    "logs/rotation.log. Quiet under cron; takes the rotate lock.",
	.extra = OPS_CLI_EXIT_CODES,
	.page = "ops-rotate(1), dharmic-ops.json(5)",
	.opts = opts,
};

struct show {
	const struct ops_config *cfg;
	int verbose;
};

/* Failures always go to stderr; the rest only on a terminal or with -v. */
static void
progress(const struct ops_rot_action *a, void *arg)
{
	const struct show *s = arg;
	struct ops_buf b = OPS_BUF_INIT;

	ops_rotate_describe(s->cfg, a, 0, &b);
	if (a->status == OPS_ROT_FAILED)
		fprintf(stderr, "ops-rotate: %s\n", ops_buf_str(&b));
	else if (s->verbose)
		printf("%s\n", ops_buf_str(&b));
	ops_buf_release(&b);
}

/* The copies of memory/ ops-restore set aside (ops_aside.h), under the
 * backup lock that ops-restore holds: a restore running now is left to
 * finish, the copies wait for the next run. 0 or 1 (a removal failed). */
static int
prune_aside(const struct ops_config *cfg, int dry, int verbose)
{
	struct ops_aside_list l = OPS_ASIDE_LIST_INIT;
	struct ops_lock lk = OPS_LOCK_INIT;
	struct ops_err err = OPS_ERR_INIT;
	double now = ops_time_now();
	int code = 0;

	if (!dry && ops_lock_acquire(&lk, cfg->home, "backup", &err) < 0) {
		if (verbose || err.code != OPS_E_LOCKED)
			printf("memory.pre-restore.*: left for the next run (%s)\n", err.msg);
		goto out;
	}
	if (ops_aside_scan(cfg, now, &l, &err) < 0 ||
	    (!dry && ops_aside_prune(cfg, &l, "logs/rotation.log", &err) < 0)) {
		fprintf(stderr, "ops-rotate: %s\n", err.msg);
		code = 1;
	}
	if (l.blocked[0] != '\0' && (dry || verbose) && ops_aside_count(&l, OPS_ASIDE_BLOCKED))
		printf("memory.pre-restore.*: none removed: %s\n", l.blocked);
	for (size_t i = 0; i < l.n; i++) {
		if (dry && l.v[i].fate == OPS_ASIDE_PRUNE)
			printf("would remove %s (older than restore.keep_aside)\n", l.v[i].name);
		else if (verbose && l.v[i].fate == OPS_ASIDE_REMOVED)
			printf("removed %s (older than restore.keep_aside)\n", l.v[i].name);
	}
out:
	ops_aside_list_release(&l);
	ops_lock_release(&lk);
	return code;
}

int
main(int argc, char **argv)
{
	struct ops_config cfg;
	struct ops_lock lk = OPS_LOCK_INIT;
	struct ops_rot_plan plan = OPS_ROT_PLAN_INIT;
	struct ops_rotate_opts o = { 0, progress, NULL };
	struct ops_err err = OPS_ERR_INIT;
	struct ops_buf b = OPS_BUF_INIT;
	struct show s = { &cfg, 0 };
	const char *home = NULL, *config = NULL;
	int dry = 0, ch, code = 2;
	char *end;
	long j;

	memset(&cfg, 0, sizeof(cfg));
	cli_init(&cli);
	while ((ch = ops_cli_next(&cli, argc, argv, &err)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'c': config = optarg; break;
		case 'n': dry = 1; break;
		case 'v': s.verbose = 1; break;
		case 'j':
			j = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || j < 1 || j > 64) {
				cli_error(&cli, 2, "invalid job count '%s' (1 to 64)", optarg);
				goto out;
			}
			o.jobs = (int)j;
			break;
		case 'h': code = cli_help(&cli); goto out;
		case 'V': puts("ops-rotate " OPS_VERSION); code = 0; goto out;
		default: cli_error(&cli, 2, "%s", err.msg); goto out;
		}
	}
	if (optind != argc) {
		cli_error(&cli, 2, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	s.verbose |= isatty(STDOUT_FILENO);
	o.arg = &s;
	if (ops_config_load(&cfg, home, config, &err) < 0 ||
	    (!dry && ops_lock_acquire(&lk, cfg.home, "rotate", &err) < 0) ||
	    ops_rotate_plan(&cfg, ops_time_now(), &plan, &err) < 0)
		goto fail;
	if (dry) {
		for (size_t i = 0; i < plan.n; i++) {
			ops_rotate_describe(&cfg, &plan.v[i], 1, &b);
			ops_buf_puts(&b, "\n");
		}
		ops_rotate_summary(&plan, 1, &b);
		printf("%s\n", b.oom ? "out of memory" : ops_buf_str(&b));
		code = ops_rotate_count(&plan, OPS_ROT_FAILED) ? 1 : 0;
	} else {
		code = ops_rotate_run(&cfg, &plan, &o, &err) < 0 ? ops_err_exit_code(&err) : 0;
		if (code != 0)
			fprintf(stderr, "ops-rotate: %s\n", err.msg);
		if (s.verbose) {
			ops_rotate_summary(&plan, 0, &b);
			printf("rotation: %s\n", ops_buf_str(&b));
		}
	}
	if (prune_aside(&cfg, dry, s.verbose) != 0 && code == 0)
		code = 1;
	if (fflush(stdout) != 0 || ferror(stdout))
		code = code ? code : 1;
	goto out;
fail:
	fprintf(stderr, "ops-rotate: %s\n", err.msg);
	code = ops_err_exit_code(&err);
out:
	ops_buf_release(&b);
	ops_rotate_plan_release(&plan);
	ops_lock_release(&lk);
	ops_config_release(&cfg);
	return code;
}
