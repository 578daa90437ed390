#include "ops_backup.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ops_archive.h"
#include "ops_audit.h"
#include "ops_buf.h"
#include "ops_backup_crypt.h"
#include "ops_catalog.h"
#include "ops_catline.h"
#include "ops_digest.h"
#include "ops_fs.h"
#include "ops_homefile.h"
#include "ops_confine.h"
#include "ops_manifest.h"
#include "ops_rclone.h"
#include "ops_retention.h"
#include "ops_run.h"
#include "ops_sanitize.h"
#include "ops_snapshot.h"
#include "ops_state.h"
#include "ops_time.h"
#include "ops_tree.h"
#include "ops_units.h"

/* Every temporary name in backup.dir starts with this; only the next run
 * (holding the lock) removes them. */
#define TMP_PREFIX ".ops-backup-"
#define OFFSITE_TIMEOUT (4 * 3600.0)

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress(const struct ops_backup_progress *p, const char *phase, uint64_t done,
    uint64_t total)
{
	if (p && p->fn)
		p->fn(p->ctx, phase, done, total);
}

/* A line in logs/backup.log; best effort (a log that cannot be written
 * does not fail a backup). */
static void log_line(const struct ops_config *cfg, const char *level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
log_line(const struct ops_config *cfg, const char *level, const char *fmt, ...)
{
	char path[PATH_MAX], logs[PATH_MAX], ts[32], line[1400], msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "[%s] [%s] %s",
	    ops_time_log(ops_time_now(), ts, sizeof(ts)), level, msg);
	if (ops_config_path(cfg, "logs", logs, sizeof(logs), NULL) < 0 ||
	    ops_fs_mkdirs(logs, NULL) < 0 ||
	    ops_path_join(path, sizeof(path), logs, "backup.log", NULL) < 0)
		return;
	ops_fs_append_line(path, line, NULL);
}

/* An audit entry for a step that deletes or copies archives (ops_audit.h);
 * the trail is best effort here: the backup's own log has the step. */
