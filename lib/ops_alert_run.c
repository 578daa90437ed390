#include "ops_alert_run.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_action.h"
#include "ops_alert.h"
#include "ops_alert_store.h"
#include "ops_alertmanager.h"
#include "ops_audit.h"
#include "ops_context.h"
#include "ops_daemon.h"
#include "ops_fs.h"
#include "ops_health.h"
#include "ops_notify.h"
#include "ops_restart.h"
#include "ops_service.h"
#include "ops_state.h"
#include "ops_time.h"
#include "ops_units.h"

#define INPUT_MAX_BYTES (8u << 20)
#define QUEUE_MAX_AGE 86400.0
#define QUEUE_MAX_ATTEMPTS 12

static void
hostname(char *buf, size_t len)
{
	if (gethostname(buf, len) < 0 || buf[0] == '\0')
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
}

/* ---- input ------------------------------------------------------------ */

int
ops_alert_report_from_json(const char *text, size_t len, struct ops_report *r,
    struct ops_err *err)
{
	cJSON *root, *checks, *c;
	int rc = -1;

	root = cJSON_ParseWithLength(text, len);
	if (root == NULL)
		return ops_err_set(err, OPS_E_FAIL,
		    "not ops-health --json output: malformed JSON");
	checks = cJSON_GetObjectItemCaseSensitive(root, "checks");
	if (!cJSON_IsArray(checks)) {
		ops_err_set(err, OPS_E_FAIL, "not ops-health --json output: no \"checks\" array");
		goto out;
	}
	cJSON_ArrayForEach(c, checks) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
		const cJSON *state = cJSON_GetObjectItemCaseSensitive(c, "state");
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(c, "code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(c, "message");
		int s = -1;

		if (!cJSON_IsString(name) || name->valuestring[0] == '\0') {
			ops_err_set(err, OPS_E_FAIL,
			    "not ops-health --json output: a check without a name");
			goto out;
		}
		if (cJSON_IsString(state))
			s = ops_state_parse(state->valuestring);
		else if (cJSON_IsNumber(code) && code->valuedouble >= 0 &&
		    code->valuedouble <= 3)
			s = (int)code->valuedouble;
		if (s < 0) {
			ops_err_set(err, OPS_E_FAIL,
			    "not ops-health --json output: check '%.64s' has no valid state",
			    name->valuestring);
			goto out;
		}
		if (ops_report_add(r, name->valuestring, (enum ops_state)s, "%s",
		    cJSON_IsString(msg) ? msg->valuestring : "") == NULL) {
			ops_err_sys(err, ENOMEM, "unable to read the report");
			goto out;
		}
	}
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

static int
read_input(const char *from, char **text, size_t *len, struct ops_err *err)
{
	size_t cap = 65536, n = 0;
	char *buf, *nb;
	ssize_t k;

	if (strcmp(from, "-") != 0)
		return ops_fs_read_file(from, INPUT_MAX_BYTES, text, len, err);
	buf = malloc(cap + 1);
	if (buf == NULL)
		return ops_err_sys(err, errno, "unable to read standard input");
	for (;;) {
		if (n == cap) {
			if (cap >= INPUT_MAX_BYTES) {
				free(buf);
				return ops_err_set(err, OPS_E_FAIL,
				    "standard input: more than %u bytes", INPUT_MAX_BYTES);
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				free(buf);
				return ops_err_sys(err, ENOMEM, "unable to read standard input");
			}
			buf = nb;
		}
		k = read(0, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			free(buf);
			return ops_err_sys(err, errno, "unable to read standard input");
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

static int
get_report(const struct ops_config *cfg, const struct ops_alert_run_opts *o,
    struct ops_statedb *st, struct ops_report *r, struct ops_err *err)
{
	struct ops_health_opts ho = { 0 };
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (o->from_json == NULL) {
		ho.timeout = o->timeout > 0 ? o->timeout : cfg->health.timeout;
		ho.only = o->only;
		ho.nonly = o->nonly;
		return ops_health_run(cfg, &ho, st, r, err);
	}
	if (read_input(o->from_json, &text, &len, err) < 0)
		return -1;
	rc = ops_alert_report_from_json(text, len, r, err);
	if (rc < 0)
		ops_err_prefix(err, "%s", strcmp(o->from_json, "-") == 0 ? "standard input" :
		    o->from_json);
	free(text);
	return rc;
}

/* ---- one run ---------------------------------------------------------- */

enum qaction { Q_KEEP, Q_DEL, Q_BUMP };

struct run {
	const struct ops_config *cfg;
	struct ops_statedb st;
	struct ops_alert_set set;
	struct ops_alert_plan plan;
	struct ops_alert_ctx ctx;
	struct ops_alert_queued *q;
	enum qaction *qact;
	size_t nq;
	struct ops_buf *out, *warn;
	char host[256];
	int recovered, failed;
	int stale;		/* restart a hung agent (daemon.restart_on_stale) */
	struct ops_alert_state *before;	/* the set as loaded (Alertmanager) */
	size_t nbefore;
	/* what the restart policy said, for the audit trail (written after
	 * the alert transaction, which must not wait on it) */
	char policy[256];
	const char *policy_outcome;	/* "deferred", "refused", or NULL */
};

static void
notice_for(struct run *R, const struct ops_alert_notice *an, struct ops_buf *msg,
    char *title, size_t tlen, struct ops_notice *n)
{
	const struct ops_alert_state *st = &R->set.v[an->idx];
	char d[32], ts[32];

	ops_alert_title(st->type, title, tlen);
	if (an->kind == OPS_ALERT_RESOLVED) {
		ops_buf_printf(msg, "resolved after %s: %s",
		    ops_duration_format(an->since > 0 && an->since <= R->ctx.now ?
		    R->ctx.now - an->since : 0, d, sizeof(d)), st->message);
	} else {
		ops_buf_puts(msg, st->message);
		if (an->before.notified)
			ops_buf_printf(msg, " (ongoing since %s)",
			    ops_time_log(an->since, ts, sizeof(ts)));
	}
	if (R->recovered && an == &R->plan.v[0]) {
		size_t k = 0;

		ops_buf_puts(msg, "; note: the alert state was unreadable and was reset");
		for (size_t i = 1; i < R->plan.n; i++)
			if (R->plan.v[i].folded)
				ops_buf_printf(msg, "%s%s", k++ ? ", " : "; also active: ",
				    R->set.v[R->plan.v[i].idx].type);
	}
	memset(n, 0, sizeof(*n));
	n->type = st->type;
	n->severity = ops_state_name(an->severity);
	n->state = an->kind == OPS_ALERT_RESOLVED ? "resolved" : "firing";
	n->title = title;
	n->message = ops_buf_str(msg);
	n->host = R->host;
	n->home = R->cfg->home;
	n->timestamp = R->ctx.now;
	n->since = an->since;
	n->suppressed = an->suppressed;
}

static int
configured(const struct ops_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->health.nchecks; i++)
		if (strcmp(cfg->health.checks[i].name, name) == 0)
			return 1;
	for (size_t i = 0; i < cfg->health.nendpoints; i++)
		if (strcmp(cfg->health.endpoints[i].name, name) == 0)
			return 1;
	for (size_t i = 0; i < cfg->health.nlogs; i++)
		if (strcmp(cfg->health.logs[i].name, name) == 0)
			return 1;
	/* a resource check is left out while the agent is down: its alert
	 * waits for the next measurement rather than resolving */
	for (size_t i = 0; i < cfg->health.resources.n; i++)
		if (strcmp(cfg->health.resources.v[i], name) == 0)
			return 1;
	/* Monit's services come and go with Monit's answer */
	if (cfg->health.monit.enabled && strncmp(name, "monit", 5) == 0 &&
	    (name[5] == '\0' || name[5] == '_'))
		return 1;
	return 0;
}

static int
in_conds(const struct ops_alert_conds *c, const char *type)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].type, type) == 0)
			return 1;
	return 0;
}

