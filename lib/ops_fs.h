/* ops_fs: the file operations every program needs, done safely.
 *
 * Files are created 0600 and directories 0700. Writes that matter go
 * through ops_fs_write_atomic: temp file in the same directory, fsync,
 * rename, fsync of the directory, so a reader sees the old or the new
 * file, never a mix, whatever happens. Opens use O_NOFOLLOW|O_CLOEXEC. */
#ifndef OPS_FS_H
#define OPS_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ops_err.h"
#include "ops_strv.h"

/* Join a and b with one '/' into buf; -1 "path too long" on truncation.
 * An absolute b is copied as it is. */
int ops_path_join(char *buf, size_t len, const char *a, const char *b,
    struct ops_err *err);

/* Create dir and missing parents with mode 0700. An existing final
 * component must be a directory, not a symlink. */
int ops_fs_mkdirs(const char *dir, struct ops_err *err);

/* fsync the directory holding path (path itself when is_dir). */
int ops_fs_fsync_dir(const char *path, int is_dir, struct ops_err *err);

/* The most one write(2) of ours hands the kernel: ext4 on a 6.18
 * kernel now and then took 2-5x the CPU for buffered writes of 256 KiB to
 * 1 MiB (restores of the medium home at 1-3 s instead of 0.5 s, nearly
 * all of it in copy_folio_from_iter_atomic); 64 KiB writes never did. */
#define OPS_FS_WRITE_MAX (64 * 1024)

/* write(2) all of data, OPS_FS_WRITE_MAX at a time, retrying short writes
 * and EINTR; -1 with errno. */
int ops_fs_write_all(int fd, const void *data, size_t len);

/* The same with pwrite(2) at off. */
int ops_fs_pwrite_all(int fd, const void *data, size_t len, uint64_t off);

/* Replace path with data, atomically and durably, mode 0600. */
int ops_fs_write_atomic(const char *path, const void *data, size_t len,
    struct ops_err *err);
/* The same with the file's permission bits set to mode (for files others
 * read: node_exporter's textfile, a page a web server shows). */
int ops_fs_write_atomic_mode(const char *path, const void *data, size_t len,
    mode_t mode, struct ops_err *err);

/* Read from fd into buf (the caller's, size bytes) until size bytes or
 * end of file; *got says how many. path is for the error only. */
int ops_fs_read_full(int fd, const char *path, char *buf, size_t size,
    size_t *got, struct ops_err *err);

/* Read a regular file (not through a symlink) of at most max bytes into a
 * NUL-terminated buffer the caller frees. */
int ops_fs_read_file(const char *path, size_t max, char **out, size_t *outlen,
    struct ops_err *err);

/* Append one line (a '\n' is added) with a single write(2) to an O_APPEND
 * log file created 0600 if missing. The line is sanitised first
 * (ops_sanitize, OPS_SAN_LINE): a '\n' or a control character in it is
 * written as '?', invalid UTF-8 as U+FFFD. */
int ops_fs_append_line(const char *path, const char *line, struct ops_err *err);

/* The last at most nlines lines of a file, reading at most maxbytes from
 * its end. *out (caller frees) holds them NUL-terminated. */
int ops_fs_tail(const char *path, size_t nlines, size_t maxbytes, char **out,
    struct ops_err *err);

/* The same on an open file, from what lies before offset end (so that a
 * follower can go on from exactly there); path is for messages. */
int ops_fs_tail_fd(int fd, off_t end, size_t nlines, size_t maxbytes, char **out,
    const char *path, struct ops_err *err);

/* Paths matching pattern (relative to base), sorted: ops_confine_glob
 * without the list of refusals. An absolute or '..' pattern is refused;
 * a match reached through a symlinked directory is dropped. No match is
 * not an error. */
int ops_fs_glob(const char *base, const char *pattern, struct ops_strv *out,
    struct ops_err *err);

/* Display form of path: relative to base when under it. Returns a pointer
 * into path. */
const char *ops_fs_rel(const char *base, const char *path);

#endif
