#include "ops_restore.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_agentid.h"
#include "ops_archive.h"
#include "ops_backup.h"
#include "ops_backup_crypt.h"
#include "ops_daemon.h"
#include "ops_fs.h"
#include "ops_homefile.h"
#include "ops_rjournal.h"
#include "ops_snapshot.h"
#include "ops_time.h"
#include "ops_tree.h"
#include "ops_units.h"

#define STAGING ".memory.restore"	/* in the home: same filesystem as memory/ */
#define JOURNAL ".ops/restore.journal"


struct paths {
	char home[PATH_MAX];
	char mem[PATH_MAX];	/* HOME/memory */
	char staging[PATH_MAX];	/* HOME/.memory.restore */
	char newmem[PATH_MAX];	/* HOME/.memory.restore/memory */
	char journal[PATH_MAX];
	unsigned long long dev;	/* the home's st_dev */
};

static int
get_paths(const struct ops_config *cfg, struct paths *p, struct ops_err *err)
{
	struct stat st;

	memset(p, 0, sizeof(*p));
	snprintf(p->home, sizeof(p->home), "%s", cfg->home);
	if (ops_path_join(p->mem, sizeof(p->mem), cfg->home, "memory", err) < 0 ||
	    ops_path_join(p->staging, sizeof(p->staging), cfg->home, STAGING, err) < 0 ||
	    ops_path_join(p->newmem, sizeof(p->newmem), p->staging, "memory", err) < 0 ||
	    ops_path_join(p->journal, sizeof(p->journal), cfg->home, JOURNAL, err) < 0)
		return -1;
	if (stat(cfg->home, &st) < 0)
		return ops_err_sys(err, errno, "unable to stat the home '%s'", cfg->home);
	p->dev = (unsigned long long)st.st_dev;
	return 0;
}

