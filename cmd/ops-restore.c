/* ops-restore: restore the agent's memory from a backup (ops-restore(1)). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops.h"
#include "ops_restore.h"
#include "cli.h"

static const struct ops_cli_opt opts[] = {
	OPS_CLI_HOME(1),
	OPS_CLI_CONFIG(1),
	{ "yes", 'y', 1, NULL, "restore without asking (needed without a terminal)" },
	{ "dry-run", 'n', 0, NULL, "verify the archive and print the plan, change nothing" },
	{ "list", 'l', 0, NULL, "list what the archive holds" },
	{ "to", 't', 0, "DIR", "extract into DIR (new or empty) instead of the home" },
	{ "identity", 'i', 0, "FILE", "the age identity that opens encrypted archives "
	  "(default: backup.identity_file)" },
	{ "from-offsite", 'F', 0, NULL, "fetch ARCHIVE (a name, or latest) from "
	  "backup.offsite's remote first, check it, restore from it, delete it" },
	OPS_CLI_HELP,
	OPS_CLI_VERSION,
	OPS_CLI_END,
};

static struct ops_cli cli = {
	.prog = "ops-restore",
	.synopsis = "[--home DIR] [--config FILE] [--identity FILE] [--yes]\n"
	    " [--dry-run] [ARCHIVE|latest]\n"
	    "[--home DIR] [--config FILE] [--identity FILE] --list\n"
	    " [ARCHIVE|latest]\n"
	    "[--home DIR] [--config FILE] [--identity FILE] --to DIR\n"
	    " [ARCHIVE|latest]\n"
	    "[--home DIR] [--config FILE] [--identity FILE] [--yes]\n"
	    " [--list|--to DIR] --from-offsite [NAME|latest]",
	.about = "Restore the agent's memory from a backup (default: latest), reversibly:\n"
	    "the archive is verified first, the agent stopped and started again,\n"
	    "and the memory it replaces is kept aside as memory.pre-restore.STAMP.\n"
	    "Asks first on a terminal; takes the backup lock (not for --list).",
	.extra = OPS_CLI_EXIT_CODES,
	.page = "ops-restore(1), ops-backup(1)",
	.opts = opts,
};

/* A progress line on a terminal only, cleared at 100% and before any
 * other line (clear_progress). */
static int progress_shown;

static void
clear_progress(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

static void
show(void *ctx, uint64_t done, uint64_t total)
{
	static int last = -1;
	int pct = total ? (int)(done * 100 / total) : 100;

	(void)ctx;
	if (pct != last) {
		fprintf(stderr, "\rops-restore: extract %3d%%", pct);
		progress_shown = 1;
		if (pct == 100)
			clear_progress();
	}
	last = pct;
}

static void
note(void *ctx, const char *msg)
{
	(void)ctx;
	clear_progress();
	fprintf(stderr, "ops-restore: %s\n", msg);
}

/* The plan, then a question, on the terminal. */
static int
confirm(void *ctx, const struct ops_restore_plan *p)
{
	struct ops_buf b = OPS_BUF_INIT;
	char line[64];

	ops_restore_plan_format(p, ctx, &b);
	fputs(ops_buf_str(&b), stderr);
	ops_buf_release(&b);
	fputs("Restore? [y/N] ", stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return strcmp(line, "y\n") == 0 || strcmp(line, "Y\n") == 0 ||
	    strcmp(line, "yes\n") == 0;
}

/* The restore's audit entry: planned (a dry run), done, declined or
 * refused, rolled back, failed. */
static void
audit(const struct ops_config *cfg, const struct ops_restore_opts *o,
    const struct ops_restore_plan *plan, int rc, const struct ops_err *err)
{
	struct ops_err aerr = OPS_ERR_INIT;
	const char *what = plan->archive[0] ? ops_fs_rel(cfg->home, plan->archive) :
	    o->archive ? o->archive : "latest";
	const char *outcome = rc == 0 ? (o->dry_run ? "planned" : "done") :
	    strstr(err->msg, "restore cancelled") ? "declined" :
	    strstr(err->msg, "restore rolled back") ? "rolled-back" : "failed";

	if (rc == 0 && o->to != NULL)
		rc = ops_audit_record(cfg, NULL, "ops-restore", "restore", "extracted", &aerr,
		    "%s into %s", what, o->to);
	else if (rc == 0)
		rc = ops_audit_record(cfg, NULL, "ops-restore", "restore", outcome, &aerr,
		    "%s%s%s", what, o->dry_run ? "" : "; the previous memory is at ",
		    o->dry_run ? "" : ops_fs_rel(cfg->home, plan->aside));
	else
		rc = ops_audit_record(cfg, NULL, "ops-restore", "restore", outcome, &aerr,
		    "%s: %s", what, err->msg);
	if (rc < 0)
		fprintf(stderr, "ops-restore: %s\n", aerr.msg);
}

/* After a restore (the backup lock held): the copies of memory/ older
 * than restore.keep_aside go, the newest and the journal's stay. A failure
 * here is a warning: the restore itself is done. */
static void
prune_aside(const struct ops_config *cfg, struct ops_buf *out)
{
	struct ops_aside_list l = OPS_ASIDE_LIST_INIT;
	struct ops_err err = OPS_ERR_INIT;
	double now = ops_time_now();

	if (ops_aside_scan(cfg, now, &l, &err) < 0 ||
	    ops_aside_prune(cfg, &l, "logs/backup.log", &err) < 0)
		fprintf(stderr, "ops-restore: warning: %s\n", err.msg);
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].fate == OPS_ASIDE_REMOVED)
			ops_buf_printf(out, "removed %s (older than restore.keep_aside)\n",
			    l.v[i].name);
	ops_aside_list_release(&l);
}

