/* ops-restore: restore the agent's memory from a backup (ops-restore(1)). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops.h"
#include "ops_restore.h"

static const char usage[] =
    "usage: ops-restore [--home DIR] [--config FILE] [--yes] [--dry-run] [ARCHIVE|latest]\n"
    "       ops-restore [--home DIR] [--config FILE] --list [ARCHIVE|latest]\n"
    "       ops-restore [--home DIR] [--config FILE] --to DIR [ARCHIVE|latest]\n";

static const char *home_dir;

static void
show(void *ctx, uint64_t done, uint64_t total)
{
	static int last = -1;
	int pct = total ? (int)(done * 100 / total) : 100;

	(void)ctx;
	if (pct != last)
		fprintf(stderr, "\rops-restore: extract %3d%%%s", pct, pct == 100 ? "\r\033[K" : "");
	last = pct;
}

static void
note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "ops-restore: %s\n", msg);
}

static void
print_plan(FILE *f, const struct ops_restore_plan *p)
{
	char t[32], a[32];

	fprintf(f, "archive: %s (taken %s, %zu files, %s, %zu databases pass integrity_check)\n",
	    ops_fs_rel(home_dir, p->archive), p->created > 0 ? ops_time_log(p->created, t,
	    sizeof(t)) : "?", p->files, ops_size_format(p->data_size, a, sizeof(a)), p->databases);
	if (p->memory_exists) {
		char b[32];

		fprintf(f, "memory/: %llu files, %s, to be set aside as %s\n",
		    (unsigned long long)p->cur_files, ops_size_format(p->cur_bytes, b, sizeof(b)),
		    ops_fs_rel(home_dir, p->aside));
	} else {
		fprintf(f, "memory/: none yet\n");
	}
	if (p->agent_running)
		fprintf(f, "agent: running (pid %d): stopped, then started on the restored memory "
		    "and given %.0fs to heartbeat, else the previous memory is put back\n",
		    (int)p->agent_pid, p->start_timeout);
	else
		fprintf(f, "agent: not running, and not started\n");
}

static int
confirm(void *ctx, const struct ops_restore_plan *p)
{
	char line[64];

	(void)ctx;
	print_plan(stderr, p);
	fputs("Restore? [y/N] ", stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return strcmp(line, "y\n") == 0 || strcmp(line, "yes\n") == 0 ||
	    strcmp(line, "Y\n") == 0;
}

static int
list(const struct ops_config *cfg, const char *archive, struct ops_err *err)
{
	struct ops_manifest m = OPS_MANIFEST_INIT;
	char path[PATH_MAX], t[32], sz[32];

	if (ops_restore_list(cfg, archive, &m, path, sizeof(path), err) < 0) {
		ops_manifest_release(&m);
		return -1;
	}
	printf("%s: taken %s, %zu files, %s\n", ops_fs_rel(cfg->home, path),
	    m.created > 0 ? ops_time_log(m.created, t, sizeof(t)) : "?", m.n,
	    ops_size_format(m.total, sz, sizeof(sz)));
	for (size_t i = 0; i < m.n; i++)
		printf("%12llu  %-6s  %s\n", (unsigned long long)m.v[i].size,
		    ops_kind_name(m.v[i].kind), m.v[i].name);
	ops_manifest_release(&m);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "config", required_argument, NULL, 'c' },
		{ "yes", no_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "list", no_argument, NULL, 'l' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ops_config cfg;
	struct ops_lock lk = OPS_LOCK_INIT;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_restore_opts o = { 0 };
	struct ops_restore_plan plan;
	const char *home = NULL, *config = NULL;
	int yes = 0, do_list = 0, ch, code = 2, rc;

	umask(077);
	memset(&cfg, 0, sizeof(cfg));
	while ((ch = getopt_long(argc, argv, "H:c:yhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'c': config = optarg; break;
		case 'y': yes = 1; break;
		case 'n': o.dry_run = 1; break;
		case 'l': do_list = 1; break;
		case 't': o.to = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': puts("ops-restore " OPS_VERSION); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc)
		o.archive = argv[optind++];
	if (optind < argc || do_list + o.dry_run + (o.to != NULL) > 1 ||
	    (yes && (do_list || o.to))) {
		fprintf(stderr, "ops-restore: conflicting or extra arguments\n%s", usage);
		return 2;
	}
	/* Replacing memory needs a yes: from --yes, or from a person. */
	if (!yes && !do_list && !o.dry_run && !o.to && !isatty(0)) {
		fputs("ops-restore: refusing to restore without confirmation: no terminal "
		    "(use --yes)\n", stderr);
		return 2;
	}
	o.confirm = yes ? NULL : confirm;
	o.note = note;
	o.progress = isatty(2) ? show : NULL;
	if (ops_config_load(&cfg, home, config, &err) < 0 ||
	    (!do_list && ops_lock_acquire(&lk, cfg.home, "backup", &err) < 0)) {
		fprintf(stderr, "ops-restore: %s\n", err.msg);
		code = ops_err_exit_code(&err);
		goto out;
	}
	home_dir = cfg.home;
	rc = do_list ? list(&cfg, o.archive, &err) : ops_restore_run(&cfg, &o, &plan, &err);
	if (rc < 0) {
		fprintf(stderr, "ops-restore: %s\n", err.msg);
		code = ops_err_exit_code(&err);
		goto out;
	}
	if (o.dry_run) {
		print_plan(stdout, &plan);
		puts("dry run: nothing was changed");
	} else if (o.to) {
		printf("extracted %s (%zu files) into %s/memory\n", ops_fs_rel(cfg.home, plan.archive),
		    plan.files, o.to);
	} else if (!do_list) {
		printf("restored memory/ from %s (%zu files)", ops_fs_rel(cfg.home, plan.archive),
		    plan.files);
		if (plan.memory_exists)
			printf("; previous memory in %s", ops_fs_rel(cfg.home, plan.aside));
		if (plan.new_pid > 0)
			printf("; agent restarted (pid %d)", (int)plan.new_pid);
		putchar('\n');
	}
	code = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
out:
	ops_lock_release(&lk);
	ops_config_release(&cfg);
	return code;
}
