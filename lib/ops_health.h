/* ops_health: the checks of ops-health (SPEC §6), shared with ops-alert
 * and ops-dashboard.
 *
 * Built-in checks, in order: daemon heartbeat integrity disk email
 * restarts backup; then each configured check and endpoint by its name. */
#ifndef OPS_HEALTH_H
#define OPS_HEALTH_H

#include <stddef.h>

#include "ops_check.h"
#include "ops_config.h"
#include "ops_err.h"
#include "ops_state.h"

struct ops_health_opts {
	int full;			/* integrity_check on every database, no cache */
	const char *const *only;	/* run only these checks (NULL: all) */
	size_t nonly;
	double timeout;			/* bound for the whole run, seconds */
};

/* Run the checks into r (one result each). st may be NULL: no integrity
 * cache and no restart events. -1 only for a bad --check name
 * (OPS_E_USAGE); a check that cannot run is an UNKNOWN result. */
int ops_health_run(const struct ops_config *cfg, const struct ops_health_opts *o,
    struct ops_statedb *st, struct ops_report *r, struct ops_err *err);

/* Record the run in the state database (30 days kept) and append a line
 * to logs/health_check.log. */
int ops_health_record(const struct ops_config *cfg, struct ops_statedb *st,
    struct ops_report *r, double now, struct ops_err *err);

/* The names of the built-in checks, NULL-terminated. */
extern const char *const ops_health_builtin[];

#endif
