#include "ops_aside.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ops_fs.h"
#include "ops_rjournal.h"
#include "ops_strv.h"
#include "ops_time.h"
#include "ops_tree.h"
#include "ops_units.h"

#define JOURNAL ".ops/restore.journal"

double
ops_aside_time(const char *name)
{
	static const char pre[] = "memory.pre-restore.", hpre[] = "home.pre-restore.";
	struct tm tm;
	const char *end;

	/* issue 12: the files of the home a restore replaced, beside */
	if (ops_rjournal_aside_leaf(name))
		name += sizeof(pre) - 1;
	else if (ops_rjournal_home_aside_leaf(name))
		name += sizeof(hpre) - 1;
	else
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(name, "%Y%m%d_%H%M%S", &tm);
	if (end == NULL || (*end != '\0' && *end != '-'))
		return -1;
	tm.tm_isdst = -1;	/* the stamp is local time, as ops_time_stamp writes it */
	return (double)mktime(&tm);
}

static int
newest_first(const void *a, const void *b)
{
	const struct ops_aside *x = a, *y = b;

	if (x->time != y->time)
		return x->time > y->time ? -1 : 1;
	/* same second: "-N" copies were made later; the longer name is newer */
	if (strlen(x->name) != strlen(y->name))
		return strlen(x->name) > strlen(y->name) ? -1 : 1;
	return -strcmp(x->name, y->name);
}

void
ops_aside_select(struct ops_aside *v, size_t n, double now, double keep_aside,
    const char *journal_leaf, int blocked)
{
	if (n > 1)
		qsort(v, n, sizeof(v[0]), newest_first);
	for (size_t i = 0; i < n; i++) {
		if (i == 0)
			v[i].fate = OPS_ASIDE_NEWEST;
		else if (journal_leaf != NULL && strcmp(v[i].name, journal_leaf) == 0)
			v[i].fate = OPS_ASIDE_JOURNAL;
		else if (now - v[i].time < keep_aside)
			v[i].fate = OPS_ASIDE_YOUNG;
		else if (blocked)
			v[i].fate = OPS_ASIDE_BLOCKED;
		else
			v[i].fate = OPS_ASIDE_PRUNE;
	}
}

/* What the journal says may not be pruned: *leaf (the aside it names,
 * "" for none) or blocked (a reason). Never acts on the journal:
 * ops-restore alone recovers or sets it aside. */
static void
journal_state(const struct ops_config *cfg, char *leaf, size_t leaflen,
    char *blocked, size_t blen)
{
	struct ops_strv invalid = OPS_STRV_INIT;
	struct ops_rjournal j;
	struct ops_err e = OPS_ERR_INIT;
	struct stat st;
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;

	leaf[0] = blocked[0] = '\0';
	if (ops_fs_glob(cfg->home, JOURNAL ".invalid-*", &invalid, &e) < 0 || invalid.n > 0) {
		snprintf(blocked, blen, "an invalid restore journal was set aside (%.300s): look "
		    "at memory/ and memory.pre-restore.* by hand, then remove it",
		    invalid.n ? ops_fs_rel(cfg->home, invalid.v[0]) : e.msg);
		goto out;
	}
	if (ops_path_join(path, sizeof(path), cfg->home, JOURNAL, &e) < 0)
		goto bad;
	if (lstat(path, &st) < 0 && errno == ENOENT)
		goto out;
	if (stat(cfg->home, &st) < 0) {
		ops_err_sys(&e, errno, "unable to stat the home");
		goto bad;
	}
	if (ops_fs_read_file(path, OPS_RJOURNAL_MAX, &text, &len, &e) < 0 ||
	    ops_rjournal_parse(text, len, &j, &e) < 0 ||
	    ops_rjournal_validate(&j, cfg->home, (unsigned long long)st.st_dev, &e) < 0)
		goto bad;
	if (strcmp(j.mode, "restore") == 0) {
		const char *slash = strrchr(j.aside, '/');

		snprintf(leaf, leaflen, "%s", slash ? slash + 1 : j.aside);
	}
	ops_rjournal_release(&j);
	goto out;
bad:
	snprintf(blocked, blen, "the restore journal %s is not one ops-restore wrote (%.300s): "
	    "the next ops-restore sets it aside", JOURNAL, e.msg);
out:
	free(text);
	ops_strv_release(&invalid);
}

static int
memory_first(const void *a, const void *b)
{
	int x = ops_rjournal_aside_leaf(((const struct ops_aside *)a)->name);
	int y = ops_rjournal_aside_leaf(((const struct ops_aside *)b)->name);

	return y - x;
}

int
ops_aside_scan(const struct ops_config *cfg, double now, struct ops_aside_list *l,
    struct ops_err *err)
{
	char jleaf[PATH_MAX], path[PATH_MAX];
	DIR *d = NULL;
	int rc = -1;

