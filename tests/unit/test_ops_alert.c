/* Unit tests for ops_alert: the mapping from a report to alert types and
 * the policy (cooldown, resolved, cap, silences, undo), on a fake clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_alert.h"

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, \
		    __func__, #cond); \
		failures++; \
	} \
} while (0)

#define T0 1800000000.0
#define COOLDOWN 1800.0

static const struct ops_alert_policy pol = { COOLDOWN, 5 };

/* A report from "name=STATE" pairs. */
static void
report(struct ops_report *r, const char *const *spec)
{
	for (size_t i = 0; spec[i]; i += 2)
		ops_report_add(r, spec[i], (enum ops_state)ops_state_parse(spec[i + 1]),
		    "%s is %s", spec[i], spec[i + 1]);
}

static const struct ops_alert_cond *
cond(const struct ops_alert_conds *c, const char *type)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].type, type) == 0)
			return &c->v[i];
	return NULL;
}

/* One run of the policy at now with the given active types (severity by
 * name prefix "!": CRITICAL, else WARNING); returns the plan. */
static void
step(struct ops_alert_set *s, struct ops_alert_ctx *ctx, double now,
    const char *const *active, const char *const *inactive, struct ops_alert_plan *plan)
{
	struct ops_alert_conds c = OPS_ALERT_CONDS_INIT;

	for (size_t i = 0; active && active[i]; i++) {
		const char *t = active[i][0] == '!' ? active[i] + 1 : active[i];

		c.v = realloc(c.v, (c.n + 1) * sizeof(*c.v));
		memset(&c.v[c.n], 0, sizeof(c.v[c.n]));
		snprintf(c.v[c.n].type, sizeof(c.v[c.n].type), "%s", t);
		c.v[c.n].active = 1;
		c.v[c.n].severity = active[i][0] == '!' ? OPS_CRITICAL : OPS_WARNING;
		c.n++;
	}
	for (size_t i = 0; inactive && inactive[i]; i++) {
		c.v = realloc(c.v, (c.n + 1) * sizeof(*c.v));
		memset(&c.v[c.n], 0, sizeof(c.v[c.n]));
		snprintf(c.v[c.n].type, sizeof(c.v[c.n].type), "%s", inactive[i]);
		c.n++;
	}
	ctx->now = now;
	CHECK(ops_alert_apply(s, &c, now) == 0);
	ops_alert_plan_release(plan);
	CHECK(ops_alert_decide(s, &pol, ctx, plan) == 0);
	ops_alert_conds_release(&c);
}

static const char *
ptype(const struct ops_alert_set *s, const struct ops_alert_plan *p, size_t i)
{
	return s->v[p->v[i].idx].type;
}

