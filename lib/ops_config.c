#include "ops_config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_agekey.h"
#include "ops_confine.h"
#include "ops_rclone.h"
#include "ops_fs.h"
#include "ops_sanitize.h"
#include "ops_units.h"

enum kind { K_STR, K_STRV, K_SIZE, K_DUR, K_INT, K_NUM, K_BOOL, K_CHECKS,
	K_ENDPOINTS, K_MODE, K_LOGS, K_MONIT, K_CONTEXT, K_OFFSITE };

struct key {
	const char *section, *name;
	enum kind kind;
	size_t off;
	const char *def;	/* default, in the form the file would use */
};

#define F(field) offsetof(struct ops_config, field)

/* The one table of every key: defaults, parsing and the error messages all
 * come from here, so the man page has one place to be checked against. */
static const struct key keys[] = {
	{ "daemon", "command", K_STRV, F(daemon.command), "python3\ndaemon.py" },
	{ "daemon", "workdir", K_STR, F(daemon.workdir), "." },
	{ "daemon", "pid_file", K_STR, F(daemon.pid_file), "logs/daemon.pid" },
	{ "daemon", "status_file", K_STR, F(daemon.status_file), "logs/daemon_status.json" },
	{ "daemon", "match", K_STR, F(daemon.match), "daemon.py" },
	{ "daemon", "env_file", K_STR, F(daemon.env_file), ".env" },
	{ "daemon", "start_timeout", K_DUR, F(daemon.start_timeout), "10s" },
	{ "daemon", "stop_timeout", K_DUR, F(daemon.stop_timeout), "10s" },
	/* issue 10: the restart policy (ops_restart.h) */
	{ "daemon", "restart_backoff", K_DUR, F(daemon.restart_backoff), "60s" },
	{ "daemon", "restart_burst", K_INT, F(daemon.restart_burst), "3" },
	{ "daemon", "restart_window", K_DUR, F(daemon.restart_window), "1h" },
	{ "daemon", "restart_on_stale", K_BOOL, F(daemon.restart_on_stale), "false" },
	{ "health", "disk_warn", K_SIZE, F(health.disk_warn), "5G" },
	{ "health", "disk_crit", K_SIZE, F(health.disk_crit), "2G" },
	{ "health", "heartbeat_warn", K_NUM, F(health.heartbeat_warn), "2" },
	{ "health", "heartbeat_crit", K_NUM, F(health.heartbeat_crit), "0" },
	{ "health", "databases", K_STRV, F(health.databases), "memory/*.db" },
	{ "health", "integrity", K_STR, F(health.integrity), "quick" },
	{ "health", "email_log", K_STR, F(health.email_log), "logs/email_*.log" },
	{ "health", "email_window", K_INT, F(health.email_window), "100" },
	{ "health", "email_errors", K_INT, F(health.email_errors), "5" },
	{ "health", "restarts_max", K_INT, F(health.restarts_max), "3" },
	{ "health", "restarts_window", K_DUR, F(health.restarts_window), "1h" },
	{ "health", "backup_max_age", K_DUR, F(health.backup_max_age), "26h" },
	{ "health", "timeout", K_DUR, F(health.timeout), "30s" },
	{ "health", "checks", K_CHECKS, F(health.checks), NULL },
	{ "health", "endpoints", K_ENDPOINTS, F(health.endpoints), NULL },
	/* resource checks (ops_procstat.h): the agent's own on by default,
	 * the host's (host_memory, load) when named; [] turns all off */
	{ "health", "resources", K_STRV, F(health.resources), "cpu\nrss\nfds" },
	{ "health", "cpu_warn", K_NUM, F(health.cpu_warn), "80" },
	{ "health", "cpu_crit", K_NUM, F(health.cpu_crit), "95" },
	{ "health", "cpu_for", K_DUR, F(health.cpu_for), "10m" },
	{ "health", "rss_warn", K_SIZE, F(health.rss_warn), "1G" },
	{ "health", "rss_crit", K_SIZE, F(health.rss_crit), "2G" },
	{ "health", "rss_trend_window", K_DUR, F(health.rss_trend_window), "24h" },
	{ "health", "rss_trend_horizon", K_DUR, F(health.rss_trend_horizon), "7d" },
	{ "health", "fds_warn", K_NUM, F(health.fds_warn), "80" },
	{ "health", "fds_crit", K_NUM, F(health.fds_crit), "95" },
	{ "health", "mem_warn", K_NUM, F(health.mem_warn), "10" },
	{ "health", "mem_crit", K_NUM, F(health.mem_crit), "5" },
	{ "health", "swap_warn", K_NUM, F(health.swap_warn), "80" },
	{ "health", "swap_crit", K_NUM, F(health.swap_crit), "95" },
	{ "health", "load_warn", K_NUM, F(health.load_warn), "2" },
	{ "health", "load_crit", K_NUM, F(health.load_crit), "4" },
	{ "health", "logs", K_LOGS, F(health.logs), NULL },
	{ "health", "monit", K_MONIT, F(health.monit), NULL },
	{ "health", "context", K_CONTEXT, F(health.context), NULL },
	{ "backup", "dir", K_STR, F(backup.dir), "backups/memory" },
	{ "backup", "include", K_STRV, F(backup.include),
	  "memory/*.db\nmemory/*.jsonl\nmemory/identity_core.json" },
	{ "backup", "compression", K_STR, F(backup.compression), "zstd" },
	{ "backup", "keep_all", K_DUR, F(backup.keep_all), "7d" },
	{ "backup", "keep_weekly", K_DUR, F(backup.keep_weekly), "30d" },
	{ "backup", "keep_monthly", K_DUR, F(backup.keep_monthly), "365d" },
	{ "backup", "offsite_command", K_STRV, F(backup.offsite_command), "" },
	/* issue 10: the bad day */
	{ "backup", "check", K_STR, F(backup.check), "quick" },
	{ "backup", "keep_good", K_INT, F(backup.keep_good), "3" },
	{ "backup", "verify_max_age", K_DUR, F(backup.verify_max_age), "8d" },
	{ "backup", "offsite_max_failures", K_INT, F(backup.offsite_max_failures), "2" },
	/* issue 12: encrypted backups */
	{ "backup", "encrypt_to", K_STRV, F(backup.encrypt_to), "" },
	{ "backup", "passphrase_file", K_STR, F(backup.passphrase_file), "" },
	{ "backup", "identity_file", K_STR, F(backup.identity_file), "" },
	/* issue 12 step 3: offsite through rclone */
	{ "backup", "offsite", K_OFFSITE, F(backup.offsite), NULL },
	{ "rotate", "daily_logs", K_STRV, F(rotate.daily_logs), "logs/*_????????.log" },
	{ "rotate", "compress_after", K_DUR, F(rotate.compress_after), "1d" },
	{ "rotate", "delete_after", K_DUR, F(rotate.delete_after), "30d" },
	{ "rotate", "max_size", K_SIZE, F(rotate.max_size), "100M" },
	{ "rotate", "keep_lines", K_INT, F(rotate.keep_lines), "1000" },
	{ "rotate", "history_logs", K_STRV, F(rotate.history_logs),
	  "logs/alerts.log\nlogs/health_check.log\nlogs/backup.log\n"
	  "logs/rotation.log\nlogs/restart.log\nlogs/cron.log\n"
	  "logs/daemon_stdout.log\nlogs/daemon_stderr.log" },
	{ "rotate", "history_lines", K_INT, F(rotate.history_lines), "1000" },
	{ "rotate", "plain_logs", K_STRV, F(rotate.plain_logs),
	  "logs/weekly_health_*.log" },
	{ "rotate", "plain_for", K_DUR, F(rotate.plain_for), "35d" },
	{ "alert", "cooldown", K_DUR, F(alert.cooldown), "30m" },
	{ "alert", "max_per_hour", K_INT, F(alert.max_per_hour), "5" },
	{ "alert", "desktop", K_BOOL, F(alert.desktop), "true" },
	{ "alert", "email", K_STR, F(alert.email), "" },
	{ "alert", "sendmail", K_STR, F(alert.sendmail), "/usr/sbin/sendmail" },
	{ "alert", "webhook", K_STR, F(alert.webhook), "" },
	{ "alert", "command", K_STRV, F(alert.command), "" },
	{ "alert", "auto_restart", K_BOOL, F(alert.auto_restart), "true" },
	{ "audit", "signing_key", K_STR, F(audit.signing_key), "" },
	{ "audit", "keep", K_DUR, F(audit.keep), "400d" },
	/* issue 14: serve, Alertmanager, file modes */
	{ "alert", "alertmanager", K_STRV, F(alert.alertmanager), "" },
	{ "serve", "url", K_STR, F(serve.url), "" },
	{ "serve", "listen", K_STR, F(serve.listen), "127.0.0.1:9731" },
	{ "serve", "token_file", K_STR, F(serve.token_file), "" },
	{ "serve", "htpasswd", K_STR, F(serve.htpasswd), "" },
	{ "serve", "tls_cert", K_STR, F(serve.tls_cert), "" },
	{ "serve", "tls_key", K_STR, F(serve.tls_key), "" },
	{ "serve", "max_connections", K_INT, F(serve.max_connections), "64" },
	{ "serve", "timeout", K_DUR, F(serve.timeout), "10s" },
	{ "dashboard", "stale_after", K_DUR, F(dashboard.stale_after), "15m" },
	{ "dashboard", "prom_mode", K_MODE, F(dashboard.prom_mode), "0644" },
	{ "dashboard", "html_mode", K_MODE, F(dashboard.html_mode), "0600" },
	/* issue 16: memory.pre-restore.* kept this long (ops_aside.h) */
	{ "restore", "keep_aside", K_DUR, F(restore.keep_aside), "7d" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static void *
at(struct ops_config *cfg, const struct key *k)
{
	return (char *)cfg + k->off;
}

static int
set_str(char **dst, const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		return -1;
	free(*dst);
	*dst = copy;
	return 0;
}

/* Defaults are parsed by the same code as the file, so they cannot drift
 * from what the file would accept. */
static int
set_default(struct ops_config *cfg, const struct key *k, struct ops_err *err)
{
	void *p = at(cfg, k);
	char *copy, *tok, *save = NULL;
	int rc = 0;

	switch (k->kind) {
	case K_STR:
		rc = set_str(p, k->def);
		break;
	case K_STRV:
		copy = strdup(k->def);
		if (copy == NULL)
			return ops_err_sys(err, ENOMEM, "unable to set defaults");
		for (tok = strtok_r(copy, "\n", &save); tok && rc == 0;
		    tok = strtok_r(NULL, "\n", &save))
			rc = ops_strv_push(p, tok);
		free(copy);
		break;
	case K_SIZE:
		return ops_size_parse(k->def, p, err);
	case K_DUR:
		return ops_duration_parse(k->def, p, err);
	case K_INT:
		*(int64_t *)p = strtoll(k->def, NULL, 10);
		break;
	case K_NUM:
		*(double *)p = strtod(k->def, NULL);
		break;
	case K_BOOL:
		*(int *)p = strcmp(k->def, "true") == 0;
		break;
	case K_MODE:
		*(int *)p = (int)strtol(k->def, NULL, 8);
		break;
	case K_CHECKS:
	case K_ENDPOINTS:
	case K_LOGS:
	case K_MONIT:
	case K_CONTEXT:
	case K_OFFSITE:
		break;
	}
	if (rc < 0)
		return ops_err_sys(err, ENOMEM, "unable to set defaults");
	return 0;
}

static int
bad(struct ops_err *err, const char *file, const char *key, const char *want)
{
	return ops_err_set(err, OPS_E_USAGE, "%s: '%s': expected %s", file, key, want);
}

static int
get_strv(const cJSON *j, struct ops_strv *out, int nonempty, const char *file,
    const char *key, struct ops_err *err)
{
	struct ops_strv tmp = OPS_STRV_INIT;
	const cJSON *e;

	if (!cJSON_IsArray(j))
		return bad(err, file, key, "an array of strings");
	cJSON_ArrayForEach(e, j) {
		if (!cJSON_IsString(e) || e->valuestring[0] == '\0') {
			ops_strv_release(&tmp);
			return bad(err, file, key, "an array of non-empty strings");
		}
		if (ops_strv_push(&tmp, e->valuestring) < 0) {
			ops_strv_release(&tmp);
			return ops_err_sys(err, ENOMEM, "%s: '%s'", file, key);
		}
	}
	if (nonempty && tmp.n == 0)
		return bad(err, file, key, "a non-empty array of strings");
	ops_strv_release(out);
	*out = tmp;
	return 0;
}

static int
get_dur(const cJSON *j, double *out, const char *file, const char *key,
    struct ops_err *err)
{
	struct ops_err e2 = OPS_ERR_INIT;

	if (cJSON_IsNumber(j) && j->valuedouble >= 0 && isfinite(j->valuedouble)) {
		*out = j->valuedouble;
		return 0;
	}
	if (cJSON_IsString(j) && ops_duration_parse(j->valuestring, out, &e2) == 0)
		return 0;
	return bad(err, file, key, "a duration such as \"30s\", \"10m\", \"26h\" or \"7d\"");
}

static int
valid_name(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!(*s == '_' || *s == '-' || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/* ---- endpoint expectations (ops_endpoint.h) ------------------------ */

static const char *const endpoint_keys[] = { "expect_status", "expect_body",
	"expect_json", "time_warn", "time_crit", "cert_warn", "cert_crit", "ca_file",
	NULL };

static int
endpoint_key(const char *k)
{
	for (size_t i = 0; endpoint_keys[i]; i++)
		if (strcmp(endpoint_keys[i], k) == 0)
			return 1;
	return 0;
}

/* 200, "200", "200-299" or "2xx" into one range. */
static int
status_range(const cJSON *j, struct ops_status_range *r)
{
	const char *s;
	char *end;

	if (cJSON_IsNumber(j)) {
		r->lo = r->hi = (long)j->valuedouble;
		return j->valuedouble == floor(j->valuedouble) && r->lo >= 100 &&
		    r->lo <= 599 ? 0 : -1;
	}
	if (!cJSON_IsString(j))
		return -1;
	s = j->valuestring;
	if (strlen(s) == 3 && s[0] >= '1' && s[0] <= '5' && strcmp(s + 1, "xx") == 0) {
		r->lo = (s[0] - '0') * 100;
		r->hi = r->lo + 99;
		return 0;
	}
	r->lo = strtol(s, &end, 10);
	if (end == s)
		return -1;
	r->hi = r->lo;
	if (*end == '-') {
		s = end + 1;
		r->hi = strtol(s, &end, 10);
		if (end == s)
			return -1;
	}
	return *end == '\0' && r->lo >= 100 && r->hi <= 599 && r->lo <= r->hi ? 0 : -1;
}

static int
get_endpoint_expect(struct ops_endpoint_cfg *ep, const cJSON *e, size_t i,
    const char *file, struct ops_err *err)
{
	static const char *const dnames[] = { "time_warn", "time_crit", "cert_warn",
		"cert_crit" };
	static const double ddefs[] = { 0, 0, 14 * 86400, 3 * 86400 };
	double *const dst[] = { &ep->time_warn, &ep->time_crit, &ep->cert_warn,
		&ep->cert_crit };
	const cJSON *f, *x;
	char key[128];
	size_t n;

	for (size_t k = 0; k < sizeof(dnames) / sizeof(dnames[0]); k++) {
		*dst[k] = ddefs[k];
		f = cJSON_GetObjectItemCaseSensitive(e, dnames[k]);
		snprintf(key, sizeof(key), "health.endpoints[%zu].%s", i, dnames[k]);
		if (f != NULL && get_dur(f, dst[k], file, key, err) < 0)
			return -1;
	}
	f = cJSON_GetObjectItemCaseSensitive(e, "expect_status");
	if (f != NULL) {
		snprintf(key, sizeof(key), "health.endpoints[%zu].expect_status", i);
		n = cJSON_IsArray(f) ? (size_t)cJSON_GetArraySize(f) : 1;
		if (n == 0)
			return bad(err, file, key, "a status, a range or a non-empty array of them");
		ep->expect_status = calloc(n, sizeof(*ep->expect_status));
		if (ep->expect_status == NULL)
			return ops_err_sys(err, ENOMEM, "%s", file);
		if (!cJSON_IsArray(f)) {
			if (status_range(f, &ep->expect_status[0]) < 0)
				return bad(err, file, key,
				    "a status (200), a range (\"200-299\", \"2xx\") or an array of them");
		} else {
			n = 0;
			cJSON_ArrayForEach(x, f)
				if (status_range(x, &ep->expect_status[n++]) < 0)
					return bad(err, file, key,
					    "a status (200), a range (\"200-299\", \"2xx\") or an array of them");
		}
		ep->nexpect_status = n;
	}
	f = cJSON_GetObjectItemCaseSensitive(e, "expect_body");
	if (f != NULL) {
		snprintf(key, sizeof(key), "health.endpoints[%zu].expect_body", i);
		x = cJSON_GetObjectItemCaseSensitive(f, "regex");
		if (cJSON_IsString(f) && f->valuestring[0] != '\0') {
			if (set_str(&ep->expect_body, f->valuestring) < 0)
				return ops_err_sys(err, ENOMEM, "%s", file);
		} else if (cJSON_IsObject(f) && cJSON_GetArraySize(f) == 1 &&
		    cJSON_IsString(x) && x->valuestring[0] != '\0') {
			regex_t re;

			if (regcomp(&re, x->valuestring, REG_EXTENDED | REG_NOSUB) != 0)
				return bad(err, file, key, "a valid POSIX extended regex");
			regfree(&re);
			if (set_str(&ep->expect_body_regex, x->valuestring) < 0)
				return ops_err_sys(err, ENOMEM, "%s", file);
		} else {
			return bad(err, file, key,
			    "a non-empty substring or {\"regex\": \"POSIX extended regex\"}");
		}
	}
	f = cJSON_GetObjectItemCaseSensitive(e, "expect_json");
	if (f != NULL) {
		const cJSON *path = cJSON_GetObjectItemCaseSensitive(f, "path");
		const cJSON *eq = cJSON_GetObjectItemCaseSensitive(f, "equals");

		snprintf(key, sizeof(key), "health.endpoints[%zu].expect_json", i);
		if (!cJSON_IsObject(f) || cJSON_GetArraySize(f) != 2 ||
		    !cJSON_IsString(path) || path->valuestring[0] == '\0' || eq == NULL)
			return bad(err, file, key,
			    "{\"path\": \"a.b.0\", \"equals\": VALUE}");
		if (set_str(&ep->expect_json_path, path->valuestring) < 0)
			return ops_err_sys(err, ENOMEM, "%s", file);
		ep->expect_json_equals = cJSON_PrintUnformatted(eq);
		if (ep->expect_json_equals == NULL)
			return ops_err_sys(err, ENOMEM, "%s", file);
	}
	f = cJSON_GetObjectItemCaseSensitive(e, "ca_file");
	if (f != NULL) {
		snprintf(key, sizeof(key), "health.endpoints[%zu].ca_file", i);
		if (!cJSON_IsString(f) || f->valuestring[0] == '\0')
			return bad(err, file, key, "a path");
		if (set_str(&ep->ca_file, f->valuestring) < 0)
			return ops_err_sys(err, ENOMEM, "%s", file);
	}
	return 0;
}

/* ---- health.context (ops_context.h) --------------------------------- */

static void
free_context_cfg(struct ops_context_cfg *cc)
{
	free(cc->check);
	free(cc->target);
	cc->check = cc->target = NULL;
}

static void
free_context(struct ops_config *cfg)
{
	for (size_t i = 0; i < cfg->health.ncontext; i++)
		free_context_cfg(&cfg->health.context[i]);
	free(cfg->health.context);
	cfg->health.context = NULL;
	cfg->health.ncontext = 0;
}

/* One context object, {"file": PATH} / {"newest": GLOB} / {"journal":
 * UNIT} with an optional max_lines, for check, into cc (which owns its
 * strings after, even on failure). key names it in messages. */
static int
parse_context(const cJSON *e, const char *check, const char *file, const char *key,
    struct ops_context_cfg *cc, struct ops_err *err)
{
	static const char *const kinds[] = { "file", "newest", "journal" };
	const cJSON *f;
	char k2[256];
	int found = 0;

	free_context_cfg(cc);
	cc->max_lines = 50;
	if (set_str(&cc->check, check) < 0)
		return ops_err_sys(err, ENOMEM, "%s", file);
	if (!cJSON_IsObject(e))
		return bad(err, file, key,
		    "{\"file\": PATH}, {\"newest\": GLOB} or {\"journal\": UNIT}");
	cJSON_ArrayForEach(f, e) {
		int k;

		snprintf(k2, sizeof(k2), "%s.%.16s", key, f->string);
		if (strcmp(f->string, "max_lines") == 0) {
			if (!cJSON_IsNumber(f) || f->valuedouble < 1 ||
			    f->valuedouble > 500 || f->valuedouble != floor(f->valuedouble))
				return bad(err, file, k2, "a whole number from 1 to 500");
			cc->max_lines = (int64_t)f->valuedouble;
			continue;
		}
		for (k = 0; k < 3 && strcmp(f->string, kinds[k]) != 0; k++)
			;
		if (k == 3)
			return ops_err_set(err, OPS_E_USAGE, "%s: unknown key '%s'", file, k2);
		if (found++)
			return bad(err, file, k2, "one of \"file\", \"newest\" or \"journal\"");
		if (!cJSON_IsString(f) || f->valuestring[0] == '\0')
			return bad(err, file, k2, "a non-empty string");
		if (k < 2 && ops_confine_pattern(f->valuestring, file, k2, err) < 0)
			return -1;
		if (k == 2 && (f->valuestring[0] == '-' || strlen(f->valuestring) > 200))
			return bad(err, file, k2, "a systemd unit name");
		cc->kind = (enum ops_context_kind)k;
		if (set_str(&cc->target, f->valuestring) < 0)
			return ops_err_sys(err, ENOMEM, "%s", file);
	}
	if (!found)
		return bad(err, file, key,
		    "{\"file\": PATH}, {\"newest\": GLOB} or {\"journal\": UNIT}");
	return 0;
}

/* Valid UTF-8 without control characters, 1 to 127 bytes (a Monit
 * service name: Monit's own limit is shorter). */
static int
printable_name(const char *s)
{
	size_t len = strlen(s), n;
	uint32_t cp;

	if (len == 0 || len > 127)
		return 0;
	for (size_t i = 0; i < len; i += n)
		if ((n = ops_utf8_char(s + i, len - i, &cp)) == 0 ||
		    ops_san_is_control(cp, OPS_SAN_LINE))
			return 0;
	return 1;
}

/* An object of contexts keyed by name (health.context: check names;
 * health.monit.context: Monit's service names or "*") into *out. */
static int
get_context_map(const cJSON *j, int monit, struct ops_context_cfg **out, size_t *nout,
    const char *file, const char *what, struct ops_err *err)
{
	size_t n = (size_t)cJSON_GetArraySize(j), i = 0;
	const cJSON *e;
	char key[160];

	if (!cJSON_IsObject(j))
		return bad(err, file, what, monit ? "an object of Monit service names" :
		    "an object of check names");
	for (i = 0; i < *nout; i++)
		free_context_cfg(&(*out)[i]);
	free(*out);
	*nout = 0;
	*out = calloc(n ? n : 1, sizeof(**out));
	if (*out == NULL)
		return ops_err_sys(err, ENOMEM, "%s", file);
	i = 0;
	cJSON_ArrayForEach(e, j) {
		snprintf(key, sizeof(key), "%s.%.64s", what, e->string);
		*nout = i + 1;
		/* Monit's names are its own (dots, spaces): any printable
		 * text Monit could hold */
		if (monit ? !printable_name(e->string) : !valid_name(e->string))
			return bad(err, file, key, monit ? "a Monit service name or \"*\"" :
			    "a check name");
		if (parse_context(e, e->string, file, key, &(*out)[i], err) < 0)
			return -1;
		i++;
	}
	return 0;
}

static int
get_context(struct ops_config *cfg, const cJSON *j, const char *file,
    struct ops_err *err)
{
	return get_context_map(j, 0, &cfg->health.context, &cfg->health.ncontext, file,
	    "health.context", err);
}

/* ---- health.logs (ops_logcheck.h) ----------------------------------- */

static int one_of(const char *v, const char *const *allowed);

static void
free_logs(struct ops_config *cfg)
{
	for (size_t i = 0; i < cfg->health.nlogs; i++) {
		free(cfg->health.logs[i].name);
		free(cfg->health.logs[i].path);
		free(cfg->health.logs[i].pattern);
		free_context_cfg(&cfg->health.logs[i].context);
	}
	free(cfg->health.logs);
	cfg->health.logs = NULL;
	cfg->health.nlogs = 0;
}

static int
get_count(const cJSON *j, int64_t *out, int64_t min, const char *file,
    const char *key, struct ops_err *err)
{
	if (!cJSON_IsNumber(j) || j->valuedouble < (double)min || j->valuedouble > 1e9 ||
	    j->valuedouble != floor(j->valuedouble))
		return bad(err, file, key, min > 0 ? "a whole number, 1 or more" :
		    "a whole number, 0 or more");
	*out = (int64_t)j->valuedouble;
	return 0;
}

static int
get_logs(struct ops_config *cfg, const cJSON *j, const char *file,
    struct ops_err *err)
{
	static const char *const allowed[] = { "name", "path", "pattern", "window",
		"warn", "crit", "stale_after", "context", NULL };
	size_t n = (size_t)cJSON_GetArraySize(j), i = 0;
	const cJSON *e, *f;
	char key[128];

	if (!cJSON_IsArray(j))
		return bad(err, file, "health.logs", "an array of objects");
	free_logs(cfg);
	cfg->health.logs = calloc(n ? n : 1, sizeof(*cfg->health.logs));
	if (cfg->health.logs == NULL)
		return ops_err_sys(err, ENOMEM, "%s", file);
	cJSON_ArrayForEach(e, j) {
		struct ops_logcheck_cfg *lc = &cfg->health.logs[i];
		const char *pat = "ERROR|CRITICAL|Traceback";
		regex_t re;

		cfg->health.nlogs = i + 1;
		lc->window = 100;
		lc->warn = 5;
		lc->crit = -1;
		snprintf(key, sizeof(key), "health.logs[%zu]", i);
		if (!cJSON_IsObject(e))
			return bad(err, file, key, "an object");
		cJSON_ArrayForEach(f, e)
			if (!one_of(f->string, allowed))
				return ops_err_set(err, OPS_E_USAGE, "%s: unknown key '%s.%s'",
				    file, key, f->string);
		f = cJSON_GetObjectItemCaseSensitive(e, "name");
		if (!cJSON_IsString(f) || !valid_name(f->valuestring))
			return bad(err, file, key,
			    "a \"name\" of letters, digits, '_' and '-'");
		if (set_str(&lc->name, f->valuestring) < 0)
			return ops_err_sys(err, ENOMEM, "%s", file);
		snprintf(key, sizeof(key), "health.logs[%zu].path", i);
		f = cJSON_GetObjectItemCaseSensitive(e, "path");
		if (!cJSON_IsString(f))
			return bad(err, file, key, "a path (wildcards allowed)");
		if (ops_confine_pattern(f->valuestring, file, key, err) < 0)
			return -1;
		if (set_str(&lc->path, f->valuestring) < 0)
			return ops_err_sys(err, ENOMEM, "%s", file);
		snprintf(key, sizeof(key), "health.logs[%zu].pattern", i);
		f = cJSON_GetObjectItemCaseSensitive(e, "pattern");
		if (f != NULL && (!cJSON_IsString(f) || f->valuestring[0] == '\0'))
			return bad(err, file, key, "a POSIX extended regex");
		if (f != NULL)
			pat = f->valuestring;
		if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) != 0)
			return bad(err, file, key, "a valid POSIX extended regex");
		regfree(&re);
		if (set_str(&lc->pattern, pat) < 0)
			return ops_err_sys(err, ENOMEM, "%s", file);
		snprintf(key, sizeof(key), "health.logs[%zu].window", i);
		f = cJSON_GetObjectItemCaseSensitive(e, "window");
		if (f != NULL && get_count(f, &lc->window, 1, file, key, err) < 0)
			return -1;
		snprintf(key, sizeof(key), "health.logs[%zu].warn", i);
		f = cJSON_GetObjectItemCaseSensitive(e, "warn");
		if (f != NULL && get_count(f, &lc->warn, 0, file, key, err) < 0)
			return -1;
		snprintf(key, sizeof(key), "health.logs[%zu].crit", i);
		f = cJSON_GetObjectItemCaseSensitive(e, "crit");
		if (f != NULL && get_count(f, &lc->crit, 0, file, key, err) < 0)
			return -1;
		snprintf(key, sizeof(key), "health.logs[%zu].stale_after", i);
		f = cJSON_GetObjectItemCaseSensitive(e, "stale_after");
		if (f != NULL && get_dur(f, &lc->stale_after, file, key, err) < 0)
			return -1;
		snprintf(key, sizeof(key), "health.logs[%zu].context", i);
		f = cJSON_GetObjectItemCaseSensitive(e, "context");
		if (f != NULL && parse_context(f, lc->name, file, key, &lc->context, err) < 0)
			return -1;
		i++;
	}
	return 0;
}

/* ---- health.monit (ops_monit.h) ------------------------------------- */

static void
free_monit(struct ops_config *cfg)
{
	free(cfg->health.monit.url);
	free(cfg->health.monit.user);
	free(cfg->health.monit.password_env);
	ops_strv_release(&cfg->health.monit.services);
	for (size_t i = 0; i < cfg->health.monit.ncontext; i++)
		free_context_cfg(&cfg->health.monit.context[i]);
	free(cfg->health.monit.context);
	memset(&cfg->health.monit, 0, sizeof(cfg->health.monit));
}

static int
get_monit(struct ops_config *cfg, const cJSON *j, const char *file,
    struct ops_err *err)
{
	static const char *const allowed[] = { "url", "user", "password_env",
		"services", "timeout", "context", NULL };
	static const char *const strs[] = { "url", "user", "password_env" };
	char **const dst[] = { &cfg->health.monit.url, &cfg->health.monit.user,
		&cfg->health.monit.password_env };
	static const char *const defs[] = {
		"http://127.0.0.1:2812/_status?format=xml&level=full", "", "MONIT_PASSWORD" };
	const cJSON *f;
	char key[64];

	if (!cJSON_IsObject(j))
		return bad(err, file, "health.monit", "an object");
	free_monit(cfg);
	cJSON_ArrayForEach(f, j)
		if (!one_of(f->string, allowed))
			return ops_err_set(err, OPS_E_USAGE, "%s: unknown key 'health.monit.%s'",
			    file, f->string);
	for (size_t i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "health.monit.%s", strs[i]);
		f = cJSON_GetObjectItemCaseSensitive(j, strs[i]);
		if (f != NULL && !cJSON_IsString(f))
			return bad(err, file, key, "a string");
		if (set_str(dst[i], f ? f->valuestring : defs[i]) < 0)
			return ops_err_sys(err, ENOMEM, "%s", file);
	}
	if (strncmp(cfg->health.monit.url, "http://", 7) != 0 &&
	    strncmp(cfg->health.monit.url, "https://", 8) != 0)
		return bad(err, file, "health.monit.url", "an http:// or https:// URL");
	f = cJSON_GetObjectItemCaseSensitive(j, "services");
	if (f != NULL) {
		if (get_strv(f, &cfg->health.monit.services, 1, file, "health.monit.services",
		    err) < 0)
			return -1;
	} else if (ops_strv_push(&cfg->health.monit.services, "*") < 0) {
		return ops_err_sys(err, ENOMEM, "%s", file);
	}
	cfg->health.monit.timeout = 5;
	f = cJSON_GetObjectItemCaseSensitive(j, "timeout");
	if (f != NULL && get_dur(f, &cfg->health.monit.timeout, file,
	    "health.monit.timeout", err) < 0)
		return -1;
	f = cJSON_GetObjectItemCaseSensitive(j, "context");
	if (f != NULL && get_context_map(f, 1, &cfg->health.monit.context,
	    &cfg->health.monit.ncontext, file, "health.monit.context", err) < 0)
		return -1;
	cfg->health.monit.enabled = 1;
	return 0;
}

/* ---- backup.offsite (ops_rclone.h), issue 12 step 3 ------------------ */

static void
free_offsite(struct ops_config *cfg)
{
	free(cfg->backup.offsite.remote);
	free(cfg->backup.offsite.rclone);
	free(cfg->backup.offsite.config);
	memset(&cfg->backup.offsite, 0, sizeof(cfg->backup.offsite));
}

/* backup.offsite.keep as an object: the local retention's keys and
 * defaults (backup.keep_all ...), applied to what the remote lists. */
static int
get_offsite_gfs(struct ops_config *cfg, const cJSON *j, const char *file,
    struct ops_err *err)
{
	static const char *const durs[] = { "keep_all", "keep_weekly", "keep_monthly" };
	static const char *const defs[] = { "7d", "30d", "365d" };
	double *out[] = { &cfg->backup.offsite.keep_all, &cfg->backup.offsite.keep_weekly,
		&cfg->backup.offsite.keep_monthly };
	const cJSON *f;
	char key[64];

	cJSON_ArrayForEach(f, j)
		if (!one_of(f->string, (const char *const[]){ "keep_all", "keep_weekly",
		    "keep_monthly", "keep_good", NULL }))
			return ops_err_set(err, OPS_E_USAGE, "%s: unknown key "
			    "'backup.offsite.keep.%s'", file, f->string);
	for (size_t i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "backup.offsite.keep.%s", durs[i]);
		f = cJSON_GetObjectItemCaseSensitive(j, durs[i]);
		if (f == NULL ? ops_duration_parse(defs[i], out[i], err) < 0 :
		    get_dur(f, out[i], file, key, err) < 0)
			return -1;
	}
	f = cJSON_GetObjectItemCaseSensitive(j, "keep_good");
	cfg->backup.offsite.keep_good = 3;
	if (f != NULL) {
		/* at least 1: the newest good copy on the remote is never deleted */
		if (!cJSON_IsNumber(f) || f->valuedouble < 1 || f->valuedouble > 1e6 ||
		    f->valuedouble != (double)(int64_t)f->valuedouble)
			return bad(err, file, "backup.offsite.keep.keep_good",
			    "a whole number, 1 or more");
		cfg->backup.offsite.keep_good = (int64_t)f->valuedouble;
	}
	cfg->backup.offsite.keep_gfs = 1;
	return 0;
}

