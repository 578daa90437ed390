/* ops_logs: `dharmic-ops logs KIND [-f] [-n N]`.
 *
 * Daily kinds (daemon runtime email) are the newest logs/KIND_YYYYMMDD.log;
 * history kinds (alerts health backup rotation restart cron) are
 * logs/alerts.log, health_check.log, backup.log, rotation.log,
 * restart.log, cron.log. Following a daily kind moves on to the next
 * day's file when it appears (after draining the old one); following a
 * history log reopens it when it is replaced (rotation) and starts over
 * when it is truncated, like tail -F. */
#ifndef OPS_LOGS_H
#define OPS_LOGS_H

#include <stddef.h>

#include "ops_config.h"
#include "ops_err.h"

/* Every kind, daily ones first, NULL-terminated. */
extern const char *const ops_logs_kinds[];

/* The file KIND names now. OPS_E_USAGE for an unknown kind, OPS_E_NOENT
 * when a daily kind has no file yet. */
int ops_logs_path(const struct ops_config *cfg, const char *kind, char *buf,
    size_t len, struct ops_err *err);

/* Receives the output; a negative return stops ops_logs_show with an
 * error (the reader went away). */
typedef int (*ops_logs_emit)(void *arg, const char *data, size_t len);

struct ops_logs_opts {
	size_t lines;		/* the last N lines first (0: none) */
	int follow;		/* then follow until emit fails or a signal */
	double poll;		/* seconds between looks when following (0: 0.25) */
};

int ops_logs_show(const struct ops_config *cfg, const char *kind,
    const struct ops_logs_opts *o, ops_logs_emit emit, void *arg,
    struct ops_err *err);

#endif
