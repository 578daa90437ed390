#include "ops_monit.h"

#include <expat.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_http.h"
#include "ops_units.h"

/* ---- the parser ------------------------------------------------------ */

/* Where in the document we are: only the elements we read matter. */
enum where { W_OTHER, W_SERVICE, W_MEMORY, W_CPU };

struct ops_monit_parser {
	XML_Parser xp;
	struct ops_monit_status *out;
	struct ops_monit_service cur;
	int depth;		/* element depth; <monit> is 1 */
	int in_service;		/* depth of the open <service>, 0 when none */
	enum where sub;		/* a <memory> or <cpu> child of the service */
	int server;		/* inside <server> */
	char text[256];
	size_t tlen;
	int toolong;		/* a text longer than text[]: refused */
	char why[128];		/* the first reason to stop */
	size_t cap;
};

static void
stop(struct ops_monit_parser *p, const char *why)
{
	if (p->why[0] == '\0')
		snprintf(p->why, sizeof(p->why), "%s", why);
	XML_StopParser(p->xp, XML_FALSE);
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct ops_monit_parser *p = ud;

	p->depth++;
	p->tlen = 0;
	p->toolong = 0;
	if (p->depth == 1) {
		if (strcmp(name, "monit") != 0)
			stop(p, "not Monit's status (no <monit> element)");
		return;
	}
	if (p->depth == 2 && strcmp(name, "server") == 0)
		p->server = 1;
	if (p->depth == 2 && strcmp(name, "service") == 0) {
		memset(&p->cur, 0, sizeof(p->cur));
		p->cur.type = -1;
		p->cur.pid = -1;
		p->cur.cpu = NAN;
		p->cur.memory = NAN;
		p->cur.monitor = -1;
		for (size_t i = 0; attrs[i] && attrs[i + 1]; i += 2)
			if (strcmp(attrs[i], "type") == 0)
				p->cur.type = atoi(attrs[i + 1]);
		p->in_service = p->depth;
		p->sub = W_SERVICE;
		return;
	}
	if (p->in_service && p->depth == p->in_service + 1) {
		p->sub = strcmp(name, "memory") == 0 ? W_MEMORY :
		    strcmp(name, "cpu") == 0 ? W_CPU : W_SERVICE;
	}
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	struct ops_monit_parser *p = ud;

	if (len < 0)
		return;
	if (p->tlen + (size_t)len >= sizeof(p->text)) {
		p->toolong = 1;
		return;
	}
	memcpy(p->text + p->tlen, s, (size_t)len);
	p->tlen += (size_t)len;
}

static int
number(const struct ops_monit_parser *p, double *out)
{
	char *end;
	double v;

	if (p->toolong || p->tlen == 0)
		return -1;
	v = strtod(p->text, &end);
	if (end == p->text || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	struct ops_monit_parser *p = ud;
	struct ops_monit_service *s = &p->cur;
	int child = p->in_service && p->depth == p->in_service + 1;
	int grandchild = p->in_service && p->depth == p->in_service + 2;
	double v;

	p->text[p->tlen < sizeof(p->text) ? p->tlen : sizeof(p->text) - 1] = '\0';
	if (p->server && p->depth == 3 && strcmp(name, "localhostname") == 0 &&
	    !p->toolong)
		snprintf(p->out->host, sizeof(p->out->host), "%.127s", p->text);
	if (p->depth == 2 && strcmp(name, "server") == 0)
		p->server = 0;
	if (child) {
		if (strcmp(name, "name") == 0) {
			if (p->toolong || p->tlen == 0 || p->tlen >= sizeof(s->name)) {
				stop(p, "a service name that is empty or too long");
				goto out;
			}
			memcpy(s->name, p->text, p->tlen + 1);
		} else if (strcmp(name, "status") == 0 && number(p, &v) == 0) {
			s->status = v >= 0 && v < 2147483648.0 ? (long)v : 0;
		} else if (strcmp(name, "monitor") == 0 && number(p, &v) == 0) {
			s->monitor = v >= 0 && v < 16 ? (int)v : -1;
		} else if (strcmp(name, "pid") == 0 && number(p, &v) == 0) {
			s->pid = v > 0 && v < 4194305 ? (long)v : -1;
		}
		p->sub = W_SERVICE;
	} else if (grandchild && p->sub == W_MEMORY && strcmp(name, "kilobytetotal") == 0 &&
	    number(p, &v) == 0 && v >= 0) {
		s->memory = v * 1024;
	} else if (grandchild && p->sub == W_CPU && strcmp(name, "percenttotal") == 0 &&
	    number(p, &v) == 0 && v >= 0) {
		s->cpu = v;
	}
	if (p->in_service && p->depth == p->in_service && strcmp(name, "service") == 0) {
		p->in_service = 0;
		if (s->name[0] == '\0') {
			stop(p, "a service without a name");
			goto out;
		}
		if (p->out->n >= OPS_MONIT_MAX_SERVICES) {
			stop(p, "more services than " "10000");
			goto out;
		}
		if (p->out->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 32;
			struct ops_monit_service *nv = realloc(p->out->v, cap * sizeof(*nv));

			if (nv == NULL) {
				stop(p, "out of memory");
				goto out;
			}
			p->out->v = nv;
			p->cap = cap;
		}
		p->out->v[p->out->n++] = *s;
	}
out:
	p->tlen = 0;
	p->toolong = 0;
	p->depth--;
}

/* No DTD at all: Monit sends none, and entities are how XML is made to
 * explode. */
static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	stop(ud, "a document type declaration (refused)");
}