static int
get_offsite(struct ops_config *cfg, const cJSON *j, const char *file,
    struct ops_err *err)
{
	static const char *const allowed[] = { "remote", "rclone", "config", "keep", NULL };
	static const char *const strs[] = { "remote", "rclone", "config", "keep" };
	static const char *const defs[] = { NULL, "rclone", "", "same" };
	const char *val[4];
	const cJSON *f;
	char key[64];

	if (!cJSON_IsObject(j))
		return bad(err, file, "backup.offsite", "an object");
	free_offsite(cfg);
	cJSON_ArrayForEach(f, j)
		if (!one_of(f->string, allowed))
			return ops_err_set(err, OPS_E_USAGE, "%s: unknown key 'backup.offsite.%s'",
			    file, f->string);
	for (size_t i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "backup.offsite.%s", strs[i]);
		f = cJSON_GetObjectItemCaseSensitive(j, strs[i]);
		/* keep may be an object: the remote's own retention */
		if (i == 3 && cJSON_IsObject(f)) {
			if (get_offsite_gfs(cfg, f, file, err) < 0)
				return -1;
			val[i] = "gfs";
			continue;
		}
		if (f != NULL && !cJSON_IsString(f))
			return bad(err, file, key, i == 3 ? "\"same\", \"all\" or an object of "
			    "keep_all, keep_weekly, keep_monthly, keep_good" : "a string");
		val[i] = f ? f->valuestring : defs[i];
	}
	if (val[0] == NULL || !ops_rclone_remote_ok(val[0]))
		return bad(err, file, "backup.offsite.remote",
		    "an rclone remote \"name:path\" (name not starting with '-')");
	if (val[1][0] == '\0' || val[1][0] == '-')
		return bad(err, file, "backup.offsite.rclone", "a program name or path");
	if (strcmp(val[3], "same") != 0 && strcmp(val[3], "all") != 0 &&
	    !cfg->backup.offsite.keep_gfs)
		return bad(err, file, "backup.offsite.keep", "\"same\", \"all\" or an object of "
		    "keep_all, keep_weekly, keep_monthly, keep_good");
	if (set_str(&cfg->backup.offsite.remote, val[0]) < 0 ||
	    set_str(&cfg->backup.offsite.rclone, val[1]) < 0)
		return ops_err_sys(err, ENOMEM, "%s", file);
	/* ~/ is the user's home (where rclone keeps its config), as a shell
	 * would expand it; a relative path is relative to the agent's home. */
	if (strncmp(val[2], "~/", 2) == 0 || strcmp(val[2], "~") == 0) {
		const char *h = getenv("HOME");
		char *x;

		if (h == NULL || h[0] != '/')
			return bad(err, file, "backup.offsite.config",
			    "a path (~ needs $HOME set)");
		if (asprintf(&x, "%s%s", h, val[2] + 1) < 0)
			return ops_err_sys(err, ENOMEM, "%s", file);
		free(cfg->backup.offsite.config);
		cfg->backup.offsite.config = x;
	} else if (val[2][0] != '\0' && val[2][0] != '/') {
		char *x;

		if (asprintf(&x, "%s/%s", cfg->home, val[2]) < 0)
			return ops_err_sys(err, ENOMEM, "%s", file);
		free(cfg->backup.offsite.config);
		cfg->backup.offsite.config = x;
	} else if (set_str(&cfg->backup.offsite.config, val[2]) < 0) {
		return ops_err_sys(err, ENOMEM, "%s", file);
	}
	cfg->backup.offsite.keep_same = strcmp(val[3], "same") == 0;
	cfg->backup.offsite.enabled = 1;
	return 0;
}

