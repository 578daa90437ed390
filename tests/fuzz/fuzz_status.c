/* libFuzzer harness: ops_status_parse on arbitrary daemon_status.json text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ops_agent_status st;
	struct ops_err err = OPS_ERR_INIT;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ops_status_parse(text, size, &st, &err) == 0) {
		/* what parsed must be in range */
		if (st.checks_passed < -1 || st.total_checks < -1 ||
		    st.heartbeat_interval < 0 || memchr(st.status, '\0',
		    sizeof(st.status)) == NULL)
			abort();
	} else if (err.msg[0] == '\0') {
		abort();	/* a failure always says why */
	}
	free(text);
	return 0;
}
