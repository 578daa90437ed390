#include "ops_state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_buf.h"
#include "ops_fs.h"
#include "ops_time.h"

/* Migration N takes the schema from version N to N+1. Never edit one that
 * has shipped: add a new one. */
static const char *const migrations[] = {
	/* 0 -> 1: health history, events, integrity cache */
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, ts REAL NOT NULL,"
	"  program TEXT NOT NULL, state INTEGER NOT NULL, summary TEXT);"
	"CREATE INDEX runs_ts ON runs(ts);"
	"CREATE TABLE check_results(run_id INTEGER NOT NULL, ts REAL NOT NULL,"
	"  name TEXT NOT NULL, state INTEGER NOT NULL, since REAL NOT NULL,"
	"  message TEXT);"
	"CREATE INDEX check_results_ts ON check_results(ts);"
	"CREATE INDEX check_results_name ON check_results(name, ts);"
	"CREATE TABLE check_current(name TEXT PRIMARY KEY, state INTEGER NOT NULL,"
	"  since REAL NOT NULL, last REAL NOT NULL, message TEXT);"
	"CREATE TABLE events(id INTEGER PRIMARY KEY, ts REAL NOT NULL,"
	"  kind TEXT NOT NULL, detail TEXT);"
	"CREATE INDEX events_kind_ts ON events(kind, ts);"
	"CREATE TABLE integrity_cache(path TEXT PRIMARY KEY, size INTEGER,"
	"  mtime_ns INTEGER, inode INTEGER, wal_size INTEGER, wal_mtime_ns INTEGER,"
	"  mode TEXT, result TEXT, checked REAL);",
	/* N -> N+1: ops-alert (ops_alert_store.h) */
	"CREATE TABLE alert_state(type TEXT PRIMARY KEY,"
	"  active INTEGER NOT NULL DEFAULT 0, severity INTEGER NOT NULL DEFAULT 0,"
	"  since REAL NOT NULL DEFAULT 0, last_sent REAL NOT NULL DEFAULT 0,"
	"  sent_severity INTEGER NOT NULL DEFAULT 0, notified INTEGER NOT NULL DEFAULT 0,"
	"  resolve_pending INTEGER NOT NULL DEFAULT 0, held INTEGER NOT NULL DEFAULT 0,"
	"  suppressed INTEGER NOT NULL DEFAULT 0, message TEXT);"
	"CREATE TABLE alert_sent(id INTEGER PRIMARY KEY, ts REAL NOT NULL,"
	"  type TEXT NOT NULL, kind TEXT NOT NULL, severity INTEGER NOT NULL);"
	"CREATE INDEX alert_sent_ts ON alert_sent(ts);"
	"CREATE TABLE alert_silence(type TEXT PRIMARY KEY, until REAL NOT NULL,"
	"  set_at REAL NOT NULL);"
	"CREATE TABLE alert_queue(id INTEGER PRIMARY KEY, ts REAL NOT NULL,"
	"  type TEXT NOT NULL, channel TEXT NOT NULL, payload TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE alert_meta(key TEXT PRIMARY KEY, value REAL);",
	/* N -> N+1: the catalog of backups (ops_catalog.h) */
	"CREATE TABLE backups(name TEXT PRIMARY KEY, created REAL NOT NULL,"
	"  size INTEGER NOT NULL, files INTEGER NOT NULL, data_size INTEGER NOT NULL,"
	"  compression TEXT, seconds REAL, verified REAL, verify_ok INTEGER,"
	"  verify_msg TEXT);",
	/* N -> N+1: samples of the agent process (ops_procstat.h) */
	"CREATE TABLE proc_samples(ts REAL NOT NULL, pid INTEGER NOT NULL,"
	"  start REAL NOT NULL, cpu REAL NOT NULL, rss INTEGER NOT NULL,"
	"  warn_since REAL NOT NULL DEFAULT 0, crit_since REAL NOT NULL DEFAULT 0);"
	"CREATE INDEX proc_samples_pid_ts ON proc_samples(pid, ts);"
	"CREATE INDEX proc_samples_ts ON proc_samples(ts);",
	/* N -> N+1: the audit trail (ops_audit.h); append-only: an entry is
	 * never updated (the trigger stops it by mistake, the hash chain
	 * shows it done on purpose) */
	"CREATE TABLE audit(seq INTEGER PRIMARY KEY, ts REAL NOT NULL,"
	"  program TEXT NOT NULL, verb TEXT NOT NULL, outcome TEXT NOT NULL,"
	"  detail TEXT NOT NULL, uid INTEGER NOT NULL, user TEXT NOT NULL,"
	"  sudo_user TEXT NOT NULL, tty TEXT NOT NULL, via TEXT NOT NULL,"
	"  prev TEXT NOT NULL, hash TEXT NOT NULL, sig TEXT);"
	"CREATE INDEX audit_ts ON audit(ts);"
	"CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
	/* N -> N+1: archive states, offsite copies, backup/verify/offsite runs
	 * (ops_catalog.h, issue 10) */
	"ALTER TABLE backups ADD COLUMN state TEXT;"
	"ALTER TABLE backups ADD COLUMN good_at REAL;"
	"ALTER TABLE backups ADD COLUMN offsite REAL;"
	"ALTER TABLE backups ADD COLUMN offsite_msg TEXT;"
	"UPDATE backups SET state = CASE WHEN verify_ok THEN 'good' ELSE 'bad' END,"
	"  good_at = CASE WHEN verify_ok THEN verified END WHERE verified IS NOT NULL;"
	"CREATE TABLE backup_runs(id INTEGER PRIMARY KEY, ts REAL NOT NULL,"
	"  kind TEXT NOT NULL, ok INTEGER NOT NULL, archive TEXT, msg TEXT);"
	"CREATE INDEX backup_runs_kind_ts ON backup_runs(kind, ts);",
	/* N -> N+1: the service manager's restart counter (ops_restart.h) */
	"CREATE TABLE restart_supervisor(manager TEXT PRIMARY KEY,"
	"  count INTEGER NOT NULL, ts REAL NOT NULL);",
	/* N -> N+1: the log lines captured with each incident (ops_context.h) */
	"CREATE TABLE incident_context(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	"  since REAL NOT NULL, ts REAL NOT NULL, state INTEGER NOT NULL,"
	"  source TEXT NOT NULL, lines TEXT NOT NULL);"
	"CREATE INDEX incident_context_name_ts ON incident_context(name, ts);",
	/* N -> N+1: the SHA-256 of an encrypted archive's file, which verify
	 * checks without the identity (issue 12) */
	"ALTER TABLE backups ADD COLUMN sha256 TEXT;",
	/* N -> N+1: rows pruned so far, by counter (ops_state_prune_counted):
	 * serve's _total counters are the rows kept plus these (issue 14) */
	"CREATE TABLE pruned(name TEXT PRIMARY KEY, count INTEGER NOT NULL);",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int
ops_state_schema_version(void)
{
	return NMIGRATIONS;
}

static int
dberr(struct ops_err *err, sqlite3 *db, const char *what)
{
	return ops_err_set(err, OPS_E_FAIL, "state database: unable to %s: %s",
	    what, db ? sqlite3_errmsg(db) : "out of memory");
}

int
ops_state_error(struct ops_err *err, const struct ops_statedb *st, const char *what)
{
	return dberr(err, st ? st->db : NULL, what);
}

int
ops_state_prepare(struct ops_statedb *st, const char *sql, sqlite3_stmt **s,
    struct ops_err *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return dberr(err, st->db, "prepare");
	return 0;
}

const char *
ops_state_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

void
ops_state_copy_text(char *dst, size_t len, sqlite3_stmt *s, int i)
{
	snprintf(dst, len, "%s", ops_state_text(s, i));
}

int
ops_state_step_done(struct ops_statedb *st, sqlite3_stmt *s, const char *what,
    struct ops_err *err)
{
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : dberr(err, st->db, what);

	sqlite3_finalize(s);
	return rc;
}

int
ops_state_prune_counted(struct ops_statedb *st, sqlite3_stmt *s, const char *counter,
    const char *what, struct ops_err *err)
{
	sqlite3_stmt *u = NULL;
	int rc = -1, n;

	/* A savepoint: the rows go and the count grows together, inside
	 * the caller's transaction or on their own. */
	if (sqlite3_exec(st->db, "SAVEPOINT prune", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return dberr(err, st->db, "begin a savepoint");
	}
	if (sqlite3_step(s) != SQLITE_DONE) {
		dberr(err, st->db, what);
		goto out;
	}
	n = sqlite3_changes(st->db);
	if (n > 0) {
		if (sqlite3_prepare_v2(st->db, "INSERT INTO pruned(name,count) VALUES(?,?)"
		    " ON CONFLICT(name) DO UPDATE SET count=count+excluded.count", -1, &u,
		    NULL) != SQLITE_OK) {
			dberr(err, st->db, "prepare");
			goto out;
		}
		sqlite3_bind_text(u, 1, counter, -1, SQLITE_STATIC);
		sqlite3_bind_int(u, 2, n);
		if (sqlite3_step(u) != SQLITE_DONE) {
			dberr(err, st->db, "count the pruned rows");
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	if (rc < 0)
		sqlite3_exec(st->db, "ROLLBACK TO prune", NULL, NULL, NULL);
	sqlite3_exec(st->db, "RELEASE prune", NULL, NULL, NULL);
	return rc;
}

int
ops_state_step_int64(struct ops_statedb *st, sqlite3_stmt *s, const char *what,
    int64_t *n, struct ops_err *err)
{
	int rc = -1;

	if (sqlite3_step(s) == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		dberr(err, st->db, what);
	}
	sqlite3_finalize(s);
	return rc;
}

int
ops_state_exec(struct ops_statedb *st, const char *sql, struct ops_err *err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return dberr(err, st->db, "update");
	return 0;
}

/* ---- issue 11: a state database that is not ours ---------------------- */

/* PRAGMA application_id of every state database we make ("DHOP"; the
 * decimal form is in migrate's PRAGMA). */
#define STATE_APPLICATION_ID 0x44484f50

static int
pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		*out = sqlite3_column_int(s, 0);
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

/* The tables and columns, "table.column" one per line, sorted. */
static int
schema_text(sqlite3 *db, struct ops_buf *b)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT m.name || '.' || p.name FROM sqlite_master m, "
	    "pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE "
	    "'sqlite_%' ORDER BY 1", -1, &s, NULL);
	while (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
		ops_buf_puts(b, (const char *)sqlite3_column_text(s, 0));
		ops_buf_puts(b, "\n");
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK && !b->oom ? 0 : -1;
}

/* 0 when db is a state database of ours (or empty), -1 "not ours" with
 * the reason: another application_id, a user_version no version of ours
 * wrote, or tables that are not what our migrations up to user_version
 * make. Such a file is set aside like a corrupt one: taken at its word it
 * would silence every alert. */
static int
ours(sqlite3 *db, struct ops_err *err)
{
	struct ops_buf have = OPS_BUF_INIT, want = OPS_BUF_INIT;
	sqlite3 *mem = NULL;
	int app = 0, ver = 0, ntables = 0, rc = -1;

	if (pragma_int(db, "PRAGMA application_id", &app) < 0 ||
	    pragma_int(db, "PRAGMA user_version", &ver) < 0 ||
	    pragma_int(db, "SELECT count(*) FROM sqlite_master", &ntables) < 0)
		return dberr(err, db, "read the schema version");
	if (app == STATE_APPLICATION_ID)
		return 0;
	if (app != 0)
		return ops_err_set(err, OPS_E_FAIL, "state database: not ours (application_id "
		    "%#x)", (unsigned)app);
	if (ver == 0 && ntables == 0)
		return 0;	/* new */
	if (ver < 1 || ver > NMIGRATIONS)
		return ops_err_set(err, OPS_E_FAIL, "state database: not ours (user_version "
		    "%d with tables)", ver);
	/* An older state database of ours (before application_id): its
	 * tables must be what our migrations up to its version make. */
	if (sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		ops_err_set(err, OPS_E_FAIL, "state database: out of memory");
		goto out;
	}
	for (int i = 0; i < ver; i++)
		if (sqlite3_exec(mem, migrations[i], NULL, NULL, NULL) != SQLITE_OK) {
			dberr(err, mem, "check the schema");
			goto out;
		}
	if (schema_text(mem, &want) < 0 || schema_text(db, &have) < 0) {
		dberr(err, db, "read the schema");
		goto out;
	}
	if (strcmp(ops_buf_str(&want), ops_buf_str(&have)) != 0) {
		ops_err_set(err, OPS_E_FAIL, "state database: not ours (its tables are not "
		    "those of schema version %d)", ver);
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(mem);
	ops_buf_release(&have);
	ops_buf_release(&want);
	return rc;
}

/* ---- end of issue 11's block ------------------------------------------- */

static int
migrate(sqlite3 *db, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	char sql[64];
	int version, app = 0, rc = -1;

	if (ours(db, err) < 0)
		return -1;
	/* a new one, or an older one of ours, is marked ours once */
	if (pragma_int(db, "PRAGMA application_id", &app) < 0 ||
	    (app == 0 && sqlite3_exec(db, "PRAGMA application_id=1145589584", NULL, NULL,
	    NULL) != SQLITE_OK))
		return dberr(err, db, "mark the state database");
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		dberr(err, db, "read the schema version");
		goto out;
	}
	version = sqlite3_column_int(s, 0);
	if (version == NMIGRATIONS) {
		rc = 0;
		goto out;
	}
	if (version > NMIGRATIONS || version < 0) {
		ops_err_set(err, OPS_E_FAIL,
		    "state database: schema version %d is newer than this program (%d)",
		    version, NMIGRATIONS);
		goto out;
	}
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		dberr(err, db, "begin the migration");
		goto out;
	}
	/* Re-read inside the transaction: another process may have migrated. */
	sqlite3_reset(s);
	if (sqlite3_step(s) != SQLITE_ROW) {
		dberr(err, db, "read the schema version");
		goto rollback;
	}
	for (version = sqlite3_column_int(s, 0); version < NMIGRATIONS; version++) {
		if (sqlite3_exec(db, migrations[version], NULL, NULL, NULL) != SQLITE_OK) {
			dberr(err, db, "migrate the schema");
			goto rollback;
		}
	}
	sqlite3_reset(s);
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", NMIGRATIONS);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		dberr(err, db, "migrate the schema");
		goto rollback;
	}
	rc = 0;
	goto out;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(s);
	return rc;
}

/* Past this many frames in the WAL (1 MiB of 4 KiB pages), a commit
 * checkpoints and empties it. */
enum { WAL_FRAMES = 256, BUSY_MS = 5000 };

/* The WAL outlives each program (see open_db), and the first connection
 * of each program rebuilds the WAL's index by reading all of it, taking
 * none of it as checkpointed. SQLite's own auto-checkpoint (passive, at
 * 1000 frames) then copies all of it into the database again at every
 * commit past that size, and never empties it for programs that commit
 * once: after a day of backups a 3,100-frame WAL cost every open 5-10 ms
 * and every commit a 12 MB rewrite. Here a commit past WAL_FRAMES
 * truncates it; readers are not waited for (the next commit tries
 * again). */
static int
wal_hook(void *ctx, sqlite3 *db, const char *name, int frames)
{
	(void)ctx;
	if (frames >= WAL_FRAMES) {
		sqlite3_busy_timeout(db, 0);
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		sqlite3_busy_timeout(db, BUSY_MS);
	}
	return SQLITE_OK;
}

static int
open_db(const char *path, sqlite3 **out, struct ops_err *err)
{
	sqlite3 *db = NULL;
	struct stat st;
	int fd, fresh, one = 1;

	/* Create it 0600 ourselves: SQLite would use the umask. */
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", path);
	fresh = fstat(fd, &st) == 0 && st.st_size == 0;
	close(fd);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
	    NULL) != SQLITE_OK) {
		ops_err_set(err, OPS_E_FAIL, "unable to open '%s': %s", path,
		    db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, BUSY_MS);
	sqlite3_extended_result_codes(db, 1);
	/* A new, empty database has nothing to lose: no fsyncs while it is
	 * switched to WAL and given its schema (a crash leaves a file that
	 * is set aside and made again). */
	if (sqlite3_exec(db, fresh ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=NORMAL",
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON", NULL,
	    NULL, NULL) != SQLITE_OK ||
	    migrate(db, err) < 0 ||
	    sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		if (err && err->code == OPS_E_NONE)
			dberr(err, db, "open");
		sqlite3_close(db);
		return -1;
	}
	/* Every cron run would otherwise checkpoint and delete the WAL when it
	 * closes the database (four fsyncs and an unlink, most of a warm
	 * run's time). The WAL is kept, and emptied by the commit that takes
	 * it past WAL_FRAMES (wal_hook). */
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
	sqlite3_wal_hook(db, wal_hook, NULL);
	*out = db;
	return 0;
}