/* A check_NAME row whose check was removed from health.checks and
 * health.endpoints (and is not in the report either): an alert on it
 * resolves ("no longer configured") instead of firing for ever, and a
 * quiet one is forgotten (ops-alert status stops listing it). -1 on
 * failure. */
static int
retire_removed_checks(struct run *R, struct ops_alert_conds *conds, struct ops_err *err)
{
	for (size_t i = 0; i < R->set.n;) {
		const struct ops_alert_state *x = &R->set.v[i];

		if (strncmp(x->type, "check_", 6) != 0 || configured(R->cfg, x->type + 6) ||
		    in_conds(conds, x->type) || x->resolve_pending) {
			i++;
		} else if (x->active) {
			if (ops_alert_conds_add(conds, x->type, 0, OPS_OK,
			    "no longer configured") < 0)
				return ops_err_sys(err, ENOMEM, "unable to decide on alerts");
			i++;
		} else {
			/* out of the set too, or the save would write it back */
			if (ops_alert_store_forget(&R->st, x->type, err) < 0)
				return -1;
			memmove(&R->set.v[i], &R->set.v[i + 1],
			    (R->set.n - i - 1) * sizeof(R->set.v[0]));
			R->set.n--;
		}
	}
	return 0;
}

/* Phase 1, one transaction: read the state, apply the report, decide,
 * reserve what goes out (so a concurrent run counts it), write it back. */
/* A configured check that names a remedy: its alert says the exact
 * command that fixes it. */
static void
suggest_remedies(const struct ops_config *cfg, struct ops_alert_conds *conds)
{
	for (size_t i = 0; i < conds->n; i++) {
		struct ops_alert_cond *c = &conds->v[i];

		for (size_t k = 0; k < cfg->health.nchecks; k++) {
			const struct ops_check_cfg *cc = &cfg->health.checks[k];
			size_t len = strlen(c->message);

			if (!c->active || cc->remedy == NULL ||
			    strncmp(c->type, "check_", 6) != 0 ||
			    strcmp(c->type + 6, cc->name) != 0)
				continue;
			snprintf(c->message + len, sizeof(c->message) - len,
			    " (remedy: dharmic-ops act %s)", cc->remedy);
		}
	}
}

/* Whether to restart now: the restart policy (ops_restart.h) decides,
 * not the alert cooldown. A dead agent (daemon_critical) is restarted;
 * with daemon.restart_on_stale, so is a hung one (alive, heartbeat
 * CRITICAL: older than health.heartbeat_crit intervals), by stop and
 * start (R->stale). A silenced daemon_critical holds both. */
/* The policy's reason in words, for the audit trail. */
static void
policy_text(struct run *R, const struct ops_restart_decision *d)
{
	char ts[32], w[32];

	ops_duration_format(R->cfg->daemon.restart_window, w, sizeof(w));
	R->policy_outcome = d->verdict == OPS_RESTART_WAIT ? "deferred" :
	    d->verdict == OPS_RESTART_SPENT ? "refused" : NULL;
	if (d->verdict == OPS_RESTART_WAIT)
		snprintf(R->policy, sizeof(R->policy), "backing off until %s after %lld "
		    "crash restart%s in the last %s", ops_time_log(d->next_at, ts, sizeof(ts)),
		    (long long)d->recent, d->recent == 1 ? "" : "s", w);
	else if (d->verdict == OPS_RESTART_SPENT)
		snprintf(R->policy, sizeof(R->policy), "burst spent: %lld crash restarts in "
		    "the last %s (daemon.restart_burst %lld)", (long long)d->recent, w,
		    (long long)R->cfg->daemon.restart_burst);
	else
		snprintf(R->policy, sizeof(R->policy), "policy: %lld earlier crash restart%s "
		    "in the last %s, burst %lld", (long long)d->recent,
		    d->recent == 1 ? "" : "s", w, (long long)R->cfg->daemon.restart_burst);
}

