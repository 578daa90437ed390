#include "ops_context.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_buf.h"
#include "ops_confine.h"
#include "ops_daemon.h"
#include "ops_fs.h"
#include "ops_monit.h"
#include "ops_run.h"
#include "ops_sanitize.h"
#include "ops_time.h"

#define KEEP (30 * 86400.0)

/* c when it is set (a check's own "context" key), else NULL */
static const struct ops_context_cfg *
own(const struct ops_context_cfg *c)
{
	return c->target != NULL ? c : NULL;
}

const struct ops_context_cfg *
ops_context_for(const struct ops_config *cfg, const char *check)
{
	const struct ops_context_cfg *any = NULL;
	char name[128];

	/* A check's own key first: it is the more specific place. */
	for (size_t i = 0; i < cfg->health.nchecks; i++)
		if (strcmp(cfg->health.checks[i].name, check) == 0)
			return own(&cfg->health.checks[i].context) ? &cfg->health.checks[i].context :
			    ops_context_named(cfg, check);
	for (size_t i = 0; i < cfg->health.nendpoints; i++)
		if (strcmp(cfg->health.endpoints[i].name, check) == 0)
			return own(&cfg->health.endpoints[i].context) ?
			    &cfg->health.endpoints[i].context : ops_context_named(cfg, check);
	for (size_t i = 0; i < cfg->health.nlogs; i++)
		if (strcmp(cfg->health.logs[i].name, check) == 0)
			return own(&cfg->health.logs[i].context) ? &cfg->health.logs[i].context :
			    ops_context_named(cfg, check);
	/* Monit's services by Monit's name, then health.context by the
	 * check's name, then health.monit.context's "*" */
	if (cfg->health.monit.enabled && strncmp(check, "monit_", 6) == 0) {
		for (size_t i = 0; i < cfg->health.monit.ncontext; i++) {
			const struct ops_context_cfg *cc = &cfg->health.monit.context[i];

			if (strcmp(cc->check, "*") == 0) {
				if (any == NULL)
					any = cc;
				continue;
			}
			ops_monit_check_name(cc->check, name, sizeof(name));
			if (strcmp(name, check) == 0)
				return cc;
		}
	}
	return ops_context_named(cfg, check) ? ops_context_named(cfg, check) : any;
}

const struct ops_context_cfg *
ops_context_named(const struct ops_config *cfg, const char *check)
{
	for (size_t i = 0; i < cfg->health.ncontext; i++)
		if (strcmp(cfg->health.context[i].check, check) == 0)
			return &cfg->health.context[i];
	return NULL;
}

/* The newest of a glob's matches by modification time, confined. */
static int
newest(const struct ops_config *cfg, const char *glob, char *out, size_t len,
    struct ops_err *err)
{
	struct ops_strv v = OPS_STRV_INIT;
	double best = -1;
	struct stat st;

