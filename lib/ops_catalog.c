#include "ops_catalog.h"

#include <stdio.h>
#include <string.h>

const char *
ops_archive_state_name(enum ops_archive_state s)
{
	switch (s) {
	case OPS_ARCHIVE_GOOD:
		return "good";
	case OPS_ARCHIVE_BAD:
		return "bad";
	default:
		return "unchecked";
	}
}

void
ops_catalog_row_verdict(struct ops_catalog_row *row, enum ops_archive_state s,
    const char *msg, double now)
{
	row->state = s;
	row->verified = now;
	row->verify_ok = s == OPS_ARCHIVE_GOOD;
	if (s == OPS_ARCHIVE_GOOD)
		row->good_at = now;
	snprintf(row->verify_msg, sizeof(row->verify_msg), "%.500s",
	    msg && msg[0] ? msg : s == OPS_ARCHIVE_GOOD ? "ok" : "?");
}

int
ops_catalog_row_good(const struct ops_catalog_row *row)
{
	return row->state != OPS_ARCHIVE_BAD && row->good_at > 0;
}

static enum ops_archive_state
state_parse(const unsigned char *t)
{
	if (t && strcmp((const char *)t, "good") == 0)
		return OPS_ARCHIVE_GOOD;
	if (t && strcmp((const char *)t, "bad") == 0)
		return OPS_ARCHIVE_BAD;
	return OPS_ARCHIVE_UNCHECKED;
}

int
ops_catalog_put(struct ops_statedb *st, const struct ops_catalog_row *row,
    struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st,
	    "INSERT OR REPLACE INTO backups(name,created,size,files,data_size,"
	    "compression,seconds,verified,verify_ok,verify_msg,state,good_at,offsite,"
	    "offsite_msg,sha256) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, row->name, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, row->created);
	sqlite3_bind_int64(s, 3, row->size);
	sqlite3_bind_int64(s, 4, row->files);
	sqlite3_bind_int64(s, 5, row->data_size);
	sqlite3_bind_text(s, 6, row->compression, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 7, row->seconds);
	if (row->verified > 0) {
		sqlite3_bind_double(s, 8, row->verified);
		sqlite3_bind_int(s, 9, row->verify_ok);
		sqlite3_bind_text(s, 10, row->verify_msg, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 11, ops_archive_state_name(row->state), -1, SQLITE_STATIC);
	}
	if (row->good_at > 0)
		sqlite3_bind_double(s, 12, row->good_at);
	if (row->offsite > 0)
		sqlite3_bind_double(s, 13, row->offsite);
	if (row->offsite_msg[0])
		sqlite3_bind_text(s, 14, row->offsite_msg, -1, SQLITE_STATIC);
	if (row->sha256[0])
		sqlite3_bind_text(s, 15, row->sha256, -1, SQLITE_STATIC);
	return ops_state_step_done(st, s, "record a backup in the catalog", err);
}