	ops_aside_list_release(l);
	journal_state(cfg, jleaf, sizeof(jleaf), l->blocked, sizeof(l->blocked));
	d = opendir(cfg->home);
	if (d == NULL) {
		ops_err_sys(err, errno, "unable to read the home '%s'", cfg->home);
		goto out;
	}
	for (;;) {
		struct dirent *de;
		struct ops_aside *a, *nv;
		struct stat st;
		double t;

		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0) {
				ops_err_sys(err, errno, "unable to read the home '%s'", cfg->home);
				goto out;
			}
			break;
		}
		/* only ops-restore's own names, only real directories */
		if ((t = ops_aside_time(de->d_name)) < 0 || strlen(de->d_name) >= sizeof(a->name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		nv = realloc(l->v, (l->n + 1) * sizeof(l->v[0]));
		if (nv == NULL) {
			ops_err_sys(err, ENOMEM, "unable to list memory.pre-restore.*");
			goto out;
		}
		l->v = nv;
		a = &l->v[l->n++];
		memset(a, 0, sizeof(*a));
		memcpy(a->name, de->d_name, strlen(de->d_name) + 1);	/* fits: checked above */
		a->time = t;
		a->dev = (unsigned long long)st.st_dev;
		a->ino = (unsigned long long)st.st_ino;
		/* a size it cannot read is shown as what it could */
		if (ops_path_join(path, sizeof(path), cfg->home, a->name, NULL) == 0)
			ops_tree_usage(path, &a->files, &a->bytes, NULL);
	}
	/* Two groups, each with its own newest copy and journal's copy:
	 * memory.pre-restore.* first, then home.pre-restore.* (issue 12; a
	 * restore with files of the home makes one of each, same stamp). */
	{
		size_t nmem = 0;
		char hleaf[PATH_MAX] = "";

		if (l->n > 1)	/* qsort with a NULL base is undefined, even for 0 */
			qsort(l->v, l->n, sizeof(l->v[0]), memory_first);
		while (nmem < l->n && ops_rjournal_aside_leaf(l->v[nmem].name))
			nmem++;
		if (jleaf[0] != '\0')
			snprintf(hleaf, sizeof(hleaf), "home.%s", jleaf + 7);
		ops_aside_select(l->v, nmem, now, cfg->restore.keep_aside,
		    jleaf[0] ? jleaf : NULL, l->blocked[0] != '\0');
		ops_aside_select(l->n > nmem ? l->v + nmem : NULL, l->n - nmem, now,
		    cfg->restore.keep_aside,
		    hleaf[0] ? hleaf : NULL, l->blocked[0] != '\0');
	}
	rc = 0;
out:
	if (d != NULL)
		closedir(d);
	return rc;
}

static void
log_line(const struct ops_config *cfg, const char *log_rel, const char *level,
    const char *name, const char *what)
{
	char path[PATH_MAX], ts[32], keep[32], line[1400];

	if (log_rel == NULL || ops_config_path(cfg, log_rel, path, sizeof(path), NULL) < 0)
		return;
	snprintf(line, sizeof(line), "[%s] [%s] aside: %s %s (restore.keep_aside %s)",
	    ops_time_log(ops_time_now(), ts, sizeof(ts)), level, what, name,
	    ops_duration_format(cfg->restore.keep_aside, keep, sizeof(keep)));
	ops_fs_append_line(path, line, NULL);
}

int
ops_aside_prune(const struct ops_config *cfg, struct ops_aside_list *l,
    const char *log_rel, struct ops_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct ops_aside *a = &l->v[i];
		struct ops_err e = OPS_ERR_INIT;
		char path[PATH_MAX];

		if (a->fate != OPS_ASIDE_PRUNE)
			continue;
		/* still the directory that was listed: not a symlink or another
		 * directory renamed there since */
		if (ops_path_join(path, sizeof(path), cfg->home, a->name, &e) < 0 ||
		    (!ops_rjournal_dir_is(path, a->dev, a->ino) &&
		    ops_err_set(&e, OPS_E_FAIL, "'%s' changed since it was listed: left alone",
		    a->name) < 0) ||
		    ops_tree_remove(path, &e) < 0) {
			a->fate = OPS_ASIDE_FAILED;
			log_line(cfg, log_rel, "ERROR", e.msg, "not removed:");
			if (rc == 0)
				ops_err_set(err, e.code ? e.code : OPS_E_FAIL, "%s", e.msg);
			rc = -1;
			continue;
		}
		a->fate = OPS_ASIDE_REMOVED;
		log_line(cfg, log_rel, "INFO", a->name, "removed");
	}
	if (ops_aside_count(l, OPS_ASIDE_REMOVED) > 0)
		ops_fs_fsync_dir(cfg->home, 1, NULL);
	return rc;
}

size_t
ops_aside_count(const struct ops_aside_list *l, enum ops_aside_fate fate)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].fate == fate;
	return n;
}

void
ops_aside_summary(const struct ops_aside_list *l, double now, struct ops_buf *b)
{
	uint64_t bytes = 0;
	size_t n = 0;
	const struct ops_aside *newest = NULL;
	char age[32], size[32];

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].fate == OPS_ASIDE_REMOVED || !ops_rjournal_aside_leaf(l->v[i].name))
			continue;
		if (newest == NULL)
			newest = &l->v[i];
		bytes += l->v[i].bytes;
		n++;
	}
	if (newest == NULL)
		return;
	ops_buf_printf(b, "%zu cop%s of memory/ set aside, newest %s (%s ago), %s in all",
	    n, n == 1 ? "y" : "ies", newest->name,
	    ops_duration_format(now > newest->time ? now - newest->time : 0, age, sizeof(age)),
	    ops_size_format(bytes, size, sizeof(size)));
}

void
ops_aside_list_release(struct ops_aside_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->blocked[0] = '\0';
}
