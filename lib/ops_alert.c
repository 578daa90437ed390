#include "ops_alert.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M(s) (1u << (s))

/* The built-in types: which check drives each, and when. */
static const struct tdef {
	const char *type, *check, *title;
	unsigned when;			/* check states that make it active */
	int severity;			/* fixed, or -1: the check's */
	int escalate;			/* also by email */
	const char *superseded_by;	/* no resolved notice while that one fires */
	/* When set, a 0/1 perfdata item of the check that says whether this
	 * type is active (one check, several conditions); when the check
	 * has no such item, `when` decides. */
	const char *flag;
} tdefs[] = {
	{ "daemon_critical", "daemon", "Daemon Critical Failure", M(OPS_CRITICAL),
	  OPS_CRITICAL, 0, NULL, NULL },
	{ "memory_corrupt", "integrity", "Memory Corruption", M(OPS_CRITICAL),
	  OPS_CRITICAL, 0, NULL, NULL },
	{ "disk_critical", "disk", "Disk Space Critical", M(OPS_CRITICAL),
	  OPS_CRITICAL, 0, NULL, NULL },
	{ "daemon_degraded", "heartbeat", "Daemon Degraded",
	  M(OPS_WARNING) | M(OPS_CRITICAL), -1, 0, NULL, NULL },
	{ "restart_loop", "restarts", "Restart Loop", M(OPS_WARNING) | M(OPS_CRITICAL),
	  -1, 1, NULL, NULL },
	{ "disk_low", "disk", "Disk Space Low", M(OPS_WARNING), OPS_WARNING, 0,
	  "disk_critical", NULL },
	{ "email_errors", "email", "Email Errors", M(OPS_WARNING) | M(OPS_CRITICAL),
	  -1, 0, NULL, NULL },
	{ "backup_stale", "backup", "Backup Stale", M(OPS_WARNING) | M(OPS_CRITICAL),
	  OPS_WARNING, 0, NULL, "backup_stale" },
	/* issue 10: the bad day */
	{ "backup_failed", "backup", "Backup Failed", M(OPS_CRITICAL), OPS_CRITICAL, 0,
	  NULL, "backup_failed" },
	{ "backup_unverified", "backup", "Backup Unverified", 0, OPS_WARNING, 0, NULL,
	  "backup_unverified" },
	{ "offsite_failed", "backup", "Offsite Copy Failed", 0, OPS_WARNING, 0, NULL,
	  "offsite_failed" },
};

#define NTDEFS (sizeof(tdefs) / sizeof(tdefs[0]))

const char *const ops_alert_builtin[] = {
	"daemon_critical", "memory_corrupt", "disk_critical", "daemon_degraded",
	"restart_loop", "disk_low", "email_errors", "backup_stale", "backup_failed",
	"backup_unverified", "offsite_failed", NULL
};

static const char *const builtin_checks[] = {
	"daemon", "heartbeat", "integrity", "disk", "email", "restarts", "backup",
};

static const struct tdef *
tdef(const char *type)
{
	for (size_t i = 0; i < NTDEFS; i++)
		if (strcmp(tdefs[i].type, type) == 0)
			return &tdefs[i];
	return NULL;
}

static size_t
type_order(const char *type)
{
	for (size_t i = 0; i < NTDEFS; i++)
		if (strcmp(tdefs[i].type, type) == 0)
			return i;
	return NTDEFS;
}

const char *
ops_alert_title(const char *type, char *buf, size_t len)
{
	const struct tdef *t = tdef(type);

	if (t != NULL)
		snprintf(buf, len, "%s", t->title);
	else if (strncmp(type, "check_", 6) == 0)
		snprintf(buf, len, "Check Failed: %s", type + 6);
	else if (strcmp(type, "test") == 0)
		snprintf(buf, len, "Test Alert");
	else
		snprintf(buf, len, "%s", type);
	return buf;
}

int
ops_alert_type_valid(const char *type)
{
	const char *p;

	if (tdef(type) != NULL)
		return 1;
	if (strncmp(type, "check_", 6) != 0 || type[6] == '\0' ||
	    strlen(type) >= OPS_ALERT_TYPE_MAX)
		return 0;
	for (p = type + 6; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("_-.:", *p) == NULL)
			return 0;
	return 1;
}

int
ops_alert_escalates(const char *type)
{
	const struct tdef *t = tdef(type);

	return t != NULL && t->escalate;
}

/* Nagios order, worst last, for "a severity went up". */
static int
rank(enum ops_state s)
{
	switch (s) {
	case OPS_CRITICAL:
		return 3;
	case OPS_WARNING:
		return 2;
	case OPS_UNKNOWN:
		return 1;
	default:
		return 0;
	}
}

static int
push_cond(struct ops_alert_conds *c, const char *type, int active,
    enum ops_state sev, const char *msg)
{
	struct ops_alert_cond *v, *x;

