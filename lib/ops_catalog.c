#include "ops_catalog.h"

#include <stdio.h>
#include <string.h>

int
ops_catalog_put(struct ops_statedb *st, const struct ops_catalog_row *row,
    struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st,
	    "INSERT OR REPLACE INTO backups(name,created,size,files,data_size,"
	    "compression,seconds,verified,verify_ok,verify_msg)"
	    " VALUES(?,?,?,?,?,?,?,?,?,?)", &s, err) < 0)
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
	}
	return ops_state_step_done(st, s, "record a backup in the catalog", err);
}

static void
copy_text(char *dst, size_t len, const unsigned char *src)
{
	snprintf(dst, len, "%s", src ? (const char *)src : "");
}

int
ops_catalog_get(struct ops_statedb *st, const char *name, struct ops_catalog_row *row,
    struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (ops_state_prepare(st,
	    "SELECT name,created,size,files,data_size,compression,seconds,verified,"
	    "verify_ok,verify_msg FROM backups WHERE name=?", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		memset(row, 0, sizeof(*row));
		copy_text(row->name, sizeof(row->name), sqlite3_column_text(s, 0));
		row->created = sqlite3_column_double(s, 1);
		row->size = sqlite3_column_int64(s, 2);
		row->files = sqlite3_column_int64(s, 3);
		row->data_size = sqlite3_column_int64(s, 4);
		copy_text(row->compression, sizeof(row->compression), sqlite3_column_text(s, 5));
		row->seconds = sqlite3_column_double(s, 6);
		row->verified = sqlite3_column_double(s, 7);
		row->verify_ok = sqlite3_column_int(s, 8);
		copy_text(row->verify_msg, sizeof(row->verify_msg), sqlite3_column_text(s, 9));
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
	return ops_state_step_done(st, s, "update the backup catalog", err);
}
