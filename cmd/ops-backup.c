/* ops-backup: verified, atomic backups of the agent's memory (ops-backup(1)). */
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops.h"
#include "ops_backup.h"
#include "cli.h"

static const struct ops_cli_opt opts[] = {
	OPS_CLI_HOME(1),
	OPS_CLI_CONFIG(1),
	{ "all", 'a', 0, NULL, "verify: every archive, not just the newest" },
	{ "json", 'j', 0, NULL, "list: one JSON object per archive" },
	{ "dry-run", 'n', 0, NULL, "prune: print what would be deleted, delete nothing" },
	{ "allow-corrupt", 'C', 0, NULL, "create: a database that fails its check "
	  "goes in a forensic archive, NAME.corrupt.tar.zst (the run still fails)" },
	{ "retry", 'r', 0, NULL, "offsite: copy again every archive whose offsite copy "
	  "failed" },
	{ "identity", 'i', 0, "FILE", "verify: the age identity that opens encrypted "
	  "archives (default: backup.identity_file)" },
	{ "output", 'o', 1, "FILE", "keygen: write the identity to FILE (0600) and "
	  "print its public key" },
	{ "verbose", 'v', 1, NULL, "say what was done (default on a terminal)" },
	OPS_CLI_HELP,
	OPS_CLI_VERSION,
	OPS_CLI_END,
};

static struct ops_cli cli = {
	.prog = "ops-backup",
	.synopsis = "[--home DIR] [--config FILE] [-v] [create [--allow-corrupt]]\n"
	    "[--home DIR] [--config FILE] [-v] [--identity FILE] verify\n"
	    " [ARCHIVE|--all]\n"
	    "[--home DIR] [--config FILE] list [--json]\n"
	    "[--home DIR] [--config FILE] [-v] prune [--dry-run]\n"
	    "[--home DIR] [--config FILE] [-v] offsite --retry\n"
	    "[--home DIR] [--config FILE] offsite list\n"
	    "keygen [-o FILE]",
	.about = "Back up the agent's memory (the databases through SQLite's backup API,\n"
	    "the other files as they are) into one verified archive under\n"
	    "backups/memory/, then prune by the retention policy.\n"
	    "Verbs: create (the default) verify list prune offsite keygen. Takes the\n"
	    "backup "
	    "lock (not for list).",
	.extra = OPS_CLI_EXIT_CODES,
	.page = "ops-backup(1), dharmic-ops.json(5)",
	.opts = opts,
};

/* A progress line on a terminal only; cron sees nothing. Anything printed
 * after it clears it first (clear_progress), or the next line would start
 * where the percentage ends. */
static int progress_shown;