	v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	c->v = v;
	x = &v[c->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->type, sizeof(x->type), "%s", type);
	x->active = active;
	x->severity = active ? sev : OPS_OK;
	snprintf(x->message, sizeof(x->message), "%s", msg ? msg : "");
	return 0;
}

static const struct ops_result *
find_result(const struct ops_report *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	return NULL;
}

static int
is_builtin_check(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin_checks) / sizeof(builtin_checks[0]); i++)
		if (strcmp(builtin_checks[i], name) == 0)
			return 1;
	return 0;
}

int
ops_alert_map(const struct ops_report *r, struct ops_alert_conds *out)
{
	char type[OPS_ALERT_TYPE_MAX], msg[OPS_ALERT_MSG_MAX];

	for (size_t i = 0; i < NTDEFS; i++) {
		const struct tdef *t = &tdefs[i];
		const struct ops_result *res = find_result(r, t->check);
		int active;

		/* Not evaluated, or it could not tell (UNKNOWN): neither
		 * fire nor resolve, leave the state as it is. */
		if (res == NULL || res->state == OPS_UNKNOWN)
			continue;
		active = (t->when & M(res->state)) != 0;
		for (size_t k = 0; t->flag && k < res->nperf; k++)
			if (strcmp(res->perf[k].label, t->flag) == 0)
				active = res->perf[k].value > 0;
		if (active && strcmp(t->type, "daemon_critical") == 0 &&
		    strncmp(res->message, "not running", 11) == 0)
			snprintf(msg, sizeof(msg), "Process %s", res->message);
		else
			snprintf(msg, sizeof(msg), "%s", res->message);
		if (push_cond(out, t->type, active,
		    t->severity >= 0 ? (enum ops_state)t->severity : res->state, msg) < 0)
			return -1;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct ops_result *res = &r->v[i];

		if (is_builtin_check(res->name))
			continue;
		if (snprintf(type, sizeof(type), "check_%s", res->name) >= (int)sizeof(type) ||
		    !ops_alert_type_valid(type))
			continue;	/* not a name we can key state on */
		if (push_cond(out, type, res->state != OPS_OK, res->state, res->message) < 0)
			return -1;
	}
	return 0;
}

const char *
ops_alert_check_of(const char *type)
{
	for (size_t i = 0; i < NTDEFS; i++)
		if (strcmp(tdefs[i].type, type) == 0)
			return tdefs[i].check;
	if (strncmp(type, "check_", 6) == 0 && type[6] != '\0')
		return type + 6;
	return type;
}

int
ops_alert_conds_add(struct ops_alert_conds *c, const char *type, int active,
    enum ops_state severity, const char *msg)
{
	return push_cond(c, type, active, severity, msg);
}

void
ops_alert_conds_release(struct ops_alert_conds *c)
{
	if (c == NULL)
		return;
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

struct ops_alert_state *
ops_alert_set_find(const struct ops_alert_set *s, const char *type)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].type, type) == 0)
			return &s->v[i];
	return NULL;
}

struct ops_alert_state *
ops_alert_set_get(struct ops_alert_set *s, const char *type)
{
	struct ops_alert_state *v, *x = ops_alert_set_find(s, type);

	if (x != NULL)
		return x;
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	s->v = v;
	x = &v[s->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->type, sizeof(x->type), "%s", type);
	return x;
}

void
ops_alert_set_release(struct ops_alert_set *s)
{
	if (s == NULL)
		return;
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int
ops_alert_apply(struct ops_alert_set *s, const struct ops_alert_conds *c, double now)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct ops_alert_cond *k = &c->v[i];
		struct ops_alert_state *st = ops_alert_set_get(s, k->type);

		if (st == NULL)
			return -1;
		snprintf(st->message, sizeof(st->message), "%s", k->message);
		if (k->active) {
			if (!st->active) {
				st->active = 1;
				/* Back before its resolved notice went out: to the
				 * person it never stopped, so the episode goes on. */
				if (st->resolve_pending)
					st->resolve_pending = 0;
				else {
					st->since = now;
					st->notified = 0;
				}
				st->held = 0;
			}
			st->severity = k->severity;
			if (st->since <= 0 || st->since > now)
				st->since = now;
		} else if (st->active) {
			st->active = 0;
			st->severity = OPS_OK;
			st->held = 0;
			if (st->notified)
				st->resolve_pending = 1;
			else
				st->since = 0;
		}
	}
	return 0;
}

/* Lower sorts first: CRITICAL, WARNING, UNKNOWN firing, then resolved. */
static int
priority(const struct ops_alert_notice *n)
{
	if (n->kind == OPS_ALERT_RESOLVED)
		return 3;
	switch (n->severity) {
	case OPS_CRITICAL:
		return 0;
	case OPS_WARNING:
		return 1;
	default:
		return 2;
	}
}

