/* ops_confine: the one place that keeps configured paths and glob matches
 * inside the home (SPEC §7: never follow a symlink we did not expect).
 *
 * Two rules, each enforced here only:
 *  - At config load, every key that names something in the home (see
 *    ops_config.c's confined[] list: daemon.workdir, pid_file, status_file,
 *    env_file, health.databases, email_log, backup.include,
 *    rotate.daily_logs, history_logs) must be relative and hold no ".."
 *    component: ops_confine_pattern refuses it naming the key.
 *  - At use, a path or a glob match is inside the home only when the walk
 *    from the home to its parent, one component at a time with
 *    openat(O_NOFOLLOW|O_DIRECTORY), meets real directories only: a
 *    symlinked logs/ or memory/ directory is refused, wherever it points.
 *    The last component is the caller's to lstat (a symlinked log file is
 *    reported by ops-rotate, not followed).
 *
 * home is always absolute and canonical (ops_config_load uses realpath). */
#ifndef OPS_CONFINE_H
#define OPS_CONFINE_H

#include "ops_err.h"
#include "ops_strv.h"

/* 0 when pattern is relative, non-empty and has no ".." component; else
 * -1 with an OPS_E_USAGE error "FILE: 'KEY': ..." naming the key. */
int ops_confine_pattern(const char *pattern, const char *file, const char *key,
    struct ops_err *err);

/* 1 when path (absolute) lies under home through real directories only,
 * or when a directory on the way does not exist yet (nothing can be
 * followed there); 0 when it does not, with the reason in err (a symlinked
 * or non-directory component, outside the home, a ".." component); -1 on
 * another error (permission denied on the way, ...). */
int ops_confine_path(const char *home, const char *path, struct ops_err *err);

/* An open descriptor (O_PATH|O_DIRECTORY) on the parent directory of rel
 * (relative to home), reached without following any symlink; *leaf points
 * into rel at the last component. For acting on the file with the *at()
 * calls. -1 with err when the walk leaves real directories (OPS_E_FAIL) or
 * rel is not confined (OPS_E_USAGE). The caller closes the descriptor. */
int ops_confine_parent(const char *home, const char *rel, const char **leaf,
    struct ops_err *err);

/* The same, making the missing directories on the way (0700) instead of
 * failing with ENOENT: for putting a restored file of the home in place
 * (issue 12). An existing component must still be a real directory. */
int ops_confine_parent_make(const char *home, const char *rel, const char **leaf,
    struct ops_err *err);

/* Paths (absolute) matching pattern under home, sorted; only the matches
 * ops_confine_path accepts. Those it refuses are appended to refused when
 * it is not NULL, else dropped. An absolute or ".." pattern is an
 * OPS_E_USAGE error; no match is not an error. */
int ops_confine_glob(const char *home, const char *pattern, struct ops_strv *out,
    struct ops_strv *refused, struct ops_err *err);

#endif
