#include "ops_check.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_sanitize.h"
#include "ops_time.h"

static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

const char *
ops_state_name(enum ops_state s)
{
	return (unsigned)s < 4 ? names[s] : "UNKNOWN";
}

int
ops_state_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static int
rank(enum ops_state s)
{
	switch (s) {
	case OPS_OK:
		return 0;
	case OPS_UNKNOWN:
		return 1;
	case OPS_WARNING:
		return 2;
	case OPS_CRITICAL:
		return 3;
	}
	return 1;
}

enum ops_state
ops_state_worst(enum ops_state a, enum ops_state b)
{
	return rank(a) >= rank(b) ? a : b;
}

static int
enabled(double t)
{
	return !isnan(t) && t > 0;
}

enum ops_state
ops_threshold_high(double value, double warn, double crit)
{
	if (enabled(crit) && value > crit)
		return OPS_CRITICAL;
	if (enabled(warn) && value > warn)
		return OPS_WARNING;
	return OPS_OK;
}

enum ops_state
ops_threshold_low(double value, double warn, double crit)
{
	if (enabled(crit) && value < crit)
		return OPS_CRITICAL;
	if (enabled(warn) && value < warn)
		return OPS_WARNING;
	return OPS_OK;
}

/* A message is one line: the Nagios output, the history log and the
 * alerts are all line-based, and a dependency's text (SQLite's
 * integrity_check report) may hold several. */
static void
one_line(char *s)
{
	for (; s && *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

static char *
vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static char *
vformat(const char *fmt, va_list ap)
{
	va_list ap2;
	char *s;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s != NULL)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

struct ops_result *
ops_report_add(struct ops_report *r, const char *name, enum ops_state state,
    const char *fmt, ...)
{
	struct ops_result *v, *res;
	va_list ap;

	v = realloc(r->v, (r->n + 1) * sizeof(*v));
	if (v == NULL)
		goto oom;
	r->v = v;
	res = &r->v[r->n];
	memset(res, 0, sizeof(*res));
	res->name = strdup(name);
	va_start(ap, fmt);
	res->message = vformat(fmt, ap);
	va_end(ap);
	one_line(res->message);
	if (res->name == NULL || res->message == NULL) {
		free(res->name);
		free(res->message);
		goto oom;
	}
	res->state = state;
	r->n++;
	return res;
oom:
	r->oom = 1;
	return NULL;
}

void
ops_result_set(struct ops_result *res, enum ops_state state, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = vformat(fmt, ap);
	va_end(ap);
	one_line(m);
	if (m != NULL) {
		free(res->message);
		res->message = m;
	}
	res->state = state;
}

void
ops_result_perf(struct ops_result *res, const char *label, double value,
    const char *uom, double warn, double crit, double min, double max)
{
	struct ops_perf *p;

	p = realloc(res->perf, (res->nperf + 1) * sizeof(*p));
	if (p == NULL)
		return;	/* perfdata is best effort; the state is what matters */
	res->perf = p;
	p = &res->perf[res->nperf++];
	snprintf(p->label, sizeof(p->label), "%s", label);
	snprintf(p->uom, sizeof(p->uom), "%s", uom ? uom : "");
	p->value = value;
	p->warn = warn;
	p->crit = crit;
	p->min = min;
	p->max = max;
	p->low = 0;
}

void
ops_result_perf_low(struct ops_result *res, const char *label, double value,
    const char *uom, double warn, double crit, double min, double max)
{
	size_t n = res->nperf;

	ops_result_perf(res, label, value, uom, warn, crit, min, max);
	if (res->nperf > n)
		res->perf[n].low = 1;
}

enum ops_state
ops_report_worst(const struct ops_report *r)
{
	enum ops_state s = OPS_OK;

	for (size_t i = 0; i < r->n; i++)
		s = ops_state_worst(s, r->v[i].state);
	if (r->oom)
		s = ops_state_worst(s, OPS_UNKNOWN);
	return s;
}

size_t
ops_report_count(const struct ops_report *r, enum ops_state s)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].state == s;
	return n;
}

