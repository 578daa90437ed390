#include "ops_manifest.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_time.h"

static const char *const kind_names[] = { "file", "sqlite", "jsonl" };

const char *
ops_kind_name(enum ops_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "?";
}

int
ops_kind_parse(const char *s, enum ops_kind *k)
{
	for (int i = 0; i < 3; i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum ops_kind)i;
			return 0;
		}
	}
	return -1;
}

int
ops_manifest_side_file(const char *name)
{
	static const char *const sfx[] = { "-wal", "-shm", "-journal", NULL };
	size_t n = strlen(name);

	for (size_t i = 0; sfx[i]; i++) {
		size_t k = strlen(sfx[i]);

		if (n >= k && strcmp(name + n - k, sfx[i]) == 0)
			return 1;
	}
	/* a super-journal: NAME-mjXXXXXXXX */
	{
		const char *slash = strrchr(name, '/'), *mj = strstr(slash ? slash : name, "-mj");

		if (mj != NULL && strlen(mj) == 11 && strspn(mj + 3, "0123456789ABCDEFabcdef") == 8)
			return 1;
	}
	return 0;
}

int
ops_manifest_in_memory(const char *name)
{
	return strncmp(name, "memory/", 7) == 0;
}

int
ops_manifest_reserved(const char *name)
{
	static const char *const exact[] = { "memory", ".ops", OPS_MANIFEST_JSON,
		OPS_MANIFEST_SHA256, NULL };
	static const char *const prefix[] = { ".memory.restore", "memory.pre-restore.",
		"home.pre-restore.", NULL };
	size_t n = strcspn(name, "/");

	for (size_t i = 0; exact[i]; i++)
		if (strlen(exact[i]) == n && strncmp(name, exact[i], n) == 0)
			return 1;
	for (size_t i = 0; prefix[i]; i++)
		if (strncmp(name, prefix[i], strlen(prefix[i])) == 0 && strlen(prefix[i]) <= n)
			return 1;
	return 0;
}

int
ops_manifest_name_check(const char *name, struct ops_err *err)
{
	const char *p, *comp;
	size_t len = strlen(name);
	int depth = 0;

	if (len == 0)
		return ops_err_set(err, OPS_E_FAIL, "empty member name");
	if (len > OPS_MANIFEST_NAME_MAX)
		return ops_err_set(err, OPS_E_FAIL, "member name too long (%zu bytes)", len);
	if (name[0] == '/')
		return ops_err_set(err, OPS_E_FAIL, "'%s': absolute path", name);
	for (p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f || c == '\\' || c == '"')
			return ops_err_set(err, OPS_E_FAIL,
			    "member name with a forbidden character (0x%02x)", c);
	}
	/* Walk the components: none empty, ".", or ".."; no more of them or
	 * longer ones than extraction and removal handle. */
	for (comp = name;; comp = p + 1) {
		size_t n;

		p = strchr(comp, '/');
		n = p ? (size_t)(p - comp) : strlen(comp);
		if (++depth > OPS_MANIFEST_DEPTH_MAX)
			return ops_err_set(err, OPS_E_FAIL,
			    "member name deeper than %d components", OPS_MANIFEST_DEPTH_MAX);
		if (n > OPS_MANIFEST_COMPONENT_MAX)
			return ops_err_set(err, OPS_E_FAIL,
			    "member name with a component of %zu bytes (at most %d)", n,
			    OPS_MANIFEST_COMPONENT_MAX);
		if (n == 2 && comp[0] == '.' && comp[1] == '.')
			return ops_err_set(err, OPS_E_FAIL, "'%s': a '..' component", name);
		if (n == 0 || (n == 1 && comp[0] == '.'))
			return ops_err_set(err, OPS_E_FAIL, "'%s': an empty or '.' component",
			    name);
		if (p == NULL)
			break;
	}
	/* issue 12: a file of the home outside memory/ (backup.include), but
	 * never a name ops itself owns there: restoring one would overwrite
	 * the state, the journal or a copy set aside. */
	if (strncmp(name, "memory/", 7) != 0 && ops_manifest_reserved(name))
		return ops_err_set(err, OPS_E_FAIL, "'%s': a name ops-backup never archives "
		    "(the manifest, memory, .ops/, a restore's staging or a copy set aside)",
		    name);
	/* ops-backup never archives SQLite's side files: a -wal restored
	 * beside its database would be replayed into it by the agent. */
	if (ops_manifest_side_file(name))
		return ops_err_set(err, OPS_E_FAIL,
		    "'%s': a SQLite side file (ops-backup never archives one)", name);
	return 0;
}

int
ops_manifest_add(struct ops_manifest *m, const char *name, uint64_t size,
    enum ops_kind kind, const char *sha256, struct ops_err *err)
{
	struct ops_manifest_entry *e;

