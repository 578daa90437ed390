/* libFuzzer harness: ops_config_load_text on arbitrary ops.json text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ops_config cfg;
	struct ops_err err = OPS_ERR_INIT;
	char *text = malloc(size + 1);
	int rc;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = ops_config_load_text(&cfg, "/home/agent", text, size, "fuzz.json", &err);
	if (rc == 0) {
		/* a config that loads is usable */
		if (cfg.daemon.command.n == 0 || cfg.daemon.command.v[cfg.daemon.command.n] ||
		    cfg.daemon.match == NULL || cfg.daemon.match[0] == '\0' ||
		    cfg.health.disk_crit > cfg.health.disk_warn)
			abort();
		for (size_t i = 0; i < cfg.health.nchecks; i++)
			if (cfg.health.checks[i].name == NULL ||
			    cfg.health.checks[i].command.n == 0)
				abort();
		for (size_t i = 0; i < cfg.health.nendpoints; i++)
			if (cfg.health.endpoints[i].name == NULL ||
			    cfg.health.endpoints[i].url == NULL)
				abort();
	} else if (err.code != OPS_E_USAGE || strncmp(err.msg, "fuzz.json: ", 11) != 0) {
		abort();	/* every failure is a usage error naming the file */
	}
	ops_config_release(&cfg);
	free(text);
	return 0;
}
