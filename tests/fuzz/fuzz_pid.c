/* libFuzzer harness: ops_pid_parse on arbitrary PID file contents. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ops_err err = OPS_ERR_INIT;
	char *text = malloc(size + 1);
	pid_t pid = 0;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ops_pid_parse(text, &pid, &err) == 0) {
		if (pid <= 1)
			abort();	/* never 0, 1 or negative */
	} else if (err.msg[0] == '\0') {
		abort();
	}
	free(text);
	return 0;
}
