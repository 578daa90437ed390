/* ops_aside: which memory.pre-restore.* copies are pruned — by age, never
 * the newest, never the one the restore journal names, nothing while the
 * journal is not ours — and that only ops-restore's own names, as real
 * directories, are ever listed or removed. */
#include "ops_aside.h"
#include "ops_config.h"
#include "ops_fs.h"
#include "ops_rjournal.h"
#include "ops_time.h"

#include <limits.h>

#include "unit.h"

#define DAY 86400.0

static struct ops_aside
item(const char *name, double t)
{
	struct ops_aside a;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	a.time = t;
	return a;
}

static void
test_time(void)
{
	char stamp[32], name[64];
	double now = 1767225600;	/* 2026-01-01 UTC */

	ops_time_stamp(now, stamp, sizeof(stamp));
	snprintf(name, sizeof(name), "memory.pre-restore.%s", stamp);
	EQ_DBL(ops_aside_time(name), now, 0);
	snprintf(name, sizeof(name), "memory.pre-restore.%s-2", stamp);
	EQ_DBL(ops_aside_time(name), now, 0);
	EQ_DBL(ops_aside_time("memory.pre-restore.20260101_000000-1"), -1, 0);
	EQ_DBL(ops_aside_time("memory.pre-restore.old"), -1, 0);
	EQ_DBL(ops_aside_time("memory.pre-restore.20260101_000000.bak"), -1, 0);
	EQ_DBL(ops_aside_time("xmemory.pre-restore.20260101_000000"), -1, 0);
	EQ_DBL(ops_aside_time("memory"), -1, 0);
}

static void
test_select(void)
{
	double now = 1767225600;
	struct ops_aside v[5];

	/* ages: 1d, 10d, 8d, 6d, 30d; keep 7d */
	v[0] = item("memory.pre-restore.b", now - 10 * DAY);
	v[1] = item("memory.pre-restore.a", now - 1 * DAY);
	v[2] = item("memory.pre-restore.c", now - 8 * DAY);
	v[3] = item("memory.pre-restore.d", now - 6 * DAY);
	v[4] = item("memory.pre-restore.e", now - 30 * DAY);
	ops_aside_select(v, 5, now, 7 * DAY, NULL, 0);
	EQ_STR(v[0].name, "memory.pre-restore.a");
	EQ_INT(v[0].fate, OPS_ASIDE_NEWEST);
	EQ_STR(v[1].name, "memory.pre-restore.d");
	EQ_INT(v[1].fate, OPS_ASIDE_YOUNG);
	EQ_STR(v[2].name, "memory.pre-restore.c");
	EQ_INT(v[2].fate, OPS_ASIDE_PRUNE);
	EQ_INT(v[3].fate, OPS_ASIDE_PRUNE);
	EQ_STR(v[4].name, "memory.pre-restore.e");
	EQ_INT(v[4].fate, OPS_ASIDE_PRUNE);

	/* the journal's is kept whatever its age */
	ops_aside_select(v, 5, now, 7 * DAY, "memory.pre-restore.e", 0);
	EQ_INT(v[4].fate, OPS_ASIDE_JOURNAL);
	EQ_INT(v[2].fate, OPS_ASIDE_PRUNE);

	/* a journal that is not ours: nothing goes */
	ops_aside_select(v, 5, now, 7 * DAY, NULL, 1);
	EQ_INT(v[0].fate, OPS_ASIDE_NEWEST);
	for (int i = 1; i < 5; i++)
		CHECK(v[i].fate != OPS_ASIDE_PRUNE);

	/* the newest is kept even when it is old; keep 0 prunes the rest */
	v[0] = item("memory.pre-restore.x", now - 100 * DAY);
	v[1] = item("memory.pre-restore.y", now - 200 * DAY);
	ops_aside_select(v, 2, now, 7 * DAY, NULL, 0);
	EQ_STR(v[0].name, "memory.pre-restore.x");
	EQ_INT(v[0].fate, OPS_ASIDE_NEWEST);
	EQ_INT(v[1].fate, OPS_ASIDE_PRUNE);
	v[0] = item("memory.pre-restore.x", now - 1);
	v[1] = item("memory.pre-restore.y", now - 2);
	ops_aside_select(v, 2, now, 0, NULL, 0);
	EQ_INT(v[1].fate, OPS_ASIDE_PRUNE);

	/* the same second: the "-2" copy was made after the plain one */
	v[0] = item("memory.pre-restore.20260101_000000", now - 9 * DAY);
	v[1] = item("memory.pre-restore.20260101_000000-2", now - 9 * DAY);
	ops_aside_select(v, 2, now, 7 * DAY, NULL, 0);
	EQ_STR(v[0].name, "memory.pre-restore.20260101_000000-2");
	EQ_INT(v[1].fate, OPS_ASIDE_PRUNE);

	ops_aside_select(v, 0, now, 7 * DAY, NULL, 0);	/* nothing, no crash */
}

