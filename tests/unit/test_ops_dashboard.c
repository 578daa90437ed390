/* Unit tests for ops_dashboard: escaping, alert lines, slot order and the
 * renderers on a model built by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
		failures++; \
	} \
} while (0)

static void
test_html_escape(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain", "plain" },
		{ "<script>", "&lt;script&gt;" },
		{ "a & b", "a &amp; b" },
		{ "\"q\" 'a'", "&quot;q&quot; &#39;a&#39;" },
		{ "esc\033[31m", "esc?[31m" },
		/* through ops_sanitize: invalid UTF-8, C1 CSI, a bidi override */
		{ "bad\xff\xfe<", "bad\xef\xbf\xbd\xef\xbf\xbd&lt;" },
		{ "c1\xc2\x9b" "2J", "c1?2J" },
		{ "rtl\xe2\x80\xaex", "rtl?x" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_buf b = OPS_BUF_INIT;

		ops_html_escape(&b, cases[i].in);
		CHECK(strcmp(ops_buf_str(&b), cases[i].out) == 0);
		ops_buf_release(&b);
	}
}

static void
test_prom_escape(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "disk", "disk" },
		{ "a\"b", "a\\\"b" },
		{ "back\\slash", "back\\\\slash" },
		{ "two\nlines", "two\\nlines" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_buf b = OPS_BUF_INIT;

		ops_prom_escape_label(&b, cases[i].in);
		CHECK(strcmp(ops_buf_str(&b), cases[i].out) == 0);
		ops_buf_release(&b);
	}
}

