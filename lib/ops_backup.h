/* ops_backup: create, verify, list and prune backups of the agent's memory
 * (ops-backup(1)).
 *
 * create: a consistent snapshot of every file backup.include names (SQLite
 * through the online backup API, each copy checked with quick_check or
 * integrity_check, JSONL up to its last complete line, the rest as it
 * is), streamed into one compressed tar with its manifests
 * (ops_archive.h), written to a temporary name in backup.dir, fsynced,
 * re-read and verified, renamed to YYYYMMDD_HHMMSS.tar.zst (.tar.gz,
 * .tar), the directory fsynced; then `latest` is replaced atomically,
 * the catalog (ops_catalog.h: the archive's state, the run) and
 * logs/backup.log updated, retention applied and the pending offsite
 * copies made. Whatever happens, no file with a final name is partial,
 * no corrupt database is in an archive with a backup's name, and `latest`
 * names a verified archive. Temporary files of a killed run are removed
 * by the next one.
 *
 * With backup.encrypt_to or a passphrase (ops_backup_crypt.h) the
 * compressed tar is encrypted (age, ops_age.h) as it is written, named
 * ….tar.zst.age, verified by reading it back with its own file key, and
 * the SHA-256 of the file is recorded in the catalog.
 *
 * The caller holds the "backup" lock (ops_lock) for create, verify and
 * prune. */
#ifndef OPS_BACKUP_H
#define OPS_BACKUP_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "ops_buf.h"
#include "ops_catalog.h"
#include "ops_config.h"
#include "ops_err.h"

/* Progress: phase is "snapshot" (done/total files), "archive" or
 * "verify" (done/total bytes of member data). */
struct ops_backup_progress {
	void (*fn)(void *ctx, const char *phase, uint64_t done, uint64_t total);
	void *ctx;
};

struct ops_backup_opts {
	/* Archive corrupt databases anyway, as a forensic archive named
	 * YYYYMMDD_HHMMSS.corrupt.tar.zst: never `latest`, never seen by
	 * retention, list or restore; the run still fails. */
	int allow_corrupt;
};

/* The tag of a forensic archive's name, before the extension. */
#define OPS_BACKUP_CORRUPT_TAG ".corrupt"

struct ops_backup_result {
	char path[PATH_MAX];	/* the new archive (forensic one included) */
	int corrupt;		/* a database failed its check */
	uint64_t size;		/* of the archive */
	uint64_t data_size;	/* of the files in it */
	size_t files;
	double seconds;
	size_t pruned;		/* backups retention deleted */
	size_t offsite_copied;	/* archives copied offsite by this run */
	int unchecked;		/* backup.check "off": recorded unchecked */
};

/* The catalog's reason for an archive made with backup.check "off". */
#define OPS_BACKUP_CHECK_OFF_MSG "check disabled (backup.check off)"

/* Each database copy is checked (backup.check: PRAGMA quick_check, or
 * integrity_check when "full"; "off" skips it and the archive is recorded
 * unchecked, res->unchecked) before the archive gets a final name. A
 * database that fails: -1 with err naming it and the error, no archive
 * with a final name (with o->allow_corrupt, a forensic one, see above),
 * `latest` untouched, the run recorded as failed in the catalog
 * (ops_catalog.h). o may be NULL (defaults). */
int ops_backup_create(const struct ops_config *cfg, const struct ops_backup_opts *o,
    const struct ops_backup_progress *p, struct ops_backup_result *res,
    struct ops_err *err);

/* Offsite copies (backup.offsite through rclone: copyto then the
 * remote's size and sha256 read back; or backup.offsite_command, run with
 * the archive's path appended). Each good archive made while a command is configured is
 * "pending" in the catalog until a copy succeeds; every create, and this
 * call (`ops-backup offsite --retry`), copies the pending ones, oldest
 * first, and stops at the first failure: its error, with the last lines
 * of the command's output, goes to logs/backup.log and the catalog (an
 * "offsite" run; ops-health counts the failures in a row). *copied says
 * how many were copied. */
int ops_backup_offsite_retry(const struct ops_config *cfg, size_t *copied,
    struct ops_err *err);

/* The archives on backup.offsite's remote (rclone lsjson), oldest first:
 * *v (caller frees) and *n. Only names ops-backup writes are listed. */
struct ops_rclone_entry;
int ops_backup_offsite_list(const struct ops_config *cfg, struct ops_rclone_entry **v,
    size_t *n, struct ops_err *err);

