/* ops_dashboard: the HTML page. One self-contained file: inline CSS and
 * SVG, no script, nothing fetched; it refreshes itself every 10 seconds.
 * Every piece of text from the home goes through ops_html_escape (which
 * sanitises it with ops_sanitize before escaping). */
#include "ops_dashboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_sanitize.h"
#include "ops_time.h"
#include "ops_units.h"

void
ops_html_escape(struct ops_buf *b, const char *s)
{
	/* ops_sanitize first (invalid UTF-8, C0/C1 controls, bidi overrides:
	 * the same rule as the terminal), then the five HTML characters. */
	char *clean = ops_san_dup(s, OPS_SAN_TERM);

	if (clean == NULL) {
		b->oom = 1;
		return;
	}
	for (const char *c = clean; *c; c++) {
		switch (*c) {
		case '&': ops_buf_puts(b, "&amp;"); break;
		case '<': ops_buf_puts(b, "&lt;"); break;
		case '>': ops_buf_puts(b, "&gt;"); break;
		case '"': ops_buf_puts(b, "&quot;"); break;
		case '\'': ops_buf_puts(b, "&#39;"); break;
		default: ops_buf_add(b, c, 1);
		}
	}
	free(clean);
}

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font:15px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;"
    "background:#f4f5f7;color:#1d2125}"
    "header{padding:12px 16px;color:#fff}"
    "header h1{margin:0;font-size:1.3em}header p{margin:4px 0 0;word-break:break-word}"
    "main{padding:8px 12px 24px;max-width:960px;margin:0 auto}"
    "h2{font-size:1em;margin:18px 4px 8px}"
    ".areas{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:8px}"
    ".area,.check{background:#fff;border-radius:6px;padding:8px 10px;"
    "box-shadow:0 1px 2px rgba(0,0,0,.12)}"
    ".area h3{margin:0;font-size:.95em;display:flex;justify-content:space-between}"
    ".area p,.check p{margin:4px 0 0;font-size:.9em;word-break:break-word}"
    ".check{margin-bottom:6px}"
    ".check .top{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}"
    ".check .name{font-weight:600}"
    ".badge{display:inline-block;padding:0 6px;border-radius:4px;color:#fff;"
    "font-size:.8em;font-weight:600}"
    ".s0{background:#2e7d32}.s1{background:#c77700}.s2{background:#c62828}"
    ".s3{background:#6a1b9a}"
    "svg.tl{display:block;width:100%;height:18px;margin-top:6px;background:#e3e5e8;"
    "border-radius:3px}"
    ".axis{display:flex;justify-content:space-between;font-size:.75em;color:#667}"
    "ul{margin:0;padding:0 0 0 18px}li{margin:2px 0;word-break:break-word}"
    ".muted{color:#667;font-size:.85em}"
    ".stale{margin:0;padding:10px 16px;background:#6a1b9a;color:#fff;font-weight:600}"
    "@media (prefers-color-scheme:dark){body{background:#15171a;color:#e4e6e9}"
    ".area,.check{background:#22252a}svg.tl{background:#33373d}}";

static const char *const fills[] = { "#2e7d32", "#c77700", "#c62828", "#6a1b9a" };

static void
esc(struct ops_buf *b, const char *s)
{
	ops_html_escape(b, s ? s : "");
}

static void
badge(struct ops_buf *b, enum ops_state s, const char *id)
{
	ops_buf_printf(b, "<span class=\"badge s%d\"", (int)s);
	if (id) {
		ops_buf_puts(b, " id=\"");
		esc(b, id);
		ops_buf_puts(b, "\"");
	}
	ops_buf_printf(b, ">%s</span>", ops_state_name(s));
}

static void
clock_hm(double t, char *buf, size_t len)
{
	char ts[32];

	ops_time_log(t, ts, sizeof(ts));
	snprintf(buf, len, "%.5s", ts + 11);
}

