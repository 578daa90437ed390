#include "ops_sqlvfs.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* 64 KiB: the unix VFS writes at most 128 KiB - 1 in one call (it masks
 * larger lengths); 64 KiB writes cost 40% less CPU than 4 KiB ones for a
 * 200 MB copy on ext4. */
enum { GATHER = 64 * 1024 };

/* A private file-control opcode (SQLite's own are small numbers). */
#define FCNTL_FLUSH 0x4f505301

struct bulk {
	sqlite3_file base;	/* pMethods = &bulk_io */
	sqlite3_file *real;	/* the default VFS's file, after this struct */
	char *buf;
	sqlite3_int64 off;	/* where buf[0] goes */
	int len;
	int failed;		/* the first failed write: every call returns it */
};

static sqlite3_vfs *under;
static sqlite3_vfs bulk_vfs;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int registered = SQLITE_ERROR;

static int
flush(struct bulk *b)
{
	int rc;

	if (b->failed)
		return b->failed;
	if (b->len == 0)
		return SQLITE_OK;
	rc = b->real->pMethods->xWrite(b->real, b->buf, b->len, b->off);
	b->len = 0;
	if (rc != SQLITE_OK)
		b->failed = rc;
	return rc;
}

static int
bulk_close(sqlite3_file *f)
{
	struct bulk *b = (struct bulk *)f;
	int rc = flush(b), rc2;

	rc2 = b->real->pMethods->xClose(b->real);
	free(b->buf);
	b->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
bulk_read(sqlite3_file *f, void *p, int amt, sqlite3_int64 off)
{
	struct bulk *b = (struct bulk *)f;
	int rc = flush(b);

	return rc != SQLITE_OK ? rc : b->real->pMethods->xRead(b->real, p, amt, off);
}

static int
bulk_write(sqlite3_file *f, const void *p, int amt, sqlite3_int64 off)
{
	struct bulk *b = (struct bulk *)f;
	int rc;

	if (b->failed)
		return b->failed;
	if (b->len > 0 && off == b->off + b->len && amt <= GATHER - b->len) {
		memcpy(b->buf + b->len, p, (size_t)amt);
		b->len += amt;
		return SQLITE_OK;
	}
	if ((rc = flush(b)) != SQLITE_OK)
		return rc;
	if (amt >= GATHER) {
		rc = b->real->pMethods->xWrite(b->real, p, amt, off);
		if (rc != SQLITE_OK)
			b->failed = rc;
		return rc;
	}
	memcpy(b->buf, p, (size_t)amt);
	b->off = off;
	b->len = amt;
	return SQLITE_OK;
}

static int
bulk_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct bulk *b = (struct bulk *)f;
	int rc = flush(b);

	return rc != SQLITE_OK ? rc : b->real->pMethods->xTruncate(b->real, size);
}

static int
bulk_sync(sqlite3_file *f, int flags)
{
	struct bulk *b = (struct bulk *)f;
	int rc = flush(b);

	return rc != SQLITE_OK ? rc : b->real->pMethods->xSync(b->real, flags);
}

static int
bulk_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct bulk *b = (struct bulk *)f;
	int rc = flush(b);

	return rc != SQLITE_OK ? rc : b->real->pMethods->xFileSize(b->real, size);
}

static int
bulk_lock(sqlite3_file *f, int level)
{
	struct bulk *b = (struct bulk *)f;

	return b->real->pMethods->xLock(b->real, level);
}

static int
bulk_unlock(sqlite3_file *f, int level)
{
	struct bulk *b = (struct bulk *)f;
	int rc = flush(b);

	return rc != SQLITE_OK ? rc : b->real->pMethods->xUnlock(b->real, level);
}

static int
bulk_reserved(sqlite3_file *f, int *out)
{
	struct bulk *b = (struct bulk *)f;

	return b->real->pMethods->xCheckReservedLock(b->real, out);
}

static int
bulk_fcntl(sqlite3_file *f, int op, void *arg)
{
	struct bulk *b = (struct bulk *)f;

	if (op == FCNTL_FLUSH)
		return flush(b);
	return b->real->pMethods->xFileControl(b->real, op, arg);
}

static int
bulk_sector(sqlite3_file *f)
{
	struct bulk *b = (struct bulk *)f;

	return b->real->pMethods->xSectorSize(b->real);
}

static int
bulk_device(sqlite3_file *f)
{
	struct bulk *b = (struct bulk *)f;

	return b->real->pMethods->xDeviceCharacteristics(b->real);
}

/* Version 1: no shared memory (no WAL) and no mapping, which a file that
 * gathers writes could not keep coherent. */
static const sqlite3_io_methods bulk_io = {
	1, bulk_close, bulk_read, bulk_write, bulk_truncate, bulk_sync, bulk_size,
	bulk_lock, bulk_unlock, bulk_reserved, bulk_fcntl, bulk_sector, bulk_device,
	NULL, NULL, NULL, NULL, NULL, NULL,
};

static int
bulk_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
    int *out)
{
	struct bulk *b = (struct bulk *)f;
	int rc;

	(void)vfs;
	/* Journals and the rest: the default VFS's file as it is. */
	if (!(flags & SQLITE_OPEN_MAIN_DB))
		return under->xOpen(under, name, f, flags, out);
	memset(b, 0, sizeof(*b));
	b->real = (sqlite3_file *)(b + 1);
	b->buf = malloc(GATHER);
	if (b->buf == NULL)
		return SQLITE_NOMEM;
	rc = under->xOpen(under, name, b->real, flags, out);
	if (rc != SQLITE_OK) {
		free(b->buf);
		b->buf = NULL;
		/* SQLite calls xClose only on a file with methods */
		b->base.pMethods = NULL;
		return rc;
	}
	b->base.pMethods = &bulk_io;
	return SQLITE_OK;
}

static void
setup(void)
{
	under = sqlite3_vfs_find(NULL);
	if (under == NULL)
		return;
	bulk_vfs = *under;
	bulk_vfs.pNext = NULL;
	bulk_vfs.zName = OPS_SQLVFS_NAME;
	bulk_vfs.szOsFile = (int)sizeof(struct bulk) + under->szOsFile;
	bulk_vfs.xOpen = bulk_open;
	registered = sqlite3_vfs_register(&bulk_vfs, 0);
}

int
ops_sqlvfs_register(struct ops_err *err)
{
	pthread_once(&once, setup);
	if (registered != SQLITE_OK)
		return ops_err_set(err, OPS_E_FAIL, "unable to set up SQLite's file layer: %s",
		    sqlite3_errstr(registered));
	return 0;
}

int
ops_sqlvfs_flush(sqlite3 *db, const char *what, struct ops_err *err)
{
	int rc = sqlite3_file_control(db, "main", FCNTL_FLUSH, NULL);

	if (rc == SQLITE_OK)
		return 0;
	if (rc == SQLITE_NOTFOUND)
		return ops_err_set(err, OPS_E_FAIL, "'%s' is not written through "
		    OPS_SQLVFS_NAME, what);
	return ops_err_set(err, OPS_E_FAIL, "unable to write '%s': %s", what,
	    sqlite3_errstr(rc));
}
