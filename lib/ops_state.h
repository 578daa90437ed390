/* ops_state: the toolkit's own state database, HOME/.ops/state.db.
 *
 * SQLite in WAL mode with a busy timeout, the schema versioned with
 * PRAGMA user_version and upgraded by the migrations in ops_state.c. A
 * state database that SQLite cannot read (corrupt, truncated, garbage) is
 * set aside as state.db.corrupt-YYYYMMDD_HHMMSS and a new one created:
 * losing history is better than a monitor that cannot run. */
#ifndef OPS_STATE_H
#define OPS_STATE_H

#include <sqlite3.h>
#include <stdint.h>

#include "ops_check.h"
#include "ops_err.h"

struct ops_statedb {
	sqlite3 *db;
	char *recovered;	/* where a bad database was set aside, or NULL */
};

#define OPS_STATEDB_INIT { NULL, NULL }

/* Open (creating .ops/ and the database, 0700/0600) and migrate. */
int ops_state_open(struct ops_statedb *st, const char *home, struct ops_err *err);

/* The existing state database, read-only, never created or migrated: a view
 * (dashboard, serve) must not change what it looks at, and a read-write
 * handle would checkpoint the WAL on close. NULL when there is none or it
 * cannot be opened; the caller closes it with sqlite3_close. */
sqlite3 *ops_state_open_view(const char *home);
void ops_state_close(struct ops_statedb *st);

/* Corruption found after opening (a damaged page in a table): set the
 * database aside as ops_state_open does and open a new one. Call
 * ops_state_is_corrupt right after the failing call, before any other. */
int ops_state_recover(struct ops_statedb *st, const char *home, struct ops_err *err);
int ops_state_is_corrupt(const struct ops_statedb *st);

/* The schema version this build writes. */
int ops_state_schema_version(void);

/* Record a health run: fills each result's since/changed from the
 * previous state, stores the run and prunes runs older than keep_seconds,
 * all in one transaction. */
int ops_state_record_run(struct ops_statedb *st, const char *program, double now,
    struct ops_report *r, double keep_seconds, struct ops_err *err);

/* Events (kind "restart" with a reason, ...). */
int ops_state_add_event(struct ops_statedb *st, double ts, const char *kind,
    const char *detail, struct ops_err *err);
/* Count events of kind since ts. */
int ops_state_count_events(struct ops_statedb *st, const char *kind, double since,
    int64_t *count, struct ops_err *err);

/* The integrity cache: a database's identity at its last clean check. */
struct ops_fingerprint {
	int64_t size, mtime_ns, inode, wal_size, wal_mtime_ns;
};

/* 1 when path was last checked clean (at mode "quick" or, when
 * need_full, "full") with exactly this fingerprint; 0 otherwise. */
int ops_state_integrity_cached(struct ops_statedb *st, const char *path,
    const struct ops_fingerprint *fp, int need_full, struct ops_err *err);
int ops_state_integrity_store(struct ops_statedb *st, const char *path,
    const struct ops_fingerprint *fp, const char *mode, const char *result,
    double now, struct ops_err *err);

/* Helpers for modules that keep their own tables in the state database.
 * ops_state_error fills err with "state database: unable to WHAT: <sqlite
 * message>" and returns -1. ops_state_prepare prepares sql into *s.
 * ops_state_step_done steps a statement that returns no row and
 * finalizes it, whatever happens. ops_state_text is column i of the
 * current row as text, "" for NULL (owned by the statement: valid until
 * the next step or finalize); ops_state_copy_text copies it into dst of
 * len bytes, cut to fit. */
int ops_state_error(struct ops_err *err, const struct ops_statedb *st,
    const char *what);
int ops_state_prepare(struct ops_statedb *st, const char *sql, sqlite3_stmt **s,
    struct ops_err *err);
int ops_state_step_done(struct ops_statedb *st, sqlite3_stmt *s, const char *what,
    struct ops_err *err);
const char *ops_state_text(sqlite3_stmt *s, int i);
void ops_state_copy_text(char *dst, size_t len, sqlite3_stmt *s, int i);
/* Steps a DELETE s (finalized whatever happens) and adds the rows it
 * removed to the pruned count of counter (table pruned), both or neither:
 * a counter shown as "rows kept + rows pruned" (serve's _total metrics)
 * never goes down when old rows are pruned. */
int ops_state_prune_counted(struct ops_statedb *st, sqlite3_stmt *s,
    const char *counter, const char *what, struct ops_err *err);
#define OPS_PRUNED_ALERTS_SENT "alerts_sent"	/* alert_sent rows */
#define OPS_PRUNED_BACKUPS "backups"		/* backups (catalog) rows */
/* Steps a statement that returns one row (a count) into *n and finalizes
 * it, whatever happens. */
int ops_state_step_int64(struct ops_statedb *st, sqlite3_stmt *s, const char *what,
    int64_t *n, struct ops_err *err);

/* Run one SQL statement with no result; for simple updates and tests. */
int ops_state_exec(struct ops_statedb *st, const char *sql, struct ops_err *err);

#endif