/* Move state.db and its -wal/-shm aside so a fresh one can be made. */
static int
set_aside(const char *path, char **where, struct ops_err *err)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char stamp[32], stem[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	struct stat st;
	int n;

	ops_time_stamp(ops_time_now(), stamp, sizeof(stamp));
	/* Never over a copy set aside earlier in the same second. */
	for (n = 0; n < 100; n++) {
		int len = n == 0 ? snprintf(stem, sizeof(stem), "%s.corrupt-%s", path, stamp) :
		    snprintf(stem, sizeof(stem), "%s.corrupt-%s.%d", path, stamp, n);
		if (len < 0 || len >= (int)sizeof(stem))
			return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", path);
		if (lstat(stem, &st) < 0 && errno == ENOENT)
			break;
	}
	if (n == 100)
		return ops_err_set(err, OPS_E_FAIL,
		    "unable to set aside '%s': too many copies already", path);
	for (size_t i = 0; i < 3; i++) {
		if (snprintf(from, sizeof(from), "%s%s", path, sfx[i]) >= (int)sizeof(from) ||
		    snprintf(to, sizeof(to), "%s%s", stem, sfx[i]) >= (int)sizeof(to))
			return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", path);
		if (rename(from, to) < 0 && errno != ENOENT)
			return ops_err_sys(err, errno, "unable to set aside '%s'", from);
		if (i == 0 && (*where = strdup(to)) == NULL)
			return ops_err_sys(err, ENOMEM, "unable to set aside '%s'", from);
	}
	return 0;
}