/* One rect per run of equal slots, with a tooltip. */
static void
timeline(struct ops_buf *b, const struct ops_dashboard *d, const char *name,
    const signed char *h)
{
	char t1[8], t2[8];

	ops_buf_printf(b, "<svg class=\"tl\" viewBox=\"0 0 %d 1\" preserveAspectRatio="
	    "\"none\" role=\"img\" aria-label=\"", OPS_DASH_SLOTS);
	esc(b, name);
	ops_buf_puts(b, ": last 24 hours\">");
	for (int i = 0; i < OPS_DASH_SLOTS;) {
		int j = i;

		while (j < OPS_DASH_SLOTS && h[j] == h[i])
			j++;
		if (h[i] >= 0 && h[i] <= 3) {
			clock_hm(d->history.from + i * d->history.slot, t1, sizeof(t1));
			clock_hm(d->history.from + j * d->history.slot, t2, sizeof(t2));
			ops_buf_printf(b, "<rect x=\"%d\" y=\"0\" width=\"%d\" height=\"1\""
			    " fill=\"%s\"><title>%s\xe2\x80\x93%s %s</title></rect>", i, j - i,
			    fills[(int)h[i]], t1, t2, ops_state_name((enum ops_state)h[i]));
		}
		i = j;
	}
	ops_buf_puts(b, "</svg>");
}

static void
areas(struct ops_buf *b, const struct ops_dashboard *d)
{
	struct ops_dash_area a[OPS_DASH_AREAS];
	size_t n = ops_dashboard_areas(d, a, OPS_DASH_AREAS);
	char id[64];

	ops_buf_puts(b, "<section class=\"areas\">");
	for (size_t i = 0; i < n; i++) {
		ops_buf_printf(b, "<div class=\"area\" id=\"area-%s\"><h3>%s ", a[i].label,
		    a[i].label);
		snprintf(id, sizeof(id), "%s-state", a[i].label);
		badge(b, a[i].state, id);
		ops_buf_printf(b, "</h3><p id=\"%s-text\"", a[i].label);
		if (strcmp(a[i].label, "daemon") == 0)
			ops_buf_printf(b, " data-running=\"%s\"",
			    d->daemon.running ? "true" : "false");
		ops_buf_puts(b, ">");
		esc(b, a[i].text);
		ops_buf_puts(b, "</p></div>");
	}
	ops_buf_puts(b, "</section>");
}

static void
checks(struct ops_buf *b, const struct ops_dashboard *d)
{
	char t[32];

	ops_buf_puts(b, "<h2>Health, last 24 hours</h2><section id=\"checks\">");
	for (size_t i = 0; i < d->nchecks; i++) {
		const struct ops_dash_check *c = &d->checks[i];

		ops_buf_puts(b, "<div class=\"check\" data-check=\"");
		esc(b, c->name);
		ops_buf_puts(b, "\"><div class=\"top\"><span class=\"name\">");
		esc(b, c->name);
		ops_buf_puts(b, "</span>");
		badge(b, c->state, NULL);
		if (c->since > 0)
			ops_buf_printf(b, "<span class=\"muted\">for %s%s</span>",
			    ops_duration_format(d->now - c->since > 0 ? d->now - c->since : 0,
			    t, sizeof(t)), c->live ? "" : " (recorded)");
		ops_buf_puts(b, "</div><p>");
		esc(b, c->message);
		ops_buf_puts(b, "</p>");
		if (c->context != NULL) {
			/* the lines captured when it failed (ops_context.h) */
			ops_buf_puts(b, "<details class=\"ctx\"><summary>Log context, from ");
			esc(b, c->context_source);
			ops_buf_puts(b, "</summary><pre>");
			esc(b, c->context);
			ops_buf_puts(b, "</pre></details>");
		}
		timeline(b, d, c->name, c->hist);
		ops_buf_puts(b, "<div class=\"axis\"><span>&minus;24 h</span><span>now"
		    "</span></div></div>");
	}
	ops_buf_puts(b, "</section>");
}