static void
free_entries(struct ops_config *cfg, int is_check)
{
	if (is_check) {
		for (size_t i = 0; i < cfg->health.nchecks; i++) {
			free(cfg->health.checks[i].remedy);
			free(cfg->health.checks[i].name);
			free_context_cfg(&cfg->health.checks[i].context);
			ops_strv_release(&cfg->health.checks[i].command);
		}
		free(cfg->health.checks);
		cfg->health.checks = NULL;
		cfg->health.nchecks = 0;
	} else {
		for (size_t i = 0; i < cfg->health.nendpoints; i++) {
			struct ops_endpoint_cfg *ep = &cfg->health.endpoints[i];

			free(ep->name);
			free(ep->url);
			free(ep->expect_status);
			free(ep->expect_body);
			free(ep->expect_body_regex);
			free(ep->expect_json_path);
			free(ep->expect_json_equals);
			free(ep->ca_file);
			free_context_cfg(&ep->context);
		}
		free(cfg->health.endpoints);
		cfg->health.endpoints = NULL;
		cfg->health.nendpoints = 0;
	}
}

/* health.checks / health.endpoints: arrays of small objects. A key given
 * twice replaces what the first gave. */
static int
get_entries(struct ops_config *cfg, const struct key *k, const cJSON *j,
    const char *file, struct ops_err *err)
{
	int is_check = k->kind == K_CHECKS;
	size_t n = (size_t)cJSON_GetArraySize(j), i = 0;
	char key[128];
	const cJSON *e, *f;

	snprintf(key, sizeof(key), "health.%s", k->name);
	if (!cJSON_IsArray(j))
		return bad(err, file, key, "an array of objects");
	free_entries(cfg, is_check);
	if (is_check) {
		cfg->health.checks = calloc(n ? n : 1, sizeof(*cfg->health.checks));
		if (cfg->health.checks == NULL)
			return ops_err_sys(err, ENOMEM, "%s", file);
	} else {
		cfg->health.endpoints = calloc(n ? n : 1, sizeof(*cfg->health.endpoints));
		if (cfg->health.endpoints == NULL)
			return ops_err_sys(err, ENOMEM, "%s", file);
	}
	cJSON_ArrayForEach(e, j) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
		char **namep;
		double *timeout;

		snprintf(key, sizeof(key), "health.%s[%zu]", k->name, i);
		if (!cJSON_IsObject(e))
			return bad(err, file, key, "an object");
		if (is_check) {
			namep = &cfg->health.checks[i].name;
			timeout = &cfg->health.checks[i].timeout;
			*timeout = 10;
			cfg->health.nchecks = i + 1;
		} else {
			namep = &cfg->health.endpoints[i].name;
			timeout = &cfg->health.endpoints[i].timeout;
			*timeout = 5;
			cfg->health.nendpoints = i + 1;
		}
		cJSON_ArrayForEach(f, e) {
			if (strcmp(f->string, "name") == 0 ||
			    strcmp(f->string, "timeout") == 0 ||
			    strcmp(f->string, is_check ? "command" : "url") == 0 ||
			    strcmp(f->string, "context") == 0 ||
			    (!is_check && endpoint_key(f->string)) ||
			    (is_check && strcmp(f->string, "remedy") == 0))
				continue;
			return ops_err_set(err, OPS_E_USAGE, "%s: unknown key '%s.%s'",
			    file, key, f->string);
		}
		if (!cJSON_IsString(name) || !valid_name(name->valuestring))
			return bad(err, file, key,
			    "a \"name\" of letters, digits, '_' and '-'");
		if (set_str(namep, name->valuestring) < 0)
			return ops_err_sys(err, ENOMEM, "%s", file);
		f = cJSON_GetObjectItemCaseSensitive(e, "timeout");
		if (f != NULL) {
			snprintf(key, sizeof(key), "health.%s[%zu].timeout", k->name, i);
			if (get_dur(f, timeout, file, key, err) < 0)
				return -1;
		}
		/* the check's own context: wins over health.context */
		f = cJSON_GetObjectItemCaseSensitive(e, "context");
		if (f != NULL) {
			snprintf(key, sizeof(key), "health.%s[%zu].context", k->name, i);
			if (parse_context(f, name->valuestring, file, key, is_check ?
			    &cfg->health.checks[i].context : &cfg->health.endpoints[i].context,
			    err) < 0)
				return -1;
		}
		if (is_check) {
			snprintf(key, sizeof(key), "health.checks[%zu].command", i);
			f = cJSON_GetObjectItemCaseSensitive(e, "command");
			if (f == NULL)
				return bad(err, file, key, "a command (an array of strings)");
			if (get_strv(f, &cfg->health.checks[i].command, 1, file, key, err) < 0)
				return -1;
			f = cJSON_GetObjectItemCaseSensitive(e, "remedy");
			snprintf(key, sizeof(key), "health.checks[%zu].remedy", i);
			if (f != NULL && (!cJSON_IsString(f) || !valid_name(f->valuestring)))
				return bad(err, file, key, "the name of an action");
			if (f != NULL && set_str(&cfg->health.checks[i].remedy,
			    f->valuestring) < 0)
				return ops_err_sys(err, ENOMEM, "%s", file);
		} else {
			const char *u;

			snprintf(key, sizeof(key), "health.endpoints[%zu].url", i);
			f = cJSON_GetObjectItemCaseSensitive(e, "url");
			if (!cJSON_IsString(f))
				return bad(err, file, key, "a URL string");
			u = f->valuestring;
			if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0 &&
			    strncmp(u, "tcp://", 6) != 0)
				return bad(err, file, key,
				    "an http://, https:// or tcp://HOST:PORT URL");
			if (set_str(&cfg->health.endpoints[i].url, u) < 0)
				return ops_err_sys(err, ENOMEM, "%s", file);
			if (get_endpoint_expect(&cfg->health.endpoints[i], e, i, file,
			    err) < 0)
				return -1;
		}
		i++;
	}
	return 0;
}

