/* ops_dashboard: JSON and Prometheus text exposition format 0.0.4.
 * The keys and metric names are documented in ops-dashboard(1): add, never
 * rename. */
#include "ops_dashboard.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_sanitize.h"
#include "ops_time.h"

/* ---- JSON -------------------------------------------------------------- */

static void
add_time(cJSON *o, const char *k, double t)
{
	if (t > 0) {
		char buf[64];

		cJSON_AddStringToObject(o, k, ops_time_iso(t, buf, sizeof(buf)));
	} else
		cJSON_AddNullToObject(o, k);
}

static void
add_str(cJSON *o, const char *k, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void
add_state(cJSON *o, const struct ops_dashboard *d, const char *check)
{
	const struct ops_dash_check *c = ops_dashboard_check(d, check);

	cJSON_AddStringToObject(o, "state", ops_state_name(c ? c->state : OPS_UNKNOWN));
}

static void
add_hist(cJSON *o, const char *k, const signed char *h)
{
	cJSON *a = cJSON_AddArrayToObject(o, k);

	for (int i = 0; a && i < OPS_DASH_SLOTS; i++)
		cJSON_AddItemToArray(a, h[i] < 0 ? cJSON_CreateNull() :
		    cJSON_CreateNumber(h[i]));
}

/* The agent's own daemon_status.json fields, as it wrote them. */
static void
add_agent_fields(cJSON *root, const struct ops_dashboard *d)
{
	static const char *const keys[] = {
		"status", "timestamp", "pid", "heartbeat_interval", "details",
	};
	cJSON *f;

	if (!d->agent.present || (f = cJSON_Parse(d->agent.raw)) == NULL)
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(f, keys[i]);

		if (v != NULL)
			cJSON_AddItemToObject(root, keys[i], v);
	}
	cJSON_Delete(f);
}

static void
json_daemon(cJSON *root, const struct ops_dashboard *d)
{
	cJSON *o = cJSON_AddObjectToObject(root, "daemon");
	cJSON *h = cJSON_AddObjectToObject(root, "heartbeat");
	const struct ops_agent_status *st = &d->agent.st;

	if (o == NULL || h == NULL)
		return;
	add_state(o, d, "daemon");
	cJSON_AddBoolToObject(o, "running", d->daemon.running);
	if (d->daemon.pid > 0)
		cJSON_AddNumberToObject(o, "pid", (double)d->daemon.pid);
	else
		cJSON_AddNullToObject(o, "pid");
	add_time(o, "started", d->daemon.running ? d->daemon.start : 0);
	if (d->daemon.running)
		cJSON_AddNumberToObject(o, "uptime_seconds",
		    floor(fmax(0, d->now - d->daemon.start)));
	else
		cJSON_AddNullToObject(o, "uptime_seconds");
	add_str(o, "reason", d->daemon.reason);
	add_str(o, "cmdline", d->daemon.cmdline);

	add_state(h, d, "heartbeat");
	cJSON_AddBoolToObject(h, "present", d->agent.present);
	add_str(h, "error", d->agent.error);
	add_str(h, "agent_status", d->agent.present && st->status[0] ? st->status : NULL);
	add_time(h, "last", d->agent.present ? st->last_heartbeat : 0);
	if (d->agent.present)
		cJSON_AddNumberToObject(h, "age_seconds", floor(d->agent.age));
	else
		cJSON_AddNullToObject(h, "age_seconds");
	cJSON_AddNumberToObject(h, "interval_seconds", d->agent.interval);
	if (d->agent.present && st->total_checks >= 0) {
		cJSON_AddNumberToObject(h, "checks_passed", st->checks_passed);
		cJSON_AddNumberToObject(h, "total_checks", st->total_checks);
	} else {
		cJSON_AddNullToObject(h, "checks_passed");
		cJSON_AddNullToObject(h, "total_checks");
	}
}

