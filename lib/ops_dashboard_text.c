/* ops_dashboard: the terminal page and the short status. Depends on the
 * model (ops_dashboard.c, ops_dashboard_areas.c); nothing depends on it
 * but ops_dashboard_status, which lives here for that reason. */
#include "ops_dashboard.h"

#include <errno.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ops_sanitize.h"
#include "ops_time.h"
#include "ops_units.h"

static const char *
ago(const struct ops_dashboard *d, double t, char *buf, size_t len)
{
	double a = d->now - t;

	return ops_duration_format(a < 0 ? 0 : a, buf, len);
}

void
ops_dash_style_for(struct ops_dash_style *st, int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	const char *cs = nl_langinfo(CODESET);
	struct winsize ws;
	int tty = isatty(fd);

	memset(st, 0, sizeof(*st));
	st->color = tty && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
	st->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	if (tty && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		st->width = ws.ws_col;
		st->height = ws.ws_row;
	}
}

/* ---- drawing ----------------------------------------------------------- */

struct pen {
	struct ops_buf *b;
	const struct ops_dash_style *s;
	int width, col, lines;
};

static const char *
sgr(enum ops_state s)
{
	switch (s) {
	case OPS_OK: return "32";
	case OPS_WARNING: return "33";
	case OPS_CRITICAL: return "1;31";
	default: return "35";
	}
}

static int
full(const struct pen *p)
{
	return p->s->height > 0 && p->lines >= p->s->height;
}

/* Text clipped to the width, a cut marked with an ellipsis ("~" without
 * UTF-8); control characters (a plugin's output may hold escape
 * sequences) are drawn as '?'. A character counts one column. */
static void
put(struct pen *p, const char *color, const char *s)
{
	int colored = 0;

	if (full(p))
		return;
	while (*s && p->col < p->width) {
		unsigned char ch = (unsigned char)*s;
		size_t n;
		uint32_t cp = 0;

		/* The sanitiser's rules, a character at a time: invalid UTF-8,
		 * C1 controls and bidi overrides are drawn as '?' too. */
		n = ops_utf8_char(s, strlen(s), &cp);
		if (n == 0)
			n = 1, ch = 0x7f;
		else if (ops_san_is_control(cp, OPS_SAN_LINE))
			ch = 0x7f;
		if (!colored && color && p->s->color) {
			ops_buf_printf(p->b, "\033[%sm", color);
			colored = 1;
		}
		if (p->col == p->width - 1 && s[n] != '\0')
			ops_buf_puts(p->b, p->s->utf8 ? "\u2026" : "~");
		else if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && !p->s->utf8))
			ops_buf_puts(p->b, "?");
		else
			ops_buf_add(p->b, s, n);
		p->col++;
		s += n;
	}
	if (colored)
		ops_buf_puts(p->b, "\033[0m");
}

