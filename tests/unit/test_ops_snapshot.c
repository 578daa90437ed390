/* ops_snapshot: a database held at one instant and copied later holds
 * exactly what was committed at that instant, whatever was written since;
 * JSONL lengths stop at the last complete line; copies hash what they
 * copy. */
#include "ops_snapshot.h"

#include <fcntl.h>
#include <sqlite3.h>

#include "unit.h"

static char *work;

static char *
path(const char *name)
{
	return unit_path(work, name);
}

static void
exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		unit_failed(__FILE__, __LINE__, "%s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
	}
}

static long long
count_rows(const char *file)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static uint64_t
file_size(const char *file)
{
	struct stat st;

	return stat(file, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* The writer keeps committing (to its WAL, and growing the database)
 * between the hold and the copy: the copy is the database as held. */
static void
held_instant(void)
{
	struct ops_err err = OPS_ERR_INIT;
	struct ops_snapshot_db *h = NULL;
	sqlite3 *w = NULL;
	uint64_t size = 0;

	unit_case("held instant");
	CHECK(sqlite3_open(path("live.db"), &w) == SQLITE_OK);
	exec_ok(w, "PRAGMA journal_mode=WAL; CREATE TABLE t(x);"
	    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<1000)"
	    " INSERT INTO t SELECT randomblob(500) FROM c;");
	CHECK(ops_snapshot_db_open(path("live.db"), &h, &size, &err) == 0);
	CHECK(h != NULL);
	/* Ten times as much, committed after the hold. */
	exec_ok(w, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<10000)"
	    " INSERT INTO t SELECT randomblob(500) FROM c;");
	CHECK(ops_snapshot_db_copy(h, path("copy.db"), &err) == 0);
	EQ_STR(err.msg, "");
	ops_snapshot_db_close(h);
	EQ_U64(file_size(path("copy.db")), size);
	EQ_INT(count_rows(path("copy.db")), 1000);
	EQ_INT(count_rows(path("live.db")), 11000);
	CHECK(ops_snapshot_integrity(path("copy.db"), "copy.db", &err) == 0);
	/* The copy is private: 0600. */
	{
		struct stat st;

		CHECK(stat(path("copy.db"), &st) == 0 && (st.st_mode & 0777) == 0600);
	}
	/* A second hold sees the writer's commits; a copy never overwrites. */
	CHECK(ops_snapshot_db_open(path("live.db"), &h, &size, &err) == 0);
	CHECK(ops_snapshot_db_copy(h, path("copy.db"), &err) < 0);
	HAS_STR(err.msg, "copy.db");
	EQ_INT(count_rows(path("copy.db")), 1000);	/* left as it was */
	memset(&err, 0, sizeof(err));
	CHECK(ops_snapshot_db_copy(h, path("copy2.db"), &err) == 0);
	ops_snapshot_db_close(h);
	EQ_INT(count_rows(path("copy2.db")), 11000);
	EQ_U64(file_size(path("copy2.db")), size);
	sqlite3_close(w);
}

static void
refusals(void)
{
	struct ops_err err = OPS_ERR_INIT;
	struct ops_snapshot_db *h = (struct ops_snapshot_db *)&err;
	uint64_t size = 7;
	int fd;

	unit_case("missing database");
	CHECK(ops_snapshot_db_open(path("nope.db"), &h, &size, &err) < 0);
	CHECK(h == NULL);
	HAS_STR(err.msg, "nope.db");
	CHECK(access(path("nope.db"), F_OK) < 0);	/* never created */

	unit_case("not a database");
	memset(&err, 0, sizeof(err));
	fd = open(path("text.db"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "hello, world, this is no database\n", 34) == 34);
	close(fd);
	CHECK(ops_snapshot_db_open(path("text.db"), &h, &size, &err) < 0);
	HAS_STR(err.msg, "text.db");

	unit_case("a symlink is not followed");
	memset(&err, 0, sizeof(err));
	CHECK(symlink(path("live.db"), path("link.db")) == 0);
	CHECK(ops_snapshot_db_open(path("link.db"), &h, &size, &err) < 0);
	CHECK(h == NULL);
	ops_snapshot_db_close(NULL);
}

