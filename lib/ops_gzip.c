#include "ops_gzip.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_fs.h"

#define BUFSZ (256 * 1024)

static int
read_some(int fd, char *buf, size_t len, ssize_t *got)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	*got = n;
	return n < 0 ? -1 : 0;
}

/* The archive's error, with strerror of its errno when it has one
 * (libarchive says "Write error" for ENOSPC). */
static int
archive_fail(struct ops_err *err, struct archive *a, const char *what,
    const char *path)
{
	const char *s = archive_error_string(a);
	int e = archive_errno(a);

	if (e > 0)
		return ops_err_sys(err, e, "unable to %s '%s': %s", what, path,
		    s ? s : "archive error");
	return ops_err_set(err, OPS_E_FAIL, "unable to %s '%s': %s", what, path,
	    s ? s : "archive error");
}

/* Stream fd into the archive; the archive error or errno goes to err. */
static int
deflate_fd(struct archive *a, int fd, const char *src, char *buf,
    struct ops_err *err)
{
	ssize_t n;

	for (;;) {
		if (read_some(fd, buf, BUFSZ, &n) < 0)
			return ops_err_sys(err, errno, "unable to read '%s'", src);
		if (n == 0)
			return 0;
		if (archive_write_data(a, buf, (size_t)n) != n)
			return archive_fail(err, a, "compress", src);
	}
}

static int
write_gz(int in, int out, const char *src, const char *tmp, int level,
    const struct stat *st, struct ops_err *err)
{
	struct archive *a = NULL;
	struct archive_entry *e = NULL;
	char lvl[2] = { (char)('0' + (level < 1 || level > 9 ? 6 : level)), '\0' };
	char *buf = NULL;
	int rc = -1;

	buf = malloc(BUFSZ);
	a = archive_write_new();
	e = archive_entry_new();
	if (buf == NULL || a == NULL || e == NULL) {
		ops_err_sys(err, ENOMEM, "unable to compress '%s'", src);
		goto out;
	}
	/* No blocking and no padding: the output is exactly the gzip stream.
	 * No timestamp in the header: the file's own mtime carries it. */
	if (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_set_format_raw(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "compression-level", lvl) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(a, out) != ARCHIVE_OK)
		goto aerr;
	archive_entry_set_pathname(e, "data");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, st->st_size);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		goto aerr;
	if (deflate_fd(a, in, src, buf, err) < 0)
		goto out;
	if (archive_write_close(a) != ARCHIVE_OK)
		goto aerr;
	rc = 0;
	goto out;
aerr:
	archive_fail(err, a, "write", tmp);
out:
	archive_entry_free(e);
	if (a != NULL)
		archive_write_free(a);
	free(buf);
	return rc;
}

int
ops_gzip_file(const char *src, const char *dst, int level, int flags,
    struct ops_gzip_info *info, struct ops_err *err)
{
	char tmp[PATH_MAX];
	struct stat st, st2;
	struct timespec times[2];
	int in = -1, out = -1, rc = -1;