static void
putf(struct pen *p, const char *color, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
putf(struct pen *p, const char *color, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(p, color, buf);
}

static void
pad(struct pen *p, int to)
{
	if (full(p))
		return;
	while (p->col < to && p->col < p->width) {
		ops_buf_puts(p->b, " ");
		p->col++;
	}
}

static void
endl(struct pen *p)
{
	if (full(p))
		return;
	ops_buf_puts(p->b, "\n");
	p->col = 0;
	p->lines++;
}

static void
verdict_line(struct pen *p, const struct ops_dashboard *d, int clock)
{
	char ts[32];
	int right;

	put(p, "1", "DHARMIC-OPS ");
	put(p, sgr(d->state), ops_state_name(d->state));
	put(p, NULL, " - ");
	ops_time_log(d->now, ts, sizeof(ts));
	ts[16] = '\0';	/* to the minute */
	right = clock ? p->width - 17 : p->width;
	if (clock) {
		struct pen q = *p;

		q.width = right - 1;
		put(&q, NULL, d->summary);
		p->col = q.col;
		pad(p, right);
		put(p, NULL, ts);
	} else {
		put(p, NULL, d->summary);
	}
	endl(p);
}

static void
areas(struct pen *p, const struct ops_dashboard *d)
{
	struct ops_dash_area a[OPS_DASH_AREAS];
	size_t n = ops_dashboard_areas(d, a, OPS_DASH_AREAS);

	for (size_t i = 0; i < n; i++) {
		put(p, "1", a[i].label);
		pad(p, 10);
		put(p, sgr(a[i].state), ops_state_name(a[i].state));
		pad(p, 19);
		put(p, NULL, a[i].text);
		endl(p);
	}
}

static const char *
spark(const struct pen *p, int state)
{
	static const char *const u[] = { "\u2581", "\u2585", "\u2588", "\u2583" };
	static const char *const a[] = { "_", "=", "#", "?" };

	if (state < 0 || state > 3)
		return p->s->utf8 ? "\u00b7" : ".";
	return p->s->utf8 ? u[state] : a[state];
}

/* How many sparkline columns fit from column 19: 48 (96 slots, the worst
 * of each pair, 30 minutes a column) when there is room, else fewer. */
static int
spark_cols(const struct pen *p)
{
	int room = p->width - 19;

	return room >= OPS_DASH_SLOTS / 2 ? OPS_DASH_SLOTS / 2 : room > 0 ? room : 0;
}

/* The newest n columns: a narrow terminal loses the oldest history, never
 * the latest. */
static void
sparkline(struct pen *p, const signed char *hist, int n)
{
	int prev = -2;

	if (full(p))
		return;
	for (int i = OPS_DASH_SLOTS / 2 - n; i < OPS_DASH_SLOTS / 2 && p->col < p->width;
	    i++) {
		int s = ops_dash_slot_worst(hist[2 * i], hist[2 * i + 1]);
		int k = s < 0 ? 4 : s;

		if (p->s->color && k != prev) {
			if (prev >= 0)
				ops_buf_puts(p->b, "\033[0m");
			if (s >= 0)
				ops_buf_printf(p->b, "\033[%sm", sgr((enum ops_state)s));
			else
				ops_buf_puts(p->b, "\033[2m");
			prev = k;
		}
		ops_buf_puts(p->b, spark(p, s));
		p->col++;
	}
	if (p->s->color && prev != -2)
		ops_buf_puts(p->b, "\033[0m");
}

static void
history(struct pen *p, const struct ops_dashboard *d)
{
	char t[32];
	int n = spark_cols(p);

	put(p, "1", "history");
	pad(p, 10);
	if (!d->history.available) {
		put(p, NULL, "no state database yet (ops-health records it)");
		endl(p);
		return;
	}
	if (d->history.last_run > 0)
		putf(p, NULL, "%zu run%s in 24 h, last %s ago", d->history.runs,
		    d->history.runs == 1 ? "" : "s", ago(d, d->history.last_run, t, sizeof(t)));
	else
		put(p, NULL, "no runs recorded");
	endl(p);
	/* the scale: how far back the line reaches, and "now" over its end */
	pad(p, 19);
	if (n >= 10) {
		char back[16];

		snprintf(back, sizeof(back), n % 2 ? "-%d.5h" : "-%dh", n / 2);
		put(p, "2", back);
	}
	if (n >= 3) {
		pad(p, 19 + n - 3);
		put(p, "2", "now");
	}
	if (n == OPS_DASH_SLOTS / 2)
		put(p, NULL, " since");
	endl(p);
	for (size_t i = 0; i < d->nchecks; i++) {
		const struct ops_dash_check *c = &d->checks[i];

		if (full(p))
			return;
		putf(p, NULL, "%.9s", c->name);
		pad(p, 10);
		put(p, sgr(c->state), ops_state_name(c->state));
		pad(p, 19);
		sparkline(p, c->hist, n);
		if (c->since > 0)
			putf(p, NULL, " %s", ago(d, c->since, t, sizeof(t)));
		endl(p);
	}
}

static void
alerts(struct pen *p, const struct ops_dashboard *d)
{
	put(p, "1", "alerts");
	pad(p, 10);
	if (d->alerts.n == 0) {
		put(p, NULL, "none");
		endl(p);
		return;
	}
	/* Newest first: the most useful line survives a short terminal. */
	for (size_t i = d->alerts.n; i-- > 0;) {
		const struct ops_dash_alert *a = &d->alerts.v[i];
		int s = ops_state_parse(a->severity);

		pad(p, 10);
		putf(p, NULL, "%.11s ", a->stamp + 5);
		put(p, s >= 0 ? sgr((enum ops_state)s) : NULL, a->severity);
		putf(p, NULL, " %s%s%s", a->title, a->message[0] ? " - " : "", a->message);
		endl(p);
	}
}

/* One action taken: what, outcome, and the alert that preceded it. */
static void
action(struct pen *p, const struct ops_dashboard *d, const struct ops_audit_action *x)
{
	char t[32];

	putf(p, NULL, "%s %s %s ago", x->what, x->outcome, ago(d, x->ts, t, sizeof(t)));
	if (x->alert[0])
		putf(p, NULL, ", after alert %s", x->alert);
}

static void
actions(struct pen *p, const struct ops_dashboard *d)
{
	put(p, "1", "actions");
	pad(p, 10);
	if (d->actions.n == 0) {
		put(p, NULL, "none in 24 h");
		endl(p);
		return;
	}
	putf(p, NULL, "%lld in 24 h (%lld done)", (long long)d->actions.taken,
	    (long long)d->actions.ok);
	endl(p);
	for (size_t i = 0; i < d->actions.n; i++) {
		pad(p, 10);
		action(p, d, &d->actions.v[i]);
		endl(p);
	}
}

static void
setup(struct pen *p, struct ops_buf *b, const struct ops_dash_style *s)
{
	p->b = b;
	p->s = s;
	p->width = s->width > 0 && s->width < 80 ? s->width : 80;
	p->col = 0;
	p->lines = 0;
}

void
ops_dashboard_text(struct ops_buf *b, const struct ops_dashboard *d,
    const struct ops_dash_style *s)
{
	struct pen p;

	setup(&p, b, s);
	verdict_line(&p, d, 1);
	put(&p, "2", "home");
	pad(&p, 10);
	put(&p, "2", d->home);
	endl(&p);
	areas(&p, d);
	history(&p, d);
	alerts(&p, d);
	actions(&p, d);
}

void
ops_dashboard_status_text(struct ops_buf *b, const struct ops_dashboard *d,
    const struct ops_dash_style *s)
{
	struct pen p;
	char t[32];

	setup(&p, b, s);
	verdict_line(&p, d, 0);
	areas(&p, d);
	put(&p, "1", "history");
	pad(&p, 10);
	if (d->history.last_run > 0)
		putf(&p, NULL, "%zu run%s in 24 h, last %s ago", d->history.runs,
		    d->history.runs == 1 ? "" : "s", ago(d, d->history.last_run, t, sizeof(t)));
	else
		put(&p, NULL, "no runs recorded");
	endl(&p);
	put(&p, "1", "alerts");
	pad(&p, 10);
	if (d->alerts.n == 0) {
		put(&p, NULL, "none");
	} else {
		const struct ops_dash_alert *a = &d->alerts.v[d->alerts.n - 1];

		putf(&p, NULL, "last %s ago: [%s] %s%s%s", ago(d, a->ts, t, sizeof(t)),
		    a->severity, a->title, a->message[0] ? " - " : "", a->message);
	}
	endl(&p);
	put(&p, "1", "actions");
	pad(&p, 10);
	if (d->actions.n == 0) {
		put(&p, NULL, "none in 24 h");
	} else {
		putf(&p, NULL, "%lld in 24 h (%lld done); last: ", (long long)d->actions.taken,
		    (long long)d->actions.ok);
		action(&p, d, &d->actions.v[0]);
	}
	endl(&p);
}

int
ops_dashboard_status(const struct ops_config *cfg, const struct ops_dash_style *s,
    struct ops_buf *out, struct ops_err *err)
{
	struct ops_dashboard d;
	int rc = -1;

	memset(&d, 0, sizeof(d));
	if (ops_dashboard_gather(cfg, &d, err) < 0)
		goto out;
	ops_dashboard_status_text(out, &d, s);
	if (out->oom) {
		ops_err_sys(err, ENOMEM, "unable to gather the dashboard");
		goto out;
	}
	rc = 0;
out:
	ops_dashboard_release(&d);
	return rc;
}
