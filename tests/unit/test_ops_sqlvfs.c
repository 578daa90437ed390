/* ops_sqlvfs: a database written through "ops-bulk" is the database
 * SQLite meant to write (whatever it reads back meanwhile), its writes
 * reach the file gathered, and a write that fails is reported: by the
 * flush, by every later call, and by ops_snapshot_db_copy, which then
 * leaves no copy. */
#include "ops_snapshot.h"
#include "ops_sqlvfs.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include "unit.h"

static char *work;

static char *
path(const char *name)
{
	return unit_path(work, name);
}

static int
exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static long long
one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static sqlite3 *
open_bulk(const char *file)
{
	sqlite3 *db = NULL;

	CHECK(sqlite3_open_v2(path(file), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	    OPS_SQLVFS_NAME) == SQLITE_OK);
	return db;
}

/* A small page cache: SQLite writes pages out and reads them back while
 * the table grows, through gathered writes; what it ends with is whole. */
static void
round_trip(void)
{
	struct ops_err err = OPS_ERR_INIT;
	sqlite3 *db, *plain = NULL;
	struct stat st;

	unit_case("round trip");
	CHECK(ops_sqlvfs_register(&err) == 0);
	CHECK(ops_sqlvfs_register(&err) == 0);	/* once is enough, twice is fine */
	db = open_bulk("a.db");
	CHECK(exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	    "PRAGMA cache_size=20; CREATE TABLE t(x, y); CREATE INDEX t_y ON t(y)") ==
	    SQLITE_OK);
	CHECK(exec(db, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c "
	    "WHERE i<20000) INSERT INTO t SELECT randomblob(300), i FROM c") == SQLITE_OK);
	/* read back through the same file while writes are gathered */
	EQ_INT(one_int(db, "SELECT count(*) FROM t WHERE y % 7 = 0"), 2857);
	CHECK(exec(db, "UPDATE t SET x = zeroblob(10) WHERE y % 2 = 0") == SQLITE_OK);
	CHECK(ops_sqlvfs_flush(db, "a.db", &err) == 0);
	EQ_INT(sqlite3_close(db), SQLITE_OK);
	CHECK(sqlite3_open_v2(path("a.db"), &plain, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	EQ_INT(one_int(plain, "SELECT count(*) FROM t"), 20000);
	EQ_INT(one_int(plain, "SELECT count(*) FROM t WHERE length(x) = 10"), 10000);
	EQ_INT(one_int(plain, "SELECT count(*) FROM pragma_integrity_check "
	    "WHERE integrity_check = 'ok'"), 1);
	CHECK(stat(path("a.db"), &st) == 0);
	EQ_INT(st.st_size, one_int(plain, "PRAGMA page_count") *
	    one_int(plain, "PRAGMA page_size"));
	sqlite3_close(plain);

	unit_case("a rollback journal is the default VFS's");
	db = open_bulk("a.db");
	CHECK(exec(db, "PRAGMA journal_mode=DELETE; BEGIN; DELETE FROM t WHERE y > 100") ==
	    SQLITE_OK);
	CHECK(access(path("a.db-journal"), F_OK) == 0);
	CHECK(exec(db, "ROLLBACK") == SQLITE_OK);
	EQ_INT(one_int(db, "SELECT count(*) FROM t"), 20000);
	sqlite3_close(db);

	unit_case("flush of another VFS's database");
	memset(&err, 0, sizeof(err));
	CHECK(sqlite3_open_v2(path("a.db"), &plain, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	CHECK(ops_sqlvfs_flush(plain, "a.db", &err) < 0);
	HAS_STR(err.msg, "'a.db' is not written through ops-bulk");
	sqlite3_close(plain);
}

/* Writes are gathered: far fewer write calls than pages (counted by the
 * file's size growing only in steps when nothing is flushed). */
static void
gathered(void)
{
	sqlite3 *db = open_bulk("g.db");
	struct stat st;

	unit_case("gathered");
	CHECK(exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	    "PRAGMA cache_size=5; PRAGMA locking_mode=EXCLUSIVE; CREATE TABLE t(x)") ==
	    SQLITE_OK);
	/* 9 pages spilled from a 5-page cache: still in the 64 KiB buffer */
	CHECK(exec(db, "BEGIN; WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 "
	    "FROM c WHERE i<30) INSERT INTO t SELECT randomblob(1000) FROM c") == SQLITE_OK);
	CHECK(stat(path("g.db"), &st) == 0);
	CHECK(st.st_size <= 4096);
	CHECK(exec(db, "COMMIT") == SQLITE_OK);
	sqlite3_close(db);
	CHECK(stat(path("g.db"), &st) == 0);
	CHECK(st.st_size > 8 * 4096);
}

/* A file size limit makes the gathered write fail: the flush says so,
 * the next calls too, and a snapshot copy over the limit fails and
 * leaves nothing. */
static void
failing(void)
{
	struct ops_err err = OPS_ERR_INIT;
	struct ops_snapshot_db *h = NULL;
	struct rlimit old, small;
	sqlite3 *db, *live = NULL;
	uint64_t size = 0;

	unit_case("a failed write is reported");
	CHECK(sqlite3_open(path("live.db"), &live) == SQLITE_OK);
	CHECK(exec(live, "PRAGMA journal_mode=WAL; CREATE TABLE t(x);"
	    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<3000)"
	    " INSERT INTO t SELECT randomblob(1000) FROM c") == SQLITE_OK);
	signal(SIGXFSZ, SIG_IGN);
	CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
	small = old;
	small.rlim_cur = 1 << 20;
	CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);

	db = open_bulk("f.db");
	CHECK(exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	    "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=10; CREATE TABLE t(x)") ==
	    SQLITE_OK);
	/* writes past 1 MiB fail as they reach the file: at a spill, a
	 * commit or the flush, whichever comes first */
	if (exec(db, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c "
	    "WHERE i<3000) INSERT INTO t SELECT randomblob(1000) FROM c") == SQLITE_OK)
		CHECK(ops_sqlvfs_flush(db, "f.db", &err) < 0);
	memset(&err, 0, sizeof(err));
	CHECK(ops_sqlvfs_flush(db, "f.db", &err) < 0);	/* and stays failed */
	HAS_STR(err.msg, "unable to write 'f.db'");
	sqlite3_close(db);

	unit_case("a snapshot copy over the limit");
	memset(&err, 0, sizeof(err));
	CHECK(ops_snapshot_db_open(path("live.db"), &h, &size, &err) == 0);
	CHECK(size > (1u << 20));
	CHECK(ops_snapshot_db_copy(h, path("copy.db"), &err) < 0);
	CHECK(err.msg[0] != '\0');
	CHECK(access(path("copy.db"), F_OK) < 0);
	ops_snapshot_db_close(h);

	CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
	signal(SIGXFSZ, SIG_DFL);
	memset(&err, 0, sizeof(err));
	CHECK(ops_snapshot_db_open(path("live.db"), &h, &size, &err) == 0);
	CHECK(ops_snapshot_db_copy(h, path("copy.db"), &err) == 0);
	ops_snapshot_db_close(h);
	EQ_U64((uint64_t)one_int(live, "PRAGMA page_count") * 4096, size);
	sqlite3_close(live);
}

int
main(void)
{
	work = unit_tmpdir();
	round_trip();
	gathered();
	failing();
	unit_case("%s", "");
	unit_cleanup(work);
	return unit_done();
}
