/* ops_confine: patterns refused at load, paths and glob matches kept in
 * the home through real directories only. */
#include "ops_confine.h"

#include <fcntl.h>
#include <limits.h>

#include "unit.h"

static char *tmp;

static char *
path(const char *rel)
{
	static char buf[8][PATH_MAX];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, PATH_MAX, "%s/%s", tmp, rel);
	return p;
}

static void
test_pattern(void)
{
	static const struct { const char *p; int ok; const char *msg; } cases[] = {
		{ "logs/*_????????.log", 1, NULL },
		{ ".", 1, NULL },
		{ "./logs/x..y", 1, NULL },
		{ "memory/..db", 1, NULL },
		{ "/etc/*.log", 0, "is absolute" },
		{ "logs/../../x", 0, "leaves the home" },
		{ "..", 0, "leaves the home" },
		{ "logs/..", 0, "leaves the home" },
		{ "", 0, "expected a path" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;

		unit_case("%s", cases[i].p);
		EQ_INT(ops_confine_pattern(cases[i].p, "f.json", "rotate.daily_logs", &err),
		    cases[i].ok ? 0 : -1);
		if (!cases[i].ok) {
			EQ_INT(err.code, OPS_E_USAGE);
			HAS_STR(err.msg, "f.json: 'rotate.daily_logs'");
			HAS_STR(err.msg, cases[i].msg);
		}
	}
	unit_case("%s", "");
}

static void
test_path(void)
{
	struct ops_err err = OPS_ERR_INIT;
	const char *leaf = NULL;
	int fd;

	mkdir(path("home"), 0700);
	mkdir(path("home/logs"), 0700);
	mkdir(path("outside"), 0700);
	unit_write(path("outside/secret.log"), "s");
	unit_write(path("home/logs/a.log"), "a");
	CHECK(symlink(path("outside"), path("home/memory")) == 0);
	CHECK(symlink("secret", path("home/logs/link.log")) == 0);
	unit_write(path("home/file"), "f");

	EQ_INT(ops_confine_path(path("home"), path("home/logs/a.log"), &err), 1);
	/* the last component is the caller's to lstat */
	EQ_INT(ops_confine_path(path("home"), path("home/logs/link.log"), &err), 1);
	/* nothing there yet: nothing can be followed */
	EQ_INT(ops_confine_path(path("home"), path("home/new/dir/x"), &err), 1);
	EQ_INT(ops_confine_path(path("home"), path("home/memory/secret.log"), &err), 0);
	HAS_STR(err.msg, "'memory' is a symlink");
	EQ_INT(ops_confine_path(path("home"), path("home/file/x"), &err), 0);
	HAS_STR(err.msg, "not a directory");
	EQ_INT(ops_confine_path(path("home"), path("outside/secret.log"), &err), 0);
	HAS_STR(err.msg, "outside the home");
	EQ_INT(ops_confine_path(path("home"), path("home/logs/../../outside/x"), &err), 0);
	EQ_INT(ops_confine_path(path("home"), path("homeX/logs"), &err), 0);
	/* a home that does not exist yet: nothing to follow */
	EQ_INT(ops_confine_path(path("nohome"), path("nohome/logs/x"), &err), 1);

	fd = ops_confine_parent(path("home"), "logs/a.log", &leaf, &err);
	CHECK(fd >= 0);
	if (fd >= 0) {
		EQ_STR(leaf, "a.log");
		CHECK(faccessat(fd, leaf, F_OK, 0) == 0);
		close(fd);
	}
	EQ_INT(ops_confine_parent(path("home"), "memory/secret.log", &leaf, &err), -1);
	HAS_STR(err.msg, "symlink");
	EQ_INT(ops_confine_parent(path("home"), "/etc/passwd", &leaf, &err), -1);
}

static void
test_glob(void)
{
	struct ops_strv out = OPS_STRV_INIT, refused = OPS_STRV_INIT;
	struct ops_err err = OPS_ERR_INIT;

	EQ_INT(ops_confine_glob(path("home"), "*/*.log", &out, &refused, &err), 0);
	EQ_INT(out.n, 2);	/* logs/a.log and logs/link.log */
	EQ_INT(refused.n, 1);
	if (refused.n == 1)
		EQ_STR(refused.v[0], path("home/memory/secret.log"));
	ops_strv_release(&out);
	ops_strv_release(&refused);
	EQ_INT(ops_confine_glob(path("home"), "memory/*", &out, NULL, &err), 0);
	EQ_INT(out.n, 0);
	EQ_INT(ops_confine_glob(path("home"), path("outside/*"), &out, NULL, &err), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	EQ_INT(ops_confine_glob(path("home"), "../outside/*", &out, NULL, &err), -1);
	EQ_INT(out.n, 0);
}

int
main(void)
{
	tmp = unit_tmpdir();
	test_pattern();
	test_path();
	test_glob();
	unit_cleanup(tmp);
	return unit_done();
}
