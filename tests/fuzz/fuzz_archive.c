/* libFuzzer harness: the archive acceptance rule (ops_archive_read in
 * VERIFY mode, the read every verdict goes through) on arbitrary bytes,
 * fed through the source callback: whatever it is given, it accepts or
 * refuses with a reason, never crashes, and what it accepts obeys the
 * rules (names valid, no side file, a database's kind decided by its
 * header). The seed corpus holds genuine archives and modified ones. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_archive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const uint8_t *p;
	size_t left;
};

static ssize_t
feed(void *ctx, void *buf, size_t len)
{
	struct src *s = ctx;

	if (len > s->left)
		len = s->left;
	memcpy(buf, s->p, len);
	s->p += len;
	s->left -= len;
	return (ssize_t)len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ops_archive_read_opts o = { .mode = OPS_AREAD_VERIFY };
	struct ops_manifest m = OPS_MANIFEST_INIT;
	struct ops_err err = OPS_ERR_INIT;
	struct src s = { data, size };

	o.source = feed;
	o.sctx = &s;
	if (ops_archive_read("fuzz", &o, &m, &err) == 0) {
		uint64_t total = 0;

		for (size_t i = 0; i < m.n; i++) {
			if (ops_manifest_name_check(m.v[i].name, NULL) < 0 ||
			    ops_manifest_side_file(m.v[i].name))
				abort();
			total += m.v[i].size;
		}
		if (total != m.total)
			abort();
	} else if (err.msg[0] == '\0') {
		abort();	/* a refusal always says why */
	}
	ops_manifest_release(&m);
	return 0;
}