/* Fetch the remote archive which (a name, or NULL/"latest": the newest)
 * into a new private directory (*tmpdir) in backup.dir, else $TMPDIR, as
 * *path, and check it against the remote's listing (size, and sha256 when
 * the remote has it). The caller restores from path and then calls
 * ops_backup_offsite_cleanup; on failure nothing is left behind. */
int ops_backup_offsite_fetch(const struct ops_config *cfg, const char *which,
    char *path, size_t len, char *tmpdir, size_t tlen, struct ops_err *err);
void ops_backup_offsite_cleanup(char *path, char *tmpdir);

/* The archive `latest` names (when it moved with the home, the same name
 * in backup.dir). */
int ops_backup_latest(const struct ops_config *cfg, char *buf, size_t len,
    struct ops_err *err);

/* An ARCHIVE argument: NULL or "latest"; a bare backup name, looked up in
 * backup.dir; or a path. *nofollow is set for archives the toolkit found
 * itself (a symlink there is refused; one the user names is followed). */
int ops_backup_resolve(const struct ops_config *cfg, const char *arg, char *buf,
    size_t len, int *nofollow, struct ops_err *err);

struct ops_backup_info {
	char name[64];
	char path[PATH_MAX];
	double time;		/* from the name */
	uint64_t size;
	int64_t files;		/* -1 when unknown */
	int64_t data_size;	/* -1 when unknown */
	double verified;	/* 0 when never */
	int verify_ok;
	char verify_msg[512];
	enum ops_archive_state state;	/* unchecked when not in the catalog */
	int good;		/* ops_catalog_row_good */
	double offsite;		/* when copied offsite, 0 when not */
};

/* The backups in backup.dir, newest first; *v is the caller's to free. */
int ops_backup_list(const struct ops_config *cfg, struct ops_backup_info **v,
    size_t *n, struct ops_err *err);
/* As a table (home makes paths relative) or a JSON array, appended to out. */
void ops_backup_list_format(const struct ops_backup_info *v, size_t n, int json,
    struct ops_buf *out);

struct ops_verify_result {
	size_t files;
	uint64_t data_size;
	size_t databases;	/* that passed integrity_check */
	/* Set with -1 when the archive could not be checked (no scratch
	 * space, no permission: ENOSPC, EDQUOT, EACCES, EPERM, EROFS, ENOMEM,
	 * EMFILE), as opposed to found bad. */
	int unchecked;
	/* Set with 0 for an encrypted archive checked without an identity:
	 * its file matches the SHA-256 recorded when it was written; the
	 * drill (decrypt, hashes, integrity_check) needs the identity. */
	int cipher_only;
};

/* Verify an archive: every entry and hash, and PRAGMA integrity_check of
 * every database extracted to a scratch directory in backup.dir, or in
 * $TMPDIR (else /tmp) when that fails for want of space or permission.
 * -1 with err saying what is wrong (res->unchecked says whether the
 * archive is bad or could not be checked). The result is recorded in the
 * catalog (good, bad or unchecked) with a "verify" run (a drill) when
 * path is a backup in backup.dir. */
int ops_backup_verify(const struct ops_config *cfg, const char *path, int nofollow,
    const struct ops_backup_progress *p, struct ops_verify_result *res,
    struct ops_err *err);

/* What `ops-restore` (no archive, or "latest") restores: the newest
 * archive in backup.dir that verifies (ops_backup_verify, its verdict
 * recorded). Newer ones that are bad (known bad in the catalog, or failing
 * now) are skipped, each told to skip() as "skipped NAME: bad: REASON".
 * One that cannot be checked (no scratch space) stops the search with an
 * error: an older archive is never chosen on a guess. The caller holds
 * the "backup" lock. */
int ops_backup_pick(const struct ops_config *cfg, char *buf, size_t len,
    void (*skip)(void *ctx, const char *msg), void *ctx, struct ops_err *err);

struct ops_prune_item {
	char name[64];
	int keep;
	char why[160];
	int deleted;		/* 1 when removed by this run */
};

/* Apply retention (dry_run: decide only). *v (caller frees) lists every
 * backup, newest first, with the decision and the rule that made it. */
int ops_backup_prune(const struct ops_config *cfg, int dry_run,
    struct ops_prune_item **v, size_t *n, struct ops_err *err);
/* "NAME keep|delete|deleted RULE" lines: every backup when all (or a dry
 * run), else those deleted; appended to out. */
void ops_backup_prune_format(const struct ops_prune_item *v, size_t n, int dry_run,
    int all, struct ops_buf *out);

#endif
