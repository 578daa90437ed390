/* ops_logcut: cut a live log to its last N lines without losing what its
 * writer appends meanwhile (Linux first).
 *
 * The head is removed in place with fallocate(FALLOC_FL_COLLAPSE_RANGE)
 * at a filesystem block boundary: the kernel holds the file's lock while
 * it shifts the extents, so an O_APPEND writer's next line lands after
 * the kept tail, whole. The kept part may then start with a few more
 * lines than asked for; a line cut by the block boundary is overwritten
 * in place by a marker of the same length ("[ops-rotate] cut ...").
 *
 * Where the filesystem cannot collapse (tmpfs, btrfs, NFS, ...) the tail
 * is copied down within the same file and the file truncated right after
 * the copy has caught up with the writer. Lines appended between that
 * last read and the truncate are lost: the result says how long that
 * window was and how many bytes the writer may have written in it.
 *
 * A writer without O_APPEND keeps writing at its old offset after any
 * cut, leaving a hole of NUL bytes: such a file is refused. */
#ifndef OPS_LOGCUT_H
#define OPS_LOGCUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ops_err.h"

/* One file descriptor open for writing, found in /proc/PID/fdinfo. */
struct ops_writer {
	pid_t pid;
	int fd;
	int append;		/* O_APPEND set */
	dev_t dev;
	ino_t ino;
	char comm[32];		/* /proc/PID/comm */
};

struct ops_writers {
	struct ops_writer *v;
	size_t n;
};

#define OPS_WRITERS_INIT { NULL, 0 }

/* Every descriptor open for writing (O_WRONLY or O_RDWR) on a regular
 * file of device dev, in every process we may inspect (all as root, our
 * own user's otherwise), this process excluded. No /proc is not an
 * error: w->n stays 0. The set owns its array; release it. */
int ops_writers_scan(dev_t dev, struct ops_writers *w, struct ops_err *err);

/* The first writer of (dev, ino), only those without O_APPEND when
 * nonappend is set. NULL when there is none. */
const struct ops_writer *ops_writers_find(const struct ops_writers *w,
    dev_t dev, ino_t ino, int nonappend);

void ops_writers_release(struct ops_writers *w);

/* Backward line scan. Feed the file's chunks from its end towards its
 * start; the first chunk (at_end set) ends with the file's last byte. A
 * final '\n' ends the last line; an unterminated last line counts as a
 * line. Returns the index in buf where the last `keep` lines begin, or
 * -1 when the chunk holds fewer line starts and the scan must go on with
 * the chunk before it. keep must be at least 1. Pure. */
struct ops_linescan {
	uint64_t keep, seen;
};

#define OPS_LINESCAN_INIT(k) { (k), 0 }

long ops_linescan_back(struct ops_linescan *s, const char *buf, size_t n,
    int at_end);

/* Offset where the last keep lines of fd (size bytes) begin; 0 when it
 * has keep lines or fewer. */
int ops_logcut_offset(int fd, uint64_t size, uint64_t keep, uint64_t *off,
    struct ops_err *err);

/* Where a block-aligned cut at block boundary B (B <= L, L the first
 * kept line) leaves a line fragment: its length including its '\n', 0
 * when B is a line start. head holds bytes [B-1, L) (so head[0] is the
 * byte before B; len = L - B + 1). Pure. */
size_t ops_logcut_fragment(const char *head, size_t len);

enum ops_cut_method {
	OPS_CUT_NONE = 0,	/* nothing was removed */
	OPS_CUT_COLLAPSE,	/* in place, lossless */
	OPS_CUT_COPY,		/* copy-and-truncate fallback */
};

struct ops_cut_result {
	enum ops_cut_method method;
	uint64_t before;	/* size when the cut began */
	uint64_t removed;	/* bytes removed from the head */
	uint64_t appended;	/* bytes the writer appended during the cut */
	uint64_t maybe_lost;	/* OPS_CUT_COPY: estimate of the bytes
				 * appended in the final window */
	double window;		/* OPS_CUT_COPY: seconds from the last check
				 * that the copy had caught up to the truncate */
	double rate;		/* OPS_CUT_COPY: the writer's bytes per second,
				 * observed over at least COPY_OBSERVE seconds */
	int refused;		/* left alone: a writer without O_APPEND */
};

#define OPS_CUT_FORCE_COPY	0x1	/* skip COLLAPSE_RANGE (tests) */
#define OPS_CUT_NO_COPY		0x2	/* never fall back to copying */

/* Cut path (a regular file, never followed through a symlink) to its last
 * keep lines. Refuses (-1, res->refused, err names the process) when a
 * process holds it open for writing without O_APPEND. Less than one
 * filesystem block to remove is OPS_CUT_NONE, not an error. */
int ops_logcut(const char *path, uint64_t keep, int flags,
    struct ops_cut_result *res, struct ops_err *err);

#endif
