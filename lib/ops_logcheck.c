#include "ops_logcheck.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ops_confine.h"
#include "ops_fs.h"
#include "ops_units.h"

void
ops_logcheck_email(const struct ops_config *cfg, struct ops_logcheck_cfg *out)
{
	for (size_t i = 0; i < cfg->health.nlogs; i++)
		if (strcmp(cfg->health.logs[i].name, "email") == 0) {
			*out = cfg->health.logs[i];
			return;
		}
	/* The seed's check: "ERROR" anywhere in a line, no critical level,
	 * an idle log is fine. */
	out->name = (char *)"email";
	out->path = cfg->health.email_log;
	out->pattern = (char *)"ERROR";
	out->window = cfg->health.email_window;
	out->warn = cfg->health.email_errors;
	out->crit = -1;
	out->stale_after = 0;
	/* as it always has: the names carry the date */
	out->by_name = 1;
}

long
ops_logcheck_count(const char *text, const char *pattern, size_t *lines)
{
	const char *p = text, *nl;
	char *line = NULL, *nb;
	size_t cap = 0, len;
	long n = 0;
	regex_t re;

	*lines = 0;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len + 1 > cap) {
			nb = realloc(line, len + 1);
			if (nb == NULL) {
				n = -1;
				break;
			}
			line = nb;
			cap = len + 1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (len > 0) {
			(*lines)++;
			n += regexec(&re, line, 0, NULL, 0) == 0;
		}
		p = nl ? nl + 1 : p + len;
	}
	free(line);
	regfree(&re);
	return n;
}

void
ops_logcheck_run(const struct ops_config *cfg, const struct ops_logcheck_cfg *lc,
    double now, struct ops_report *r)
{
	struct ops_strv logs = OPS_STRV_INIT;
	struct ops_err e = OPS_ERR_INIT;
	struct ops_result *res;
	char *tail = NULL, label[80], d1[32], d2[32], stale[128] = "";
	const char *newest = NULL;
	double mtime = -1, age;
	enum ops_state s = OPS_OK;
	struct stat st;
	size_t lines = 0;
	long errors;

	if (ops_confine_glob(cfg->home, lc->path, &logs, NULL, &e) < 0) {
		ops_report_add(r, lc->name, OPS_UNKNOWN, "%s", e.msg);
		goto out;
	}
	/* Newest by modification time; names carry the date, so among
	 * equal times the last in name order. */
	for (size_t i = 0; i < logs.n; i++) {
		double t;

		if (lstat(logs.v[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		t = (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
		if (lc->by_name || t >= mtime) {
			mtime = t;
			newest = logs.v[i];
		}
	}
	if (newest == NULL) {
		ops_report_add(r, lc->name, lc->stale_after > 0 ? OPS_WARNING : OPS_OK,
		    "no %s log (%s)", lc->name, lc->path);
		goto out;
	}
	if (ops_fs_tail(newest, (size_t)lc->window, 4 << 20, &tail, &e) < 0) {
		ops_report_add(r, lc->name, OPS_UNKNOWN, "%s", e.msg);
		goto out;
	}
	errors = ops_logcheck_count(tail, lc->pattern, &lines);
	if (errors < 0) {
		ops_report_add(r, lc->name, OPS_UNKNOWN, "unable to match '%s'", lc->pattern);
		goto out;
	}
	/* A count limit of 0 means any match counts, so no threshold helper. */
	if (lc->crit >= 0 && errors > lc->crit)
		s = OPS_CRITICAL;
	else if (lc->warn >= 0 && errors > lc->warn)
		s = OPS_WARNING;
	age = now - mtime;
	if (lc->stale_after > 0 && age > lc->stale_after) {
		s = ops_state_worst(s, OPS_WARNING);
		snprintf(stale, sizeof(stale), ", not written for %s (stale after %s)",
		    ops_duration_format(age, d1, sizeof(d1)),
		    ops_duration_format(lc->stale_after, d2, sizeof(d2)));
	}
	res = ops_report_add(r, lc->name, s, "%ld error%s in the last %zu lines of %s%s",
	    errors, errors == 1 ? "" : "s", lines, ops_fs_rel(cfg->home, newest), stale);
	snprintf(label, sizeof(label), "%s_errors", lc->name);
	if (res)
		ops_result_perf(res, label, (double)errors, "",
		    lc->warn >= 0 ? (double)lc->warn : NAN,
		    lc->crit >= 0 ? (double)lc->crit : NAN, 0, (double)lc->window);
out:
	free(tail);
	ops_strv_release(&logs);
}
