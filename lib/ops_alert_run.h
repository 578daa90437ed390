/* ops_alert_run: the verbs of ops-alert(1) on top of ops_alert (policy),
 * ops_alert_store (state) and ops_notify (channels).
 *
 * Each function opens the state database itself. None takes the "alert"
 * lock: ops-alert run takes it before calling ops_alert_run; status and
 * silence work through transactions alone. Lines meant for a terminal go
 * to out, warnings and failures (one per line, no program name) to warn. */
#ifndef OPS_ALERT_RUN_H
#define OPS_ALERT_RUN_H

#include <stddef.h>

#include "ops_buf.h"
#include "ops_check.h"
#include "ops_config.h"
#include "ops_err.h"

struct ops_alert_run_opts {
	const char *from_json;	/* NULL: run the checks; "-": stdin; else a file */
	double timeout;		/* bound for the checks; 0: health.timeout */
	/* Run only these checks (NULL: all): the every-minute crash check
	 * of the cron schedule runs daemon, heartbeat and restarts. Types
	 * of checks not run are left as they are. */
	const char *const *only;
	size_t nonly;
};

/* One run: health, policy, auto-restart, delivery, queue retries.
 * 0 done; 1 done but a delivery failed (it is retried next run); -1 err
 * (OPS_E_USAGE for a bad --check, OPS_E_FAIL otherwise). */
int ops_alert_run(const struct ops_config *cfg, const struct ops_alert_run_opts *o,
    struct ops_buf *out, struct ops_buf *warn, struct ops_err *err);

/* One test alert through every configured channel, each result a line in
 * out. 0 when every channel tried delivered and one did at least; 1 when
 * a channel failed or none delivered; -1 err. */
int ops_alert_test(const struct ops_config *cfg, struct ops_buf *out,
    struct ops_buf *warn, struct ops_err *err);

/* Each type's state, active since, last sent, suppressed count and
 * silence, as a table. */
int ops_alert_status(const struct ops_config *cfg, struct ops_buf *out,
    struct ops_err *err);

/* Silence TYPE ("all" for every type) for seconds; seconds <= 0 clears.
 * An unknown type is OPS_E_USAGE. */
int ops_alert_silence(const struct ops_config *cfg, const char *type, double seconds,
    struct ops_buf *out, struct ops_err *err);

/* ops-health --json output back into a report (name, state, message of
 * each check). */
int ops_alert_report_from_json(const char *text, size_t len, struct ops_report *r,
    struct ops_err *err);

#endif
