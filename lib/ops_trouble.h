/* ops_trouble: `dharmic-ops troubleshoot`, the original troubleshooting
 * matrix as checks. Each finding says what is wrong and the command that
 * fixes it. Problems need action; notes (an optional tool missing that the
 * configuration does not need) are shown but are not problems.
 *
 * Read-only: nothing is changed, started or set aside. The findings own
 * their strings; ops_findings_release frees them. */
#ifndef OPS_TROUBLE_H
#define OPS_TROUBLE_H

#include <stddef.h>

#include "ops_buf.h"
#include "ops_config.h"
#include "ops_err.h"

struct ops_finding {
	char *name;	/* what was checked: "pid", "daemon", "cron", ... */
	int problem;	/* 0: a note */
	char *text;	/* what is wrong */
	char *fix;	/* the command that fixes it */
};

struct ops_findings {
	struct ops_finding *v;
	size_t n;
	int oom;
};

#define OPS_FINDINGS_INIT { NULL, 0, 0 }

struct ops_trouble_opts {
	const char *home_arg;	/* --home given: repeated in the fix commands */
};

/* Checks: stale PID file, daemon not running, heartbeat stalled, disk low,
 * SQLite integrity, email errors, restart loop, backups failing or stale,
 * logs not rotating, alert state (.ops/state.db unreadable, databases set
 * aside), env file readable by others, home permissions, the schedule in
 * the crontab, optional tools (sendmail, notify-send, systemctl). */
int ops_trouble_run(const struct ops_config *cfg, const struct ops_trouble_opts *o,
    struct ops_findings *f, struct ops_err *err);

size_t ops_findings_problems(const struct ops_findings *f);

/* One block per finding, problems first, then a summary line. */
void ops_findings_format(struct ops_buf *b, const struct ops_findings *f);

void ops_findings_release(struct ops_findings *f);

#endif
