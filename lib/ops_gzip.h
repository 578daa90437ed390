/* ops_gzip: one file to a single-member gzip file (what `gzip -d` reads
 * back byte for byte), through libarchive's raw format and gzip filter.
 *
 * The .gz appears whole or not at all: it is written under a temporary
 * name in the same directory, fsynced, given the source's mtime and mode
 * 0600, renamed to its final name without replacing anything there, and
 * the directory is fsynced (unless the caller batches that). On any failure (ENOSPC included) the temporary
 * file is removed and the source is untouched. The source is never
 * removed here: the caller decides, once the .gz is durable. */
#ifndef OPS_GZIP_H
#define OPS_GZIP_H

#include <stdint.h>
#include <sys/stat.h>

#include "ops_err.h"

struct ops_gzip_info {
	struct stat src;	/* the source as compressed (dev, ino, size, mtime) */
	uint64_t out_bytes;	/* size of the .gz */
	int changed;		/* failed because the source changed meanwhile */
};

/* Compress src (a regular file, never followed through a symlink) into dst
 * at level (1-9). An existing dst is never replaced: -1 with err->code
 * OPS_E_FAIL and err->sys_errno EEXIST. A source that changes while it is
 * compressed (a writer appended) is an error too. */
int ops_gzip_file(const char *src, const char *dst, int level, int flags,
    struct ops_gzip_info *info, struct ops_err *err);

/* flags: leave the fsync of dst's directory to the caller (who batches
 * them, and must do it before removing src). */
#define OPS_GZIP_NO_DIRSYNC	0x1

/* Does gz decompress to exactly the bytes of file? 1 yes, 0 no (an
 * unreadable or corrupt gz included, err says why), -1 when file cannot
 * be read. */
int ops_gzip_same(const char *gz, const char *file, struct ops_err *err);

/* Temporary files are named DST.tmp.XXXXXX; this suffix pattern (for
 * glob) lets a later run find those left by a crash. */
#define OPS_GZIP_TMP_GLOB ".tmp.??????"

#endif