/* ---- actions: the top-level array of remediation actions ------------ */

static void
free_actions(struct ops_config *cfg)
{
	for (size_t i = 0; i < cfg->nactions; i++) {
		free(cfg->actions[i].name);
		ops_strv_release(&cfg->actions[i].command);
		free(cfg->actions[i].description);
	}
	free(cfg->actions);
	cfg->actions = NULL;
	cfg->nactions = 0;
}

static int
get_action(struct ops_action_cfg *a, const cJSON *e, const char *file, size_t i,
    struct ops_err *err)
{
	static const char *const known[] = { "name", "command", "timeout", "confirm",
		"auto", "description", NULL };
	const cJSON *f;
	char key[64];

	snprintf(key, sizeof(key), "actions[%zu]", i);
	if (!cJSON_IsObject(e))
		return bad(err, file, key, "an object");
	cJSON_ArrayForEach(f, e) {
		size_t k = 0;

		while (known[k] && strcmp(known[k], f->string) != 0)
			k++;
		if (known[k] == NULL)
			return ops_err_set(err, OPS_E_USAGE, "%s: unknown key '%s.%s'",
			    file, key, f->string);
	}
	a->timeout = 30;
	a->confirm = 1;
	f = cJSON_GetObjectItemCaseSensitive(e, "name");
	if (!cJSON_IsString(f) || !valid_name(f->valuestring))
		return bad(err, file, key, "a \"name\" of letters, digits, '_' and '-'");
	if (set_str(&a->name, f->valuestring) < 0 ||
	    set_str(&a->description, "") < 0)
		return ops_err_sys(err, ENOMEM, "%s", file);
	snprintf(key, sizeof(key), "actions[%zu].command", i);
	f = cJSON_GetObjectItemCaseSensitive(e, "command");
	if (f == NULL)
		return bad(err, file, key, "a command (an array of strings)");
	if (get_strv(f, &a->command, 1, file, key, err) < 0)
		return -1;
	snprintf(key, sizeof(key), "actions[%zu].timeout", i);
	f = cJSON_GetObjectItemCaseSensitive(e, "timeout");
	if (f != NULL && (get_dur(f, &a->timeout, file, key, err) < 0))
		return -1;
	if (a->timeout <= 0)
		return bad(err, file, key, "a duration above 0");
	snprintf(key, sizeof(key), "actions[%zu].confirm", i);
	f = cJSON_GetObjectItemCaseSensitive(e, "confirm");
	if (f != NULL && !cJSON_IsBool(f))
		return bad(err, file, key, "true or false");
	if (f != NULL)
		a->confirm = cJSON_IsTrue(f);
	snprintf(key, sizeof(key), "actions[%zu].auto", i);
	f = cJSON_GetObjectItemCaseSensitive(e, "auto");
	if (f != NULL && !cJSON_IsBool(f))
		return bad(err, file, key, "true or false");
	if (f != NULL)
		a->auto_run = cJSON_IsTrue(f);
	snprintf(key, sizeof(key), "actions[%zu].description", i);
	f = cJSON_GetObjectItemCaseSensitive(e, "description");
	if (f != NULL && !cJSON_IsString(f))
		return bad(err, file, key, "a string");
	if (f != NULL && set_str(&a->description, f->valuestring) < 0)
		return ops_err_sys(err, ENOMEM, "%s", file);
	return 0;
}