static void
test_alert_parse(void)
{
	static const struct {
		const char *line;
		int ok;
		const char *sev, *title, *msg;
	} cases[] = {
		{ "[2026-02-02 23:17:21] [CRITICAL] Daemon Down - pid 4242 gone", 0,
		  "CRITICAL", "Daemon Down", "pid 4242 gone" },
		{ "[2026-02-02 23:17:21] [WARNING] Disk Low - 4 GB free - soon less", 0,
		  "WARNING", "Disk Low", "4 GB free - soon less" },
		{ "[2026-02-02 23:17:21] [INFO] Resolved", 0, "INFO", "Resolved", "" },
		{ "[2026-02-02 23:17:21] [] Empty", -1, NULL, NULL, NULL },
		{ "[2026-13-02 23:17:21] [INFO] bad month", -1, NULL, NULL, NULL },
		{ "2026-02-02 23:17:21 [INFO] no bracket", -1, NULL, NULL, NULL },
		{ "[2026-02-02 23:17:21] [INFO", -1, NULL, NULL, NULL },
		{ "", -1, NULL, NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ops_dash_alert a;
		int rc = ops_dash_parse_alert(cases[i].line, &a);

		CHECK(rc == cases[i].ok);
		if (rc == 0 && cases[i].ok == 0) {
			CHECK(strcmp(a.severity, cases[i].sev) == 0);
			CHECK(strcmp(a.title, cases[i].title) == 0);
			CHECK(strcmp(a.message, cases[i].msg) == 0);
			CHECK(strcmp(a.stamp, "2026-02-02 23:17:21") == 0);
			CHECK(a.ts > 1.7e9);
		}
		if (rc == 0) {
			free(a.title);
			free(a.message);
		}
	}
}

static void
test_slot_worst(void)
{
	CHECK(ops_dash_slot_worst(-1, OPS_OK) == OPS_OK);
	CHECK(ops_dash_slot_worst(OPS_OK, -1) == OPS_OK);
	CHECK(ops_dash_slot_worst(-1, -1) == -1);
	CHECK(ops_dash_slot_worst(OPS_UNKNOWN, OPS_OK) == OPS_UNKNOWN);
	CHECK(ops_dash_slot_worst(OPS_UNKNOWN, OPS_WARNING) == OPS_WARNING);
	CHECK(ops_dash_slot_worst(OPS_CRITICAL, OPS_WARNING) == OPS_CRITICAL);
	CHECK(ops_dash_slot_worst(OPS_WARNING, OPS_CRITICAL) == OPS_CRITICAL);
}

/* A model by hand, as gather would leave it. */
static void
model(struct ops_dashboard *d)
{
	static const char *const names[] = { "daemon", "disk", "evil\033[2J<b>" };

	memset(d, 0, sizeof(*d));
	d->now = 1770000000;
	d->home = strdup("/home/agent");
	d->state = OPS_WARNING;
	d->summary = strdup("disk: 3 GiB free (2/3 checks ok)");
	d->daemon.running = 1;
	d->daemon.pid = 4242;
	d->daemon.start = d->now - 3600;
	d->agent.interval = 3600;
	d->history.available = 1;
	d->history.slot = 900;
	d->history.from = d->now - 86400;
	memset(d->history.overall, -1, sizeof(d->history.overall));
	d->checks = calloc(3, sizeof(*d->checks));
	d->nchecks = 3;
	for (size_t i = 0; i < 3; i++) {
		d->checks[i].name = strdup(names[i]);
		d->checks[i].message = strdup(i == 2 ? "<i>x</i>\033[31m" : "fine");
		d->checks[i].state = i == 1 ? OPS_WARNING : OPS_OK;
		memset(d->checks[i].hist, -1, sizeof(d->checks[i].hist));
		d->checks[i].hist[OPS_DASH_SLOTS - 1] = (signed char)d->checks[i].state;
	}
	d->checks[1].hist[0] = OPS_CRITICAL;
}

static void
test_renderers(void)
{
	struct ops_dashboard d;
	struct ops_dash_style plain = { 0, 0, 80, 0 }, narrow = { 1, 1, 40, 5 };
	struct ops_buf b = OPS_BUF_INIT;
	const char *s, *line;
	int lines = 0;

	model(&d);
	ops_dashboard_text(&b, &d, &plain);
	s = ops_buf_str(&b);
	CHECK(strncmp(s, "DHARMIC-OPS WARNING - disk: 3 GiB free", 38) == 0);
	CHECK(strchr(s, '\033') == NULL);		/* no colour, and escapes drawn as '?' */
	CHECK(strstr(s, "running, pid 4242, up 1h 0m") != NULL);
	CHECK(strstr(s, "disk      WARNING  #") != NULL);	/* ASCII sparkline, worst first */
	for (line = s; *line; line = strchr(line, '\n') + 1) {
		CHECK(strchr(line, '\n') != NULL);
		CHECK(strchr(line, '\n') - line <= 80);
	}
	ops_buf_reset(&b);

	/* The width and height are honoured even with colour and UTF-8. */
	ops_dashboard_text(&b, &d, &narrow);
	for (s = ops_buf_str(&b); *s; s++)
		lines += *s == '\n';
	CHECK(lines == 5);
	ops_buf_reset(&b);

	ops_dashboard_html(&b, &d);
	s = ops_buf_str(&b);
	CHECK(strstr(s, "<meta http-equiv=\"refresh\" content=\"10\">") != NULL);
	CHECK(strstr(s, "evil?[2J&lt;b&gt;") != NULL);
	CHECK(strstr(s, "&lt;i&gt;x&lt;/i&gt;") != NULL);
	CHECK(strstr(s, "<b>") == NULL && strstr(s, "<i>") == NULL);
	CHECK(strstr(s, "data-running=\"true\"") != NULL);
	ops_buf_reset(&b);

	CHECK(ops_dashboard_json(&b, &d) == 0);
	CHECK(strstr(ops_buf_str(&b), "\"state\":\"WARNING\"") != NULL);
	ops_buf_reset(&b);

	ops_dashboard_prom(&b, &d);
	s = ops_buf_str(&b);
	CHECK(strstr(s, "\ndharmic_up 1\n") != NULL);
	CHECK(strstr(s, "\ndharmic_check_state{check=\"disk\"} 1\n") != NULL);
	CHECK(strstr(s, "\ndharmic_daemon_uptime_seconds 3600\n") != NULL);
	CHECK(strstr(s, "# TYPE dharmic_health_state gauge\ndharmic_health_state 1\n") != NULL);
	CHECK(strstr(s, "dharmic_heartbeat_age_seconds") == NULL); /* no status file */
	ops_buf_release(&b);
	ops_dashboard_release(&d);
	ops_dashboard_release(NULL);
}

/* A narrow terminal loses the oldest history, never the newest: the
 * sparkline keeps its last columns and the "now" label. */
static void
test_narrow_history(void)
{
	struct ops_dashboard d;
	struct ops_dash_style w60 = { 0, 0, 60, 0 }, w80 = { 0, 0, 80, 0 };
	struct ops_buf b = OPS_BUF_INIT;
	const char *s, *disk, *scale;

	model(&d);
	ops_dashboard_text(&b, &d, &w60);
	s = ops_buf_str(&b);
	scale = strstr(s, "\n                   -20.5h");
	disk = scale ? strstr(scale, "\ndisk      WARNING  ") : NULL;	/* its sparkline */
	CHECK(disk != NULL && scale != NULL);
	if (disk != NULL && scale != NULL) {
		disk++;
		scale++;
		/* 41 columns: the newest slot (WARNING, '=') is the last one,
		 * the oldest (CRITICAL, '#') is gone */
		CHECK(strcspn(disk, "\n") == 60);
		CHECK(disk[59] == '=');
		CHECK(memchr(disk, '#', strcspn(disk, "\n")) == NULL);
		CHECK(strncmp(scale + 57, "now\n", 4) == 0);
	}
	ops_buf_reset(&b);
	ops_dashboard_text(&b, &d, &w80);
	s = ops_buf_str(&b);
	CHECK(strstr(s, "\n                   -24h") != NULL);
	CHECK(strstr(s, "now since\n") != NULL);
	disk = strstr(s, "\ndisk      WARNING  #");	/* all 48 columns, oldest first */
	CHECK(disk != NULL && disk[1 + 19 + 47] == '=');
	ops_buf_release(&b);
	ops_dashboard_release(&d);
}

/* A database never checked is absent from integrity_ok: a 0 would page
 * someone about a corruption nobody found. */
static void
test_prom_unchecked(void)
{
	struct ops_dashboard d;
	struct ops_buf b = OPS_BUF_INIT;
	const char *s;

	model(&d);
	d.memory.v = calloc(3, sizeof(*d.memory.v));
	d.memory.n = 3;
	d.memory.v[0].name = strdup("memory/good.db");
	d.memory.v[0].result = strdup("ok");
	d.memory.v[0].checked = d.now - 60;
	d.memory.v[1].name = strdup("memory/never.db");
	d.memory.v[2].name = strdup("memory/bad.db");
	d.memory.v[2].result = strdup("*** in database main ***");
	d.memory.v[2].checked = d.now - 60;
	ops_dashboard_prom(&b, &d);
	s = ops_buf_str(&b);
	CHECK(strstr(s, "dharmic_database_integrity_ok{db=\"good.db\"} 1\n") != NULL);
	CHECK(strstr(s, "dharmic_database_integrity_ok{db=\"bad.db\"} 0\n") != NULL);
	CHECK(strstr(s, "dharmic_database_integrity_ok{db=\"never.db\"}") == NULL);
	CHECK(strstr(s, "dharmic_database_bytes{db=\"never.db\"} 0\n") != NULL);
	ops_buf_reset(&b);
	/* none checked: no family at all */
	free(d.memory.v[0].result);
	free(d.memory.v[2].result);
	d.memory.v[0].result = d.memory.v[2].result = NULL;
	ops_dashboard_prom(&b, &d);
	CHECK(strstr(ops_buf_str(&b), "integrity_ok") == NULL);
	ops_buf_release(&b);
	ops_dashboard_release(&d);
}

int
main(void)
{
	test_prom_unchecked();
	test_narrow_history();
	test_html_escape();
	test_prom_escape();
	test_alert_parse();
	test_slot_worst();
	test_renderers();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	puts("test_ops_dashboard: ok");
	return 0;
}
