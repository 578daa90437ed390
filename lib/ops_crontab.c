#include "ops_crontab.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops_fs.h"
#include "ops_run.h"

/* ---- text ------------------------------------------------------------ */

/* A value for an entry: quoted for sh, '%' escaped for cron. */
static int
put_value(struct ops_buf *out, const char *name, const char *value,
    struct ops_err *err)
{
	struct ops_buf q = OPS_BUF_INIT;

	if (strpbrk(value, "\n\r") != NULL || strstr(value, "\\%") != NULL)
		return ops_err_set(err, OPS_E_USAGE,
		    "%s '%s' cannot be written in a crontab", name, value);
	ops_buf_shquote(&q, value);
	for (const char *p = ops_buf_str(&q); *p; p++) {
		if (*p == '%')
			ops_buf_add(out, "\\", 1);
		ops_buf_add(out, p, 1);
	}
	ops_buf_release(&q);
	return 0;
}


/* Is [s, s+n) (one line, its newline included) the marker, alone or
 * followed by a space and a home, give or take surrounding blanks? The
 * home (NUL-terminated, "" for a bare marker) goes to home. */
static int
is_marker(const char *s, size_t n, const char *marker, char *home, size_t hlen)
{
	size_t m = strlen(marker);

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	if (n < m || memcmp(s, marker, m) != 0 || (n > m && s[m] != ' '))
		return 0;
	s += m;
	n -= m;
	while (n > 0 && *s == ' ') {
		s++;
		n--;
	}
	if (n >= hlen)
		n = hlen - 1;
	memcpy(home, s, n);
	home[n] = '\0';
	return 1;
}

static size_t
line_end(const char *s, size_t len, size_t at)
{
	const char *nl = memchr(s + at, '\n', len - at);

	return nl ? (size_t)(nl - s) + 1 : len;
}

/* Does the bare-marker block [b, e) run the programs for home? Its
 * entries set DHARMIC_HOME=HOME (quoted as render writes it). */
static int
legacy_for(const char *table, size_t b, size_t e, const char *home)
{
	struct ops_buf want = OPS_BUF_INIT;
	struct ops_err err = OPS_ERR_INIT;
	int yes = 0;

	ops_buf_puts(&want, "DHARMIC_HOME=");
	if (put_value(&want, "the home", home, &err) < 0 || want.oom)
		goto out;
	ops_buf_puts(&want, " ");
	yes = memmem(table + b, e - b, want.s, want.len) != NULL;
out:
	ops_buf_release(&want);
	return yes;
}

int
ops_crontab_blocks(const char *table, size_t len, struct ops_cron_block *v,
    size_t max, size_t *n, struct ops_err *err)
{
	size_t at, next, lineno = 0, bline = 0;
	char home[OPS_CRON_HOME_MAX], ehome[OPS_CRON_HOME_MAX];
	int open = 0;

	*n = 0;
	for (at = 0; at < len; at = next) {
		next = line_end(table, len, at);
		lineno++;
		if (is_marker(table + at, next - at, OPS_CRONTAB_BEGIN, home, sizeof(home))) {
			if (open)
				return ops_err_set(err, OPS_E_FAIL, "crontab line %zu: a second '"
				    OPS_CRONTAB_BEGIN "' before '" OPS_CRONTAB_END
				    "'; fix it by hand", lineno);
			for (size_t i = 0; i < *n; i++)
				if (strcmp(v[i].home, home) == 0)
					return ops_err_set(err, OPS_E_FAIL, "crontab line %zu: "
					    "more than one dharmic-ops block%s%s; fix it by hand",
					    lineno, home[0] ? " for " : "", home);
			if (*n == max)
				return ops_err_set(err, OPS_E_FAIL, "crontab line %zu: more than"
				    " %zu dharmic-ops blocks", lineno, max);
			open = 1;
			bline = lineno;
			v[*n].begin = at;
			memcpy(v[*n].home, home, sizeof(home));
		} else if (is_marker(table + at, next - at, OPS_CRONTAB_END, ehome,
		    sizeof(ehome))) {
			if (!open)
				return ops_err_set(err, OPS_E_FAIL, "crontab line %zu: '"
				    OPS_CRONTAB_END "' without '" OPS_CRONTAB_BEGIN
				    "'; fix it by hand", lineno);
			if (strcmp(ehome, v[*n].home) != 0)
				return ops_err_set(err, OPS_E_FAIL, "crontab line %zu: the '"
				    OPS_CRONTAB_END "' line names another home than line %zu;"
				    " fix it by hand", lineno, bline);
			open = 0;
			v[(*n)++].end = next;
		}
	}
	if (open)
		return ops_err_set(err, OPS_E_FAIL, "crontab line %zu: '" OPS_CRONTAB_BEGIN
		    "' without '" OPS_CRONTAB_END "'; fix it by hand", bline);
	return 0;
}

