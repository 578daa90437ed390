/* libFuzzer harness: the serve listen address parser and the history
 * query's arguments (since, check), which come from the network. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_httpd.h"
#include "ops_serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ops_config cfg;
	static int loaded;
	struct ops_err err = OPS_ERR_INIT;
	struct sockaddr_storage ss;
	struct ops_serve sv;
	struct ops_serve_reply r = OPS_SERVE_REPLY_INIT;
	socklen_t len;
	int lo;
	char *text = malloc(size + 1), *sep;

	if (text == NULL)
		return 0;
	if (!loaded) {
		loaded = ops_config_load_text(&cfg, "/nonexistent", "{}", 2, "fuzz", &err) == 0;
		if (!loaded)
			abort();
	}
	memcpy(text, data, size);
	text[size] = '\0';
	if (ops_httpd_parse_listen(text, &ss, &len, &lo, &err) == 0 && len > sizeof(ss))
		abort();
	/* "since\ncheck" */
	sep = strchr(text, '\n');
	if (sep != NULL)
		*sep++ = '\0';
	ops_serve_init(&sv, &cfg);
	if (ops_serve_get(&sv, "/api/v1/history", text, sep, &r) == 0 &&
	    r.status != 200 && r.status != 400)
		abort();
	ops_serve_reply_release(&r);
	ops_serve_release(&sv);
	free(text);
	return 0;
}
