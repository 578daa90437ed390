/* libFuzzer harness: the crontab block parser (per-home markers, bare
 * markers from earlier versions) through find, merge and remove; a merge
 * followed by a remove gives back a table with no block for the home. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_crontab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char block[] = OPS_CRONTAB_BEGIN " /h\n* * * * * DHARMIC_HOME=/h x\n"
	    OPS_CRONTAB_END " /h\n";
	struct ops_buf in = OPS_BUF_INIT, out = OPS_BUF_INIT;
	struct ops_err err = OPS_ERR_INIT;
	static struct ops_cron_block v[OPS_CRON_BLOCKS_MAX];
	size_t b, e, n;
	int found;

	found = ops_crontab_find((const char *)data, size, "/h", &b, &e, &err);
	if (found == 1 && (b > e || e > size))
		abort();
	if (ops_crontab_merge((const char *)data, size, "/h", block, &in, &err) == 0 &&
	    !in.oom) {
		if (ops_crontab_remove(in.s, in.len, "/h", &out, &err) != 1)
			abort();
		/* no block named for the home is left */
		if (ops_crontab_blocks(out.s, out.len, v, OPS_CRON_BLOCKS_MAX, &n, &err) == 0)
			for (size_t i = 0; i < n; i++)
				if (strcmp(v[i].home, "/h") == 0)
					abort();
	}
	ops_buf_release(&in);
	ops_buf_release(&out);
	return 0;
}