static void
json_memory(cJSON *root, const struct ops_dashboard *d)
{
	cJSON *o = cJSON_AddObjectToObject(root, "memory"), *a;

	if (o == NULL)
		return;
	add_state(o, d, "integrity");
	cJSON_AddNumberToObject(o, "database_count", (double)d->memory.n);
	cJSON_AddNumberToObject(o, "database_bytes", (double)d->memory.bytes);
	cJSON_AddNumberToObject(o, "jsonl_files", (double)d->memory.jsonl_files);
	cJSON_AddNumberToObject(o, "jsonl_bytes", (double)d->memory.jsonl_bytes);
	a = cJSON_AddArrayToObject(o, "databases");
	for (size_t k = 0; a && k < d->memory.n; k++) {
		const struct ops_dash_db *m = &d->memory.v[k];
		cJSON *x, *i;

		if ((x = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(a, x))
			return;
		cJSON_AddStringToObject(x, "name", m->name);
		cJSON_AddNumberToObject(x, "bytes", (double)m->bytes);
		if (m->result == NULL) {
			cJSON_AddNullToObject(x, "integrity");
			continue;
		}
		if ((i = cJSON_AddObjectToObject(x, "integrity")) == NULL)
			return;
		cJSON_AddStringToObject(i, "result", m->result);
		add_str(i, "mode", m->mode);
		add_time(i, "checked", m->checked);
		cJSON_AddBoolToObject(i, "changed_since", m->changed);
	}
}

static void
json_areas(cJSON *root, const struct ops_dashboard *d)
{
	cJSON *e = cJSON_AddObjectToObject(root, "email");
	cJSON *k = cJSON_AddObjectToObject(root, "disk");
	cJSON *l = cJSON_AddObjectToObject(root, "logs");
	cJSON *b = cJSON_AddObjectToObject(root, "backups");
	cJSON *a = cJSON_AddArrayToObject(root, "alerts");

	if (e == NULL || k == NULL || l == NULL || b == NULL || a == NULL)
		return;
	add_state(e, d, "email");
	add_str(e, "log", d->email.log);
	add_time(e, "last_activity", d->email.last_activity);
	if (d->email.errors >= 0)
		cJSON_AddNumberToObject(e, "errors", (double)d->email.errors);
	else
		cJSON_AddNullToObject(e, "errors");
	cJSON_AddNumberToObject(e, "window_lines", (double)d->email.window);

	add_state(k, d, "disk");
	if (d->disk.known) {
		cJSON_AddNumberToObject(k, "free_bytes", (double)d->disk.free);
		cJSON_AddNumberToObject(k, "total_bytes", (double)d->disk.total);
	} else {
		cJSON_AddNullToObject(k, "free_bytes");
		cJSON_AddNullToObject(k, "total_bytes");
	}
	cJSON_AddNumberToObject(l, "files", (double)d->logs.files);
	cJSON_AddNumberToObject(l, "bytes", (double)d->logs.bytes);

	add_state(b, d, "backup");
	cJSON_AddNumberToObject(b, "count", (double)d->backups.count);
	cJSON_AddNumberToObject(b, "bytes", (double)d->backups.bytes);
	add_str(b, "latest", d->backups.latest);
	add_str(b, "latest_path", d->backups.latest_path);
	add_time(b, "latest_time", d->backups.latest ? d->backups.latest_ts : 0);
	if (d->backups.latest) {
		cJSON_AddNumberToObject(b, "latest_age_seconds",
		    floor(fmax(0, d->now - d->backups.latest_ts)));
		cJSON_AddNumberToObject(b, "latest_bytes", (double)d->backups.latest_bytes);
	} else {
		cJSON_AddNullToObject(b, "latest_age_seconds");
		cJSON_AddNullToObject(b, "latest_bytes");
	}
	add_time(b, "verified", d->backups.verified);
	add_str(b, "good", d->backups.good[0] ? d->backups.good : NULL);
	add_time(b, "good_time", d->backups.good[0] ? d->backups.good_ts : 0);
	add_time(b, "drill_time", d->backups.drill_ts);
	if (d->backups.drill_ts > 0)
		cJSON_AddBoolToObject(b, "drill_ok", d->backups.drill_ok);
	else
		cJSON_AddNullToObject(b, "drill_ok");
	add_str(b, "offsite", d->backups.offsite[0] ? d->backups.offsite : NULL);
	add_time(b, "offsite_time", d->backups.offsite[0] ? d->backups.offsite_ts : 0);
	add_time(b, "offsite_copied", d->backups.offsite[0] ? d->backups.offsite_copied : 0);
	cJSON_AddNumberToObject(b, "offsite_failures", (double)d->backups.offsite_failures);

	for (size_t i = 0; i < d->alerts.n; i++) {
		const struct ops_dash_alert *al = &d->alerts.v[i];
		cJSON *x;

		if ((x = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(a, x))
			return;
		add_time(x, "time", al->ts);
		cJSON_AddStringToObject(x, "severity", al->severity);
		cJSON_AddStringToObject(x, "title", al->title);
		cJSON_AddStringToObject(x, "message", al->message);
	}
	/* actions taken in 24 h, newest first, each with the alert before it */
	cJSON *acts = cJSON_AddArrayToObject(root, "actions");

	for (size_t i = 0; acts && i < d->actions.n; i++) {
		const struct ops_audit_action *y = &d->actions.v[i];
		cJSON *x;

		if ((x = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(acts, x))
			return;
		add_time(x, "time", y->ts);
		cJSON_AddStringToObject(x, "what", y->what);
		cJSON_AddStringToObject(x, "outcome", y->outcome);
		add_str(x, "alert", y->alert[0] ? y->alert : NULL);
		add_time(x, "alert_time", y->alert[0] ? y->alert_ts : 0);
	}
}

static void
json_history(cJSON *root, const struct ops_dashboard *d)
{
	cJSON *h = cJSON_AddObjectToObject(root, "history");
	cJSON *a = cJSON_AddArrayToObject(root, "checks");

	if (h == NULL || a == NULL)
		return;
	cJSON_AddBoolToObject(h, "available", d->history.available);
	add_time(h, "from", d->history.from);
	add_time(h, "to", d->history.from + OPS_DASH_SLOTS * d->history.slot);
	cJSON_AddNumberToObject(h, "slot_seconds", d->history.slot);
	cJSON_AddNumberToObject(h, "runs", (double)d->history.runs);
	add_time(h, "last_run", d->history.last_run);
	cJSON_AddBoolToObject(h, "stale", d->history.stale);
	add_hist(h, "overall", d->history.overall);
	for (size_t i = 0; i < d->nchecks; i++) {
		const struct ops_dash_check *c = &d->checks[i];
		cJSON *x;

		if ((x = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(a, x))
			return;
		cJSON_AddStringToObject(x, "name", c->name);
		cJSON_AddStringToObject(x, "state", ops_state_name(c->state));
		cJSON_AddNumberToObject(x, "code", c->state);
		add_str(x, "message", c->message);
		add_time(x, "since", c->since);
		add_time(x, "checked", c->checked);
		cJSON_AddStringToObject(x, "source", c->live ? "live" : "recorded");
		add_hist(x, "history", c->hist);
		if (c->context != NULL) {
			cJSON *ctx = cJSON_AddObjectToObject(x, "context"), *lines;
			const char *p = c->context, *nl;

			if (ctx == NULL)
				return;
			add_str(ctx, "source", c->context_source);
			if ((lines = cJSON_AddArrayToObject(ctx, "lines")) == NULL)
				return;
			for (; *p != '\0'; p = nl ? nl + 1 : p + strlen(p)) {
				char *line;

				nl = strchr(p, '\n');
				line = strndup(p, nl ? (size_t)(nl - p) : strlen(p));
				if (line == NULL)
					return;
				cJSON_AddItemToArray(lines, cJSON_CreateString(line));
				free(line);
			}
		}
	}
}

int
ops_dashboard_json(struct ops_buf *b, const struct ops_dashboard *d)
{
	cJSON *root = cJSON_CreateObject();
	char *text = NULL;
	int rc = -1;

	if (root == NULL)
		return -1;
	cJSON_AddNumberToObject(root, "version", 1);
	add_time(root, "generated", d->now);
	add_str(root, "home", d->home);
	cJSON_AddStringToObject(root, "state", ops_state_name(d->state));
	cJSON_AddNumberToObject(root, "code", d->state);
	add_str(root, "summary", d->summary);
	add_agent_fields(root, d);
	json_daemon(root, d);
	json_memory(root, d);
	json_areas(root, d);
	json_history(root, d);
	if ((text = cJSON_PrintUnformatted(root)) == NULL)
		goto out;
	ops_san_puts(b, text, OPS_SAN_JSON);
	ops_buf_puts(b, "\n");
	rc = b->oom ? -1 : 0;
out:
	free(text);
	cJSON_Delete(root);
	return rc;
}

/* ---- Prometheus -------------------------------------------------------- */

void
ops_prom_escape_label(struct ops_buf *b, const char *s)
{
	ops_san_puts(b, s, OPS_SAN_PROM);
}

static void
family(struct ops_buf *b, const char *name, const char *help)
{
	ops_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void
value(struct ops_buf *b, double v)
{
	if (isnan(v))
		ops_buf_puts(b, " NaN\n");
	else if (v == floor(v) && fabs(v) < 1e15)
		ops_buf_printf(b, " %.0f\n", v);
	else
		ops_buf_printf(b, " %.17g\n", v);
}

static void
metric(struct ops_buf *b, const char *name, const char *help, double v)
{
	family(b, name, help);
	ops_buf_puts(b, name);
	value(b, v);
}

static void
labelled(struct ops_buf *b, const char *name, const char *label, const char *lv,
    double v)
{
	ops_buf_printf(b, "%s{%s=\"", name, label);
	ops_prom_escape_label(b, lv);
	ops_buf_puts(b, "\"}");
	value(b, v);
}

static void
prom_checks(struct ops_buf *b, const struct ops_dashboard *d)
{
	int any = 0;

	family(b, "dharmic_check_state",
	    "State of each health check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
	for (size_t i = 0; i < d->nchecks; i++)
		labelled(b, "dharmic_check_state", "check", d->checks[i].name,
		    d->checks[i].state);
	for (size_t i = 0; i < d->nchecks; i++) {
		if (d->checks[i].since <= 0)
			continue;
		if (!any++)
			family(b, "dharmic_check_since_timestamp_seconds",
			    "Since when each check has been in its current state.");
		labelled(b, "dharmic_check_since_timestamp_seconds", "check",
		    d->checks[i].name, floor(d->checks[i].since));
	}
}

/* The db label: the file name, as an operator knows it, unless two
 * databases share one; then the path relative to the home. */
static const char *
db_label(const struct ops_dashboard *d, size_t i)
{
	const char *base = strrchr(d->memory.v[i].name, '/');

	base = base ? base + 1 : d->memory.v[i].name;
	for (size_t k = 0; k < d->memory.n; k++) {
		const char *o = strrchr(d->memory.v[k].name, '/');

		if (k != i && strcmp(o ? o + 1 : d->memory.v[k].name, base) == 0)
			return d->memory.v[i].name;
	}
	return base;
}

static void
prom_databases(struct ops_buf *b, const struct ops_dashboard *d)
{
	int any = 0;

	metric(b, "dharmic_databases", "Memory databases found.",
	    (double)d->memory.n);
	if (d->memory.n == 0)
		return;
	family(b, "dharmic_database_bytes", "Size of each memory database with its WAL.");
	for (size_t i = 0; i < d->memory.n; i++)
		labelled(b, "dharmic_database_bytes", "db", db_label(d, i),
		    (double)d->memory.v[i].bytes);
	/* a database never checked has no sample: 0 would read as corrupt */
	for (size_t i = 0; i < d->memory.n; i++) {
		if (d->memory.v[i].result == NULL)
			continue;
		if (!any++)
			family(b, "dharmic_database_integrity_ok",
			    "1 when the last recorded integrity check of the database "
			    "passed, 0 when it failed; absent when never checked.");
		labelled(b, "dharmic_database_integrity_ok", "db", db_label(d, i),
		    strcmp(d->memory.v[i].result, "ok") == 0);
	}
	any = 0;
	for (size_t i = 0; i < d->memory.n; i++) {
		if (d->memory.v[i].checked <= 0)
			continue;
		if (!any++)
			family(b, "dharmic_database_integrity_check_timestamp_seconds",
			    "When the database's integrity was last checked.");
		labelled(b, "dharmic_database_integrity_check_timestamp_seconds", "db",
		    db_label(d, i), floor(d->memory.v[i].checked));
	}
}

void
ops_dashboard_prom(struct ops_buf *b, const struct ops_dashboard *d)
{
	family(b, "dharmic_build_info", "dharmic-ops version; the value is always 1.");
	ops_buf_puts(b, "dharmic_build_info{version=\"");
	ops_prom_escape_label(b, OPS_VERSION);
	ops_buf_puts(b, "\"} 1\n");
	metric(b, "dharmic_dashboard_timestamp_seconds",
	    "When these metrics were gathered.", floor(d->now));
	metric(b, "dharmic_up", "1 when the agent daemon process is running.",
	    d->daemon.running);
	if (d->daemon.running) {
		metric(b, "dharmic_daemon_start_time_seconds",
		    "Start time of the agent process.", floor(d->daemon.start));
		metric(b, "dharmic_daemon_uptime_seconds", "Uptime of the agent process.",
		    floor(fmax(0, d->now - d->daemon.start)));
	}
	if (d->agent.present)
		metric(b, "dharmic_heartbeat_age_seconds",
		    "Seconds since the agent's last heartbeat.", floor(fmax(0, d->agent.age)));
	metric(b, "dharmic_heartbeat_interval_seconds",
	    "The agent's heartbeat interval.", d->agent.interval);
	metric(b, "dharmic_health_state",
	    "Overall verdict: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.", d->state);
	prom_checks(b, d);
	if (d->history.last_run > 0)
		metric(b, "dharmic_health_last_run_timestamp_seconds",
		    "When ops-health last recorded a run.", floor(d->history.last_run));
	metric(b, "dharmic_health_runs", "Health runs recorded in the last 24 hours.",
	    (double)d->history.runs);
	prom_databases(b, d);
	metric(b, "dharmic_jsonl_bytes", "Size of the memory/*.jsonl files.",
	    (double)d->memory.jsonl_bytes);
	if (d->email.errors >= 0)
		metric(b, "dharmic_email_errors",
		    "ERROR lines in the last health.email_window lines of the email log.",
		    (double)d->email.errors);
	if (d->email.last_activity > 0)
		metric(b, "dharmic_email_last_activity_timestamp_seconds",
		    "Last modification of the newest email log.",
		    floor(d->email.last_activity));
	if (d->disk.known) {
		metric(b, "dharmic_disk_free_bytes",
		    "Space available to the agent on the home's filesystem.",
		    (double)d->disk.free);
		metric(b, "dharmic_disk_size_bytes", "Size of the home's filesystem.",
		    (double)d->disk.total);
	}
	metric(b, "dharmic_logs_bytes", "Apparent size of logs/.", (double)d->logs.bytes);
	metric(b, "dharmic_logs_files", "Files under logs/.", (double)d->logs.files);
	if (d->alerts.n > 0)
		metric(b, "dharmic_alert_last_timestamp_seconds",
		    "Time of the last alert in logs/alerts.log.",
		    floor(d->alerts.v[d->alerts.n - 1].ts));
	metric(b, "dharmic_backups", "Backup archives kept.", (double)d->backups.count);
	metric(b, "dharmic_backup_bytes", "Size of all backup archives.",
	    (double)d->backups.bytes);
	if (d->backups.latest) {
		metric(b, "dharmic_backup_last_success_timestamp_seconds",
		    "Creation time of the latest backup archive.",
		    floor(d->backups.latest_ts));
		metric(b, "dharmic_backup_last_size_bytes",
		    "Size of the latest backup archive.", (double)d->backups.latest_bytes);
	}
	if (d->backups.verified > 0)
		metric(b, "dharmic_backup_last_verified_timestamp_seconds",
		    "When a backup was last verified.", floor(d->backups.verified));
	if (d->backups.good[0])
		metric(b, "dharmic_backup_last_good_timestamp_seconds",
		    "Creation time of the newest good (verified) backup archive.",
		    floor(d->backups.good_ts));
	if (d->backups.drill_ts > 0) {
		metric(b, "dharmic_backup_drill_timestamp_seconds",
		    "When the last restore drill (ops-backup verify) ran.",
		    floor(d->backups.drill_ts));
		metric(b, "dharmic_backup_drill_ok",
		    "1 when the last restore drill passed.", d->backups.drill_ok ? 1 : 0);
	}
	if (d->backups.offsite_on) {
		if (d->backups.offsite[0])
			metric(b, "dharmic_backup_offsite_timestamp_seconds",
			    "Creation time of the newest backup archive copied offsite.",
			    floor(d->backups.offsite_ts));
		metric(b, "dharmic_backup_offsite_failures",
		    "Offsite copies failed in a row.", (double)d->backups.offsite_failures);
	}
}
