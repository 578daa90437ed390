/* libFuzzer harness: ops_config_load_text on arbitrary ops.json text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a context as ops_context needs it; a check's own one names the check */
static int
context_ok(const struct ops_context_cfg *cc, const char *check)
{
	return cc->check != NULL && cc->target != NULL && cc->target[0] != '\0' &&
	    cc->max_lines >= 1 && cc->max_lines <= 500 &&
	    (check == NULL || strcmp(cc->check, check) == 0);
}

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
		/* every context loaded is whole: a target, 1 to 500 lines */
		for (size_t i = 0; i < cfg.health.ncontext; i++)
			if (!context_ok(&cfg.health.context[i], NULL))
				abort();
		for (size_t i = 0; i < cfg.health.monit.ncontext; i++)
			if (!context_ok(&cfg.health.monit.context[i], NULL))
				abort();
		for (size_t i = 0; i < cfg.health.nchecks; i++)
			if (cfg.health.checks[i].context.target != NULL &&
			    !context_ok(&cfg.health.checks[i].context, cfg.health.checks[i].name))
				abort();
		for (size_t i = 0; i < cfg.health.nendpoints; i++)
			if (cfg.health.endpoints[i].context.target != NULL &&
			    !context_ok(&cfg.health.endpoints[i].context,
			    cfg.health.endpoints[i].name))
				abort();
		for (size_t i = 0; i < cfg.health.nlogs; i++)
			if (cfg.health.logs[i].context.target != NULL &&
			    !context_ok(&cfg.health.logs[i].context, cfg.health.logs[i].name))
				abort();
	} else if (err.code != OPS_E_USAGE || strncmp(err.msg, "fuzz.json: ", 11) != 0) {
		abort();	/* every failure is a usage error naming the file */
	}
	ops_config_release(&cfg);
	free(text);
	return 0;
}
