/* ops_audit_actions: the actions taken, read from the audit trail
 * (see ops_audit_actions.h). */
#include "ops_audit_actions.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "ops_time.h"

#define TAKEN "verb IN ('act','restart') AND outcome NOT IN ('refused','declined')" \
	" AND ts>=?1 AND ts<=?2"

int
ops_audit_actions(struct ops_statedb *st, double from, double to,
    struct ops_audit_actions *a, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1, step;

	memset(a, 0, sizeof(*a));
	if (ops_state_prepare(st, "SELECT count(*), total(outcome='done') FROM audit"
	    " WHERE " TAKEN, &s, err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, from);
	sqlite3_bind_double(s, 2, to);
	if (sqlite3_step(s) != SQLITE_ROW) {
		ops_state_error(err, st, "read the audit trail");
		goto out;
	}
	a->taken = sqlite3_column_int64(s, 0);
	a->ok = (int64_t)sqlite3_column_double(s, 1);
	sqlite3_finalize(s);
	/* the alert before it: the newest firing one from an hour before
	 * to a minute after (ops-alert sends an automatic restart's alert
	 * once it has restarted) */
	if (ops_state_prepare(st, "SELECT a.ts, a.verb, a.outcome, a.detail, a.via,"
	    " (SELECT type FROM alert_sent s WHERE s.kind='firing' AND s.ts>=a.ts-3600"
	    "  AND s.ts<=a.ts+60 ORDER BY s.ts DESC LIMIT 1),"
	    " (SELECT ts FROM alert_sent s WHERE s.kind='firing' AND s.ts>=a.ts-3600"
	    "  AND s.ts<=a.ts+60 ORDER BY s.ts DESC LIMIT 1)"
	    " FROM audit a WHERE " TAKEN " ORDER BY seq DESC LIMIT ?3", &s, err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, from);
	sqlite3_bind_double(s, 2, to);
	sqlite3_bind_int(s, 3, OPS_AUDIT_ACTIONS_MAX);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct ops_audit_action *x = &a->v[a->n++];
		const char *detail = ops_state_text(s, 3);

		x->ts = sqlite3_column_double(s, 0);
		if (strcmp(ops_state_text(s, 1), "act") == 0)
			snprintf(x->what, sizeof(x->what), "act %.*s", (int)strcspn(detail,
			    " :"), detail);
		else
			snprintf(x->what, sizeof(x->what), "restart (%s)",
			    strcmp(ops_state_text(s, 4), "auto-restart") == 0 ? "automatic" :
			    "by hand");
		snprintf(x->outcome, sizeof(x->outcome), "%s", ops_state_text(s, 2));
		snprintf(x->alert, sizeof(x->alert), "%s", ops_state_text(s, 5));
		x->alert_ts = sqlite3_column_double(s, 6);
	}
	if (step != SQLITE_DONE) {
		/* an old state database without alert tables cannot happen:
		 * the migrations made them before this one */
		ops_state_error(err, st, "read the audit trail");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

void
ops_audit_actions_format(const struct ops_audit_actions *a, struct ops_buf *out)
{
	char t1[32], t2[32];

	for (size_t i = 0; i < a->n; i++) {
		const struct ops_audit_action *x = &a->v[i];

		ops_buf_printf(out, "  %.16s %s %s", ops_time_log(x->ts, t1, sizeof(t1)),
		    x->what, x->outcome);
		if (x->alert[0])
			ops_buf_printf(out, ", after alert %s (%.16s)", x->alert,
			    ops_time_log(x->alert_ts, t2, sizeof(t2)));
		ops_buf_puts(out, "\n");
	}
	if ((int64_t)a->n < a->taken)
		ops_buf_printf(out, "  ... and %lld earlier (dharmic-ops audit)\n",
		    (long long)(a->taken - (int64_t)a->n));
}
