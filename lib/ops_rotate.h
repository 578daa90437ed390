/* ops_rotate: the log rotation of ops-rotate(1), SPEC §6.
 *
 * A plan is made first (ops_rotate_plan: globs, lstat, the policy, the
 * writers from /proc), then carried out (ops_rotate_run). --dry-run prints
 * the plan and stops. Only files whose names match the configured
 * patterns are touched; symlinks and other non-regular files are skipped,
 * never followed, never deleted.
 *
 * Policy, for a daily log (rotate.daily_logs) of day D (from the name,
 * YYYYMMDD, else the day of its mtime) whose time is the start of day D
 * (else its mtime):
 *   - never today's (nor a future day's);
 *   - older than delete_after: deleted (compressing it first would only
 *     be undone);
 *   - older than compress_after: compressed to NAME.gz;
 *   - otherwise, over max_size: cut to its last keep_lines lines.
 * A NAME.gz of a daily log older than delete_after is deleted. A history
 * log (rotate.history_logs) over history_lines lines is cut to its last
 * history_lines lines. A cut that would remove less than one filesystem
 * block is not planned (see ops_logcut.h). A file open for writing is
 * neither compressed nor deleted (it is retried on the next run); a file
 * open for writing without O_APPEND is not cut, and that is a failure. */
#ifndef OPS_ROTATE_H
#define OPS_ROTATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ops_buf.h"
#include "ops_config.h"
#include "ops_err.h"

enum ops_rot_kind {
	OPS_ROT_KEEP = 0,	/* nothing to do */
	OPS_ROT_COMPRESS,	/* NAME -> NAME.gz, then NAME removed */
	OPS_ROT_DELETE,		/* an expired daily log or .gz */
	OPS_ROT_CUT,		/* cut to its last `keep` lines */
	OPS_ROT_CLEAN,		/* a temporary file left by an interrupted run */
	OPS_ROT_SKIP,		/* matched but not a regular file */
};

enum ops_rot_status {
	OPS_ROT_PLANNED = 0,
	OPS_ROT_DONE,
	OPS_ROT_SKIPPED,	/* left alone for now, msg says why (not an error) */
	OPS_ROT_FAILED,		/* msg says why; the run exits 1 */
};

struct ops_rot_action {
	enum ops_rot_kind kind;
	enum ops_rot_status status;
	char *path;		/* absolute; owned */
	uint64_t size;		/* bytes when planned */
	double time;		/* the log's time (day start or mtime) */
	dev_t dev;
	ino_t ino;
	int64_t keep;		/* CUT: lines to keep */
	int history;		/* CUT: a history log */
	int cut_method;		/* CUT: enum ops_cut_method */
	uint64_t out_bytes;	/* COMPRESS: size of the .gz; CUT: bytes removed */
	uint64_t maybe_lost;	/* CUT by copy: estimate of bytes lost */
	double window;		/* CUT by copy: seconds */
	double rate;		/* CUT by copy: writer's bytes per second */
	char msg[1024];		/* why skipped / failed, or a detail */
};

struct ops_rot_plan {
	struct ops_rot_action *v;
	size_t n;
	double now;
};

#define OPS_ROT_PLAN_INIT { NULL, 0, 0 }

/* --- pure policy (unit-tested) ------------------------------------------ */

/* The date in a log's file name: the last run of exactly 8 digits in its
 * base name that is a valid YYYYMMDD. 1 and *y *m *d set when found. */
int ops_rotate_name_date(const char *path, int *y, int *m, int *d);

/* The log's time: local midnight starting its named day, else mtime. */
double ops_rotate_log_time(const char *path, double mtime);

/* 1 when t falls on the same local day as now, or after it. */
int ops_rotate_is_current(double t, double now);

/* Decision for a daily log: KEEP, DELETE, COMPRESS or CUT. */
/* 1 when path (in the home) matches rotate.plain_logs: compressed and
 * deleted only after rotate.plain_for at the earliest. */
int ops_rotate_is_plain(const struct ops_config *cfg, const char *path);
enum ops_rot_kind ops_rotate_decide_daily(const struct ops_config *cfg,
    const char *path, double mtime, uint64_t size, double now);

/* Decision for a NAME.gz of a daily log: KEEP or DELETE. */
enum ops_rot_kind ops_rotate_decide_gz(const struct ops_config *cfg,
    const char *path, double mtime, double now);

/* --- plan and run --------------------------------------------------------- */

/* Build the plan for "now". Actions are listed in the order they will run;
 * KEEP is not listed. The plan owns its paths. */
int ops_rotate_plan(const struct ops_config *cfg, double now,
    struct ops_rot_plan *plan, struct ops_err *err);

struct ops_rotate_opts {
	int jobs;		/* files compressed at once; <= 0: the cores */
	/* Called after each action is carried out (from one thread at a
	 * time), for progress. May be NULL. */
	void (*progress)(const struct ops_rot_action *a, void *arg);
	void *arg;
};

/* Carry out the plan: clean, delete, compress (opts->jobs at once), cut.
 * Each action gets DONE, SKIPPED or FAILED; every one is written to
 * logs/rotation.log, then a summary line. -1 when any action failed (err
 * counts them; the rest was still done) or the log could not be written. */
int ops_rotate_run(const struct ops_config *cfg, struct ops_rot_plan *plan,
    const struct ops_rotate_opts *opts, struct ops_err *err);

/* One line describing an action (no newline), paths relative to the home:
 * "compressed logs/x.log (1.3 MiB -> 180 KiB)". dry: "would compress ...".
 * Appended to out. */
void ops_rotate_describe(const struct ops_config *cfg,
    const struct ops_rot_action *a, int dry, struct ops_buf *out);

/* "compressed 3 logs, deleted 3, cut 1, skipped 0, failed 0" */
void ops_rotate_summary(const struct ops_rot_plan *plan, int dry,
    struct ops_buf *out);

/* Number of actions with the given status. */
size_t ops_rotate_count(const struct ops_rot_plan *plan,
    enum ops_rot_status status);

void ops_rotate_plan_release(struct ops_rot_plan *plan);

/* The number of cores this process may run on. */
int ops_rotate_ncpu(void);

#endif
