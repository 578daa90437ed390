/* libFuzzer harness: the restore journal reader (ops_rjournal_parse, then
 * ops_rjournal_validate for a fixed home) on arbitrary text. Whatever it
 * is given, a journal that validates names only what ops_restore makes
 * for that home; a refusal always says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_rjournal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A ".." component (not a name that starts with "..", like "..ut"). */
static int
dotdot(const char *p)
{
	size_t n = strlen(p);

	return strstr(p, "/../") != NULL || (n >= 3 && strcmp(p + n - 3, "/..") == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ops_rjournal j;
	struct ops_err err = OPS_ERR_INIT;

	if (ops_rjournal_parse((const char *)data, size, &j, &err) < 0) {
		if (err.msg[0] == '\0')
			abort();
		return 0;
	}
	if (ops_rjournal_validate(&j, "/h", 42, &err) == 0) {
		if (strcmp(j.mode, "restore") == 0) {
			if (strcmp(j.staging, "/h/.memory.restore") != 0 ||
			    strncmp(j.aside, "/h/memory.pre-restore.", 22) != 0 ||
			    strchr(j.aside + 3, '/') != NULL || strstr(j.aside, "..") != NULL ||
			    j.dev != 42)
				abort();
		} else if (strcmp(j.mode, "to") != 0 || dotdot(j.staging) ||
		    strstr(j.staging, "/.memory.restore-") == NULL || j.staging_ino == 0) {
			abort();
		}
		/* issue 12: the files it names stay in the home */
		for (size_t i = 0; i < j.nfiles; i++)
			if (j.files[i].name[0] == '/' || dotdot(j.files[i].name) ||
			    strncmp(j.files[i].name, "../", 3) == 0 ||
			    strcmp(j.files[i].name, "..") == 0 ||
			    strncmp(j.files[i].name, "memory/", 7) == 0)
				abort();
	} else if (err.msg[0] == '\0') {
		abort();
	}
	ops_rjournal_release(&j);
	return 0;
}