static void
test_map(void)
{
	static const char *const spec[] = {
		"daemon", "CRITICAL", "heartbeat", "WARNING", "integrity", "CRITICAL",
		"disk", "WARNING", "email", "OK", "restarts", "WARNING", "backup", "WARNING",
		"proton", "CRITICAL", "coord", "UNKNOWN", "fine", "OK", NULL
	};
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_alert_conds c = OPS_ALERT_CONDS_INIT;
	const struct ops_alert_cond *k;

	report(&r, spec);
	CHECK(ops_alert_map(&r, &c) == 0);
	CHECK((k = cond(&c, "daemon_critical")) && k->active && k->severity == OPS_CRITICAL);
	CHECK(k && strcmp(k->message, "daemon is CRITICAL") == 0);
	CHECK((k = cond(&c, "daemon_degraded")) && k->active && k->severity == OPS_WARNING);
	CHECK((k = cond(&c, "memory_corrupt")) && k->active && k->severity == OPS_CRITICAL);
	CHECK((k = cond(&c, "disk_low")) && k->active && k->severity == OPS_WARNING);
	CHECK((k = cond(&c, "disk_critical")) && !k->active);
	CHECK((k = cond(&c, "email_errors")) && !k->active);
	CHECK((k = cond(&c, "restart_loop")) && k->active && k->severity == OPS_WARNING);
	CHECK((k = cond(&c, "backup_stale")) && k->active);
	CHECK((k = cond(&c, "check_proton")) && k->active && k->severity == OPS_CRITICAL);
	CHECK((k = cond(&c, "check_coord")) && k->active && k->severity == OPS_UNKNOWN);
	CHECK((k = cond(&c, "check_fine")) && !k->active);
	/* the backup types with flags: no flag perfdata, `when` decides */
	CHECK((k = cond(&c, "backup_failed")) && !k->active);
	CHECK((k = cond(&c, "backup_unverified")) && !k->active);
	CHECK((k = cond(&c, "offsite_failed")) && !k->active);
	CHECK(c.n == 14);
	ops_alert_conds_release(&c);
	ops_report_release(&r);

	/* disk CRITICAL is disk_critical, not disk_low; a check missing from
	 * the report gives no condition at all (its state is left alone). */
	{
		static const char *const spec2[] = { "disk", "CRITICAL", NULL };

		report(&r, spec2);
		CHECK(ops_alert_map(&r, &c) == 0);
		CHECK(c.n == 2);
		CHECK((k = cond(&c, "disk_critical")) && k->active);
		CHECK((k = cond(&c, "disk_low")) && !k->active);
		CHECK(cond(&c, "daemon_critical") == NULL);
		ops_alert_conds_release(&c);
		ops_report_release(&r);
	}
	/* A built-in check that could not tell (UNKNOWN) leaves its types alone. */
	{
		static const char *const spec3[] = { "daemon", "UNKNOWN", "disk", "UNKNOWN",
			NULL };

		report(&r, spec3);
		CHECK(ops_alert_map(&r, &c) == 0);
		CHECK(c.n == 0);
		ops_alert_conds_release(&c);
		ops_report_release(&r);
	}
	/* The daemon message reads as in the old alerts.log. */
	ops_report_add(&r, "daemon", OPS_CRITICAL, "not running: no PID file (logs/daemon.pid)");
	CHECK(ops_alert_map(&r, &c) == 0);
	CHECK((k = cond(&c, "daemon_critical")) &&
	    strcmp(k->message, "Process not running: no PID file (logs/daemon.pid)") == 0);
	ops_alert_conds_release(&c);
	ops_report_release(&r);
}

static void
test_types(void)
{
	char buf[128];

	CHECK(ops_alert_type_valid("daemon_critical"));
	CHECK(ops_alert_type_valid("check_proton_bridge"));
	CHECK(!ops_alert_type_valid("check_"));
	CHECK(!ops_alert_type_valid("check_a b"));
	CHECK(!ops_alert_type_valid("nonsense"));
	CHECK(strcmp(ops_alert_title("daemon_critical", buf, sizeof(buf)),
	    "Daemon Critical Failure") == 0);
	CHECK(strcmp(ops_alert_title("check_x", buf, sizeof(buf)), "Check Failed: x") == 0);
	CHECK(ops_alert_escalates("restart_loop"));
	CHECK(!ops_alert_escalates("backup_stale"));
}

/* 50 runs inside the cooldown deliver once; after it, a reminder. */
static void
test_cooldown(void)
{
	static const char *const act[] = { "!daemon_critical", NULL };
	struct ops_alert_set s = OPS_ALERT_SET_INIT;
	struct ops_alert_plan p = OPS_ALERT_PLAN_INIT;
	struct ops_alert_ctx ctx = { 0 };
	size_t sent = 0;

	for (int i = 0; i < 50; i++) {
		step(&s, &ctx, T0 + i * 30, act, NULL, &p);
		sent += p.n;
	}
	CHECK(sent == 1);
	step(&s, &ctx, T0 + COOLDOWN - 1, act, NULL, &p);
	CHECK(p.n == 0);
	step(&s, &ctx, T0 + COOLDOWN, act, NULL, &p);
	CHECK(p.n == 1 && p.v[0].kind == OPS_ALERT_FIRING && p.v[0].email);
	CHECK(p.n == 1 && p.v[0].before.notified == 1);	/* a reminder */
	ops_alert_plan_release(&p);
	ops_alert_set_release(&s);
}