	if (ops_confine_glob(cfg->home, glob, &v, NULL, err) < 0)
		return -1;
	out[0] = '\0';
	for (size_t i = 0; i < v.n; i++)
		if (lstat(v.v[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9 >= best) {
			best = (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
			snprintf(out, len, "%s", v.v[i]);
		}
	ops_strv_release(&v);
	if (out[0] == '\0')
		return ops_err_set(err, OPS_E_NOENT, "no file matches '%s'", glob);
	return 0;
}

int
ops_context_redact(const char *envpath, char **text, struct ops_err *err)
{
	char *env = NULL, *line, *save = NULL, *kv = NULL;
	struct ops_buf b = OPS_BUF_INIT;
	size_t len;
	int rc = -1;

	if (ops_fs_read_file(envpath, 1 << 20, &env, &len, err) < 0) {
		if (err->code == OPS_E_NOENT) {
			ops_err_clear(err);
			return 0;
		}
		return -1;
	}
	for (line = strtok_r(env, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *val, *p;

		free(kv);
		kv = NULL;
		if (ops_env_parse_line(line, &kv) != 1)
			continue;
		val = strchr(kv, '=') + 1;
		/* short values ("1", "true") would blank out ordinary words */
		if (strlen(val) < 4 || strstr(*text, val) == NULL)
			continue;
		ops_buf_release(&b);
		for (p = *text; ; ) {
			const char *hit = strstr(p, val);

			if (hit == NULL) {
				ops_buf_puts(&b, p);
				break;
			}
			ops_buf_add(&b, p, (size_t)(hit - p));
			ops_buf_puts(&b, "[redacted]");
			p = hit + strlen(val);
		}
		if (b.oom) {
			ops_err_sys(err, ENOMEM, "unable to redact the context");
			goto out;
		}
		free(*text);
		*text = strdup(ops_buf_str(&b));
		if (*text == NULL) {
			ops_err_sys(err, ENOMEM, "unable to redact the context");
			goto out;
		}
	}
	rc = 0;
out:
	free(kv);
	ops_buf_release(&b);
	explicit_bzero(env, len);
	free(env);
	return rc;
}

int
ops_context_capture(const struct ops_config *cfg, const struct ops_context_cfg *cc,
    char **text, char *source, size_t slen, struct ops_err *err)
{
	char path[PATH_MAX], env[PATH_MAX], *raw = NULL, *clean;
	struct ops_run_result rr = { 0 };
	int rc = -1;

	*text = NULL;
	if (cc->kind == OPS_CTX_JOURNAL) {
		char n[16];
		char *argv[] = { (char *)"journalctl", (char *)"--user", (char *)"-u",
			cc->target, (char *)"-n", n, (char *)"--no-pager", (char *)"-q",
			(char *)"-o", (char *)"short-iso", NULL };

		snprintf(n, sizeof(n), "%lld", (long long)cc->max_lines);
		if (getuid() == 0)	/* root's units are the system's */
			memmove(&argv[1], &argv[2], 9 * sizeof(argv[0]));
		snprintf(source, slen, "journalctl %s-u %s", getuid() == 0 ? "" : "--user ",
		    cc->target);
		if (ops_run(argv, NULL, NULL, 5.0, OPS_CONTEXT_MAX_BYTES, &rr, err) < 0)
			goto out;
		if (!rr.exited || rr.status != 0) {
			ops_err_set(err, OPS_E_FAIL, "%s failed%s", source,
			    rr.timed_out ? " (timed out)" : "");
			goto out;
		}
		raw = rr.output;
		rr.output = NULL;
	} else {
		if (cc->kind == OPS_CTX_NEWEST) {
			if (newest(cfg, cc->target, path, sizeof(path), err) < 0)
				goto out;
		} else if (ops_config_path(cfg, cc->target, path, sizeof(path), err) < 0 ||
		    ops_confine_path(cfg->home, path, err) != 1) {
			if (err->msg[0] == '\0')
				ops_err_set(err, OPS_E_FAIL, "'%s' is not inside the home",
				    cc->target);
			goto out;
		}
		snprintf(source, slen, "%s", ops_fs_rel(cfg->home, path));
		if (ops_fs_tail(path, (size_t)cc->max_lines, OPS_CONTEXT_MAX_BYTES, &raw,
		    err) < 0)
			goto out;
	}
	if (ops_config_path(cfg, cfg->daemon.env_file, env, sizeof(env), err) < 0 ||
	    ops_context_redact(env, &raw, err) < 0)
		goto out;
	/* Newlines and tabs stay; escapes, C1 controls, bad UTF-8 do not. */
	clean = ops_san_dup(raw, OPS_SAN_TERM);
	if (clean == NULL) {
		ops_err_sys(err, ENOMEM, "unable to capture the context");
		goto out;
	}
	*text = clean;
	rc = 0;
out:
	free(raw);
	ops_run_result_release(&rr);
	return rc;
}

static int
store(struct ops_statedb *st, const char *check, double since, double now, int state,
    const char *source, const char *text, struct ops_err *err)
{
	sqlite3_stmt *q = NULL;

	if (ops_state_prepare(st, "INSERT INTO incident_context(name, since, ts, state,"
	    " source, lines) VALUES(?,?,?,?,?,?)", &q, err) < 0)
		return -1;
	sqlite3_bind_text(q, 1, check, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 2, since);
	sqlite3_bind_double(q, 3, now);
	sqlite3_bind_int(q, 4, state);
	sqlite3_bind_text(q, 5, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, text, -1, SQLITE_STATIC);
	if (ops_state_step_done(st, q, "store the incident context", err) < 0)
		return -1;
	/* bounded: 30 days, and the newest 1000 captures */
	if (ops_state_prepare(st, "DELETE FROM incident_context WHERE ts<? OR id<="
	    "(SELECT id FROM incident_context ORDER BY id DESC LIMIT 1 OFFSET 1000)",
	    &q, err) < 0)
		return -1;
	sqlite3_bind_double(q, 1, now - KEEP);
	return ops_state_step_done(st, q, "prune the incident context", err);
}

/* cc->check may be a Monit name or "*": the incident is the check's. */
static int
capture_store(const struct ops_config *cfg, struct ops_statedb *st,
    const struct ops_context_cfg *cc, const char *check, double since, double now,
    int state, struct ops_err *err)
{
	char source[PATH_MAX + 64], *text = NULL;
	int rc;

	if (ops_context_capture(cfg, cc, &text, source, sizeof(source), err) < 0) {
		/* what went wrong is the context: keep it with the incident */
		snprintf(source, sizeof(source), "%s", cc->target);
		text = strdup(err->msg);
		ops_err_clear(err);
		if (text == NULL)
			return ops_err_sys(err, ENOMEM, "unable to capture the context");
	}
	rc = store(st, check, since, now, state, source, text, err);
	free(text);
	return rc;
}

int
ops_context_record(const struct ops_config *cfg, struct ops_statedb *st,
    const struct ops_report *r, double now, struct ops_err *err)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct ops_result *res = &r->v[i];
		const struct ops_context_cfg *cc;

		if (!res->changed || res->state == OPS_OK ||
		    (cc = ops_context_for(cfg, res->name)) == NULL)
			continue;
		if (capture_store(cfg, st, cc, res->name, res->since > 0 ? res->since : now,
		    now, (int)res->state, err) < 0)
			return -1;
	}
	return 0;
}

int
ops_context_get(const struct ops_config *cfg, struct ops_statedb *st,
    const char *check, double since, int capture, double now, char **source,
    char **text, double *ts, struct ops_err *err)
{
	const struct ops_context_cfg *cc = ops_context_for(cfg, check);
	sqlite3_stmt *q = NULL;
	int rc;

	*source = *text = NULL;
	for (int pass = 0; pass < 2; pass++) {
		if (ops_state_prepare(st, "SELECT source, lines, ts FROM incident_context"
		    " WHERE name=? AND ts>=? ORDER BY ts DESC, id DESC LIMIT 1", &q, err) < 0)
			return -1;
		sqlite3_bind_text(q, 1, check, -1, SQLITE_STATIC);
		/* an incident's context may be captured a little before the
		 * alert's own start is recorded */
		sqlite3_bind_double(q, 2, since - 120);
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			*source = strdup((const char *)sqlite3_column_text(q, 0));
			*text = strdup((const char *)sqlite3_column_text(q, 1));
			*ts = sqlite3_column_double(q, 2);
			sqlite3_finalize(q);
			if (*source == NULL || *text == NULL) {
				free(*source);
				free(*text);
				*source = *text = NULL;
				return ops_err_sys(err, ENOMEM, "unable to read the context");
			}
			return 1;
		}
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			return ops_state_error(err, st, "read the incident context");
		if (!capture || cc == NULL || pass == 1)
			return 0;
		if (capture_store(cfg, st, cc, check, since, now, OPS_UNKNOWN, err) < 0)
			return -1;
	}
	return 0;
}

int
ops_context_show(const struct ops_config *cfg, const char *check,
    struct ops_buf *out, struct ops_err *err)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	sqlite3_stmt *q = NULL;
	char *source = NULL, *text = NULL, t1[32], t2[32];
	double ts = 0, since = 0;
	int state = -1, rc = -1, got;