/* "actions": [{name, command, timeout, confirm, auto, description}, ...];
 * names unique; each check's remedy must name one. */
static int
get_actions(struct ops_config *cfg, const cJSON *j, const char *file,
    struct ops_err *err)
{
	size_t n = (size_t)cJSON_GetArraySize(j), i = 0;
	const cJSON *e;

	if (!cJSON_IsArray(j))
		return bad(err, file, "actions", "an array of objects");
	free_actions(cfg);
	cfg->actions = calloc(n ? n : 1, sizeof(*cfg->actions));
	if (cfg->actions == NULL)
		return ops_err_sys(err, ENOMEM, "%s", file);
	cJSON_ArrayForEach(e, j) {
		cfg->nactions = i + 1;
		if (get_action(&cfg->actions[i], e, file, i, err) < 0)
			return -1;
		for (size_t k = 0; k < i; k++)
			if (strcmp(cfg->actions[k].name, cfg->actions[i].name) == 0)
				return ops_err_set(err, OPS_E_USAGE,
				    "%s: action name '%s' is used twice", file,
				    cfg->actions[i].name);
		i++;
	}
	return 0;
}

static int
check_remedies(const struct ops_config *cfg, const char *file, struct ops_err *err)
{
	for (size_t i = 0; i < cfg->health.nchecks; i++) {
		const char *r = cfg->health.checks[i].remedy;
		size_t k = 0;

		if (r == NULL)
			continue;
		while (k < cfg->nactions && strcmp(cfg->actions[k].name, r) != 0)
			k++;
		if (k == cfg->nactions)
			return ops_err_set(err, OPS_E_USAGE,
			    "%s: check '%s': remedy '%s' is not in actions", file,
			    cfg->health.checks[i].name, r);
	}
	return 0;
}

