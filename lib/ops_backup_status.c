#include "ops_backup_status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ops_retention.h"

struct arch {
	char name[64];
	double t;
};

static int
newest_first(const void *a, const void *b)
{
	const struct arch *x = a, *y = b;

	if (x->t != y->t)
		return x->t > y->t ? -1 : 1;
	return -strcmp(x->name, y->name);
}

/* The backups in dir (names ops-backup makes, regular files), newest
 * first; *out is the caller's to free. */
static int
scan(const char *dir, struct arch **out, size_t *n, uint64_t *bytes, struct ops_err *err)
{
	struct arch *v = NULL;
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	*out = NULL;
	*n = 0;
	*bytes = 0;
	d = opendir(dir);
	if (d == NULL) {
		int e = errno;

		ops_err_sys(err, e, "unable to read '%s'", dir);
		errno = e;
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		double t;

		if (ops_backup_name_epoch(de->d_name, &t) < 0 ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || strlen(de->d_name) >= sizeof(v->name))
			continue;
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct arch *nv = realloc(v, ncap * sizeof(*nv));

			if (nv == NULL) {
				closedir(d);
				free(v);
				ops_err_sys(err, ENOMEM, "unable to read '%s'", dir);
				errno = ENOMEM;
				return -1;
			}
			v = nv;
			cap = ncap;
		}
		snprintf(v[*n].name, sizeof(v[*n].name), "%.63s", de->d_name);
		v[*n].t = t;
		(*n)++;
		*bytes += (uint64_t)st.st_size;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), newest_first);
	*out = v;
	return 0;
}

int
ops_backup_status_get(const struct ops_config *cfg, struct ops_statedb *st,
    struct ops_backup_status *bs, struct ops_err *err)
{
	struct ops_catalog_run run;
	struct ops_catalog_row row;
	struct arch *v = NULL;
	char dir[PATH_MAX];
	size_t n = 0;
	int offsite = (cfg->backup.offsite_command.n > 0 || cfg->backup.offsite.enabled);

	memset(bs, 0, sizeof(*bs));
	if (ops_config_path(cfg, cfg->backup.dir, dir, sizeof(dir), err) < 0)
		return -1;
	if (scan(dir, &v, &n, &bs->bytes, NULL) < 0)
		bs->dir_errno = errno ? errno : EIO;
	bs->archives = n;
	for (size_t i = 0; i < n; i++) {
		int known = st != NULL && ops_catalog_get(st, v[i].name, &row, NULL) == 1;
		int good = !known || ops_catalog_row_good(&row);

		if (i == 0) {
			snprintf(bs->newest, sizeof(bs->newest), "%s", v[i].name);
			bs->newest_time = v[i].t;
			bs->newest_state = known ? row.state : OPS_ARCHIVE_UNCHECKED;
			if (known && row.state != OPS_ARCHIVE_GOOD)
				snprintf(bs->newest_why, sizeof(bs->newest_why), "%s",
				    row.verify_msg);
		}
		if (good && bs->good[0] == '\0') {
			snprintf(bs->good, sizeof(bs->good), "%s", v[i].name);
			bs->good_time = v[i].t;
		}
		if (offsite && known && row.offsite > 0 && bs->offsite[0] == '\0') {
			snprintf(bs->offsite, sizeof(bs->offsite), "%s", v[i].name);
			bs->offsite_time = v[i].t;
			bs->offsite_ts = row.offsite;
		}
		if (offsite && (!known || row.offsite <= 0) && bs->offsite[0] == '\0')
			bs->offsite_pending++;
		if (!offsite && bs->good[0] && i > 0)
			break;	/* nothing more to learn */
	}
	free(v);
	if (st == NULL)
		return 0;
	/* A state database from before the runs were recorded has no such
	 * table: nothing recorded, nothing to say. */
	if (ops_catalog_run_last(st, "create", 0, &run, NULL) == 1) {
		bs->run_ts = run.ts;
		bs->run_ok = run.ok;
		snprintf(bs->run_msg, sizeof(bs->run_msg), "%s", run.msg);
	}
	if (ops_catalog_run_first(st, "create", &run, NULL) == 1)
		bs->first_run_ts = run.ts;
	if (ops_catalog_run_last(st, "verify", 0, &run, NULL) == 1) {
		bs->drill_ts = run.ts;
		bs->drill_ok = run.ok;
		snprintf(bs->drill_archive, sizeof(bs->drill_archive), "%s", run.archive);
		snprintf(bs->drill_msg, sizeof(bs->drill_msg), "%s", run.msg);
	}
	if (ops_catalog_run_last(st, "verify", 1, &run, NULL) == 1)
		bs->drill_good_ts = run.ts;
	if (offsite) {
		if (ops_catalog_run_failures(st, "offsite", &bs->offsite_failures, NULL) < 0)
			bs->offsite_failures = 0;
		if (bs->offsite_failures > 0 &&
		    ops_catalog_run_last(st, "offsite", 0, &run, NULL) == 1)
			snprintf(bs->offsite_msg, sizeof(bs->offsite_msg), "%s", run.msg);
	}
	return 0;
}
