/* ops_audit_actions: which audit entries count as actions taken, the
 * alert each is linked to, the order and the cap, and the text. */
#include "ops_audit.h"
#include "ops_audit_actions.h"

#include <limits.h>

#include "unit.h"

static char *tmp;

/* One entry at time t (DHARMIC_OPS_NOW), by via. */
static void
add(struct ops_statedb *st, double t, const char *via, const char *verb,
    const char *outcome, const char *detail)
{
	struct ops_audit_opts o = { tmp, NULL, 0 };
	struct ops_err err = OPS_ERR_INIT;
	char now[32];

	snprintf(now, sizeof(now), "%.0f", t);
	setenv("DHARMIC_OPS_NOW", now, 1);
	if (ops_audit_append(st, &o, via, "test", verb, outcome, detail, &err) < 0)
		unit_failed(__FILE__, __LINE__, "append: %s", err.msg);
	unsetenv("DHARMIC_OPS_NOW");
}

static void
sent(struct ops_statedb *st, double t, const char *type, const char *kind)
{
	char q[256], *msg = NULL;

	snprintf(q, sizeof(q), "INSERT INTO alert_sent(ts,type,kind,severity)"
	    " VALUES(%.0f,'%s','%s',2)", t, type, kind);
	if (sqlite3_exec(st->db, q, NULL, NULL, &msg) != SQLITE_OK) {
		unit_failed(__FILE__, __LINE__, "sql: %s", msg ? msg : "?");
		sqlite3_free(msg);
	}
}

static void
test_taken(struct ops_statedb *st)
{
	const double T = 1800000000;
	struct ops_audit_actions a;
	struct ops_buf out = OPS_BUF_INIT;
	struct ops_err err = OPS_ERR_INIT;

	sent(st, T - 7200, "daemon_critical", "firing");	/* too early for any */
	sent(st, T - 600, "bridge_down", "firing");
	sent(st, T - 300, "bridge_down", "resolved");		/* not a firing one */
	add(st, T, "terminal", "act", "done", "restart_bridge: exit 0");
	add(st, T + 10, "terminal", "act", "refused", "restart_bridge: cooldown");
	add(st, T + 20, "cron", "act", "declined", "restart_bridge: not confirmed");
	add(st, T + 30, "auto-restart", "restart", "failed", "pid 42");
	sent(st, T + 75, "daemon_critical", "firing");	/* 45 s after the restart, 75 s after the act */
	add(st, T + 40, "terminal", "backup", "done", "not an action");
	add(st, T - 86400, "terminal", "restart", "done", "before the period");

	EQ_INT(ops_audit_actions(st, T - 3600, T + 3600, &a, &err), 0);
	EQ_INT(a.taken, 2);		/* refused, declined, backup and the old one out */
	EQ_INT(a.ok, 1);
	EQ_INT(a.n, 2);
	/* newest first */
	EQ_STR(a.v[0].what, "restart (automatic)");
	EQ_STR(a.v[0].outcome, "failed");
	EQ_STR(a.v[0].alert, "daemon_critical");
	EQ_DBL(a.v[0].alert_ts, T + 75, 1e-6);
	EQ_STR(a.v[1].what, "act restart_bridge");
	EQ_STR(a.v[1].outcome, "done");
	EQ_STR(a.v[1].alert, "bridge_down");
	EQ_DBL(a.v[1].alert_ts, T - 600, 1e-6);

	ops_audit_actions_format(&a, &out);
	HAS_STR(out.s, "restart (automatic) failed, after alert daemon_critical");
	HAS_STR(out.s, "act restart_bridge done, after alert bridge_down");
	CHECK(strstr(out.s, "earlier") == NULL);
	ops_buf_release(&out);

	/* a restart by hand, with no alert before it */
	EQ_INT(ops_audit_actions(st, T - 90000, T - 80000, &a, &err), 0);
	EQ_INT(a.n, 1);
	EQ_STR(a.v[0].what, "restart (by hand)");
	EQ_STR(a.v[0].alert, "");
}

static void
test_cap(struct ops_statedb *st)
{
	const double T = 1900000000;
	struct ops_audit_actions a;
	struct ops_buf out = OPS_BUF_INIT;
	struct ops_err err = OPS_ERR_INIT;
	char d[64];

	for (int i = 0; i < OPS_AUDIT_ACTIONS_MAX + 3; i++) {
		snprintf(d, sizeof(d), "step_%d: exit 0", i);
		add(st, T + i, "cron", "act", "done", d);
	}
	EQ_INT(ops_audit_actions(st, T, T + 100, &a, &err), 0);
	EQ_INT(a.taken, OPS_AUDIT_ACTIONS_MAX + 3);
	EQ_INT(a.n, OPS_AUDIT_ACTIONS_MAX);
	snprintf(d, sizeof(d), "act step_%d", OPS_AUDIT_ACTIONS_MAX + 2);
	EQ_STR(a.v[0].what, d);
	ops_audit_actions_format(&a, &out);
	HAS_STR(out.s, "... and 3 earlier (dharmic-ops audit)");
	ops_buf_release(&out);
}

int
main(void)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_err err = OPS_ERR_INIT;

	unsetenv("DHARMIC_OPS_NOW");
	tmp = unit_tmpdir();
	CHECK(ops_state_open(&st, tmp, &err) == 0);
	test_taken(&st);
	test_cap(&st);
	ops_state_close(&st);
	unit_cleanup(tmp);
	return unit_done();
}