static int
restart_due(struct run *R, double now)
{
	const struct ops_alert_state *dc = ops_alert_set_find(&R->set, "daemon_critical");
	const struct ops_alert_state *dd = ops_alert_set_find(&R->set, "daemon_degraded");
	struct ops_restart_decision d;
	struct ops_err e = OPS_ERR_INIT;
	char ts[32], w[32];

	R->stale = 0;
	if (dc != NULL && dc->silenced_until > now)
		return 0;
	if (!ops_alert_want_restart(&R->set, 0, now, 0)) {
		if (!R->cfg->daemon.restart_on_stale || dd == NULL || !dd->active ||
		    dd->severity != OPS_CRITICAL || (dc != NULL && dc->active) ||
		    dd->silenced_until > now)
			return 0;
		R->stale = 1;
	}
	if (ops_restart_check(R->cfg, &R->st, now, &d, &e) < 0) {
		ops_buf_printf(R->warn, "restart policy: %s\n", e.msg);
		return 0;
	}
	if (d.verdict == OPS_RESTART_WAIT)
		ops_buf_printf(R->out, "restart held back until %s (%lld crash restart%s "
		    "in the last %s)\n", ops_time_log(d.next_at, ts, sizeof(ts)),
		    (long long)d.recent, d.recent == 1 ? "" : "s",
		    ops_duration_format(R->cfg->daemon.restart_window, w, sizeof(w)));
	else if (d.verdict == OPS_RESTART_SPENT)
		ops_buf_printf(R->out, "not restarting: %lld crash restarts in the last "
		    "window (daemon.restart_burst %lld)\n", (long long)d.recent,
		    (long long)R->cfg->daemon.restart_burst);
	policy_text(R, &d);
	return d.verdict == OPS_RESTART_NOW;
}

static int
decide(struct run *R, struct ops_alert_conds *conds, int *restart,
    struct ops_err *err)
{
	const struct ops_config *cfg = R->cfg;
	struct ops_alert_policy pol = { cfg->alert.cooldown, cfg->alert.max_per_hour };
	double unreported = 0, lost = 0, last_restart = 0;
	double now = R->ctx.now;
	int corrupt;

	if (ops_alert_store_begin(&R->st, err) < 0)
		return -1;
	if (ops_alert_store_load(&R->st, now, &R->set, err) < 0 ||
	    ops_alert_store_meta_get(&R->st, "unreported", &unreported, err) < 0 ||
	    ops_alert_store_meta_get(&R->st, "state_lost", &lost, err) < 0 ||
	    ops_alert_store_meta_get(&R->st, "last_restart", &last_restart, err) < 0 ||
	    ops_alert_store_sent_count(&R->st, now, &R->ctx.sent_last_hour, err) < 0)
		goto fail;
	/* What was active before this run: a type that clears now gets its
	 * resolved alert at Alertmanager. */
	free(R->before);
	R->nbefore = 0;
	if (R->set.n > 0 && (R->before = malloc(R->set.n * sizeof(*R->before))) != NULL) {
		memcpy(R->before, R->set.v, R->set.n * sizeof(*R->before));
		R->nbefore = R->set.n;
	}
	R->recovered = R->st.recovered != NULL || lost > 0;
	R->ctx.unreported = unreported > 0 ? (int64_t)unreported : 0;
	R->ctx.consolidate = R->recovered;
	if (retire_removed_checks(R, conds, err) < 0)
		goto fail;
	if (ops_alert_apply(&R->set, conds, now) < 0 ||
	    ops_alert_decide(&R->set, &pol, &R->ctx, &R->plan) < 0) {
		ops_err_sys(err, ENOMEM, "unable to decide on alerts");
		goto fail;
	}
	(void)last_restart;	/* kept for `ops-alert status` only */
	if (*restart)
		*restart = restart_due(R, now);
	if (*restart && ops_alert_store_meta_set(&R->st, "last_restart", now, err) < 0)
		goto fail;
	for (size_t i = 0; i < R->plan.n; i++) {
		struct ops_alert_notice *an = &R->plan.v[i];

		if (!an->folded && ops_alert_store_sent_add(&R->st, now,
		    R->set.v[an->idx].type, an->kind, an->severity, &an->sent_id, err) < 0)
			goto fail;
	}
	if (ops_alert_store_save(&R->st, &R->set, err) < 0 ||
	    ops_alert_store_meta_set(&R->st, "unreported", (double)R->ctx.unreported,
	    err) < 0 ||
	    ops_alert_store_meta_set(&R->st, "state_lost", R->recovered, err) < 0 ||
	    ops_alert_store_prune(&R->st, now, err) < 0 ||
	    ops_alert_store_queue_list(&R->st, &R->q, &R->nq, err) < 0 ||
	    ops_alert_store_commit(&R->st, err) < 0)
		goto fail;
	return 0;
fail:
	corrupt = ops_state_is_corrupt(&R->st);
	ops_alert_store_rollback(&R->st);
	return corrupt ? -2 : -1;
}

/* The audit entry of an automatic restart: why (the alert's message),
 * what came of it. */
static void
audit_restart(struct run *R, const char *outcome, const char *why, const char *what)
{
	struct ops_err e = OPS_ERR_INIT;

	if (ops_audit_record(R->cfg, "auto-restart", "ops-alert", "restart", outcome, &e,
	    "automatic, because %s (%s): %s", why, R->policy, what) < 0)
		ops_buf_printf(R->warn, "%s\n", e.msg);
}

static void
auto_restart(struct run *R)
{
	struct ops_alert_state *dc = ops_alert_set_find(&R->set, "daemon_critical");
	struct ops_err e = OPS_ERR_INIT;
	char started[64];
	size_t len;
	pid_t pid = 0;

	if (R->stale) {
		struct ops_service_opts so = { .reason = "stale" };
		struct ops_buf msg = OPS_BUF_INIT;

		if (ops_service_restart(R->cfg, &so, &msg, &e) < 0) {
			ops_buf_printf(R->warn, "restart of the hung agent failed: %s\n", e.msg);
			audit_restart(R, "failed", "the agent hung (heartbeat stale)", e.msg);
		} else {
			ops_buf_printf(R->out, "hung agent restarted (heartbeat stale)\n");
			audit_restart(R, "done", "the agent hung (heartbeat stale)",
			    ops_buf_str(&msg));
		}
		ops_buf_release(&msg);
		return;
	}
	if (dc == NULL)
		return;
	len = strlen(dc->message);
	if (ops_daemon_start(R->cfg, NULL, &pid, &e) < 0) {
		ops_buf_printf(R->warn, "automatic restart failed: %s\n", e.msg);
		audit_restart(R, "failed", dc->message, e.msg);
		snprintf(dc->message + len, sizeof(dc->message) - len,
		    "; automatic restart failed: %s", e.msg);
		return;
	}
	snprintf(started, sizeof(started), "started the agent (pid %d)", (int)pid);
	audit_restart(R, "done", dc->message, started);
	ops_buf_printf(R->out, "daemon restarted (pid %d)\n", (int)pid);
	snprintf(dc->message + len, sizeof(dc->message) - len,
	    "; restarted automatically (pid %d)", (int)pid);
	if (ops_daemon_log_restart(R->cfg, "auto", &e) < 0)
		ops_buf_printf(R->warn, "unable to record the restart: %s\n", e.msg);
}

