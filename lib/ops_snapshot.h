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

/* A live database held at one instant: a read transaction on src
 * (opened read-only, never written), begun by ops_snapshot_db_open and
 * kept until ops_snapshot_db_close. *size is what the copy will be, known
 * before any page is copied. A source busy at the moment (a checkpoint, a
 * recovery) is retried a few times. The agent keeps writing meanwhile
 * (to its WAL, which cannot be checkpointed past the instant held). The
 * handle is the caller's; it may be used from another thread, one at a
 * time. */
struct ops_snapshot_db;
int ops_snapshot_db_open(const char *src, struct ops_snapshot_db **h, uint64_t *size,
    struct ops_err *err);

/* Copy the database as held into dst, a new file (0600, O_EXCL), through
 * SQLite's online backup API: exactly *size bytes. On failure dst is
 * removed. */
int ops_snapshot_db_copy(struct ops_snapshot_db *h, const char *dst, struct ops_err *err);

/* Ends the read transaction and frees h (NULL is fine). */
void ops_snapshot_db_close(struct ops_snapshot_db *h);

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

/* The same with PRAGMA quick_check when full is 0 (what ops-backup runs
 * on each fresh copy by default: O(N), no index-content cross-check) and
 * integrity_check when 1. The error names the pragma, the database and
 * the first problems found. */
int ops_snapshot_check(const char *path, const char *what, int full, struct ops_err *err);

#endif
