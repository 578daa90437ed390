/* ops_catalog: the backups ops-backup made, in the state database.
 *
 * One row per archive name (the file in backup.dir is the truth; the
 * catalog adds what is costly to learn again: file count, data size, how
 * long it took, the last verification, the offsite copy), and a log of
 * runs (a backup, a verification, an offsite copy) with their outcome.
 *
 * An archive is in one of three states, its last verification's result:
 *   good          verified (at creation, or by ops-backup verify)
 *   bad: REASON   the archive or a database in it failed a check
 *   unchecked: REASON   it could not be checked (no scratch space, no
 *                 permission); says nothing about the archive itself
 * Archives never verified (copied in, catalog lost) are unchecked.
 * "Good" for retention and restore means: verified good at some time
 * (good_at) and not found bad since. */
#ifndef OPS_CATALOG_H
#define OPS_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "ops_err.h"
#include "ops_state.h"

enum ops_archive_state {
	OPS_ARCHIVE_UNCHECKED = 0,
	OPS_ARCHIVE_GOOD,
	OPS_ARCHIVE_BAD,
};

/* "good", "bad", "unchecked". */
const char *ops_archive_state_name(enum ops_archive_state s);

struct ops_catalog_row {
	char name[64];
	double created;		/* epoch seconds */
	int64_t size;		/* of the archive */
	int64_t files;
	int64_t data_size;	/* sum of the members' sizes */
	char compression[8];	/* "zstd", "gzip", "none", "" when unknown */
	double seconds;		/* time to make it, 0 when unknown */
	double verified;	/* last verification, 0 when never */
	int verify_ok;		/* state == OPS_ARCHIVE_GOOD */
	char verify_msg[512];	/* the reason for bad/unchecked, "ok" when good */
	enum ops_archive_state state;
	double good_at;		/* last verified good, 0 when never */
	double offsite;		/* when copied offsite, 0 when not (yet) */
	char offsite_msg[512];	/* the last offsite failure, "" when none */
	/* issue 12: SHA-256 of the archive file as written, "" when not
	 * recorded (set for encrypted archives: checkable without the key) */
	char sha256[65];
};

/* Set the verification result (state, verify_ok, verify_msg, verified =
 * now, good_at): the one way to change a row's state. msg is the reason
 * for bad and unchecked (may be NULL for good). */
void ops_catalog_row_verdict(struct ops_catalog_row *row, enum ops_archive_state s,
    const char *msg, double now);

/* 1 when the row counts as good (verified good once, not bad since). */
int ops_catalog_row_good(const struct ops_catalog_row *row);

/* Insert or replace the whole row. */
int ops_catalog_put(struct ops_statedb *st, const struct ops_catalog_row *row,
    struct ops_err *err);
/* 1 found (row filled), 0 not found, -1 error. */
int ops_catalog_get(struct ops_statedb *st, const char *name,
    struct ops_catalog_row *row, struct ops_err *err);
/* Remove an archive's row (retention pruned it); counted as pruned
 * (OPS_PRUNED_BACKUPS), so the backups made never seem fewer. */
int ops_catalog_remove(struct ops_statedb *st, const char *name,
    struct ops_err *err);

/* ---- runs ---- */

/* kind: "create" (ops-backup create), "verify" (a drill: ops-backup
 * verify), "offsite" (one offsite_command run). archive and msg may be
 * NULL. */
struct ops_catalog_run {
	double ts;
	char kind[16];
	int ok;
	char archive[64];
	char msg[512];
};

/* How long runs are kept: each add removes those older than this before
 * its own ts. */
#define OPS_CATALOG_RUNS_KEEP (400 * 86400.0)

int ops_catalog_run_add(struct ops_statedb *st, double ts, const char *kind, int ok,
    const char *archive, const char *msg, struct ops_err *err);
/* The newest run of kind (ok_only: the newest successful one): 1 found,
 * 0 none, -1 error. */
int ops_catalog_run_last(struct ops_statedb *st, const char *kind, int ok_only,
    struct ops_catalog_run *r, struct ops_err *err);
/* The oldest run of kind: 1 found, 0 none, -1 error. */
int ops_catalog_run_first(struct ops_statedb *st, const char *kind,
    struct ops_catalog_run *r, struct ops_err *err);
/* How many runs of kind failed in a row, newest first, up to the newest
 * successful one. */
int ops_catalog_run_failures(struct ops_statedb *st, const char *kind, int64_t *n,
    struct ops_err *err);

#endif