static void
jsonl(void)
{
	static const struct { const char *data; uint64_t want; } cases[] = {
		{ "", 0 },
		{ "{\"a\":1}\n", 8 },
		{ "{\"a\":1}\n{\"b\":", 8 },
		{ "{\"partial\":", 0 },
		{ "\n\n", 2 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		uint64_t len = 99;
		int fd = open(path("x.jsonl"), O_RDWR | O_CREAT | O_TRUNC, 0600);
		size_t n = strlen(cases[i].data);

		unit_case("jsonl %zu", i);
		CHECK(fd >= 0 && write(fd, cases[i].data, n) == (ssize_t)n);
		CHECK(ops_snapshot_jsonl_len(fd, "x.jsonl", &len, &err) == 0);
		EQ_U64(len, cases[i].want);
		close(fd);
	}
}

static void
copy(void)
{
	struct ops_err err = OPS_ERR_INIT;
	char hex[OPS_SHA256_HEX];
	uint64_t len = 0;
	int fd = open(path("f.txt"), O_RDWR | O_CREAT | O_TRUNC, 0600);

	unit_case("copy");
	CHECK(fd >= 0 && write(fd, "abc", 3) == 3);
	CHECK(ops_snapshot_copy(fd, "f.txt", path("f.copy"), &len, hex, &err) == 0);
	EQ_U64(len, 3);
	EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	EQ_U64(file_size(path("f.copy")), 3);
	CHECK(ops_snapshot_copy(fd, "f.txt", path("f.copy"), &len, hex, &err) < 0);
	close(fd);
}

/* A database of about mb MiB (a table and an index), made through the
 * snapshot copy as ops-backup makes its copies. */
static void
make_copy(const char *live, const char *dst, int mb)
{
	struct ops_err err = OPS_ERR_INIT;
	struct ops_snapshot_db *h = NULL;
	uint64_t size = 0;
	sqlite3 *w = NULL;
	char sql[512];

	CHECK(sqlite3_open(path(live), &w) == SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=WAL; CREATE TABLE t(x NOT NULL, y);"
	    "CREATE INDEX t_y ON t(y);"
	    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<%d)"
	    " INSERT INTO t SELECT randomblob(400), i FROM c;", mb * 2300);
	exec_ok(w, sql);
	sqlite3_close(w);
	CHECK(ops_snapshot_db_open(path(live), &h, &size, &err) == 0);
	CHECK(ops_snapshot_db_copy(h, path(dst), &err) == 0);
	ops_snapshot_db_close(h);
}

/* Garbage over page n (1-based) of a copy. */
static void
spoil_page(const char *file, long n)
{
	char junk[4096];
	int fd = open(path(file), O_WRONLY);

	memset(junk, 0xa5, sizeof(junk));
	CHECK(fd >= 0 && pwrite(fd, junk, sizeof(junk), (n - 1) * 4096) == 4096);
	close(fd);
}

/* The check of a copy finds a spoiled page whether the copy is mapped
 * (small) or read (over 16 MiB), with quick_check and integrity_check,
 * and names the pragma and the database. */
static void
check(void)
{
	static const struct { const char *live, *copy; int mb; } dbs[] = {
		{ "small.db", "small.copy", 2 },
		{ "large.db", "large.copy", 20 },
	};

	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		struct ops_err err = OPS_ERR_INIT;
		uint64_t size;

		unit_case("check %s", dbs[i].copy);
		make_copy(dbs[i].live, dbs[i].copy, dbs[i].mb);
		size = file_size(path(dbs[i].copy));
		CHECK(dbs[i].mb < 16 ? size < (16u << 20) : size > (16u << 20));
		CHECK(ops_snapshot_check(path(dbs[i].copy), "memory/x.db", 0, &err) == 0);
		EQ_STR(err.msg, "");
		CHECK(ops_snapshot_check(path(dbs[i].copy), "memory/x.db", 1, &err) == 0);
		/* a page in the middle: a leaf of the table or the index */
		spoil_page(dbs[i].copy, (long)(size / 4096 / 2));
		CHECK(ops_snapshot_check(path(dbs[i].copy), "memory/x.db", 0, &err) < 0);
		HAS_STR(err.msg, "quick_check of 'memory/x.db' failed");
		memset(&err, 0, sizeof(err));
		CHECK(ops_snapshot_check(path(dbs[i].copy), "memory/x.db", 1, &err) < 0);
		HAS_STR(err.msg, "integrity_check of 'memory/x.db' failed");
	}
}

int
main(void)
{
	work = unit_tmpdir();
	held_instant();
	refusals();
	jsonl();
	copy();
	check();
	unit_case("%s", "");
	unit_cleanup(work);
	return unit_done();
}
