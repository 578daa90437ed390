/* ops_audit_actions: what the dashboard and the weekly report show of the
 * audit trail (ops_audit.h). Only reads, so it is apart from the trail's
 * signing and hashing: ops-dashboard, whose server must stay small, does
 * not link OpenSSL for it. */
#ifndef OPS_AUDIT_ACTIONS_H
#define OPS_AUDIT_ACTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "ops_buf.h"
#include "ops_err.h"
#include "ops_state.h"

/* Actions taken between from and to: the entries of actions run
 * (verb "act") and restarts (by hand or automatic) that were not refused
 * or declined, each linked to the alert sent just before it (an hour at
 * most; an automatic restart's own alert follows it by seconds). The
 * newest OPS_AUDIT_ACTIONS_MAX of them, newest first. */
#define OPS_AUDIT_ACTIONS_MAX 10
struct ops_audit_action {
	double ts;
	char what[80];		/* "act restart_bridge", "restart (auto-restart)" */
	char outcome[16];
	char alert[64];		/* the alert type that preceded it, "" when none */
	double alert_ts;
};

struct ops_audit_actions {
	int64_t taken, ok;	/* all in the period; ok: outcome "done" */
	struct ops_audit_action v[OPS_AUDIT_ACTIONS_MAX];
	size_t n;
};

int ops_audit_actions(struct ops_statedb *st, double from, double to,
    struct ops_audit_actions *a, struct ops_err *err);

/* One line per action: "  TIME WHAT OUTCOME, after alert TYPE (TIME)". */
void ops_audit_actions_format(const struct ops_audit_actions *a, struct ops_buf *out);

#endif
