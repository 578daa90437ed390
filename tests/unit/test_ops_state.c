/* ops_state: schema, health history, events, integrity cache, recovery. */
#include "ops_state.h"

#include <limits.h>
#include <sys/stat.h>
#include <time.h>

#include "unit.h"

static char *tmp;

static char *
path(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", tmp, rel);
	return p;
}

/* The first column of the first row of sql as an integer, or -999. */
static long long
query_int(struct ops_statedb *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	long long v = -999;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Record a run of checks given as "name" + state pairs. */
static int
run(struct ops_statedb *st, double now, double keep, struct ops_report *r,
    const char *n1, enum ops_state s1, const char *n2, enum ops_state s2)
{
	struct ops_err err = OPS_ERR_INIT;
	int rc;

	ops_report_release(r);
	ops_report_add(r, n1, s1, "%s is %s", n1, ops_state_name(s1));
	if (n2 != NULL)
		ops_report_add(r, n2, s2, "%s is %s", n2, ops_state_name(s2));
	rc = ops_state_record_run(st, "ops-health", now, r, keep, &err);
	if (rc < 0)
		fprintf(stderr, "record_run: %s\n", err.msg);
	return rc;
}

static void
test_open(struct ops_statedb *st)
{
	struct ops_err err = OPS_ERR_INIT;
	struct stat sb;

	EQ_INT(ops_state_open(st, tmp, &err), 0);
	EQ_STR(err.msg, "");
	CHECK(st->db != NULL);
	CHECK(st->recovered == NULL);
	CHECK(stat(path(".ops"), &sb) == 0 && (sb.st_mode & 0777) == 0700);
	CHECK(stat(path(".ops/state.db"), &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK(ops_state_schema_version() >= 1);
	EQ_INT(query_int(st, "PRAGMA user_version"), ops_state_schema_version());
	EQ_INT(query_int(st, "SELECT count(*) FROM sqlite_master WHERE type='table'"
	    " AND name IN ('runs','check_results','check_current','events',"
	    "'integrity_cache')"), 5);
	/* WAL mode */
	{
		sqlite3_stmt *s = NULL;

		CHECK(sqlite3_prepare_v2(st->db, "PRAGMA journal_mode", -1, &s, NULL) ==
		    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW);
		EQ_STR((const char *)sqlite3_column_text(s, 0), "wal");
		sqlite3_finalize(s);
	}
	EQ_INT(ops_state_exec(st, "CREATE TABLE scratch(x)", &err), 0);
	EQ_INT(ops_state_exec(st, "not sql", &err), -1);
	HAS_STR(err.msg, "state database");
}

static void
test_record(struct ops_statedb *st)
{
	struct ops_report r = OPS_REPORT_INIT;

	/* run 1: both new */
	EQ_INT(run(st, 1000, 1e9, &r, "a", OPS_OK, "b", OPS_OK), 0);
	EQ_DBL(r.v[0].since, 1000, 0);
	EQ_INT(r.v[0].changed, 1);
	EQ_DBL(r.v[1].since, 1000, 0);
	EQ_INT(r.v[1].changed, 1);

	/* run 2: a goes on, b changes */
	EQ_INT(run(st, 2000, 1e9, &r, "a", OPS_OK, "b", OPS_WARNING), 0);
	EQ_DBL(r.v[0].since, 1000, 0);
	EQ_INT(r.v[0].changed, 0);
	EQ_DBL(r.v[1].since, 2000, 0);
	EQ_INT(r.v[1].changed, 1);

	/* run 3: both go on */
	EQ_INT(run(st, 3000, 1e9, &r, "a", OPS_OK, "b", OPS_WARNING), 0);
	EQ_DBL(r.v[0].since, 1000, 0);
	EQ_INT(r.v[0].changed, 0);
	EQ_DBL(r.v[1].since, 2000, 0);
	EQ_INT(r.v[1].changed, 0);

	EQ_INT(query_int(st, "SELECT count(*) FROM runs"), 3);
	EQ_INT(query_int(st, "SELECT count(*) FROM check_results"), 6);
	EQ_INT(query_int(st, "SELECT state FROM runs ORDER BY ts DESC LIMIT 1"),
	    OPS_WARNING);
	EQ_INT(query_int(st, "SELECT since FROM check_current WHERE name='b'"), 2000);
	EQ_INT(query_int(st, "SELECT count(*) FROM runs WHERE ts=3000 AND"
	    " summary='b: b is WARNING (1/2 checks ok)'"), 1);
	EQ_INT(query_int(st, "SELECT last FROM check_current WHERE name='a'"), 3000);

	/* run 4, only b, back to OK; keep 1500 s prunes runs before 2500 */
	EQ_INT(run(st, 4000, 1500, &r, "b", OPS_OK, NULL, OPS_OK), 0);
	EQ_DBL(r.v[0].since, 4000, 0);
	EQ_INT(r.v[0].changed, 1);
	EQ_INT(query_int(st, "SELECT count(*) FROM runs"), 2);
	EQ_INT(query_int(st, "SELECT min(ts) FROM runs"), 3000);
	EQ_INT(query_int(st, "SELECT count(*) FROM check_results"), 3);
	EQ_INT(query_int(st, "SELECT min(ts) FROM check_results"), 3000);
	/* the current state of every check stays */
	EQ_INT(query_int(st, "SELECT count(*) FROM check_current"), 2);

	/* the clock stepped back: a since in the future starts again */
	EQ_INT(run(st, 500, 1e9, &r, "a", OPS_OK, NULL, OPS_OK), 0);
	EQ_DBL(r.v[0].since, 500, 0);
	EQ_INT(r.v[0].changed, 1);
	ops_report_release(&r);
}

static void
test_events(struct ops_statedb *st)
{
	struct ops_err err = OPS_ERR_INIT;
	int64_t n = -1;

	EQ_INT(ops_state_count_events(st, "restart", 0, &n, &err), 0);
	EQ_INT(n, 0);
	EQ_INT(ops_state_add_event(st, 100, "restart", "crashed", &err), 0);
	EQ_INT(ops_state_add_event(st, 200, "restart", "unhealthy", &err), 0);
	EQ_INT(ops_state_add_event(st, 300, "restart", NULL, &err), 0);
	EQ_INT(ops_state_add_event(st, 250, "alert", "disk_low", &err), 0);
	EQ_INT(ops_state_count_events(st, "restart", 0, &n, &err), 0);
	EQ_INT(n, 3);
	EQ_INT(ops_state_count_events(st, "restart", 200, &n, &err), 0);
	EQ_INT(n, 2);	/* since is inclusive */
	EQ_INT(ops_state_count_events(st, "restart", 301, &n, &err), 0);
	EQ_INT(n, 0);
	EQ_INT(ops_state_count_events(st, "alert", 0, &n, &err), 0);
	EQ_INT(n, 1);
	EQ_INT(ops_state_count_events(st, "none", 0, &n, &err), 0);
	EQ_INT(n, 0);
}

static void
test_integrity(struct ops_statedb *st)
{
	struct ops_err err = OPS_ERR_INIT;
	struct ops_fingerprint fp = { 4096, 1700000000000000000LL, 42, 0, 0 };
	struct ops_fingerprint other;
	const char *db = "/h/memory/memory.db";

	EQ_INT(ops_state_integrity_cached(st, db, &fp, 0, &err), 0);
	EQ_INT(ops_state_integrity_store(st, db, &fp, "quick", "ok", 1000, &err), 0);
	EQ_INT(ops_state_integrity_cached(st, db, &fp, 0, &err), 1);
	/* a quick check does not satisfy a need for a full one */
	EQ_INT(ops_state_integrity_cached(st, db, &fp, 1, &err), 0);
	/* any change of the fingerprint is a miss */
	other = fp;
	other.size++;
	EQ_INT(ops_state_integrity_cached(st, db, &other, 0, &err), 0);
	other = fp;
	other.mtime_ns++;
	EQ_INT(ops_state_integrity_cached(st, db, &other, 0, &err), 0);
	other = fp;
	other.inode++;
	EQ_INT(ops_state_integrity_cached(st, db, &other, 0, &err), 0);
	other = fp;
	other.wal_size = 8192;
	EQ_INT(ops_state_integrity_cached(st, db, &other, 0, &err), 0);
	other = fp;
	other.wal_mtime_ns = 1;
	EQ_INT(ops_state_integrity_cached(st, db, &other, 0, &err), 0);
	EQ_INT(ops_state_integrity_cached(st, "/h/memory/other.db", &fp, 0, &err), 0);

	/* a full check satisfies both */
	EQ_INT(ops_state_integrity_store(st, db, &fp, "full", "ok", 1001, &err), 0);
	EQ_INT(ops_state_integrity_cached(st, db, &fp, 1, &err), 1);
	EQ_INT(ops_state_integrity_cached(st, db, &fp, 0, &err), 1);
	/* a failed check is never a hit */
	EQ_INT(ops_state_integrity_store(st, db, &fp, "full", "*** in database main ***",
	    1002, &err), 0);
	EQ_INT(ops_state_integrity_cached(st, db, &fp, 0, &err), 0);
	/* one row per database */
	EQ_INT(query_int(st, "SELECT count(*) FROM integrity_cache"), 1);
}

static void
test_reopen(struct ops_statedb *st)
{
	struct ops_err err = OPS_ERR_INIT;
	long long runs = query_int(st, "SELECT count(*) FROM runs");

	ops_state_close(st);
	CHECK(st->db == NULL);
	ops_state_close(st);	/* twice: harmless */
	ops_state_close(NULL);
	EQ_INT(ops_state_open(st, tmp, &err), 0);
	CHECK(st->recovered == NULL);
	EQ_INT(query_int(st, "PRAGMA user_version"), ops_state_schema_version());
	EQ_INT(query_int(st, "SELECT count(*) FROM runs"), runs);
	EQ_INT(query_int(st, "SELECT count(*) FROM scratch"), 0);
	ops_state_close(st);
	EQ_INT(ops_state_open(st, tmp, &err), 0);
	EQ_INT(query_int(st, "SELECT count(*) FROM runs"), runs);
	ops_state_close(st);
}

/* A database from a newer program is an error, and is left alone. */
static void
test_newer(struct ops_statedb *st)
{
	struct ops_err err = OPS_ERR_INIT;

	EQ_INT(ops_state_open(st, tmp, &err), 0);
	EQ_INT(ops_state_exec(st, "PRAGMA user_version=999", &err), 0);
	ops_state_close(st);
	EQ_INT(ops_state_open(st, tmp, &err), -1);
	HAS_STR(err.msg, "newer");
	CHECK(st->db == NULL);
	CHECK(st->recovered == NULL);
	ops_state_close(st);
	/* still there, still version 999 */
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *s = NULL;

		CHECK(sqlite3_open_v2(path(".ops/state.db"), &db, SQLITE_OPEN_READWRITE,
		    NULL) == SQLITE_OK);
		CHECK(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) ==
		    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW);
		EQ_INT(sqlite3_column_int(s, 0), 999);
		sqlite3_finalize(s);
		CHECK(sqlite3_exec(db, "PRAGMA user_version=1", NULL, NULL, NULL) ==
		    SQLITE_OK);
		sqlite3_close(db);
	}
}

/* Garbage in state.db: set aside with a timestamp, a new one made. */
static void
test_recover(struct ops_statedb *st)
{
	struct ops_err err = OPS_ERR_INIT;
	struct ops_report r = OPS_REPORT_INIT;
	char garbage[4096];
	FILE *f;

	memset(garbage, 'x', sizeof(garbage));
	memcpy(garbage, "this is not a database\n", 23);
	unlink(path(".ops/state.db-wal"));
	unlink(path(".ops/state.db-shm"));
	f = fopen(path(".ops/state.db"), "w");
	CHECK(f != NULL && fwrite(garbage, 1, sizeof(garbage), f) == sizeof(garbage));
	if (f)
		fclose(f);

	setenv("TZ", "UTC0", 1);
	tzset();
	setenv("DHARMIC_OPS_NOW", "1770074241", 1);
	EQ_INT(ops_state_open(st, tmp, &err), 0);
	unsetenv("DHARMIC_OPS_NOW");
	EQ_STR(err.msg, "");
	CHECK(st->recovered != NULL);
	if (st->recovered) {
		HAS_STR(st->recovered, "/.ops/state.db.corrupt-20260202_231721");
		/* what was set aside is the garbage, untouched */
		f = fopen(st->recovered, "r");
		CHECK(f != NULL);
		if (f) {
			char back[sizeof(garbage)];

			CHECK(fread(back, 1, sizeof(back), f) == sizeof(back) &&
			    memcmp(back, garbage, sizeof(back)) == 0);
			fclose(f);
		}
	}
	/* the new database works */
	EQ_INT(query_int(st, "PRAGMA user_version"), ops_state_schema_version());
	EQ_INT(query_int(st, "SELECT count(*) FROM runs"), 0);
	EQ_INT(run(st, 5000, 1e9, &r, "a", OPS_CRITICAL, NULL, OPS_OK), 0);
	EQ_INT(r.v[0].changed, 1);
	EQ_INT(query_int(st, "SELECT count(*) FROM runs"), 1);
	ops_report_release(&r);
	ops_state_close(st);
	CHECK(st->recovered == NULL);

	/* and a reopen finds nothing to recover */
	EQ_INT(ops_state_open(st, tmp, &err), 0);
	CHECK(st->recovered == NULL);
	EQ_INT(query_int(st, "SELECT count(*) FROM runs"), 1);
	ops_state_close(st);
}

/* issue 11: a valid SQLite file that is not ours (another application_id,
 * a conflicting schema under our user_version) is set aside like a
 * corrupt one; an older one of ours (no application_id yet) is kept. */
static void
foreign(const char *sql)
{
	sqlite3 *db = NULL;

	unlink(path(".ops/state.db"));
	unlink(path(".ops/state.db-wal"));
	unlink(path(".ops/state.db-shm"));
	CHECK(sqlite3_open(path(".ops/state.db"), &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
}

static void
test_not_ours(struct ops_statedb *st)
{
	struct ops_err err = OPS_ERR_INIT;
	char sql[256];

	snprintf(sql, sizeof(sql), "CREATE TABLE check_current(x, y);"
	    "CREATE TABLE runs(id); PRAGMA user_version=%d", ops_state_schema_version());
	foreign(sql);
	EQ_INT(ops_state_open(st, tmp, &err), 0);
	CHECK(st->recovered != NULL);
	EQ_INT(query_int(st, "SELECT count(*) FROM runs"), 0);
	EQ_INT(query_int(st, "PRAGMA application_id"), 0x44484f50);
	ops_state_close(st);

	foreign("CREATE TABLE t(x); PRAGMA application_id=12345");
	EQ_INT(ops_state_open(st, tmp, &err), 0);
	CHECK(st->recovered != NULL);
	ops_state_close(st);

	foreign("CREATE TABLE t(x); PRAGMA user_version=0");
	EQ_INT(ops_state_open(st, tmp, &err), 0);
	CHECK(st->recovered != NULL);
	ops_state_close(st);

	/* ours, from before application_id: kept and marked */
	EQ_INT(ops_state_open(st, tmp, &err), 0);
	EQ_INT(ops_state_exec(st, "PRAGMA application_id=0; INSERT INTO events(ts, kind)"
	    " VALUES(1, 'x')", &err), 0);
	ops_state_close(st);
	EQ_INT(ops_state_open(st, tmp, &err), 0);
	CHECK(st->recovered == NULL);
	EQ_INT(query_int(st, "SELECT count(*) FROM events WHERE kind = 'x'"), 1);
	EQ_INT(query_int(st, "PRAGMA application_id"), 0x44484f50);
	ops_state_close(st);
}

/* The WAL, kept between programs, stays small: 60 programs that each
 * open the state, commit about 20 pages once and close leave less than
 * 2 MiB of it (SQLite's own checkpointing let it grow by every commit:
 * 5 MB here) and every commit in the database. */
static void
test_wal(struct ops_statedb *st)
{
	struct ops_err err = OPS_ERR_INIT;
	struct stat sb;

	unit_case("wal stays small");
	EQ_INT(ops_state_open(st, tmp, &err), 0);
	EQ_INT(ops_state_exec(st, "CREATE TABLE walx(x)", &err), 0);
	ops_state_close(st);
	for (int i = 0; i < 60; i++) {
		EQ_INT(ops_state_open(st, tmp, &err), 0);
		EQ_INT(ops_state_exec(st, "INSERT INTO walx VALUES(randomblob(80000))", &err), 0);
		ops_state_close(st);
	}
	CHECK(stat(path(".ops/state.db-wal"), &sb) == 0);
	CHECK(sb.st_size < 2 * 1024 * 1024);
	EQ_INT(ops_state_open(st, tmp, &err), 0);
	EQ_INT(query_int(st, "SELECT count(*) FROM walx"), 60);
	ops_state_close(st);
}

int
main(void)
{
	struct ops_statedb st = OPS_STATEDB_INIT;

	tmp = unit_tmpdir();
	test_open(&st);
	test_record(&st);
	test_events(&st);
	test_integrity(&st);
	test_reopen(&st);
	test_newer(&st);
	test_recover(&st);
	test_not_ours(&st);
	test_wal(&st);
	unit_cleanup(tmp);
	return unit_done();
}