struct ops_monit_parser *
ops_monit_parser_new(struct ops_monit_status *out)
{
	struct ops_monit_parser *p = calloc(1, sizeof(*p));

	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return NULL;
	p->out = out;
	p->xp = XML_ParserCreate(NULL);
	if (p->xp == NULL) {
		free(p);
		return NULL;
	}
	XML_SetUserData(p->xp, p);
	XML_SetElementHandler(p->xp, on_start, on_end);
	XML_SetCharacterDataHandler(p->xp, on_text);
	XML_SetStartDoctypeDeclHandler(p->xp, on_doctype);
	XML_SetParamEntityParsing(p->xp, XML_PARAM_ENTITY_PARSING_NEVER);
	return p;
}

static int
xml_error(struct ops_monit_parser *p, struct ops_err *err)
{
	if (p->why[0] != '\0')
		return ops_err_set(err, OPS_E_FAIL, "Monit's status: %s", p->why);
	return ops_err_set(err, OPS_E_FAIL, "Monit's status: %s at line %lu",
	    XML_ErrorString(XML_GetErrorCode(p->xp)),
	    (unsigned long)XML_GetCurrentLineNumber(p->xp));
}

int
ops_monit_parser_feed(struct ops_monit_parser *p, const char *buf, size_t len,
    struct ops_err *err)
{
	while (len > 0) {
		int n = len > (1 << 20) ? 1 << 20 : (int)len;

		if (XML_Parse(p->xp, buf, n, 0) != XML_STATUS_OK)
			return xml_error(p, err);
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
ops_monit_parser_finish(struct ops_monit_parser *p, struct ops_err *err)
{
	if (XML_Parse(p->xp, "", 0, 1) != XML_STATUS_OK)
		return xml_error(p, err);
	return 0;
}

void
ops_monit_parser_free(struct ops_monit_parser *p)
{
	if (p == NULL)
		return;
	XML_ParserFree(p->xp);
	free(p);
}

int
ops_monit_parse(const char *xml, size_t len, struct ops_monit_status *out,
    struct ops_err *err)
{
	struct ops_monit_parser *p = ops_monit_parser_new(out);
	int rc = -1;

	if (p == NULL)
		return ops_err_set(err, OPS_E_FAIL, "out of memory");
	if (ops_monit_parser_feed(p, xml, len, err) == 0 &&
	    ops_monit_parser_finish(p, err) == 0)
		rc = 0;
	ops_monit_parser_free(p);
	if (rc < 0)
		ops_monit_status_release(out);
	return rc;
}

void
ops_monit_status_release(struct ops_monit_status *s)
{
	if (s == NULL)
		return;
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- names ----------------------------------------------------------- */

const char *
ops_monit_events(long status, char *buf, size_t len)
{
	/* Monit's Event_Type bits (src/event.h), named as Monit shows them */
	static const char *const names[] = {
		"checksum failed", "resource limit matched", "timeout",
		"timestamp changed", "size changed", "connection failed",
		"permission failed", "uid failed", "gid failed", "does not exist",
		"invalid type", "data access error", "execution failed",
		"filesystem flags changed", "ping failed", "content matched",
		"monit instance changed", "action done", "pid changed",
		"ppid changed", "heartbeat failed", "status failed",
		"uptime failed", "link down", "speed changed", "saturation",
		"download bytes", "upload bytes", "download packets",
		"upload packets", "exists",
	};
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (status & (1L << i)) {
			int n = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", names[i]);

			if (n < 0 || (size_t)n >= len - o)
				break;
			o += (size_t)n;
		}
	if (buf[0] == '\0')
		snprintf(buf, len, "failed (status %ld)", status);
	return buf;
}

const char *
ops_monit_type(int type)
{
	static const char *const types[] = { "filesystem", "directory", "file",
		"process", "host", "system", "fifo", "program", "network" };

	return type >= 0 && type < (int)(sizeof(types) / sizeof(types[0])) ?
	    types[type] : "service";
}

/* ---- the check ------------------------------------------------------- */

struct feed {
	struct ops_monit_parser *p;
	struct ops_err *err;
};

static int
on_data(const char *buf, size_t n, void *arg)
{
	struct feed *f = arg;

	return ops_monit_parser_feed(f->p, buf, n, f->err) < 0;
}

/* monit_NAME with what a check name may hold: Monit's names may have
 * dots, spaces or anything else. */
void
ops_monit_check_name(const char *monit, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "monit_");

	for (const char *s = monit; *s && o + 1 < len && o < 64; s++) {
		char c = *s;

		buf[o++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ? c : '_';
	}
	buf[o] = '\0';
}

static int
selected(const char *const *only, size_t nonly, const char *name)
{
	if (only == NULL || nonly == 0)
		return 1;
	for (size_t i = 0; i < nonly; i++)
		if (strcmp(only[i], "monit") == 0 || strcmp(only[i], name) == 0)
			return 1;
	return 0;
}

static void
add_service(const struct ops_monit_service *s, const char *name, struct ops_report *r)
{
	struct ops_result *res;
	char ev[256], mem[32], label[96], extra[128] = "";
	const char *type = ops_monit_type(s->type);

	if (s->type == 3 && s->pid > 0) {
		size_t o = (size_t)snprintf(extra, sizeof(extra), " (pid %ld", s->pid);

		if (!isnan(s->cpu) && o < sizeof(extra))
			o += (size_t)snprintf(extra + o, sizeof(extra) - o, ", cpu %.1f%%",
			    s->cpu);
		if (!isnan(s->memory) && o < sizeof(extra))
			o += (size_t)snprintf(extra + o, sizeof(extra) - o, ", memory %s",
			    ops_size_format((uint64_t)s->memory, mem, sizeof(mem)));
		if (o < sizeof(extra))
			snprintf(extra + o, sizeof(extra) - o, ")");
	}
	if (s->status != 0)
		res = ops_report_add(r, name, OPS_CRITICAL, "Monit: %s %s: %s%s", type,
		    s->name, ops_monit_events(s->status, ev, sizeof(ev)),
		    s->monitor == 0 ? " (not monitored)" : "");
	else if (s->monitor == 0)
		res = ops_report_add(r, name, OPS_WARNING, "Monit: %s %s: not monitored",
		    type, s->name);
	else if (s->monitor == 2)
		res = ops_report_add(r, name, OPS_OK, "Monit: %s %s: initializing", type,
		    s->name);
	else
		res = ops_report_add(r, name, OPS_OK, "Monit: %s %s: ok%s", type, s->name,
		    extra);
	if (res && !isnan(s->cpu)) {
		snprintf(label, sizeof(label), "%s_cpu", name);
		ops_result_perf(res, label, s->cpu, "%", NAN, NAN, 0, NAN);
	}
	if (res && !isnan(s->memory)) {
		snprintf(label, sizeof(label), "%s_memory", name);
		ops_result_perf(res, label, s->memory, "B", NAN, NAN, 0, NAN);
	}
}

void
ops_monit_check(const struct ops_config *cfg, double limit,
    const char *const *only, size_t nonly, struct ops_report *r)
{
	struct ops_err e = OPS_ERR_INIT, pe = OPS_ERR_INIT;
	struct ops_monit_status st;
	struct ops_http_get g = { 0 };
	struct ops_http_answer a = { 0 };
	struct feed f;
	const char *pw = NULL;
	char name[80];
	size_t nres = 0;

	f.p = ops_monit_parser_new(&st);
	f.err = &pe;
	if (f.p == NULL) {
		ops_report_add(r, "monit", OPS_UNKNOWN, "out of memory");
		return;
	}
	if (cfg->health.monit.user[0] != '\0') {
		g.user = cfg->health.monit.user;
		pw = cfg->health.monit.password_env[0] ?
		    getenv(cfg->health.monit.password_env) : NULL;
		g.password = pw ? pw : "";
	}
	g.max_body = OPS_MONIT_MAX_BYTES;
	g.on_data = on_data;
	g.arg = &f;
	if (ops_http_fetch(cfg->health.monit.url, limit, &g, &a, &e) < 0 &&
	    (a.status == 0 || a.status == 200)) {
		ops_report_add(r, "monit", OPS_UNKNOWN, "Monit unreachable at %s: %s",
		    cfg->health.monit.url, pe.msg[0] ? pe.msg : e.msg);
		goto out;
	}
	/* an error page is not Monit's status: the status says what failed */
	if (a.status != 200) {
		ops_report_add(r, "monit", OPS_UNKNOWN, "Monit at %s answered HTTP %ld%s",
		    cfg->health.monit.url, a.status, a.status == 401 ?
		    " (user or password wrong?)" : "");
		goto out;
	}
	if (ops_monit_parser_finish(f.p, &pe) < 0) {
		ops_report_add(r, "monit", OPS_UNKNOWN, "%s", pe.msg);
		goto out;
	}
	for (size_t i = 0; i < st.n; i++) {
		int match = 0;

		for (size_t k = 0; k < cfg->health.monit.services.n && !match; k++)
			match = fnmatch(cfg->health.monit.services.v[k], st.v[i].name, 0) == 0;
		if (!match)
			continue;
		nres++;
		ops_monit_check_name(st.v[i].name, name, sizeof(name));
		if (selected(only, nonly, name))
			add_service(&st.v[i], name, r);
	}
	if (nres == 0 && selected(only, nonly, "monit"))
		ops_report_add(r, "monit", OPS_WARNING,
		    "Monit at %s has no service matching health.monit.services",
		    cfg->health.monit.url);
out:
	ops_http_answer_release(&a);
	ops_monit_parser_free(f.p);
	ops_monit_status_release(&st);
}
