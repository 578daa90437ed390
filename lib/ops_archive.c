#include "ops_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_fs.h"

/* 1 MiB blocks: each is handed between threads (hasher, verifier) with a
 * lock and a wakeup; at 256 KiB those handoffs cost 5% of a backup. */
enum { BUFSZ = 1024 * 1024 };

static int
aerr(struct ops_err *err, struct archive *a, const char *what)
{
	const char *s = a ? archive_error_string(a) : NULL;
	int e = a ? archive_errno(a) : 0;

	if (s == NULL)
		s = e > 0 ? strerror(e) : "unknown error";
	/* libarchive's text does not always carry the system's reason
	 * ("Write error"): add it. */
	if (e > 0 && strstr(s, strerror(e)) == NULL)
		return ops_err_set(err, OPS_E_FAIL, "%s: %s: %s", what, s, strerror(e));
	return ops_err_set(err, OPS_E_FAIL, "%s: %s", what, s);
}

/* ---- writing ---------------------------------------------------------- */

/* The callback never fails to libarchive: it keeps the first error in
 * w->werr, drops the bytes, and every writer call below checks werr.
 * libarchive 3.6 (Debian 12) leaks its client state when
 * archive_write_free follows a failed write (fixed upstream in
 * libarchive PR #2729); this way it never enters its fatal state. */
/* Bytes to the file: all of them, or the first error kept in w->werr. */
static void
fd_out(struct ops_archive_writer *w, const char *p, size_t left)
{
	while (left > 0 && w->werr == 0) {
		ssize_t n = write(w->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			w->werr = errno;
			break;
		}
		p += n;
		left -= (size_t)n;
		w->bytes += (uint64_t)n;
		if (w->wrote)
			w->wrote(w->wctx, w->bytes);
	}
	/* Start writeback as we go: the fsync at the end has less to wait
	 * for. */
	if (w->werr == 0 && w->bytes - w->synced >= 8u << 20) {
		sync_file_range(w->fd, (off_t)w->synced, (off_t)(w->bytes - w->synced),
		    SYNC_FILE_RANGE_WRITE);
		w->synced = w->bytes;
	}
}

/* The age writer's output. */
static int
age_out(void *ctx, const void *buf, size_t len, struct ops_err *err)
{
	struct ops_archive_writer *w = ctx;

	fd_out(w, buf, len);
	if (w->werr != 0)
		return ops_err_sys(err, w->werr, "unable to write");
	return 0;
}

static la_ssize_t
write_cb(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct ops_archive_writer *w = ctx;
	struct ops_err e = OPS_ERR_INIT;

	(void)a;
	if (w->werr != 0)
		return (la_ssize_t)len;
	if (w->age == NULL)
		fd_out(w, buf, len);
	else if (ops_age_write(w->age, buf, len, &e) < 0)
		w->werr = e.sys_errno ? e.sys_errno : EIO;
	return (la_ssize_t)len;
}

/* After a libarchive call: the error our write callback kept, if any. */
static int
werr(const struct ops_archive_writer *w, const char *what, struct ops_err *err)
{
	if (w->werr == 0)
		return 0;
	return ops_err_sys(err, w->werr, "%s: Write error", what);
}

int
ops_archive_write_open(struct ops_archive_writer *w, int fd,
    const char *compression, struct ops_err *err)
{
	struct archive *a;

	w->done = 0;
	if (ops_hasher_start(&w->h, 4, BUFSZ, err) < 0)
		return -1;
	w->a = a = archive_write_new();
	if (a == NULL)
		return ops_err_sys(err, ENOMEM, "unable to start the archive");
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK)
		return aerr(err, a, "unable to start the archive");
	if (strcmp(compression, "zstd") == 0) {
		if (archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
		    archive_write_set_filter_option(a, "zstd", "compression-level", "1") !=
		    ARCHIVE_OK)
			return aerr(err, a, "unable to set up zstd");
		/* Two compression threads beside this one (which reads and
		 * feeds them). Measured on the medium home: level 1 with two
		 * threads is 0.82s, +7 MB, an archive 4% larger than level 3;
		 * level 3 is 0.91s alone and +44 MB with two threads. An older
		 * libarchive without the option compresses on this thread. */
		if (archive_write_set_filter_option(a, "zstd", "threads", "2") != ARCHIVE_OK)
			archive_clear_error(a);
	} else if (strcmp(compression, "gzip") == 0) {
		if (archive_write_add_filter_gzip(a) != ARCHIVE_OK)
			return aerr(err, a, "unable to set up gzip");
	} else if (strcmp(compression, "none") != 0) {
		return ops_err_set(err, OPS_E_USAGE, "unknown compression '%s'", compression);
	}
	w->fd = fd;
	w->bytes = w->synced = 0;
	w->werr = 0;
	/* The age header goes out first, before libarchive writes anything. */
	if (w->encrypt != NULL &&
	    ops_age_writer_open(&w->age, w->encrypt, age_out, w, err) < 0)
		return ops_err_prefix(err, "unable to start the archive");
	if (archive_write_set_bytes_per_block(a, 64 * 1024) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, w, NULL, write_cb, NULL) != ARCHIVE_OK)
		return aerr(err, a, "unable to start the archive");
	return werr(w, "unable to start the archive", err);
}

