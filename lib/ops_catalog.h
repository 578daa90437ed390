/* ops_catalog: the backups ops-backup made, in the state database.
 *
 * One row per archive name (the file in backup.dir is the truth; the
 * catalog adds what is costly to learn again: file count, data size, how
 * long it took, the last verification). */
#ifndef OPS_CATALOG_H
#define OPS_CATALOG_H

#include <stdint.h>

#include "ops_err.h"
#include "ops_state.h"

struct ops_catalog_row {
	char name[64];
	double created;		/* epoch seconds */
	int64_t size;		/* of the archive */
	int64_t files;
	int64_t data_size;	/* sum of the members' sizes */
	char compression[8];	/* "zstd", "gzip", "none", "" when unknown */
	double seconds;		/* time to make it, 0 when unknown */
	double verified;	/* last verification, 0 when never */
	int verify_ok;
	char verify_msg[512];
};

/* Insert or replace the whole row. */
int ops_catalog_put(struct ops_statedb *st, const struct ops_catalog_row *row,
    struct ops_err *err);
/* 1 found (row filled), 0 not found, -1 error. */
int ops_catalog_get(struct ops_statedb *st, const char *name,
    struct ops_catalog_row *row, struct ops_err *err);
int ops_catalog_remove(struct ops_statedb *st, const char *name,
    struct ops_err *err);

#endif
