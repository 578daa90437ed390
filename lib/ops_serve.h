/* ops_serve: what `ops-dashboard serve` answers on each path
 * (ops-dashboard(1), HTTP INTERFACE). No network here: ops_httpd carries
 * the requests; this module turns a path and its query into a status, a
 * content type and a body.
 *
 * It only reads: the state database is opened read-only for each answer,
 * the dashboard model is gathered as `ops-dashboard show` does. The model
 * is gathered on the first request; after that, a request that finds it
 * older than a second is answered from it at once and wakes a thread that
 * gathers a new one, so no answer waits for a gathering (whose cost grows
 * with the home) and an idle server does nothing. Nothing from the URL but
 * the fixed route names is ever used as a path. */
#ifndef OPS_SERVE_H
#define OPS_SERVE_H

#include <pthread.h>

#include "ops_buf.h"
#include "ops_config.h"
#include "ops_dashboard.h"

struct ops_serve {
	const struct ops_config *cfg;	/* borrowed, outlives this */
	pthread_mutex_t mu;		/* guards everything below */
	pthread_cond_t cv;
	pthread_t th;
	int started, want, stop;	/* the gatherer thread */
	struct ops_dashboard d;		/* the published model */
	double gathered;		/* monotonic time of d */
	int have;
};

struct ops_serve_reply {
	int status;		/* HTTP status */
	const char *type;	/* Content-Type (static string) */
	struct ops_buf body;	/* owned; ops_serve_reply_release frees it */
};

#define OPS_SERVE_REPLY_INIT { 0, NULL, OPS_BUF_INIT }

#define OPS_SERVE_PROM_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define OPS_SERVE_JSON_TYPE "application/json"
#define OPS_SERVE_HTML_TYPE "text/html; charset=utf-8"

void ops_serve_init(struct ops_serve *s, const struct ops_config *cfg);
/* Stops the gatherer thread (waiting for a gathering under way). */
void ops_serve_release(struct ops_serve *s);

/* Answer a GET of path (no query string); since and check are the
 * query's values or NULL. Always fills r (a 404, 400 or 500 has a JSON
 * body {"error": "..."}); returns 0, or -1 when out of memory. */
int ops_serve_get(struct ops_serve *s, const char *path, const char *since,
    const char *check, struct ops_serve_reply *r);

void ops_serve_reply_release(struct ops_serve_reply *r);

/* The last recorded health run, as /health reports it: its state (UNKNOWN
 * when there is none), when (0: none) and whether it is stale (older than
 * dashboard.stale_after, or none). For the tests. */
struct ops_serve_health {
	int state;
	double ts;
	int stale;
};
int ops_serve_last_run(const struct ops_config *cfg, double now,
    struct ops_serve_health *h);

#endif
