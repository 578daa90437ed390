#include "ops_endpoint.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_http.h"
#include "ops_net.h"
#include "ops_sanitize.h"
#include "ops_time.h"
#include "ops_units.h"

/* Text from the answer, made one safe line for a message by the one
 * sanitiser (ops_sanitize); long text is cut. */
static const char *
outside(const char *s, size_t n, char *buf, size_t len)
{
	int cut = n > len - 4;
	size_t o = cut ? len - 4 : n;

	memcpy(buf, s, o);
	buf[o] = '\0';
	ops_san_inplace(buf, OPS_SAN_LINE);
	if (cut)
		memcpy(buf + o, "...", 4);
	return buf;
}

const struct cJSON *
ops_endpoint_json_at(const struct cJSON *root, const char *path)
{
	const cJSON *j = root;
	char seg[256];
	const char *p = path, *dot;
	size_t n;

	while (j != NULL && *p != '\0') {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n == 0 || n >= sizeof(seg))
			return NULL;
		memcpy(seg, p, n);
		seg[n] = '\0';
		if (cJSON_IsArray(j)) {
			char *end;
			long i = strtol(seg, &end, 10);

			j = *end == '\0' && i >= 0 && i < INT_MAX ?
			    cJSON_GetArrayItem(j, (int)i) : NULL;
		} else if (cJSON_IsObject(j)) {
			j = cJSON_GetObjectItemCaseSensitive(j, seg);
		} else {
			j = NULL;
		}
		p = dot ? dot + 1 : p + n;
	}
	return j;
}

static int
status_ok(const struct ops_endpoint_cfg *ep, long status)
{
	if (ep->nexpect_status == 0)
		return status >= 200 && status <= 299;
	for (size_t i = 0; i < ep->nexpect_status; i++)
		if (status >= ep->expect_status[i].lo && status <= ep->expect_status[i].hi)
			return 1;
	return 0;
}

