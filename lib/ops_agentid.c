#include "ops_agentid.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_fs.h"
#include "ops_proc.h"
#include "ops_strv.h"

/* The home's databases and their side files, resolved. */
static int
db_paths(const struct ops_config *cfg, struct ops_strv *out, struct ops_err *err)
{
	struct ops_strv dbs = OPS_STRV_INIT;
	static const char *const sfx[] = { "", "-wal", "-journal" };
	char p[PATH_MAX + 16];

	for (size_t i = 0; i < cfg->health.databases.n; i++)
		if (ops_fs_glob(cfg->home, cfg->health.databases.v[i], &dbs, err) < 0) {
			ops_strv_release(&dbs);
			return -1;
		}
	for (size_t i = 0; i < dbs.n; i++)
		for (size_t k = 0; k < 3; k++) {
			snprintf(p, sizeof(p), "%s%s", dbs.v[i], sfx[k]);
			if (ops_strv_push(out, p) < 0) {
				ops_strv_release(&dbs);
				return ops_err_sys(err, ENOMEM, "unable to list the databases");
			}
		}
	ops_strv_release(&dbs);
	return 0;
}

/* The database of dbs pid holds open, or NULL. */
static const char *
holds(pid_t pid, const struct ops_strv *dbs)
{
	char dir[64], link[PATH_MAX + 64], target[PATH_MAX];
	const char *found = NULL;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (d == NULL)
		return NULL;
	while (found == NULL && (de = readdir(d)) != NULL) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		for (size_t i = 0; i < dbs->n && found == NULL; i++)
			if (strcmp(target, dbs->v[i]) == 0)
				found = dbs->v[i];
	}
	closedir(d);
	return found;
}

int
ops_agent_find(const struct ops_config *cfg, int how, struct ops_agent_found *f,
    struct ops_err *err)
{
	struct ops_strv dbs = OPS_STRV_INIT;
	char wd[PATH_MAX], wdreal[PATH_MAX], link[64], cwd[PATH_MAX];
	struct ops_agent_found db = { 0, 0, "" };
	struct dirent *de;
	DIR *d = NULL;
	pid_t self = getpid();
	uid_t uid = getuid();
	int rc = -1, have_wd = 0;

	memset(f, 0, sizeof(*f));
	if ((how & OPS_AGENT_BY_CWD) &&
	    ops_config_path(cfg, cfg->daemon.workdir, wd, sizeof(wd), NULL) == 0 &&
	    realpath(wd, wdreal) != NULL)
		have_wd = 1;
	if ((how & OPS_AGENT_BY_DB) && db_paths(cfg, &dbs, err) < 0)
		return -1;
	d = opendir("/proc");
	if (d == NULL) {
		ops_err_sys(err, errno, "unable to read /proc");
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		char *end;
		long v = strtol(de->d_name, &end, 10);
		pid_t pid = (pid_t)v;
		struct stat st;
		const char *held;

		if (*end != '\0' || v <= 1 || pid == self)
			continue;
		snprintf(link, sizeof(link), "/proc/%d", (int)pid);
		if (stat(link, &st) < 0 || st.st_uid != uid)
			continue;
		if (have_wd) {
			struct ops_procinfo pi;
			struct ops_err e = OPS_ERR_INIT;
			ssize_t n;

			snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
			n = readlink(link, cwd, sizeof(cwd) - 1);
			if (n > 0) {
				cwd[n] = '\0';
				if (strcmp(cwd, wdreal) == 0 &&
				    ops_proc_identify(pid, cfg->daemon.match, 0, &pi, &e) == 1) {
					f->pid = pid;
					f->how = OPS_AGENT_BY_CWD;
					snprintf(f->what, sizeof(f->what), "PID %d (%.200s) runs in "
					    "'%.200s' and matches '%.100s'", (int)pid, pi.cmdline,
					    ops_fs_rel(cfg->home, wdreal), cfg->daemon.match);
					rc = 1;
					goto out;
				}
			}
		}
		if (db.pid == 0 && dbs.n > 0 && (held = holds(pid, &dbs)) != NULL) {
			db.pid = pid;
			db.how = OPS_AGENT_BY_DB;
			snprintf(db.what, sizeof(db.what), "PID %d has '%.300s' open", (int)pid,
			    ops_fs_rel(cfg->home, held));
		}
	}
	if (db.pid != 0) {
		*f = db;
		rc = 1;
		goto out;
	}
	rc = 0;
out:
	if (d)
		closedir(d);
	ops_strv_release(&dbs);
	return rc;
}