	tmp[0] = '\0';
	if (info != NULL)
		memset(info, 0, sizeof(*info));
	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (in < 0)
		return ops_err_sys(err, errno, errno == ELOOP ?
		    "refusing to compress '%s' (a symlink)" : "unable to open '%s'", src);
	if (fstat(in, &st) < 0) {
		ops_err_sys(err, errno, "unable to stat '%s'", src);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ops_err_set(err, OPS_E_FAIL, "'%s' is not a regular file", src);
		goto out;
	}
	if (lstat(dst, &st2) == 0) {
		ops_err_set(err, OPS_E_FAIL, "'%s' already exists", dst);
		err->sys_errno = EEXIST;
		goto out;
	}
	(void)posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (snprintf(tmp, sizeof(tmp), "%s" OPS_GZIP_TMP_GLOB, dst) >= (int)sizeof(tmp)) {
		tmp[0] = '\0';
		ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", dst);
		goto out;
	}
	memcpy(tmp + strlen(tmp) - 6, "XXXXXX", 6);
	out = mkostemp(tmp, O_CLOEXEC);	/* mode 0600 */
	if (out < 0) {
		ops_err_sys(err, errno, "unable to create a temporary file for '%s'", dst);
		tmp[0] = '\0';
		goto out;
	}
	if (write_gz(in, out, src, tmp, level, &st, err) < 0)
		goto out;
	/* A writer that appended meanwhile would lose its lines with the
	 * original: refuse rather than delete them later. */
	if (fstat(in, &st2) < 0) {
		ops_err_sys(err, errno, "unable to stat '%s'", src);
		goto out;
	}
	if (st2.st_size != st.st_size || st2.st_mtim.tv_sec != st.st_mtim.tv_sec ||
	    st2.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
		ops_err_set(err, OPS_E_FAIL, "'%s' changed while it was compressed "
		    "(a writer is still using it)", src);
		if (info != NULL)
			info->changed = 1;
		goto out;
	}
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	if (futimens(out, times) < 0 || fchmod(out, 0600) < 0) {
		ops_err_sys(err, errno, "unable to set the times of '%s'", tmp);
		goto out;
	}
	if (fsync(out) < 0) {
		ops_err_sys(err, errno, "unable to fsync '%s'", tmp);
		goto out;
	}
	if (fstat(out, &st2) < 0) {
		ops_err_sys(err, errno, "unable to stat '%s'", tmp);
		goto out;
	}
	if (close(out) < 0) {
		out = -1;
		ops_err_sys(err, errno, "unable to close '%s'", tmp);
		goto out;
	}
	out = -1;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE) < 0) {
		if (errno != EINVAL && errno != ENOSYS) {
			ops_err_sys(err, errno, "unable to rename '%s' to '%s'", tmp, dst);
			goto out;
		}
		/* no RENAME_NOREPLACE here: link(2) never replaces either */
		if (link(tmp, dst) < 0) {
			ops_err_sys(err, errno, "unable to link '%s' to '%s'", tmp, dst);
			goto out;
		}
		unlink(tmp);
	}
	tmp[0] = '\0';
	if (!(flags & OPS_GZIP_NO_DIRSYNC) && ops_fs_fsync_dir(dst, 0, err) < 0)
		goto out;
	if (info != NULL) {
		info->src = st;
		info->out_bytes = (uint64_t)st2.st_size;
	}
	rc = 0;
out:
	if (out >= 0)
		close(out);
	if (tmp[0] != '\0')
		unlink(tmp);
	if (in >= 0)
		close(in);
	return rc;
}

int
ops_gzip_same(const char *gz, const char *file, struct ops_err *err)
{
	struct archive *a = NULL;
	struct archive_entry *e;
	char *buf = NULL, *fbuf = NULL;
	int gfd = -1, fd = -1, rc = -1;

	fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", file);
	buf = malloc(BUFSZ);
	fbuf = malloc(BUFSZ);
	a = archive_read_new();
	if (buf == NULL || fbuf == NULL || a == NULL) {
		ops_err_sys(err, ENOMEM, "unable to read '%s'", gz);
		goto out;
	}
	rc = 0;
	gfd = open(gz, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (gfd < 0) {
		ops_err_sys(err, errno, "unable to open '%s'", gz);
		goto out;
	}
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_format_raw(a) != ARCHIVE_OK ||
	    archive_read_open_fd(a, gfd, BUFSZ) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK)
		goto aerr;
	if (archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP) {
		ops_err_set(err, OPS_E_FAIL, "'%s' is not a gzip file", gz);
		goto out;
	}
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, BUFSZ);
		ssize_t m = 0, got;

		if (n < 0)
			goto aerr;
		while (m < n) {	/* the same number of bytes from the file */
			if (read_some(fd, fbuf + m, (size_t)(n - m), &got) < 0) {
				rc = ops_err_sys(err, errno, "unable to read '%s'", file);
				goto out;
			}
			if (got == 0)
				break;
			m += got;
		}
		if (n == 0) {	/* the file must end here too */
			if (read_some(fd, fbuf, 1, &got) < 0) {
				rc = ops_err_sys(err, errno, "unable to read '%s'", file);
				goto out;
			}
			m = got > 0 ? -1 : 0;
		}
		if (m != n || memcmp(buf, fbuf, (size_t)n) != 0) {
			ops_err_set(err, OPS_E_FAIL, "'%s' differs from '%s'", gz, file);
			goto out;
		}
		if (n == 0)
			break;
	}
	rc = 1;
	goto out;
aerr:
	archive_fail(err, a, "read", gz);
	err->code = OPS_E_FAIL;
out:
	if (a != NULL)
		archive_read_free(a);
	if (gfd >= 0)
		close(gfd);
	close(fd);
	free(buf);
	free(fbuf);
	return rc;
}
