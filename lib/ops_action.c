#include "ops_action.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_audit.h"
#include "ops_fs.h"
#include "ops_run.h"
#include "ops_time.h"

#define MAX_OUTPUT (64 * 1024)

const struct ops_action_cfg *
ops_action_find(const struct ops_config *cfg, const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->nactions; i++)
		if (strcmp(cfg->actions[i].name, name) == 0)
			return &cfg->actions[i];
	return NULL;
}

static void
quoted(struct ops_buf *out, const struct ops_strv *argv, const char *argv0)
{
	for (size_t i = 0; i < argv->n; i++) {
		if (i > 0)
			ops_buf_puts(out, " ");
		ops_buf_shquote(out, i == 0 && argv0 ? argv0 : argv->v[i]);
	}
}

void
ops_action_list(const struct ops_config *cfg, struct ops_buf *out)
{
	char sanitized[256];

	if (cfg->nactions == 0) {
		ops_buf_puts(out, "no actions configured (\"actions\" in the config, "
		    "see dharmic-ops.json(5))\n");
		return;
	}
	for (size_t i = 0; i < cfg->nactions; i++) {
		const struct ops_action_cfg *a = &cfg->actions[i];

		ops_buf_printf(out, "%s%s%s (timeout %gs)", a->name,
		    a->confirm ? " [confirm]" : "", a->auto_run ? " [auto]" : "",
		    a->timeout);
		if (a->description[0])
			ops_buf_printf(out, ": %s", ops_audit_sanitize(sanitized,
			    sizeof(sanitized), a->description));
		ops_buf_puts(out, "\n    ");
		quoted(out, &a->command, NULL);
		ops_buf_puts(out, "\n");
	}
}

/* argv[0] as exec will find it: a path with a '/' (relative to the home),
 * else the first executable regular file of that name in $PATH. */
static int
resolve(const struct ops_config *cfg, const char *prog, char *buf, size_t len,
    struct ops_err *err)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	struct stat st;
	int rc = -1;

	if (strchr(prog, '/') != NULL) {
		if (ops_config_path(cfg, prog, buf, len, err) < 0)
			return -1;
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
			return 0;
		return ops_err_set(err, OPS_E_FAIL, "'%s' is not an executable file", buf);
	}
	copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (copy == NULL)
		return ops_err_sys(err, ENOMEM, "unable to find '%s'", prog);
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		/* only absolute entries: "." or "" in $PATH would make the
		 * command depend on the current directory */
		if (dir[0] != '/')
			continue;
		if (snprintf(buf, len, "%s/%s", dir, prog) >= (int)len)
			continue;
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0) {
			rc = 0;
			break;
		}
	}
	free(copy);
	if (rc < 0)
		ops_err_set(err, OPS_E_FAIL, "'%s' was not found in $PATH", prog);
	return rc;
}

int
ops_action_command(const struct ops_config *cfg, const struct ops_action_cfg *a,
    struct ops_buf *out, char *resolved, size_t len, struct ops_err *err)
{
	if (resolve(cfg, a->command.v[0], resolved, len, err) < 0) {
		ops_err_prefix(err, "action '%s'", a->name);
		return -1;
	}
	quoted(out, &a->command, resolved);
	return 0;
}

/* The start of the output on one line, for the trail. */
static void
first_output(const char *s, size_t n, char *buf, size_t len)
{
	char tmp[200];
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < sizeof(tmp); i++)
		tmp[k++] = s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i];
	tmp[k] = '\0';
	while (k > 0 && tmp[k - 1] == ' ')
		tmp[--k] = '\0';
	ops_audit_sanitize(buf, len, tmp);
}

int
ops_action_run(const struct ops_config *cfg, const struct ops_action_cfg *a,
    const char *program, const char *via, const char *reason, struct ops_buf *out,
    struct ops_err *audit_err, struct ops_err *err)
{
	struct ops_run_result res = { 0 };
	struct ops_buf cmd = OPS_BUF_INIT;
	char exe[PATH_MAX], envname[128], head[160], why[200], status[64];
	char *argv[64], *env[] = { envname, NULL };
	const char *outcome;
	double t0;
	int rc = -1;

	if (a->command.n >= sizeof(argv) / sizeof(argv[0])) {
		ops_err_set(err, OPS_E_USAGE, "action '%s': too many arguments", a->name);
		goto out;
	}
	if (ops_action_command(cfg, a, &cmd, exe, sizeof(exe), err) < 0) {
		ops_action_record_refusal(cfg, program, a->name, "failed", err->msg,
		    audit_err);
		goto out;
	}
	argv[0] = exe;
	for (size_t i = 1; i < a->command.n; i++)
		argv[i] = a->command.v[i];
	argv[a->command.n] = NULL;
	snprintf(envname, sizeof(envname), "DHARMIC_OPS_ACTION=%s", a->name);
	t0 = ops_time_mono();
	if (ops_run(argv, env, NULL, a->timeout, MAX_OUTPUT, &res, err) < 0) {
		ops_err_prefix(err, "action '%s'", a->name);
		ops_action_record_refusal(cfg, program, a->name, "failed", err->msg,
		    audit_err);
		goto out;
	}
	ops_buf_add(out, res.output, res.output_len);
	if (res.output_len > 0 && res.output[res.output_len - 1] != '\n')
		ops_buf_puts(out, "\n");
	if (res.timed_out) {
		outcome = "timed-out";
		snprintf(status, sizeof(status), "killed with its process group after %gs",
		    a->timeout);
	} else if (res.exited) {
		outcome = res.status == 0 ? "done" : "failed";
		snprintf(status, sizeof(status), "exit %d after %.1fs", res.status,
		    ops_time_mono() - t0);
	} else {
		outcome = "failed";
		snprintf(status, sizeof(status), "killed by signal %d", res.status);
	}
	first_output(res.output, res.output_len, head, sizeof(head));
	ops_audit_sanitize(why, sizeof(why), reason ? reason : "");
	ops_buf_printf(out, "action %s: %s (%s)\n", a->name, outcome, status);
	ops_audit_record(cfg, via, program, "act", outcome, audit_err,
	    "%s%s%s%s: %s: %s; output: %s", a->name, why[0] ? " (" : "", why,
	    why[0] ? ")" : "", status,
	    ops_buf_str(&cmd), head[0] ? head : "(none)");
	rc = strcmp(outcome, "done") == 0 ? 0 : 1;
out:
	ops_run_result_release(&res);
	ops_buf_release(&cmd);
	return rc;
}

int
ops_action_record_refusal(const struct ops_config *cfg, const char *program,
    const char *name, const char *outcome, const char *why, struct ops_err *err)
{
	char n[80];

	return ops_audit_record(cfg, NULL, program, "act", outcome, err, "%s: %s",
	    ops_audit_sanitize(n, sizeof(n), name), why);
}
