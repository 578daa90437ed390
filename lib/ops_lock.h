/* ops_lock: one run at a time, per program.
 *
 * HOME/.ops/NAME.lock held with flock(2). The fd is close-on-exec, so the
 * lock is never inherited by a daemon or a command we start, and the
 * kernel drops it when the process dies (no stale lock files to delete). */
#ifndef OPS_LOCK_H
#define OPS_LOCK_H

#include "ops_err.h"

struct ops_lock {
	int fd;
};

#define OPS_LOCK_INIT { -1 }

/* Take HOME/.ops/NAME.lock without waiting. Another holder gives -1 with
 * err->code OPS_E_LOCKED. */
int ops_lock_acquire(struct ops_lock *lk, const char *home, const char *name,
    struct ops_err *err);
void ops_lock_release(struct ops_lock *lk);

#endif