static void
alerts(struct ops_buf *b, const struct ops_dashboard *d)
{
	ops_buf_puts(b, "<h2>Recent alerts</h2><section class=\"area\" id=\"alerts\">");
	if (d->alerts.n == 0)
		ops_buf_puts(b, "<p class=\"muted\">none</p>");
	else
		ops_buf_puts(b, "<ul>");
	for (size_t i = d->alerts.n; i-- > 0;) {
		const struct ops_dash_alert *a = &d->alerts.v[i];
		int s = ops_state_parse(a->severity);

		ops_buf_puts(b, "<li><span class=\"muted\">");
		esc(b, a->stamp);
		ops_buf_puts(b, "</span> ");
		if (s >= 0)
			badge(b, (enum ops_state)s, NULL);
		else
			esc(b, a->severity);
		ops_buf_puts(b, " <b>");
		esc(b, a->title);
		ops_buf_puts(b, "</b>");
		if (a->message[0]) {
			ops_buf_puts(b, " &ndash; ");
			esc(b, a->message);
		}
		ops_buf_puts(b, "</li>");
	}
	if (d->alerts.n > 0)
		ops_buf_puts(b, "</ul>");
	ops_buf_puts(b, "</section>");
}

/* Actions taken in 24 h, each linked to the alert before it. */
static void
actions(struct ops_buf *b, const struct ops_dashboard *d)
{
	char t[32];

	ops_buf_puts(b, "<h2>Actions taken</h2><section class=\"area\" id=\"actions\">");
	if (d->actions.n == 0)
		ops_buf_puts(b, "<p class=\"muted\">none in 24 h</p>");
	else
		ops_buf_printf(b, "<p>%lld in 24 h (%lld done)</p><ul>",
		    (long long)d->actions.taken, (long long)d->actions.ok);
	for (size_t i = 0; i < d->actions.n; i++) {
		const struct ops_audit_action *x = &d->actions.v[i];

		ops_buf_puts(b, "<li><span class=\"muted\">");
		esc(b, ops_time_log(x->ts, t, sizeof(t)));
		ops_buf_puts(b, "</span> <b>");
		esc(b, x->what);
		ops_buf_puts(b, "</b> ");
		esc(b, x->outcome);
		if (x->alert[0]) {
			ops_buf_puts(b, ", after alert <a href=\"#alerts\">");
			esc(b, x->alert);
			ops_buf_puts(b, "</a>");
		}
		ops_buf_puts(b, "</li>");
	}
	if (d->actions.n > 0)
		ops_buf_puts(b, "</ul>");
	ops_buf_puts(b, "</section>");
}

void
ops_dashboard_html(struct ops_buf *b, const struct ops_dashboard *d)
{
	char ts[32];

	ops_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta http-equiv=\"refresh\" content=\"10\">"
	    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	    "<title>dharmic-ops: %s</title><style>%s</style></head>\n<body>",
	    ops_state_name(d->state), css);
	ops_buf_printf(b, "<header class=\"s%d\"><h1>DHARMIC-OPS <span id=\"verdict\">%s"
	    "</span></h1><p id=\"summary\">", (int)d->state, ops_state_name(d->state));
	esc(b, d->summary);
	ops_buf_puts(b, "</p><p class=\"meta\">");
	esc(b, d->home);
	ops_buf_printf(b, " &middot; %s", ops_time_log(d->now, ts, sizeof(ts)));
	if (d->history.last_run > 0) {
		char t[32];

		ops_buf_printf(b, " &middot; last health run %s ago",
		    ops_duration_format(d->now - d->history.last_run > 0 ?
		    d->now - d->history.last_run : 0, t, sizeof(t)));
	}
	ops_buf_puts(b, "</p></header>\n");
	if (d->history.stale) {
		char t[32];

		ops_buf_puts(b, "<p class=\"stale\" id=\"stale\" role=\"alert\">STALE: ");
		if (d->history.last_run > 0)
			ops_buf_printf(b, "the last health run was %s ago; is cron running"
			    " ops-health?", ops_duration_format(d->now - d->history.last_run > 0 ?
			    d->now - d->history.last_run : 0, t, sizeof(t)));
		else
			ops_buf_puts(b, "no health run recorded; is cron running ops-health?");
		ops_buf_puts(b, "</p>\n");
	}
	ops_buf_puts(b, "<main>");
	areas(b, d);
	checks(b, d);
	alerts(b, d);
	actions(b, d);
	ops_buf_printf(b, "<p class=\"muted\">dharmic-ops %s &middot; refreshes every 10 s"
	    "</p></main></body></html>\n", OPS_VERSION);
}