/* Plain decimal, never an exponent: perfdata parsers reject "5e+09". */
static void
num(struct ops_buf *b, double v)
{
	char tmp[64];
	size_t n;

	if (isnan(v))
		return;
	if (v == floor(v) && fabs(v) < 1e18) {
		ops_buf_printf(b, "%.0f", v);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.6f", v);
	n = strlen(tmp);
	while (n > 0 && tmp[n - 1] == '0')
		tmp[--n] = '\0';
	if (n > 0 && tmp[n - 1] == '.')
		tmp[--n] = '\0';
	ops_buf_puts(b, tmp);
}

void
ops_perf_format(struct ops_buf *b, const struct ops_perf *p)
{
	const double tail[] = { p->warn, p->crit, p->min, p->max };
	int last = -1;

	/* A quote in a label is written twice; '=' cannot appear at all. */
	ops_buf_puts(b, "'");
	for (const char *s = p->label; *s; s++) {
		if (*s == '\'')
			ops_buf_puts(b, "''");
		else if (*s == '=')
			ops_buf_puts(b, "_");
		else
			ops_buf_add(b, s, 1);
	}
	ops_buf_puts(b, "'=");
	num(b, p->value);
	ops_buf_puts(b, p->uom);
	for (int i = 0; i < 4; i++)
		if (!isnan(tail[i]))
			last = i;
	for (int i = 0; i <= last; i++) {
		ops_buf_puts(b, ";");
		if (i < 2)
			ops_perf_range(b, p, tail[i]);
		else
			num(b, tail[i]);
	}
}

void
ops_perf_range(struct ops_buf *b, const struct ops_perf *p, double t)
{
	if (isnan(t))
		return;
	num(b, t);
	/* "N:" is OK from N up: the guidelines' form of a lower bound. */
	if (p->low)
		ops_buf_puts(b, ":");
}

static void
perfdata(struct ops_buf *b, const struct ops_report *r)
{
	int first = 1;

	for (size_t i = 0; i < r->n; i++) {
		for (size_t k = 0; k < r->v[i].nperf; k++) {
			if (!first)
				ops_buf_puts(b, " ");
			ops_perf_format(b, &r->v[i].perf[k]);
			first = 0;
		}
		if (r->v[i].perf_raw != NULL && r->v[i].perf_raw[0] != '\0') {
			if (!first)
				ops_buf_puts(b, " ");
			ops_buf_puts(b, r->v[i].perf_raw);
			first = 0;
		}
	}
}

/* "daemon: pid 4242 is not running, disk: 1.2 GiB free (3/7 checks ok)":
 * the worst problems first, so a truncated pager message still names them. */
void
ops_report_summary(struct ops_buf *b, const struct ops_report *r)
{
	static const enum ops_state order[] = { OPS_CRITICAL, OPS_WARNING, OPS_UNKNOWN };
	size_t ok = ops_report_count(r, OPS_OK);
	int any = 0;

	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < r->n; i++) {
			if (r->v[i].state != order[k])
				continue;
			ops_buf_printf(b, "%s%s: %s", any ? ", " : "", r->v[i].name,
			    r->v[i].message);
			any = 1;
		}
	}
	if (any)
		ops_buf_printf(b, " (%zu/%zu checks ok)", ok, r->n);
	else
		ops_buf_printf(b, "%zu/%zu checks ok", ok, r->n);
}

/* Plugin output is one line per item: keep newlines and '|' out of
 * messages we did not write. */
static void
clean_line(struct ops_buf *b, const char *s)
{
	struct ops_buf t = OPS_BUF_INIT;

	ops_san_puts(&t, s, OPS_SAN_LINE);
	for (const char *p = ops_buf_str(&t); *p; p++)
		ops_buf_add(b, *p == '|' ? " " : p, 1);
	if (t.oom)
		b->oom = 1;
	ops_buf_release(&t);
}

void
ops_report_nagios(struct ops_buf *b, const struct ops_report *r,
    const char *prefix)
{
	struct ops_buf sum = OPS_BUF_INIT;
	size_t before;

	ops_report_summary(&sum, r);
	ops_buf_printf(b, "%s %s - ", prefix, ops_state_name(ops_report_worst(r)));
	clean_line(b, ops_buf_str(&sum));
	ops_buf_puts(b, " | ");
	before = b->len;
	perfdata(b, r);
	if (b->len == before)
		b->len -= 3, b->s[b->len] = '\0';
	ops_buf_puts(b, "\n");
	for (size_t i = 0; i < r->n; i++) {
		ops_buf_printf(b, "%s: %s - ", r->v[i].name, ops_state_name(r->v[i].state));
		clean_line(b, r->v[i].message);
		ops_buf_puts(b, "\n");
	}
	ops_buf_release(&sum);
}

static void
add_num(cJSON *o, const char *k, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddNumberToObject(o, k, v);
}

