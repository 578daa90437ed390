/* ops_serve: the answers of `ops-dashboard serve` (see ops_serve.h). */
#include "ops_serve.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ops_check.h"
#include "ops_sanitize.h"
#include "ops_state.h"
#include "ops_time.h"
#include "ops_units.h"

#define GATHER_TTL 1.0		/* seconds a gathered model is reused */
#define HISTORY_ROWS 10000	/* at most this many rows per history answer */

void
ops_serve_init(struct ops_serve *s, const struct ops_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
}

void
ops_serve_release(struct ops_serve *s)
{
	if (s == NULL || s->cfg == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->started)
		pthread_join(s->th, NULL);
	ops_dashboard_release(&s->d);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	memset(s, 0, sizeof(*s));
}

/* The gatherer: waits to be asked, gathers a model without holding the
 * lock, then publishes it. */
static void *
gatherer(void *arg)
{
	struct ops_serve *s = arg;
	struct ops_dashboard next, old;

	memset(&next, 0, sizeof(next));
	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct ops_err err = OPS_ERR_INIT;
		int ok;

		while (!s->want && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->mu);
		ok = ops_dashboard_gather(s->cfg, &next, &err) == 0;
		pthread_mutex_lock(&s->mu);
		s->want = 0;
		if (ok) {
			old = s->d;
			s->d = next;
			next = old;	/* released at the next gathering */
			s->gathered = ops_time_mono();
			s->have = 1;
		}
	}
	pthread_mutex_unlock(&s->mu);
	ops_dashboard_release(&next);
	return NULL;
}

void
ops_serve_reply_release(struct ops_serve_reply *r)
{
	if (r == NULL)
		return;
	ops_buf_release(&r->body);
	r->status = 0;
}

static int
prepare(sqlite3 *db, const char *sql, sqlite3_stmt **s)
{
	*s = NULL;
	return db != NULL && sqlite3_prepare_v2(db, sql, -1, s, NULL) == SQLITE_OK ? 0 : -1;
}

static void
reply_json(struct ops_serve_reply *r, int status, cJSON *root)
{
	char *text = root ? cJSON_PrintUnformatted(root) : NULL;

	r->status = status;
	r->type = OPS_SERVE_JSON_TYPE;
	ops_buf_reset(&r->body);
	if (text == NULL) {
		r->body.oom = 1;
		return;
	}
	/* Strings from the home (messages, file names) may be any bytes:
	 * the answer is always valid UTF-8. */
	ops_san_puts(&r->body, text, OPS_SAN_JSON);
	ops_buf_puts(&r->body, "\n");
	free(text);
}

static void
reply_error(struct ops_serve_reply *r, int status, const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL)
		cJSON_AddStringToObject(o, "error", msg);
	reply_json(r, status, o);
	cJSON_Delete(o);
}

static void
add_time(cJSON *o, const char *k, double t)
{
	char buf[64];

	if (t > 0)
		cJSON_AddStringToObject(o, k, ops_time_iso(t, buf, sizeof(buf)));
	else
		cJSON_AddNullToObject(o, k);
}

/* Columns holding epoch seconds become ISO 8601 times; columns holding a
 * Nagios state become its name. */
static int
is_time_column(const char *c)
{
	static const char *const t[] = { "ts", "since", "last", "created", "verified",
		"until", "last_sent", "set_at", "checked", NULL };

	for (size_t i = 0; t[i]; i++)
		if (strcmp(c, t[i]) == 0)
			return 1;
	return 0;
}

/* Every row of a prepared statement as an object in array a, keyed by
 * column name. Returns the rows added, -1 on a database error. */
static long
rows_json(sqlite3_stmt *s, cJSON *a)
{
	long n = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();

		if (o == NULL || !cJSON_AddItemToArray(a, o))
			return -1;
		for (int i = 0; i < sqlite3_column_count(s); i++) {
			const char *c = sqlite3_column_name(s, i);
			int type = sqlite3_column_type(s, i);

			if (type == SQLITE_NULL)
				cJSON_AddNullToObject(o, c);
			else if (is_time_column(c) && type != SQLITE_TEXT)
				add_time(o, strcmp(c, "ts") == 0 ? "time" : c,
				    sqlite3_column_double(s, i));
			else if ((strcmp(c, "state") == 0 || strcmp(c, "severity") == 0 ||
			    strcmp(c, "sent_severity") == 0) && type == SQLITE_INTEGER &&
			    sqlite3_column_int(s, i) >= 0 && sqlite3_column_int(s, i) <= 3)
				cJSON_AddStringToObject(o, c,
				    ops_state_name((enum ops_state)sqlite3_column_int(s, i)));
			else if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
				cJSON_AddNumberToObject(o, c, sqlite3_column_double(s, i));
			else
				cJSON_AddStringToObject(o, c,
				    (const char *)sqlite3_column_text(s, i));
		}
		n++;
	}
	return rc == SQLITE_DONE ? n : -1;
}