static void
clear_progress(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

static void
show(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
	static int last = -1;
	static const char *last_phase;
	int pct = total ? (int)(done * 100 / total) : 100;

	(void)ctx;
	if (pct == last && phase == last_phase)
		return;
	last = pct;
	last_phase = phase;
	fprintf(stderr, "\rops-backup: %-8s %3d%%", phase, pct);
	progress_shown = 1;
	if (strcmp(phase, "verify") == 0 && pct == 100)
		clear_progress();
}

/* One audit entry; a failure to record is said on stderr. */
static void
audit(const struct ops_config *cfg, const char *verb, const char *outcome,
    const char *what, const char *msg)
{
	struct ops_err aerr = OPS_ERR_INIT;

	if (ops_audit_record(cfg, NULL, "ops-backup", verb, outcome, &aerr, "%s%s%s", what,
	    msg && *msg ? ": " : "", msg ? msg : "") < 0)
		fprintf(stderr, "ops-backup: %s\n", aerr.msg);
}

static int
verify_one(const struct ops_config *cfg, const char *arg, const struct ops_backup_progress *p,
    int verbose)
{
	struct ops_verify_result r;
	struct ops_err err = OPS_ERR_INIT;
	char path[PATH_MAX];
	int nofollow, rc;

	memset(&r, 0, sizeof(r));
	rc = ops_backup_resolve(cfg, arg, path, sizeof(path), &nofollow, &err) < 0 ||
	    ops_backup_verify(cfg, path, nofollow, p, &r, &err) < 0;
	clear_progress();
	if (rc) {
		/* 3: it could not be checked, which says nothing about the
		 * archive; 1: the archive is bad. */
		if (r.unchecked) {
			fprintf(stderr, "ops-backup: verify could not check %s: %s\n",
			    arg ? arg : "latest", err.msg);
			audit(cfg, "backup.verify", "unchecked", arg ? arg : "latest", err.msg);
			return 3;
		}
		fprintf(stderr, "ops-backup: verify failed: %s%s%s\n", arg ? arg : "latest",
		    err.msg[0] ? ": " : "", err.msg);
		if (err.code != OPS_E_USAGE)
			audit(cfg, "backup.verify", "bad", arg ? arg : "latest", err.msg);
		return err.code == OPS_E_USAGE ? 2 : 1;
	}
	if (r.cipher_only) {
		/* Not a drill: say so wherever the output goes. */
		audit(cfg, "backup.verify", "intact", ops_fs_rel(cfg->home, path),
		    "encrypted file only: no identity for the drill");
		printf("ok %s: encrypted file intact (sha256 as written); the full drill "
		    "needs the identity (--identity FILE or backup.identity_file)\n",
		    ops_fs_rel(cfg->home, path));
		return 0;
	}
	audit(cfg, "backup.verify", "good", ops_fs_rel(cfg->home, path), NULL);
	if (verbose)
		printf("ok %s: %zu files, %zu databases pass integrity_check\n",
		    ops_fs_rel(cfg->home, path), r.files, r.databases);
	return 0;
}

static int
run(const struct ops_config *cfg, const char *verb, const char *arg, int flag,
    int verbose, const struct ops_backup_opts *o, const struct ops_backup_progress *p,
    struct ops_err *err)
{
	struct ops_backup_info *bv = NULL;
	struct ops_prune_item *pv = NULL;
	struct ops_buf out = OPS_BUF_INIT;
	size_t n = 0;
	int rc = 0;

	if (strcmp(verb, "create") == 0) {
		struct ops_backup_result r;

		rc = ops_backup_create(cfg, o, p, &r, err);
		clear_progress();
		if (rc < 0) {
			audit(cfg, "backup.create", "failed", err->msg, NULL);
			return -1;
		}
		audit(cfg, "backup.create", "done", ops_fs_rel(cfg->home, r.path), NULL);
		/* Said every time: an archive nobody looked into is no backup
		 * one can count on yet. */
		if (r.unchecked)
			fprintf(stderr, "ops-backup: warning: %s is unchecked: the databases "
			    "were not checked (backup.check \"off\"); run ops-backup verify\n",
			    ops_fs_rel(cfg->home, r.path));
		if (verbose) {
			char sz[32];

			printf("backup complete: %s (%zu files, %s, %.1fs; %zu pruned)\n",
			    ops_fs_rel(cfg->home, r.path), r.files,
			    ops_size_format(r.size, sz, sizeof(sz)), r.seconds, r.pruned);
		}
	} else if (strcmp(verb, "verify") == 0 && !flag) {
		rc = verify_one(cfg, arg, p, verbose);
	} else if (strcmp(verb, "verify") == 0) {
		if (ops_backup_list(cfg, &bv, &n, err) < 0)
			return -1;
		if (n == 0)
			return ops_err_set(err, OPS_E_FAIL, "no backups to verify");
		/* 1 when one is bad, else 3 when one could not be checked. */
		for (size_t i = 0; i < n; i++) {
			int r = verify_one(cfg, bv[i].path, p, verbose);

			if (r == 1 || (r != 0 && rc == 0))
				rc = r;
		}
	} else if (strcmp(verb, "offsite") == 0 && arg != NULL) {
		struct ops_rclone_entry *ev = NULL;

		/* offsite list: what the remote holds (rclone lsjson) */
		if (ops_backup_offsite_list(cfg, &ev, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			char sz[32];

			if (ev[i].size >= 0)
				ops_size_format((uint64_t)ev[i].size, sz, sizeof(sz));
			else
				snprintf(sz, sizeof(sz), "?");
			printf("%-34s %10s  %s\n", ev[i].name, sz,
			    ev[i].modtime[0] ? ev[i].modtime : "-");
		}
		free(ev);
	} else if (strcmp(verb, "offsite") == 0) {
		size_t copied;

		if (ops_backup_offsite_retry(cfg, &copied, err) < 0)
			return -1;
		if (verbose)
			printf("offsite: %zu archive%s copied\n", copied, copied == 1 ? "" : "s");
	} else if (strcmp(verb, "list") == 0) {
		if (ops_backup_list(cfg, &bv, &n, err) < 0)
			return -1;
		ops_backup_list_format(bv, n, flag, &out);
		fputs(ops_buf_str(&out), stdout);
	} else {
		if (ops_backup_prune(cfg, flag, &pv, &n, err) < 0)
			return -1;
		ops_backup_prune_format(pv, n, flag, verbose, &out);
		fputs(ops_buf_str(&out), stdout);
	}
	free(bv);
	free(pv);
	ops_buf_release(&out);
	return rc;
}

/* keygen: a new age identity, as age-keygen makes it: to FILE (created
 * 0600, never replaced; the public key on stdout), or to stdout (the
 * public key on stderr). */
static int
keygen(const char *out)
{
	struct ops_err err = OPS_ERR_INIT;
	char pub[OPS_AGE_PUBLIC_LEN + 1], *text = NULL;
	int code = 1;

	if (ops_backup_keygen(&text, pub, &err) < 0 ||
	    (out != NULL && ops_backup_keygen_write(out, text, &err) < 0)) {
		fprintf(stderr, "ops-backup: %s\n", err.msg);
		goto out;
	}
	if (out != NULL) {
		printf("%s\n", pub);
	} else {
		fputs(text, stdout);
		fprintf(stderr, "Public key: %s\n", pub);
	}
	code = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
out:
	if (text != NULL) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	return code;
}

int
main(int argc, char **argv)
{
	struct ops_config cfg;
	struct ops_lock lk = OPS_LOCK_INIT;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_backup_progress prog = { isatty(2) ? show : NULL, NULL };
	const char *home = NULL, *config = NULL, *verb = "create", *arg = NULL;
	struct ops_backup_opts bo = { 0 };
	int retry = 0;
	const char *identity = NULL, *output = NULL;
	int all = 0, json = 0, dry = 0, verbose = isatty(1), ch, code = 2, rc;

	umask(077);
	memset(&cfg, 0, sizeof(cfg));
	cli_init(&cli);
	while ((ch = ops_cli_next(&cli, argc, argv, &err)) != -1) {
		switch (ch) {
		case 'H': home = optarg; break;
		case 'c': config = optarg; break;
		case 'a': all = 1; break;
		case 'j': json = 1; break;
		case 'n': dry = 1; break;
		case 'C': bo.allow_corrupt = 1; break;
		case 'r': retry = 1; break;
		case 'i': identity = optarg; break;
		case 'o': output = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': return cli_help(&cli);
		case 'V': puts("ops-backup " OPS_VERSION); return 0;
		default: return cli_error(&cli, 2, "%s", err.msg);
		}
	}
	if (optind < argc)
		verb = argv[optind++];
	if (optind < argc)
		arg = argv[optind++];
	if (strcmp(verb, "keygen") == 0) {
		if (arg != NULL || optind < argc || identity || all || json || dry ||
		    bo.allow_corrupt || retry || home || config)
			return cli_error(&cli, 2, "keygen takes only -o FILE");
		return keygen(output);
	}
	if (strcmp(verb, "create") && strcmp(verb, "verify") && strcmp(verb, "list") &&
	    strcmp(verb, "prune") && strcmp(verb, "offsite"))
		return cli_error(&cli, 2, "unknown verb '%s' (create, verify, list, prune, "
		    "offsite, keygen)", verb);
	if (output)
		return cli_error(&cli, 2, "-o goes with keygen, not %s", verb);
	if (identity && strcmp(verb, "verify"))
		return cli_error(&cli, 2, "--identity goes with verify, not %s", verb);
	if (strcmp(verb, "offsite") == 0 && arg != NULL && strcmp(arg, "list") != 0)
		return cli_error(&cli, 2, "unknown offsite action '%s' (list, --retry)", arg);
	if (strcmp(verb, "offsite") == 0 && (arg != NULL) == retry)
		return cli_error(&cli, 2, retry ? "offsite takes list or --retry, not both" :
		    "offsite needs list or --retry");
	if (strcmp(verb, "offsite") != 0 && retry)
		return cli_error(&cli, 2, "--retry goes with offsite, not %s", verb);
	if (optind < argc || (arg && strcmp(verb, "verify") && strcmp(verb, "offsite")))
		return cli_error(&cli, 2, "unexpected argument '%s'", optind < argc ?
		    argv[optind] : arg);
	if (arg && all)
		return cli_error(&cli, 2, "verify takes an archive or --all, not both");
	if (all && strcmp(verb, "verify"))
		return cli_error(&cli, 2, "--all goes with verify, not %s", verb);
	if (json && strcmp(verb, "list"))
		return cli_error(&cli, 2, "--json goes with list, not %s", verb);
	if (dry && strcmp(verb, "prune"))
		return cli_error(&cli, 2, "--dry-run goes with prune, not %s", verb);
	if (bo.allow_corrupt && strcmp(verb, "create"))
		return cli_error(&cli, 2, "--allow-corrupt goes with create, not %s", verb);
	if (ops_config_load(&cfg, home, config, &err) < 0 ||
	    (identity && ops_backup_identity_arg(&cfg, identity, &err) < 0) ||
	    (strcmp(verb, "list") != 0 && !(strcmp(verb, "offsite") == 0 && arg) &&
	    ops_lock_acquire(&lk, cfg.home, "backup", &err) < 0)) {
		fprintf(stderr, "ops-backup: %s\n", err.msg);
		code = ops_err_exit_code(&err);
		goto out;
	}
	rc = run(&cfg, verb, arg, all | json | dry, verbose, &bo, &prog, &err);
	if (rc < 0) {
		fprintf(stderr, "ops-backup: %s\n", err.msg);
		code = ops_err_exit_code(&err);
	} else {
		code = rc;
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		code = code ? code : 1;
out:
	ops_lock_release(&lk);
	ops_config_release(&cfg);
	return code;
}
