/* ops_action: whitelisted remediation actions (dharmic-ops(1) act).
 *
 * An action is a configured argv (never a shell) with a timeout; nothing
 * that is not in the config's "actions" list can run: a name is looked up
 * by exact match only, so no path, case, space or argument trick reaches
 * ops_run. Every run (and every refusal) is an entry in the audit trail
 * with its outcome, exit status and the start of its output. Whether to
 * ask a person first is the caller's business (cmd/); this module only
 * runs and records. */
#ifndef OPS_ACTION_H
#define OPS_ACTION_H

#include <stddef.h>

#include "ops_buf.h"
#include "ops_config.h"
#include "ops_err.h"

/* The action called exactly name, or NULL. Owned by cfg. */
const struct ops_action_cfg *ops_action_find(const struct ops_config *cfg,
    const char *name);

/* One line per action: name, confirm/auto, timeout, description, command. */
void ops_action_list(const struct ops_config *cfg, struct ops_buf *out);

/* The exact command that will run, argv[0] resolved in $PATH (or against
 * the home when it holds a '/'), quoted for sh(1); into out. -1 when the
 * program cannot be found. resolved (len bytes) gets argv[0]'s path. */
int ops_action_command(const struct ops_config *cfg, const struct ops_action_cfg *a,
    struct ops_buf *out, char *resolved, size_t len, struct ops_err *err);

/* Run a with its timeout (its process group killed at the timeout),
 * output (stdout and stderr, at most 64 KiB) appended to out, and record
 * it: verb "act", outcome "done", "failed" or "timed-out", detail the name,
 * why (reason, may be NULL), the exit status and the start of the output.
 * via: the audit actor's via (NULL: detected). Returns 0 when it ran and
 * exited 0, 1 when it ran and failed or timed out, -1 when it could not
 * be run (err). A failure to record is reported in audit_err. */
int ops_action_run(const struct ops_config *cfg, const struct ops_action_cfg *a,
    const char *program, const char *via, const char *reason, struct ops_buf *out,
    struct ops_err *audit_err, struct ops_err *err);

/* Record that name was not run: outcome ("refused", "declined") and why. */
int ops_action_record_refusal(const struct ops_config *cfg, const char *program,
    const char *name, const char *outcome, const char *why, struct ops_err *err);

#endif