static void
test_resolved(void)
{
	static const char *const act[] = { "backup_stale", NULL };
	static const char *const clr[] = { "backup_stale", NULL };
	struct ops_alert_set s = OPS_ALERT_SET_INIT;
	struct ops_alert_plan p = OPS_ALERT_PLAN_INIT;
	struct ops_alert_ctx ctx = { 0 };
	struct ops_alert_state *st;

	step(&s, &ctx, T0, act, NULL, &p);
	CHECK(p.n == 1 && !p.v[0].email);
	step(&s, &ctx, T0 + 300, NULL, clr, &p);
	CHECK(p.n == 1 && p.v[0].kind == OPS_ALERT_RESOLVED &&
	    p.v[0].severity == OPS_WARNING && p.v[0].since == T0);
	step(&s, &ctx, T0 + 600, NULL, clr, &p);
	CHECK(p.n == 0);	/* once */
	st = ops_alert_set_find(&s, "backup_stale");
	CHECK(st && !st->active && !st->notified && !st->resolve_pending);
	if (st == NULL)
		return;

	/* Never delivered (silenced while it fired): no resolved notice. */
	st->silenced_until = T0 + 2000;
	step(&s, &ctx, T0 + 900, act, NULL, &p);
	CHECK(p.n == 0);
	st = ops_alert_set_find(&s, "backup_stale");
	st->silenced_until = 0;
	step(&s, &ctx, T0 + 1000, NULL, clr, &p);
	CHECK(p.n == 0);

	/* Flapping back before the resolved notice went out (it was held by
	 * a failed delivery): the episode goes on, no new firing notice. */
	step(&s, &ctx, T0 + 1100, act, NULL, &p);
	CHECK(p.n == 1);
	step(&s, &ctx, T0 + 1200, NULL, clr, &p);
	CHECK(p.n == 1 && p.v[0].kind == OPS_ALERT_RESOLVED);
	ops_alert_undo(&s, &p.v[0]);
	step(&s, &ctx, T0 + 1300, act, NULL, &p);
	CHECK(p.n == 0);
	ops_alert_plan_release(&p);
	ops_alert_set_release(&s);
}

/* Seven types at once, cap 5: CRITICAL first, two held back and counted
 * once, reported with the next notice that goes out. */
static void
test_cap(void)
{
	static const char *const act[] = {
		"backup_stale", "email_errors", "check_a", "!daemon_critical", "disk_low",
		"!check_b", "!memory_corrupt", NULL
	};
	struct ops_alert_set s = OPS_ALERT_SET_INIT;
	struct ops_alert_plan p = OPS_ALERT_PLAN_INIT;
	struct ops_alert_ctx ctx = { 0 };

	step(&s, &ctx, T0, act, NULL, &p);
	CHECK(p.n == 5 && p.withheld == 2);
	CHECK(p.n == 5 && strcmp(ptype(&s, &p, 0), "daemon_critical") == 0);
	CHECK(p.n == 5 && strcmp(ptype(&s, &p, 1), "memory_corrupt") == 0);
	CHECK(p.n == 5 && strcmp(ptype(&s, &p, 2), "check_b") == 0);
	CHECK(p.n == 5 && p.v[3].severity == OPS_WARNING && p.v[4].severity == OPS_WARNING);
	CHECK(ctx.unreported == 2);
	ctx.sent_last_hour = 5;
	for (int i = 1; i <= 5; i++) {	/* inside the cooldown */
		step(&s, &ctx, T0 + i * 300, act, NULL, &p);
		CHECK(p.n == 0 && p.withheld == 2);
	}
	CHECK(ctx.unreported == 2);	/* held, counted once */
	CHECK(ops_alert_set_find(&s, "check_a")->suppressed +
	    ops_alert_set_find(&s, "email_errors")->suppressed +
	    ops_alert_set_find(&s, "backup_stale")->suppressed == 2);
	/* An hour on: the window is empty and the cooldowns have run out:
	 * CRITICAL reminders first, then the two never sent before the
	 * WARNING reminders; the first carries the count. */
	ctx.sent_last_hour = 0;
	step(&s, &ctx, T0 + 3601, act, NULL, &p);
	CHECK(p.n == 5 && p.v[0].suppressed == 2 && p.v[1].suppressed == 0);
	CHECK(p.n == 5 && strcmp(ptype(&s, &p, 3), "backup_stale") == 0 &&
	    strcmp(ptype(&s, &p, 4), "check_a") == 0);
	CHECK(ctx.unreported == 4);	/* disk_low, email_errors now held */
	/* A cap of 0 or less is no cap. */
	{
		struct ops_alert_policy nocap = { COOLDOWN, 0 };
		struct ops_alert_set s2 = OPS_ALERT_SET_INIT;
		struct ops_alert_ctx c2 = { 0 };
		struct ops_alert_plan p2 = OPS_ALERT_PLAN_INIT;

		step(&s2, &c2, T0, act, NULL, &p2);
		ops_alert_plan_release(&p2);
		for (size_t i = 0; i < s2.n; i++)
			s2.v[i].notified = 0;
		CHECK(ops_alert_decide(&s2, &nocap, &c2, &p2) == 0 && p2.n == 7);
		ops_alert_plan_release(&p2);
		ops_alert_set_release(&s2);
	}
	ops_alert_plan_release(&p);
	ops_alert_set_release(&s);
}

