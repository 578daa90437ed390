/* ops_rjournal: the restore journal (HOME/.ops/restore.journal) read,
 * written and validated in one place.
 *
 * The journal names directories that recovery renames and deletes, so it
 * is never taken on faith: ops_rjournal_validate accepts only what
 * ops_restore itself would have written for this home —
 *   mode "restore": staging exactly HOME/.memory.restore, aside exactly
 *     HOME/memory.pre-restore.YYYYMMDD_HHMMSS[-N], a known phase, the
 *     inodes set once past "extract";
 *   mode "to": phase "extract", staging an absolute, canonical
 *     DIR/.memory.restore-XXXXXX with its inode recorded;
 *   and, for a restore, the device the home is on (every directory named
 *   lies on it; --to records its staging directory's); the files of the
 *   home it takes (issue 12) valid member names outside memory/, none
 *   reserved, each with its inode, none before "extract" ends.
 * At use, ops_rjournal_dir_is checks a directory against the recorded
 * device and inode (lstat, never through a symlink): a name whose inode
 * does not match is not the one recorded and is left alone.
 * Anything else is set aside by the caller and reported, never acted on. */
#ifndef OPS_RJOURNAL_H
#define OPS_RJOURNAL_H

#include <limits.h>
#include <stddef.h>

#include "ops_err.h"

/* issue 12: a file of the home outside memory/ that the restore puts in
 * place: name relative to the home (and to the staging directory, where
 * it was extracted), new_ino the extracted file's inode. What was at its
 * place goes to the same name under the home's aside directory
 * (ops_rjournal_home_aside). */
struct ops_rjournal_file {
	char *name;
	unsigned long long new_ino;
};

#define OPS_RJOURNAL_FILES_MAX 1000	/* files outside memory/ a restore takes */

struct ops_rjournal {
	char mode[16];		/* "restore" or "to" */
	char phase[16];		/* extract stopping swapping swapped starting rollback */
	char archive[PATH_MAX];
	char staging[PATH_MAX];	/* holds memory/ while it is not in place */
	char aside[PATH_MAX];	/* where the previous memory/ goes ("" for "to") */
	int was_running;
	unsigned long long dev;	/* st_dev of the home (of every directory named) */
	unsigned long long new_ino, old_ino;	/* the two memory/ directories */
	unsigned long long staging_ino;		/* "to": the staging directory */
	struct ops_rjournal_file *files;	/* owned; ops_rjournal_release */
	size_t nfiles;
};

#define OPS_RJOURNAL_MAX (2 * 1024 * 1024)

/* Parse a journal text strictly: every key present with its type (but
 * "files", absent from journals written before issue 12: none), no
 * other key, strings without NUL that fit. -1 with err saying what.
 * j->files is allocated: release j (also after a failure). */
int ops_rjournal_parse(const char *text, size_t len, struct ops_rjournal *j,
    struct ops_err *err);

/* The text of j (JSON); the caller frees it. NULL when out of memory. */
char *ops_rjournal_format(const struct ops_rjournal *j);

/* 0 when j is what ops_restore would have written for home (absolute,
 * canonical) on device dev; else -1 with the reason. Pure: no file
 * system access (the fuzz harness calls it). */
int ops_rjournal_validate(const struct ops_rjournal *j, const char *home,
    unsigned long long dev, struct ops_err *err);

/* Free j->files. */
void ops_rjournal_release(struct ops_rjournal *j);

/* Add a file to j (name copied). -1 out of memory or too many. */
int ops_rjournal_add_file(struct ops_rjournal *j, const char *name,
    unsigned long long new_ino, struct ops_err *err);

/* The directory the files of the home replaced by a restore go to, from
 * the memory's aside HOME/memory.pre-restore.STAMP: HOME/home.pre-restore.
 * STAMP (same stamp, so the two copies of one restore go together). -1
 * when aside is not such a name or buf is too small. */
int ops_rjournal_home_aside(const char *aside, char *buf, size_t len);

/* 1 when path is a directory (not a symlink) with this device and inode;
 * 0 otherwise (ino 0 never matches). */
int ops_rjournal_dir_is(const char *path, unsigned long long dev,
    unsigned long long ino);

/* 1 when name (one component) is exactly what ops_restore names a
 * set-aside memory: "memory.pre-restore.YYYYMMDD_HHMMSS", optionally
 * "-N" (2 to 99); else 0. */
int ops_rjournal_aside_leaf(const char *name);

/* The same for "home.pre-restore.YYYYMMDD_HHMMSS[-N]". */
int ops_rjournal_home_aside_leaf(const char *name);

#endif
