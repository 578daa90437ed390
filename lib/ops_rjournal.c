#include "ops_rjournal.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ops_manifest.h"
#include "ops_sanitize.h"

static const char *const keys[] = { "mode", "phase", "archive", "staging", "aside",
	"was_running", "dev", "new_ino", "old_ino", "staging_ino", "files", NULL };

static int
jstr(const cJSON *o, const char *key, char *buf, size_t len, struct ops_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	size_t n;

	if (!cJSON_IsString(v))
		return ops_err_set(err, OPS_E_FAIL, "'%s' is not a string", key);
	n = strlen(v->valuestring);
	if (n >= len)
		return ops_err_set(err, OPS_E_FAIL, "'%s' is too long", key);
	memcpy(buf, v->valuestring, n + 1);
	return 0;
}

static int
jnum(const cJSON *o, const char *key, unsigned long long *out, struct ops_err *err)
{
	char buf[32], *end;

	if (jstr(o, key, buf, sizeof(buf), err) < 0)
		return -1;
	if (buf[0] < '0' || buf[0] > '9' || (buf[0] == '0' && buf[1] != '\0'))
		return ops_err_set(err, OPS_E_FAIL, "'%s' is not a number", key);
	errno = 0;
	*out = strtoull(buf, &end, 10);
	if (*end != '\0' || errno != 0)
		return ops_err_set(err, OPS_E_FAIL, "'%s' is not a number", key);
	return 0;
}

void
ops_rjournal_release(struct ops_rjournal *j)
{
	for (size_t i = 0; i < j->nfiles; i++)
		free(j->files[i].name);
	free(j->files);
	j->files = NULL;
	j->nfiles = 0;
}

int
ops_rjournal_add_file(struct ops_rjournal *j, const char *name,
    unsigned long long new_ino, struct ops_err *err)
{
	struct ops_rjournal_file *v;
	char *copy;

	if (j->nfiles >= OPS_RJOURNAL_FILES_MAX)
		return ops_err_set(err, OPS_E_FAIL, "more than %d files outside memory/",
		    OPS_RJOURNAL_FILES_MAX);
	v = realloc(j->files, (j->nfiles + 1) * sizeof(*v));
	if (v == NULL)
		return ops_err_sys(err, ENOMEM, "unable to record '%s'", name);
	j->files = v;
	copy = strdup(name);
	if (copy == NULL)
		return ops_err_sys(err, ENOMEM, "unable to record '%s'", name);
	v[j->nfiles].name = copy;
	v[j->nfiles].new_ino = new_ino;
	j->nfiles++;
	return 0;
}

/* "files": [{"name": "keys/a.key", "new_ino": "123"}, ...], optional. */
static int
parse_files(const cJSON *o, struct ops_rjournal *j, struct ops_err *err)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "files"), *it;

	if (a == NULL)
		return 0;
	if (!cJSON_IsArray(a))
		return ops_err_set(err, OPS_E_FAIL, "'files' is not an array");
	if (cJSON_GetArraySize(a) > OPS_RJOURNAL_FILES_MAX)
		return ops_err_set(err, OPS_E_FAIL, "'files' lists more than %d files",
		    OPS_RJOURNAL_FILES_MAX);
	cJSON_ArrayForEach(it, a) {
		const cJSON *f;
		char name[OPS_MANIFEST_NAME_MAX + 1];
		unsigned long long ino;

		if (!cJSON_IsObject(it) || cJSON_GetArraySize(it) != 2)
			return ops_err_set(err, OPS_E_FAIL, "'files': not an object of name "
			    "and new_ino");
		cJSON_ArrayForEach(f, it)
			if (strcmp(f->string, "name") != 0 && strcmp(f->string, "new_ino") != 0)
				return ops_err_set(err, OPS_E_FAIL, "'files': unknown key '%s'",
				    f->string);
		if (jstr(it, "name", name, sizeof(name), err) < 0 ||
		    jnum(it, "new_ino", &ino, err) < 0 ||
		    ops_rjournal_add_file(j, name, ino, err) < 0)
			return -1;
	}
	return 0;
}