	if (ops_manifest_name_check(name, err) < 0)
		return -1;
	if (sha256 != NULL && !ops_sha256_hex_valid(sha256))
		return ops_err_set(err, OPS_E_FAIL, "'%s': malformed sha256", name);
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].name, name) == 0)
			return ops_err_set(err, OPS_E_FAIL, "'%s' listed twice", name);
	if (size > UINT64_MAX - m->total)
		return ops_err_set(err, OPS_E_FAIL, "'%s': size out of range", name);
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;

		e = realloc(m->v, cap * sizeof(*e));
		if (e == NULL)
			return ops_err_sys(err, errno, "unable to build the manifest");
		m->v = e;
		m->cap = cap;
	}
	e = &m->v[m->n];
	e->name = strdup(name);
	if (e->name == NULL)
		return ops_err_sys(err, errno, "unable to build the manifest");
	e->size = size;
	e->kind = kind;
	if (sha256 != NULL)
		memcpy(e->sha256, sha256, OPS_SHA256_HEX);
	else
		e->sha256[0] = '\0';
	m->total += size;
	m->n++;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct ops_manifest_entry *)a)->name,
	    ((const struct ops_manifest_entry *)b)->name);
}

void
ops_manifest_sort(struct ops_manifest *m)
{
	if (m->n > 1)
		qsort(m->v, m->n, sizeof(m->v[0]), by_name);
}

const struct ops_manifest_entry *
ops_manifest_find(const struct ops_manifest *m, const char *name)
{
	struct ops_manifest_entry key = { .name = (char *)name };

	if (m->n == 0)
		return NULL;
	return bsearch(&key, m->v, m->n, sizeof(m->v[0]), by_name);
}

void
ops_manifest_format_sha256(const struct ops_manifest *m, struct ops_buf *out)
{
	for (size_t i = 0; i < m->n; i++)
		ops_buf_printf(out, "%s  %s\n", m->v[i].sha256, m->v[i].name);
}

void
ops_manifest_format_json(const struct ops_manifest *m, struct ops_buf *out)
{
	char iso[64];

	/* Names need no escaping: ops_manifest_name_check forbids '"', '\\'
	 * and control characters. */
	ops_buf_printf(out, "{\"format\": 1, \"created\": \"%s\", \"total_size\": %llu, "
	    "\"files\": [\n", ops_time_iso(m->created, iso, sizeof(iso)),
	    (unsigned long long)m->total);
	for (size_t i = 0; i < m->n; i++)
		ops_buf_printf(out, "{\"name\": \"%s\", \"size\": %llu, \"kind\": \"%s\"}%s\n",
		    m->v[i].name, (unsigned long long)m->v[i].size, ops_kind_name(m->v[i].kind),
		    i + 1 < m->n ? "," : "");
	ops_buf_puts(out, "]}\n");
}

/* Duplicates are caught by ops_manifest_add; sort for lookups. */
static int
finish(struct ops_manifest *m)
{
	ops_manifest_sort(m);
	return 0;
}

int
ops_manifest_parse_sha256(const char *text, size_t len, struct ops_manifest *m,
    struct ops_err *err)
{
	const char *p = text, *end = text + len;
	char hex[OPS_SHA256_HEX], name[OPS_MANIFEST_NAME_MAX + 1];
	int line = 0;

	if (memchr(text, '\0', len) != NULL)
		return ops_err_set(err, OPS_E_FAIL, OPS_MANIFEST_SHA256 ": a NUL byte");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n;

		line++;
		if (nl == NULL)
			return ops_err_set(err, OPS_E_FAIL,
			    OPS_MANIFEST_SHA256 " line %d: no line end", line);
		n = (size_t)(nl - p);
		/* 64 hex, two spaces (or " *", sha256sum's binary mark), name */
		if (n < 67 || p[64] != ' ' || (p[65] != ' ' && p[65] != '*'))
			return ops_err_set(err, OPS_E_FAIL,
			    OPS_MANIFEST_SHA256 " line %d: not 'SHA256  NAME'", line);
		memcpy(hex, p, 64);
		hex[64] = '\0';
		if (!ops_sha256_hex_valid(hex))
			return ops_err_set(err, OPS_E_FAIL,
			    OPS_MANIFEST_SHA256 " line %d: malformed sha256", line);
		if (n - 66 > OPS_MANIFEST_NAME_MAX)
			return ops_err_set(err, OPS_E_FAIL,
			    OPS_MANIFEST_SHA256 " line %d: name too long", line);
		memcpy(name, p + 66, n - 66);
		name[n - 66] = '\0';
		if (ops_manifest_add(m, name, 0, OPS_KIND_FILE, hex, err) < 0)
			return ops_err_prefix(err, OPS_MANIFEST_SHA256 " line %d", line);
		p = nl + 1;
	}
	return finish(m);
}

static int
json_uint(const cJSON *o, const char *key, uint64_t *out, const char *where,
    struct ops_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	double d;

	if (!cJSON_IsNumber(v))
		return ops_err_set(err, OPS_E_FAIL, OPS_MANIFEST_JSON ": %s: '%s' is not a number",
		    where, key);
	d = v->valuedouble;
	if (!(d >= 0) || d > 9007199254740992.0 || floor(d) != d)
		return ops_err_set(err, OPS_E_FAIL,
		    OPS_MANIFEST_JSON ": %s: '%s' is not a size", where, key);
	*out = (uint64_t)d;
	return 0;
}