int
ops_crontab_find(const char *table, size_t len, const char *home, size_t *begin,
    size_t *end, struct ops_err *err)
{
	struct ops_cron_block *v;
	size_t n = 0;
	int rc = 0;

	if ((v = calloc(OPS_CRON_BLOCKS_MAX, sizeof(*v))) == NULL)
		return ops_err_sys(err, ENOMEM, "unable to read the crontab");
	if (ops_crontab_blocks(table, len, v, OPS_CRON_BLOCKS_MAX, &n, err) < 0) {
		rc = -1;
		goto out;
	}
	/* The home's own block; else a block from before the markers named
	 * the home (one home per user then) that runs it: it is migrated. */
	for (size_t pass = 0; pass < 2 && rc == 0; pass++)
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (home == NULL ? pass == 0 : pass == 0 ?
			    strcmp(v[i].home, home) != 0 :
			    v[i].home[0] != '\0' || !legacy_for(table, v[i].begin, v[i].end, home))
				continue;
			*begin = v[i].begin;
			*end = v[i].end;
			rc = 1;
		}
out:
	free(v);
	return rc;
}

/* out = a + b, with a final newline when the result is not empty. */
static int
join(struct ops_buf *out, const char *a, size_t alen, const char *b, size_t blen,
    struct ops_err *err)
{
	ops_buf_reset(out);
	ops_buf_add(out, a, alen);
	if (alen > 0 && a[alen - 1] != '\n' && blen > 0)
		ops_buf_add(out, "\n", 1);
	ops_buf_add(out, b, blen);
	if (out->len > 0 && out->s[out->len - 1] != '\n')
		ops_buf_add(out, "\n", 1);
	if (out->oom)
		return ops_err_sys(err, ENOMEM, "unable to edit the crontab");
	return 0;
}

int
ops_crontab_merge(const char *table, size_t len, const char *home, const char *block,
    struct ops_buf *out, struct ops_err *err)
{
	struct ops_buf mid = OPS_BUF_INIT;
	size_t b, e;
	int rc;

	switch (ops_crontab_find(table, len, home, &b, &e, err)) {
	case 0:
		return join(out, table, len, block, strlen(block), err);
	case 1:
		ops_buf_add(&mid, table, b);
		ops_buf_puts(&mid, block);
		rc = mid.oom ? ops_err_sys(err, ENOMEM, "unable to edit the crontab") :
		    join(out, mid.s, mid.len, table + e, len - e, err);
		ops_buf_release(&mid);
		return rc;
	default:
		return -1;
	}
}

int
ops_crontab_remove(const char *table, size_t len, const char *home,
    struct ops_buf *out, struct ops_err *err)
{
	size_t b, e;

	switch (ops_crontab_find(table, len, home, &b, &e, err)) {
	case 0:
		ops_buf_reset(out);
		ops_buf_add(out, table, len);
		return out->oom ? ops_err_sys(err, ENOMEM, "unable to edit the crontab") : 0;
	case 1:
		return join(out, table, b, table + e, len - e, err) < 0 ? -1 : 1;
	default:
		return -1;
	}
}

static int
render_entry(struct ops_buf *out, const char *s, size_t n, const char *bindir,
    const char *home, struct ops_err *err)
{
	static const char pb[] = "@BINDIR@", ph[] = "@DHARMIC_HOME@";

	for (size_t i = 0; i < n; i++) {
		if (n - i >= sizeof(pb) - 1 && memcmp(s + i, pb, sizeof(pb) - 1) == 0) {
			if (put_value(out, "the program directory", bindir, err) < 0)
				return -1;
			i += sizeof(pb) - 2;
		} else if (n - i >= sizeof(ph) - 1 &&
		    memcmp(s + i, ph, sizeof(ph) - 1) == 0) {
			if (put_value(out, "the home", home, err) < 0)
				return -1;
			i += sizeof(ph) - 2;
		} else {
			if (s[i] == '%' && (i == 0 || s[i - 1] != '\\'))
				ops_buf_add(out, "\\", 1);
			ops_buf_add(out, s + i, 1);
		}
	}
	return 0;
}

