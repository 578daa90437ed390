/* ops_dashboard: the areas of the short form and the check lookup, which
 * every renderer (text, HTML, JSON) reads from the model. */
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
	/* The bad day's questions: is there a good one, was it drilled,
	 * is a copy elsewhere. */
	if (d->backups.good[0] == '\0')
		cat(a->text, sizeof(a->text), "; no good archive");
	else if (d->backups.good_ts != d->backups.latest_ts)
		cat(a->text, sizeof(a->text), "; newest good %s ago",
		    ago(d, d->backups.good_ts, t1, sizeof(t1)));
	if (d->backups.drill_ts > 0)
		cat(a->text, sizeof(a->text), "; drill %s ago%s",
		    ago(d, d->backups.drill_ts, t1, sizeof(t1)),
		    d->backups.drill_ok ? "" : " FAILED");
	else
		cat(a->text, sizeof(a->text), "; no drill yet");
	if (d->backups.offsite_on && d->backups.offsite[0])
		cat(a->text, sizeof(a->text), "; offsite %s ago%s",
		    ago(d, d->backups.offsite_ts, t1, sizeof(t1)),
		    d->backups.offsite_failures > 0 ? " (failing)" : "");
	else if (d->backups.offsite_on)
		cat(a->text, sizeof(a->text), "; no offsite copy");
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