static struct archive_entry *
new_entry(const char *name, int type, mode_t perm, uint64_t size, double mtime)
{
	struct archive_entry *e = archive_entry_new();

	if (e == NULL)
		return NULL;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, (unsigned)type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, (time_t)mtime,
	    (long)((mtime - floor(mtime)) * 1e9));
	return e;
}

static int
write_header(struct ops_archive_writer *w, const char *name, int type, mode_t perm,
    uint64_t size, double mtime, struct ops_err *err)
{
	struct archive_entry *e = new_entry(name, type, perm, size, mtime);
	int r;

	if (e == NULL)
		return ops_err_sys(err, ENOMEM, "unable to add '%s'", name);
	r = archive_write_header(w->a, e);
	archive_entry_free(e);
	if (werr(w, "unable to write the archive", err) < 0)
		return -1;
	if (r != ARCHIVE_OK)
		return aerr(err, w->a, "unable to write the archive");
	return 0;
}

static int
write_data(struct ops_archive_writer *w, const void *p, size_t n, struct ops_err *err)
{
	const char *c = p;

	while (n > 0) {
		la_ssize_t r = archive_write_data(w->a, c, n);

		if (werr(w, "unable to write the archive", err) < 0)
			return -1;
		if (r <= 0)
			return aerr(err, w->a, "unable to write the archive");
		c += r;
		n -= (size_t)r;
		w->done += (uint64_t)r;
	}
	if (w->progress)
		w->progress(w->ctx, w->done);
	return 0;
}

static int
finish_entry(struct ops_archive_writer *w, struct ops_err *err)
{
	int r = archive_write_finish_entry(w->a);

	if (werr(w, "unable to write the archive", err) < 0)
		return -1;
	if (r != ARCHIVE_OK)
		return aerr(err, w->a, "unable to write the archive");
	return 0;
}

int
ops_archive_write_dir(struct ops_archive_writer *w, const char *name, double mtime,
    struct ops_err *err)
{
	if (write_header(w, name, AE_IFDIR, 0700, 0, mtime, err) < 0)
		return -1;
	return finish_entry(w, err);
}

int
ops_archive_write_mem(struct ops_archive_writer *w, const char *name,
    const void *data, size_t len, double mtime, struct ops_err *err)
{
	if (write_header(w, name, AE_IFREG, 0600, len, mtime, err) < 0 ||
	    write_data(w, data, len, err) < 0)
		return -1;
	return finish_entry(w, err);
}

int
ops_archive_write_fd(struct ops_archive_writer *w, const char *name, int fd,
    uint64_t len, double mtime, char hex[OPS_SHA256_HEX], struct ops_err *err)
{
	uint64_t off = 0;
	char ignore[OPS_SHA256_HEX];
	int rc = -1;

	if (write_header(w, name, AE_IFREG, 0600, len, mtime, err) < 0)
		return -1;
	while (off < len) {
		size_t want = len - off < BUFSZ ? (size_t)(len - off) : BUFSZ;
		char *b = ops_hasher_buffer(w->h);
		ssize_t n = pread(fd, b, want, (off_t)off);

		if (n < 0 && errno == EINTR) {
			ops_hasher_discard(w->h, b);
			continue;
		}
		if (n <= 0) {
			ops_hasher_discard(w->h, b);
			if (n < 0)
				ops_err_sys(err, errno, "unable to read '%s'", name);
			else
				ops_err_set(err, OPS_E_FAIL, "'%s' shrank while it was archived", name);
			goto out;
		}
		/* compressed here, hashed there */
		if (write_data(w, b, (size_t)n, err) < 0) {
			ops_hasher_discard(w->h, b);
			goto out;
		}
		ops_hasher_submit(w->h, b, (size_t)n);
		off += (uint64_t)n;
	}
	if (ops_hasher_final(w->h, hex, err) < 0)
		return -1;
	return finish_entry(w, err);
out:
	ops_hasher_final(w->h, ignore, NULL);	/* reset for the next member */
	return rc;
}

int
ops_archive_write_close(struct ops_archive_writer *w, struct ops_err *err)
{
	int r = archive_write_close(w->a);

	if (werr(w, "unable to finish the archive", err) < 0)
		return -1;
	if (r != ARCHIVE_OK)
		return aerr(err, w->a, "unable to finish the archive");
	/* The final (authenticated as last) chunk. */
	if (w->age != NULL && ops_age_writer_close(w->age, err) < 0)
		return ops_err_prefix(err, "unable to finish the archive");
	return 0;
}

void
ops_archive_write_release(struct ops_archive_writer *w)
{
	if (w == NULL)
		return;
	if (w->a)
		archive_write_free(w->a);	/* closes first when still open */
	w->a = NULL;
	ops_hasher_stop(w->h);
	w->h = NULL;
	ops_age_writer_free(w->age);
	w->age = NULL;
}