static void note(const struct ops_restore_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
note(const struct ops_restore_opts *o, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (o == NULL || o->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o->note(o->ctx, msg);
}

static void log_line(const struct ops_config *cfg, const char *level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
log_line(const struct ops_config *cfg, const char *level, const char *fmt, ...)
{
	char path[PATH_MAX], ts[32], line[2400], msg[2200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "[%s] [%s] %s",
	    ops_time_log(ops_time_now(), ts, sizeof(ts)), level, msg);
	if (ops_config_path(cfg, "logs/backup.log", path, sizeof(path), NULL) == 0)
		ops_fs_append_line(path, line, NULL);
}

/* The inode of a directory (not through a symlink), 0 when there is none. */
static unsigned long long
dir_ino(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return (unsigned long long)st.st_ino;
}

/* ---- journal ----------------------------------------------------------- */

static int
journal_write(const struct paths *p, struct ops_rjournal *j, struct ops_err *err)
{
	char *text;
	int rc;

	if (strcmp(j->mode, "to") != 0)
		j->dev = p->dev;
	text = ops_rjournal_format(j);
	if (text == NULL)
		return ops_err_sys(err, ENOMEM, "unable to write the restore journal");
	rc = ops_fs_write_atomic(p->journal, text, strlen(text), err);
	free(text);
	return rc;
}

/* 1 a journal was read and is one we wrote, 0 there is none, -1 error.
 * One that is not ours (malformed, or naming anything but what a restore
 * of this home makes) is set aside, reported, and never acted on. */
static int
journal_read(const struct paths *p, struct ops_rjournal *j, int dry_run,
    struct ops_err *err)
{
	struct ops_err why = OPS_ERR_INIT;
	char *text = NULL, aside[PATH_MAX + 64], stamp[32];
	size_t len;

	memset(j, 0, sizeof(*j));
	if (ops_fs_read_file(p->journal, OPS_RJOURNAL_MAX, &text, &len, err) < 0) {
		if (err && err->code == OPS_E_NOENT) {
			ops_err_clear(err);
			return 0;
		}
		return -1;
	}
	if (ops_rjournal_parse(text, len, j, &why) == 0) {
		if (ops_rjournal_validate(j, p->home, p->dev, &why) == 0) {
			free(text);
			return 1;
		}
		ops_rjournal_release(j);
	}
	free(text);
	if (dry_run)
		return ops_err_set(err, OPS_E_FAIL, "the restore journal '%s' is not one "
		    "ops-restore wrote (%s): a run without --dry-run sets it aside; nothing "
		    "was changed", JOURNAL, why.msg);
	ops_time_stamp(ops_time_now(), stamp, sizeof(stamp));
	snprintf(aside, sizeof(aside), "%s.invalid-%s", p->journal, stamp);
	if (rename(p->journal, aside) < 0)
		return ops_err_sys(err, errno, "the restore journal '%s' is not one ops-restore "
		    "wrote (%s), and setting it aside failed", JOURNAL, why.msg);
	ops_fs_fsync_dir(p->journal, 0, NULL);
	return ops_err_set(err, OPS_E_FAIL, "the restore journal '%s' is not one ops-restore "
	    "wrote (%s): set aside as '%s', nothing done; look at memory/ and "
	    "memory.pre-restore.* by hand", JOURNAL, why.msg, ops_fs_rel(p->home, aside));
}

static int
journal_remove(const struct paths *p, struct ops_err *err)
{
	if (unlink(p->journal) < 0 && errno != ENOENT)
		return ops_err_sys(err, errno, "unable to remove '%s'", JOURNAL);
	return ops_fs_fsync_dir(p->journal, 0, err);
}

static int
set_phase(const struct paths *p, struct ops_rjournal *j, const char *phase,
    struct ops_err *err)
{
	snprintf(j->phase, sizeof(j->phase), "%s", phase);
	return journal_write(p, j, err);
}

/* ---- the agent --------------------------------------------------------- */

static int
agent_running(const struct ops_config *cfg, pid_t *pid)
{
	struct ops_procinfo pi;
	struct ops_err e = OPS_ERR_INIT;

	if (ops_daemon_status(cfg, &pi, &e) == 1) {
		if (pid)
			*pid = pi.pid;
		return 1;
	}
	return 0;
}

/* Start the agent and wait until it heartbeats. */
static int
start_agent(const struct ops_config *cfg, pid_t *pid, struct ops_err *err)
{
	struct ops_daemon_start_opts so = { 1, cfg->daemon.start_timeout };
	struct ops_err e = OPS_ERR_INIT;
	double since = ops_time_now();
	int rc;

	rc = ops_daemon_start(cfg, &so, pid, err);
	if (rc == 0)
		rc = ops_daemon_wait_healthy(cfg, since, cfg->daemon.start_timeout, err);
	ops_daemon_log_restart(cfg, "restore", &e);
	return rc;
}

/* ---- moving memory/ ---------------------------------------------------- */

/* issue 12: the files of the home outside memory/ a restore puts in
 * place (ops_homefile), each known by its inode in the journal; what
 * they replace goes to home.pre-restore.STAMP beside the memory's aside. */
static int
files_forward(const struct paths *p, const struct ops_rjournal *j, struct ops_err *err)
{
	char haside[PATH_MAX];

	if (j->nfiles == 0)
		return 0;
	if (ops_rjournal_home_aside(j->aside, haside, sizeof(haside)) < 0)
		return ops_err_set(err, OPS_E_FAIL, "no aside name for the files of the home");
	for (size_t i = 0; i < j->nfiles; i++)
		if (ops_homefile_forward(p->home, p->staging, haside, j->files[i].name, j->dev,
		    j->files[i].new_ino, err) < 0)
			return -1;
	return 0;
}

/* Put back what files_forward replaced; the aside directory goes when
 * nothing is left in it (a file someone put there is never removed). */
static int
files_back(const struct paths *p, const struct ops_rjournal *j, struct ops_err *err)
{
	char haside[PATH_MAX];
	uint64_t files = 0, bytes = 0;

	if (j->nfiles == 0)
		return 0;
	if (ops_rjournal_home_aside(j->aside, haside, sizeof(haside)) < 0)
		return ops_err_set(err, OPS_E_FAIL, "no aside name for the files of the home");
	for (size_t i = j->nfiles; i-- > 0;)
		if (ops_homefile_back(p->home, haside, j->files[i].name, j->dev,
		    j->files[i].new_ino, err) < 0)
			return -1;
	if (dir_ino(haside) != 0 && ops_tree_usage(haside, &files, &bytes, NULL) == 0 &&
	    files == 0 && ops_tree_remove(haside, err) < 0)
		return -1;
	return 0;
}

/* Undo a restore: stop the agent, put the previous memory (at j->aside,
 * or still in staging) back in place of the restored one, remove the
 * restored copy, start the agent again if it was running. Each step can
 * be re-run after a kill: where things are is read from the inodes.
 * started_err (512 bytes) gets why the agent did not start again, or "". */
static int
rollback(const struct ops_config *cfg, const struct paths *p, struct ops_rjournal *j,
    pid_t *pid, char *started_err, struct ops_err *err)
{
	struct ops_err e = OPS_ERR_INIT;
	char old_at[PATH_MAX] = "", tmp[PATH_MAX];
	unsigned long long mem;

	if (ops_daemon_stop(cfg, 1, NULL, &e) < 0)
		return ops_err_set(err, OPS_E_FAIL, "unable to stop the agent to roll back: %s",
		    e.msg);
	if (files_back(p, j, err) < 0)
		return -1;
	if (j->old_ino != 0 && ops_rjournal_dir_is(j->aside, j->dev, j->old_ino))
		snprintf(old_at, sizeof(old_at), "%s", j->aside);
	else if (j->old_ino != 0 && ops_rjournal_dir_is(p->newmem, j->dev, j->old_ino))
		snprintf(old_at, sizeof(old_at), "%s", p->newmem);
	mem = dir_ino(p->mem);
	if (mem != 0 && !ops_rjournal_dir_is(p->mem, j->dev, mem))
		mem = 0;	/* not on the home's device: not one of ours */
	if (mem == j->new_ino && j->old_ino == 0) {
		/* there was no memory/ before */
		if (ops_tree_remove(p->mem, err) < 0)
			return -1;
	} else if (mem == j->new_ino) {
		if (old_at[0] == '\0')
			return ops_err_set(err, OPS_E_FAIL, "the previous memory is neither at "
			    "'%s' nor in '%s': nothing was changed", j->aside, p->staging);
		if (renameat2(AT_FDCWD, old_at, AT_FDCWD, p->mem, RENAME_EXCHANGE) < 0) {
			if (errno != EINVAL && errno != ENOSYS)
				return ops_err_sys(err, errno, "unable to put '%s' back", old_at);
			/* two renames; a kill between them is finished by recovery */
			if (ops_path_join(tmp, sizeof(tmp), p->staging, "restored", err) < 0)
				return -1;
			if ((mkdir(p->staging, 0700) < 0 && errno != EEXIST) ||
			    rename(p->mem, tmp) < 0 || rename(old_at, p->mem) < 0)
				return ops_err_sys(err, errno, "unable to put '%s' back", old_at);
		}
	} else if (mem == 0 && old_at[0] != '\0' && rename(old_at, p->mem) < 0) {
		return ops_err_sys(err, errno, "unable to put '%s' back", old_at);
	}
	if (ops_fs_fsync_dir(p->mem, 0, err) < 0)
		return -1;
	/* The restored copy, wherever it is now. */
	if (ops_rjournal_dir_is(j->aside, j->dev, j->new_ino) &&
	    ops_tree_remove(j->aside, err) < 0)
		return -1;
	if (ops_tree_remove(p->staging, err) < 0)
		return -1;
	/* The memory is back: a failure to start the agent from here on is
	 * reported, but the roll-back itself is done. */
	*started_err = '\0';
	if (j->was_running && !agent_running(cfg, NULL) && start_agent(cfg, pid, &e) < 0)
		snprintf(started_err, 512, "%.500s", e.msg);
	return 0;
}

/* An aside name that is free: memory.pre-restore.STAMP[-N]. */
static int
aside_name(const struct paths *p, char *buf, size_t len, struct ops_err *err)
{
	char stamp[32];
	struct stat st;

	ops_time_stamp(ops_time_now(), stamp, sizeof(stamp));
	for (int i = 1; i < 100; i++) {
		int n = i == 1 ? snprintf(buf, len, "%s/memory.pre-restore.%s", p->home, stamp) :
		    snprintf(buf, len, "%s/memory.pre-restore.%s-%d", p->home, stamp, i);

		char home_aside[PATH_MAX];

		if (n < 0 || (size_t)n >= len)
			return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", p->home);
		/* the files of the home go to home.pre-restore.<same>: free too */
		if (ops_rjournal_home_aside(buf, home_aside, sizeof(home_aside)) < 0)
			return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", p->home);
		if (lstat(buf, &st) < 0 && errno == ENOENT &&
		    lstat(home_aside, &st) < 0 && errno == ENOENT)
			return 0;
	}
	return ops_err_set(err, OPS_E_FAIL, "no free name for the previous memory");
}

/* ---- recovery ---------------------------------------------------------- */

static int recover(const struct ops_config *cfg, const struct ops_restore_opts *o,
    struct ops_rjournal *jp, struct ops_err *err);

int
ops_restore_recover(const struct ops_config *cfg, const struct ops_restore_opts *o,
    struct ops_err *err)
{
	struct ops_rjournal j;
	int rc;

	memset(&j, 0, sizeof(j));
	rc = recover(cfg, o, &j, err);
	ops_rjournal_release(&j);
	return rc;
}

/* The journal read into *jp (the caller releases it). */
static int
recover(const struct ops_config *cfg, const struct ops_restore_opts *o,
    struct ops_rjournal *jp, struct ops_err *err)
{
	struct paths p;
	struct ops_rjournal j;
	const char *arch;
	char serr[512];
	unsigned long long mem;
	int r;

	if (get_paths(cfg, &p, err) < 0 ||
	    (r = journal_read(&p, jp, o && o->dry_run, err)) < 0)
		return -1;
	j = *jp;	/* a copy; jp keeps the files for the caller to release */
	/* --dry-run changes nothing at all: it says what a real run would
	 * find first, and leaves it. */
	if (o && o->dry_run) {
		if (r == 1)
			note(o, "an interrupted restore of %s (phase %s) is recorded in '%s': a "
			    "run without --dry-run finishes or rolls it back first", ops_fs_rel(
			    cfg->home, j.archive), j.phase, JOURNAL);
		else if (dir_ino(p.staging) != 0)
			note(o, "'%s' was left by an interrupted restore: a run without "
			    "--dry-run removes it", STAGING);
		return 0;
	}
	if (r == 0) {
		/* No journal: a staging directory can only be an unfinished
		 * extraction (the journal is written before it is made). */
		if (dir_ino(p.staging) != 0) {
			note(o, "removed '%s' left by an interrupted restore", STAGING);
			return ops_tree_remove(p.staging, err);
		}
		return 0;
	}
	arch = ops_fs_rel(cfg->home, j.archive);
	if (strcmp(j.mode, "to") == 0) {
		/* only the directory it made, by device and inode */
		if (!ops_rjournal_dir_is(j.staging, j.dev, j.staging_ino)) {
			note(o, "an interrupted 'ops-restore --to' of %s: '%s' is not the "
			    "directory it made (left alone)", arch, j.staging);
			return journal_remove(&p, err);
		}
		note(o, "an interrupted 'ops-restore --to' of %s left '%s': removed", arch,
		    j.staging);
		if (ops_tree_remove(j.staging, err) < 0)
			return -1;
		return journal_remove(&p, err);
	}
	if (strcmp(j.mode, "restore") != 0 || strcmp(j.staging, p.staging) != 0)
		return ops_err_set(err, OPS_E_FAIL, "malformed restore journal '%s': look at "
		    "memory/ and memory.pre-restore.* by hand, then remove it", JOURNAL);
	if (strcmp(j.phase, "extract") == 0) {
		note(o, "an interrupted restore of %s had not touched memory/: removed its "
		    "staging directory", arch);
		if (ops_tree_remove(p.staging, err) < 0)
			return -1;
		return journal_remove(&p, err);
	}
	mem = dir_ino(p.mem);
	if (mem != 0 && !ops_rjournal_dir_is(p.mem, j.dev, mem))
		mem = 0;
	if (mem == j.new_ino && strcmp(j.phase, "rollback") != 0) {
		/* The restored memory is in place: finish. */
		if (j.old_ino != 0 && ops_rjournal_dir_is(p.newmem, j.dev, j.old_ino) &&
		    rename(p.newmem, j.aside) < 0)
			return ops_err_sys(err, errno, "unable to move '%s' to '%s'", p.newmem,
			    j.aside);
		/* the files of the home follow memory/ (they were put in place
		 * after it) */
		if (ops_fs_fsync_dir(p.mem, 0, err) < 0 || files_forward(&p, &j, err) < 0 ||
		    ops_tree_remove(p.staging, err) < 0)
			return -1;
		note(o, "an interrupted restore of %s had put it in place: finished (previous "
		    "memory in %s)", arch, ops_fs_rel(cfg->home, j.aside));
		if (j.was_running) {
			struct ops_err e = OPS_ERR_INIT;
			int bad;

			/* An agent running now was started after the exchange:
			 * on the restored memory. */
			if (agent_running(cfg, NULL)) {
				bad = ops_daemon_wait_healthy(cfg, 0, cfg->daemon.start_timeout, &e) < 0;
			} else {
				if (set_phase(&p, &j, "starting", err) < 0)
					return -1;
				bad = start_agent(cfg, NULL, &e) < 0;
			}
			if (bad) {
				note(o, "the agent does not come up on the restored memory (%s): "
				    "rolling back", e.msg);
				if (set_phase(&p, &j, "rollback", err) < 0 ||
				    rollback(cfg, &p, &j, NULL, serr, err) < 0)
					return -1;
				note(o, "the previous memory is back in place%s%s",
				    serr[0] ? "; the agent did not start again: " : "", serr);
			}
		}
		return journal_remove(&p, err);
	}
	if (mem == j.new_ino) {
		note(o, "an interrupted roll-back of a restore of %s: putting the previous "
		    "memory back", arch);
		if (rollback(cfg, &p, &j, NULL, serr, err) < 0)
			return -1;
		if (serr[0])
			note(o, "the agent did not start again: %s", serr);
		return journal_remove(&p, err);
	}
	/* memory/ was not replaced (or is missing between two renames where
	 * the filesystem cannot exchange): the previous memory goes back, and
	 * so does any file of the home (none is moved before memory/, but the
	 * inodes say for certain). */
	if (files_back(&p, &j, err) < 0)
		return -1;
	if (mem == 0 && j.old_ino != 0) {
		const char *from = ops_rjournal_dir_is(j.aside, j.dev, j.old_ino) ? j.aside :
		    ops_rjournal_dir_is(p.newmem, j.dev, j.old_ino) ? p.newmem : NULL;

		if (from == NULL)
			return ops_err_set(err, OPS_E_FAIL, "an interrupted restore left no "
			    "memory/ and the previous one is not at '%s': look by hand", j.aside);
		if (rename(from, p.mem) < 0)
			return ops_err_sys(err, errno, "unable to put '%s' back", from);
	}
	if (ops_fs_fsync_dir(p.mem, 0, err) < 0)
		return -1;
	if (ops_rjournal_dir_is(j.aside, j.dev, j.new_ino) && ops_tree_remove(j.aside, err) < 0)
		return -1;
	if (ops_tree_remove(p.staging, err) < 0)
		return -1;
	note(o, "an interrupted restore of %s had not replaced memory/: rolled back and "
	    "cleaned up", arch);
	if (j.was_running) {
		struct ops_err se = OPS_ERR_INIT;

		/* The kill may have come while the agent was being stopped
		 * (it may still be on its way out) or started: stop it for
		 * certain, then start it again. */
		note(o, "restarting the agent");
		if (ops_daemon_stop(cfg, strcmp(j.phase, "stopping") != 0, NULL, err) < 0)
			return -1;
		if (start_agent(cfg, NULL, &se) < 0) {
			journal_remove(&p, NULL);
			return ops_err_set(err, OPS_E_FAIL, "the previous memory is in place but "
			    "the agent does not start: %s", se.msg);
		}
	}
	return journal_remove(&p, err);
}

/* ---- extraction ---------------------------------------------------------- */

/* While the archive is extracted, each finished member has its writeback
 * started, then a second thread checks it (integrity_check for a
 * database) and fsyncs it, overlapping the extraction of the members
 * after it. */
struct xctx {
	const struct ops_restore_opts *o;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ops_strv paths, names;	/* members to check and fsync, in order */
	unsigned char *is_db;
	size_t cap;
	int check_dbs;			/* run integrity_check on databases */
	size_t next, checked;
	int done, failed, started;
	struct ops_err err;		/* the first failure */
};

static int
fsync_file(const char *path, const char *name, struct ops_err *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", name);
	if (fsync(fd) < 0) {
		int e = errno;

		close(fd);
		return ops_err_sys(err, e, "unable to fsync '%s'", name);
	}
	close(fd);
	return 0;
}

static void *
checker_main(void *arg)
{
	struct xctx *x = arg;

	pthread_mutex_lock(&x->mu);
	for (;;) {
		char path[PATH_MAX], name[OPS_MANIFEST_NAME_MAX + 1];
		struct ops_err e = OPS_ERR_INIT;
		int bad, is_db;

		while (x->next == x->paths.n && !x->done)
			pthread_cond_wait(&x->cv, &x->mu);
		if (x->next == x->paths.n || x->failed)
			break;
		snprintf(path, sizeof(path), "%s", x->paths.v[x->next]);
		snprintf(name, sizeof(name), "%s", x->names.v[x->next]);
		is_db = x->is_db[x->next];
		x->next++;
		pthread_mutex_unlock(&x->mu);
		bad = is_db && ops_snapshot_integrity(path, name, &e) < 0;
		if (!bad)
			bad = fsync_file(path, name, &e) < 0;
		pthread_mutex_lock(&x->mu);
		if (bad && !x->failed) {
			x->failed = 1;
			x->err = e;
		}
		if (!bad && is_db)
			x->checked++;
	}
	pthread_mutex_unlock(&x->mu);
	return NULL;
}

static int
member_done(void *ctx, const struct ops_manifest_entry *e, const char *path,
    struct ops_err *err)
{
	struct xctx *x = ctx;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		close(fd);
	}
	pthread_mutex_lock(&x->mu);
	if (x->failed) {
		if (err)
			*err = x->err;
		rc = -1;
	} else {
		if (x->paths.n == x->cap) {
			size_t ncap = x->cap ? 2 * x->cap : 16;
			unsigned char *v = realloc(x->is_db, ncap);

			if (v != NULL) {
				x->is_db = v;
				x->cap = ncap;
			}
		}
		if (x->paths.n == x->cap || ops_strv_push(&x->paths, path) < 0 ||
		    ops_strv_push(&x->names, e->name) < 0) {
			rc = ops_err_sys(err, ENOMEM, "unable to check '%s'", e->name);
		} else {
			x->is_db[x->paths.n - 1] = x->check_dbs && e->kind == OPS_KIND_SQLITE;
			pthread_cond_signal(&x->cv);
		}
	}
	pthread_mutex_unlock(&x->mu);
	return rc;
}

static void
xprogress(void *ctx, uint64_t done, uint64_t total)
{
	struct xctx *x = ctx;

	if (x->o->progress)
		x->o->progress(x->o->ctx, done, total);
}

/* The archive's files outside memory/ (issue 12), sorted, into out. */
static int
home_names(const struct ops_manifest *m, struct ops_strv *out, struct ops_err *err)
{
	ops_strv_release(out);
	for (size_t i = 0; i < m->n; i++)
		if (!ops_manifest_in_memory(m->v[i].name) &&
		    ops_strv_push(out, m->v[i].name) < 0)
			return ops_err_sys(err, ENOMEM, "unable to list the files of the home");
	if (out->n > OPS_HOMEFILE_MAX)
		return ops_err_set(err, OPS_E_FAIL, "the archive holds %zu files outside "
		    "memory/, more than a restore takes (%d)", out->n, OPS_HOMEFILE_MAX);
	ops_strv_sort(out);
	return 0;
}

/* Before anything of the user's changes: each file of the home can be put
 * in place (confined, not over a directory); which ones replace a file
 * go to plan->home_replaced. */
static int
home_plan(const char *home, struct ops_restore_plan *plan, struct ops_err *err)
{
	ops_strv_release(&plan->home_replaced);
	for (size_t i = 0; i < plan->home_files.n; i++) {
		int exists;

		if (ops_homefile_plan(home, plan->home_files.v[i], &exists, err) < 0)
			return -1;
		if (exists && ops_strv_push(&plan->home_replaced, plan->home_files.v[i]) < 0)
			return ops_err_sys(err, ENOMEM, "unable to plan the restore");
	}
	return 0;
}

/* Extract the verified archive into dest (absolute, empty): dest/memory
 * complete, every entry and hash checked, every database checked when
 * check_dbs, everything fsynced. */
static int
extract(const char *archive, int nofollow, const char *dest, int check_dbs,
    const struct ops_restore_opts *o, struct ops_restore_plan *plan, struct ops_err *err)
{
	struct ops_manifest m = OPS_MANIFEST_INIT;
	struct xctx x;
	struct ops_archive_read_opts ro = { 0 };
	char mem[PATH_MAX];
	int rc = -1, rrc;

	memset(&x, 0, sizeof(x));
	x.o = o;
	x.check_dbs = check_dbs;
	pthread_mutex_init(&x.mu, NULL);
	pthread_cond_init(&x.cv, NULL);
	if (pthread_create(&x.thread, NULL, checker_main, &x) != 0) {
		ops_err_sys(err, EAGAIN, "unable to start the integrity checks");
		goto out;
	}
	x.started = 1;
	ro.mode = OPS_AREAD_EXTRACT;
	ro.nofollow = nofollow;
	ro.dest = dest;
	ro.member_done = member_done;
	ro.progress = xprogress;
	ro.ctx = &x;
	ro.identities = o->identities;
	rrc = ops_archive_read(archive, &ro, &m, err);
	pthread_mutex_lock(&x.mu);
	x.done = 1;
	pthread_cond_signal(&x.cv);
	pthread_mutex_unlock(&x.mu);
	pthread_join(x.thread, NULL);
	x.started = 0;
	if (rrc < 0) {
		ops_err_prefix(err, "archive '%s' refused", archive);
		goto out;
	}
	if (x.failed) {
		*err = x.err;
		ops_err_prefix(err, "archive '%s' refused", archive);
		goto out;
	}
	if (ops_path_join(mem, sizeof(mem), dest, "memory", err) < 0)
		goto out;
	if (mkdir(mem, 0700) < 0 && errno != EEXIST) {
		ops_err_sys(err, errno, "unable to create '%s'", mem);
		goto out;
	}
	if (ops_tree_fsync(dest, err) < 0)
		goto out;
	plan->created = m.created;
	plan->files = m.n;
	plan->data_size = m.total;
	plan->databases = x.checked;
	if (home_names(&m, &plan->home_files, err) < 0)
		goto out;
	rc = 0;
out:
	if (x.started) {
		pthread_mutex_lock(&x.mu);
		x.done = 1;
		pthread_cond_signal(&x.cv);
		pthread_mutex_unlock(&x.mu);
		pthread_join(x.thread, NULL);
	}
	pthread_mutex_destroy(&x.mu);
	pthread_cond_destroy(&x.cv);
	ops_strv_release(&x.paths);
	ops_strv_release(&x.names);
	free(x.is_db);
	ops_manifest_release(&m);
	return rc;
}

/* ---- restore ------------------------------------------------------------ */

/* --list's and --dry-run's member check: every database (by content)
 * passes integrity_check, as verify, --to and restore require. */
struct vo_ctx {
	const struct ops_restore_opts *o;
	size_t databases;
};

static int
vo_member(void *ctx, const struct ops_manifest_entry *e, const char *path,
    struct ops_err *err)
{
	struct vo_ctx *v = ctx;

	if (e->kind != OPS_KIND_SQLITE)
		return 0;
	if (ops_snapshot_integrity(path, e->name, err) < 0)
		return -1;
	v->databases++;
	return 0;
}

static void
vo_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct vo_ctx *v = ctx;

	if (v->o && v->o->progress)
		v->o->progress(v->o->ctx, done, total);
}

/* The archive accepted as a restore would accept it, without writing in
 * the home: scratch copies of databases in $TMPDIR (else /tmp). */
static int
verify_only(const char *path, int nofollow, const struct ops_restore_opts *o,
    struct ops_manifest *m, size_t *databases, struct ops_err *err)
{
	struct ops_archive_read_opts ro = { .mode = OPS_AREAD_VERIFY };
	struct vo_ctx v = { o, 0 };
	char scratch[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	int rc;

	if (snprintf(scratch, sizeof(scratch), "%s/ops-restore-check.XXXXXX",
	    tmp && tmp[0] == '/' ? tmp : "/tmp") >= (int)sizeof(scratch))
		return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", tmp);
	if (mkdtemp(scratch) == NULL)
		return ops_err_sys(err, errno, "unable to create '%s'", scratch);
	ro.nofollow = nofollow;
	ro.scratch = scratch;
	ro.member_done = vo_member;
	ro.progress = vo_progress;
	ro.ctx = &v;
	ro.identities = o ? o->identities : NULL;
	rc = ops_archive_read(path, &ro, m, err);
	ops_tree_remove(scratch, NULL);
	if (rc < 0)
		return ops_err_prefix(err, "archive '%s' refused", path);
	if (databases)
		*databases = v.databases;
	return 0;
}


/* jp: the journal, zeroed, the caller's to release (it holds files). */
static int
restore_in(const struct ops_config *cfg, const struct ops_restore_opts *o,
    struct ops_restore_plan *plan, const char *archive, int nofollow,
    struct ops_rjournal *jp, struct ops_err *err)
{
	struct paths p;
	struct stat st;
	struct ops_err e = OPS_ERR_INIT;
	int stopped = 0, rc = -1;

	if (get_paths(cfg, &p, err) < 0)
		return -1;
	if (lstat(p.mem, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return ops_err_set(err, OPS_E_FAIL, "'%s' is not a directory%s: not "
			    "replacing it (use --to DIR)", p.mem, S_ISLNK(st.st_mode) ?
			    " (a symlink)" : "");
		plan->memory_exists = 1;
		if (ops_tree_usage(p.mem, &plan->cur_files, &plan->cur_bytes, err) < 0)
			return -1;
	} else if (errno != ENOENT) {
		return ops_err_sys(err, errno, "unable to stat '%s'", p.mem);
	}
	if (aside_name(&p, plan->aside, sizeof(plan->aside), err) < 0)
		return -1;
	if (o->dry_run) {
		/* Nothing at all changes: no staging, no journal in the home. */
		struct ops_manifest m = OPS_MANIFEST_INIT;

		rc = verify_only(archive, nofollow, o, &m, &plan->databases, err);
		plan->created = m.created;
		plan->files = m.n;
		plan->data_size = m.total;
		if (rc == 0 && (home_names(&m, &plan->home_files, err) < 0 ||
		    home_plan(p.home, plan, err) < 0))
			rc = -1;
		ops_manifest_release(&m);
		plan->agent_running = agent_running(cfg, &plan->agent_pid);
		plan->start_timeout = cfg->daemon.start_timeout;
		return rc;
	}
	snprintf(jp->mode, sizeof(jp->mode), "restore");
	snprintf(jp->archive, sizeof(jp->archive), "%s", archive);
	snprintf(jp->staging, sizeof(jp->staging), "%s", p.staging);
	snprintf(jp->aside, sizeof(jp->aside), "%s", plan->aside);
	if (ops_tree_remove(p.staging, err) < 0 || set_phase(&p, jp, "extract", err) < 0)
		return -1;
	if (mkdir(p.staging, 0700) < 0) {
		ops_err_sys(err, errno, "unable to create '%s'", p.staging);
		goto out;
	}
	if (extract(archive, nofollow, p.staging, 1, o, plan, err) < 0 ||
	    home_plan(p.home, plan, err) < 0)
		goto out;
	for (size_t i = 0; i < plan->home_files.n; i++) {
		char staged[PATH_MAX];
		struct stat fst;

		if (ops_path_join(staged, sizeof(staged), p.staging, plan->home_files.v[i],
		    err) < 0)
			goto out;
		if (lstat(staged, &fst) < 0 || !S_ISREG(fst.st_mode)) {
			ops_err_set(err, OPS_E_FAIL, "'%s' was not extracted", plan->home_files.v[i]);
			goto out;
		}
		if (ops_rjournal_add_file(jp, plan->home_files.v[i],
		    (unsigned long long)fst.st_ino, err) < 0)
			goto out;
	}
	jp->new_ino = dir_ino(p.newmem);
	jp->old_ino = dir_ino(p.mem);
	plan->agent_running = agent_running(cfg, &plan->agent_pid);
	plan->start_timeout = cfg->daemon.start_timeout;
	jp->was_running = plan->agent_running;
	if (o->confirm && o->confirm(o->ctx, plan) != 1) {
		ops_err_set(err, OPS_E_FAIL, "restore cancelled: nothing was changed");
		goto out;
	}
	/* Past this point the journal says what to undo. */
	if (set_phase(&p, jp, "stopping", err) < 0)
		goto out;
	if (ops_daemon_stop(cfg, 0, NULL, err) < 0) {
		ops_err_prefix(err, "restore aborted, nothing was changed");
		goto out;
	}
	stopped = 1;
	{
		struct ops_agent_found f;
		struct ops_err fe = OPS_ERR_INIT;
		int r = ops_agent_find(cfg, OPS_AGENT_BY_CWD | OPS_AGENT_BY_DB, &f, &fe);

		/* Never a swap under a live writer, whatever the PID file
		 * said: it would go on writing into the set-aside copy. */
		if (r != 0) {
			ops_err_set(err, OPS_E_FAIL, "restore aborted, nothing was changed: %s",
			    r == 1 ? f.what : fe.msg);
			if (r == 1)
				ops_err_prefix(err, "%s", "the agent still runs");
			goto out;
		}
	}
	if (set_phase(&p, jp, "swapping", err) < 0)
		goto out;
	if (jp->old_ino == 0) {
		if (renameat2(AT_FDCWD, p.newmem, AT_FDCWD, p.mem, RENAME_NOREPLACE) < 0) {
			ops_err_sys(err, errno, "unable to move the restored memory into place");
			goto out;
		}
	} else if (renameat2(AT_FDCWD, p.newmem, AT_FDCWD, p.mem, RENAME_EXCHANGE) == 0) {
		/* memory/ is now the restored one; the previous one is in
		 * staging, from where it goes aside. */
		if (rename(p.newmem, plan->aside) < 0) {
			ops_err_sys(err, errno, "unable to move the previous memory to '%s'",
			    plan->aside);
			goto undo;
		}
	} else if (errno == EINVAL || errno == ENOSYS) {
		/* A filesystem without RENAME_EXCHANGE: two renames, with the
		 * journal to finish or undo a run killed between them. */
		if (rename(p.mem, plan->aside) < 0) {
			ops_err_sys(err, errno, "unable to move memory/ aside");
			goto out;
		}
		if (rename(p.newmem, p.mem) < 0) {
			ops_err_sys(err, errno, "unable to move the restored memory into place");
			goto undo;
		}
	} else {
		ops_err_sys(err, errno, "unable to exchange memory/ with the restored memory");
		goto out;
	}
	if (ops_fs_fsync_dir(p.mem, 0, err) < 0 || ops_fs_fsync_dir(p.staging, 1, err) < 0)
		goto undo;
	/* issue 12: then the files of the home, the replaced ones aside */
	jp->dev = p.dev;
	if (files_forward(&p, jp, err) < 0)
		goto undo;
	/* only the directories the files were extracted in are left */
	ops_tree_remove(p.staging, NULL);
	if (set_phase(&p, jp, "swapped", err) < 0)
		goto undo;
	if (jp->was_running) {
		if (set_phase(&p, jp, "starting", err) < 0)
			goto undo;
		if (start_agent(cfg, &plan->new_pid, &e) < 0) {
			ops_err_set(err, OPS_E_FAIL, "the agent did not come up on the restored "
			    "memory (%s)", e.msg);
			goto undo;
		}
	}
	if (journal_remove(&p, err) < 0)
		goto out_kept;
	log_line(cfg, "INFO", "restore complete: memory/ from %s (%zu files, %zu outside "
	    "memory/, %zu of them replaced); previous memory in %s",
	    ops_fs_rel(cfg->home, archive), plan->files, plan->home_files.n,
	    plan->home_replaced.n, plan->memory_exists ? ops_fs_rel(cfg->home, plan->aside) :
	    "(none)");
	return 0;
undo:
	{
		struct ops_err re = OPS_ERR_INIT;
		char serr[512];

		if (set_phase(&p, jp, "rollback", &re) < 0 ||
		    rollback(cfg, &p, jp, &plan->new_pid, serr, &re) < 0 ||
		    journal_remove(&p, &re) < 0) {
			ops_err_prefix(err, "restore failed and so did the roll-back (%s); "
			    "the next ops-restore finishes it", re.msg);
			log_line(cfg, "ERROR", "%s", err->msg);
			return -1;
		}
		ops_err_prefix(err, "restore rolled back, the previous memory is in place%s%s",
		    serr[0] ? " but the agent did not start again: " : "", serr);
		log_line(cfg, "ERROR", "%s", err->msg);
		return -1;
	}
out:
	/* Nothing of the user's was changed: remove the staging area and
	 * start the agent again if it was stopped. */
	ops_tree_remove(p.staging, NULL);
	if (stopped && jp->was_running && !agent_running(cfg, NULL)) {
		struct ops_err se = OPS_ERR_INIT;

		if (start_agent(cfg, &plan->new_pid, &se) < 0)
			ops_err_prefix(err, "the agent could not be started again (%s)", se.msg);
	}
	journal_remove(&p, NULL);
	return -1;
out_kept:
	return -1;
}

static int
do_restore(const struct ops_config *cfg, const struct ops_restore_opts *o,
    struct ops_restore_plan *plan, const char *archive, int nofollow, struct ops_err *err)
{
	struct ops_rjournal j;
	int rc;

	memset(&j, 0, sizeof(j));
	rc = restore_in(cfg, o, plan, archive, nofollow, &j, err);
	ops_rjournal_release(&j);
	return rc;
}

static int
do_to(const struct ops_config *cfg, const struct ops_restore_opts *o,
    struct ops_restore_plan *plan, const char *archive, int nofollow, struct ops_err *err)
{
	struct paths p;
	struct ops_rjournal j;
	struct stat st;
	char dir[PATH_MAX], target[PATH_MAX], staging[PATH_MAX], from[PATH_MAX];
	int rc = -1;

	memset(&j, 0, sizeof(j));
	if (get_paths(cfg, &p, err) < 0 || ops_fs_mkdirs(o->to, err) < 0)
		return -1;
	if (realpath(o->to, dir) == NULL)
		return ops_err_sys(err, errno, "unable to resolve '%s'", o->to);
	if (ops_path_join(target, sizeof(target), dir, "memory", err) < 0)
		return -1;
	if (lstat(target, &st) == 0 || errno != ENOENT)
		return ops_err_set(err, OPS_E_FAIL, "'%s' already exists: not replacing it",
		    target);
	if (snprintf(staging, sizeof(staging), "%s/" STAGING "-XXXXXX", dir) >=
	    (int)sizeof(staging))
		return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", dir);
	snprintf(j.mode, sizeof(j.mode), "to");
	snprintf(j.phase, sizeof(j.phase), "extract");
	snprintf(j.archive, sizeof(j.archive), "%s", archive);
	if (mkdtemp(staging) == NULL)
		return ops_err_sys(err, errno, "unable to create a directory in '%s'", dir);
	snprintf(j.staging, sizeof(j.staging), "%s", staging);
	if (lstat(staging, &st) < 0) {
		ops_err_sys(err, errno, "unable to stat '%s'", staging);
		goto out;
	}
	j.dev = (unsigned long long)st.st_dev;
	j.staging_ino = (unsigned long long)st.st_ino;
	if (journal_write(&p, &j, err) < 0)
		goto out;
	/* The same acceptance as verify, --list and restore: a database
	 * that fails integrity_check refuses the archive here too. */
	if (extract(archive, nofollow, staging, 1, o, plan, err) < 0 ||
	    ops_path_join(from, sizeof(from), staging, "memory", err) < 0)
		goto out;
	/* issue 12: the files of the home go to DIR at their relative
	 * paths, never over a file there (all checked before any moves) */
	for (size_t i = 0; i < plan->home_files.n; i++) {
		int exists;

		if (ops_homefile_plan(dir, plan->home_files.v[i], &exists, err) < 0)
			goto out;
		if (exists) {
			ops_err_set(err, OPS_E_FAIL, "'%s/%s' already exists: not replacing it",
			    dir, plan->home_files.v[i]);
			goto out;
		}
	}
	if (renameat2(AT_FDCWD, from, AT_FDCWD, target, RENAME_NOREPLACE) < 0) {
		ops_err_sys(err, errno, "unable to move the extracted memory to '%s'", target);
		goto out;
	}
	if (ops_fs_fsync_dir(target, 0, err) < 0)
		goto out;
	for (size_t i = 0; i < plan->home_files.n; i++)
		if (ops_homefile_move(staging, dir, plan->home_files.v[i], err) < 0)
			goto out;
	rc = 0;
out:
	ops_tree_remove(staging, NULL);
	if (journal_remove(&p, rc == 0 ? err : NULL) < 0)
		rc = -1;
	return rc;
}

static int
restore_run(const struct ops_config *cfg, const struct ops_restore_opts *o,
    struct ops_restore_plan *plan, struct ops_err *err)
{
	char path[PATH_MAX];
	int nofollow;

	if (ops_restore_recover(cfg, o, err) < 0)
		return -1;
	/* No archive named (or "latest"): the newest that verifies, saying
	 * which newer ones were skipped (ops_backup_pick). */
	nofollow = 1;
	if (o->archive == NULL || strcmp(o->archive, "latest") == 0 ?
	    ops_backup_pick(cfg, path, sizeof(path), o->note, o->ctx, err) < 0 :
	    ops_backup_resolve(cfg, o->archive, path, sizeof(path), &nofollow, err) < 0)
		return -1;
	/* Absolute: extraction works inside the staging directory. */
	if (path[0] != '/') {
		char abs[PATH_MAX];

		if (realpath(path, abs) == NULL)
			return ops_err_sys(err, errno, "unable to open '%s'", path);
		snprintf(path, sizeof(path), "%s", abs);
	}
	snprintf(plan->archive, sizeof(plan->archive), "%s", path);
	if (o->to)
		return do_to(cfg, o, plan, path, nofollow, err);
	return do_restore(cfg, o, plan, path, nofollow, err);
}

int
ops_restore_run(const struct ops_config *cfg, const struct ops_restore_opts *o,
    struct ops_restore_plan *plan, struct ops_err *err)
{
	struct ops_restore_opts oo = *o;
	struct ops_age_identities ids = OPS_AGE_IDENTITIES_INIT;
	int have = 0, rc;

	memset(plan, 0, sizeof(*plan));
	/* Encrypted archives: the identity (and passphrase) configured,
	 * loaded (and refused when others can read it) before anything. */
	if (oo.identities == NULL) {
		if (ops_backup_identities(cfg, NULL, &ids, &have, err) < 0)
			return -1;
		oo.identities = have ? &ids : NULL;
	}
	rc = restore_run(cfg, &oo, plan, err);
	ops_age_identities_release(&ids);
	return rc;
}

int
ops_restore_list(const struct ops_config *cfg, const char *archive, struct ops_buf *out,
    struct ops_err *err)
{
	struct ops_manifest m = OPS_MANIFEST_INIT;
	struct ops_restore_opts lo = { 0 };
	struct ops_age_identities ids = OPS_AGE_IDENTITIES_INIT;
	char path[PATH_MAX], t[32], sz[32];
	int nofollow = 0, have = 0;

	/* The whole archive is accepted (or not) as verify, --to and restore
	 * would: a listing never shows what they refuse. */
	if (ops_backup_resolve(cfg, archive, path, sizeof(path), &nofollow, err) < 0 ||
	    ops_backup_identities(cfg, NULL, &ids, &have, err) < 0)
		return -1;
	lo.identities = have ? &ids : NULL;
	if (verify_only(path, nofollow, &lo, &m, NULL, err) < 0) {
		ops_manifest_release(&m);
		ops_age_identities_release(&ids);
		return -1;
	}
	ops_age_identities_release(&ids);
	ops_buf_printf(out, "%s: taken %s, %zu files, %s\n", ops_fs_rel(cfg->home, path),
	    m.created > 0 ? ops_time_log(m.created, t, sizeof(t)) : "?", m.n,
	    ops_size_format(m.total, sz, sizeof(sz)));
	for (size_t i = 0; i < m.n; i++)
		ops_buf_printf(out, "%12llu  %-6s  %s\n", (unsigned long long)m.v[i].size,
		    ops_kind_name(m.v[i].kind), m.v[i].name);
	ops_manifest_release(&m);
	return 0;
}

/* issue 12: a line per file of the home, saying what becomes of the file
 * at its place. */
static void
home_files_format(const struct ops_restore_plan *p, const char *home, struct ops_buf *out)
{
	char haside[PATH_MAX] = "";

	if (p->home_files.n == 0)
		return;
	ops_rjournal_home_aside(p->aside, haside, sizeof(haside));
	ops_buf_printf(out, "files of the home: %zu, put in place\n", p->home_files.n);
	for (size_t i = 0; i < p->home_files.n; i++) {
		int replaced = 0;

		for (size_t k = 0; k < p->home_replaced.n && !replaced; k++)
			replaced = strcmp(p->home_replaced.v[k], p->home_files.v[i]) == 0;
		if (replaced)
			ops_buf_printf(out, "  %s: replaced, the current one set aside as %s/%s\n",
			    p->home_files.v[i], ops_fs_rel(home, haside), p->home_files.v[i]);
		else
			ops_buf_printf(out, "  %s: new\n", p->home_files.v[i]);
	}
}

void
ops_restore_plan_release(struct ops_restore_plan *p)
{
	ops_strv_release(&p->home_files);
	ops_strv_release(&p->home_replaced);
}

void
ops_restore_plan_format(const struct ops_restore_plan *p, const char *home,
    struct ops_buf *out)
{
	char t[32], a[32];

	ops_buf_printf(out, "archive: %s (taken %s, %zu files, %s, %zu databases pass "
	    "integrity_check)\n", ops_fs_rel(home, p->archive), p->created > 0 ?
	    ops_time_log(p->created, t, sizeof(t)) : "?", p->files,
	    ops_size_format(p->data_size, a, sizeof(a)), p->databases);
	if (p->memory_exists)
		ops_buf_printf(out, "memory/: %llu files, %s, to be set aside as %s\n",
		    (unsigned long long)p->cur_files, ops_size_format(p->cur_bytes, t, sizeof(t)),
		    ops_fs_rel(home, p->aside));
	else
		ops_buf_puts(out, "memory/: none yet\n");
	home_files_format(p, home, out);
	if (p->agent_running)
		ops_buf_printf(out, "agent: running (pid %d): stopped, then started on the "
		    "restored memory and given %.0fs to heartbeat, else the previous memory is "
		    "put back\n", (int)p->agent_pid, p->start_timeout);
	else
		ops_buf_puts(out, "agent: not running, and not started\n");
}

void
ops_restore_done_format(const struct ops_restore_plan *p, const char *home,
    const struct ops_restore_opts *o, struct ops_buf *out)
{
	if (o->dry_run) {
		ops_restore_plan_format(p, home, out);
		ops_buf_puts(out, "dry run: nothing was changed\n");
		return;
	}
	if (o->to) {
		ops_buf_printf(out, "extracted %s (%zu files) into %s/memory\n",
		    ops_fs_rel(home, p->archive), p->files, o->to);
		for (size_t i = 0; i < p->home_files.n; i++)
			ops_buf_printf(out, "  and %s/%s\n", o->to, p->home_files.v[i]);
		return;
	}
	ops_buf_printf(out, "restored memory/ from %s (%zu files)", ops_fs_rel(home, p->archive),
	    p->files);
	if (p->memory_exists)
		ops_buf_printf(out, "; previous memory in %s", ops_fs_rel(home, p->aside));
	if (p->home_files.n > 0) {
		char haside[PATH_MAX] = "";

		ops_rjournal_home_aside(p->aside, haside, sizeof(haside));
		ops_buf_printf(out, "; %zu files of the home put in place", p->home_files.n);
		if (p->home_replaced.n > 0)
			ops_buf_printf(out, " (%zu replaced ones in %s)", p->home_replaced.n,
			    ops_fs_rel(home, haside));
	}
	if (p->new_pid > 0)
		ops_buf_printf(out, "; agent restarted (pid %d)", (int)p->new_pid);
	ops_buf_puts(out, "\n");
}