static void
mkdir_aside(const char *home, double t, const char *suffix, char *name, size_t len)
{
	char stamp[32], path[PATH_MAX + 64];

	ops_time_stamp(t, stamp, sizeof(stamp));
	snprintf(name, len, "memory.pre-restore.%s%s", stamp, suffix);
	snprintf(path, sizeof(path), "%s/%s", home, name);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/%s/memory.db", home, name);
	unit_write(path, "0123456789");
}

static int
exists(const char *home, const char *name)
{
	char path[PATH_MAX + 64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", home, name);
	return lstat(path, &st) == 0;
}

/* A home on disk: bad names and a symlink beside real copies, then the
 * journal in its three states. */
static void
test_scan_prune(void)
{
	struct ops_config cfg;
	struct ops_aside_list l = OPS_ASIDE_LIST_INIT;
	struct ops_err err = OPS_ERR_INIT;
	struct ops_rjournal j;
	struct ops_buf b = OPS_BUF_INIT;
	char *tmp = unit_tmpdir(), home[PATH_MAX], outside[PATH_MAX + 16];
	char path[PATH_MAX + 64], n1[64], n10[64], n20[64], n30[64], nlink[64];
	char *text;
	double now = ops_time_now();

	CHECK(realpath(tmp, home) != NULL);
	memset(&cfg, 0, sizeof(cfg));
	if (ops_config_load_text(&cfg, home, "{}", 2, "test", &err) < 0) {
		fprintf(stderr, "config: %s\n", err.msg);
		exit(1);
	}
	EQ_DBL(cfg.restore.keep_aside, 7 * DAY, 0);
	snprintf(path, sizeof(path), "%s/.ops", home);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/logs", home);
	CHECK(mkdir(path, 0700) == 0);

	mkdir_aside(home, now - 1 * DAY, "", n1, sizeof(n1));
	mkdir_aside(home, now - 10 * DAY, "", n10, sizeof(n10));
	mkdir_aside(home, now - 20 * DAY, "-2", n20, sizeof(n20));
	mkdir_aside(home, now - 30 * DAY, "", n30, sizeof(n30));
	/* not ops-restore's names: never listed, never touched */
	snprintf(path, sizeof(path), "%s/memory.pre-restore.old", home);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/memory.pre-restore.20200101_000000.bak", home);
	CHECK(mkdir(path, 0700) == 0);
	/* a symlink with a correct, old name, to a directory outside */
	snprintf(outside, sizeof(outside), "%s/outside", home);
	CHECK(mkdir(outside, 0700) == 0);
	snprintf(path, sizeof(path), "%s/outside/precious", home);
	unit_write(path, "keep me");
	{
		char stamp[32];

		ops_time_stamp(now - 40 * DAY, stamp, sizeof(stamp));
		snprintf(nlink, sizeof(nlink), "memory.pre-restore.%s", stamp);
		snprintf(path, sizeof(path), "%s/%s", home, nlink);
		CHECK(symlink(outside, path) == 0);
	}

	/* 1. a journal that is not ours: listed, nothing pruned */
	snprintf(path, sizeof(path), "%s/.ops/restore.journal", home);
	unit_write(path, "{\"mode\":\"restore\"}");
	CHECK(ops_aside_scan(&cfg, now, &l, &err) == 0);
	EQ_INT(l.n, 4);
	CHECK(l.blocked[0] != '\0');
	HAS_STR(l.blocked, "restore.journal");
	EQ_INT(ops_aside_count(&l, OPS_ASIDE_PRUNE), 0);
	EQ_INT(ops_aside_count(&l, OPS_ASIDE_BLOCKED), 3);
	CHECK(ops_aside_prune(&cfg, &l, NULL, &err) == 0);
	CHECK(exists(home, n30) && exists(home, n20) && exists(home, n10));

	/* 2. a valid journal naming the 20-day-old copy: it stays */
	memset(&j, 0, sizeof(j));
	snprintf(j.mode, sizeof(j.mode), "restore");
	snprintf(j.phase, sizeof(j.phase), "extract");
	snprintf(j.archive, sizeof(j.archive), "%.1000s/backups/memory/x.tar", home);
	snprintf(j.staging, sizeof(j.staging), "%.1000s/.memory.restore", home);
	snprintf(j.aside, sizeof(j.aside), "%.1000s/%s", home, n20);
	{
		struct stat st;

		CHECK(stat(home, &st) == 0);
		j.dev = (unsigned long long)st.st_dev;
	}
	text = ops_rjournal_format(&j);
	CHECK(text != NULL);
	unit_write(path, text ? text : "");
	free(text);
	CHECK(ops_aside_scan(&cfg, now, &l, &err) == 0);
	EQ_STR(l.blocked, "");
	EQ_INT(l.n, 4);
	EQ_STR(l.v[0].name, n1);
	EQ_INT(l.v[0].fate, OPS_ASIDE_NEWEST);
	EQ_INT(l.v[0].bytes, 10);
	EQ_STR(l.v[2].name, n20);
	EQ_INT(l.v[2].fate, OPS_ASIDE_JOURNAL);
	EQ_INT(ops_aside_count(&l, OPS_ASIDE_PRUNE), 2);
	ops_aside_summary(&l, now, &b);
	HAS_STR(ops_buf_str(&b), "4 copies of memory/ set aside, newest ");
	HAS_STR(ops_buf_str(&b), n1);
	CHECK(ops_aside_prune(&cfg, &l, "logs/rotation.log", &err) == 0);
	EQ_INT(ops_aside_count(&l, OPS_ASIDE_REMOVED), 2);
	CHECK(exists(home, n1));
	CHECK(exists(home, n20));
	CHECK(!exists(home, n10));
	CHECK(!exists(home, n30));
	CHECK(exists(home, nlink));
	snprintf(path, sizeof(path), "%s/outside/precious", home);
	CHECK(access(path, F_OK) == 0);
	CHECK(exists(home, "memory.pre-restore.old"));
	CHECK(exists(home, "memory.pre-restore.20200101_000000.bak"));
	{
		char *log = NULL;
		size_t len;

		snprintf(path, sizeof(path), "%s/logs/rotation.log", home);
		CHECK(ops_fs_read_file(path, 1 << 20, &log, &len, &err) == 0);
		HAS_STR(log, n10);
		HAS_STR(log, "[INFO] aside: removed");
		free(log);
	}

	/* 3. no journal: the old one the journal named goes now */
	snprintf(path, sizeof(path), "%s/.ops/restore.journal", home);
	CHECK(unlink(path) == 0);
	CHECK(ops_aside_scan(&cfg, now, &l, &err) == 0);
	EQ_INT(l.n, 2);
	EQ_INT(ops_aside_count(&l, OPS_ASIDE_PRUNE), 1);

	/* 4. replaced by a symlink between the listing and the removal: left */
	snprintf(path, sizeof(path), "%s/%s", home, n20);
	{
		char moved[PATH_MAX + 64];

		snprintf(moved, sizeof(moved), "%s/moved", home);
		CHECK(rename(path, moved) == 0);
		CHECK(symlink(outside, path) == 0);
	}
	CHECK(ops_aside_prune(&cfg, &l, NULL, &err) < 0);
	HAS_STR(err.msg, "changed since it was listed");
	EQ_INT(ops_aside_count(&l, OPS_ASIDE_FAILED), 1);
	CHECK(exists(home, n20));
	snprintf(path, sizeof(path), "%s/outside/precious", home);
	CHECK(access(path, F_OK) == 0);

	/* 5. an invalid journal set aside: nothing pruned until it is looked at */
	snprintf(path, sizeof(path), "%s/.ops/restore.journal.invalid-20260101_000000", home);
	unit_write(path, "x");
	mkdir_aside(home, now - 50 * DAY, "", n30, sizeof(n30));
	CHECK(ops_aside_scan(&cfg, now, &l, &err) == 0);
	HAS_STR(l.blocked, "invalid restore journal");
	EQ_INT(ops_aside_count(&l, OPS_ASIDE_PRUNE), 0);

	ops_buf_release(&b);
	ops_aside_list_release(&l);
	ops_config_release(&cfg);
	unit_cleanup(tmp);
}

static void
test_config(void)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	static const char ok[] = "{\"restore\": {\"keep_aside\": \"0\"}}";
	static const char big[] = "{\"restore\": {\"keep_aside\": \"3651d\"}}";
	static const char bad[] = "{\"restore\": {\"keep_asides\": \"1d\"}}";

	memset(&cfg, 0, sizeof(cfg));
	CHECK(ops_config_load_text(&cfg, "/h", ok, strlen(ok), "t", &err) == 0);
	EQ_DBL(cfg.restore.keep_aside, 0, 0);
	ops_config_release(&cfg);
	memset(&cfg, 0, sizeof(cfg));
	CHECK(ops_config_load_text(&cfg, "/h", big, strlen(big), "t", &err) < 0);
	HAS_STR(err.msg, "restore.keep_aside");
	ops_config_release(&cfg);
	memset(&cfg, 0, sizeof(cfg));
	CHECK(ops_config_load_text(&cfg, "/h", bad, strlen(bad), "t", &err) < 0);
	ops_config_release(&cfg);
}

int
main(void)
{
	test_time();
	test_select();
	test_config();
	test_scan_prune();
	return unit_done();
}