static const char *
json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Every key of o must be one of keys (NULL-terminated). */
static int
json_keys(const cJSON *o, const char *const *keys, const char *where,
    struct ops_err *err)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, o) {
		size_t i;

		for (i = 0; keys[i]; i++)
			if (c->string && strcmp(c->string, keys[i]) == 0)
				break;
		if (keys[i] == NULL)
			return ops_err_set(err, OPS_E_FAIL, OPS_MANIFEST_JSON ": %s: unknown key '%s'",
			    where, c->string ? c->string : "?");
	}
	return 0;
}

int
ops_manifest_parse_json(const char *text, size_t len, struct ops_manifest *m,
    struct ops_err *err)
{
	static const char *const top_keys[] = { "format", "created", "total_size",
		"files", NULL };
	static const char *const file_keys[] = { "name", "size", "kind", NULL };
	cJSON *root;
	const cJSON *files, *f;
	const char *s;
	uint64_t format = 0, total = 0, size = 0;
	enum ops_kind kind;
	char where[64];
	int rc = -1, i = 0;

	root = cJSON_ParseWithLength(text, len);
	if (root == NULL || !cJSON_IsObject(root)) {
		ops_err_set(err, OPS_E_FAIL, OPS_MANIFEST_JSON ": not a JSON object");
		goto out;
	}
	if (json_keys(root, top_keys, "top level", err) < 0 ||
	    json_uint(root, "format", &format, "top level", err) < 0 ||
	    json_uint(root, "total_size", &total, "top level", err) < 0)
		goto out;
	if (format != 1) {
		ops_err_set(err, OPS_E_FAIL, OPS_MANIFEST_JSON ": unsupported format %llu",
		    (unsigned long long)format);
		goto out;
	}
	if ((s = json_str(root, "created")) != NULL &&
	    ops_time_parse_iso(s, &m->created, NULL) < 0) {
		ops_err_set(err, OPS_E_FAIL, OPS_MANIFEST_JSON ": malformed 'created'");
		goto out;
	}
	files = cJSON_GetObjectItemCaseSensitive(root, "files");
	if (!cJSON_IsArray(files)) {
		ops_err_set(err, OPS_E_FAIL, OPS_MANIFEST_JSON ": 'files' is not a list");
		goto out;
	}
	cJSON_ArrayForEach(f, files) {
		const char *name, *k;

		snprintf(where, sizeof(where), "file %d", ++i);
		if (!cJSON_IsObject(f)) {
			ops_err_set(err, OPS_E_FAIL, OPS_MANIFEST_JSON ": %s: not an object", where);
			goto out;
		}
		if (json_keys(f, file_keys, where, err) < 0 ||
		    json_uint(f, "size", &size, where, err) < 0)
			goto out;
		name = json_str(f, "name");
		k = json_str(f, "kind");
		if (name == NULL || k == NULL) {
			ops_err_set(err, OPS_E_FAIL,
			    OPS_MANIFEST_JSON ": %s: 'name' and 'kind' must be strings", where);
			goto out;
		}
		if (ops_kind_parse(k, &kind) < 0) {
			ops_err_set(err, OPS_E_FAIL, OPS_MANIFEST_JSON ": %s: unknown kind '%s'",
			    where, k);
			goto out;
		}
		if (ops_manifest_add(m, name, size, kind, NULL, err) < 0) {
			ops_err_prefix(err, OPS_MANIFEST_JSON ": %s", where);
			goto out;
		}
	}
	if (total != m->total) {
		ops_err_set(err, OPS_E_FAIL,
		    OPS_MANIFEST_JSON ": total_size %llu is not the sum of the sizes (%llu)",
		    (unsigned long long)total, (unsigned long long)m->total);
		goto out;
	}
	rc = finish(m);
out:
	cJSON_Delete(root);
	return rc;
}

int
ops_manifest_merge(struct ops_manifest *json, const struct ops_manifest *sha,
    struct ops_err *err)
{
	size_t i;

	for (i = 0; i < sha->n && i < json->n; i++) {
		int c = strcmp(sha->v[i].name, json->v[i].name);

		if (c != 0)
			return ops_err_set(err, OPS_E_FAIL,
			    "manifests disagree: '%s' is only in %s",
			    c < 0 ? sha->v[i].name : json->v[i].name,
			    c < 0 ? OPS_MANIFEST_SHA256 : OPS_MANIFEST_JSON);
	}
	if (i < sha->n || i < json->n)
		return ops_err_set(err, OPS_E_FAIL, "manifests disagree: '%s' is only in %s",
		    i < sha->n ? sha->v[i].name : json->v[i].name,
		    i < sha->n ? OPS_MANIFEST_SHA256 : OPS_MANIFEST_JSON);
	for (i = 0; i < json->n; i++)
		memcpy(json->v[i].sha256, sha->v[i].sha256, OPS_SHA256_HEX);
	return 0;
}

void
ops_manifest_release(struct ops_manifest *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].name);
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
	m->total = 0;
}