static void
status_list(const struct ops_endpoint_cfg *ep, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ep->nexpect_status && o < len; i++) {
		const struct ops_status_range *r = &ep->expect_status[i];
		int n = r->lo == r->hi ?
		    snprintf(buf + o, len - o, "%s%ld", i ? ", " : "", r->lo) :
		    snprintf(buf + o, len - o, "%s%ld-%ld", i ? ", " : "", r->lo, r->hi);

		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* The JSON expectation: NULL when met, else why not (in buf). */
static const char *
json_mismatch(const struct ops_endpoint_cfg *ep, const struct ops_http_answer *a,
    char *buf, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(a->body ? a->body : "", a->len);
	cJSON *want = cJSON_Parse(ep->expect_json_equals);
	const cJSON *got;
	const char *why = NULL;
	char *text = NULL, clean[128];

	if (root == NULL) {
		why = "the answer is not JSON";
		goto out;
	}
	got = ops_endpoint_json_at(root, ep->expect_json_path);
	if (got == NULL) {
		snprintf(buf, len, "no '%s' in the answer",
		    outside(ep->expect_json_path, strlen(ep->expect_json_path), clean,
		    sizeof(clean)));
		why = buf;
		goto out;
	}
	if (want != NULL && cJSON_Compare(got, want, 1))
		goto out;
	text = cJSON_PrintUnformatted(got);
	snprintf(buf, len, "%s is %s, expected %s", ep->expect_json_path,
	    text ? outside(text, strlen(text), clean, sizeof(clean)) : "?",
	    ep->expect_json_equals);
	why = buf;
out:
	free(text);
	cJSON_Delete(root);
	cJSON_Delete(want);
	return why;
}

static int
discard(const char *p, size_t n, void *arg)
{
	(void)p;
	(void)n;
	(void)arg;
	return 0;
}

static void
check_http(const struct ops_config *cfg, const struct ops_endpoint_cfg *ep,
    double limit, double now, struct ops_report *r)
{
	struct ops_http_get g = { 0 };
	struct ops_http_answer a = { 0 };
	struct ops_err e = OPS_ERR_INIT;
	struct ops_result *res = NULL;
	enum ops_state s = OPS_OK;
	int https = strncmp(ep->url, "https://", 8) == 0;
	int read_body = ep->expect_body || ep->expect_body_regex || ep->expect_json_path;
	char why[512] = "", extra[160] = "", ca[PATH_MAX], label[80], d[32], when[32];
	char exp[128];
	double left = 0;

	g.max_body = read_body ? OPS_ENDPOINT_MAX_BODY : SIZE_MAX;
	g.on_data = read_body ? NULL : discard;
	g.certinfo = https && (ep->cert_warn > 0 || ep->cert_crit > 0);
	if (ep->ca_file != NULL) {
		if (ops_config_path(cfg, ep->ca_file, ca, sizeof(ca), &e) < 0) {
			ops_report_add(r, ep->name, OPS_UNKNOWN, "%s", e.msg);
			return;
		}
		g.ca_file = ca;
	}
	if (ops_http_fetch(ep->url, limit, &g, &a, &e) < 0) {
		if (limit < ep->timeout && a.elapsed >= limit - 0.05)
			/* Cut short by the run's limit, not by its own. */
			res = ops_report_add(r, ep->name, OPS_UNKNOWN,
			    "%s: not answered before the run's time limit", ep->url);
		else
			res = ops_report_add(r, ep->name, OPS_CRITICAL, "%s: %s", ep->url,
			    e.msg);
		goto perf;
	}
	if (!status_ok(ep, a.status)) {
		s = OPS_CRITICAL;
		status_list(ep, exp, sizeof(exp));
		if (ep->nexpect_status)
			snprintf(why, sizeof(why), "HTTP %ld (expected %s)", a.status, exp);
		else
			snprintf(why, sizeof(why), "HTTP %ld", a.status);
	} else if (ep->expect_body &&
	    (a.body == NULL || strstr(a.body, ep->expect_body) == NULL)) {
		s = OPS_CRITICAL;
		snprintf(why, sizeof(why), "HTTP %ld, but the answer does not contain '%s'",
		    a.status, outside(ep->expect_body, strlen(ep->expect_body), exp,
		    sizeof(exp)));
	} else if (ep->expect_body_regex) {
		regex_t re;
		/* REG_NEWLINE: ^ and $ match at each line of the body */
		int m = regcomp(&re, ep->expect_body_regex,
		    REG_EXTENDED | REG_NOSUB | REG_NEWLINE);

		if (m == 0) {
			m = regexec(&re, a.body ? a.body : "", 0, NULL, 0);
			regfree(&re);
		}
		if (m != 0) {
			s = OPS_CRITICAL;
			snprintf(why, sizeof(why), "HTTP %ld, but the answer does not match /%s/",
			    a.status, outside(ep->expect_body_regex,
			    strlen(ep->expect_body_regex), exp, sizeof(exp)));
		}
	}
	if (s == OPS_OK && ep->expect_json_path) {
		char jb[400];
		const char *j = json_mismatch(ep, &a, jb, sizeof(jb));

		if (j != NULL) {
			s = OPS_CRITICAL;
			snprintf(why, sizeof(why), "HTTP %ld, but %s", a.status, j);
		}
	}
	if (s == OPS_OK) {
		s = ops_threshold_high(a.elapsed, ep->time_warn, ep->time_crit);
		if (s != OPS_OK)
			snprintf(why, sizeof(why), "slow: answered in %.0f ms (limit %.0f ms)",
			    a.elapsed * 1000, (s == OPS_CRITICAL ? ep->time_crit :
			    ep->time_warn) * 1000);
	}
	if (g.certinfo && a.cert_not_after > 0) {
		enum ops_state cs;

		left = a.cert_not_after - now;
		cs = left <= 0 ? OPS_CRITICAL :
		    ops_threshold_low(left, ep->cert_warn, ep->cert_crit);
		ops_time_log(a.cert_not_after, when, sizeof(when));
		when[10] = '\0';
		if (left <= 0)
			snprintf(extra, sizeof(extra), "certificate expired on %s", when);
		else
			snprintf(extra, sizeof(extra), "certificate expires in %s (%s)",
			    ops_duration_format(left, d, sizeof(d)), when);
		if (cs != OPS_OK && ops_state_worst(s, cs) == cs && s != cs) {
			/* the certificate is the worse news: it leads */
			if (why[0] != '\0') {
				char tmp[sizeof(why)];
				int n;

				/* cut to why's size on purpose: a message, not data */
				n = snprintf(tmp, sizeof(tmp), "%s; %s", extra, why);
				if (n >= 0)
					memcpy(why, tmp, sizeof(why));
			} else {
				snprintf(why, sizeof(why), "%s", extra);
			}
			extra[0] = '\0';
		}
		s = ops_state_worst(s, cs);
	}
	if (s == OPS_OK)
		res = ops_report_add(r, ep->name, OPS_OK, "%s up in %.0f ms%s%s", ep->url,
		    a.elapsed * 1000, extra[0] ? ", " : "", extra);
	else
		res = ops_report_add(r, ep->name, s, "%s: %s%s%s", ep->url, why,
		    extra[0] ? "; " : "", extra);
perf:
	snprintf(label, sizeof(label), "%s_time", ep->name);
	if (res)
		ops_result_perf(res, label, a.elapsed, "s",
		    ep->time_warn > 0 ? ep->time_warn : NAN,
		    ep->time_crit > 0 ? ep->time_crit : NAN, 0, ep->timeout);
	if (res && g.certinfo && a.cert_not_after > 0) {
		snprintf(label, sizeof(label), "%s_cert_days", ep->name);
		ops_result_perf_low(res, label, floor(left / 86400 * 10) / 10, "",
		    ep->cert_warn > 0 ? ep->cert_warn / 86400 : NAN,
		    ep->cert_crit > 0 ? ep->cert_crit / 86400 : NAN, NAN, NAN);
	}
	ops_http_answer_release(&a);
}

void
ops_endpoint_check(const struct ops_config *cfg, const struct ops_endpoint_cfg *ep,
    double limit, double now, struct ops_report *r)
{
	struct ops_err e = OPS_ERR_INIT;
	struct ops_result *res;
	char label[80];
	double el = 0;

	if (strncmp(ep->url, "tcp://", 6) != 0) {
		check_http(cfg, ep, limit, now, r);
		return;
	}
	if (ops_net_probe(ep->url, limit, &el, &e) < 0 && limit < ep->timeout &&
	    el >= limit - 0.05)
		res = ops_report_add(r, ep->name, OPS_UNKNOWN,
		    "%s: not answered before the run's time limit", ep->url);
	else if (e.code != OPS_E_NONE)
		res = ops_report_add(r, ep->name, OPS_CRITICAL, "%s: %s", ep->url, e.msg);
	else
		res = ops_report_add(r, ep->name, ops_threshold_high(el, ep->time_warn,
		    ep->time_crit), "%s up in %.0f ms", ep->url, el * 1000);
	snprintf(label, sizeof(label), "%s_time", ep->name);
	if (res)
		ops_result_perf(res, label, el, "s", ep->time_warn > 0 ? ep->time_warn : NAN,
		    ep->time_crit > 0 ? ep->time_crit : NAN, 0, ep->timeout);
}
