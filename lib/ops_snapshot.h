/* ops_snapshot: a consistent copy of each kind of file the agent writes
 * live, taken while it keeps writing.
 *
 * SQLite databases through the online backup API (never a copy of the
 * file, which would miss or mix what sits in its -wal); JSONL files up to
 * their last complete line as read at that moment; anything else copied
 * as it is. Nothing here holds more than a fixed buffer in memory. */
#ifndef OPS_SNAPSHOT_H
#define OPS_SNAPSHOT_H

#include <stdint.h>

#include "ops_digest.h"
#include "ops_err.h"

/* 1 when the open file fd starts with the SQLite header, 0 when not
 * (empty files included), -1 on a read error. */
int ops_snapshot_is_sqlite(int fd, const char *what, struct ops_err *err);

/* Snapshot the live database src into dst, a new file (0600, O_EXCL) on
 * a filesystem with room for it. src is opened read-only and never
 * written. A source busy at the moment (a checkpoint, a recovery) is
 * retried a few times. On failure dst is removed. */
int ops_snapshot_sqlite(const char *src, const char *dst, struct ops_err *err);

/* The length of fd's content up to and including its last '\n', as it
 * is now: a line still being written is left for the next backup. */
int ops_snapshot_jsonl_len(int fd, const char *what, uint64_t *len,
    struct ops_err *err);

/* Copy fd from its start to its end into dst (new, 0600), hashing as it
 * goes. A file modified during the copy (size or mtime changed) is copied
 * again, a few times, then it is an error. */
int ops_snapshot_copy(int fd, const char *what, const char *dst, uint64_t *len,
    char hex[OPS_SHA256_HEX], struct ops_err *err);

/* PRAGMA integrity_check of a database no one else uses (opened
 * read-only and immutable: no -wal or -shm is created next to it). 0 when
 * "ok"; -1 with the first problems it reports. what names it in
 * messages. */
int ops_snapshot_integrity(const char *path, const char *what, struct ops_err *err);

#endif
