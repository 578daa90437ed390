#include "ops_catline.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ops_digest.h"
#include "ops_sanitize.h"

void
ops_catline_format(const struct ops_catalog_row *row, const char *sha256,
    struct ops_buf *out)
{
	size_t n = strlen(row->name);

	/* names and compression are ours (backup names, a fixed set): no
	 * escaping needed, but checked rather than assumed */
	if (strcspn(row->name, "\"\\") != n || strcspn(row->compression, "\"\\") !=
	    strlen(row->compression))
		return;
	ops_buf_printf(out, "{\"format\": 1, \"name\": \"%s\", \"size\": %lld, \"sha256\": "
	    "\"%s\", \"created\": %.0f, \"files\": %lld, \"data_size\": %lld, "
	    "\"compression\": \"%s\", \"encrypted\": %s}\n", row->name,
	    (long long)row->size, sha256, row->created, (long long)row->files,
	    (long long)row->data_size, row->compression,
	    n > 4 && strcmp(row->name + n - 4, ".age") == 0 ? "true" : "false");
}

int
ops_catline_name(const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s" OPS_CATLINE_SUFFIX, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A plain file name: printable ASCII, no '/', '\\', '"' or space. */
static int
plain(const char *s)
{
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f || *s == '/' || *s == '\\' || *s == '"')
			return 0;
	return 1;
}

int
ops_catline_parse(const char *text, size_t len, struct ops_catline *l,
    struct ops_err *err)
{
	cJSON *o = NULL;
	const cJSON *f, *name, *size, *sha;
	int rc = -1;

	memset(l, 0, sizeof(*l));
	if (len > OPS_CATLINE_MAX || !ops_utf8_valid(text, len) || memchr(text, '\0', len))
		return ops_err_set(err, OPS_E_FAIL, "catalog line: not a line of text");
	o = cJSON_ParseWithLength(text, len);
	if (o == NULL || !cJSON_IsObject(o)) {
		ops_err_set(err, OPS_E_FAIL, "catalog line: not a JSON object");
		goto out;
	}
	f = cJSON_GetObjectItemCaseSensitive(o, "format");
	name = cJSON_GetObjectItemCaseSensitive(o, "name");
	size = cJSON_GetObjectItemCaseSensitive(o, "size");
	sha = cJSON_GetObjectItemCaseSensitive(o, "sha256");
	if (!cJSON_IsNumber(f) || f->valuedouble != 1) {
		ops_err_set(err, OPS_E_FAIL, "catalog line: not format 1");
		goto out;
	}
	if (!cJSON_IsString(name) || strlen(name->valuestring) == 0 ||
	    strlen(name->valuestring) >= sizeof(l->name) ||
	    !plain(name->valuestring)) {
		ops_err_set(err, OPS_E_FAIL, "catalog line: no usable name");
		goto out;
	}
	/* an integer a double holds exactly */
	if (!cJSON_IsNumber(size) || size->valuedouble < 0 || size->valuedouble > 9007199254740992.0 ||
	    floor(size->valuedouble) != size->valuedouble) {
		ops_err_set(err, OPS_E_FAIL, "catalog line: no usable size");
		goto out;
	}
	if (!cJSON_IsString(sha) || !ops_sha256_hex_valid(sha->valuestring)) {
		ops_err_set(err, OPS_E_FAIL, "catalog line: no usable sha256");
		goto out;
	}
	snprintf(l->name, sizeof(l->name), "%s", name->valuestring);
	l->size = (int64_t)size->valuedouble;
	snprintf(l->sha256, sizeof(l->sha256), "%s", sha->valuestring);
	rc = 0;
out:
	cJSON_Delete(o);
	return rc;
}