/* "auto": true remedies: a failing configured check whose remedy is such
 * an action gets it run, through the restart policy (ops_restart.h, the
 * daemon.restart_* settings) over that action's earlier automatic runs in
 * the audit trail; a silenced alert holds it. */
static void
auto_remedy(struct run *R, const struct ops_alert_conds *conds)
{
	const struct ops_config *cfg = R->cfg;
	struct ops_restart_policy pol;

	ops_restart_policy_from(cfg, &pol);
	for (size_t i = 0; i < conds->n; i++) {
		const struct ops_alert_cond *c = &conds->v[i];
		const struct ops_alert_state *as = ops_alert_set_find(&R->set, c->type);
		const struct ops_check_cfg *cc = NULL;
		const struct ops_action_cfg *a;
		struct ops_restart_decision d;
		struct ops_err e = OPS_ERR_INIT, ae = OPS_ERR_INIT;
		struct ops_buf out = OPS_BUF_INIT;
		char why[OPS_ALERT_TYPE_MAX + 64], ts[32];
		double *times = NULL;
		size_t n = 0;

		if (!c->active || strncmp(c->type, "check_", 6) != 0 ||
		    (as != NULL && as->silenced_until > R->ctx.now))
			continue;
		for (size_t k = 0; k < cfg->health.nchecks; k++)
			if (strcmp(cfg->health.checks[k].name, c->type + 6) == 0)
				cc = &cfg->health.checks[k];
		if (cc == NULL || cc->remedy == NULL ||
		    (a = ops_action_find(cfg, cc->remedy)) == NULL || !a->auto_run)
			continue;
		if (ops_audit_times(&R->st, "act", "auto-remedy", a->name,
		    R->ctx.now - pol.window, &times, &n, &e) < 0) {
			ops_buf_printf(R->warn, "remedy %s: %s\n", a->name, e.msg);
			continue;
		}
		ops_restart_decide(&pol, times, n, R->ctx.now, &d);
		free(times);
		snprintf(why, sizeof(why), "for alert %s", c->type);
		if (d.verdict != OPS_RESTART_NOW) {
			if (ops_audit_record_changed(cfg, "auto-remedy", "ops-alert", "act",
			    d.verdict == OPS_RESTART_WAIT ? "deferred" : "refused", &ae,
			    "%s (%s): %s", a->name, why, d.verdict == OPS_RESTART_WAIT ?
			    "backing off" : "burst spent (daemon.restart_burst)") < 0)
				ops_buf_printf(R->warn, "%s\n", ae.msg);
			if (d.verdict == OPS_RESTART_WAIT)
				ops_buf_printf(R->out, "remedy %s held back until %s\n", a->name,
				    ops_time_log(d.next_at, ts, sizeof(ts)));
			else
				ops_buf_printf(R->out, "remedy %s not run: %lld runs in the "
				    "window\n", a->name, (long long)d.recent);
			continue;
		}
		if (ops_action_run(cfg, a, "ops-alert", "auto-remedy", why, &out, &ae, &e) < 0)
			ops_buf_printf(R->warn, "remedy %s: %s\n", a->name, e.msg);
		else
			ops_buf_printf(R->out, "remedy %s run %s\n", a->name, why);
		if (ae.code != OPS_E_NONE)
			ops_buf_printf(R->warn, "%s\n", ae.msg);
		ops_buf_release(&out);
	}
}

/* Try a notice on every channel that applies. Returns the mask of channels
 * that failed; *ok counts those that delivered. */
static unsigned
deliver(struct run *R, const struct ops_notice *n, int email, int *ok)
{
	unsigned failed = 0;

	*ok = 0;
	for (int ch = 0; ch < OPS_CH_N; ch++) {
		struct ops_err e = OPS_ERR_INIT;
		int rc;

		if (!ops_notify_configured(R->cfg, (enum ops_channel)ch) ||
		    (ch == OPS_CH_EMAIL && !email))
			continue;
		rc = ops_notify_send(R->cfg, (enum ops_channel)ch, n, &e);
		if (rc > 0) {
			(*ok)++;
		} else if (rc < 0) {
			failed |= 1u << ch;
			ops_buf_printf(R->warn, "%s: %s: delivery failed: %s\n", n->type,
			    ops_channel_name((enum ops_channel)ch), e.msg);
		}
	}
	return failed;
}

/* Deliveries that failed on one channel while another got through. */
static void
retry_queue(struct run *R)
{
	for (size_t i = 0; i < R->nq; i++) {
		struct ops_alert_queued *q = &R->q[i];
		const struct ops_alert_state *st = ops_alert_set_find(&R->set, q->type);
		struct ops_notice n;
		struct ops_err e = OPS_ERR_INIT;
		cJSON *j = cJSON_Parse(q->payload);
		const cJSON *f;
		int ch = ops_channel_parse(q->channel), firing, rc;

#define S(k) ((f = cJSON_GetObjectItemCaseSensitive(j, k)) && cJSON_IsString(f) ? \
	f->valuestring : "")
		R->qact[i] = Q_DEL;
		if (j == NULL || ch < 0 || !ops_notify_configured(R->cfg, (enum ops_channel)ch)) {
			cJSON_Delete(j);
			continue;
		}
		firing = strcmp(S("state"), "firing") == 0;
		/* What it says is no longer true: drop it. */
		if (st == NULL || (firing ? !st->active : st->active)) {
			cJSON_Delete(j);
			continue;
		}
		if (q->attempts >= QUEUE_MAX_ATTEMPTS || R->ctx.now - q->ts > QUEUE_MAX_AGE) {
			ops_buf_printf(R->warn, "%s: %s: given up after %d attempts\n", q->type,
			    q->channel, q->attempts);
			cJSON_Delete(j);
			continue;
		}
		memset(&n, 0, sizeof(n));
		n.type = q->type;
		n.severity = S("severity");
		n.state = S("state");
		n.title = S("title");
		n.message = S("message");
		n.host = R->host;
		n.home = R->cfg->home;
		n.timestamp = q->ts;
		if (ops_time_parse_iso(S("since"), &n.since, &e) < 0)
			n.since = 0;
		f = cJSON_GetObjectItemCaseSensitive(j, "suppressed");
		n.suppressed = cJSON_IsNumber(f) ? (int64_t)f->valuedouble : 0;
#undef S
		rc = ops_notify_send(R->cfg, (enum ops_channel)ch, &n, &e);
		if (rc < 0) {
			R->failed = 1;
			R->qact[i] = Q_BUMP;
			ops_buf_printf(R->warn, "%s: %s: retry failed: %s\n", q->type, q->channel,
			    e.msg);
		} else {
			ops_buf_printf(R->out, "%s: %s: delivered on retry\n", q->type, q->channel);
		}
		cJSON_Delete(j);
	}
}

