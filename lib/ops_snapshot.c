#include "ops_snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ops_buf.h"
#include "ops_fs.h"
#include "ops_sqlvfs.h"

enum { BUFSZ = 256 * 1024, SNAPSHOT_TRIES = 5 };

/* The page cache of every connection here, which reads or writes each
 * page once in order (the copy) or twice (the check): 16 pages. The
 * default 2 MB only moves the pages through more memory (the check of a
 * 200 MB copy took 15% more CPU with it). */
#define SMALL_CACHE "PRAGMA cache_size=16"

int
ops_snapshot_is_sqlite(int fd, const char *what, struct ops_err *err)
{
	static const char magic[16] = "SQLite format 3";	/* with its NUL */
	char head[16];
	ssize_t n;

	while ((n = pread(fd, head, sizeof(head), 0)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return ops_err_sys(err, errno, "unable to read '%s'", what);
	return n == (ssize_t)sizeof(head) && memcmp(head, magic, sizeof(magic)) == 0;
}

static void
nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
sqlerr(struct ops_err *err, sqlite3 *db, const char *what, const char *path)
{
	return ops_err_set(err, OPS_E_FAIL, "unable to %s '%s': %s", what, path,
	    db ? sqlite3_errmsg(db) : "out of memory");
}

struct ops_snapshot_db {
	sqlite3 *src;
	char *path;
	uint64_t size;
};

void
ops_snapshot_db_close(struct ops_snapshot_db *h)
{
	if (h == NULL)
		return;
	sqlite3_close(h->src);	/* ends the read transaction */
	free(h->path);
	free(h);
}

/* One attempt at the read transaction: 0 held, 1 busy (try again), -1
 * failed. */
static int
hold_once(struct ops_snapshot_db *h, struct ops_err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t size;
	int rc = -1, step;

	if (sqlite3_exec(h->src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sqlerr(err, h->src, "read", h->path);
	/* The first read starts the transaction; page_count is the size
	 * of the database as of that instant (the WAL's view included). */
	if (sqlite3_prepare_v2(h->src, "SELECT page_count * page_size FROM "
	    "pragma_page_count(), pragma_page_size()", -1, &st, NULL) != SQLITE_OK) {
		sqlerr(err, h->src, "read", h->path);
		goto out;
	}
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		size = sqlite3_column_int64(st, 0);
		if (size <= 0) {
			ops_err_set(err, OPS_E_FAIL, "unable to snapshot '%s': it is empty",
			    h->path);
			goto out;
		}
		h->size = (uint64_t)size;
		rc = 0;
	} else {
		rc = (step == SQLITE_BUSY || step == SQLITE_LOCKED) ? 1 : -1;
		ops_err_set(err, OPS_E_FAIL, "unable to snapshot '%s': %s", h->path,
		    sqlite3_errmsg(h->src));
	}
out:
	sqlite3_finalize(st);
	if (rc != 0)
		sqlite3_exec(h->src, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int
ops_snapshot_db_open(const char *src, struct ops_snapshot_db **out, uint64_t *size,
    struct ops_err *err)
{
	struct ops_snapshot_db *h = calloc(1, sizeof(*h));
	int rc = -1, r = 1;

	*out = NULL;
	if (h == NULL || (h->path = strdup(src)) == NULL) {
		ops_err_sys(err, ENOMEM, "unable to snapshot '%s'", src);
		goto out;
	}
	if (sqlite3_open_v2(src, &h->src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW,
	    NULL) != SQLITE_OK) {
		sqlerr(err, h->src, "open", src);
		goto out;
	}
	/* It reads the schema: before the busy timeout, so that a busy
	 * database keeps the default cache at once and is waited for only by
	 * the tries below. */
	sqlite3_exec(h->src, SMALL_CACHE, NULL, NULL, NULL);
	sqlite3_busy_timeout(h->src, 2000);
	/* Busy past the timeout (a recovery, an exclusive lock): a few
	 * more tries, further apart. */
	for (int i = 0; r == 1; i++) {
		if (i > 0)
			nap(0.1 * i);
		if ((r = hold_once(h, err)) == 1 && i + 1 == SNAPSHOT_TRIES) {
			ops_err_prefix(err, "gave up after %d tries", SNAPSHOT_TRIES);
			goto out;
		}
	}
	if (r < 0)
		goto out;
	*size = h->size;
	*out = h;
	h = NULL;
	rc = 0;
out:
	ops_snapshot_db_close(h);
	return rc;
}

int
ops_snapshot_db_copy(struct ops_snapshot_db *h, const char *dst, struct ops_err *err)
{
	sqlite3 *d = NULL;
	sqlite3_backup *b = NULL;
	struct stat st;
	int fd, rc = -1, step;

	if (ops_sqlvfs_register(err) < 0)
		return -1;
	fd = open(dst, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to create '%s'", dst);
	close(fd);
	/* through ops_sqlvfs: its pages are written 64 KiB at a time */
	if (sqlite3_open_v2(dst, &d, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
	    OPS_SQLVFS_NAME) != SQLITE_OK) {
		sqlerr(err, d, "open", dst);
		goto out;
	}
	/* The copy is ours alone and is hashed and archived afterwards: no
	 * journal, no syncs, a small cache (memory stays bounded whatever
	 * the size of the database). */
	if (sqlite3_exec(d, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	    SMALL_CACHE "; PRAGMA locking_mode=EXCLUSIVE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		sqlerr(err, d, "prepare", dst);
		goto out;
	}
	b = sqlite3_backup_init(d, "main", h->src, "main");
	if (b == NULL) {
		sqlerr(err, d, "start a snapshot of", h->path);
		goto out;
	}
	/* All pages in one step, inside the read transaction that
	 * ops_snapshot_db_open began (backup_step uses one already open):
	 * the copy is the database at that instant, whatever the agent has
	 * written to its WAL since. */
	step = sqlite3_backup_step(b, -1);
	if (sqlite3_backup_finish(b) != SQLITE_OK && step == SQLITE_DONE)
		step = sqlite3_errcode(d);
	if (step != SQLITE_DONE) {
		ops_err_set(err, OPS_E_FAIL, "unable to snapshot '%s': %s", h->path,
		    sqlite3_errstr(step));
		goto out;
	}
	/* SQLite ignores a failed write at close: the last pages are written
	 * here, where a failure is seen */
	if (ops_sqlvfs_flush(d, dst, err) < 0)
		goto out;
	if (sqlite3_close(d) != SQLITE_OK) {
		sqlerr(err, d, "close", dst);
		goto out;
	}
	d = NULL;
	if (stat(dst, &st) < 0) {
		ops_err_sys(err, errno, "unable to stat '%s'", dst);
		goto out;
	}
	if ((uint64_t)st.st_size != h->size) {
		ops_err_set(err, OPS_E_FAIL, "the snapshot of '%s' is %lld bytes, expected %llu",
		    h->path, (long long)st.st_size, (unsigned long long)h->size);
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(d);
	if (rc != 0)
		unlink(dst);
	return rc;
}

int
ops_snapshot_jsonl_len(int fd, const char *what, uint64_t *len,
    struct ops_err *err)
{
	struct stat st;
	char buf[64 * 1024];
	off_t end;

	if (fstat(fd, &st) < 0)
		return ops_err_sys(err, errno, "unable to stat '%s'", what);
	for (end = st.st_size; end > 0;) {
		size_t want = end < (off_t)sizeof(buf) ? (size_t)end : sizeof(buf);
		ssize_t n = pread(fd, buf, want, end - (off_t)want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ops_err_sys(err, errno, "unable to read '%s'", what);
		if ((size_t)n != want)
			return ops_err_set(err, OPS_E_FAIL, "'%s' shrank while it was read", what);
		for (size_t i = want; i > 0; i--) {
			if (buf[i - 1] == '\n') {
				*len = (uint64_t)(end - (off_t)want) + i;
				return 0;
			}
		}
		end -= (off_t)want;
	}
	*len = 0;
	return 0;
}

/* 0 copied, 1 the source changed meanwhile, -1 failed. */
static int
copy_once(int fd, const char *what, const char *dst, char *buf, uint64_t *len,
    char hex[OPS_SHA256_HEX], struct ops_err *err)
{
	struct ops_sha256 h = OPS_SHA256_INIT;
	struct stat before, after;
	uint64_t off = 0;
	int out, rc = -1;

	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return ops_err_sys(err, errno, "unable to create '%s'", dst);
	if (fstat(fd, &before) < 0) {
		ops_err_sys(err, errno, "unable to stat '%s'", what);
		goto out;
	}
	if (ops_sha256_init(&h, err) < 0)
		goto out;
	for (;;) {
		ssize_t n = pread(fd, buf, BUFSZ, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ops_err_sys(err, errno, "unable to read '%s'", what);
			goto out;
		}
		if (n == 0)
			break;
		if (ops_fs_write_all(out, buf, (size_t)n) < 0) {
			ops_err_sys(err, errno, "unable to write '%s'", dst);
			goto out;
		}
		if (ops_sha256_update(&h, buf, (size_t)n, err) < 0)
			goto out;
		off += (uint64_t)n;
	}
	if (fstat(fd, &after) < 0) {
		ops_err_sys(err, errno, "unable to stat '%s'", what);
		goto out;
	}
	if (close(out) < 0) {
		out = -1;
		ops_err_sys(err, errno, "unable to write '%s'", dst);
		goto out;
	}
	out = -1;
	if (after.st_size != before.st_size || (off_t)off != after.st_size ||
	    after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != before.st_mtim.tv_nsec) {
		ops_err_set(err, OPS_E_FAIL, "'%s' kept changing while it was copied", what);
		rc = 1;
		goto out;
	}
	if (ops_sha256_final(&h, hex, err) < 0)
		goto out;
	*len = off;
	rc = 0;
out:
	ops_sha256_release(&h);
	if (out >= 0)
		close(out);
	if (rc != 0)
		unlink(dst);
	return rc;
}

int
ops_snapshot_copy(int fd, const char *what, const char *dst, uint64_t *len,
    char hex[OPS_SHA256_HEX], struct ops_err *err)
{
	char *buf = malloc(BUFSZ);
	int rc = -1;

	if (buf == NULL)
		return ops_err_sys(err, errno, "unable to copy '%s'", what);
	for (int i = 0; i < SNAPSHOT_TRIES; i++) {
		rc = copy_once(fd, what, dst, buf, len, hex, err);
		if (rc <= 0)
			break;
		nap(0.05 * (i + 1));
	}
	free(buf);
	return rc == 0 ? 0 : -1;
}

/* "file:" URI for path, percent-encoding what a URI would misread. */
static void
uri(struct ops_buf *b, const char *path)
{
	ops_buf_puts(b, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x21 || *p >= 0x7f)
			ops_buf_printf(b, "%%%02X", *p);
		else
			ops_buf_add(b, (const char *)p, 1);
	}
	ops_buf_puts(b, "?immutable=1");
}

/* A copy up to this size is checked through a mapping of the file
 * instead of 4 KiB reads (a third less CPU for the small databases, which
 * are checked beside the copy of the big one); memory stays bounded: a
 * larger copy is read. */
#define MAP_MAX (16 << 20)

static int
map_small(sqlite3 *db, const char *path, const char *what, struct ops_err *err)
{
	char sql[64];
	struct stat st;

	if (stat(path, &st) < 0)
		return ops_err_sys(err, errno, "unable to stat '%s'", what);
	if (st.st_size > MAP_MAX)
		return 0;
	snprintf(sql, sizeof(sql), "PRAGMA mmap_size=%lld", (long long)st.st_size);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sqlerr(err, db, "map", what);
	return 0;
}

int
ops_snapshot_integrity(const char *path, const char *what, struct ops_err *err)
{
	return ops_snapshot_check(path, what, 1, err);
}

int
ops_snapshot_check(const char *path, const char *what, int full, struct ops_err *err)
{
	const char *pragma = full ? "integrity_check" : "quick_check";

	struct ops_buf u = OPS_BUF_INIT, problems = OPS_BUF_INIT;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc = -1, n = 0, step;

	uri(&u, path);
	if (u.oom) {
		ops_err_sys(err, ENOMEM, "unable to check '%s'", what);
		goto out;
	}
	if (sqlite3_open_v2(ops_buf_str(&u), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
	    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		sqlerr(err, db, "open", what);
		goto out;
	}
	if (sqlite3_exec(db, SMALL_CACHE, NULL, NULL, NULL) != SQLITE_OK) {
		sqlerr(err, db, "open", what);
		goto out;
	}
	if (map_small(db, path, what, err) < 0)
		goto out;
	if (sqlite3_prepare_v2(db, full ? "PRAGMA integrity_check(20)" :
	    "PRAGMA quick_check(20)", -1, &s, NULL) != SQLITE_OK) {
		ops_err_set(err, OPS_E_FAIL, "%s of '%s' failed: %s", pragma, what,
		    sqlite3_errmsg(db));
		goto out;
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		if (t && strcmp(t, "ok") == 0)
			continue;
		if (n++ < 3)
			ops_buf_printf(&problems, "%s%s", n > 1 ? "; " : "", t ? t : "?");
	}
	if (step != SQLITE_DONE) {
		ops_err_set(err, OPS_E_FAIL, "%s of '%s' failed: %s", pragma, what,
		    sqlite3_errmsg(db));
		goto out;
	}
	if (n > 0) {
		ops_err_set(err, OPS_E_FAIL, "%s of '%s' failed: %s%s", pragma, what,
		    ops_buf_str(&problems), n > 3 ? "; ..." : "");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	ops_buf_release(&u);
	ops_buf_release(&problems);
	return rc;
}