/* File permissions as octal digits ("0644"); never set-id or sticky bits,
 * never writable by others. */
static int
get_mode(const cJSON *j, int *out, const char *file, const char *key,
    struct ops_err *err)
{
	const char *s = cJSON_IsString(j) ? j->valuestring : "";
	char *end;
	long v = strtol(s, &end, 8);

	if (*s < '0' || *s > '7' || strlen(s) > 4 || *end != '\0' || v < 0 ||
	    v > 0777 || (v & 0002))
		return bad(err, file, key,
		    "octal permissions such as \"0644\", not writable by others");
	*out = (int)v;
	return 0;
}

static int
set_value(struct ops_config *cfg, const struct key *k, const cJSON *j,
    const char *file, struct ops_err *err)
{
	struct ops_err e2 = OPS_ERR_INIT;
	char key[64];
	void *p = at(cfg, k);

	snprintf(key, sizeof(key), "%s.%s", k->section, k->name);
	switch (k->kind) {
	case K_STR:
		if (!cJSON_IsString(j))
			return bad(err, file, key, "a string");
		if (set_str(p, j->valuestring) < 0)
			return ops_err_sys(err, ENOMEM, "%s", file);
		return 0;
	case K_STRV:
		return get_strv(j, p, strcmp(key, "daemon.command") == 0, file, key, err);
	case K_SIZE:
		if (cJSON_IsNumber(j) && j->valuedouble >= 0 &&
		    j->valuedouble < 1.8e19) {
			*(uint64_t *)p = (uint64_t)j->valuedouble;
			return 0;
		}
		if (cJSON_IsString(j) && ops_size_parse(j->valuestring, p, &e2) == 0)
			return 0;
		return bad(err, file, key, "a size such as \"100M\" or \"5G\"");
	case K_DUR:
		return get_dur(j, p, file, key, err);
	case K_INT:
		if (!cJSON_IsNumber(j) || j->valuedouble < 0 ||
		    j->valuedouble > 1e12 || j->valuedouble != floor(j->valuedouble))
			return bad(err, file, key, "a whole number, 0 or more");
		*(int64_t *)p = (int64_t)j->valuedouble;
		return 0;
	case K_NUM:
		if (!cJSON_IsNumber(j) || j->valuedouble < 0 || !isfinite(j->valuedouble))
			return bad(err, file, key, "a number, 0 or more");
		*(double *)p = j->valuedouble;
		return 0;
	case K_BOOL:
		if (!cJSON_IsBool(j))
			return bad(err, file, key, "true or false");
		*(int *)p = cJSON_IsTrue(j);
		return 0;
	case K_MODE:
		return get_mode(j, p, file, key, err);
	case K_CHECKS:
	case K_ENDPOINTS:
		return get_entries(cfg, k, j, file, err);
	case K_LOGS:
		return get_logs(cfg, j, file, err);
	case K_MONIT:
		return get_monit(cfg, j, file, err);
	case K_CONTEXT:
		return get_context(cfg, j, file, err);
	case K_OFFSITE:
		return get_offsite(cfg, j, file, err);
	}
	return 0;
}

static const struct key *
find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
known_section(const char *s)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, s) == 0)
			return 1;
	return 0;
}

static int
one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(v, *allowed) == 0)
			return 1;
	return 0;
}

/* Names of configured checks and endpoints: unique, and not a built-in
 * check's, since --check NAME and alert types (check_NAME) select by name. */