struct qadd {
	const char *type;
	char channel[16];
	char *payload;
};

static int
send_plan(struct run *R, struct qadd **adds, size_t *nadds, int64_t *reported,
    int *primary_ok)
{
	char title[128], *ctx_src = NULL, *ctx_text = NULL;
	double ctx_ts;
	int rc;

	*reported = 0;
	*primary_ok = 0;
	for (size_t i = 0; i < R->plan.n; i++) {
		struct ops_alert_notice *an = &R->plan.v[i];
		struct ops_buf msg = OPS_BUF_INIT, json = OPS_BUF_INIT;
		struct ops_err e = OPS_ERR_INIT;
		struct ops_notice n;
		unsigned failed;
		int ok;

		if (an->folded)
			continue;
		notice_for(R, an, &msg, title, sizeof(title), &n);
		if (msg.oom) {
			ops_buf_release(&msg);
			rc = -1;
			goto out;
		}
		free(ctx_src);
		free(ctx_text);
		ctx_src = ctx_text = NULL;
		/* the lines that explain it, captured once with the incident */
		if (an->kind != OPS_ALERT_RESOLVED && R->st.db != NULL &&
		    ops_context_get(R->cfg, &R->st, ops_alert_check_of(n.type), an->since,
		    1, R->ctx.now, &ctx_src, &ctx_text, &ctx_ts, &e) == 1) {
			n.context_source = ctx_src;
			n.context = ctx_text;
		}
		ops_err_clear(&e);
		failed = deliver(R, &n, an->email, &ok);
		if (failed)
			R->failed = 1;
		if (ok == 0 && failed) {
			/* Not delivered anywhere: as if never decided, so the
			 * cooldown is not armed and the next run tries again. */
			ops_alert_undo(&R->set, an);
			an->undone = 1;
			if (i == 0 && R->recovered)
				for (size_t k = 1; k < R->plan.n; k++)
					if (R->plan.v[k].folded)
						ops_alert_undo(&R->set, &R->plan.v[k]);
			ops_buf_release(&msg);
			continue;
		}
		if (i == 0) {
			*primary_ok = 1;
			*reported = an->suppressed;
		}
		if (ops_notify_log(R->cfg, &n, &e) < 0)
			ops_buf_printf(R->warn, "%s\n", e.msg);
		if (ok > 0)
			ops_buf_printf(R->out, "sent %s %s [%s]\n", n.type, n.state, n.severity);
		else
			ops_buf_printf(R->out, "logged %s %s [%s] (no channel for it)\n", n.type,
			    n.state, n.severity);
		for (int ch = 0; ch < OPS_CH_N && failed; ch++) {
			struct qadd *na;

			if (!(failed & (1u << ch)))
				continue;
			ops_buf_reset(&json);
			na = realloc(*adds, (*nadds + 1) * sizeof(**adds));
			if (na == NULL || ops_notify_json(&n, &json) < 0) {
				if (na)
					*adds = na;
				ops_buf_release(&json);
				ops_buf_release(&msg);
				rc = -1;
				goto out;
			}
			*adds = na;
			na[*nadds].type = R->set.v[an->idx].type;
			snprintf(na[*nadds].channel, sizeof(na[*nadds].channel), "%s",
			    ops_channel_name((enum ops_channel)ch));
			na[*nadds].payload = json.s;
			json = (struct ops_buf)OPS_BUF_INIT;
			(*nadds)++;
		}
		ops_buf_release(&json);
		ops_buf_release(&msg);
	}
	rc = 0;
out:
	free(ctx_src);
	free(ctx_text);
	return rc;
}

/* Phase 3, one transaction: record what was delivered and what was not. */
static int
record(struct run *R, const struct qadd *adds, size_t nadds, int64_t reported,
    int primary_ok, struct ops_err *err)
{
	int lost = R->recovered && R->plan.n > 0 && !primary_ok;
	int64_t unreported = R->ctx.unreported - reported;

	if (ops_alert_store_begin(&R->st, err) < 0)
		return -1;
	for (size_t i = 0; i < R->plan.n; i++)
		if (R->plan.v[i].undone && R->plan.v[i].sent_id >= 0 &&
		    ops_alert_store_sent_del(&R->st, R->plan.v[i].sent_id, err) < 0)
			goto fail;
	for (size_t i = 0; i < R->nq; i++)
		if ((R->qact[i] == Q_DEL &&
		    ops_alert_store_queue_del(&R->st, R->q[i].id, err) < 0) ||
		    (R->qact[i] == Q_BUMP &&
		    ops_alert_store_queue_bump(&R->st, R->q[i].id, err) < 0))
			goto fail;
	for (size_t i = 0; i < nadds; i++)
		if (ops_alert_store_queue_add(&R->st, R->ctx.now, adds[i].type,
		    adds[i].channel, adds[i].payload, err) < 0)
			goto fail;
	if (ops_alert_store_save(&R->st, &R->set, err) < 0 ||
	    ops_alert_store_meta_set(&R->st, "unreported",
	    (double)(unreported > 0 ? unreported : 0), err) < 0 ||
	    ops_alert_store_meta_set(&R->st, "state_lost", lost, err) < 0 ||
	    ops_alert_store_commit(&R->st, err) < 0)
		goto fail;
	return 0;
fail:
	ops_alert_store_rollback(&R->st);
	return -1;
}

