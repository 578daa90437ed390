/* Unit tests for ops_logcut on real files: the in-place cut (collapse when
 * the filesystem of $TMPDIR supports it), the copy fallback, and the
 * refusal when a writer without O_APPEND holds the file. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ops.h"
#include "unit.h"

/* CHECK with the case named in the message. */
#define CHECKM(cond, ...) do {						\
	unit_case(__VA_ARGS__);						\
	CHECK(cond);							\
	unit_case("%s", "");						\
} while (0)

static char *workdir;

/* 20000 lines of varying length: "line N xxx...\n" */
static size_t
make_log(const char *path, char **content)
{
	FILE *f = fopen(path, "w");
	size_t len;

	for (int i = 1; i <= 20000; i++)
		fprintf(f, "line %d %.*s\n", i, i % 97, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	fclose(f);
	if (ops_fs_read_file(path, 1 << 26, content, &len, NULL) < 0)
		exit(1);
	return len;
}

static char *
slurp(const char *path, size_t *len)
{
	char *s = NULL;

	if (ops_fs_read_file(path, 1 << 26, &s, len, NULL) < 0)
		exit(1);
	return s;
}

static size_t
count_lines(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += s[i] == '\n';
	return c;
}

static void
test_cut(int flags)
{
	struct ops_cut_result res;
	struct ops_err err = OPS_ERR_INIT;
	char path[300], *orig, *now;
	size_t olen, nlen, keep = 100, body;
	const char *nl;

	snprintf(path, sizeof(path), "%s/cut.log", workdir);
	olen = make_log(path, &orig);
	CHECKM(ops_logcut(path, keep, flags, &res, &err) == 0, "cut: %s", err.msg);
	now = slurp(path, &nlen);
	CHECKM(res.before == olen, "before %llu", (unsigned long long)res.before);
	CHECKM(res.removed > 0 && res.removed + nlen == olen, "removed %llu + %zu != %zu",
	    (unsigned long long)res.removed, nlen, olen);
	CHECKM(memchr(now, '\0', nlen) == NULL, "no NUL byte");
	CHECKM(count_lines(now, nlen) >= keep, "at least %zu lines kept", keep);
	if (res.method == OPS_CUT_COPY) {
		CHECKM(count_lines(now, nlen) == keep, "exactly %zu lines: %zu", keep,
		    count_lines(now, nlen));
		CHECKM(memcmp(now, orig + olen - nlen, nlen) == 0, "the tail, byte for byte");
	} else {
		CHECKM(res.method == OPS_CUT_COLLAPSE, "method %d", res.method);
		CHECKM(res.removed % 512 == 0, "block aligned: %llu",
		    (unsigned long long)res.removed);
		/* after the first line (maybe a marker), the original bytes */
		nl = memchr(now, '\n', nlen);
		body = nlen - (size_t)(nl + 1 - now);
		CHECKM(memcmp(nl + 1, orig + olen - body, body) == 0, "the tail, byte for byte");
		CHECKM(count_lines(now, nlen) - 1 <= keep + 4096 / 6, "a block's worth at most");
		if (orig[res.removed - 1] != '\n')
			CHECKM(strncmp(now, "[ops-rotate]", 12) == 0 ||
			    strspn(now, "[ops-rotate] cut: earlier lines removed") ==
			    (size_t)(nl - now), "the fragment became a marker: %.40s", now);
	}
	free(orig);
	free(now);
	/* a second cut finds less than a block to remove */
	CHECKM(ops_logcut(path, keep * 10, flags, &res, &err) == 0, "recut: %s", err.msg);
	CHECKM(res.method == OPS_CUT_NONE, "nothing to do: %d", res.method);
	unlink(path);
}

static void
test_refuse(void)
{
	struct ops_cut_result res;
	struct ops_err err = OPS_ERR_INIT;
	char path[300], *orig, *now, c;
	size_t olen, nlen;
	int p[2], status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/refuse.log", workdir);
	olen = make_log(path, &orig);
	if (pipe(p) < 0)
		exit(1);
	pid = fork();
	if (pid == 0) {	/* a writer without O_APPEND, until the pipe closes */
		int fd = open(path, O_WRONLY);

		close(p[0]);
		(void)!write(p[1], "r", 1);
		close(p[1]);
		pause();
		_exit(fd < 0);
	}
	close(p[1]);
	(void)!read(p[0], &c, 1);
	close(p[0]);
	CHECKM(ops_logcut(path, 100, 0, &res, &err) < 0, "refused");
	CHECKM(res.refused, "refused flag");
	CHECKM(strstr(err.msg, "without O_APPEND") != NULL, "reason: %s", err.msg);
	now = slurp(path, &nlen);
	CHECKM(nlen == olen && memcmp(now, orig, olen) == 0, "left alone");
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	free(orig);
	free(now);
	unlink(path);
}

int
main(void)
{
	workdir = unit_tmpdir();
	test_cut(0);
	test_cut(OPS_CUT_FORCE_COPY);
	test_refuse();
	unit_cleanup(workdir);
	return unit_done();
}