/* The name of the i-th configured check, endpoint or log, or NULL past
 * the end; *is_log set for a log. */
static const char *
entry_name(const struct ops_config *cfg, size_t i, int *is_log)
{
	*is_log = 0;
	if (i < cfg->health.nchecks)
		return cfg->health.checks[i].name;
	i -= cfg->health.nchecks;
	if (i < cfg->health.nendpoints)
		return cfg->health.endpoints[i].name;
	i -= cfg->health.nendpoints;
	*is_log = 1;
	return i < cfg->health.nlogs ? cfg->health.logs[i].name : NULL;
}

static int
unique_names(const struct ops_config *cfg, const char *file, struct ops_err *err)
{
	static const char *const builtin[] = { "daemon", "heartbeat", "integrity",
		"disk", "email", "restarts", "backup",
		"cpu", "rss", "fds", "host_memory", "load", NULL };
	const char *a, *b;
	int is_log, other;

	for (size_t i = 0; (a = entry_name(cfg, i, &is_log)) != NULL; i++) {
		/* monit and monit_NAME are Monit's services (ops_monit.h) */
		if (strncmp(a, "monit", 5) == 0 && (a[5] == '\0' || a[5] == '_'))
			return ops_err_set(err, OPS_E_USAGE,
			    "%s: check name '%s': names monit and monit_* are Monit's",
			    file, a);
		for (size_t k = 0; builtin[k]; k++)
			/* a log named "email" is the email check's settings */
			if (strcmp(a, builtin[k]) == 0 && !(is_log && strcmp(a, "email") == 0))
				return ops_err_set(err, OPS_E_USAGE,
				    "%s: check name '%s' is the name of a built-in check",
				    file, a);
		for (size_t j = i + 1; (b = entry_name(cfg, j, &other)) != NULL; j++)
			if (strcmp(a, b) == 0)
				return ops_err_set(err, OPS_E_USAGE,
				    "%s: check name '%s' is used twice", file, a);
	}
	return 0;
}

/* ---- issue 11: paths confined to the home (ops_confine) ---------------- */

/* Keys naming something in the home that we read, write, signal by or
 * delete: relative, no '..' (backup.dir may lie on another disk, and the
 * commands are run, not opened, so they are not here). */
static const char *const confined[] = {
	"daemon.workdir", "daemon.pid_file", "daemon.status_file",
	"daemon.env_file", "health.databases", "health.email_log",
	"backup.include", "rotate.daily_logs", "rotate.history_logs", NULL,
};

static int
confined_paths(struct ops_config *cfg, const char *file, struct ops_err *err)
{
	for (size_t i = 0; confined[i]; i++) {
		char section[16];
		const char *dot = strchr(confined[i], '.');
		const struct key *k;
		void *p;

		snprintf(section, sizeof(section), "%.*s", (int)(dot - confined[i]),
		    confined[i]);
		k = find_key(section, dot + 1);
		if (k == NULL)
			continue;
		p = at(cfg, k);
		if (k->kind == K_STR && *(char **)p != NULL && **(char **)p != '\0' &&
		    ops_confine_pattern(*(char **)p, file, confined[i], err) < 0)
			return -1;
		if (k->kind == K_STRV) {
			const struct ops_strv *sv = p;

			for (size_t j = 0; j < sv->n; j++)
				if (ops_confine_pattern(sv->v[j], file, confined[i], err) < 0)
					return -1;
		}
	}
	return 0;
}

/* Every duration has a range (dharmic-ops.json(5) lists them): 0 or a huge
 * health.timeout would make every check UNKNOWN or outlive the watchdog.
 * A duration key not listed here gets 0 to 3650d. */
static const struct dur_range {
	const char *key;
	double min, max;
} dur_ranges[] = {
	{ "daemon.start_timeout", 0.1, 600 },
	{ "daemon.stop_timeout", 0.1, 600 },
	{ "health.timeout", 0.1, 3600 },
	{ "health.checks[].timeout", 0.1, 3600 },
	{ "health.endpoints[].timeout", 0.1, 600 },
	{ "health.restarts_window", 1, 30 * 86400.0 },
	{ "health.backup_max_age", 0, 400 * 86400.0 },
	{ "alert.cooldown", 0, 30 * 86400.0 },
};

#define DUR_MAX_DEFAULT (3650 * 86400.0)

static int
dur_in_range(const char *key, double v, const char *file, struct ops_err *err)
{
	double min = 0, max = DUR_MAX_DEFAULT;
	char lo[32], hi[32];

	for (size_t i = 0; i < sizeof(dur_ranges) / sizeof(dur_ranges[0]); i++)
		if (strcmp(dur_ranges[i].key, key) == 0)
			min = dur_ranges[i].min, max = dur_ranges[i].max;
	if (isfinite(v) && v >= min && v <= max)
		return 0;
	if (min > 0 && min < 1)
		snprintf(lo, sizeof(lo), "%gs", min);
	else
		ops_duration_format(min, lo, sizeof(lo));
	ops_duration_format(max, hi, sizeof(hi));
	return ops_err_set(err, OPS_E_USAGE,
	    "%s: '%s': expected a duration from %s to %s", file, key, lo, hi);
}

