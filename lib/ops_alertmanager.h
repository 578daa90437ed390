/* ops_alertmanager: alerts to Prometheus Alertmanager (alert.alertmanager).
 *
 * Every `ops-alert run` posts the alerts that are active to
 * URL/api/v2/alerts of every configured Alertmanager (an HA pair
 * deduplicates), and a resolved alert (endsAt now) for each type that was
 * active before the run and is not any more. Firing alerts carry endsAt
 * OPS_AM_VALID seconds ahead, renewed at every run, so Alertmanager's
 * resolve_timeout never resolves a live alert, and an alert whose runs
 * stopped resolves by itself. Cooldown and the hourly cap are for the
 * direct channels; Alertmanager groups, inhibits and routes itself.
 *
 * Labels: alertname (the type), severity (critical, warning, unknown),
 * instance (the host name), home, check. Annotations: summary (the
 * title), description (the check's message), and for a firing alert whose
 * incident has log context (ops_context.h) context (its newest lines, at
 * most OPS_AM_CONTEXT_MAX bytes, as captured: .env values redacted,
 * sanitised) and context_source. generatorURL: serve.url, else
 * http://serve.listen/.
 *
 * `ops-alert test` posts one alert, alertname "test" and severity "info",
 * that ends OPS_AM_TEST_VALID seconds later: it reaches the receivers
 * and then resolves without anyone clearing it. */
#ifndef OPS_ALERTMANAGER_H
#define OPS_ALERTMANAGER_H

#include "ops_buf.h"
#include "ops_check.h"
#include "ops_config.h"
#include "ops_err.h"

#define OPS_AM_VALID 1200.0	/* 4 periods of the 5-minute schedule */
/* `ops-alert test`'s alert ends by itself this long after: past
 * Alertmanager's default group_wait (30s), so the firing notification
 * goes out; a resolve sent right after would beat group_wait and no
 * notification would be sent at all. */
#define OPS_AM_TEST_VALID 300.0
#define OPS_AM_TIMEOUT 5.0
/* The most of an incident's log context in an annotation: receivers
 * (chat, pagers) show a screenful, and every run re-sends it. */
#define OPS_AM_CONTEXT_MAX ((size_t)4096)

/* One alert as Alertmanager gets it; borrowed strings. */
struct ops_am_alert {
	const char *type;
	enum ops_state severity;
	const char *message;
	double starts;		/* when it began firing (0: now) */
	int resolved;
	double ends;		/* endsAt while firing (0: now + OPS_AM_VALID) */
	const char *level;	/* the severity label (NULL: the severity's) */
	/* the incident's log context and where from, or NULL */
	const char *context, *context_source;
};

/* The JSON array POSTed to /api/v2/alerts, appended to out. 0, or -1
 * when out of memory. */
int ops_am_payload(const struct ops_config *cfg, const char *host,
    const struct ops_am_alert *v, size_t n, double now, struct ops_buf *out);

/* POST a payload to base's /api/v2/alerts (base: an alert.alertmanager
 * URL). 0, or -1 with err set. */
int ops_am_post(const char *base, const char *body, struct ops_err *err);

/* POST the alerts to every alert.alertmanager URL. Returns the number of
 * URLs that failed (each reason appended to why as a line). */
int ops_am_send(const struct ops_config *cfg, const char *host,
    const struct ops_am_alert *v, size_t n, double now, struct ops_buf *why);

#endif