/* ---- reading ---------------------------------------------------------- */

struct reader {
	const struct ops_archive_read_opts *o;
	struct archive *a;
	struct archive *disk;		/* EXTRACT */
	struct ops_manifest *m;
	unsigned char *seen;		/* per manifest entry */
	char (*hex)[OPS_SHA256_HEX];	/* per manifest entry: the hash of its data */
	struct ops_hasher *h;		/* hashes while the next block is read */
	char *srcbuf;			/* for a source */
	char *buf, *cmp;		/* for comparing with a reference */
	uint64_t done;
	int scratch_n;
	struct ops_age_reader *age;	/* an encrypted archive's decryption */
	int fd;				/* what it reads when there is no source */
	struct ops_err age_err;		/* why decryption failed */
};

/* What an entry is, for messages; NULL when it is a regular file or a
 * directory (the only types an archive of ours holds). */
static const char *
bad_type(struct archive_entry *e)
{
	if (archive_entry_hardlink(e) != NULL)
		return "a hard link";
	if (archive_entry_symlink(e) != NULL)
		return "a symlink";
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
	case AE_IFDIR:
		return NULL;
	case AE_IFLNK:
		return "a symlink";
	case AE_IFCHR:
	case AE_IFBLK:
		return "a device";
	case AE_IFIFO:
		return "a FIFO";
	case AE_IFSOCK:
		return "a socket";
	default:
		return "of an unknown type";
	}
}

/* Check the entry's name, type and mode. *dir says it is a directory;
 * name gets the pathname without a directory's trailing '/'. */
static int
check_entry(struct archive_entry *e, char *name, size_t len, int *dir,
    struct ops_err *err)
{
	const char *p = archive_entry_pathname(e), *t;
	size_t n;

	if (p == NULL || *p == '\0')
		return ops_err_set(err, OPS_E_FAIL, "an entry without a name");
	n = strlen(p);
	if (n >= len)
		return ops_err_set(err, OPS_E_FAIL, "an entry name too long (%zu bytes)", n);
	memcpy(name, p, n + 1);
	if (name[0] == '/')
		return ops_err_set(err, OPS_E_FAIL, "'%s': absolute path", name);
	*dir = archive_entry_filetype(e) == AE_IFDIR && archive_entry_hardlink(e) == NULL;
	if (*dir && n > 1 && name[n - 1] == '/')
		name[--n] = '\0';
	/* ops-backup writes one directory entry, memory/: any other is a
	 * shape verify and restore would each see differently. */
	if (*dir && strcmp(name, "memory") != 0) {
		if (ops_manifest_name_check(name, err) < 0)
			return -1;
		return ops_err_set(err, OPS_E_FAIL,
		    "'%s': a directory entry (ops-backup writes only memory/)", name);
	}
	if (!*dir && ops_manifest_name_check(name, err) < 0)
		return -1;
	if ((t = bad_type(e)) != NULL)
		return ops_err_set(err, OPS_E_FAIL, "'%s' is %s", name, t);
	if (archive_entry_perm(e) & (S_ISUID | S_ISGID | S_ISVTX))
		return ops_err_set(err, OPS_E_FAIL, "'%s' has a setuid, setgid or sticky bit",
		    name);
	if (*dir && archive_entry_size_is_set(e) && archive_entry_size(e) != 0)
		return ops_err_set(err, OPS_E_FAIL, "'%s': a directory with data", name);
	return 0;
}