/* Open the fresh database made after a set-aside and mark it as such.
 * Whichever program set the old one aside (in cron's order ops-health runs
 * first), ops-alert must know the alert state it kept was lost: otherwise
 * every active type looks new and costs a notice of its own. ops-alert
 * sends one consolidated notice and clears the mark (alert_meta
 * "state_lost", the same mark it keeps while that notice is undelivered). */
static int
open_fresh(const char *path, sqlite3 **out, struct ops_err *err)
{
	if (open_db(path, out, err) < 0)
		return -1;
	if (sqlite3_exec(*out, "INSERT OR REPLACE INTO alert_meta(key,value) "
	    "VALUES('state_lost',1)", NULL, NULL, NULL) != SQLITE_OK) {
		dberr(err, *out, "mark the new state database");
		sqlite3_close(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

sqlite3 *
ops_state_open_view(const char *home)
{
	char path[PATH_MAX];
	struct stat st;
	sqlite3 *db = NULL;

	if (snprintf(path, sizeof(path), "%s/.ops/state.db", home) >= (int)sizeof(path) ||
	    lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW,
	    NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 1000);
	return db;
}

int
ops_state_open(struct ops_statedb *st, const char *home, struct ops_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct ops_err first = OPS_ERR_INIT;

	st->db = NULL;
	st->recovered = NULL;
	if (ops_path_join(dir, sizeof(dir), home, ".ops", err) < 0 ||
	    ops_fs_mkdirs(dir, err) < 0 ||
	    ops_path_join(path, sizeof(path), dir, "state.db", err) < 0)
		return -1;
	if (open_db(path, &st->db, &first) == 0)
		return 0;
	/* Only a database SQLite cannot read is replaced; a busy or
	 * unwritable one is an error to report, not to paper over. */
	if (strstr(first.msg, "not a database") == NULL &&
	    strstr(first.msg, "malformed") == NULL &&
	    strstr(first.msg, "corrupt") == NULL &&
	    strstr(first.msg, "not ours") == NULL) {
		if (err)
			*err = first;
		return -1;
	}
	if (set_aside(path, &st->recovered, err) < 0)
		return -1;
	return open_fresh(path, &st->db, err);
}

int
ops_state_recover(struct ops_statedb *st, const char *home, struct ops_err *err)
{
	char path[PATH_MAX];

	sqlite3_close(st->db);
	st->db = NULL;
	free(st->recovered);
	st->recovered = NULL;
	if (ops_path_join(path, sizeof(path), home, ".ops/state.db", err) < 0 ||
	    set_aside(path, &st->recovered, err) < 0)
		return -1;
	return open_fresh(path, &st->db, err);
}

int
ops_state_is_corrupt(const struct ops_statedb *st)
{
	int code = st->db ? sqlite3_errcode(st->db) & 0xff : SQLITE_OK;

	return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

void
ops_state_close(struct ops_statedb *st)
{
	if (st == NULL)
		return;
	sqlite3_close(st->db);
	st->db = NULL;
	free(st->recovered);
	st->recovered = NULL;
}

static int
begin(struct ops_statedb *st, struct ops_err *err)
{
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return dberr(err, st->db, "begin a transaction");
	return 0;
}

int
ops_state_record_run(struct ops_statedb *st, const char *program, double now,
    struct ops_report *r, double keep_seconds, struct ops_err *err)
{
	sqlite3_stmt *get = NULL, *put = NULL, *hist = NULL, *run = NULL;
	sqlite3_stmt *prune1 = NULL, *prune2 = NULL;
	struct ops_buf sum = OPS_BUF_INIT;
	sqlite3_int64 run_id;
	int rc = -1;

	if (begin(st, err) < 0)
		return -1;
	if (sqlite3_prepare_v2(st->db,
	    "SELECT state, since FROM check_current WHERE name=?", -1, &get, NULL) ||
	    sqlite3_prepare_v2(st->db,
	    "INSERT OR REPLACE INTO check_current(name,state,since,last,message)"
	    " VALUES(?,?,?,?,?)", -1, &put, NULL) ||
	    sqlite3_prepare_v2(st->db,
	    "INSERT INTO check_results(run_id,ts,name,state,since,message)"
	    " VALUES(?,?,?,?,?,?)", -1, &hist, NULL) ||
	    sqlite3_prepare_v2(st->db,
	    "INSERT INTO runs(ts,program,state,summary) VALUES(?,?,?,?)", -1, &run, NULL) ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM runs WHERE ts<?", -1, &prune1, NULL) ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM check_results WHERE ts<?", -1,
	    &prune2, NULL)) {
		dberr(err, st->db, "prepare");
		goto out;
	}
	sqlite3_bind_double(run, 1, now);
	sqlite3_bind_text(run, 2, program, -1, SQLITE_STATIC);
	sqlite3_bind_int(run, 3, ops_report_worst(r));
	ops_report_summary(&sum, r);
	sqlite3_bind_text(run, 4, ops_buf_str(&sum), -1, SQLITE_STATIC);
	if (sqlite3_step(run) != SQLITE_DONE) {
		dberr(err, st->db, "record the run");
		goto out;
	}
	run_id = sqlite3_last_insert_rowid(st->db);
	for (size_t i = 0; i < r->n; i++) {
		struct ops_result *res = &r->v[i];

		res->since = now;
		res->changed = 1;
		sqlite3_reset(get);
		sqlite3_bind_text(get, 1, res->name, -1, SQLITE_STATIC);
		if (sqlite3_step(get) == SQLITE_ROW &&
		    sqlite3_column_int(get, 0) == (int)res->state) {
			double since = sqlite3_column_double(get, 1);

			/* A since in the future (clock stepped back) restarts it. */
			if (since <= now) {
				res->since = since;
				res->changed = 0;
			}
		}
		sqlite3_reset(put);
		sqlite3_bind_text(put, 1, res->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(put, 2, res->state);
		sqlite3_bind_double(put, 3, res->since);
		sqlite3_bind_double(put, 4, now);
		sqlite3_bind_text(put, 5, res->message, -1, SQLITE_STATIC);
		sqlite3_reset(hist);
		sqlite3_bind_int64(hist, 1, run_id);
		sqlite3_bind_double(hist, 2, now);
		sqlite3_bind_text(hist, 3, res->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(hist, 4, res->state);
		sqlite3_bind_double(hist, 5, res->since);
		sqlite3_bind_text(hist, 6, res->message, -1, SQLITE_STATIC);
		if (sqlite3_step(put) != SQLITE_DONE || sqlite3_step(hist) != SQLITE_DONE) {
			dberr(err, st->db, "record a check");
			goto out;
		}
	}
	sqlite3_bind_double(prune1, 1, now - keep_seconds);
	sqlite3_bind_double(prune2, 1, now - keep_seconds);
	if (sqlite3_step(prune1) != SQLITE_DONE || sqlite3_step(prune2) != SQLITE_DONE) {
		dberr(err, st->db, "prune old runs");
		goto out;
	}
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		dberr(err, st->db, "commit");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	sqlite3_finalize(hist);
	sqlite3_finalize(run);
	sqlite3_finalize(prune1);
	sqlite3_finalize(prune2);
	ops_buf_release(&sum);
	return rc;
}

int
ops_state_add_event(struct ops_statedb *st, double ts, const char *kind,
    const char *detail, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO events(ts,kind,detail) VALUES(?,?,?)",
	    -1, &s, NULL) != SQLITE_OK) {
		dberr(err, st->db, "prepare");
		goto out;
	}
	sqlite3_bind_double(s, 1, ts);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, detail, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		dberr(err, st->db, "record an event");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int
ops_state_count_events(struct ops_statedb *st, const char *kind, double since,
    int64_t *count, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st, "SELECT count(*) FROM events WHERE kind=? AND ts>=?", &s,
	    err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, since);
	return ops_state_step_int64(st, s, "count events", count, err);
}

int
ops_state_integrity_cached(struct ops_statedb *st, const char *path,
    const struct ops_fingerprint *fp, int need_full, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db,
	    "SELECT 1 FROM integrity_cache WHERE path=? AND size=? AND mtime_ns=?"
	    " AND inode=? AND wal_size=? AND wal_mtime_ns=? AND result='ok'"
	    " AND (mode='full' OR ?=0)", -1, &s, NULL) != SQLITE_OK) {
		dberr(err, st->db, "prepare");
		goto out;
	}
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, fp->size);
	sqlite3_bind_int64(s, 3, fp->mtime_ns);
	sqlite3_bind_int64(s, 4, fp->inode);
	sqlite3_bind_int64(s, 5, fp->wal_size);
	sqlite3_bind_int64(s, 6, fp->wal_mtime_ns);
	sqlite3_bind_int(s, 7, need_full);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		rc = 1;
		break;
	case SQLITE_DONE:
		rc = 0;
		break;
	default:
		dberr(err, st->db, "read the integrity cache");
	}
out:
	sqlite3_finalize(s);
	return rc;
}

int
ops_state_integrity_store(struct ops_statedb *st, const char *path,
    const struct ops_fingerprint *fp, const char *mode, const char *result,
    double now, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db,
	    "INSERT OR REPLACE INTO integrity_cache(path,size,mtime_ns,inode,wal_size,"
	    "wal_mtime_ns,mode,result,checked) VALUES(?,?,?,?,?,?,?,?,?)", -1, &s,
	    NULL) != SQLITE_OK) {
		dberr(err, st->db, "prepare");
		goto out;
	}
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, fp->size);
	sqlite3_bind_int64(s, 3, fp->mtime_ns);
	sqlite3_bind_int64(s, 4, fp->inode);
	sqlite3_bind_int64(s, 5, fp->wal_size);
	sqlite3_bind_int64(s, 6, fp->wal_mtime_ns);
	sqlite3_bind_text(s, 7, mode, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, result, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 9, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		dberr(err, st->db, "update the integrity cache");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}
