/* ops_restore: put a backup's memory in place of the agent's, reversibly
 * (ops-restore(1)).
 *
 * The archive is read and checked whole (every entry, every hash, see
 * ops_archive.h) while it is extracted into HOME/.memory.restore, and
 * every database in it passes integrity_check, before anything of the
 * user's is touched. Then: confirmation, the agent stopped (only a PID
 * ops_daemon identifies), the restored memory/ exchanged with the current
 * one in a single rename (RENAME_EXCHANGE), the current one kept as
 * HOME/memory.pre-restore.YYYYMMDD_HHMMSS, the agent started again and
 * waited for until it heartbeats; if it does not come up, the previous
 * memory is put back and the agent restarted on it.
 *
 * Issue 12: files of the home outside memory/ the archive holds
 * (backup.include "keys/NAME.key", "ops.json") are extracted into the same
 * staging directory, then put in place after memory/ one by one
 * (ops_homefile), each replaced one kept as HOME/home.pre-restore.STAMP/
 * REL; the journal lists them with their inodes, so recovery finishes or
 * rolls them back with memory/.
 *
 * Each step is recorded first in HOME/.ops/restore.journal (written
 * atomically), so that a run killed at any instant leaves either the old
 * or the new memory/ in place, and the next run (ops_restore_recover)
 * says what it found and finishes or rolls back, then cleans up.
 *
 * The caller holds the "backup" lock: a backup never races a restore. */
#ifndef OPS_RESTORE_H
#define OPS_RESTORE_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "ops_age.h"
#include "ops_buf.h"
#include "ops_config.h"
#include "ops_err.h"
#include "ops_manifest.h"
#include "ops_strv.h"

struct ops_restore_plan {
	char archive[PATH_MAX];
	double created;		/* when the backup was taken, 0 unknown */
	size_t files, databases;
	uint64_t data_size;
	int memory_exists;
	uint64_t cur_files, cur_bytes;	/* what memory/ holds now */
	char aside[PATH_MAX];	/* where the current memory/ goes */
	int agent_running;
	pid_t agent_pid;
	double start_timeout;
	/* filled after a restore */
	pid_t new_pid;		/* 0 when the agent was not started */
	/* issue 12: the archive's files outside memory/ (sorted), and those
	 * that replace a file of the home (set aside under the home aside,
	 * HOME/home.pre-restore.STAMP, same stamp as aside). Owned:
	 * ops_restore_plan_release. */
	struct ops_strv home_files, home_replaced;
};

/* Free what the plan owns. */
void ops_restore_plan_release(struct ops_restore_plan *p);

struct ops_restore_opts {
	const char *archive;	/* NULL or "latest", a backup name, a path */
	int dry_run;		/* verify, extract to staging, plan, undo */
	const char *to;		/* extract into this directory instead */
	/* Asked once the archive is verified; NULL means yes. Returns 1 to go
	 * ahead. */
	int (*confirm)(void *ctx, const struct ops_restore_plan *plan);
	/* A line for the operator (what an interrupted run left behind). */
	void (*note)(void *ctx, const char *msg);
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
	/* What opens encrypted archives; NULL: backup.identity_file and the
	 * configured passphrase (ops_backup_crypt.h). The caller's. */
	const struct ops_age_identities *identities;
};

/* Finish or roll back an interrupted restore, if the journal says there
 * was one; note() says what was found and done. */
int ops_restore_recover(const struct ops_config *cfg, const struct ops_restore_opts *o,
    struct ops_err *err);

/* Restore (or dry-run, or extract --to) as o says; plan is filled. Runs
 * ops_restore_recover first. */
int ops_restore_run(const struct ops_config *cfg, const struct ops_restore_opts *o,
    struct ops_restore_plan *plan, struct ops_err *err);

/* --list: the archive's MANIFEST.json as text (time, count, size, then a
 * line per file: size, kind, name), appended to out. */
int ops_restore_list(const struct ops_config *cfg, const char *archive,
    struct ops_buf *out, struct ops_err *err);

/* What a restore will do (before) or did (after), as text for the
 * operator, paths relative to home; appended to out. */
void ops_restore_plan_format(const struct ops_restore_plan *p, const char *home,
    struct ops_buf *out);
void ops_restore_done_format(const struct ops_restore_plan *p, const char *home,
    const struct ops_restore_opts *o, struct ops_buf *out);

#endif
