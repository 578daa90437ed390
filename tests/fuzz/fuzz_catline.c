/* libFuzzer harness: ops_catline_parse on arbitrary text (a catalog line
 * comes from the remote: anyone with write access there wrote it). What
 * parses names a plain file and a well-formed hash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_catline.h"
#include "ops_digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ops_err err = OPS_ERR_INIT;
	struct ops_catline l;

	if (ops_catline_parse((const char *)data, size, &l, &err) == 0) {
		if (l.name[0] == '\0' || strchr(l.name, '/') != NULL || l.size < 0 ||
		    !ops_sha256_hex_valid(l.sha256))
			abort();
		for (const char *p = l.name; *p; p++)
			if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
				abort();
	} else if (err.msg[0] == '\0') {
		abort();
	}
	return 0;
}