int
ops_crontab_render(const char *tmpl, const char *bindir, const char *home,
    struct ops_buf *out, struct ops_err *err)
{
	size_t len = strlen(tmpl), at, next, b, e;

	ops_buf_reset(out);
	if (ops_crontab_find(tmpl, len, NULL, &b, &e, err) != 0)
		return ops_err_set(err, OPS_E_USAGE,
		    "the crontab template must not hold the dharmic-ops markers");
	if (strpbrk(home, "\r\n") != NULL || strlen(home) >= OPS_CRON_HOME_MAX)
		return ops_err_set(err, OPS_E_USAGE,
		    "the home '%s' cannot be written in a crontab", home);
	/* The markers name the home: each home has its own block. */
	ops_buf_printf(out, OPS_CRONTAB_BEGIN " %s\n", home);
	for (at = 0; at < len; at = next) {
		const char *s = tmpl + at, *t = s;
		size_t n;

		next = line_end(tmpl, len, at);
		n = next - at;
		while (t < tmpl + next && (*t == ' ' || *t == '\t'))
			t++;
		if (strncmp(t, "##", 2) == 0)
			continue;
		if (*t == '#' || *t == '\n' || t == tmpl + next)
			ops_buf_add(out, s, n);
		else if (render_entry(out, s, n, bindir, home, err) < 0)
			return -1;
		if (s[n - 1] != '\n')
			ops_buf_add(out, "\n", 1);
	}
	ops_buf_printf(out, OPS_CRONTAB_END " %s\n", home);
	if (out->oom)
		return ops_err_sys(err, ENOMEM, "unable to render the crontab");
	return 0;
}

/* ---- crontab(1) ------------------------------------------------------ */

#define CRONTAB_MAX (1 << 20)

static const char *
first_line(char *s)
{
	s[strcspn(s, "\n")] = '\0';
	return *s ? s : "(no output)";
}

int
ops_crontab_read(char **table, size_t *len, struct ops_err *err)
{
	static char *const argv[] = { "crontab", "-l", NULL };
	struct ops_run_result rr;
	int rc = -1;

	*table = NULL;
	if (ops_run(argv, NULL, NULL, 30, CRONTAB_MAX, &rr, err) < 0)
		return -1;
	if (rr.timed_out) {
		ops_err_set(err, OPS_E_FAIL, "crontab -l timed out; not touching the crontab");
	} else if (rr.exited && rr.status == 127) {
		ops_err_set(err, OPS_E_NOENT, "crontab -l: crontab not found (is cron installed?)");
	} else if (rr.exited && rr.status == 1 && strstr(rr.output, "no crontab for") &&
	    strchr(rr.output, '\n') == strrchr(rr.output, '\n')) {
		/* exactly one line saying the user has none: an empty table */
		rr.output[0] = '\0';
		rr.output_len = 0;
		rc = 0;
	} else if (!rr.exited || rr.status != 0) {
		ops_err_set(err, OPS_E_FAIL, "crontab -l failed (%s %d): %s; not touching "
		    "the crontab", rr.exited ? "exit" : "signal", rr.status,
		    first_line(rr.output));
	} else if (rr.output_len >= CRONTAB_MAX) {
		ops_err_set(err, OPS_E_FAIL, "crontab -l: the table is larger than %d bytes; "
		    "not touching it", CRONTAB_MAX);
	} else if (memchr(rr.output, '\0', rr.output_len) != NULL) {
		ops_err_set(err, OPS_E_FAIL, "crontab -l: the table holds a NUL byte; "
		    "not touching it");
	} else {
		rc = 0;
	}
	if (rc == 0) {
		*table = rr.output;
		*len = rr.output_len;
		rr.output = NULL;
	}
	ops_run_result_release(&rr);
	return rc;
}