	if (ops_state_open(&st, cfg->home, err) < 0)
		return -1;
	if (ops_state_prepare(&st, "SELECT state, since, message FROM check_current"
	    " WHERE name=?", &q, err) < 0)
		goto out;
	sqlite3_bind_text(q, 1, check, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		state = sqlite3_column_int(q, 0);
		since = sqlite3_column_double(q, 1);
		ops_buf_printf(out, "%s: %s since %s - ", check,
		    ops_state_name((enum ops_state)(state >= 0 && state <= 3 ? state : 3)),
		    ops_time_log(since, t1, sizeof(t1)));
		ops_san_puts(out, (const char *)sqlite3_column_text(q, 2), OPS_SAN_LINE);
		ops_buf_puts(out, "\n");
	}
	sqlite3_finalize(q);
	got = ops_context_get(cfg, &st, check, 0, 0, 0, &source, &text, &ts, err);
	if (got < 0)
		goto out;
	if (state < 0 && got == 0 && ops_context_for(cfg, check) == NULL) {
		ops_err_set(err, OPS_E_USAGE, "no check named '%s' has been recorded "
		    "(run ops-health first)", check);
		goto out;
	}
	if (got == 1) {
		ops_buf_printf(out, "\nLog context captured %s from %s:\n",
		    ops_time_log(ts, t2, sizeof(t2)), source);
		ops_san_puts(out, text, OPS_SAN_TERM);
		if (text[0] != '\0' && text[strlen(text) - 1] != '\n')
			ops_buf_puts(out, "\n");
	} else if (ops_context_for(cfg, check) != NULL) {
		ops_buf_puts(out, "\nNo log context captured yet (it is captured when the "
		    "check becomes non-OK).\n");
	} else {
		ops_buf_printf(out, "\nNo log context configured (the check's own \"context\""
		    " key or health.context.%s in dharmic-ops.json(5)).\n", check);
	}
	rc = state > 0 ? 1 : 0;
out:
	free(source);
	free(text);
	ops_state_close(&st);
	return rc;
}