/* Timestamps in the future never silence: last_sent and since are
 * treated as long past. */
static void
test_future(void)
{
	static const char *const act[] = { "!daemon_critical", NULL };
	struct ops_alert_set s = OPS_ALERT_SET_INIT;
	struct ops_alert_plan p = OPS_ALERT_PLAN_INIT;
	struct ops_alert_ctx ctx = { 0 };
	struct ops_alert_state *st = ops_alert_set_get(&s, "daemon_critical");

	st->active = 1;
	st->severity = st->sent_severity = OPS_CRITICAL;
	st->notified = 1;
	st->since = T0 + 1e9;
	st->last_sent = T0 + 1e9;
	step(&s, &ctx, T0, act, NULL, &p);
	CHECK(p.n == 1);
	st = ops_alert_set_find(&s, "daemon_critical");
	CHECK(st->since == T0 && st->last_sent == T0);
	step(&s, &ctx, T0 + 60, act, NULL, &p);
	CHECK(p.n == 0);
	CHECK(ops_alert_want_restart(&s, T0 + 1e9, T0, COOLDOWN));
	ops_alert_plan_release(&p);
	ops_alert_set_release(&s);
}

static void
test_silence(void)
{
	static const char *const act[] = { "disk_low", NULL };
	struct ops_alert_set s = OPS_ALERT_SET_INIT;
	struct ops_alert_plan p = OPS_ALERT_PLAN_INIT;
	struct ops_alert_ctx ctx = { 0 };

	ops_alert_set_get(&s, "disk_low")->silenced_until = T0 + 3600;
	step(&s, &ctx, T0, act, NULL, &p);
	CHECK(p.n == 0 && p.withheld == 0 && ctx.unreported == 0);
	step(&s, &ctx, T0 + 3599, act, NULL, &p);
	CHECK(p.n == 0);
	step(&s, &ctx, T0 + 3600, act, NULL, &p);
	CHECK(p.n == 1);
	ops_alert_plan_release(&p);
	ops_alert_set_release(&s);
}

/* A failed delivery is undone: not armed, due again on the next run. */
static void
test_undo(void)
{
	static const char *const act[] = { "!check_x", NULL };
	struct ops_alert_set s = OPS_ALERT_SET_INIT;
	struct ops_alert_plan p = OPS_ALERT_PLAN_INIT;
	struct ops_alert_ctx ctx = { 0 };

	step(&s, &ctx, T0, act, NULL, &p);
	CHECK(p.n == 1);
	ops_alert_undo(&s, &p.v[0]);
	CHECK(ops_alert_set_find(&s, "check_x")->notified == 0);
	step(&s, &ctx, T0 + 300, act, NULL, &p);
	CHECK(p.n == 1);
	step(&s, &ctx, T0 + 600, act, NULL, &p);
	CHECK(p.n == 0);
	ops_alert_plan_release(&p);
	ops_alert_set_release(&s);
}

