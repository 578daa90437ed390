/* ops_alertmanager: alerts to Alertmanager's API v2 (ops_alertmanager.h). */
#include "ops_alertmanager.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_alert.h"
#include "ops_http.h"
#include "ops_sanitize.h"
#include "ops_time.h"

/* RFC 3339 in UTC, as Alertmanager parses it. */
static void
add_rfc3339(cJSON *o, const char *k, double t)
{
	char buf[40];
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, k, buf);
}

static void
generator_url(const struct ops_config *cfg, char *buf, size_t len)
{
	if (cfg->serve.url[0] != '\0')
		snprintf(buf, len, "%s", cfg->serve.url);
	else
		snprintf(buf, len, "http://%s/", cfg->serve.listen);
}

/* The newest lines of text that fit OPS_AM_CONTEXT_MAX bytes, from a
 * line start when one is near ("[...]" marks the cut), sanitised again
 * for a terminal first (the state database is read, not trusted); the
 * caller frees. NULL when out of memory. */
static char *
context_tail(const char *text)
{
	static const char cut[] = "[...]\n";
	const size_t room = OPS_AM_CONTEXT_MAX - (sizeof(cut) - 1);
	char *clean = ops_san_dup(text, OPS_SAN_TERM), *out = NULL;
	size_t len, from = 0;

	if (clean == NULL)
		return NULL;
	len = strlen(clean);
	while (len > 0 && clean[len - 1] == '\n')
		len--;
	clean[len] = '\0';
	if (len <= OPS_AM_CONTEXT_MAX)
		return clean;
	from = len - room;
	/* not in the middle of a UTF-8 character (clean is valid UTF-8) */
	while (from < len && ((unsigned char)clean[from] & 0xc0) == 0x80)
		from++;
	/* and from the start of a line, when the cut is inside one that
	 * does not fill the room by itself */
	if (clean[from - 1] != '\n') {
		const char *nl = memchr(clean + from, '\n', len - from);

		if (nl != NULL)
			from = (size_t)(nl - clean) + 1;
	}
	if (asprintf(&out, "%s%s", cut, clean + from) < 0)
		out = NULL;
	free(clean);
	return out;
}

int
ops_am_payload(const struct ops_config *cfg, const char *host,
    const struct ops_am_alert *v, size_t n, double now, struct ops_buf *out)
{
	cJSON *a = cJSON_CreateArray();
	char title[128], sev[16], gen[512], *text = NULL;
	int rc = -1;

	if (a == NULL)
		return -1;
	generator_url(cfg, gen, sizeof(gen));
	for (size_t i = 0; i < n; i++) {
		cJSON *x = cJSON_CreateObject(), *l, *an;
		size_t k;

		if (x == NULL || !cJSON_AddItemToArray(a, x) ||
		    (l = cJSON_AddObjectToObject(x, "labels")) == NULL ||
		    (an = cJSON_AddObjectToObject(x, "annotations")) == NULL)
			goto out;
		snprintf(sev, sizeof(sev), "%s", v[i].level ? v[i].level :
		    ops_state_name(v[i].severity));
		for (k = 0; sev[k]; k++)
			sev[k] = (char)tolower((unsigned char)sev[k]);
		cJSON_AddStringToObject(l, "alertname", v[i].type);
		cJSON_AddStringToObject(l, "severity", sev);
		cJSON_AddStringToObject(l, "instance", host);
		cJSON_AddStringToObject(l, "home", cfg->home);
		cJSON_AddStringToObject(l, "check", ops_alert_check_of(v[i].type));
		cJSON_AddStringToObject(an, "summary", ops_alert_title(v[i].type, title,
		    sizeof(title)));
		cJSON_AddStringToObject(an, "description", v[i].message ? v[i].message : "");
		/* the lines that explain it, with the firing alert only */
		if (!v[i].resolved && v[i].context != NULL) {
			char *c = context_tail(v[i].context);

			if (c == NULL)
				goto out;
			cJSON_AddStringToObject(an, "context", c);
			free(c);
			cJSON_AddStringToObject(an, "context_source", v[i].context_source ?
			    v[i].context_source : "");
		}
		add_rfc3339(x, "startsAt", v[i].starts > 0 && v[i].starts <= now ?
		    v[i].starts : now);
		add_rfc3339(x, "endsAt", v[i].resolved ? now : v[i].ends > now ? v[i].ends :
		    now + OPS_AM_VALID);
		cJSON_AddStringToObject(x, "generatorURL", gen);
	}
	if ((text = cJSON_PrintUnformatted(a)) == NULL)
		goto out;
	/* Messages are plugin output: any bytes. Alertmanager wants UTF-8. */
	ops_san_puts(out, text, OPS_SAN_JSON);
	rc = out->oom ? -1 : 0;
out:
	free(text);
	cJSON_Delete(a);
	return rc;
}

int
ops_am_post(const char *base, const char *body, struct ops_err *err)
{
	char url[1024];
	size_t bl = strlen(base);

	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	if (snprintf(url, sizeof(url), "%.*s/api/v2/alerts", (int)bl, base) >=
	    (int)sizeof(url))
		return ops_err_set(err, OPS_E_USAGE, "URL too long");
	return ops_http_request(url, body, OPS_AM_TIMEOUT, NULL, err) < 0 ? -1 : 0;
}

int
ops_am_send(const struct ops_config *cfg, const char *host,
    const struct ops_am_alert *v, size_t n, double now, struct ops_buf *why)
{
	struct ops_buf body = OPS_BUF_INIT;
	int failed = 0;

	if (n == 0 || cfg->alert.alertmanager.n == 0)
		return 0;
	if (ops_am_payload(cfg, host, v, n, now, &body) < 0) {
		ops_buf_puts(why, "alertmanager: out of memory\n");
		ops_buf_release(&body);
		return (int)cfg->alert.alertmanager.n;
	}
	for (size_t i = 0; i < cfg->alert.alertmanager.n; i++) {
		struct ops_err e = OPS_ERR_INIT;
		const char *base = cfg->alert.alertmanager.v[i];

		if (ops_am_post(base, ops_buf_str(&body), &e) < 0) {
			ops_buf_printf(why, "alertmanager %s: %s\n", base, e.msg);
			failed++;
		}
	}
	ops_buf_release(&body);
	return failed;
}