/* Read a small member (a manifest) whole. */
static int
read_small(struct reader *r, struct archive_entry *e, const char *want, char **out,
    size_t *outlen, struct ops_err *err)
{
	const char *name = want;
	la_int64_t size;
	size_t got = 0;
	char *buf;

	if (archive_entry_filetype(e) != AE_IFREG || bad_type(e) != NULL)
		return ops_err_set(err, OPS_E_FAIL, "'%s' is not a regular file", name);
	if (archive_entry_perm(e) & (S_ISUID | S_ISGID | S_ISVTX))
		return ops_err_set(err, OPS_E_FAIL, "'%s' has a setuid, setgid or sticky bit",
		    name);
	size = archive_entry_size(e);
	if (!archive_entry_size_is_set(e) || size < 0 || size > OPS_MANIFEST_MAX)
		return ops_err_set(err, OPS_E_FAIL, "'%s' is too large", name);
	buf = malloc((size_t)size + 1);
	if (buf == NULL)
		return ops_err_sys(err, errno, "unable to read '%s'", name);
	while (got < (size_t)size) {
		la_ssize_t n = archive_read_data(r->a, buf + got, (size_t)size - got);

		if (n < 0) {
			free(buf);
			return aerr(err, r->a, name);
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got != (size_t)size) {
		free(buf);
		return ops_err_set(err, OPS_E_FAIL, "'%s' is truncated", name);
	}
	buf[got] = '\0';
	*out = buf;
	*outlen = got;
	return 0;
}

static int
next_header(struct reader *r, struct archive_entry **e, struct ops_err *err)
{
	int rc = archive_read_next_header(r->a, e);

	if (rc == ARCHIVE_OK)
		return 1;
	if (rc == ARCHIVE_EOF)
		return 0;
	/* ARCHIVE_WARN too: an archive of ours reads without warnings. */
	return aerr(err, r->a, "malformed archive");
}

/* The first entry: MANIFEST.json, which every later entry is checked
 * against. */
static int
read_json(struct reader *r, struct ops_err *err)
{
	struct archive_entry *e;
	const char *p;
	char *text = NULL;
	size_t len;
	int rc = -1, h;

	if ((h = next_header(r, &e, err)) <= 0) {
		if (h == 0)
			ops_err_set(err, OPS_E_FAIL, "an empty archive");
		goto out;
	}
	p = archive_entry_pathname(e);
	if (p == NULL || strcmp(p, OPS_MANIFEST_JSON) != 0) {
		ops_err_set(err, OPS_E_FAIL, "not an archive made by ops-backup: the first "
		    "entry is '%s', not " OPS_MANIFEST_JSON, p ? p : "?");
		goto out;
	}
	if (read_small(r, e, OPS_MANIFEST_JSON, &text, &len, err) < 0 ||
	    ops_manifest_parse_json(text, len, r->m, err) < 0)
		goto out;
	rc = 0;
out:
	free(text);
	return rc;
}

/* The last entry: MANIFEST.sha256, listing the same files. */
static int
read_sha(struct reader *r, struct archive_entry *e, struct ops_err *err)
{
	struct ops_manifest sha = OPS_MANIFEST_INIT;
	char *text = NULL;
	size_t len;
	int rc = -1;

	if (read_small(r, e, OPS_MANIFEST_SHA256, &text, &len, err) < 0 ||
	    ops_manifest_parse_sha256(text, len, &sha, err) < 0 ||
	    ops_manifest_merge(r->m, &sha, err) < 0)
		goto out;
	rc = 0;
out:
	free(text);
	ops_manifest_release(&sha);
	return rc;
}

/* Where a member's data goes: an fd of ours (scratch copy), libarchive's
 * disk writer (extraction), or nowhere (hash only). */
struct sink {
	int fd;
	int disk;
	int scratch;		/* path is a scratch copy of ours */
	char path[PATH_MAX];
};

static int
sink_open(struct reader *r, const struct ops_manifest_entry *me, const char *name,
    int dir, struct sink *s, struct ops_err *err)
{
	const struct ops_archive_read_opts *o = r->o;

	s->fd = -1;
	s->disk = s->scratch = 0;
	s->path[0] = '\0';
	if (o->mode == OPS_AREAD_EXTRACT) {
		struct archive_entry *de;
		int rc;

		/* A fresh entry: only name, type, our modes, size and time reach
		 * the disk (no owner, xattrs, ACLs or flags from the archive). */
		de = new_entry(name, dir ? AE_IFDIR : AE_IFREG, dir ? 0700 : 0600,
		    dir ? 0 : me->size, r->m->created);
		if (de == NULL)
			return ops_err_sys(err, ENOMEM, "unable to extract '%s'", name);
		rc = archive_write_header(r->disk, de);
		archive_entry_free(de);
		if (rc != ARCHIVE_OK)
			return aerr(err, r->disk, name);
		s->disk = 1;
		if (snprintf(s->path, sizeof(s->path), "%s/%s", o->dest, name) >=
		    (int)sizeof(s->path))
			return ops_err_set(err, OPS_E_FAIL, "path too long: '%s/%s'", o->dest, name);
		return 0;
	}
	if (o->mode == OPS_AREAD_VERIFY && o->scratch && !dir && me->kind == OPS_KIND_SQLITE) {
		if (snprintf(s->path, sizeof(s->path), "%s/member-%d.db", o->scratch,
		    r->scratch_n++) >= (int)sizeof(s->path))
			return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", o->scratch);
		s->fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		s->scratch = s->fd >= 0;
		if (s->fd < 0) {
			ops_err_sys(err, errno, "unable to create '%s'", s->path);
			s->path[0] = '\0';
			return -1;
		}
	}
	return 0;
}

/* Extracted data goes out OPS_FS_WRITE_MAX at a time (see ops_fs.h):
 * through libarchive's disk writer, or ops_fs_write_all to a file. */
static int
sink_write(struct reader *r, struct sink *s, const char *p, size_t n, const char *name,
    struct ops_err *err)
{
	if (!s->disk) {
		if (s->fd >= 0 && ops_fs_write_all(s->fd, p, n) < 0)
			return ops_err_sys(err, errno, "unable to write '%s'", s->path);
		return 0;
	}
	while (n > 0) {
		size_t k = n < OPS_FS_WRITE_MAX ? n : OPS_FS_WRITE_MAX;
		la_ssize_t w = archive_write_data(r->disk, p, k);

		if (w <= 0)
			return aerr(err, r->disk, name);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The sink as the hashing thread calls it. */
struct sink_ctx {
	struct reader *r;
	struct sink *s;
	const char *name;
	struct ops_err err;
};

static int
sink_cb(void *ctx, const char *buf, size_t len)
{
	struct sink_ctx *c = ctx;

	return sink_write(c->r, c->s, buf, len, c->name, &c->err);
}

/* Close the sink; on success the data is complete where s->path says. */
static int
sink_close(struct reader *r, struct sink *s, int ok, const char *name,
    struct ops_err *err)
{
	int rc = 0;

	if (s->disk) {
		if (archive_write_finish_entry(r->disk) != ARCHIVE_OK && ok)
			rc = aerr(err, r->disk, name);
		s->disk = 0;
	}
	if (s->fd >= 0) {
		if (close(s->fd) < 0 && ok)
			rc = ops_err_sys(err, errno, "unable to write '%s'", s->path);
		s->fd = -1;
	}
	return rc;
}

static void
sink_discard(struct sink *s)
{
	/* Scratch copies are ours to remove; extracted files stay in dest,
	 * which the caller removes as a whole on failure. */
	if (s->scratch)
		unlink(s->path);
	s->scratch = 0;
}

/* A read-only mapping of part of a reference, moved along as the
 * comparison goes: the reference is compared where it lies in the page
 * cache instead of being copied into a buffer (3% of a backup), and
 * memory stays bounded by WINDOW. */
enum { WINDOW = 8 * 1024 * 1024 };

struct window {
	char *p;
	uint64_t start, len;
};

static void
window_drop(struct window *w)
{
	if (w->p != NULL)
		munmap(w->p, (size_t)w->len);
	w->p = NULL;
}

/* The n bytes at off of fd (size bytes long), or NULL when it cannot be
 * mapped (the caller reads instead). */
static const char *
window_at(struct window *w, int fd, uint64_t size, uint64_t off, size_t n)
{
	if (w->p == NULL || off < w->start || off + n > w->start + w->len) {
		uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

		window_drop(w);
		w->start = off - off % page;
		w->len = size - w->start < WINDOW ? size - w->start : WINDOW;
		if (off + n > w->start + w->len)
			return NULL;
		w->p = mmap(NULL, (size_t)w->len, PROT_READ, MAP_SHARED | MAP_POPULATE, fd,
		    (off_t)w->start);
		if (w->p == MAP_FAILED) {
			w->p = NULL;
			return NULL;
		}
	}
	return w->p + (off - w->start);
}

/* Compare the member's data with the bytes it was made from (instead of
 * hashing it: the writer hashed those very bytes). Snapshots and copies
 * are ours alone and mapped; the live JSONL is read (a file someone
 * truncates under a mapping kills the reader with SIGBUS). */
static int
compare_member(struct reader *r, const struct ops_manifest_entry *me, const char *name,
    struct ops_err *err)
{
	const struct ops_archive_read_opts *o = r->o;
	struct window w = { NULL, 0, 0 };
	uint64_t got = 0;
	int fd = o->reference(o->ctx, me), rc = -1;

	if (fd < 0)
		return ops_err_set(err, OPS_E_FAIL, "'%s': nothing to compare with", name);
	for (;;) {
		la_ssize_t n = archive_read_data(r->a, r->buf, BUFSZ);
		const char *ref = NULL;
		size_t off = 0;

		if (n < 0) {
			aerr(err, r->a, name);
			goto out;
		}
		if (n == 0)
			break;
		if (got + (uint64_t)n > me->size) {
			ops_err_set(err, OPS_E_FAIL, "'%s': more data than its size", name);
			goto out;
		}
		if (me->kind != OPS_KIND_JSONL)
			ref = window_at(&w, fd, me->size, got, (size_t)n);
		while (ref == NULL && off < (size_t)n) {
			ssize_t k = pread(fd, r->cmp + off, (size_t)n - off, (off_t)(got + off));

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				ops_err_set(err, OPS_E_FAIL, "'%s' changed while it was archived",
				    name);
				goto out;
			}
			off += (size_t)k;
		}
		if (memcmp(r->buf, ref ? ref : r->cmp, (size_t)n) != 0) {
			ops_err_set(err, OPS_E_FAIL, "'%s': the archive does not hold what "
			    "was written (at byte %llu)", name, (unsigned long long)got);
			goto out;
		}
		got += (uint64_t)n;
		r->done += (uint64_t)n;
	}
	if (got != me->size) {
		ops_err_set(err, OPS_E_FAIL, "'%s' is truncated (%llu of %llu bytes)",
		    name, (unsigned long long)got, (unsigned long long)me->size);
		goto out;
	}
	rc = 0;
out:
	window_drop(&w);
	return rc;
}

int
ops_archive_is_sqlite(const void *head, size_t len)
{
	return len >= OPS_SQLITE_HEADER_LEN &&
	    memcmp(head, "SQLite format 3", OPS_SQLITE_HEADER_LEN) == 0;
}

/* A member's kind is what its content says: one that starts with the
 * SQLite header is a database (checked as one, whatever the manifest calls
 * it); one the manifest calls a database must start with it. The entry's
 * kind is corrected in the manifest, so every caller's member_done sees
 * the content's verdict. In VERIFY mode a database found this way gets its
 * scratch copy like a labelled one. */
static int
decide_kind(struct reader *r, const struct ops_manifest_entry *me, const char *head,
    size_t n, const char *name, struct sink *s, struct sink_ctx *sc, int *sinking,
    struct ops_err *err)
{
	struct ops_manifest_entry *w = &r->m->v[me - r->m->v];
	int db = ops_archive_is_sqlite(head, n);

	if (!db && me->kind == OPS_KIND_SQLITE)
		return ops_err_set(err, OPS_E_FAIL,
		    "'%s': listed as a database but it is not one (no SQLite header)", name);
	if (!db || me->kind == OPS_KIND_SQLITE)
		return 0;
	w->kind = OPS_KIND_SQLITE;
	if (r->o->mode == OPS_AREAD_VERIFY && r->o->scratch && s->fd < 0 && !s->disk) {
		if (sink_open(r, me, name, 0, s, err) < 0)
			return -1;
		sc->r = r;
		sc->s = s;
		sc->name = name;
		ops_hasher_sink(r->h, sink_cb, sc);
		*sinking = 1;
	}
	return 0;
}

static int
read_member(struct reader *r, struct archive_entry *e, struct ops_err *err)
{
	const struct ops_archive_read_opts *o = r->o;
	const struct ops_manifest_entry *me = NULL;
	struct sink s = { -1, 0, 0, { 0 } };
	struct sink_ctx sc = { NULL, NULL, NULL, OPS_ERR_INIT };
	char name[OPS_MANIFEST_NAME_MAX + 2], hex[OPS_SHA256_HEX];
	uint64_t got = 0;
	int dir = 0, rc = -1, sinking = 0;

	(void)hex;

	if (check_entry(e, name, sizeof(name), &dir, err) < 0)
		return -1;
	if (!dir) {
		size_t i;

		me = ops_manifest_find(r->m, name);
		if (me == NULL)
			return ops_err_set(err, OPS_E_FAIL, "'%s' is not in the manifest", name);
		i = (size_t)(me - r->m->v);
		if (r->seen[i])
			return ops_err_set(err, OPS_E_FAIL, "'%s' appears twice", name);
		r->seen[i] = 1;
		if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0 ||
		    (uint64_t)archive_entry_size(e) != me->size)
			return ops_err_set(err, OPS_E_FAIL,
			    "'%s': size %lld, the manifest says %llu", name,
			    (long long)archive_entry_size(e), (unsigned long long)me->size);
		if (me->size > r->m->total - r->done)
			return ops_err_set(err, OPS_E_FAIL,
			    "'%s': more data than the manifest's total size", name);
	}
	if (sink_open(r, me, name, dir, &s, err) < 0)
		goto out;
	if (!dir && o->reference) {
		if (compare_member(r, me, name, err) < 0)
			goto out;
	} else if (!dir) {
		/* The hashing thread writes each block out and hashes it
		 * while this one decompresses the next. */
		sc.r = r;
		sc.s = &s;
		sc.name = name;
		if (s.disk || s.fd >= 0) {
			ops_hasher_sink(r->h, sink_cb, &sc);
			sinking = 1;
		}
		for (;;) {
			char *b = ops_hasher_buffer(r->h);
			la_ssize_t n = archive_read_data(r->a, b, BUFSZ);

			/* The first bytes decide what the member is, not its
			 * label: enough of them for the SQLite header. */
			while (got == 0 && n > 0 && (size_t)n < OPS_SQLITE_HEADER_LEN &&
			    (uint64_t)n < me->size) {
				la_ssize_t k = archive_read_data(r->a, b + n, BUFSZ - (size_t)n);

				if (k <= 0) {
					n = k < 0 ? k : n;
					break;
				}
				n += k;
			}
			if (got == 0 && n > 0 &&
			    decide_kind(r, me, b, (size_t)n, name, &s, &sc, &sinking, err) < 0) {
				ops_hasher_discard(r->h, b);
				goto out;
			}
			if (n <= 0) {
				ops_hasher_discard(r->h, b);
				if (n == 0)
					break;
				aerr(err, r->a, name);
				goto out;
			}
			got += (uint64_t)n;
			if (got > me->size) {
				ops_hasher_discard(r->h, b);
				ops_err_set(err, OPS_E_FAIL, "'%s': more data than its size", name);
				goto out;
			}
			ops_hasher_submit(r->h, b, (size_t)n);
			r->done += (uint64_t)n;
			if (o->progress)
				o->progress(o->ctx, r->done, r->m->total);
		}
		/* The digest of what was read (and resets the hasher, also
		 * after a short member). */
		if (ops_hasher_final(r->h, r->hex[me - r->m->v], err) < 0) {
			if (sc.err.code != OPS_E_NONE && err)
				*err = sc.err;
			goto out;
		}
		if (sinking) {
			ops_hasher_sink(r->h, NULL, NULL);
			sinking = 0;
		}
		if (got != me->size) {
			ops_err_set(err, OPS_E_FAIL, "'%s' is truncated (%llu of %llu bytes)",
			    name, (unsigned long long)got, (unsigned long long)me->size);
			goto out;
		}
	}
	if (sink_close(r, &s, 1, name, err) < 0)
		goto out;
	if (!dir && s.path[0] != '\0' && o->member_done &&
	    o->member_done(o->ctx, me, s.path, err) < 0)
		goto out;
	rc = 0;
out:
	if (sinking) {
		/* Drain the thread before sc goes out of scope. */
		ops_hasher_final(r->h, hex, NULL);
		ops_hasher_sink(r->h, NULL, NULL);
	}
	if (rc < 0)
		sink_close(r, &s, 0, name, NULL);
	sink_discard(&s);
	return rc;
}

static la_ssize_t
source_cb(struct archive *a, void *ctx, const void **buf)
{
	struct reader *r = ctx;
	ssize_t n = r->o->source(r->o->sctx, r->srcbuf, BUFSZ);

	if (n < 0) {
		archive_set_error(a, EIO, "the archive could not be read");
		return -1;
	}
	*buf = r->srcbuf;
	return n;
}

/* The ciphertext, for the age reader. */
static ssize_t
age_in(void *ctx, void *buf, size_t len, struct ops_err *err)
{
	struct reader *r = ctx;
	ssize_t n;

	if (r->o->source != NULL) {
		n = r->o->source(r->o->sctx, buf, len);
		if (n < 0)
			return ops_err_set(err, OPS_E_FAIL, "the archive could not be read");
		return n;
	}
	return ops_age_fd_read(&r->fd, buf, len, err);
}

/* The clear text, for libarchive. */
static la_ssize_t
age_cb(struct archive *a, void *ctx, const void **buf)
{
	struct reader *r = ctx;
	ssize_t n = ops_age_read(r->age, r->srcbuf, BUFSZ, NULL, &r->age_err);

	if (n < 0) {
		archive_set_error(a, EIO, "%s", r->age_err.msg);
		return -1;
	}
	*buf = r->srcbuf;
	return n;
}

int
ops_archive_read(const char *path, const struct ops_archive_read_opts *o,
    struct ops_manifest *m, struct ops_err *err)
{
	struct reader r = { .o = o, .m = m, .fd = -1 };
	enum ops_age_fail why = OPS_AGE_OK;
	struct archive_entry *e;
	struct stat st;
	mode_t oldmask = 0;
	int fd = -1, cwd = -1, masked = 0, rc = -1, h, sha_seen = 0;

	if (o->source == NULL) {
		fd = open(path, O_RDONLY | O_CLOEXEC | (o->nofollow ? O_NOFOLLOW : 0));
		if (fd < 0)
			return ops_err_sys(err, errno == ELOOP && o->nofollow ? 0 : errno,
			    errno == ELOOP && o->nofollow ? "refusing '%s': it is a symlink" :
			    "unable to open '%s'", path);
		if (fstat(fd, &st) < 0) {
			ops_err_sys(err, errno, "unable to stat '%s'", path);
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			ops_err_set(err, OPS_E_FAIL, "'%s' is not a regular file", path);
			goto out;
		}
		if (o->identities == NULL) {
			char head[32];
			ssize_t k = pread(fd, head, sizeof(head), 0);

			if (k > 0 && ops_age_sniff(head, (size_t)k)) {
				ops_err_set(err, OPS_E_NOENT, "'%s' is encrypted (age): reading "
				    "it needs the identity (--identity FILE or "
				    "backup.identity_file)", path);
				if (err != NULL)
					err->sys_errno = ENOKEY;
				goto out;
			}
		}
	}
	r.fd = fd;
	r.a = archive_read_new();
	if (r.a == NULL || ((o->source || o->identities) &&
	    (r.srcbuf = malloc(BUFSZ)) == NULL) ||
	    (o->reference && ((r.buf = malloc(BUFSZ)) == NULL ||
	    (r.cmp = malloc(BUFSZ)) == NULL))) {
		ops_err_sys(err, ENOMEM, "unable to read '%s'", path);
		goto out;
	}
	if (o->mode != OPS_AREAD_MANIFEST && !o->reference &&
	    ops_hasher_start(&r.h, 4, BUFSZ, err) < 0)
		goto out;
	if (o->identities != NULL && ops_age_reader_open(&r.age, o->identities, age_in,
	    &r, &why, err) < 0) {
		ops_err_prefix(err, "unable to decrypt '%s'", path);
		/* Not the archive's fault: the key for it is missing. */
		if (why == OPS_AGE_NO_MATCH && err != NULL)
			err->sys_errno = ENOKEY;
		goto out;
	}
	/* Only what ops-backup writes: tar, raw or zstd or gzip. */
	if (archive_read_support_format_tar(r.a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(r.a) != ARCHIVE_OK ||
	    archive_read_support_filter_gzip(r.a) != ARCHIVE_OK ||
	    (r.age ? archive_read_open(r.a, &r, NULL, age_cb, NULL) :
	    o->source ? archive_read_open(r.a, &r, NULL, source_cb, NULL) :
	    archive_read_open_fd(r.a, fd, BUFSZ)) != ARCHIVE_OK) {
		aerr(err, r.a, "unable to read the archive");
		goto out;
	}
	if (read_json(&r, err) < 0)
		goto out;
	if (o->mode == OPS_AREAD_MANIFEST) {
		rc = 0;
		goto out;
	}
	r.seen = calloc(m->n ? m->n : 1, 1);
	r.hex = calloc(m->n ? m->n : 1, sizeof(*r.hex));
	if (r.seen == NULL || r.hex == NULL) {
		ops_err_sys(err, errno, "unable to read '%s'", path);
		goto out;
	}
	if (o->mode == OPS_AREAD_EXTRACT) {
		if (o->dest == NULL || o->dest[0] != '/') {
			ops_err_set(err, OPS_E_FAIL, "extraction needs an absolute directory");
			goto out;
		}
		r.disk = archive_write_disk_new();
		if (r.disk == NULL ||
		    archive_write_disk_set_options(r.disk, ARCHIVE_EXTRACT_SECURE_SYMLINKS |
		    ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS |
		    ARCHIVE_EXTRACT_NO_OVERWRITE | ARCHIVE_EXTRACT_TIME) != ARCHIVE_OK) {
			aerr(err, r.disk, "unable to extract");
			goto out;
		}
		/* libarchive extracts relative to the working directory: work
		 * in dest, and come back whatever happens. Parents it creates
		 * itself get 0700 through the umask. */
		cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cwd < 0 || chdir(o->dest) < 0) {
			ops_err_sys(err, errno, "unable to enter '%s'", o->dest);
			goto out;
		}
		oldmask = umask(077);
		masked = 1;
	}
	while ((h = next_header(&r, &e, err)) == 1) {
		const char *p = archive_entry_pathname(e);

		if (sha_seen) {
			ops_err_set(err, OPS_E_FAIL, "'%s' after " OPS_MANIFEST_SHA256, p ? p : "?");
			goto out;
		}
		if (p && strcmp(p, OPS_MANIFEST_SHA256) == 0) {
			if (read_sha(&r, e, err) < 0)
				goto out;
			sha_seen = 1;
		} else if (read_member(&r, e, err) < 0) {
			goto out;
		}
	}
	if (h < 0)
		goto out;
	for (size_t i = 0; i < m->n; i++) {
		if (!r.seen[i]) {
			ops_err_set(err, OPS_E_FAIL, "'%s' is in the manifest but not in the archive",
			    m->v[i].name);
			goto out;
		}
	}
	if (!sha_seen) {
		ops_err_set(err, OPS_E_FAIL, "no " OPS_MANIFEST_SHA256 " at the end of the archive");
		goto out;
	}
	/* Every member's data against the hash MANIFEST.sha256 gives it (a
	 * comparison with a reference stands for the hash). */
	for (size_t i = 0; i < m->n && !o->reference; i++) {
		if (strcmp(r.hex[i], m->v[i].sha256) != 0) {
			ops_err_set(err, OPS_E_FAIL, "'%s': sha256 mismatch (archive %.12s..., "
			    "manifest %.12s...)", m->v[i].name, r.hex[i], m->v[i].sha256);
			goto out;
		}
	}
	/* An encrypted archive is authenticated to its last chunk: what
	 * follows the tar's end (padding) is read too, or a cut or altered
	 * end would go unseen. */
	if (r.age != NULL) {
		ssize_t k;

		while ((k = ops_age_read(r.age, r.srcbuf, BUFSZ, NULL, &r.age_err)) > 0)
			;
		if (k < 0) {
			*err = r.age_err;
			ops_err_prefix(err, "unable to decrypt '%s'", path);
			goto out;
		}
	}
	if (archive_read_close(r.a) != ARCHIVE_OK) {
		aerr(err, r.a, "unable to read the archive");
		goto out;
	}
	if (r.disk && archive_write_close(r.disk) != ARCHIVE_OK) {
		aerr(err, r.disk, "unable to extract");
		goto out;
	}
	rc = 0;
out:
	/* Freed while still in dest: libarchive applies deferred directory
	 * fixups relative to the working directory. */
	if (r.disk)
		archive_write_free(r.disk);
	if (masked)
		umask(oldmask);
	if (cwd >= 0) {
		if (fchdir(cwd) < 0 && rc == 0)
			rc = ops_err_sys(err, errno, "unable to return to the working directory");
		close(cwd);
	}
	if (r.a)
		archive_read_free(r.a);
	ops_age_reader_free(r.age);
	ops_hasher_stop(r.h);
	free(r.seen);
	free(r.hex);
	free(r.srcbuf);
	free(r.buf);
	free(r.cmp);
	if (fd >= 0)
		close(fd);
	return rc;
}
