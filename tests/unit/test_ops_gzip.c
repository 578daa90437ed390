/* Unit tests for ops_gzip: round trip, mode and mtime, never replacing an
 * existing .gz, and telling a different .gz apart. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops.h"
#include "unit.h"

/* CHECK with the case named in the message. */
#define CHECKM(cond, ...) do {						\
	unit_case(__VA_ARGS__);						\
	CHECK(cond);							\
	unit_case("%s", "");						\
} while (0)

int
main(void)
{
	char *dir, src[300], gz[300], cmd[700];
	struct ops_gzip_info info;
	struct ops_err err = OPS_ERR_INIT;
	struct timespec times[2] = { { 1000000000, 0 }, { 1234567890, 0 } };
	struct stat st;
	FILE *f;

	dir = unit_tmpdir();
	snprintf(src, sizeof(src), "%s/a.log", dir);
	snprintf(gz, sizeof(gz), "%s/a.log.gz", dir);
	f = fopen(src, "w");
	for (int i = 0; i < 50000; i++)
		fprintf(f, "%d some log text %x\n", i, (unsigned)i * 2654435761u);
	fclose(f);
	utimensat(AT_FDCWD, src, times, 0);

	CHECKM(ops_gzip_file(src, gz, 6, 0, &info, &err) == 0, "compress: %s", err.msg);
	CHECKM(stat(gz, &st) == 0 && (st.st_mode & 07777) == 0600, "mode 0600");
	CHECKM(st.st_mtim.tv_sec == 1234567890, "mtime kept: %ld", (long)st.st_mtim.tv_sec);
	CHECKM(info.out_bytes == (uint64_t)st.st_size && info.out_bytes > 0 &&
	    info.out_bytes < (uint64_t)info.src.st_size / 2, "sizes");
	CHECKM(ops_gzip_same(gz, src, &err) == 1, "same: %s", err.msg);
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s' | cmp -s - '%s'", gz, src);
	CHECKM(system(cmd) == 0, "gzip -d gives back the bytes");

	/* never replaced */
	ops_err_clear(&err);
	CHECKM(ops_gzip_file(src, gz, 6, 0, &info, &err) < 0 && err.sys_errno == EEXIST,
	    "existing .gz: %s", err.msg);
	/* a different source: not the same; a longer or shorter one neither */
	f = fopen(src, "a");
	fputs("one more line\n", f);
	fclose(f);
	CHECKM(ops_gzip_same(gz, src, &err) == 0, "appended source differs");
	CHECKM(truncate(src, 100) == 0, "truncate");
	CHECKM(ops_gzip_same(gz, src, &err) == 0, "shorter source differs");
	/* a plain file named .gz is not a gzip file */
	CHECKM(rename(src, gz) == 0, "rename");
	f = fopen(src, "w");
	fputs("0 some log text 0\n", f);
	fclose(f);
	CHECKM(ops_gzip_same(gz, src, &err) == 0, "not gzip: %s", err.msg);
	/* no temporary file left behind */
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -q tmp", dir);
	CHECKM(system(cmd) != 0, "no temporary file");
	/* symlinks are refused */
	unlink(gz);
	snprintf(cmd, sizeof(cmd), "%s/link.log", dir);
	CHECKM(symlink(src, cmd) == 0, "symlink");
	CHECKM(ops_gzip_file(cmd, gz, 6, 0, &info, &err) < 0, "symlink refused");
	CHECKM(access(gz, F_OK) < 0, "no .gz for a symlink");
	unit_cleanup(dir);
	return unit_done();
}