int
ops_report_json(struct ops_buf *b, const struct ops_report *r)
{
	struct ops_buf sum = OPS_BUF_INIT, pd = OPS_BUF_INIT;
	cJSON *root, *checks, *c, *perf, *p;
	enum ops_state worst = ops_report_worst(r);
	char *text = NULL, ts[64];
	int rc = -1;

	root = cJSON_CreateObject();
	if (root == NULL)
		return -1;
	ops_report_summary(&sum, r);
	cJSON_AddStringToObject(root, "state", ops_state_name(worst));
	cJSON_AddNumberToObject(root, "code", worst);
	cJSON_AddStringToObject(root, "summary", ops_buf_str(&sum));
	checks = cJSON_AddArrayToObject(root, "checks");
	for (size_t i = 0; checks && i < r->n; i++) {
		const struct ops_result *res = &r->v[i];

		c = cJSON_CreateObject();
		if (c == NULL || !cJSON_AddItemToArray(checks, c))
			goto out;
		cJSON_AddStringToObject(c, "name", res->name);
		cJSON_AddStringToObject(c, "state", ops_state_name(res->state));
		cJSON_AddNumberToObject(c, "code", res->state);
		cJSON_AddStringToObject(c, "message", res->message);
		ops_buf_reset(&pd);
		for (size_t k = 0; k < res->nperf; k++) {
			if (k)
				ops_buf_puts(&pd, " ");
			ops_perf_format(&pd, &res->perf[k]);
		}
		if (res->perf_raw)
			ops_buf_printf(&pd, "%s%s", pd.len ? " " : "", res->perf_raw);
		cJSON_AddStringToObject(c, "perfdata", ops_buf_str(&pd));
		perf = cJSON_AddArrayToObject(c, "metrics");
		for (size_t k = 0; perf && k < res->nperf; k++) {
			p = cJSON_CreateObject();
			if (p == NULL || !cJSON_AddItemToArray(perf, p))
				goto out;
			cJSON_AddStringToObject(p, "label", res->perf[k].label);
			add_num(p, "value", res->perf[k].value);
			cJSON_AddStringToObject(p, "uom", res->perf[k].uom);
			add_num(p, "warn", res->perf[k].warn);
			add_num(p, "crit", res->perf[k].crit);
			/* The numbers alone do not say which side is bad. */
			cJSON_AddStringToObject(p, "bound", res->perf[k].low ? "lower" : "upper");
			add_num(p, "min", res->perf[k].min);
			add_num(p, "max", res->perf[k].max);
		}
		if (res->since > 0) {
			cJSON_AddStringToObject(c, "since", ops_time_iso(res->since, ts, sizeof(ts)));
			cJSON_AddBoolToObject(c, "changed", res->changed);
		}
	}
	text = cJSON_PrintUnformatted(root);
	if (text == NULL)
		goto out;
	ops_san_puts(b, text, OPS_SAN_JSON);
	ops_buf_puts(b, "\n");
	rc = b->oom ? -1 : 0;
out:
	free(text);
	cJSON_Delete(root);
	ops_buf_release(&sum);
	ops_buf_release(&pd);
	return rc;
}

void
ops_report_release(struct ops_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].message);
		free(r->v[i].perf);
		free(r->v[i].perf_raw);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
	r->oom = 0;
}

/* 'text' with each quote doubled, as the plugin guidelines quote labels */
static void
quoted(struct ops_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ops_buf_add(b, s[i] == '\'' ? "\'\'" : s + i, s[i] == '\'' ? 2 : 1);
}

void
ops_perf_prefix(struct ops_buf *b, const char *name, const char *raw)
{
	const char *p = raw;
	int first = 1;

	while (*p) {
		struct ops_buf label = OPS_BUF_INIT;
		const char *val;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p == '\'') {
			/* 'it''s'=1: a quoted label, '' is a quote */
			for (p++; *p; p++) {
				if (*p == '\'' && p[1] == '\'')
					ops_buf_add(&label, p++, 1);
				else if (*p == '\'')
					break;
				else
					ops_buf_add(&label, p, 1);
			}
			if (*p == '\'')
				p++;
		} else {
			size_t n = strcspn(p, "= ");

			ops_buf_add(&label, p, n);
			p += n;
		}
		if (*p != '=') {	/* not an item: skip to the next space */
			p += strcspn(p, " ");
			ops_buf_release(&label);
			continue;
		}
		val = p + 1;
		p = val + strcspn(val, " ");
		ops_buf_puts(b, first ? "'" : " '");
		quoted(b, name, strlen(name));
		ops_buf_puts(b, "::");
		quoted(b, ops_buf_str(&label), label.len);
		ops_buf_puts(b, "'=");
		ops_buf_add(b, val, (size_t)(p - val));
		first = 0;
		ops_buf_release(&label);
	}
}