/* Alertmanager: every active, unsilenced type firing, and every type that
 * was active before this run and is not now resolved, whatever the
 * cooldown and the cap (see ops_alertmanager.h). */
static void
send_alertmanager(struct run *R)
{
	struct ops_am_alert *v;
	struct ops_buf why = OPS_BUF_INIT;
	char **ctx;	/* source, text of each alert; freed here */
	size_t n = 0;
	double now = R->ctx.now;

	if (R->cfg->alert.alertmanager.n == 0)
		return;
	v = calloc(R->set.n + 1, sizeof(*v));
	ctx = calloc(2 * (R->set.n + 1), sizeof(*ctx));
	if (v == NULL || ctx == NULL) {
		ops_buf_puts(R->warn, "alertmanager: out of memory\n");
		R->failed = 1;
		goto out;
	}
	for (size_t i = 0; i < R->set.n; i++) {
		const struct ops_alert_state *x = &R->set.v[i];
		const struct ops_alert_state *b = NULL;

		for (size_t k = 0; k < R->nbefore && b == NULL; k++)
			if (strcmp(R->before[k].type, x->type) == 0)
				b = &R->before[k];
		if (x->silenced_until > now)
			continue;
		if (x->active) {
			struct ops_err e = OPS_ERR_INIT;
			double ts;

			v[n] = (struct ops_am_alert){ .type = x->type,
			    .severity = x->severity, .message = x->message, .starts = x->since };
			/* the incident's log context, as the direct channels
			 * carry it (captured now if it never was) */
			if (R->st.db != NULL && ops_context_get(R->cfg, &R->st,
			    ops_alert_check_of(x->type), x->since, 1, now, &ctx[2 * n],
			    &ctx[2 * n + 1], &ts, &e) == 1) {
				v[n].context_source = ctx[2 * n];
				v[n].context = ctx[2 * n + 1];
			}
			n++;
		} else if (b != NULL && b->active) {
			v[n++] = (struct ops_am_alert){ .type = x->type,
			    .severity = b->severity, .message = x->message, .starts = b->since,
			    .resolved = 1 };
		}
	}
	if (ops_am_send(R->cfg, R->host, v, n, now, &why) > 0) {
		ops_buf_puts(R->warn, ops_buf_str(&why));
		R->failed = 1;
	}
out:
	for (size_t i = 0; ctx != NULL && i < 2 * n; i++)
		free(ctx[i]);
	ops_buf_release(&why);
	free(ctx);
	free(v);
}

static int
pidfile_present(const struct ops_config *cfg)
{
	char path[PATH_MAX];
	struct stat sb;

	return ops_config_path(cfg, cfg->daemon.pid_file, path, sizeof(path), NULL) == 0 &&
	    lstat(path, &sb) == 0;
}

static int run_once(const struct ops_config *cfg, const struct ops_alert_run_opts *o,
    struct ops_buf *out, struct ops_buf *warn, struct ops_err *err);

/* ---- issue 11: the alert path needs no free disk space ----------------- */

/* ops-alert keeps a reserve file of this size in .ops: on a full home
 * filesystem it is removed and the run tried again, so the state database
 * can record the run and disk_critical still goes out; a later run with
 * room again makes it anew. */
#define RESERVE ".ops/alert.reserve"
#define RESERVE_SIZE (2 * 1024 * 1024)

static int
disk_full(const struct ops_err *e)
{
	return e->sys_errno == ENOSPC || e->sys_errno == EDQUOT ||
	    strstr(e->msg, "disk is full") != NULL ||
	    strstr(e->msg, "No space left") != NULL;
}

static void
reserve_make(const struct ops_config *cfg)
{
	char path[PATH_MAX];
	struct stat sb;
	int fd;

	if (ops_config_path(cfg, RESERVE, path, sizeof(path), NULL) < 0 ||
	    lstat(path, &sb) == 0)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	/* real blocks, not a hole: they are what a full disk gives back */
	if (posix_fallocate(fd, 0, RESERVE_SIZE) != 0) {
		close(fd);
		unlink(path);
		return;
	}
	close(fd);
}

int
ops_alert_run(const struct ops_config *cfg, const struct ops_alert_run_opts *o,
    struct ops_buf *out, struct ops_buf *warn, struct ops_err *err)
{
	char path[PATH_MAX];
	int rc = run_once(cfg, o, out, warn, err);

	if (rc < 0 && err && disk_full(err) &&
	    ops_config_path(cfg, RESERVE, path, sizeof(path), NULL) == 0 &&
	    unlink(path) == 0) {
		ops_buf_printf(warn, "the home's filesystem is full (%s): used the "
		    "reserve %s to deliver the alerts\n", err->msg, RESERVE);
		ops_err_clear(err);
		rc = run_once(cfg, o, out, warn, err);
	} else if (rc >= 0) {
		reserve_make(cfg);
	}
	return rc;
}

/* ---- end of issue 11's block ------------------------------------------- */

static int
run_once(const struct ops_config *cfg, const struct ops_alert_run_opts *o,
    struct ops_buf *out, struct ops_buf *warn, struct ops_err *err)
{
	struct run R;
	struct ops_report r = OPS_REPORT_INIT;
	struct ops_alert_conds conds = OPS_ALERT_CONDS_INIT;
	struct qadd *adds = NULL;
	size_t nadds = 0;
	int64_t reported = 0;
	int restart, primary_ok = 0, rc = -1;