/* Run sql (binding the given text/double values) into a new array under
 * key k of o. A missing table (an older state database) is an empty array. */
static int
query_into(sqlite3 *db, cJSON *o, const char *k, const char *sql, int nbind,
    const char **texts, const double *nums)
{
	cJSON *a = cJSON_AddArrayToObject(o, k);
	sqlite3_stmt *s = NULL;
	long n = 0;

	if (a == NULL)
		return -1;
	if (prepare(db, sql, &s) < 0)
		return 0;
	for (int i = 0; i < nbind; i++) {
		if (texts && texts[i])
			sqlite3_bind_text(s, i + 1, texts[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_double(s, i + 1, nums[i]);
	}
	n = rows_json(s, a);
	sqlite3_finalize(s);
	return n < 0 ? -1 : 0;
}

/* The last run in db (NULL: none): state, time, stale, and its id. */
static void
last_run(const struct ops_config *cfg, sqlite3 *db, double now,
    struct ops_serve_health *h, sqlite3_int64 *id)
{
	sqlite3_stmt *s = NULL;

	h->state = OPS_UNKNOWN;
	h->ts = 0;
	*id = -1;
	if (prepare(db, "SELECT state, ts, id FROM runs ORDER BY ts DESC LIMIT 1", &s) == 0 &&
	    sqlite3_step(s) == SQLITE_ROW) {
		h->state = sqlite3_column_int(s, 0);
		h->ts = sqlite3_column_double(s, 1);
		*id = sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	if (h->state < OPS_OK || h->state > OPS_UNKNOWN)
		h->state = OPS_UNKNOWN;
	h->stale = h->ts <= 0 || now - h->ts > cfg->dashboard.stale_after;
}

int
ops_serve_last_run(const struct ops_config *cfg, double now, struct ops_serve_health *h)
{
	sqlite3 *db = ops_state_open_view(cfg->home);
	sqlite3_int64 id;

	last_run(cfg, db, now, h, &id);
	sqlite3_close(db);
	return 0;
}

/* /health: 200 when the last recorded run is OK or WARNING and not stale,
 * 503 otherwise; the body says which and lists that run's checks. */
static int
get_health(struct ops_serve *sv, struct ops_serve_reply *r)
{
	struct ops_serve_health h;
	double now = ops_time_now();
	cJSON *o = cJSON_CreateObject();
	sqlite3 *db = NULL;
	sqlite3_int64 id;
	double nums[2];
	int ok, rc = -1;

	if (o == NULL)
		return -1;
	db = ops_state_open_view(sv->cfg->home);
	last_run(sv->cfg, db, now, &h, &id);
	ok = !h.stale && (h.state == OPS_OK || h.state == OPS_WARNING);
	cJSON_AddStringToObject(o, "status", ok ? "ok" : "fail");
	cJSON_AddStringToObject(o, "state", ops_state_name((enum ops_state)h.state));
	cJSON_AddNumberToObject(o, "code", h.state);
	cJSON_AddBoolToObject(o, "stale", h.stale);
	add_time(o, "last_run", h.ts);
	if (h.ts > 0)
		cJSON_AddNumberToObject(o, "age_seconds", floor(fmax(0, now - h.ts)));
	else
		cJSON_AddNullToObject(o, "age_seconds");
	cJSON_AddNumberToObject(o, "stale_after_seconds", sv->cfg->dashboard.stale_after);
	/* By ts first: check_results has an index on ts, none on run_id, and
	 * 30 days of results are tens of thousands of rows. */
	nums[0] = h.ts;
	nums[1] = (double)id;
	if (query_into(db, o, "checks", "SELECT name, state, message, since FROM"
	    " check_results WHERE ts = ?1 AND run_id = ?2 ORDER BY rowid", 2, NULL,
	    nums) < 0)
		goto out;
	reply_json(r, ok ? 200 : 503, o);
	rc = r->body.oom ? -1 : 0;
out:
	sqlite3_close(db);
	cJSON_Delete(o);
	return rc;
}

/* Lock sv->mu with a model in sv->d: gathered here the first time (or
 * after a failed gathering); when older than GATHER_TTL, the gatherer is
 * asked for a new one and this answer uses the current one. -1 (unlocked,
 * r filled) when there is none. */
static int
model(struct ops_serve *sv, struct ops_serve_reply *r)
{
	struct ops_err err = OPS_ERR_INIT;
	double t = ops_time_mono();

	pthread_mutex_lock(&sv->mu);
	if (!sv->have) {
		if (ops_dashboard_gather(sv->cfg, &sv->d, &err) < 0) {
			pthread_mutex_unlock(&sv->mu);
			reply_error(r, 500, err.msg);
			return -1;
		}
		sv->have = 1;
		sv->gathered = t;
	} else if ((t - sv->gathered >= GATHER_TTL || t < sv->gathered) && !sv->want) {
		if (!sv->started)
			sv->started = pthread_create(&sv->th, NULL, gatherer, sv) == 0;
		sv->want = 1;
		pthread_cond_signal(&sv->cv);
		if (!sv->started) {	/* no thread: gather here, as before */
			sv->want = 0;
			if (ops_dashboard_gather(sv->cfg, &sv->d, &err) == 0)
				sv->gathered = t;
		}
	}
	return 0;
}

static int
count(sqlite3 *db, const char *sql, double *n)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (prepare(db, sql, &s) == 0 && sqlite3_step(s) == SQLITE_ROW) {
		*n = sqlite3_column_double(s, 0);
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

/* The counters only the server adds to the `prom` metrics: the rows the
 * state database keeps plus those pruned so far (ops_state_prune_counted),
 * so a prune never lowers them; only a new state database resets them.
 * A database from before that count reads as its rows. */
static void
prom_totals(struct ops_buf *b, const struct ops_config *cfg)
{
	static const struct {
		const char *name, *help, *sql, *pruned;
	} c[] = {
		{ "dharmic_restarts_total", "Restarts of the agent recorded.",
		  "SELECT count(*) FROM events WHERE kind = 'restart'", NULL },
		{ "dharmic_alerts_sent_total", "Alert notifications sent.",
		  "SELECT count(*) FROM alert_sent",
		  "SELECT count FROM pruned WHERE name = '" OPS_PRUNED_ALERTS_SENT "'" },
		{ "dharmic_backups_made_total", "Backup archives made.",
		  "SELECT count(*) FROM backups",
		  "SELECT count FROM pruned WHERE name = '" OPS_PRUNED_BACKUPS "'" },
	};
	sqlite3 *db = ops_state_open_view(cfg->home);

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		double n = 0, p = 0;

		count(db, c[i].sql, &n);
		if (c[i].pruned != NULL)
			count(db, c[i].pruned, &p);
		ops_buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %.0f\n", c[i].name,
		    c[i].help, c[i].name, c[i].name, n + p);
	}
	sqlite3_close(db);
}

static int
get_checks(struct ops_serve *sv, struct ops_serve_reply *r)
{
	const struct ops_dashboard *d = &sv->d;
	cJSON *o = cJSON_CreateObject(), *a;
	int rc = -1;

	if (o == NULL || (a = cJSON_AddArrayToObject(o, "checks")) == NULL)
		goto out;
	add_time(o, "generated", d->now);
	for (size_t i = 0; i < d->nchecks; i++) {
		const struct ops_dash_check *c = &d->checks[i];
		cJSON *x = cJSON_CreateObject();

		if (x == NULL || !cJSON_AddItemToArray(a, x))
			goto out;
		cJSON_AddStringToObject(x, "name", c->name);
		cJSON_AddStringToObject(x, "state", ops_state_name(c->state));
		cJSON_AddNumberToObject(x, "code", c->state);
		if (c->message)
			cJSON_AddStringToObject(x, "message", c->message);
		else
			cJSON_AddNullToObject(x, "message");
		add_time(x, "since", c->since);
		add_time(x, "checked", c->checked);
		cJSON_AddStringToObject(x, "source", c->live ? "live" : "recorded");
	}
	reply_json(r, 200, o);
	rc = r->body.oom ? -1 : 0;
out:
	cJSON_Delete(o);
	return rc;
}

static int
valid_check_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-") == n;
}

/* since: epoch seconds, an ISO 8601 time, or a duration back from now
 * ("2h"); default 24 hours back. */
static int
parse_since(const char *v, double now, double *out)
{
	struct ops_err e = OPS_ERR_INIT;
	double d;
	char *end;

	if (v == NULL || *v == '\0') {
		*out = now - 86400;
		return 0;
	}
	d = strtod(v, &end);
	if (end != v && *end == '\0' && isfinite(d) && d >= 0 && d < 1e11) {
		*out = d;
		return 0;
	}
	if (ops_duration_parse(v, &d, &e) == 0) {
		*out = now - d;
		return 0;
	}
	return ops_time_parse_iso(v, out, &e);
}

static int
get_history(struct ops_serve *sv, const char *since, const char *check,
    struct ops_serve_reply *r)
{
	double now = ops_time_now(), from;
	cJSON *o = NULL;
	sqlite3 *db = NULL;
	int rc = -1;

	if (parse_since(since, now, &from) < 0) {
		reply_error(r, 400, "since: expected epoch seconds, an ISO 8601 time or a"
		    " duration such as 2h");
		return r->body.oom ? -1 : 0;
	}
	if (check != NULL && !valid_check_name(check)) {
		reply_error(r, 400, "check: expected a check name");
		return r->body.oom ? -1 : 0;
	}
	if ((o = cJSON_CreateObject()) == NULL)
		return -1;
	add_time(o, "since", from);
	if (check)
		cJSON_AddStringToObject(o, "check", check);
	else
		cJSON_AddNullToObject(o, "check");
	db = ops_state_open_view(sv->cfg->home);
	if (check != NULL) {
		const char *t[] = { NULL, check };
		double n[] = { from, 0 };

		if (query_into(db, o, "results", "SELECT ts, name, state, message, since"
		    " FROM check_results WHERE ts >= ?1 AND name = ?2 ORDER BY ts"
		    " LIMIT 10000", 2, t, n) < 0)
			goto out;
	} else {
		double n[] = { from };

		if (query_into(db, o, "runs", "SELECT ts, program, state, summary FROM"
		    " runs WHERE ts >= ?1 ORDER BY ts LIMIT 10000", 1, NULL, n) < 0)
			goto out;
	}
	reply_json(r, 200, o);
	rc = r->body.oom ? -1 : 0;
out:
	if (rc < 0 && !r->body.oom) {
		reply_error(r, 500, "state database: unable to read the history");
		rc = r->body.oom ? -1 : 0;
	}
	sqlite3_close(db);
	cJSON_Delete(o);
	return rc;
}

/* /api/v1/alerts: the alert states ops-alert keeps, and the last lines of
 * logs/alerts.log. */
static int
get_alerts(struct ops_serve *sv, struct ops_serve_reply *r)
{
	const struct ops_dashboard *d = &sv->d;
	cJSON *o = cJSON_CreateObject(), *a;
	sqlite3 *db = ops_state_open_view(sv->cfg->home);
	double hour[] = { ops_time_now() - 3600 };
	int rc = -1;

	if (o == NULL ||
	    query_into(db, o, "alerts", "SELECT type, active, severity, since, last_sent,"
	    " message FROM alert_state ORDER BY active DESC, since DESC", 0, NULL,
	    NULL) < 0 ||
	    query_into(db, o, "sent_last_hour", "SELECT ts, type, kind, severity FROM"
	    " alert_sent WHERE ts >= ?1 ORDER BY ts", 1, NULL, hour) < 0 ||
	    (a = cJSON_AddArrayToObject(o, "recent")) == NULL)
		goto out;
	for (size_t i = d->alerts.n; i-- > 0;) {
		const struct ops_dash_alert *al = &d->alerts.v[i];
		cJSON *x = cJSON_CreateObject();

		if (x == NULL || !cJSON_AddItemToArray(a, x))
			goto out;
		add_time(x, "time", al->ts);
		cJSON_AddStringToObject(x, "severity", al->severity);
		cJSON_AddStringToObject(x, "title", al->title);
		cJSON_AddStringToObject(x, "message", al->message);
	}
	reply_json(r, 200, o);
	rc = r->body.oom ? -1 : 0;
out:
	sqlite3_close(db);
	cJSON_Delete(o);
	return rc;
}

static int
get_backups(struct ops_serve *sv, struct ops_serve_reply *r)
{
	const struct ops_dashboard *d = &sv->d;
	cJSON *o = cJSON_CreateObject();
	sqlite3 *db = ops_state_open_view(sv->cfg->home);
	int rc = -1;

	if (o == NULL)
		goto out;
	cJSON_AddNumberToObject(o, "count", (double)d->backups.count);
	cJSON_AddNumberToObject(o, "bytes", (double)d->backups.bytes);
	if (d->backups.latest)
		cJSON_AddStringToObject(o, "latest", d->backups.latest);
	else
		cJSON_AddNullToObject(o, "latest");
	/* Every column the catalog has, so what later versions record shows. */
	if (query_into(db, o, "backups", "SELECT * FROM backups ORDER BY created DESC"
	    " LIMIT 1000", 0, NULL, NULL) < 0)
		goto out;
	reply_json(r, 200, o);
	rc = r->body.oom ? -1 : 0;
out:
	sqlite3_close(db);
	cJSON_Delete(o);
	return rc;
}

static int
route(struct ops_serve *sv, const char *path, const char *since,
    const char *check, struct ops_serve_reply *r);

int
ops_serve_get(struct ops_serve *sv, const char *path, const char *since,
    const char *check, struct ops_serve_reply *r)
{
	struct ops_buf clean = OPS_BUF_INIT;

	if (route(sv, path, since, check, r) < 0)
		return -1;
	/* The page's text is HTML-escaped, but bytes from the home may still
	 * be invalid UTF-8; a browser must get valid UTF-8 (as JSON does). */
	if (r->type != NULL && strcmp(r->type, OPS_SERVE_HTML_TYPE) == 0) {
		ops_san_add(&clean, ops_buf_str(&r->body), r->body.len, OPS_SAN_JSON);
		ops_buf_release(&r->body);
		r->body = clean;
	}
	return r->body.oom ? -1 : 0;
}

static int render(struct ops_serve *sv, const char *path, struct ops_serve_reply *r);

static int
route(struct ops_serve *sv, const char *path, const char *since,
    const char *check, struct ops_serve_reply *r)
{
	int rc;

	ops_buf_reset(&r->body);
	r->status = 200;
	if (strcmp(path, "/health") == 0)
		return get_health(sv, r);
	if (strcmp(path, "/api/v1/history") == 0)
		return get_history(sv, since, check, r);
	if (strcmp(path, "/") != 0 && strcmp(path, "/metrics") != 0 &&
	    strcmp(path, "/api/v1/status") != 0 && strcmp(path, "/api/v1/checks") != 0 &&
	    strcmp(path, "/api/v1/alerts") != 0 && strcmp(path, "/api/v1/backups") != 0) {
		reply_error(r, 404, "not found");
		return r->body.oom ? -1 : 0;
	}
	if (model(sv, r) < 0)
		return r->body.oom ? -1 : 0;
	rc = render(sv, path, r);
	pthread_mutex_unlock(&sv->mu);
	return rc;
}

/* Answer path from the model (sv->mu held). */
static int
render(struct ops_serve *sv, const char *path, struct ops_serve_reply *r)
{
	if (strcmp(path, "/") == 0) {
		r->type = OPS_SERVE_HTML_TYPE;
		ops_dashboard_html(&r->body, &sv->d);
	} else if (strcmp(path, "/metrics") == 0) {
		r->type = OPS_SERVE_PROM_TYPE;
		ops_dashboard_prom(&r->body, &sv->d);
		prom_totals(&r->body, sv->cfg);
	} else if (strcmp(path, "/api/v1/status") == 0) {
		r->type = OPS_SERVE_JSON_TYPE;
		ops_dashboard_json(&r->body, &sv->d);
	} else if (strcmp(path, "/api/v1/checks") == 0) {
		return get_checks(sv, r);
	} else if (strcmp(path, "/api/v1/alerts") == 0) {
		return get_alerts(sv, r);
	} else {
		return get_backups(sv, r);
	}
	return r->body.oom ? -1 : 0;
}
