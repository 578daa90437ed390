/* libFuzzer harness: ops_monit_parse on arbitrary text, whole and in two
 * pieces (the streaming path), which must agree. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_monit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ops_err err = OPS_ERR_INIT, err2 = OPS_ERR_INIT;
	struct ops_monit_status st, st2;
	struct ops_monit_parser *p;
	int rc, rc2;

	rc = ops_monit_parse((const char *)data, size, &st, &err);
	if (rc == 0) {
		for (size_t i = 0; i < st.n; i++)
			/* what parsed must be in range */
			if (st.v[i].name[0] == '\0' || memchr(st.v[i].name, '\0',
			    sizeof(st.v[i].name)) == NULL || st.v[i].status < 0 ||
			    (!isnan(st.v[i].cpu) && st.v[i].cpu < 0) ||
			    (!isnan(st.v[i].memory) && st.v[i].memory < 0))
				abort();
	} else if (err.msg[0] == '\0' || st.n != 0) {
		abort();	/* a failure always says why, and keeps nothing */
	}
	p = ops_monit_parser_new(&st2);
	if (p == NULL)
		abort();
	rc2 = ops_monit_parser_feed(p, (const char *)data, size / 2, &err2);
	if (rc2 == 0)
		rc2 = ops_monit_parser_feed(p, (const char *)data + size / 2,
		    size - size / 2, &err2);
	if (rc2 == 0)
		rc2 = ops_monit_parser_finish(p, &err2);
	if (rc != rc2 || (rc == 0 && st.n != st2.n))
		abort();
	ops_monit_parser_free(p);
	ops_monit_status_release(&st);
	ops_monit_status_release(&st2);
	return 0;
}