static int
durations(const struct ops_config *cfg, const char *file, struct ops_err *err)
{
	char key[64];

	for (size_t i = 0; i < NKEYS; i++) {
		if (keys[i].kind != K_DUR)
			continue;
		snprintf(key, sizeof(key), "%s.%s", keys[i].section, keys[i].name);
		if (dur_in_range(key, *(double *)at((struct ops_config *)cfg, &keys[i]),
		    file, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < cfg->health.nchecks; i++)
		if (dur_in_range("health.checks[].timeout", cfg->health.checks[i].timeout,
		    file, err) < 0)
			return -1;
	for (size_t i = 0; i < cfg->health.nendpoints; i++)
		if (dur_in_range("health.endpoints[].timeout",
		    cfg->health.endpoints[i].timeout, file, err) < 0)
			return -1;
	return 0;
}

/* cJSON turns "\u0000" into a NUL that silently ends the C string (a
 * truncated daemon.match once selected an unrelated process): refuse it,
 * and a raw NUL byte, before parsing. A "\u0000" counts when the
 * backslashes before its 'u' are odd in number (else the backslash itself
 * was escaped). */
static int
has_nul(const char *text, size_t len, int *line)
{
	*line = 1;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			(*line)++;
		if (text[i] == '\0')
			return 1;
		if (text[i] == '\\' && i + 5 < len && text[i + 1] == 'u' &&
		    strncmp(text + i + 2, "0000", 4) == 0) {
			size_t n = 0;

			for (size_t j = i + 1; j-- > 0 && text[j] == '\\'; )
				n++;
			if (n % 2 == 1)
				return 1;
		}
	}
	return 0;
}

/* ---- end of issue 11's block ------------------------------------------- */

/* Cross-key checks that no single key's type can express. */
static int
validate(struct ops_config *cfg, const char *file, struct ops_err *err)
{
	static const char *const integ[] = { "quick", "full", "off", NULL };
	static const char *const comp[] = { "zstd", "gzip", "none", NULL };
	static const char *const res[] = { "cpu", "rss", "fds", "host_memory", "load",
		NULL };
	static const char *const bcheck[] = { "quick", "full", "off", NULL };

	if (!one_of(cfg->health.integrity, integ))
		return bad(err, file, "health.integrity", "\"quick\", \"full\" or \"off\"");
	if (!one_of(cfg->backup.compression, comp))
		return bad(err, file, "backup.compression", "\"zstd\", \"gzip\" or \"none\"");
	if (!one_of(cfg->backup.check, bcheck))
		return bad(err, file, "backup.check", "\"quick\", \"full\" or \"off\"");
	if (cfg->backup.keep_good < 1)
		return bad(err, file, "backup.keep_good", "a whole number, 1 or more");
	if (cfg->backup.offsite_max_failures < 1)
		return bad(err, file, "backup.offsite_max_failures", "a whole number, 1 or more");
	if (cfg->daemon.restart_burst < 1)
		return bad(err, file, "daemon.restart_burst", "a whole number, 1 or more");
	if (cfg->daemon.restart_window <= 0)
		return bad(err, file, "daemon.restart_window", "a duration above 0");
	/* issue 12: each recipient must be a key; a passphrase is alone (age) */
	for (size_t i = 0; i < cfg->backup.encrypt_to.n; i++) {
		unsigned char pub[32];

		/* the parse only (ops_agekey): no OpenSSL in ops-dashboard */
		if (ops_age_public_parse(cfg->backup.encrypt_to.v[i], pub, NULL) < 0)
			return bad(err, file, "backup.encrypt_to",
			    "age X25519 public keys (age1…, from ops-backup keygen)");
	}
	if (cfg->backup.encrypt_to.n > 0 && cfg->backup.passphrase_file[0] != '\0')
		return bad(err, file, "backup.passphrase_file",
		    "unset when backup.encrypt_to is set (age allows a passphrase only alone)");
	/* issue 12 step 3: one way offsite */
	if (cfg->backup.offsite.enabled && cfg->backup.offsite_command.n > 0)
		return bad(err, file, "backup.offsite",
		    "unset when backup.offsite_command is set (one way offsite)");
	if (cfg->daemon.match[0] == '\0')
		return bad(err, file, "daemon.match", "a non-empty string");
	if (cfg->health.disk_crit > cfg->health.disk_warn)
		return bad(err, file, "health.disk_crit", "a size no larger than health.disk_warn");
	if (cfg->health.email_window < 1)
		return bad(err, file, "health.email_window", "a whole number, 1 or more");
	for (size_t i = 0; i < cfg->health.resources.n; i++)
		if (!one_of(cfg->health.resources.v[i], res))
			return bad(err, file, "health.resources",
			    "names among \"cpu\", \"rss\", \"fds\", \"host_memory\", \"load\"");
	if (confined_paths(cfg, file, err) < 0 || durations(cfg, file, err) < 0)
		return -1;
	if (check_remedies(cfg, file, err) < 0)
		return -1;
	if (cfg->serve.max_connections < 1 || cfg->serve.max_connections > 1000)
		return bad(err, file, "serve.max_connections", "a whole number, 1 to 1000");
	if (cfg->serve.timeout < 1)
		return bad(err, file, "serve.timeout", "a duration of 1s or more");
	if ((cfg->serve.tls_cert[0] == '\0') != (cfg->serve.tls_key[0] == '\0'))
		return bad(err, file, "serve.tls_cert", "both serve.tls_cert and serve.tls_key");
	for (size_t i = 0; i < cfg->alert.alertmanager.n; i++)
		if (strncmp(cfg->alert.alertmanager.v[i], "http://", 7) != 0 &&
		    strncmp(cfg->alert.alertmanager.v[i], "https://", 8) != 0)
			return bad(err, file, "alert.alertmanager", "http:// or https:// URLs");
	return unique_names(cfg, file, err);
}

static int
apply_json(struct ops_config *cfg, const char *text, size_t len,
    const char *file, struct ops_err *err)
{
	cJSON *root;
	const cJSON *sec, *item;
	const char *where;
	int rc = -1, nul_line;

	if (has_nul(text, len, &nul_line))
		return ops_err_set(err, OPS_E_USAGE,
		    "%s: a string holds a NUL character (\\u0000) near line %d", file,
		    nul_line);
	root = cJSON_ParseWithLengthOpts(text, len, &where, 0);
	/* Only white space may follow the object. */
	while (root != NULL && where < text + len &&
	    (*where == ' ' || *where == '\t' || *where == '\n' || *where == '\r'))
		where++;
	if (root != NULL && where < text + len) {
		cJSON_Delete(root);
		root = NULL;
	}
	if (root == NULL) {
		int line = 1;

		if (where == NULL || where < text || where > text + len)
			where = text;
		for (const char *p = text; where && p < where && p < text + len; p++)
			line += *p == '\n';
		return ops_err_set(err, OPS_E_USAGE, "%s: invalid JSON near line %d", file, line);
	}
	if (!cJSON_IsObject(root)) {
		ops_err_set(err, OPS_E_USAGE, "%s: expected a JSON object", file);
		goto out;
	}
	cJSON_ArrayForEach(sec, root) {
		if (strcmp(sec->string, "actions") == 0) {
			if (get_actions(cfg, sec, file, err) < 0)
				goto out;
			continue;
		}
		if (!known_section(sec->string)) {
			ops_err_set(err, OPS_E_USAGE, "%s: unknown key '%s'", file, sec->string);
			goto out;
		}
		if (!cJSON_IsObject(sec)) {
			bad(err, file, sec->string, "an object");
			goto out;
		}
		cJSON_ArrayForEach(item, sec) {
			const struct key *k = find_key(sec->string, item->string);

			if (k == NULL) {
				ops_err_set(err, OPS_E_USAGE, "%s: unknown key '%s.%s'",
				    file, sec->string, item->string);
				goto out;
			}
			if (set_value(cfg, k, item, file, err) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

static int
defaults(struct ops_config *cfg, const char *home, struct ops_err *err)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->home = strdup(home);
	if (cfg->home == NULL)
		return ops_err_sys(err, ENOMEM, "unable to load the configuration");
	for (size_t i = 0; i < NKEYS; i++)
		if (set_default(cfg, &keys[i], err) < 0)
			return -1;
	return 0;
}

int
ops_config_load_text(struct ops_config *cfg, const char *home,
    const char *text, size_t len, const char *name, struct ops_err *err)
{
	if (defaults(cfg, home ? home : "/nonexistent", err) < 0 ||
	    apply_json(cfg, text, len, name, err) < 0 ||
	    validate(cfg, name, err) < 0)
		return -1;
	return 0;
}

static int
resolve_home(const char *home_opt, char *buf, size_t len, struct ops_err *err)
{
	const char *h = home_opt, *user_home;
	char joined[PATH_MAX];
	struct passwd *pw;

	if (h == NULL || *h == '\0')
		h = getenv("DHARMIC_HOME");
	if (h == NULL || *h == '\0') {
		user_home = getenv("HOME");
		if ((user_home == NULL || *user_home == '\0') &&
		    (pw = getpwuid(getuid())) != NULL)
			user_home = pw->pw_dir;
		if (user_home == NULL)
			return ops_err_set(err, OPS_E_USAGE,
			    "no home: use --home or set DHARMIC_HOME");
		if (ops_path_join(joined, sizeof(joined), user_home,
		    "DHARMIC_GODEL_CLAW", err) < 0)
			return -1;
		h = joined;
	}
	if (realpath(h, buf) == NULL) {
		ops_err_sys(err, errno, "unable to use home '%s'", h);
		err->code = OPS_E_USAGE;
		return -1;
	}
	(void)len;
	return 0;
}

int
ops_config_load(struct ops_config *cfg, const char *home_opt,
    const char *config_opt, struct ops_err *err)
{
	char home[PATH_MAX], path[PATH_MAX];
	const char *file = config_opt, *env;
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int explicit = 1, rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (resolve_home(home_opt, home, sizeof(home), err) < 0)
		return -1;
	if (defaults(cfg, home, err) < 0)
		goto out;
	if (file == NULL || *file == '\0')
		file = getenv("DHARMIC_OPS_CONFIG");
	if (file == NULL || *file == '\0') {
		explicit = 0;
		if (ops_path_join(path, sizeof(path), home, "ops.json", err) < 0)
			goto out;
		file = path;
	}
	if (ops_fs_read_file(file, 1 << 20, &text, &len, err) < 0) {
		if (!explicit && err->code == OPS_E_NOENT) {
			ops_err_clear(err);
			goto env;
		}
		err->code = OPS_E_USAGE;
		goto out;
	}
	/* The file names commands we run: refuse one others may write to. */
	if (stat(file, &st) == 0 && (st.st_mode & S_IWOTH)) {
		ops_err_set(err, OPS_E_USAGE,
		    "%s: refusing a config file writable by others (chmod o-w)", file);
		goto out;
	}
	if (set_str(&cfg->file, file) < 0) {
		ops_err_sys(err, ENOMEM, "%s", file);
		goto out;
	}
	if (apply_json(cfg, text, len, file, err) < 0)
		goto out;
env:
	env = getenv("ALERT_EMAIL");
	if (env != NULL && *env != '\0' && set_str(&cfg->alert.email, env) < 0) {
		ops_err_sys(err, ENOMEM, "ALERT_EMAIL");
		goto out;
	}
	if (validate(cfg, cfg->file ? cfg->file : "defaults", err) < 0)
		goto out;
	rc = 0;
out:
	free(text);
	return rc;
}

int
ops_config_path(const struct ops_config *cfg, const char *rel, char *buf,
    size_t len, struct ops_err *err)
{
	if (ops_path_join(buf, len, cfg->home, rel, err) < 0)
		return -1;
	/* A relative path is in the home through real directories only (an
	 * absolute one, such as backup.dir, was allowed by the config load). */
	if (rel[0] != '/' && ops_confine_path(cfg->home, buf, err) != 1)
		return -1;
	return 0;
}

void
ops_config_release(struct ops_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < NKEYS; i++) {
		void *p = at(cfg, &keys[i]);

		if (keys[i].kind == K_STR)
			free(*(char **)p);
		else if (keys[i].kind == K_STRV)
			ops_strv_release(p);
	}
	free_entries(cfg, 1);
	free_entries(cfg, 0);
	free_actions(cfg);
	free_logs(cfg);
	free_monit(cfg);
	free_context(cfg);
	free_offsite(cfg);
	free(cfg->home);
	free(cfg->file);
	memset(cfg, 0, sizeof(*cfg));
}
