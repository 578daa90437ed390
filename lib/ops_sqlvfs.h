/* ops_sqlvfs: the SQLite VFS ops-backup writes its database copies
 * through ("ops-bulk"): the default (unix) VFS, except that a main
 * database file gathers sequential writes into 64 KiB before they reach
 * the file. SQLite writes a page at a time; a copy of a 200 MB database
 * is then 3,300 writes instead of 52,000 (less CPU in the kernel for the
 * copy every backup makes).
 *
 * Gathered bytes are written before anything that depends on the file's
 * content or size (a read, a sync, a truncation, its size, an unlock, a
 * close). Other files (journals, WAL) are the default VFS's own. Only for
 * files one connection of ours uses alone: the copies ops-backup stages.
 *
 * A write that fails is returned by the call that made it reach the file,
 * and by every later call on that file. SQLite ignores the result of its
 * closes: call ops_sqlvfs_flush before sqlite3_close. */
#ifndef OPS_SQLVFS_H
#define OPS_SQLVFS_H

#include <sqlite3.h>

#include "ops_err.h"

#define OPS_SQLVFS_NAME "ops-bulk"

/* Registers "ops-bulk" (not as the default VFS) once per process; safe
 * from any thread. */
int ops_sqlvfs_register(struct ops_err *err);

/* Writes what db's main file has gathered: 0, or -1 with the error of
 * the write (what names the file in it). db must have been opened with
 * OPS_SQLVFS_NAME. */
int ops_sqlvfs_flush(sqlite3 *db, const char *what, struct ops_err *err);

#endif