	memset(&R, 0, sizeof(R));
	R.cfg = cfg;
	R.out = out;
	R.warn = warn;
	R.st = (struct ops_statedb)OPS_STATEDB_INIT;
	hostname(R.host, sizeof(R.host));
	/* Without its state ops-alert could not keep a cooldown: refuse to
	 * run rather than send the same alert every five minutes. */
	if (ops_state_open(&R.st, cfg->home, err) < 0)
		goto fail;
	if (R.st.recovered)
		ops_buf_printf(warn, "unreadable state database moved to '%s'\n",
		    R.st.recovered);
	if (get_report(cfg, o, &R.st, &r, err) < 0)
		goto fail;
	if (r.oom || ops_alert_map(&r, &conds) < 0) {
		ops_err_sys(err, ENOMEM, "unable to map the report");
		goto fail;
	}
	suggest_remedies(cfg, &conds);
	R.ctx.now = ops_time_now();
	/* A missing PID file means the agent was stopped on purpose (a crash
	 * leaves it behind): that is alerted but never restarted. */
	restart = cfg->alert.auto_restart && pidfile_present(cfg);
	/* Under systemd or launchd the manager restarts the agent (and its
	 * restarts are counted, ops_restart_sample): starting it beside the
	 * manager would make two. */
	if (restart && ops_service_manager(cfg->home, NULL) != OPS_MGR_DIRECT)
		restart = 0;
	rc = decide(&R, &conds, &restart, err);
	if (rc == -2) {
		/* A damaged page SQLite found only now: start afresh, once. */
		ops_buf_printf(warn, "%s\n", err->msg);
		ops_err_clear(err);
		ops_alert_plan_release(&R.plan);
		ops_alert_set_release(&R.set);
		ops_alert_queue_free(R.q, R.nq);
		R.q = NULL;
		R.nq = 0;
		if (ops_state_recover(&R.st, cfg->home, err) < 0)
			goto fail;
		ops_buf_printf(warn, "unreadable state database moved to '%s'\n",
		    R.st.recovered);
		rc = decide(&R, &conds, &restart, err);
	}
	if (rc < 0)
		goto fail;
	if (R.nq > 0 && (R.qact = calloc(R.nq, sizeof(*R.qact))) == NULL) {
		ops_err_sys(err, ENOMEM, "ops-alert");
		goto fail;
	}
	if (R.policy_outcome != NULL) {
		struct ops_err e = OPS_ERR_INIT;

		if (ops_audit_record_changed(cfg, "auto-restart", "ops-alert", "restart",
		    R.policy_outcome, &e, "automatic restart not done: %s", R.policy) < 0)
			ops_buf_printf(warn, "%s\n", e.msg);
	}
	if (restart)
		auto_restart(&R);
	auto_remedy(&R, &conds);
	retry_queue(&R);
	if (send_plan(&R, &adds, &nadds, &reported, &primary_ok) < 0) {
		ops_err_sys(err, ENOMEM, "unable to send alerts");
		goto fail;
	}
	send_alertmanager(&R);
	if (R.plan.withheld > 0)
		ops_buf_printf(out, "%zu alert%s held back by the hourly limit (%lld)\n",
		    R.plan.withheld, R.plan.withheld == 1 ? "" : "s",
		    (long long)cfg->alert.max_per_hour);
	if (record(&R, adds, nadds, reported, primary_ok, err) < 0)
		goto fail;
	rc = R.failed ? 1 : 0;
	goto out;
fail:
	rc = -1;
out:
	for (size_t i = 0; i < nadds; i++)
		free(adds[i].payload);
	free(adds);
	free(R.qact);
	free(R.before);
	ops_alert_queue_free(R.q, R.nq);
	ops_alert_plan_release(&R.plan);
	ops_alert_set_release(&R.set);
	ops_alert_conds_release(&conds);
	ops_report_release(&r);
	ops_state_close(&R.st);
	return rc;
}

/* ---- test ------------------------------------------------------------- */

int
ops_alert_test(const struct ops_config *cfg, struct ops_buf *out,
    struct ops_buf *warn, struct ops_err *err)
{
	struct ops_buf msg = OPS_BUF_INIT, body = OPS_BUF_INIT;
	struct ops_notice n;
	char host[256];
	int ok = 0, failed = 0, tried = 0;

	hostname(host, sizeof(host));
	ops_buf_printf(&msg, "a test alert from ops-alert on %s (home %s)", host, cfg->home);
	if (msg.oom)
		return ops_err_sys(err, ENOMEM, "ops-alert test");
	memset(&n, 0, sizeof(n));
	n.type = "test";
	n.severity = "INFO";
	n.state = "test";
	n.title = "Test Alert";
	n.message = ops_buf_str(&msg);
	n.host = host;
	n.home = cfg->home;
	n.timestamp = ops_time_now();
	for (int ch = 0; ch < OPS_CH_N; ch++) {
		struct ops_err e = OPS_ERR_INIT;
		const char *name = ops_channel_name((enum ops_channel)ch);
		int rc;

		if (!ops_notify_configured(cfg, (enum ops_channel)ch)) {
			ops_buf_printf(out, "%-8s not configured\n", name);
			continue;
		}
		tried++;
		rc = ops_notify_send(cfg, (enum ops_channel)ch, &n, &e);
		if (rc > 0) {
			ok++;
			ops_buf_printf(out, "%-8s delivered\n", name);
		} else if (rc == 0) {
			ops_buf_printf(out, "%-8s skipped: %s\n", name, e.msg);
		} else {
			failed++;
			ops_buf_printf(out, "%-8s FAILED: %s\n", name, e.msg);
		}
	}
	if (cfg->alert.alertmanager.n > 0) {
		/* One alert that resolves by itself (ops_alertmanager.h). */
		struct ops_am_alert a = { .type = "test", .severity = OPS_OK,
			.message = n.message, .starts = n.timestamp,
			.ends = n.timestamp + OPS_AM_TEST_VALID, .level = "info" };

		tried++;
		if (ops_am_payload(cfg, host, &a, 1, n.timestamp, &body) < 0) {
			ops_buf_release(&msg);
			return ops_err_sys(err, ENOMEM, "ops-alert test");
		}
		for (size_t i = 0; i < cfg->alert.alertmanager.n; i++) {
			struct ops_err e = OPS_ERR_INIT;
			const char *base = cfg->alert.alertmanager.v[i];

			if (ops_am_post(base, ops_buf_str(&body), &e) == 0) {
				ok++;
				ops_buf_printf(out, "alertmanager %s delivered (resolves in "
				    "%.0fm)\n", base, OPS_AM_TEST_VALID / 60);
			} else {
				failed++;
				ops_buf_printf(out, "alertmanager %s FAILED: %s\n", base, e.msg);
			}
		}
	}
	if (ok > 0) {
		struct ops_err e = OPS_ERR_INIT;

		if (ops_notify_log(cfg, &n, &e) < 0)
			ops_buf_printf(warn, "%s\n", e.msg);
	}
	if (ok == 0 && failed == 0)
		ops_buf_printf(warn, "%s\n", tried ? "no channel could deliver the test alert" :
		    "no alert channel is configured (alert.email, alert.webhook, "
		    "alert.command, alert.alertmanager)");
	ops_buf_release(&body);
	ops_buf_release(&msg);
	return failed > 0 || ok == 0 ? 1 : 0;
}