static void
audit(const struct ops_config *cfg, const char *verb, const char *outcome,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
audit(const struct ops_config *cfg, const char *verb, const char *outcome,
    const char *fmt, ...)
{
	char detail[OPS_AUDIT_DETAIL_MAX + 1];
	struct ops_err e = OPS_ERR_INIT;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (ops_audit_record(cfg, NULL, "ops-backup", verb, outcome, &e, "%s", detail) < 0)
		log_line(cfg, "ERROR", "%s", e.msg);
}

/* backup.dir, created 0700 (and made 0700 when it exists wider). */
static int
backup_dir(const struct ops_config *cfg, char *dir, size_t len, int create,
    struct ops_err *err)
{
	struct stat st;
	int fd;

	if (ops_config_path(cfg, cfg->backup.dir, dir, len, err) < 0)
		return -1;
	if (!create)
		return 0;
	if (ops_fs_mkdirs(dir, err) < 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", dir);
	if (fstat(fd, &st) < 0 || ((st.st_mode & 077) && fchmod(fd, 0700) < 0)) {
		int e = errno;

		close(fd);
		return ops_err_sys(err, e, "unable to make '%s' private", dir);
	}
	close(fd);
	return 0;
}

/* Leftovers of a run that was killed: our temporary names only. */
static int
clean_stale(const char *dir, struct ops_err *err)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	d = opendir(dir);
	if (d == NULL)
		return ops_err_sys(err, errno, "unable to read '%s'", dir);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		if (strncmp(n, TMP_PREFIX, strlen(TMP_PREFIX)) != 0 &&
		    !(strncmp(n, "latest.tmp.", 11) == 0 && strlen(n) == 17))
			continue;
		if (ops_path_join(path, sizeof(path), dir, n, err) < 0 ||
		    ops_tree_remove(path, err) < 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ---- create ---------------------------------------------------------- */

struct member {
	char *name;		/* "memory/..." */
	char *src;		/* the live file */
	enum ops_kind kind;
	int fd;			/* what is streamed: a snapshot, a copy or the live JSONL */
	struct ops_snapshot_db *db;	/* a database held until the snapper copies it */
	uint64_t len;
	double mtime;
	char sha256[OPS_SHA256_HEX];	/* hashed on its way into the archive */
	/* Databases: the check of the copy (backup.check) has run, and what
	 * it found ("" when it passed). */
	int checked;
	char corrupt[512];
};

struct job {
	const struct ops_config *cfg;
	enum { OPS_BACKUP_CHECK_QUICK, OPS_BACKUP_CHECK_FULL, OPS_BACKUP_CHECK_OFF } check;
	const struct ops_backup_progress *p;
	struct member *v;	/* sorted by name */
	size_t n;
	size_t *order;		/* the archive's order: indexes into v */
	char dir[PATH_MAX];
	char snapdir[PATH_MAX];
	char tmp[PATH_MAX];
	/* The snapper thread copies the held databases, in the archive's
	 * order, while this one archives those already copied and the
	 * checker checks them (backup.check). */
	pthread_t snapper, checker;
	int snapping, checking;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t ready;		/* members [0, ready) can be archived */
	int stop, failed;
	int copied;		/* the snapper is done (ready says how far) */
	struct ops_err snap_err;
	/* issue 12: encryption to rcpt; the verification reads the archive
	 * back with the file key chosen here (the host holds no identity). */
	int encrypt;
	struct ops_age_recipients rcpt;
	unsigned char file_key[16];
	struct ops_age_identities self;
};

static void snapper_join(struct job *j, int stop);

static void
job_release(struct job *j)
{
	struct ops_err ignore = OPS_ERR_INIT;

	snapper_join(j, 1);
	for (size_t i = 0; i < j->n; i++) {
		ops_snapshot_db_close(j->v[i].db);
		free(j->v[i].name);
		free(j->v[i].src);
		if (j->v[i].fd >= 0)
			close(j->v[i].fd);
	}
	free(j->v);
	free(j->order);
	ops_age_recipients_release(&j->rcpt);
	OPENSSL_cleanse(j->file_key, sizeof(j->file_key));
	j->v = NULL;
	j->order = NULL;
	j->n = 0;
	if (j->snapdir[0])
		ops_tree_remove(j->snapdir, &ignore);
	if (j->tmp[0])
		unlink(j->tmp);
}

static int
by_member_name(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name, ((const struct member *)b)->name);
}

/* SQLite's own files are never members: a -wal restored beside a
 * snapshot would be replayed into it. */
static int
sqlite_side_file(const char *name)
{
	return ends_with(name, "-wal") || ends_with(name, "-shm") ||
	    ends_with(name, "-journal");
}

static int
collect(struct job *j, struct ops_err *err)
{
	const struct ops_config *cfg = j->cfg;
	struct ops_strv paths = OPS_STRV_INIT;
	size_t cap = 0;
	int rc = -1;

	/* issue 12: entries outside memory/ are checked before anything
	 * (ops's own files, backup.dir, secrets without encryption) */
	if (ops_homefile_check_include(cfg, j->encrypt, err) < 0)
		goto out;
	for (size_t i = 0; i < cfg->backup.include.n; i++) {
		const char *pat = cfg->backup.include.v[i];
		struct ops_strv refused = OPS_STRV_INIT;
		size_t from = paths.n;
		int r;

		/* a match outside memory/ reached through a symlink is refused
		 * out loud: the operator named it and would miss it */
		r = ops_confine_glob(cfg->home, pat, &paths, ops_manifest_in_memory(pat) ?
		    NULL : &refused, err);
		if (r == 0 && refused.n > 0)
			r = ops_err_set(err, OPS_E_FAIL, "backup.include: '%s' reaches '%s' "
			    "through a symlink or a non-directory: refusing to follow it", pat,
			    ops_fs_rel(cfg->home, refused.v[0]));
		ops_strv_release(&refused);
		if (r < 0)
			goto out;
		for (size_t k = from; k < paths.n; k++) {
			const char *rel = ops_fs_rel(cfg->home, paths.v[k]);
			struct stat dst;

			/* a directory a glob matches is not archived (below) */
			if (lstat(paths.v[k], &dst) == 0 && S_ISDIR(dst.st_mode))
				continue;
			if (rel == paths.v[k]) {
				ops_err_set(err, OPS_E_USAGE, "backup.include: '%s' is outside "
				    "the home", paths.v[k]);
				goto out;
			}
			if (ops_homefile_check_file(cfg, pat, rel, j->encrypt, err) < 0)
				goto out;
		}
	}
	ops_strv_sort(&paths);
	for (size_t i = 0; i < paths.n; i++) {
		const char *p = paths.v[i], *rel = ops_fs_rel(cfg->home, p);
		struct ops_err why = OPS_ERR_INIT;
		struct member *m;
		struct stat st;

		if (i > 0 && strcmp(p, paths.v[i - 1]) == 0)
			continue;
		if (sqlite_side_file(rel))
			continue;
		if (lstat(p, &st) < 0) {
			if (errno == ENOENT)
				continue;
			ops_err_sys(err, errno, "unable to stat '%s'", rel);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			ops_err_set(err, OPS_E_FAIL, "refusing to back up '%s': it is a symlink", rel);
			goto out;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (ops_manifest_name_check(rel, &why) < 0) {
			ops_err_set(err, OPS_E_FAIL, "unable to back up '%s': %s", rel, why.msg);
			goto out;
		}
		if (j->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct member *v = realloc(j->v, ncap * sizeof(*v));

			if (v == NULL) {
				ops_err_sys(err, errno, "unable to list the files to back up");
				goto out;
			}
			j->v = v;
			cap = ncap;
		}
		m = &j->v[j->n];
		memset(m, 0, sizeof(*m));
		m->fd = -1;
		m->name = strdup(rel);
		m->src = strdup(p);
		j->n++;
		if (m->name == NULL || m->src == NULL) {
			ops_err_sys(err, errno, "unable to list the files to back up");
			goto out;
		}
	}
	if (j->n == 0) {
		ops_err_set(err, OPS_E_FAIL, "nothing to back up: no file matches backup.include");
		goto out;
	}
	{
		size_t outside = 0;

		for (size_t i = 0; i < j->n; i++)
			outside += !ops_manifest_in_memory(j->v[i].name);
		/* what one restore journal records */
		if (outside > OPS_HOMEFILE_MAX) {
			ops_err_set(err, OPS_E_USAGE, "backup.include: %zu files outside "
			    "memory/, at most %d: narrow the entries", outside, OPS_HOMEFILE_MAX);
			goto out;
		}
	}
	qsort(j->v, j->n, sizeof(j->v[0]), by_member_name);
	rc = 0;
out:
	ops_strv_release(&paths);
	return rc;
}

/* Where member i's copy is staged; ext is "db" or "file". */
static int
staged_path(const struct job *j, size_t i, const char *ext, char *buf, size_t len,
    struct ops_err *err)
{
	if (snprintf(buf, len, "%s/%zu.%s", j->snapdir, i, ext) >= (int)len)
		return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", j->snapdir);
	return 0;
}

static int
open_staged(const char *path, struct member *m, struct ops_err *err)
{
	m->fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (m->fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", path);
	return 0;
}

/* Fix member i at this instant: a database held in a read transaction
 * (copied later, by the snapper), a JSONL's length, a copy of any other
 * file. Its length is then known for the manifest. */
static int
snapshot(struct job *j, size_t i, struct ops_err *err)
{
	struct member *m = &j->v[i];
	char staged[PATH_MAX];
	struct stat st;
	int fd, is, rc = -1;

	fd = open(m->src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ops_err_sys(err, errno, "unable to open '%s'", m->name);
	if (fstat(fd, &st) < 0) {
		ops_err_sys(err, errno, "unable to stat '%s'", m->name);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ops_err_set(err, OPS_E_FAIL, "'%s' is not a regular file", m->name);
		goto out;
	}
	m->mtime = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
	if ((is = ops_snapshot_is_sqlite(fd, m->name, err)) < 0)
		goto out;
	if (is) {
		m->kind = OPS_KIND_SQLITE;
		close(fd);
		fd = -1;
		if (ops_snapshot_db_open(m->src, &m->db, &m->len, err) < 0)
			goto out;
	} else if (ends_with(m->name, ".jsonl")) {
		/* Append-only: the bytes up to the last complete line do not
		 * change; they are streamed from the live file. */
		m->kind = OPS_KIND_JSONL;
		m->fd = fd;
		fd = -1;
		if (ops_snapshot_jsonl_len(m->fd, m->name, &m->len, err) < 0)
			goto out;
	} else {
		m->kind = OPS_KIND_FILE;
		if (staged_path(j, i, "file", staged, sizeof(staged), err) < 0 ||
		    ops_snapshot_copy(fd, m->name, staged, &m->len, m->sha256, err) < 0 ||
		    open_staged(staged, m, err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* What needs no copy first (JSONL, files already copied), then the
 * databases, smallest first: the archive starts at once and the snapper
 * keeps ahead of it while copying the big ones. */
static int
by_archive_order(const void *a, const void *b, void *ctx)
{
	const struct member *v = ctx, *x = &v[*(const size_t *)a], *y = &v[*(const size_t *)b];

	if ((x->db != NULL) != (y->db != NULL))
		return x->db != NULL ? 1 : -1;
	if (x->db && x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
archive_order(struct job *j, struct ops_err *err)
{
	j->order = calloc(j->n, sizeof(*j->order));
	if (j->order == NULL)
		return ops_err_sys(err, errno, "unable to plan the archive");
	for (size_t i = 0; i < j->n; i++)
		j->order[i] = i;
	qsort_r(j->order, j->n, sizeof(*j->order), by_archive_order, j->v);
	return 0;
}

/* The copies, in the archive's order (the archive waits for each). */
static void *
snapper_main(void *arg)
{
	struct job *j = arg;
	struct ops_err err = OPS_ERR_INIT;
	char staged[PATH_MAX];

	for (size_t k = 0; k < j->n; k++) {
		size_t i = j->order[k];
		struct member *m = &j->v[i];
		int stop, failed = 0;

		pthread_mutex_lock(&j->mu);
		stop = j->stop;
		pthread_mutex_unlock(&j->mu);
		if (stop)
			break;
		if (m->db) {
			failed = staged_path(j, i, "db", staged, sizeof(staged), &err) < 0 ||
			    ops_snapshot_db_copy(m->db, staged, &err) < 0 ||
			    open_staged(staged, m, &err) < 0;
			ops_snapshot_db_close(m->db);
			m->db = NULL;
		}
		pthread_mutex_lock(&j->mu);
		if (failed) {
			j->failed = 1;
			j->snap_err = err;
		} else {
			j->ready = k + 1;
		}
		pthread_cond_broadcast(&j->cv);
		pthread_mutex_unlock(&j->mu);
		if (failed)
			break;
	}
	pthread_mutex_lock(&j->mu);
	j->copied = 1;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* The checks of the copies (backup.check), on a thread of their own:
 * each copy as soon as it is made (still hot in the page cache), beside
 * the next copy and the archive; only the final name waits for them.
 * A copy left unchecked (stopped, failed) never counts as good. */
static void *
checker_main(void *arg)
{
	struct job *j = arg;
	char staged[PATH_MAX];

	for (size_t k = 0; k < j->n; k++) {
		size_t i = j->order[k];
		struct member *m = &j->v[i];
		struct ops_err ce = OPS_ERR_INIT;
		int go;

		pthread_mutex_lock(&j->mu);
		while (j->ready <= k && !j->copied && !j->stop)
			pthread_cond_wait(&j->cv, &j->mu);
		go = j->ready > k && !j->stop;
		pthread_mutex_unlock(&j->mu);
		if (!go)
			break;
		if (m->kind != OPS_KIND_SQLITE)
			continue;
		if (staged_path(j, i, "db", staged, sizeof(staged), &ce) < 0 ||
		    ops_snapshot_check(staged, m->name, j->check == OPS_BACKUP_CHECK_FULL,
		    &ce) < 0)
			snprintf(m->corrupt, sizeof(m->corrupt), "%.500s",
			    ce.msg[0] ? ce.msg : "check failed");
		m->checked = 1;
	}
	return NULL;
}

static int
snapper_start(struct job *j, struct ops_err *err)
{
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	if (pthread_create(&j->snapper, NULL, snapper_main, j) != 0) {
		pthread_mutex_destroy(&j->mu);
		pthread_cond_destroy(&j->cv);
		return ops_err_sys(err, EAGAIN, "unable to start the snapshots");
	}
	j->snapping = 1;
	if (j->check != OPS_BACKUP_CHECK_OFF) {
		if (pthread_create(&j->checker, NULL, checker_main, j) != 0) {
			snapper_join(j, 1);
			return ops_err_sys(err, EAGAIN, "unable to start the checks");
		}
		j->checking = 1;
	}
	return 0;
}

/* The snapper holds read transactions on the agent's databases (their
 * WAL cannot be checkpointed meanwhile) and the archive waits for its
 * copies: it goes first. The archiving and verifying threads, and the
 * compression and hashing threads they start (Linux gives a new thread
 * its creator's nice value), run at nice + 10, as a backup beside a live
 * agent should anyway. The caller's thread keeps its priority. Best
 * effort. */
static void
yield_to_snapper(void)
{
	id_t self = (id_t)gettid();
	int prio;

	errno = 0;
	prio = getpriority(PRIO_PROCESS, self);
	if (errno == 0 && prio < 19)
		setpriority(PRIO_PROCESS, self, prio + 10 > 19 ? 19 : prio + 10);
}

/* Waits for the copy of the k-th member in the archive's order: 0 when it
 * can be archived. */
static int
snapper_wait(struct job *j, size_t k, struct ops_err *err)
{
	int rc = 0;

	pthread_mutex_lock(&j->mu);
	while (j->ready <= k && !j->failed)
		pthread_cond_wait(&j->cv, &j->mu);
	if (j->ready <= k) {
		*err = j->snap_err;
		rc = -1;
	}
	pthread_mutex_unlock(&j->mu);
	return rc;
}

/* Waits for the snapper and the checker: for all the copies and checks,
 * or with stop, only for the copy and the check being made, if any (the
 * others are then unchecked, never good). */
static void
snapper_join(struct job *j, int stop)
{
	if (!j->snapping)
		return;
	pthread_mutex_lock(&j->mu);
	if (stop)
		j->stop = 1;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	pthread_join(j->snapper, NULL);
	if (j->checking)
		pthread_join(j->checker, NULL);
	j->checking = 0;
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	j->snapping = 0;
}

static const char *
extension(const char *compression)
{
	if (strcmp(compression, "zstd") == 0)
		return ".tar.zst";
	if (strcmp(compression, "gzip") == 0)
		return ".tar.gz";
	return ".tar";
}

static void
archive_progress(void *ctx, uint64_t done)
{
	struct job *j = ctx;
	uint64_t total = 0;

	for (size_t i = 0; i < j->n; i++)
		total += j->v[i].len;
	progress(j->p, "archive", done, total);
}

/* The verification reads the archive back while it is written, from the
 * same file, a block behind the writer: a second decompression and a
 * second hashing of everything, on another core. */
struct follow {
	int fd;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t written, off;
	int done, failed;
	struct ops_sha256 *sha;	/* hashes the file's bytes as read back, or NULL */
};

static void
follow_wrote(void *ctx, uint64_t bytes)
{
	struct follow *f = ctx;

	pthread_mutex_lock(&f->mu);
	f->written = bytes;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

static void
follow_end(struct follow *f, int failed)
{
	pthread_mutex_lock(&f->mu);
	f->done = 1;
	f->failed = failed;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/* Blocks until the writer has written past what was read, or ended. */
static ssize_t
follow_read(void *ctx, void *buf, size_t len)
{
	struct follow *f = ctx;
	uint64_t avail;
	ssize_t n;

	pthread_mutex_lock(&f->mu);
	while (f->off == f->written && !f->done)
		pthread_cond_wait(&f->cv, &f->mu);
	avail = f->written - f->off;
	if (f->failed) {
		pthread_mutex_unlock(&f->mu);
		return -1;
	}
	pthread_mutex_unlock(&f->mu);
	if (avail == 0)
		return 0;
	if (len > avail)
		len = (size_t)avail;
	while ((n = pread(f->fd, buf, len, (off_t)f->off)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return -1;
	if (f->sha != NULL && ops_sha256_update(f->sha, buf, (size_t)n, NULL) < 0)
		return -1;
	f->off += (uint64_t)n;
	return n;
}

/* The verification compares each member with the file it was written
 * from: the snapshot, the copy, or the live JSONL's stable prefix. */
static int
reference(void *ctx, const struct ops_manifest_entry *e)
{
	struct job *j = ctx;
	struct member key = { .name = e->name }, *m;

	m = bsearch(&key, j->v, j->n, sizeof(*j->v), by_member_name);
	return m ? m->fd : -1;
}

struct verifier {
	pthread_t thread;
	struct follow f;
	const char *path;
	struct ops_archive_read_opts ro;
	struct ops_manifest m;
	struct ops_err err;
	int rc;
};

static void *
verifier_main(void *arg)
{
	struct verifier *v = arg;

	yield_to_snapper();
	v->rc = ops_archive_read(v->path, &v->ro, &v->m, &v->err);
	return NULL;
}


/* MANIFEST.json, memory/, the members (each hashed on its way in, the
 * hash set in m), MANIFEST.sha256. */
static int
write_archive(struct job *j, struct ops_manifest *m, int fd, struct follow *f,
    struct ops_err *err)
{
	struct ops_archive_writer w = OPS_ARCHIVE_WRITER_INIT;
	struct ops_buf sha = OPS_BUF_INIT, json = OPS_BUF_INIT;
	int rc = -1;

	ops_manifest_format_json(m, &json);
	if (json.oom) {
		ops_err_sys(err, ENOMEM, "unable to write the manifest");
		goto out;
	}
	w.progress = archive_progress;
	w.ctx = j;
	w.wrote = f ? follow_wrote : NULL;
	w.wctx = f;
	w.encrypt = j->encrypt ? &j->rcpt : NULL;
	if (ops_archive_write_open(&w, fd, j->cfg->backup.compression, err) < 0 ||
	    ops_archive_write_mem(&w, OPS_MANIFEST_JSON, json.s, json.len, m->created,
	    err) < 0 ||
	    ops_archive_write_dir(&w, "memory", m->created, err) < 0)
		goto out;
	for (size_t k = 0; k < j->n; k++) {
		struct member *mb = &j->v[j->order[k]];
		struct ops_manifest_entry *e;

		if (snapper_wait(j, k, err) < 0 ||
		    ops_archive_write_fd(&w, mb->name, mb->fd, mb->len, mb->mtime,
		    mb->sha256, err) < 0)
			goto out;
		e = (struct ops_manifest_entry *)ops_manifest_find(m, mb->name);
		memcpy(e->sha256, mb->sha256, OPS_SHA256_HEX);
	}
	ops_manifest_format_sha256(m, &sha);
	if (sha.oom) {
		ops_err_sys(err, ENOMEM, "unable to write the manifest");
		goto out;
	}
	if (ops_archive_write_mem(&w, OPS_MANIFEST_SHA256, sha.s, sha.len, m->created,
	    err) < 0 || ops_archive_write_close(&w, err) < 0)
		goto out;
	rc = 0;
out:
	ops_archive_write_release(&w);
	ops_buf_release(&sha);
	ops_buf_release(&json);
	return rc;
}

/* write_archive on a thread of its own, so that only the threads doing
 * the archive's work take its lower priority. */
struct archiver {
	pthread_t thread;
	struct job *j;
	struct ops_manifest *m;
	int fd;
	struct follow *f;
	struct ops_err err;
	int rc;
};

static void *
archiver_main(void *arg)
{
	struct archiver *a = arg;

	yield_to_snapper();
	a->rc = write_archive(a->j, a->m, a->fd, a->f, &a->err);
	return NULL;
}

/* The archive's own manifest must be the one we wrote. */
static int
same_manifest(const struct ops_manifest *a, const struct ops_manifest *b,
    struct ops_err *err)
{
	if (a->n != b->n || a->total != b->total)
		return ops_err_set(err, OPS_E_FAIL, "the archive does not hold what was written");
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, b->v[i].name) != 0 || a->v[i].size != b->v[i].size ||
		    a->v[i].kind != b->v[i].kind || strcmp(a->v[i].sha256, b->v[i].sha256) != 0)
			return ops_err_set(err, OPS_E_FAIL,
			    "the archive does not hold what was written ('%s')", a->v[i].name);
	return 0;
}

/* Give tmp its final name without ever replacing a file: a name taken
 * (two backups within a second) moves on to the next second. */
static int
install(struct job *j, double when, const char *tag, char *final, size_t len,
    struct ops_err *err)
{
	const char *ext = extension(j->cfg->backup.compression);
	char stamp[32];

	for (int k = 0; k < 120; k++) {
		ops_time_stamp(when + k, stamp, sizeof(stamp));
		if (snprintf(final, len, "%s/%s%s%s%s", j->dir, stamp, tag, ext,
		    j->encrypt ? ".age" : "") >= (int)len)
			return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", j->dir);
		if (renameat2(AT_FDCWD, j->tmp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
			goto done;
		if (errno == EEXIST)
			continue;
		if (errno != EINVAL && errno != ENOSYS)
			return ops_err_sys(err, errno, "unable to rename '%s' to '%s'", j->tmp, final);
		/* No RENAME_NOREPLACE here: link(2) never replaces either. */
		if (link(j->tmp, final) == 0) {
			unlink(j->tmp);
			goto done;
		}
		if (errno != EEXIST)
			return ops_err_sys(err, errno, "unable to link '%s' to '%s'", j->tmp, final);
	}
	return ops_err_set(err, OPS_E_FAIL, "unable to find a free name for the backup");
done:
	j->tmp[0] = '\0';
	return ops_fs_fsync_dir(final, 0, err);
}

static int
write_latest(const char *dir, const char *final, struct ops_err *err)
{
	char path[PATH_MAX], text[PATH_MAX + 2];
	int n;

	if (ops_path_join(path, sizeof(path), dir, "latest", err) < 0)
		return -1;
	n = snprintf(text, sizeof(text), "%s\n", final);
	if (n < 0 || n >= (int)sizeof(text))
		return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", final);
	return ops_fs_write_atomic(path, text, (size_t)n, err);
}

static int scan(const char *dir, struct ops_backup_info **out, size_t *nout,
    struct ops_err *err);
static int newest_first(const void *a, const void *b);

/* The last n lines of text (len bytes) into out, sanitised, " | "
 * between them: a command's stderr tail for one line of a log. */
static void
tail_lines(const char *text, size_t len, int n, struct ops_buf *out)
{
	const char *start, *end = text + len;

	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	for (int k = 0; start > text && k < n; k++) {
		start--;
		while (start > text && start[-1] != '\n')
			start--;
	}
	for (const char *p = start; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (l > 0 && p[l - 1] == '\r')
			l--;
		if (l > 0) {
			if (out->len)
				ops_buf_puts(out, " | ");
			ops_san_add(out, p, l > 300 ? 300 : l, OPS_SAN_LINE);
		}
		p += (nl ? (size_t)(nl - p) + 1 : l);
		if (!nl)
			break;
	}
}

/* backup.offsite (rclone) as ops_rclone wants it. */
static void
rclone_of(const struct ops_config *cfg, struct ops_rclone *rc)
{
	rc->rclone = cfg->backup.offsite.rclone;
	rc->config = cfg->backup.offsite.config;
	rc->remote = cfg->backup.offsite.remote;
	rc->timeout = OFFSITE_TIMEOUT;
}

/* Is an offsite copy configured (backup.offsite or offsite_command)? */
static int
offsite_on(const struct ops_config *cfg)
{
	return cfg->backup.offsite.enabled || cfg->backup.offsite_command.n > 0;
}

/* The catalog line of the archive at path (row; sb its stat) to
 * REMOTE/NAME.catalog (ops_catline), read back like the archive: a fresh
 * host checks what it fetches against it. The archive's sha256 is the
 * catalog's, or computed here (a plain archive's is not recorded). */
static int
put_catline(const struct ops_rclone *rcl, const char *path,
    const struct ops_catalog_row *row, const struct stat *sb, char *tail, size_t tlen,
    struct ops_err *err)
{
	struct ops_buf line = OPS_BUF_INIT;
	struct ops_catalog_row r = *row;
	char hex[OPS_SHA256_HEX], tmp[PATH_MAX], remote[128], lhex[OPS_SHA256_HEX];
	const char *slash = strrchr(path, '/');
	int fd = -1, rc = -1;

	tmp[0] = '\0';
	if (row->sha256[0]) {
		snprintf(hex, sizeof(hex), "%s", row->sha256);
	} else {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || ops_sha256_fd(fd, (uint64_t)sb->st_size, row->name, hex, err) < 0) {
			if (fd < 0)
				ops_err_sys(err, errno, "unable to open '%s'", path);
			goto out;
		}
		close(fd);
		fd = -1;
	}
	r.size = (int64_t)sb->st_size;
	ops_catline_format(&r, hex, &line);
	if (line.oom || line.len == 0 || ops_catline_name(row->name, remote,
	    sizeof(remote)) < 0) {
		ops_err_set(err, OPS_E_FAIL, "unable to make the catalog line of %s", row->name);
		goto out;
	}
	/* beside the archive, a name clean_stale removes if we die here */
	if (snprintf(tmp, sizeof(tmp), "%.*s/" TMP_PREFIX "catline-XXXXXX",
	    slash ? (int)(slash - path) : 1, slash ? path : ".") >= (int)sizeof(tmp)) {
		tmp[0] = '\0';
		ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", path);
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ops_err_sys(err, errno, "unable to create '%s'", tmp);
		tmp[0] = '\0';
		goto out;
	}
	if (ops_fs_write_all(fd, ops_buf_str(&line), line.len) < 0) {
		ops_err_sys(err, errno, "unable to write '%s'", tmp);
		goto out;
	}
	{
		struct ops_sha256 h = OPS_SHA256_INIT;
		int hr = ops_sha256_init(&h, err) < 0 ||
		    ops_sha256_update(&h, ops_buf_str(&line), line.len, err) < 0 ||
		    ops_sha256_final(&h, lhex, err) < 0;

		ops_sha256_release(&h);
		if (hr)
			goto out;
	}
	if (ops_rclone_put(rcl, tmp, remote, (int64_t)line.len, lhex, tail, tlen, err) < 0) {
		ops_err_prefix(err, "the catalog line of %s", row->name);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlink(tmp);
	ops_buf_release(&line);
	return rc;
}

/* Copy the archive at path (catalog row row) offsite: through rclone
 * (copyto, then the remote's size and sha256 read back) or
 * backup.offsite_command. -1 with err naming the command, how it ended
 * and the last line it wrote; *tail (the caller's) gets the last lines of
 * its output for the log. */
static int
offsite(const struct ops_config *cfg, const char *path,
    const struct ops_catalog_row *row, struct ops_buf *tail, struct ops_err *err)
{
	struct ops_strv argv = OPS_STRV_INIT;
	struct ops_run_result r;
	struct ops_buf last = OPS_BUF_INIT;
	int rc = -1;

	if (cfg->backup.offsite.enabled) {
		struct ops_rclone rcl;
		char t[320] = "";
		struct stat sb;

		rclone_of(cfg, &rcl);
		/* The file as it is now: what the remote must hold. */
		if (stat(path, &sb) < 0) {
			ops_err_sys(err, errno, "offsite copy failed: '%s'", path);
			goto out;
		}
		if (ops_rclone_put(&rcl, path, row->name, (int64_t)sb.st_size, row->sha256,
		    t, sizeof(t), err) < 0 ||
		    put_catline(&rcl, path, row, &sb, t, sizeof(t), err) < 0) {
			ops_err_prefix(err, "offsite copy failed");
			ops_buf_puts(tail, t);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (ops_strv_copy(&argv, &cfg->backup.offsite_command) < 0 ||
	    ops_strv_push(&argv, path) < 0) {
		ops_err_sys(err, ENOMEM, "offsite copy failed");
		goto out;
	}
	/* Output kept large enough that its end (where a command says why it
	 * failed) is there. */
	if (ops_run(argv.v, NULL, NULL, OFFSITE_TIMEOUT, 65536, &r, err) < 0) {
		ops_err_prefix(err, "offsite copy failed");
		goto out;
	}
	if (r.exited && r.status == 0) {
		rc = 0;
	} else {
		if (r.output) {
			tail_lines(r.output, r.output_len, 1, &last);
			tail_lines(r.output, r.output_len, 5, tail);
		}
		ops_err_set(err, OPS_E_FAIL, "offsite copy failed: '%s' %s %d%s%s", argv.v[0],
		    r.timed_out ? "timed out, killed by signal" :
		    r.exited ? "exited with status" : "killed by signal", r.status,
		    last.len ? ": " : "", ops_buf_str(&last));
	}
	ops_run_result_release(&r);
out:
	ops_buf_release(&last);
	ops_strv_release(&argv);
	return rc;
}

/* Archives waiting for their offsite copy: a good archive whose catalog
 * row says "pending" or the last failure, oldest first; the first
 * failure ends the round (the next backup or `offsite --retry` goes on). */
static int
offsite_pending(const struct ops_config *cfg, const char *dir, size_t *copied,
    struct ops_err *err)
{
	struct ops_backup_info *bv = NULL;
	struct ops_statedb st = OPS_STATEDB_INIT;
	size_t n = 0;
	int rc = -1;

	*copied = 0;
	if (scan(dir, &bv, &n, err) < 0 || ops_state_open(&st, cfg->home, err) < 0)
		goto out;
	if (n > 1)
		qsort(bv, n, sizeof(*bv), newest_first);
	for (size_t k = n; k-- > 0;) {
		struct ops_catalog_row row;
		struct ops_buf tail = OPS_BUF_INIT;
		struct ops_err e = OPS_ERR_INIT;
		double now;

		if (ops_catalog_get(&st, bv[k].name, &row, NULL) != 1 || row.offsite > 0 ||
		    row.offsite_msg[0] == '\0' || !ops_catalog_row_good(&row))
			continue;
		if (offsite(cfg, bv[k].path, &row, &tail, &e) < 0) {
			now = ops_time_now();
			snprintf(row.offsite_msg, sizeof(row.offsite_msg), "%.500s", e.msg);
			ops_catalog_put(&st, &row, NULL);
			ops_catalog_run_add(&st, now, "offsite", 0, row.name, e.msg, NULL);
			log_line(cfg, "ERROR", "%s: %s%s%s", row.name, e.msg,
			    tail.len ? "; output: " : "", ops_buf_str(&tail));
			audit(cfg, "backup.offsite", "failed", "%s: %s", row.name, e.msg);
			ops_buf_release(&tail);
			if (err)
				*err = e;
			goto out;
		}
		ops_buf_release(&tail);
		now = ops_time_now();
		row.offsite = now;
		row.offsite_msg[0] = '\0';
		ops_catalog_put(&st, &row, NULL);
		ops_catalog_run_add(&st, now, "offsite", 1, row.name, NULL, NULL);
		log_line(cfg, "INFO", "offsite copy done: %s", ops_fs_rel(cfg->home, bv[k].path));
		audit(cfg, "backup.offsite", "done", "copied %s", ops_fs_rel(cfg->home,
		    bv[k].path));
		(*copied)++;
	}
	rc = 0;
out:
	ops_state_close(&st);
	free(bv);
	return rc;
}

int
ops_backup_offsite_retry(const struct ops_config *cfg, size_t *copied,
    struct ops_err *err)
{
	char dir[PATH_MAX];

	*copied = 0;
	if (!offsite_on(cfg))
		return ops_err_set(err, OPS_E_USAGE,
		    "no backup.offsite_command (or backup.offsite) configured");
	if (backup_dir(cfg, dir, sizeof(dir), 0, err) < 0)
		return -1;
	return offsite_pending(cfg, dir, copied, err);
}

static int prune(const struct ops_config *cfg, const char *dir, int dry_run,
    struct ops_prune_item **v, size_t *n, struct ops_err *err);

/* backup.offsite keep "same": delete the remote copy of name. A failure
 * is logged and leaves the copy (never more is deleted than local). */
static void
prune_remote(const struct ops_config *cfg, const char *name)
{
	struct ops_rclone rcl;
	struct ops_err e = OPS_ERR_INIT;
	char line[128];

	rclone_of(cfg, &rcl);
	rcl.timeout = 300;	/* one small request, not an upload */
	if (ops_rclone_delete(&rcl, name, &e) < 0) {
		log_line(cfg, "WARNING", "pruned %s here, remote copy kept: %s", name, e.msg);
		audit(cfg, "backup.prune", "failed", "remote %s: %s", name, e.msg);
		return;
	}
	log_line(cfg, "INFO", "pruned %s on the remote", name);
	audit(cfg, "backup.prune", "done", "deleted remote %s", name);
	/* Its catalog line goes with it. Archives copied before lines were
	 * uploaded have none: a failure here says nothing, and a line left
	 * behind is never taken for an archive (offsite list, fetch). */
	if (ops_catline_name(name, line, sizeof(line)) == 0)
		ops_rclone_delete(&rcl, line, NULL);
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ops_rclone_entry *)a)->name,
	    ((const struct ops_rclone_entry *)b)->name);
}

int
ops_backup_offsite_list(const struct ops_config *cfg, struct ops_rclone_entry **v,
    size_t *n, struct ops_err *err)
{
	struct ops_rclone rcl;
	struct ops_backup_name bn;
	size_t k = 0;

	*v = NULL;
	*n = 0;
	if (!cfg->backup.offsite.enabled)
		return ops_err_set(err, OPS_E_USAGE, "no backup.offsite configured");
	rclone_of(cfg, &rcl);
	rcl.timeout = 300;
	if (ops_rclone_list(&rcl, v, n, err) < 0)
		return -1;
	/* Only archives (what ops-backup would have written), oldest first. */
	for (size_t i = 0; i < *n; i++)
		if (!(*v)[i].is_dir && ops_backup_name_parse((*v)[i].name, &bn) == 0)
			(*v)[k++] = (*v)[i];
	*n = k;
	if (k > 1)
		qsort(*v, k, sizeof(**v), entry_cmp);
	return 0;
}

/* Every file directly under the remote (archives, catalog lines, ...). */
static int
offsite_raw_list(const struct ops_config *cfg, struct ops_rclone_entry **v, size_t *n,
    struct ops_err *err)
{
	struct ops_rclone rcl;

	rclone_of(cfg, &rcl);
	rcl.timeout = 300;
	return ops_rclone_list(&rcl, v, n, err);
}

/* The catalog line of name when raw lists one: fetched into dir (then
 * removed), parsed, and it must name that archive. 1 read, 0 none, -1
 * error (a line that is there but unusable refuses the archive: it was
 * written with it). */
static int
fetch_catline(const struct ops_config *cfg, const struct ops_rclone_entry *raw,
    size_t nraw, const char *name, const char *dir, struct ops_catline *l,
    struct ops_err *err)
{
	struct ops_rclone rcl;
	char lname[128], path[PATH_MAX], *text = NULL;
	const struct ops_rclone_entry *le = NULL;
	size_t len = 0;
	int rc = -1;

	if (ops_catline_name(name, lname, sizeof(lname)) < 0)
		return 0;
	for (size_t i = 0; i < nraw && le == NULL; i++)
		if (!raw[i].is_dir && strcmp(raw[i].name, lname) == 0)
			le = &raw[i];
	if (le == NULL)
		return 0;
	if (le->size > OPS_CATLINE_MAX)
		return ops_err_set(err, OPS_E_FAIL, "the catalog line of %s is %lld bytes: "
		    "not one ops-backup wrote", name, (long long)le->size);
	if (snprintf(path, sizeof(path), "%s/%s", dir, lname) >= (int)sizeof(path))
		return ops_err_set(err, OPS_E_FAIL, "download path too long");
	rclone_of(cfg, &rcl);
	rcl.timeout = 300;
	if (ops_rclone_get(&rcl, lname, path, err) < 0 ||
	    ops_fs_read_file(path, OPS_CATLINE_MAX, &text, &len, err) < 0) {
		ops_err_prefix(err, "unable to fetch the catalog line of %s", name);
		goto out;
	}
	if (ops_catline_parse(text, len, l, err) < 0) {
		ops_err_prefix(err, "%s", lname);
		goto out;
	}
	if (strcmp(l->name, name) != 0) {
		ops_err_set(err, OPS_E_FAIL, "%s names another archive", lname);
		goto out;
	}
	rc = 1;
out:
	unlink(path);
	free(text);
	return rc;
}

int
ops_backup_offsite_fetch(const struct ops_config *cfg, const char *which,
    char *path, size_t len, char *tmpdir, size_t tlen, struct ops_err *err)
{
	struct ops_rclone_entry *v = NULL, *e = NULL, *raw = NULL;
	struct ops_rclone rcl;
	struct ops_backup_name bn;
	struct ops_catline line;
	size_t nraw = 0;
	int have_line = 0;
	char dir[PATH_MAX], hex[OPS_SHA256_HEX], want[OPS_SHA256_HEX] = "";
	struct ops_catalog_row row;
	struct stat sb;
	size_t n = 0;
	int rc = -1, n2;

	path[0] = tmpdir[0] = '\0';
	if (ops_backup_offsite_list(cfg, &v, &n, err) < 0 ||
	    offsite_raw_list(cfg, &raw, &nraw, err) < 0)
		goto out;
	if (which == NULL || strcmp(which, "latest") == 0) {
		e = n > 0 ? &v[n - 1] : NULL;
	} else {
		if (ops_backup_name_parse(which, &bn) < 0) {
			ops_err_set(err, OPS_E_USAGE, "'%s' is not a backup name", which);
			goto out;
		}
		for (size_t i = 0; i < n && e == NULL; i++)
			if (strcmp(v[i].name, which) == 0)
				e = &v[i];
	}
	if (e == NULL) {
		ops_err_set(err, OPS_E_NOENT, "no archive %s%s on %s", which ? "named " : "",
		    which ? which : "", cfg->backup.offsite.remote);
		ops_san_inplace(err->msg, OPS_SAN_LINE);
		goto out;
	}
	/* A private directory of our own next to the backups (same file
	 * system as a restore's staging), else in $TMPDIR. */
	if (backup_dir(cfg, dir, sizeof(dir), 1, NULL) < 0 ||
	    (n2 = snprintf(tmpdir, tlen, "%s/.offsite.XXXXXX", dir)) < 0 ||
	    (size_t)n2 >= tlen || mkdtemp(tmpdir) == NULL) {
		const char *t = getenv("TMPDIR");

		n2 = snprintf(tmpdir, tlen, "%s/ops-offsite.XXXXXX", t && t[0] == '/' ? t : "/tmp");
		if (n2 < 0 || (size_t)n2 >= tlen || mkdtemp(tmpdir) == NULL) {
			ops_err_sys(err, errno, "unable to make a directory for the download");
			tmpdir[0] = '\0';
			goto out;
		}
	}
	n2 = snprintf(path, len, "%s/%s", tmpdir, e->name);
	if (n2 < 0 || (size_t)n2 >= len) {
		ops_err_set(err, OPS_E_FAIL, "download path too long");
		goto out;
	}
	rclone_of(cfg, &rcl);
	if (ops_rclone_get(&rcl, e->name, path, err) < 0) {
		ops_err_prefix(err, "unable to fetch %s", e->name);
		goto out;
	}
	/* Trust the download only once it matches the listing (and its sha256
	 * when the remote knows it); the restore then checks the manifest. */
	if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		ops_err_set(err, OPS_E_FAIL, "fetched %s but no file arrived", e->name);
		goto out;
	}
	if (e->size >= 0 && (int64_t)sb.st_size != e->size) {
		ops_err_set(err, OPS_E_FAIL, "fetched %s: %lld bytes, the remote lists %lld",
		    e->name, (long long)sb.st_size, (long long)e->size);
		goto out;
	}
	/* Its catalog line, when the remote has one (archives copied before
	 * lines were uploaded have none: then the listing and, below, this
	 * host's catalog are all there is). */
	if ((have_line = fetch_catline(cfg, raw, nraw, e->name, tmpdir, &line, err)) < 0)
		goto out;
	if (have_line && (int64_t)sb.st_size != line.size) {
		ops_err_set(err, OPS_E_FAIL, "fetched %s: %lld bytes, its catalog line says "
		    "%lld", e->name, (long long)sb.st_size, (long long)line.size);
		goto out;
	}
	/* The catalog (it survives losing backups/) knows the sha256 of what
	 * was written: a remote copy altered since cannot pass for it. */
	{
		struct ops_statedb st = OPS_STATEDB_INIT;

		if (ops_state_open(&st, cfg->home, NULL) == 0 &&
		    ops_catalog_get(&st, e->name, &row, NULL) == 1 && row.sha256[0])
			snprintf(want, sizeof(want), "%s", row.sha256);
		ops_state_close(&st);
	}
	if (e->sha256[0] || want[0] || have_line) {
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		int hr = fd < 0 ? ops_err_sys(err, errno, "unable to open '%s'", path) :
		    ops_sha256_fd(fd, (uint64_t)sb.st_size, e->name, hex, err);

		if (fd >= 0)
			close(fd);
		if (hr < 0)
			goto out;
		if (e->sha256[0] && strcmp(hex, e->sha256) != 0) {
			ops_err_set(err, OPS_E_FAIL, "fetched %s: its sha256 is not the remote's",
			    e->name);
			goto out;
		}
		if (want[0] && strcmp(hex, want) != 0) {
			ops_err_set(err, OPS_E_FAIL, "fetched %s: not the archive written here "
			    "(its sha256 is not the catalog's)", e->name);
			goto out;
		}
		if (have_line && strcmp(hex, line.sha256) != 0) {
			ops_err_set(err, OPS_E_FAIL, "fetched %s: its sha256 is not the one its "
			    "catalog line records", e->name);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc < 0)
		ops_backup_offsite_cleanup(path, tmpdir);
	free(v);
	free(raw);
	return rc;
}

void
ops_backup_offsite_cleanup(char *path, char *tmpdir)
{
	if (path[0])
		unlink(path);
	if (tmpdir[0])
		rmdir(tmpdir);
	path[0] = tmpdir[0] = '\0';
}

static void
catalog_record(const struct ops_config *cfg, const struct ops_catalog_row *row,
    char *warning, size_t wlen)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_err e = OPS_ERR_INIT;

	if (ops_state_open(&st, cfg->home, &e) < 0 || ops_catalog_put(&st, row, &e) < 0) {
		if (warning)
			snprintf(warning, wlen, "the backup is not in the catalog: %s", e.msg);
		log_line(cfg, "WARNING", "backup catalog: %s", e.msg);
	}
	ops_state_close(&st);
}

/* A run in the catalog's log; best effort, as the catalog itself. */
static void
run_record(const struct ops_config *cfg, double ts, const char *kind, int ok,
    const char *archive, const char *msg)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_err e = OPS_ERR_INIT;

	if (ops_state_open(&st, cfg->home, &e) < 0 ||
	    ops_catalog_run_add(&st, ts, kind, ok, archive, msg, &e) < 0)
		log_line(cfg, "WARNING", "backup catalog: %s", e.msg);
	ops_state_close(&st);
}

/* Removes the staged copies (a directory of ours) beside the promotion. */
static void *
remove_main(void *arg)
{
	ops_tree_remove(arg, NULL);
	return NULL;
}

/* The first database whose copy failed its check (or was never checked:
 * that is a failure too, never a pass), or NULL. */
static const struct member *
first_corrupt(const struct job *j, size_t *count)
{
	const struct member *first = NULL;

	*count = 0;
	if (j->check == OPS_BACKUP_CHECK_OFF)
		return NULL;	/* recorded unchecked, never good */
	for (size_t i = 0; i < j->n; i++) {
		const struct member *m = &j->v[i];

		if (m->kind != OPS_KIND_SQLITE || (m->checked && m->corrupt[0] == '\0'))
			continue;
		if (first == NULL)
			first = m;
		(*count)++;
	}
	return first;
}

int
ops_backup_create(const struct ops_config *cfg, const struct ops_backup_opts *o,
    const struct ops_backup_progress *p, struct ops_backup_result *res,
    struct ops_err *err)
{
	struct job j = { .cfg = cfg, .p = p };
	const struct member *bad = NULL;
	size_t nbad = 0;
	struct ops_manifest m = OPS_MANIFEST_INIT;
	struct verifier v;
	struct archiver a;
	struct ops_catalog_row row;
	struct ops_prune_item *pv = NULL;
	struct stat st;
	char size[32];
	double now = ops_time_now(), t0 = mono();
	size_t pn = 0;
	int fd = -1, rc = -1, wrc;
	struct ops_sha256 fsha = OPS_SHA256_INIT;
	char fhex[OPS_SHA256_HEX] = "";
	pthread_t cleaner;
	int cleaning = 0;
	char gone[PATH_MAX];

	memset(res, 0, sizeof(*res));
	memset(&v, 0, sizeof(v));
	memset(&a, 0, sizeof(a));
	/* The keys first: a configuration error costs no snapshot. */
	if (ops_backup_recipients(cfg, &j.rcpt, &j.encrypt, err) < 0)
		goto out;
	if (j.encrypt) {
		if (ops_age_file_key(j.file_key, err) < 0 ||
		    ops_sha256_init(&fsha, err) < 0)
			goto out;
		j.rcpt.file_key = j.file_key;
		j.self.file_key = j.file_key;
	}
	j.check = strcmp(cfg->backup.check, "full") == 0 ? OPS_BACKUP_CHECK_FULL :
	    strcmp(cfg->backup.check, "off") == 0 ? OPS_BACKUP_CHECK_OFF : OPS_BACKUP_CHECK_QUICK;
	if (backup_dir(cfg, j.dir, sizeof(j.dir), 1, err) < 0 ||
	    clean_stale(j.dir, err) < 0 || collect(&j, err) < 0)
		goto out;
	if (snprintf(j.snapdir, sizeof(j.snapdir), "%s/" TMP_PREFIX "snap.XXXXXX", j.dir) >=
	    (int)sizeof(j.snapdir) || mkdtemp(j.snapdir) == NULL) {
		ops_err_sys(err, errno, "unable to create a snapshot directory in '%s'", j.dir);
		j.snapdir[0] = '\0';
		goto out;
	}
	for (size_t i = 0; i < j.n; i++) {
		progress(p, "snapshot", i, j.n);
		if (snapshot(&j, i, err) < 0)
			goto out;
		if (ops_manifest_add(&m, j.v[i].name, j.v[i].len, j.v[i].kind, NULL, err) < 0)
			goto out;
	}
	progress(p, "snapshot", j.n, j.n);
	if (archive_order(&j, err) < 0 || snapper_start(&j, err) < 0)
		goto out;
	m.created = now;
	ops_manifest_sort(&m);

	if (snprintf(j.tmp, sizeof(j.tmp), "%s/" TMP_PREFIX "tmp.XXXXXX", j.dir) >=
	    (int)sizeof(j.tmp) || (fd = mkostemp(j.tmp, O_CLOEXEC)) < 0) {
		ops_err_sys(err, errno, "unable to create a temporary file in '%s'", j.dir);
		j.tmp[0] = '\0';
		goto out;
	}
	/* Written and, on another thread, read back and verified. */
	v.f.fd = fd;
	pthread_mutex_init(&v.f.mu, NULL);
	pthread_cond_init(&v.f.cv, NULL);
	v.path = j.tmp;
	v.ro.mode = OPS_AREAD_VERIFY;
	v.ro.source = follow_read;
	v.ro.sctx = &v.f;
	v.ro.reference = reference;
	v.ro.ctx = &j;
	if (j.encrypt) {
		v.ro.identities = &j.self;
		v.f.sha = &fsha;
	}
	if (pthread_create(&v.thread, NULL, verifier_main, &v) != 0) {
		ops_err_sys(err, EAGAIN, "unable to start the verification");
		goto out_v;
	}
	a.j = &j;
	a.m = &m;
	a.fd = fd;
	a.f = &v.f;
	if (pthread_create(&a.thread, NULL, archiver_main, &a) == 0) {
		pthread_join(a.thread, NULL);
		wrc = a.rc;
		if (wrc < 0)
			*err = a.err;
	} else {
		wrc = write_archive(&j, &m, fd, &v.f, err);	/* at our priority */
	}
	follow_end(&v.f, wrc < 0);
	pthread_join(v.thread, NULL);
	if (wrc < 0)
		goto out_v;
	if (v.rc < 0) {
		*err = v.err;
		ops_err_prefix(err, "the new archive failed verification");
		goto out_v;
	}
	progress(p, "verify", m.total, m.total);
	if (j.encrypt && (v.f.off != v.f.written ||
	    ops_sha256_final(&fsha, fhex, err) < 0)) {
		ops_err_set(err, OPS_E_FAIL, "the new archive was not read back whole");
		goto out_v;
	}
	if (fsync(fd) < 0) {
		ops_err_sys(err, errno, "unable to write the archive");
		goto out_v;
	}
	if (fstat(fd, &st) < 0 || close(fd) < 0) {
		fd = -1;
		ops_err_sys(err, errno, "unable to write the archive");
		goto out_v;
	}
	fd = -1;
	pthread_mutex_destroy(&v.f.mu);
	pthread_cond_destroy(&v.f.cv);
	snapper_join(&j, 0);
	for (size_t i = 0; i < j.n; i++) {
		close(j.v[i].fd);
		j.v[i].fd = -1;
	}
	/* The copies go while the archive is promoted: freeing their pages
	 * (the home's size) takes tens of ms that nothing below waits for. */
	memcpy(gone, j.snapdir, sizeof(gone));
	j.snapdir[0] = '\0';
	if (pthread_create(&cleaner, NULL, remove_main, gone) == 0)
		cleaning = 1;
	else
		ops_tree_remove(gone, NULL);
	if (same_manifest(&m, &v.m, err) < 0)
		goto out;
	/* No corrupt snapshot is ever promoted: without --allow-corrupt
	 * nothing gets a final name; with it, a name retention, `latest`
	 * and restore never consider. */
	if ((bad = first_corrupt(&j, &nbad)) != NULL) {
		char more[64] = "";

		res->corrupt = 1;
		if (nbad > 1)
			snprintf(more, sizeof(more), " (and %zu more database%s)", nbad - 1,
			    nbad > 2 ? "s" : "");
		if (o == NULL || !o->allow_corrupt) {
			ops_err_set(err, OPS_E_FAIL, "'%s' is corrupt, no backup made%s: %s",
			    bad->name, more, bad->corrupt[0] ? bad->corrupt : "not checked");
			goto out;
		}
		if (install(&j, now, OPS_BACKUP_CORRUPT_TAG, res->path, sizeof(res->path),
		    err) < 0)
			goto out;
		ops_err_set(err, OPS_E_FAIL, "'%s' is corrupt%s: %s; forensic archive kept "
		    "as '%s' (never latest)", bad->name, more,
		    bad->corrupt[0] ? bad->corrupt : "not checked",
		    ops_fs_rel(cfg->home, res->path));
	} else if (install(&j, now, "", res->path, sizeof(res->path), err) < 0 ||
	    write_latest(j.dir, res->path, err) < 0) {
		goto out;
	}

	res->size = (uint64_t)st.st_size;
	res->data_size = m.total;
	res->files = m.n;
	res->seconds = mono() - t0;
	memset(&row, 0, sizeof(row));
	snprintf(row.name, sizeof(row.name), "%s", strrchr(res->path, '/') + 1);
	row.created = now;
	row.size = (int64_t)res->size;
	row.files = (int64_t)res->files;
	row.data_size = (int64_t)res->data_size;
	snprintf(row.compression, sizeof(row.compression), "%s", cfg->backup.compression);
	row.seconds = res->seconds;
	memcpy(row.sha256, fhex, sizeof(fhex));
	if (bad) {
		ops_catalog_row_verdict(&row, OPS_ARCHIVE_BAD, err ? err->msg : "corrupt",
		    ops_time_now());
		catalog_record(cfg, &row, NULL, 0);
		goto out;
	}
	/* backup.check "off": the archive was read back whole, but no one
	 * looked inside its databases: unchecked (never good: not kept as
	 * good by retention, not copied offsite, verified before a restore
	 * uses it) until a drill says otherwise. */
	res->unchecked = j.check == OPS_BACKUP_CHECK_OFF;
	if (res->unchecked)
		ops_catalog_row_verdict(&row, OPS_ARCHIVE_UNCHECKED, OPS_BACKUP_CHECK_OFF_MSG,
		    ops_time_now());
	else
		ops_catalog_row_verdict(&row, OPS_ARCHIVE_GOOD, "ok (at creation)",
		    ops_time_now());
	if (offsite_on(cfg))
		snprintf(row.offsite_msg, sizeof(row.offsite_msg), "pending");
	catalog_record(cfg, &row, NULL, 0);
	run_record(cfg, now, "create", 1, row.name, NULL);
	log_line(cfg, res->unchecked ? "WARNING" : "INFO",
	    "backup complete: %s (%zu files, %s, %.1fs)%s",
	    ops_fs_rel(cfg->home, res->path), res->files,
	    ops_size_format(res->size, size, sizeof(size)), res->seconds,
	    res->unchecked ? "; unchecked: " OPS_BACKUP_CHECK_OFF_MSG : "");

	if (prune(cfg, j.dir, 0, &pv, &pn, err) < 0) {
		ops_err_prefix(err, "backup complete (%s) but retention failed",
		    ops_fs_rel(cfg->home, res->path));
		log_line(cfg, "ERROR", "%s", err->msg);
		goto out;
	}
	for (size_t i = 0; i < pn; i++)
		res->pruned += pv[i].deleted;
	if (offsite_on(cfg) &&
	    offsite_pending(cfg, j.dir, &res->offsite_copied, err) < 0) {
		ops_err_prefix(err, "backup complete (%s, kept) but",
		    ops_fs_rel(cfg->home, res->path));
		goto out;
	}
	rc = 0;
	goto done;
out_v:
	pthread_mutex_destroy(&v.f.mu);
	pthread_cond_destroy(&v.f.cv);
out:
	if (res->path[0] == '\0' || bad) {
		log_line(cfg, "ERROR", "backup failed: %s", err ? err->msg : "?");
		run_record(cfg, now, "create", 0, bad && res->path[0] ?
		    strrchr(res->path, '/') + 1 : NULL, err ? err->msg : "?");
	}
done:
	if (cleaning)
		pthread_join(cleaner, NULL);
	if (fd >= 0)
		close(fd);
	free(pv);
	job_release(&j);
	ops_sha256_release(&fsha);
	ops_manifest_release(&m);
	ops_manifest_release(&v.m);
	return rc;
}

/* ---- latest, resolve --------------------------------------------------- */

static int
regular_nofollow(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
ops_backup_latest(const struct ops_config *cfg, char *buf, size_t len,
    struct ops_err *err)
{
	struct ops_backup_name bn;
	char dir[PATH_MAX], path[PATH_MAX], *text = NULL, *base;
	size_t n;
	int rc = -1;

	if (backup_dir(cfg, dir, sizeof(dir), 0, err) < 0 ||
	    ops_path_join(path, sizeof(path), dir, "latest", err) < 0)
		return -1;
	if (ops_fs_read_file(path, 4096, &text, &n, err) < 0) {
		if (err && err->code == OPS_E_NOENT)
			ops_err_set(err, OPS_E_NOENT, "no backup yet ('%s' does not exist)",
			    ops_fs_rel(cfg->home, path));
		return -1;
	}
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == '\r'))
		text[--n] = '\0';
	base = strrchr(text, '/');
	if (text[0] != '/' || base == NULL || ops_backup_name_parse(base + 1, &bn) < 0) {
		ops_err_set(err, OPS_E_FAIL, "'%s' does not name a backup",
		    ops_fs_rel(cfg->home, path));
		goto out;
	}
	if (!regular_nofollow(text)) {
		/* The home may have moved: the same name in backup.dir. */
		if (ops_path_join(path, sizeof(path), dir, base + 1, err) < 0)
			goto out;
		if (!regular_nofollow(path)) {
			ops_err_set(err, OPS_E_NOENT, "'latest' names '%s', which does not exist",
			    text);
			goto out;
		}
		free(text);
		text = strdup(path);
		if (text == NULL) {
			ops_err_sys(err, errno, "unable to read 'latest'");
			goto out;
		}
	}
	if (snprintf(buf, len, "%s", text) >= (int)len) {
		ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", text);
		goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

int
ops_backup_resolve(const struct ops_config *cfg, const char *arg, char *buf,
    size_t len, int *nofollow, struct ops_err *err)
{
	struct ops_backup_name bn;
	struct stat st;

	*nofollow = 1;
	if (arg == NULL || strcmp(arg, "latest") == 0)
		return ops_backup_latest(cfg, buf, len, err);
	if (strchr(arg, '/') == NULL && ops_backup_name_parse(arg, &bn) == 0 &&
	    lstat(arg, &st) < 0) {
		char dir[PATH_MAX];

		if (backup_dir(cfg, dir, sizeof(dir), 0, err) < 0)
			return -1;
		return ops_path_join(buf, len, dir, arg, err);
	}
	*nofollow = 0;
	if (snprintf(buf, len, "%s", arg) >= (int)len)
		return ops_err_set(err, OPS_E_USAGE, "path too long: '%s'", arg);
	return 0;
}

/* ---- list -------------------------------------------------------------- */

/* Backups in dir: names ops-backup makes, regular files (never through a
 * symlink). */
static int
scan(const char *dir, struct ops_backup_info **out, size_t *nout, struct ops_err *err)
{
	struct ops_backup_info *v = NULL;
	struct ops_backup_name bn;
	struct dirent *de;
	size_t n = 0, cap = 0;
	DIR *d;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return ops_err_sys(err, errno, "unable to read '%s'", dir);
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (ops_backup_name_parse(de->d_name, &bn) < 0 ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct ops_backup_info *nv = realloc(v, ncap * sizeof(*nv));

			if (nv == NULL) {
				ops_err_sys(err, errno, "unable to list '%s'", dir);
				goto out;
			}
			v = nv;
			cap = ncap;
		}
		memset(&v[n], 0, sizeof(v[n]));
		snprintf(v[n].name, sizeof(v[n].name), "%.63s", de->d_name);
		snprintf(v[n].path, sizeof(v[n].path), "%s/%s", dir, de->d_name);
		v[n].time = ops_backup_name_time(&bn);
		v[n].size = (uint64_t)st.st_size;
		v[n].files = v[n].data_size = -1;
		n++;
	}
	rc = 0;
out:
	closedir(d);
	if (rc == 0) {
		*out = v;
		*nout = n;
	} else {
		free(v);
	}
	return rc;
}

static int
newest_first(const void *a, const void *b)
{
	const struct ops_backup_info *x = a, *y = b;

	if (x->time != y->time)
		return x->time > y->time ? -1 : 1;
	return -strcmp(x->name, y->name);
}

int
ops_backup_list(const struct ops_config *cfg, struct ops_backup_info **v, size_t *n,
    struct ops_err *err)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	char dir[PATH_MAX];
	int have_db;

	if (backup_dir(cfg, dir, sizeof(dir), 0, err) < 0 || scan(dir, v, n, err) < 0)
		return -1;
	if (*n > 1)
		qsort(*v, *n, sizeof(**v), newest_first);
	have_db = ops_state_open(&st, cfg->home, NULL) == 0;
	for (size_t i = 0; i < *n; i++) {
		struct ops_backup_info *b = &(*v)[i];
		struct ops_catalog_row row;
		struct ops_manifest m = OPS_MANIFEST_INIT;
		struct ops_archive_read_opts ro = { .mode = OPS_AREAD_MANIFEST, .nofollow = 1 };

		if (have_db && ops_catalog_get(&st, b->name, &row, NULL) == 1) {
			b->files = row.files;
			b->data_size = row.data_size;
			b->verified = row.verified;
			b->verify_ok = row.verify_ok;
			snprintf(b->verify_msg, sizeof(b->verify_msg), "%s", row.verify_msg);
			b->state = row.state;
			b->good = ops_catalog_row_good(&row);
			b->offsite = row.offsite;
			continue;
		}
		/* Not in the catalog (copied in, or the state was lost): the
		 * manifest at the head of the archive says. */
		if (ops_archive_read(b->path, &ro, &m, NULL) == 0) {
			b->files = (int64_t)m.n;
			b->data_size = (int64_t)m.total;
		}
		ops_manifest_release(&m);
	}
	ops_state_close(&st);
	return 0;
}

/* ---- verify ------------------------------------------------------------ */

struct verify_ctx {
	const struct ops_backup_progress *p;
	struct ops_verify_result *res;
};

static int
verify_member(void *ctx, const struct ops_manifest_entry *e, const char *path,
    struct ops_err *err)
{
	struct verify_ctx *v = ctx;

	if (e->kind != OPS_KIND_SQLITE)
		return 0;
	if (ops_snapshot_integrity(path, e->name, err) < 0)
		return -1;
	v->res->databases++;
	return 0;
}

static void
verify_progress2(void *ctx, uint64_t done, uint64_t total)
{
	struct verify_ctx *v = ctx;

	progress(v->p, "verify", done, total);
}

/* 1 when path is a backup (by name) directly in dir. */
static int
in_backup_dir(const char *dir, const char *path, const char **name)
{
	char a[PATH_MAX], b[PATH_MAX], parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct ops_backup_name bn;

	*name = slash ? slash + 1 : path;
	if (ops_backup_name_parse(*name, &bn) < 0)
		return 0;
	if (slash == NULL)
		snprintf(parent, sizeof(parent), ".");
	else if (snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path) >=
	    (int)sizeof(parent))
		return 0;
	if (slash == path)
		snprintf(parent, sizeof(parent), "/");
	return realpath(dir, a) && realpath(parent, b) && strcmp(a, b) == 0;
}

/* Errors that say nothing about the archive: the check could not be
 * made (no space or memory for scratch, no permission, a read-only or
 * missing scratch place). */
static int
cannot_check(const struct ops_err *e)
{
	switch (e->sys_errno) {
	case ENOSPC: case EDQUOT: case EACCES: case EPERM: case EROFS: case ENOMEM:
	case EMFILE: case ENFILE:
		return 1;
	default:
		return 0;
	}
}

/* $TMPDIR, else /tmp: where scratch goes when backup.dir has no room. */
static const char *
tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t && t[0] == '/' ? t : "/tmp";
}

/* One verification with scratch in a new directory under parent. */
static int
verify_in(const char *parent, const char *path, int nofollow, struct verify_ctx *vc,
    const struct ops_age_identities *ids, struct ops_manifest *m, struct ops_err *err)
{
	struct ops_archive_read_opts ro = { 0 };
	char scratch[PATH_MAX];
	int rc;

	if (snprintf(scratch, sizeof(scratch), "%s/" TMP_PREFIX "verify.XXXXXX", parent) >=
	    (int)sizeof(scratch))
		return ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", parent);
	if (mkdtemp(scratch) == NULL)
		return ops_err_sys(err, errno, "unable to create a scratch directory in '%s'",
		    parent);
	ro.mode = OPS_AREAD_VERIFY;
	ro.nofollow = nofollow;
	ro.scratch = scratch;
	ro.member_done = verify_member;
	ro.progress = verify_progress2;
	ro.ctx = vc;
	ro.identities = ids;
	ops_manifest_release(m);
	vc->res->databases = 0;
	rc = ops_archive_read(path, &ro, m, err);
	ops_tree_remove(scratch, NULL);
	return rc;
}

/* An age file, by its name or its first bytes. */
static int
is_encrypted(const char *path)
{
	size_t n = strlen(path);
	char head[32];
	ssize_t k;
	int fd;

	if (n > 4 && strcmp(path + n - 4, ".age") == 0)
		return 1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return 0;
	k = pread(fd, head, sizeof(head), 0);
	close(fd);
	return k > 0 && ops_age_sniff(head, (size_t)k);
}

/* Without the identity: the archive's file is the one written (no bit
 * rot, no truncation, not replaced) when its SHA-256 is the catalog's.
 * A mismatch is recorded as bad; a match changes nothing (the drill, not
 * this, makes an archive good). */
static int
cipher_check(const struct ops_config *cfg, const char *dir, const char *path,
    int nofollow, int record, struct ops_verify_result *res, struct ops_err *err)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_catalog_row row;
	struct stat sb;
	char hex[OPS_SHA256_HEX];
	const char *name = NULL;
	int fd = -1, rc = -1, found = 0;

	if (in_backup_dir(dir, path, &name) && ops_state_open(&st, cfg->home, NULL) == 0)
		found = ops_catalog_get(&st, name, &row, NULL) == 1 && row.sha256[0];
	if (!found) {
		res->unchecked = 1;
		ops_err_set(err, OPS_E_FAIL, "'%s' is encrypted and no identity is configured "
		    "(--identity FILE or backup.identity_file), and the catalog holds no "
		    "hash of it", path);
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0 || fstat(fd, &sb) < 0) {
		ops_err_sys(err, errno, "unable to open '%s'", path);
		goto out;
	}
	if (ops_sha256_fd(fd, (uint64_t)sb.st_size, path, hex, err) < 0)
		goto out;
	if (strcmp(hex, row.sha256) != 0) {
		ops_err_set(err, OPS_E_FAIL, "'%s': sha256 mismatch (file %.12s..., recorded "
		    "%.12s...): the encrypted archive changed since it was written", path,
		    hex, row.sha256);
		if (record) {
			ops_catalog_row_verdict(&row, OPS_ARCHIVE_BAD, err->msg, ops_time_now());
			ops_catalog_put(&st, &row, NULL);
			ops_catalog_run_add(&st, ops_time_now(), "verify", 0, name,
			    row.verify_msg, NULL);
		}
		goto out;
	}
	res->cipher_only = 1;
	res->files = row.files > 0 ? (size_t)row.files : 0;
	res->data_size = row.data_size > 0 ? (uint64_t)row.data_size : 0;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	ops_state_close(&st);
	return rc;
}

int
ops_backup_verify(const struct ops_config *cfg, const char *path, int nofollow,
    const struct ops_backup_progress *p, struct ops_verify_result *res,
    struct ops_err *err)
{
	struct ops_manifest m = OPS_MANIFEST_INIT;
	struct verify_ctx vc;
	struct ops_err e = OPS_ERR_INIT;
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_catalog_row row;
	struct ops_backup_name bn;
	struct stat sb;
	struct ops_age_identities ids = OPS_AGE_IDENTITIES_INIT;
	char dir[PATH_MAX];
	const char *name;
	int rc, have_ids = 0;

	memset(res, 0, sizeof(*res));
	vc.p = p;
	vc.res = res;
	if (backup_dir(cfg, dir, sizeof(dir), 1, err) < 0)
		return -1;
	/* issue 12: an encrypted archive needs the identity for the drill;
	 * without it, its file is checked against the hash recorded when it
	 * was written. */
	if (ops_backup_identities(cfg, NULL, &ids, &have_ids, err) < 0)
		return -1;
	if (!have_ids && is_encrypted(path)) {
		rc = cipher_check(cfg, dir, path, nofollow, 1, res, err);
		ops_age_identities_release(&ids);
		return rc;
	}
	/* Scratch in backup.dir (the same filesystem as what it checks);
	 * when that is full or refused, in $TMPDIR. */
	rc = verify_in(dir, path, nofollow, &vc, have_ids ? &ids : NULL, &m, &e);
	if (rc < 0 && cannot_check(&e)) {
		struct ops_err e2 = OPS_ERR_INIT;

		rc = verify_in(tmpdir(), path, nofollow, &vc, have_ids ? &ids : NULL, &m,
		    &e2);
		if (rc < 0 && !cannot_check(&e2))
			e = e2;
		else if (rc < 0) {
			char first[420];

			snprintf(first, sizeof(first), "%.400s", e.msg);
			ops_err_set(&e, OPS_E_FAIL, "%s; in $TMPDIR: %.400s", first, e2.msg);
			e.sys_errno = e2.sys_errno;	/* still "could not check" */
		}
	}
	/* The wrong key (ENOKEY) says nothing about the archive either, unless
	 * the file is not the one written: an altered recipient stanza reads
	 * as "not for this key", the recorded SHA-256 tells them apart. */
	res->unchecked = rc < 0 && (cannot_check(&e) || e.sys_errno == ENOKEY);
	if (rc < 0 && e.sys_errno == ENOKEY) {
		struct ops_verify_result cr;
		struct ops_err ce = OPS_ERR_INIT;

		memset(&cr, 0, sizeof(cr));
		if (cipher_check(cfg, dir, path, nofollow, 0, &cr, &ce) < 0 && !cr.unchecked) {
			e = ce;
			res->unchecked = 0;
		}
	}
	if (rc == 0) {
		res->files = m.n;
		res->data_size = m.total;
	}
	/* Record the verdict for backups of ours. */
	if (in_backup_dir(dir, path, &name) && ops_state_open(&st, cfg->home, NULL) == 0) {
		double now = ops_time_now();

		if (ops_catalog_get(&st, name, &row, NULL) != 1) {
			memset(&row, 0, sizeof(row));
			snprintf(row.name, sizeof(row.name), "%s", name);
			if (ops_backup_name_parse(name, &bn) == 0)
				row.created = ops_backup_name_time(&bn);
			if (stat(path, &sb) == 0)
				row.size = sb.st_size;
			row.files = (int64_t)m.n;
			row.data_size = (int64_t)m.total;
		}
		ops_catalog_row_verdict(&row, rc == 0 ? OPS_ARCHIVE_GOOD : res->unchecked ?
		    OPS_ARCHIVE_UNCHECKED : OPS_ARCHIVE_BAD, rc == 0 ? "ok" : e.msg, now);
		ops_catalog_put(&st, &row, NULL);
		/* A drill: its outcome is what health and alerts look at. */
		ops_catalog_run_add(&st, now, "verify", rc == 0, name, rc == 0 ? NULL :
		    row.verify_msg, NULL);
		ops_state_close(&st);
	}
	ops_manifest_release(&m);
	ops_age_identities_release(&ids);
	if (rc < 0) {
		if (err)
			*err = e;
		return -1;
	}
	return 0;
}

/* ---- pick ------------------------------------------------------------- */

int
ops_backup_pick(const struct ops_config *cfg, char *buf, size_t len,
    void (*skip)(void *ctx, const char *msg), void *ctx, struct ops_err *err)
{
	struct ops_backup_info *bv = NULL;
	struct stat sb;
	char dir[PATH_MAX], path[PATH_MAX];
	size_t n = 0, skipped = 0;
	int rc = -1;

	/* A `latest` that is there but names no regular archive of ours (a
	 * symlink put in its place, a name that went) is a home someone
	 * tampered with: refuse rather than pick around it. */
	if (backup_dir(cfg, dir, sizeof(dir), 0, err) < 0 ||
	    ops_path_join(path, sizeof(path), dir, "latest", err) < 0)
		return -1;
	if (lstat(path, &sb) == 0 && ops_backup_latest(cfg, path, sizeof(path), err) < 0)
		return -1;
	if (ops_backup_list(cfg, &bv, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct ops_verify_result vr;
		struct ops_err e = OPS_ERR_INIT;
		char msg[700];

		/* Found bad before: not read again (verify to change that). */
		if (bv[i].verified > 0 && bv[i].state == OPS_ARCHIVE_BAD) {
			snprintf(msg, sizeof(msg), "skipped %s: bad: %.600s", bv[i].name,
			    bv[i].verify_msg);
		} else if (ops_backup_verify(cfg, bv[i].path, 1, NULL, &vr, &e) == 0) {
			if (snprintf(buf, len, "%s", bv[i].path) >= (int)len) {
				ops_err_set(err, OPS_E_FAIL, "path too long: '%s'", bv[i].path);
				goto out;
			}
			rc = 0;
			goto out;
		} else if (vr.unchecked) {
			/* Whether it is good cannot be told here: say so rather
			 * than restore an older one on a guess. */
			ops_err_set(err, OPS_E_FAIL, "unable to check '%s': %s", bv[i].name, e.msg);
			goto out;
		} else {
			snprintf(msg, sizeof(msg), "skipped %s: bad: %.600s", bv[i].name, e.msg);
		}
		if (skip)
			skip(ctx, msg);
		skipped++;
	}
	if (n == 0)
		ops_err_set(err, OPS_E_NOENT, "no backup yet in %s", cfg->backup.dir);
	else
		ops_err_set(err, OPS_E_FAIL, "no backup verifies (%zu tried)", skipped);
out:
	free(bv);
	return rc;
}

/* ---- prune ------------------------------------------------------------- */

/* backup.offsite.keep as an object: the remote's own retention over what
 * it lists (archives only; anything else there is never touched), with
 * the local rules (ops_retention.h): good and bad are the catalog's (a
 * remote-only archive is neither), the newest archive, the one `latest`
 * names and the newest keep_good good ones are always kept. Each deletion
 * takes its catalog line along. A failure is logged and leaves the
 * remote as it is: the local backup is done. */
static void
prune_remote_gfs(const struct ops_config *cfg, struct ops_statedb *st,
    const char *latest_name)
{
	struct ops_retention_policy pol = { cfg->backup.offsite.keep_all,
		cfg->backup.offsite.keep_weekly, cfg->backup.offsite.keep_monthly,
		(size_t)cfg->backup.offsite.keep_good };
	struct ops_rclone_entry *v = NULL;
	struct ops_retention_item *rv = NULL;
	struct ops_rclone rcl;
	struct ops_err e = OPS_ERR_INIT;
	size_t n = 0;

	if (ops_backup_offsite_list(cfg, &v, &n, &e) < 0) {
		log_line(cfg, "WARNING", "remote retention not applied: %s", e.msg);
		goto out;
	}
	rv = calloc(n ? n : 1, sizeof(*rv));
	if (rv == NULL) {
		log_line(cfg, "WARNING", "remote retention not applied: out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct ops_catalog_row row;
		int known = st != NULL && ops_catalog_get(st, v[i].name, &row, NULL) == 1;

		rv[i].name = v[i].name;
		rv[i].good = known && ops_catalog_row_good(&row);
		rv[i].bad = known && row.state == OPS_ARCHIVE_BAD;
	}
	ops_retention_decide(rv, n, &pol, ops_time_now(), latest_name);
	rclone_of(cfg, &rcl);
	rcl.timeout = 300;
	for (size_t i = 0; i < n; i++) {
		char why[160], line[128];

		if (rv[i].keep)
			continue;
		ops_retention_why(&rv[i], &pol, why, sizeof(why));
		if (ops_rclone_delete(&rcl, rv[i].name, &e) < 0) {
			log_line(cfg, "WARNING", "remote retention: %s kept: %s", rv[i].name, e.msg);
			audit(cfg, "backup.prune", "failed", "remote %s: %s", rv[i].name, e.msg);
			continue;
		}
		/* archives copied before catalog lines have none */
		if (ops_catline_name(rv[i].name, line, sizeof(line)) == 0)
			ops_rclone_delete(&rcl, line, NULL);
		log_line(cfg, "INFO", "pruned %s on the remote (%s)", rv[i].name, why);
		audit(cfg, "backup.prune", "done", "deleted remote %s (%s)", rv[i].name, why);
	}
out:
	free(rv);
	free(v);
}

static int
prune(const struct ops_config *cfg, const char *dir, int dry_run,
    struct ops_prune_item **out, size_t *nout, struct ops_err *err)
{
	struct ops_retention_policy pol = { cfg->backup.keep_all, cfg->backup.keep_weekly,
		cfg->backup.keep_monthly, (size_t)cfg->backup.keep_good };
	struct ops_backup_info *bv = NULL;
	struct ops_retention_item *rv = NULL;
	struct ops_prune_item *pv = NULL;
	struct ops_statedb st = OPS_STATEDB_INIT;
	char latest[PATH_MAX], path[PATH_MAX];
	const char *latest_name = NULL;
	size_t n = 0, deleted = 0;
	int rc = -1, have_db = 0;

	*out = NULL;
	*nout = 0;
	if (scan(dir, &bv, &n, err) < 0)
		return -1;
	if (ops_backup_latest(cfg, latest, sizeof(latest), NULL) == 0)
		latest_name = strrchr(latest, '/') + 1;
	rv = calloc(n ? n : 1, sizeof(*rv));
	pv = calloc(n ? n : 1, sizeof(*pv));
	if (rv == NULL || pv == NULL) {
		ops_err_sys(err, errno, "unable to apply retention");
		goto out;
	}
	/* Good is a recorded fact: the catalog's (an archive it does not
	 * know is not counted as good). */
	have_db = ops_state_open(&st, cfg->home, NULL) == 0 ? 1 : -1;
	for (size_t i = 0; i < n; i++) {
		struct ops_catalog_row row;
		int known = have_db == 1 && ops_catalog_get(&st, bv[i].name, &row, NULL) == 1;

		rv[i].name = bv[i].name;
		rv[i].good = known && ops_catalog_row_good(&row);
		rv[i].bad = known && row.state == OPS_ARCHIVE_BAD;
	}
	ops_retention_decide(rv, n, &pol, ops_time_now(), latest_name);
	for (size_t i = 0; i < n; i++) {
		snprintf(pv[i].name, sizeof(pv[i].name), "%s", rv[i].name);
		pv[i].keep = rv[i].keep;
		ops_retention_why(&rv[i], &pol, pv[i].why, sizeof(pv[i].why));
	}
	if (!dry_run) {
		for (size_t i = 0; i < n; i++) {
			struct stat sb;

			if (pv[i].keep)
				continue;
			if (ops_path_join(path, sizeof(path), dir, pv[i].name, err) < 0)
				goto out;
			/* Still a regular file of ours at this instant; unlink
			 * removes a name, never what a symlink points to. */
			if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
				continue;
			if (unlink(path) < 0) {
				ops_err_sys(err, errno, "unable to delete '%s'", path);
				goto out;
			}
			pv[i].deleted = 1;
			deleted++;
			if (have_db == 1) {
				struct ops_catalog_row row;

				/* keep "same": the copy of what was deleted here,
				 * and only that (a failure leaves it there). */
				if (cfg->backup.offsite.enabled && cfg->backup.offsite.keep_same &&
				    ops_catalog_get(&st, pv[i].name, &row, NULL) == 1 &&
				    row.offsite > 0)
					prune_remote(cfg, pv[i].name);
				ops_catalog_remove(&st, pv[i].name, NULL);
			}
			log_line(cfg, "INFO", "pruned %s (%s)", pv[i].name, pv[i].why);
			audit(cfg, "backup.prune", "done", "deleted %s (%s)", pv[i].name,
			    pv[i].why);
		}
		if (deleted > 0 && ops_fs_fsync_dir(dir, 1, err) < 0)
			goto out;
		if (cfg->backup.offsite.enabled && cfg->backup.offsite.keep_gfs)
			prune_remote_gfs(cfg, have_db == 1 ? &st : NULL, latest_name);
	}
	*out = pv;
	*nout = n;
	pv = NULL;
	rc = 0;
out:
	ops_state_close(&st);
	free(pv);
	free(rv);
	free(bv);
	return rc;
}

int
ops_backup_prune(const struct ops_config *cfg, int dry_run, struct ops_prune_item **v,
    size_t *n, struct ops_err *err)
{
	char dir[PATH_MAX];

	if (backup_dir(cfg, dir, sizeof(dir), 0, err) < 0)
		return -1;
	return prune(cfg, dir, dry_run, v, n, err);
}

/* s as a JSON string literal. */
static void
json_str(struct ops_buf *out, const char *s)
{
	cJSON *j = cJSON_CreateString(s);
	char *t = j ? cJSON_PrintUnformatted(j) : NULL;

	if (t == NULL)
		out->oom = 1;
	else	/* names and paths are bytes from the disk */
		ops_san_puts(out, t, OPS_SAN_JSON);
	free(t);
	cJSON_Delete(j);
}

void
ops_backup_list_format(const struct ops_backup_info *v, size_t n, int json,
    struct ops_buf *out)
{
	char t[32], vt[32], sz[32], ds[32];

	if (json) {
		ops_buf_puts(out, "[");
		for (size_t i = 0; i < n; i++) {
			const struct ops_backup_info *b = &v[i];

			ops_buf_printf(out, "%s\n{\"name\": ", i ? "," : "");
			json_str(out, b->name);
			ops_buf_puts(out, ", \"path\": ");
			json_str(out, b->path);
			ops_buf_printf(out, ", \"time\": \"%s\", \"size\": %llu, \"files\": %lld, "
			    "\"data_size\": %lld, ", ops_time_iso(b->time, t, sizeof(t)),
			    (unsigned long long)b->size, (long long)b->files,
			    (long long)b->data_size);
			if (b->verified > 0) {
				ops_buf_printf(out, "\"state\": \"%s\", \"verified\": \"%s\", "
				    "\"verify_ok\": %s, \"verify_msg\": ",
				    ops_archive_state_name(b->state),
				    ops_time_iso(b->verified, vt, sizeof(vt)),
				    b->verify_ok ? "true" : "false");
				json_str(out, b->verify_msg);
				ops_buf_puts(out, "}");
			} else {
				ops_buf_puts(out, "\"state\": \"unchecked\", \"verified\": null, "
				    "\"verify_ok\": null, \"verify_msg\": null}");
			}
		}
		ops_buf_puts(out, n ? "\n]\n" : "]\n");
		return;
	}
	ops_buf_printf(out, "%-24s %-19s %10s %5s %10s  %-19s %s\n", "NAME", "TIME", "SIZE",
	    "FILES", "DATA", "LAST VERIFIED", "STATE");
	for (size_t i = 0; i < n; i++) {
		const struct ops_backup_info *b = &v[i];
		char files[24];

		if (b->files >= 0)
			snprintf(files, sizeof(files), "%lld", (long long)b->files);
		else
			snprintf(files, sizeof(files), "?");
		ops_buf_printf(out, "%-24s %-19s %10s %5s %10s  ", b->name,
		    ops_time_log(b->time, t, sizeof(t)), ops_size_format(b->size, sz, sizeof(sz)),
		    files, b->data_size >= 0 ? ops_size_format((uint64_t)b->data_size, ds,
		    sizeof(ds)) : "?");
		/* The state as the catalog has it: good, bad: REASON,
		 * unchecked: REASON (the reason sanitised for a terminal). */
		if (b->verified > 0 && b->state != OPS_ARCHIVE_GOOD) {
			char why[160];
			size_t k;

			snprintf(why, sizeof(why), "%.159s", b->verify_msg);
			for (k = 0; why[k]; k++)
				if ((unsigned char)why[k] < 0x20 || why[k] == 0x7f)
					why[k] = '?';
			ops_buf_printf(out, "%-19s %s: %s\n",
			    ops_time_log(b->verified, vt, sizeof(vt)),
			    ops_archive_state_name(b->state), why);
		} else if (b->verified > 0) {
			ops_buf_printf(out, "%-19s good\n", ops_time_log(b->verified, vt,
			    sizeof(vt)));
		} else {
			ops_buf_printf(out, "%-19s unchecked: never verified\n", "never");
		}
	}
}

void
ops_backup_prune_format(const struct ops_prune_item *v, size_t n, int dry_run, int all,
    struct ops_buf *out)
{
	for (size_t i = 0; i < n; i++)
		if (dry_run || all || v[i].deleted)
			ops_buf_printf(out, "%-24s %-6s %s\n", v[i].name, v[i].keep ? "keep" :
			    dry_run ? "delete" : "deleted", v[i].why);
}
