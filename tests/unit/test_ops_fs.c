/* ops_fs: paths, atomic writes, safe reads, logs, tails, globs, mkdirs. */
#include "ops_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

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

static int
mode_of(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* Entries of a directory other than . and .., or -1. */
static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	const struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* The whole file as a string (static), or "(unreadable)". */
static const char *
slurp(const char *p)
{
	static char buf[4096];
	FILE *f = fopen(p, "r");
	size_t n;

	if (f == NULL)
		return "(unreadable)";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
test_path_join(void)
{
	static const struct {
		const char *a, *b, *want;
	} cases[] = {
		{ "a", "b", "a/b" },
		{ "a/", "b", "a/b" },
		{ "/h", "logs/x.log", "/h/logs/x.log" },
		{ "/h", "/abs/x", "/abs/x" },
		{ NULL, "b", "b" },
		{ "", "b", "b" },
		{ "/", "b", "/b" },
	};
	struct ops_err err = OPS_ERR_INIT;
	char buf[PATH_MAX], small[6];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unit_case("join '%s' '%s'", cases[i].a ? cases[i].a : "(null)", cases[i].b);
		EQ_INT(ops_path_join(buf, sizeof(buf), cases[i].a, cases[i].b, &err), 0);
		EQ_STR(buf, cases[i].want);
	}
	unit_case("%s", "");
	/* "ab/cd" needs 6 bytes: fits exactly, one less is too long */
	EQ_INT(ops_path_join(small, 6, "ab", "cd", &err), 0);
	EQ_STR(small, "ab/cd");
	EQ_INT(ops_path_join(small, 5, "ab", "cd", &err), -1);
	HAS_STR(err.msg, "path too long");
	EQ_INT(ops_path_join(small, 6, "ab", "cde", NULL), -1);
	EQ_INT(ops_path_join(small, 6, "/h", "/abcdef", &err), -1);

	EQ_STR(ops_fs_rel("/h", "/h/logs/x"), "logs/x");
	EQ_STR(ops_fs_rel("/h", "/hx/y"), "/hx/y");
	EQ_STR(ops_fs_rel("/h", "/h"), "/h");
	EQ_STR(ops_fs_rel("/h", "other"), "other");
}

static void
test_write_atomic(void)
{
	struct ops_err err = OPS_ERR_INIT;
	struct stat st1, st2;
	mode_t old;

	mkdir(path("w"), 0700);
	old = umask(0);		/* the mode must not come from the umask */
	EQ_INT(ops_fs_write_atomic(path("w/f"), "hello\n", 6, &err), 0);
	umask(old);
	EQ_STR(err.msg, "");
	EQ_STR(slurp(path("w/f")), "hello\n");
	EQ_INT(mode_of(path("w/f")), 0600);
	EQ_INT(count_entries(path("w")), 1);	/* no temp file left */

	/* replaces an existing file (a new inode, the new mode) */
	unit_write(path("w/g"), "old contents");
	chmod(path("w/g"), 0644);
	CHECK(stat(path("w/g"), &st1) == 0);
	EQ_INT(ops_fs_write_atomic(path("w/g"), "new", 3, &err), 0);
	EQ_STR(slurp(path("w/g")), "new");
	EQ_INT(mode_of(path("w/g")), 0600);
	CHECK(stat(path("w/g"), &st2) == 0 && st1.st_ino != st2.st_ino);
	EQ_INT(count_entries(path("w")), 2);

	/* empty contents and binary contents */
	EQ_INT(ops_fs_write_atomic(path("w/g"), "", 0, &err), 0);
	EQ_STR(slurp(path("w/g")), "");
	EQ_INT(ops_fs_write_atomic(path("w/g"), "a\0b", 3, &err), 0);
	CHECK(stat(path("w/g"), &st2) == 0 && st2.st_size == 3);

	/* a symlink in the way is replaced, its target left alone */
	unit_write(path("target"), "keep me");
	CHECK(symlink(path("target"), path("w/link")) == 0);
	EQ_INT(ops_fs_write_atomic(path("w/link"), "mine", 4, &err), 0);
	EQ_STR(slurp(path("target")), "keep me");
	CHECK(lstat(path("w/link"), &st1) == 0 && S_ISREG(st1.st_mode));
	EQ_STR(slurp(path("w/link")), "mine");

	/* a missing directory: an error naming the file, nothing created */
	ops_err_clear(&err);
	EQ_INT(ops_fs_write_atomic(path("nodir/f"), "x", 1, &err), -1);
	EQ_INT(err.code, OPS_E_NOENT);
	HAS_STR(err.msg, "nodir/f");
	CHECK(access(path("nodir"), F_OK) < 0);
	EQ_INT(count_entries(path("w")), 3);

	/* an unwritable directory: an error, the old file intact */
	if (geteuid() != 0) {
		chmod(path("w"), 0500);
		ops_err_clear(&err);
		EQ_INT(ops_fs_write_atomic(path("w/f"), "lost", 4, &err), -1);
		EQ_INT(err.code, OPS_E_FAIL);
		EQ_STR(slurp(path("w/f")), "hello\n");
		chmod(path("w"), 0700);
		EQ_INT(count_entries(path("w")), 3);
	}
}

static void
test_read_file(void)
{
	struct ops_err err = OPS_ERR_INIT;
	char *text = (char *)"sentinel";
	size_t len = 99;

	unit_write(path("r"), "0123456789");
	EQ_INT(ops_fs_read_file(path("r"), 10, &text, &len, &err), 0);
	EQ_STR(text, "0123456789");
	EQ_INT(len, 10);
	free(text);
	EQ_INT(ops_fs_read_file(path("r"), 100, &text, NULL, &err), 0);
	EQ_STR(text, "0123456789");
	free(text);

	/* over the limit */
	ops_err_clear(&err);
	EQ_INT(ops_fs_read_file(path("r"), 9, &text, &len, &err), -1);
	CHECK(text == NULL);
	HAS_STR(err.msg, "too large");

	/* empty file */
	unit_write(path("empty"), "");
	EQ_INT(ops_fs_read_file(path("empty"), 10, &text, &len, &err), 0);
	EQ_STR(text, "");
	EQ_INT(len, 0);
	free(text);

	/* missing */
	ops_err_clear(&err);
	EQ_INT(ops_fs_read_file(path("missing"), 10, &text, &len, &err), -1);
	EQ_INT(err.code, OPS_E_NOENT);
	HAS_STR(err.msg, "missing");

	/* a symlink, even to a good file */
	CHECK(symlink("r", path("r.link")) == 0);
	ops_err_clear(&err);
	EQ_INT(ops_fs_read_file(path("r.link"), 100, &text, &len, &err), -1);
	CHECK(text == NULL);
	HAS_STR(err.msg, "symlink");

	/* a directory, a FIFO (without blocking on it) */
	ops_err_clear(&err);
	EQ_INT(ops_fs_read_file(tmp, 100, &text, &len, &err), -1);
	HAS_STR(err.msg, "not a regular file");
	CHECK(mkfifo(path("fifo"), 0600) == 0);
	ops_err_clear(&err);
	EQ_INT(ops_fs_read_file(path("fifo"), 100, &text, &len, &err), -1);
	HAS_STR(err.msg, "not a regular file");
	EQ_INT(ops_fs_read_file("/dev/null", 100, &text, &len, &err), -1);
}

static void
test_append_line(void)
{
	struct ops_err err = OPS_ERR_INIT;
	mode_t old;

	old = umask(0);
	EQ_INT(ops_fs_append_line(path("log"), "first", &err), 0);
	umask(old);
	EQ_INT(mode_of(path("log")), 0600);
	EQ_INT(ops_fs_append_line(path("log"), "second line", &err), 0);
	EQ_INT(ops_fs_append_line(path("log"), "", &err), 0);
	EQ_STR(slurp(path("log")), "first\nsecond line\n\n");

	/* never through a symlink */
	unit_write(path("victim"), "v\n");
	CHECK(symlink("victim", path("log.link")) == 0);
	ops_err_clear(&err);
	EQ_INT(ops_fs_append_line(path("log.link"), "x", &err), -1);
	HAS_STR(err.msg, "log.link");
	EQ_STR(slurp(path("victim")), "v\n");

	/* missing directory */
	EQ_INT(ops_fs_append_line(path("nodir/log"), "x", &err), -1);
	EQ_INT(err.code, OPS_E_NOENT);
}

static void
test_tail(void)
{
	static const struct {
		const char *text;
		size_t nlines, maxbytes;
		const char *want;
	} cases[] = {
		{ "1\n2\n3\n4\n5\n", 2, 1000, "4\n5\n" },
		{ "1\n2\n3\n4\n5\n", 1, 1000, "5\n" },
		{ "1\n2\n3\n4\n5\n", 5, 1000, "1\n2\n3\n4\n5\n" },
		{ "1\n2\n3\n4\n5\n", 10, 1000, "1\n2\n3\n4\n5\n" },
		{ "1\n2\n3\n4\n5\n", 0, 1000, "" },
		/* no final newline: the last line still counts */
		{ "1\n2\n3", 2, 1000, "2\n3" },
		{ "1\n2\n3", 1, 1000, "3" },
		{ "only", 3, 1000, "only" },
		/* empty lines are lines */
		{ "a\n\n\nb\n", 3, 1000, "\n\nb\n" },
		/* maxbytes cuts into the first line: that line is dropped */
		{ "aaaa\nbbbb\ncccc\n", 10, 12, "bbbb\ncccc\n" },
		{ "aaaa\nbbbb\ncccc\n", 10, 14, "bbbb\ncccc\n" },
		/* ... but a whole line at the cut is kept */
		{ "aaaa\nbbbb\ncccc\n", 10, 10, "bbbb\ncccc\n" },
		{ "aaaa\nbbbb\ncccc\n", 10, 15, "aaaa\nbbbb\ncccc\n" },
		{ "aaaa\nbbbb\ncccc\n", 1, 12, "cccc\n" },
		{ "aaaa\nbbbb\ncccc\n", 10, 4, "" },
		{ "aaaa\nbbbb\ncccc\n", 10, 5, "cccc\n" },
		{ "aaaaaaaaaa", 10, 5, "" },
		{ "", 10, 1000, "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		char *out = NULL;

		unit_case("tail %zu lines, %zu bytes of \"%s\"", cases[i].nlines,
		    cases[i].maxbytes, cases[i].text);
		unit_write(path("t"), cases[i].text);
		EQ_INT(ops_fs_tail(path("t"), cases[i].nlines, cases[i].maxbytes, &out,
		    &err), 0);
		EQ_STR(out, cases[i].want);
		free(out);
	}
	unit_case("%s", "");
	{
		struct ops_err err = OPS_ERR_INIT;
		char *out = (char *)"sentinel";

		EQ_INT(ops_fs_tail(path("missing"), 1, 10, &out, &err), -1);
		CHECK(out == NULL);
		EQ_INT(err.code, OPS_E_NOENT);
		EQ_INT(ops_fs_tail(path("r.link"), 1, 10, &out, &err), -1);
		EQ_INT(ops_fs_tail(tmp, 1, 10, &out, &err), -1);
	}
}

/* ops_fs_tail_fd: the lines before end only, whatever follows it (a
 * follower goes on from end). */
static void
test_tail_fd(void)
{
	struct ops_err err = OPS_ERR_INIT;
	char *out = NULL;
	int fd;

	unit_case("%s", "tail_fd");
	unit_write(path("tfd"), "1\n2\n3\nappended later\n");
	fd = open(path("tfd"), O_RDONLY);
	CHECK(fd >= 0);
	EQ_INT(ops_fs_tail_fd(fd, 6, 2, 1000, &out, "tfd", &err), 0);
	EQ_STR(out, "2\n3\n");
	free(out);
	EQ_INT(ops_fs_tail_fd(fd, 5, 1, 1000, &out, "tfd", &err), 0);
	EQ_STR(out, "3");	/* a line cut by end counts as the last line */
	free(out);
	EQ_INT(ops_fs_tail_fd(fd, 0, 3, 1000, &out, "tfd", &err), 0);
	EQ_STR(out, "");
	free(out);
	close(fd);
	unit_case("%s", "");
}

static void
test_glob(void)
{
	struct ops_strv sv = OPS_STRV_INIT;
	struct ops_err err = OPS_ERR_INIT;
	char want[PATH_MAX];

	mkdir(path("m"), 0700);
	unit_write(path("m/b.db"), "");
	unit_write(path("m/a.db"), "");
	unit_write(path("m/c.db"), "");
	unit_write(path("m/a.txt"), "");
	EQ_INT(ops_fs_glob(tmp, "m/*.db", &sv, &err), 0);
	EQ_INT(sv.n, 3);
	if (sv.n == 3) {
		snprintf(want, sizeof(want), "%s/m/a.db", tmp);
		EQ_STR(sv.v[0], want);
		snprintf(want, sizeof(want), "%s/m/b.db", tmp);
		EQ_STR(sv.v[1], want);
		snprintf(want, sizeof(want), "%s/m/c.db", tmp);
		EQ_STR(sv.v[2], want);
		CHECK(sv.v[3] == NULL);
	}
	ops_strv_release(&sv);

	/* no match: not an error, nothing added */
	EQ_INT(ops_fs_glob(tmp, "m/*.xyz", &sv, &err), 0);
	EQ_INT(sv.n, 0);
	EQ_INT(ops_fs_glob(tmp, "nodir/*.db", &sv, &err), 0);
	EQ_INT(sv.n, 0);

	/* a directory that cannot be read is an error, not "no match" */
	if (geteuid() != 0) {
		mkdir(path("locked"), 0700);
		unit_write(path("locked/x.db"), "");
		chmod(path("locked"), 0);
		ops_err_clear(&err);
		EQ_INT(ops_fs_glob(tmp, "locked/*.db", &sv, &err), -1);
		HAS_STR(err.msg, "locked/*.db");
		chmod(path("locked"), 0700);
		ops_strv_release(&sv);
	}

	/* confined to the base: an absolute or '..' pattern is refused, a
	 * match through a symlinked directory dropped */
	snprintf(want, sizeof(want), "%s/m/*.txt", tmp);
	EQ_INT(ops_fs_glob("/nonexistent", want, &sv, &err), -1);
	EQ_INT(err.code, OPS_E_USAGE);
	EQ_INT(ops_fs_glob(tmp, "m/../m/*.txt", &sv, &err), -1);
	CHECK(symlink("m", path("link")) == 0);
	EQ_INT(ops_fs_glob(tmp, "link/*.txt", &sv, &err), 0);
	EQ_INT(sv.n, 0);
	EQ_INT(ops_fs_glob(tmp, "*/a.txt", &sv, &err), 0);
	EQ_INT(sv.n, 1);
	ops_strv_release(&sv);
}

static void
test_mkdirs(void)
{
	struct ops_err err = OPS_ERR_INIT;
	mode_t old;

	old = umask(0);
	EQ_INT(ops_fs_mkdirs(path("d/e/f"), &err), 0);
	umask(old);
	EQ_STR(err.msg, "");
	EQ_INT(mode_of(path("d")), 0700);
	EQ_INT(mode_of(path("d/e")), 0700);
	EQ_INT(mode_of(path("d/e/f")), 0700);
	/* again: nothing to do */
	EQ_INT(ops_fs_mkdirs(path("d/e/f"), &err), 0);
	EQ_INT(ops_fs_mkdirs(path("d/e/g/"), &err), 0);
	CHECK(access(path("d/e/g"), F_OK) == 0);

	/* a symlink as the final component, even to a directory */
	CHECK(symlink("d", path("dlink")) == 0);
	ops_err_clear(&err);
	EQ_INT(ops_fs_mkdirs(path("dlink"), &err), -1);
	HAS_STR(err.msg, "symlink");
	/* a file in the way */
	unit_write(path("file"), "");
	ops_err_clear(&err);
	EQ_INT(ops_fs_mkdirs(path("file"), &err), -1);
	HAS_STR(err.msg, "not a directory");
	EQ_INT(ops_fs_mkdirs(path("file/sub"), &err), -1);
	EQ_INT(ops_fs_mkdirs("", &err), -1);

	/* fsync of a directory, of the directory holding a file */
	EQ_INT(ops_fs_fsync_dir(path("d"), 1, &err), 0);
	EQ_INT(ops_fs_fsync_dir(path("d/e/x"), 0, &err), 0);
	EQ_INT(ops_fs_fsync_dir(path("nodir"), 1, &err), -1);
}

/* Writes larger than OPS_FS_WRITE_MAX go out in pieces and land whole,
 * at the start (write) and at an offset (pwrite). */
static void
test_write_all(void)
{
	size_t len = 3 * OPS_FS_WRITE_MAX + 123;
	char *data = malloc(len), *back = malloc(len + 1000);
	int fd = open(path("big"), O_RDWR | O_CREAT | O_TRUNC, 0600);

	unit_case("write_all");
	CHECK(data != NULL && back != NULL && fd >= 0);
	if (data == NULL || back == NULL || fd < 0)
		goto out;
	for (size_t i = 0; i < len; i++)
		data[i] = (char)(i * 7 + i / 4096);
	EQ_INT(ops_fs_write_all(fd, data, len), 0);
	EQ_INT(ops_fs_pwrite_all(fd, data, len, 1000), 0);
	EQ_INT(pread(fd, back, len + 1000, 0), (long long)(len + 1000));
	CHECK(memcmp(back, data, 1000) == 0);
	CHECK(memcmp(back + 1000, data, len) == 0);
	EQ_INT(ops_fs_pwrite_all(-1, data, 10, 0), -1);
out:
	if (fd >= 0)
		close(fd);
	free(data);
	free(back);
}

int
main(void)
{
	tmp = unit_tmpdir();
	test_path_join();
	test_write_atomic();
	test_read_file();
	test_append_line();
	test_tail();
	test_tail_fd();
	test_glob();
	test_mkdirs();
	test_write_all();
	unit_cleanup(tmp);
	return unit_done();
}
