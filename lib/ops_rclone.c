/* ops_rclone: offsite copies through rclone; see ops_rclone.h. */
#include "ops_rclone.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "ops_buf.h"
#include "ops_run.h"
#include "ops_sanitize.h"

/* lsjson of a remote with many archives stays far below this. */
#define RCLONE_MAX_OUTPUT (8u << 20)

int
ops_rclone_argv(const struct ops_rclone *rc, const char *verb,
    const char *const args[], size_t nargs, struct ops_strv *argv)
{
	if (ops_strv_push(argv, rc->rclone) < 0)
		return -1;
	if (rc->config != NULL && rc->config[0] != '\0' &&
	    (ops_strv_push(argv, "--config") < 0 || ops_strv_push(argv, rc->config) < 0))
		return -1;
	if (ops_strv_push(argv, verb) < 0)
		return -1;
	for (size_t i = 0; i < nargs; i++)
		if (ops_strv_push(argv, args[i]) < 0)
			return -1;
	return 0;
}

static int
plain_name(const char *name)
{
	if (name[0] == '\0' || name[0] == '-' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			return 0;
	return 1;
}

int
ops_rclone_remote_ok(const char *remote)
{
	const char *colon = strchr(remote, ':');

	if (colon == NULL || colon == remote || remote[0] == '-')
		return 0;
	for (const unsigned char *p = (const unsigned char *)remote; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

int
ops_rclone_path(const char *remote, const char *name, char *buf, size_t size)
{
	size_t l = strlen(remote);
	int n;

	if (!plain_name(name))
		return -1;
	n = snprintf(buf, size, "%s%s%s", remote,
	    l > 0 && (remote[l - 1] == ':' || remote[l - 1] == '/') ? "" : "/", name);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int
is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		    (*s >= 'A' && *s <= 'F')))
			return 0;
	return 1;
}

int
ops_rclone_lsjson_parse(const char *text, size_t len,
    struct ops_rclone_entry **v, size_t *n, struct ops_err *err)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	const cJSON *e;
	size_t cap, k = 0;
	int rc = -1;

	*v = NULL;
	*n = 0;
	if (root == NULL || !cJSON_IsArray(root)) {
		ops_err_set(err, OPS_E_FAIL, "rclone lsjson: not a JSON array");
		goto out;
	}
	cap = (size_t)cJSON_GetArraySize(root);
	if (cap > 0 && (*v = calloc(cap, sizeof(**v))) == NULL) {
		ops_err_sys(err, ENOMEM, "rclone lsjson");
		goto out;
	}
	cJSON_ArrayForEach(e, root) {
		const cJSON *name, *size, *mt, *dir, *h;
		struct ops_rclone_entry *o;

		if (!cJSON_IsObject(e)) {
			ops_err_set(err, OPS_E_FAIL, "rclone lsjson: an entry is not an object");
			goto out;
		}
		name = cJSON_GetObjectItemCaseSensitive(e, "Name");
		if (!cJSON_IsString(name) || strlen(name->valuestring) >= sizeof(o->name) ||
		    !plain_name(name->valuestring))
			continue;	/* not a name we could use */
		o = &(*v)[k];
		snprintf(o->name, sizeof(o->name), "%s", name->valuestring);
		size = cJSON_GetObjectItemCaseSensitive(e, "Size");
		o->size = cJSON_IsNumber(size) && size->valuedouble >= 0 &&
		    size->valuedouble < 9e18 ? (int64_t)size->valuedouble : -1;
		mt = cJSON_GetObjectItemCaseSensitive(e, "ModTime");
		if (cJSON_IsString(mt) && strlen(mt->valuestring) < sizeof(o->modtime) &&
		    strspn(mt->valuestring, "0123456789-:.TZ+") == strlen(mt->valuestring))
			snprintf(o->modtime, sizeof(o->modtime), "%s", mt->valuestring);
		dir = cJSON_GetObjectItemCaseSensitive(e, "IsDir");
		o->is_dir = cJSON_IsTrue(dir);
		h = cJSON_GetObjectItemCaseSensitive(e, "Hashes");
		h = cJSON_IsObject(h) ? cJSON_GetObjectItemCaseSensitive(h, "sha256") : NULL;
		if (cJSON_IsString(h) && is_hex64(h->valuestring)) {
			for (size_t i = 0; i < 64; i++) {
				char c = h->valuestring[i];

				o->sha256[i] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
			}
			o->sha256[64] = '\0';
		}
		k++;
	}
	*n = k;
	rc = 0;
out:
	if (rc < 0) {
		free(*v);
		*v = NULL;
	}
	cJSON_Delete(root);
	return rc;
}

/* The last non-empty line of text, sanitised, into buf. */
static void
last_line(const char *text, size_t len, char *buf, size_t size)
{
	const char *end = text + len, *start;
	struct ops_buf b = OPS_BUF_INIT;

	buf[0] = '\0';
	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	ops_san_add(&b, start, (size_t)(end - start) > 300 ? 300 : (size_t)(end - start),
	    OPS_SAN_LINE);
	snprintf(buf, size, "%s", ops_buf_str(&b));
	ops_buf_release(&b);
}

