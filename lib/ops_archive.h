/* ops_archive: write and read the backup archive (libarchive).
 *
 * Layout: a tar (pax, ustar where it fits), compressed with zstd, gzip or
 * nothing, holding in this order MANIFEST.json, the directory memory/,
 * the files MANIFEST.json lists, and MANIFEST.sha256 (see ops_manifest.h).
 * Members are streamed through fixed buffers: memory use does not grow
 * with the size of what is archived.
 *
 * Reading checks every entry against MANIFEST.json before anything is
 * done with it, and refuses the archive at the first entry that is not
 * what ops-backup writes: an absolute path, a '..' component, a symlink,
 * a hard link, a device, a FIFO, a socket, a setuid/setgid/sticky bit, a
 * name ops owns (ops_manifest_reserved; files of the home outside memory/
 * are accepted when listed, issue 12), a file the manifest does not list
 * or lists with
 * another size, a member listed twice or missing, more data than the
 * manifest's total, anything after MANIFEST.sha256, a truncated or
 * malformed archive; then every member's hash against MANIFEST.sha256. */
#ifndef OPS_ARCHIVE_H
#define OPS_ARCHIVE_H

#include <stdint.h>
#include <sys/types.h>

#include "ops_age.h"
#include "ops_digest.h"
#include "ops_err.h"
#include "ops_manifest.h"

/* ---- writing ---- */

struct ops_archive_writer {
	void *a;		/* struct archive */
	struct ops_hasher *h;	/* hashes members on their way in */
	uint64_t done;		/* member bytes written so far */
	void (*progress)(void *ctx, uint64_t done);
	void *ctx;
	/* Told after each write(2) how many archive bytes fd now holds
	 * (a reader can follow the file as it grows). */
	void (*wrote)(void *ctx, uint64_t bytes);
	void *wctx;
	int fd;
	uint64_t bytes, synced;
	int werr;		/* errno of the first failed write(2), 0 if none */
	/* Set before open to encrypt the compressed stream (age) on its way
	 * to fd: no clear text ever reaches the file. The caller's. */
	const struct ops_age_recipients *encrypt;
	struct ops_age_writer *age;
};

#define OPS_ARCHIVE_WRITER_INIT { NULL, NULL, 0, NULL, NULL, NULL, NULL, -1, 0, 0, 0, \
	NULL, NULL }

/* Start an archive on fd (which stays the caller's). compression is
 * "zstd", "gzip" or "none". */
int ops_archive_write_open(struct ops_archive_writer *w, int fd,
    const char *compression, struct ops_err *err);
int ops_archive_write_dir(struct ops_archive_writer *w, const char *name,
    double mtime, struct ops_err *err);
int ops_archive_write_mem(struct ops_archive_writer *w, const char *name,
    const void *data, size_t len, double mtime, struct ops_err *err);
/* Stream exactly len bytes of fd from offset 0, hashing them on the way
 * (on another thread) into hex. */
int ops_archive_write_fd(struct ops_archive_writer *w, const char *name,
    int fd, uint64_t len, double mtime, char hex[OPS_SHA256_HEX],
    struct ops_err *err);
/* Finish the archive (compressor flushed, fd not closed). */
int ops_archive_write_close(struct ops_archive_writer *w, struct ops_err *err);
void ops_archive_write_release(struct ops_archive_writer *w);

/* ---- reading ---- */

#define OPS_SQLITE_HEADER_LEN 16	/* "SQLite format 3\0" */

/* 1 when the len bytes at head begin with the SQLite header. */
int ops_archive_is_sqlite(const void *head, size_t len);

enum ops_archive_mode {
	OPS_AREAD_MANIFEST,	/* read and check MANIFEST.json only */
	OPS_AREAD_VERIFY,	/* check every entry and hash; write nothing
				   but sqlite members, one at a time, to
				   scratch when it is set */
	OPS_AREAD_EXTRACT,	/* check as VERIFY and extract into dest */
};

struct ops_archive_read_opts {
	enum ops_archive_mode mode;
	int nofollow;		/* refuse an archive path that is a symlink */
	/* EXTRACT: an empty directory that receives memory/...; extraction
	 * uses libarchive's secure flags on top of the checks above. */
	const char *dest;
	/* VERIFY: a directory for the temporary copy of each sqlite member
	 * (removed after member_done), or NULL. */
	const char *scratch;
	/* Called after each member whose data was written out whole, with
	 * where it was written (its hash is checked at the end, against
	 * MANIFEST.sha256); -1 stops the read with err. */
	int (*member_done)(void *ctx, const struct ops_manifest_entry *e,
	    const char *path, struct ops_err *err);
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
	/* When set, the archive's bytes come from here instead of the file
	 * at path (then only a name for messages): a blocking read that
	 * returns 0 at the end and -1 on error. */
	ssize_t (*source)(void *sctx, void *buf, size_t len);
	void *sctx;
	/* When set, each member's data is compared with the bytes of the
	 * file this returns (the bytes it was written from) instead of
	 * being hashed; MANIFEST.sha256 is then read but not checked. */
	int (*reference)(void *ctx, const struct ops_manifest_entry *e);
	/* When set, the archive is age-encrypted and opened with these; the
	 * whole stream is authenticated to its end. When not set, an
	 * encrypted archive is refused with a message saying so. Both "no
	 * identity" and "no identity matches" set err->sys_errno to ENOKEY:
	 * the archive could not be read, which says nothing about it. */
	const struct ops_age_identities *identities;
};

/* The one acceptance rule for archives, shared by ops-backup verify,
 * ops-restore --list, --to and restore (all read through here):
 *  - names: only what ops-backup writes (ops_manifest_name_check: under
 *    memory/ or a file of the home that is not ops' own, no SQLite side file, at most OPS_MANIFEST_DEPTH_MAX
 *    components), and no directory entry but memory/;
 *  - kinds by content: a member starting with the SQLite header is a
 *    database whatever MANIFEST.json calls it (m's entry is corrected
 *    before member_done sees it, so callers integrity-check it); one
 *    called a database without the header is refused.
 * With no side file ever accepted, a database is checked exactly as the
 * agent will open it after a restore: alone, with no WAL to replay.
 *
 * Read path as o says; m (empty) receives MANIFEST.json's view. -1 with
 * err naming the first thing wrong. */
int ops_archive_read(const char *path, const struct ops_archive_read_opts *o,
    struct ops_manifest *m, struct ops_err *err);

#endif