int
main(int argc, char **argv)
{
	struct ops_config cfg;
	struct ops_lock lk = OPS_LOCK_INIT;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_restore_opts o = { 0 };
	struct ops_restore_plan plan;
	struct ops_buf out = OPS_BUF_INIT;
	const char *home = NULL, *config = NULL, *identity = NULL;
	int yes = 0, list = 0, offsite = 0, ch, code = 2, rc;
	char fetched[PATH_MAX] = "", fetchdir[PATH_MAX] = "";

	umask(077);
	memset(&cfg, 0, sizeof(cfg));
	memset(&plan, 0, sizeof(plan));
	cli_init(&cli);
	while ((ch = ops_cli_next(&cli, argc, argv, &err)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'c': config = optarg; break;
		case 'y': yes = 1; break;
		case 'n': o.dry_run = 1; break;
		case 'l': list = 1; break;
		case 't': o.to = optarg; break;
		case 'i': identity = optarg; break;
		case 'F': offsite = 1; break;
		case 'h': return cli_help(&cli);
		case 'V': puts("ops-restore " OPS_VERSION); return 0;
		default: return cli_error(&cli, 2, "%s", err.msg);
		}
	}
	if (optind < argc)
		o.archive = argv[optind++];
	if (optind < argc)
		return cli_error(&cli, 2, "unexpected argument '%s' (one archive at most)",
		    argv[optind]);
	/* --yes is harmless where nothing in the home is replaced */
	if (list + o.dry_run + (o.to != NULL) > 1)
		return cli_error(&cli, 2, "%s and %s do not go together",
		    list ? "--list" : "--dry-run", o.to ? "--to" : "--dry-run");
	/* Replacing memory needs a yes: from --yes, or from a person. */
	if (!yes && !list && !o.dry_run && !o.to && !isatty(0)) {
		fputs("ops-restore: refusing to restore without confirmation: no terminal "
		    "(use --yes)\n", stderr);
		if (ops_config_load(&cfg, home, config, &err) == 0 &&
		    ops_audit_record(&cfg, NULL, "ops-restore", "restore", "refused", &err,
		    "%s: no terminal to confirm on and no --yes",
		    o.archive ? o.archive : "latest") < 0)
			fprintf(stderr, "ops-restore: %s\n", err.msg);
		ops_config_release(&cfg);
		return 2;
	}
	if (ops_config_load(&cfg, home, config, &err) < 0 ||
	    (identity && ops_backup_identity_arg(&cfg, identity, &err) < 0) ||
	    (!list && ops_lock_acquire(&lk, cfg.home, "backup", &err) < 0))
		goto fail;
	if (offsite) {
		/* the fetched copy then goes through the usual checks */
		if (ops_backup_offsite_fetch(&cfg, o.archive, fetched, sizeof(fetched),
		    fetchdir, sizeof(fetchdir), &err) < 0)
			goto fail;
		o.archive = fetched;
	}
	o.confirm = yes ? NULL : confirm;
	o.note = note;
	o.progress = isatty(2) ? show : NULL;
	o.ctx = cfg.home;
	memset(&plan, 0, sizeof(plan));
	rc = list ? ops_restore_list(&cfg, o.archive, &out, &err) :
	    ops_restore_run(&cfg, &o, &plan, &err);
	if (!list)
		audit(&cfg, &o, &plan, rc, &err);
	if (rc < 0)
		goto fail;
	if (!list)
		ops_restore_done_format(&plan, cfg.home, &o, &out);
	if (!list && !o.dry_run && !o.to)
		prune_aside(&cfg, &out);
	fputs(ops_buf_str(&out), stdout);
	code = fflush(stdout) == 0 && !ferror(stdout) && !out.oom ? 0 : 1;
	goto out;
fail:
	clear_progress();
	fprintf(stderr, "ops-restore: %s\n", err.msg);
	code = ops_err_exit_code(&err);
out:
	if (fetched[0] || fetchdir[0])
		ops_backup_offsite_cleanup(fetched, fetchdir);
	ops_restore_plan_release(&plan);
	ops_buf_release(&out);
	ops_lock_release(&lk);
	ops_config_release(&cfg);
	return code;
}
