#include "ops_status.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_fs.h"
#include "ops_time.h"

static int
get_time(const cJSON *o, const char *key, double *out, int required,
    struct ops_err *err)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	struct ops_err e2 = OPS_ERR_INIT;

	if (j == NULL && !required)
		return 0;
	if (!cJSON_IsString(j))
		return ops_err_set(err, OPS_E_FAIL, "malformed: '%s' %s", key,
		    j ? "is not a string" : "is missing");
	if (ops_time_parse_iso(j->valuestring, out, &e2) < 0)
		return ops_err_set(err, OPS_E_FAIL, "malformed: '%s': %s", key, e2.msg);
	return 0;
}

static int
get_int(const cJSON *o, const char *key, int *out, struct ops_err *err)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	if (j == NULL)
		return 0;
	if (!cJSON_IsNumber(j) || j->valuedouble < 0 || j->valuedouble > 1e6)
		return ops_err_set(err, OPS_E_FAIL, "malformed: '%s' is not a count", key);
	*out = (int)j->valuedouble;
	return 0;
}

int
ops_status_parse(const char *text, size_t len, struct ops_agent_status *st,
    struct ops_err *err)
{
	const cJSON *j, *details;
	cJSON *root;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	st->checks_passed = st->total_checks = -1;
	root = cJSON_ParseWithLength(text, len);
	if (root == NULL)
		return ops_err_set(err, OPS_E_FAIL, "malformed: not valid JSON");
	if (!cJSON_IsObject(root)) {
		ops_err_set(err, OPS_E_FAIL, "malformed: not a JSON object");
		goto out;
	}
	j = cJSON_GetObjectItemCaseSensitive(root, "status");
	if (j != NULL) {
		if (!cJSON_IsString(j)) {
			ops_err_set(err, OPS_E_FAIL, "malformed: 'status' is not a string");
			goto out;
		}
		snprintf(st->status, sizeof(st->status), "%s", j->valuestring);
	}
	if (get_time(root, "timestamp", &st->timestamp, 0, err) < 0)
		goto out;
	j = cJSON_GetObjectItemCaseSensitive(root, "pid");
	if (cJSON_IsString(j)) {
		st->pid = strtol(j->valuestring, NULL, 10);
	} else if (cJSON_IsNumber(j) && j->valuedouble >= 0 &&
	    j->valuedouble <= INT_MAX) {
		st->pid = (long)j->valuedouble;
	} else if (j != NULL) {
		/* (and no cast of an out-of-range double: undefined) */
		ops_err_set(err, OPS_E_FAIL, "malformed: 'pid' is not a PID");
		goto out;
	}
	j = cJSON_GetObjectItemCaseSensitive(root, "heartbeat_interval");
	if (j != NULL) {
		if (!cJSON_IsNumber(j) || !(j->valuedouble > 0) || j->valuedouble > 1e9) {
			ops_err_set(err, OPS_E_FAIL,
			    "malformed: 'heartbeat_interval' is not a positive number");
			goto out;
		}
		st->heartbeat_interval = j->valuedouble;
	}
	details = cJSON_GetObjectItemCaseSensitive(root, "details");
	if (!cJSON_IsObject(details)) {
		ops_err_set(err, OPS_E_FAIL, "malformed: 'details' %s",
		    details ? "is not an object" : "is missing");
		goto out;
	}
	if (get_time(details, "last_heartbeat", &st->last_heartbeat, 1, err) < 0 ||
	    get_int(details, "checks_passed", &st->checks_passed, err) < 0 ||
	    get_int(details, "total_checks", &st->total_checks, err) < 0)
		goto out;
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

int
ops_status_load(const char *path, struct ops_agent_status *st, struct ops_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (ops_fs_read_file(path, 64 * 1024, &text, &len, err) < 0)
		return -1;
	rc = ops_status_parse(text, len, st, err);
	free(text);
	return rc;
}
