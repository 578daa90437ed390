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

enum { BUFSZ = 256 * 1024, SNAPSHOT_TRIES = 5 };

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

/* One attempt: 0 done, 1 busy (try again), -1 failed. */
static int
snapshot_once(const char *src, const char *dst, struct ops_err *err)
{
	sqlite3 *s = NULL, *d = NULL;
	sqlite3_backup *b = NULL;
	int fd, rc = -1, step;

	fd = open(dst, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to create '%s'", dst);
	close(fd);
	if (sqlite3_open_v2(src, &s, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW,
	    NULL) != SQLITE_OK) {
		sqlerr(err, s, "open", src);
		goto out;
	}
	sqlite3_busy_timeout(s, 2000);
	if (sqlite3_open_v2(dst, &d, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
	    NULL) != SQLITE_OK) {
		sqlerr(err, d, "open", dst);
		goto out;
	}
	/* The copy is ours alone and is hashed and archived afterwards: no
	 * journal, no syncs, a small cache (memory stays bounded whatever
	 * the size of the database). */
	if (sqlite3_exec(d, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
	    "PRAGMA cache_size=-2048; PRAGMA locking_mode=EXCLUSIVE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		sqlerr(err, d, "prepare", dst);
		goto out;
	}
	b = sqlite3_backup_init(d, "main", s, "main");
	if (b == NULL) {
		sqlerr(err, d, "start a snapshot of", src);
		goto out;
	}
	/* All pages in one step: one read transaction on the source, so the
	 * copy is the database at one instant; the agent keeps writing to
	 * its WAL meanwhile. */
	step = sqlite3_backup_step(b, -1);
	if (sqlite3_backup_finish(b) != SQLITE_OK && step == SQLITE_DONE)
		step = sqlite3_errcode(d);
	b = NULL;
	if (step == SQLITE_DONE) {
		rc = 0;
	} else if (step == SQLITE_BUSY || step == SQLITE_LOCKED) {
		rc = 1;
		ops_err_set(err, OPS_E_FAIL, "unable to snapshot '%s': %s", src,
		    sqlite3_errstr(step));
	} else {
		ops_err_set(err, OPS_E_FAIL, "unable to snapshot '%s': %s", src,
		    sqlite3_errstr(step));
	}
out:
	if (sqlite3_close(d) != SQLITE_OK && rc == 0)
		rc = sqlerr(err, d, "close", dst);
	sqlite3_close(s);
	if (rc != 0)
		unlink(dst);
	return rc;
}

int
ops_snapshot_sqlite(const char *src, const char *dst, struct ops_err *err)
{
	for (int i = 0;; i++) {
		int rc = snapshot_once(src, dst, err);

		if (rc <= 0)
			return rc;
		if (i + 1 == SNAPSHOT_TRIES)
			return ops_err_prefix(err, "gave up after %d tries", SNAPSHOT_TRIES);
		nap(0.1 * (i + 1));
	}
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

int
ops_snapshot_integrity(const char *path, const char *what, struct ops_err *err)
{
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
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(20)", -1, &s, NULL) != SQLITE_OK) {
		ops_err_set(err, OPS_E_FAIL, "integrity_check of '%s' failed: %s", what,
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
		ops_err_set(err, OPS_E_FAIL, "integrity_check of '%s' failed: %s", what,
		    sqlite3_errmsg(db));
		goto out;
	}
	if (n > 0) {
		ops_err_set(err, OPS_E_FAIL, "integrity_check of '%s' failed: %s%s", what,
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
