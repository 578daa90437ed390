/* ops_context: the log lines that explain a failure (a check's own
 * "context" key, health.context, health.monit.context).
 *
 * When a check becomes non-OK, the lines its context names are captured
 * once: the tail of a file, of a glob's newest file, or `journalctl -u
 * UNIT` (--user unless root; argv, never a shell), at most max_lines (1 to
 * 500) and 64 KiB. Values from the agent's env file (daemon.env_file) are
 * replaced by [redacted] and the text is made safe (ops_sanitize). The
 * capture is stored with the incident in the state database (table
 * incident_context, 30 days kept) and read back by ops-alert, troubleshoot
 * and the dashboard. */
#ifndef OPS_CONTEXT_H
#define OPS_CONTEXT_H

#include "ops_check.h"
#include "ops_config.h"
#include "ops_err.h"
#include "ops_state.h"

#define OPS_CONTEXT_MAX_BYTES ((size_t)64 << 10)

/* The context configured for a check, or NULL; it points into cfg. A
 * check's own "context" key (in its health.checks, endpoints or logs
 * entry; health.monit.context by Monit's service name) wins over
 * health.context's entry for it, which wins over health.monit.context's
 * "*". */
const struct ops_context_cfg *ops_context_for(const struct ops_config *cfg,
    const char *check);

/* health.context's entry for check alone, or NULL (points into cfg). */
const struct ops_context_cfg *ops_context_named(const struct ops_config *cfg,
    const char *check);

/* Capture cc's lines into *text (caller frees) and a description of
 * where from into source ("logs/app.log", "journalctl -u agent"). */
int ops_context_capture(const struct ops_config *cfg, const struct ops_context_cfg *cc,
    char **text, char *source, size_t slen, struct ops_err *err);

/* Replace every value of the env file at envpath (values of 4 characters
 * or more) found in *text by "[redacted]"; *text may be reallocated. A
 * missing env file is not an error. */
int ops_context_redact(const char *envpath, char **text, struct ops_err *err);

/* After a recorded run: capture and store the context of each result
 * that changed to a non-OK state and has one. */
int ops_context_record(const struct ops_config *cfg, struct ops_statedb *st,
    const struct ops_report *r, double now, struct ops_err *err);

/* The newest context stored for check captured at or after since;
 * 1 found (*source, *text caller frees, *ts), 0 none. When none and
 * capture is set, it is captured now and stored first. */
int ops_context_get(const struct ops_config *cfg, struct ops_statedb *st,
    const char *check, double since, int capture, double now, char **source,
    char **text, double *ts, struct ops_err *err);

/* `dharmic-ops troubleshoot CHECK`: the check's last recorded state and
 * the newest log context stored for it, into out. 1 when the check is
 * not OK, 0 when it is, -1 on error (OPS_E_USAGE: no such check). */
int ops_context_show(const struct ops_config *cfg, const char *check,
    struct ops_buf *out, struct ops_err *err);

#endif
