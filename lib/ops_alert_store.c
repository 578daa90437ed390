#include "ops_alert_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
ops_alert_store_begin(struct ops_statedb *st, struct ops_err *err)
{
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return ops_state_error(err, st, "begin a transaction");
	return 0;
}

int
ops_alert_store_commit(struct ops_statedb *st, struct ops_err *err)
{
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return ops_state_error(err, st, "commit");
	return 0;
}

void
ops_alert_store_rollback(struct ops_statedb *st)
{
	if (st != NULL && st->db != NULL && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static enum ops_state
col_state(sqlite3_stmt *s, int col)
{
	int v = sqlite3_column_int(s, col);

	return v >= 0 && v <= 3 ? (enum ops_state)v : OPS_UNKNOWN;
}

int
ops_alert_store_load(struct ops_statedb *st, double now, struct ops_alert_set *set,
    struct ops_err *err)
{
	struct ops_alert_silence *sil = NULL;
	sqlite3_stmt *s = NULL;
	size_t nsil = 0;
	double all = 0;
	int rc = -1, step;

	if (ops_alert_store_silences(st, now, &sil, &nsil, err) < 0)
		return -1;
	for (size_t i = 0; i < nsil; i++)
		if (strcmp(sil[i].type, "all") == 0)
			all = sil[i].until;
	if (ops_state_prepare(st, "SELECT type,active,severity,since,last_sent,sent_severity,"
	    "notified,resolve_pending,held,suppressed,message FROM alert_state"
	    " ORDER BY type", &s, err) < 0)
		goto out;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *type = sqlite3_column_text(s, 0);
		struct ops_alert_state *x;

		if (type == NULL || !ops_alert_type_valid((const char *)type))
			continue;
		x = ops_alert_set_get(set, (const char *)type);
		if (x == NULL) {
			ops_err_sys(err, ENOMEM, "state database");
			goto out;
		}
		x->active = sqlite3_column_int(s, 1) != 0;
		x->severity = col_state(s, 2);
		x->since = sqlite3_column_double(s, 3);
		x->last_sent = sqlite3_column_double(s, 4);
		x->sent_severity = col_state(s, 5);
		x->notified = sqlite3_column_int(s, 6) != 0;
		x->resolve_pending = sqlite3_column_int(s, 7) != 0;
		x->held = sqlite3_column_int(s, 8) != 0;
		x->suppressed = sqlite3_column_int64(s, 9);
		ops_state_copy_text(x->message, sizeof(x->message), s, 10);
		x->silenced_until = all;
		for (size_t i = 0; i < nsil; i++)
			if (strcmp(sil[i].type, x->type) == 0 && sil[i].until > x->silenced_until)
				x->silenced_until = sil[i].until;
	}
	if (step != SQLITE_DONE) {
		ops_state_error(err, st, "read the alert state");
		goto out;
	}
	/* A silenced type with no row yet still needs its silence applied
	 * when it first fires: give it a row. */
	for (size_t i = 0; i < nsil; i++) {
		struct ops_alert_state *x;

		if (strcmp(sil[i].type, "all") == 0 ||
		    ops_alert_set_find(set, sil[i].type) != NULL)
			continue;
		x = ops_alert_set_get(set, sil[i].type);
		if (x == NULL) {
			ops_err_sys(err, ENOMEM, "state database");
			goto out;
		}
		x->silenced_until = sil[i].until > all ? sil[i].until : all;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	free(sil);
	return rc;
}

int
ops_alert_store_forget(struct ops_statedb *st, const char *type, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st, "DELETE FROM alert_state WHERE type=?", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
	return ops_state_step_done(st, s, "forget an alert type", err);
}

int
ops_alert_store_save(struct ops_statedb *st, const struct ops_alert_set *set,
    struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (ops_state_prepare(st,
	    "INSERT OR REPLACE INTO alert_state(type,active,severity,since,"
	    "last_sent,sent_severity,notified,resolve_pending,held,suppressed,message)"
	    " VALUES(?,?,?,?,?,?,?,?,?,?,?)", &s, err) < 0)
		return -1;
	for (size_t i = 0; i < set->n; i++) {
		const struct ops_alert_state *x = &set->v[i];

		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, x->type, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, x->active);
		sqlite3_bind_int(s, 3, (int)x->severity);
		sqlite3_bind_double(s, 4, x->since);
		sqlite3_bind_double(s, 5, x->last_sent);
		sqlite3_bind_int(s, 6, (int)x->sent_severity);
		sqlite3_bind_int(s, 7, x->notified);
		sqlite3_bind_int(s, 8, x->resolve_pending);
		sqlite3_bind_int(s, 9, x->held);
		sqlite3_bind_int64(s, 10, x->suppressed);
		sqlite3_bind_text(s, 11, x->message, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			ops_state_error(err, st, "save the alert state");
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int
ops_alert_store_sent_count(struct ops_statedb *st, double now, int64_t *n,
    struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st, "SELECT count(*) FROM alert_sent WHERE ts>? AND ts<=?",
	    &s, err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, now - 3600);
	sqlite3_bind_double(s, 2, now);
	return ops_state_step_int64(st, s, "count sent alerts", n, err);
}

int
ops_alert_store_sent_add(struct ops_statedb *st, double now, const char *type,
    enum ops_alert_kind kind, enum ops_state severity, int64_t *id,
    struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st,
	    "INSERT INTO alert_sent(ts,type,kind,severity) VALUES(?,?,?,?)",
	    &s, err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, now);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, kind == OPS_ALERT_FIRING ? "firing" : "resolved", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(s, 4, (int)severity);
	if (ops_state_step_done(st, s, "record a sent alert", err) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
ops_alert_store_sent_del(struct ops_statedb *st, int64_t id, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st, "DELETE FROM alert_sent WHERE id=?", &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return ops_state_step_done(st, s, "update sent alerts", err);
}

int
ops_alert_store_prune(struct ops_statedb *st, double now, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st, "DELETE FROM alert_sent WHERE ts<? OR ts>?", &s, err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, now - 7 * 86400.0);
	sqlite3_bind_double(s, 2, now + 86400.0);
	if (ops_state_prune_counted(st, s, OPS_PRUNED_ALERTS_SENT, "prune sent alerts",
	    err) < 0)
		return -1;
	if (ops_state_prepare(st, "DELETE FROM alert_silence WHERE until<=? OR set_at>?",
	    &s, err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, now);
	sqlite3_bind_double(s, 2, now + 86400.0);
	return ops_state_step_done(st, s, "prune silences", err);
}

int
ops_alert_store_meta_get(struct ops_statedb *st, const char *key, double *v,
    struct ops_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = -1, step;

	if (ops_state_prepare(st, "SELECT value FROM alert_meta WHERE key=?", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*v = sqlite3_column_double(s, 0);
	else if (step == SQLITE_DONE)
		*v = 0;
	else {
		ops_state_error(err, st, "read the alert state");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int
ops_alert_store_meta_set(struct ops_statedb *st, const char *key, double v,
    struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st, "INSERT OR REPLACE INTO alert_meta(key,value) VALUES(?,?)", &s,
	    err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, v);
	return ops_state_step_done(st, s, "save the alert state", err);
}

int
ops_alert_store_silence(struct ops_statedb *st, const char *type, double until,
    double now, int *removed, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (until <= 0) {
		if (ops_state_prepare(st, "DELETE FROM alert_silence WHERE type=?", &s, err) < 0)
			return -1;
		sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
		if (ops_state_step_done(st, s, "clear the silence", err) < 0)
			return -1;
		if (removed)
			*removed = sqlite3_changes(st->db) > 0;
		return 0;
	}
	if (ops_state_prepare(st, "INSERT OR REPLACE INTO alert_silence(type,until,set_at)"
	    " VALUES(?,?,?)", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, until);
	sqlite3_bind_double(s, 3, now);
	return ops_state_step_done(st, s, "set the silence", err);
}

int
ops_alert_store_silences(struct ops_statedb *st, double now,
    struct ops_alert_silence **out, size_t *nout, struct ops_err *err)
{
	struct ops_alert_silence *v = NULL, *nv;
	sqlite3_stmt *s = NULL;
	size_t n = 0;
	int rc = -1, step;

	*out = NULL;
	*nout = 0;
	/* A silence set "later than now" (by more than a little skew) means
	 * the clock went back since: its end is meaningless, so it is
	 * ignored rather than kept for longer than asked. */
	if (ops_state_prepare(st, "SELECT type,until,set_at FROM alert_silence"
	    " WHERE until>? AND set_at<=? ORDER BY type", &s, err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, now);
	sqlite3_bind_double(s, 2, now + 300);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (nv == NULL) {
			ops_err_sys(err, ENOMEM, "state database");
			goto out;
		}
		v = nv;
		ops_state_copy_text(v[n].type, sizeof(v[n].type), s, 0);
		v[n].until = sqlite3_column_double(s, 1);
		v[n].set_at = sqlite3_column_double(s, 2);
		n++;
	}
	if (step != SQLITE_DONE) {
		ops_state_error(err, st, "read silences");
		goto out;
	}
	*out = v;
	*nout = n;
	v = NULL;
	rc = 0;
out:
	sqlite3_finalize(s);
	free(v);
	return rc;
}

int
ops_alert_store_queue_add(struct ops_statedb *st, double now, const char *type,
    const char *channel, const char *payload, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st, "INSERT INTO alert_queue(ts,type,channel,payload,attempts)"
	    " VALUES(?,?,?,?,1)", &s, err) < 0)
		return -1;
	sqlite3_bind_double(s, 1, now);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, payload, -1, SQLITE_STATIC);
	return ops_state_step_done(st, s, "queue a delivery", err);
}

void
ops_alert_queue_free(struct ops_alert_queued *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].payload);
	free(v);
}

int
ops_alert_store_queue_list(struct ops_statedb *st, struct ops_alert_queued **out,
    size_t *nout, struct ops_err *err)
{
	struct ops_alert_queued *v = NULL, *nv;
	sqlite3_stmt *s = NULL;
	size_t n = 0;
	int rc = -1, step;

	*out = NULL;
	*nout = 0;
	if (ops_state_prepare(st, "SELECT id,ts,type,channel,payload,attempts FROM alert_queue"
	    " ORDER BY id", &s, err) < 0)
		return -1;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_text(s, 4);

		nv = realloc(v, (n + 1) * sizeof(*v));
		if (nv == NULL)
			goto oom;
		v = nv;
		memset(&v[n], 0, sizeof(v[n]));
		v[n].id = sqlite3_column_int64(s, 0);
		v[n].ts = sqlite3_column_double(s, 1);
		ops_state_copy_text(v[n].type, sizeof(v[n].type), s, 2);
		ops_state_copy_text(v[n].channel, sizeof(v[n].channel), s, 3);
		v[n].payload = strdup(p ? (const char *)p : "");
		v[n].attempts = sqlite3_column_int(s, 5);
		n++;
		if (v[n - 1].payload == NULL)
			goto oom;
	}
	if (step != SQLITE_DONE) {
		ops_state_error(err, st, "read the delivery queue");
		goto out;
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	rc = 0;
	goto out;
oom:
	ops_err_sys(err, ENOMEM, "state database");
out:
	sqlite3_finalize(s);
	ops_alert_queue_free(v, n);
	return rc;
}

int
ops_alert_store_queue_del(struct ops_statedb *st, int64_t id, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st, "DELETE FROM alert_queue WHERE id=?", &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return ops_state_step_done(st, s, "update the delivery queue", err);
}

int
ops_alert_store_queue_bump(struct ops_statedb *st, int64_t id, struct ops_err *err)
{
	sqlite3_stmt *s = NULL;

	if (ops_state_prepare(st, "UPDATE alert_queue SET attempts=attempts+1 WHERE id=?",
	    &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return ops_state_step_done(st, s, "update the delivery queue", err);
}
