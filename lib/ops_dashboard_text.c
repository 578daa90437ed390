/* ops_dashboard: the areas, the terminal page and the short status. */
#include "ops_dashboard.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ops_time.h"
#include "ops_units.h"

const struct ops_dash_check *
ops_dashboard_check(const struct ops_dashboard *d, const char *name)
{
	for (size_t i = 0; i < d->nchecks; i++)
		if (strcmp(d->checks[i].name, name) == 0)
			return &d->checks[i];
	return NULL;
}

static enum ops_state
check_state(const struct ops_dashboard *d, const char *name)
{
	const struct ops_dash_check *c = ops_dashboard_check(d, name);

	return c ? c->state : OPS_UNKNOWN;
}

static const char *
ago(const struct ops_dashboard *d, double t, char *buf, size_t len)
{
	double a = d->now - t;

	return ops_duration_format(a < 0 ? 0 : a, buf, len);
}

/* Append to a fixed buffer, silently truncating. */
static void
cat(char *dst, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
cat(char *dst, size_t len, const char *fmt, ...)
{
	size_t n = strlen(dst);
	va_list ap;

	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(dst + n, len - n, fmt, ap);
	va_end(ap);
}

static void
area_daemon(const struct ops_dashboard *d, struct ops_dash_area *a)
{
	if (d->daemon.running) {
		char up[32];

		cat(a->text, sizeof(a->text), "running, pid %ld, up %s", d->daemon.pid,
		    ago(d, d->daemon.start, up, sizeof(up)));
	} else
		cat(a->text, sizeof(a->text), "not running: %s",
		    d->daemon.reason ? d->daemon.reason : "unknown");
}

static void
area_heartbeat(const struct ops_dashboard *d, struct ops_dash_area *a)
{
	const struct ops_agent_status *st = &d->agent.st;
	char t1[32], t2[32];

	if (!d->agent.present) {
		cat(a->text, sizeof(a->text), "status file: %s",
		    d->agent.error ? d->agent.error : "unknown");
		return;
	}
	cat(a->text, sizeof(a->text), "last %s ago, interval %s",
	    ago(d, st->last_heartbeat, t1, sizeof(t1)),
	    ops_duration_format(d->agent.interval, t2, sizeof(t2)));
	if (st->status[0] != '\0')
		cat(a->text, sizeof(a->text), "; agent says %s", st->status);
	if (st->total_checks >= 0 && st->checks_passed >= 0)
		cat(a->text, sizeof(a->text), ", %d/%d checks", st->checks_passed,
		    st->total_checks);
}

static void
area_memory(const struct ops_dashboard *d, struct ops_dash_area *a)
{
	const struct ops_dash_check *c = ops_dashboard_check(d, "integrity");
	char s1[32], s2[32], t[32];

	cat(a->text, sizeof(a->text), "%zu database%s %s, jsonl %s; ", d->memory.n,
	    d->memory.n == 1 ? "" : "s", ops_size_format(d->memory.bytes, s1, sizeof(s1)),
	    ops_size_format(d->memory.jsonl_bytes, s2, sizeof(s2)));
	if (c == NULL || c->checked <= 0)
		cat(a->text, sizeof(a->text), "integrity never checked");
	else if (c->state == OPS_OK)
		cat(a->text, sizeof(a->text), "integrity ok %s ago",
		    ago(d, c->checked, t, sizeof(t)));
	else
		cat(a->text, sizeof(a->text), "integrity %s ago: %s",
		    ago(d, c->checked, t, sizeof(t)), c->message);
}

static void
area_email(const struct ops_dashboard *d, struct ops_dash_area *a)
{
	char t[32];

	if (d->email.log == NULL) {
		cat(a->text, sizeof(a->text), "no email log");
		return;
	}
	if (d->email.errors >= 0)
		cat(a->text, sizeof(a->text), "%lld error%s in the last %lld lines; ",
		    (long long)d->email.errors, d->email.errors == 1 ? "" : "s",
		    (long long)d->email.window);
	cat(a->text, sizeof(a->text), "last activity %s ago",
	    ago(d, d->email.last_activity, t, sizeof(t)));
}

static void
area_disk(const struct ops_dashboard *d, struct ops_dash_area *a)
{
	char l[32];

	if (d->disk.known) {
		char f[32], k[32];

		cat(a->text, sizeof(a->text), "%s free of %s; ",
		    ops_size_format(d->disk.free, f, sizeof(f)),
		    ops_size_format(d->disk.total, k, sizeof(k)));
	}
	cat(a->text, sizeof(a->text), "logs/ %s in %zu files",
	    ops_size_format(d->logs.bytes, l, sizeof(l)), d->logs.files);
}

static void
area_backups(const struct ops_dashboard *d, struct ops_dash_area *a)
{
	char s1[32], s2[32], t1[32];

	if (d->backups.latest == NULL) {
		cat(a->text, sizeof(a->text), "no backups");
		return;
	}
	cat(a->text, sizeof(a->text), "latest %s ago (%s), %zu kept (%s); ",
	    ago(d, d->backups.latest_ts, t1, sizeof(t1)),
	    ops_size_format(d->backups.latest_bytes, s1, sizeof(s1)), d->backups.count,
	    ops_size_format(d->backups.bytes, s2, sizeof(s2)));
	if (d->backups.verified > 0) {
		char t2[32];

		cat(a->text, sizeof(a->text), "verified %s ago",
		    ago(d, d->backups.verified, t2, sizeof(t2)));
	} else
		cat(a->text, sizeof(a->text), "never verified");
}

size_t
ops_dashboard_areas(const struct ops_dashboard *d, struct ops_dash_area *v,
    size_t max)
{
	static const struct {
		const char *label, *check;
		void (*fill)(const struct ops_dashboard *, struct ops_dash_area *);
	} table[OPS_DASH_AREAS] = {
		{ "daemon", "daemon", area_daemon },
		{ "heartbeat", "heartbeat", area_heartbeat },
		{ "memory", "integrity", area_memory },
		{ "email", "email", area_email },
		{ "disk", "disk", area_disk },
		{ "backups", "backup", area_backups },
	};
	size_t n = 0;

	for (; n < max && n < OPS_DASH_AREAS; n++) {
		v[n].label = table[n].label;
		v[n].state = check_state(d, table[n].check);
		v[n].text[0] = '\0';
		table[n].fill(d, &v[n]);
	}
	return n;
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
		size_t n = 1;

		while (ch >= 0x80 && (s[n] & 0xc0) == 0x80)
			n++;
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

/* 48 columns for 96 slots: the worst of each pair. */
static void
sparkline(struct pen *p, const signed char *hist)
{
	int prev = -2;

	if (full(p))
		return;
	for (int i = 0; i < OPS_DASH_SLOTS / 2 && p->col < p->width; i++) {
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
	pad(p, 19);
	put(p, "2", "-24h");
	pad(p, 19 + OPS_DASH_SLOTS / 2 - 3);
	put(p, "2", "now");
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
		sparkline(p, c->hist);
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
}
