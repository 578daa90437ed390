/* ops_alert_store: ops-alert's tables in the state database.
 *
 *   alert_state    one row per alert type (struct ops_alert_state)
 *   alert_sent     every notice that went out, for the rolling hourly cap
 *   alert_silence  TYPE (or "all") silenced until a time
 *   alert_queue    a notice to deliver again through one channel
 *   alert_meta     key/value: unreported suppressed count, last
 *                  auto-restart, "the state was lost"
 *
 * Callers group calls between ops_alert_store_begin (BEGIN IMMEDIATE) and
 * ops_alert_store_commit so that every decision sees and writes one
 * consistent state. */
#ifndef OPS_ALERT_STORE_H
#define OPS_ALERT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "ops_alert.h"
#include "ops_err.h"
#include "ops_state.h"

int ops_alert_store_begin(struct ops_statedb *st, struct ops_err *err);
int ops_alert_store_commit(struct ops_statedb *st, struct ops_err *err);
void ops_alert_store_rollback(struct ops_statedb *st);

/* Every alert_state row into s, with silenced_until from the silences in
 * force at now (a silence set more than 5 minutes "in the future" is
 * ignored: the clock went back). */
int ops_alert_store_load(struct ops_statedb *st, double now, struct ops_alert_set *s,
    struct ops_err *err);
/* Delete type's row (a check no longer configured, quiet). */
int ops_alert_store_forget(struct ops_statedb *st, const char *type, struct ops_err *err);

int ops_alert_store_save(struct ops_statedb *st, const struct ops_alert_set *s,
    struct ops_err *err);

/* Notices sent in (now - 3600, now]; a row stamped in the future is not
 * counted. */
int ops_alert_store_sent_count(struct ops_statedb *st, double now, int64_t *n,
    struct ops_err *err);
int ops_alert_store_sent_add(struct ops_statedb *st, double now, const char *type,
    enum ops_alert_kind kind, enum ops_state severity, int64_t *id,
    struct ops_err *err);
int ops_alert_store_sent_del(struct ops_statedb *st, int64_t id, struct ops_err *err);
/* Drop sent rows older than a week (or in the future by more than a day),
 * counted as pruned (OPS_PRUNED_ALERTS_SENT). */
int ops_alert_store_prune(struct ops_statedb *st, double now, struct ops_err *err);

/* Numbers by key; a missing key reads as 0. */
int ops_alert_store_meta_get(struct ops_statedb *st, const char *key, double *v,
    struct ops_err *err);
int ops_alert_store_meta_set(struct ops_statedb *st, const char *key, double v,
    struct ops_err *err);

struct ops_alert_silence {
	char type[OPS_ALERT_TYPE_MAX];
	double until, set_at;
};

/* until > 0: silence type until then; until <= 0: clear (*removed says
 * whether there was one; may be NULL). */
int ops_alert_store_silence(struct ops_statedb *st, const char *type, double until,
    double now, int *removed, struct ops_err *err);
/* The silences in force at now; *v is the caller's to free. */
int ops_alert_store_silences(struct ops_statedb *st, double now,
    struct ops_alert_silence **v, size_t *n, struct ops_err *err);

struct ops_alert_queued {
	int64_t id;
	double ts;
	char type[OPS_ALERT_TYPE_MAX];
	char channel[16];
	char *payload;		/* the notice's JSON; owned */
	int attempts;
};

int ops_alert_store_queue_add(struct ops_statedb *st, double now, const char *type,
    const char *channel, const char *payload, struct ops_err *err);
/* All queued deliveries, oldest first; free with ops_alert_queue_free. */
int ops_alert_store_queue_list(struct ops_statedb *st, struct ops_alert_queued **v,
    size_t *n, struct ops_err *err);
int ops_alert_store_queue_del(struct ops_statedb *st, int64_t id, struct ops_err *err);
int ops_alert_store_queue_bump(struct ops_statedb *st, int64_t id, struct ops_err *err);
void ops_alert_queue_free(struct ops_alert_queued *v, size_t n);

#endif