int
ops_catalog_get(struct ops_statedb *st, const char *name, struct ops_catalog_row *row,
    struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (ops_state_prepare(st,
	    "SELECT name,created,size,files,data_size,compression,seconds,verified,"
	    "verify_ok,verify_msg,state,good_at,offsite,offsite_msg,sha256 FROM backups"
	    " WHERE name=?", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		memset(row, 0, sizeof(*row));
		ops_state_copy_text(row->name, sizeof(row->name), s, 0);
		row->created = sqlite3_column_double(s, 1);
		row->size = sqlite3_column_int64(s, 2);
		row->files = sqlite3_column_int64(s, 3);
		row->data_size = sqlite3_column_int64(s, 4);
		ops_state_copy_text(row->compression, sizeof(row->compression), s, 5);
		row->seconds = sqlite3_column_double(s, 6);
		row->verified = sqlite3_column_double(s, 7);
		row->verify_ok = sqlite3_column_int(s, 8);
		ops_state_copy_text(row->verify_msg, sizeof(row->verify_msg), s, 9);
		row->state = state_parse(sqlite3_column_text(s, 10));
		row->good_at = sqlite3_column_double(s, 11);
		row->offsite = sqlite3_column_double(s, 12);
		ops_state_copy_text(row->offsite_msg, sizeof(row->offsite_msg), s, 13);
		ops_state_copy_text(row->sha256, sizeof(row->sha256), s, 14);
		rc = 1;
		break;
	case SQLITE_DONE:
		rc = 0;
		break;
	default:
		ops_state_error(err, st, "read the backup catalog");
	}
	sqlite3_finalize(s);
	return rc;
}

int
ops_catalog_remove(struct ops_statedb *st, const char *name, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st, "DELETE FROM backups WHERE name=?", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	return ops_state_prune_counted(st, s, OPS_PRUNED_BACKUPS, "update the backup catalog",
	    err);
}

int
ops_catalog_run_add(struct ops_statedb *st, double ts, const char *kind, int ok,
    const char *archive, const char *msg, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st,
	    "INSERT INTO backup_runs(ts,kind,ok,archive,msg) VALUES(?,?,?,?,?)", &s,
	    err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, ts);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, ok ? 1 : 0);
	if (archive)
		sqlite3_bind_text(s, 4, archive, -1, SQLITE_STATIC);
	if (msg)
		sqlite3_bind_text(s, 5, msg, -1, SQLITE_STATIC);
	if (ops_state_step_done(st, s, "record a backup run", err) < 0)
		return -1;
	/* The log stays bounded: runs older than OPS_CATALOG_RUNS_KEEP go. */
	if (ops_state_prepare(st, "DELETE FROM backup_runs WHERE ts < ?", &s, err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, ts - OPS_CATALOG_RUNS_KEEP);
	return ops_state_step_done(st, s, "prune the backup runs", err);
}

static int
run_one(struct ops_statedb *st, const char *sql, const char *kind,
    struct ops_catalog_run *r, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (ops_state_prepare(st, sql, &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		memset(r, 0, sizeof(*r));
		r->ts = sqlite3_column_double(s, 0);
		ops_state_copy_text(r->kind, sizeof(r->kind), s, 1);
		r->ok = sqlite3_column_int(s, 2);
		ops_state_copy_text(r->archive, sizeof(r->archive), s, 3);
		ops_state_copy_text(r->msg, sizeof(r->msg), s, 4);
		rc = 1;
		break;
	case SQLITE_DONE:
		rc = 0;
		break;
	default:
		ops_state_error(err, st, "read the backup runs");
	}
	sqlite3_finalize(s);
	return rc;
}

int
ops_catalog_run_last(struct ops_statedb *st, const char *kind, int ok_only,
    struct ops_catalog_run *r, struct ops_err *err)
{
	return run_one(st, ok_only ?
	    "SELECT ts,kind,ok,archive,msg FROM backup_runs WHERE kind=? AND ok=1"
	    " ORDER BY id DESC LIMIT 1" :
	    "SELECT ts,kind,ok,archive,msg FROM backup_runs WHERE kind=?"
	    " ORDER BY id DESC LIMIT 1", kind, r, err);
}

int
ops_catalog_run_first(struct ops_statedb *st, const char *kind,
    struct ops_catalog_run *r, struct ops_err *err)
{
	return run_one(st, "SELECT ts,kind,ok,archive,msg FROM backup_runs WHERE kind=?"
	    " ORDER BY id LIMIT 1", kind, r, err);
}

int
ops_catalog_run_failures(struct ops_statedb *st, const char *kind, int64_t *n,
    struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st,
	    "SELECT count(*) FROM backup_runs WHERE kind=?1 AND ok=0 AND id >"
	    " coalesce((SELECT max(id) FROM backup_runs WHERE kind=?1 AND ok=1), 0)",
	    &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	return ops_state_step_int64(st, s, "read the backup runs", n, err);
}