int
ops_crontab_write(const char *table, struct ops_err *err)
{
	static char *const argv[] = { "crontab", "-", NULL };
	struct ops_run_result rr;
	int rc = -1;

	if (ops_run(argv, NULL, table, 30, 4096, &rr, err) < 0)
		return -1;
	if (rr.timed_out)
		ops_err_set(err, OPS_E_FAIL, "crontab - timed out");
	else if (!rr.exited || rr.status != 0)
		ops_err_set(err, OPS_E_FAIL, "crontab - failed (%s %d): %s",
		    rr.exited ? "exit" : "signal", rr.status, first_line(rr.output));
	else
		rc = 0;
	ops_run_result_release(&rr);
	return rc;
}

/* Write, then read back: cron may refuse or alter a table silently. */
static int
replace_table(const char *want, struct ops_err *err)
{
	char *got = NULL;
	size_t len = 0;
	int rc = -1;

	if (ops_crontab_write(want, err) < 0 || ops_crontab_read(&got, &len, err) < 0)
		goto out;
	if (len != strlen(want) || memcmp(got, want, len) != 0) {
		ops_err_set(err, OPS_E_FAIL, "crontab did not keep the table it was given");
		goto out;
	}
	rc = 0;
out:
	free(got);
	return rc;
}

int
ops_crontab_template(const struct ops_crontab_opts *o, char *path, size_t len,
    struct ops_err *err)
{
	/* The build tree's copy (CMake puts one beside the binaries), then
	 * the one installed next to the programs' prefix, then the
	 * configured datadir. The build tree's first: a build directory
	 * inside another one must not take its parent's (older) copy. */
	const char *dirs[] = { o->bindir, o->bindir, OPS_DATADIR };
	const char *rel[] = { "share/dharmic-ops/dharmic-ops.crontab",
		"../share/dharmic-ops/dharmic-ops.crontab", "dharmic-ops.crontab" };

	if (o->tmpl != NULL)
		return ops_path_join(path, len, ".", o->tmpl, err);
	for (size_t i = 0; i < 3; i++) {
		if (dirs[i] == NULL ||
		    ops_path_join(path, len, dirs[i], rel[i], err) < 0)
			continue;
		if (access(path, R_OK) == 0)
			return 0;
	}
	return ops_err_set(err, OPS_E_NOENT,
	    "unable to find the schedule template dharmic-ops.crontab "
	    "(give it with --template FILE)");
}

int
ops_crontab_install(const struct ops_crontab_opts *o, struct ops_buf *out,
    int *changed, struct ops_err *err)
{
	struct ops_buf block = OPS_BUF_INIT;
	char path[PATH_MAX], *tmpl = NULL, *table = NULL;
	size_t len = 0;
	int rc = -1;

	*changed = 0;
	if (ops_crontab_template(o, path, sizeof(path), err) < 0 ||
	    ops_fs_read_file(path, 1 << 20, &tmpl, NULL, err) < 0 ||
	    ops_crontab_render(tmpl, o->bindir, o->home, &block, err) < 0)
		goto out;
	if (o->print) {
		ops_buf_reset(out);
		ops_buf_puts(out, ops_buf_str(&block));
		rc = 0;
		goto out;
	}
	if (ops_crontab_read(&table, &len, err) < 0 ||
	    ops_crontab_merge(table, len, o->home, ops_buf_str(&block), out, err) < 0)
		goto out;
	if (out->len == len && memcmp(out->s, table, len) == 0) {
		rc = 0;
		goto out;
	}
	if (replace_table(ops_buf_str(out), err) < 0)
		goto out;
	*changed = 1;
	rc = 0;
out:
	free(table);
	free(tmpl);
	ops_buf_release(&block);
	return rc;
}

int
ops_crontab_uninstall(const char *home, int *removed, struct ops_err *err)
{
	struct ops_buf out = OPS_BUF_INIT;
	char *table = NULL;
	size_t len = 0;
	int rc = -1, r;

	*removed = 0;
	if (ops_crontab_read(&table, &len, err) < 0 ||
	    (r = ops_crontab_remove(table, len, home, &out, err)) < 0)
		goto out;
	if (r == 1) {
		if (replace_table(ops_buf_str(&out), err) < 0)
			goto out;
		*removed = 1;
	}
	rc = 0;
out:
	free(table);
	ops_buf_release(&out);
	return rc;
}