/* WARNING to CRITICAL inside the cooldown goes out at once. */
static void
test_worse(void)
{
	static const char *const warn[] = { "daemon_degraded", NULL };
	static const char *const crit[] = { "!daemon_degraded", NULL };
	struct ops_alert_set s = OPS_ALERT_SET_INIT;
	struct ops_alert_plan p = OPS_ALERT_PLAN_INIT;
	struct ops_alert_ctx ctx = { 0 };

	step(&s, &ctx, T0, warn, NULL, &p);
	CHECK(p.n == 1);
	step(&s, &ctx, T0 + 60, crit, NULL, &p);
	CHECK(p.n == 1 && p.v[0].severity == OPS_CRITICAL);
	step(&s, &ctx, T0 + 120, warn, NULL, &p);
	CHECK(p.n == 0);
	ops_alert_plan_release(&p);
	ops_alert_set_release(&s);
}

/* disk_low replaced by disk_critical: no "disk_low resolved". */
static void
test_superseded(void)
{
	static const char *const low[] = { "disk_low", NULL };
	static const char *const low_clear[] = { "disk_critical", NULL };
	static const char *const crit[] = { "!disk_critical", NULL };
	static const char *const crit_clear[] = { "disk_low", NULL };
	struct ops_alert_set s = OPS_ALERT_SET_INIT;
	struct ops_alert_plan p = OPS_ALERT_PLAN_INIT;
	struct ops_alert_ctx ctx = { 0 };

	step(&s, &ctx, T0, low, low_clear, &p);
	CHECK(p.n == 1);
	step(&s, &ctx, T0 + 60, crit, crit_clear, &p);
	CHECK(p.n == 1 && strcmp(ptype(&s, &p, 0), "disk_critical") == 0 &&
	    p.v[0].kind == OPS_ALERT_FIRING);
	ops_alert_plan_release(&p);
	ops_alert_set_release(&s);
}

/* After the state was lost: one notice, the rest folded into it. */
static void
test_consolidate(void)
{
	static const char *const act[] = { "backup_stale", "!daemon_critical", "disk_low",
		NULL };
	struct ops_alert_set s = OPS_ALERT_SET_INIT;
	struct ops_alert_plan p = OPS_ALERT_PLAN_INIT;
	struct ops_alert_ctx ctx = { 0 };
	size_t sent = 0;

	ctx.consolidate = 1;
	step(&s, &ctx, T0, act, NULL, &p);
	for (size_t i = 0; i < p.n; i++)
		sent += !p.v[i].folded;
	CHECK(sent == 1 && p.n == 3 && strcmp(ptype(&s, &p, 0), "daemon_critical") == 0);
	ctx.consolidate = 0;
	step(&s, &ctx, T0 + 300, act, NULL, &p);
	CHECK(p.n == 0);
	ops_alert_plan_release(&p);
	ops_alert_set_release(&s);
}

static void
test_restart(void)
{
	static const char *const act[] = { "!daemon_critical", NULL };
	static const char *const clr[] = { "daemon_critical", NULL };
	struct ops_alert_set s = OPS_ALERT_SET_INIT;
	struct ops_alert_plan p = OPS_ALERT_PLAN_INIT;
	struct ops_alert_ctx ctx = { 0 };

	CHECK(!ops_alert_want_restart(&s, 0, T0, COOLDOWN));
	step(&s, &ctx, T0, act, NULL, &p);
	CHECK(ops_alert_want_restart(&s, 0, T0, COOLDOWN));
	CHECK(!ops_alert_want_restart(&s, T0 - 60, T0, COOLDOWN));
	CHECK(ops_alert_want_restart(&s, T0 - COOLDOWN, T0, COOLDOWN));
	ops_alert_set_find(&s, "daemon_critical")->silenced_until = T0 + 60;
	CHECK(!ops_alert_want_restart(&s, 0, T0, COOLDOWN));
	step(&s, &ctx, T0 + 60, NULL, clr, &p);
	CHECK(!ops_alert_want_restart(&s, 0, T0 + 60, COOLDOWN));
	ops_alert_plan_release(&p);
	ops_alert_set_release(&s);
}

int
main(void)
{
	test_map();
	test_types();
	test_cooldown();
	test_resolved();
	test_cap();
	test_future();
	test_silence();
	test_undo();
	test_worse();
	test_superseded();
	test_consolidate();
	test_restart();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	puts("ok");
	return 0;
}
