/* libFuzzer harness: ops_rclone_lsjson_parse on arbitrary text (rclone's
 * output is outside input: a remote can name files anything). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_rclone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ops_err err = OPS_ERR_INIT;
	struct ops_rclone_entry *v = NULL;
	size_t n = 0;
	char buf[512];

	if (ops_rclone_lsjson_parse((const char *)data, size, &v, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++) {
			/* what parsed is a plain name and sane fields */
			if (v[i].name[0] == '\0' || strchr(v[i].name, '/') != NULL ||
			    memchr(v[i].modtime, '\0', sizeof(v[i].modtime)) == NULL ||
			    (v[i].sha256[0] && strlen(v[i].sha256) != 64) || v[i].size < -1 ||
			    ops_rclone_path("r:", v[i].name, buf, sizeof(buf)) < 0)
				abort();
			for (const char *p = v[i].name; *p; p++)
				if ((unsigned char)*p < 0x20)
					abort();
		}
	} else if (err.msg[0] == '\0' || v != NULL || n != 0) {
		abort();	/* a failure always says why, and keeps nothing */
	}
	free(v);
	return 0;
}
