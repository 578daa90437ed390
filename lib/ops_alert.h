/* ops_alert: from a health report to the alerts a person should get.
 *
 * Pure functions, no I/O, no clock: the caller passes "now".
 *   ops_alert_map     a report -> the condition of each alert type it covers
 *   ops_alert_apply   conditions -> the per-type state (episodes, since)
 *   ops_alert_decide  the policy: cooldown, resolved notices, the hourly
 *                     cap (CRITICAL first), silences, suppressed counts
 * ops_alert_store keeps the state in the state database and ops_alert_run
 * drives one run; both are separate so these can be tested with a fake
 * clock. The set owns its rows; the plan owns its notices. */
#ifndef OPS_ALERT_H
#define OPS_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "ops_check.h"

#define OPS_ALERT_TYPE_MAX 80
#define OPS_ALERT_MSG_MAX 600

enum ops_alert_kind {
	OPS_ALERT_FIRING = 0,
	OPS_ALERT_RESOLVED = 1,
};

/* One alert type as a report shows it. */
struct ops_alert_cond {
	char type[OPS_ALERT_TYPE_MAX];
	int active;
	enum ops_state severity;		/* when active */
	char message[OPS_ALERT_MSG_MAX];	/* the check's message */
};

struct ops_alert_conds {
	struct ops_alert_cond *v;
	size_t n;
};

#define OPS_ALERT_CONDS_INIT { NULL, 0 }

/* The state of one alert type (a row of alert_state). An episode runs
 * from the moment the type becomes active until its resolved notice goes
 * out (or, when nothing was ever delivered for it, until it clears). */
struct ops_alert_state {
	char type[OPS_ALERT_TYPE_MAX];
	int active;
	enum ops_state severity;	/* the latest severity */
	double since;			/* episode start; 0 when none */
	double last_sent;		/* last delivered firing notice; 0 never */
	enum ops_state sent_severity;	/* the severity it was sent with */
	int notified;			/* a firing notice went out this episode */
	int resolve_pending;		/* a resolved notice is owed */
	int held;			/* withheld by the cap, already counted */
	int64_t suppressed;		/* withheld since its last notice */
	double silenced_until;		/* > now: silenced (filled by the loader) */
	char message[OPS_ALERT_MSG_MAX];
};

struct ops_alert_set {
	struct ops_alert_state *v;
	size_t n;
};

#define OPS_ALERT_SET_INIT { NULL, 0 }

struct ops_alert_policy {
	double cooldown;		/* seconds between notices of one type */
	int64_t max_per_hour;		/* all types, rolling hour; <= 0: no cap */
};

/* What the policy needs besides the state. */
struct ops_alert_ctx {
	double now;
	int64_t sent_last_hour;		/* notices sent in (now - 1h, now] */
	int64_t unreported;		/* in: suppressed, not yet reported; out:
					 * plus the ones withheld by this run */
	int consolidate;		/* the state was lost: one notice at most,
					 * naming every other active type */
};

/* One notice that goes out. */
struct ops_alert_notice {
	size_t idx;			/* into the set */
	enum ops_alert_kind kind;
	enum ops_state severity;	/* firing: now; resolved: as it was sent */
	int email;			/* CRITICAL or escalated: goes by email */
	int folded;			/* consolidated into the first notice, not
					 * sent by itself */
	int64_t suppressed;		/* the count reported with it */
	double since;			/* episode start */
	struct ops_alert_state before;	/* the row before the decision (undo) */
	int64_t sent_id;		/* for the caller (its alert_sent row) */
	int undone;			/* for the caller: not delivered, undone */
};

struct ops_alert_plan {
	struct ops_alert_notice *v;
	size_t n;
	size_t withheld;		/* due but over the cap this run */
};

#define OPS_ALERT_PLAN_INIT { NULL, 0, 0 }

/* The built-in alert types in priority order, NULL-terminated. */
extern const char *const ops_alert_builtin[];

/* "Daemon Critical Failure", "Check Failed: NAME" into buf; returns buf. */
const char *ops_alert_title(const char *type, char *buf, size_t len);
/* The check an alert type comes from ("disk" for disk_low, NAME for
 * check_NAME); the type itself when unknown. */
const char *ops_alert_check_of(const char *type);

/* 1 when type is a built-in type or check_NAME with a sane NAME. */
int ops_alert_type_valid(const char *type);

/* 1 when the type's notices also go by email whatever their severity. */
int ops_alert_escalates(const char *type);

/* Map a report to conditions: one per type whose check is in the report
 * (a built-in check that is UNKNOWN gives none: it cannot tell). -1 on
 * allocation failure. */
int ops_alert_map(const struct ops_report *r, struct ops_alert_conds *out);
void ops_alert_conds_release(struct ops_alert_conds *c);

/* Append a condition (msg copied, truncated to fit). -1 on ENOMEM. */
int ops_alert_conds_add(struct ops_alert_conds *c, const char *type, int active,
    enum ops_state severity, const char *msg);

/* The row for type, added (inactive) when missing; NULL on ENOMEM. */
struct ops_alert_state *ops_alert_set_get(struct ops_alert_set *s, const char *type);
struct ops_alert_state *ops_alert_set_find(const struct ops_alert_set *s,
    const char *type);
void ops_alert_set_release(struct ops_alert_set *s);

/* Fold the conditions into the state. Types the conditions do not cover
 * are left as they are. A last_sent or since in the future (a clock that
 * went back) is treated as long past, so it never silences anything. */
int ops_alert_apply(struct ops_alert_set *s, const struct ops_alert_conds *c,
    double now);

/* Decide what goes out and update the set as if every notice in the plan
 * were delivered; ops_alert_undo puts a notice's row back when it was
 * not. Order when the cap bites: CRITICAL, WARNING, UNKNOWN, resolved. */
int ops_alert_decide(struct ops_alert_set *s, const struct ops_alert_policy *p,
    struct ops_alert_ctx *ctx, struct ops_alert_plan *plan);
void ops_alert_undo(struct ops_alert_set *s, const struct ops_alert_notice *n);
void ops_alert_plan_release(struct ops_alert_plan *p);

/* 1 when the daemon should be restarted: daemon_critical is active and not
 * silenced, and no restart was made within the cooldown. */
int ops_alert_want_restart(const struct ops_alert_set *s, double last_restart,
    double now, double cooldown);

#endif
