/* unit.h: the few macros every tests/unit/test_ops_*.c program uses.
 *
 * Each CHECK/EQ_* counts a pass or a failure; a failure prints
 * "file:line: what was expected" (and the current case, see unit_case) on
 * stderr. main ends with `return unit_done();`, which prints the line CI
 * recognises, "N passed, M failed", and returns 1 when anything failed. */
#ifndef UNIT_H
#define UNIT_H

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int unit_pass, unit_fail;
static char unit_what[512];	/* the table case being run, for messages */

/* Name the case that the following checks are about ("" to clear). */
static inline void __attribute__((format(printf, 1, 2)))
unit_case(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(unit_what, sizeof(unit_what), fmt, ap);
	va_end(ap);
}

static inline void __attribute__((format(printf, 3, 4)))
unit_failed(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	unit_fail++;
	fprintf(stderr, "%s:%d: ", file, line);
	if (unit_what[0] != '\0')
		fprintf(stderr, "[%s] ", unit_what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define CHECK(cond) do { \
	if (cond) \
		unit_pass++; \
	else \
		unit_failed(__FILE__, __LINE__, "CHECK(%s) failed", #cond); \
} while (0)

#define EQ_INT(got, want) do { \
	long long unit_g_ = (long long)(got), unit_w_ = (long long)(want); \
	if (unit_g_ == unit_w_) \
		unit_pass++; \
	else \
		unit_failed(__FILE__, __LINE__, "%s is %lld, expected %lld", \
		    #got, unit_g_, unit_w_); \
} while (0)

#define EQ_U64(got, want) do { \
	unsigned long long unit_g_ = (unsigned long long)(got); \
	unsigned long long unit_w_ = (unsigned long long)(want); \
	if (unit_g_ == unit_w_) \
		unit_pass++; \
	else \
		unit_failed(__FILE__, __LINE__, "%s is %llu, expected %llu", \
		    #got, unit_g_, unit_w_); \
} while (0)

/* Doubles equal within eps (NAN equals NAN). */
#define EQ_DBL(got, want, eps) do { \
	double unit_g_ = (got), unit_w_ = (want); \
	if ((isnan(unit_g_) && isnan(unit_w_)) || fabs(unit_g_ - unit_w_) <= (eps)) \
		unit_pass++; \
	else \
		unit_failed(__FILE__, __LINE__, "%s is %.9g, expected %.9g", \
		    #got, unit_g_, unit_w_); \
} while (0)

#define EQ_STR(got, want) do { \
	const char *unit_g_ = (got), *unit_w_ = (want); \
	if ((unit_g_ == NULL && unit_w_ == NULL) || \
	    (unit_g_ != NULL && unit_w_ != NULL && strcmp(unit_g_, unit_w_) == 0)) \
		unit_pass++; \
	else \
		unit_failed(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", \
		    #got, unit_g_ ? unit_g_ : "(null)", unit_w_ ? unit_w_ : "(null)"); \
} while (0)

/* got contains the substring want. */
#define HAS_STR(got, want) do { \
	const char *unit_g_ = (got), *unit_w_ = (want); \
	if (unit_g_ != NULL && strstr(unit_g_, unit_w_) != NULL) \
		unit_pass++; \
	else \
		unit_failed(__FILE__, __LINE__, "%s is \"%s\", expected it to contain \"%s\"", \
		    #got, unit_g_ ? unit_g_ : "(null)", unit_w_); \
} while (0)

static inline int
unit_done(void)
{
	printf("%d passed, %d failed\n", unit_pass, unit_fail);
	return unit_fail ? 1 : 0;
}

/* A fresh directory under $TMPDIR (or /tmp) the caller frees; exits on
 * failure since no test can run without it. */
static inline char *
unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (asprintf(&dir, "%s/ops-unit.XXXXXX", base) < 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "unable to create a temporary directory: %s\n",
		    strerror(errno));
		exit(2);
	}
	return dir;
}

/* dir/name in one of four buffers used in turn (a call may take up to
 * four paths); exits when it does not fit. */
static inline char *
unit_path(const char *dir, const char *name)
{
	static char buf[4][4096];
	static int i;

	i = (i + 1) % 4;
	if (snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name) >= (int)sizeof(buf[i])) {
		fprintf(stderr, "path too long: %s/%s\n", dir, name);
		exit(2);
	}
	return buf[i];
}

static inline int
unit_rm_one(const char *name, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(name);
}

/* Remove the tree at path when every check passed; keep it (and say where)
 * otherwise so the evidence can be read. Frees path. */
static inline void
unit_cleanup(char *dir)
{
	if (dir == NULL)
		return;
	if (unit_fail == 0)
		nftw(dir, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		fprintf(stderr, "work directory kept: %s\n", dir);
	free(dir);
}

/* Write a small file (test fixtures); exits on failure. */
static inline void
unit_write(const char *file, const char *text)
{
	FILE *f = fopen(file, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		fprintf(stderr, "unable to write '%s': %s\n", file, strerror(errno));
		exit(2);
	}
}

#endif