/* ---- status ----------------------------------------------------------- */

static const char *
when(double t, char *buf, size_t len)
{
	if (t <= 0)
		return "-";
	return ops_time_log(t, buf, len);
}

static void
status_row(struct ops_buf *out, const char *type, const struct ops_alert_state *x,
    const struct ops_alert_silence *sil, size_t nsil, double now)
{
	char a[32], b[32], c[32];
	double until = 0;
	const char *state = "-";

	for (size_t i = 0; i < nsil; i++)
		if ((strcmp(sil[i].type, type) == 0 || strcmp(sil[i].type, "all") == 0) &&
		    sil[i].until > until)
			until = sil[i].until;
	if (x != NULL)
		state = x->active ? "active" : x->resolve_pending ? "resolving" : "ok";
	ops_buf_printf(out, "%-22s %-9s %-8s  %-19s  %-19s  %10lld  %s\n", type, state,
	    x && x->active ? ops_state_name(x->severity) : "-",
	    x && (x->active || x->resolve_pending) ? when(x->since, a, sizeof(a)) : "-",
	    x ? when(x->last_sent > now ? now : x->last_sent, b, sizeof(b)) : "-",
	    (long long)(x ? x->suppressed : 0), until > now ? when(until, c, sizeof(c)) : "-");
}

int
ops_alert_status(const struct ops_config *cfg, struct ops_buf *out, struct ops_err *err)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	struct ops_alert_set set = OPS_ALERT_SET_INIT;
	struct ops_alert_silence *sil = NULL;
	struct ops_alert_queued *q = NULL;
	size_t nsil = 0, nq = 0;
	double now = ops_time_now(), unreported = 0, last_restart = 0;
	int64_t sent = 0;
	char ts[32];
	int rc = -1;

	if (ops_state_open(&st, cfg->home, err) < 0 ||
	    ops_alert_store_begin(&st, err) < 0)
		goto out;
	if (ops_alert_store_load(&st, now, &set, err) < 0 ||
	    ops_alert_store_silences(&st, now, &sil, &nsil, err) < 0 ||
	    ops_alert_store_sent_count(&st, now, &sent, err) < 0 ||
	    ops_alert_store_queue_list(&st, &q, &nq, err) < 0 ||
	    ops_alert_store_meta_get(&st, "unreported", &unreported, err) < 0 ||
	    ops_alert_store_meta_get(&st, "last_restart", &last_restart, err) < 0)
		goto out;
	ops_alert_store_rollback(&st);
	ops_buf_printf(out, "%-22s %-9s %-8s  %-19s  %-19s  %10s  %s\n", "TYPE", "STATE",
	    "SEVERITY", "ACTIVE SINCE", "LAST SENT", "SUPPRESSED", "SILENCED UNTIL");
	for (size_t i = 0; ops_alert_builtin[i]; i++)
		status_row(out, ops_alert_builtin[i],
		    ops_alert_set_find(&set, ops_alert_builtin[i]), sil, nsil, now);
	for (size_t i = 0; i < set.n; i++)
		if (strncmp(set.v[i].type, "check_", 6) == 0)
			status_row(out, set.v[i].type, &set.v[i], sil, nsil, now);
	for (size_t i = 0; i < nsil; i++)
		if (strcmp(sil[i].type, "all") == 0)
			ops_buf_printf(out, "every type silenced until %s\n",
			    when(sil[i].until, ts, sizeof(ts)));
	if (cfg->alert.max_per_hour > 0)
		ops_buf_printf(out, "sent in the last hour: %lld of %lld\n", (long long)sent,
		    (long long)cfg->alert.max_per_hour);
	else
		ops_buf_printf(out, "sent in the last hour: %lld (no limit)\n", (long long)sent);
	ops_buf_printf(out, "suppressed, not yet reported: %.0f\n", unreported);
	ops_buf_printf(out, "deliveries queued for retry: %zu\n", nq);
	ops_buf_printf(out, "last automatic restart: %s\n",
	    when(last_restart, ts, sizeof(ts)));
	if (out->oom) {
		ops_err_sys(err, ENOMEM, "ops-alert status");
		goto out;
	}
	rc = 0;
out:
	ops_alert_store_rollback(&st);
	ops_alert_queue_free(q, nq);
	free(sil);
	ops_alert_set_release(&set);
	ops_state_close(&st);
	return rc;
}

/* ---- silence ---------------------------------------------------------- */

int
ops_alert_silence(const struct ops_config *cfg, const char *type, double seconds,
    struct ops_buf *out, struct ops_err *err)
{
	struct ops_statedb st = OPS_STATEDB_INIT;
	double now = ops_time_now();
	char ts[32];
	int removed = 0, rc = -1;

	if (strcmp(type, "all") != 0 && !ops_alert_type_valid(type)) {
		ops_err_set(err, OPS_E_USAGE, "unknown alert type '%.80s' (daemon_critical "
		    "daemon_degraded disk_critical disk_low email_errors memory_corrupt "
		    "restart_loop backup_stale backup_failed backup_unverified offsite_failed "
		    "check_NAME all)", type);
		return -1;
	}
	if (ops_state_open(&st, cfg->home, err) < 0 ||
	    ops_alert_store_begin(&st, err) < 0)
		goto out;
	if (ops_alert_store_silence(&st, type, seconds > 0 ? now + seconds : 0, now,
	    &removed, err) < 0 || ops_alert_store_commit(&st, err) < 0)
		goto out;
	if (seconds > 0)
		ops_buf_printf(out, "%s silenced until %s\n", type,
		    ops_time_log(now + seconds, ts, sizeof(ts)));
	else
		ops_buf_printf(out, removed ? "%s: silence cleared\n" : "%s was not silenced\n",
		    type);
	rc = 0;
out:
	ops_alert_store_rollback(&st);
	ops_state_close(&st);
	return rc;
}