int
ops_rjournal_parse(const char *text, size_t len, struct ops_rjournal *j,
    struct ops_err *err)
{
	cJSON *o = NULL;
	const cJSON *wr, *it;
	int rc = -1;

	memset(j, 0, sizeof(*j));
	/* a NUL would end a name early: the text must be clean UTF-8 */
	if (len > OPS_RJOURNAL_MAX || !ops_utf8_valid(text, len) ||
	    memmem(text, len, "\\u0000", 6) != NULL)
		return ops_err_set(err, OPS_E_FAIL, "not valid text");
	o = cJSON_ParseWithLength(text, len);
	if (o == NULL || !cJSON_IsObject(o)) {
		ops_err_set(err, OPS_E_FAIL, "not a JSON object");
		goto out;
	}
	cJSON_ArrayForEach(it, o) {
		size_t k;

		for (k = 0; keys[k] && strcmp(keys[k], it->string) != 0; k++)
			;
		if (keys[k] == NULL) {
			ops_err_set(err, OPS_E_FAIL, "unknown key '%s'", it->string);
			goto out;
		}
	}
	wr = cJSON_GetObjectItemCaseSensitive(o, "was_running");
	if (jstr(o, "mode", j->mode, sizeof(j->mode), err) < 0 ||
	    jstr(o, "phase", j->phase, sizeof(j->phase), err) < 0 ||
	    jstr(o, "archive", j->archive, sizeof(j->archive), err) < 0 ||
	    jstr(o, "staging", j->staging, sizeof(j->staging), err) < 0 ||
	    jstr(o, "aside", j->aside, sizeof(j->aside), err) < 0 ||
	    jnum(o, "dev", &j->dev, err) < 0 ||
	    jnum(o, "new_ino", &j->new_ino, err) < 0 ||
	    jnum(o, "old_ino", &j->old_ino, err) < 0 ||
	    jnum(o, "staging_ino", &j->staging_ino, err) < 0)
		goto out;
	if (!cJSON_IsBool(wr)) {
		ops_err_set(err, OPS_E_FAIL, "'was_running' is not true or false");
		goto out;
	}
	j->was_running = cJSON_IsTrue(wr);
	if (parse_files(o, j, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		ops_rjournal_release(j);	/* nothing of a refused journal is kept */
	cJSON_Delete(o);
	return rc;
}

char *
ops_rjournal_format(const struct ops_rjournal *j)
{
	char n[4][32];
	cJSON *o = cJSON_CreateObject(), *files = cJSON_CreateArray();
	char *text = NULL;

	for (size_t i = 0; files != NULL && i < j->nfiles; i++) {
		cJSON *f = cJSON_CreateObject();
		char ino[32];

		snprintf(ino, sizeof(ino), "%llu", j->files[i].new_ino);
		/* f is files' once added: one delete frees both */
		if (f != NULL)
			cJSON_AddItemToArray(files, f);
		if (f == NULL || !cJSON_AddStringToObject(f, "name", j->files[i].name) ||
		    !cJSON_AddStringToObject(f, "new_ino", ino)) {
			cJSON_Delete(files);
			files = NULL;
		}
	}

	snprintf(n[0], sizeof(n[0]), "%llu", j->dev);
	snprintf(n[1], sizeof(n[1]), "%llu", j->new_ino);
	snprintf(n[2], sizeof(n[2]), "%llu", j->old_ino);
	snprintf(n[3], sizeof(n[3]), "%llu", j->staging_ino);
	if (o != NULL && cJSON_AddStringToObject(o, "mode", j->mode) &&
	    cJSON_AddStringToObject(o, "phase", j->phase) &&
	    cJSON_AddStringToObject(o, "archive", j->archive) &&
	    cJSON_AddStringToObject(o, "staging", j->staging) &&
	    cJSON_AddStringToObject(o, "aside", j->aside) &&
	    cJSON_AddBoolToObject(o, "was_running", j->was_running) &&
	    cJSON_AddStringToObject(o, "dev", n[0]) &&
	    cJSON_AddStringToObject(o, "new_ino", n[1]) &&
	    cJSON_AddStringToObject(o, "old_ino", n[2]) &&
	    cJSON_AddStringToObject(o, "staging_ino", n[3]) && files != NULL &&
	    cJSON_AddItemToObject(o, "files", files)) {
		files = NULL;	/* o's now */
		text = cJSON_Print(o);
	}
	cJSON_Delete(files);
	cJSON_Delete(o);
	return text;
}

static int
one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return 1;
	return 0;
}

/* An absolute path with no empty, "." or ".." component, no '//' */
static int
canonical(const char *p)
{
	if (p[0] != '/')
		return 0;
	if (p[1] == '\0')
		return 1;
	for (const char *c = p + 1;;) {
		size_t n = strcspn(c, "/");

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (c[n] == '\0')
			return 1;
		c += n + 1;
	}
}

/* "memory.pre-restore.YYYYMMDD_HHMMSS" optionally "-N" (2..99): what
 * ops_restore's aside_name makes. */
static int
aside_leaf(const char *s)
{
	static const char pre[] = "memory.pre-restore.";
	size_t n = sizeof(pre) - 1;

	if (strncmp(s, pre, n) != 0)
		return 0;
	s += n;
	for (int i = 0; i < 15; i++) {
		if (i == 8 ? s[i] != '_' : !isdigit((unsigned char)s[i]))
			return 0;
	}
	s += 15;
	if (*s == '\0')
		return 1;
	if (*s != '-' || !isdigit((unsigned char)s[1]) || s[1] == '0')
		return 0;
	return (s[2] == '\0' && s[1] >= '2') || (isdigit((unsigned char)s[2]) && s[3] == '\0');
}

/* "home.pre-restore.STAMP[-N]": the memory's aside leaf with "home."
 * in place of "memory." */
int
ops_rjournal_home_aside_leaf(const char *name)
{
	char buf[128];

	if (strncmp(name, "home.", 5) != 0 ||
	    snprintf(buf, sizeof(buf), "memory.%s", name + 5) >= (int)sizeof(buf))
		return 0;
	return aside_leaf(buf);
}

int
ops_rjournal_home_aside(const char *aside, char *buf, size_t len)
{
	const char *slash = strrchr(aside, '/');
	const char *leaf = slash ? slash + 1 : aside;
	int dl = (int)(leaf - aside);

	if (!aside_leaf(leaf) ||
	    snprintf(buf, len, "%.*shome.%s", dl, aside, leaf + 7) >= (int)len)
		return -1;
	return 0;
}

/* The files of a restore: none before extraction ended, else names a
 * restore puts in the home (never under memory/, never reserved) with
 * their inodes, each once. */
static int
validate_files(const struct ops_rjournal *j, struct ops_err *err)
{
	struct ops_err why = OPS_ERR_INIT;

	if (j->nfiles > 0 && (strcmp(j->mode, "to") == 0 || strcmp(j->phase, "extract") == 0))
		return ops_err_set(err, OPS_E_FAIL, "files before extraction ended");
	for (size_t i = 0; i < j->nfiles; i++) {
		const char *n = j->files[i].name;

		if (ops_manifest_name_check(n, &why) < 0)
			return ops_err_set(err, OPS_E_FAIL, "files: %s", why.msg);
		if (ops_manifest_in_memory(n))
			return ops_err_set(err, OPS_E_FAIL, "files: '%s' is under memory/", n);
		if (j->files[i].new_ino == 0)
			return ops_err_set(err, OPS_E_FAIL, "files: no inode for '%s'", n);
		for (size_t k = 0; k < i; k++)
			if (strcmp(j->files[k].name, n) == 0)
				return ops_err_set(err, OPS_E_FAIL, "files: '%s' listed twice", n);
	}
	return 0;
}

int
ops_rjournal_validate(const struct ops_rjournal *j, const char *home,
    unsigned long long dev, struct ops_err *err)
{
	static const char *const phases[] = { "extract", "stopping", "swapping", "swapped",
		"starting", "rollback", NULL };
	size_t hl = strlen(home);
	char want[PATH_MAX + 32];

	if (!canonical(home))
		return ops_err_set(err, OPS_E_FAIL, "the home is not an absolute path");
	if (validate_files(j, err) < 0)
		return -1;
	/* --to's staging lies where DIR is; a restore's all on the home's */
	if (strcmp(j->mode, "to") != 0 && j->dev != dev)
		return ops_err_set(err, OPS_E_FAIL, "it names another filesystem (device %llu, "
		    "the home is on %llu)", j->dev, dev);
	if (j->archive[0] != '/')
		return ops_err_set(err, OPS_E_FAIL, "the archive is not an absolute path");
	if (strcmp(j->mode, "to") == 0) {
		const char *slash = strrchr(j->staging, '/');
		static const char pre[] = ".memory.restore-";

		if (strcmp(j->phase, "extract") != 0)
			return ops_err_set(err, OPS_E_FAIL, "phase '%s' for --to", j->phase);
		if (!canonical(j->staging) || slash == NULL || slash == j->staging ||
		    strncmp(slash + 1, pre, sizeof(pre) - 1) != 0 ||
		    strlen(slash + 1) != sizeof(pre) - 1 + 6 ||
		    strspn(slash + sizeof(pre), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789") != 6)
			return ops_err_set(err, OPS_E_FAIL, "staging '%s' is not a directory "
			    "ops-restore --to makes", j->staging);
		if (j->staging_ino == 0 || j->aside[0] != '\0' || j->new_ino || j->old_ino)
			return ops_err_set(err, OPS_E_FAIL, "inodes or aside not as --to writes them");
		return 0;
	}
	if (strcmp(j->mode, "restore") != 0)
		return ops_err_set(err, OPS_E_FAIL, "unknown mode '%s'", j->mode);
	if (!one_of(j->phase, phases))
		return ops_err_set(err, OPS_E_FAIL, "unknown phase '%s'", j->phase);
	snprintf(want, sizeof(want), "%s%s.memory.restore", home, home[hl - 1] == '/' ? "" : "/");
	if (strcmp(j->staging, want) != 0)
		return ops_err_set(err, OPS_E_FAIL, "staging '%s' is not '%s'", j->staging, want);
	if (strncmp(j->aside, home, hl) != 0 || (home[hl - 1] != '/' && j->aside[hl] != '/') ||
	    strchr(j->aside + hl + (home[hl - 1] != '/'), '/') != NULL ||
	    !aside_leaf(j->aside + hl + (home[hl - 1] != '/')))
		return ops_err_set(err, OPS_E_FAIL, "aside '%s' is not a memory.pre-restore.* "
		    "directory of the home", j->aside);
	if (j->staging_ino != 0)
		return ops_err_set(err, OPS_E_FAIL, "a staging inode in restore mode");
	if (strcmp(j->phase, "extract") == 0) {
		if (j->new_ino != 0 || j->old_ino != 0)
			return ops_err_set(err, OPS_E_FAIL, "inodes before extraction ended");
	} else if (j->new_ino == 0 || j->new_ino == j->old_ino) {
		return ops_err_set(err, OPS_E_FAIL, "no inode for the restored memory");
	}
	return 0;
}

int
ops_rjournal_dir_is(const char *path, unsigned long long dev, unsigned long long ino)
{
	struct stat st;

	if (ino == 0 || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

int
ops_rjournal_aside_leaf(const char *name)
{
	return aside_leaf(name);
}
