/* libFuzzer harness: the audit trail's readers of outside bytes.
 * ops_audit_sanitize on arbitrary text (the result is valid UTF-8, one
 * line, no control character, within the size), and ops_audit_verify with
 * arbitrary bytes as logs/audit.log beside a good three-entry chain (it
 * reads the newest line: never a crash, a verdict or an error). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops_audit.h"
#include "ops_fs.h"
#include "ops_sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char home[4096], logp[4200];
static struct ops_statedb st = OPS_STATEDB_INIT;

static int
setup(void)
{
	struct ops_audit_opts o = { home, NULL, 0 };
	struct ops_err err = OPS_ERR_INIT;
	const char *tmp = getenv("TMPDIR");

	snprintf(home, sizeof(home), "%s/fuzz-audit.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(home) == NULL || ops_state_open(&st, home, &err) < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (ops_audit_append(&st, &o, "fuzz", "fuzz", "act", "done", "x", &err) < 0)
			return -1;
	snprintf(logp, sizeof(logp), "%s/logs/audit.log", home);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct ops_buf out = OPS_BUF_INIT;
	struct ops_err err = OPS_ERR_INIT;
	char *text = malloc(size + 1), small[48], problem[512];
	size_t n;
	int rc;

	if (!ready) {
		if (setup() < 0)
			abort();
		ready = 1;
	}
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ops_audit_sanitize(small, sizeof(small), text);
	n = strlen(small);
	if (n >= sizeof(small) || !ops_utf8_valid(small, n) || strchr(small, '\n') ||
	    strchr(small, '\r') || strchr(small, '\033'))
		abort();
	if (ops_fs_write_atomic(logp, data, size, &err) == 0) {
		rc = ops_audit_verify(&st, home, NULL, &out, problem, sizeof(problem), &err);
		if (rc < -1 || rc > 1 || (rc == 1 && problem[0] == '\0') ||
		    (rc < 0 && err.msg[0] == '\0'))
			abort();
	}
	ops_buf_release(&out);
	free(text);
	return 0;
}