int
ops_rclone_run(const struct ops_rclone *rc, const char *verb,
    const char *const args[], size_t nargs, char **out, size_t *outlen,
    char *tail, size_t tailsize, struct ops_err *err)
{
	struct ops_strv argv = OPS_STRV_INIT;
	struct ops_run_result r;
	char last[320];
	int ret = -1;

	if (out)
		*out = NULL;
	if (outlen)
		*outlen = 0;
	if (tail && tailsize)
		tail[0] = '\0';
	if (ops_rclone_argv(rc, verb, args, nargs, &argv) < 0) {
		ops_err_sys(err, ENOMEM, "rclone %s", verb);
		goto out;
	}
	if (ops_run(argv.v, NULL, NULL, rc->timeout, RCLONE_MAX_OUTPUT, &r, err) < 0) {
		ops_err_prefix(err, "rclone %s", verb);
		goto out;
	}
	if (r.exited && r.status == 0) {
		if (out) {
			*out = r.output;
			r.output = NULL;
		}
		if (outlen)
			*outlen = r.output_len;
		ret = 0;
	} else {
		last[0] = '\0';
		if (r.output)
			last_line(r.output, r.output_len, last, sizeof(last));
		if (tail && tailsize)
			snprintf(tail, tailsize, "%s", last);
		ops_err_set(err, OPS_E_FAIL, "'%s %s' %s %d%s%s", rc->rclone, verb,
		    r.timed_out ? "timed out, killed by signal" :
		    r.exited ? "exited with status" : "killed by signal", r.status,
		    last[0] ? ": " : "", last);
	}
	ops_run_result_release(&r);
out:
	ops_strv_release(&argv);
	return ret;
}

int
ops_rclone_put(const struct ops_rclone *rc, const char *local,
    const char *name, int64_t size, const char *sha256, char *tail,
    size_t tailsize, struct ops_err *err)
{
	char dst[4096], *out = NULL;
	size_t outlen = 0, n = 0;
	struct ops_rclone_entry *v = NULL;
	int ret = -1;

	if (ops_rclone_path(rc->remote, name, dst, sizeof(dst)) < 0)
		return ops_err_set(err, OPS_E_USAGE, "rclone: bad archive name");
	{
		const char *args[] = { "--", local, dst };

		if (ops_rclone_run(rc, "copyto", args, 3, NULL, NULL, tail, tailsize, err) < 0)
			goto out;
	}
	{
		/* Read back what the remote holds, not what we sent. */
		const char *args[] = { "--files-only", "--hash-type", "sha256", "--", dst };

		if (ops_rclone_run(rc, "lsjson", args, 5, &out, &outlen, tail, tailsize,
		    err) < 0 ||
		    ops_rclone_lsjson_parse(out ? out : "", outlen, &v, &n, err) < 0) {
			ops_err_prefix(err, "uploaded but not verified");
			goto out;
		}
	}
	if (n != 1 || strcmp(v[0].name, name) != 0) {
		ops_err_set(err, OPS_E_FAIL, "uploaded but not found on the remote: %s", dst);
		goto out;
	}
	if (v[0].size != size) {
		ops_err_set(err, OPS_E_FAIL, "uploaded but the remote copy has %lld bytes, "
		    "not %lld", (long long)v[0].size, (long long)size);
		goto out;
	}
	if (sha256 && sha256[0] && v[0].sha256[0] && strcasecmp(v[0].sha256, sha256) != 0) {
		ops_err_set(err, OPS_E_FAIL, "uploaded but the remote copy's sha256 differs");
		goto out;
	}
	ret = 0;
out:
	free(v);
	free(out);
	return ret;
}

int
ops_rclone_list(const struct ops_rclone *rc, struct ops_rclone_entry **v,
    size_t *n, struct ops_err *err)
{
	const char *args[] = { "--files-only", "--", rc->remote };
	char *out = NULL;
	size_t outlen = 0;
	int ret;

	*v = NULL;
	*n = 0;
	if (ops_rclone_run(rc, "lsjson", args, 3, &out, &outlen, NULL, 0, err) < 0)
		return -1;
	ret = ops_rclone_lsjson_parse(out ? out : "", outlen, v, n, err);
	free(out);
	return ret;
}

int
ops_rclone_get(const struct ops_rclone *rc, const char *name,
    const char *local, struct ops_err *err)
{
	char src[4096];
	const char *args[] = { "--", src, local };

	if (ops_rclone_path(rc->remote, name, src, sizeof(src)) < 0)
		return ops_err_set(err, OPS_E_USAGE, "rclone: bad archive name '%s'", name);
	return ops_rclone_run(rc, "copyto", args, 3, NULL, NULL, NULL, 0, err);
}

int
ops_rclone_delete(const struct ops_rclone *rc, const char *name,
    struct ops_err *err)
{
	char path[4096];
	const char *args[] = { "--", path };

	if (ops_rclone_path(rc->remote, name, path, sizeof(path)) < 0)
		return ops_err_set(err, OPS_E_USAGE, "rclone: bad archive name '%s'", name);
	return ops_rclone_run(rc, "deletefile", args, 2, NULL, NULL, NULL, 0, err);
}