static int
cmp_notice(const void *a, const void *b)
{
	const struct ops_alert_notice *x = a, *y = b;
	const char *tx = x->before.type, *ty = y->before.type;
	size_t ox, oy;

	if (priority(x) != priority(y))
		return priority(x) - priority(y);
	/* Something new before a reminder of something already known. */
	if (x->before.notified != y->before.notified)
		return x->before.notified - y->before.notified;
	ox = type_order(tx);
	oy = type_order(ty);
	if (ox != oy)
		return ox < oy ? -1 : 1;
	return strcmp(tx, ty);
}

static int
superseded(const struct ops_alert_set *s, const struct ops_alert_state *st)
{
	const struct tdef *t = tdef(st->type);
	const struct ops_alert_state *by;

	if (t == NULL || t->superseded_by == NULL)
		return 0;
	by = ops_alert_set_find(s, t->superseded_by);
	return by != NULL && by->active;
}

/* The row as it is after a delivered notice. */
static void
mark_sent(struct ops_alert_state *st, const struct ops_alert_notice *n, double now)
{
	if (n->kind == OPS_ALERT_FIRING) {
		st->last_sent = now;
		st->notified = 1;
		st->sent_severity = st->severity;
	} else {
		st->resolve_pending = 0;
		st->notified = 0;
		st->since = 0;
	}
	st->held = 0;
	st->suppressed = 0;
}

int
ops_alert_decide(struct ops_alert_set *s, const struct ops_alert_policy *p,
    struct ops_alert_ctx *ctx, struct ops_alert_plan *plan)
{
	double now = ctx->now;
	size_t slots, ndue = 0;
	struct ops_alert_notice *v;

	plan->v = NULL;
	plan->n = 0;
	plan->withheld = 0;
	if (s->n == 0)
		return 0;
	v = calloc(s->n, sizeof(*v));
	if (v == NULL)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		struct ops_alert_state *st = &s->v[i];
		int silenced = st->silenced_until > now;
		double last;

		if (st->active) {
			if (silenced)
				continue;
			/* A last_sent in the future (the clock went back, or
			 * a bad state) counts as a cooldown that has run out. */
			last = st->last_sent > now ? now - p->cooldown : st->last_sent;
			if (st->notified && rank(st->severity) <= rank(st->sent_severity) &&
			    last + p->cooldown > now)
				continue;
			v[ndue].kind = OPS_ALERT_FIRING;
			v[ndue].severity = st->severity;
			v[ndue].email = st->severity == OPS_CRITICAL ||
			    ops_alert_escalates(st->type);
		} else if (st->resolve_pending) {
			if (silenced || superseded(s, st)) {
				/* Silenced on purpose, or replaced by a worse
				 * type: the episode ends without a notice. */
				st->resolve_pending = 0;
				st->notified = 0;
				st->since = 0;
				continue;
			}
			v[ndue].kind = OPS_ALERT_RESOLVED;
			v[ndue].severity = st->sent_severity;
			v[ndue].email = st->sent_severity == OPS_CRITICAL ||
			    ops_alert_escalates(st->type);
		} else {
			continue;
		}
		v[ndue].idx = i;
		v[ndue].since = st->since;
		v[ndue].before = *st;
		v[ndue].sent_id = -1;
		ndue++;
	}
	qsort(v, ndue, sizeof(*v), cmp_notice);
	if (p->max_per_hour <= 0)
		slots = ndue;
	else if (ctx->sent_last_hour >= p->max_per_hour)
		slots = 0;
	else
		slots = (size_t)(p->max_per_hour - ctx->sent_last_hour);
	for (size_t k = 0; k < ndue; k++) {
		struct ops_alert_state *st = &s->v[v[k].idx];
		int send = ctx->consolidate ? slots > 0 : k < slots;

		if (send) {
			if (ctx->consolidate && k > 0)
				v[k].folded = 1;
			if (k == 0)
				v[k].suppressed = ctx->unreported;
			mark_sent(st, &v[k], now);
			v[plan->n++] = v[k];
			continue;
		}
		plan->withheld++;
		if (!st->held) {
			st->held = 1;
			st->suppressed++;
			ctx->unreported++;
		}
	}
	if (plan->n == 0) {
		free(v);
		v = NULL;
	}
	plan->v = v;
	return 0;
}

void
ops_alert_undo(struct ops_alert_set *s, const struct ops_alert_notice *n)
{
	struct ops_alert_state *st = &s->v[n->idx];
	const struct ops_alert_state *b = &n->before;

	st->last_sent = b->last_sent;
	st->sent_severity = b->sent_severity;
	st->notified = b->notified;
	st->resolve_pending = b->resolve_pending;
	st->since = b->since;
	st->held = b->held;
	st->suppressed = b->suppressed;
}

void
ops_alert_plan_release(struct ops_alert_plan *p)
{
	if (p == NULL)
		return;
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

int
ops_alert_want_restart(const struct ops_alert_set *s, double last_restart,
    double now, double cooldown)
{
	const struct ops_alert_state *st = ops_alert_set_find(s, "daemon_critical");

	if (st == NULL || !st->active || st->silenced_until > now)
		return 0;
	return last_restart <= 0 || last_restart > now || last_restart + cooldown <= now;
}
