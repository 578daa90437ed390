/* ops_homefile (issue 12): which files of the home hold secrets, what
 * backup.include may name without encryption, and putting restored files
 * in place and back by inode, again after a kill, never through a
 * symlink. */
#include "ops_homefile.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

static void
test_secret(void)
{
	static const struct { const char *rel; int secret; } cases[] = {
		{ ".env", 1 }, { ".env.local", 1 }, { "prod.env", 1 }, { "conf/.env", 1 },
		{ "keys/a.key", 1 }, { "keys/*.key", 1 }, { "keys/sub/anything", 1 },
		{ "Keys/x.txt", 1 }, { ".ssh/config", 1 }, { ".gnupg/pubring.kbx", 1 },
		{ "secrets/db.txt", 1 }, { ".aws/credentials", 1 },
		{ "tls/server.pem", 1 }, { "*.pem", 1 }, { "cert.P12", 1 }, { "a.jks", 1 },
		{ "id_rsa", 1 }, { "id_ed25519", 1 }, { "id_rsa.pub", 0 },
		{ ".netrc", 1 }, { ".pgpass", 1 }, { "rclone.conf", 1 }, { "conf/rclone.conf", 1 },
		{ "api_token.txt", 1 }, { "MyPassword.txt", 1 }, { "client_secret.json", 1 },
		{ "wallet.dat", 1 }, { "passphrase", 1 }, { "gcp-credentials.json", 1 },
		{ "ops.json", 0 }, { "notes/a.md", 0 }, { "logs/daemon.log", 0 },
		{ "environment.md", 0 }, { "keystone.txt", 0 }, { "monkeys/a.txt", 0 },
		{ "keyring.txt", 0 }, { "a.keys", 0 }, { "*", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_case("secret %s", cases[i].rel);
		EQ_INT(ops_homefile_secret(NULL, cases[i].rel), cases[i].secret);
	}
	unit_case("%s", "");
}

static void
test_include(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	static const char *const ok_plain[] = { "memory/*.db", "ops.json", "notes/*.md" };

	static const char text[] = "{\"daemon\": {\"env_file\": \"conf/agent.cfg\"}, "
	    "\"backup\": {\"identity_file\": \"/h/id/me.txt\"}}";

	memset(&cfg, 0, sizeof(cfg));
	if (ops_config_load_text(&cfg, "/h", text, strlen(text), "t", &err) < 0) {
		fprintf(stderr, "config: %s\n", err.msg);
		exit(1);
	}
	/* configured secret files, relative or absolute under the home */
	EQ_INT(ops_homefile_secret(&cfg, "conf/agent.cfg"), 1);
	EQ_INT(ops_homefile_secret(&cfg, "id/me.txt"), 1);
	EQ_INT(ops_homefile_secret(&cfg, "conf/other.cfg"), 0);
	EQ_INT(ops_homefile_secret(NULL, "conf/agent.cfg"), 0);

	ops_strv_release(&cfg.backup.include);
	for (size_t i = 0; i < 3; i++)
		CHECK(ops_strv_push(&cfg.backup.include, ok_plain[i]) == 0);
	EQ_INT(ops_homefile_check_include(&cfg, 0, &err), 0);
	/* a secret: only when encrypted, the entry named */
	CHECK(ops_strv_push(&cfg.backup.include, "keys/*.key") == 0);
	EQ_INT(ops_homefile_check_include(&cfg, 0, &err), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	HAS_STR(err.msg, "'keys/*.key' names files that hold secrets");
	EQ_INT(ops_homefile_check_include(&cfg, 1, &err), 0);
	/* ops' own, the backups, and what leaves the home: never */
	{
		static const struct { const char *p, *why; } bad[] = {
			{ ".ops/state.db", "ops' own" },
			{ "MANIFEST.json", "ops' own" },
			{ "memory.pre-restore.20260101_000000/x", "ops' own" },
			{ "home.pre-restore.20260101_000000/keys/a.key", "ops' own" },
			{ ".memory.restore/x", "ops' own" },
			{ "backups/memory/*", "under backup.dir" },
			{ "backups/memory", "under backup.dir" },
			{ "../x", "leaves the home" },
			{ "/etc/passwd", "absolute" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			unit_case("include %s", bad[i].p);
			ops_strv_release(&cfg.backup.include);
			CHECK(ops_strv_push(&cfg.backup.include, bad[i].p) == 0);
			ops_err_clear(&err);
			EQ_INT(ops_homefile_check_include(&cfg, 1, &err), -1);
			EQ_INT(err.code, OPS_E_USAGE);
			HAS_STR(err.msg, bad[i].why);
		}
		unit_case("%s", "");
	}
	/* "backups/memoryx" is not under backups/memory */
	ops_strv_release(&cfg.backup.include);
	CHECK(ops_strv_push(&cfg.backup.include, "backups/memoryx/a") == 0);
	EQ_INT(ops_homefile_check_include(&cfg, 0, &err), 0);
	/* one file a pattern matched */
	EQ_INT(ops_homefile_check_file(&cfg, "notes/*", "notes/api_token.txt", 0, &err), -1);
	HAS_STR(err.msg, "'notes/*' matches 'notes/api_token.txt', a file that holds secrets");
	EQ_INT(ops_homefile_check_file(&cfg, "notes/*", "notes/api_token.txt", 1, &err), 0);
	EQ_INT(ops_homefile_check_file(&cfg, "*", "MANIFEST.sha256", 1, &err), -1);
	EQ_INT(ops_homefile_check_file(&cfg, "memory/*", "memory/wallet.db", 0, &err), 0);
	ops_config_release(&cfg);
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int
is(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

static unsigned long long
ino_of(const char *path, unsigned long long *dev)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	*dev = (unsigned long long)st.st_dev;
	return (unsigned long long)st.st_ino;
}

static void
test_place(void)
{
	struct ops_err err = OPS_ERR_INIT;
	char *tmp = unit_tmpdir(), root[PATH_MAX], home[PATH_MAX + 64], stg[PATH_MAX + 64];
	char aside[PATH_MAX + 64], p[PATH_MAX + 256], out[PATH_MAX + 128];
	unsigned long long dev = 0, ino, ino2;
	int exists;

	CHECK(realpath(tmp, root) != NULL);
	snprintf(home, sizeof(home), "%s/h", root);
	snprintf(stg, sizeof(stg), "%s/h/.memory.restore", root);
	snprintf(aside, sizeof(aside), "%s/h/home.pre-restore.20260101_000000", root);
	CHECK(mkdir(home, 0700) == 0 && mkdir(stg, 0700) == 0);
	snprintf(p, sizeof(p), "%s/keys", home);
	CHECK(mkdir(p, 0700) == 0);
	snprintf(p, sizeof(p), "%s/keys", stg);
	CHECK(mkdir(p, 0700) == 0);
	snprintf(p, sizeof(p), "%s/keys/a.key", home);
	put(p, "old-a");
	snprintf(p, sizeof(p), "%s/keys/a.key", stg);
	put(p, "new-a");
	ino = ino_of(p, &dev);
	snprintf(p, sizeof(p), "%s/sub/dir/b.txt", stg);
	snprintf(out, sizeof(out), "%s/sub", stg);
	CHECK(mkdir(out, 0700) == 0);
	snprintf(out, sizeof(out), "%s/sub/dir", stg);
	CHECK(mkdir(out, 0700) == 0);
	put(p, "new-b");
	ino2 = ino_of(p, &dev);

	/* plan: what is there, what may not be replaced */
	EQ_INT(ops_homefile_plan(home, "keys/a.key", &exists, &err), 0);
	EQ_INT(exists, 1);
	EQ_INT(ops_homefile_plan(home, "sub/dir/b.txt", &exists, &err), 0);
	EQ_INT(exists, 0);
	EQ_INT(ops_homefile_plan(home, "keys", &exists, &err), -1);
	HAS_STR(err.msg, "is a directory");

	/* forward: the old one aside, the new one in place; again: no-op */
	EQ_INT(ops_homefile_forward(home, stg, aside, "keys/a.key", dev, ino, &err), 0);
	snprintf(p, sizeof(p), "%s/keys/a.key", home);
	CHECK(is(p, "new-a"));
	snprintf(p, sizeof(p), "%s/keys/a.key", aside);
	CHECK(is(p, "old-a"));
	EQ_INT(ops_homefile_forward(home, stg, aside, "keys/a.key", dev, ino, &err), 0);
	snprintf(p, sizeof(p), "%s/keys/a.key", aside);
	CHECK(is(p, "old-a"));
	/* a new file: its directories made in the home */
	EQ_INT(ops_homefile_forward(home, stg, aside, "sub/dir/b.txt", dev, ino2, &err), 0);
	snprintf(p, sizeof(p), "%s/sub/dir/b.txt", home);
	CHECK(is(p, "new-b"));
	/* a file that is neither in place nor staged (wrong inode): refused */
	EQ_INT(ops_homefile_forward(home, stg, aside, "keys/z.key", dev, ino, &err), -1);
	HAS_STR(err.msg, "neither in place nor in the staging directory");

	/* back: the previous one returns, the new-only file goes; again:
	 * nothing more (the previous one is never removed) */
	EQ_INT(ops_homefile_back(home, aside, "keys/a.key", dev, ino, &err), 0);
	snprintf(p, sizeof(p), "%s/keys/a.key", home);
	CHECK(is(p, "old-a"));
	EQ_INT(ops_homefile_back(home, aside, "keys/a.key", dev, ino, &err), 0);
	CHECK(is(p, "old-a"));
	EQ_INT(ops_homefile_back(home, aside, "sub/dir/b.txt", dev, ino2, &err), 0);
	snprintf(p, sizeof(p), "%s/sub/dir/b.txt", home);
	CHECK(access(p, F_OK) < 0);
	EQ_INT(ops_homefile_back(home, aside, "sub/dir/b.txt", dev, ino2, &err), 0);
	/* killed between setting aside and putting in place: back restores.
	 * The restored inode here is a live file's elsewhere: a freed one
	 * could come back as the new keys/c.key's. */
	snprintf(p, sizeof(p), "%s/pin", root);
	put(p, "pin");
	ino = ino_of(p, &dev);
	snprintf(p, sizeof(p), "%s/keys/c.key", aside);
	put(p, "old-c");
	EQ_INT(ops_homefile_back(home, aside, "keys/c.key", dev, ino, &err), 0);
	snprintf(p, sizeof(p), "%s/keys/c.key", home);
	CHECK(is(p, "old-c"));
	/* something else at the place (not the restored inode) stays */
	snprintf(p, sizeof(p), "%s/keys/c.key", aside);
	put(p, "other");
	EQ_INT(ops_homefile_back(home, aside, "keys/c.key", dev, ino, &err), 0);
	snprintf(p, sizeof(p), "%s/keys/c.key", home);
	CHECK(is(p, "old-c"));

	/* a symlinked directory in the home is never followed */
	snprintf(p, sizeof(p), "%s/out", root);
	CHECK(mkdir(p, 0700) == 0);
	snprintf(out, sizeof(out), "%s/ln", home);
	CHECK(symlink(p, out) == 0);
	EQ_INT(ops_homefile_plan(home, "ln/x.key", &exists, &err), -1);
	HAS_STR(err.msg, "symlink");
	snprintf(p, sizeof(p), "%s/ln", stg);
	CHECK(mkdir(p, 0700) == 0);
	snprintf(p, sizeof(p), "%s/ln/x.key", stg);
	put(p, "x");
	ino = ino_of(p, &dev);
	EQ_INT(ops_homefile_forward(home, stg, aside, "ln/x.key", dev, ino, &err), -1);
	HAS_STR(err.msg, "symlink");
	snprintf(p, sizeof(p), "%s/out/x.key", root);
	CHECK(access(p, F_OK) < 0);
	/* '..' never */
	EQ_INT(ops_homefile_forward(home, stg, aside, "../x", dev, ino, &err), -1);
	EQ_INT(ops_homefile_plan(home, "../x", &exists, &err), -1);

	/* --to: moved at its relative path, never over a file */
	snprintf(out, sizeof(out), "%s/to", root);
	CHECK(mkdir(out, 0700) == 0);
	EQ_INT(ops_homefile_move(stg, out, "ln/x.key", &err), 0);
	snprintf(p, sizeof(p), "%s/ln/x.key", out);
	CHECK(is(p, "x"));
	snprintf(p, sizeof(p), "%s/ln/x.key", stg);
	put(p, "y");
	EQ_INT(ops_homefile_move(stg, out, "ln/x.key", &err), -1);
	snprintf(p, sizeof(p), "%s/ln/x.key", out);
	CHECK(is(p, "x"));
	free(tmp);
}

int
main(void)
{
	test_secret();
	test_include();
	test_place();
	return unit_done();
}
